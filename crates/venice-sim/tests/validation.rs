//! Venice-style validation: 404 for unknown models, 400 DetailedError for bad or null fields.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};

async fn expect_400(h: &Harness, path: &str, body: Value, field: &str) {
    let resp = h.post(path, &body).await;
    assert_eq!(resp.status(), 400, "{body}");
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"], "Invalid request parameters", "{err}");
    if field.is_empty() {
        assert!(
            !err["details"]["_errors"].as_array().unwrap().is_empty(),
            "{err}"
        );
    } else {
        assert!(
            err["details"][field]["_errors"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "{field}: {err}"
        );
    }
}

#[tokio::test]
async fn queue_validation_errors_create_no_job_and_charge_nothing() {
    let h = start(0).await;
    let unknown = h
        .post(
            "/video/queue",
            &json!({"model": "no-such-model", "prompt": "p", "duration": "5s"}),
        )
        .await;
    assert_eq!(unknown.status(), 404);
    let err: Value = unknown.json().await.unwrap();
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .starts_with("Model not found")
    );

    let cases = [
        (
            json!({"model": T2V, "prompt": "p", "duration": "7s"}),
            "duration",
        ),
        (json!({"model": T2V, "prompt": "p"}), "duration"),
        (
            json!({"model": T2V, "prompt": "p", "duration": "5s", "resolution": "4k"}),
            "resolution",
        ),
        (
            json!({"model": T2V, "prompt": "p", "duration": "5s", "aspect_ratio": "4:3"}),
            "aspect_ratio",
        ),
        // Field sent while the model's list is empty.
        (
            json!({"model": "kling-2.5-turbo-pro-text-to-video", "prompt": "p", "duration": "5s", "resolution": "720p"}),
            "resolution",
        ),
        (
            json!({"model": I2V, "prompt": "p", "duration": "5s", "image_url": "https://x/a.png", "aspect_ratio": "16:9"}),
            "aspect_ratio",
        ),
        // audio only when audio_configurable.
        (
            json!({"model": T2V, "prompt": "p", "duration": "5s", "audio": false}),
            "audio",
        ),
        (json!({"model": T2V, "duration": "5s"}), "prompt"),
        (
            json!({"model": T2V, "prompt": "", "duration": "5s"}),
            "prompt",
        ),
        (
            json!({"model": T2V, "prompt": "x".repeat(2501), "duration": "5s"}),
            "prompt",
        ),
        (
            json!({"model": I2V, "prompt": "p", "duration": "5s"}),
            "image_url",
        ),
        (
            json!({"model": I2V, "prompt": "p", "duration": "5s", "image_url": "file:///etc/passwd"}),
            "image_url",
        ),
        (
            json!({"model": T2V, "prompt": "p", "duration": "5s", "image_url": "https://x/a.png"}),
            "image_url",
        ),
        // JSON null for an optional field.
        (
            json!({"model": T2V, "prompt": "p", "duration": "5s", "aspect_ratio": null}),
            "aspect_ratio",
        ),
        (
            json!({"model": T2V, "prompt": "p", "duration": "5s", "negative_prompt": null}),
            "negative_prompt",
        ),
        (
            json!({"model": T2V, "prompt": "p", "duration": 5}),
            "duration",
        ),
        // No such field in QueueVideoRequest.
        (
            json!({"model": T2V, "prompt": "p", "duration": "5s", "seed": 42}),
            "",
        ),
        (json!([1, 2]), ""),
    ];
    for (body, field) in cases {
        expect_400(&h, "/video/queue", body, field).await;
    }
    assert_eq!(h.sim.job_count(), 0);
    assert_eq!(h.sim.balance_usd(), 50.0);

    // The happy variants of the same models pass.
    h.queue(
        I2V,
        json!({"image_url": "data:image/png;base64,iVBORw0K", "resolution": "720p"}),
    )
    .await;
    h.queue(
        "kling-2.6-pro-text-to-video",
        json!({"audio": false, "aspect_ratio": "1:1"}),
    )
    .await;
    h.queue(
        "topaz-video-upscale",
        json!({"duration": "Auto", "video_url": "https://x/v.mp4", "upscale_factor": 2}),
    )
    .await;
    assert_eq!(h.sim.job_count(), 3);
}

#[tokio::test]
async fn quote_retrieve_complete_validation() {
    let h = start(0).await;
    expect_400(&h, "/video/quote", json!({"model": T2V}), "duration").await;
    expect_400(
        &h,
        "/video/quote",
        json!({"model": T2V, "duration": "5s", "resolution": null}),
        "resolution",
    )
    .await;
    expect_400(
        &h,
        "/video/quote",
        json!({"model": T2V, "duration": "5s", "prompt": "not a quote field"}),
        "",
    )
    .await;
    assert_eq!(
        h.post("/video/quote", &json!({"model": "nope", "duration": "5s"}))
            .await
            .status(),
        404
    );

    expect_400(&h, "/video/retrieve", json!({"model": T2V}), "queue_id").await;
    expect_400(&h, "/video/retrieve", json!({"queue_id": "x"}), "model").await;
    expect_400(
        &h,
        "/video/retrieve",
        json!({"model": T2V, "queue_id": "x", "delete_media_on_completion": null}),
        "delete_media_on_completion",
    )
    .await;
    expect_400(
        &h,
        "/video/retrieve",
        json!({"model": T2V, "queue_id": "x", "extra": 1}),
        "",
    )
    .await;
    expect_400(
        &h,
        "/video/complete",
        json!({"model": T2V, "queue_id": "x", "delete_media_on_completion": true}),
        "",
    )
    .await;
    expect_400(&h, "/video/complete", json!({"model": T2V}), "queue_id").await;

    // Retrieve with the wrong model for a real job → 404 like an unknown id.
    let id = qid(&h.queue(T2V, json!({})).await);
    assert_eq!(h.retrieve("wan-2.6-text-to-video", &id).await.status(), 404);

    // Not JSON at all.
    let resp = h
        .http
        .post(format!("{}/video/queue", h.base))
        .bearer_auth(KEY)
        .body("model=wan")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    expect_400(
        &h,
        "/chat/completions",
        json!({"model": "zai-org-glm-5-1", "messages": []}),
        "messages",
    )
    .await;
    expect_400(&h, "/chat/completions", json!({"model": "zai-org-glm-5-1", "messages": [{"role": "user", "content": "x"}], "temperature": null}), "temperature").await;
}
