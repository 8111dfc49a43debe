//! Both sides held to Venice's published contract: every request our client put on the wire
//! (as the test double recorded it) and every answer the test double gives, in success and in
//! each injected fault, must match `openapi.yaml`. If either drifts from Venice, this fails.

use std::time::Duration;

use serde_json::{Value, json};
use venice::{
    ApiKey, ChatCompletionRequest, ChatMessage, Client, ClientConfig, CompleteVideoRequest,
    ModelType, QueueVideoRequest, RetrieveOutcome, RetrieveVideoRequest,
};
use venice_sim::{Endpoint, Fault, SimConfig, VeniceSim};
use venice_spec::Spec;

const KEY: &str = "sk-contract-test";
const T2V: &str = "wan-2.5-preview-text-to-video";
const I2V: &str = "wan-2.5-preview-image-to-video";
const PNG: &str = "data:image/png;base64,iVBORw0KGgo=";

async fn sim() -> VeniceSim {
    let config = SimConfig {
        job_duration: Duration::from_millis(100),
        ..SimConfig::default()
    };
    VeniceSim::start(config).await.expect("sim starts")
}

fn client(sim: &VeniceSim) -> Client {
    let config = ClientConfig::new(ApiKey::new(KEY))
        .base_url(sim.base_url())
        .request_timeout(Duration::from_secs(3));
    Client::new(config).expect("client")
}

/// The spec's path for a recorded request: `/api/v1/video/queue` → `/video/queue`.
fn spec_path(path: &str) -> &str {
    path.strip_prefix("/api/v1").unwrap_or(path)
}

#[tokio::test]
async fn every_request_the_client_sends_matches_the_spec() {
    let spec = Spec::load().unwrap();
    let sim = sim().await;
    let client = client(&sim);
    let dir = tempfile::tempdir().unwrap();

    client.models().list(ModelType::Video).await.unwrap();
    client.models().list(ModelType::Text).await.unwrap();
    let chat = ChatCompletionRequest::new(
        "zai-org-glm-5-1",
        vec![
            ChatMessage::system("You write video prompts."),
            ChatMessage::user("neon city"),
        ],
    );
    client.chat().create(&chat).await.unwrap();
    let mut t2v = QueueVideoRequest::new(T2V, "A gondola at sunset", "5s");
    t2v.aspect_ratio = Some("16:9".into());
    t2v.resolution = Some("720p".into());
    client.video().quote(&t2v.to_quote()).await.unwrap();
    let queued = client.video().queue(&t2v).await.unwrap().value;
    let mut i2v = QueueVideoRequest::new(I2V, "Leaves rustle", "5s");
    i2v.image_url = Some(PNG.into());
    client.video().queue(&i2v).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let retrieve = RetrieveVideoRequest::new(T2V, &queued.queue_id);
    let outcome = client
        .video()
        .retrieve(&retrieve, &dir.path().join("a.mp4"))
        .await
        .unwrap();
    assert!(matches!(outcome.value, RetrieveOutcome::Video(_)));
    client
        .video()
        .complete(&CompleteVideoRequest::new(T2V, &queued.queue_id))
        .await
        .unwrap();
    client.billing().balance().await.unwrap();
    client.api_keys().rate_limits().await.unwrap();

    let log = sim.requests();
    let mut checked = 0;
    for request in log.iter().filter(|r| r.method == "POST") {
        let body: Value = serde_json::from_slice(&request.raw_body).expect("client sends JSON");
        spec.check_request("POST", spec_path(&request.path), &body)
            .unwrap();
        checked += 1;
    }
    assert_eq!(
        checked, 6,
        "chat, quote, 2 queues, retrieve, complete: {log:#?}"
    );
    for request in log.iter().filter(|r| r.method == "GET") {
        assert!(request.raw_body.is_empty(), "GETs carry no body");
    }
}

