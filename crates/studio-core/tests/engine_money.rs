//! A paid video is never lost and never paid twice, under the interleavings a desktop app and a
//! CLI on one data folder produce: restarts mid-submission, a second process queueing, Venice's
//! 5xx answers, broken deliveries with delete-after-download, and a video Venice still holds
//! after the studio gave up on it.

mod common;

use std::time::Duration;

use common::*;
use studio_core::{EngineConfig, JobState};
use venice_sim::{Endpoint, Fault};

/// Waits up to `secs` for the jobs to settle on `studio` (which must run the poller).
async fn settle_within(
    studio: &studio_core::Studio,
    ids: &[studio_core::JobId],
    secs: u64,
) -> Option<Vec<studio_core::JobRecord>> {
    tokio::time::timeout(Duration::from_secs(secs), studio.wait_until_settled(ids))
        .await
        .ok()
        .map(|r| r.expect("ledger readable"))
}

/// Runs the poller, queues one video and waits until it is settled.
async fn one_video(env: &Env) -> (studio_core::PollerHandle, studio_core::JobRecord) {
    let poller = env.studio.start_poller().expect("the poller starts");
    let jobs = env
        .studio
        .generate(&t2v("A neon city at night"), 1)
        .await
        .expect("generate answers");
    let done = settle(&env.studio, &[jobs[0].id.clone()]).await.remove(0);
    (poller, done)
}

#[tokio::test]
async fn restarting_the_engine_during_a_submission_keeps_the_job_and_its_queue_id() {
    let env = env().await;
    let first = env.studio.clone();
    let poller = first.start_poller().unwrap();
    // Venice takes a while to answer the queue call.
    env.sim.inject(
        Endpoint::VideoQueue,
        Fault::SlowBody {
            delay: Duration::from_millis(800),
        },
    );
    let submitting = tokio::spawn({
        let first = first.clone();
        async move { first.generate(&t2v("A neon city at night"), 1).await }
    });
    // The user saves the settings: the app stops this engine and starts another on the folder.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        1,
        "the queue call is out"
    );
    drop(poller);
    let second = env.reopen(engine_config());
    let _poller = second.start_poller().unwrap();

    let jobs = submitting
        .await
        .unwrap()
        .expect("Venice's late answer is recorded");
    assert_eq!(jobs[0].state, JobState::Queued);
    assert!(jobs[0].queue_id.is_some(), "the queue id is kept");
    // The new engine follows the job to the end though it was queued through the old one.
    let done = settle_within(&second, &[jobs[0].id.clone()], 10)
        .await
        .expect("the running poller brings the video home")
        .remove(0);
    assert_eq!(done.state, JobState::Ready, "{:?}", done.failure);
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1, "never paid twice");
}

#[tokio::test]
async fn a_job_queued_by_another_process_is_brought_home_by_the_running_poller() {
    let env = env().await;
    // The app runs the poller...
    let app = env.studio.clone();
    let _poller = app.start_poller().unwrap();
    // ...and `studio generate` (no --wait) queues a video on the same folder.
    let cli = env.reopen(engine_config());
    let jobs = cli.generate(&t2v("A neon city at night"), 1).await.unwrap();
    assert_eq!(jobs[0].state, JobState::Queued);
    let done = settle_within(&app, &[jobs[0].id.clone()], 10)
        .await
        .expect("the app's poller picks up the CLI's job")
        .remove(0);
    assert_eq!(done.state, JobState::Ready, "{:?}", done.failure);
}

#[tokio::test]
async fn a_5xx_answer_to_the_queue_call_is_outcome_unknown_not_free() {
    for fault in [Fault::ServerError, Fault::Unavailable] {
        let env = env().await;
        env.sim.inject(Endpoint::VideoQueue, fault.clone());
        let jobs = env
            .studio
            .generate(&t2v("A neon city at night"), 1)
            .await
            .unwrap();
        let job = &jobs[0];
        assert_eq!(job.state, JobState::OutcomeUnknown, "{fault:?}");
        let failure = job.failure.clone().unwrap_or_default();
        assert!(!failure.contains("Nothing was charged"), "{failure}");
        let (_, total) = env.studio.spent_usd().unwrap();
        assert!(total > 0.0, "it counts against the budget until settled");
        assert_eq!(env.sim.count(Endpoint::VideoQueue), 1, "never resent");
    }
}

