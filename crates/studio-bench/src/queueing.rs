//! The engine's queue path: `Studio::generate` with a count larger than the queue limit, and the
//! busiest minute of `/video/queue` calls the double saw.

use std::time::{Duration, Instant};

use serde::Serialize;
use studio_core::limiter::DEFAULT_QUEUE_PER_MINUTE;
use studio_core::{EngineConfig, JobParams, Studio, StudioPaths};
use tokio::runtime::Handle;
use venice_sim::{Endpoint, SimConfig};

use crate::rig::{self, Fail, T2V};
use crate::stats;

#[derive(Debug, Clone, Default, Serialize)]
pub struct QueueReport {
    pub jobs: usize,
    pub queued: usize,
    pub wall_s: f64,
    pub queue_calls: usize,
    pub queue_peak_per_60s: usize,
    pub queue_limit_per_min: u32,
    pub queues_per_minute: Vec<usize>,
    /// When the last queue call arrived, after the first.
    pub last_queue_after_first_s: f64,
}

pub async fn run(
    sim_rt: &Handle,
    jobs: usize,
    work: &std::path::Path,
) -> Result<QueueReport, Fail> {
    let sim = rig::start_sim(
        sim_rt,
        SimConfig {
            balance_usd: 1e9,
            ..SimConfig::default()
        },
    )
    .await?;
    let dir = tempfile::tempdir_in(work)?;
    let studio = Studio::open(
        rig::client_for(&sim)?,
        StudioPaths::under(dir.path()),
        EngineConfig::default(),
    )?;
    let request = JobParams {
        theme: Some("Cyberpunk neon city".into()),
        prompt: "Neon-lit rain on a cyberpunk street, slow dolly forward".into(),
        model: T2V.into(),
        duration: "5s".into(),
        aspect_ratio: Some("16:9".into()),
        resolution: Some("720p".into()),
        ..JobParams::default()
    };
    eprintln!("[queue] Studio::generate(count = {jobs}) through the engine's queue limiter…");
    let t0 = Instant::now();
    let records = studio.generate(&request, jobs as u32).await?;
    let wall = t0.elapsed();
    let at: Vec<Instant> = rig::arrivals(&sim, Endpoint::VideoQueue, t0)
        .iter()
        .map(|r| r.at)
        .collect();
    let first = at.iter().min().copied().unwrap_or(t0);
    let last = at.iter().max().copied().unwrap_or(t0);
    let report = QueueReport {
        jobs,
        queued: records.iter().filter(|r| r.queue_id.is_some()).count(),
        wall_s: wall.as_secs_f64(),
        queue_calls: at.len(),
        queue_peak_per_60s: stats::peak_in_window(&at, Duration::from_secs(60), t0).0,
        queue_limit_per_min: DEFAULT_QUEUE_PER_MINUTE,
        queues_per_minute: stats::per_minute(&at, t0),
        last_queue_after_first_s: last.duration_since(first).as_secs_f64(),
    };
    drop(studio);
    sim.shutdown().await;
    Ok(report)
}
