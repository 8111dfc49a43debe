//! The happy paths over real HTTP: job lifecycle, private download_url flow, quotes, chat, headers, log.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use venice_sim::{Endpoint, Fault, SimConfig};

#[tokio::test]
async fn job_lifecycle_processing_video_complete_gone() {
    let h = start(800).await;
    let quote: Value = h
        .post(
            "/video/quote",
            &json!({"model": T2V, "duration": "5s", "aspect_ratio": "9:16"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let q = h.queue(T2V, json!({"aspect_ratio": "9:16"})).await;
    assert_eq!(q["model"], T2V);
    assert!(q.get("download_url").is_none());
    let id = qid(&q);
    uuid_like(&id);
    assert!((h.sim.balance_usd() - (50.0 - quote["quote"].as_f64().unwrap())).abs() < 1e-9);

    let resp = h.retrieve(T2V, &id).await;
    assert_eq!(resp.status(), 200);
    assert!(
        header(&resp, "content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "PROCESSING");
    assert_eq!(body["average_execution_time"].as_f64(), Some(145_000.0));
    let elapsed = body["execution_duration"].as_f64().unwrap();
    assert!((0.0..145_000.0).contains(&elapsed), "{elapsed}");

    tokio::time::sleep(Duration::from_millis(850)).await;
    let resp = h.retrieve(T2V, &id).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), Some("video/mp4"));
    let len: usize = header(&resp, "content-length").unwrap().parse().unwrap();
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(bytes.len(), len);
    assert_eq!(&bytes[4..8], b"ftyp");
    let nine_sixteen = venice_sim::fixture_for_aspect_ratio(Some("9:16"));
    assert_eq!(&bytes[..], nine_sixteen.bytes);

    // Still there until complete.
    assert_eq!(h.retrieve(T2V, &id).await.status(), 200);
    let done: Value = h
        .post("/video/complete", &json!({"model": T2V, "queue_id": id}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done, json!({"success": true}));
    let gone = h.retrieve(T2V, &id).await;
    assert_eq!(gone.status(), 404);
    let err: Value = gone.json().await.unwrap();
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains("Media could not be found")
    );

    // Unknown queue id → 404.
    let unknown = h
        .retrieve(T2V, "123e4567-e89b-12d3-a456-426614174000")
        .await;
    assert_eq!(unknown.status(), 404);
    h.sim.shutdown().await;
}

fn uuid_like(s: &str) {
    assert_eq!(s.len(), 36, "{s}");
    assert_eq!(s.matches('-').count(), 4, "{s}");
}

#[tokio::test]
async fn delete_media_on_completion_removes_after_delivery() {
    let h = start(0).await;
    let id = qid(&h.queue(T2V, json!({})).await);
    let resp = h
        .post(
            "/video/retrieve",
            &json!({"model": T2V, "queue_id": id, "delete_media_on_completion": true}),
        )
        .await;
    assert_eq!(header(&resp, "content-type"), Some("video/mp4"));
    assert_eq!(&resp.bytes().await.unwrap()[4..8], b"ftyp");
    assert_eq!(h.retrieve(T2V, &id).await.status(), 404);
}

#[tokio::test]
async fn private_model_uses_download_url() {
    let h = start(800).await;
    let q = h
        .queue(
            PRIVATE,
            json!({"aspect_ratio": "1:1", "resolution": "720p"}),
        )
        .await;
    let id = qid(&q);
    let url = q["download_url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("http://{}/_sim/download/{id}", h.sim.addr()));

    let early = h.http.get(&url).send().await.unwrap();
    assert_eq!(early.status(), 404);
    let body: Value = h.retrieve(PRIVATE, &id).await.json().await.unwrap();
    assert_eq!(body["status"], "PROCESSING");

    tokio::time::sleep(Duration::from_millis(850)).await;
    let resp = h.retrieve(PRIVATE, &id).await;
    assert!(
        header(&resp, "content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "COMPLETED");
    assert!(body["average_execution_time"].is_number() && body["execution_duration"].is_number());

    // A pre-signed URL: no Authorization needed.
    let video = h.http.get(&url).send().await.unwrap();
    assert_eq!(video.status(), 200);
    assert_eq!(header(&video, "content-type"), Some("video/mp4"));
    let bytes = video.bytes().await.unwrap();
    assert_eq!(
        &bytes[..],
        venice_sim::fixture_for_aspect_ratio(Some("1:1")).bytes
    );
    assert_eq!(h.sim.count(Endpoint::Download), 2);

    assert_eq!(
        h.post(
            "/video/complete",
            &json!({"model": PRIVATE, "queue_id": id})
        )
        .await
        .status(),
        200
    );
    assert_eq!(h.http.get(&url).send().await.unwrap().status(), 404);
    assert_eq!(h.retrieve(PRIVATE, &id).await.status(), 404);
}

#[tokio::test]
async fn quotes_are_deterministic_positive_and_priced_by_table() {
    let h = start(0).await;
    let ask = |body: Value| {
        let h = &h;
        async move {
            let resp = h.post("/video/quote", &body).await;
            assert_eq!(resp.status(), 200, "{body}");
            resp.json::<Value>().await.unwrap()["quote"]
                .as_f64()
                .unwrap()
        }
    };
    let a = ask(json!({"model": T2V, "duration": "10s", "resolution": "1080p"})).await;
    let b = ask(json!({"model": T2V, "duration": "10s", "resolution": "1080p"})).await;
    assert_eq!(a, b);
    assert_eq!(a, venice_sim::quote_usd(T2V, "10s", Some("1080p"), true));
    let cheaper = ask(json!({"model": T2V, "duration": "5s", "resolution": "720p"})).await;
    assert!(cheaper > 0.0 && cheaper < a);

    // Every model's first duration quotes positive; quotes do not charge.
    let models: Value = h.get("/models?type=video").await.json().await.unwrap();
    for m in models["data"].as_array().unwrap() {
        let c = &m["model_spec"]["constraints"];
        let duration = c["durations"][0].as_str().unwrap();
        let q = ask(json!({"model": m["id"], "duration": duration})).await;
        assert!(q > 0.0, "{}", m["id"]);
    }
    assert_eq!(h.sim.balance_usd(), 50.0);
    assert_eq!(h.sim.job_count(), 0);
}

#[tokio::test]
async fn models_lists_and_common_headers() {
    let h = start(0).await;
    let resp = h
        .http
        .get(format!("{}/models?type=video", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "models needs no key");
    for name in [
        "cf-ray",
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
        "x-venice-balance-usd",
        "x-venice-balance-diem",
    ] {
        assert!(resp.headers().contains_key(name), "missing {name}");
    }
    let ray = header(&resp, "cf-ray").unwrap().to_owned();
    let list: Value = resp.json().await.unwrap();
    assert_eq!(list["object"], "list");
    assert_eq!(list["type"], "video");
    assert_eq!(list["data"].as_array().unwrap().len(), 116);
    let text: Value = h.get("/models?type=text").await.json().await.unwrap();
    assert!(
        text["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "zai-org-glm-5-1")
    );
    let again = h.get("/models?type=video").await;
    assert_ne!(
        header(&again, "cf-ray").unwrap(),
        ray,
        "CF-RAY must be unique"
    );
}

#[tokio::test]
async fn rate_limit_headers_count_per_minute_and_balance_is_before_request() {
    let h = start(0).await;
    let mut remaining = Vec::new();
    let mut balances = Vec::new();
    for _ in 0..3 {
        let resp = h
            .post(
                "/video/queue",
                &json!({"model": T2V, "prompt": "p", "duration": "5s"}),
            )
            .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "x-ratelimit-limit-requests"), Some("40"));
        remaining.push(
            header(&resp, "x-ratelimit-remaining-requests")
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
        balances.push(
            header(&resp, "x-venice-balance-usd")
                .unwrap()
                .parse::<f64>()
                .unwrap(),
        );
        let reset: u64 = header(&resp, "x-ratelimit-reset-requests")
            .unwrap()
            .parse()
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(reset > now.saturating_sub(1) && reset <= now + 61);
    }
    assert_eq!(remaining, vec![39, 38, 37]);
    assert_eq!(balances[0], 50.0);
    assert!(balances[1] < balances[0] && balances[2] < balances[1]);
    let retrieve = h
        .retrieve(T2V, "123e4567-e89b-12d3-a456-426614174000")
        .await;
    assert_eq!(header(&retrieve, "x-ratelimit-limit-requests"), Some("120"));
    assert_eq!(
        header(&retrieve, "x-ratelimit-remaining-requests"),
        Some("119")
    );
}

#[tokio::test]
async fn balance_rate_limits_and_402_when_short() {
    let h = start_with(SimConfig {
        balance_usd: 0.5,
        job_duration: Duration::ZERO,
        ..SimConfig::default()
    })
    .await;
    let bal: Value = h.get("/billing/balance").await.json().await.unwrap();
    assert_eq!(bal["balances"]["usd"], 0.5);
    assert_eq!(bal["canConsume"], true);
    let limits: Value = h.get("/api_keys/rate_limits").await.json().await.unwrap();
    assert_eq!(limits["data"]["accessPermitted"], true);
    assert_eq!(limits["data"]["balances"]["USD"], 0.5);
    assert!(limits["data"]["keyExpiration"].is_null());
    assert!(
        limits["data"]["rateLimits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["apiModelId"] == T2V)
    );

    // 10 s 1080p with audio costs 0.95 > 0.5.
    let resp = h
        .post(
            "/video/queue",
            &json!({"model": T2V, "prompt": "p", "duration": "10s", "resolution": "1080p"}),
        )
        .await;
    assert_eq!(resp.status(), 402);
    let err: Value = resp.json().await.unwrap();
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .starts_with("Insufficient USD or Diem balance")
    );
    assert_eq!(h.sim.job_count(), 0);
    assert_eq!(h.sim.balance_usd(), 0.5);
}

#[tokio::test]
async fn deprecated_model_gets_warning_header() {
    let h = start(0).await;
    let resp = h
        .post(
            "/video/quote",
            &json!({"model": "sora-2-text-to-video", "duration": "4s"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        header(&resp, "x-venice-model-deprecation-warning")
            .unwrap()
            .contains("2026-09-24")
    );
    let fine = h
        .post("/video/quote", &json!({"model": T2V, "duration": "5s"}))
        .await;
    assert!(header(&fine, "x-venice-model-deprecation-warning").is_none());
}

#[tokio::test]
async fn chat_reply_is_prompt_like_and_respects_max_tokens() {
    let h = start(0).await;
    let body = json!({
        "model": "zai-org-glm-5-1",
        "messages": [
            {"role": "system", "content": "You turn song themes into video prompts."},
            {"role": "user", "content": "Theme: \"paper boats in a thunderstorm\". Write one prompt."}
        ],
        "temperature": 0.7,
        "venice_parameters": {"include_venice_system_prompt": false}
    });
    let resp = h.post("/chat/completions", &body).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["object"], "chat.completion");
    let content = v["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(
        content.contains("paper boats in a thunderstorm"),
        "{content}"
    );
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert!(v["cost"]["usd"].as_f64().unwrap() > 0.0);
    assert!(v["usage"]["total_tokens"].as_u64().unwrap() > 0);
    let again: Value = h
        .post("/chat/completions", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["choices"][0]["message"]["content"], content,
        "deterministic"
    );

    let mut short = body.clone();
    short["max_completion_tokens"] = json!(8);
    let v: Value = h
        .post("/chat/completions", &short)
        .await
        .json()
        .await
        .unwrap();
    let content = v["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(content.split_whitespace().count() <= 8, "{content}");
    assert_eq!(v["choices"][0]["finish_reason"], "length");

    let unknown = h
        .post(
            "/chat/completions",
            &json!({"model": "no-such-llm", "messages": [{"role": "user", "content": "x"}]}),
        )
        .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn request_log_records_everything_but_the_key() {
    let h = start(0).await;
    let body = json!({"model": T2V, "duration": "5s"});
    let raw = serde_json::to_vec(&body).unwrap();
    h.http
        .post(format!("{}/video/quote", h.base))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    h.http
        .get(format!("{}/models?type=video", h.base))
        .send()
        .await
        .unwrap();
    h.http.get(format!("{}/nope", h.base)).send().await.unwrap();

    let log = h.sim.requests();
    assert_eq!(log.len(), 3);
    let quote = &log[0];
    assert_eq!(quote.endpoint, Some(Endpoint::VideoQuote));
    assert_eq!(quote.method, "POST");
    assert_eq!(quote.path, "/api/v1/video/quote");
    assert_eq!(quote.raw_body, raw);
    assert_eq!(quote.body.as_ref(), Some(&body));
    assert!(quote.authorization_present);
    assert_eq!(quote.user_agent.as_deref(), Some("venice-sim-tests/1"));
    assert_eq!(quote.status, 200);
    let models = &log[1];
    assert_eq!(models.query.as_deref(), Some("type=video"));
    assert!(!models.authorization_present);
    assert!(models.body.is_none() && models.raw_body.is_empty());
    assert_eq!(log[2].endpoint, None);
    assert_eq!(log[2].status, 404);
    assert!(log[0].at <= log[1].at && log[1].at <= log[2].at);
    assert!(
        !format!("{log:?}").contains(KEY),
        "the key must never be stored"
    );
    assert_eq!(h.sim.count(Endpoint::VideoQuote), 1);

    // The control API shows the same log, and never the key.
    let ctl = format!("http://{}/_sim/requests", h.sim.addr());
    let text = h.http.get(&ctl).send().await.unwrap().text().await.unwrap();
    assert!(!text.contains(KEY));
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert_eq!(json[0]["endpoint"], "video_quote");

    h.sim.clear_log();
    assert!(h.sim.requests().is_empty());
}

#[tokio::test]
async fn auth_rules() {
    let h = start_with(SimConfig {
        api_key: Some(KEY.into()),
        ..SimConfig::default()
    })
    .await;
    let url = format!("{}/billing/balance", h.base);
    assert_eq!(h.http.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(
        h.http
            .get(&url)
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let ok = h.http.get(&url).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let body: Value = h
        .http
        .get(&url)
        .bearer_auth("nope")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({"error": "Authentication failed"}));

    let open = start(0).await;
    let url = format!("{}/billing/balance", open.base);
    assert_eq!(
        open.http.get(&url).send().await.unwrap().status(),
        401,
        "missing header is 401"
    );
    assert_eq!(
        open.http
            .get(&url)
            .bearer_auth("anything")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn delete_media_on_completion_deletes_even_when_the_body_breaks_on_the_way() {
    // Venice deletes the media once the retrieve completes on its side; what the client got is
    // not its concern. A client that sends the flag and then fails to save the body has lost it.
    for fault in [Fault::TruncatedMp4, Fault::DropMidBody, Fault::NotMp4] {
        let h = start(0).await;
        let id = qid(&h.queue(T2V, json!({})).await);
        h.sim.inject(Endpoint::VideoRetrieve, fault.clone());
        let resp = h
            .post(
                "/video/retrieve",
                &json!({"model": T2V, "queue_id": id, "delete_media_on_completion": true}),
            )
            .await;
        let _ = resp.bytes().await;
        assert_eq!(h.retrieve(T2V, &id).await.status(), 404, "{fault:?}");
    }
}

#[tokio::test]
async fn without_the_flag_a_broken_delivery_leaves_the_media_to_fetch_again() {
    let h = start(0).await;
    let id = qid(&h.queue(T2V, json!({})).await);
    h.sim.inject(Endpoint::VideoRetrieve, Fault::TruncatedMp4);
    let _ = h.retrieve(T2V, &id).await.bytes().await;
    let again = h.retrieve(T2V, &id).await;
    assert_eq!(header(&again, "content-type"), Some("video/mp4"));
}
