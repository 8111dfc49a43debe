//! What the ledger stores about a job, and how a row maps to it.

use std::path::PathBuf;

use rusqlite::Row;
use serde::{Deserialize, Serialize};

use super::JobState;

/// A job's id: a UUID chosen by us before Venice hears of the job.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub String);

impl JobId {
    pub fn new_random() -> Self {
        JobId(uuid::Uuid::new_v4().to_string())
    }
}

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the user asks for (the request to `generate`/`quote`), and what the ledger keeps: enough
/// to show the job and to rebuild the queue request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobParams {
    pub theme: Option<String>,
    pub prompt: String,
    pub model: String,
    pub duration: String,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    pub audio: Option<bool>,
    /// The start frame for image-to-video models.
    pub image_path: Option<PathBuf>,
    /// The music-video shot this job is a version of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shot: Option<ShotLink>,
    /// Reference images of the subject (`reference_image_urls`), for models that take them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<PathBuf>,
}

/// Which project's shot a job makes: the project and the shot's span in the song (milliseconds),
/// so a version stays with its shot through storyboard edits that leave the span alone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShotLink {
    pub project_id: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// A saved, verified video file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    pub path: PathBuf,
    pub bytes: u64,
    pub seconds: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub thumbnail: Option<PathBuf>,
}

/// One row of the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: JobId,
    pub session_id: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub state: JobState,
    pub params: JobParams,
    pub quote_usd: f64,
    pub balance_usd_before: Option<f64>,
    pub queue_id: Option<String>,
    pub download_url: Option<String>,
    /// 0.0..=1.0; capped below 1.0 until the file is saved.
    pub progress: f64,
    pub eta_ms: Option<i64>,
    pub failure: Option<String>,
    pub credits_refunded: Option<bool>,
    pub media: Option<MediaInfo>,
    /// `/video/complete` (or delete-on-completion) removed Venice's copy.
    pub venice_copy_deleted: bool,
    /// When the user removed the video from the library (the file is gone; the job stays).
    pub removed_at_ms: Option<i64>,
    /// What Venice's usage history shows it charged for this job, when an outcome-unknown job was
    /// settled as charged (failed: its video cannot be fetched). Counted as spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charged_usd: Option<f64>,
}

impl JobRecord {
    /// Whether this job's quote counts as money spent: anything Venice may have charged for.
    /// A queue call Venice refused costs nothing, nor does a failure Venice says it refunded; a
    /// failed job Venice's usage shows it charged for ([`JobRecord::charged_usd`]) does count.
    pub fn counts_as_spent(&self) -> bool {
        match self.state {
            JobState::Failed => {
                self.charged_usd.is_some()
                    || (self.queue_id.is_some() && self.credits_refunded != Some(true))
            }
            _ => true,
        }
    }

    pub(super) const COLUMNS: &'static str = "id, session_id, created_at_ms, updated_at_ms, state, \
        theme, prompt, model, duration, aspect_ratio, resolution, audio, image_path, quote_usd, \
        balance_usd_before, queue_id, download_url, progress, eta_ms, failure, credits_refunded, \
        file_path, file_bytes, media_seconds, width, height, thumbnail_path, venice_copy_deleted, \
        removed_at_ms, project_id, shot_start_ms, shot_end_ms, reference_paths, charged_usd";

    pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<JobRecord> {
        let state_text: String = row.get("state")?;
        let state = JobState::parse(&state_text).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                4,
                rusqlite::types::Type::Text,
                format!("unknown job state {state_text:?}").into(),
            )
        })?;
        let file_path: Option<String> = row.get("file_path")?;
        let media = match file_path {
            Some(path) => Some(MediaInfo {
                path: PathBuf::from(path),
                bytes: row.get::<_, Option<i64>>("file_bytes")?.unwrap_or(0).max(0) as u64,
                seconds: row.get("media_seconds")?,
                width: row.get("width")?,
                height: row.get("height")?,
                thumbnail: row
                    .get::<_, Option<String>>("thumbnail_path")?
                    .map(PathBuf::from),
            }),
            None => None,
        };
        Ok(JobRecord {
            id: JobId(row.get("id")?),
            session_id: row.get("session_id")?,
            created_at_ms: row.get("created_at_ms")?,
            updated_at_ms: row.get("updated_at_ms")?,
            state,
            params: JobParams {
                theme: row.get("theme")?,
                prompt: row.get("prompt")?,
                model: row.get("model")?,
                duration: row.get("duration")?,
                aspect_ratio: row.get("aspect_ratio")?,
                resolution: row.get("resolution")?,
                audio: row.get("audio")?,
                image_path: row
                    .get::<_, Option<String>>("image_path")?
                    .map(PathBuf::from),
                shot: match (
                    row.get::<_, Option<String>>("project_id")?,
                    row.get::<_, Option<i64>>("shot_start_ms")?,
                    row.get::<_, Option<i64>>("shot_end_ms")?,
                ) {
                    (Some(project_id), Some(start_ms), Some(end_ms)) => Some(ShotLink {
                        project_id,
                        start_ms,
                        end_ms,
                    }),
                    _ => None,
                },
                references: row
                    .get::<_, Option<String>>("reference_paths")?
                    .and_then(|json| serde_json::from_str(&json).ok())
                    .unwrap_or_default(),
            },
            quote_usd: row.get("quote_usd")?,
            balance_usd_before: row.get("balance_usd_before")?,
            queue_id: row.get("queue_id")?,
            download_url: row.get("download_url")?,
            progress: row.get("progress")?,
            eta_ms: row.get("eta_ms")?,
            failure: row.get("failure")?,
            credits_refunded: row.get("credits_refunded")?,
            media,
            venice_copy_deleted: row.get("venice_copy_deleted")?,
            removed_at_ms: row.get("removed_at_ms")?,
            charged_usd: row.get("charged_usd")?,
        })
    }
}
