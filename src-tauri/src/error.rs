//! The one mapping from engine and client errors to what the UI acts on: a code from the closed
//! set in `studio_api::ErrorCode` and the engine's message for the user (it never holds the key).

use studio_api::{ErrorCode, UiError};
use studio_core::Error as CoreError;
use studio_core::projects::NotClaimed;
use venice::{ErrorClass, UserAction};

/// The code for an error from the Venice client.
pub fn venice_code(error: &venice::Error) -> ErrorCode {
    match error {
        venice::Error::Constraint(_) => return ErrorCode::InvalidInput,
        venice::Error::MissingApiKey => return ErrorCode::NeedsKey,
        venice::Error::Io { .. } => return ErrorCode::Io,
        _ => {}
    }
    match error.class() {
        ErrorClass::NeedsUser(action) => match action {
            UserAction::FixApiKey => ErrorCode::KeyRejected,
            UserAction::TopUpBalance => ErrorCode::InsufficientBalance,
            UserAction::RegionBlocked => ErrorCode::RegionBlocked,
            UserAction::GiveConsent => ErrorCode::NeedsConsent,
            UserAction::ChangePrompt => ErrorCode::PolicyRejected,
            UserAction::ReduceSize | UserAction::ChangeRequest => ErrorCode::InvalidInput,
        },
        ErrorClass::RetryAfter(_) => ErrorCode::RateLimited,
        ErrorClass::RetryWithBackoff if error.status() == Some(429) => ErrorCode::RateLimited,
        ErrorClass::RetryWithBackoff => ErrorCode::VeniceUnavailable,
        ErrorClass::OutcomeUnknown => ErrorCode::OutcomeUnknown,
        // 404 on a video: Venice no longer has it.
        ErrorClass::Permanent if error.status() == Some(404) => ErrorCode::NotFound,
        ErrorClass::Permanent => ErrorCode::VeniceUnavailable,
    }
}

/// The code for an error from the studio engine.
pub fn core_code(error: &CoreError) -> ErrorCode {
    match error {
        CoreError::Venice(e) => venice_code(e),
        // The song's beat networks failed to run: the studio's fault, not the song's.
        CoreError::Song(studio_core::song::Error::Model { .. }) => ErrorCode::Internal,
        CoreError::OverBudget { .. } | CoreError::Refused(_) => ErrorCode::OverBudget,
        CoreError::NotClaimed { why, .. } => match why {
            NotClaimed::OverProjectBudget { .. } | NotClaimed::OverCap(_) => ErrorCode::OverBudget,
            NotClaimed::VersionOnItsWay | NotClaimed::LeaseLost => ErrorCode::AlreadyRunning,
            _ => ErrorCode::InvalidInput,
        },
        CoreError::ProjectChanged(_) => ErrorCode::InvalidInput,
        CoreError::EmptyTheme
        | CoreError::UnknownModel(_)
        | CoreError::AmbiguousJobId { .. }
        | CoreError::BadImage { .. }
        | CoreError::BadSongFile { .. }
        | CoreError::BadRenderOut { .. }
        | CoreError::BadMediaFolder { .. }
        | CoreError::NotOutcomeUnknown { .. }
        | CoreError::CannotFetchAgain { .. }
        | CoreError::SameFile(_)
        | CoreError::Song(_) => ErrorCode::InvalidInput,
        CoreError::JobNotFound(_) | CoreError::NoVideo(_) | CoreError::ProjectNotFound(_) => {
            ErrorCode::NotFound
        }
        CoreError::AmbiguousProjectId(_) | CoreError::Storyboard(_) => ErrorCode::InvalidInput,
        // The chat model answered with nothing, or the model list could not be fetched.
        CoreError::EmptyPrompt | CoreError::NoCatalogue => ErrorCode::VeniceUnavailable,
        CoreError::AlreadyRunning(_) => ErrorCode::AlreadyRunning,
        CoreError::Io { .. }
        | CoreError::LedgerOpen { .. }
        | CoreError::NoHomeFolder
        | CoreError::SongOverrides { .. }
        | CoreError::Keychain(_) => ErrorCode::Io,
        _ => ErrorCode::Internal,
    }
}

/// An engine error as the UI gets it.
pub fn from_core(error: CoreError) -> UiError {
    UiError::new(core_code(&error), error.to_string())
}

/// A client error as the UI gets it.
pub fn from_venice(error: venice::Error) -> UiError {
    UiError::new(venice_code(&error), error.to_string())
}

