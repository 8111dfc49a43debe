//! Unit tests for `retry`.

use super::*;
use crate::error::{ApiError, Operation};
use crate::meta::ResponseMeta;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::UNIX_EPOCH;

fn api(status: u16) -> Error {
    ApiError::from_response(
        Operation::VideoRetrieve,
        status,
        b"{\"error\":\"x\"}",
        ResponseMeta::default(),
        UNIX_EPOCH,
    )
    .into()
}

fn rate_limited(secs: u64) -> Error {
    let meta = ResponseMeta {
        retry_after: Some(Duration::from_secs(secs)),
        ..Default::default()
    };
    ApiError::from_response(Operation::VideoQuote, 429, b"{}", meta, UNIX_EPOCH).into()
}

#[test]
fn backoff_math_is_deterministic_and_bounded() {
    let p = RetryPolicy::default()
        .delays(Duration::from_millis(500), Duration::from_secs(8))
        .with_seed(7);
    assert_eq!(p.ceiling(1), Duration::from_millis(500));
    assert_eq!(p.ceiling(2), Duration::from_secs(1));
    assert_eq!(p.ceiling(4), Duration::from_secs(4));
    assert_eq!(p.ceiling(10), Duration::from_secs(8));
    assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(8));
    let a: Vec<_> = (1..8).map(|r| p.backoff(r)).collect();
    let q = RetryPolicy::default()
        .delays(Duration::from_millis(500), Duration::from_secs(8))
        .with_seed(7);
    let b: Vec<_> = (1..8).map(|r| q.backoff(r)).collect();
    assert_eq!(a, b, "same seed, same delays");
    for (i, d) in a.iter().enumerate() {
        assert!(*d <= p.ceiling(i as u32 + 1));
    }
}

#[tokio::test(start_paused = true)]
async fn retries_then_succeeds() {
    let p = RetryPolicy::default().with_seed(1);
    let calls = AtomicU32::new(0);
    let start = Instant::now();
    let out = run(&p, || async {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        if n < 2 { Err(api(503)) } else { Ok(n) }
    })
    .await;
    assert_eq!(out.ok(), Some(2));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(start.elapsed() <= p.ceiling(1) + p.ceiling(2));
}

#[tokio::test(start_paused = true)]
async fn honours_retry_after() {
    let p = RetryPolicy::default().with_seed(1);
    let calls = AtomicU32::new(0);
    let start = Instant::now();
    let out = run(&p, || async {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(rate_limited(7))
        } else {
            Ok(())
        }
    })
    .await;
    assert!(out.is_ok());
    assert_eq!(start.elapsed(), Duration::from_secs(7));
    // Too long a wait goes back to the caller.
    let out: Result<(), _> = run(&p, || async { Err(rate_limited(3600)) }).await;
    assert_eq!(out.err().map(|e| e.status()), Some(Some(429)));
}

#[tokio::test(start_paused = true)]
async fn never_retries_outcome_unknown_needs_user_or_permanent() {
    let p = RetryPolicy::default().with_seed(1);
    for make in [
        || Error::OutcomeUnknown {
            detail: "t".into(),
            status: None,
            request_id: None,
        },
        || api(401),
        || api(404),
        || Error::UnknownStatus {
            status: "weird".into(),
            request_id: None,
        },
    ] {
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = run(&p, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(make())
        })
        .await;
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts() {
    let p = RetryPolicy::default().max_attempts(3).with_seed(3);
    let calls = AtomicU32::new(0);
    let out: Result<(), _> = run(&p, || async {
        calls.fetch_add(1, Ordering::SeqCst);
        Err(api(500))
    })
    .await;
    assert_eq!(out.err().and_then(|e| e.status()), Some(500));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn failure_budget_waits_out_the_window() {
    let budget = FailureBudget::new(3, Duration::from_secs(30));
    let shared = budget.clone();
    for _ in 0..3 {
        shared.record_failure();
        tokio::time::advance(Duration::from_secs(1)).await;
    }
    assert_eq!(budget.failures_in_window(), 3);
    // The first failure was 3 s ago; it leaves the window in 27 s.
    assert_eq!(budget.wait_needed(), Duration::from_secs(27));
    let start = Instant::now();
    let permit = budget.acquire().await;
    assert_eq!(start.elapsed(), Duration::from_secs(27));
    drop(permit);
    assert_eq!(budget.failures_in_window(), 2);
    assert_eq!(budget.wait_needed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn retry_storm_stays_under_venice_lockout() {
    // Many tasks hammering a failing endpoint: never more than 10 failures in any 30 s.
    let p = RetryPolicy::default()
        .max_attempts(6)
        .delays(Duration::from_millis(10), Duration::from_millis(50))
        .with_seed(9);
    let log: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let p = p.clone();
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let _: Result<(), _> = run(&p, || {
                let log = log.clone();
                async move {
                    log.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(Instant::now());
                    Err(api(503))
                }
            })
            .await;
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let times = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(times.len(), 48);
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .filter(|u| u.duration_since(*t) < Duration::from_secs(30))
            .count();
        assert!(in_window <= 10, "{in_window} failures within 30 s");
    }
}
