//! Jobs as the UI shows them, the events that move them, and the generator form.

use serde::{Deserialize, Serialize};

/// The generator form, as submitted for a quote or a generate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerateForm {
    pub theme: Option<String>,
    pub prompt: String,
    pub model: String,
    pub duration: String,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    pub audio: Option<bool>,
    /// A local image file for image-to-video models.
    pub image_path: Option<String>,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromptResult {
    pub prompt: String,
    pub chat_model: String,
    pub cost_usd: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteView {
    pub usd: f64,
    pub balance_usd: Option<f64>,
    pub spent_session_usd: f64,
    pub spent_total_usd: f64,
    /// Why the budget would refuse this, if it would.
    pub over_budget: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStateView {
    Submitting,
    Queued,
    Processing,
    Downloading,
    Ready,
    Failed,
    OutcomeUnknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoView {
    pub path: String,
    /// Where the player streams it from (the shell's loopback media server, with Range
    /// requests); `None` when that server is not running.
    #[serde(default)]
    pub url: Option<String>,
    pub bytes: u64,
    pub seconds: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub thumbnail: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    pub state: JobStateView,
    pub theme: Option<String>,
    pub prompt: String,
    pub model: String,
    pub duration: String,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    /// 0.0..=1.0; below 1.0 until the file is saved.
    pub progress: f64,
    pub eta_ms: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub cost_usd: f64,
    pub failure: Option<String>,
    pub credits_refunded: Option<bool>,
    pub video: Option<VideoView>,
    /// A failed job whose video Venice may still hold: the card offers "Fetch again"
    /// ([`crate::commands::FETCH_AGAIN`]), which never pays again.
    #[serde(default)]
    pub can_fetch_again: bool,
    /// The music-video project this job is a shot of (the gallery leaves those to the project's
    /// storyboard).
    #[serde(default)]
    pub project_id: Option<String>,
}

/// Pushed to the UI on [`crate::JOB_EVENT`]; the ledger already has the change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobEventView {
    Queued {
        id: String,
    },
    Progress {
        id: String,
        percent: f64,
        eta_ms: Option<i64>,
    },
    Downloading {
        id: String,
        bytes: u64,
        total: Option<u64>,
    },
    Ready {
        id: String,
        path: String,
        cost_usd: f64,
    },
    Failed {
        id: String,
        reason: String,
        credits_refunded: Option<bool>,
    },
    OutcomeUnknown {
        id: String,
        reason: String,
    },
    Stalled {
        id: String,
        reason: String,
    },
}

impl JobEventView {
    pub fn job_id(&self) -> &str {
        match self {
            JobEventView::Queued { id }
            | JobEventView::Progress { id, .. }
            | JobEventView::Downloading { id, .. }
            | JobEventView::Ready { id, .. }
            | JobEventView::Failed { id, .. }
            | JobEventView::OutcomeUnknown { id, .. }
            | JobEventView::Stalled { id, .. } => id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_a_kind_tag_the_ui_can_match() {
        let event = JobEventView::Progress {
            id: "j1".into(),
            percent: 42.0,
            eta_ms: Some(9000),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "progress", "id": "j1", "percent": 42.0, "eta_ms": 9000})
        );
        assert_eq!(serde_json::from_value::<JobEventView>(json).unwrap(), event);
    }

    #[test]
    fn errors_serialize_as_code_and_message() {
        let err = crate::UiError::new(crate::ErrorCode::OverBudget, "over");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "over_budget", "message": "over"})
        );
    }
}
