//! "Generate all" under every interleaving (issue 15), counted from the Venice double's side: two
//! runs on one project (two processes, a double click, the app carrying on while a CLI runs) queue
//! each shot once; an engine replaced mid queue call keeps the answer; the project's budget holds
//! for every claim, Regenerate included; a pause is never undone by a slow save and stops the
//! chain before its next shot; a storyboard edit mid-run never queues a span that is gone; an
//! outcome-unknown answer or a 402 stops the run; a paid job that failed is not bought again
//! without the user's yes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Env, engine_config, env_with};
use studio_core::projects::{Project, ProjectSettings, ShotState, StoryboardEdit};
use studio_core::{EngineConfig, JobState, Studio, StudioPaths};
use venice::{ApiKey, Client, ClientConfig};
use venice_sim::{ClipConfig, Endpoint, Fault, SimConfig};

const T2V: &str = "wan-2.5-preview-text-to-video";
const I2V: &str = "wan-2.5-preview-image-to-video";

fn demo_song() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-song/demo-song.ogg")
}

fn clip_sim(job_ms: u64) -> SimConfig {
    SimConfig {
        job_duration: Duration::from_millis(job_ms),
        clips: Some(ClipConfig::in_dir(
            std::env::temp_dir().join("venice-sim-clips"),
        )),
        ..SimConfig::default()
    }
}

/// Quick leases, so a run that died is taken over within a test's patience.
fn config() -> EngineConfig {
    EngineConfig {
        generate_lease_ttl: Duration::from_millis(1500),
        ..engine_config()
    }
}

fn settings(model: &str) -> ProjectSettings {
    ProjectSettings {
        theme: "Neon city at night, a runner".into(),
        model: model.into(),
        resolution: Some("480p".into()),
        aspect_ratio: Some("16:9".into()),
        ..ProjectSettings::default()
    }
}

fn start_png(dir: &Path) -> PathBuf {
    let start = dir.join("start.png");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("color=c=0x2a9d8f:s=320x180:d=1")
        .args(["-frames:v", "1"])
        .arg(&start)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    start
}

async fn parallel_project(env: &Env) -> Project {
    let song = env.studio.import_song(&demo_song()).await.unwrap();
    env.studio
        .new_project(&song.path, settings(T2V), None)
        .await
        .unwrap()
}

async fn chain_project(env: &Env) -> Project {
    let song = env.studio.import_song(&demo_song()).await.unwrap();
    let mut chain = settings(I2V);
    chain.continuity = true;
    chain.aspect_ratio = None;
    chain.references = vec![start_png(env.dir.path())];
    env.studio
        .new_project(&song.path, chain, None)
        .await
        .unwrap()
}

/// Queue calls per shot span, from the double's request log (the prompt names the shot).
fn queue_calls_per_prompt(env: &Env) -> HashMap<String, usize> {
    let mut calls = HashMap::new();
    for body in env.sim.queue_requests() {
        let prompt = body["prompt"].as_str().unwrap_or_default().to_string();
        *calls.entry(prompt).or_insert(0) += 1;
    }
    calls
}

