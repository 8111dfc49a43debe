//! The edits a user makes, each turned into overrides: a tempo set or tapped, the first downbeat
//! and meter, a section boundary added, moved or deleted, a section renamed. Section edits work on
//! the analysis as the user sees it (overrides applied) and keep the snapped times.

use super::{
    BEATS_PER_BAR_RANGE, BPM_RANGE, Overrides, SectionLabel, bad, check_label, check_time,
    fitted_phase, section_starting_near, snap,
};
use crate::{Analysis, Error};

/// The fewest taps a tempo is taken from.
pub const MIN_TAPS: usize = 4;

/// A tempo tapped by the user.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TapTempo {
    pub bpm: f64,
    /// A beat time the taps fit best (near the first tap).
    pub anchor_s: f64,
}

/// The tempo of taps on the beat (times in seconds, at least [`MIN_TAPS`]): the median interval,
/// so one early or missed tap does not count.
pub fn tap_tempo(times: &[f64]) -> Result<TapTempo, Error> {
    if times.len() < MIN_TAPS {
        return Err(bad(
            format!("{} taps are too few to find the tempo.", times.len()),
            "Tap at least 4 beats in a row.",
        ));
    }
    if let Some(t) = times.iter().find(|t| !t.is_finite() || **t < 0.0) {
        return Err(bad(
            format!("A tap at {t} s cannot be used."),
            "Give each tap's time in seconds from the song's start.",
        ));
    }
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut intervals: Vec<f64> = sorted.windows(2).map(|w| w[1] - w[0]).collect();
    if intervals.iter().any(|i| *i <= 0.0) {
        return Err(bad(
            "Two taps are at the same time.".into(),
            "Give each tap's time once.",
        ));
    }
    intervals.sort_by(f64::total_cmp);
    let n = intervals.len();
    let median = if n % 2 == 1 {
        intervals[n / 2]
    } else {
        0.5 * (intervals[n / 2 - 1] + intervals[n / 2])
    };
    let bpm = 60.0 / median;
    if !BPM_RANGE.contains(&bpm) {
        return Err(bad(
            format!("Taps {median:.3} s apart make {bpm:.0} BPM."),
            "Tap once per beat: the tempo must be between 20 and 300 BPM.",
        ));
    }
    let phase = fitted_phase(&sorted, median);
    let anchor_s = phase + ((sorted[0] - phase) / median).round() * median;
    Ok(TapTempo {
        bpm,
        anchor_s: anchor_s.max(0.0),
    })
}

impl Overrides {
    /// An even grid at `bpm`, its phase fitted to the detected beats.
    pub fn set_bpm(&mut self, bpm: f64) {
        self.bpm = Some(bpm);
        self.beat_anchor_s = None;
    }

    /// An even grid through the taps (see [`tap_tempo`]).
    pub fn set_taps(&mut self, times: &[f64]) -> Result<TapTempo, Error> {
        let tapped = tap_tempo(times)?;
        self.bpm = Some(tapped.bpm);
        self.beat_anchor_s = Some(tapped.anchor_s);
        Ok(tapped)
    }

    /// Bars start on the beat nearest `at_s`, and have `beats_per_bar` beats when given.
    pub fn set_downbeat(&mut self, at_s: f64, beats_per_bar: Option<usize>) -> Result<(), Error> {
        if let Some(n) = beats_per_bar
            && !BEATS_PER_BAR_RANGE.contains(&n)
        {
            return Err(bad(
                format!("A bar of {n} beats cannot be used."),
                "Give between 2 and 12 beats per bar.",
            ));
        }
        self.first_downbeat_s = Some(at_s);
        if beats_per_bar.is_some() {
            self.beats_per_bar = beats_per_bar;
        }
        Ok(())
    }

    /// A new section from the downbeat nearest `at_s`; returns where it starts.
    pub fn add_boundary(&mut self, current: &Analysis, at_s: f64) -> Result<f64, Error> {
        check_time("A section boundary", at_s, current.duration_s)?;
        let landed = self.free_start(current, at_s, None)?;
        let mut starts = starts(current);
        starts.push(landed);
        starts.sort_by(f64::total_cmp);
        self.boundaries = Some(starts);
        Ok(landed)
    }

