//! `GET /models` answer, with the video constraints the studio checks requests against.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `type` query parameter of `GET /models`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelType {
    Video,
    Text,
}

impl ModelType {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelType::Video => "video",
            ModelType::Text => "text",
        }
    }
}

/// `GET /models` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelList {
    #[serde(default)]
    pub object: String,
    #[serde(rename = "type", default)]
    pub list_type: Option<String>,
    pub data: Vec<Model>,
}

/// One model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub id: String,
    #[serde(rename = "type", default)]
    pub model_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    #[serde(default)]
    pub model_spec: ModelSpec,
}

/// `model_spec`: only the parts the studio uses are typed; the rest is ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `private` or `anonymized`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traits: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<Deprecation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncensored: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_context_tokens: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<f64>,
    /// Raw constraints (their shape differs per model type); see [`Model::video_constraints`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Value>,
}

/// `model_spec.deprecation`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deprecation {
    #[serde(default)]
    pub auto_remap: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removes_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_model_id: Option<String>,
}

/// `model_spec.constraints.model_type` of a video model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VideoModelType {
    #[serde(rename = "text-to-video")]
    TextToVideo,
    #[serde(rename = "image-to-video")]
    ImageToVideo,
    /// Video input (video-to-video, upscale, motion control).
    #[serde(rename = "video")]
    Video,
    #[serde(untagged)]
    Other(String),
}

/// `model_spec.constraints` of a video model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoConstraints {
    pub model_type: VideoModelType,
    #[serde(default)]
    pub durations: Vec<String>,
    #[serde(default)]
    pub resolutions: Vec<String>,
    #[serde(default)]
    pub aspect_ratios: Vec<String>,
    /// The model makes audio.
    #[serde(default)]
    pub audio: bool,
    /// The `audio` flag may be sent.
    #[serde(default)]
    pub audio_configurable: bool,
    #[serde(default)]
    pub audio_input: bool,
    #[serde(default)]
    pub video_input: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_character_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_image_min_short_side_pixels: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_image_min_aspect_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_image_max_aspect_ratio: Option<f64>,
}

/// Venice's default prompt limit when a model does not say.
pub const DEFAULT_PROMPT_CHARACTER_LIMIT: u32 = 2500;

impl VideoConstraints {
    /// The prompt limit in characters (2500 unless the model says otherwise).
    pub fn prompt_limit(&self) -> u32 {
        self.prompt_character_limit
            .unwrap_or(DEFAULT_PROMPT_CHARACTER_LIMIT)
    }
}

impl Model {
    /// The video constraints, if this is a video model with readable constraints.
    pub fn video_constraints(&self) -> Option<VideoConstraints> {
        let c = self.model_spec.constraints.as_ref()?;
        serde_json::from_value(c.clone()).ok()
    }

    /// True for models with zero data retention.
    pub fn is_private(&self) -> bool {
        self.model_spec.privacy.as_deref() == Some("private")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_video_list() {
        let list: ModelList = serde_json::from_str(include_str!(
            "../../../venice-sim/fixtures/models-video.json"
        ))
        .expect("fixture parses");
        assert_eq!(list.data.len(), 116);
        let wan = list
            .data
            .iter()
            .find(|m| m.id == "wan-2.5-preview-text-to-video")
            .expect("wan present");
        let c = wan.video_constraints().expect("constraints");
        assert_eq!(c.model_type, VideoModelType::TextToVideo);
        assert_eq!(c.durations, ["5s", "10s"]);
        assert_eq!(c.prompt_limit(), 2500);
        assert!(
            list.data.iter().all(|m| m.video_constraints().is_some()),
            "every video model has constraints"
        );
        let sora = list
            .data
            .iter()
            .find(|m| m.id == "sora-2-text-to-video")
            .expect("sora");
        assert!(
            sora.model_spec
                .deprecation
                .as_ref()
                .is_some_and(|d| d.removes_at.is_some())
        );
    }

    #[test]
    fn parses_real_text_list() {
        let list: ModelList = serde_json::from_str(include_str!(
            "../../../venice-sim/fixtures/models-text.json"
        ))
        .expect("fixture parses");
        assert!(!list.data.is_empty());
        assert!(
            list.data
                .iter()
                .any(|m| m.model_spec.available_context_tokens.is_some())
        );
    }
}
