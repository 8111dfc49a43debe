//! `VeniceSim`: starting, steering (faults, log, balance) and stopping one sim instance.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clipgen::ClipMaker;
use crate::clips::ClipInfo;
use crate::config::SimConfig;
use crate::error::SimError;
use crate::faults::{Fault, FaultQueue};
use crate::fixtures::Catalog;
use crate::jobs::JobStore;
use crate::log::{Endpoint, RecordedRequest};
use crate::ratelimit::RateCounters;
use crate::usage::UsageLog;

/// Mutable state of one sim, behind one mutex (never held across an await).
#[derive(Debug)]
pub(crate) struct State {
    pub jobs: JobStore,
    pub faults: FaultQueue,
    pub log: Vec<RecordedRequest>,
    pub balance_usd: f64,
    pub rates: RateCounters,
    /// Each distinct prompt's number, in the order first queued (1, 2, ...).
    pub prompt_numbers: HashMap<String, u32>,
    /// Every charge, for `/billing/usage-history`.
    pub usage: UsageLog,
    /// Every video job charged, with what it was asked for (for soak checks).
    pub charged: Vec<ChargedJob>,
}

/// A video job the sim created and charged for.
#[derive(Clone, Debug, PartialEq)]
pub struct ChargedJob {
    pub queue_id: String,
    pub model: String,
    pub prompt: String,
    pub usd: f64,
}

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: SimConfig,
    pub catalog: &'static Catalog,
    pub addr: SocketAddr,
    pub started: std::time::Instant,
    pub state: Mutex<State>,
    pub shutdown: watch::Sender<bool>,
    /// Makes the clips when [`SimConfig::clips`] asks for them (and no served video replaces them).
    pub clips: Option<Arc<ClipMaker>>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `http://127.0.0.1:{port}`
    pub(crate) fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Stops the server when the last `VeniceSim` handle goes away.
#[derive(Debug)]
struct Guard {
    shutdown: watch::Sender<bool>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// A running Venice test double. Cheap to clone; the server stops on [`VeniceSim::shutdown`] or when
/// the last clone is dropped.
#[derive(Clone)]
pub struct VeniceSim {
    shared: Arc<Shared>,
    guard: Arc<Guard>,
}

impl std::fmt::Debug for VeniceSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("VeniceSim")
            .field("base_url", &self.base_url())
            .field("jobs", &st.jobs.len())
            .field("requests", &st.log.len())
            .field("balance_usd", &st.balance_usd)
            .finish()
    }
}

