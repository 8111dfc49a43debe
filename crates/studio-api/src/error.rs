//! The error every command returns: a code from a closed set the UI acts on, and a message for
//! the user that says what happened and what to do.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The form or a file is not acceptable; the message says which field and why.
    InvalidInput,
    /// No API key yet: show onboarding.
    NeedsKey,
    /// Venice rejected the key: open Settings.
    KeyRejected,
    /// Top up the Venice balance (or raise the key's spend limit).
    InsufficientBalance,
    /// The user's own budget would be exceeded.
    OverBudget,
    /// The prompt or image was refused by a content policy: change it.
    PolicyRejected,
    RegionBlocked,
    NeedsConsent,
    /// Venice is busy or limiting us: try again shortly.
    RateLimited,
    /// Venice could not be reached or failed: try again later.
    VeniceUnavailable,
    /// It is not known whether Venice accepted a paid job.
    OutcomeUnknown,
    NotFound,
    /// Another studio works on the same library.
    AlreadyRunning,
    /// A file could not be read or written.
    Io,
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiError {
    pub code: ErrorCode,
    pub message: String,
}

impl UiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UiError {}
