//! `studio settle JOB [--yes]`: Venice's usage history (the double's) settles a job of unknown
//! outcome as charged, not charged, or not yet known, and nothing is ever queued again.

mod common;

use common::*;
use studio_core::{JobParams, Ledger};
use venice_sim::{Endpoint, Fault};

fn generate(env: &Env) -> Run {
    env.run(&[
        "--json",
        "generate",
        "--prompt",
        "A neon city",
        "--model",
        T2V,
        "--duration",
        "5s",
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_call_venice_charged_but_never_answered_is_settled_as_charged() {
    let env = env().await;
    // Venice takes (and charges) the job, but its answer breaks off: outcome unknown.
    env.sim.inject(Endpoint::VideoQueue, Fault::DropMidBody);
    let run = generate(&env);
    assert_eq!(run.code, 5, "{run:?}");
    let id = run.json()["jobs"][0]["id"].as_str().unwrap()[..8].to_string();

    let settled = env.run(&["--json", "settle", &id]);
    assert_eq!(settled.code, 0, "{settled:?}");
    let doc = settled.json();
    assert_eq!(doc["settlement"]["verdict"]["verdict"], "charged", "{doc}");
    assert_eq!(doc["settlement"]["job"]["state"], "failed");
    assert!(
        settled.stderr.contains("Venice charged $") && settled.stderr.contains("cannot be fetched"),
        "{}",
        settled.stderr
    );
    let jobs = env.jobs();
    assert!(jobs[0]["charged_usd"].as_f64().unwrap() > 0.0, "{jobs:?}");

    // Settled for good; and the queue call was never sent again.
    assert_eq!(env.run(&["settle", &id]).code, 2);
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_unknown_is_not_yet_known_and_an_old_uncharged_one_is_not_charged() {
    let env = env().await;
    // A 504: Venice made no job and charged nothing, but the studio cannot know that yet.
    env.sim.inject(
        Endpoint::VideoQueue,
        Fault::Status {
            status: 504,
            body: serde_json::json!({"error": "Gateway timeout"}),
            headers: vec![],
        },
    );
    let run = generate(&env);
    assert_eq!(run.code, 5, "{run:?}");
    let fresh = run.json()["jobs"][0]["id"].as_str().unwrap()[..8].to_string();
    let early = env.run(&["settle", &fresh]);
    assert_eq!(early.code, 5, "still unknown: {early:?}");
    assert!(early.stdout.contains("ask again"), "{}", early.stdout);
    assert_eq!(env.jobs()[0]["state"], "outcome_unknown");

    // An unknown outcome from an hour ago (as a crash mid queue call leaves it): usage has settled.
    let ledger = Ledger::open(&env.dir.path().join("data").join("ledger.sqlite3")).unwrap();
    let hour_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 3_600_000;
    let params = JobParams {
        prompt: "A neon city at dawn".into(),
        model: T2V.into(),
        duration: "5s".into(),
        ..JobParams::default()
    };
    let old = ledger
        .insert_submitting("earlier", &params, 0.35, None, hour_ago)
        .unwrap();
    ledger
        .mark_outcome_unknown(&old.id, "the studio stopped", hour_ago + 1_000)
        .unwrap();
    drop(ledger);

    let without_yes = env.run(&["settle", &old.id.0[..8]]);
    assert_eq!(without_yes.code, 0, "{without_yes:?}");
    assert!(
        without_yes.stdout.contains("did not charge")
            && without_yes.stdout.contains("Nothing was queued again"),
        "{}",
        without_yes.stdout
    );
    let job = env
        .jobs()
        .into_iter()
        .find(|j| j["id"] == old.id.0.as_str())
        .unwrap();
    assert_eq!(job["state"], "failed");
    assert!(job.get("charged_usd").is_none(), "{job}");
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        1,
        "nothing queued again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_yes_an_uncharged_job_says_how_to_make_it_again_and_a_failed_usage_read_changes_nothing()
 {
    let env = env().await;
    let ledger = Ledger::open(&env.dir.path().join("data").join("ledger.sqlite3")).unwrap();
    let params = JobParams {
        prompt: "A neon city at dawn".into(),
        model: T2V.into(),
        duration: "5s".into(),
        ..JobParams::default()
    };
    let job = ledger
        .insert_submitting("earlier", &params, 0.35, None, 1_000)
        .unwrap();
    ledger.mark_outcome_unknown(&job.id, "gone", 2_000).unwrap();
    drop(ledger);
    let id = &job.id.0[..8];

    env.sim.inject(Endpoint::UsageHistory, Fault::Unauthorized);
    let refused = env.run(&["settle", id, "--yes"]);
    assert_eq!(refused.code, 3, "the key needs the user: {refused:?}");
    assert!(
        refused.stderr.contains("nothing was changed"),
        "{}",
        refused.stderr
    );
    assert_eq!(env.jobs()[0]["state"], "outcome_unknown");

    let settled = env.run(&["--json", "settle", id, "--yes"]);
    assert_eq!(settled.code, 0, "{settled:?}");
    let verdict = &settled.json()["settlement"]["verdict"];
    assert_eq!(verdict["verdict"], "not_charged");
    assert_eq!(verdict["may_requeue"], true);
    assert!(
        settled
            .stderr
            .contains(&format!("studio generate --model {T2V} --duration 5s")),
        "{}",
        settled.stderr
    );
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        0,
        "the studio queued nothing"
    );
}
