//! Every `Fault` variant's wire behaviour, checked with a plain HTTP client.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;
use serde_json::{Value, json};
use venice_sim::{Endpoint, Fault};

async fn ready_job(h: &Harness) -> String {
    qid(&h.queue(T2V, json!({})).await)
}

#[tokio::test]
async fn error_faults_replace_the_answer_once_in_fifo_order() {
    let h = start(0).await;
    let cases: Vec<(Fault, u16, &str)> = vec![
        (Fault::ServerError, 500, "Inference processing failed"),
        (
            Fault::Unavailable,
            503,
            "The model is at capacity. Please try again later.",
        ),
        (Fault::GatewayTimeout, 504, "Gateway timeout"),
        (
            Fault::InsufficientBalance,
            402,
            "Insufficient USD or Diem balance",
        ),
        (Fault::Unauthorized, 401, "Authentication failed"),
        (
            Fault::MediaGone,
            404,
            "Media could not be found. Request may be invalid, expired, or deleted.",
        ),
    ];
    for (fault, _, _) in &cases {
        h.sim.inject(Endpoint::VideoQueue, fault.clone());
    }
    assert_eq!(h.sim.pending_faults(Endpoint::VideoQueue), cases.len());
    for (_, status, message) in &cases {
        let resp = h
            .post(
                "/video/queue",
                &json!({"model": T2V, "prompt": "p", "duration": "5s"}),
            )
            .await;
        assert_eq!(resp.status().as_u16(), *status);
        assert!(resp.headers().contains_key("cf-ray"));
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().starts_with(message),
            "{body}"
        );
    }
    // A queue answered with an error created no job and charged nothing; the next one is normal.
    assert_eq!(h.sim.job_count(), 0);
    assert_eq!(h.sim.balance_usd(), 50.0);
    h.queue(T2V, json!({})).await;
    assert_eq!(h.sim.job_count(), 1);

    let log = h.sim.requests();
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![500, 503, 504, 402, 401, 404, 200]);
}

#[tokio::test]
async fn inject_times_repeats_and_other_endpoints_are_untouched() {
    let h = start(0).await;
    h.sim
        .inject_times(Endpoint::VideoQuote, Fault::Unavailable, 2);
    let body = json!({"model": T2V, "duration": "5s"});
    assert_eq!(h.post("/video/quote", &body).await.status(), 503);
    assert_eq!(h.get("/billing/balance").await.status(), 200);
    assert_eq!(h.post("/video/quote", &body).await.status(), 503);
    assert_eq!(h.post("/video/quote", &body).await.status(), 200);
}

#[tokio::test]
async fn rate_limited_headers() {
    let h = start(0).await;
    h.sim.inject(
        Endpoint::VideoRetrieve,
        Fault::RateLimited {
            reset_after_secs: 7,
        },
    );
    let id = ready_job(&h).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let resp = h.retrieve(T2V, &id).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(header(&resp, "x-ratelimit-remaining-requests"), Some("0"));
    assert_eq!(header(&resp, "retry-after"), Some("7"));
    assert_eq!(header(&resp, "x-ratelimit-limit-requests"), Some("120"));
    let reset: u64 = header(&resp, "x-ratelimit-reset-requests")
        .unwrap()
        .parse()
        .unwrap();
    assert!((now + 6..=now + 8).contains(&reset), "{reset} vs {now}");
    assert_eq!(
        resp.headers()
            .get_all("x-ratelimit-remaining-requests")
            .iter()
            .count(),
        1
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, json!({"error": "Rate limit exceeded"}));
    assert_eq!(h.retrieve(T2V, &id).await.status(), 200);
}

