//! The render against the real ffmpeg: clips of several sizes, rates and aspects cut on planned
//! beat times (between frames), a song in MP3, WAV and M4A; what a viewer would notice: length,
//! streams, where the picture changes, held frames, refusals and cancelling.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use render::{
    CancelFlag, Error, RenderPlan, RenderProgress, RenderStage, ShotClip, SongAudio, render,
};

const FPS: u32 = 30;

/// A 20 s plan over cuts on 128 BPM beats (between frames at 30 fps), with clips of different
/// sizes, rates and aspects; the third clip (2 s) is shorter than its shot (3.75 s).
fn plan_with_clips(dir: &Path, song: PathBuf) -> (RenderPlan, Vec<&'static str>) {
    let cuts = [0.0, 3.75, 7.5, 11.25, 13.125, 16.875, 20.0];
    let clips = [
        ("red", "1280x720", "24", 5.0),
        ("lime", "720x1280", "30", 5.0),
        ("blue", "640x480", "25", 2.0),
        ("yellow", "1920x1080", "60", 5.0),
        ("magenta", "1280x720", "24000/1001", 5.0),
        ("cyan", "854x480", "24", 5.0),
    ];
    let shots = clips
        .iter()
        .enumerate()
        .map(|(k, (colour, size, rate, seconds))| ShotClip {
            start_s: cuts[k],
            end_s: cuts[k + 1],
            clip: Some(colour_clip(
                dir,
                &format!("clip{k}"),
                colour,
                size,
                rate,
                *seconds,
            )),
        })
        .collect();
    let plan = RenderPlan {
        shots,
        song,
        song_duration_s: 20.0,
        width: 640,
        height: 360,
        fps: FPS,
        out: dir.join("out").join("video.mp4"),
        fill_gaps: false,
    };
    (plan, clips.iter().map(|c| c.0).collect())
}

/// Each frame's colour is its shot's: so every cut is on frame round(start·F), within half a
/// frame of the planned time, and a short clip holds its colour to its shot's end.
fn assert_cuts(video: &Path, plan: &RenderPlan, colours: &[&str]) {
    let frames = frame_colours(video);
    let fps = f64::from(plan.fps);
    assert_eq!(
        frames.len() as f64,
        (plan.song_duration_s * fps).round(),
        "frame count"
    );
    for (k, shot) in plan.shots.iter().enumerate() {
        let first = (shot.start_s * fps).round() as usize;
        let end = ((shot.end_s * fps).round() as usize).min(frames.len());
        assert!((first as f64 / fps - shot.start_s).abs() <= 0.5 / fps + 1e-9);
        for (i, rgb) in frames.iter().enumerate().take(end).skip(first) {
            assert_eq!(
                name_of(*rgb),
                colours[k],
                "frame {i} ({:.3} s) should show shot {}'s {}, it is {rgb:?}",
                i as f64 / fps,
                k + 1,
                colours[k]
            );
        }
        if k > 0 && colours[k - 1] != colours[k] {
            assert_ne!(
                name_of(frames[first - 1]),
                colours[k],
                "the cut before shot {} is late",
                k + 1
            );
        }
    }
}

/// One video and one audio stream, as long as the song within one frame, ending together.
fn assert_length(video: &Path, song_s: f64, fps: u32) {
    let frame = 1.0 / f64::from(fps);
    let streams = streams(video);
    let kinds: Vec<&str> = streams.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["video", "audio"], "streams of {}", video.display());
    let (v, a) = (streams[0].1, streams[1].1);
    assert!(
        (v - song_s).abs() < frame,
        "video lasts {v} s, the song {song_s} s"
    );
    assert!(
        (a - song_s).abs() < frame,
        "audio lasts {a} s, the song {song_s} s"
    );
    assert!(
        (a - v).abs() < frame,
        "audio and video drift apart by {} s",
        a - v
    );
}

