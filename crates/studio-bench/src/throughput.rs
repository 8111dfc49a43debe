//! Phase 2: MP4 download throughput of the client (and the whole engine) from the double, next to
//! `curl` fetching the same file from the same server the same way (`POST /video/retrieve`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use studio_core::{EngineConfig, JobEvent, JobParams, Studio, StudioPaths};
use tokio::runtime::Handle;
use venice::{RetrieveOutcome, RetrieveVideoRequest};
use venice_sim::{Endpoint, ServedVideo, SimConfig};

use crate::rig::{self, Fail, T2V};
use crate::stats;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Runs {
    pub seconds: Vec<f64>,
    pub best_s: f64,
    pub best_mb_per_s: f64,
}

impl Runs {
    fn of(seconds: Vec<f64>, bytes: usize) -> Runs {
        let best_s = seconds.iter().copied().fold(f64::INFINITY, f64::min);
        Runs {
            best_mb_per_s: mb(bytes) / best_s,
            best_s,
            seconds,
        }
    }
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ThroughputReport {
    pub file_bytes: usize,
    pub file_mb: f64,
    pub runs: usize,
    /// `client.video().retrieve`: stream to a temp file, MP4 box check, fsync, rename, dir fsync.
    pub client: Runs,
    /// `curl -o` (no fsync).
    pub curl: Runs,
    /// `curl -o`, then an fsync of the file (timed separately and added).
    pub curl_fsync: Runs,
    /// The fsync after each curl run alone.
    pub fsync_after_curl_s: Vec<f64>,
    pub ratio_client_vs_curl_fsync: f64,
    pub ratio_client_vs_curl: f64,
    /// The engine end to end: retrieve arrives at the double → `Ready` (download, fsync, probe,
    /// thumbnail, ledger), one job at a time.
    pub engine_to_ready: Runs,
    /// The same engine runs up to the last `Downloading` event (body in, before fsync).
    pub engine_body_in: Runs,
    pub ratio_engine_to_ready_vs_curl_fsync: f64,
    pub curl_version: String,
}

pub async fn run(
    sim_rt: &Handle,
    bytes: usize,
    runs: usize,
    work: &Path,
    ffmpeg: PathBuf,
) -> Result<ThroughputReport, Fail> {
    eprintln!(
        "[throughput] building a {:.0} MB MP4 (fixture + `free` box)…",
        mb(bytes)
    );
    let video = crate::bigmp4::make(bytes);
    let len = video.len();
    let sim = rig::start_sim(
        sim_rt,
        SimConfig {
            job_duration: Duration::ZERO,
            balance_usd: 1e9,
            served_video: Some(ServedVideo(video)),
            ..SimConfig::default()
        },
    )
    .await?;
    let dir = tempfile::tempdir_in(work)?;
    let client = rig::client_for(&sim)?;
    let (seeded, _) = rig::seed(&client, None, 1).await?;
    let queue_id = seeded.first().map(|s| s.queue_id.clone()).ok_or("no job")?;
    let request = RetrieveVideoRequest::new(T2V, &queue_id);
    let body = serde_json::to_string(&request)?;
    let url = format!("{}/video/retrieve", sim.base_url());

    let (mut client_s, mut curl_s, mut fsync_s) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        // Client.
        let dest = dir.path().join(format!("client-{run}.mp4"));
        let t = Instant::now();
        let answer = client.video().retrieve(&request, &dest).await?;
        client_s.push(t.elapsed().as_secs_f64());
        match answer.value {
            RetrieveOutcome::Video(saved) if saved.bytes as usize == len => {}
            other => return Err(format!("client run {run}: unexpected {other:?}").into()),
        }
        std::fs::remove_file(&dest)?;

        // curl, same request, same server.
        let dest = dir.path().join(format!("curl-{run}.mp4"));
        let (curl, fsync) = curl_once(&url, &body, &dest).await?;
        curl_s.push(curl);
        fsync_s.push(fsync);
        let got = std::fs::metadata(&dest)?.len() as usize;
        if got != len {
            return Err(format!("curl run {run}: {got} bytes, expected {len}").into());
        }
        std::fs::remove_file(&dest)?;
        eprintln!(
            "[throughput] run {run}: client {:.3} s, curl {curl:.3} s + fsync {fsync:.3} s",
            client_s[run]
        );
    }

