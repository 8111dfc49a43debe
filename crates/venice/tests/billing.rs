//! `GET /billing/balance` against the sim.

mod common;

#[tokio::test]
async fn balance_and_balance_headers() {
    let sim = common::sim().await;
    let res = common::client(&sim)
        .billing()
        .balance()
        .await
        .expect("balance");
    assert_eq!(res.value.balances.usd, Some(sim.balance_usd()));
    assert!(res.value.can_consume);
    assert_eq!(res.meta.balance.usd, Some(sim.balance_usd()));
    assert!(res.meta.request_id.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_key_is_fix_api_key() {
    let sim = common::sim().await;
    let cfg = common::config(&sim);
    let client = venice::Client::new(
        venice::ClientConfig::new(venice::ApiKey::new("sk-wrong")).base_url(cfg.base_url_str()),
    )
    .expect("client");
    let err = client.billing().balance().await.expect_err("401");
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        err.class(),
        venice::ErrorClass::NeedsUser(venice::UserAction::FixApiKey)
    );
    assert!(
        err.to_string().contains("API key was rejected (401)"),
        "{err}"
    );
    sim.shutdown().await;
}
