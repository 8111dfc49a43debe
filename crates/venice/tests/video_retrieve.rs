//! `POST /video/retrieve` (and the private-model download) against the sim.

mod common;

use venice::{Client, ErrorClass, QueueVideoRequest, RetrieveOutcome, RetrieveVideoRequest};
use venice_sim::Endpoint;

#[tokio::test]
async fn processing_then_video_streamed_to_disk() {
    let sim = common::sim_with(venice_sim::SimConfig {
        api_key: Some(common::KEY.into()),
        job_duration: std::time::Duration::from_millis(600),
        ..Default::default()
    })
    .await;
    let client = common::client(&sim);
    let queued = common::queue_t2v(&client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("clip.mp4");
    let req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);
    let first = client
        .video()
        .retrieve(&req, &dest)
        .await
        .expect("retrieve")
        .value;
    match &first {
        RetrieveOutcome::Processing {
            average_execution_time_ms,
            ..
        } => assert!(*average_execution_time_ms > 0.0),
        other => panic!("expected processing, got {other:?}"),
    }
    assert!(first.progress() < 1.0);
    assert!(!dest.exists());
    let done = common::poll(&client, &queued, &dest)
        .await
        .expect("finished");
    let RetrieveOutcome::Video(saved) = done else {
        panic!("expected a video, got {done:?}")
    };
    assert_eq!(saved.path, dest);
    let bytes = std::fs::read(&dest).expect("file written");
    assert_eq!(bytes.len() as u64, saved.bytes);
    assert_eq!(venice::mp4::check(&bytes), Ok(()));
    assert_eq!(
        common::files_in(dir.path()),
        ["clip.mp4"],
        "no temp files left"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn delete_on_completion_then_media_is_gone() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let queued = common::queue_t2v(&client).await;
    common::wait_done().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);
    req.delete_media_on_completion = Some(true);
    let out = client
        .video()
        .retrieve(&req, &dir.path().join("a.mp4"))
        .await
        .expect("video")
        .value;
    assert!(matches!(out, RetrieveOutcome::Video(_)));
    let err = client
        .video()
        .retrieve(&req, &dir.path().join("b.mp4"))
        .await
        .expect_err("gone");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(
        err.to_string().contains("no longer has this video"),
        "{err}"
    );
    assert!(!dir.path().join("b.mp4").exists());
    sim.shutdown().await;
}

#[tokio::test]
async fn private_model_completes_at_url_then_downloads() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let req = QueueVideoRequest {
        aspect_ratio: Some("9:16".into()),
        resolution: Some("480p".into()),
        ..QueueVideoRequest::new(common::PRIVATE, "A lantern drifting on the lagoon", "5s")
    };
    let queued = client.video().queue(&req).await.expect("queued").value;
    let url = queued.download_url.clone().expect("download url");
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("private.mp4");
    let out = common::poll(&client, &queued, &dest).await.expect("done");
    assert_eq!(out, RetrieveOutcome::CompletedAtUrl);
    assert!(
        !dest.exists(),
        "retrieve wrote nothing for a download_url model"
    );
    let saved = client
        .video()
        .download(&url, &dest)
        .await
        .expect("downloaded")
        .value;
    assert!(saved.bytes > 0);
    assert_eq!(
        venice::mp4::check(&std::fs::read(&dest).expect("read")),
        Ok(())
    );
    assert_eq!(sim.count(Endpoint::Download), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn lowercase_statuses_are_understood() {
    let sim = common::sim().await;
    let client = common::client(&sim);
    let queued = common::queue_t2v(&client).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);
    for s in ["processing", "queued", "running"] {
        sim.inject(
            Endpoint::VideoRetrieve,
            venice_sim::Fault::UnknownStatus(s.into()),
        );
        let out = client
            .video()
            .retrieve(&req, &dir.path().join("x.mp4"))
            .await
            .expect("ok")
            .value;
        assert!(matches!(out, RetrieveOutcome::Processing { .. }), "{s}");
    }
    sim.inject(
        Endpoint::VideoRetrieve,
        venice_sim::Fault::UnknownStatus("completed".into()),
    );
    let out = client
        .video()
        .retrieve(&req, &dir.path().join("x.mp4"))
        .await
        .expect("ok")
        .value;
    assert_eq!(out, RetrieveOutcome::CompletedAtUrl);
    sim.inject(
        Endpoint::VideoRetrieve,
        venice_sim::Fault::UnknownStatus("failed".into()),
    );
    let err = client
        .video()
        .retrieve(&req, &dir.path().join("x.mp4"))
        .await
        .expect_err("failed");
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert!(err.to_string().contains("failed"), "{err}");
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_queue_id_is_permanent_404() {
    let sim = common::sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let req = RetrieveVideoRequest::new(common::T2V, "00000000-0000-0000-0000-000000000000");
    let err = common::client(&sim)
        .video()
        .retrieve(&req, &dir.path().join("x.mp4"))
        .await
        .expect_err("404");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.class(), ErrorClass::Permanent);
    sim.shutdown().await;
}

