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

/// Checks a folder picked for finished videos. The webview may read everything in the media
/// folder (to play and show videos), so it must neither contain nor lie inside any of `private`
/// (the app's data and config folders, which hold the key file and the ledger). Returns the folder
/// with symbolic links resolved, as far as it exists.
pub fn check_media_dir(candidate: &Path, private: &[&Path]) -> Result<PathBuf, Error> {
    let refuse = |why: String| Error::BadMediaFolder {
        path: candidate.to_path_buf(),
        why,
    };
    if !candidate.is_absolute() {
        return Err(refuse("it is not a full path".to_string()));
    }
    if candidate
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(refuse("it goes up with `..`".to_string()));
    }
    let folder = resolve(candidate);
    for private in private {
        let private = resolve(private);
        if folder.starts_with(&private) {
            return Err(refuse(format!(
                "it is inside the app's own folder {}",
                private.display()
            )));
        }
        if private.starts_with(&folder) {
            return Err(refuse(format!(
                "it contains the app's own folder {}",
                private.display()
            )));
        }
    }
    Ok(folder)
}

/// `path` with its longest existing part canonicalized (symbolic links resolved) and the rest,
/// which does not exist yet, appended.
fn resolve(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// How the engine behaves.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Time between two retrieves of one job.
    pub poll_interval: Duration,
    /// The text model that turns a theme into a video prompt.
    pub chat_model: String,
    /// Delete Venice's copy once ours is saved: `/video/complete` after the file is verified and
    /// recorded ready (never the retrieve's `delete_media_on_completion`, which deletes it before
    /// we know the body arrived whole). Off: Venice keeps its copy until it expires, so a failed
    /// job can be fetched again.
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
    /// How often the poller re-reads the ledger for jobs another process queued (the CLI, or an
    /// engine that was replaced while its queue call was out) and for abandoned submissions.
    pub ledger_sweep: Duration,
    /// How long a project's "Generate all" lease lasts unless renewed (renewed every third of
    /// it): a run whose process died is taken over this long after its last heartbeat.
    pub generate_lease_ttl: Duration,
    /// How long after an outcome-unknown queue call Venice's usage history is trusted to be
    /// complete: a charge missing that long after is taken as never made (see
    /// `Studio::settle_unknown`).
    pub settle_delay: Duration,
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
            ledger_sweep: Duration::from_secs(2),
            generate_lease_ttl: Duration::from_secs(15),
            settle_delay: Duration::from_secs(10 * 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_media_folder_may_not_hold_or_sit_in_the_apps_own_folders() {
        let home = tempfile::tempdir().unwrap();
        let data = home.path().join(".local/share").join(APP_IDENTIFIER);
        let config = home.path().join(".config").join(APP_IDENTIFIER);
        std::fs::create_dir_all(&data).unwrap();
        let private = [data.as_path(), config.as_path()];

        let videos = home.path().join("Videos/Venice");
        assert_eq!(
            check_media_dir(&videos, &private).unwrap(),
            std::fs::canonicalize(home.path())
                .unwrap()
                .join("Videos/Venice")
        );
        for (bad, why) in [
            (PathBuf::from("/"), "contains the app's own folder"),
            (home.path().to_path_buf(), "contains the app's own folder"),
            (data.clone(), "inside the app's own folder"),
            (data.join("thumbnails"), "inside the app's own folder"),
            (config.join("media"), "inside the app's own folder"),
            (videos.join("../../.local"), "goes up"),
            (PathBuf::from("Videos"), "not a full path"),
        ] {
            let error = check_media_dir(&bad, &private).unwrap_err().to_string();
            assert!(error.contains(why), "{}: {error}", bad.display());
            assert!(error.contains("Choose another folder"), "{error}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_into_the_data_folder_is_seen_through() {
        let home = tempfile::tempdir().unwrap();
        let data = home.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let link = home.path().join("innocent");
        std::os::unix::fs::symlink(&data, &link).unwrap();
        let error = check_media_dir(&link.join("videos"), &[&data]).unwrap_err();
        assert!(error.to_string().contains("inside"), "{error}");
    }
}
