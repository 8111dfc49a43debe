//! The contract between the desktop shell (`src-tauri`) and the UI (`ui`): the commands the UI
//! may invoke, their payloads, the job events pushed to it, and the closed set of error codes it
//! can act on. Serde only, so it builds for wasm as well as for the shell. The API key never
//! appears here: the UI learns only whether one is set and its last four characters.

mod error;
mod jobs;
mod models;
mod projects;
mod settings;

pub use error::{ErrorCode, UiError};
pub use jobs::{
    GenerateForm, JobEventView, JobStateView, JobView, PromptResult, QuoteView, VideoView,
};
pub use models::{ImageCheck, ModelKind, ModelOption};
pub use projects::{
    DeletedProjectView, GenerateEndedView, PriceView, ProjectForm, ProjectQuoteView, ProjectSettingsView,
    ProjectSummary, ProjectView, RenderEventView, RenderView, SectionView, ShotStateView, ShotView,
    SongEditView, SongView, StoryboardEditView, VersionView,
};
pub use settings::{BalanceView, KeyStatus, Settings};

/// The Tauri event name that carries [`JobEventView`]s.
pub const JOB_EVENT: &str = "job-event";
/// The Tauri event a tray notification click sends: the job id to show in the gallery.
pub const SHOW_VIDEO_EVENT: &str = "show-video";
/// The Tauri event that carries [`RenderEventView`]s.
pub const RENDER_EVENT: &str = "render-event";
/// The Tauri event that carries [`GenerateEndedView`]s.
pub const PROJECT_EVENT: &str = "project-event";
/// The Tauri event a tray notification about a finished render sends: the project id to open.
pub const SHOW_PROJECT_EVENT: &str = "show-project";

/// Command names, exactly as registered in the shell and invoked by the UI.
pub mod commands {
    /// `() -> KeyStatus`
    pub const KEY_STATUS: &str = "key_status";
    /// `{ key: String } -> KeyStatus`: stores the key (OS keychain, else a user-only file).
    pub const SET_KEY: &str = "set_key";
    /// `() -> KeyStatus`
    pub const CLEAR_KEY: &str = "clear_key";
    /// `() -> KeyStatus`: runs against the built-in Venice test double, at no cost. The UI shows
    /// onboarding when `!is_set && !demo`; `is_set` says whether a real key is stored.
    pub const START_DEMO: &str = "start_demo";
    /// `() -> Vec<ModelOption>`
    pub const LIST_MODELS: &str = "list_models";
    /// `{ theme: String, model: String } -> PromptResult`
    pub const GENERATE_PROMPT: &str = "generate_prompt";
    /// `{ form: GenerateForm } -> QuoteView`
    pub const QUOTE: &str = "quote";
    /// `{ form: GenerateForm } -> Vec<JobView>`
    pub const GENERATE: &str = "generate";
    /// `() -> Vec<JobView>`
    pub const LIST_JOBS: &str = "list_jobs";
    /// `{ id: String } -> JobView`: settles an outcome-unknown job (never resubmits it).
    pub const DISMISS_JOB: &str = "dismiss_job";
    /// `{ id: String } -> JobView`: a failed job whose video Venice may still hold (it was
    /// queued, its copy not deleted) is fetched again. Never queued or paid again.
    pub const FETCH_AGAIN: &str = "fetch_again";
    /// `{ id: String } -> ()`: removes the video file from the library. Here and in
    /// [`SAVE_VIDEO_DIALOG`], [`DRAG_VIDEO`] and [`REVEAL_VIDEO`], `id` is a job's or a render's.
    pub const DELETE_VIDEO: &str = "delete_video";
    /// `{ id: String } -> ()`
    pub const REVEAL_VIDEO: &str = "reveal_video";
    /// `() -> Settings`
    pub const GET_SETTINGS: &str = "get_settings";
    /// `{ settings: Settings } -> Settings`: the media folder must stay as it is (refused
    /// otherwise); it changes only through [`PICK_MEDIA_DIR`].
    pub const SAVE_SETTINGS: &str = "save_settings";
    /// `() -> Option<Settings>`: the native folder dialog on the Rust side; the picked folder,
    /// when it neither holds nor sits in the app's own folders, becomes the media folder (folders
    /// used before stay playable). The saved settings, `None` when cancelled.
    pub const PICK_MEDIA_DIR: &str = "pick_media_dir";
    /// `() -> BalanceView`
    pub const BALANCE: &str = "balance";
    /// `{ path: String, model: String } -> ImageCheck`
    pub const CHECK_IMAGE: &str = "check_image";
    /// `{ model: String } -> Option<ImageCheck>`: the native Open dialog (PNG, JPEG, WebP) on the
    /// Rust side, then [`CHECK_IMAGE`] on the picked file; `None` when the user cancelled.
    pub const PICK_IMAGE: &str = "pick_image";
    /// `{ id: String } -> Option<String>`: the native Save dialog on the Rust side (so no path
    /// comes from the webview), then a copy there; the saved path, `None` when cancelled.
    pub const SAVE_VIDEO_DIALOG: &str = "save_video_dialog";
    /// `{ id: String } -> ()`: starts a native drag of that job's video file (from the library,
    /// looked up on the Rust side) out of the window.
    pub const DRAG_VIDEO: &str = "drag_video";