/// Sends `body` raw and checks the answer against the spec for `path`.
async fn check_answer(
    spec: &Spec,
    sim: &VeniceSim,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> u16 {
    let http = reqwest::Client::new();
    let url = format!("{}{}", sim.base_url(), path);
    let builder = match method {
        "GET" => http.get(&url),
        _ => http.post(&url).json(&body.unwrap_or(Value::Null)),
    };
    let response = builder.bearer_auth(KEY).send().await.expect("sim answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        response.headers().contains_key("cf-ray"),
        "{path}: every answer has a request id"
    );
    let bytes = response.bytes().await.expect("body");
    let json: Option<Value> = content_type
        .contains("json")
        .then(|| serde_json::from_slice(&bytes).expect("JSON body"));
    let spec_path = path.split('?').next().unwrap_or(path);
    if let Err(e) = spec.check_response(method, spec_path, status, &content_type, json.as_ref()) {
        panic!("{method} {path} → {status}: {e}");
    }
    status
}

#[tokio::test]
async fn every_answer_the_double_gives_matches_the_spec() {
    let spec = Spec::load().unwrap();
    let sim = sim().await;
    let quote =
        json!({"model": T2V, "duration": "5s", "resolution": "720p", "aspect_ratio": "16:9"});
    let queue =
        json!({"model": T2V, "prompt": "A gondola", "duration": "5s", "aspect_ratio": "16:9"});

    assert_eq!(
        check_answer(&spec, &sim, "GET", "/models?type=video", None).await,
        200
    );
    assert_eq!(
        check_answer(&spec, &sim, "GET", "/models?type=text", None).await,
        200
    );
    assert_eq!(
        check_answer(&spec, &sim, "GET", "/billing/balance", None).await,
        200
    );
    assert_eq!(
        check_answer(&spec, &sim, "GET", "/api_keys/rate_limits", None).await,
        200
    );
    let chat =
        json!({"model": "zai-org-glm-5-1", "messages": [{"role": "user", "content": "neon"}]});
    assert_eq!(
        check_answer(&spec, &sim, "POST", "/chat/completions", Some(chat)).await,
        200
    );
    assert_eq!(
        check_answer(&spec, &sim, "POST", "/video/quote", Some(quote.clone())).await,
        200
    );

    // A job's whole life, answer by answer.
    let http = reqwest::Client::new();
    let queued: Value = http
        .post(format!("{}/video/queue", sim.base_url()))
        .bearer_auth(KEY)
        .json(&queue)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    spec.check_response(
        "POST",
        "/video/queue",
        200,
        "application/json",
        Some(&queued),
    )
    .unwrap();
    let handle = json!({"model": T2V, "queue_id": queued["queue_id"]});
    assert_eq!(
        check_answer(&spec, &sim, "POST", "/video/retrieve", Some(handle.clone())).await,
        200
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        check_answer(&spec, &sim, "POST", "/video/retrieve", Some(handle.clone())).await,
        200
    );
    assert_eq!(
        check_answer(&spec, &sim, "POST", "/video/complete", Some(handle.clone())).await,
        200
    );
    assert_eq!(
        check_answer(&spec, &sim, "POST", "/video/retrieve", Some(handle.clone())).await,
        404
    );

    // Refusals of bad requests.
    let bad = json!({"model": T2V, "prompt": "x", "duration": "7s"});
    assert_eq!(
        check_answer(&spec, &sim, "POST", "/video/queue", Some(bad)).await,
        400
    );
    let null_field = json!({"model": T2V, "prompt": "x", "duration": "5s", "resolution": null});
    assert_eq!(
        check_answer(&spec, &sim, "POST", "/video/queue", Some(null_field)).await,
        400
    );

    // Every injected HTTP failure, on the endpoints where it can happen.
    let faults = [
        (
            Endpoint::VideoQueue,
            Fault::RateLimited {
                reset_after_secs: 5,
            },
            429,
        ),
        (Endpoint::VideoQueue, Fault::ServerError, 500),
        (Endpoint::VideoQueue, Fault::InsufficientBalance, 402),
        (Endpoint::VideoQueue, Fault::Unauthorized, 401),
        (
            Endpoint::VideoQueue,
            Fault::ContentPolicy {
                credits_refunded: false,
            },
            422,
        ),
        (Endpoint::VideoRetrieve, Fault::Unavailable, 503),
        (Endpoint::VideoRetrieve, Fault::GatewayTimeout, 504),
        (Endpoint::VideoRetrieve, Fault::MediaGone, 404),
        (
            Endpoint::VideoRetrieve,
            Fault::ContentPolicy {
                credits_refunded: true,
            },
            422,
        ),
        (
            Endpoint::VideoQuote,
            Fault::RateLimited {
                reset_after_secs: 1,
            },
            429,
        ),
    ];
    let queued_again: Value = http
        .post(format!("{}/video/queue", sim.base_url()))
        .bearer_auth(KEY)
        .json(&queue)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let handle = json!({"model": T2V, "queue_id": queued_again["queue_id"]});
    for (endpoint, fault, status) in faults {
        sim.inject(endpoint, fault.clone());
        let (path, body) = match endpoint {
            Endpoint::VideoQueue => ("/video/queue", queue.clone()),
            Endpoint::VideoRetrieve => ("/video/retrieve", handle.clone()),
            _ => ("/video/quote", quote.clone()),
        };
        assert_eq!(
            check_answer(&spec, &sim, "POST", path, Some(body)).await,
            status,
            "{fault:?}"
        );
    }
}
