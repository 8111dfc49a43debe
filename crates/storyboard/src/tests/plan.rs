//! Planning: coverage, cuts on downbeats, pacing by energy, the model's clip lengths, the
//! user's minimum, songs with no beat.

use super::fixtures::{
    assert_cuts_on, assert_sound, five_and_ten, mean_length, planned, quiet_then_loud, song,
};
use crate::{Error, ModelLimits, PlanOptions, Storyboard, plan};

#[test]
fn a_quiet_then_loud_song_is_cut_on_downbeats_and_faster_when_loud() {
    let analysis = quiet_then_loud();
    let board = planned(&analysis, &five_and_ten());
    assert_sound(&board, 60.0);
    assert_cuts_on(&board, &analysis.downbeats);
    assert!(board.cuts().contains(&30.0), "the section change is cut");
    let (quiet, loud) = (mean_length(&board, 0), mean_length(&board, 1));
    assert!(loud < quiet, "loud shots {loud} s, quiet shots {quiet} s");
    // Verse every 2-4 bars, chorus every 1-2 (2 s bars).
    for s in &board.shots {
        let bars = s.length_s() / 2.0;
        let (lo, hi) = if s.section == 0 {
            (2.0, 4.0)
        } else {
            (1.0, 2.0)
        };
        assert!(
            bars >= lo && bars <= hi,
            "shot {} in the {} is {bars} bars",
            s.index,
            s.section_label
        );
        assert_eq!(s.section_label, ["verse", "chorus"][s.section]);
    }
}

#[test]
fn a_model_with_only_ten_second_clips_never_gets_a_longer_shot() {
    let analysis = song(
        95.0,
        70.0,
        4,
        0.4,
        &[(0.0, 40.0, "intro", 0.1), (40.0, 95.0, "outro", 0.2)],
    );
    let model = ModelLimits::with_seconds(&[10], 2500);
    let board = planned(&analysis, &model);
    assert_sound(&board, 95.0);
    assert!(board.shots.iter().all(|s| s.length_s() <= 10.0));
    assert!(board.shots.iter().all(|s| s.generate_s == 10));
    assert_cuts_on(&board, &analysis.downbeats);
}

#[test]
fn four_bar_sections_at_60_bpm_are_split_for_a_five_second_model() {
    // 4-second bars: a 16-second quiet section wants one shot, the model makes 5 s at most.
    let analysis = song(
        48.0,
        60.0,
        4,
        0.0,
        &[
            (0.0, 16.0, "intro", 0.2),
            (16.0, 32.0, "verse", 0.3),
            (32.0, 48.0, "outro", 0.2),
        ],
    );
    let model = ModelLimits::with_seconds(&[5], 2500);
    let board = planned(&analysis, &model);
    assert_sound(&board, 48.0);
    assert_cuts_on(&board, &analysis.downbeats);
    assert_eq!(
        board.shots.len(),
        12,
        "one shot per bar: {:?}",
        board.cuts()
    );
    assert!(board.shots.iter().all(|s| s.length_s() <= 5.0));
}

#[test]
fn bars_longer_than_the_longest_clip_are_cut_on_beats_or_evenly() {
    // 30 BPM: 8-second bars, 2-second beats; a 5-second model must cut inside bars.
    let analysis = song(32.0, 30.0, 4, 0.0, &[(0.0, 32.0, "verse", 0.3)]);
    let board = planned(&analysis, &ModelLimits::with_seconds(&[5], 2500));
    assert_sound(&board, 32.0);
    assert!(board.shots.iter().all(|s| s.length_s() <= 5.0));
    assert_cuts_on(&board, &analysis.beats);
    for bar in &analysis.downbeats[1..] {
        assert!(board.cuts().contains(bar), "bar start {bar} is still cut");
    }

    // Bars of one 8-second beat: nothing to cut on inside a bar, so even points.
    let analysis = song(32.0, 7.5, 1, 0.0, &[(0.0, 32.0, "verse", 0.3)]);
    let board = planned(&analysis, &ModelLimits::with_seconds(&[5], 2500));
    assert_sound(&board, 32.0);
    assert_eq!(board.shots.len(), 8);
    assert!(
        board
            .shots
            .iter()
            .all(|s| (s.length_s() - 4.0).abs() < 1e-9)
    );
}

