//! SIGKILL `studio generate --wait` mid-job, then `studio resume --wait`: the job completes from
//! the ledger and Venice was asked to queue it exactly once; no half-written file is left.

mod common;

use std::time::Duration;

use common::*;
use venice_sim::{Endpoint, Fault, SimConfig};

fn generate_args() -> Vec<&'static str> {
    vec![
        "generate",
        "--prompt",
        "A neon city at night, rain, slow dolly-in",
        "--model",
        T2V,
        "--duration",
        "5s",
        "--aspect",
        "16:9",
        "--wait",
    ]
}

fn assert_resumes_to_ready(env: &Env) {
    let resumed = env.run(&["--json", "resume", "--wait"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let doc = resumed.json();
    let job = &doc["jobs"][0];
    assert_eq!(job["state"], "ready", "{doc}");
    let files = env.media_files();
    assert_eq!(
        files.len(),
        1,
        "one video and no partial download: {files:?}"
    );
    assert!(files[0].ends_with(".mp4") && !files[0].starts_with(".venice-download-"));
    let (w, h, seconds) = probe(&env.media_dir().join(&files[0]));
    assert_eq!((w, h), (1280, 720));
    assert!((seconds - 5.0).abs() < 0.1);
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        1,
        "queued exactly once"
    );
    assert_eq!(env.sim.count(Endpoint::VideoComplete), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_processing_resumes_without_queueing_again() {
    let env = env_with(SimConfig {
        job_duration: Duration::from_secs(4),
        ..SimConfig::default()
    })
    .await;
    let mut child = env.spawn(&generate_args(), "generate");
    env.wait_for_job("the job to be processing", Duration::from_secs(20), |job| {
        job["state"] == "processing"
    });
    // While it runs, a second studio on the same ledger refuses to poll (exit 6) and, with
    // --wait, refuses before queueing anything.
    let busy = env.run(&["resume"]);
    assert_eq!(busy.code, 6, "{busy:?}");
    assert!(busy.stderr.contains("already working"), "{}", busy.stderr);
    let second = env.run(&generate_args());
    assert_eq!(second.code, 6, "{second:?}");
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);

    child.kill().expect("SIGKILL");
    let status = child.wait().unwrap();
    assert!(status.code().is_none(), "killed by a signal: {status:?}");
    let (out, _) = env.spawned_output("generate");
    assert!(out.contains("Queued job"), "{out}");
    assert_eq!(
        env.jobs()[0]["state"],
        "processing",
        "the ledger keeps the job"
    );
    assert!(env.media_files().iter().all(|f| !f.ends_with(".mp4")));

    assert_resumes_to_ready(&env);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_downloading_resumes_and_leaves_no_partial_file() {
    let mut env = env_with(SimConfig {
        job_duration: Duration::from_millis(800),
        ..SimConfig::default()
    })
    .await;
    // A slow poll, so the fault below lands on the retrieve that delivers the video.
    env.poll_ms = 1500;
    let mut child = env.spawn(&generate_args(), "generate");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while env.sim.count(Endpoint::VideoRetrieve) < 1 {
        assert!(std::time::Instant::now() < deadline, "no first retrieve");
        std::thread::sleep(Duration::from_millis(5));
    }
    // The first retrieve saw the job processing; the next one (1.5 s later, after the 0.8 s job is
    // done) delivers the MP4, and its body is held back for a while.
    env.sim.inject(
        Endpoint::VideoRetrieve,
        Fault::SlowBody {
            delay: Duration::from_secs(6),
        },
    );
    let job = env.wait_for_job("the download to start", Duration::from_secs(20), |job| {
        job["state"] == "downloading"
    });
    assert_eq!(job["state"], "downloading");
    assert_eq!(env.sim.count(Endpoint::VideoRetrieve), 2);
    std::thread::sleep(Duration::from_millis(200));
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let leftovers: Vec<String> = env.media_files();
    assert!(
        leftovers.iter().all(|f| !f.ends_with(".mp4")),
        "nothing was saved as a video while the body was held back: {leftovers:?}"
    );
    assert!(
        leftovers.iter().any(|f| f.starts_with(".venice-download-")),
        "the killed download left its temporary file (which resume must clear): {leftovers:?}"
    );

    env.poll_ms = 100;
    assert_resumes_to_ready(&env);
}
