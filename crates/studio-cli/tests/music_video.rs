//! A song and a theme in, a music video out (issue 9 §8), through the real `studio` binary against
//! the Venice double making a real clip per job: `studio music-video` on a synthesized 60 s song
//! with a quiet half and a loud half gives an MP4 as long as the song whose picture changes
//! colour exactly on the planned frames, which are the song's downbeats; a `video generate`
//! killed with SIGKILL in the middle and run again ends with every shot ready and Venice asked
//! once per shot; over budget nothing is queued and the message says by how much; continuity
//! starts shot 1 from the reference and every later shot from the previous clip's last frame.
//! These tests need ffmpeg and ffprobe (`cargo xtask setup` installs them) and fail without them.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::*;
use serde_json::Value;
use venice_sim::{ClipConfig, Endpoint, Fault, SimConfig};

const RATE: u32 = 22_050;
/// The render's frame rate.
const FPS: f64 = 30.0;
/// A cheap image-to-video model with 5 s and 10 s clips at 480p.
const I2V: &str = "wan-2.5-preview-image-to-video";

// ---- a synthesized song (as crates/song/tests/analysis.rs makes them) ----

/// A tiny deterministic noise source.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    }
}

/// Adds `f(t)` (t in seconds from `at`) for `length` seconds.
fn add(song: &mut [f32], at: f64, length: f64, mut f: impl FnMut(f64) -> f32) {
    let start = (at * f64::from(RATE)) as usize;
    let end = (((at + length) * f64::from(RATE)) as usize).min(song.len());
    for (i, sample) in song.iter_mut().enumerate().take(end).skip(start) {
        *sample += f((i - start) as f64 / f64::from(RATE));
    }
}

fn sine(hz: f64, t: f64) -> f32 {
    (2.0 * std::f64::consts::PI * hz * t).sin() as f32
}

fn click(song: &mut [f32], at: f64, hz: f64, gain: f32) {
    add(song, at, 0.03, |t| {
        gain * sine(hz, t) * (-t * 120.0).exp() as f32
    });
}

fn kick(song: &mut [f32], at: f64, gain: f32) {
    add(song, at, 0.25, |t| {
        gain * sine(50.0 + 90.0 * (-t * 30.0).exp(), t) * (-t * 12.0).exp() as f32
    });
}

fn noise_hit(song: &mut [f32], at: f64, length: f64, decay: f64, gain: f32, noise: &mut Noise) {
    let mut last = 0.0;
    add(song, at, length, |t| {
        let n = noise.next();
        let high = n - last;
        last = n;
        gain * high * (-t * decay).exp() as f32
    });
}

fn tone(song: &mut [f32], at: f64, length: f64, hz: f64, gain: f32) {
    add(song, at, length, |t| {
        gain * sine(hz, t) * (1.0 - (-t * 40.0).exp()) as f32
    });
}

/// A 4/4 song at 120 BPM from 0.5 s on, `seconds` long: quiet clicks over a high tone for the
/// first `quiet_bars` bars, then loud drums (kick, snare, hats, a bass note per bar).
fn synth_song(seconds: f64, quiet_bars: usize) -> Vec<f32> {
    let beat = 0.5;
    let beats: Vec<f64> = (0..)
        .map(|i| 0.5 + f64::from(i) * beat)
        .take_while(|t| *t < seconds - 0.25)
        .collect();
    let change = (quiet_bars * 4).min(beats.len());
    let mut song = vec![0.0; (seconds * f64::from(RATE)) as usize];
    for (i, &t) in beats[..change].iter().enumerate() {
        let downbeat = i % 4 == 0;
        click(
            &mut song,
            t,
            if downbeat { 2000.0 } else { 1000.0 },
            if downbeat { 0.3 } else { 0.15 },
        );
    }
    if change > 0 {
        tone(&mut song, 0.5, beats[change - 1] + beat - 0.5, 880.0, 0.05);
    }
    let mut noise = Noise(3);
    let notes = [55.0, 73.4, 65.4, 49.0];
    for (i, &t) in beats.iter().enumerate().skip(change) {
        let in_bar = (i - change) % 4;
        if in_bar.is_multiple_of(2) {
            kick(&mut song, t, 0.8);
        } else {
            noise_hit(&mut song, t, 0.15, 25.0, 0.5, &mut noise);
        }
        noise_hit(&mut song, t, 0.04, 90.0, 0.25, &mut noise);
        noise_hit(&mut song, t + beat / 2.0, 0.04, 90.0, 0.15, &mut noise);
        if in_bar == 0 {
            tone(
                &mut song,
                t,
                4.0 * beat,
                notes[((i - change) / 4) % 4],
                0.25,
            );
        }
    }
    song
}

