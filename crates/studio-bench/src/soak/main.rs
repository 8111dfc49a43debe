//! The Generate-all soak (issue 15): whole music-video projects driven through real `studio`
//! processes against the Venice double while things go wrong at random (faults on the queue and
//! retrieve endpoints, `kill -9` of a generator, two generators racing, pauses, storyboard edits
//! mid-run, new processes carrying runs on), then counted from the double's side:
//! queue calls = claims, never two charged jobs for one shot, spend ≤ the project's budget, and
//! every charged job either in the ledger with its queue id or settled from the usage history.
//!
//! `cargo build -p studio-cli && cargo run -p studio-bench --bin soak -- --seconds 60 --seed 7`
//! (the `studio` binary is taken from beside this one). Exits non-zero when an invariant broke.

mod checks;
mod rng;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::Value;
use venice_sim::{Endpoint, Fault, SimConfig, VeniceSim};

use rng::Rng;

const T2V: &str = "wan-2.5-preview-text-to-video";
const KEY: &str = "sk-soak-not-a-real-key";

#[derive(Parser, Debug)]
#[command(about = "Soak Generate all under faults, kills, races, pauses and edits")]
struct Args {
    /// How long the chaos lasts, per round (seconds).
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Rounds, each with a fresh folder and double.
    #[arg(long, default_value_t = 1)]
    rounds: u32,
    /// The first round's seed (each next round adds one).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// What one round did and found.
#[derive(Debug, Default)]
pub struct Tally {
    pub generators: usize,
    pub kills: usize,
    pub pauses: usize,
    pub edits: usize,
    pub faults: usize,
}

struct Rig {
    studio: PathBuf,
    dir: tempfile::TempDir,
    base_url: String,
}

impl Rig {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.studio);
        cmd.args(args)
            .env("STUDIO_DATA_DIR", self.dir.path().join("data"))
            .env("STUDIO_MEDIA_DIR", self.dir.path().join("media"))
            .env("VENICE_BASE_URL", &self.base_url)
            .env("VENICE_API_KEY", KEY)
            .env("STUDIO_POLL_MS", "200")
            .env("STUDIO_RETRY_MS", "50")
            .env("STUDIO_KEYCHAIN", "off")
            .env("STUDIO_LEASE_MS", "1500")
            .stdin(Stdio::null());
        cmd
    }

    fn json(&self, args: &[&str]) -> Result<Value, String> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self
            .command(&all)
            .stderr(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        serde_json::from_slice(&out.stdout).map_err(|e| {
            format!(
                "`studio {}` printed no JSON ({e}): {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    fn spawn(&self, args: &[&str]) -> std::io::Result<Child> {
        self.command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    }
}

fn demo_song() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo-song/demo-song.ogg")
}

fn studio_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let studio = exe.with_file_name(format!("studio{}", std::env::consts::EXE_SUFFIX));
    if studio.is_file() {
        Ok(studio)
    } else {
        Err(format!(
            "no studio binary at {}: run `cargo build -p studio-cli` first",
            studio.display()
        ))
    }
}

/// A fault for the queue or retrieve endpoint.
fn random_fault(rng: &mut Rng) -> (Endpoint, Fault) {
    match rng.below(8) {
        0 => (Endpoint::VideoQueue, Fault::ServerError),
        1 => (Endpoint::VideoQueue, Fault::Unavailable),
        2 => (
            Endpoint::VideoQueue,
            Fault::ContentPolicy {
                credits_refunded: true,
            },
        ),
        3 => (
            Endpoint::VideoQueue,
            Fault::RateLimited {
                reset_after_secs: 1,
            },
        ),
        4 => (
            Endpoint::VideoQueue,
            Fault::SlowBody {
                delay: Duration::from_millis(1500),
            },
        ),
        5 => (Endpoint::VideoRetrieve, Fault::MediaGone),
        6 => (Endpoint::VideoRetrieve, Fault::ServerError),
        _ => (Endpoint::VideoQueue, Fault::InsufficientBalance),
    }
}

