//! The UI's components, one per file.

pub mod error_banner;
pub mod generator_config;
pub mod header;
pub mod image_picker;
pub mod job_card;
pub mod money_bar;
pub mod music_video;
pub mod new_project;
pub mod onboarding;
pub mod player;
pub mod price_tag;
pub mod project_list;
pub mod project_settings;
pub mod queue_list;
pub mod render_panel;
pub mod settings;
pub mod shot_card;
pub mod song_format;
pub mod song_panel;
pub mod song_tools;
pub mod storyboard;
pub mod theme_input;
pub mod unavailable;
pub mod video_gallery;
pub mod waveform;
