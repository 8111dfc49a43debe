//! A run's hold on a project's "Generate all" (see [`crate::ledger::Lease`]): taken before the
//! first claim (waiting while another live run holds it), renewed by a heartbeat while the run
//! goes on, and let go when the run ends or is dropped.

use std::sync::Arc;
use std::time::Duration;

use crate::Error;
use crate::engine::{Shared, Studio};
use crate::ledger::Lease;

/// How often a waiting run looks whether the lease is free.
const WAIT_STEP: Duration = Duration::from_millis(250);

/// Held while a run may claim shots; the heartbeat stops and the lease is let go when dropped.
pub(crate) struct RunLease {
    shared: Arc<Shared>,
    project_id: String,
    pub holder: String,
    heartbeat: tokio::task::JoinHandle<()>,
}

impl Drop for RunLease {
    fn drop(&mut self) {
        self.heartbeat.abort();
        let (shared, id, holder) = (
            Arc::clone(&self.shared),
            self.project_id.clone(),
            self.holder.clone(),
        );
        // Off the async workers when there is a runtime (SQLite blocks); a lease left behind
        // runs out by itself anyway.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn_blocking(move || shared.ledger.release_lease(&id, &holder));
            }
            Err(_) => {
                let _ = shared.ledger.release_lease(&id, &holder);
            }
        }
    }
}

/// A name for this run that says who holds the lease: the program, its process id and a
/// random part (two runs of one process differ).
fn holder_name() -> String {
    let program = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "studio".into());
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    format!("{program} (pid {}) #{}", std::process::id(), &nonce[..8])
}

/// Who holds a lease, for messages: the holder's name without its random part.
pub(crate) fn who(lease: &Lease) -> String {
    lease
        .holder
        .split(" #")
        .next()
        .unwrap_or(&lease.holder)
        .to_string()
}

impl Studio {
    /// Takes the project's lease, waiting while another live run holds it. Returns the lease
    /// and, when it had to wait, who held it.
    pub(crate) async fn take_run_lease(
        &self,
        project_id: &str,
    ) -> Result<(RunLease, Option<String>), Error> {
        let holder = holder_name();
        let ttl_ms = ttl_ms(self.config().generate_lease_ttl);
        let mut waited_for = None;
        loop {
            let (id, name) = (project_id.to_string(), holder.clone());
            let other = self
                .shared()
                .db(move |ledger, now| ledger.take_lease(&id, &name, now, ttl_ms))
                .await?;
            match other {
                None => break,
                Some(lease) => {
                    if waited_for.is_none() {
                        tracing::info!(project = %project_id, holder = %lease.holder, "Generate all runs elsewhere; waiting for it");
                    }
                    waited_for = Some(who(&lease));
                    tokio::time::sleep(WAIT_STEP).await;
                }
            }
        }
        let heartbeat = {
            let (shared, id, name) = (
                Arc::clone(self.shared()),
                project_id.to_string(),
                holder.clone(),
            );
            let every = self.config().generate_lease_ttl / 3;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    let (id, name) = (id.clone(), name.clone());
                    let renewed = shared
                        .db(move |ledger, now| ledger.renew_lease(&id, &name, now, ttl_ms))
                        .await;
                    // Lost (another run took over after a stall): the claims refuse from now on.
                    if !matches!(renewed, Ok(true)) {
                        break;
                    }
                }
            })
        };
        Ok((
            RunLease {
                shared: Arc::clone(self.shared()),
                project_id: project_id.to_string(),
                holder,
                heartbeat,
            },
            waited_for,
        ))
    }

    /// Who runs the project's "Generate all" now (another process, or this one), if anyone.
    pub async fn generation_holder(&self, id_or_prefix: &str) -> Result<Option<String>, Error> {
        let project = self.project(id_or_prefix).await?;
        let lease = self
            .shared()
            .db(move |ledger, now| ledger.lease(&project.id, now))
            .await?;
        Ok(lease.as_ref().map(who))
    }
}

fn ttl_ms(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1)
}
