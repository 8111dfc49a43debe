//! `GET /billing/usage-history`: the sim's charges as the spec's cursor walk, with its refusals,
//! the usage delay, and faults.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use venice_sim::{Endpoint, Fault, SimConfig};

async fn history(h: &Harness, query: &str) -> (u16, Value) {
    let resp = h.get(&format!("/billing/usage-history?{query}")).await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// Walks every page from `first_query`; returns the entries in the order served.
async fn walk(h: &Harness, first_query: &str) -> Vec<Value> {
    let (status, mut page) = history(h, first_query).await;
    assert_eq!(status, 200, "{page}");
    let mut all = Vec::new();
    loop {
        all.extend(page["data"].as_array().unwrap().iter().cloned());
        let Some(cursor) = page["nextCursor"].as_str().map(str::to_owned) else {
            assert_eq!(page["nextCursor"], Value::Null);
            return all;
        };
        let (status, next) = history(h, &format!("cursor={cursor}")).await;
        assert_eq!(status, 200, "{next}");
        page = next;
    }
}

fn field_names(entry: &Value) -> Vec<String> {
    let mut names: Vec<String> = entry.as_object().unwrap().keys().cloned().collect();
    names.sort();
    names
}

#[tokio::test]
async fn every_queue_is_a_charge_listed_oldest_first_in_cursor_pages() {
    let h = start(0).await;
    for i in 0..12 {
        let duration = if i % 2 == 0 { "5s" } else { "10s" };
        h.queue(T2V, json!({"duration": duration})).await;
    }
    let entries = walk(&h, "pageSize=10").await;
    assert_eq!(entries.len(), 12, "each charge exactly once");
    let first = &entries[0];
    assert_eq!(
        field_names(first),
        [
            "amount",
            "currency",
            "inferenceDetails",
            "notes",
            "pricePerUnitUsd",
            "sku",
            "timestamp",
            "units"
        ]
    );
    let five = venice_sim::quote_usd(T2V, "5s", None, true);
    let ten = venice_sim::quote_usd(T2V, "10s", None, true);
    assert_eq!(
        first["amount"].as_f64(),
        Some(-five),
        "a charge is negative"
    );
    assert_eq!(entries[1]["amount"].as_f64(), Some(-ten));
    assert_eq!(first["currency"], "USD");
    assert_eq!(first["sku"], format!("{T2V}-video-unit"));
    assert_eq!(first["pricePerUnitUsd"].as_f64(), Some(five));
    let stamps: Vec<&str> = entries
        .iter()
        .map(|e| e["timestamp"].as_str().unwrap())
        .collect();
    assert!(
        stamps.iter().all(|s| s.ends_with('Z') && s.len() == 24),
        "{stamps:?}"
    );
    let mut sorted = stamps.clone();
    sorted.sort();
    assert_eq!(stamps, sorted, "ascending");
    let total: f64 = entries.iter().map(|e| -e["amount"].as_f64().unwrap()).sum();
    assert!((total - (50.0 - h.sim.balance_usd())).abs() < 1e-6);

    // The default page holds them all; no cursor when nothing remains.
    let (_, all) = history(&h, "").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 12);
    assert_eq!(all["nextCursor"], Value::Null);
}

#[tokio::test]
async fn a_queue_that_hangs_is_charged_and_listed_one_answered_with_an_error_is_not() {
    let h = start(0).await;
    h.sim.inject(Endpoint::VideoQueue, Fault::ServerError);
    h.sim.inject(Endpoint::VideoQueue, Fault::HangAfterReceive);
    let body = json!({"model": T2V, "prompt": "p", "duration": "5s"});
    assert_eq!(h.post("/video/queue", &body).await.status(), 500);
    let hung = h
        .http
        .post(format!("{}/video/queue", h.base))
        .bearer_auth(KEY)
        .json(&body)
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(hung.expect_err("never answered").is_timeout());
    let entries = walk(&h, "").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        entries[0]["amount"].as_f64(),
        Some(-venice_sim::quote_usd(T2V, "5s", None, true))
    );
}

#[tokio::test]
async fn filters_bound_the_walk_and_travel_inside_the_cursor() {
    let h = start(0).await;
    for _ in 0..11 {
        h.queue(T2V, json!({})).await;
    }
    let (_, all) = history(&h, "").await;
    let stamps: Vec<String> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["timestamp"].as_str().unwrap().to_owned())
        .collect();
    let last = stamps.last().unwrap().clone();
    // End is exclusive: a window ending at the last charge leaves it (and any at the same ms) out.
    let same_ms = stamps.iter().filter(|s| **s == last).count();
    let before_last = walk(&h, &format!("pageSize=10&endTimestamp={last}")).await;
    assert_eq!(before_last.len(), 11 - same_ms);
    // Start is inclusive.
    let from_last = walk(&h, &format!("startTimestamp={last}&currency=USD")).await;
    assert_eq!(from_last.len(), same_ms);
    assert!(walk(&h, "currency=DIEM").await.is_empty());
    let later = walk(&h, "startTimestamp=2999-01-01T00:00:00Z").await;
    assert!(later.is_empty());
}

#[tokio::test]
async fn bad_requests_are_400_detailed_errors() {
    let h = start(0).await;
    for _ in 0..11 {
        h.queue(T2V, json!({})).await;
    }
    let (_, page) = history(&h, "pageSize=10").await;
    let cursor = page["nextCursor"].as_str().unwrap().to_owned();
    let mut tampered = cursor.clone().into_bytes();
    tampered[2] = if tampered[2] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    let cases = [
        format!("cursor={cursor}&pageSize=10"),
        format!("cursor={cursor}&startTimestamp=2026-01-01T00:00:00Z"),
        format!("cursor={tampered}"),
        "cursor=not-a-cursor".to_string(),
        "pageSize=9".to_string(),
        "pageSize=1001".to_string(),
        "pageSize=ten".to_string(),
        "startTimestamp=2026-01-01T00:00:00".to_string(),
        "startTimestamp=2026-01-01T00:00:00Z&endTimestamp=2026-01-01T00:00:00Z".to_string(),
        "currency=EUR".to_string(),
        "page=2".to_string(),
    ];
    for query in cases {
        let (status, body) = history(&h, &query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"], "Invalid request parameters", "{query}");
        assert!(body["details"].is_object(), "{query}: {body}");
    }
    // The untouched cursor still works.
    assert_eq!(history(&h, &format!("cursor={cursor}")).await.0, 200);
}

#[tokio::test]
async fn usage_not_yet_recorded_shows_up_after_the_delay() {
    let h = start_with(SimConfig {
        job_duration: Duration::ZERO,
        usage_delay: Duration::from_secs(3600),
        ..SimConfig::default()
    })
    .await;
    h.queue(T2V, json!({})).await;
    assert!(walk(&h, "").await.is_empty(), "not recorded yet");
    h.sim.set_usage_delay(Duration::ZERO);
    assert_eq!(walk(&h, "").await.len(), 1);
}

#[tokio::test]
async fn faults_apply_and_the_key_is_required() {
    let h = start(0).await;
    h.queue(T2V, json!({})).await;
    h.sim.inject(Endpoint::UsageHistory, Fault::ServerError);
    assert_eq!(history(&h, "").await.0, 500);
    assert_eq!(history(&h, "").await.0, 200, "the fault applied once");
    assert_eq!(h.sim.count(Endpoint::UsageHistory), 2);
    let anonymous = h
        .http
        .get(format!("{}/billing/usage-history", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