impl VeniceSim {
    /// Binds 127.0.0.1:`config.port` (0 = any free port) and serves until shutdown.
    pub async fn start(config: SimConfig) -> std::io::Result<VeniceSim> {
        let catalog = Catalog::get()?;
        let port = config.port;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| SimError::Bind { port, source })?;
        let addr = listener.local_addr()?;
        let (shutdown, mut rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                jobs: JobStore::default(),
                faults: FaultQueue::default(),
                log: Vec::new(),
                balance_usd: config.balance_usd,
                rates: RateCounters::default(),
                prompt_numbers: HashMap::new(),
                usage: UsageLog::new(config.usage_delay),
                charged: Vec::new(),
            }),
            clips: config
                .clips
                .clone()
                .filter(|_| config.served_video.is_none())
                .map(|c| Arc::new(ClipMaker::new(c))),
            config,
            catalog,
            addr,
            started: std::time::Instant::now(),
            shutdown: shutdown.clone(),
        });
        let app = crate::server::router(shared.clone());
        let server = tokio::spawn(async move {
            let stop = async move {
                let _ = rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::warn!("venice-sim server error: {e}");
            }
        });
        tracing::debug!("venice-sim listening on {addr}");
        Ok(VeniceSim {
            shared,
            guard: Arc::new(Guard {
                shutdown,
                server: Mutex::new(Some(server)),
            }),
        })
    }

    /// `http://127.0.0.1:{port}/api/v1`
    pub fn base_url(&self) -> String {
        format!("{}/api/v1", self.shared.origin())
    }

    /// The socket the sim listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Queues `fault` for the next request to `endpoint` (FIFO per endpoint).
    pub fn inject(&self, endpoint: Endpoint, fault: Fault) {
        self.inject_times(endpoint, fault, 1);
    }

    /// Queues `fault` for the next `times` requests to `endpoint`.
    pub fn inject_times(&self, endpoint: Endpoint, fault: Fault, times: usize) {
        self.shared.lock().faults.push(endpoint, fault, times);
    }

    /// Drops the faults still waiting for `endpoint`; returns how many there were.
    pub fn clear_faults(&self, endpoint: Endpoint) -> usize {
        self.shared.lock().faults.clear(endpoint)
    }

    /// Faults still waiting for `endpoint`.
    pub fn pending_faults(&self, endpoint: Endpoint) -> usize {
        self.shared.lock().faults.pending(endpoint)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().log.clone()
    }

    /// How many requests reached `endpoint`.
    pub fn count(&self, endpoint: Endpoint) -> usize {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| r.endpoint == Some(endpoint))
            .count()
    }

    /// Whether any logged request's JSON body carries the top-level `field` (e.g. a flag a client
    /// must never send).
    pub fn any_body_has(&self, field: &str) -> bool {
        self.shared
            .lock()
            .log
            .iter()
            .any(|r| r.body.as_ref().is_some_and(|b| b.get(field).is_some()))
    }

    /// Whether `later` was called, and only after the last call to `earlier` (e.g. the copy was
    /// deleted only after the video was fetched for the last time).
    pub fn only_after(&self, later: Endpoint, earlier: Endpoint) -> bool {
        let shared = self.shared.lock();
        let log = &shared.log;
        let first_later = log.iter().position(|r| r.endpoint == Some(later));
        let last_earlier = log.iter().rposition(|r| r.endpoint == Some(earlier));
        match (first_later, last_earlier) {
            (Some(l), Some(e)) => l > e,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// The bodies of the queue calls Venice accepted (status 200), in arrival order: what each
    /// job was asked for, `image_url` (e.g. a continuity frame's `data:` URL) included.
    pub fn queue_requests(&self) -> Vec<serde_json::Value> {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| r.endpoint == Some(Endpoint::VideoQueue) && r.status == 200)
            .filter_map(|r| r.body.clone())
            .collect()
    }

    /// What the clip of job `queue_id` looks like (colour, number, size, frames), when the sim
    /// makes clips ([`SimConfig::clips`]); `None` for an unknown job or when fixtures are served.
    pub fn clip_info(&self, queue_id: &str) -> Option<ClipInfo> {
        let st = self.shared.lock();
        st.jobs.get(queue_id)?.clip.as_ref().map(|c| c.info.clone())
    }

    /// How many times this sim ran ffmpeg to make a clip (clips found in the cache cost none).
    pub fn clips_made(&self) -> usize {
        self.shared.clips.as_ref().map_or(0, |c| c.runs())
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        self.shared.lock().log.clear();
    }

    /// The current USD balance.
    pub fn balance_usd(&self) -> f64 {
        self.shared.lock().balance_usd
    }

    /// Sets the USD balance (e.g. to provoke a 402 on the next queue).
    pub fn set_balance_usd(&self, usd: f64) {
        self.shared.lock().balance_usd = usd;
    }

    /// How long a new or past charge stays out of `/billing/usage-history` after it was made (see
    /// [`SimConfig::usage_delay`]).
    pub fn set_usage_delay(&self, delay: Duration) {
        self.shared.lock().usage.delay = delay;
    }

    /// Every video job charged so far (queued and paid), oldest first: what a test counts the
    /// client's ledger against.
    pub fn charged_jobs(&self) -> Vec<ChargedJob> {
        self.shared.lock().charged.clone()
    }

    /// How many jobs were created (queued), including deleted ones.
    pub fn job_count(&self) -> usize {
        self.shared.lock().jobs.len()
    }

    /// Stops accepting, releases hung requests (their connections close without an answer) and waits
    /// up to 5 s for in-flight responses.
    pub async fn shutdown(self) {
        let _ = self.guard.shutdown.send(true);
        let handle = self
            .guard
            .server
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            let abort = handle.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), handle)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}