    // The engine: one job at a time, from the retrieve's arrival to Ready.
    let engine_dir = tempfile::tempdir_in(work)?;
    let studio = Studio::open(
        rig::client_for(&sim)?,
        StudioPaths::under(engine_dir.path()),
        EngineConfig {
            ffmpeg,
            ..EngineConfig::default()
        },
    )?;
    let _poller = studio.start_poller()?;
    let mut events = studio.subscribe();
    let (mut ready_s, mut body_s) = (Vec::new(), Vec::new());
    let generate = JobParams {
        theme: Some("Throughput".into()),
        prompt: "A long take of a neon city".into(),
        model: T2V.into(),
        duration: "5s".into(),
        aspect_ratio: Some("16:9".into()),
        resolution: Some("720p".into()),
        ..JobParams::default()
    };
    for run in 0..runs {
        let since = Instant::now();
        let job = studio
            .generate(&generate, 1)
            .await?
            .into_iter()
            .next()
            .ok_or("no job")?;
        let mut body_in = None;
        let ready = loop {
            let event = tokio::time::timeout(Duration::from_secs(600), events.recv()).await??;
            if event.job_id() != &job.id {
                continue;
            }
            match event {
                JobEvent::Downloading { bytes, total, .. } if Some(bytes) == total => {
                    body_in = Some(Instant::now())
                }
                JobEvent::Ready { .. } => break Instant::now(),
                JobEvent::Failed { reason, .. } => {
                    return Err(format!("engine run {run} failed: {reason}").into());
                }
                _ => {}
            }
        };
        let qid = job.queue_id.clone().ok_or("no queue id")?;
        let at = rig::arrivals(&sim, Endpoint::VideoRetrieve, since)
            .into_iter()
            .filter(|r| r.status == 200 && rig::queue_id_of(r) == Some(qid.as_str()))
            .map(|r| r.at)
            .max()
            .ok_or("no retrieve seen")?;
        ready_s.push(ready.duration_since(at).as_secs_f64());
        body_s.push(body_in.map_or(0.0, |b| b.duration_since(at).as_secs_f64()));
        eprintln!(
            "[throughput] engine run {run}: retrieve → ready {:.3} s",
            ready_s[run]
        );
        let _ = std::fs::remove_file(
            studio
                .job(&job.id.0)?
                .media
                .map(|m| m.path)
                .unwrap_or_default(),
        );
    }
    drop(_poller);
    drop(studio);
    sim.shutdown().await;

    let client = Runs::of(client_s, len);
    let curl_fsync = Runs::of(
        curl_s.iter().zip(&fsync_s).map(|(a, b)| a + b).collect(),
        len,
    );
    let curl = Runs::of(curl_s, len);
    let engine_to_ready = Runs::of(ready_s, len);
    Ok(ThroughputReport {
        file_bytes: len,
        file_mb: mb(len),
        runs,
        ratio_client_vs_curl_fsync: stats::ratio(client.best_mb_per_s, curl_fsync.best_mb_per_s),
        ratio_client_vs_curl: stats::ratio(client.best_mb_per_s, curl.best_mb_per_s),
        ratio_engine_to_ready_vs_curl_fsync: stats::ratio(
            engine_to_ready.best_mb_per_s,
            curl_fsync.best_mb_per_s,
        ),
        client,
        curl,
        curl_fsync,
        fsync_after_curl_s: fsync_s,
        engine_to_ready,
        engine_body_in: Runs::of(body_s, len),
        curl_version: curl_version(),
    })
}

/// One `curl -o` of the retrieve (timed as a whole process), then an fsync of what it wrote.
async fn curl_once(url: &str, body: &str, dest: &Path) -> Result<(f64, f64), Fail> {
    let (url, body, dest) = (url.to_string(), body.to_string(), dest.to_path_buf());
    tokio::task::spawn_blocking(move || -> Result<(f64, f64), Fail> {
        let t = Instant::now();
        let status = std::process::Command::new("curl")
            .args(["-sS", "--fail", "-o"])
            .arg(&dest)
            .args([
                "-X",
                "POST",
                "-H",
                "Authorization: Bearer sk-bench-not-a-real-key",
            ])
            .args([
                "-H",
                "Content-Type: application/json",
                "--data",
                &body,
                &url,
            ])
            .status()?;
        let curl = t.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("curl exited with {status}").into());
        }
        let t = Instant::now();
        std::fs::File::open(&dest)?.sync_all()?;
        Ok((curl, t.elapsed().as_secs_f64()))
    })
    .await?
}

fn curl_version() -> String {
    std::process::Command::new("curl")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_default()
}