#[test]
fn renders_every_cut_on_its_frame_and_lasts_as_long_as_the_song() {
    let ffmpeg = ffmpeg();
    let dir = tempfile::tempdir().expect("temp dir");
    let (plan, colours) = plan_with_clips(dir.path(), song(dir.path(), "song.mp3", 20.0));
    std::fs::create_dir(dir.path().join("out")).expect("out folder");
    let mut seen: Vec<RenderProgress> = Vec::new();
    let report = render(&ffmpeg, &plan, |p| seen.push(p), &CancelFlag::new()).expect("render");

    assert_eq!(report.frames, 600);
    assert_eq!(report.audio, SongAudio::Encoded);
    assert!(report.filled_shots.is_empty());
    assert!(
        (report.duration_s - 20.0).abs() < 1.0 / 30.0,
        "{}",
        report.duration_s
    );
    assert_length(&plan.out, 20.0, FPS);
    assert_cuts(&plan.out, &plan, &colours);
    let info = ffmpeg.probe(&plan.out).expect("probe");
    assert_eq!((info.width, info.height, info.fps), (640, 360, 30.0));
    assert_eq!(info.frames, Some(600));

    // Progress: starts preparing, encodes with a rising fraction, ends done; nothing goes back.
    assert_eq!(seen.first().map(|p| p.stage), Some(RenderStage::Preparing));
    assert_eq!(
        seen.last(),
        Some(&RenderProgress {
            stage: RenderStage::Done,
            fraction: 1.0
        })
    );
    assert!(
        seen.windows(2).all(|w| w[1].fraction >= w[0].fraction),
        "{seen:?}"
    );
    let encoding: Vec<f64> = seen
        .iter()
        .filter(|p| p.stage == RenderStage::Encoding)
        .map(|p| p.fraction)
        .collect();
    assert!(
        encoding.iter().any(|&f| f > 0.9),
        "ffmpeg's progress never neared the end: {encoding:?}"
    );
    // Only the video is left in the output folder.
    assert_eq!(entries(&dir.path().join("out")), ["video.mp4"]);
}

#[test]
fn songs_in_wav_and_m4a_give_the_same_length_and_an_aac_song_is_copied() {
    let ffmpeg = ffmpeg();
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = colour_clip(dir.path(), "red", "red", "320x180", "24", 5.0);
    let other = colour_clip(dir.path(), "blue", "blue", "320x180", "30", 5.0);
    for (file, audio) in [
        ("song.wav", SongAudio::Encoded),
        ("song.m4a", SongAudio::Copied),
    ] {
        let song_s = 8.51;
        let plan = RenderPlan {
            shots: vec![
                ShotClip {
                    start_s: 0.0,
                    end_s: 4.27,
                    clip: Some(clip.clone()),
                },
                ShotClip {
                    start_s: 4.27,
                    end_s: song_s,
                    clip: Some(other.clone()),
                },
            ],
            song: song(dir.path(), file, song_s),
            song_duration_s: song_s,
            width: 320,
            height: 180,
            fps: 24,
            out: dir.path().join(format!("{file}.mp4")),
            fill_gaps: false,
        };
        let report = render(&ffmpeg, &plan, |_| {}, &CancelFlag::new()).expect("render");
        assert_eq!(report.audio, audio, "{file}");
        assert_eq!(report.frames, 204, "{file}");
        assert_length(&plan.out, song_s, 24);
        assert_cuts(&plan.out, &plan, &["red", "blue"]);
    }
}