#[tokio::test]
async fn delete_after_download_never_sends_the_flag_and_completes_only_after_the_file_is_saved() {
    let env = env_with(
        sim_config(),
        EngineConfig {
            delete_media_on_completion: true,
            ..engine_config()
        },
    )
    .await;
    // The first delivery arrives broken.
    env.sim.inject(Endpoint::VideoRetrieve, Fault::TruncatedMp4);
    let (_poller, done) = one_video(&env).await;
    assert_eq!(done.state, JobState::Ready, "{:?}", done.failure);
    assert!(
        !env.sim.any_body_has("delete_media_on_completion"),
        "the flag is never sent"
    );
    let mut completed = false;
    for _ in 0..100 {
        completed = env.sim.count(Endpoint::VideoComplete) == 1;
        if completed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(completed, "Venice's copy is deleted once ours is saved");
    assert!(
        env.sim
            .only_after(Endpoint::VideoComplete, Endpoint::VideoRetrieve)
    );
}

#[tokio::test]
async fn with_delete_after_download_off_venices_copy_is_kept() {
    let env = env_with(
        sim_config(),
        EngineConfig {
            delete_media_on_completion: false,
            ..engine_config()
        },
    )
    .await;
    let (_poller, done) = one_video(&env).await;
    assert_eq!(done.state, JobState::Ready);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(env.sim.count(Endpoint::VideoComplete), 0);
    assert!(!env.studio.job(&done.id.0).unwrap().venice_copy_deleted);
}

#[tokio::test]
async fn dropped_downloads_do_not_count_as_bad_files() {
    let env = env().await;
    // Two downloads cut off by the network, then one captive-portal page: none of them is
    // Venice sending a broken video three times.
    env.sim
        .inject_times(Endpoint::VideoRetrieve, Fault::DropMidBody, 2);
    env.sim.inject(Endpoint::VideoRetrieve, Fault::NotMp4);
    let (_poller, done) = one_video(&env).await;
    assert_eq!(done.state, JobState::Ready, "{:?}", done.failure);
}

#[tokio::test]
async fn every_engine_of_one_process_counts_against_one_session_budget() {
    let env = env().await;
    let again = env.reopen(engine_config());
    assert_eq!(env.studio.session_id(), again.session_id());
}

#[tokio::test]
async fn only_an_outcome_unknown_job_can_be_dismissed() {
    let env = env_with(
        venice_sim::SimConfig {
            job_duration: Duration::from_secs(30),
            ..sim_config()
        },
        engine_config(),
    )
    .await;
    let jobs = env
        .studio
        .generate(&t2v("A neon city at night"), 1)
        .await
        .unwrap();
    assert_eq!(jobs[0].state, JobState::Queued);
    assert!(env.studio.dismiss_unknown(&jobs[0].id).is_err());
    assert_eq!(
        env.studio.job(&jobs[0].id.0).unwrap().state,
        JobState::Queued,
        "a paid job in flight is not thrown away"
    );
}

#[tokio::test]
async fn a_job_failed_on_bad_files_can_be_fetched_again_without_paying_again() {
    let env = env().await;
    env.sim
        .inject_times(Endpoint::VideoRetrieve, Fault::NotMp4, 3);
    let (_poller, failed) = one_video(&env).await;
    assert_eq!(failed.state, JobState::Failed);
    let jobs = [failed];

    let again = env.studio.fetch_again(&jobs[0].id).unwrap();
    assert_eq!(again.state, JobState::Queued);
    let done = settle(&env.studio, &[jobs[0].id.clone()]).await.remove(0);
    assert_eq!(done.state, JobState::Ready, "{:?}", done.failure);
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1, "never paid twice");
    // A ready job has nothing to fetch.
    assert!(env.studio.fetch_again(&jobs[0].id).is_err());
}

#[tokio::test]
async fn a_submission_cut_off_by_a_killed_process_becomes_unknown_and_is_never_sent_again() {
    let env = env().await;
    // A process wrote this job and died in its queue call long ago; another is queueing now.
    let ledger = studio_core::Ledger::open(&env.studio.paths().ledger()).expect("ledger");
    let params = t2v("A neon city at night");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let grace = env.studio.submission_grace().as_millis() as i64;
    let killed = ledger
        .insert_submitting(
            env.studio.session_id(),
            &params,
            0.35,
            None,
            now - grace - 1_000,
        )
        .unwrap();
    let live = ledger
        .insert_submitting(env.studio.session_id(), &params, 0.35, None, now)
        .unwrap();
    let _poller = env.studio.start_poller().unwrap();
    let done = settle_within(&env.studio, std::slice::from_ref(&killed.id), 10)
        .await
        .expect("the sweep settles the killed submission")
        .remove(0);
    assert_eq!(done.state, JobState::OutcomeUnknown, "{:?}", done.failure);
    assert_eq!(
        env.studio.job(&live.id.0).unwrap().state,
        JobState::Submitting,
        "a submission still within its timeouts is left to its process"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        0,
        "nothing is sent again"
    );
}

#[tokio::test]
async fn a_job_waiting_for_the_queue_rate_limit_is_not_in_the_ledger_until_it_can_be_sent() {
    // A process killed while a job waits its turn under Venice's queue rate limit (36 a minute)
    // must not leave a `submitting` row behind: Venice never heard of it, yet a restart would call
    // it outcome-unknown (maybe charged) and never send it.
    let env = env().await;
    let studio = env.studio.clone();
    let task = tokio::spawn(async move { studio.generate(&t2v("one of many"), 40).await });
    let started = std::time::Instant::now();
    while env.sim.count(Endpoint::VideoQueue) < 36 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "36 queue calls in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The 37th now waits for the minute to turn.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 36);
    let jobs = env.studio.jobs().expect("ledger readable");
    let waiting: Vec<_> = jobs
        .iter()
        .filter(|j| j.state == JobState::Submitting)
        .collect();
    assert!(
        waiting.is_empty(),
        "{} job(s) written as submitting while only waiting for the rate limit",
        waiting.len()
    );
    assert_eq!(jobs.len(), 36);
    task.abort();
}
