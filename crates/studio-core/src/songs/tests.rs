//! A song's overrides as the user meets them: applied every time the song is opened, kept when
//! it is analysed again or opened under another name, refused when wrong, gone on reset.

use super::*;

/// 16 s of clicks at 120 BPM as a 16-bit mono WAV.
fn click_song(path: &Path) {
    let rate = 22_050u32;
    let samples: Vec<i16> = (0..rate * 16)
        .map(|i| {
            let t = f64::from(i) / f64::from(rate);
            if t % 0.5 < 0.02 {
                (0.8 * f64::from(i16::MAX) * (std::f64::consts::TAU * 1000.0 * t).sin()) as i16
            } else {
                0
            }
        })
        .collect();
    let data_len = u32::try_from(samples.len() * 2).unwrap();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    for field in [16u32.to_le_bytes(), [1, 0, 1, 0]] {
        bytes.extend_from_slice(&field);
    }
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * 2).to_le_bytes());
    bytes.extend_from_slice(&[2, 0, 16, 0]);
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

fn setup() -> (tempfile::TempDir, StudioPaths, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let paths = StudioPaths::under(dir.path());
    let file = dir.path().join("song.wav");
    click_song(&file);
    (dir, paths, file)
}

fn even(beats: &[f64], step: f64) -> bool {
    beats.windows(2).all(|w| (w[1] - w[0] - step).abs() < 1e-6)
}

#[test]
fn a_set_tempo_stays_through_a_new_analysis_and_another_name_until_reset() {
    let (dir, paths, file) = setup();
    let found = analyze(&paths, &file).unwrap();
    assert!((found.analysis.tempo_bpm - 120.0).abs() < 1.2);
    assert!(found.overrides.is_empty());

    let (edited, ()) = edit_overrides(&paths, &file, |o, _| {
        o.set_bpm(100.0);
        Ok(())
    })
    .unwrap();
    assert_eq!(edited.analysis.tempo_bpm, 100.0);
    assert!(even(&edited.analysis.beats, 0.6));
    assert_eq!(edited.overrides.bpm, Some(100.0));

    // Opened again: from the cache, edits applied.
    let again = analyze(&paths, &file).unwrap();
    assert!(again.cached);
    assert_eq!(again.analysis, edited.analysis);
    // Analysed again (the cache gone, as after a new analysis version): the edits stay.
    for entry in std::fs::read_dir(paths.song_cache()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.ends_with("-overrides.json") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let fresh = analyze(&paths, &file).unwrap();
    assert!(!fresh.cached);
    assert_eq!(fresh.analysis.tempo_bpm, 100.0);
    assert!(even(&fresh.analysis.beats, 0.6));
    // The same audio under another name is the same song, edits and all.
    let copy = dir.path().join("copy.wav");
    std::fs::copy(&file, &copy).unwrap();
    assert_eq!(analyze(&paths, &copy).unwrap().overrides.bpm, Some(100.0));

    let reset = clear_overrides(&paths, &file).unwrap();
    assert!(reset.overrides.is_empty());
    assert!((reset.analysis.tempo_bpm - 120.0).abs() < 1.2);
    assert!(analyze(&paths, &copy).unwrap().overrides.is_empty());
    // Resetting a song without edits is fine.
    clear_overrides(&paths, &file).unwrap();
}

#[test]
fn a_wrong_edit_is_refused_and_nothing_is_saved() {
    let (_dir, paths, file) = setup();
    set_overrides(
        &paths,
        &file,
        Overrides {
            beats_per_bar: Some(3),
            ..Overrides::default()
        },
    )
    .unwrap();
    let error = set_overrides(
        &paths,
        &file,
        Overrides {
            bpm: Some(500.0),
            ..Overrides::default()
        },
    )
    .unwrap_err();
    assert!(matches!(error, Error::Song(_)), "{error:?}");
    assert!(error.to_string().contains("between 20 and 300"), "{error}");
    let error = edit_overrides(&paths, &file, |o, current| o.add_boundary(current, 99.0))
        .unwrap_err()
        .to_string();
    assert!(error.contains("outside the song"), "{error}");
    let kept = analyze(&paths, &file).unwrap();
    assert_eq!(kept.overrides.beats_per_bar, Some(3));
    assert_eq!(kept.overrides.bpm, None);
    assert_eq!(kept.analysis.beats_per_bar, 3);
}

#[test]
fn damaged_edits_are_reported_and_reset_clears_them() {
    let (_dir, paths, file) = setup();
    let hash = analyze(&paths, &file).unwrap().content_hash;
    let path = overrides_path(&paths, &hash);
    std::fs::write(&path, "{\"bpm\": \"fast\"").unwrap();
    let error = analyze(&paths, &file).unwrap_err();
    assert!(matches!(error, Error::SongOverrides { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&*path.to_string_lossy()),
        "{error}"
    );
    assert!(error.to_string().contains("Reset"), "{error}");
    clear_overrides(&paths, &file).unwrap();
    assert!(analyze(&paths, &file).unwrap().overrides.is_empty());
}
