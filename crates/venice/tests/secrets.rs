//! The API key never shows up: not in logs at TRACE level, not in Debug/Display of anything.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use venice::retry::{self, RetryPolicy};
use venice::{ApiKey, Client, ClientConfig, ModelType, RetrieveVideoRequest};
use venice_sim::{Endpoint, Fault};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

#[tokio::test]
async fn key_never_appears_in_trace_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = common::sim().await;
    let client = Client::new(common::config(&sim).request_timeout(Duration::from_millis(400)))
        .expect("client");
    let mut errors = Vec::new();

    client
        .models()
        .list(ModelType::Video)
        .await
        .expect("models");
    client.billing().balance().await.expect("balance");
    let queued = common::queue_t2v(&client).await;
    sim.inject(Endpoint::VideoQuote, Fault::Unauthorized);
    errors.push(
        client
            .video()
            .quote(&common::t2v().to_quote())
            .await
            .expect_err("401"),
    );
    sim.inject(
        Endpoint::VideoQuote,
        Fault::RateLimited {
            reset_after_secs: 1,
        },
    );
    errors.push(
        client
            .video()
            .quote(&common::t2v().to_quote())
            .await
            .expect_err("429"),
    );
    sim.inject(Endpoint::VideoRetrieve, Fault::ServerError);
    let dir = tempfile::tempdir().expect("tempdir");
    let req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);
    let policy = RetryPolicy::default()
        .max_attempts(2)
        .delays(Duration::from_millis(5), Duration::from_millis(5))
        .with_seed(1);
    retry::run(&policy, || async {
        client
            .video()
            .retrieve(&req, &dir.path().join("x.mp4"))
            .await
    })
    .await
    .expect("retried");
    sim.inject(Endpoint::VideoQueue, Fault::HangAfterReceive);
    errors.push(
        client
            .video()
            .queue(&common::t2v())
            .await
            .expect_err("hang"),
    );
    errors.push(
        client
            .video()
            .queue(&venice::QueueVideoRequest {
                duration: "7s".into(),
                ..common::t2v()
            })
            .await
            .expect_err("constraint"),
    );

    let wrong = Client::new(
        ClientConfig::new(ApiKey::new("sk-wrong-key-also-secret")).base_url(sim.base_url()),
    )
    .expect("client");
    errors.push(wrong.billing().balance().await.expect_err("401"));
    let dead_cfg = common::config(&sim);
    sim.shutdown().await;
    let dead = Client::new(dead_cfg).expect("client");
    errors.push(dead.billing().balance().await.expect_err("nobody home"));

    let logs = captured.text();
    assert!(
        logs.contains("Venice request"),
        "the subscriber captured the request logs:\n{logs}"
    );
    assert!(logs.contains("/video/queue"));
    assert!(
        !logs.contains(common::KEY),
        "the key leaked into the logs:\n{logs}"
    );
    assert!(!logs.contains("sk-wrong-key-also-secret"));
    assert!(
        !logs.to_ascii_lowercase().contains("bearer"),
        "no auth header logged"
    );
    for e in &errors {
        for shown in [format!("{e}"), format!("{e:?}")] {
            assert!(
                !shown.contains(common::KEY) && !shown.contains("sk-wrong-key"),
                "{shown}"
            );
        }
    }
}

#[test]
fn debug_and_display_never_show_the_key() {
    let key = ApiKey::new(common::KEY);
    assert_eq!(format!("{key}"), "ApiKey(****)");
    assert_eq!(format!("{key:?}"), "ApiKey(****)");
    let cfg = ClientConfig::new(key.clone()).base_url("http://127.0.0.1:9/api/v1");
    assert!(!format!("{cfg:?}").contains(common::KEY));
    let client = Client::new(cfg).expect("client");
    let shown = format!("{client:?}");
    assert!(!shown.contains(common::KEY), "{shown}");
    assert!(shown.contains("ApiKey(****)"));
    let e = Client::new(ClientConfig::new(ApiKey::new("bad\nkey\u{7f}")))
        .map(|_| ())
        .expect_err("bad header");
    assert!(!format!("{e} {e:?}").contains("bad\nkey"));
    let e = Client::new(ClientConfig::new(ApiKey::new("")))
        .map(|_| ())
        .expect_err("empty");
    assert!(e.to_string().contains("No Venice API key"));
}
