//! The ledger side of settling an outcome-unknown job from Venice's usage history: the jobs that
//! may account for a charge, and the move to "charged, video not retrievable".

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{JobId, JobRecord, JobState, Ledger};
use crate::Error;

impl Ledger {
    /// Jobs of `model` created from `from_ms` to `to_ms` (inclusive), oldest first.
    pub fn jobs_of_model_created_between(
        &self,
        model: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<JobRecord>, Error> {
        let sql = format!(
            "SELECT {} FROM jobs WHERE model = ?1 AND created_at_ms BETWEEN ?2 AND ?3
             ORDER BY created_at_ms ASC, id",
            JobRecord::COLUMNS
        );
        let conn = self.lock();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params![model, from_ms, to_ms], JobRecord::from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Venice's usage shows it charged `charged_usd` for this outcome-unknown job: it becomes
    /// failed (its queue id never came back, so the video cannot be fetched) and stays counted as
    /// spent. Any other state is an [`Error::IllegalMove`].
    pub fn settle_charged(
        &self,
        id: &JobId,
        charged_usd: f64,
        reason: &str,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        {
            let mut conn = self.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let state: Option<String> = tx
                .query_row("SELECT state FROM jobs WHERE id = ?1", params![id.0], |r| {
                    r.get(0)
                })
                .optional()?;
            let current = state
                .and_then(|s| JobState::parse(&s))
                .ok_or_else(|| Error::JobNotFound(id.clone()))?;
            if current != JobState::OutcomeUnknown {
                return Err(Error::IllegalMove {
                    id: id.clone(),
                    from: current,
                    to: JobState::Failed,
                });
            }
            tx.execute(
                "UPDATE jobs SET state = ?2, updated_at_ms = ?3, failure = ?4, charged_usd = ?5,
                    eta_ms = NULL
                 WHERE id = ?1",
                params![id.0, JobState::Failed.as_str(), now_ms, reason, charged_usd],
            )?;
            tx.commit()?;
        }
        self.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::JobParams;

    fn params(model: &str) -> JobParams {
        JobParams {
            prompt: "p".into(),
            model: model.into(),
            duration: "5s".into(),
            ..JobParams::default()
        }
    }

    #[test]
    fn a_charged_settlement_fails_the_job_and_keeps_it_in_the_spend() {
        let ledger = Ledger::open_in_memory().unwrap();
        let job = ledger
            .insert_submitting("s", &params("m"), 0.35, None, 1_000)
            .unwrap();
        let refused = ledger.settle_charged(&job.id, 0.35, "charged", 2_000);
        assert!(
            matches!(refused, Err(Error::IllegalMove { .. })),
            "{refused:?}"
        );
        ledger
            .mark_outcome_unknown(&job.id, "no answer", 1_500)
            .unwrap();
        let settled = ledger
            .settle_charged(&job.id, 0.34, "charged", 2_000)
            .unwrap();
        assert_eq!(settled.state, JobState::Failed);
        assert_eq!(settled.charged_usd, Some(0.34));
        assert_eq!(settled.failure.as_deref(), Some("charged"));
        assert!(settled.counts_as_spent());
        assert!((ledger.spent_usd(None).unwrap() - 0.34).abs() < 1e-9);
        assert!(
            ledger
                .settle_charged(&job.id, 0.34, "again", 3_000)
                .is_err()
        );

        // Settled as not charged (failed without a queue id): not spent.
        let other = ledger
            .insert_submitting("s", &params("m"), 0.5, None, 1_200)
            .unwrap();
        ledger
            .mark_outcome_unknown(&other.id, "no answer", 1_500)
            .unwrap();
        ledger
            .mark_failed(&other.id, "not charged", None, 2_000)
            .unwrap();
        assert!((ledger.spent_usd(None).unwrap() - 0.34).abs() < 1e-9);

        ledger
            .insert_submitting("s", &params("n"), 0.1, None, 1_100)
            .unwrap();
        let of_m = ledger
            .jobs_of_model_created_between("m", 1_000, 1_200)
            .unwrap();
        assert_eq!(of_m.len(), 2);
        assert_eq!(of_m[0].id, job.id, "oldest first");
        assert!(
            ledger
                .jobs_of_model_created_between("m", 1_001, 1_199)
                .unwrap()
                .is_empty()
        );
    }
}
