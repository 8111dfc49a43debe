//! Every fault the client knows, met by the engine: each ends in the job state and message a user
//! should see, never a lost paid job or a second queue call.

mod common;

use std::time::Duration;

use common::*;
use studio_core::{JobEvent, JobRecord, JobState};
use venice_sim::{Endpoint, Fault};

/// Queues one job with `fault` waiting on `endpoint`, runs the poller, returns the settled job.
async fn run_with(endpoint: Endpoint, fault: Fault, times: usize) -> (Env, JobRecord) {
    let env = env().await;
    env.sim.inject_times(endpoint, fault, times);
    let _poller = env.studio.start_poller().expect("poller starts");
    let jobs = env
        .studio
        .generate(&t2v("A neon city at night"), 1)
        .await
        .expect("generate returns the job");
    let job = if jobs[0].state.is_in_flight() {
        settle(&env.studio, &[jobs[0].id.clone()]).await.remove(0)
    } else {
        jobs[0].clone()
    };
    (env, job)
}

fn assert_no_partial_files(env: &Env) {
    let files = env.media_files();
    assert!(
        files
            .iter()
            .all(|f| f.ends_with(".mp4") && !f.starts_with('.')),
        "{files:?}"
    );
}

#[tokio::test]
async fn media_expired_on_venice_fails_the_job_with_that_reason() {
    let (env, job) = run_with(Endpoint::VideoRetrieve, Fault::MediaGone, 1).await;
    assert_eq!(job.state, JobState::Failed);
    assert!(job.failure.unwrap().contains("expired or was deleted"));
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);
    // Venice said it no longer has the video: "Fetch again" must not be offered (it was, beside
    // "no longer has this video", on the same card).
    assert!(job.venice_copy_deleted, "Venice's copy is known to be gone");
    assert!(env.studio.fetch_again(&job.id).is_err());
}

#[tokio::test]
async fn a_refunded_policy_rejection_fails_the_job_and_costs_nothing() {
    let (env, job) = run_with(
        Endpoint::VideoRetrieve,
        Fault::ContentPolicy {
            credits_refunded: true,
        },
        1,
    )
    .await;
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.credits_refunded, Some(true));
    assert!(
        job.failure
            .unwrap()
            .to_lowercase()
            .contains("content polic")
    );
    assert_eq!(
        env.studio.spent_usd().unwrap(),
        (0.0, 0.0),
        "refunded money is not counted as spent"
    );
}

#[tokio::test]
async fn repeated_inference_failures_end_the_job_with_venices_reason() {
    let (env, job) = run_with(Endpoint::VideoRetrieve, Fault::ServerError, 10).await;
    assert_eq!(job.state, JobState::Failed);
    assert!(job.failure.unwrap().contains("could not generate"));
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);
}

#[tokio::test]
async fn transient_errors_are_ridden_out_and_the_video_still_arrives() {
    for fault in [
        Fault::Unavailable,
        Fault::GatewayTimeout,
        Fault::RateLimited {
            reset_after_secs: 1,
        },
        Fault::ServerError,
        Fault::UnknownStatus("QUEUED_UPSTREAM".into()),
    ] {
        let (env, job) = run_with(Endpoint::VideoRetrieve, fault.clone(), 2).await;
        assert_eq!(job.state, JobState::Ready, "{fault:?}: {:?}", job.failure);
        assert_eq!(env.sim.count(Endpoint::VideoQueue), 1, "{fault:?}");
    }
}

#[tokio::test]
async fn broken_downloads_are_fetched_again_and_leave_no_partial_files() {
    for fault in [Fault::DropMidBody, Fault::TruncatedMp4, Fault::NotMp4] {
        let (env, job) = run_with(Endpoint::VideoRetrieve, fault.clone(), 1).await;
        assert_eq!(job.state, JobState::Ready, "{fault:?}: {:?}", job.failure);
        assert_no_partial_files(&env);
        assert_eq!(env.media_files().len(), 1, "{fault:?}");
        let probe = studio_core::media::probe(&job.media.unwrap().path).unwrap();
        assert!(probe.seconds > 4.9, "{fault:?}");
    }
}

#[tokio::test]
async fn a_file_that_is_never_a_video_fails_after_a_few_tries() {
    let (env, job) = run_with(Endpoint::VideoRetrieve, Fault::NotMp4, 20).await;
    assert_eq!(job.state, JobState::Failed, "{:?}", job.failure);
    assert!(env.media_files().is_empty(), "{:?}", env.media_files());
}

