//! `studio song analyze FILE [--json]` on the same song as MP3, WAV, FLAC, Ogg and M4A: one JSON
//! object with the keys other tools rely on, the same tempo and beats, and a second run from the
//! cache; a file that is not a song exits 2 naming it.

mod common;

use std::process::Command;

use common::*;

/// 24 s of 4/4 clicks at 128 BPM (the downbeat higher), as `name`.
fn song(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let beat = 60.0 / 128.0;
    let expr = format!(
        "if(lt(mod(t,{beat}),0.02),if(lt(mod(t,{bar}),0.02),0.9*sin(2*PI*2000*t),0.5*sin(2*PI*1000*t)),0)",
        bar = beat * 4.0
    );
    let status = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("aevalsrc='{expr}':s=44100:d=24"))
        .arg(&path)
        .status()
        .expect("ffmpeg runs (`cargo xtask setup` installs it)");
    assert!(status.success());
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyze_prints_one_json_object_for_every_format() {
    let env = env().await;
    let mut first_beats: Option<Vec<f64>> = None;
    for name in ["song.mp3", "song.wav", "song.flac", "song.ogg", "song.m4a"] {
        let file = song(env.dir.path(), name);
        let run = env.run(&["--json", "song", "analyze", file.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{name}: {run:?}");
        let doc = run.json();
        for key in [
            "duration_s",
            "tempo_bpm",
            "beats_per_bar",
            "beats",
            "downbeats",
            "sections",
        ] {
            assert!(doc.get(key).is_some(), "{name}: no {key}");
        }
        let tempo = doc["tempo_bpm"].as_f64().unwrap();
        assert!((tempo - 128.0).abs() < 1.28, "{name}: {tempo}");
        assert_eq!(doc["beats_per_bar"], 4, "{name}");
        let section = &doc["sections"][0];
        for key in ["start_s", "end_s", "label", "energy"] {
            assert!(section.get(key).is_some(), "{name}: section has no {key}");
        }
        let beats: Vec<f64> = doc["beats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_f64().unwrap())
            .collect();
        match &first_beats {
            None => first_beats = Some(beats),
            Some(reference) => {
                assert_eq!(beats.len(), reference.len(), "{name}");
                for (a, b) in beats.iter().zip(reference) {
                    assert!((a - b).abs() <= 0.015, "{name}: beat {a} vs {b}");
                }
            }
        }
    }
    // The same audio again (another name): from the cache, and said so.
    let again = env.dir.path().join("copy.flac");
    std::fs::copy(env.dir.path().join("song.flac"), &again).unwrap();
    let run = env.run(&["song", "analyze", again.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("128") && run.stdout.contains("cached"),
        "{}",
        run.stdout
    );

    let text = env.dir.path().join("lyrics.mp3");
    std::fs::write(&text, "not a song\n".repeat(100)).unwrap();
    let run = env.run(&["song", "analyze", text.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("lyrics.mp3"), "{}", run.stderr);
}
