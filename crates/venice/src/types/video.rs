//! `/video/quote`, `/video/queue`, `/video/retrieve`, `/video/complete` bodies.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `POST /video/queue` body (`QueueVideoRequest`). Fields a model does not take must stay `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueVideoRequest {
    pub model: String,
    pub prompt: String,
    /// e.g. `"5s"`; must be one of the model's `durations`.
    pub duration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Upscale models only (1, 2 or 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upscale_factor: Option<u8>,
    /// Only for models whose constraints say `audio_configurable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio: Option<bool>,
    /// Image-to-video: https URL or `data:image/...;base64,...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_image_urls: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consents: Option<VideoConsents>,
}

impl QueueVideoRequest {
    /// The three required fields; everything else omitted.
    pub fn new(
        model: impl Into<String>,
        prompt: impl Into<String>,
        duration: impl Into<String>,
    ) -> Self {
        QueueVideoRequest {
            model: model.into(),
            prompt: prompt.into(),
            duration: duration.into(),
            ..Default::default()
        }
    }

    /// The quote request for exactly this job.
    pub fn to_quote(&self) -> QuoteVideoRequest {
        QuoteVideoRequest {
            model: self.model.clone(),
            duration: self.duration.clone(),
            aspect_ratio: self.aspect_ratio.clone(),
            resolution: self.resolution.clone(),
            upscale_factor: self.upscale_factor,
            audio: self.audio,
            video_url: None,
            reference_video_total_duration: None,
        }
    }
}

/// Provider consent attestations (needed after a 409 `needs_consent`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoConsents {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seedance: Option<SeedanceConsent>,
}

/// Seedance's three confirmations; all must be `true`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeedanceConsent {
    pub confirmed_terms_and_privacy: bool,
    pub confirmed_legal_right: bool,
    pub confirmed_screening_acknowledged: bool,
}

/// `POST /video/quote` body (`QuoteVideoRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuoteVideoRequest {
    pub model: String,
    pub duration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upscale_factor: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_video_total_duration: Option<f64>,
}

impl QuoteVideoRequest {
    pub fn new(model: impl Into<String>, duration: impl Into<String>) -> Self {
        QuoteVideoRequest {
            model: model.into(),
            duration: duration.into(),
            ..Default::default()
        }
    }
}

/// `POST /video/quote` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoQuote {
    /// Price in USD.
    pub quote: f64,
}

/// `POST /video/queue` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueuedVideo {
    pub model: String,
    pub queue_id: String,
    /// Private models only, given once: persist it at once. Valid for 24 hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
}

/// `POST /video/retrieve` body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetrieveVideoRequest {
    pub model: String,
    pub queue_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_media_on_completion: Option<bool>,
}

impl RetrieveVideoRequest {
    pub fn new(model: impl Into<String>, queue_id: impl Into<String>) -> Self {
        RetrieveVideoRequest {
            model: model.into(),
            queue_id: queue_id.into(),
            delete_media_on_completion: None,
        }
    }
}

/// `POST /video/complete` body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CompleteVideoRequest {
    pub model: String,
    pub queue_id: String,
}

impl CompleteVideoRequest {
    pub fn new(model: impl Into<String>, queue_id: impl Into<String>) -> Self {
        CompleteVideoRequest {
            model: model.into(),
            queue_id: queue_id.into(),
        }
    }
}

/// `POST /video/complete` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoCompleted {
    pub success: bool,
}

/// A video written to disk, complete and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedVideo {
    pub path: PathBuf,
    pub bytes: u64,
}

/// What `/video/retrieve` said.
#[derive(Clone, Debug, PartialEq)]
pub enum RetrieveOutcome {
    /// Still being made.
    Processing {
        average_execution_time_ms: f64,
        execution_duration_ms: f64,
    },
    /// Done; the video must be fetched from the job's `download_url`.
    CompletedAtUrl,
    /// Done; the MP4 was streamed to the destination and checked.
    Video(SavedVideo),
}