#[test]
fn a_song_with_no_beat_is_cut_evenly() {
    let analysis = song(23.0, 0.0, 4, 0.0, &[]);
    let analysis = song::Analysis {
        beats: Vec::new(),
        downbeats: Vec::new(),
        ..analysis
    };
    let board = planned(&analysis, &five_and_ten());
    assert_sound(&board, 23.0);
    let first = board.shots[0].length_s();
    assert!(board.shots.len() > 1);
    assert!(
        board
            .shots
            .iter()
            .all(|s| (s.length_s() - first).abs() < 1e-9)
    );
    assert_eq!(board.sections.len(), 1, "one section stands for the song");
}

#[test]
fn the_users_minimum_is_kept_and_a_pickup_joins_the_first_shot() {
    // Loud throughout: 2-bar (4 s) shots unless the user says at least 7 s.
    let analysis = song(
        40.5,
        120.0,
        4,
        0.5,
        &[(0.0, 24.5, "A", 0.9), (24.5, 40.5, "B", 1.0)],
    );
    let options = PlanOptions {
        min_shot_s: Some(7.0),
        ..PlanOptions::default()
    };
    let board = plan(&analysis, &five_and_ten(), &options).unwrap_or_else(|e| panic!("{e}"));
    assert_sound(&board, 40.5);
    assert_cuts_on(&board, &analysis.downbeats);
    assert!(
        board.shots.iter().all(|s| s.length_s() >= 7.0 - 1e-9),
        "{:?}",
        board.cuts()
    );
    assert!(board.cuts().contains(&24.5), "the section change is cut");

    let board = planned(&analysis, &five_and_ten());
    assert!(
        board.shots.iter().all(|s| s.length_s() >= 1.5),
        "no half-second shot before the first downbeat: {:?}",
        board.cuts()
    );
}

#[test]
fn impossible_requests_are_refused_with_what_to_do() {
    let analysis = quiet_then_loud();
    let options = PlanOptions {
        min_shot_s: Some(12.0),
        ..PlanOptions::default()
    };
    let err = plan(&analysis, &five_and_ten(), &options).expect_err("12 s > 10 s");
    assert!(matches!(err, Error::MinLongerThanModel { .. }));
    assert!(err.to_string().contains("Lower the minimum"), "{err}");

    let silent = song::Analysis {
        duration_s: 0.0,
        ..quiet_then_loud()
    };
    let err = plan(&silent, &five_and_ten(), &PlanOptions::default()).expect_err("empty");
    assert!(matches!(err, Error::EmptySong { .. }), "{err}");
}

#[test]
fn the_storyboard_survives_json() {
    let board = planned(&quiet_then_loud(), &five_and_ten());
    let json = serde_json::to_string(&board).unwrap_or_else(|e| panic!("{e}"));
    let back: Storyboard = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, board);
    assert!(json.contains("\"generate_s\":"), "{json}");
}

#[test]
fn within_a_sections_range_shots_that_fill_their_clips_win() {
    // 123 BPM, mid energy (2-3 bars): 3 bars are 5.85 s and need a 10 s clip, 2 bars (3.9 s)
    // fit a 5 s one.
    let analysis = song(58.6, 123.0, 4, 0.0, &[(0.0, 58.6, "verse", 0.5)]);
    let board = planned(&analysis, &five_and_ten());
    assert_sound(&board, 58.6);
    assert!(
        board.shots.iter().all(|s| s.generate_s == 5),
        "{:?}",
        board.cuts()
    );
    let careless = PlanOptions {
        waste_per_s: 0.0,
        ..PlanOptions::default()
    };
    let dear = plan(&analysis, &five_and_ten(), &careless).unwrap_or_else(|e| panic!("{e}"));
    assert!(dear.seconds_generated() > board.seconds_generated());
    assert!(dear.shots.iter().filter(|s| s.generate_s == 10).count() > dear.shots.len() / 2);
}

#[test]
fn a_model_of_one_second_clips_is_planned_without_complaint() {
    // The 1.5 s floor gives way when the user set no minimum: 1-second shots on the beat.
    let analysis = song(6.0, 120.0, 4, 0.0, &[(0.0, 6.0, "verse", 0.5)]);
    let board = planned(&analysis, &ModelLimits::with_seconds(&[1], 2500));
    assert_sound(&board, 6.0);
    assert!(board.shots.iter().all(|s| s.length_s() <= 1.0));
    assert_cuts_on(&board, &analysis.beats);
    let strict = PlanOptions {
        min_shot_s: Some(1.5),
        ..PlanOptions::default()
    };
    assert!(matches!(
        plan(&analysis, &ModelLimits::with_seconds(&[1], 2500), &strict),
        Err(Error::MinLongerThanModel { .. })
    ));
}
