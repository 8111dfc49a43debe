//! What a caller sees when Venice misbehaves: every fault the sim can inject.

mod common;

use std::time::{Duration, Instant};

use serde_json::json;
use venice::retry::{self, RetryPolicy};
use venice::{Error, ErrorClass, RetrieveOutcome, RetrieveVideoRequest, UserAction};
use venice_sim::{Endpoint, Fault};

fn fast_policy() -> RetryPolicy {
    RetryPolicy::default()
        .delays(Duration::from_millis(10), Duration::from_millis(50))
        .with_seed(42)
}

#[tokio::test]
async fn rate_limited_429_gives_retry_after_and_the_helper_waits_then_succeeds() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = common::t2v().to_quote();
    sim.inject(
        Endpoint::VideoQuote,
        Fault::RateLimited {
            reset_after_secs: 1,
        },
    );
    let err = client.video().quote(&req).await.expect_err("429");
    assert_eq!(err.status(), Some(429));
    match err.class() {
        ErrorClass::RetryAfter(d) => {
            assert!(d <= Duration::from_secs(1) && d > Duration::ZERO, "{d:?}")
        }
        other => panic!("expected RetryAfter, got {other:?}"),
    }
    assert_eq!(
        err.meta().and_then(|m| m.rate_limit.remaining_requests),
        Some(0)
    );
    assert!(
        err.meta()
            .and_then(|m| m.rate_limit.reset_requests_unix)
            .is_some()
    );
    assert!(err.to_string().contains("rate-limiting"), "{err}");

    sim.inject(
        Endpoint::VideoQuote,
        Fault::RateLimited {
            reset_after_secs: 1,
        },
    );
    let started = Instant::now();
    let quote = retry::run(&fast_policy(), || async {
        client.video().quote(&req).await
    })
    .await
    .expect("succeeds after waiting");
    assert!(quote.value.quote > 0.0);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(sim.count(Endpoint::VideoQuote), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = common::t2v().to_quote();
    for (fault, status) in [
        (Fault::ServerError, 500),
        (Fault::Unavailable, 503),
        (Fault::GatewayTimeout, 504),
    ] {
        sim.inject(Endpoint::VideoQuote, fault);
        let err = client.video().quote(&req).await.expect_err("error");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.class(), ErrorClass::RetryWithBackoff);
        assert!(err.request_id().is_some());
    }
    assert!(client.video().quote(&req).await.is_ok());
    sim.clear_log();
    sim.inject(Endpoint::VideoQuote, Fault::ServerError);
    sim.inject(Endpoint::VideoQuote, Fault::Unavailable);
    retry::run(&fast_policy(), || async {
        client.video().quote(&req).await
    })
    .await
    .expect("third time lucky");
    assert_eq!(sim.count(Endpoint::VideoQuote), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn gateway_timeout_on_queue_is_outcome_unknown_and_not_resent() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    sim.inject(Endpoint::VideoQueue, Fault::GatewayTimeout);
    let err = retry::run(&fast_policy(), || async {
        client.video().queue(&common::t2v()).await
    })
    .await
    .expect_err("unknown");
    assert!(
        matches!(
            err,
            Error::OutcomeUnknown {
                status: Some(504),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::OutcomeUnknown);
    assert_eq!(sim.count(Endpoint::VideoQueue), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn any_5xx_on_queue_is_outcome_unknown_only_a_4xx_is_a_refusal() {
    for (fault, status) in [
        (Fault::ServerError, Some(500)),
        (Fault::Unavailable, Some(503)),
        (Fault::InsufficientBalance, None),
    ] {
        let sim = common::sim().await;
        let client = common::client(&sim);
        sim.inject(Endpoint::VideoQueue, fault);
        let err = retry::run(&fast_policy(), || async {
            client.video().queue(&common::t2v()).await
        })
        .await
        .expect_err("not queued");
        match status {
            Some(status) => {
                assert_eq!(err.class(), ErrorClass::OutcomeUnknown, "{err:?}");
                assert_eq!(err.status(), Some(status));
            }
            None => assert_ne!(err.class(), ErrorClass::OutcomeUnknown, "{err:?}"),
        }
        assert_eq!(sim.count(Endpoint::VideoQueue), 1, "never resent");
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn needs_user_errors_say_what_to_do() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = common::t2v();
    let cases = [
        (
            Fault::InsufficientBalance,
            402,
            UserAction::TopUpBalance,
            "Top up",
        ),
        (
            Fault::Unauthorized,
            401,
            UserAction::FixApiKey,
            "studio key set",
        ),
        (
            Fault::Status {
                status: 403,
                body: json!({"error": "The specified model is unavailable in your region."}),
                headers: vec![],
            },
            403,
            UserAction::RegionBlocked,
            "region",
        ),
        (
            Fault::Status {
                status: 409,
                body: json!({"error": {"code": "needs_consent", "message": "Consent required"}, "consent_flow": "seedance"}),
                headers: vec![],
            },
            409,
            UserAction::GiveConsent,
            "consent",
        ),
        (
            Fault::Status {
                status: 413,
                body: json!({"code": "PAYLOAD_TOO_LARGE", "error": "File exceeds the maximum allowed size of 25 MB."}),
                headers: vec![],
            },
            413,
            UserAction::ReduceSize,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            Fault::Status {
                status: 415,
                body: json!({"error": "Unsupported media type"}),
                headers: vec![],
            },
            415,
            UserAction::ChangeRequest,
            "media type",
        ),
    ];
    for (fault, status, action, words) in cases {
        sim.inject(Endpoint::VideoQueue, fault);
        let calls_before = sim.count(Endpoint::VideoQueue);
        let err = retry::run(&fast_policy(), || async {
            client.video().queue(&req).await
        })
        .await
        .expect_err("refused");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.class(), ErrorClass::NeedsUser(action));
        assert!(err.to_string().contains(words), "{status}: {err}");
        assert_eq!(
            sim.count(Endpoint::VideoQueue),
            calls_before + 1,
            "not retried"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn expired_media_404_is_permanent() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let queued = common::queue_t2v(&client).await;
    sim.inject(Endpoint::VideoRetrieve, Fault::MediaGone);
    let dir = tempfile::tempdir().expect("tempdir");
    let req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);
    let err = retry::run(&fast_policy(), || async {
        client
            .video()
            .retrieve(&req, &dir.path().join("x.mp4"))
            .await
    })
    .await
    .expect_err("gone");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(err.to_string().contains("expired or was deleted"), "{err}");
    assert_eq!(sim.count(Endpoint::VideoRetrieve), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn content_policy_422_nested_and_flat() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let queued = common::queue_t2v(&client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);

    for refunded in [true, false] {
        sim.inject(
            Endpoint::VideoRetrieve,
            Fault::ContentPolicy {
                credits_refunded: refunded,
            },
        );
        let err = client
            .video()
            .retrieve(&req, &dir.path().join("x.mp4"))
            .await
            .expect_err("422");
        assert_eq!(err.class(), ErrorClass::NeedsUser(UserAction::ChangePrompt));
        assert_eq!(err.credits_refunded(), Some(refunded));
        assert_eq!(
            err.api().and_then(|a| a.recommended_model.as_deref()),
            Some("wan-2-7-text-to-video")
        );
    }

    sim.inject(
        Endpoint::VideoQueue,
        Fault::ContentPolicy {
            credits_refunded: false,
        },
    );
    let err = client
        .video()
        .queue(&common::t2v())
        .await
        .expect_err("422 on queue");
    assert_eq!(err.class(), ErrorClass::NeedsUser(UserAction::ChangePrompt));
    assert!(
        err.api()
            .and_then(|a| a.suggested_prompt.as_deref())
            .is_some(),
        "{err}"
    );

    // The flat variant from Venice's error-codes page.
    sim.inject(
        Endpoint::VideoRetrieve,
        Fault::Status {
            status: 422,
            body: json!({"error": "Your generation was blocked due to the model provider's content policies. Credits have been refunded.", "credits_refunded": true}),
            headers: vec![],
        },
    );
    let err = client
        .video()
        .retrieve(&req, &dir.path().join("x.mp4"))
        .await
        .expect_err("422 flat");
    assert_eq!(err.credits_refunded(), Some(true));
    assert!(err.to_string().contains("credits were refunded"), "{err}");
    assert!(common::files_in(dir.path()).is_empty());
    sim.shutdown().await;
}

async fn finished_job(
    sim: &venice_sim::VeniceSim,
    client: &venice::Client,
) -> RetrieveVideoRequest {
    let _ = sim;
    let queued = common::queue_t2v(client).await;
    common::wait_done().await;
    RetrieveVideoRequest::new(&queued.model, &queued.queue_id)
}

#[tokio::test]
async fn connection_dropped_mid_body_leaves_no_file_and_a_retry_gets_it() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = finished_job(&sim, &client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("clip.mp4");
    sim.inject(Endpoint::VideoRetrieve, Fault::DropMidBody);
    let err = client
        .video()
        .retrieve(&req, &dest)
        .await
        .expect_err("dropped");
    assert!(matches!(err, Error::Interrupted { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::RetryWithBackoff);
    assert!(
        common::files_in(dir.path()).is_empty(),
        "left behind: {:?}",
        common::files_in(dir.path())
    );

    sim.inject(Endpoint::VideoRetrieve, Fault::DropMidBody);
    let out = retry::run(&fast_policy(), || async {
        client.video().retrieve(&req, &dest).await
    })
    .await
    .expect("second try");
    assert!(matches!(out.value, RetrieveOutcome::Video(_)));
    assert_eq!(common::files_in(dir.path()), ["clip.mp4"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn truncated_mp4_with_matching_length_leaves_no_file() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = finished_job(&sim, &client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    sim.inject(Endpoint::VideoRetrieve, Fault::TruncatedMp4);
    let err = client
        .video()
        .retrieve(&req, &dir.path().join("clip.mp4"))
        .await
        .expect_err("truncated");
    assert!(matches!(err, Error::BadMp4 { .. }), "{err:?}");
    assert!(err.to_string().contains("damaged MP4"), "{err}");
    assert!(common::files_in(dir.path()).is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn not_mp4_body_leaves_no_file() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = finished_job(&sim, &client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    sim.inject(Endpoint::VideoRetrieve, Fault::NotMp4);
    let err = client
        .video()
        .retrieve(&req, &dir.path().join("clip.mp4"))
        .await
        .expect_err("not mp4");
    assert!(matches!(err, Error::NotMp4 { .. }), "{err:?}");
    assert!(err.to_string().contains("not an MP4"), "{err}");
    assert!(common::files_in(dir.path()).is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn slow_body_succeeds_within_the_timeout() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = finished_job(&sim, &client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    sim.inject(
        Endpoint::VideoRetrieve,
        Fault::SlowBody {
            delay: Duration::from_millis(300),
        },
    );
    let out = client
        .video()
        .retrieve(&req, &dir.path().join("clip.mp4"))
        .await
        .expect("slow but fine");
    assert!(matches!(out.value, RetrieveOutcome::Video(_)));
    sim.shutdown().await;
}

#[tokio::test]
async fn slow_body_past_the_timeout_fails_cleanly() {
    let sim = common::sim().await;
    let client = venice::Client::new(
        common::config(&sim)
            .request_timeout(Duration::from_millis(300))
            .download_timeout(Duration::from_millis(300)),
    )
    .expect("client")
    .with_catalogue(common::catalogue());
    let req = finished_job(&sim, &client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    sim.inject(
        Endpoint::VideoRetrieve,
        Fault::SlowBody {
            delay: Duration::from_secs(3),
        },
    );
    let started = Instant::now();
    let err = client
        .video()
        .retrieve(&req, &dir.path().join("clip.mp4"))
        .await
        .expect_err("timed out");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(
            err,
            Error::Interrupted {
                timed_out: true,
                ..
            } | Error::Connection {
                timed_out: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::RetryWithBackoff);
    assert!(common::files_in(dir.path()).is_empty());

    sim.inject(
        Endpoint::BillingBalance,
        Fault::SlowBody {
            delay: Duration::from_secs(3),
        },
    );
    let err = client.billing().balance().await.expect_err("timed out");
    assert!(
        matches!(
            err,
            Error::Connection {
                timed_out: true,
                ..
            }
        ),
        "{err:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn queue_that_hangs_after_receipt_is_outcome_unknown_and_never_resent() {
    let sim = common::sim().await;
    let client =
        venice::Client::new(common::config(&sim).request_timeout(Duration::from_millis(500)))
            .expect("client")
            .with_catalogue(common::catalogue());
    let before = sim.balance_usd();
    sim.inject(Endpoint::VideoQueue, Fault::HangAfterReceive);
    let err = retry::run(&fast_policy(), || async {
        client.video().queue(&common::t2v()).await
    })
    .await
    .expect_err("no answer");
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::OutcomeUnknown);
    assert!(err.to_string().contains("not sent again"), "{err}");
    assert_eq!(
        sim.count(Endpoint::VideoQueue),
        1,
        "the retry helper did not resend"
    );
    assert!(
        sim.balance_usd() < before,
        "Venice got it and charged it: exactly why we must not resend"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_status_is_a_clear_error() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let queued = common::queue_t2v(&client).await;
    sim.inject(
        Endpoint::VideoRetrieve,
        Fault::UnknownStatus("EXPLODED".into()),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let err = client
        .video()
        .retrieve(
            &RetrieveVideoRequest::new(&queued.model, &queued.queue_id),
            &dir.path().join("x.mp4"),
        )
        .await
        .expect_err("unknown");
    assert!(
        matches!(&err, Error::UnknownStatus { status, .. } if status == "EXPLODED"),
        "{err:?}"
    );
    assert!(err.to_string().contains("\"EXPLODED\""), "{err}");
    assert_eq!(err.class(), ErrorClass::Permanent);
    sim.shutdown().await;
}

#[tokio::test]
async fn connection_refused_is_retryable_and_never_outcome_unknown() {
    let sim = common::sim().await;
    let cfg = common::config(&sim);
    sim.shutdown().await;
    let client = venice::Client::new(cfg)
        .expect("client")
        .with_catalogue(common::catalogue());
    let err = client
        .video()
        .queue(&common::t2v())
        .await
        .expect_err("nobody home");
    assert!(
        matches!(err, Error::Connection { .. }),
        "a refused connect sent nothing: {err:?}"
    );
    assert_eq!(err.class(), ErrorClass::RetryWithBackoff);
}
