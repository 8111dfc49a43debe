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
    // Delete-after-download is off: Venice keeps its copy.
    assert_eq!(env.sim.count(Endpoint::VideoComplete), 0);
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
    // While it runs, a second studio on the same ledger refuses to poll (exit 6).
    let busy = env.run(&["resume"]);
    assert_eq!(busy.code, 6, "{busy:?}");
    assert!(busy.stderr.contains("already working"), "{}", busy.stderr);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_wait_while_another_studio_polls_waits_for_it_and_takes_over_when_it_stops() {
    let env = env_with(SimConfig {
        job_duration: Duration::from_secs(3),
        ..SimConfig::default()
    })
    .await;
    // The first studio holds the folder's poller while its job runs...
    let mut first = env.spawn(&generate_args(), "first");
    env.wait_for_job(
        "the first job to be processing",
        Duration::from_secs(20),
        |job| job["state"] == "processing",
    );
    // ...so the second queues its video and waits on the ledger instead of refusing. The first
    // exits once its own video is home; the second then takes the poller over.
    let second = env.run(&{
        let mut args = vec!["--json"];
        args.extend(generate_args());
        args
    });
    assert_eq!(second.code, 0, "{second:?}");
    assert!(
        second.stderr.contains("Waiting for it"),
        "{}",
        second.stderr
    );
    assert_eq!(
        second.json()["jobs"][0]["state"],
        "ready",
        "{}",
        second.stdout
    );
    assert!(first.wait().unwrap().success());
    let jobs = env.jobs();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j["state"] == "ready"), "{jobs:?}");
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 2, "each paid once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_after_download_never_sends_the_flag_and_completes_after_the_file_is_saved() {
    let env = env_with(SimConfig {
        job_duration: Duration::from_millis(300),
        ..SimConfig::default()
    })
    .await;
    // The first delivery breaks on the way: Venice's copy must still be there to fetch again.
    env.sim.inject(Endpoint::VideoRetrieve, Fault::TruncatedMp4);
    let mut args = generate_args();
    args.push("--delete-after-download");
    let run = env.run(&args);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        !env.sim.any_body_has("delete_media_on_completion"),
        "the retrieve never carries the flag"
    );
    assert!(
        env.sim
            .only_after(Endpoint::VideoComplete, Endpoint::VideoRetrieve),
        "Venice's copy is deleted, and only after the video was saved"
    );

    // Without the setting (and without STUDIO_DELETE_AFTER_DOWNLOAD) Venice keeps its copy.
    env.sim.clear_log();
    let run = env.run(&generate_args());
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(env.sim.count(Endpoint::VideoComplete), 0);
    // The environment variable does what the flag does; with it on, the copy Venice still holds
    // of the video saved just before is released too.
    let mut cmd = env.command(&generate_args());
    cmd.env("STUDIO_DELETE_AFTER_DOWNLOAD", "1");
    assert_eq!(env.run_cmd(cmd).code, 0);
    assert_eq!(env.sim.count(Endpoint::VideoComplete), 2);
    assert!(env.jobs().iter().all(|j| j["venice_copy_deleted"] == true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_can_be_fetched_again_without_paying_again() {
    let env = env_with(SimConfig {
        job_duration: Duration::from_millis(300),
        ..SimConfig::default()
    })
    .await;
    env.sim
        .inject_times(Endpoint::VideoRetrieve, Fault::NotMp4, 3);
    let run = env.run(&generate_args());
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(env.jobs()[0]["state"], "failed");
    let id = env.jobs()[0]["id"].as_str().unwrap()[..8].to_string();
    let again = env.run(&["fetch-again", &id, "--wait"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("Ready"), "{}", again.stdout);
    assert_eq!(env.jobs()[0]["state"], "ready");
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1, "never paid twice");
    // A ready job has nothing to fetch again.
    assert_eq!(env.run(&["fetch-again", &id]).code, 2);
}