/// `song` as a 16-bit mono WAV at `RATE`.
fn write_wav(path: &Path, song: &[f32]) {
    let data_len = (song.len() * 2) as u32;
    let mut bytes = Vec::with_capacity(44 + song.len() * 2);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&RATE.to_le_bytes());
    bytes.extend_from_slice(&(RATE * 2).to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for s in song {
        bytes.extend_from_slice(&((s.clamp(-1.0, 1.0) * 32_000.0) as i16).to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

/// Writes the song as `name` in the test's folder.
fn song_file(env: &Env, name: &str, seconds: f64, quiet_bars: usize) -> PathBuf {
    let path = env.dir.path().join(name);
    write_wav(&path, &synth_song(seconds, quiet_bars));
    path
}

// ---- the sim, ffmpeg and what the ledger says ----

/// A sim that makes a real clip (colour and number per shot) for every job.
async fn clip_env(job_ms: u64) -> Env {
    need("ffmpeg");
    need("ffprobe");
    let mut env = env_with(SimConfig {
        job_duration: Duration::from_millis(job_ms),
        // Shared with other sims and runs: a clip is made once per parameters.
        clips: Some(ClipConfig::in_dir(
            std::env::temp_dir().join("venice-sim-clips"),
        )),
        ..SimConfig::default()
    })
    .await;
    env.poll_ms = 50;
    env
}

fn need(tool: &str) {
    let ok = Command::new(tool)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{tool} is needed for the music-video tests (`cargo xtask setup` installs ffmpeg)"
    );
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ffprobe(path: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries"])
        .arg("stream=codec_type,duration,nb_frames,width,height:format=duration")
        .args(["-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffprobe {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn seconds(v: &Value) -> f64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a number of seconds: {v}"))
}

/// The mean colour of an 8×8 patch near the top-left corner (away from the clip's number and
/// caption) of every frame of a video, or of an image.
fn corner_colours(path: &Path) -> Vec<[f64; 3]> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            "crop=8:8:4:4",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ffmpeg {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(8 * 8 * 3)
        .map(|frame| {
            let mut sum = [0.0; 3];
            for px in frame.chunks_exact(3) {
                for c in 0..3 {
                    sum[c] += f64::from(px[c]);
                }
            }
            sum.map(|s| s / 64.0)
        })
        .collect()
}

/// The largest difference of one channel.
fn distance(a: [f64; 3], b: [u8; 3]) -> f64 {
    (0..3)
        .map(|c| (a[c] - f64::from(b[c])).abs())
        .fold(0.0, f64::max)
}

/// How far an encoded flat colour may drift from the colour it was made with.
const SAME: f64 = 16.0;

fn status(env: &Env, id: &str) -> Value {
    let run = env.run(&["--json", "video", "status", id]);
    assert_eq!(run.code, 0, "{run:?}");
    run.json()["status"].clone()
}

/// Each shot's (start, end, prompt), from `studio video status`.
fn shots(status: &Value) -> Vec<(f64, f64, String)> {
    status["shots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start_s"].as_f64().unwrap(),
                s["end_s"].as_f64().unwrap(),
                s["prompt"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_distinct_prompts(shots: &[(f64, f64, String)]) {
    let mut prompts: Vec<&str> = shots.iter().map(|s| s.2.as_str()).collect();
    prompts.sort_unstable();
    prompts.dedup();
    assert_eq!(
        prompts.len(),
        shots.len(),
        "every shot has its own prompt: {shots:?}"
    );
}

/// The colour of the clip Venice made for each prompt, through the ledger's queue ids.
fn clip_colours(env: &Env) -> HashMap<String, [u8; 3]> {
    env.jobs()
        .iter()
        .filter_map(|job| {
            let prompt = job["params"]["prompt"].as_str()?.to_string();
            let info = env.sim.clip_info(job["queue_id"].as_str()?)?;
            Some((prompt, info.colour))
        })
        .collect()
}

/// The queue bodies Venice accepted, counted per prompt.
fn queue_calls_per_prompt(env: &Env) -> HashMap<String, usize> {
    let mut calls = HashMap::new();
    for body in env.sim.queue_requests() {
        *calls
            .entry(body["prompt"].as_str().unwrap_or_default().to_string())
            .or_insert(0) += 1;
    }
    calls
}

// ---- the tests ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixty_second_song_becomes_a_video_as_long_as_the_song_cut_on_its_downbeats() {
    let env = clip_env(400).await;
    // 15 quiet bars (0.5-30.5 s), then loud drums to the end.
    let song = song_file(&env, "s.wav", 60.0, 15);
    let video = env.dir.path().join("v.mp4");
    let run = env.run_within(
        &[
            "--json",
            "music-video",
            "--song",
            arg(&song),
            "--theme",
            "A paper boat sails through a flooded neon city",
            "--model",
            T2V,
            "--aspect",
            "16:9",
            "--resolution",
            "480p",
            "--yes",
            "--out",
            arg(&video),
        ],
        Duration::from_secs(180),
    );
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["ok"], true, "{doc}");
    assert!(
        run.stderr.contains("Whole video: $"),
        "the price is shown before anything is made: {}",
        run.stderr
    );
    let id = doc["project"].as_str().unwrap().to_string();
    assert_eq!(
        Path::new(doc["render"]["path"].as_str().unwrap()),
        video,
        "{doc}"
    );

    // As long as the song, one video and one audio stream, each as long as the song.
    let song_s = 60.0;
    let frame = 1.0 / FPS;
    let probe = ffprobe(&video);
    let total = seconds(&probe["format"]["duration"]);
    assert!(
        (total - song_s).abs() <= frame,
        "the video lasts {total} s, the song {song_s} s"
    );
    let streams = probe["streams"].as_array().unwrap();
    let kinds: Vec<&str> = streams
        .iter()
        .map(|s| s["codec_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2, "{probe}");
    assert!(
        kinds.contains(&"video") && kinds.contains(&"audio"),
        "{probe}"
    );
    for s in streams {
        let d = seconds(&s["duration"]);
        assert!(
            (d - song_s).abs() <= frame,
            "the {} stream lasts {d} s (song {song_s} s): drift over a frame",
            s["codec_type"]
        );
    }

    // The storyboard covers the song; the loud half cuts faster than the quiet one.
    let status = status(&env, &id);
    let shots = shots(&status);
    assert!(shots.len() >= 6, "{shots:?}");
    assert_eq!(status["ready"], shots.len(), "{status}");
    assert_eq!(shots[0].0, 0.0);
    assert!((shots.last().unwrap().1 - song_s).abs() < 1e-6, "{shots:?}");
    assert_distinct_prompts(&shots);
    let mean_len = |from: f64, to: f64| {
        let inside: Vec<f64> = shots
            .iter()
            .filter(|s| s.0 >= from && s.1 <= to)
            .map(|s| s.1 - s.0)
            .collect();
        assert!(
            !inside.is_empty(),
            "no shot within {from}-{to} s: {shots:?}"
        );
        inside.iter().sum::<f64>() / inside.len() as f64
    };
    let (quiet, loud) = (mean_len(0.0, 30.6), mean_len(30.4, song_s));
    assert!(
        loud < quiet,
        "loud shots ({loud:.2} s on average) are shorter than quiet ones ({quiet:.2} s): {shots:?}"
    );

    // Every cut is within a frame of one of the song's downbeats, as the song analysis finds them.
    let analysis = env.run(&["--json", "song", "analyze", arg(&song)]);
    assert_eq!(analysis.code, 0, "{analysis:?}");
    let downbeats: Vec<f64> = analysis.json()["downbeats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_f64().unwrap())
        .collect();
    for (start, _, _) in &shots[1..] {
        let nearest = downbeats
            .iter()
            .map(|d| (d - start).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest <= frame,
            "the cut at {start:.3} s is {nearest:.3} s from a downbeat ({downbeats:?})"
        );
    }

    // Frame by frame: shot i's frames round(start*30)..round(end*30) show shot i's clip colour,
    // so the picture changes exactly at frame round(cut*30).
    let colours = clip_colours(&env);
    let frames = corner_colours(&video);
    assert!(
        (frames.len() as f64 - song_s * FPS).abs() <= 1.0,
        "{} frames for {song_s} s at 30 fps",
        frames.len()
    );
    let expected: Vec<[u8; 3]> = shots
        .iter()
        .map(|s| {
            *colours
                .get(&s.2)
                .unwrap_or_else(|| panic!("no clip for the prompt {:?}", s.2))
        })
        .collect();
    for (i, (start, end, _)) in shots.iter().enumerate() {
        let (a, b) = ((start * FPS).round() as usize, (end * FPS).round() as usize);
        for (k, colour) in frames.iter().enumerate().take(b).skip(a) {
            assert!(
                distance(*colour, expected[i]) <= SAME,
                "frame {k} ({:.3} s) shows {colour:?}, not shot {}'s {:?} ({start:.3}-{end:.3} s)",
                k as f64 / FPS,
                i + 1,
                expected[i]
            );
        }
        if i > 0 {
            // The frame before the cut is the previous shot's, plainly another colour.
            assert!(
                distance(frames[a - 1], expected[i]) > 3.0 * SAME,
                "frame {} before the cut at {start:.3} s already looks like shot {}",
                a - 1,
                i + 1
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generation_killed_midway_resumes_with_every_shot_ready_and_queued_once() {
    let env = clip_env(800).await;
    let song = song_file(&env, "s.wav", 30.0, 6);
    let new = env.run(&[
        "--json",
        "video",
        "new",
        "--song",
        arg(&song),
        "--theme",
        "Lanterns drifting over a night market",
        "--model",
        T2V,
        "--aspect",
        "16:9",
        "--resolution",
        "480p",
    ]);
    assert_eq!(new.code, 0, "{new:?}");
    let doc = new.json();
    let id = doc["project"]["id"].as_str().unwrap().to_string();
    let planned = shots(&status(&env, &id));
    let n = planned.len();
    assert!(n >= 4, "{planned:?}");
    assert_distinct_prompts(&planned);
    assert_eq!(
        env.sim.count(Endpoint::VideoQueue),
        0,
        "planning queues nothing"
    );

    // Each shot is quoted before it is queued; slow quotes leave a quiet moment after each queue
    // call is recorded, so the kill lands between two shots, not inside a queue call.
    env.sim.inject_times(
        Endpoint::VideoQuote,
        Fault::SlowBody {
            delay: Duration::from_millis(250),
        },
        10_000,
    );
    let mut child = env.spawn(&["video", "generate", &id], "generate");
    let half = n / 2;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let log = env.sim.requests();
        let queues: Vec<usize> = log
            .iter()
            .enumerate()
            .filter(|(_, r)| r.endpoint == Some(Endpoint::VideoQueue))
            .map(|(i, _)| i)
            .collect();
        assert!(
            queues.len() <= half,
            "missed the moment: {} of {n} shots queued",
            queues.len()
        );
        let next_quoted = queues.len() == half
            && log[queues[half - 1]..]
                .iter()
                .any(|r| r.endpoint == Some(Endpoint::VideoQuote));
        if next_quoted {
            break;
        }
        assert!(Instant::now() < deadline, "no queue calls");
        assert!(
            child.try_wait().unwrap().is_none(),
            "generate ended early: {:?}",
            env.spawned_output("generate")
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL");
    let killed = child.wait().unwrap();
    assert!(killed.code().is_none(), "killed by a signal: {killed:?}");
    assert_eq!(env.sim.count(Endpoint::VideoQueue), half);
    let before = status(&env, &id);
    assert!(
        (before["ready"].as_u64().unwrap() as usize) < n,
        "not every shot was made before the kill: {before}"
    );

    let resumed = env.run_within(
        &["--json", "video", "generate", &id],
        Duration::from_secs(120),
    );
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let doc = resumed.json();
    assert_eq!(
        doc["generate"]["queued"].as_array().unwrap().len(),
        n - half,
        "only the shots not queued before are queued now: {doc}"
    );
    // The killed run's lease was still in the ledger: this run waited for it to run out (no
    // heartbeat), then took the project over.
    assert!(
        doc["generate"]["followed"].as_str().is_some_and(|w| w.contains("pid")),
        "{doc}"
    );
    let after = &doc["status"];
    assert_eq!(after["ready"], n, "{after}");
    for shot in after["shots"].as_array().unwrap() {
        assert_eq!(shot["state"], "ready", "{shot}");
        assert_eq!(shot["versions"].as_array().unwrap().len(), 1, "{shot}");
    }
    // Venice was asked exactly once per shot.
    let calls = queue_calls_per_prompt(&env);
    for (_, _, prompt) in &planned {
        assert_eq!(calls.get(prompt), Some(&1), "queue calls for {prompt:?}");
    }
    assert_eq!(env.sim.count(Endpoint::VideoQueue), n);
    assert_eq!(calls.values().sum::<usize>(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_budget_refuses_before_any_queue_call_saying_by_how_much() {
    let env = clip_env(400).await;
    let song = song_file(&env, "s.wav", 20.0, 4);
    let run = env.run(&[
        "--json",
        "music-video",
        "--song",
        arg(&song),
        "--theme",
        "A fox runs through snowy woods",
        "--model",
        T2V,
        "--aspect",
        "16:9",
        "--resolution",
        "480p",
        "--budget",
        "0.10",
        "--yes",
    ]);
    assert_eq!(run.code, 3, "needs the user: {run:?}");
    let doc = run.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["exit_code"], 3);
    let message = doc["error"].as_str().unwrap();
    // "The whole video costs $A (...), $B over the budget of $0.10."
    let amounts: Vec<f64> = message
        .split('$')
        .skip(1)
        .filter_map(|s| {
            let n: String = s
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            n.trim_end_matches('.').parse().ok()
        })
        .collect();
    assert!(
        message.contains("over the budget of $0.10") && amounts.len() >= 3,
        "{message}"
    );
    let (cost, over) = (amounts[0], amounts[1]);
    assert!(cost > 0.10, "{message}");
    assert!(
        (over - (cost - 0.10)).abs() <= 0.01,
        "over by ${over}, for ${cost} against $0.10: {message}"
    );
    assert!(run.stderr.contains("error:"), "{}", run.stderr);
    assert_eq!(env.sim.count(Endpoint::VideoQueue), 0, "nothing was queued");
    assert!(env.sim.count(Endpoint::VideoQuote) > 0, "it was priced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuity_starts_from_the_reference_then_from_each_previous_clips_last_frame() {
    let env = clip_env(300).await;
    let song = song_file(&env, "s.wav", 24.0, 4);
    let start = env.dir.path().join("start.png");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("color=c=0x2a9d8f:s=320x180:d=1")
        .args(["-frames:v", "1"])
        .arg(&start)
        .status()
        .unwrap();
    assert!(made.success());
    let video = env.dir.path().join("v.mp4");
    let run = env.run_within(
        &[
            "--json",
            "music-video",
            "--song",
            arg(&song),
            "--theme",
            "A kite climbing over the cliffs",
            "--model",
            I2V,
            "--resolution",
            "480p",
            "--continuity",
            "--reference",
            arg(&start),
            "--yes",
            "--out",
            arg(&video),
        ],
        Duration::from_secs(180),
    );
    assert_eq!(run.code, 0, "{run:?}");
    let id = run.json()["project"].as_str().unwrap().to_string();
    let shots = shots(&status(&env, &id));
    assert!(shots.len() >= 3, "{shots:?}");
    assert_distinct_prompts(&shots);

    let bodies = env.sim.queue_requests();
    assert_eq!(bodies.len(), shots.len(), "one queue call per shot");
    let colours = clip_colours(&env);
    for (i, body) in bodies.iter().enumerate() {
        assert_eq!(
            body["prompt"].as_str(),
            Some(shots[i].2.as_str()),
            "queued in shot order"
        );
        let url = body["image_url"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"));
        let (head, data) = url.split_once(";base64,").unwrap();
        assert_eq!(head, "data:image/png", "shot {}", i + 1);
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        if i == 0 {
            assert_eq!(
                png,
                std::fs::read(&start).unwrap(),
                "shot 1 starts from the reference"
            );
            continue;
        }
        let file = env.dir.path().join(format!("start-{}.png", i + 1));
        std::fs::write(&file, &png).unwrap();
        let seen = corner_colours(&file);
        assert_eq!(seen.len(), 1, "one picture");
        let previous = colours[&shots[i - 1].2];
        assert!(
            distance(seen[0], previous) <= SAME,
            "shot {} starts from {:?}, not shot {}'s clip colour {previous:?}",
            i + 1,
            seen[0],
            i
        );
        let own = colours[&shots[i].2];
        assert!(
            distance(seen[0], own) > 3.0 * SAME,
            "shot {} starts from a frame of its own colour",
            i + 1
        );
    }
    let probe = ffprobe(&video);
    let total = seconds(&probe["format"]["duration"]);
    assert!((total - 24.0).abs() <= 1.0 / FPS, "{total} s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_a_generation_stops_new_shots_and_the_waiting_command_returns() {
    let env = clip_env(400).await;
    let song = song_file(&env, "s.wav", 30.0, 6);
    let new = env.run(&[
        "--json",
        "video",
        "new",
        "--song",
        arg(&song),
        "--theme",
        "Paper boats on a flooded street",
        "--model",
        T2V,
        "--resolution",
        "480p",
    ]);
    assert_eq!(new.code, 0, "{new:?}");
    let id = new.json()["project"]["id"].as_str().unwrap().to_string();
    let n = shots(&status(&env, &id)).len();
    assert!(n >= 4);
    // Slow quotes: one shot is queued every quarter second or so.
    env.sim.inject_times(
        Endpoint::VideoQuote,
        Fault::SlowBody {
            delay: Duration::from_millis(250),
        },
        10_000,
    );
    let mut child = env.spawn(&["video", "generate", &id], "generate");
    let deadline = Instant::now() + Duration::from_secs(60);
    while env.sim.count(Endpoint::VideoQueue) < 2 {
        assert!(Instant::now() < deadline, "no queue calls");
        std::thread::sleep(Duration::from_millis(5));
    }
    let paused = env.run(&["video", "pause", &id]);
    assert_eq!(paused.code, 0, "{paused:?}");
    // The waiting command brings home what was queued, then returns instead of waiting for
    // shots that will not be queued.
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "generate still waiting a minute after the pause: {:?}",
            env.spawned_output("generate")
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        exit.success(),
        "{exit:?} {:?}",
        env.spawned_output("generate")
    );
    let queued = env.sim.count(Endpoint::VideoQueue);
    assert!(queued < n, "paused after {queued} of {n} shots");
    let after = status(&env, &id);
    let planned = after["shots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "planned")
        .count();
    assert_eq!(planned, n - queued, "{after}");
    // Generating again goes on with the rest.
    let resumed = env.run_within(
        &["--json", "video", "generate", &id],
        Duration::from_secs(120),
    );
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert_eq!(resumed.json()["status"]["ready"], n);
    assert_eq!(env.sim.count(Endpoint::VideoQueue), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_project_or_shot_is_a_usage_error_counted_as_the_user_counts() {
    let env = clip_env(300).await;
    let unknown = env.run(&["video", "status", "no-such-project"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("studio video list"), "{unknown:?}");

    let song = song_file(&env, "s.wav", 20.0, 4);
    let new = env.run(&[
        "--json",
        "video",
        "new",
        "--song",
        arg(&song),
        "--theme",
        "Kites",
        "--model",
        T2V,
    ]);
    assert_eq!(new.code, 0, "{new:?}");
    let id = new.json()["project"]["id"].as_str().unwrap().to_string();
    let n = shots(&status(&env, &id)).len();
    // Shots count from 1 in the commands, so they count from 1 in the messages too.
    let past = (n + 5).to_string();
    let wrong = env.run(&["video", "edit", &id, "merge", &past]);
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(
        wrong.stderr.contains(&format!("no shot {past};"))
            && wrong.stderr.contains(&format!("shots 1 to {n}")),
        "{wrong:?}"
    );
}

/// Two `studio video generate` processes on one project at once (a user who ran it twice), and
/// the two racing: Venice is asked once per shot, and the second says it followed the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_generate_commands_at_once_queue_each_shot_once() {
    let env = clip_env(400).await;
    let song = song_file(&env, "s.wav", 30.0, 6);
    let new = env.run(&[
        "--json", "video", "new", "--song", arg(&song), "--theme",
        "Paper boats on a rainy street", "--model", T2V, "--aspect", "16:9", "--resolution", "480p",
    ]);
    assert_eq!(new.code, 0, "{new:?}");
    let id = new.json()["project"]["id"].as_str().unwrap().to_string();
    let n = shots(&status(&env, &id)).len();
    let mut first = env.spawn(&["--json", "video", "generate", &id], "first");
    let mut second = env.spawn(&["--json", "video", "generate", &id], "second");
    let deadline = Instant::now() + Duration::from_secs(180);
    for child in [&mut first, &mut second] {
        loop {
            if let Some(code) = child.try_wait().unwrap() {
                assert!(code.success(), "{code:?}");
                break;
            }
            assert!(Instant::now() < deadline, "generate did not end");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let calls = queue_calls_per_prompt(&env);
    assert!(calls.values().all(|c| *c == 1), "{calls:?}");
    assert_eq!(env.sim.count(Endpoint::VideoQueue), n, "one queue call per shot");
    let outputs = [env.spawned_output("first"), env.spawned_output("second")];
    let followed = outputs
        .iter()
        .filter(|(out, _)| {
            serde_json::from_str::<Value>(out).is_ok_and(|doc| doc["generate"]["followed"].is_string())
        })
        .count();
    assert_eq!(followed, 1, "one of them waited for the other: {outputs:?}");
}

/// Ctrl-C while `studio video generate` is queueing shots: it stops with 130, and the project is
/// no longer marked as generating, so the app does not carry the run on (and spend) at its next
/// start without a click.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_while_queueing_stops_the_run_and_clears_generate_all() {
    let env = clip_env(400).await;
    let song = song_file(&env, "s.wav", 30.0, 6);
    let new = env.run(&[
        "--json", "video", "new", "--song", arg(&song), "--theme",
        "Kites over a grey sea", "--model", T2V, "--aspect", "16:9", "--resolution", "480p",
    ]);
    assert_eq!(new.code, 0, "{new:?}");
    let id = new.json()["project"]["id"].as_str().unwrap().to_string();
    let n = shots(&status(&env, &id)).len();
    // Slow quotes: the run is still queueing when Ctrl-C comes.
    env.sim.inject_times(
        Endpoint::VideoQuote,
        Fault::SlowBody { delay: Duration::from_millis(400) },
        10_000,
    );
    let mut child = env.spawn(&["video", "generate", &id], "generate");
    let deadline = Instant::now() + Duration::from_secs(60);
    while env.sim.count(Endpoint::VideoQueue) == 0 {
        assert!(Instant::now() < deadline, "nothing queued");
        std::thread::sleep(Duration::from_millis(10));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let code = child.wait().unwrap();
    assert_eq!(code.code(), Some(130), "{:?}", env.spawned_output("generate"));
    let queued = env.sim.count(Endpoint::VideoQueue);
    assert!(queued < n, "stopped before the end: {queued} of {n}");
    let doc = status(&env, &id);
    assert_eq!(doc["project"]["generating"], false, "{doc}");
    // Nothing more is queued by anyone.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(env.sim.count(Endpoint::VideoQueue), queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_out_into_the_library_is_a_usage_error() {
    let env = clip_env(300).await;
    let song = song_file(&env, "s.wav", 20.0, 4);
    let new = env.run(&[
        "--json",
        "video",
        "new",
        "--song",
        arg(&song),
        "--theme",
        "Kites",
        "--model",
        T2V,
    ]);
    assert_eq!(new.code, 0, "{new:?}");
    let id = new.json()["project"]["id"].as_str().unwrap().to_string();
    std::fs::create_dir_all(env.media_dir()).unwrap();
    let into_media = env.media_dir().join("mine.mp4");
    let run = env.run(&["video", "render", &id, "--out", arg(&into_media)]);
    assert_eq!(run.code, 2, "a usage error: {run:?}");
    assert!(
        run.stderr.contains("mine.mp4") && run.stderr.contains("inside the studio's library"),
        "{run:?}"
    );
    assert!(!into_media.exists(), "nothing was written");
}
