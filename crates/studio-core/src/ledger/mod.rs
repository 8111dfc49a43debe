//! The job ledger: SQLite, the single truth about every paid job. A job is written here before
//! money is spent, and every state change is written (and synced) before it is announced.

mod claim;
mod lease;
mod migrations;
mod projects;
mod record;
mod settle;
mod state;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::Error;

pub use claim::ClaimView;
pub use lease::Lease;
pub use migrations::LATEST as SCHEMA_VERSION;
pub use projects::{ProjectRow, RenderRow};
pub use record::{JobId, JobParams, JobRecord, MediaInfo, ShotLink};
pub use state::JobState;

/// The ledger. Cheap operations under one lock; share it behind an `Arc`.
#[derive(Debug)]
pub struct Ledger {
    conn: Mutex<Connection>,
}

/// The rule for "money Venice may have charged" (see [`JobRecord::counts_as_spent`]), in SQL:
/// every job but a failed one Venice never accepted or refunded.
pub(crate) const SPENT: &str = "(state != 'failed' OR charged_usd IS NOT NULL
    OR (queue_id IS NOT NULL AND credits_refunded IS NOT 1))";

/// What a spent job cost: what Venice's usage history says it charged, else its quote.
pub(crate) const COST: &str = "COALESCE(charged_usd, quote_usd)";

/// Writes a new job in `Submitting` (inside the caller's transaction, if any).
fn insert_job(
    conn: &Connection,
    session_id: &str,
    params: &JobParams,
    quote_usd: f64,
    balance_usd_before: Option<f64>,
    now_ms: i64,
) -> Result<JobId, Error> {
    let id = JobId::new_random();
    conn.execute(
        "INSERT INTO jobs (id, session_id, created_at_ms, updated_at_ms, state, theme, prompt,
            model, duration, aspect_ratio, resolution, audio, image_path, quote_usd,
            balance_usd_before, project_id, shot_start_ms, shot_end_ms, reference_paths)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
            ?17, ?18)",
        params![
            id.0,
            session_id,
            now_ms,
            JobState::Submitting.as_str(),
            params.theme,
            params.prompt,
            params.model,
            params.duration,
            params.aspect_ratio,
            params.resolution,
            params.audio,
            params.image_path.as_ref().map(|p| p.display().to_string()),
            quote_usd,
            balance_usd_before,
            params.shot.as_ref().map(|s| s.project_id.as_str()),
            params.shot.as_ref().map(|s| s.start_ms),
            params.shot.as_ref().map(|s| s.end_ms),
            (!params.references.is_empty())
                .then(|| serde_json::to_string(&params.references).unwrap_or_default()),
        ],
    )?;
    Ok(id)
}

fn get_in(conn: &Connection, id: &JobId) -> Result<JobRecord, Error> {
    let sql = format!("SELECT {} FROM jobs WHERE id = ?1", JobRecord::COLUMNS);
    conn.query_row(&sql, params![id.0], JobRecord::from_row)
        .optional()?
        .ok_or_else(|| Error::JobNotFound(id.clone()))
}

fn spent_in(conn: &Connection, session_id: Option<&str>) -> Result<f64, Error> {
    let total: Option<f64> = conn.query_row(
        &format!(
            "SELECT SUM({COST}) FROM jobs WHERE (?1 IS NULL OR session_id = ?1) AND {SPENT}"
        ),
        params![session_id],
        |r| r.get(0),
    )?;
    // From +0.0: an empty sum would otherwise print as "$-0.00".
    Ok(0.0 + total.unwrap_or(0.0).max(0.0))
}

/// The fields a state change may set alongside the new state.
#[derive(Debug, Default)]
struct Changes<'a> {
    queue_id: Option<&'a str>,
    download_url: Option<&'a str>,
    progress: Option<f64>,
    eta_ms: Option<Option<i64>>,
    failure: Option<&'a str>,
    credits_refunded: Option<bool>,
    media: Option<&'a MediaInfo>,
    /// Back into flight from a settled state: the old failure no longer applies.
    reopen: bool,
}

