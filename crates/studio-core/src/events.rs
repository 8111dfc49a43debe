//! What the engine announces about jobs, for the CLI's progress bars and the app's UI. Every event
//! is sent after the ledger has recorded the change it describes.

use std::path::PathBuf;

use serde::Serialize;

use crate::ledger::JobId;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobEvent {
    /// Venice accepted the job.
    Queued { id: JobId, queue_id: String },
    /// Venice is generating: `percent` is capped at 99 until the file is saved.
    Progress {
        id: JobId,
        percent: f64,
        eta_ms: Option<i64>,
    },
    /// The video is streaming to disk.
    Downloading {
        id: JobId,
        bytes: u64,
        total: Option<u64>,
    },
    /// The video is saved, verified and in the library.
    Ready {
        id: JobId,
        path: PathBuf,
        cost_usd: f64,
    },
    /// The job ended without a video.
    Failed {
        id: JobId,
        reason: String,
        credits_refunded: Option<bool>,
    },
    /// It is not known whether Venice accepted the job. The user decides; we never resubmit.
    OutcomeUnknown { id: JobId, reason: String },
    /// The job is waiting on something only the user can fix (key, balance) or on Venice; the
    /// engine keeps trying at a gentle pace.
    Stalled { id: JobId, reason: String },
}

impl JobEvent {
    pub fn job_id(&self) -> &JobId {
        match self {
            JobEvent::Queued { id, .. }
            | JobEvent::Progress { id, .. }
            | JobEvent::Downloading { id, .. }
            | JobEvent::Ready { id, .. }
            | JobEvent::Failed { id, .. }
            | JobEvent::OutcomeUnknown { id, .. }
            | JobEvent::Stalled { id, .. } => id,
        }
    }

    /// Whether this event ends the job's life in the engine.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            JobEvent::Ready { .. } | JobEvent::Failed { .. } | JobEvent::OutcomeUnknown { .. }
        )
    }
}