#[tokio::test]
async fn content_policy_flat_on_queue_nested_on_retrieve() {
    let h = start(0).await;
    h.sim.inject(
        Endpoint::VideoQueue,
        Fault::ContentPolicy {
            credits_refunded: true,
        },
    );
    let resp = h
        .post(
            "/video/queue",
            &json!({"model": T2V, "prompt": "p", "duration": "5s"}),
        )
        .await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].is_string());
    assert!(body["suggested_prompt"].is_string());

    let id = ready_job(&h).await;
    for refunded in [true, false] {
        h.sim.inject(
            Endpoint::VideoRetrieve,
            Fault::ContentPolicy {
                credits_refunded: refunded,
            },
        );
        let resp = h.retrieve(T2V, &id).await;
        assert_eq!(resp.status(), 422);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["type"], "provider_content_policy");
        assert_eq!(body["error"]["credits_refunded"], refunded);
        assert!(body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn status_and_unknown_status_faults() {
    let h = start(0).await;
    h.sim.inject(
        Endpoint::VideoQueue,
        Fault::Status {
            status: 409,
            body: json!({"error": {"code": "needs_consent", "message": "consent"}, "consent_flow": "seedance"}),
            headers: vec![("x-extra".into(), "1".into())],
        },
    );
    let resp = h
        .post(
            "/video/queue",
            &json!({"model": T2V, "prompt": "p", "duration": "5s"}),
        )
        .await;
    assert_eq!(resp.status(), 409);
    assert_eq!(header(&resp, "x-extra"), Some("1"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "needs_consent");

    let id = ready_job(&h).await;
    h.sim.inject(
        Endpoint::VideoRetrieve,
        Fault::UnknownStatus("QUEUED_FOR_REVIEW".into()),
    );
    let body: Value = h.retrieve(T2V, &id).await.json().await.unwrap();
    assert_eq!(body["status"], "QUEUED_FOR_REVIEW");
    assert!(body["average_execution_time"].is_number() && body["execution_duration"].is_number());
}

#[tokio::test]
async fn drop_mid_body_closes_the_connection_short_of_content_length() {
    let h = start(0).await;
    let id = ready_job(&h).await;
    h.sim.inject(Endpoint::VideoRetrieve, Fault::DropMidBody);
    let resp = h.retrieve(T2V, &id).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), Some("video/mp4"));
    let declared: usize = header(&resp, "content-length").unwrap().parse().unwrap();
    let mut got = 0usize;
    let mut failed = false;
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => got += c.len(),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "the body must end in an error");
    assert!(got > 0 && got < declared, "got {got} of {declared}");
    assert_eq!(h.sim.requests().last().unwrap().status, 0);
    // The job is untouched: the next retrieve delivers the whole video.
    let full = h.retrieve(T2V, &id).await.bytes().await.unwrap();
    assert_eq!(full.len(), declared);
}

#[tokio::test]
async fn video_faults_wait_for_a_video_delivering_retrieve() {
    let h = start(800).await;
    let id = qid(&h.queue(T2V, json!({})).await);
    h.sim.inject(Endpoint::VideoRetrieve, Fault::TruncatedMp4);
    let body: Value = h.retrieve(T2V, &id).await.json().await.unwrap();
    assert_eq!(body["status"], "PROCESSING");
    assert_eq!(h.sim.pending_faults(Endpoint::VideoRetrieve), 1);
    tokio::time::sleep(Duration::from_millis(850)).await;

    let resp = h.retrieve(T2V, &id).await;
    assert_eq!(header(&resp, "content-type"), Some("video/mp4"));
    let declared: usize = header(&resp, "content-length").unwrap().parse().unwrap();
    let bytes = resp.bytes().await.unwrap();
    let full = venice_sim::fixture_for_aspect_ratio(None).bytes;
    assert_eq!(bytes.len(), declared, "a complete HTTP response");
    assert_eq!(bytes.len(), full.len() / 2);
    assert_eq!(&bytes[4..8], b"ftyp", "looks like an MP4 until parsed");
    assert_eq!(h.sim.pending_faults(Endpoint::VideoRetrieve), 0);

    h.sim.inject(Endpoint::VideoRetrieve, Fault::NotMp4);
    let resp = h.retrieve(T2V, &id).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), Some("video/mp4"));
    let bytes = resp.bytes().await.unwrap();
    assert_ne!(&bytes[4..8], b"ftyp");
    assert!(String::from_utf8_lossy(&bytes).contains("<html>"));
}

