//! Overrides as the user sees them: the beats, bars and sections after each edit, and the same
//! result when the song is analysed again.

use super::*;
use crate::Tags;

/// 60 s at 100 BPM (beats 0.6 s apart from 0.3 s), 4/4 from the first beat; intro (quiet) until
/// the bar at 19.5 s, verse until 38.7 s, then a loud chorus.
fn detected() -> Analysis {
    let beats: Vec<f64> = (0..100).map(|k| 0.3 + 0.6 * f64::from(k)).collect();
    let downbeats: Vec<f64> = beats.iter().step_by(4).copied().collect();
    let loudness_db = (0..600)
        .map(|i| match f64::from(i) * 0.1 {
            t if t < 19.5 => -30.0,
            t if t < 38.7 => -20.0,
            _ => -10.0,
        })
        .collect();
    let section = |start_s, end_s, label: &str, energy| Section {
        start_s,
        end_s,
        label: label.into(),
        energy,
    };
    Analysis {
        duration_s: 60.0,
        tempo_bpm: 100.0,
        tempo_curve: vec![crate::TempoPoint {
            time_s: 0.0,
            bpm: 100.0,
        }],
        beats_per_bar: 4,
        beats,
        downbeats,
        sections: vec![
            section(0.0, 19.5, "intro", 0.1),
            section(19.5, 38.7, "verse", 0.3),
            section(38.7, 60.0, "chorus", 1.0),
        ],
        loudness_db,
        peaks: Vec::new(),
        tags: Tags::default(),
        beat_confidence: 0.9,
        analysis_ms: 7,
    }
}

fn starts(a: &Analysis) -> Vec<f64> {
    a.sections.iter().map(|s| s.start_s).collect()
}

