//! Synthesized songs with known beats: clicks and drum patterns from 60 to 180 BPM, in 4/4 and
//! 3/4, a tempo change, a change of section (other instruments, louder), silence at the start.
//! What a user would notice: the tempo (within 1 %), the beats (within 30 ms), the bar starts (on
//! the right beat) and where the sections change (within one bar); one song as WAV, MP3, FLAC, Ogg
//! and M4A gives the same beats (within 15 ms).

use song::{Analysis, analyze_samples};

const RATE: u32 = 22_050;

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

fn click(song: &mut [f32], at: f64, hz: f64, gain: f32) {
    add(song, at, 0.03, |t| {
        gain * (2.0 * std::f64::consts::PI * hz * t).sin() as f32 * (-t * 120.0).exp() as f32
    });
}

fn kick(song: &mut [f32], at: f64, gain: f32) {
    add(song, at, 0.25, |t| {
        let pitch = 50.0 + 90.0 * (-t * 30.0).exp();
        gain * (2.0 * std::f64::consts::PI * pitch * t).sin() as f32 * (-t * 12.0).exp() as f32
    });
}

fn snare(song: &mut [f32], at: f64, gain: f32, noise: &mut Noise) {
    add(song, at, 0.15, |t| {
        gain * noise.next() * (-t * 25.0).exp() as f32
    });
}

fn hat(song: &mut [f32], at: f64, gain: f32, noise: &mut Noise) {
    let mut last = 0.0;
    add(song, at, 0.04, |t| {
        let n = noise.next();
        let high = n - last;
        last = n;
        gain * high * (-t * 90.0).exp() as f32
    });
}

/// A sustained tone (a bass note) from `at` for `length` seconds.
fn tone(song: &mut [f32], at: f64, length: f64, hz: f64, gain: f32) {
    add(song, at, length, |t| {
        gain * (2.0 * std::f64::consts::PI * hz * t).sin() as f32 * (1.0 - (-t * 40.0).exp()) as f32
    });
}

/// Beat times of a steady pulse from `start` for `count` beats.
fn grid(start: f64, bpm: f64, count: usize) -> Vec<f64> {
    (0..count).map(|i| start + i as f64 * 60.0 / bpm).collect()
}

/// A click track: the downbeat clicks higher and louder.
fn clicks(beats: &[f64], per_bar: usize, seconds: f64) -> Vec<f32> {
    let mut song = vec![0.0; (seconds * f64::from(RATE)) as usize];
    for (i, &t) in beats.iter().enumerate() {
        if i % per_bar == 0 {
            click(&mut song, t, 2000.0, 0.9);
        } else {
            click(&mut song, t, 1000.0, 0.45);
        }
    }
    song
}

/// A rock beat: kick on 1 and 3, snare on 2 and 4, hats on eighths, a bass note per bar.
fn drums(song: &mut [f32], beats: &[f64], per_bar: usize, gain: f32, noise: &mut Noise) {
    let notes = [55.0, 73.4, 65.4, 49.0];
    for (i, &t) in beats.iter().enumerate() {
        let in_bar = i % per_bar;
        if in_bar == 0 || (per_bar == 4 && in_bar == 2) {
            kick(song, t, gain);
        } else {
            snare(song, t, gain * 0.6, noise);
        }
        let next = beats.get(i + 1).copied().unwrap_or(t + 0.5);
        hat(song, t, gain * 0.3, noise);
        hat(song, (t + next) / 2.0, gain * 0.2, noise);
        if in_bar == 0 {
            let bar_end = beats.get(i + per_bar).copied().unwrap_or(next);
            tone(song, t, bar_end - t, notes[(i / per_bar) % 4], gain * 0.3);
        }
    }
}

/// Every expected beat has a found beat within 30 ms, and every found beat an expected one.
fn assert_beats(found: &Analysis, expected: &[f64], what: &str) {
    let near = |t: f64, list: &[f64]| list.iter().any(|x| (x - t).abs() <= 0.030);
    let missed: Vec<f64> = expected
        .iter()
        .copied()
        .filter(|t| !near(*t, &found.beats))
        .collect();
    let extra: Vec<f64> = found
        .beats
        .iter()
        .copied()
        .filter(|t| !near(*t, expected))
        .collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{what}: missed {missed:?}, extra {extra:?} (found {} of {})",
        found.beats.len(),
        expected.len()
    );
}

fn assert_tempo(found: &Analysis, bpm: f64, what: &str) {
    assert!(
        (found.tempo_bpm - bpm).abs() / bpm <= 0.01,
        "{what}: {} BPM, not {bpm}",
        found.tempo_bpm
    );
}

