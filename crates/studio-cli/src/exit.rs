//! Exit codes a script can rely on, and how every error maps to one.

use studio_core::Error as CoreError;
use venice::{ErrorClass, UserAction};

/// The process exit codes (also listed in `studio --help` and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    Ok = 0,
    /// Anything not covered below.
    Failure = 1,
    /// The command line or the request is wrong (bad value, unknown model or job id).
    Usage = 2,
    /// Only the user can fix it: API key, balance, budget, region, consent, content policy.
    NeedsUser = 3,
    /// A video job failed.
    JobFailed = 4,
    /// It is not known whether Venice accepted (and charged for) a job.
    OutcomeUnknown = 5,
    /// Venice could not be reached or is busy: try again later.
    Unavailable = 6,
    /// Stopped with Ctrl-C while waiting; the jobs go on and `studio resume` picks them up.
    Interrupted = 130,
}

impl Code {
    pub fn as_i32(self) -> i32 {
        self as i32
    }
}

/// A command that did not succeed: what to tell the user and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: Code,
    pub message: String,
}

impl Failure {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Code::Usage, message)
    }
}

/// The exit code for an error from the Venice client.
pub fn venice_code(error: &venice::Error) -> Code {
    if matches!(error, venice::Error::Constraint(_)) {
        return Code::Usage;
    }
    match error.class() {
        ErrorClass::NeedsUser(UserAction::ChangeRequest | UserAction::ReduceSize) => Code::Usage,
        ErrorClass::NeedsUser(_) => Code::NeedsUser,
        ErrorClass::RetryAfter(_) | ErrorClass::RetryWithBackoff => Code::Unavailable,
        ErrorClass::OutcomeUnknown => Code::OutcomeUnknown,
        ErrorClass::Permanent => Code::Failure,
    }
}

/// The exit code for an error from the studio engine.
pub fn core_code(error: &CoreError) -> Code {
    match error {
        CoreError::Venice(e) | CoreError::UsageUnavailable { source: e, .. } => venice_code(e),
        // The song's beat networks failed to run: the studio's fault, not the song's.
        CoreError::Song(studio_core::song::Error::Model { .. }) => Code::Failure,
        CoreError::OverBudget { .. }
        | CoreError::Refused(_)
        | CoreError::Keychain(_)
        | CoreError::NotClaimed { .. }
        | CoreError::ProjectChanged(_) => Code::NeedsUser,
        CoreError::EmptyTheme
        | CoreError::UnknownModel(_)
        | CoreError::AmbiguousJobId { .. }
        | CoreError::JobNotFound(_)
        | CoreError::ProjectNotFound(_)
        | CoreError::AmbiguousProjectId(_)
        | CoreError::Storyboard(_)
        | CoreError::BadImage { .. }
        | CoreError::BadSongFile { .. }
        | CoreError::BadRenderOut { .. }
        | CoreError::NotOutcomeUnknown { .. }
        | CoreError::NothingToSettle { .. }
        | CoreError::CannotFetchAgain { .. }
        | CoreError::SameFile(_)
        | CoreError::Song(_) => Code::Usage,
        // Venice is not reachable for the model list, or another studio is busy with the jobs.
        CoreError::NoCatalogue | CoreError::AlreadyRunning(_) => Code::Unavailable,
        _ => Code::Failure,
    }
}

impl From<CoreError> for Failure {
    fn from(error: CoreError) -> Self {
        Failure::new(core_code(&error), error.to_string())
    }
}

impl From<venice::Error> for Failure {
    fn from(error: venice::Error) -> Self {
        Failure::new(venice_code(&error), error.to_string())
    }
}

/// The exit code for a set of settled jobs: an unknown outcome outranks a failure.
pub fn jobs_code<'a>(states: impl IntoIterator<Item = &'a studio_core::JobRecord>) -> Code {
    let mut code = Code::Ok;
    for job in states {
        let this = match job.state {
            studio_core::JobState::OutcomeUnknown => Code::OutcomeUnknown,
            studio_core::JobState::Failed => Code::JobFailed,
            _ => Code::Ok,
        };
        code = code.max(this);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_key_needs_the_user() {
        assert_eq!(venice_code(&venice::Error::MissingApiKey), Code::NeedsUser);
        let budget = CoreError::OverBudget {
            scope: "in total",
            cap: 1.0,
            spent: 1.0,
            remaining: 0.0,
            cost: 0.5,
        };
        assert_eq!(core_code(&budget), Code::NeedsUser);
        assert_eq!(core_code(&CoreError::EmptyTheme), Code::Usage);
    }

    #[test]
    fn codes_are_the_documented_numbers() {
        let all = [
            (Code::Ok, 0),
            (Code::Failure, 1),
            (Code::Usage, 2),
            (Code::NeedsUser, 3),
            (Code::JobFailed, 4),
            (Code::OutcomeUnknown, 5),
            (Code::Unavailable, 6),
        ];
        for (code, n) in all {
            assert_eq!(code.as_i32(), n);
        }
    }
}