fn labels(a: &Analysis) -> Vec<&str> {
    a.sections.iter().map(|s| s.label.as_str()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn no_overrides_change_nothing() {
    let a = detected();
    assert_eq!(apply(&a, &Overrides::default()), a);
    assert!(Overrides::default().is_empty());
}

#[test]
fn a_set_tempo_makes_an_even_grid_to_the_end() {
    let mut o = Overrides::default();
    o.set_bpm(120.0);
    let a = apply(&detected(), &o);
    assert_eq!(a.tempo_bpm, 120.0);
    assert!(a.tempo_curve.is_empty());
    assert!(a.beats.windows(2).all(|w| close(w[1] - w[0], 0.5)));
    assert!((a.beats[0] - 0.3).abs() <= 0.25, "{}", a.beats[0]);
    let last = *a.beats.last().unwrap();
    assert!((59.5..60.0).contains(&last), "{last}");
    // Bars follow the new beats: every 4th, from the beat nearest the detected first bar.
    assert!(a.downbeats.windows(2).all(|w| close(w[1] - w[0], 2.0)));
    assert!(a.downbeats.iter().all(|d| a.beats.contains(d)));
    // Sections still start on bars.
    for s in &a.sections[1..] {
        assert!(a.downbeats.contains(&s.start_s), "{s:?}");
    }
    assert_eq!(labels(&a), ["intro", "verse", "chorus"]);
}

#[test]
fn the_grid_keeps_the_phase_of_the_detected_beats() {
    // Detected at 119 BPM with a little jitter, beats on 0.25 + 0.5 k: set 120 and the grid sits
    // on them.
    let mut a = detected();
    a.beats = (0..100)
        .map(|k| 0.25 + 0.5 * f64::from(k) + if k % 2 == 0 { 0.01 } else { -0.01 })
        .collect();
    let mut o = Overrides::default();
    o.set_bpm(120.0);
    let fixed = apply(&a, &o);
    assert!(close(fixed.beats[0], 0.25), "{:?}", &fixed.beats[..3]);
    assert!(close(fixed.beats[10], 5.25));
}

#[test]
fn taps_set_the_tempo_and_where_the_beats_fall() {
    // Taps at 90 BPM through 1.1 s, one of them a little late.
    let taps = [1.1, 1.7667, 2.48, 3.1, 3.7667];
    let tapped = tap_tempo(&taps).unwrap();
    assert!((tapped.bpm - 90.0).abs() < 0.5, "{tapped:?}");
    let mut o = Overrides::default();
    o.set_taps(&taps).unwrap();
    let a = apply(&detected(), &o);
    assert!(
        a.beats.iter().any(|b| (b - 1.1).abs() < 0.03),
        "{:?}",
        &a.beats[..4]
    );
    assert!((a.tempo_bpm - 90.0).abs() < 0.5);

    let error = tap_tempo(&[1.0, 1.5, 2.0]).unwrap_err().to_string();
    assert!(error.contains("at least 4"), "{error}");
    let error = tap_tempo(&[1.0, 1.0, 2.0, 3.0]).unwrap_err().to_string();
    assert!(error.contains("same time"), "{error}");
    let error = tap_tempo(&[1.0, 1.1, 1.2, 1.3]).unwrap_err().to_string();
    assert!(
        error.contains("600 BPM") && error.contains("300"),
        "{error}"
    );
}

#[test]
fn moving_the_first_downbeat_moves_every_bar() {
    let mut o = Overrides::default();
    o.set_downbeat(0.95, None).unwrap();
    let a = apply(&detected(), &o);
    // The beat at 0.9 s starts a bar; 0.3 s is a pickup; bars stay 4 beats long.
    assert!(close(a.downbeats[0], 0.9), "{:?}", &a.downbeats[..3]);
    assert!(a.downbeats.windows(2).all(|w| close(w[1] - w[0], 2.4)));
    // Later in the song, bars from the beat nearest the given time, backwards to the start too.
    o.set_downbeat(30.9, Some(3)).unwrap();
    let a = apply(&detected(), &o);
    assert_eq!(a.beats_per_bar, 3);
    assert!(a.downbeats.iter().any(|d| close(*d, 30.9)));
    assert!(close(a.downbeats[0], 0.3 + 0.6 * f64::from(51 % 3)));
    assert!(a.downbeats.windows(2).all(|w| close(w[1] - w[0], 1.8)));
    for s in &a.sections[1..] {
        assert!(a.downbeats.contains(&s.start_s), "{s:?}");
    }
    assert!(o.set_downbeat(1.0, Some(13)).is_err());
}

#[test]
fn an_added_boundary_lands_on_a_downbeat_and_splits_the_section() {
    let a = detected();
    let mut o = Overrides::default();
    // 30 s is nearest the bar at 29.1 s (the next is at 31.5 s).
    let landed = o.add_boundary(&a, 30.0).unwrap();
    assert!(close(landed, 29.1));
    let edited = apply(&a, &o);
    assert_eq!(edited.sections.len(), 4);
    assert!(close(edited.sections[2].start_s, 29.1));
    assert!(close(edited.sections[1].end_s, 29.1));
    assert_eq!(labels(&edited), ["intro", "verse", "verse", "chorus"]);
    // Both halves of the verse are as loud as each other; the chorus is still the loudest.
    assert!((edited.sections[1].energy - edited.sections[2].energy).abs() < 0.02);
    assert!(close(edited.sections[3].energy, 1.0));
    assert!(edited.sections[0].energy < edited.sections[1].energy);
    // A time nearest an existing start is refused, saying where that section starts.
    let error = o.add_boundary(&edited, 19.0).unwrap_err().to_string();
    assert!(error.contains("already starts at 19.50 s"), "{error}");
    let error = o.add_boundary(&edited, 0.2).unwrap_err().to_string();
    assert!(error.contains("already starts at 0.00 s"), "{error}");
}

#[test]
fn a_deleted_boundary_merges_two_sections() {
    let a = detected();
    let mut o = Overrides::default();
    o.delete_boundary(&a, 38.5).unwrap();
    let edited = apply(&a, &o);
    assert_eq!(starts(&edited), [0.0, 19.5]);
    assert_eq!(labels(&edited), ["intro", "verse"]);
    assert_eq!(edited.sections[1].end_s, 60.0);
    // The merged section is now the loudest; the intro is quieter than it.
    assert!(close(edited.sections[1].energy, 1.0));
    assert!(edited.sections[0].energy < 0.5);
    let error = o.delete_boundary(&edited, 30.0).unwrap_err().to_string();
    assert!(error.contains("19.50 s"), "{error}");
    assert!(
        o.delete_boundary(&edited, 0.0).is_err(),
        "the first section stays"
    );
}

#[test]
fn a_moved_boundary_takes_its_name_along() {
    let a = detected();
    let mut o = Overrides::default();
    o.label_section(&a, 45.0, "drop").unwrap();
    let edited = apply(&a, &o);
    let landed = o.move_boundary(&edited, 38.7, 34.0).unwrap();
    assert!(close(landed, 33.9));
    let moved = apply(&a, &o);
    assert_eq!(labels(&moved), ["intro", "verse", "drop"]);
    assert!(close(moved.sections[2].start_s, 33.9));
    assert!(close(moved.sections[1].end_s, 33.9));
    // Onto another section's start: refused.
    assert!(o.move_boundary(&moved, 33.9, 19.4).is_err());
    // The verse starting earlier is still the verse, and the intro shorter.
    o.move_boundary(&moved, 19.5, 10.0).unwrap();
    let moved = apply(&a, &o);
    assert_eq!(starts(&moved)[1], 9.9);
    assert_eq!(labels(&moved), ["intro", "verse", "drop"]);
}

#[test]
fn a_new_name_survives_analysing_the_song_again() {
    let a = detected();
    let mut o = Overrides::default();
    o.label_section(&a, 45.0, " hook ").unwrap();
    o.label_section(&a, 10.0, "cold open").unwrap();
    assert_eq!(labels(&apply(&a, &o)), ["cold open", "verse", "hook"]);
    // Renaming again replaces the name.
    o.label_section(&a, 40.0, "drop").unwrap();
    assert_eq!(o.labels.len(), 2);
    // A new analysis finds the beats 20 ms later: the names stay on their sections.
    let mut again = detected();
    for t in again
        .beats
        .iter_mut()
        .chain(again.downbeats.iter_mut())
        .chain(again.sections.iter_mut().skip(1).map(|s| &mut s.start_s))
    {
        *t += 0.02;
    }
    assert_eq!(labels(&apply(&again, &o)), ["cold open", "verse", "drop"]);
    assert!(o.label_section(&a, 10.0, "").is_err());
    assert!(o.label_section(&a, 10.0, &"x".repeat(41)).is_err());
}

#[test]
fn edits_kept_apply_the_same_to_a_new_analysis_and_to_their_own_result() {
    let a = detected();
    let mut o = Overrides::default();
    o.set_bpm(120.0);
    o.set_downbeat(1.0, Some(3)).unwrap();
    let current = apply(&a, &o);
    o.add_boundary(&current, 30.0).unwrap();
    let current = apply(&a, &o);
    o.label_section(&current, 50.0, "drop").unwrap();
    let once = apply(&a, &o);
    assert_eq!(apply(&detected(), &o.clone()), once);
    assert_eq!(apply(&once, &o), once);
    assert_eq!(once.sections.len(), 4);
    assert_eq!(once.sections.last().unwrap().label, "drop");
}

#[test]
fn out_of_range_values_are_refused_with_what_to_do() {
    let bad = |o: Overrides| o.validate(60.0).unwrap_err().to_string();
    let error = bad(Overrides {
        bpm: Some(500.0),
        ..Overrides::default()
    });
    assert!(
        error.contains("500 BPM") && error.contains("between 20 and 300"),
        "{error}"
    );
    let error = bad(Overrides {
        bpm: Some(f64::NAN),
        ..Overrides::default()
    });
    assert!(error.contains("between 20 and 300"), "{error}");
    let error = bad(Overrides {
        boundaries: Some(vec![10.0, 75.0]),
        ..Overrides::default()
    });
    assert!(error.contains("75 s is outside the song"), "{error}");
    let error = bad(Overrides {
        beats_per_bar: Some(1),
        ..Overrides::default()
    });
    assert!(error.contains("between 2 and 12"), "{error}");
    let mut o = Overrides::default();
    assert!(o.add_boundary(&detected(), -1.0).is_err());
    // Out-of-range values that got stored anyway are ignored, never a panic.
    let ignored = Overrides {
        bpm: Some(0.0),
        first_downbeat_s: Some(f64::INFINITY),
        boundaries: Some(vec![f64::NAN]),
        ..Overrides::default()
    };
    assert_eq!(apply(&detected(), &ignored).beats, detected().beats);
}