async fn round(studio: &Path, seconds: u64, seed: u64) -> Result<bool, String> {
    let mut rng = Rng::new(seed);
    let sim = VeniceSim::start(SimConfig {
        job_duration: Duration::from_millis(1500),
        average_execution_ms: 1500,
        balance_usd: 100_000.0,
        ..SimConfig::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let rig = Rig {
        studio: studio.to_path_buf(),
        dir: tempfile::tempdir().map_err(|e| e.to_string())?,
        base_url: sim.base_url(),
    };
    // Two projects of the demo song: one whose budget is exactly its whole price (splits mid-run
    // add shots, so the per-claim budget must stop it), one without.
    let song = demo_song();
    let song = song.to_string_lossy();
    let mut projects: Vec<(String, Option<f64>)> = Vec::new();
    for (theme, budget_share) in [("Neon rain over a night market", Some(1.0)), ("Paper boats", None)] {
        let made = rig.json(&[
            "video", "new", "--song", &song, "--theme", theme, "--model", T2V, "--aspect", "16:9",
            "--resolution", "480p",
        ])?;
        let id = made["project"]["id"]
            .as_str()
            .ok_or_else(|| format!("no project id: {made}"))?
            .to_string();
        let whole = made["quote"]["whole"]["usd"].as_f64().unwrap_or(0.0);
        let budget = budget_share.map(|share| (whole * share * 100.0).round() / 100.0);
        if let Some(budget) = budget {
            let studio = checks::open(&sim, rig.dir.path())?;
            let project = studio.project(&id).await.map_err(|e| e.to_string())?;
            let mut settings = project.settings.clone();
            settings.budget_usd = Some(budget);
            studio
                .update_project_settings(&id, settings)
                .await
                .map_err(|e| e.to_string())?;
        }
        projects.push((id, budget));
    }
    let mut tally = Tally::default();
    let mut running: Vec<(Child, usize)> = Vec::new();
    let end = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(200 + rng.below(900))).await;
        running.retain_mut(|(child, _)| child.try_wait().ok().flatten().is_none());
        let project = rng.below(projects.len() as u64) as usize;
        let id = projects[project].0.clone();
        match rng.below(10) {
            // Start a generator (up to two per project: they race).
            0..=3 => {
                if running.iter().filter(|(_, p)| *p == project).count() < 2 {
                    let child = rig
                        .spawn(&["video", "generate", &id])
                        .map_err(|e| e.to_string())?;
                    running.push((child, project));
                    tally.generators += 1;
                }
            }
            // kill -9 one.
            4 | 5 => {
                if !running.is_empty() {
                    let victim = rng.below(running.len() as u64) as usize;
                    let (mut child, _) = running.swap_remove(victim);
                    let _ = child.kill();
                    let _ = child.wait();
                    tally.kills += 1;
                }
            }
            6 => {
                let _ = rig.command(&["video", "pause", &id]).output();
                tally.pauses += 1;
            }
            // Split a shot (a storyboard edit mid-run).
            7 => {
                let status = rig.json(&["video", "status", &id])?;
                let shots = status["status"]["shots"].as_array().cloned().unwrap_or_default();
                if !shots.is_empty() {
                    let k = rng.below(shots.len() as u64) as usize;
                    let (start, end) = (
                        shots[k]["start_s"].as_f64().unwrap_or(0.0),
                        shots[k]["end_s"].as_f64().unwrap_or(0.0),
                    );
                    let at = format!("{:.2}", (start + end) / 2.0);
                    let shot = (k + 1).to_string();
                    let edited = rig
                        .command(&["video", "edit", &id, "split", &shot, &at])
                        .output()
                        .map_err(|e| e.to_string())?;
                    if edited.status.success() {
                        tally.edits += 1;
                    }
                }
            }
            _ => {
                let (endpoint, fault) = random_fault(&mut rng);
                sim.inject(endpoint, fault);
                tally.faults += 1;
            }
        }
    }
    for (mut child, _) in running {
        let _ = child.kill();
        let _ = child.wait();
        tally.kills += 1;
    }
    // No more faults; whatever Venice still owes is brought home.
    for endpoint in [Endpoint::VideoQueue, Endpoint::VideoRetrieve] {
        sim.clear_faults(endpoint);
    }
    let mut resume = rig.spawn(&["resume", "--wait"]).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while resume.try_wait().map_err(|e| e.to_string())?.is_none() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = resume.kill();
    let _ = resume.wait();
    let found = checks::check(&sim, rig.dir.path(), &projects).await?;
    println!(
        "seed {seed}: {} generators, {} kill -9, {} pauses, {} edits, {} faults; {}",
        tally.generators, tally.kills, tally.pauses, tally.edits, tally.faults, found.summary
    );
    for problem in &found.problems {
        println!("  BROKEN: {problem}");
    }
    sim.shutdown().await;
    Ok(found.problems.is_empty())
}

fn main() {
    let args = Args::parse();
    let studio = match studio_binary() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let mut all_good = true;
    for r in 0..args.rounds {
        match runtime.block_on(round(&studio, args.seconds, args.seed + u64::from(r))) {
            Ok(good) => all_good &= good,
            Err(e) => {
                eprintln!("round {r} could not run: {e}");
                all_good = false;
            }
        }
    }
    if !all_good {
        std::process::exit(1);
    }
}
