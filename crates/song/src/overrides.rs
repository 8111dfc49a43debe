//! What the user knows better than the analysis: the tempo (set or tapped), the beat grid's phase,
//! the meter and first downbeat, where sections start and what they are called. Kept apart from
//! the analysis and applied after it ([`apply`], no decoding), so analysing the song again keeps
//! them: times are matched to the new beats and downbeats, never to indices.

mod edit;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::sections::{relative_energy, span_rms};
use crate::waveform::mean_rms;
use crate::{Analysis, Error, Section};

pub use edit::{TapTempo, tap_tempo};

/// The tempos a user may set, in BPM.
pub const BPM_RANGE: std::ops::RangeInclusive<f64> = 20.0..=300.0;
/// The meters a user may set, in beats per bar.
pub const BEATS_PER_BAR_RANGE: std::ops::RangeInclusive<usize> = 2..=12;
/// The longest section name.
pub const MAX_LABEL_CHARS: usize = 40;

/// The user's corrections of one song's analysis. Every field is optional; an empty value changes
/// nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Overrides {
    /// An even beat grid at this tempo replaces the detected beats (and the tempo curve).
    pub bpm: Option<f64>,
    /// A time the grid passes through (from tapping); without it the grid's phase is fitted to
    /// the detected beats.
    pub beat_anchor_s: Option<f64>,
    /// The meter.
    pub beats_per_bar: Option<usize>,
    /// Bars start on the beat nearest this time (and every bar before and after it).
    pub first_downbeat_s: Option<f64>,
    /// Where sections start (after the first, which starts at 0), replacing the detected
    /// boundaries; each is snapped to the nearest downbeat.
    pub boundaries: Option<Vec<f64>>,
    /// Section names, each given to the section starting nearest its time (within ¾ of a bar).
    pub labels: Vec<SectionLabel>,
}

/// A section's name, keyed by where the section starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionLabel {
    pub start_s: f64,
    pub label: String,
}

impl Overrides {
    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks every value against a song `duration_s` long.
    pub fn validate(&self, duration_s: f64) -> Result<(), Error> {
        if let Some(bpm) = self.bpm
            && !(bpm.is_finite() && BPM_RANGE.contains(&bpm))
        {
            return Err(bad(
                format!("A tempo of {bpm} BPM cannot be used."),
                "Give a tempo between 20 and 300 BPM.",
            ));
        }
        if let Some(n) = self.beats_per_bar
            && !BEATS_PER_BAR_RANGE.contains(&n)
        {
            return Err(bad(
                format!("A bar of {n} beats cannot be used."),
                "Give between 2 and 12 beats per bar.",
            ));
        }
        let times = [
            ("The beat anchor", self.beat_anchor_s),
            ("The first downbeat", self.first_downbeat_s),
        ]
        .into_iter()
        .filter_map(|(what, t)| t.map(|t| (what, t)))
        .chain(
            self.boundaries
                .iter()
                .flatten()
                .map(|t| ("A section boundary", *t)),
        )
        .chain(self.labels.iter().map(|l| ("A section label", l.start_s)));
        for (what, t) in times {
            check_time(what, t, duration_s)?;
        }
        for l in &self.labels {
            check_label(&l.label)?;
        }
        Ok(())
    }
}

/// The analysis with the overrides applied. Overrides that are out of range (see
/// [`Overrides::validate`]) are skipped; with none, the analysis comes back unchanged.
pub fn apply(analysis: &Analysis, overrides: &Overrides) -> Analysis {
    let mut out = analysis.clone();
    let in_song = |t: &f64| t.is_finite() && (0.0..=analysis.duration_s).contains(t);
    let bpm = overrides
        .bpm
        .filter(|b| b.is_finite() && BPM_RANGE.contains(b));
    let meter = overrides
        .beats_per_bar
        .filter(|n| BEATS_PER_BAR_RANGE.contains(n));
    let first_downbeat = overrides.first_downbeat_s.filter(in_song);
    if let Some(bpm) = bpm {
        out.beats = grid(
            &analysis.beats,
            analysis.duration_s,
            bpm,
            overrides.beat_anchor_s.filter(in_song),
        );
        out.tempo_bpm = bpm;
        out.tempo_curve.clear();
        // The user's tempo (typed or tapped) is the beat; nothing left to doubt.
        out.beat_confidence = 1.0;
    }
    if let Some(n) = meter {
        out.beats_per_bar = n;
    }
    let grid_changed = bpm.is_some() || meter.is_some() || first_downbeat.is_some();
    if grid_changed {
        let target = first_downbeat.or(analysis.downbeats.first().copied());
        out.downbeats = bars(&out.beats, out.beats_per_bar, target);
    }
    if grid_changed || overrides.boundaries.is_some() {
        let starts: Vec<f64> = match &overrides.boundaries {
            Some(starts) => starts.iter().copied().filter(in_song).collect(),
            None => analysis
                .sections
                .iter()
                .skip(1)
                .map(|s| s.start_s)
                .collect(),
        };
        out.sections = rebuild(&out, &starts, &analysis.sections);
    }
    for l in &overrides.labels {
        if let Some(i) = section_starting_near(&out, l.start_s)
            && check_label(&l.label).is_ok()
        {
            out.sections[i].label = l.label.trim().to_string();
        }
    }
    out
}

