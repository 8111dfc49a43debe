//! `POST /video/queue` against the sim.

mod common;

use venice::{ErrorClass, QueueVideoRequest, UserAction};
use venice_sim::Endpoint;

#[tokio::test]
async fn queues_a_text_to_video_job() {
    let sim = common::sim().await;
    let before = sim.balance_usd();
    let client = common::client(&sim);
    let res = client.video().queue(&common::t2v()).await.expect("queued");
    assert_eq!(res.value.model, common::T2V);
    assert!(!res.value.queue_id.is_empty());
    assert_eq!(res.value.download_url, None);
    assert_eq!(sim.count(Endpoint::VideoQueue), 1);
    assert!(sim.balance_usd() < before, "the queue was charged");
    let logged = sim
        .requests()
        .into_iter()
        .find(|r| r.endpoint == Some(Endpoint::VideoQueue))
        .expect("logged");
    common::assert_no_nulls(&logged.raw_body);
    assert!(logged.authorization_present);
    assert!(res.meta.rate_limit.limit_requests.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn private_models_return_a_download_url() {
    let sim = common::sim().await;
    let req = QueueVideoRequest {
        aspect_ratio: Some("16:9".into()),
        resolution: Some("480p".into()),
        ..QueueVideoRequest::new(common::PRIVATE, "A lantern drifting on the lagoon", "5s")
    };
    let res = common::client(&sim)
        .video()
        .queue(&req)
        .await
        .expect("queued");
    assert!(
        res.value
            .download_url
            .as_deref()
            .is_some_and(|u| u.contains(&res.value.queue_id))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn image_to_video_with_a_data_url() {
    let sim = common::sim().await;
    let req = QueueVideoRequest {
        image_url: Some("data:image/png;base64,iVBORw0KGgo=".into()),
        ..QueueVideoRequest::new(common::I2V, "Leaves rustle", "5s")
    };
    common::client(&sim)
        .video()
        .queue(&req)
        .await
        .expect("queued");
    sim.shutdown().await;
}

#[tokio::test]
async fn refused_requests_never_leave_the_machine() {
    let sim = common::sim().await;
    // No catalogue handed over: the client fetches it once, itself.
    let client = venice::Client::new(common::config(&sim)).expect("client");
    let bad = [
        QueueVideoRequest {
            duration: "7s".into(),
            ..common::t2v()
        },
        QueueVideoRequest {
            audio: Some(false),
            ..common::t2v()
        },
        QueueVideoRequest {
            prompt: "x".repeat(2501),
            ..common::t2v()
        },
        QueueVideoRequest::new(common::I2V, "no image", "5s"),
        QueueVideoRequest::new("not-a-model", "x", "5s"),
    ];
    for req in &bad {
        let err = client.video().queue(req).await.expect_err("refused");
        assert!(
            matches!(
                err.class(),
                ErrorClass::NeedsUser(UserAction::ChangeRequest | UserAction::ChangePrompt)
            ),
            "{err}"
        );
        assert!(err.to_string().contains("Nothing was sent"), "{err}");
    }
    assert_eq!(sim.count(Endpoint::VideoQueue), 0);
    assert_eq!(
        sim.count(Endpoint::Models),
        1,
        "catalogue fetched once and kept"
    );
    client
        .video()
        .queue(&common::t2v())
        .await
        .expect("a good one goes through");
    assert_eq!(sim.count(Endpoint::VideoQueue), 1);
    assert_eq!(sim.count(Endpoint::Models), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn insufficient_balance_is_402_top_up() {
    let sim = common::sim_with(venice_sim::SimConfig {
        api_key: Some(common::KEY.into()),
        balance_usd: 0.01,
        ..Default::default()
    })
    .await;
    let err = common::client(&sim)
        .video()
        .queue(&common::t2v())
        .await
        .expect_err("402");
    assert_eq!(err.status(), Some(402));
    assert_eq!(err.class(), ErrorClass::NeedsUser(UserAction::TopUpBalance));
    assert!(err.to_string().contains("Top up"), "{err}");
    sim.shutdown().await;
}
