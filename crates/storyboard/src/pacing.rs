//! Where to cut inside one stretch of the song: a shortest-path search over the downbeats (and,
//! only where bars are too long for the model, beats and then even points), scoring each shot by
//! how far its length in bars is from the pacing its section's energy asks for and how much of
//! its clip the render would throw away, and heavily penalising a shot that runs across a section change or is shorter than the minimum.

use song::Section;

use crate::board::PlanOptions;
use crate::limits::{ModelLimits, TIME_EPS};

/// A shot shorter than the minimum: allowed only when nothing else fits.
const UNDER_MIN: f64 = 1000.0;
/// A shot that runs across a section change.
const CROSSES_SECTION: f64 = 100.0;
/// Each bar outside the section's range.
const OUT_OF_RANGE: f64 = 10.0;
/// Each squared bar away from the preferred length.
const OFF_PREFERRED: f64 = 0.5;
/// A cut on a beat that is not a bar start, and one at an even point between beats.
const OFF_DOWNBEAT: f64 = 5.0;
const OFF_BEAT: f64 = 20.0;

/// The song's grid as the planner sees it.
#[derive(Debug)]
pub(crate) struct Grid<'a> {
    pub downbeats: &'a [f64],
    pub beats: &'a [f64],
    pub sections: &'a [Section],
    /// Section changes, moved onto the nearest downbeat.
    pub boundaries: Vec<f64>,
    /// Bar length where the downbeats cannot say (seconds).
    pub fallback_bar_s: f64,
    pub min_s: f64,
    pub max_s: f64,
    pub model: &'a ModelLimits,
    pub options: &'a PlanOptions,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Downbeat,
    Beat,
    Even,
}

impl Grid<'_> {
    /// Bars from the first downbeat to `t`, fractional, following tempo changes.
    fn bar_pos(&self, t: f64) -> f64 {
        let d = self.downbeats;
        match d.len() {
            0 => t / self.fallback_bar_s,
            1 => (t - d[0]) / self.fallback_bar_s,
            n => {
                let k = d.partition_point(|&x| x <= t).clamp(1, n - 1);
                let (a, b) = (d[k - 1], d[k]);
                (k - 1) as f64 + (t - a) / (b - a)
            }
        }
    }

    /// The section overlapping `[a, b]` the most.
    pub fn section_of(&self, a: f64, b: f64) -> usize {
        section_of(self.sections, a, b)
    }

    /// The interior cut times for the stretch `[a, b]`.
    pub fn cuts(&self, a: f64, b: f64) -> Vec<f64> {
        if b - a <= TIME_EPS {
            return Vec::new();
        }
        if self.downbeats.is_empty() {
            return self.even_cuts(a, b);
        }
        let points = self.candidates(a, b);
        let m = points.len() - 1;
        let mut best = vec![f64::INFINITY; m + 1];
        let mut from = vec![0usize; m + 1];
        best[0] = 0.0;
        for j in 1..=m {
            let cut_cost = match points[j].1 {
                _ if j == m => 0.0,
                Kind::Downbeat => 0.0,
                Kind::Beat => OFF_DOWNBEAT,
                Kind::Even => OFF_BEAT,
            };
            for i in (0..j).rev() {
                if points[j].0 - points[i].0 > self.max_s + TIME_EPS {
                    break;
                }
                let cost = best[i] + self.shot_cost(points[i].0, points[j].0) + cut_cost;
                if cost < best[j] {
                    best[j] = cost;
                    from[j] = i;
                }
            }
        }
        let mut cuts = Vec::new();
        let mut j = from[m];
        while j > 0 {
            cuts.push(points[j].0);
            j = from[j];
        }
        cuts.reverse();
        cuts
    }

    /// `a`, the downbeats inside, `b`; where two are further apart than the model's longest
    /// clip, the beats between them, and then even points.
    fn candidates(&self, a: f64, b: f64) -> Vec<(f64, Kind)> {
        let mut points = vec![(a, Kind::Downbeat)];
        points.extend(
            self.downbeats
                .iter()
                .filter(|&&d| d > a + TIME_EPS && d < b - TIME_EPS)
                .map(|&d| (d, Kind::Downbeat)),
        );
        points.push((b, Kind::Downbeat));
        let mut out = vec![points[0]];
        for pair in points.windows(2) {
            let (p, q) = (pair[0].0, pair[1].0);
            if q - p > self.max_s + TIME_EPS {
                let mut inner = vec![p];
                inner.extend(
                    self.beats
                        .iter()
                        .filter(|&&t| t > p + TIME_EPS && t < q - TIME_EPS),
                );
                inner.push(q);
                for w in inner.windows(2) {
                    let gap = w[1] - w[0];
                    if gap > self.max_s + TIME_EPS {
                        let n = (gap / self.max_s - TIME_EPS).ceil().max(1.0);
                        for k in 1..n as usize {
                            out.push((w[0] + gap * k as f64 / n, Kind::Even));
                        }
                    }
                    if w[1] < q - TIME_EPS {
                        out.push((w[1], Kind::Beat));
                    }
                }
            }
            out.push(pair[1]);
        }
        out
    }

    fn shot_cost(&self, a: f64, b: f64) -> f64 {
        let mut cost = 0.0;
        if b - a < self.min_s - TIME_EPS {
            cost += UNDER_MIN;
        }
        let crossed = self
            .boundaries
            .iter()
            .filter(|&&t| t > a + TIME_EPS && t < b - TIME_EPS)
            .count();
        cost += CROSSES_SECTION * crossed as f64;
        let energy = self
            .sections
            .get(self.section_of(a, b))
            .map_or(0.5, |s| s.energy);
        let range = self.options.bars_for(energy);
        if let Some(clip) = self.model.duration_for(b - a) {
            cost += self.options.waste_per_s * (f64::from(clip.seconds) - (b - a)).max(0.0);
        }
        let bars = self.bar_pos(b) - self.bar_pos(a);
        let (lo, hi) = (f64::from(range.min), f64::from(range.max));
        if bars < lo - 0.05 {
            cost += OUT_OF_RANGE * (lo - bars);
        } else if bars > hi + 0.05 {
            cost += OUT_OF_RANGE * (bars - hi);
        }
        cost + OFF_PREFERRED * (bars - f64::from(range.preferred)).powi(2)
    }

    /// Even cuts for a song with no bars: shots near `beatless_shot_s`, within the limits.
    fn even_cuts(&self, a: f64, b: f64) -> Vec<f64> {
        let length = b - a;
        let target = self.options.beatless_shot_s.clamp(self.min_s, self.max_s);
        let mut n = (length / target).round().max(1.0);
        n = n.max((length / self.max_s - TIME_EPS).ceil());
        (1..n as usize).map(|k| a + length * k as f64 / n).collect()
    }
}

/// The section overlapping `[a, b]` the most (the first on a tie; 0 when there are none).
pub(crate) fn section_of(sections: &[Section], a: f64, b: f64) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, s) in sections.iter().enumerate() {
        let overlap = b.min(s.end_s) - a.max(s.start_s);
        if overlap > best.1 + TIME_EPS {
            best = (i, overlap);
        }
    }
    best.0
}
