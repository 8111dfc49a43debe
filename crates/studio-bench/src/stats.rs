//! Small statistics over request logs and latencies: the busiest sliding window, percentiles.

use std::time::{Duration, Instant};

use serde::Serialize;

/// The most timestamps that fall in any window `[t, t + width)`, and where that window starts
/// (seconds after `origin`).
pub fn peak_in_window(times: &[Instant], width: Duration, origin: Instant) -> (usize, f64) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let mut best = (0, 0.0);
    let mut end = 0;
    for (start, t) in sorted.iter().enumerate() {
        while end < sorted.len() && sorted[end].duration_since(*t) < width {
            end += 1;
        }
        if end - start > best.0 {
            best = (
                end - start,
                t.saturating_duration_since(origin).as_secs_f64(),
            );
        }
    }
    best
}

/// The tightest span covering `n` consecutive timestamps (in ms), and where it starts and ends
/// (seconds after `origin`). Below 60 000 ms for `n = limit + 1` means more than `limit` arrived
/// within some 60 s.
pub fn tightest_span(times: &[Instant], n: usize, origin: Instant) -> Option<(f64, f64, f64)> {
    let mut sorted = times.to_vec();
    sorted.sort();
    (n >= 1 && sorted.len() >= n)
        .then(|| {
            sorted
                .windows(n)
                .map(|w| (w[n - 1].duration_since(w[0]), w[0], w[n - 1]))
                .min_by_key(|(d, _, _)| *d)
        })
        .flatten()
        .map(|(d, a, b)| {
            let at = |t: Instant| t.saturating_duration_since(origin).as_secs_f64();
            (d.as_secs_f64() * 1000.0, at(a), at(b))
        })
}

/// How many timestamps fall in each whole minute after `origin` (for a rate-over-time line).
pub fn per_minute(times: &[Instant], origin: Instant) -> Vec<usize> {
    let mut counts: Vec<usize> = Vec::new();
    for t in times {
        let minute = (t.saturating_duration_since(origin).as_secs() / 60) as usize;
        if counts.len() <= minute {
            counts.resize(minute + 1, 0);
        }
        counts[minute] += 1;
    }
    counts
}

/// min / median / p95 / max of a set of durations, in milliseconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Spread {
    pub count: usize,
    pub min_ms: f64,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

impl Spread {
    pub fn of(durations: &[Duration]) -> Spread {
        let mut ms: Vec<f64> = durations.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        // Nearest rank.
        let rank = |p: f64| -> f64 {
            if ms.is_empty() {
                return 0.0;
            }
            let i = ((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1;
            ms[i]
        };
        Spread {
            count: ms.len(),
            min_ms: ms.first().copied().unwrap_or(0.0),
            median_ms: rank(0.5),
            p95_ms: rank(0.95),
            max_ms: ms.last().copied().unwrap_or(0.0),
        }
    }

    pub fn line(&self) -> String {
        format!(
            "min {:.1} / median {:.1} / p95 {:.1} / max {:.1} ms (n={})",
            self.min_ms, self.median_ms, self.p95_ms, self.max_ms, self.count
        )
    }
}

/// `a / b`, or 0 when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}
