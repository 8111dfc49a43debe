//! `SimConfig::served_video`: an opt-in MP4 that finished jobs deliver instead of their fixture
//! (for benchmarks that need a large file); by default the fixtures are served as before.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{PRIVATE, T2V, qid, start_with};
use serde_json::json;
use venice_sim::{ServedVideo, SimConfig, fixture_for_aspect_ratio};

#[tokio::test]
async fn finished_jobs_deliver_the_served_video_on_retrieve_and_download() {
    let mut big = fixture_for_aspect_ratio(None).bytes.to_vec();
    big.extend_from_slice(&[0, 0, 0, 16]);
    big.extend_from_slice(b"free");
    big.extend_from_slice(&[7; 8]);
    let h = start_with(SimConfig {
        job_duration: Duration::ZERO,
        served_video: Some(ServedVideo(big.clone().into())),
        ..SimConfig::default()
    })
    .await;
    let job = h.queue(T2V, json!({"aspect_ratio": "9:16"})).await;
    let resp = h.retrieve(T2V, &qid(&job)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), big.as_slice());

    let private = h
        .queue(
            PRIVATE,
            json!({"aspect_ratio": "1:1", "resolution": "720p"}),
        )
        .await;
    let url = private["download_url"].as_str().unwrap();
    let body = h.http.get(url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(body.as_ref(), big.as_slice());
    assert_eq!(
        format!("{:?}", ServedVideo(big.clone().into())),
        format!("ServedVideo({} bytes)", big.len())
    );
}

#[tokio::test]
async fn by_default_the_fixture_for_the_aspect_ratio_is_served() {
    let h = start_with(SimConfig {
        job_duration: Duration::ZERO,
        ..SimConfig::default()
    })
    .await;
    let job = h.queue(T2V, json!({"aspect_ratio": "9:16"})).await;
    let body = h.retrieve(T2V, &qid(&job)).await.bytes().await.unwrap();
    assert_eq!(body.as_ref(), fixture_for_aspect_ratio(Some("9:16")).bytes);
}
