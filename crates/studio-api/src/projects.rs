//! Music videos as the app shows them: the song (waveform peaks, beats, bars, sections), the
//! project's settings, its storyboard's shots with their state and versions, the whole price, the
//! renders, and the edits the UI may ask for. The core does every edit; the UI shows the answer.

use serde::{Deserialize, Serialize};

use crate::jobs::{JobStateView, VideoView};

/// A song as analysed (the user's corrections applied), ready to draw.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SongView {
    /// The song's copy in the studio's library (what a project is made from).
    pub path: String,
    /// Where the `<audio>` element streams it from; `None` when the media server is not running.
    pub url: Option<String>,
    /// The title tag, else the file name.
    pub title: String,
    pub duration_s: f64,
    pub tempo_bpm: f64,
    pub beats_per_bar: usize,
    /// Beat times in seconds.
    pub beats: Vec<f64>,
    /// Bar starts in seconds (a subset of `beats`).
    pub downbeats: Vec<f64>,
    /// In order, covering the song.
    pub sections: Vec<SectionView>,
    /// `[min, max]` sample pairs spread evenly over the song (-1..1).
    pub peaks: Vec<[f32; 2]>,
    /// The user corrected the analysis (tempo, bars or sections).
    pub edited: bool,
    /// How sure the analysis is of the beats (0–1); below `unsure_below` the app asks the user
    /// to tap along.
    #[serde(default)]
    pub beat_confidence: f64,
    /// The confidence under which the beats are worth a tap.
    #[serde(default)]
    pub unsure_below: f64,
    /// How long the analysis took (0 when it came from the cache).
    pub analysis_ms: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SectionView {
    pub start_s: f64,
    pub end_s: f64,
    /// intro, verse, chorus, … or A/B/C.
    pub label: String,
    /// Loudness relative to the loudest section (0–1).
    pub energy: f64,
}

/// What the user chose for a whole music video.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectSettingsView {
    pub theme: String,
    /// One style line added to every prompt.
    pub style: String,
    /// The character or subject, added to every prompt.
    pub subject: String,
    /// Reference images (local files): the start frame on image-to-video models, the subject on
    /// reference-to-video ones.
    pub reference_paths: Vec<String>,
    pub model: String,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    /// Each shot starts from the previous shot's last frame (image-to-video models).
    pub continuity: bool,
    /// The most this project may spend, every version together.
    pub budget_usd: Option<f64>,
}

/// A new project: a song (already imported: [`SongView::path`]) and the settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectForm {
    pub song_path: String,
    /// Default: "<song title>: <theme>".
    pub name: Option<String>,
    pub settings: ProjectSettingsView,
}

/// A shot's state, from its versions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ShotStateView {
    /// Nothing made yet.
    Planned,
    /// A version is on its way; `progress` 0..1.
    Generating {
        progress: f64,
    },
    Ready,
    /// The last try failed and no version is ready.
    Failed {
        reason: String,
    },
    /// A queue call's answer never came (it may have been charged): settle it in the queue.
    OutcomeUnknown,
}

/// One version (a job) of a shot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionView {
    pub job_id: String,
    pub state: JobStateView,
    pub created_at_ms: i64,
    pub cost_usd: f64,
    /// The version the render uses.
    pub chosen: bool,
    pub video: Option<VideoView>,
}

/// One shot of the storyboard as a card shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShotView {
    /// From 0; cards show `index + 1`.
    pub index: usize,
    pub start_s: f64,
    pub end_s: f64,
    pub section_label: String,
    /// The section's loudness relative to the loudest (0–1).
    pub energy: f64,
    /// Seconds of video generated for it (the model's shortest clip that covers it).
    pub generate_s: u32,
    pub prompt: String,
    /// The user changed its cuts or prompt (a new plan keeps it).
    pub edited: bool,
    #[serde(flatten)]
    pub state: ShotStateView,
    /// Oldest first.
    pub versions: Vec<VersionView>,
}

impl ShotView {
    /// The version the render uses, if any.
    pub fn chosen(&self) -> Option<&VersionView> {
        self.versions.iter().find(|v| v.chosen)
    }
}

/// A finished music video.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RenderView {
    pub id: String,
    pub project_id: String,
    pub project_name: String,
    pub song_title: String,
    pub created_at_ms: i64,
    pub video: VideoView,
}

