//! A studio engine wired to a fresh Venice test double in a temporary folder.
#![allow(dead_code)]

use std::time::Duration;

use studio_core::{EngineConfig, JobEvent, JobParams, Studio, StudioPaths};
use tokio::sync::broadcast;
use venice::{ApiKey, Client, ClientConfig};
use venice_sim::{SimConfig, VeniceSim};

pub const T2V: &str = "wan-2.5-preview-text-to-video";

pub struct Env {
    pub sim: VeniceSim,
    pub studio: Studio,
    pub dir: tempfile::TempDir,
}

pub fn sim_config() -> SimConfig {
    SimConfig {
        job_duration: Duration::from_millis(300),
        ..SimConfig::default()
    }
}

pub fn engine_config() -> EngineConfig {
    EngineConfig {
        poll_interval: Duration::from_millis(50),
        retry_base_delay: Duration::from_millis(20),
        retry_max_delay: Duration::from_millis(200),
        ..EngineConfig::default()
    }
}

pub fn client_for(sim: &VeniceSim) -> Client {
    let config = ClientConfig::new(ApiKey::new("sk-test-not-a-real-key"))
        .base_url(sim.base_url())
        .request_timeout(Duration::from_secs(2))
        .download_timeout(Duration::from_secs(5));
    Client::new(config).expect("client")
}

pub async fn env_with(sim: SimConfig, engine: EngineConfig) -> Env {
    let sim = VeniceSim::start(sim).await.expect("sim starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let studio =
        Studio::open(client_for(&sim), StudioPaths::under(dir.path()), engine).expect("studio");
    Env { sim, studio, dir }
}

pub async fn env() -> Env {
    env_with(sim_config(), engine_config()).await
}

impl Env {
    /// A second engine on the same folder, as after a restart.
    pub fn reopen(&self, engine: EngineConfig) -> Studio {
        Studio::open(
            client_for(&self.sim),
            StudioPaths::under(self.dir.path()),
            engine,
        )
        .expect("studio")
    }

    pub fn media_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path().join("media"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

pub fn t2v(prompt: &str) -> JobParams {
    JobParams {
        theme: Some("Cyberpunk neon city".into()),
        prompt: prompt.into(),
        model: T2V.into(),
        duration: "5s".into(),
        aspect_ratio: Some("16:9".into()),
        resolution: Some("720p".into()),
        ..JobParams::default()
    }
}

/// Collects events until `stop` says so (or 10 s pass).
pub async fn events_until(
    rx: &mut broadcast::Receiver<JobEvent>,
    stop: impl Fn(&JobEvent) -> bool,
) -> Vec<JobEvent> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Ok(event)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        let done = stop(&event);
        seen.push(event);
        if done {
            break;
        }
    }
    seen
}

/// Waits for jobs to settle, failing the test after 20 s instead of hanging.
pub async fn settle(studio: &Studio, ids: &[studio_core::JobId]) -> Vec<studio_core::JobRecord> {
    tokio::time::timeout(Duration::from_secs(20), studio.wait_until_settled(ids))
        .await
        .expect("jobs settle within 20 s")
        .expect("ledger readable")
}
