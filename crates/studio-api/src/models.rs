//! Video models as the generator form needs them, and what a start-frame image check found.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    TextToVideo,
    ImageToVideo,
    /// Video-to-video, upscale and the like: not offered by the generator.
    Other,
}

/// One video model and everything the form may offer for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelOption {
    pub id: String,
    pub name: String,
    pub kind: ModelKind,
    /// Empty list: the field is not sent for this model (hide the control).
    pub durations: Vec<String>,
    pub resolutions: Vec<String>,
    pub aspect_ratios: Vec<String>,
    pub audio_configurable: bool,
    pub prompt_limit: u32,
    /// When Venice retires the model (ISO date), if it said.
    pub deprecated_on: Option<String>,
    pub offline: bool,
    pub image_min_short_side: Option<u32>,
    pub image_min_aspect: Option<f64>,
    pub image_max_aspect: Option<f64>,
}

/// A start frame the user picked, checked for the chosen model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageCheck {
    pub path: String,
    pub mime: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: u64,
    /// What is wrong with it, in words; empty when it can be used.
    pub problems: Vec<String>,
    /// A `data:` URL of the image for the preview (the asset protocol only serves the media
    /// folder), when it is a PNG, JPEG or WebP small enough to send; `None` otherwise.
    #[serde(default)]
    pub preview: Option<String>,
}