/// Waits until every shot has a clip (or fails the test after `limit`).
async fn all_ready(studio: &Studio, id: &str, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let status = studio.project_status(id).await.unwrap();
        if status.ready == status.shots.len() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {} ready: {:?}",
            status.ready,
            status.shots.len(),
            status.shots.iter().map(|s| &s.state).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn assert_each_shot_queued_once(env: &Env, shots: usize) {
    let calls = queue_calls_per_prompt(env);
    let twice: Vec<_> = calls.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "queued more than once: {twice:?}");
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        shots,
        "one queue call per shot"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_generate_alls_on_a_parallel_project_queue_each_shot_once() {
    let env = env_with(clip_sim(300), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = parallel_project(&env).await;
    let shots = project.storyboard.shots.len();
    // The app and a CLI (another engine on the same folder), and a double click in the app.
    let cli = env.reopen(config());
    let (a, b, c) = tokio::join!(
        env.studio.generate_project(&project.id),
        cli.generate_project(&project.id),
        env.studio.generate_project(&project.id),
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_eq!(
        a.queued.len() + b.queued.len() + c.queued.len(),
        shots,
        "{a:?} {b:?} {c:?}"
    );
    all_ready(&env.studio, &project.id, Duration::from_secs(90)).await;
    assert_each_shot_queued_once(&env, shots);
    poller.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_generate_alls_on_a_continuity_chain_queue_each_shot_once() {
    let env = env_with(clip_sim(300), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = chain_project(&env).await;
    let shots = project.storyboard.shots.len();
    let cli = env.reopen(config());
    let (a, b) = tokio::join!(
        env.studio.generate_project(&project.id),
        cli.generate_project(&project.id),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.queued.len() + b.queued.len(), shots, "{a:?} {b:?}");
    all_ready(&env.studio, &project.id, Duration::from_secs(120)).await;
    assert_each_shot_queued_once(&env, shots);
    poller.stop();
}

/// A run stopped in the middle (its task aborted, as an engine restart does) is carried on by the
/// next one, which queues only what is left. (A process killed outright, whose lease runs out,
/// is the CLI's test.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_midway_is_carried_on_by_the_next() {
    let env = env_with(clip_sim(1500), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = chain_project(&env).await;
    let shots = project.storyboard.shots.len();
    let other = env.reopen(config());
    let id = project.id.clone();
    let dying = tokio::spawn(async move { other.generate_project(&id).await });
    wait_for(Duration::from_secs(30), "the first shot is queued", || {
        env.sim.count(Endpoint::VideoQueue) >= 1
    })
    .await;
    dying.abort();
    let _ = dying.await;
    env.studio
        .generate_project(&project.id)
        .await
        .expect("takes over");
    all_ready(&env.studio, &project.id, Duration::from_secs(120)).await;
    assert_each_shot_queued_once(&env, shots);
    assert!(
        env.studio
            .generation_holder(&project.id)
            .await
            .unwrap()
            .is_none()
    );
    poller.stop();
}

/// The engine is replaced (settings saved) while a queue call waits 3 s for Venice's answer:
/// the answer is still recorded, the job keeps its queue id and its clip comes home.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_restart_never_loses_a_queue_call_in_flight() {
    let env = env_with(clip_sim(300), config()).await;
    let slow_client = || {
        Client::new(
            ClientConfig::new(ApiKey::new("sk-test-not-a-real-key"))
                .base_url(env.sim.base_url())
                .request_timeout(Duration::from_secs(20)),
        )
        .unwrap()
    };
    let paths = StudioPaths::under(env.dir.path());
    let old = Studio::open(slow_client(), paths.clone(), config()).unwrap();
    let poller = old.start_poller().unwrap();
    let project = {
        let song = old.import_song(&demo_song()).await.unwrap();
        old.new_project(&song.path, settings(T2V), None)
            .await
            .unwrap()
    };
    env.sim.inject(
        Endpoint::VideoQueue,
        Fault::SlowBody {
            delay: Duration::from_secs(3),
        },
    );
    let runner = old.clone();
    let id = project.id.clone();
    let run = tokio::spawn(async move { runner.generate_project(&id).await });
    wait_for(
        Duration::from_secs(20),
        "the first queue call is sent",
        || env.sim.count(Endpoint::VideoQueue) >= 1,
    )
    .await;
    // What the app does on a settings save: wait a little, then stop the old engine's tasks.
    old.wait_for_submissions(Duration::from_millis(200)).await;
    run.abort();
    let _ = run.await;
    drop(poller);
    drop(old);
    let new = Studio::open(slow_client(), paths, config()).unwrap();
    let poller = new.start_poller().unwrap();
    let first = {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let jobs = new.project_status(&project.id).await.unwrap().jobs;
            if let Some(job) = jobs.first()
                && job.queue_id.is_some()
            {
                break job.clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the answer of the queue call was lost: {:?}",
                jobs.iter()
                    .map(|j| (j.state, j.queue_id.clone()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    assert_ne!(first.state, JobState::OutcomeUnknown);
    let settled = common::settle(&new, std::slice::from_ref(&first.id)).await;
    assert_eq!(
        settled[0].state,
        JobState::Ready,
        "{:?}",
        settled[0].failure
    );
    // No row was left that Venice never heard of.
    let jobs = new.project_status(&project.id).await.unwrap().jobs;
    assert_eq!(
        jobs.len(),
        env.sim.count(Endpoint::VideoQueue),
        "rows == queue calls"
    );
    poller.stop();
}

/// The project's budget is the whole price; a chain runs and the user regenerates shot 1 as soon
/// as it is ready: nothing is spent over the budget, and the run says which shot it did not
/// queue and why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_holds_for_every_claim_regenerate_included() {
    let env = env_with(clip_sim(400), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let mut project = chain_project(&env).await;
    let whole = env
        .studio
        .quote_project(&project.id)
        .await
        .unwrap()
        .whole
        .usd;
    let mut with_budget = project.settings.clone();
    with_budget.budget_usd = Some(whole);
    project = env
        .studio
        .update_project_settings(&project.id, with_budget)
        .await
        .unwrap();
    let runner = env.studio.clone();
    let id = project.id.clone();
    let run = tokio::spawn(async move { runner.generate_project(&id).await });
    // Shot 1 ready: one more version of it, as the user clicks Regenerate.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let status = env.studio.project_status(&project.id).await.unwrap();
        if status.shots[0].state == ShotState::Ready {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "shot 1 never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    env.studio
        .regenerate_shot(&project.id, 0)
        .await
        .expect("fits the budget now");
    let report = run.await.unwrap().expect("the run ends");
    assert_eq!(
        report.not_queued.len(),
        1,
        "it stops at the shot that no longer fits: {report:?}"
    );
    let why = report.stopped.clone().expect("the run says why it stopped");
    assert!(why.contains("budget"), "{why}");
    let shot = report.not_queued[0] + 1;
    assert!(
        why.contains(&format!("Shot {shot}")),
        "names the shot: {why}"
    );
    let spent = env
        .studio
        .project_status(&project.id)
        .await
        .unwrap()
        .spent_usd;
    assert!(spent <= whole + 1e-6, "spent {spent} of a {whole} budget");
    poller.stop();
}

/// A style change waits for the slow chat model while the user pauses: the save that follows
/// does not undo the pause, and the chain queues nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_is_never_undone_by_a_slow_save_and_nothing_more_is_queued() {
    let env = env_with(clip_sim(1500), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = chain_project(&env).await;
    let runner = env.studio.clone();
    let id = project.id.clone();
    let run = tokio::spawn(async move { runner.generate_project(&id).await });
    wait_for(Duration::from_secs(30), "the first shot is queued", || {
        env.sim.count(Endpoint::VideoQueue) >= 1
    })
    .await;
    env.sim.inject(
        Endpoint::ChatCompletions,
        Fault::SlowBody {
            delay: Duration::from_secs(2),
        },
    );
    let mut styled = project.settings.clone();
    styled.style = "grainy 16 mm film".into();
    let saver = env.studio.clone();
    let id = project.id.clone();
    let save = tokio::spawn(async move { saver.update_project_settings(&id, styled).await });
    wait_for(Duration::from_secs(10), "the chat is asked", || {
        env.sim.count(Endpoint::ChatCompletions) >= 2
    })
    .await;
    env.studio.pause_project(&project.id).await.unwrap();
    let queued_at_pause = env.sim.count(Endpoint::VideoQueue);
    save.await.unwrap().expect("the style is saved");
    let report = run.await.unwrap().expect("the run ends");
    assert!(report.paused, "{report:?}");
    let after = env.studio.project(&project.id).await.unwrap();
    assert!(after.paused, "still paused after the slow save");
    assert!(!after.generating);
    assert_eq!(after.settings.style, "grainy 16 mm film");
    // The chain's wait for its clip ends; still nothing more is queued.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        queued_at_pause,
        "nothing after the pause"
    );
    poller.stop();
}

/// A split while the chain runs: the run re-reads the storyboard before each claim, so it queues
/// the shots as they are now, never a span that is gone; a paid version whose span no longer
/// matches a shot is still offered, on the card it overlaps most.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storyboard_edit_mid_run_never_queues_a_span_that_is_gone() {
    let env = env_with(clip_sim(800), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = chain_project(&env).await;
    let runner = env.studio.clone();
    let id = project.id.clone();
    let run = tokio::spawn(async move { runner.generate_project(&id).await });
    wait_for(Duration::from_secs(30), "the first shot is queued", || {
        env.sim.count(Endpoint::VideoQueue) >= 1
    })
    .await;
    // Split the last shot (not yet queued) and the first (queued: its clip must stay offered).
    let last = project.storyboard.shots.len() - 1;
    let shot = &project.storyboard.shots[last];
    let mid = (shot.start_s + shot.end_s) / 2.0;
    env.studio
        .edit_storyboard(
            &project.id,
            StoryboardEdit::Split {
                shot: last,
                at_s: mid,
            },
        )
        .await
        .unwrap();
    let first = &project.storyboard.shots[0];
    env.studio
        .edit_storyboard(
            &project.id,
            StoryboardEdit::Split {
                shot: 0,
                at_s: (first.start_s + first.end_s) / 2.0,
            },
        )
        .await
        .unwrap();
    let report = run.await.unwrap().expect("the run ends");
    assert!(report.stopped.is_none(), "{report:?}");
    let status = env.studio.project_status(&project.id).await.unwrap();
    let spans: Vec<(i64, i64)> = status
        .shots
        .iter()
        .map(|s| {
            (
                (s.start_s * 1000.0).round() as i64,
                (s.end_s * 1000.0).round() as i64,
            )
        })
        .collect();
    for job in &status.jobs {
        let link = job.params.shot.as_ref().unwrap();
        let span = (link.start_ms, link.end_ms);
        let original = (
            (project.storyboard.shots[0].start_s * 1000.0).round() as i64,
            (project.storyboard.shots[0].end_s * 1000.0).round() as i64,
        );
        assert!(
            spans.contains(&span) || span == original,
            "queued a span that is in no storyboard: {span:?} (now {spans:?})"
        );
    }
    // The first clip (paid, its span split in two) is offered on the card it overlaps most.
    let first_job = status
        .jobs
        .iter()
        .find(|j| j.params.shot.as_ref().unwrap().start_ms == 0)
        .unwrap();
    let offered: Vec<usize> = status
        .shots
        .iter()
        .filter(|s| s.versions.contains(&first_job.id))
        .map(|s| s.index)
        .collect();
    assert_eq!(offered.len(), 1, "offered on exactly one card: {offered:?}");
    poller.stop();
}

/// A storm of 5xx answers to queue calls: after the first outcome-unknown answer the run stops
/// and says why, instead of making one possibly-charged call per shot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outcome_unknown_answer_stops_the_run() {
    let env = env_with(clip_sim(300), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = parallel_project(&env).await;
    env.sim
        .inject_times(Endpoint::VideoQueue, Fault::ServerError, 50);
    let report = env
        .studio
        .generate_project(&project.id)
        .await
        .expect("ends");
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        1,
        "one call, then it stopped"
    );
    let why = report.stopped.expect("says why");
    assert!(
        why.contains("may have been charged") || why.contains("unknown"),
        "{why}"
    );
    assert!(!env.studio.project(&project.id).await.unwrap().generating);
    poller.stop();
}

/// Running out of balance stops the run at the first 402 and says so, instead of failing every
/// remaining shot one by one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_out_of_balance_stops_the_run_and_says_so() {
    let env = env_with(clip_sim(300), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = parallel_project(&env).await;
    let shots = project.storyboard.shots.len();
    let one = env.studio.quote_shot(&project.id, 0).await.unwrap();
    // Enough for two shots.
    env.sim.set_balance_usd(one * 2.5);
    let report = env
        .studio
        .generate_project(&project.id)
        .await
        .expect("ends");
    assert_eq!(report.queued.len(), 2, "{report:?}");
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        3,
        "two queued, one refused, then it stopped"
    );
    let why = report.stopped.expect("says why");
    assert!(why.to_lowercase().contains("balance"), "{why}");
    assert!(shots > 3);
    poller.stop();
}

/// A shot whose paid job failed (Venice took the money, no video came) is not bought again by a
/// run: it waits for the user's yes (Regenerate, with its price).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_job_that_failed_is_not_bought_again_without_a_yes() {
    let env = env_with(clip_sim(300), config()).await;
    let poller = env.studio.start_poller().unwrap();
    let project = parallel_project(&env).await;
    let shots = project.storyboard.shots.len();
    // Venice forgets the first job: its retrieve says the media is gone.
    env.sim.inject(Endpoint::VideoRetrieve, Fault::MediaGone);
    env.studio.generate_project(&project.id).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let status = env.studio.project_status(&project.id).await.unwrap();
        let settled = status
            .shots
            .iter()
            .all(|s| matches!(s.state, ShotState::Ready | ShotState::Failed { .. }));
        if settled {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let failed = env
        .studio
        .project_status(&project.id)
        .await
        .unwrap()
        .shots
        .iter()
        .filter(|s| matches!(s.state, ShotState::Failed { .. }))
        .count();
    assert_eq!(failed, 1);
    let again = env.studio.generate_project(&project.id).await.unwrap();
    assert!(again.queued.is_empty(), "{again:?}");
    assert_eq!(again.not_queued.len(), 1);
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        shots,
        "not bought again"
    );
    poller.stop();
}