    /// The section starting near `from_s` starts at the downbeat nearest `to_s` instead (its name
    /// goes with it); returns where it starts now.
    pub fn move_boundary(
        &mut self,
        current: &Analysis,
        from_s: f64,
        to_s: f64,
    ) -> Result<f64, Error> {
        check_time("A section boundary", to_s, current.duration_s)?;
        let i = boundary_near(current, from_s)?;
        let landed = self.free_start(current, to_s, Some(i))?;
        let old = current.sections[i].start_s;
        let mut starts = starts(current);
        starts.retain(|s| *s != old);
        starts.push(landed);
        starts.sort_by(f64::total_cmp);
        self.boundaries = Some(starts);
        // The name goes along, kept as a label of its own.
        self.labels
            .retain(|l| section_starting_near(current, l.start_s) != Some(i));
        self.labels.push(SectionLabel {
            start_s: landed,
            label: current.sections[i].label.clone(),
        });
        Ok(landed)
    }

    /// The section starting near `at_s` joins the one before it (and loses its name); returns the
    /// start removed.
    pub fn delete_boundary(&mut self, current: &Analysis, at_s: f64) -> Result<f64, Error> {
        let i = boundary_near(current, at_s)?;
        let old = current.sections[i].start_s;
        let mut starts = starts(current);
        starts.retain(|s| *s != old);
        self.boundaries = Some(starts);
        self.labels
            .retain(|l| section_starting_near(current, l.start_s) != Some(i));
        Ok(old)
    }

    /// Names the section playing at `at_s`; returns its start.
    pub fn label_section(
        &mut self,
        current: &Analysis,
        at_s: f64,
        label: &str,
    ) -> Result<f64, Error> {
        check_time("The section to name", at_s, current.duration_s)?;
        check_label(label)?;
        let i = current
            .sections
            .iter()
            .rposition(|s| s.start_s <= at_s)
            .unwrap_or(0);
        let start_s = current.sections.get(i).map_or(0.0, |s| s.start_s);
        self.labels
            .retain(|l| section_starting_near(current, l.start_s) != Some(i));
        self.labels.push(SectionLabel {
            start_s,
            label: label.trim().to_string(),
        });
        Ok(start_s)
    }

    /// Where a boundary at `at_s` lands, if no other section (than `moving`) starts there.
    fn free_start(
        &self,
        current: &Analysis,
        at_s: f64,
        moving: Option<usize>,
    ) -> Result<f64, Error> {
        let landed = snap(current, at_s);
        let first_bar = snap(current, 0.0);
        let taken = current
            .sections
            .iter()
            .enumerate()
            .any(|(i, s)| Some(i) != moving && (s.start_s - landed).abs() < 1e-6);
        if taken || landed <= first_bar.max(0.0) {
            let start = if landed <= first_bar { 0.0 } else { landed };
            return Err(bad(
                format!(
                    "A section already starts at {start:.2} s ({at_s} s is nearest the bar \
                     starting at {landed:.2} s)."
                ),
                "Pick a time inside a section, a bar or more from its start.",
            ));
        }
        Ok(landed)
    }
}

/// The section starts after the first.
fn starts(current: &Analysis) -> Vec<f64> {
    current.sections.iter().skip(1).map(|s| s.start_s).collect()
}

/// The index of the section (not the first) starting near `at_s`.
fn boundary_near(current: &Analysis, at_s: f64) -> Result<usize, Error> {
    match section_starting_near(current, at_s) {
        Some(i) if i > 0 => Ok(i),
        _ => {
            let list: Vec<String> = starts(current)
                .iter()
                .map(|s| format!("{s:.2} s"))
                .collect();
            Err(bad(
                format!(
                    "No section boundary is near {at_s} s (the sections after the first start at {}).",
                    if list.is_empty() {
                        "nothing: there is one section".to_string()
                    } else {
                        list.join(", ")
                    }
                ),
                "Give the time a section starts, as the analysis shows it.",
            ))
        }
    }
}
