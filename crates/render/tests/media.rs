//! Finding ffmpeg (and the messages when it is missing or too old), probing, last frames and
//! thumbnails, against the real ffmpeg and fake ones.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;
use render::{Error, Ffmpeg};

/// A fake `ffmpeg` (and `ffprobe`) in `dir` that prints `version_line` for `-version`.
#[cfg(unix)]
fn fake_ffmpeg(dir: &Path, version_line: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    for name in ["ffmpeg", "ffprobe"] {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho '{version_line}'\necho 'built with gcc'\n"),
        )
        .expect("script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    dir.join("ffmpeg")
}

#[cfg(unix)]
#[test]
fn a_too_old_ffmpeg_is_refused_saying_what_to_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fake = fake_ffmpeg(
        dir.path(),
        "ffmpeg version 3.4 Copyright (c) 2000-2017 the FFmpeg developers",
    );
    for found in [
        Ffmpeg::find(Some(&fake)),
        Ffmpeg::find_with_path(None, dir.path().as_os_str()),
    ] {
        let err = found.expect_err("3.4 is refused");
        assert!(matches!(err, Error::FfmpegTooOld { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.starts_with(
                "ffmpeg 3.4 is too old: the studio needs 4.2 or newer; install it with `"
            ),
            "{message}"
        );
    }
    // A new enough one, configured as its folder, is taken with the ffprobe beside it.
    fake_ffmpeg(
        dir.path(),
        "ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023",
    );
    let found = Ffmpeg::find_with_path(Some(dir.path()), OsStr::new("")).expect("6.1 is fine");
    assert_eq!(found.version, Some((6, 1)));
    assert_eq!(found.ffprobe, dir.path().join("ffprobe"));
    // Something that is not ffmpeg at all.
    let other = fake_ffmpeg(dir.path(), "usage: something else");
    let err = Ffmpeg::find(Some(&other)).expect_err("refused");
    assert!(err.to_string().contains("does not work as ffmpeg"), "{err}");
}

#[test]
fn a_missing_ffmpeg_says_where_it_looked_and_how_to_install_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = Ffmpeg::find(Some(&dir.path().join("ffmpeg"))).expect_err("missing");
    assert!(matches!(err, Error::FfmpegMissing { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "ffmpeg was not found (looked at {}",
            dir.path().join("ffmpeg").display()
        )),
        "{message}"
    );
    assert!(message.contains("install it with `"), "{message}");
    let err = Ffmpeg::find_with_path(None, dir.path().as_os_str()).expect_err("missing");
    assert!(
        err.to_string()
            .starts_with("ffmpeg was not found (looked on PATH)"),
        "{err}"
    );
}

#[test]
fn the_installed_ffmpeg_is_found_with_its_version() {
    let ffmpeg = ffmpeg();
    let (major, _) = ffmpeg.version.expect("a release build");
    assert!(major >= 4);
    assert!(
        ffmpeg
            .ffprobe
            .ends_with(format!("ffprobe{}", std::env::consts::EXE_SUFFIX))
    );
}

#[test]
fn probe_reads_size_rate_length_and_streams() {
    let ffmpeg = ffmpeg();
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = colour_clip(dir.path(), "clip", "red", "1280x720", "24", 5.0);
    let info = ffmpeg.probe(&clip).expect("probe");
    assert_eq!(
        (info.width, info.height, info.fps, info.frames),
        (1280, 720, 24.0, Some(120))
    );
    assert!(info.has_video && info.has_audio);
    assert!((info.duration_s - 5.0).abs() < 0.05, "{}", info.duration_s);
    let song = song(dir.path(), "song.m4a", 3.0);
    let info = ffmpeg.probe(&song).expect("probe");
    assert!(info.has_audio && !info.has_video);
    assert_eq!(info.audio_codec.as_deref(), Some("aac"));
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "not a video").expect("write");
    let err = ffmpeg.probe(&text).expect_err("not media");
    assert!(
        err.to_string().starts_with(&format!(
            "could not read {} as audio or video",
            text.display()
        )),
        "{err}"
    );
}

#[test]
fn last_frame_is_the_clips_very_last_frame() {
    let ffmpeg = ffmpeg();
    let dir = tempfile::tempdir().expect("temp dir");
    // 48 red frames, the 48th blue, and an audio track running half a second past the video.
    let clip = dir.path().join("clip.mp4");
    run(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=640x360:r=24:d=2,drawbox=c=blue:t=fill:enable='eq(n,47)'",
        "-f",
        "lavfi",
        "-i",
        "sine=d=2.5",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "250",
        "-c:a",
        "aac",
        clip.to_str().expect("utf-8"),
    ]);
    let png = dir.path().join("last.png");
    ffmpeg.last_frame(&clip, &png).expect("last frame");
    let colours = frame_colours(&png);
    assert_eq!(colours.len(), 1);
    assert_eq!(name_of(colours[0]), "blue", "{:?}", colours[0]);
    let info = ffmpeg.probe(&png).expect("probe png");
    assert_eq!((info.width, info.height), (640, 360));
    assert_eq!(entries(dir.path()), ["clip.mp4", "last.png"]);

    // The sound runs on 3 s after the picture ends: the last second holds no video.
    let long_sound = dir.path().join("long-sound.mp4");
    run(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=320x240:r=24:d=1,drawbox=c=lime:t=fill:enable='eq(n,23)'",
        "-f",
        "lavfi",
        "-i",
        "sine=d=4",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        long_sound.to_str().expect("utf-8"),
    ]);
    ffmpeg.last_frame(&long_sound, &png).expect("last frame");
    assert_eq!(name_of(frame_colours(&png)[0]), "lime");
}

#[test]
fn thumbnails_show_the_frame_asked_for_and_the_last_one_past_the_end() {
    let ffmpeg = ffmpeg();
    let dir = tempfile::tempdir().expect("temp dir");
    // Red for the first second, then yellow.
    let video = dir.path().join("video.mp4");
    run(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=1280x720:r=30:d=3,drawbox=c=yellow:t=fill:enable='gte(t,1)'",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        video.to_str().expect("utf-8"),
    ]);
    for (at, colour) in [(0.5, "red"), (2.0, "yellow"), (60.0, "yellow")] {
        let jpg = dir.path().join(format!("thumb-{at}.jpg"));
        ffmpeg.thumbnail(&video, at, &jpg).expect("thumbnail");
        assert_eq!(name_of(frame_colours(&jpg)[0]), colour, "at {at} s");
        let info = ffmpeg.probe(&jpg).expect("probe jpg");
        assert_eq!((info.width, info.height), (640, 360), "at {at} s");
    }
    let err = ffmpeg
        .thumbnail(&dir.path().join("none.mp4"), 1.0, &dir.path().join("x.jpg"))
        .expect_err("no video");
    assert!(
        matches!(err, Error::Probe { .. } | Error::Io { .. }),
        "{err:?}"
    );
}
