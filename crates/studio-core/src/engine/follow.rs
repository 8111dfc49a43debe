//! Following jobs another process drives (the app holds this data folder's poller): their changes
//! are read back from the shared ledger and announced as this engine's own events, so the CLI's
//! progress bars and `wait_until_settled` work the same either way.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::Studio;
use crate::events::JobEvent;
use crate::ledger::{JobId, JobRecord, JobState};

/// Stops following when dropped.
#[derive(Debug)]
pub struct FollowHandle {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FollowHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Studio {
    /// Re-reads `ids` from the ledger every `every` and announces what changed, until each is
    /// settled. For when another process runs the poller (see [`crate::Error::AlreadyRunning`]):
    /// if that process stops first, this engine takes the poller over and finishes the jobs.
    pub fn follow_ledger(&self, ids: &[JobId], every: Duration) -> FollowHandle {
        let shared = Arc::clone(self.shared());
        let studio = self.clone();
        let ids = ids.to_vec();
        let task = tokio::spawn(async move {
            let mut seen: HashMap<JobId, (JobState, i64)> = HashMap::new();
            let mut poller = None;
            loop {
                if poller.is_none() {
                    poller = studio.start_poller().ok();
                }
                let ids = ids.clone();
                let read = shared
                    .db(move |ledger, _| {
                        Ok(ids
                            .iter()
                            .filter_map(|id| ledger.get(id).ok())
                            .collect::<Vec<_>>())
                    })
                    .await;
                let Ok(jobs) = read else { return };
                let mut open = 0;
                for job in jobs {
                    let mark = (job.state, (job.progress * 100.0).round() as i64);
                    if seen.get(&job.id) != Some(&mark) {
                        seen.insert(job.id.clone(), mark);
                        if let Some(event) = event_for(&job) {
                            shared.emit(event);
                        }
                    }
                    if !job.state.is_settled() {
                        open += 1;
                    }
                }
                if open == 0 {
                    return;
                }
                tokio::time::sleep(every).await;
            }
        });
        FollowHandle { task }
    }
}

/// The event that announces `job`'s current state.
fn event_for(job: &JobRecord) -> Option<JobEvent> {
    let id = job.id.clone();
    Some(match job.state {
        JobState::Submitting | JobState::Queued => return None,
        JobState::Processing => JobEvent::Progress {
            id,
            percent: (job.progress * 100.0).round(),
            eta_ms: job.eta_ms,
        },
        JobState::Downloading => JobEvent::Downloading {
            id,
            bytes: 0,
            total: None,
        },
        JobState::Ready => JobEvent::Ready {
            id,
            path: job.media.as_ref()?.path.clone(),
            cost_usd: job.quote_usd,
        },
        JobState::Failed => JobEvent::Failed {
            id,
            reason: job.failure.clone().unwrap_or_default(),
            credits_refunded: job.credits_refunded,
        },
        JobState::OutcomeUnknown => JobEvent::OutcomeUnknown {
            id,
            reason: job.failure.clone().unwrap_or_default(),
        },
    })
}
