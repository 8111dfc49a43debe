//! `SimConfig::clips`: every finished job delivers a clip made for it with ffmpeg, of the requested
//! duration, aspect ratio and resolution, a colour and number per shot, cached by its parameters.
//! These tests need ffmpeg and ffprobe (`cargo xtask setup` installs them) and fail without them.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Harness, T2V, qid, start_with};
use serde_json::{Value, json};
use venice_sim::{ClipConfig, SimConfig, fixture_for_aspect_ratio};

/// A text-to-video model whose audio can be switched off (and has 9:16, 480p, 4-12 s).
const SEEDANCE: &str = "seedance-1-5-pro-text-to-video-basic";

async fn clip_sim(cache: &Path) -> Harness {
    start_with(SimConfig {
        job_duration: Duration::ZERO,
        clips: Some(ClipConfig::in_dir(cache)),
        ..SimConfig::default()
    })
    .await
}

fn need(tool: &str) {
    let ok = Command::new(tool)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{tool} is needed to check the generated clips (`cargo xtask setup` installs ffmpeg)"
    );
}

/// Queues `body` and retrieves the finished MP4, written to `dir/name.mp4`.
async fn make(h: &Harness, body: Value, dir: &Path, name: &str) -> (String, std::path::PathBuf) {
    let resp = h.post("/video/queue", &body).await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let id = qid(&resp.json().await.unwrap());
    let model = body["model"].as_str().unwrap();
    let resp = h.retrieve(model, &id).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(common::header(&resp, "content-type"), Some("video/mp4"));
    let path = dir.join(format!("{name}.mp4"));
    std::fs::write(&path, resp.bytes().await.unwrap()).unwrap();
    (id, path)
}

