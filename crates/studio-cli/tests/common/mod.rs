//! Runs the real `studio` binary against a Venice test double started in the test process, in
//! temporary folders, and checks that no output ever contains the API key.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use venice_sim::{SimConfig, VeniceSim};

pub const T2V: &str = "wan-2.5-preview-text-to-video";
/// A fake key; no output of any test may contain it.
pub const TEST_KEY: &str = "sk-test-cli-f4k3-k3y-0123456789";

pub struct Env {
    pub sim: VeniceSim,
    pub dir: tempfile::TempDir,
    pub base_url: String,
    pub poll_ms: u64,
}

pub async fn env_with(config: SimConfig) -> Env {
    let sim = VeniceSim::start(config).await.expect("sim starts");
    let base_url = sim.base_url();
    Env {
        sim,
        dir: tempfile::tempdir().expect("temp dir"),
        base_url,
        poll_ms: 100,
    }
}

pub async fn env() -> Env {
    env_with(SimConfig {
        job_duration: Duration::from_millis(600),
        ..SimConfig::default()
    })
    .await
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is one JSON document ({e}):\n{}", self.stdout))
    }
}

pub fn assert_no_key(stdout: &str, stderr: &str) {
    assert!(
        !stdout.contains(TEST_KEY) && !stderr.contains(TEST_KEY),
        "the API key was printed:\n{stdout}\n{stderr}"
    );
}

impl Env {
    pub fn media_dir(&self) -> PathBuf {
        self.dir.path().join("media")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_studio"));
        cmd.args(args)
            .env("STUDIO_DATA_DIR", self.dir.path().join("data"))
            .env("STUDIO_MEDIA_DIR", self.media_dir())
            .env("VENICE_BASE_URL", &self.base_url)
            .env("VENICE_API_KEY", TEST_KEY)
            .env("STUDIO_POLL_MS", self.poll_ms.to_string())
            .env("STUDIO_RETRY_MS", "20")
            .env("STUDIO_LEASE_MS", "1500")
            .env("STUDIO_KEYCHAIN", "off")
            .env_remove("STUDIO_BUDGET_TOTAL_USD")
            .env_remove("STUDIO_CHAT_MODEL")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `studio ARGS` to the end (at most 60 s).
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_cmd(self.command(args))
    }

    /// Runs `studio ARGS` to the end (at most `limit`: a whole music video takes longer).
    pub fn run_within(&self, args: &[&str], limit: Duration) -> Run {
        self.run_cmd_within(self.command(args), limit)
    }

    pub fn run_cmd(&self, cmd: Command) -> Run {
        self.run_cmd_within(cmd, Duration::from_secs(60))
    }

    pub fn run_cmd_within(&self, mut cmd: Command, limit: Duration) -> Run {
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("studio starts");
        let output = wait_with_timeout(child, limit);
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert_no_key(&run.stdout, &run.stderr);
        run
    }

    /// Starts `studio ARGS` in the background, its output going to files in the temp folder.
    pub fn spawn(&self, args: &[&str], name: &str) -> Child {
        // Create the ledger first: two processes creating a brand-new ledger at the same moment
        // race in studio-core's migration (reported; see the crate's report).
        if !self.dir.path().join("data").exists() {
            assert_eq!(self.run(&["jobs"]).code, 0);
        }
        let out = std::fs::File::create(self.dir.path().join(format!("{name}.out"))).unwrap();
        let err = std::fs::File::create(self.dir.path().join(format!("{name}.err"))).unwrap();
        self.command(args)
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("studio starts")
    }

    /// What a background run wrote, checked for the key.
    pub fn spawned_output(&self, name: &str) -> (String, String) {
        let read = |ext: &str| {
            std::fs::read_to_string(self.dir.path().join(format!("{name}.{ext}")))
                .unwrap_or_default()
        };
        let (out, err) = (read("out"), read("err"));
        assert_no_key(&out, &err);
        (out, err)
    }

    /// The ledger's jobs, as `studio jobs --json` prints them.
    pub fn jobs(&self) -> Vec<Value> {
        let run = self.run(&["--json", "jobs"]);
        assert_eq!(run.code, 0, "{run:?}");
        run.json()["jobs"].as_array().cloned().unwrap_or_default()
    }

    /// Polls the ledger until `check` holds for the first job, or panics after `limit`.
    pub fn wait_for_job(
        &self,
        what: &str,
        limit: Duration,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(job) = self.jobs().into_iter().next()
                && check(&job)
            {
                return job;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn media_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.media_dir())
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

fn wait_with_timeout(mut child: Child, limit: Duration) -> Output {
    // Read stdout and stderr while waiting: a large answer (a song's --json) would otherwise fill
    // the pipe and block the child forever.
    use std::io::Read;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = stdout.as_mut() {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = stderr.as_mut() {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "studio did not finish within {limit:?}:\n{}\n{}",
                    String::from_utf8_lossy(&out_reader.join().unwrap_or_default()),
                    String::from_utf8_lossy(&err_reader.join().unwrap_or_default())
                );
            }
        }
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// Width, height and seconds of a video: ffprobe when it is installed, else the studio's own probe.
pub fn probe(path: &Path) -> (u32, u32, f64) {
    let ffprobe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=width,height:format=duration", "-of", "json"])
        .arg(path)
        .output();
    match ffprobe {
        Ok(out) if out.status.success() => {
            let v: Value = serde_json::from_slice(&out.stdout).expect("ffprobe json");
            let stream = &v["streams"][0];
            let seconds: f64 = v["format"]["duration"].as_str().unwrap().parse().unwrap();
            (
                stream["width"].as_u64().unwrap() as u32,
                stream["height"].as_u64().unwrap() as u32,
                seconds,
            )
        }
        _ => {
            eprintln!("ffprobe not available: checking with studio_core::media::probe");
            let p = studio_core::media::probe(path).expect("a video");
            (p.width, p.height, p.seconds)
        }
    }
}
