//! Claiming a paid call of a project: the caller's rule (the shot still needs it, the project is
//! not paused, the budget holds) is checked against what the ledger holds at that moment, and the
//! job row is written, in one immediate transaction. SQLite lets one writer at a time through, so
//! no interleaving of tasks or processes can claim a span twice or spend past a budget.

use rusqlite::TransactionBehavior;

use super::projects::{project_in, project_jobs_in, project_spent_in};
use super::{JobParams, JobRecord, Ledger, ProjectRow, get_in, insert_job, spent_in};
use crate::Error;

/// What a claim's rule sees: the ledger as it is inside the claim's transaction.
#[derive(Debug)]
pub struct ClaimView<'a> {
    pub project: &'a ProjectRow,
    /// Every job of the project, oldest first.
    pub jobs: &'a [JobRecord],
    /// What the project may have been charged, jobs in flight included.
    pub project_spent_usd: f64,
    pub session_spent_usd: f64,
    pub total_spent_usd: f64,
    pub now_ms: i64,
}

impl Ledger {
    /// Writes `params` as a new `Submitting` job of `project_id` if `rule` allows it, as one
    /// transaction. An `Err` from the rule writes nothing and is returned as is.
    #[allow(clippy::too_many_arguments)]
    pub fn claim_job(
        &self,
        project_id: &str,
        session_id: &str,
        params: &JobParams,
        quote_usd: f64,
        balance_usd_before: Option<f64>,
        now_ms: i64,
        rule: impl FnOnce(&ClaimView<'_>) -> Result<(), Error>,
    ) -> Result<JobRecord, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let project = project_in(&tx, project_id)?;
        let jobs = project_jobs_in(&tx, project_id)?;
        let view = ClaimView {
            project: &project,
            jobs: &jobs,
            project_spent_usd: project_spent_in(&tx, project_id)?,
            session_spent_usd: spent_in(&tx, Some(session_id))?,
            total_spent_usd: spent_in(&tx, None)?,
            now_ms,
        };
        rule(&view)?;
        let id = insert_job(
            &tx,
            session_id,
            params,
            quote_usd,
            balance_usd_before,
            now_ms,
        )?;
        let job = get_in(&tx, &id)?;
        tx.commit()?;
        Ok(job)
    }
}