/// The bar starts are the expected ones (every `per_bar`-th beat from the first).
fn assert_downbeats(found: &Analysis, bar_starts: &[f64], per_bar: usize, what: &str) {
    assert_eq!(found.beats_per_bar, per_bar, "{what}: meter");
    for t in &found.downbeats {
        assert!(
            bar_starts.iter().any(|b| (b - t).abs() <= 0.030),
            "{what}: downbeat at {t:.3} s is not a bar start"
        );
    }
    assert!(found.downbeats.len() + 1 >= bar_starts.len(), "{what}");
}

#[test]
fn click_tracks_from_60_to_180_bpm_in_four_and_three() {
    for (bpm, per_bar) in [
        (60.0, 4),
        (90.0, 3),
        (100.0, 4),
        (120.0, 4),
        (135.0, 3),
        (150.0, 4),
        (180.0, 4),
    ] {
        let count = (40.0 * bpm / 60.0) as usize;
        let beats = grid(0.5, bpm, count);
        let song = clicks(&beats, per_bar, 0.5 + count as f64 * 60.0 / bpm + 1.0);
        let found = analyze_samples(&song, RATE).unwrap_or_else(|e| panic!("{e}"));
        let what = format!("clicks at {bpm} BPM in {per_bar}");
        assert_tempo(&found, bpm, &what);
        assert_beats(&found, &beats, &what);
        let bars: Vec<f64> = beats.iter().step_by(per_bar).copied().collect();
        assert_downbeats(&found, &bars, per_bar, &what);
    }
}

#[test]
fn drum_patterns_with_a_bass_line_find_beats_and_bars() {
    for (bpm, per_bar) in [(84.0, 4), (126.0, 4), (108.0, 3), (170.0, 4)] {
        let count = (36.0 * bpm / 60.0) as usize / per_bar * per_bar;
        let beats = grid(0.25, bpm, count);
        let mut song = vec![0.0; ((0.25 + count as f64 * 60.0 / bpm + 1.0) * 22_050.0) as usize];
        drums(&mut song, &beats, per_bar, 0.7, &mut Noise(7));
        let found = analyze_samples(&song, RATE).unwrap_or_else(|e| panic!("{e}"));
        let what = format!("drums at {bpm} BPM in {per_bar}");
        assert_tempo(&found, bpm, &what);
        assert_beats(&found, &beats, &what);
        let bars: Vec<f64> = beats.iter().step_by(per_bar).copied().collect();
        assert_downbeats(&found, &bars, per_bar, &what);
    }
}

#[test]
fn silence_before_the_music_gets_no_beats() {
    let beats = grid(3.2, 110.0, 60);
    let song = clicks(&beats, 4, 3.2 + 60.0 * 60.0 / 110.0 + 1.0);
    let found = analyze_samples(&song, RATE).unwrap_or_else(|e| panic!("{e}"));
    assert_tempo(&found, 110.0, "after silence");
    assert_beats(&found, &beats, "after silence");
    assert!(found.beats[0] > 3.1, "first beat at {}", found.beats[0]);
    // The loudness envelope shows the silence.
    assert!(found.loudness_db[..25].iter().all(|db| *db < -80.0));
}

#[test]
fn a_tempo_change_is_followed_and_reported() {
    // 100 BPM for 48 beats, then 130 BPM for 64 beats.
    let mut beats = grid(0.5, 100.0, 48);
    let switch = 0.5 + 48.0 * 0.6;
    beats.extend(grid(switch, 130.0, 64));
    let end = switch + 64.0 * 60.0 / 130.0 + 1.0;
    let song = clicks(&beats, 4, end);
    let found = analyze_samples(&song, RATE).unwrap_or_else(|e| panic!("{e}"));
    assert!(!found.tempo_curve.is_empty(), "a tempo curve is reported");
    let early = found
        .tempo_curve
        .iter()
        .find(|p| p.time_s > 8.0 && p.time_s < 20.0);
    let late = found
        .tempo_curve
        .iter()
        .rev()
        .find(|p| p.time_s > switch + 8.0);
    assert!(
        early.is_some_and(|p| (p.bpm - 100.0).abs() < 2.0),
        "{:?}",
        found.tempo_curve
    );
    assert!(
        late.is_some_and(|p| (p.bpm - 130.0).abs() < 2.6),
        "{:?}",
        found.tempo_curve
    );
    // Beats within 30 ms, leaving the two seconds around the switch to the tracker.
    let steady: Vec<f64> = beats
        .iter()
        .copied()
        .filter(|t| (t - switch).abs() > 2.0)
        .collect();
    let near = |t: f64| found.beats.iter().any(|x| (x - t).abs() <= 0.030);
    let missed: Vec<f64> = steady.iter().copied().filter(|t| !near(*t)).collect();
    assert!(missed.is_empty(), "missed {missed:?}");
}

