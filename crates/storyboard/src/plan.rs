//! Planning: the song from 0 to its end cut into shots on downbeats, paced by each section's
//! energy and fitted to the model's clip lengths; and re-planning around the user's edits.

use song::{Analysis, Section};

use crate::board::{PlanOptions, Shot, Storyboard};
use crate::error::Error;
use crate::limits::{ModelLimits, TIME_EPS};
use crate::pacing::{Grid, section_of};

/// Plans the whole song: shots from 0 to `analysis.duration_s`, every cut on a downbeat (or,
/// with no downbeats, evenly spaced), loud sections cut every 1–2 bars, mid ones every 2–3 and
/// quiet ones every 2–4 (see [`PlanOptions`]), every section change cut, no shot longer than
/// the model's longest clip nor shorter than `options.min_s(model)` (unless the song is). Prompts
/// are left empty.
pub fn plan(
    analysis: &Analysis,
    model: &ModelLimits,
    options: &PlanOptions,
) -> Result<Storyboard, Error> {
    replan_around(analysis, model, options, Vec::new())
}

/// Plans again (new analysis, model or options) keeping the user's edits: shots marked
/// `edited` keep their exact times and prompts (if they still fit in the song); the rest is
/// planned anew around them. A new shot with the same times as an old one keeps its prompt.
pub fn replan(
    old: &Storyboard,
    analysis: &Analysis,
    model: &ModelLimits,
    options: &PlanOptions,
) -> Result<Storyboard, Error> {
    let mut kept: Vec<Shot> = Vec::new();
    for shot in old.shots.iter().filter(|s| s.edited) {
        let fits = shot.start_s >= -TIME_EPS
            && shot.end_s <= analysis.duration_s + TIME_EPS
            && kept
                .last()
                .is_none_or(|k| k.end_s <= shot.start_s + TIME_EPS);
        if !fits {
            continue;
        }
        if shot.length_s() > model.longest_s() + TIME_EPS {
            return Err(Error::ShotTooLong {
                shot: shot.index,
                length_s: shot.length_s(),
                max_s: model.longest_s(),
            });
        }
        kept.push(shot.clone());
    }
    let mut board = replan_around(analysis, model, options, kept)?;
    for shot in board.shots.iter_mut().filter(|s| !s.edited) {
        if let Some(same) = old.shots.iter().find(|o| {
            (o.start_s - shot.start_s).abs() < 1e-3 && (o.end_s - shot.end_s).abs() < 1e-3
        }) {
            shot.prompt = same.prompt.clone();
        }
    }
    Ok(board)
}

fn check(analysis: &Analysis, model: &ModelLimits, options: &PlanOptions) -> Result<(), Error> {
    if !(analysis.duration_s.is_finite() && analysis.duration_s > 0.0) {
        return Err(Error::EmptySong {
            duration_s: analysis.duration_s,
        });
    }
    let positive = |what, v: f64| {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(Error::BadOption {
                what,
                why: format!("{v} is not a positive number of seconds"),
            })
        }
    };
    positive("floor_s", options.floor_s)?;
    positive("beatless_shot_s", options.beatless_shot_s)?;
    if !(options.waste_per_s.is_finite() && options.waste_per_s >= 0.0) {
        return Err(Error::BadOption {
            what: "waste_per_s",
            why: format!("{} is not zero or more", options.waste_per_s),
        });
    }
    if let Some(m) = options.min_shot_s {
        positive("min_shot_s", m)?;
    }
    for (what, r) in [
        ("high_bars", options.high_bars),
        ("mid_bars", options.mid_bars),
        ("quiet_bars", options.quiet_bars),
    ] {
        if !(r.min >= 1 && r.min <= r.preferred && r.preferred <= r.max) {
            return Err(Error::BadOption {
                what,
                why: format!(
                    "it needs 1 <= min <= preferred <= max, got {}, {}, {}",
                    r.min, r.preferred, r.max
                ),
            });
        }
    }
    if options.min_s(model) > model.longest_s() + TIME_EPS {
        return Err(Error::MinLongerThanModel {
            min_s: options.min_s(model),
            max_s: model.longest_s(),
        });
    }
    Ok(())
}

