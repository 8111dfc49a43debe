//! A job's life: the states a paid video job moves through and which moves are allowed.

use serde::{Deserialize, Serialize};

/// Where a job is. The ledger only allows the moves in [`JobState::can_move_to`].
///
/// `Submitting` is written *before* `/video/queue` is called, so a crash during that call leaves a
/// job whose outcome is unknown (money may have been reserved) rather than one that silently
/// vanishes or gets queued a second time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Submitting,
    Queued,
    Processing,
    Downloading,
    Ready,
    Failed,
    /// The queue call's result is not known. Shown to the user; never resubmitted automatically.
    OutcomeUnknown,
}

impl JobState {
    pub const ALL: [JobState; 7] = [
        JobState::Submitting,
        JobState::Queued,
        JobState::Processing,
        JobState::Downloading,
        JobState::Ready,
        JobState::Failed,
        JobState::OutcomeUnknown,
    ];

    /// The name stored in SQLite and shown to scripts (`--json`).
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Submitting => "submitting",
            JobState::Queued => "queued",
            JobState::Processing => "processing",
            JobState::Downloading => "downloading",
            JobState::Ready => "ready",
            JobState::Failed => "failed",
            JobState::OutcomeUnknown => "outcome_unknown",
        }
    }

    pub fn parse(text: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether Venice still owes us this job's video (the poller drives these).
    pub fn is_in_flight(self) -> bool {
        matches!(
            self,
            JobState::Queued | JobState::Processing | JobState::Downloading
        )
    }

    /// Whether the job has reached an end the poller leaves alone.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            JobState::Ready | JobState::Failed | JobState::OutcomeUnknown
        )
    }

    /// The allowed moves. Staying in the same state is allowed for the in-flight states (progress
    /// updates); everything else must move forward.
    pub fn can_move_to(self, next: JobState) -> bool {
        use JobState::*;
        match (self, next) {
            (Submitting, Queued | Failed | OutcomeUnknown) => true,
            (Queued, Processing | Downloading | Ready | Failed) => true,
            (Processing, Processing | Downloading | Ready | Failed) => true,
            (Downloading, Downloading | Processing | Ready | Failed) => true,
            // The user tells us what happened to an unknown outcome; we never guess. A late,
            // definite answer from Venice (the queue id) settles it too.
            (OutcomeUnknown, Failed | Queued) => true,
            // "Fetch again": a failed job whose video Venice may still hold goes back to being
            // fetched (the ledger checks it has a queue id and a copy on Venice). Never resubmitted.
            (Failed, Queued) => true,
            _ => false,
        }
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for state in JobState::ALL {
            assert_eq!(JobState::parse(state.as_str()), Some(state));
        }
        assert_eq!(JobState::parse("QUEUED"), None);
    }

    #[test]
    fn settled_jobs_only_go_back_to_being_fetched() {
        for next in JobState::ALL {
            assert!(!JobState::Ready.can_move_to(next), "ready -> {next}");
        }
        for settled in [JobState::Failed, JobState::OutcomeUnknown] {
            for next in JobState::ALL {
                let allowed = next == JobState::Queued
                    || (settled == JobState::OutcomeUnknown && next == JobState::Failed);
                assert_eq!(settled.can_move_to(next), allowed, "{settled} -> {next}");
            }
        }
    }

    #[test]
    fn nothing_returns_to_submitting() {
        for state in JobState::ALL {
            assert!(!state.can_move_to(JobState::Submitting), "{state}");
        }
    }
}
