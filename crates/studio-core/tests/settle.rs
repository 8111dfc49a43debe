//! Outcome-unknown jobs settled by asking Venice's usage history (the double's), not the user:
//! charged, not charged, not known yet, and a failed usage request.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use studio_core::{
    Clock, EngineConfig, Error, FakeClock, JobEvent, JobRecord, JobState, Studio, StudioPaths,
    SystemClock, Verdict,
};
use venice_sim::{Endpoint, Fault, SimConfig, VeniceSim};

/// An engine on a hand-moved clock that starts at the real time (the double stamps its charges
/// with the real time), with a short settle delay.
async fn env_at(sim: SimConfig) -> (Env, FakeClock) {
    let sim = VeniceSim::start(sim).await.expect("sim starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = FakeClock::at(SystemClock.now_ms());
    let config = EngineConfig {
        settle_delay: Duration::from_secs(1),
        ..engine_config()
    };
    let studio = Studio::with_clock(
        client_for(&sim),
        StudioPaths::under(dir.path()),
        config,
        Arc::new(clock.clone()),
    )
    .expect("studio");
    (Env { sim, studio, dir }, clock)
}

/// Queues one video with `fault` on the queue call; returns the job (outcome unknown).
async fn unknown_job(env: &Env, fault: Fault, prompt: &str) -> JobRecord {
    env.sim.inject(Endpoint::VideoQueue, fault);
    let job = env
        .studio
        .generate(&t2v(prompt), 1)
        .await
        .expect("generate returns the job")
        .remove(0);
    assert_eq!(job.state, JobState::OutcomeUnknown, "{:?}", job.failure);
    job
}

fn quote() -> f64 {
    venice_sim::quote_usd(T2V, "5s", Some("720p"), true)
}

/// Past every job's window and the settle delay.
const LATER_MS: i64 = 30 * 60 * 1000;

#[tokio::test]
async fn a_queue_call_venice_received_but_never_answered_is_settled_as_charged() {
    let (env, _clock) = env_at(sim_config()).await;
    let job = unknown_job(&env, Fault::HangAfterReceive, "A neon city").await;
    let spent = env.studio.spent_usd().unwrap().1;
    assert!(spent > 0.0, "an unknown outcome counts against the budget");
    let mut events = env.studio.subscribe();

    let settled = env.studio.settle_unknown(&job.id, false).await.unwrap();
    let Verdict::Charged { usd, charged_at_ms } = settled.verdict else {
        panic!("not charged: {settled:?}")
    };
    assert!((usd - quote()).abs() < 1e-9, "{usd}");
    assert!(charged_at_ms > 0);
    assert_eq!(settled.job.state, JobState::Failed);
    assert_eq!(settled.job.charged_usd, Some(usd));
    assert!(settled.job.counts_as_spent());
    assert!(
        settled.message.contains("cannot be fetched"),
        "{}",
        settled.message
    );
    assert!(
        (env.studio.spent_usd().unwrap().1 - spent).abs() < 1e-9,
        "still spent, once"
    );
    let seen = events_until(&mut events, |e| e.is_final()).await;
    assert!(
        matches!(
            seen.last(),
            Some(JobEvent::Failed {
                credits_refunded: Some(false),
                ..
            })
        ),
        "{seen:?}"
    );
    // Settled for good: asking again changes nothing, and nothing was queued again.
    let again = env.studio.settle_unknown(&job.id, true).await;
    assert!(
        matches!(again, Err(Error::NothingToSettle { .. })),
        "{again:?}"
    );
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);
}

#[tokio::test]
async fn a_queue_call_that_never_became_a_job_is_not_charged_once_usage_settles() {
    let (env, clock) = env_at(sim_config()).await;
    // A charge of the same model at another price is not this job's.
    let mut dearer = t2v("A longer neon city");
    dearer.duration = "10s".into();
    env.studio.generate(&dearer, 1).await.unwrap();
    // A 500 to the queue call: the client cannot know it was refused; the double made no job.
    let job = unknown_job(&env, Fault::ServerError, "A neon city").await;
    let spent_with_unknown = env.studio.spent_usd().unwrap().1;

    let early = env.studio.settle_unknown(&job.id, true).await.unwrap();
    let Verdict::NotYetKnown { ask_again_at_ms } = early.verdict else {
        panic!("settled too early: {early:?}")
    };
    assert!(ask_again_at_ms > clock.now_ms());
    assert_eq!(early.job.state, JobState::OutcomeUnknown);
    assert!(early.message.contains("ask again"), "{}", early.message);
    assert_eq!(
        env.studio.job(&job.id.0).unwrap().state,
        JobState::OutcomeUnknown
    );

    clock.advance_ms(LATER_MS);
    let settled = env.studio.settle_unknown(&job.id, true).await.unwrap();
    assert_eq!(
        settled.verdict,
        Verdict::NotCharged {
            may_requeue: true,
            shot: None
        }
    );
    assert_eq!(settled.job.state, JobState::Failed);
    assert_eq!(settled.job.charged_usd, None);
    assert!(!settled.job.counts_as_spent());
    assert!(settled.job.failure.unwrap().contains("did not charge"));
    assert!(
        (env.studio.spent_usd().unwrap().1 - (spent_with_unknown - quote())).abs() < 1e-9,
        "no longer counted as spent"
    );
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        2,
        "nothing was queued again"
    );
}

