//! `POST /video/quote` against the sim, including the client-side constraint check.

mod common;

use venice::{ErrorClass, QuoteVideoRequest, UserAction};
use venice_sim::Endpoint;

#[tokio::test]
async fn quotes_a_price_without_nulls() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = common::t2v().to_quote();
    let res = client.video().quote(&req).await.expect("quoted");
    assert!(res.value.quote > 0.0);
    let a = venice_sim::quote_usd(common::T2V, "5s", Some("720p"), false);
    let b = venice_sim::quote_usd(common::T2V, "5s", Some("720p"), true);
    assert!(
        res.value.quote == a || res.value.quote == b,
        "quote {} matches the sim's table",
        res.value.quote
    );
    let logged = sim
        .requests()
        .into_iter()
        .find(|r| r.endpoint == Some(Endpoint::VideoQuote))
        .expect("logged");
    common::assert_no_nulls(&logged.raw_body);
    assert_eq!(
        logged
            .body
            .as_ref()
            .and_then(|b| b.get("aspect_ratio"))
            .and_then(|v| v.as_str()),
        Some("16:9")
    );
    assert!(
        logged
            .body
            .as_ref()
            .is_some_and(|b| b.get("audio").is_none()),
        "audio omitted, not null"
    );
    assert!(res.meta.balance.usd.is_some(), "balance header read");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_quote_the_model_cannot_take_never_leaves_the_machine() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let err = client
        .video()
        .quote(&QuoteVideoRequest::new(common::T2V, "7s"))
        .await
        .expect_err("7s refused");
    let msg = err.to_string();
    assert!(
        msg.contains("wan-2.5-preview-text-to-video takes duration 5s or 10s; got 7s"),
        "{msg}"
    );
    assert_eq!(
        err.class(),
        ErrorClass::NeedsUser(UserAction::ChangeRequest)
    );
    assert_eq!(sim.count(Endpoint::VideoQuote), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn without_validation_the_sims_own_400_comes_back_with_details() {
    let sim = common::sim().await;
    let client =
        venice::Client::new(common::config(&sim).validate_requests(false)).expect("client");
    let err = client
        .video()
        .quote(&QuoteVideoRequest::new(common::T2V, "7s"))
        .await
        .expect_err("400");
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.class(),
        ErrorClass::NeedsUser(UserAction::ChangeRequest)
    );
    assert!(
        err.api().and_then(|a| a.details.as_ref()).is_some(),
        "details kept: {err}"
    );
    assert!(err.request_id().is_some());
    sim.shutdown().await;
}
