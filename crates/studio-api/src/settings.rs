//! Settings, the key's status (never the key) and the Venice balance.

use serde::{Deserialize, Serialize};

/// What the UI may know about the API key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStatus {
    pub is_set: bool,
    pub last_four: Option<String>,
    /// The app runs against the built-in test double: nothing costs money.
    pub demo: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub default_model: Option<String>,
    pub chat_model: Option<String>,
    pub poll_interval_secs: u32,
    pub budget_session_usd: Option<f64>,
    pub budget_total_usd: Option<f64>,
    /// Where finished videos are saved.
    pub media_dir: String,
    /// Delete Venice's copy (`/video/complete`) once the video is saved and verified here; off,
    /// Venice keeps it until it expires, so a failed download can be fetched again.
    pub delete_after_download: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalanceView {
    pub usd: Option<f64>,
    pub diem: Option<f64>,
    pub can_consume: bool,
}
