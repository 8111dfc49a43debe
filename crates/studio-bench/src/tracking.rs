//! Phase 1 and 3: many jobs tracked at once by the engine's poller (peak request rates seen by the
//! double, RSS, CPU, wall time), the gap from the retrieve that delivered each MP4 to the engine's
//! `Ready` event, and the same jobs fetched by a bare client loop as the reference.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use studio_core::limiter::{DEFAULT_RETRIEVE_PER_MINUTE, RateLimiter};
use studio_core::{EngineConfig, JobEvent, JobId, Ledger, Studio, StudioPaths};
use tokio::runtime::Handle;
use tokio::sync::{broadcast, watch};
use venice::{CompleteVideoRequest, RetrieveOutcome, RetrieveVideoRequest};
use venice_sim::{Endpoint, SimConfig, VeniceSim};

use crate::procstat::{self, CpuTimes};
use crate::rig::{self, Fail, SIM_THREAD, Seeded, T2V};
use crate::stats::{self, Spread};

#[derive(Debug, Clone)]
pub struct Options {
    pub jobs: usize,
    /// Stop measuring after this long even if jobs remain.
    pub minutes: Option<f64>,
    pub job_duration: Duration,
    pub poll_interval: Duration,
    pub ffmpeg: PathBuf,
    pub work: PathBuf,
}

/// CPU seconds over a phase, split by who spent them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CpuSplit {
    /// The whole process (user + system), double included.
    pub process_s: f64,
    pub user_s: f64,
    pub system_s: f64,
    /// The in-process double's runtime threads.
    pub double_s: f64,
    /// Everything but the double: engine, client, ledger, bench bookkeeping.
    pub engine_side_s: f64,
    /// Waited-for child processes (ffmpeg thumbnails).
    pub children_s: f64,
}

impl CpuSplit {
    fn between(before: (CpuTimes, f64), after: (CpuTimes, f64)) -> CpuSplit {
        let d = after.0.since(&before.0);
        let double_s = (after.1 - before.1).max(0.0);
        CpuSplit {
            process_s: d.own(),
            user_s: d.user,
            system_s: d.system,
            double_s,
            engine_side_s: (d.own() - double_s).max(0.0),
            children_s: d.children,
        }
    }
}

