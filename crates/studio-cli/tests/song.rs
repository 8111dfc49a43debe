//! `studio song analyze FILE [--json]` on the same song as MP3, WAV, FLAC, Ogg and M4A: one JSON
//! object with the keys other tools rely on, the same tempo and beats, and a second run from the
//! cache; a file that is not a song exits 2 naming it. The user's corrections (`bpm`, `tap`,
//! `downbeat`, `section`, `reset`) change what every later command shows, until reset.

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
            "beat_confidence",
        ] {
            assert!(doc.get(key).is_some(), "{name}: no {key}");
        }
        let sure = doc["beat_confidence"].as_f64().unwrap();
        assert!(sure >= 0.5, "{name}: a click track {sure} sure");
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
    assert!(
        run.stdout.contains("% sure") && !run.stdout.contains("hard to hear"),
        "{}",
        run.stdout
    );

    let text = env.dir.path().join("lyrics.mp3");
    std::fs::write(&text, "not a song\n".repeat(100)).unwrap();
    let run = env.run(&["song", "analyze", text.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("lyrics.mp3"), "{}", run.stderr);
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect()
}

fn starts(doc: &serde_json::Value) -> Vec<f64> {
    doc["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["start_s"].as_f64().expect("a start"))
        .collect()
}

/// The user's corrections: each command prints the song as it now is, `analyze` keeps showing
/// them, a bad value exits 2 saying what to give, and `reset` brings back the analysis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overrides_change_the_song_until_reset() {
    let env = env().await;
    let file = song(env.dir.path(), "song.wav");
    let file = file.to_str().unwrap();
    let json = |args: &[&str]| {
        let mut all = vec!["--json", "song"];
        all.extend_from_slice(args);
        let run = env.run(&all);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        run.json()
    };

    let doc = json(&["bpm", file, "120"]);
    assert_eq!(doc["tempo_bpm"], 120.0);
    assert_eq!(doc["overrides"]["bpm"], 120.0);
    let beats = numbers(&doc["beats"]);
    assert!(beats.windows(2).all(|w| (w[1] - w[0] - 0.5).abs() < 1e-5));
    assert!(*beats.last().unwrap() > 23.4, "{beats:?}");
    // Analysed again (from the cache): the edit is there, and said so.
    let run = env.run(&["song", "analyze", file]);
    assert!(
        run.stdout.contains("120.0 BPM") && run.stdout.contains("Your edits: tempo 120.0 BPM"),
        "{}",
        run.stdout
    );

    // Tapping at 128 BPM through 1.0 s.
    let doc = json(&["tap", file, "1.0", "1.469", "1.938", "2.406", "2.875"]);
    let tempo = doc["tempo_bpm"].as_f64().unwrap();
    assert!((tempo - 128.0).abs() < 0.5, "{tempo}");
    assert!(
        numbers(&doc["beats"])
            .iter()
            .any(|b| (b - 1.0).abs() < 0.01)
    );

    let doc = json(&["downbeat", file, "1.0", "--meter", "3"]);
    assert_eq!(doc["beats_per_bar"], 3);
    let downbeats = numbers(&doc["downbeats"]);
    assert!(
        downbeats.iter().any(|d| (d - 1.0).abs() < 0.01),
        "{downbeats:?}"
    );

    // A new section at the bar nearest 12 s, named, moved, then removed.
    let doc = json(&["section", file, "add", "12"]);
    let added = starts(&doc)[1..].to_vec();
    assert_eq!(added.len(), 1, "{doc}");
    assert!(downbeats.iter().any(|d| (d - added[0]).abs() < 1e-6));
    assert!((added[0] - 12.0).abs() < 1.5 * 60.0 / 128.0);
    let doc = json(&["section", file, "label", "15", "chorus"]);
    assert_eq!(doc["sections"][1]["label"], "chorus");
    let doc = json(&["section", file, "move", &added[0].to_string(), "16"]);
    assert_eq!(doc["sections"][1]["label"], "chorus");
    let moved = starts(&doc)[1];
    assert!((moved - 16.0).abs() < 1.5 * 60.0 / 128.0, "{moved}");
    let doc = json(&["section", file, "delete", &moved.to_string()]);
    assert_eq!(doc["sections"].as_array().unwrap().len(), 1);

    // Wrong values: exit 2, what is wrong and what to do, nothing changed.
    for (args, says) in [
        (vec!["song", "bpm", file, "500"], "between 20 and 300"),
        (vec!["song", "tap", file, "1", "2"], "at least 4"),
        (vec!["song", "downbeat", file, "99"], "outside the song"),
        (
            vec!["song", "section", file, "delete", "5"],
            "No section boundary",
        ),
        (
            vec!["song", "section", file, "add", "0.1"],
            "already starts",
        ),
    ] {
        let run = env.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    assert_eq!(json(&["analyze", file])["beats_per_bar"], 3);

    let doc = json(&["reset", file]);
    assert!((doc["tempo_bpm"].as_f64().unwrap() - 128.0).abs() < 1.28);
    assert_eq!(doc["beats_per_bar"], 4);
    assert_eq!(doc["overrides"]["bpm"], serde_json::Value::Null);
    let run = env.run(&["song", "analyze", file]);
    assert!(!run.stdout.contains("Your edits"), "{}", run.stdout);
}

/// Tones at uneven times, no pulse: the analysis says it is unsure of the beat and how to set it;
/// once the user sets the tempo it no longer asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_song_without_a_clear_beat_asks_the_user_to_set_it() {
    let env = env().await;
    let path = env.dir.path().join("drift.wav");
    // Notes whose onsets drift apart (t² spacing) over a drone: nothing steady to count.
    let expr = "0.3*sin(2*PI*(220+110*floor(mod(t*t*0.9,4)))*t)*exp(-8*mod(t*t*0.9,1))+0.05*sin(2*PI*110*t)";
    let status = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("aevalsrc='{expr}':s=44100:d=30"))
        .arg(&path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let file = path.to_str().unwrap();
    let run = env.run(&["song", "analyze", file]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("hard to hear") && run.stdout.contains("studio song bpm"),
        "{}",
        run.stdout
    );
    let run = env.run(&["song", "bpm", file, "96"]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = env.run(&["song", "analyze", file]);
    assert!(
        run.stdout.contains("100 % sure") && !run.stdout.contains("hard to hear"),
        "{}",
        run.stdout
    );
}
