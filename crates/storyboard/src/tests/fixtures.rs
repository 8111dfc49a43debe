//! Songs built by hand: a steady beat grid and the sections asked for, and checks shared by the
//! tests.

use song::{Analysis, Section, Tags};

use crate::{ModelLimits, PlanOptions, Storyboard, plan};

/// A steady song `duration_s` long at `bpm` with bars of `per_bar` beats from `first_beat_s`,
/// and `sections` as (start, end, label, energy).
pub fn song(
    duration_s: f64,
    bpm: f64,
    per_bar: usize,
    first_beat_s: f64,
    sections: &[(f64, f64, &str, f64)],
) -> Analysis {
    let step = 60.0 / bpm;
    let beats: Vec<f64> = (0..)
        .map(|i| first_beat_s + f64::from(i) * step)
        .take_while(|t| *t < duration_s - 1e-9)
        .collect();
    let downbeats = beats.iter().step_by(per_bar).copied().collect();
    Analysis {
        duration_s,
        tempo_bpm: bpm,
        tempo_curve: Vec::new(),
        beats_per_bar: per_bar,
        beats,
        downbeats,
        sections: sections
            .iter()
            .map(|&(start_s, end_s, label, energy)| Section {
                start_s,
                end_s,
                label: label.into(),
                energy,
            })
            .collect(),
        loudness_db: Vec::new(),
        peaks: Vec::new(),
        tags: Tags::default(),
        beat_confidence: 1.0,
        analysis_ms: 0,
    }
}

/// 60 s at 120 BPM in 4/4 (2 s bars): a quiet verse, then a loud chorus from 30 s.
pub fn quiet_then_loud() -> Analysis {
    song(
        60.0,
        120.0,
        4,
        0.0,
        &[(0.0, 30.0, "verse", 0.3), (30.0, 60.0, "chorus", 1.0)],
    )
}

pub fn five_and_ten() -> ModelLimits {
    ModelLimits::with_seconds(&[5, 10], 2500)
}

pub fn planned(analysis: &Analysis, model: &ModelLimits) -> Storyboard {
    plan(analysis, model, &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The shots cover `[0, duration]` with no gaps or overlaps, are numbered in order, and each
/// pays for the shortest clip that covers it.
pub fn assert_sound(board: &Storyboard, duration_s: f64) {
    let shots = &board.shots;
    assert!(!shots.is_empty());
    assert_eq!(shots[0].start_s, 0.0, "the first shot starts the song");
    assert_eq!(
        shots[shots.len() - 1].end_s,
        duration_s,
        "the last shot ends the song"
    );
    for (i, pair) in shots.windows(2).enumerate() {
        assert_eq!(pair[0].end_s, pair[1].start_s, "no gap after shot {i}");
    }
    for (i, s) in shots.iter().enumerate() {
        assert_eq!(s.index, i);
        assert!(s.end_s > s.start_s, "shot {i} has a length");
        let clip = board
            .limits
            .duration_for(s.length_s())
            .unwrap_or_else(|| panic!("shot {i} ({} s) fits a clip", s.length_s()));
        assert_eq!(s.generate_s, clip.seconds, "shot {i}: the shortest clip");
        assert_eq!(s.duration, clip.value);
        assert!(
            board
                .limits
                .durations
                .iter()
                .filter(|d| f64::from(d.seconds) >= s.length_s() - 1e-9)
                .all(|d| d.seconds >= s.generate_s),
            "shot {i}: no shorter clip covers it"
        );
    }
}

/// Every cut is one of `allowed` exactly.
pub fn assert_cuts_on(board: &Storyboard, allowed: &[f64]) {
    for cut in board.cuts() {
        assert!(
            allowed.contains(&cut),
            "cut at {cut} s is not on a downbeat: {:?}",
            board.cuts()
        );
    }
}

/// The mean shot length of the shots in section `section`.
pub fn mean_length(board: &Storyboard, section: usize) -> f64 {
    let lengths: Vec<f64> = board
        .shots
        .iter()
        .filter(|s| s.section == section)
        .map(|s| s.length_s())
        .collect();
    assert!(!lengths.is_empty(), "section {section} has shots");
    lengths.iter().sum::<f64>() / lengths.len() as f64
}
