//! One task drives every unfinished job: a retrieve per job every poll interval, under the shared
//! rate limit and failure budget, with backoff on transient errors, and delivery when the video
//! arrives. On start it resumes whatever the ledger says Venice still owes us.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use venice::{ErrorClass, RetrieveOutcome, RetrieveVideoRequest, UserAction};

use super::{Shared, Studio, deliver};
use crate::Error;
use crate::events::JobEvent;
use crate::ledger::{JobId, JobRecord};

/// After this many 500s in a row Venice's word that inference failed is taken as final.
const MAX_SERVER_FAILURES: u32 = 5;
/// Say a job is stalled only once transient errors repeat, not on the first hiccup.
const STALLED_AFTER: u32 = 3;

/// The running poller. Dropping it (or [`PollerHandle::stop`]) stops polling; the ledger keeps
/// every job, so the next start resumes them.
#[derive(Debug)]
pub struct PollerHandle {
    task: tokio::task::JoinHandle<()>,
    /// Held while polling: only one engine at a time may recover and drive these jobs.
    _lock: std::fs::File,
}

impl PollerHandle {
    /// Stops polling (the same as dropping the handle).
    pub fn stop(self) {}
}

impl Drop for PollerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What to do with a job after one poll.
#[derive(Debug)]
pub(super) enum Next {
    /// Poll again after the delay; `failures` counts transient errors in a row.
    Again {
        after: Duration,
        failures: u32,
        server_failures: u32,
        /// Files Venice sent that were not a whole, playable video (not dropped connections).
        bad_files: u32,
    },
    /// The job is settled (or no longer ours to poll).
    Done,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Schedule {
    due: Instant,
    pub failures: u32,
    pub server_failures: u32,
    pub bad_files: u32,
}

impl Schedule {
    fn now() -> Self {
        Schedule {
            due: Instant::now(),
            failures: 0,
            server_failures: 0,
            bad_files: 0,
        }
    }
}

impl Studio {
    /// Recovers the ledger after a restart (a submission cut off by a stop becomes
    /// outcome-unknown, never resubmitted), clears half-written downloads, and starts polling
    /// every job Venice still owes us. New jobs join at once when queued through this engine, and
    /// within [`crate::EngineConfig::ledger_sweep`] when another process (the CLI, an engine being
    /// replaced) wrote them to the ledger.
    pub fn start_poller(&self) -> Result<PollerHandle, Error> {
        let shared = Arc::clone(self.shared());
        // One poller per data folder: two would poll (and recover) the same jobs.
        let lock = lock_data_dir(&shared)?;
        let grace = self.submission_grace();
        deliver::prepare_media_dir(&shared)?;
        let (tracker, new_jobs) = mpsc::unbounded_channel();
        *shared.tracker.lock().unwrap_or_else(|p| p.into_inner()) = Some(tracker);
        // Venice's usage settles what it can of the outcome-unknown jobs (never requeueing).
        super::settle::settle_on_start(self);
        let task = tokio::spawn(async move {
            look_back(&shared).await;
            run(shared, new_jobs, grace).await;
        });
        Ok(PollerHandle { task, _lock: lock })
    }
}

/// Before polling: outcome-unknown jobs from before are shown again (the sweep adds any it
/// settles now), and videos saved just before the last stop whose copy is still on Venice are
/// released. The ledger is read off the async workers.
async fn look_back(shared: &Arc<Shared>) {
    let delete = shared.config.delete_media_on_completion;
    let found = shared
        .db(move |ledger, _| {
            let unknown = ledger.in_state(&[crate::JobState::OutcomeUnknown])?;
            let unreleased = if delete {
                ledger.unreleased()?
            } else {
                Vec::new()
            };
            Ok((unknown, unreleased))
        })
        .await;
    let (unknown, unreleased) = match found {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "could not look up the jobs left from before");
            return;
        }
    };
    for job in unknown {
        let reason = job.failure.clone().unwrap_or_default();
        shared.emit(JobEvent::OutcomeUnknown { id: job.id, reason });
    }
    if !unreleased.is_empty() {
        let releaser = Arc::clone(shared);
        tokio::spawn(async move {
            for job in unreleased {
                deliver::release_venice_copy(&releaser, &job).await;
            }
        });
    }
}