/// A project and everything its screen shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectView {
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub settings: ProjectSettingsView,
    pub song: SongView,
    pub shots: Vec<ShotView>,
    /// Shots with a clip ready.
    pub ready: usize,
    /// Spent on this project so far, every version.
    pub spent_usd: f64,
    /// Generation paused by the user.
    pub paused: bool,
    /// "Generate all" is under way (also after the app restarts) until every shot is queued.
    pub generating: bool,
    /// Why the last "Generate all" stopped before the end (the balance ran out, the budget, an
    /// answer of unknown outcome...), until the next one starts.
    #[serde(default)]
    pub stopped: Option<String>,
    /// Newest first.
    pub renders: Vec<RenderView>,
}

/// A project in the project list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: String,
    pub name: String,
    pub song_title: String,
    pub duration_s: f64,
    pub shots: usize,
    pub ready: usize,
    pub spent_usd: f64,
    pub renders: usize,
    pub paused: bool,
    pub generating: bool,
    /// Why the last "Generate all" stopped before the end.
    #[serde(default)]
    pub stopped: Option<String>,
    pub updated_at_ms: i64,
    /// The newest render's thumbnail, else the first ready shot's.
    pub thumbnail: Option<String>,
}

/// A price over some shots.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceView {
    pub usd: f64,
    pub shots: usize,
    /// Seconds of video paid for.
    pub seconds_generated: u32,
    /// Seconds of it the render uses.
    pub seconds_used: f64,
}

/// The whole price of a project, before anything is queued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectQuoteView {
    pub project_id: String,
    /// Every shot once.
    pub whole: PriceView,
    /// The shots still to make ("Generate all" spends this).
    pub to_spend: PriceView,
    /// The price of one version of each shot, in storyboard order (Regenerate shows it).
    pub shot_usd: Vec<f64>,
    pub spent_usd: f64,
    pub budget_usd: Option<f64>,
    /// Why "Generate all" would be refused, with what would fit instead.
    pub over_budget: Option<String>,
}

/// One storyboard edit. Shots and cuts count from 0 (cut N ends shot N).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum StoryboardEditView {
    Prompt {
        shot: usize,
        text: String,
    },
    /// Split the shot at the beat nearest `at_s`.
    Split {
        shot: usize,
        at_s: f64,
    },
    /// Join the shot with the next one.
    Merge {
        shot: usize,
    },
    /// Move cut `cut` to the beat nearest `to_s`.
    MoveCut {
        cut: usize,
        to_s: f64,
    },
}

/// One correction of the song's analysis; the storyboard is planned again after it (edited
/// shots keep their cuts and prompts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum SongEditView {
    /// An even grid at this tempo.
    Bpm {
        bpm: f64,
    },
    /// Tap times in seconds of song time (at least 4 taps).
    Tap {
        times: Vec<f64>,
    },
    /// Bars start this many beats later (negative: earlier).
    ShiftBars {
        beats: i32,
    },
    /// The section boundary nearest `from_s` moves to the downbeat nearest `to_s`.
    MoveSection {
        from_s: f64,
        to_s: f64,
    },
    /// A new section from the downbeat nearest `at_s`.
    AddSection {
        at_s: f64,
    },
    /// The section starting nearest `at_s` joins the one before it.
    DeleteSection {
        at_s: f64,
    },
    LabelSection {
        at_s: f64,
        label: String,
    },
    /// Forget every correction.
    Reset,
}

/// Pushed on [`crate::RENDER_EVENT`] while a render runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RenderEventView {
    Progress {
        project_id: String,
        fraction: f64,
    },
    Done {
        project_id: String,
        render: RenderView,
    },
    Failed {
        project_id: String,
        message: String,
    },
}

/// What deleting a project removed and kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeletedProjectView {
    pub name: String,
    pub renders_removed: usize,
    /// Paid shot clips that stay in the library.
    pub clips_kept: usize,
}

/// Pushed on [`crate::PROJECT_EVENT`] when a project's "Generate all", running in the
/// background, ends: every shot queued (`error: None`), paused, or stopped by an error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerateEndedView {
    pub project_id: String,
    pub error: Option<crate::UiError>,
}
