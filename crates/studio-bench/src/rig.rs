//! Wiring shared by the phases: the double on its own runtime (so its CPU is counted apart from
//! the engine's), a client for it, the job every phase asks for, and seeding jobs past the engine.

use std::time::{Duration, Instant};

use studio_core::{JobId, JobParams, Ledger};
use tokio::runtime::Handle;
use venice::{ApiKey, Client, ClientConfig, QueueVideoRequest};
use venice_sim::{SimConfig, VeniceSim};

pub type Fail = Box<dyn std::error::Error + Send + Sync>;

/// The model every bench job uses (a public text-to-video model: the retrieve answer is the MP4).
pub const T2V: &str = "wan-2.5-preview-text-to-video";
/// The name of the double's runtime threads (see [`crate::procstat::cpu_by_thread_name`]).
pub const SIM_THREAD: &str = "venice-sim-rt";
/// The name of the engine's (and the bench's own) runtime threads.
pub const ENGINE_THREAD: &str = "engine-rt";

/// Starts a double on the sim runtime.
pub async fn start_sim(sim_rt: &Handle, config: SimConfig) -> Result<VeniceSim, Fail> {
    Ok(sim_rt.spawn(VeniceSim::start(config)).await??)
}

/// A client for the double, with room for large downloads.
pub fn client_for(sim: &VeniceSim) -> Result<Client, Fail> {
    let config = ClientConfig::new(ApiKey::new("sk-bench-not-a-real-key"))
        .base_url(sim.base_url())
        .request_timeout(Duration::from_secs(30))
        .download_timeout(Duration::from_secs(600));
    Ok(Client::new(config)?)
}

/// The queue request of bench job `i`.
pub fn queue_request(i: usize) -> QueueVideoRequest {
    let mut req =
        QueueVideoRequest::new(T2V, format!("Cyberpunk neon city at night, take {i}"), "5s");
    req.aspect_ratio = Some("16:9".into());
    req.resolution = Some("720p".into());
    req
}

fn params(req: &QueueVideoRequest) -> JobParams {
    JobParams {
        theme: Some("Cyberpunk neon city".into()),
        prompt: req.prompt.clone(),
        model: req.model.clone(),
        duration: req.duration.clone(),
        aspect_ratio: req.aspect_ratio.clone(),
        resolution: req.resolution.clone(),
        audio: req.audio,
        image_path: None,
        shot: None,
        references: Vec::new(),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A job queued on the double outside the engine.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub job: Option<JobId>,
    pub queue_id: String,
}

/// Queues `n` jobs on the double with the client directly (no queue limiter: this is set-up,
/// not measured) and, when a ledger is given, records each the way the engine does: written as
/// `submitting` before the queue call, `queued` with its queue id after.
pub async fn seed(
    client: &Client,
    ledger: Option<&Ledger>,
    n: usize,
) -> Result<(Vec<Seeded>, Duration), Fail> {
    let started = Instant::now();
    let quote = client
        .video()
        .quote(&queue_request(0).to_quote())
        .await?
        .value
        .quote;
    let mut seeded = Vec::with_capacity(n);
    for i in 0..n {
        let req = queue_request(i);
        let job = match ledger {
            Some(ledger) => Some(ledger.insert_submitting(
                "bench-seed",
                &params(&req),
                quote,
                None,
                now_ms(),
            )?),
            None => None,
        };
        let queued = client.video().queue(&req).await?.value;
        if let (Some(ledger), Some(job)) = (ledger, &job) {
            ledger.mark_queued(
                &job.id,
                &queued.queue_id,
                queued.download_url.as_deref(),
                now_ms(),
            )?;
        }
        seeded.push(Seeded {
            job: job.map(|j| j.id),
            queue_id: queued.queue_id,
        });
    }
    Ok((seeded, started.elapsed()))
}

/// The double's request log entries for `endpoint` that arrived at or after `since`.
pub fn arrivals(
    sim: &VeniceSim,
    endpoint: venice_sim::Endpoint,
    since: Instant,
) -> Vec<venice_sim::RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.endpoint == Some(endpoint) && r.at >= since)
        .collect()
}

/// The `queue_id` a retrieve/complete request named.
pub fn queue_id_of(request: &venice_sim::RecordedRequest) -> Option<&str> {
    request.body.as_ref()?.get("queue_id")?.as_str()
}
