//! Shared helpers for the client's integration tests: a started sim and a client pointed at it.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use venice::{
    ApiKey, Client, ClientConfig, ModelCatalogue, ModelList, QueueVideoRequest, QueuedVideo,
    RetrieveOutcome, RetrieveVideoRequest,
};
use venice_sim::{SimConfig, VeniceSim};

pub const KEY: &str = "sk-itest-9f8e7d6c5b4a-SECRET";
pub const T2V: &str = "wan-2.5-preview-text-to-video";
pub const I2V: &str = "wan-2.5-preview-image-to-video";
pub const PRIVATE: &str = "grok-imagine-text-to-video-private";

pub async fn sim() -> VeniceSim {
    sim_with(SimConfig {
        api_key: Some(KEY.into()),
        job_duration: Duration::from_millis(200),
        ..SimConfig::default()
    })
    .await
}

pub async fn sim_with(config: SimConfig) -> VeniceSim {
    VeniceSim::start(config).await.expect("sim starts")
}

pub fn config(sim: &VeniceSim) -> ClientConfig {
    ClientConfig::new(ApiKey::new(KEY))
        .base_url(sim.base_url())
        .request_timeout(Duration::from_secs(5))
        .download_timeout(Duration::from_secs(5))
}

/// The video catalogue from the committed fixture (same list the sim serves).
pub fn catalogue() -> ModelCatalogue {
    let list: ModelList = serde_json::from_str(include_str!(
        "../../../venice-sim/fixtures/models-video.json"
    ))
    .expect("fixture");
    ModelCatalogue::from_list(&list)
}

/// A client with the fixture catalogue already set (so no extra `/models` call).
pub fn client(sim: &VeniceSim) -> Client {
    Client::new(config(sim))
        .expect("client")
        .with_catalogue(catalogue())
}

pub fn t2v() -> QueueVideoRequest {
    QueueVideoRequest {
        aspect_ratio: Some("16:9".into()),
        resolution: Some("720p".into()),
        ..QueueVideoRequest::new(
            T2V,
            "A gondola gliding through Venice canals at sunset",
            "5s",
        )
    }
}

/// Polls retrieve until the job is no longer processing.
/// Queues the standard text-to-video job and returns Venice's answer.
pub async fn queue_t2v(client: &Client) -> QueuedVideo {
    client.video().queue(&t2v()).await.expect("queued").value
}

pub async fn poll(
    client: &Client,
    queued: &QueuedVideo,
    dest: &Path,
) -> Result<RetrieveOutcome, venice::Error> {
    let req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);
    for _ in 0..100 {
        let out = client.video().retrieve(&req, dest).await?.value;
        if !matches!(out, RetrieveOutcome::Processing { .. }) {
            return Ok(out);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job never finished");
}

/// Waits until the job would be done (the sim's job_duration is 200 ms in these tests).
pub async fn wait_done() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// Files in a folder (to check nothing was left behind).
pub fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// No JSON `null` anywhere in the raw bytes the sim received.
pub fn assert_no_nulls(raw: &[u8]) {
    let text = String::from_utf8_lossy(raw);
    assert!(!text.contains("null"), "request body contains null: {text}");
}