    // Music videos.
    /// `() -> Option<String>`: the native Open dialog for a song (on the Rust side); the picked
    /// file's path, `None` when cancelled. Then [`IMPORT_SONG`].
    pub const PICK_SONG: &str = "pick_song";
    /// `() -> String`: the path of the bundled demo song ("Neon Run (demo)", CC0).
    pub const DEMO_SONG: &str = "demo_song";
    /// `{ path: String } -> SongView`: analyses the song (cached by content) and copies it into
    /// the library. Also for a file dropped on the window.
    pub const IMPORT_SONG: &str = "import_song";
    /// `{ form: ProjectForm } -> ProjectView`: plans the storyboard on the song's downbeats and
    /// writes one prompt per shot. Nothing is spent on video.
    pub const NEW_PROJECT: &str = "new_project";
    /// `() -> Vec<ProjectSummary>`, most recently changed first.
    pub const LIST_PROJECTS: &str = "list_projects";
    /// `{ id: String } -> ProjectView`
    pub const OPEN_PROJECT: &str = "open_project";
    /// `{ id: String } -> ProjectQuoteView`: the whole price (free; creates nothing).
    pub const QUOTE_PROJECT: &str = "quote_project";
    /// `{ id: String, edit: StoryboardEditView } -> ProjectView`
    pub const EDIT_STORYBOARD: &str = "edit_storyboard";
    /// `{ id: String, edit: SongEditView } -> ProjectView`: corrects the song's analysis and plans
    /// the storyboard again (edited shots kept).
    pub const EDIT_SONG: &str = "edit_song";
    /// `{ id: String, name: String, settings: ProjectSettingsView } -> ProjectView`: a changed
    /// model plans the storyboard again for its clip lengths; a changed theme, style or subject
    /// writes the prompts again (edited shots keep theirs).
    pub const UPDATE_PROJECT: &str = "update_project";
    /// `{ id: String } -> ProjectView`: "Generate all": refused before any queue call when over
    /// budget; otherwise every shot without a clip is queued (in the background with continuity).
    pub const GENERATE_PROJECT: &str = "generate_project";
    /// `{ id: String } -> ProjectView`: no new shot is queued; queued ones finish.
    pub const PAUSE_PROJECT: &str = "pause_project";
    /// `{ id: String, job_id: String } -> ProjectView`: the version the render uses.
    pub const CHOOSE_VERSION: &str = "choose_version";
    /// `{ id: String, index: usize } -> ProjectView`: one more version of a shot (its price is in
    /// [`QUOTE_PROJECT`]'s `shot_usd`).
    pub const REGENERATE_SHOT: &str = "regenerate_shot";
    /// `{ id: String } -> RenderView`: renders the music video (progress on `RENDER_EVENT`).
    pub const RENDER_PROJECT: &str = "render_project";
    /// `{ id: String } -> ()`: stops the project's render (the partial file is removed).
    pub const CANCEL_RENDER: &str = "cancel_render";
    /// `() -> Vec<RenderView>`: every finished music video, newest first (the gallery).
    pub const LIST_RENDERS: &str = "list_renders";
    /// `{ id: String } -> ProjectView`
    pub const DUPLICATE_PROJECT: &str = "duplicate_project";
    /// `{ id: String, name: String } -> ProjectView`
    pub const RENAME_PROJECT: &str = "rename_project";
    /// `{ id: String } -> DeletedProjectView`: the project and its renders go; paid clips stay.
    pub const DELETE_PROJECT: &str = "delete_project";

    /// Every command, for capability files and tests.
    pub const ALL: [&str; 41] = [
        KEY_STATUS,
        SET_KEY,
        CLEAR_KEY,
        START_DEMO,
        LIST_MODELS,
        GENERATE_PROMPT,
        QUOTE,
        GENERATE,
        LIST_JOBS,
        DISMISS_JOB,
        FETCH_AGAIN,
        DELETE_VIDEO,
        REVEAL_VIDEO,
        GET_SETTINGS,
        SAVE_SETTINGS,
        PICK_MEDIA_DIR,
        BALANCE,
        CHECK_IMAGE,
        PICK_IMAGE,
        SAVE_VIDEO_DIALOG,
        DRAG_VIDEO,
        PICK_SONG,
        DEMO_SONG,
        IMPORT_SONG,
        NEW_PROJECT,
        LIST_PROJECTS,
        OPEN_PROJECT,
        QUOTE_PROJECT,
        EDIT_STORYBOARD,
        EDIT_SONG,
        UPDATE_PROJECT,
        GENERATE_PROJECT,
        PAUSE_PROJECT,
        CHOOSE_VERSION,
        REGENERATE_SHOT,
        RENDER_PROJECT,
        CANCEL_RENDER,
        LIST_RENDERS,
        DUPLICATE_PROJECT,
        RENAME_PROJECT,
        DELETE_PROJECT,
    ];
}