#[test]
fn a_louder_section_with_other_instruments_starts_on_its_bar() {
    // 16 bars of quiet clicks over a high tone, then 16 bars of loud drums with a bass line.
    let bpm = 120.0;
    let beats = grid(0.5, bpm, 128);
    let change = beats[64];
    let mut song = vec![0.0; ((0.5 + 128.0 * 0.5 + 1.0) * 22_050.0) as usize];
    for (i, &t) in beats[..64].iter().enumerate() {
        click(
            &mut song,
            t,
            if i % 4 == 0 { 2000.0 } else { 1000.0 },
            if i % 4 == 0 { 0.3 } else { 0.15 },
        );
    }
    tone(&mut song, 0.5, change - 0.5, 880.0, 0.05);
    drums(&mut song, &beats[64..], 4, 0.8, &mut Noise(3));
    let found = analyze_samples(&song, RATE).unwrap_or_else(|e| panic!("{e}"));
    assert_tempo(&found, bpm, "two sections");
    assert!(
        found.sections.len() >= 2,
        "{:?} ({} beats, {} bars of {})",
        found.sections,
        found.beats.len(),
        found.downbeats.len(),
        found.beats_per_bar
    );
    let boundary = found
        .sections
        .iter()
        .skip(1)
        .map(|s| s.start_s)
        .min_by(|a, b| (a - change).abs().total_cmp(&(b - change).abs()))
        .unwrap_or(0.0);
    assert!(
        (boundary - change).abs() <= 2.0,
        "a boundary within one bar (2 s) of {change}: {:?}",
        found.sections
    );
    let first = &found.sections[0];
    let last = found.sections.last().unwrap_or(first);
    assert!(first.energy < last.energy, "{:?}", found.sections);
    assert_eq!(first.start_s, 0.0);
    assert!(
        (last.end_s - found.duration_s).abs() < 1e-9,
        "sections cover the song"
    );
}

/// `song` as a 16-bit mono WAV at `RATE`.
fn write_wav(path: &std::path::Path, song: &[f32]) {
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
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn mp3_flac_ogg_and_m4a_of_one_song_give_the_same_beats_within_15_ms() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let beats = grid(0.4, 118.0, 56);
    let mut song = vec![0.0; ((0.4 + 56.0 * 60.0 / 118.0 + 1.0) * f64::from(RATE)) as usize];
    drums(&mut song, &beats, 4, 0.6, &mut Noise(11));
    let wav = dir.path().join("song.wav");
    write_wav(&wav, &song);
    let reference = song::analyze(&wav).unwrap_or_else(|e| panic!("{e}"));
    assert_beats(&reference, &beats, "the WAV");
    for (name, codec) in [
        ("song.mp3", &["-b:a", "192k"][..]),
        ("song.flac", &[][..]),
        ("song.ogg", &["-c:a", "libvorbis", "-q:a", "6"][..]),
        ("song.m4a", &["-c:a", "aac", "-b:a", "192k"][..]),
    ] {
        let path = dir.path().join(name);
        let made = std::process::Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-i"])
            .arg(&wav)
            .args(codec)
            .arg(&path)
            .status()
            .unwrap_or_else(|e| panic!("ffmpeg runs (`cargo xtask setup` installs it): {e}"));
        assert!(made.success(), "ffmpeg made {name}");
        let found = song::analyze(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(found.beats.len(), reference.beats.len(), "{name}");
        for (a, b) in found.beats.iter().zip(&reference.beats) {
            assert!(
                (a - b).abs() <= 0.015,
                "{name}: beat at {a:.3} s, the WAV's at {b:.3} s"
            );
        }
        assert_eq!(found.downbeats.len(), reference.downbeats.len(), "{name}");
    }
}

#[test]
fn the_analysis_says_how_sure_it_is_of_the_beat() {
    // Drums and a bass line: the beat is plain.
    let beats = grid(0.25, 120.0, 64);
    let mut song = vec![0.0; ((0.25 + 32.0 + 1.0) * 22_050.0) as usize];
    drums(&mut song, &beats, 4, 0.7, &mut Noise(3));
    let sure = analyze_samples(&song, RATE).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        sure.beat_confidence >= song::UNSURE,
        "drums: {}",
        sure.beat_confidence
    );

    // Notes at random times with no pulse: whatever beats are found, the analysis is unsure.
    let mut noise = Noise(11);
    let mut loose = vec![0.0; 33 * 22_050];
    let mut t = 0.3;
    while t < 32.0 {
        tone(
            &mut loose,
            t,
            0.4,
            220.0 + 200.0 * f64::from(noise.next().abs()),
            0.3,
        );
        t += 0.23 + 0.6 * f64::from(noise.next().abs());
    }
    let unsure = analyze_samples(&loose, RATE).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        unsure.beat_confidence < song::UNSURE && unsure.beat_confidence < sure.beat_confidence,
        "no pulse: {} (drums {})",
        unsure.beat_confidence,
        sure.beat_confidence
    );
}
