//! Overrides on a real analysis of a synthesized song (quiet clicks, then louder clicks over a
//! bass): sections the user only splits keep the loudness the analysis measured, and a set tempo
//! gives an even grid over the whole song.

use song::{Overrides, analyze_samples, apply};

const RATE: u32 = 22_050;

/// 48 s at 100 BPM in 4/4 (the downbeat click higher), quiet until 24 s, then loud with a bass.
fn song() -> Vec<f32> {
    let beat = 0.6;
    (0..RATE as usize * 48)
        .map(|i| {
            let t = i as f64 / f64::from(RATE);
            let k = (t / beat).floor();
            let since = t - k * beat;
            let loud = t >= 24.0;
            let mut v = 0.0;
            if since < 0.03 {
                let hz = if (k as u64).is_multiple_of(4) {
                    2000.0
                } else {
                    1000.0
                };
                let gain = if loud { 0.8 } else { 0.25 };
                v += gain * (std::f64::consts::TAU * hz * t).sin();
            }
            if loud {
                v += 0.2 * (std::f64::consts::TAU * 110.0 * t).sin();
            }
            v as f32
        })
        .collect()
}

#[test]
fn splitting_sections_keeps_the_loudness_the_analysis_measured() {
    let detected = analyze_samples(&song(), RATE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(detected.sections.len(), 2, "{:?}", detected.sections);
    // The same boundaries, given by the user: the same sections, energies included.
    let same = Overrides {
        boundaries: Some(vec![detected.sections[1].start_s]),
        ..Overrides::default()
    };
    let restated = apply(&detected, &same);
    for (a, b) in restated.sections.iter().zip(&detected.sections) {
        assert_eq!(a.label, b.label);
        // (The analysis starts a section at its bar's frame, 23 ms before the downbeat's time.)
        assert!((a.start_s - b.start_s).abs() < 0.03, "{a:?} {b:?}");
        assert!((a.energy - b.energy).abs() < 0.01, "{a:?} vs {b:?}");
    }
    // The quiet section split in two: both halves as quiet as the whole was.
    let mut split = Overrides::default();
    split.add_boundary(&detected, 12.0).unwrap();
    let edited = apply(&detected, &split);
    assert_eq!(edited.sections.len(), 3);
    for half in &edited.sections[..2] {
        assert!(
            (half.energy - detected.sections[0].energy).abs() < 0.02,
            "{half:?} vs {:?}",
            detected.sections[0]
        );
    }
}

#[test]
fn a_set_tempo_covers_the_song_with_an_even_grid() {
    let detected = analyze_samples(&song(), RATE).unwrap_or_else(|e| panic!("{e}"));
    assert!((detected.tempo_bpm - 100.0).abs() < 1.0);
    let mut o = Overrides::default();
    o.set_bpm(120.0);
    let a = apply(&detected, &o);
    assert!(a.beats.windows(2).all(|w| (w[1] - w[0] - 0.5).abs() < 1e-5));
    assert!(a.beats[0] <= detected.beats[0] + 0.25);
    assert!(*a.beats.last().unwrap() > 47.4);
}
