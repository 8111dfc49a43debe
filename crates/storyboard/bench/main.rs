//! The planning benchmark (issue 9 §8): how long a 4-minute song takes from its file to a
//! storyboard with a prompt per shot, without the chat's latency: [`song::analyze`] (decode, beat
//! networks, bars, sections), [`storyboard::plan`] for a 5 s/10 s model, and
//! [`storyboard::fallback_prompts`]. The song is synthesized (120 BPM 4/4 with quiet, mid and loud
//! sections) and written as a 16-bit WAV, unless `--song FILE` gives one. Prints each stage's time,
//! best and mean over the rounds.
//!
//! `cargo run --release -p storyboard --bin plan-bench -- [--rounds N] [--song FILE]`
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use storyboard::{ModelLimits, PlanOptions, fallback_prompts, plan};

const RATE: u32 = 22_050;
const SONG_S: f64 = 240.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rounds = 3usize;
    let mut given: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--rounds", Some(n)) => rounds = n.parse::<usize>()?.max(1),
            ("--song", Some(f)) => given = Some(f.into()),
            _ => return Err("usage: plan-bench [--rounds N] [--song FILE]".into()),
        }
    }
    let made = std::env::temp_dir().join(format!("plan-bench-{}.wav", std::process::id()));
    let song = match &given {
        Some(path) => path.clone(),
        None => {
            write_wav(&made, &synth_song(SONG_S))?;
            made.clone()
        }
    };
    let result = run(&song, rounds);
    if given.is_none() {
        let _ = std::fs::remove_file(&made);
    }
    result
}

fn run(song: &Path, rounds: usize) -> Result<(), Box<dyn std::error::Error>> {
    // Like wan-2.5: 5 s and 10 s clips, a 2500-character prompt limit.
    let model = ModelLimits::with_seconds(&[5, 10], 2500);
    let options = PlanOptions::default();
    let mut times: Vec<[f64; 3]> = Vec::new();
    let mut summary = String::new();
    for round in 1..=rounds {
        let t0 = Instant::now();
        let analysis = song::analyze(song)?;
        let t1 = Instant::now();
        let board = plan(&analysis, &model, &options)?;
        let t2 = Instant::now();
        let board = fallback_prompts(
            &board,
            "A paper boat sails through a flooded neon city",
            "cinematic, soft pastel light",
            "a small red paper boat",
        );
        let t3 = Instant::now();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
        let row = [ms(t0, t1), ms(t1, t2), ms(t2, t3)];
        println!(
            "round {round}: analysis {:.0} ms, storyboard {:.3} ms, prompts {:.3} ms, total {:.0} ms",
            row[0],
            row[1],
            row[2],
            row.iter().sum::<f64>()
        );
        times.push(row);
        summary = format!(
            "{:.1} s song, {:.1} BPM, {} bars, {} sections -> {} shots ({} s generated)",
            analysis.duration_s,
            analysis.tempo_bpm,
            analysis.downbeats.len(),
            analysis.sections.len(),
            board.shots.len(),
            board.seconds_generated()
        );
    }
    println!("{summary}");
    let stage = |i: usize| -> (f64, f64) {
        let v: Vec<f64> = times.iter().map(|r| r[i]).collect();
        (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().sum::<f64>() / v.len() as f64,
        )
    };
    let totals: Vec<f64> = times.iter().map(|r| r.iter().sum()).collect();
    let best_total = totals.iter().copied().fold(f64::INFINITY, f64::min);
    let mean_total = totals.iter().sum::<f64>() / totals.len() as f64;
    for (i, name) in ["analysis", "storyboard", "prompts"].iter().enumerate() {
        let (best, mean) = stage(i);
        println!("{name:>10}: best {best:.3} ms, mean {mean:.3} ms");
    }
    println!(
        "{:>10}: best {best_total:.0} ms, mean {mean_total:.0} ms over {} rounds",
        "planning",
        times.len()
    );
    Ok(())
}

// ---- a synthesized song: 120 BPM from 0.5 s, sections by bar ----

/// A tiny deterministic noise source.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    }
}

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

fn noise_hit(song: &mut [f32], at: f64, length: f64, decay: f64, gain: f32, noise: &mut Noise) {
    let mut last = 0.0;
    add(song, at, length, |t| {
        let n = noise.next();
        let high = n - last;
        last = n;
        gain * high * (-t * decay).exp() as f32
    });
}

/// Intro (quiet clicks), verse (soft drums), chorus (loud drums), verse, chorus, outro.
fn synth_song(seconds: f64) -> Vec<f32> {
    let beat = 0.5;
    let mut song = vec![0.0; (seconds * f64::from(RATE)) as usize];
    let mut noise = Noise(7);
    let notes = [55.0, 73.4, 65.4, 49.0];
    // (bars, gain); 0 gain = clicks only.
    let plan = [
        (12, 0.0),
        (24, 0.35),
        (16, 0.9),
        (24, 0.35),
        (24, 0.9),
        (19, 0.0),
    ];
    let mut t = 0.5;
    let mut bar = 0usize;
    for (bars, gain) in plan {
        for _ in 0..bars {
            for b in 0..4 {
                let at = t + f64::from(b) * beat;
                if at >= seconds - 0.3 {
                    return song;
                }
                if gain == 0.0 {
                    let hz = if b == 0 { 2000.0 } else { 1000.0 };
                    let g = if b == 0 { 0.3 } else { 0.15 };
                    add(&mut song, at, 0.03, |s| {
                        g * sine(hz, s) * (-s * 120.0).exp() as f32
                    });
                    continue;
                }
                if b % 2 == 0 {
                    add(&mut song, at, 0.25, |s| {
                        gain * sine(50.0 + 90.0 * (-s * 30.0).exp(), s) * (-s * 12.0).exp() as f32
                    });
                } else {
                    noise_hit(&mut song, at, 0.15, 25.0, gain * 0.6, &mut noise);
                }
                noise_hit(&mut song, at, 0.04, 90.0, gain * 0.3, &mut noise);
                noise_hit(
                    &mut song,
                    at + beat / 2.0,
                    0.04,
                    90.0,
                    gain * 0.2,
                    &mut noise,
                );
                if b == 0 {
                    let hz = notes[bar % 4];
                    add(&mut song, at, 4.0 * beat, |s| {
                        gain * 0.3 * sine(hz, s) * (1.0 - (-s * 40.0).exp()) as f32
                    });
                }
            }
            t += 4.0 * beat;
            bar += 1;
        }
    }
    song
}

/// `song` as a 16-bit mono WAV at `RATE`.
fn write_wav(path: &Path, song: &[f32]) -> std::io::Result<()> {
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
    std::fs::write(path, bytes)
}
