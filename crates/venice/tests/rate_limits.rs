//! `GET /api_keys/rate_limits` against the sim.

mod common;

#[tokio::test]
async fn key_limits_and_rate_limit_headers() {
    let sim = common::sim().await;
    let res = common::client(&sim)
        .api_keys()
        .rate_limits()
        .await
        .expect("limits");
    assert!(res.value.data.access_permitted);
    assert!(res.value.data.balances.usd.is_some());
    let rl = &res.meta.rate_limit;
    assert!(rl.limit_requests.is_some());
    assert!(rl.remaining_requests.is_some());
    assert!(
        rl.reset_requests_unix.is_some_and(|t| t > 1_000_000_000),
        "unix time: {rl:?}"
    );
    sim.shutdown().await;
}
