//! Settling an outcome-unknown job by asking Venice, not the user: its usage history shows whether
//! the unanswered queue call was charged.
//!
//! A job's queue call ran from its `created_at_ms` until it gave up (`updated_at_ms`, capped at the
//! submission grace); Venice may have charged for it until a request timeout after that, and the
//! two clocks may differ by [`CLOCK_SKEW_MS`]. A charge of the job's model and price (within a
//! cent) in that window that no other job accounts for is the job's. Other jobs of the model whose
//! windows overlap take their charges first: those Venice surely charged (a queue id, or settled as
//! charged) before the uncertain ones, oldest first, each the earliest charge left in its window.
//! No charge, and the window ended [`crate::EngineConfig::settle_delay`] ago: Venice did not charge.
//! The sign of an entry's amount is ignored (a refund read as a charge errs towards "charged",
//! which never leads to paying twice).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use venice::{UsageEntry, UsageFilter};

use super::{Shared, Studio};
use crate::Error;
use crate::events::JobEvent;
use crate::ledger::{JobId, JobRecord, JobState};

/// How far Venice's clock and ours may disagree.
pub(crate) const CLOCK_SKEW_MS: i64 = 2 * 60 * 1000;
/// A charge within this of a job's quote is the job's price.
const PRICE_TOLERANCE_USD: f64 = 0.01 + 1e-9;

/// What Venice's usage history says about an outcome-unknown job.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Venice charged `usd` for it: the job is now failed ("charged, video not retrievable": its
    /// queue id never came back) and stays in the spend.
    Charged {
        usd: f64,
        /// When Venice recorded the charge (Unix ms).
        charged_at_ms: i64,
    },
    /// Venice did not charge it: the job is now failed and costs nothing. `may_requeue`: the user
    /// said yes to queueing its shot or clip again (nothing was queued here). `shot`: the index
    /// (from 0) of its music-video shot in the project's storyboard now, if it is still there.
    NotCharged {
        may_requeue: bool,
        shot: Option<usize>,
    },
    /// Venice's usage is not complete yet: the job is unchanged; ask again from `ask_again_at_ms`.
    NotYetKnown { ask_again_at_ms: i64 },
}

/// The answer to [`Studio::settle_unknown`]: the job as it now is, the verdict, and a sentence for
/// the user.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Settlement {
    pub job: JobRecord,
    pub verdict: Verdict,
    pub message: String,
}

/// A job that may account for a charge in the usage history.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Claimant {
    pub id: JobId,
    pub model: String,
    pub usd: f64,
    pub created_at_ms: i64,
    /// From..until (Unix ms, inclusive) when Venice may have recorded its charge.
    pub window: (i64, i64),
    /// Venice surely charged it (it has a queue id, or was settled as charged).
    pub certain: bool,
}

impl Claimant {
    /// The job as a claimant, if it may have been charged: accepted (a queue id), settled as
    /// charged, or of unknown outcome (still submitting, or unanswered).
    pub(crate) fn of(job: &JobRecord, grace_ms: i64, timeout_ms: i64) -> Option<Claimant> {
        let certain = job.queue_id.is_some() || job.charged_usd.is_some();
        let maybe = matches!(job.state, JobState::OutcomeUnknown | JobState::Submitting);
        (certain || maybe).then(|| Claimant {
            id: job.id.clone(),
            model: job.params.model.clone(),
            usd: job.charged_usd.unwrap_or(job.quote_usd),
            created_at_ms: job.created_at_ms,
            window: window(job, grace_ms, timeout_ms),
            certain,
        })
    }

    fn overlaps(&self, (from, until): (i64, i64)) -> bool {
        self.window.0 <= until && from <= self.window.1
    }

    fn takes(&self, entry: &UsageEntry, at_ms: i64) -> bool {
        entry.amount != 0.0
            && entry.is_for_model(&self.model)
            && (entry.usd() - self.usd).abs() <= PRICE_TOLERANCE_USD
            && (self.window.0..=self.window.1).contains(&at_ms)
    }
}

