//! The user's edits: each snaps to the beat, keeps the song covered, refuses what the model
//! cannot make, and survives a new plan.

use super::fixtures::{assert_cuts_on, assert_sound, five_and_ten, planned, quiet_then_loud};
use crate::{Error, ModelLimits, PlanOptions, replan};

#[test]
fn split_snaps_to_the_nearest_beat_inside_the_shot() {
    let board = planned(&quiet_then_loud(), &five_and_ten());
    let first = board.shots[0].clone();
    assert_eq!((first.start_s, first.end_s), (0.0, 8.0));
    let board = board
        .set_prompt(0, "A gondola at dawn")
        .unwrap_or_else(|e| panic!("{e}"));
    let split = board.split(0, 3.2).unwrap_or_else(|e| panic!("{e}"));
    assert_sound(&split, 60.0);
    assert_eq!(split.shots.len(), board.shots.len() + 1);
    assert_eq!(split.shots[0].end_s, 3.0, "beats every 0.5 s: 3.2 -> 3.0");
    assert!(split.shots[0].edited && split.shots[1].edited);
    assert_eq!(split.shots[1].prompt, "A gondola at dawn");
    assert_eq!(
        split.shots[1].generate_s, 5,
        "5 s shot now needs a 5 s clip"
    );
    assert_eq!(
        board.shots.len(),
        split.shots.len() - 1,
        "the old one is untouched"
    );

    // A 3 s shot splits only in its middle: both halves keep the 1.5 s floor.
    let halves = split.split(0, 1.0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(halves.shots[0].end_s, 1.5);
    let err = halves
        .split(0, 0.7)
        .expect_err("1.5 s shot, 1.5 s floor each side");
    assert!(matches!(err, Error::NoBeatToSplit { .. }), "{err}");
    let err = split.split(0, 5.0).expect_err("5 s is not in shot 0");
    assert!(matches!(err, Error::OutsideShot { .. }), "{err}");
}

#[test]
fn merge_refuses_a_shot_longer_than_the_model_makes() {
    let board = planned(&quiet_then_loud(), &five_and_ten());
    // The chorus: 4-second shots; two make 8 s.
    let i = board
        .shots
        .iter()
        .position(|s| s.start_s == 30.0)
        .unwrap_or_else(|| panic!("a shot starts the chorus"));
    let merged = board.merge(i).unwrap_or_else(|e| panic!("{e}"));
    assert_sound(&merged, 60.0);
    assert_eq!(merged.shots[i].length_s(), 8.0);
    assert_eq!(merged.shots[i].generate_s, 10);
    assert!(merged.shots[i].edited);

    let err = merged.merge(i).expect_err("8 s + 4 s > 10 s");
    assert!(matches!(err, Error::ShotTooLong { .. }), "{err}");
    assert!(err.to_string().contains("at most 10 s"), "{err}");
    let last = board.shots.len() - 1;
    assert!(matches!(board.merge(last), Err(Error::NoSuchShot { .. })));
}

#[test]
fn a_cut_moves_to_a_beat_between_its_neighbours() {
    let board = planned(&quiet_then_loud(), &five_and_ten());
    // Cut 0 at 8 s between shots 0-8 and 8-16.
    assert_eq!(board.cuts()[0], 8.0);
    let moved = board.move_cut(0, 9.74).unwrap_or_else(|e| panic!("{e}"));
    assert_sound(&moved, 60.0);
    assert_eq!(moved.cuts()[0], 9.5);
    assert!(moved.shots[0].edited && moved.shots[1].edited);
    assert_eq!(moved.shots[0].generate_s, 10);

    let err = board.move_cut(0, 17.0).expect_err("past the next cut");
    assert!(matches!(err, Error::CutOutOfRange { .. }), "{err}");
    let err = board.move_cut(0, 11.0).expect_err("shot 0 would be 11 s");
    assert!(matches!(err, Error::ShotTooLong { .. }), "{err}");
    let cuts = board.cuts().len();
    assert!(matches!(
        board.move_cut(cuts, 59.0),
        Err(Error::NoSuchCut { .. })
    ));
}

#[test]
fn a_prompt_over_the_models_limit_or_empty_is_refused() {
    let board = planned(&quiet_then_loud(), &ModelLimits::with_seconds(&[5, 10], 20));
    let err = board
        .set_prompt(1, "a prompt that is far too long")
        .expect_err("29 > 20");
    assert_eq!(
        err,
        Error::PromptTooLong {
            shot: 1,
            got: 29,
            limit: 20
        }
    );
    assert!(matches!(
        board.set_prompt(1, "  "),
        Err(Error::EmptyPrompt { shot: 1 })
    ));
    let ok = board
        .set_prompt(1, " neon rain ")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.shots[1].prompt, "neon rain");
    assert!(ok.shots[1].edited && !ok.shots[0].edited);
}

#[test]
fn replanning_keeps_the_users_edits_and_plans_the_rest_anew() {
    let analysis = quiet_then_loud();
    let board = planned(&analysis, &five_and_ten())
        .split(1, 11.0)
        .and_then(|b| b.set_prompt(6, "Dancers under neon"))
        .and_then(|b| b.set_prompt(3, "Empty street"))
        .unwrap_or_else(|e| panic!("{e}"));
    let edited: Vec<_> = board.shots.iter().filter(|s| s.edited).cloned().collect();
    assert_eq!(edited.len(), 4);
    board
        .shots
        .iter()
        .filter(|s| !s.edited)
        .for_each(|s| assert!(s.prompt.is_empty()));

    // Another model and pacing: everything else changes, the edits stay.
    let model = ModelLimits::with_seconds(&[4, 6, 8], 2500);
    let options = PlanOptions {
        min_shot_s: Some(2.0),
        ..PlanOptions::default()
    };
    let again = replan(&board, &analysis, &model, &options).unwrap_or_else(|e| panic!("{e}"));
    assert_sound(&again, 60.0);
    for e in &edited {
        let kept = again
            .shots
            .iter()
            .find(|s| s.start_s == e.start_s && s.end_s == e.end_s)
            .unwrap_or_else(|| panic!("edited shot {}-{} kept", e.start_s, e.end_s));
        assert_eq!(kept.prompt, e.prompt);
        assert!(kept.edited);
    }
    let mut allowed = analysis.downbeats.clone();
    allowed.extend(edited.iter().flat_map(|e| [e.start_s, e.end_s]));
    assert_cuts_on(&again, &allowed);
    assert!(again.shots.iter().all(|s| s.length_s() <= 8.0));

    // A model whose clips are too short for an edited shot says which one.
    let short = ModelLimits::with_seconds(&[2], 2500);
    let err = replan(&board, &analysis, &short, &PlanOptions::default()).expect_err("8 s shot");
    assert!(matches!(err, Error::ShotTooLong { .. }), "{err}");
}

#[test]
fn replanning_with_nothing_changed_keeps_written_prompts() {
    let analysis = quiet_then_loud();
    let board = planned(&analysis, &five_and_ten());
    let written = crate::fallback_prompts(&board, "Venice at night", "", "");
    let again = replan(
        &written,
        &analysis,
        &five_and_ten(),
        &PlanOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, written);
}