#[tokio::test]
async fn download_faults_apply_to_the_download_url() {
    let h = start(0).await;
    let q = h.queue(PRIVATE, json!({})).await;
    let url = q["download_url"].as_str().unwrap().to_owned();
    h.sim.inject(Endpoint::Download, Fault::DropMidBody);
    let resp = h.http.get(&url).send().await.unwrap();
    let declared: usize = header(&resp, "content-length").unwrap().parse().unwrap();
    assert!(resp.bytes().await.is_err(), "short body must be an error");
    let ok = h
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(ok.len(), declared);
}

#[tokio::test]
async fn slow_body_sends_headers_then_body_after_the_delay() {
    let h = start(0).await;
    let id = ready_job(&h).await;
    h.sim.inject(
        Endpoint::VideoRetrieve,
        Fault::SlowBody {
            delay: Duration::from_millis(600),
        },
    );
    let t0 = Instant::now();
    let resp = h.retrieve(T2V, &id).await;
    let headers_at = t0.elapsed();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    let body_at = t0.elapsed();
    assert!(
        headers_at < Duration::from_millis(400),
        "headers took {headers_at:?}"
    );
    assert!(
        body_at >= Duration::from_millis(600),
        "body after {body_at:?}"
    );
    assert_eq!(&bytes[4..8], b"ftyp");

    // With a client read timeout shorter than the delay the read fails.
    h.sim.inject(
        Endpoint::BillingBalance,
        Fault::SlowBody {
            delay: Duration::from_secs(2),
        },
    );
    let client = reqwest::Client::builder()
        .read_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let resp = client
        .get(format!("{}/billing/balance", h.base))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert!(resp.bytes().await.is_err());
}

#[tokio::test]
async fn hang_after_receive_on_queue_creates_and_charges_the_job_but_never_answers() {
    let h = start(0).await;
    h.sim.inject(Endpoint::VideoQueue, Fault::HangAfterReceive);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let body = json!({"model": T2V, "prompt": "p", "duration": "5s"});
    let result = client
        .post(format!("{}/video/queue", h.base))
        .bearer_auth(KEY)
        .json(&body)
        .send()
        .await;
    let err = result.expect_err("must never answer");
    assert!(err.is_timeout(), "{err:?}");

    assert_eq!(h.sim.count(Endpoint::VideoQueue), 1);
    let rec = &h.sim.requests()[0];
    assert_eq!(rec.status, 0);
    assert_eq!(rec.body.as_ref(), Some(&body));
    assert_eq!(h.sim.job_count(), 1, "Venice received it: the job exists");
    let charged = venice_sim::quote_usd(T2V, "5s", None, true);
    assert!(
        (h.sim.balance_usd() - (50.0 - charged)).abs() < 1e-9,
        "and it was charged"
    );

    // Shutdown releases the hung connection promptly.
    let t0 = Instant::now();
    h.sim.shutdown().await;
    assert!(t0.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn control_api_injects_faults() {
    let h = start(0).await;
    let ctl = format!("http://{}/_sim/faults", h.sim.addr());
    let resp = h
        .http
        .post(&ctl)
        .json(&json!({"endpoint": "video_quote", "fault": {"kind": "rate_limited", "reset_after_secs": 3}, "times": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(h.sim.pending_faults(Endpoint::VideoQuote), 2);
    let resp = h
        .post("/video/quote", &json!({"model": T2V, "duration": "5s"}))
        .await;
    assert_eq!(resp.status(), 429);
    assert_eq!(header(&resp, "retry-after"), Some("3"));

    let bad = h
        .http
        .post(&ctl)
        .json(&json!({"endpoint": "nowhere", "fault": {"kind": "server_error"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let pending: Value = h.http.get(&ctl).send().await.unwrap().json().await.unwrap();
    assert_eq!(pending["video_quote"], 1);
    assert_eq!(h.sim.requests().len(), 1, "control requests are not logged");
}