/// The analysis's sections, or one "song" section when it has none.
fn sections_of(analysis: &Analysis) -> Vec<Section> {
    if analysis.sections.is_empty() {
        vec![Section {
            start_s: 0.0,
            end_s: analysis.duration_s,
            label: "song".into(),
            energy: 0.5,
        }]
    } else {
        analysis.sections.clone()
    }
}

fn sorted_inside(times: &[f64], duration_s: f64) -> Vec<f64> {
    let mut v: Vec<f64> = times
        .iter()
        .copied()
        .filter(|t| t.is_finite() && *t >= 0.0 && *t <= duration_s)
        .collect();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() < TIME_EPS);
    v
}

/// Plans the song around `kept` shots (in order, not overlapping), which stay as they are.
fn replan_around(
    analysis: &Analysis,
    model: &ModelLimits,
    options: &PlanOptions,
    kept: Vec<Shot>,
) -> Result<Storyboard, Error> {
    check(analysis, model, options)?;
    let duration = analysis.duration_s;
    let downbeats = sorted_inside(&analysis.downbeats, duration);
    let beats = sorted_inside(&analysis.beats, duration);
    let sections = sections_of(analysis);
    let nearest_downbeat = |t: f64| {
        downbeats
            .iter()
            .copied()
            .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))
            .unwrap_or(t)
    };
    let fallback_bar_s = if analysis.tempo_bpm > 0.0 && analysis.beats_per_bar > 0 {
        analysis.beats_per_bar as f64 * 60.0 / analysis.tempo_bpm
    } else {
        2.0
    };
    let grid = Grid {
        downbeats: &downbeats,
        beats: &beats,
        sections: &sections,
        boundaries: sections
            .iter()
            .skip(1)
            .map(|s| nearest_downbeat(s.start_s))
            .collect(),
        fallback_bar_s,
        min_s: options.min_s(model),
        max_s: model.longest_s(),
        model,
        options,
    };
    let mut times: Vec<(f64, f64, Option<Shot>)> = Vec::new();
    let mut at = 0.0;
    for shot in kept {
        push_planned(&grid, at, shot.start_s, &mut times);
        at = shot.end_s;
        times.push((shot.start_s, shot.end_s, Some(shot)));
    }
    push_planned(&grid, at, duration, &mut times);
    let shots = times
        .into_iter()
        .enumerate()
        .map(|(index, (start_s, end_s, old))| {
            let mut shot = make_shot(index, start_s, end_s, &sections, model);
            if let Some(old) = old {
                shot.prompt = old.prompt;
                shot.edited = true;
            }
            shot
        })
        .collect();
    Ok(Storyboard {
        shots,
        song_duration_s: duration,
        sections,
        beats,
        limits: model.clone(),
        options: options.clone(),
    })
}

fn push_planned(grid: &Grid<'_>, a: f64, b: f64, out: &mut Vec<(f64, f64, Option<Shot>)>) {
    if b - a <= TIME_EPS {
        return;
    }
    let mut start = a;
    for cut in grid.cuts(a, b) {
        out.push((start, cut, None));
        start = cut;
    }
    out.push((start, b, None));
}

/// A shot over `[start_s, end_s]` with its section and clip length, no prompt, not edited.
pub(crate) fn make_shot(
    index: usize,
    start_s: f64,
    end_s: f64,
    sections: &[Section],
    model: &ModelLimits,
) -> Shot {
    let section = section_of(sections, start_s, end_s);
    let (label, energy) = sections
        .get(section)
        .map_or(("song".to_owned(), 0.5), |s| (s.label.clone(), s.energy));
    let clip = model
        .duration_for(end_s - start_s)
        .or(model.durations.last())
        .cloned()
        .unwrap_or_else(|| crate::limits::GenDuration {
            seconds: crate::limits::FIXED_DURATION_S,
            value: String::new(),
        });
    Shot {
        index,
        start_s,
        end_s,
        section,
        section_label: label,
        energy,
        generate_s: clip.seconds,
        duration: clip.value,
        prompt: String::new(),
        edited: false,
    }
}