fn bad(problem: String, fix: &str) -> Error {
    Error::Override {
        problem,
        fix: fix.to_string(),
    }
}

fn check_time(what: &str, t: f64, duration_s: f64) -> Result<(), Error> {
    if t.is_finite() && (0.0..=duration_s).contains(&t) {
        return Ok(());
    }
    Err(bad(
        format!("{what} at {t} s is outside the song, which lasts {duration_s:.2} s."),
        "Give a time in seconds within the song.",
    ))
}

fn check_label(label: &str) -> Result<(), Error> {
    let label = label.trim();
    if label.is_empty()
        || label.chars().count() > MAX_LABEL_CHARS
        || label.contains(char::is_control)
    {
        return Err(bad(
            format!("{label:?} cannot be a section's name."),
            "Name it in 1 to 40 characters on one line, e.g. chorus.",
        ));
    }
    Ok(())
}

/// An even grid at `bpm` from the first detected beat (or `anchor`, if earlier) to the song's
/// end, passing through `anchor`, else in the phase that best fits the detected beats.
fn grid(detected: &[f64], duration_s: f64, bpm: f64, anchor: Option<f64>) -> Vec<f64> {
    let period = 60.0 / bpm;
    // To a tenth of a millisecond, so a grid fitted to itself is the same grid.
    let phase = anchor.unwrap_or_else(|| (fitted_phase(detected, period) * 1e4).round() / 1e4);
    let from = match (detected.first(), anchor) {
        (Some(first), Some(a)) => first.min(a),
        (Some(first), None) => *first,
        (None, _) => phase,
    };
    // The grid's beat nearest `from`, then on to the end (times from the phase, so no drift).
    let mut k = ((from - phase) / period).round();
    if phase + k * period < 0.0 {
        k += 1.0;
    }
    let mut beats = Vec::new();
    loop {
        let t = phase + k * period;
        if t >= duration_s {
            return beats;
        }
        beats.push((t * 1e6).round() / 1e6);
        k += 1.0;
    }
}

/// The grid phase (in `0..period`) closest to the detected beats: their circular mean.
fn fitted_phase(detected: &[f64], period: f64) -> f64 {
    let tau = std::f64::consts::TAU;
    let (sin, cos) = detected.iter().fold((0.0, 0.0), |(s, c), t| {
        let angle = tau * t / period;
        (s + angle.sin(), c + angle.cos())
    });
    if sin.abs() + cos.abs() < 1e-9 {
        return 0.0;
    }
    (sin.atan2(cos) / tau * period).rem_euclid(period)
}

/// Every `beats_per_bar`-th beat, through the beat nearest `target` (the first beat without it).
fn bars(beats: &[f64], beats_per_bar: usize, target: Option<f64>) -> Vec<f64> {
    let first = target.and_then(|t| nearest(beats, t)).unwrap_or(0);
    beats
        .iter()
        .skip(first % beats_per_bar.max(1))
        .step_by(beats_per_bar.max(1))
        .copied()
        .collect()
}

/// The index of the time in `times` nearest `t`.
fn nearest(times: &[f64], t: f64) -> Option<usize> {
    (0..times.len()).min_by(|a, b| (times[*a] - t).abs().total_cmp(&(times[*b] - t).abs()))
}