fn cpu_mark() -> (CpuTimes, f64) {
    let sim = procstat::cpu_by_thread_name()
        .into_iter()
        .filter(|(name, _)| name.starts_with(SIM_THREAD))
        .map(|(_, s)| s)
        .sum();
    (CpuTimes::now(), sim)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RateFigures {
    pub retrieves: usize,
    pub retrieve_peak_per_60s: usize,
    pub retrieve_peak_window_start_s: f64,
    pub retrieve_limit_per_min: u32,
    /// The most retrieves in any 5 s (how bursty the sliding window lets the poller be).
    pub retrieve_peak_per_5s: usize,
    /// The shortest time in which limit + 1 retrieves arrived (ms; ≥ 60 000 means the limit held
    /// at the double), with the first and last arrival of that run (s after the phase start).
    pub retrieve_tightest_limit_plus_one_ms: Option<f64>,
    pub retrieve_tightest_from_s: Option<f64>,
    pub retrieve_tightest_to_s: Option<f64>,
    pub retrieves_per_minute: Vec<usize>,
    pub queues: usize,
    pub queue_peak_per_60s: usize,
    pub completes: usize,
    pub non_200_retrieves: usize,
}

fn rates(sim: &VeniceSim, since: Instant, until: Instant) -> RateFigures {
    let window = |endpoint| -> Vec<venice_sim::RecordedRequest> {
        rig::arrivals(sim, endpoint, since)
            .into_iter()
            .filter(|r| r.at <= until)
            .collect()
    };
    let retrieves = window(Endpoint::VideoRetrieve);
    let queues = window(Endpoint::VideoQueue);
    let at = |rs: &[venice_sim::RecordedRequest]| rs.iter().map(|r| r.at).collect::<Vec<_>>();
    let (peak, start) = stats::peak_in_window(&at(&retrieves), Duration::from_secs(60), since);
    let (peak5, _) = stats::peak_in_window(&at(&retrieves), Duration::from_secs(5), since);
    let tight = stats::tightest_span(
        &at(&retrieves),
        DEFAULT_RETRIEVE_PER_MINUTE as usize + 1,
        since,
    );
    RateFigures {
        retrieves: retrieves.len(),
        retrieve_peak_per_60s: peak,
        retrieve_peak_window_start_s: start,
        retrieve_limit_per_min: DEFAULT_RETRIEVE_PER_MINUTE,
        retrieve_peak_per_5s: peak5,
        retrieve_tightest_limit_plus_one_ms: tight.map(|t| t.0),
        retrieve_tightest_from_s: tight.map(|t| t.1),
        retrieve_tightest_to_s: tight.map(|t| t.2),
        retrieves_per_minute: stats::per_minute(&at(&retrieves), since),
        queues: queues.len(),
        queue_peak_per_60s: stats::peak_in_window(&at(&queues), Duration::from_secs(60), since).0,
        completes: window(Endpoint::VideoComplete).len(),
        non_200_retrieves: retrieves.iter().filter(|r| r.status != 200).count(),
    }
}

/// For each queue id, when the double received the last retrieve it answered 200 (the one that
/// delivered the MP4: after it the engine only calls `/video/complete`).
fn delivering_retrieves(sim: &VeniceSim, since: Instant) -> HashMap<String, Instant> {
    let mut last = HashMap::new();
    for r in rig::arrivals(sim, Endpoint::VideoRetrieve, since) {
        if r.status == 200
            && let Some(q) = rig::queue_id_of(&r)
        {
            last.insert(q.to_string(), r.at);
        }
    }
    last
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Memory {
    pub rss_before_kb: u64,
    pub rss_after_kb: u64,
    pub rss_growth_kb: i64,
    /// Highest RSS sampled once a second during the phase.
    pub rss_peak_sampled_kb: u64,
    /// The kernel's peak RSS since it was reset at the start of the phase.
    pub vm_hwm_kb: u64,
    pub hwm_reset: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EngineReport {
    pub jobs: usize,
    pub job_duration_s: f64,
    pub poll_interval_s: f64,
    pub thumbnails_with: String,
    pub seeding_s: f64,
    pub stopped_after_minutes: Option<f64>,
    pub completed: usize,
    pub failed: usize,
    pub wall_s: f64,
    /// Wall time until every job was ready (when all were).
    pub all_ready_s: Option<f64>,
    pub rates: RateFigures,
    pub cpu: CpuSplit,
    pub engine_cpu_ms_per_job: f64,
    pub memory: Memory,
    /// Retrieve that delivered the MP4 → `Ready` event.
    pub retrieve_to_ready: Spread,
    /// Retrieve → last `Downloading` event (the body is in; before fsync, probe, thumbnail).
    pub retrieve_to_body_in: Spread,
    /// Last `Downloading` event → `Ready` (fsync, rename, probe, thumbnail, ledger).
    pub body_in_to_ready: Spread,
    pub events_lagged: u64,
    /// One pass of `Studio::job` over every job id (what `wait_until_settled` does per event).
    pub ledger_scan_ms: f64,
}

#[derive(Debug, Default)]
struct Seen {
    body_in: Option<Instant>,
    ready: Option<Instant>,
    failed: Option<String>,
}

#[derive(Debug, Default)]
struct Collected {
    jobs: HashMap<JobId, Seen>,
    lagged: u64,
}

/// Records when each job's events arrive; publishes how many jobs have settled.
fn collect(
    mut rx: broadcast::Receiver<JobEvent>,
    into: Arc<Mutex<Collected>>,
    settled: watch::Sender<usize>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut count = 0;
        loop {
            let event = match rx.recv().await {
                Ok(event) => event,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    into.lock().unwrap_or_else(|p| p.into_inner()).lagged += n;
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let now = Instant::now();
            let mut c = into.lock().unwrap_or_else(|p| p.into_inner());
            let seen = c.jobs.entry(event.job_id().clone()).or_default();
            match &event {
                JobEvent::Downloading { bytes, total, .. } if Some(*bytes) == *total => {
                    seen.body_in = Some(now)
                }
                JobEvent::Ready { .. } => seen.ready = Some(now),
                JobEvent::Failed { reason, .. } | JobEvent::OutcomeUnknown { reason, .. } => {
                    seen.failed = Some(reason.clone())
                }
                _ => {}
            }
            if event.is_final() {
                count += 1;
                let _ = settled.send(count);
            }
        }
    })
}

fn gaps(pairs: impl Iterator<Item = (Option<Instant>, Option<Instant>)>) -> Spread {
    let d: Vec<Duration> = pairs
        .filter_map(|(a, b)| Some(b?.saturating_duration_since(a?)))
        .collect();
    Spread::of(&d)
}

pub async fn run_engine(sim_rt: &Handle, opts: &Options) -> Result<EngineReport, Fail> {
    let sim = rig::start_sim(
        sim_rt,
        SimConfig {
            job_duration: opts.job_duration,
            balance_usd: 1e9,
            ..SimConfig::default()
        },
    )
    .await?;
    let dir = tempfile::tempdir_in(&opts.work)?;
    let paths = StudioPaths::under(dir.path());
    let client = rig::client_for(&sim)?;

    eprintln!(
        "[tracking] seeding {} queued jobs into the ledger (client queue calls, no limiter)…",
        opts.jobs
    );
    let ledger = Ledger::open(&paths.ledger())?;
    let (seeded, seeding) = rig::seed(&client, Some(&ledger), opts.jobs).await?;
    drop(ledger);
    let job_of: HashMap<String, JobId> = seeded
        .iter()
        .filter_map(|s: &Seeded| Some((s.queue_id.clone(), s.job.clone()?)))
        .collect();
    // With a short job_duration every seeded job is ready on the double before polling starts,
    // so each needs one retrieve (a job's clock starts at its queue call; the last one was just now).
    tokio::time::sleep(opts.job_duration + Duration::from_millis(100)).await;

    let config = EngineConfig {
        poll_interval: opts.poll_interval,
        ffmpeg: opts.ffmpeg.clone(),
        ..EngineConfig::default()
    };
    let studio = Studio::open(client, paths, config)?;
    let collected = Arc::new(Mutex::new(Collected::default()));
    let (settled_tx, mut settled_rx) = watch::channel(0usize);
    let collector = collect(studio.subscribe(), Arc::clone(&collected), settled_tx);

    let hwm_reset = procstat::reset_peak_rss();
    let rss_before = procstat::status_kb("VmRSS").unwrap_or(0);
    let peak_rss = Arc::new(std::sync::atomic::AtomicU64::new(rss_before));
    let sampler = {
        let peak = Arc::clone(&peak_rss);
        tokio::spawn(async move {
            loop {
                if let Some(kb) = procstat::status_kb("VmRSS") {
                    peak.fetch_max(kb, std::sync::atomic::Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    let cpu_before = cpu_mark();
    let t0 = Instant::now();
    let poller = studio.start_poller()?;

    let deadline = opts.minutes.map(|m| t0 + Duration::from_secs_f64(m * 60.0));
    // Generous cap: the limiter alone needs jobs / 110 minutes.
    let cap = t0
        + Duration::from_secs(
            120 + 60 * (opts.jobs as u64 * 3 / DEFAULT_RETRIEVE_PER_MINUTE as u64 + 1),
        );
    let mut all_ready = None;
    let mut last_print = t0;
    loop {
        let settled = *settled_rx.borrow();
        if settled >= opts.jobs {
            all_ready = Some(t0.elapsed());
            break;
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) || now >= cap {
            break;
        }
        if now.duration_since(last_print) >= Duration::from_secs(15) {
            last_print = now;
            eprintln!(
                "[tracking] {:>5.0} s: {settled}/{} settled, {} retrieves so far",
                t0.elapsed().as_secs_f64(),
                opts.jobs,
                sim.count(Endpoint::VideoRetrieve)
            );
        }
        let wake = deadline
            .map_or(cap, |d| d.min(cap))
            .min(now + Duration::from_secs(1));
        let _ = tokio::time::timeout_at(wake.into(), settled_rx.changed()).await;
    }
    let t_end = Instant::now();
    let cpu_after = cpu_mark();
    let rss_after = procstat::status_kb("VmRSS").unwrap_or(0);
    let vm_hwm = procstat::status_kb("VmHWM").unwrap_or(0);
    drop(poller);
    sampler.abort();

    let ledger_scan_ms = {
        let t = Instant::now();
        for id in job_of.values() {
            let _ = studio.job(&id.0);
        }
        t.elapsed().as_secs_f64() * 1000.0
    };

    let delivered = delivering_retrieves(&sim, t0);
    let report = {
        let c = collected.lock().unwrap_or_else(|p| p.into_inner());
        let completed = c.jobs.values().filter(|s| s.ready.is_some()).count();
        let failed = c.jobs.values().filter(|s| s.failed.is_some()).count();
        if let Some(reason) = c.jobs.values().find_map(|s| s.failed.clone()) {
            eprintln!("[tracking] a job failed: {reason}");
        }
        let triples: Vec<(Option<Instant>, Option<Instant>, Option<Instant>)> = job_of
            .iter()
            .map(|(queue_id, id)| {
                let seen = c.jobs.get(id);
                (
                    delivered.get(queue_id).copied(),
                    seen.and_then(|s| s.body_in),
                    seen.and_then(|s| s.ready),
                )
            })
            .filter(|(_, _, ready)| ready.is_some())
            .collect();
        let cpu = CpuSplit::between(cpu_before, cpu_after);
        EngineReport {
            jobs: opts.jobs,
            job_duration_s: opts.job_duration.as_secs_f64(),
            poll_interval_s: opts.poll_interval.as_secs_f64(),
            thumbnails_with: opts.ffmpeg.display().to_string(),
            seeding_s: seeding.as_secs_f64(),
            stopped_after_minutes: opts.minutes,
            completed,
            failed,
            wall_s: t_end.duration_since(t0).as_secs_f64(),
            all_ready_s: all_ready.map(|d| d.as_secs_f64()),
            rates: rates(&sim, t0, t_end),
            engine_cpu_ms_per_job: stats::ratio(cpu.engine_side_s * 1000.0, completed as f64),
            cpu,
            memory: Memory {
                rss_before_kb: rss_before,
                rss_after_kb: rss_after,
                rss_growth_kb: rss_after as i64 - rss_before as i64,
                rss_peak_sampled_kb: peak_rss.load(std::sync::atomic::Ordering::Relaxed),
                vm_hwm_kb: vm_hwm,
                hwm_reset,
            },
            retrieve_to_ready: gaps(triples.iter().map(|(r, _, ready)| (*r, *ready))),
            retrieve_to_body_in: gaps(triples.iter().map(|(r, b, _)| (*r, *b))),
            body_in_to_ready: gaps(triples.iter().map(|(_, b, ready)| (*b, *ready))),
            events_lagged: c.lagged,
            ledger_scan_ms,
        }
    };
    collector.abort();
    drop(studio);
    sim.shutdown().await;
    Ok(report)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReferenceReport {
    pub jobs: usize,
    pub completed: usize,
    pub wall_s: f64,
    pub rates: RateFigures,
    pub cpu: CpuSplit,
    pub cpu_ms_per_job: f64,
    /// Retrieve that delivered the MP4 → the client returned with the file saved (fsynced).
    pub retrieve_to_saved: Spread,
}

/// The reference: the same kind of jobs on a fresh double, fetched by a bare loop of the same
/// parallelism behind the same limiter, with the client alone (retrieve → complete; no ledger,
/// probe, thumbnail or events).
pub async fn run_reference(
    sim_rt: &Handle,
    opts: &Options,
    parallel: usize,
) -> Result<ReferenceReport, Fail> {
    let sim = rig::start_sim(
        sim_rt,
        SimConfig {
            job_duration: opts.job_duration,
            balance_usd: 1e9,
            ..SimConfig::default()
        },
    )
    .await?;
    let dir = tempfile::tempdir_in(&opts.work)?;
    let client = rig::client_for(&sim)?;
    eprintln!("[reference] seeding {} jobs…", opts.jobs);
    let (seeded, _) = rig::seed(&client, None, opts.jobs).await?;
    tokio::time::sleep(opts.job_duration + Duration::from_millis(100)).await;

    let todo: Arc<Mutex<VecDeque<String>>> =
        Arc::new(Mutex::new(seeded.into_iter().map(|s| s.queue_id).collect()));
    let saved: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let limiter = Arc::new(RateLimiter::per_minute(DEFAULT_RETRIEVE_PER_MINUTE));
    let cpu_before = cpu_mark();
    let t0 = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..parallel.max(1) {
        let (todo, saved, limiter, client) = (
            Arc::clone(&todo),
            Arc::clone(&saved),
            Arc::clone(&limiter),
            client.clone(),
        );
        let dir: PathBuf = dir.path().to_path_buf();
        let poll = opts.poll_interval;
        workers.spawn(async move {
            reference_worker(&client, &dir, &todo, &saved, &limiter, poll).await
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined??;
    }
    let t_end = Instant::now();
    let cpu_after = cpu_mark();
    let delivered = delivering_retrieves(&sim, t0);
    let saved = saved.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let gaps = gaps(
        saved
            .iter()
            .map(|(q, at)| (delivered.get(q).copied(), Some(*at))),
    );
    let cpu = CpuSplit::between(cpu_before, cpu_after);
    let report = ReferenceReport {
        jobs: opts.jobs,
        completed: saved.len(),
        wall_s: t_end.duration_since(t0).as_secs_f64(),
        rates: rates(&sim, t0, t_end),
        cpu_ms_per_job: stats::ratio(cpu.engine_side_s * 1000.0, saved.len() as f64),
        cpu,
        retrieve_to_saved: gaps,
    };
    sim.shutdown().await;
    Ok(report)
}

async fn reference_worker(
    client: &venice::Client,
    dir: &Path,
    todo: &Mutex<VecDeque<String>>,
    saved: &Mutex<HashMap<String, Instant>>,
    limiter: &RateLimiter,
    poll: Duration,
) -> Result<(), Fail> {
    loop {
        let Some(queue_id) = todo.lock().unwrap_or_else(|p| p.into_inner()).pop_front() else {
            return Ok(());
        };
        limiter.acquire().await;
        let dest = dir.join(format!("{queue_id}.mp4"));
        let answer = client
            .video()
            .retrieve(&RetrieveVideoRequest::new(T2V, &queue_id), &dest)
            .await?;
        match answer.value {
            RetrieveOutcome::Video(_) => {
                saved
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(queue_id.clone(), Instant::now());
                client
                    .video()
                    .complete(&CompleteVideoRequest::new(T2V, &queue_id))
                    .await?;
            }
            RetrieveOutcome::Processing { .. } => {
                tokio::time::sleep(poll.min(Duration::from_secs(1))).await;
                todo.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push_back(queue_id);
            }
            RetrieveOutcome::CompletedAtUrl => return Err("unexpected download_url job".into()),
        }
    }
}
