//! `studio generate --theme ... --wait` against the test double leaves a verified MP4 of the
//! requested size and length and prints its cost; the `--json` form says the same to scripts.

mod common;

use std::path::PathBuf;

use common::*;
use venice_sim::Endpoint;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn theme_to_a_saved_video_with_its_cost() {
    let env = env().await;
    let run = env.run(&[
        "generate",
        "--theme",
        "Cyberpunk neon city",
        "--model",
        T2V,
        "--duration",
        "5s",
        "--wait",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("Prompt: "),
        "the prompt is shown: {}",
        run.stdout
    );
    let price = run.stdout.find("Price: $").expect("the quote is shown");
    let queued = run.stdout.find("Queued job").expect("the job is queued");
    assert!(price < queued, "the price comes before queueing");
    let ready = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Ready "))
        .unwrap_or_else(|| panic!("a ready line: {}", run.stdout));
    assert!(ready.contains("(cost $"), "{ready}");

    let files = env.media_files();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].starts_with("cyberpunk-neon-city-") && files[0].ends_with(".mp4"));
    let path = env.media_dir().join(&files[0]);
    assert!(ready.contains(&path.display().to_string()), "{ready}");
    let (w, h, seconds) = probe(&path);
    assert_eq!(
        (w, h),
        (1280, 720),
        "16:9 is 1280x720 with the double's fixtures"
    );
    assert!((seconds - 5.0).abs() < 0.1, "{seconds} s");
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);
    assert_eq!(env.sim.count(Endpoint::ChatCompletions), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_is_one_document_scripts_can_read() {
    let env = env().await;
    let run = env.run(&[
        "--json",
        "generate",
        "--theme",
        "Cyberpunk neon city",
        "--model",
        T2V,
        "--duration",
        "5s",
        "--aspect",
        "9:16",
        "--wait",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["exit_code"], 0);
    assert!(
        doc["prompt"]["prompt"]
            .as_str()
            .is_some_and(|p| !p.is_empty())
    );
    assert!(doc["quote"]["usd"].as_f64().unwrap() > 0.0);
    let job = &doc["jobs"][0];
    assert_eq!(job["state"], "ready");
    assert!(job["quote_usd"].as_f64().unwrap() > 0.0);
    let path = PathBuf::from(job["media"]["path"].as_str().unwrap());
    let (w, h, _) = probe(&path);
    assert_eq!((w, h), (720, 1280));
    assert!(
        !run.stdout.contains("Prompt: "),
        "human text stays off stdout"
    );

    let jobs = env.run(&["--json", "jobs"]).json();
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), 1);
    let models = env.run(&["--json", "models", "--t2v"]).json();
    let list = models["models"].as_array().unwrap();
    assert!(list.iter().any(|m| m["id"] == T2V));
    assert!(
        list.iter()
            .all(|m| m["constraints"]["model_type"] == "text-to-video")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_wait_the_job_is_queued_and_resume_fetches_it() {
    let env = env().await;
    let run = env.run(&[
        "generate",
        "--prompt",
        "A neon city at night",
        "--model",
        T2V,
        "--duration",
        "5s",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("studio resume"), "{}", run.stdout);
    assert_eq!(
        env.sim.count(Endpoint::ChatCompletions),
        0,
        "--prompt needs no chat call"
    );
    let job = env.jobs().remove(0);
    assert_eq!(job["state"], "queued");
    let id = job["id"].as_str().unwrap()[..8].to_string();

    let resumed = env.run(&["resume", "--wait"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(
        resumed.stdout.contains(&format!("Ready {id}")),
        "{}",
        resumed.stdout
    );
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);

    let opened = env.run(&["open", &id, "--no-launch"]);
    assert_eq!(opened.code, 0, "{opened:?}");
    assert!(opened.stdout.trim().ends_with(".mp4"));
    let table = env.run(&["jobs"]);
    assert!(
        table.stdout.contains(&id) && table.stdout.contains("ready"),
        "{}",
        table.stdout
    );
}