/// When Venice may have recorded the charge of `job`'s queue call (Unix ms, inclusive).
pub(crate) fn window(job: &JobRecord, grace_ms: i64, timeout_ms: i64) -> (i64, i64) {
    let gave_up = job
        .updated_at_ms
        .min(job.created_at_ms.saturating_add(grace_ms));
    (
        job.created_at_ms - CLOCK_SKEW_MS,
        gave_up.saturating_add(timeout_ms + CLOCK_SKEW_MS),
    )
}

/// The index in `charges` of the charge `target` accounts for, once every claimant before it took
/// its own (see the module docs for the order). Pure: no ledger, no network.
pub(crate) fn charge_for(
    target: &JobId,
    claimants: &[Claimant],
    charges: &[UsageEntry],
) -> Option<usize> {
    let mut order: Vec<&Claimant> = claimants.iter().collect();
    order.sort_by(|a, b| {
        (!a.certain, a.created_at_ms, &a.id).cmp(&(!b.certain, b.created_at_ms, &b.id))
    });
    let times: Vec<Option<i64>> = charges.iter().map(UsageEntry::timestamp_ms).collect();
    let mut taken = vec![false; charges.len()];
    for claimant in order {
        let found = (0..charges.len())
            .filter(|&i| !taken[i])
            .find(|&i| times[i].is_some_and(|at| claimant.takes(&charges[i], at)));
        if &claimant.id == target {
            return found;
        }
        if let Some(i) = found {
            taken[i] = true;
        }
    }
    None
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn system_time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

impl Studio {
    /// Asks Venice's usage history whether an outcome-unknown job was charged, and settles it:
    /// charged (failed, its video not retrievable, kept in the spend), not charged (failed, not
    /// spent; `approve_requeue` is the user's yes to queueing its shot or clip again, which the
    /// caller does: nothing is queued here), or not yet known (unchanged; ask again later). A
    /// usage request that fails is [`Error::UsageUnavailable`] and changes nothing.
    pub async fn settle_unknown(
        &self,
        id: &JobId,
        approve_requeue: bool,
    ) -> Result<Settlement, Error> {
        let shared = self.shared();
        let job = {
            let id = id.clone();
            shared.db(move |ledger, _| ledger.get(&id)).await?
        };
        if job.state != JobState::OutcomeUnknown {
            return Err(Error::NothingToSettle {
                id: job.id,
                state: job.state,
            });
        }
        let grace_ms = millis(self.submission_grace());
        let timeout_ms = millis(shared.client.request_timeout());
        let own = window(&job, grace_ms, timeout_ms);
        let claimants = {
            let model = job.params.model.clone();
            let (from, to) = (own.0 - grace_ms - timeout_ms, own.1 + CLOCK_SKEW_MS);
            shared
                .db(move |ledger, _| ledger.jobs_of_model_created_between(&model, from, to))
                .await?
        };
        let claimants: Vec<Claimant> = claimants
            .iter()
            .filter_map(|j| Claimant::of(j, grace_ms, timeout_ms))
            .filter(|c| c.overlaps(own))
            .collect();
        let from = claimants.iter().map(|c| c.window.0).fold(own.0, i64::min);
        let until = claimants.iter().map(|c| c.window.1).fold(own.1, i64::max);
        // The end is exclusive: one millisecond past the last moment that counts.
        let filter = UsageFilter::between(system_time(from), system_time(until + 1));
        let entries = venice::retry::run(&shared.backoff, || async {
            shared.client.billing().usage_history_all(&filter).await
        })
        .await
        .map_err(|source| Error::UsageUnavailable {
            id: job.id.clone(),
            source,
        })?
        .value;
        let settled_at = own.1.saturating_add(millis(shared.config.settle_delay));
        match charge_for(&job.id, &claimants, &entries) {
            Some(i) => charged(shared, job, &entries[i]).await,
            None if shared.now_ms() >= settled_at => {
                let shot = self.shot_index(&job).await;
                not_charged(shared, job, approve_requeue, shot).await
            }
            None => Ok(not_yet_known(shared, job, settled_at)),
        }
    }

    /// Where the job's music-video shot is in its project's storyboard now (`None`: not a shot,
    /// or the project or shot is gone).
    async fn shot_index(&self, job: &JobRecord) -> Option<usize> {
        let link = job.params.shot.as_ref()?;
        let project = self.project(&link.project_id).await.ok()?;
        project
            .storyboard
            .shots
            .iter()
            .position(|s| crate::projects::span_ms(s) == (link.start_ms, link.end_ms))
    }

    /// [`Studio::settle_unknown`] for every outcome-unknown job, oldest first, never approving a
    /// requeue. Stops at the first usage request that fails.
    pub async fn settle_all_unknown(&self) -> Result<Vec<Settlement>, Error> {
        let unknown = self
            .shared()
            .db(|ledger, _| ledger.in_state(&[JobState::OutcomeUnknown]))
            .await?;
        let mut settled = Vec::with_capacity(unknown.len());
        for job in unknown {
            match self.settle_unknown(&job.id, false).await {
                Ok(s) => settled.push(s),
                // Settled meanwhile (a late answer, the user, another engine): nothing to do.
                Err(Error::NothingToSettle { .. } | Error::IllegalMove { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(settled)
    }
}

async fn charged(
    shared: &Arc<Shared>,
    job: JobRecord,
    entry: &UsageEntry,
) -> Result<Settlement, Error> {
    let usd = entry.usd();
    let reason = format!(
        "Venice charged ${usd:.2} for this video (its usage history shows the charge), but the \
         queue call never returned the job's id, so the video cannot be fetched. It counts as \
         spent; generate it again if you still want it."
    );
    let (id, why) = (job.id.clone(), reason.clone());
    let job = shared
        .db(move |ledger, now| ledger.settle_charged(&id, usd, &why, now))
        .await?;
    shared.emit(JobEvent::Failed {
        id: job.id.clone(),
        reason: reason.clone(),
        credits_refunded: Some(false),
    });
    Ok(Settlement {
        job,
        verdict: Verdict::Charged {
            usd,
            charged_at_ms: entry.timestamp_ms().unwrap_or_default(),
        },
        message: reason,
    })
}

async fn not_charged(
    shared: &Arc<Shared>,
    job: JobRecord,
    approve_requeue: bool,
    shot: Option<usize>,
) -> Result<Settlement, Error> {
    let reason =
        "Venice did not charge for this video: its usage history has no charge for it, so \
                  the queue call never became a job. Nothing was spent; it can be generated again."
            .to_string();
    let (id, why) = (job.id.clone(), reason.clone());
    let job = shared
        .db(move |ledger, now| ledger.mark_failed(&id, &why, None, now))
        .await?;
    shared.emit(JobEvent::Failed {
        id: job.id.clone(),
        reason: reason.clone(),
        credits_refunded: None,
    });
    Ok(Settlement {
        job,
        verdict: Verdict::NotCharged {
            may_requeue: approve_requeue,
            shot,
        },
        message: reason,
    })
}

fn not_yet_known(shared: &Shared, job: JobRecord, ask_again_at_ms: i64) -> Settlement {
    let wait_s = (ask_again_at_ms - shared.now_ms()).max(0) / 1000;
    let wait = if wait_s >= 120 {
        format!("{} minutes", (wait_s + 59) / 60)
    } else {
        format!("{} seconds", wait_s.max(1))
    };
    Settlement {
        message: format!(
            "Venice's usage history shows no charge for this video yet, and it may still be \
             recording it. Nothing was changed; ask again in {wait}."
        ),
        job,
        verdict: Verdict::NotYetKnown { ask_again_at_ms },
    }
}

/// One pass when the poller starts: settles what Venice's usage can settle now, in the background,
/// never approving a requeue. Failures are logged; the jobs stay of unknown outcome.
pub(super) fn settle_on_start(studio: &Studio) {
    let studio = studio.clone();
    tokio::spawn(async move {
        match studio.settle_all_unknown().await {
            Ok(settled) => {
                for s in settled
                    .iter()
                    .filter(|s| s.job.state != JobState::OutcomeUnknown)
                {
                    tracing::info!(job = %s.job.id, verdict = ?s.verdict, "settled an unknown outcome from Venice's usage");
                }
            }
            Err(error) => {
                tracing::warn!(%error, "could not settle unknown outcomes from Venice's usage")
            }
        }
    });
}

#[cfg(test)]
mod tests;
