//! `client.billing().usage_history(..)` and the whole-walk helper against the sim: pages, the
//! cursor sent alone, time windows, a charge for a queue that never answered, and errors.

mod common;

use std::time::{Duration, SystemTime};

use venice::{
    ApiKey, Client, ClientConfig, Error, ErrorClass, UsageFilter, UsageHistoryQuery, UserAction,
};
use venice_sim::{Endpoint, Fault};

/// Queues `n` standard jobs; returns the quote each was charged.
async fn queue_jobs(client: &Client, n: usize) -> f64 {
    for _ in 0..n {
        common::queue_t2v(client).await;
    }
    venice_sim::quote_usd(common::T2V, "5s", Some("720p"), true)
}

#[tokio::test]
async fn walks_every_page_sending_the_cursor_alone() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let quote = queue_jobs(&client, 23).await;
    sim.clear_log();

    let all = client
        .billing()
        .usage_history_all(&UsageFilter::default().page_size(10))
        .await
        .expect("walk");
    assert_eq!(all.value.len(), 23);
    assert!(all.value.iter().all(|e| e.is_for_model(common::T2V)));
    assert!(all.value.iter().all(|e| (e.usd() - quote).abs() < 1e-9));
    let times: Vec<i64> = all
        .value
        .iter()
        .map(|e| e.timestamp_ms().expect("readable"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    assert!(all.meta.request_id.is_some());

    let queries: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r.endpoint == Some(Endpoint::UsageHistory))
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(queries.len(), 3, "{queries:?}");
    assert_eq!(queries[0], "pageSize=10");
    for q in &queries[1..] {
        assert!(
            q.starts_with("cursor=") && !q.contains('&'),
            "a continuation sends only the cursor: {q}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_time_window_selects_the_charges_made_in_it() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    queue_jobs(&client, 2).await;
    let page = client
        .billing()
        .usage_history(&UsageHistoryQuery::First(UsageFilter::default()))
        .await
        .expect("page")
        .value;
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.next_cursor, None);
    let first = page.data[0].time().expect("time");
    let second = page.data[1].time().expect("time");

    // From just after the first charge: only the second (when they are a millisecond apart).
    let after_first = first + Duration::from_millis(1);
    let later = client
        .billing()
        .usage_history_all(&UsageFilter {
            start: Some(after_first),
            ..UsageFilter::default()
        })
        .await
        .expect("walk")
        .value;
    let expected = usize::from(second >= after_first);
    assert_eq!(later.len(), expected);
    // A window that ends before the first charge holds nothing.
    let before = client
        .billing()
        .usage_history_all(&UsageFilter::between(
            first - Duration::from_secs(3600),
            first,
        ))
        .await
        .expect("walk")
        .value;
    assert!(before.is_empty(), "{before:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_queue_that_never_answered_shows_up_as_a_charge() {
    let sim = common::sim().await;
    let config = common::config(&sim).request_timeout(Duration::from_millis(500));
    let client = Client::new(config)
        .expect("client")
        .with_catalogue(common::catalogue());
    let asked = SystemTime::now();
    sim.inject(Endpoint::VideoQueue, Fault::HangAfterReceive);
    let err = client
        .video()
        .queue(&common::t2v())
        .await
        .expect_err("no answer");
    assert_eq!(err.class(), ErrorClass::OutcomeUnknown);
    let charges = client
        .billing()
        .usage_history_all(&UsageFilter::between(
            asked - Duration::from_secs(60),
            SystemTime::now() + Duration::from_secs(60),
        ))
        .await
        .expect("walk")
        .value;
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert!(charges[0].is_for_model(common::T2V));
    assert!(
        (charges[0].usd() - venice_sim::quote_usd(common::T2V, "5s", Some("720p"), true)).abs()
            < 1e-9
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_refused_cursor_says_to_start_again() {
    let sim = common::sim().await;
    let err = common::client(&sim)
        .billing()
        .usage_history(&UsageHistoryQuery::Next("0000000000000000deadbeef".into()))
        .await
        .expect_err("400");
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.class(),
        ErrorClass::NeedsUser(UserAction::ChangeRequest)
    );
    let text = err.to_string();
    assert!(
        text.contains("usage-history") && text.contains("first page"),
        "{text}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn server_trouble_is_retryable_and_a_wrong_key_needs_the_user() {
    let sim = common::sim().await;
    sim.inject(Endpoint::UsageHistory, Fault::ServerError);
    let err = common::client(&sim)
        .billing()
        .usage_history_all(&UsageFilter::default())
        .await
        .expect_err("500");
    assert_eq!(err.class(), ErrorClass::RetryWithBackoff);
    assert!(
        err.to_string()
            .contains("reading the account's usage history"),
        "{err}"
    );

    let cfg = common::config(&sim);
    let wrong =
        Client::new(ClientConfig::new(ApiKey::new("sk-wrong")).base_url(cfg.base_url_str()))
            .expect("client");
    let err = wrong
        .billing()
        .usage_history(&UsageHistoryQuery::First(UsageFilter::default()))
        .await
        .expect_err("401");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.class(), ErrorClass::NeedsUser(UserAction::FixApiKey));
    sim.shutdown().await;
}