#[tokio::test]
async fn download_progress_starts_at_zero_and_ends_at_the_file_size() {
    let sim = common::sim_with(venice_sim::SimConfig {
        api_key: Some(common::KEY.into()),
        job_duration: std::time::Duration::from_millis(50),
        ..Default::default()
    })
    .await;
    let client = common::client(&sim);
    let queued = common::queue_t2v(&client).await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("clip.mp4");
    let seen = std::sync::Mutex::new(Vec::new());
    let on_progress =
        |received: u64, total: Option<u64>| seen.lock().unwrap().push((received, total));
    let req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);
    let outcome = client
        .video()
        .retrieve_with_progress(&req, &dest, &on_progress)
        .await
        .expect("retrieve")
        .value;
    let RetrieveOutcome::Video(saved) = outcome else {
        panic!("expected the video, got {outcome:?}")
    };
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first(), Some(&(0, Some(saved.bytes))));
    assert_eq!(seen.last(), Some(&(saved.bytes, Some(saved.bytes))));
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress never goes back: {seen:?}"
    );
    sim.shutdown().await;
}

/// A queued job whose next retrieve answer's body is held back by `hold`, polled by a client with a
/// 300 ms request timeout and a 60 s download timeout. `job` is how long the job takes.
async fn slow_answer(
    job: std::time::Duration,
    hold: std::time::Duration,
) -> (
    venice_sim::VeniceSim,
    Result<venice::ApiResponse<RetrieveOutcome>, venice::Error>,
) {
    let sim = common::sim_with(venice_sim::SimConfig {
        api_key: Some(common::KEY.into()),
        job_duration: job,
        ..Default::default()
    })
    .await;
    let client = Client::new(
        common::config(&sim)
            .request_timeout(std::time::Duration::from_millis(300))
            .download_timeout(std::time::Duration::from_secs(60)),
    )
    .expect("client");
    let queued = common::queue_t2v(&client).await;
    sim.inject(
        Endpoint::VideoRetrieve,
        venice_sim::Fault::SlowBody { delay: hold },
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let req = RetrieveVideoRequest::new(&queued.model, &queued.queue_id);
    let answer = client
        .video()
        .retrieve(&req, &dir.path().join("clip.mp4"))
        .await;
    (sim, answer)
}

#[tokio::test]
async fn a_status_poll_that_hangs_gives_up_after_the_request_timeout_not_the_download_timeout() {
    // The PROCESSING answer's body is held back for 3 s: a JSON poll, so the short timeout.
    let (sim, answer) = slow_answer(
        std::time::Duration::from_secs(30),
        std::time::Duration::from_secs(3),
    )
    .await;
    let err = answer.expect_err("the poll gives up");
    assert!(
        matches!(
            err,
            venice::Error::Connection {
                timed_out: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.class(), ErrorClass::RetryWithBackoff);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_slow_video_body_may_take_longer_than_the_request_timeout() {
    // The video's body is held back for 0.9 s: three request timeouts, well within the download's.
    let (sim, answer) = slow_answer(
        std::time::Duration::from_millis(0),
        std::time::Duration::from_millis(900),
    )
    .await;
    let done = answer.expect("the video arrives").value;
    assert!(matches!(done, RetrieveOutcome::Video(_)), "{done:?}");
    sim.shutdown().await;
}