/// The error for commands that need Venice while no key is set.
pub fn needs_key() -> UiError {
    UiError::new(
        ErrorCode::NeedsKey,
        "No Venice API key is set. Add your key in Settings, or try the demo.",
    )
}

/// A form or file the user gave is not acceptable.
pub fn invalid(message: impl Into<String>) -> UiError {
    UiError::new(ErrorCode::InvalidInput, message)
}

/// Something in the shell itself failed (a plugin, the window system).
pub fn internal(what: &str, error: impl std::fmt::Display) -> UiError {
    UiError::new(ErrorCode::Internal, format!("Could not {what}: {error}."))
}

/// Runs engine work that touches SQLite or files on the blocking pool, not on an async worker.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
) -> Result<T, UiError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| internal("finish a background task", e))?
        .map_err(from_core)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> venice::Error {
        let error = venice::ApiError::from_response(
            venice::Operation::VideoQueue,
            status,
            br#"{"error":"nope"}"#,
            venice::ResponseMeta::default(),
            std::time::SystemTime::now(),
        );
        venice::Error::from(error)
    }

    #[test]
    fn venice_statuses_map_to_what_the_user_can_do() {
        let cases = [
            (401, ErrorCode::KeyRejected),
            (402, ErrorCode::InsufficientBalance),
            (403, ErrorCode::RegionBlocked),
            (409, ErrorCode::NeedsConsent),
            (413, ErrorCode::InvalidInput),
            (422, ErrorCode::PolicyRejected),
            (400, ErrorCode::InvalidInput),
            (429, ErrorCode::RateLimited),
            (500, ErrorCode::VeniceUnavailable),
            (503, ErrorCode::VeniceUnavailable),
        ];
        for (status, code) in cases {
            let error = from_core(CoreError::Venice(api(status)));
            assert_eq!(error.code, code, "status {status}: {}", error.message);
            assert!(!error.message.is_empty());
        }
    }

    #[test]
    fn money_and_outcome_errors_keep_their_meaning() {
        let unknown = venice::Error::OutcomeUnknown {
            detail: "timed out".into(),
            status: None,
            request_id: None,
        };
        assert_eq!(venice_code(&unknown), ErrorCode::OutcomeUnknown);
        assert_eq!(
            venice_code(&venice::Error::MissingApiKey),
            ErrorCode::NeedsKey
        );
        let budget = CoreError::OverBudget {
            scope: "in total",
            cap: 1.0,
            spent: 1.0,
            remaining: 0.0,
            cost: 0.5,
        };
        let ui = from_core(budget);
        assert_eq!(ui.code, ErrorCode::OverBudget);
        assert!(
            ui.message.contains("$1.00 of $1.00 spent"),
            "{}",
            ui.message
        );
        let connection = venice::Error::Connection {
            operation: venice::Operation::VideoQuote,
            timed_out: true,
            detail: "timeout".into(),
        };
        assert_eq!(venice_code(&connection), ErrorCode::VeniceUnavailable);
    }

    #[test]
    fn engine_errors_map_to_codes() {
        let id = studio_core::JobId("j".into());
        assert_eq!(core_code(&CoreError::EmptyTheme), ErrorCode::InvalidInput);
        assert_eq!(
            core_code(&CoreError::UnknownModel("x".into())),
            ErrorCode::InvalidInput
        );
        assert_eq!(
            core_code(&CoreError::JobNotFound(id.clone())),
            ErrorCode::NotFound
        );
        assert_eq!(core_code(&CoreError::NoVideo(id)), ErrorCode::NotFound);
        assert_eq!(
            core_code(&CoreError::AlreadyRunning("/tmp".into())),
            ErrorCode::AlreadyRunning
        );
        assert_eq!(
            core_code(&CoreError::NoCatalogue),
            ErrorCode::VeniceUnavailable
        );
        assert_eq!(core_code(&CoreError::EngineStopped), ErrorCode::Internal);
        assert_eq!(
            core_code(&CoreError::Keychain("no keychain".into())),
            ErrorCode::Io
        );
    }

    #[test]
    fn errors_reach_the_ui_as_code_and_message() {
        let json = serde_json::to_value(from_core(CoreError::EmptyTheme)).expect("json");
        assert_eq!(json["code"], "invalid_input");
        assert!(
            json["message"]
                .as_str()
                .is_some_and(|m| m.contains("theme"))
        );
    }
}
