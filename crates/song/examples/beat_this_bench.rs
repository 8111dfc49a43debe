//! Speed of the Beat This! path against today's analysis on one song file (see
//! `crates/song/model/README-beat-this.md`), decoding included in all three:
//!
//! `cargo run --release -p song --example beat_this_bench -- beat-this|mel|beatnet SONG [MODEL.onnx]`
//!
//! Run it under `taskset -c 0` for one core, and `/usr/bin/time -v` for peak memory.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use song::beat_this::{BeatThis, LogMel, Network};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(what), Some(audio)) = (args.first(), args.get(1)) else {
        return Err("usage: beat_this_bench beat-this|mel|beatnet SONG [MODEL.onnx]".into());
    };
    let audio = PathBuf::from(audio);
    let started = Instant::now();
    let (seconds, frames) = match what.as_str() {
        "beatnet" => {
            let analysis = song::analyze(&audio)?;
            (analysis.duration_s, analysis.beats.len())
        }
        "mel" => {
            let mut mel = LogMel::new();
            let mut frames = 0;
            let info = song::decode(&audio, &song::DecodeOptions::default(), |chunk| {
                mel.push(chunk, |_| frames += 1);
            })?;
            mel.finish(|_| frames += 1);
            (info.duration_s, frames)
        }
        "beat-this" => {
            let model = args.get(2).ok_or("beat-this needs the model's ONNX file")?;
            let network = Network::from_onnx(&std::fs::read(model)?)?;
            eprintln!(
                "network planned in {:.2} s",
                started.elapsed().as_secs_f64()
            );
            let mut beat_this = BeatThis::new(&network);
            let mut failed = None;
            let info = song::decode(&audio, &song::DecodeOptions::default(), |chunk| {
                if let Err(e) = beat_this.push(chunk) {
                    failed.get_or_insert(e);
                }
            })?;
            if let Some(e) = failed {
                return Err(e.into());
            }
            (info.duration_s, beat_this.finish()?.len())
        }
        other => return Err(format!("no such measurement: {other}").into()),
    };
    let elapsed = started.elapsed().as_secs_f64();
    writeln!(
        std::io::stdout(),
        "{what}: {seconds:.0} s of audio in {elapsed:.2} s = {:.1}x real time ({frames} frames or beats)",
        seconds / elapsed
    )?;
    Ok(())
}
