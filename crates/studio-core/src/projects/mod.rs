//! Music-video projects: a song, a theme and a model in; a storyboard cut on the beat, its whole
//! price, the shots generated through the engine (continuity by last frames), and a render as
//! long as the song out. A project is rows in the ledger, so it survives restarts like a job.

mod claim;
mod create;
mod edit;
mod generate;
mod lease;
mod quote;
mod render;
mod render_out;
mod song;
mod status;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use storyboard::Storyboard;

use crate::Error;
use crate::ledger::ProjectRow;

pub use claim::NotClaimed;
pub(crate) use claim::ShotClaim;
pub use create::Deleted;
pub use edit::StoryboardEdit;
pub use generate::{GenerateReport, StopKind};
pub use quote::ProjectQuote;
pub use render::RenderDone;
pub use song::{ImportedSong, SongEdit};
pub use status::{ProjectStatus, ShotState, ShotStatus};

/// What the user chose for the whole video.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectSettings {
    pub theme: String,
    /// One style line added to every prompt, so the shots look like one piece.
    pub style: String,
    /// The character or subject, described once and added to every prompt.
    pub subject: String,
    /// Reference images of the subject, sent as `reference_image_urls` where the model takes them.
    pub references: Vec<PathBuf>,
    pub model: String,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    /// Each shot starts from the previous shot's last frame (image-to-video models): the shots
    /// are then made one after another.
    pub continuity: bool,
    /// The most this project may spend, all versions together.
    pub budget_usd: Option<f64>,
    /// No shot shorter than this (seconds).
    pub min_shot_s: Option<f64>,
}

/// A project as the user sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub song_hash: String,
    /// The song in the library (copied there when the project was made).
    pub song_path: PathBuf,
    pub settings: ProjectSettings,
    pub storyboard: Storyboard,
    pub paused: bool,
    /// "Generate all" is under way: set when it starts, cleared when every shot is queued, it
    /// stops or the user pauses. Still set after a crash or a closed app, so it can carry on
    /// ([`crate::Studio::projects_generating`]).
    pub generating: bool,
    /// Bumped by every edit; a run claims a shot only from the revision it read.
    pub revision: i64,
    /// Why the last "Generate all" stopped before the end (the balance, the budget, an answer of
    /// unknown outcome...), until the next one starts.
    pub stopped: Option<String>,
}

impl Project {
    pub(crate) fn from_row(row: ProjectRow) -> Result<Project, Error> {
        let bad = |what: &str, e: serde_json::Error| Error::BadProject {
            id: row.id.clone(),
            why: format!("its {what} could not be read ({e})"),
        };
        Ok(Project {
            settings: serde_json::from_str(&row.settings).map_err(|e| bad("settings", e))?,
            storyboard: serde_json::from_str(&row.storyboard).map_err(|e| bad("storyboard", e))?,
            song_path: PathBuf::from(&row.song_path),
            id: row.id,
            name: row.name,
            created_at_ms: row.created_at_ms,
            updated_at_ms: row.updated_at_ms,
            song_hash: row.song_hash,
            paused: row.paused,
            generating: row.generating,
            revision: row.revision,
            stopped: row.stopped,
        })
    }

    pub(crate) fn to_row(&self) -> ProjectRow {
        ProjectRow {
            id: self.id.clone(),
            name: self.name.clone(),
            created_at_ms: self.created_at_ms,
            updated_at_ms: self.updated_at_ms,
            song_hash: self.song_hash.clone(),
            song_path: self.song_path.display().to_string(),
            settings: serde_json::to_string(&self.settings).unwrap_or_default(),
            storyboard: serde_json::to_string(&self.storyboard).unwrap_or_default(),
            paused: self.paused,
            generating: self.generating,
            revision: self.revision,
            lease_holder: None,
            lease_until_ms: None,
            stopped: self.stopped.clone(),
        }
    }

    /// Where the project's working files (last frames) go.
    pub(crate) fn work_dir(&self, paths: &crate::StudioPaths) -> PathBuf {
        paths.data_dir.join("projects").join(&self.id)
    }
}

/// A shot's span in milliseconds: how its versions are linked to it.
pub(crate) fn span_ms(shot: &storyboard::Shot) -> (i64, i64) {
    (
        (shot.start_s * 1000.0).round() as i64,
        (shot.end_s * 1000.0).round() as i64,
    )
}
