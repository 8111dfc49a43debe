//! The UI's components, one per file.

pub mod error_banner;
pub mod generator_config;
pub mod header;
pub mod image_picker;
pub mod job_card;
pub mod onboarding;
pub mod player;
pub mod price_tag;
pub mod queue_list;
pub mod settings;
pub mod song_format;
pub mod song_panel;
pub mod song_tools;
pub mod theme_input;
pub mod unavailable;
pub mod video_gallery;
pub mod waveform;