impl RetrieveOutcome {
    /// Progress 0.0..1.0 for `Processing` (capped at 0.99 until done: the average is a P80
    /// estimate); 1.0 when done.
    pub fn progress(&self) -> f64 {
        match self {
            RetrieveOutcome::Processing {
                average_execution_time_ms: avg,
                execution_duration_ms: elapsed,
            } => {
                if !(avg.is_finite() && elapsed.is_finite()) || *avg <= 0.0 {
                    return 0.0;
                }
                (elapsed / avg).clamp(0.0, 0.99)
            }
            _ => 1.0,
        }
    }
}

/// The JSON form of a retrieve answer (internal).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct RetrieveStatus {
    pub status: String,
    #[serde(default)]
    pub average_execution_time: Option<f64>,
    #[serde(default)]
    pub execution_duration: Option<f64>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    #[serde(default)]
    pub message: Option<String>,
}

/// How a status string is understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusKind {
    Processing,
    Completed,
    Failed,
}

/// Case-insensitive; `None` for statuses the studio does not know.
pub(crate) fn parse_status(s: &str) -> Option<StatusKind> {
    match s.trim().to_ascii_lowercase().as_str() {
        "processing" | "queued" | "running" | "pending" | "in_progress" | "starting" => {
            Some(StatusKind::Processing)
        }
        "completed" | "complete" | "succeeded" | "success" | "done" => Some(StatusKind::Completed),
        "failed" | "failure" | "error" | "cancelled" | "canceled" => Some(StatusKind::Failed),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_request_has_no_nulls() {
        let r = QueueVideoRequest::new("wan-2.5-preview-text-to-video", "A gondola", "5s");
        let json = serde_json::to_string(&r).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"model":"wan-2.5-preview-text-to-video","prompt":"A gondola","duration":"5s"}"#
        );
        let full = QueueVideoRequest {
            aspect_ratio: Some("16:9".into()),
            audio: Some(false),
            ..r
        };
        let json = serde_json::to_string(&full).unwrap_or_default();
        assert!(!json.contains("null"));
        assert!(json.contains(r#""aspect_ratio":"16:9""#));
        assert!(json.contains(r#""audio":false"#));
        for v in [
            serde_json::to_string(&QuoteVideoRequest::new("m", "5s")),
            serde_json::to_string(&RetrieveVideoRequest::new("m", "q")),
            serde_json::to_string(&CompleteVideoRequest::new("m", "q")),
        ] {
            assert!(!v.unwrap_or_default().contains("null"));
        }
    }

    #[test]
    fn responses_tolerate_unknown_fields() {
        let q: QueuedVideo = serde_json::from_str(r#"{"model":"m","queue_id":"q","new_field":1}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.download_url, None);
        let s: RetrieveStatus =
            serde_json::from_str(r#"{"status":"queued"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.average_execution_time, None);
    }

    #[test]
    fn status_strings() {
        assert_eq!(parse_status("PROCESSING"), Some(StatusKind::Processing));
        assert_eq!(parse_status("processing"), Some(StatusKind::Processing));
        assert_eq!(parse_status("queued"), Some(StatusKind::Processing));
        assert_eq!(parse_status("Running"), Some(StatusKind::Processing));
        assert_eq!(parse_status("COMPLETED"), Some(StatusKind::Completed));
        assert_eq!(parse_status("completed"), Some(StatusKind::Completed));
        assert_eq!(parse_status("failed"), Some(StatusKind::Failed));
        assert_eq!(parse_status("EXPLODED"), None);
        assert_eq!(parse_status(""), None);
    }

    #[test]
    fn progress_is_capped() {
        let p = |a, e| {
            RetrieveOutcome::Processing {
                average_execution_time_ms: a,
                execution_duration_ms: e,
            }
            .progress()
        };
        assert_eq!(p(100.0, 50.0), 0.5);
        assert_eq!(p(100.0, 500.0), 0.99);
        assert_eq!(p(0.0, 5.0), 0.0);
        assert_eq!(p(f64::NAN, 5.0), 0.0);
        assert_eq!(RetrieveOutcome::CompletedAtUrl.progress(), 1.0);
    }
}