fn probe(path: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries"])
        .arg("stream=codec_type,codec_name,pix_fmt,width,height,r_frame_rate,nb_frames:format=duration")
        .args(["-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffprobe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The RGB of pixel (8, 8) of the first frame: away from the number and caption.
fn corner_rgb(path: &Path) -> [u8; 3] {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let width = probe(path)["streams"][0]["width"].as_u64().unwrap() as usize;
    let at = (8 * width + 8) * 3;
    [out.stdout[at], out.stdout[at + 1], out.stdout[at + 2]]
}

fn distance(a: [u8; 3], b: [u8; 3]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (i32::from(*x) - i32::from(y)).abs())
        .sum()
}

#[tokio::test]
async fn a_ten_second_portrait_request_gets_a_ten_second_portrait_clip() {
    need("ffmpeg");
    need("ffprobe");
    let cache = tempfile::tempdir().unwrap();
    let h = clip_sim(cache.path()).await;
    let body = json!({
        "model": SEEDANCE, "prompt": "Shot 3: a lighthouse in a storm", "duration": "10s",
        "aspect_ratio": "9:16", "resolution": "480p", "audio": false
    });
    let (id, path) = make(&h, body, cache.path(), "portrait").await;
    let info = probe(&path);
    let video = &info["streams"][0];
    assert_eq!(video["codec_type"], "video");
    assert_eq!(video["codec_name"], "h264");
    assert_eq!(video["pix_fmt"], "yuv420p");
    assert_eq!(video["r_frame_rate"], "24/1");
    assert_eq!(
        (video["width"].as_u64(), video["height"].as_u64()),
        (Some(480), Some(854))
    );
    let secs: f64 = info["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((secs - 10.0).abs() <= 1.0 / 24.0, "{secs} s");
    assert_eq!(
        info["streams"].as_array().unwrap().len(),
        1,
        "audio: false means no audio"
    );

    let clip = h.sim.clip_info(&id).unwrap();
    assert_eq!(
        (clip.number, clip.width, clip.height, clip.frames),
        (3, 480, 854, 240)
    );
    assert!(
        distance(corner_rgb(&path), clip.colour) < 24,
        "the clip's colour is the one clip_info reports"
    );
    assert_ne!(
        std::fs::read(&path).unwrap(),
        fixture_for_aspect_ratio(Some("9:16")).bytes
    );
}

#[tokio::test]
async fn a_model_that_makes_audio_gets_a_tone_and_the_default_size_is_480p() {
    need("ffprobe");
    let cache = tempfile::tempdir().unwrap();
    let h = clip_sim(cache.path()).await;
    // wan-2.5 always makes audio; no resolution → 480p; no aspect ratio → 16:9.
    let body = json!({"model": T2V, "prompt": "waves", "duration": "5s"});
    let (_, path) = make(&h, body, cache.path(), "audio").await;
    let info = probe(&path);
    let kinds: Vec<&str> = info["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["codec_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["video", "audio"]);
    assert_eq!(info["streams"][0]["width"], 854);
    assert_eq!(info["streams"][0]["height"], 480);
    let secs: f64 = info["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((secs - 5.0).abs() <= 1.0 / 24.0 + 0.03, "{secs} s");
}

#[tokio::test]
async fn different_prompts_differ_and_an_identical_request_comes_from_the_cache() {
    need("ffmpeg");
    let cache = tempfile::tempdir().unwrap();
    let h = clip_sim(cache.path()).await;
    let shot = |prompt: &str| {
        json!({"model": SEEDANCE, "prompt": prompt, "duration": "4s", "aspect_ratio": "16:9",
               "resolution": "480p", "audio": false})
    };
    let (a_id, a) = make(&h, shot("neon rain over the canal"), cache.path(), "a").await;
    let (b_id, b) = make(&h, shot("a gondola drifting at dawn"), cache.path(), "b").await;
    let (ca, cb) = (corner_rgb(&a), corner_rgb(&b));
    assert!(
        distance(ca, cb) > 60,
        "{ca:?} vs {cb:?} should be visibly different"
    );
    let (ia, ib) = (
        h.sim.clip_info(&a_id).unwrap(),
        h.sim.clip_info(&b_id).unwrap(),
    );
    assert_eq!(
        (ia.number, ib.number),
        (1, 2),
        "numbered in the order first seen"
    );
    assert_eq!(h.sim.clips_made(), 2);

    // The same request again: same file, no ffmpeg run, quickly.
    let started = Instant::now();
    let (c_id, c) = make(&h, shot("neon rain over the canal"), cache.path(), "c").await;
    let took = started.elapsed();
    assert_eq!(std::fs::read(&c).unwrap(), std::fs::read(&a).unwrap());
    assert_eq!(h.sim.clip_info(&c_id).unwrap().number, 1);
    assert_eq!(h.sim.clips_made(), 2, "served from the cache");
    assert!(took < Duration::from_secs(2), "{took:?}");

    // A second sim sharing the folder finds it on disk.
    let h2 = clip_sim(cache.path()).await;
    let (_, d) = make(&h2, shot("neon rain over the canal"), cache.path(), "d").await;
    assert_eq!(std::fs::read(&d).unwrap(), std::fs::read(&a).unwrap());
    assert_eq!(h2.sim.clips_made(), 0);
}

#[tokio::test]
async fn without_ffmpeg_the_fixture_is_served() {
    let cache = tempfile::tempdir().unwrap();
    let h = start_with(SimConfig {
        job_duration: Duration::ZERO,
        clips: Some(ClipConfig {
            ffmpeg: cache.path().join("no-such-ffmpeg"),
            ..ClipConfig::in_dir(cache.path())
        }),
        ..SimConfig::default()
    })
    .await;
    let job = h.queue(T2V, json!({"aspect_ratio": "9:16"})).await;
    let body = h.retrieve(T2V, &qid(&job)).await.bytes().await.unwrap();
    assert_eq!(body.as_ref(), fixture_for_aspect_ratio(Some("9:16")).bytes);
}

#[tokio::test]
async fn a_job_that_is_still_processing_does_not_wait_for_its_clip() {
    let cache = tempfile::tempdir().unwrap();
    let h = start_with(SimConfig {
        job_duration: Duration::from_secs(30),
        clips: Some(ClipConfig::in_dir(cache.path())),
        ..SimConfig::default()
    })
    .await;
    let job = h.queue(T2V, json!({"duration": "10s"})).await;
    let started = Instant::now();
    let body: Value = h.retrieve(T2V, &qid(&job)).await.json().await.unwrap();
    assert_eq!(body["status"], "PROCESSING");
    assert!(started.elapsed() < Duration::from_millis(500));
}
