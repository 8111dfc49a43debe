//! Following jobs while the poller brings them home: an indicatif bar per job on a terminal
//! (percent and ETA while Venice works, bytes while the video downloads), plain lines otherwise.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use studio_core::{JobEvent, JobId, JobRecord, Studio};
use tokio::sync::broadcast;

use crate::exit::{Code, Failure};
use crate::output::{Out, eta, short_id};

/// One bar (or plain line writer) per job.
struct Display {
    multi: MultiProgress,
    bars: HashMap<JobId, ProgressBar>,
    /// Plain lines when stderr is not a terminal (and not `--json`).
    plain: bool,
    last_step: HashMap<JobId, i64>,
}

impl Display {
    fn new(out: Out, jobs: &[JobRecord]) -> Self {
        let tty = std::io::stderr().is_terminal();
        let target = if out.json || !tty {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let multi = MultiProgress::with_draw_target(target);
        let style = ProgressStyle::with_template("{prefix} [{bar:30.cyan/blue}] {pos:>3}% {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let mut bars = HashMap::new();
        for job in jobs {
            let bar = multi.add(ProgressBar::new(100));
            bar.set_style(style.clone());
            bar.set_prefix(format!("{} {}", short_id(&job.id.0), job.params.model));
            bar.set_position((job.progress * 100.0).round() as u64);
            bar.set_message(job.state.to_string());
            bar.enable_steady_tick(Duration::from_millis(250));
            bars.insert(job.id.clone(), bar);
        }
        Self {
            multi,
            bars,
            plain: !out.json && !tty,
            last_step: HashMap::new(),
        }
    }

    fn plain_line(&mut self, id: &JobId, text: String, step: Option<i64>) {
        if !self.plain {
            return;
        }
        if let Some(step) = step {
            if self.last_step.get(id) == Some(&step) {
                return;
            }
            self.last_step.insert(id.clone(), step);
        }
        eprintln!("{} {text}", short_id(&id.0));
    }

    fn apply(&mut self, event: &JobEvent) {
        let id = event.job_id().clone();
        let Some(bar) = self.bars.get(&id).cloned() else {
            return;
        };
        match event {
            JobEvent::Queued { .. } => bar.set_message("queued"),
            JobEvent::Progress {
                percent, eta_ms, ..
            } => {
                bar.set_position(percent.clamp(0.0, 99.0) as u64);
                let msg = eta_ms
                    .map(|ms| format!("ETA {}", eta(ms)))
                    .unwrap_or_default();
                bar.set_message(msg.clone());
                let step = (*percent as i64) / 25;
                self.plain_line(&id, format!("processing {percent:.0}% {msg}"), Some(step));
            }
            JobEvent::Downloading { bytes, total, .. } => {
                bar.set_position(99);
                let msg = match total {
                    Some(t) => format!("downloading {} / {}", HumanBytes(*bytes), HumanBytes(*t)),
                    None => format!("downloading {}", HumanBytes(*bytes)),
                };
                bar.set_message(msg);
                self.plain_line(&id, "downloading".into(), Some(100));
            }
            JobEvent::Ready { .. } => {
                bar.set_position(100);
                bar.finish_with_message("ready");
                self.plain_line(&id, "ready".into(), None);
            }
            JobEvent::Failed { reason, .. } => {
                bar.abandon_with_message("failed");
                self.plain_line(&id, format!("failed: {reason}"), None);
            }
            JobEvent::OutcomeUnknown { .. } => {
                bar.abandon_with_message("outcome unknown");
                self.plain_line(&id, "outcome unknown".into(), None);
            }
            JobEvent::Stalled { reason, .. } => {
                bar.set_message(format!("waiting: {reason}"));
                self.plain_line(&id, format!("waiting: {reason}"), Some(-1));
            }
        }
    }

    fn close(&self) {
        for bar in self.bars.values() {
            if !bar.is_finished() {
                bar.abandon();
            }
        }
        let _ = self.multi.clear();
    }
}

fn interrupted() -> Failure {
    Failure::new(
        Code::Interrupted,
        "Stopped waiting. The jobs go on at Venice and stay in the ledger; `studio resume --wait` \
         fetches them.",
    )
}

/// Shows progress until every job in `jobs` is settled; returns their final records.
/// `events` must have been subscribed before the poller started.
pub async fn wait(
    studio: &Studio,
    jobs: &[JobRecord],
    mut events: broadcast::Receiver<JobEvent>,
    out: Out,
) -> Result<Vec<JobRecord>, Failure> {
    let ids: Vec<JobId> = jobs.iter().map(|j| j.id.clone()).collect();
    let mut display = Display::new(out, jobs);
    let settled = studio.wait_until_settled(&ids);
    tokio::pin!(settled);
    let result = loop {
        tokio::select! {
            done = &mut settled => break done.map_err(Failure::from),
            event = events.recv() => {
                if let Ok(event) = event {
                    display.apply(&event);
                }
            }
            _ = tokio::signal::ctrl_c() => break Err(interrupted()),
        }
    };
    display.close();
    let jobs = result?;
    Ok(let_venice_release(studio, jobs).await)
}

/// With delete-after-download the engine tells Venice to delete its copy right after a video is
/// marked ready; give that call a moment to finish before the process exits (the video is safe
/// either way).
async fn let_venice_release(studio: &Studio, mut jobs: Vec<JobRecord>) -> Vec<JobRecord> {
    if !studio.config().delete_media_on_completion {
        return jobs;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let pending = jobs
            .iter()
            .any(|j| j.state == studio_core::JobState::Ready && !j.venice_copy_deleted);
        if !pending || tokio::time::Instant::now() >= deadline {
            return jobs;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        for job in &mut jobs {
            if let Ok(fresh) = studio.job(&job.id.0) {
                *job = fresh;
            }
        }
    }
}

/// One look at every job: waits until each has been polled once, and lets any download that
/// started finish. Gives up waiting after `limit` (the jobs simply stay in flight).
pub async fn refresh(
    studio: &Studio,
    jobs: &[JobRecord],
    mut events: broadcast::Receiver<JobEvent>,
    out: Out,
    limit: Duration,
) -> Result<Vec<JobRecord>, Failure> {
    let mut display = Display::new(out, jobs);
    let mut unseen: HashSet<JobId> = jobs.iter().map(|j| j.id.clone()).collect();
    let mut downloading: HashSet<JobId> = HashSet::new();
    let deadline = tokio::time::Instant::now() + limit;
    while !unseen.is_empty() || !downloading.is_empty() {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => {
                    display.apply(&event);
                    let id = event.job_id().clone();
                    unseen.remove(&id);
                    if matches!(event, JobEvent::Downloading { .. }) {
                        downloading.insert(id);
                    } else if event.is_final() {
                        downloading.remove(&id);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = tokio::time::sleep_until(deadline) => break,
            _ = tokio::signal::ctrl_c() => { display.close(); return Err(interrupted()); }
        }
    }
    display.close();
    let jobs = jobs
        .iter()
        .map(|j| studio.job(&j.id.0).map_err(Failure::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(let_venice_release(studio, jobs).await)
}