#[tokio::test]
async fn usage_not_yet_recorded_is_not_yet_known_then_settles() {
    let (env, _clock) = env_at(SimConfig {
        usage_delay: Duration::from_secs(3600),
        ..sim_config()
    })
    .await;
    let job = unknown_job(&env, Fault::HangAfterReceive, "A neon city").await;
    let early = env.studio.settle_unknown(&job.id, false).await.unwrap();
    assert!(
        matches!(early.verdict, Verdict::NotYetKnown { .. }),
        "{early:?}"
    );
    assert_eq!(
        env.studio.job(&job.id.0).unwrap().state,
        JobState::OutcomeUnknown
    );

    env.sim.set_usage_delay(Duration::ZERO);
    let settled = env.studio.settle_unknown(&job.id, false).await.unwrap();
    assert!(
        matches!(settled.verdict, Verdict::Charged { .. }),
        "{settled:?}"
    );
    assert_eq!(settled.job.state, JobState::Failed);
}

#[tokio::test]
async fn two_unknown_jobs_and_one_charge_settle_exactly_one_as_charged() {
    let (env, clock) = env_at(sim_config()).await;
    let received = unknown_job(&env, Fault::HangAfterReceive, "A neon city").await;
    clock.advance_ms(1_000);
    let never = unknown_job(&env, Fault::ServerError, "A neon city").await;
    assert!(received.created_at_ms < never.created_at_ms);
    assert_eq!(env.sim.job_count(), 1, "one charge on Venice's side");
    clock.advance_ms(LATER_MS);

    // The younger one first: the older claims the one charge.
    let second = env.studio.settle_unknown(&never.id, false).await.unwrap();
    let first = env
        .studio
        .settle_unknown(&received.id, false)
        .await
        .unwrap();
    assert_eq!(
        second.verdict,
        Verdict::NotCharged {
            may_requeue: false,
            shot: None
        }
    );
    assert!(
        matches!(first.verdict, Verdict::Charged { .. }),
        "{first:?}"
    );
    let charged = env
        .studio
        .jobs()
        .unwrap()
        .into_iter()
        .filter(|j| j.charged_usd.is_some())
        .count();
    assert_eq!(charged, 1);
    assert!((env.studio.spent_usd().unwrap().1 - quote()).abs() < 1e-9);
}

#[tokio::test]
async fn a_usage_request_that_fails_changes_nothing() {
    let (env, clock) = env_at(sim_config()).await;
    let job = unknown_job(&env, Fault::ServerError, "A neon city").await;
    clock.advance_ms(LATER_MS);
    env.sim.inject(Endpoint::UsageHistory, Fault::Unauthorized);
    let err = env
        .studio
        .settle_unknown(&job.id, true)
        .await
        .expect_err("usage refused");
    assert!(matches!(err, Error::UsageUnavailable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("Could not read your Venice usage history")
            && text.contains("nothing was changed")
            && text.contains("API key"),
        "{text}"
    );
    let unchanged = env.studio.job(&job.id.0).unwrap();
    assert_eq!(unchanged.state, JobState::OutcomeUnknown);
    assert_eq!(unchanged.updated_at_ms, job.updated_at_ms);
    // Once Venice answers again it settles.
    let settled = env.studio.settle_unknown(&job.id, false).await.unwrap();
    assert_eq!(
        settled.verdict,
        Verdict::NotCharged {
            may_requeue: false,
            shot: None
        }
    );
}

#[tokio::test]
async fn the_poller_settles_what_it_can_when_it_starts_and_requeues_nothing() {
    let (env, clock) = env_at(sim_config()).await;
    let charged = unknown_job(&env, Fault::HangAfterReceive, "A neon city").await;
    clock.advance_ms(1_000);
    let pending = unknown_job(&env, Fault::ServerError, "A neon city").await;
    let mut events = env.studio.subscribe();
    let _poller = env.studio.start_poller().unwrap();
    let seen = events_until(
        &mut events,
        |e| matches!(e, JobEvent::Failed { id, .. } if *id == charged.id),
    )
    .await;
    assert!(
        matches!(seen.last(), Some(JobEvent::Failed { id, .. }) if *id == charged.id),
        "{seen:?}"
    );
    let job = env.studio.job(&charged.id.0).unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert!(job.charged_usd.is_some());
    // Its window has not settled yet: left as it is. Nothing is ever queued again.
    assert_eq!(
        env.studio.job(&pending.id.0).unwrap().state,
        JobState::OutcomeUnknown
    );
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 2);
}
