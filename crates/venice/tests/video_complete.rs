//! `POST /video/complete` against the sim.

mod common;

use venice::{CompleteVideoRequest, ErrorClass, RetrieveOutcome, RetrieveVideoRequest};
use venice_sim::Endpoint;

#[tokio::test]
async fn complete_after_saving_deletes_venices_copy() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let queued = common::queue_t2v(&client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("clip.mp4");
    let out = common::poll(&client, &queued, &dest).await.expect("video");
    assert!(matches!(out, RetrieveOutcome::Video(_)));
    let res = client
        .video()
        .complete(&CompleteVideoRequest::new(&queued.model, &queued.queue_id))
        .await
        .expect("completed");
    assert!(res.value.success);
    let logged = sim
        .requests()
        .into_iter()
        .find(|r| r.endpoint == Some(Endpoint::VideoComplete))
        .expect("logged");
    common::assert_no_nulls(&logged.raw_body);
    let err = client
        .video()
        .retrieve(
            &RetrieveVideoRequest::new(&queued.model, &queued.queue_id),
            &dir.path().join("again.mp4"),
        )
        .await
        .expect_err("media gone");
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(dest.exists(), "our copy stays");
    sim.shutdown().await;
}

#[tokio::test]
async fn complete_of_unknown_job_is_permanent() {
    let sim = common::sim().await;
    let err = common::client(&sim)
        .video()
        .complete(&CompleteVideoRequest::new(
            common::T2V,
            "00000000-0000-0000-0000-000000000000",
        ))
        .await
        .expect_err("404");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.class(), ErrorClass::Permanent);
    sim.shutdown().await;
}