/// What one look at the ledger found: submissions nobody will answer any more, and the jobs
/// Venice owes us.
struct Sweep {
    recovered: Vec<JobRecord>,
    in_flight: Vec<JobRecord>,
}

/// Reads the ledger off the async workers (SQLite blocks).
async fn sweep(shared: &Arc<Shared>, grace: Duration) -> Result<Sweep, Error> {
    let grace_ms = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
    shared
        .db(move |ledger, now| {
            Ok(Sweep {
                recovered: ledger.recover_stale_submissions(now, grace_ms)?,
                in_flight: ledger.in_flight()?,
            })
        })
        .await
}

fn lock_data_dir(shared: &Shared) -> Result<std::fs::File, Error> {
    let path = shared.paths.data_dir.join("engine.lock");
    let io = |source| Error::Io {
        action: "lock",
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&shared.paths.data_dir).map_err(io)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(Error::AlreadyRunning(shared.paths.data_dir.clone()))
        }
        Err(std::fs::TryLockError::Error(source)) => Err(io(source)),
    }
}

async fn run(shared: Arc<Shared>, mut new_jobs: mpsc::UnboundedReceiver<JobId>, grace: Duration) {
    let max_parallel = shared.config.max_parallel_retrieves.max(1);
    let mut waiting: HashMap<JobId, Schedule> = HashMap::new();
    let mut running: JoinSet<Next> = JoinSet::new();
    let mut running_ids: HashMap<tokio::task::Id, (JobId, Schedule)> = HashMap::new();
    // The first tick is at once: it picks up every job the ledger says is in flight.
    let mut sweeps =
        tokio::time::interval(shared.config.ledger_sweep.max(Duration::from_millis(10)));
    sweeps.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut first_sweep = true;
    loop {
        let now = Instant::now();
        let mut due: Vec<(Instant, JobId)> = waiting
            .iter()
            .filter(|(_, s)| s.due <= now)
            .map(|(id, s)| (s.due, id.clone()))
            .collect();
        due.sort();
        for (_, id) in due
            .into_iter()
            .take(max_parallel.saturating_sub(running.len()))
        {
            if let Some(schedule) = waiting.remove(&id) {
                let handle = running.spawn(poll_once(Arc::clone(&shared), id.clone(), schedule));
                running_ids.insert(handle.id(), (id, schedule));
            }
        }
        let next_due = waiting.values().map(|s| s.due).min();
        let room = running.len() < max_parallel;
        let known = |waiting: &HashMap<JobId, Schedule>,
                     running_ids: &HashMap<tokio::task::Id, (JobId, Schedule)>,
                     id: &JobId| {
            waiting.contains_key(id) || running_ids.values().any(|(r, _)| r == id)
        };
        tokio::select! {
            received = new_jobs.recv() => match received {
                Some(id) if !known(&waiting, &running_ids, &id) => {
                    waiting.insert(id, Schedule::now());
                }
                Some(_) => {}
                None if waiting.is_empty() && running.is_empty() => return,
                None => {}
            },
            _ = sweeps.tick() => match sweep(&shared, grace).await {
                Ok(found) => {
                    for job in found.recovered {
                        let reason = job.failure.clone().unwrap_or_default();
                        shared.emit(JobEvent::OutcomeUnknown { id: job.id, reason });
                    }
                    for job in found.in_flight {
                        if known(&waiting, &running_ids, &job.id) {
                            continue;
                        }
                        // Queued elsewhere (the CLI, an engine that was replaced): say it exists.
                        if !first_sweep && let Some(queue_id) = job.queue_id.clone() {
                            shared.emit(JobEvent::Queued { id: job.id.clone(), queue_id });
                        }
                        waiting.insert(job.id, Schedule::now());
                    }
                    first_sweep = false;
                }
                Err(error) => tracing::warn!(%error, "could not read the ledger for new jobs"),
            },
            Some(joined) = running.join_next_with_id(), if !running.is_empty() => {
                let (task_id, next) = match joined {
                    Ok((task_id, next)) => (task_id, next),
                    Err(error) => {
                        tracing::error!(%error, "a poll task failed; polling that job again later");
                        (error.id(), Next::Again { after: shared.config.poll_interval, failures: 1, server_failures: 0, bad_files: 0 })
                    }
                };
                if let Some((id, _)) = running_ids.remove(&task_id)
                    && let Next::Again { after, failures, server_failures, bad_files } = next
                {
                    waiting.insert(id, Schedule { due: Instant::now() + after, failures, server_failures, bad_files });
                }
            },
            _ = sleep_until(next_due), if room && next_due.is_some() => {},
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// One retrieve for one job, and whatever it leads to.
async fn poll_once(shared: Arc<Shared>, id: JobId, schedule: Schedule) -> Next {
    let job = match shared.db(move |ledger, _| ledger.get(&id)).await {
        Ok(job) if job.state.is_in_flight() => job,
        _ => return Next::Done,
    };
    let Some(queue_id) = job.queue_id.clone() else {
        return Next::Done;
    };
    shared.limits.retrieve.acquire().await;
    let permit = shared.failures.acquire().await;
    // Never `delete_media_on_completion`: Venice would delete its copy as soon as this request
    // completes, before we know the body arrived whole. Delete-after-download is a
    // `/video/complete` once our file is verified and recorded (deliver::finish).
    let request = RetrieveVideoRequest::new(&job.params.model, &queue_id);
    let dest = deliver::destination(&shared, &job);
    let reporter = deliver::DownloadReporter::new(&shared, &job);
    let on_progress = |received, total| reporter.report(received, total);
    let result = shared
        .client
        .video()
        .retrieve_with_progress(&request, &dest, &on_progress)
        .await;
    let answer = match result {
        Ok(answer) => answer,
        Err(error) => {
            permit.failed();
            return on_error(&shared, &job, error, schedule).await;
        }
    };
    drop(permit);
    let rate = &answer.meta.rate_limit;
    shared.limits.retrieve.observe(
        rate.limit_requests.map(|v| v as u32),
        rate.remaining_requests.map(|v| v as u32),
        answer.meta.rate_limit_delay(std::time::SystemTime::now()),
    );
    match answer.value {
        RetrieveOutcome::Processing {
            average_execution_time_ms,
            execution_duration_ms,
        } => {
            let progress = if average_execution_time_ms > 0.0 {
                execution_duration_ms / average_execution_time_ms
            } else {
                0.0
            };
            let eta_ms = (average_execution_time_ms - execution_duration_ms).max(0.0) as i64;
            let id = job.id.clone();
            match shared
                .db(move |ledger, now| ledger.record_progress(&id, progress, Some(eta_ms), now))
                .await
            {
                Ok(job) => shared.emit(JobEvent::Progress {
                    id: job.id,
                    percent: (job.progress * 100.0).round(),
                    eta_ms: Some(eta_ms),
                }),
                Err(e) => tracing::warn!(error = %e, "could not record progress"),
            }
            Next::Again {
                after: shared.config.poll_interval,
                failures: 0,
                server_failures: 0,
                bad_files: schedule.bad_files,
            }
        }
        RetrieveOutcome::Video(saved) => {
            deliver::finish(&shared, &job, &saved.path, schedule).await
        }
        RetrieveOutcome::CompletedAtUrl => match job.download_url.clone() {
            Some(url) => download_from_url(&shared, &job, &url, &dest, schedule).await,
            None => deliver::fail(
                &shared,
                &job,
                "Venice says the video is ready but gave no download link when it was queued, so \
                 it cannot be fetched. Contact Venice support with the job's queue id."
                    .into(),
                None,
            )
            .await,
        },
    }
}

async fn download_from_url(
    shared: &Arc<Shared>,
    job: &JobRecord,
    url: &str,
    dest: &std::path::Path,
    schedule: Schedule,
) -> Next {
    let id = job.id.clone();
    if let Ok(job) = shared
        .db(move |ledger, now| ledger.mark_downloading(&id, now))
        .await
    {
        shared.emit(JobEvent::Downloading {
            id: job.id,
            bytes: 0,
            total: None,
        });
    }
    let permit = shared.failures.acquire().await;
    match shared.client.video().download(url, dest).await {
        Ok(answer) => {
            drop(permit);
            deliver::finish(shared, job, &answer.value.path, schedule).await
        }
        Err(error) => {
            permit.failed();
            on_error(shared, job, error, schedule).await
        }
    }
}

/// Decides what a failed retrieve means for the job.
async fn on_error(
    shared: &Arc<Shared>,
    job: &JobRecord,
    error: venice::Error,
    schedule: Schedule,
) -> Next {
    let failures = schedule.failures + 1;
    let server_failures = if error.status() == Some(500) {
        schedule.server_failures + 1
    } else {
        0
    };
    let bad_files = schedule.bad_files;
    let backoff = |shared: &Arc<Shared>| Next::Again {
        after: shared.backoff.backoff(failures),
        failures,
        server_failures,
        bad_files,
    };
    match &error {
        // Something that is not the video came instead: fetch again, but not forever. Only these
        // count towards giving up; a dropped connection is no sign the video is broken.
        venice::Error::NotMp4 { .. } | venice::Error::BadMp4 { .. } => {
            let bad_files = bad_files + 1;
            if bad_files >= deliver::MAX_BAD_FILES {
                let reason =
                    format!("Venice kept sending a file that is not a playable video: {error}");
                return deliver::fail(shared, job, reason, None).await;
            }
            return Next::Again {
                after: shared.backoff.backoff(failures),
                failures,
                server_failures,
                bad_files,
            };
        }
        // The video may well still be there: a status we do not know, an answer we could not
        // read, or a local disk problem is no reason to give up a paid job. Say so, keep trying.
        venice::Error::UnknownStatus { .. }
        | venice::Error::InvalidResponse { .. }
        | venice::Error::Io { .. } => {
            stalled(shared, job, &error);
            return backoff(shared);
        }
        _ => {}
    }
    match error.class() {
        ErrorClass::Permanent => {
            let gone = error.status() == Some(404);
            let reason = if gone {
                "Venice no longer has this video: it expired or was deleted before the studio \
                 could save it. Generate it again."
                    .to_string()
            } else {
                error.to_string()
            };
            if gone {
                // Nothing left to fetch again: the job must not offer it.
                let id = job.id.clone();
                if let Err(e) = shared
                    .db(move |ledger, now| ledger.mark_venice_copy_deleted(&id, now))
                    .await
                {
                    tracing::warn!(job = %job.id, error = %e, "could not record that Venice's copy is gone");
                }
            }
            deliver::fail(shared, job, reason, error.credits_refunded()).await
        }
        ErrorClass::NeedsUser(UserAction::ChangePrompt) => {
            deliver::fail(shared, job, error.to_string(), error.credits_refunded()).await
        }
        ErrorClass::NeedsUser(_) => {
            stalled(shared, job, &error);
            let after = (shared.config.poll_interval * 6).max(Duration::from_secs(60));
            Next::Again {
                after,
                failures,
                server_failures,
                bad_files,
            }
        }
        ErrorClass::RetryAfter(delay) => {
            shared.limits.retrieve.hold_for(delay);
            Next::Again {
                after: delay,
                failures,
                server_failures,
                bad_files,
            }
        }
        ErrorClass::RetryWithBackoff | ErrorClass::OutcomeUnknown => {
            if server_failures >= MAX_SERVER_FAILURES {
                let reason = format!("Venice could not generate this video: {error}");
                return deliver::fail(shared, job, reason, error.credits_refunded()).await;
            }
            if failures >= STALLED_AFTER {
                stalled(shared, job, &error);
            }
            backoff(shared)
        }
    }
}

fn stalled(shared: &Shared, job: &JobRecord, error: &venice::Error) {
    shared.emit(JobEvent::Stalled {
        id: job.id.clone(),
        reason: error.to_string(),
    });
}
