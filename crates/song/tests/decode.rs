//! Decoding songs as a user brings them: the same 4-second click track as WAV, MP3, FLAC, Ogg
//! Vorbis and M4A decodes to the same length and the same click times; tags are read; every bad
//! file gets its own clear error naming the file.

use std::path::{Path, PathBuf};
use std::process::Command;

use song::{DecodeOptions, Error, decode};

/// A click (10 ms of 1 kHz) every half second, stereo 44.1 kHz, 4 s, as `name` (ffmpeg picks the
/// codec from the extension).
fn click_track(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("aevalsrc='if(lt(mod(t,0.5),0.01),0.8*sin(2*PI*1000*t),0)|if(lt(mod(t,0.5),0.01),0.8*sin(2*PI*1000*t),0)':s=44100:d=4")
        .args(["-metadata", "title=Click Song", "-metadata", "artist=The Testers"])
        .args(extra)
        .arg(&path)
        .status()
        .expect("ffmpeg runs (`cargo xtask setup` installs it)");
    assert!(status.success(), "ffmpeg made {name}");
    path
}

/// The song at the analysis rate, whole (fine for 4 s).
fn samples(path: &Path, options: &DecodeOptions) -> Result<(Vec<f32>, song::SongInfo), Error> {
    let mut all = Vec::new();
    let info = decode(path, options, |chunk| all.extend_from_slice(chunk))?;
    Ok((all, info))
}

/// Times (s) where a click starts: the signal rises above half its peak after 0.2 s of quiet.
fn clicks(samples: &[f32], rate: u32) -> Vec<f64> {
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let mut found = Vec::new();
    let mut quiet = usize::MAX / 2;
    for (i, s) in samples.iter().enumerate() {
        if s.abs() > peak * 0.5 {
            if quiet > (rate as usize) / 5 {
                found.push(i as f64 / f64::from(rate));
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    found
}

#[test]
fn five_formats_decode_to_the_same_length_and_click_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = DecodeOptions::default();
    let (wav, wav_info) = samples(&click_track(dir.path(), "song.wav", &[]), &options).unwrap();
    assert_eq!(wav_info.source_rate, 44_100);
    assert_eq!(wav_info.channels, 2);
    assert_eq!(wav_info.rate, 22_050);
    assert!((wav_info.duration_s - 4.0).abs() < 0.01, "{wav_info:?}");
    assert_eq!(wav.len() as u64, wav_info.samples);
    assert!(
        (wav.len() as i64 - 88_200).abs() <= 1,
        "{} samples",
        wav.len()
    );
    let reference = clicks(&wav, 22_050);
    assert_eq!(reference.len(), 8, "{reference:?}");
    for (i, t) in reference.iter().enumerate() {
        assert!((t - i as f64 * 0.5).abs() < 0.003, "click {i} at {t}");
    }
    for (name, extra) in [
        ("song.mp3", &["-b:a", "192k"][..]),
        ("song.flac", &[][..]),
        ("song.ogg", &["-c:a", "libvorbis", "-q:a", "6"][..]),
        ("song.m4a", &["-c:a", "aac", "-b:a", "192k"][..]),
    ] {
        let (got, info) = samples(&click_track(dir.path(), name, extra), &options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            (info.duration_s - 4.0).abs() < 0.06,
            "{name}: {} s",
            info.duration_s
        );
        assert_eq!(got.len() as u64, info.samples, "{name}");
        let found = clicks(&got, 22_050);
        assert_eq!(found.len(), reference.len(), "{name}: {found:?}");
        for (a, b) in found.iter().zip(&reference) {
            assert!((a - b).abs() < 0.015, "{name}: click at {a} vs {b}");
        }
        assert_eq!(info.tags.title.as_deref(), Some("Click Song"), "{name}");
        assert_eq!(info.tags.artist.as_deref(), Some("The Testers"), "{name}");
    }
}

#[test]
fn every_bad_file_gets_its_own_clear_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = DecodeOptions::default();
    let named = |e: &Error, file: &Path| {
        let text = e.to_string();
        assert!(
            text.contains(&file.display().to_string()),
            "the message names the file: {text}"
        );
        text
    };

    let missing = dir.path().join("missing.mp3");
    let e = samples(&missing, &options).unwrap_err();
    assert!(matches!(e, Error::Open { .. }), "{e:?}");
    named(&e, &missing);

    let empty = dir.path().join("empty.mp3");
    std::fs::write(&empty, b"").unwrap();
    let e = samples(&empty, &options).unwrap_err();
    assert!(matches!(e, Error::Empty { .. }), "{e:?}");
    named(&e, &empty);

    let text = dir.path().join("notes.mp3");
    std::fs::write(&text, "These are my lyrics, not a song.\n".repeat(50)).unwrap();
    let e = samples(&text, &options).unwrap_err();
    assert!(matches!(e, Error::NotAudio { .. }), "{e:?}");
    assert!(named(&e, &text).contains("MP3, WAV, FLAC"));

    let video = dir.path().join("video-only.mp4");
    let made = Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=blue:s=64x64:d=1",
        ])
        .arg(&video)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    let e = samples(&video, &options).unwrap_err();
    assert!(matches!(e, Error::NoAudioTrack { .. }), "{e:?}");
    named(&e, &video);

    let wav = click_track(dir.path(), "whole.wav", &[]);
    let bytes = std::fs::read(&wav).unwrap();
    let cut = dir.path().join("cut.wav");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = samples(&cut, &options).unwrap_err();
    assert!(matches!(e, Error::Truncated { .. }), "{e:?}");
    assert!(named(&e, &cut).contains("cut short"));

    let short_cap = DecodeOptions {
        max_seconds: 2.0,
        ..DecodeOptions::default()
    };
    let e = samples(&wav, &short_cap).unwrap_err();
    assert!(matches!(e, Error::TooLong { .. }), "{e:?}");
    named(&e, &wav);
}

#[test]
fn a_song_already_at_the_analysis_rate_passes_through_sample_for_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = click_track(dir.path(), "mono22k.wav", &["-ac", "1", "-ar", "22050"]);
    let (got, info) = samples(&path, &DecodeOptions::default()).unwrap();
    assert_eq!((info.source_rate, info.channels), (22_050, 1));
    assert_eq!(got.len(), 88_200);
    assert_eq!(clicks(&got, 22_050).len(), 8);
}
