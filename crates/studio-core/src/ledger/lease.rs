//! One "Generate all" per project across processes: a lease in the project's row names the run
//! that holds it and until when. The holder renews it (a heartbeat) while it runs and releases it
//! when it ends; a holder that died stops renewing, and the lease is free once it runs out.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::Ledger;
use crate::Error;

/// Who holds a project's "Generate all", and until when unless renewed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub holder: String,
    pub until_ms: i64,
}

impl Ledger {
    /// Takes the project's lease for `holder` (free, run out, or already its own). Returns the
    /// live lease of another holder instead when there is one.
    pub fn take_lease(
        &self,
        project_id: &str,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<Option<Lease>, Error> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<(Option<String>, Option<i64>)> = tx
            .query_row(
                "SELECT lease_holder, lease_until_ms FROM projects WHERE id = ?1",
                params![project_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some(current) = current else {
            return Err(Error::ProjectNotFound(project_id.to_string()));
        };
        if let (Some(other), Some(until_ms)) = current
            && other != holder
            && until_ms > now_ms
        {
            return Ok(Some(Lease {
                holder: other,
                until_ms,
            }));
        }
        tx.execute(
            "UPDATE projects SET lease_holder = ?2, lease_until_ms = ?3 WHERE id = ?1",
            params![project_id, holder, now_ms.saturating_add(ttl_ms)],
        )?;
        tx.commit()?;
        Ok(None)
    }

    /// Renews `holder`'s lease. False when it is no longer its own (it ran out and another run
    /// took it): the holder must stop claiming.
    pub fn renew_lease(
        &self,
        project_id: &str,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<bool, Error> {
        let changed = self.lock().execute(
            "UPDATE projects SET lease_until_ms = ?3 WHERE id = ?1 AND lease_holder = ?2",
            params![project_id, holder, now_ms.saturating_add(ttl_ms)],
        )?;
        Ok(changed == 1)
    }

    /// Lets go of `holder`'s lease (another holder's is left alone).
    pub fn release_lease(&self, project_id: &str, holder: &str) -> Result<(), Error> {
        self.lock().execute(
            "UPDATE projects SET lease_holder = NULL, lease_until_ms = NULL
             WHERE id = ?1 AND lease_holder = ?2",
            params![project_id, holder],
        )?;
        Ok(())
    }

    /// The project's live lease, if a run holds one.
    pub fn lease(&self, project_id: &str, now_ms: i64) -> Result<Option<Lease>, Error> {
        let found: Option<(Option<String>, Option<i64>)> = self
            .lock()
            .query_row(
                "SELECT lease_holder, lease_until_ms FROM projects WHERE id = ?1",
                params![project_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match found {
            Some((Some(holder), Some(until_ms))) if until_ms > now_ms => {
                Some(Lease { holder, until_ms })
            }
            _ => None,
        })
    }
}