#[tokio::test]
async fn queue_refusals_fail_the_job_and_say_what_to_do() {
    let cases = [
        (Fault::InsufficientBalance, "balance"),
        (Fault::Unauthorized, "key"),
        (
            Fault::ContentPolicy {
                credits_refunded: false,
            },
            "polic",
        ),
    ];
    for (fault, hint) in cases {
        let (env, job) = run_with(Endpoint::VideoQueue, fault.clone(), 1).await;
        assert_eq!(job.state, JobState::Failed, "{fault:?}");
        let failure = job.failure.clone().unwrap().to_lowercase();
        assert!(
            failure.contains(hint) && failure.contains("nothing was charged"),
            "{fault:?}: {failure}"
        );
        assert_eq!(job.queue_id, None);
        assert_eq!(env.studio.spent_usd().unwrap().1, 0.0, "{fault:?}");
        assert_eq!(
            env.sim.count(Endpoint::VideoQueue),
            1,
            "never retried: {fault:?}"
        );
    }
}

#[tokio::test]
async fn a_queue_call_that_never_answers_is_outcome_unknown_and_never_resent() {
    let (env, job) = run_with(Endpoint::VideoQueue, Fault::HangAfterReceive, 1).await;
    assert_eq!(job.state, JobState::OutcomeUnknown);
    assert!(job.failure.unwrap().contains("Nothing was sent again"));
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);
    assert_eq!(
        env.sim.job_count(),
        1,
        "Venice did create (and charge) the job"
    );
    assert!(
        env.studio.spent_usd().unwrap().1 > 0.0,
        "an unknown outcome counts against the budget"
    );

    // A restart does not resubmit it either: its poller asks Venice's usage, which shows the
    // charge, and settles it as charged (failed, counted as spent).
    let restarted = env.reopen(engine_config());
    let mut events = restarted.subscribe();
    let _poller = restarted.start_poller().unwrap();
    events_until(
        &mut events,
        |e| matches!(e, JobEvent::Failed { id, .. } if *id == job.id),
    )
    .await;
    let settled = restarted.job(&job.id.0).unwrap();
    assert_eq!(settled.state, JobState::Failed, "{:?}", settled.failure);
    assert!(settled.charged_usd.is_some() && settled.counts_as_spent());
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);
}

#[tokio::test]
async fn a_rejected_key_while_polling_stalls_the_job_instead_of_losing_it() {
    let env = env().await;
    env.sim
        .inject_times(Endpoint::VideoRetrieve, Fault::Unauthorized, 1);
    let mut events = env.studio.subscribe();
    let _poller = env.studio.start_poller().unwrap();
    let jobs = env.studio.generate(&t2v("neon"), 1).await.unwrap();
    let seen = events_until(&mut events, |e| matches!(e, JobEvent::Stalled { .. })).await;
    let Some(JobEvent::Stalled { reason, .. }) = seen.last() else {
        panic!("no stall: {seen:?}")
    };
    assert!(reason.contains("key"), "{reason}");
    assert!(
        env.studio.job(&jobs[0].id.0).unwrap().state.is_in_flight(),
        "the paid job is kept"
    );
}

#[tokio::test]
async fn retries_never_come_near_venices_failure_lockout() {
    // 14 failures in a row on retrieve: with millisecond backoff they would all go out in well
    // under a second. Venice locks a key out after more than 20 failures in 30 s; our budget
    // allows 10, so the last four must wait for the window to roll.
    let env = env().await;
    env.sim
        .inject_times(Endpoint::VideoRetrieve, Fault::Unavailable, 14);
    let _poller = env.studio.start_poller().unwrap();
    let jobs = env.studio.generate(&t2v("neon"), 1).await.unwrap();
    let ids = [jobs[0].id.clone()];
    let settled =
        tokio::time::timeout(Duration::from_secs(90), env.studio.wait_until_settled(&ids));
    let job = settled
        .await
        .expect("settles once the budget window rolls")
        .unwrap()
        .remove(0);
    assert_eq!(job.state, JobState::Ready, "{:?}", job.failure);
    let failures: Vec<_> = env
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.status >= 400)
        .map(|r| r.at)
        .collect();
    assert_eq!(failures.len(), 14);
    let worst = failures
        .iter()
        .map(|start| {
            failures
                .iter()
                .filter(|t| **t >= *start && **t - *start < Duration::from_secs(30))
                .count()
        })
        .max()
        .unwrap();
    assert!(worst <= 10, "{worst} failures inside one 30 s window");
    assert!(
        failures[13] - failures[0] >= Duration::from_secs(29),
        "the budget made the tail wait"
    );
}