impl Ledger {
    /// Opens (creating if needed) the ledger file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, Error> {
        if let Some(dir) = path.parent() {
            // A missing folder shows up as an open error below, with the path in it.
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path).map_err(|source| Error::LedgerOpen {
            path: path.display().to_string(),
            source,
        })?;
        // WAL + FULL sync: a state change that returned is on disk, even if the app is killed.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::from_connection(conn)
    }

    /// A ledger that lives only in memory (tests, demo mode).
    pub fn open_in_memory() -> Result<Self, Error> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Self, Error> {
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (it has its own
        // transactions), so a poisoned lock is safe to keep using.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes a new job in `Submitting` before `/video/queue` is called.
    pub fn insert_submitting(
        &self,
        session_id: &str,
        params: &JobParams,
        quote_usd: f64,
        balance_usd_before: Option<f64>,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        let id = insert_job(
            &self.lock(),
            session_id,
            params,
            quote_usd,
            balance_usd_before,
            now_ms,
        )?;
        self.get(&id)
    }

    /// Venice accepted the job: store its `queue_id` (and `download_url`, which comes only once).
    pub fn mark_queued(
        &self,
        id: &JobId,
        queue_id: &str,
        download_url: Option<&str>,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        let changes = Changes {
            queue_id: Some(queue_id),
            download_url,
            ..Changes::default()
        };
        self.move_to(id, JobState::Queued, changes, now_ms)
    }

    /// A retrieve said the job is still running. `progress` is capped below 1.0 here.
    pub fn record_progress(
        &self,
        id: &JobId,
        progress: f64,
        eta_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        let progress = progress.clamp(0.0, 0.99);
        let changes = Changes {
            progress: Some(progress),
            eta_ms: Some(eta_ms),
            ..Changes::default()
        };
        self.move_to(id, JobState::Processing, changes, now_ms)
    }

    pub fn mark_downloading(&self, id: &JobId, now_ms: i64) -> Result<JobRecord, Error> {
        self.move_to(id, JobState::Downloading, Changes::default(), now_ms)
    }

    /// The file is saved and verified.
    pub fn mark_ready(
        &self,
        id: &JobId,
        media: &MediaInfo,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        let changes = Changes {
            media: Some(media),
            progress: Some(1.0),
            eta_ms: Some(None),
            ..Changes::default()
        };
        self.move_to(id, JobState::Ready, changes, now_ms)
    }

    pub fn mark_failed(
        &self,
        id: &JobId,
        reason: &str,
        credits_refunded: Option<bool>,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        let changes = Changes {
            failure: Some(reason),
            credits_refunded,
            eta_ms: Some(None),
            ..Changes::default()
        };
        self.move_to(id, JobState::Failed, changes, now_ms)
    }

    pub fn mark_outcome_unknown(
        &self,
        id: &JobId,
        reason: &str,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        let changes = Changes {
            failure: Some(reason),
            ..Changes::default()
        };
        self.move_to(id, JobState::OutcomeUnknown, changes, now_ms)
    }

    /// Venice's copy of a ready video was deleted (`/video/complete` or delete-on-completion).
    pub fn mark_venice_copy_deleted(&self, id: &JobId, now_ms: i64) -> Result<(), Error> {
        let updated = self.lock().execute(
            "UPDATE jobs SET venice_copy_deleted = 1, updated_at_ms = ?2 WHERE id = ?1",
            params![id.0, now_ms],
        )?;
        if updated == 0 {
            return Err(Error::JobNotFound(id.clone()));
        }
        Ok(())
    }

    /// Ready jobs whose copy on Venice was never released (the process stopped right after
    /// saving the video), oldest first.
    pub fn unreleased(&self) -> Result<Vec<JobRecord>, Error> {
        Ok(self
            .in_state(&[JobState::Ready])?
            .into_iter()
            .filter(|j| !j.venice_copy_deleted)
            .collect())
    }

    /// The user removed the video from the library: forget its files, keep the job.
    pub fn mark_removed(&self, id: &JobId, now_ms: i64) -> Result<JobRecord, Error> {
        let updated = self.lock().execute(
            "UPDATE jobs SET removed_at_ms = ?2, updated_at_ms = ?2, file_path = NULL,
                thumbnail_path = NULL WHERE id = ?1 AND state = 'ready'",
            params![id.0, now_ms],
        )?;
        if updated == 0 {
            return Err(Error::NoVideo(id.clone()));
        }
        self.get(id)
    }

    /// A job still `Submitting` after `grace_ms` was cut off mid queue call (the process that
    /// sent it stopped), so its outcome is unknown: it is never resubmitted. Younger ones belong to
    /// a submission still waiting for Venice's answer (in this or another process) and are left
    /// alone. Returns the jobs it marked.
    pub fn recover_stale_submissions(
        &self,
        now_ms: i64,
        grace_ms: i64,
    ) -> Result<Vec<JobRecord>, Error> {
        let cutoff = now_ms.saturating_sub(grace_ms);
        let stale: Vec<JobRecord> = self
            .in_state(&[JobState::Submitting])?
            .into_iter()
            .filter(|job| job.updated_at_ms <= cutoff)
            .collect();
        let mut marked = Vec::with_capacity(stale.len());
        for job in stale {
            match self.mark_outcome_unknown(
                &job.id,
                "The studio stopped while Venice was being asked to queue this video, so it is not \
                 known whether Venice accepted it (and charged for it). Check your Venice usage \
                 before trying again.",
                now_ms,
            ) {
                Ok(job) => marked.push(job),
                // The answer came in meanwhile: the submission settled it.
                Err(Error::IllegalMove { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(marked)
    }

    /// Jobs Venice still owes us (the poller drives these), oldest first.
    pub fn in_flight(&self) -> Result<Vec<JobRecord>, Error> {
        self.in_state(&[
            JobState::Queued,
            JobState::Processing,
            JobState::Downloading,
        ])
    }

    /// "Fetch again": a failed job whose video Venice may still hold (it has a queue id and its
    /// copy was never deleted) is queued for fetching again. Nothing is resubmitted or paid.
    pub fn refetch(&self, id: &JobId, now_ms: i64) -> Result<JobRecord, Error> {
        let job = self.get(id)?;
        if job.state != JobState::Failed || job.queue_id.is_none() || job.venice_copy_deleted {
            return Err(Error::CannotFetchAgain {
                id: id.clone(),
                why: if job.state != JobState::Failed {
                    format!("it is {}, not failed", job.state)
                } else if job.queue_id.is_none() {
                    "Venice never accepted it, so there is nothing to fetch".to_string()
                } else {
                    "Venice's copy was deleted".to_string()
                },
            });
        }
        let changes = Changes {
            download_url: job.download_url.as_deref(),
            progress: Some(0.0),
            eta_ms: Some(None),
            reopen: true,
            ..Changes::default()
        };
        self.move_to(id, JobState::Queued, changes, now_ms)
    }

    pub fn get(&self, id: &JobId) -> Result<JobRecord, Error> {
        get_in(&self.lock(), id)
    }

    /// Every job, newest first.
    pub fn list(&self) -> Result<Vec<JobRecord>, Error> {
        let sql = format!(
            "SELECT {} FROM jobs ORDER BY created_at_ms DESC, id",
            JobRecord::COLUMNS
        );
        let conn = self.lock();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([], JobRecord::from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Jobs in any of `states`, oldest first (filtered in SQL, on the state index).
    pub fn in_state(&self, states: &[JobState]) -> Result<Vec<JobRecord>, Error> {
        let placeholders = vec!["?"; states.len()].join(", ");
        let sql = format!(
            "SELECT {} FROM jobs WHERE state IN ({placeholders})
             ORDER BY created_at_ms ASC, id DESC",
            JobRecord::COLUMNS
        );
        let conn = self.lock();
        let mut stmt = conn.prepare(&sql)?;
        let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(names), JobRecord::from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// How many jobs are in any of `states` (the tray's count).
    pub fn count_in_state(&self, states: &[JobState]) -> Result<usize, Error> {
        let placeholders = vec!["?"; states.len()].join(", ");
        let sql = format!("SELECT COUNT(*) FROM jobs WHERE state IN ({placeholders})");
        let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let count: i64 = self
            .lock()
            .query_row(&sql, rusqlite::params_from_iter(names), |r| r.get(0))?;
        Ok(count.max(0) as usize)
    }

    /// Money Venice may have charged: in total, or for one session (see
    /// [`JobRecord::counts_as_spent`]; the same rule, in SQL).
    pub fn spent_usd(&self, session_id: Option<&str>) -> Result<f64, Error> {
        spent_in(&self.lock(), session_id)
    }

    /// Moves a job to `next` if its current state allows it, in one immediate transaction, so two
    /// tasks can never both act on the same move (e.g. both believe they queued the job).
    fn move_to(
        &self,
        id: &JobId,
        next: JobState,
        changes: Changes<'_>,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        {
            let mut conn = self.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT state, queue_id FROM jobs WHERE id = ?1",
                    params![id.0],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (current, known_queue_id) = row
                .and_then(|(s, q)| JobState::parse(&s).map(|s| (s, q)))
                .ok_or_else(|| Error::JobNotFound(id.clone()))?;
            // A job is one Venice job: its queue id, once known, never changes.
            let other_queue_id = matches!(
                (changes.queue_id, known_queue_id.as_deref()),
                (Some(new), Some(old)) if new != old
            );
            if !current.can_move_to(next) || other_queue_id {
                return Err(Error::IllegalMove {
                    id: id.clone(),
                    from: current,
                    to: next,
                });
            }
            let media = changes.media;
            tx.execute(
                "UPDATE jobs SET state = ?2, updated_at_ms = ?3,
                    queue_id = COALESCE(?4, queue_id),
                    download_url = COALESCE(?5, download_url),
                    progress = COALESCE(?6, progress),
                    eta_ms = CASE WHEN ?7 THEN ?8 ELSE eta_ms END,
                    failure = CASE WHEN ?17 THEN NULL ELSE COALESCE(?9, failure) END,
                    credits_refunded = CASE WHEN ?17 THEN NULL
                        ELSE COALESCE(?10, credits_refunded) END,
                    file_path = COALESCE(?11, file_path),
                    file_bytes = COALESCE(?12, file_bytes),
                    media_seconds = COALESCE(?13, media_seconds),
                    width = COALESCE(?14, width),
                    height = COALESCE(?15, height),
                    thumbnail_path = COALESCE(?16, thumbnail_path)
                 WHERE id = ?1",
                params![
                    id.0,
                    next.as_str(),
                    now_ms,
                    changes.queue_id,
                    changes.download_url,
                    changes.progress,
                    changes.eta_ms.is_some(),
                    changes.eta_ms.flatten(),
                    changes.failure,
                    changes.credits_refunded,
                    media.map(|m| m.path.display().to_string()),
                    media.map(|m| m.bytes as i64),
                    media.and_then(|m| m.seconds),
                    media.and_then(|m| m.width),
                    media.and_then(|m| m.height),
                    media.and_then(|m| m.thumbnail.as_ref().map(|t| t.display().to_string())),
                    changes.reopen || (current.is_settled() && next.is_in_flight()),
                ],
            )?;
            tx.commit()?;
        }
        self.get(id)
    }
}

#[cfg(test)]
mod tests;
