//! What scripts can rely on: exit codes and messages for bad input, budgets, a refused key, the
//! health check, and a key that never appears in any output.

mod common;

use std::time::Duration;

use common::*;
use venice_sim::{Endpoint, Fault, SimConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_duration_is_refused_locally_with_the_allowed_values() {
    let env = env().await;
    let run = env.run(&[
        "generate",
        "--theme",
        "Cyberpunk neon city",
        "--model",
        T2V,
        "--duration",
        "7s",
        "--wait",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("5s or 10s") && run.stderr.contains("7s"),
        "{}",
        run.stderr
    );
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 0);
    assert_eq!(
        env.sim.count(Endpoint::VideoQuote),
        0,
        "refused before any call"
    );
    assert_eq!(
        env.sim.count(Endpoint::ChatCompletions),
        0,
        "no prompt is written for it"
    );

    let json = env.run(&["--json", "quote", "--model", T2V, "--duration", "7s"]);
    assert_eq!(json.code, 2);
    let doc = json.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["exit_code"], 2);
    assert!(doc["error"].as_str().unwrap().contains("5s or 10s"));

    let unknown = env.run(&["quote", "--model", "no-such-model", "--duration", "5s"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    let clap = env.run(&["generate", "--model", T2V, "--duration", "5s"]);
    assert_eq!(clap.code, 2, "--theme or --prompt is required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_budget_exits_3_showing_spent_and_remaining() {
    let env = env().await;
    let run = env.run(&[
        "generate",
        "--prompt",
        "A neon city",
        "--model",
        T2V,
        "--duration",
        "5s",
        "--budget",
        "0.10",
    ]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("budget")
            && run.stderr.contains("spent")
            && run.stderr.contains("left"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("Price: $"),
        "the price is still shown: {}",
        run.stdout
    );
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 0);

    // A total cap from the environment counts earlier sessions.
    let first = env.run(&[
        "generate",
        "--prompt",
        "A neon city",
        "--model",
        T2V,
        "--duration",
        "5s",
    ]);
    assert_eq!(first.code, 0, "{first:?}");
    let mut cmd = env.command(&[
        "generate",
        "--prompt",
        "Again",
        "--model",
        T2V,
        "--duration",
        "5s",
    ]);
    cmd.env("STUDIO_BUDGET_TOTAL_USD", "0.5");
    let second = env.run_cmd(cmd);
    assert_eq!(second.code, 3, "{second:?}");
    assert!(
        second
            .stderr
            .contains("in total: $0.35 of $0.50 spent, $0.15 left"),
        "{}",
        second.stderr
    );
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1);

    let quote = env.run(&["quote", "--model", T2V, "--duration", "5s", "--budget", "1"]);
    assert_eq!(quote.code, 0);
    assert!(
        quote.stdout.contains("session budget $1.00, $1.00 left"),
        "{}",
        quote.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_key_exits_3_and_says_so() {
    let env = env_with(SimConfig {
        api_key: Some("sk-the-right-key".into()),
        job_duration: Duration::from_millis(500),
        ..SimConfig::default()
    })
    .await;
    let run = env.run(&[
        "generate",
        "--prompt",
        "A neon city",
        "--model",
        T2V,
        "--duration",
        "5s",
    ]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("API key was rejected"),
        "{}",
        run.stderr
    );
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 0);

    let doctor = env.run(&["doctor"]);
    assert_eq!(doctor.code, 3, "{doctor:?}");
    assert!(
        doctor.stdout.contains("[FAIL] API key accepted"),
        "{}",
        doctor.stdout
    );

    let mut no_key = env.command(&["quote", "--model", T2V, "--duration", "5s"]);
    no_key.env_remove("VENICE_API_KEY");
    let run = env.run_cmd(no_key);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("No Venice API key") && run.stderr.contains("studio key set"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_job_exits_4_and_venice_trouble_exits_6() {
    let env = env().await;
    env.sim.inject(
        Endpoint::VideoQueue,
        Fault::ContentPolicy {
            credits_refunded: true,
        },
    );
    let run = env.run(&[
        "--json",
        "generate",
        "--prompt",
        "A neon city",
        "--model",
        T2V,
        "--duration",
        "5s",
        "--wait",
    ]);
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(run.json()["jobs"][0]["state"], "failed");

    env.sim
        .inject_times(Endpoint::VideoQuote, Fault::Unavailable, 10);
    let run = env.run(&["quote", "--model", T2V, "--duration", "5s"]);
    assert_eq!(run.code, 6, "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_outcome_exits_5_is_never_resent_and_can_be_dismissed() {
    let env = env().await;
    env.sim.inject(
        Endpoint::VideoQueue,
        Fault::Status {
            status: 504,
            body: serde_json::json!({"error": "Gateway timeout"}),
            headers: vec![],
        },
    );
    let run = env.run(&[
        "generate",
        "--prompt",
        "A neon city",
        "--model",
        T2V,
        "--duration",
        "5s",
        "--wait",
    ]);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stdout.contains("outcome unknown"), "{}", run.stdout);
    let resumed = env.run(&["resume", "--wait"]);
    assert_eq!(resumed.code, 5, "{resumed:?}");
    assert!(resumed.stdout.contains("NOT sent again") && resumed.stdout.contains("studio dismiss"));
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 1, "never resubmitted");

    let id = env.jobs()[0]["id"].as_str().unwrap()[..8].to_string();
    let open = env.run(&["open", &id, "--no-launch"]);
    assert_eq!(open.code, 2, "{open:?}");
    let dismissed = env.run(&["dismiss", &id]);
    assert_eq!(dismissed.code, 0, "{dismissed:?}");
    assert_eq!(env.jobs()[0]["state"], "failed");
    assert_eq!(
        env.run(&["dismiss", &id]).code,
        2,
        "only unknown outcomes can be dismissed"
    );
    assert_eq!(env.run(&["resume"]).code, 0);
    assert_eq!(env.run(&["open", "zzzz"]).code, 2, "unknown job id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_passes_against_the_double_and_fails_against_a_dead_port() {
    let env = env().await;
    let run = env.run(&["doctor"]);
    assert_eq!(run.code, 0, "{run:?}");
    for line in [
        "API key present",
        "API reachable",
        "API key accepted",
        "Balance",
        "Rate limits",
        "ffmpeg found",
    ] {
        assert!(run.stdout.contains(line), "{line}: {}", run.stdout);
    }
    assert!(run.stdout.contains("$50.00"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&TEST_KEY[TEST_KEY.len() - 4..]),
        "the last four are shown"
    );
    let doc = env.run(&["--json", "doctor"]).json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["checks"].as_array().unwrap().len(), 6);

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let mut cmd = env.command(&["doctor"]);
    cmd.env("VENICE_BASE_URL", format!("http://127.0.0.1:{port}/api/v1"));
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.stdout.contains("[FAIL] API reachable"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_prompt_and_key_commands() {
    let env = env().await;
    let run = env.run(&["models", "--i2v"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("Image to video"), "{}", run.stdout);
    assert!(run.stdout.contains("durations:"));
    let all = env.run(&["models"]);
    assert!(
        all.stdout.contains("DEPRECATED")
            || all.stdout.contains("OFFLINE")
            || all.stdout.contains("Text to video")
    );
    let text = env.run(&["models", "--type", "text"]);
    assert_eq!(text.code, 0, "{text:?}");

    let prompt = env.run(&["prompt", "Cyberpunk neon city"]);
    assert_eq!(prompt.code, 0, "{prompt:?}");
    assert!(prompt.stdout.contains("Cyberpunk"), "{}", prompt.stdout);
    let empty = env.run(&["prompt", "   "]);
    assert_eq!(empty.code, 2, "{empty:?}");

    // With no keychain that keeps keys (switched off here, as in containers), `key set` keeps the
    // key in a file only the user can read, which later commands (and the app) use; never echoed.
    let mut set = env.command(&["key", "set"]);
    set.stdin(std::process::Stdio::piped());
    let mut child = set
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{TEST_KEY}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_no_key(&stdout, &stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("only you can read"), "{stdout}");
    let file = env.dir.path().join("data/key.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let mut stored = env.command(&["quote", "--model", T2V, "--duration", "5s"]);
    stored.env_remove("VENICE_API_KEY");
    let quoted = env.run_cmd(stored);
    assert_eq!(quoted.code, 0, "the stored key is used: {quoted:?}");
    assert_no_key(&quoted.stdout, &quoted.stderr);
    let cleared = env.run(&["key", "clear"]);
    assert_eq!(cleared.code, 0, "{cleared:?}");
    assert!(!file.exists());
    let mut gone = env.command(&["quote", "--model", T2V, "--duration", "5s"]);
    gone.env_remove("VENICE_API_KEY");
    assert_eq!(env.run_cmd(gone).code, 3);
}
