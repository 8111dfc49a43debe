//! Beats → tempo: the song's tempo from the typical beat interval, and a tempo curve (the median
//! over a sliding window) when the local tempo strays from it.

/// Window and step of the tempo curve.
const WINDOW_S: f64 = 12.0;
const STEP_S: f64 = 2.0;
/// A tempo curve is reported when the local tempo strays more than this from the song's.
const CHANGE: f64 = 0.04;

/// The tempo of a stretch of beats: 60 / the mean of the intervals near the median one (the
/// median finds the beat; the mean of its neighbours undoes the 20 ms frame grid). None with
/// fewer than two beats.
pub fn bpm(beats: &[f64]) -> Option<f64> {
    let mut intervals: Vec<f64> = beats
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .collect();
    if intervals.is_empty() {
        return None;
    }
    intervals.sort_by(f64::total_cmp);
    let mid = intervals.len() / 2;
    let median = if intervals.len().is_multiple_of(2) {
        (intervals[mid - 1] + intervals[mid]) / 2.0
    } else {
        intervals[mid]
    };
    let near: Vec<f64> = intervals
        .iter()
        .copied()
        .filter(|d| (d - median).abs() <= 0.1 * median)
        .collect();
    Some(60.0 * near.len() as f64 / near.iter().sum::<f64>())
}

/// (time, BPM) every STEP_S over the song when the tempo changes along it; empty when it is
/// steady (every window within CHANGE of `global`).
pub fn curve(beats: &[f64], global: f64) -> Vec<(f64, f64)> {
    let (Some(first), Some(last)) = (beats.first(), beats.last()) else {
        return Vec::new();
    };
    let mut points = Vec::new();
    let mut centre = first + WINDOW_S / 2.0;
    loop {
        let lo = beats.partition_point(|b| *b < centre - WINDOW_S / 2.0);
        let hi = beats.partition_point(|b| *b <= centre + WINDOW_S / 2.0);
        if let Some(local) = bpm(&beats[lo..hi]) {
            points.push((centre.min(*last), local));
        }
        if centre + WINDOW_S / 2.0 >= *last {
            break;
        }
        centre += STEP_S;
    }
    let changes = points
        .iter()
        .any(|(_, local)| (local - global).abs() / global > CHANGE);
    if changes { points } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(from: f64, bpm: f64, count: usize) -> Vec<f64> {
        (0..count).map(|k| from + k as f64 * 60.0 / bpm).collect()
    }

    #[test]
    fn the_tempo_is_the_typical_beat_interval_finer_than_the_frames() {
        let mut beats = grid(0.3, 128.0, 64);
        beats.remove(20); // one missed beat does not move it
        let tempo = bpm(&beats).unwrap_or_default();
        assert!((tempo - 128.0).abs() < 0.01, "{tempo}");
        assert_eq!(bpm(&[1.0]), None);
        // 110 BPM on a 20 ms grid: intervals of 0.54 and 0.56 s, neither 110 BPM.
        let on_frames: Vec<f64> = grid(0.0, 110.0, 100)
            .iter()
            .map(|t| (t * 50.0).round() / 50.0)
            .collect();
        let tempo = bpm(&on_frames).unwrap_or_default();
        assert!((tempo - 110.0).abs() < 0.2, "{tempo}");
    }

    #[test]
    fn a_steady_song_has_no_curve_and_a_tempo_change_has_one() {
        let steady = grid(0.0, 100.0, 100);
        assert!(curve(&steady, 100.0).is_empty());
        let mut change = grid(0.0, 100.0, 50);
        let end = *change.last().unwrap_or(&0.0);
        change.extend(grid(end + 60.0 / 130.0, 130.0, 65));
        let points = curve(&change, 115.0);
        let first = points.first().map_or(0.0, |p| p.1);
        let last = points.last().map_or(0.0, |p| p.1);
        assert!(
            (first - 100.0).abs() < 1.0 && (last - 130.0).abs() < 1.0,
            "{points:?}"
        );
    }
}