#[test]
fn missing_shots_refuse_with_their_list_and_write_nothing() {
    let ffmpeg = ffmpeg();
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = colour_clip(dir.path(), "red", "red", "320x180", "24", 5.0);
    let shot = |start_s, end_s, clip: Option<&PathBuf>| ShotClip {
        start_s,
        end_s,
        clip: clip.cloned(),
    };
    let plan = RenderPlan {
        shots: vec![
            shot(0.0, 2.0, Some(&clip)),
            shot(2.0, 4.0, None),
            shot(4.0, 6.0, Some(&clip)),
            shot(6.0, 8.0, None),
        ],
        song: song(dir.path(), "song.wav", 8.0),
        song_duration_s: 8.0,
        width: 320,
        height: 180,
        fps: 30,
        out: dir.path().join("video.mp4"),
        fill_gaps: false,
    };
    let err = render(&ffmpeg, &plan, |_| {}, &CancelFlag::new()).expect_err("refused");
    assert!(
        matches!(&err, Error::MissingShots(shots) if shots == &[1, 3]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "shots 2, 4 have no clip: generate them, pick a version for each, or render with gaps filled"
    );
    assert!(!plan.out.exists());

    // A clip that was deleted since it was chosen is named too.
    let mut plan = plan;
    plan.shots[1].clip = Some(dir.path().join("gone.mp4"));
    plan.shots[3].clip = Some(clip.clone());
    let err = render(&ffmpeg, &plan, |_| {}, &CancelFlag::new()).expect_err("refused");
    assert!(matches!(&err, Error::ClipGone { shot: 1, .. }), "{err:?}");
    assert!(err.to_string().starts_with("shot 2 uses "), "{err}");
}

#[test]
fn filled_gaps_hold_the_shot_before_and_start_black() {
    let ffmpeg = ffmpeg();
    let dir = tempfile::tempdir().expect("temp dir");
    let red = colour_clip(dir.path(), "red", "red", "320x180", "24", 5.0);
    let blue = colour_clip(dir.path(), "blue", "blue", "320x180", "24", 5.0);
    let shot = |start_s, end_s, clip: Option<&PathBuf>| ShotClip {
        start_s,
        end_s,
        clip: clip.cloned(),
    };
    let plan = RenderPlan {
        // No clip for the first shot (black), nor for the third and fourth (red held 6.1 s, longer
        // than the 5 s clip itself).
        shots: vec![
            shot(0.0, 1.5, None),
            shot(1.5, 3.1, Some(&red)),
            shot(3.1, 5.6, None),
            shot(5.6, 7.7, None),
            shot(7.7, 9.0, Some(&blue)),
        ],
        song: song(dir.path(), "song.mp3", 9.0),
        song_duration_s: 9.0,
        width: 320,
        height: 180,
        fps: 30,
        out: dir.path().join("video.mp4"),
        fill_gaps: true,
    };
    let report = render(&ffmpeg, &plan, |_| {}, &CancelFlag::new()).expect("render");
    assert_eq!(report.filled_shots, vec![0, 2, 3]);
    assert_length(&plan.out, 9.0, 30);
    assert_cuts(&plan.out, &plan, &["black", "red", "red", "red", "blue"]);
}

#[test]
fn cancelling_kills_ffmpeg_and_leaves_no_file() {
    let ffmpeg = ffmpeg();
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = colour_clip(dir.path(), "red", "red", "1280x720", "30", 5.0);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("out folder");
    let song_s = 120.0;
    let plan = RenderPlan {
        shots: (0..24)
            .map(|k| ShotClip {
                start_s: k as f64 * 5.0,
                end_s: (k + 1) as f64 * 5.0,
                clip: Some(clip.clone()),
            })
            .collect(),
        song: song(dir.path(), "song.wav", song_s),
        song_duration_s: song_s,
        width: 1280,
        height: 720,
        fps: 30,
        out: out_dir.join("video.mp4"),
        fill_gaps: false,
    };
    let cancel = CancelFlag::new();
    let mut last = 0.0;
    let started = std::time::Instant::now();
    let err = render(
        &ffmpeg,
        &plan,
        |p| {
            last = p.fraction;
            if p.stage == RenderStage::Encoding && p.fraction > 0.0 {
                cancel.cancel();
            }
        },
        &cancel,
    )
    .expect_err("cancelled");
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert!(last < 0.5, "the render went on to {last} before stopping");
    assert!(
        started.elapsed().as_secs() < 30,
        "cancelling took {:?}",
        started.elapsed()
    );
    assert_eq!(
        entries(&out_dir),
        Vec::<String>::new(),
        "a partial file was left"
    );
}
