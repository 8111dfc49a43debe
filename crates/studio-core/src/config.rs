//! Where the studio keeps its files and how the engine behaves. Everything here is injected, so
//! tests and demo mode run in temporary folders with short poll intervals.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Error;

/// Matches the desktop app's Tauri identifier, so the CLI and the app share one ledger.
pub const APP_IDENTIFIER: &str = "ai.venice.musicvideostudio";

/// Overrides the data folder (ledger, model cache, thumbnails); used by tests and scripts.
pub const DATA_DIR_ENV: &str = "STUDIO_DATA_DIR";
/// Overrides the folder finished videos are saved in.
pub const MEDIA_DIR_ENV: &str = "STUDIO_MEDIA_DIR";

/// A sensible, inexpensive instruction-following Venice text model for theme → prompt.
pub const DEFAULT_CHAT_MODEL: &str = "qwen3-235b-a22b-instruct-2507";

/// The studio's folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudioPaths {
    /// Ledger, model cache, thumbnails.
    pub data_dir: PathBuf,
    /// Finished videos.
    pub media_dir: PathBuf,
}

impl StudioPaths {
    /// Everything under one folder (tests, demo mode).
    pub fn under(root: &Path) -> Self {
        Self {
            data_dir: root.join("data"),
            media_dir: root.join("media"),
        }
    }

    /// The OS's app-data folder (`~/.local/share/ai.venice.musicvideostudio` on Linux, the same
    /// folder Tauri uses) and the user's Videos folder, unless the environment overrides them.
    pub fn for_user() -> Result<Self, Error> {
        let dirs = directories::UserDirs::new();
        let base = directories::BaseDirs::new().ok_or(Error::NoHomeFolder)?;
        let data_dir = std::env::var_os(DATA_DIR_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| base.data_dir().join(APP_IDENTIFIER));
        let media_dir = std::env::var_os(MEDIA_DIR_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                dirs.as_ref()
                    .and_then(|d| d.video_dir())
                    .map(|videos| videos.join("Venice Music Video Studio"))
                    .unwrap_or_else(|| data_dir.join("media"))
            });
        Ok(Self {
            data_dir,
            media_dir,
        })
    }

    pub fn ledger(&self) -> PathBuf {
        self.data_dir.join("ledger.sqlite3")
    }

    pub fn model_cache(&self) -> PathBuf {
        self.data_dir.join("models-video.json")
    }

    pub fn thumbnails(&self) -> PathBuf {
        self.data_dir.join("thumbnails")
    }
}

/// How the engine behaves.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Time between two retrieves of one job.
    pub poll_interval: Duration,
    /// The text model that turns a theme into a video prompt.
    pub chat_model: String,
    /// Ask Venice to delete its copy as it delivers the video, instead of calling
    /// `/video/complete` after the file is verified.
    pub delete_media_on_completion: bool,
    pub budget: crate::Budget,
    /// The ffmpeg used for thumbnails.
    pub ffmpeg: PathBuf,
    /// How many retrieves/downloads may run at once.
    pub max_parallel_retrieves: usize,
    /// How long a model list on disk is trusted before it is fetched again.
    pub model_cache_max_age: Duration,
    /// Backoff after a transient error: doubling from `retry_base_delay` up to `retry_max_delay`,
    /// with jitter.
    pub retry_base_delay: Duration,
    pub retry_max_delay: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(10),
            chat_model: DEFAULT_CHAT_MODEL.to_string(),
            delete_media_on_completion: false,
            budget: crate::Budget::default(),
            ffmpeg: PathBuf::from("ffmpeg"),
            max_parallel_retrieves: 4,
            model_cache_max_age: Duration::from_secs(6 * 3600),
            retry_base_delay: Duration::from_secs(2),
            retry_max_delay: Duration::from_secs(60),
        }
    }
}