/// Where a section boundary at `t` lands: the nearest downbeat (the nearest beat when there are
/// no bars, `t` itself when there are no beats).
pub(crate) fn snap(analysis: &Analysis, t: f64) -> f64 {
    let points = snap_points(analysis);
    nearest(points, t).map_or(t, |i| points[i])
}

fn snap_points(analysis: &Analysis) -> &[f64] {
    if analysis.downbeats.is_empty() {
        &analysis.beats
    } else {
        &analysis.downbeats
    }
}

/// One bar's length in seconds (2 s when the tempo is unknown): how near a time must be to a
/// section's start to name it.
pub(crate) fn bar_s(analysis: &Analysis) -> f64 {
    if analysis.tempo_bpm > 0.0 {
        60.0 / analysis.tempo_bpm * analysis.beats_per_bar as f64
    } else {
        2.0
    }
}

/// The section whose start is nearest `t`, if within three quarters of a bar of it (a boundary
/// found a beat or two away by a new analysis is still the same one; the next, a bar or more
/// away, is not).
pub(crate) fn section_starting_near(analysis: &Analysis, t: f64) -> Option<usize> {
    let starts: Vec<f64> = analysis.sections.iter().map(|s| s.start_s).collect();
    nearest(&starts, t).filter(|i| (starts[*i] - t).abs() <= bar_s(analysis) * 0.75)
}

/// Sections starting at 0 and at each of `starts` snapped to a downbeat, each named after a
/// `previous` section (see [`label_for`]), with its energy from the loudness envelope (as the
/// analysis measures it: the mean of its bars' RMS, relative to the loudest section).
fn rebuild(analysis: &Analysis, starts: &[f64], previous: &[Section]) -> Vec<Section> {
    let points = snap_points(analysis);
    let duration = analysis.duration_s;
    // Sections as spans of bars (bar k runs from points[k] to the next), or of time without beats.
    let (times, rms): (Vec<(f64, f64)>, Vec<f64>) = if points.is_empty() {
        let mut cuts: Vec<f64> = starts
            .iter()
            .copied()
            .filter(|t| *t > 0.0 && *t < duration)
            .collect();
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let edges: Vec<f64> = std::iter::once(0.0)
            .chain(cuts)
            .chain(std::iter::once(duration))
            .collect();
        let times: Vec<(f64, f64)> = edges.windows(2).map(|w| (w[0], w[1])).collect();
        let rms = times
            .iter()
            .map(|(a, b)| mean_rms(&analysis.loudness_db, *a, *b))
            .collect();
        (times, rms)
    } else {
        let mut cuts: Vec<usize> = starts
            .iter()
            .filter_map(|t| nearest(points, *t))
            .filter(|i| *i > 0)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let edges: Vec<usize> = std::iter::once(0)
            .chain(cuts)
            .chain(std::iter::once(points.len()))
            .collect();
        let spans: Vec<(usize, usize)> = edges.windows(2).map(|w| (w[0], w[1])).collect();
        // Measured as the analysis measures bars: from one downbeat to the next.
        let bar_rms: Vec<f64> = (0..points.len())
            .map(|k| {
                let end = points.get(k + 1).copied().unwrap_or(duration);
                mean_rms(&analysis.loudness_db, points[k], end)
            })
            .collect();
        let times = spans
            .iter()
            .map(|&(a, b)| {
                let start = if a == 0 { 0.0 } else { points[a] };
                (start, points.get(b).copied().unwrap_or(duration))
            })
            .collect();
        (times, span_rms(&bar_rms, &spans))
    };
    let energy = relative_energy(&rms);
    times
        .iter()
        .zip(energy)
        .map(|(&(start_s, end_s), energy)| Section {
            start_s,
            end_s,
            label: label_for(previous, start_s, bar_s(analysis)),
            energy,
        })
        .collect()
}

/// The name of the `previous` section starting within ¾ of a `bar_s` of `start` (the same section,
/// found again), else of the one playing at `start` (a section split in two names both halves).
fn label_for(previous: &[Section], start: f64, bar_s: f64) -> String {
    let starts: Vec<f64> = previous.iter().map(|s| s.start_s).collect();
    nearest(&starts, start)
        .filter(|i| (starts[*i] - start).abs() <= bar_s * 0.75)
        .or_else(|| previous.iter().rposition(|s| s.start_s <= start))
        .map_or_else(|| "A".to_string(), |i| previous[i].label.clone())
}
