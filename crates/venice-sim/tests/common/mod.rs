//! Helpers shared by the sim's integration tests: a started sim plus a plain reqwest client.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{Value, json};
use venice_sim::{SimConfig, VeniceSim};

pub const KEY: &str = "sk-test-secret-123";
pub const T2V: &str = "wan-2.5-preview-text-to-video";
pub const I2V: &str = "wan-2.5-preview-image-to-video";
pub const PRIVATE: &str = "grok-imagine-text-to-video-private";

pub struct Harness {
    pub sim: VeniceSim,
    pub http: reqwest::Client,
    pub base: String,
}

pub async fn start(job_ms: u64) -> Harness {
    start_with(SimConfig {
        job_duration: Duration::from_millis(job_ms),
        ..SimConfig::default()
    })
    .await
}

pub async fn start_with(config: SimConfig) -> Harness {
    let sim = VeniceSim::start(config).await.unwrap();
    let http = reqwest::Client::builder()
        .user_agent("venice-sim-tests/1")
        .build()
        .unwrap();
    let base = sim.base_url();
    Harness { sim, http, base }
}

impl Harness {
    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .bearer_auth(KEY)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap()
    }

    pub async fn queue(&self, model: &str, extra: Value) -> Value {
        let mut body = json!({"model": model, "prompt": "A gondola at dusk", "duration": "5s"});
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        let resp = self.post("/video/queue", &body).await;
        assert_eq!(resp.status(), 200, "queue failed");
        resp.json().await.unwrap()
    }

    pub async fn retrieve(&self, model: &str, queue_id: &str) -> reqwest::Response {
        self.post(
            "/video/retrieve",
            &json!({"model": model, "queue_id": queue_id}),
        )
        .await
    }
}

pub fn header<'a>(resp: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

pub fn qid(v: &Value) -> String {
    v["queue_id"].as_str().unwrap().to_owned()
}
