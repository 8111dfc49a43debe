//! Onset activation → tempo: the autocorrelation of the activation, summed over the first four
//! multiples of each candidate period (a beat period also repeats at 2, 3 and 4 beats) and weighted
//! by a log-Gaussian prior around 120 BPM (Ellis 2007), so half- and double-tempo readings lose to
//! the period the whole pattern agrees on. Also a tempo curve, from the same estimate over
//! overlapping windows, for songs whose tempo changes.

use serde::Serialize;

/// The slowest and fastest tempi considered.
pub const MIN_BPM: f64 = 40.0;
pub const MAX_BPM: f64 = 220.0;
/// The prior: centred here, one octave wide.
const PRIOR_BPM: f64 = 120.0;
const PRIOR_OCTAVES: f64 = 1.0;
/// A reading is doubled (see [`estimate`]) only up to this tempo.
const FASTEST_DOUBLING_BPM: f64 = 200.0;

/// A tempo: beats per minute and the beat period in frames.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tempo {
    pub bpm: f64,
    /// Frames per beat (fractional).
    pub period: f64,
    /// How clearly the pattern repeats at this period (0-1).
    pub confidence: f64,
}

/// The tempo of the whole activation, or `None` when nothing repeats (silence).
pub fn estimate(activation: &[f32], fps: f64) -> Option<Tempo> {
    let min_lag = (fps * 60.0 / MAX_BPM).floor().max(2.0) as usize;
    let max_lag = (fps * 60.0 / MIN_BPM).ceil() as usize;
    // Smoothed a little, so a period between two whole frames still shows as one broad peak.
    let acf = autocorrelation(&smooth(activation, 1.5), max_lag * 4 + 2);
    if acf.first().is_none_or(|e| *e <= 0.0) {
        return None;
    }
    let energy = acf[0];
    let score = |lag: usize| -> f64 {
        let harmonics: f64 = (1..=4)
            .map(|k| acf.get(k * lag).copied().unwrap_or(0.0) / k as f64)
            .sum();
        let bpm = fps * 60.0 / lag as f64;
        let octaves = (bpm / PRIOR_BPM).log2() / PRIOR_OCTAVES;
        harmonics * (-0.5 * octaves * octaves).exp()
    };
    let scores: Vec<f64> = (min_lag..=max_lag).map(score).collect();
    let (best_index, best) = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, s)| (i, *s))?;
    if best <= 0.0 {
        return None;
    }
    // Sub-frame period: a parabola through the peak and its neighbours, on the plain
    // autocorrelation (the harmonic sum blurs it).
    let mut lag = min_lag + best_index;
    // The prior leans to 120 BPM; when the pattern pulses as strongly at half this period (every
    // beat of a fast song, not only every other), the faster reading is the beat.
    let half = lag / 2;
    let fast_bpm = fps * 60.0 / (lag as f64 / 2.0);
    if half >= min_lag
        && fast_bpm <= FASTEST_DOUBLING_BPM
        && acf[half].max(acf[half + 1]) >= 0.8 * acf[lag]
    {
        lag = if acf[half + 1] > acf[half] {
            half + 1
        } else {
            half
        };
    }
    let period = refine(&acf, lag);
    Some(Tempo {
        bpm: fps * 60.0 / period,
        period,
        confidence: (acf[lag] / energy).clamp(0.0, 1.0),
    })
}

/// The local tempo every `hop_s` seconds from `window_s`-second windows, as (time of the window's
/// centre in seconds, tempo). Windows where nothing repeats take their neighbours' tempo.
pub fn curve(activation: &[f32], fps: f64, window_s: f64, hop_s: f64) -> Vec<(f64, Tempo)> {
    let window = (window_s * fps) as usize;
    let hop = ((hop_s * fps) as usize).max(1);
    if activation.len() <= window {
        return estimate(activation, fps)
            .map(|t| vec![(activation.len() as f64 / fps / 2.0, t)])
            .unwrap_or_default();
    }
    let mut points = Vec::new();
    let mut start = 0;
    while start + window <= activation.len() {
        if let Some(tempo) = estimate(&activation[start..start + window], fps) {
            points.push(((start + window / 2) as f64 / fps, tempo));
        }
        start += hop;
    }
    points
}

/// A Gaussian blur of `sigma` frames (also the beat tracker's local score).
pub(crate) fn smooth(values: &[f32], sigma: f64) -> Vec<f32> {
    let radius = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f64> = (-radius..=radius)
        .map(|i| (-0.5 * (i as f64 / sigma).powi(2)).exp())
        .collect();
    let n = values.len() as isize;
    (0..n)
        .map(|t| {
            kernel
                .iter()
                .enumerate()
                .filter_map(|(k, w)| {
                    let i = t + k as isize - radius;
                    (0..n)
                        .contains(&i)
                        .then(|| w * f64::from(values[i as usize]))
                })
                .sum::<f64>() as f32
        })
        .collect()
}

/// `acf[lag]` = Σ a[i]·a[i+lag] over the activation with its mean taken away, for lag < `lags`.
fn autocorrelation(activation: &[f32], lags: usize) -> Vec<f64> {
    let n = activation.len();
    if n == 0 {
        return Vec::new();
    }
    let mean = activation.iter().map(|v| f64::from(*v)).sum::<f64>() / n as f64;
    let centred: Vec<f64> = activation.iter().map(|v| f64::from(*v) - mean).collect();
    (0..lags.min(n))
        .map(|lag| {
            centred[..n - lag]
                .iter()
                .zip(&centred[lag..])
                .map(|(a, b)| a * b)
                .sum::<f64>()
                / (n - lag) as f64
        })
        .collect()
}

/// The peak of a parabola through acf[lag-1], acf[lag], acf[lag+1].
fn refine(acf: &[f64], lag: usize) -> f64 {
    let (Some(a), Some(b), Some(c)) =
        (acf.get(lag.wrapping_sub(1)), acf.get(lag), acf.get(lag + 1))
    else {
        return lag as f64;
    };
    let denominator = a - 2.0 * b + c;
    if denominator.abs() < 1e-12 {
        return lag as f64;
    }
    let shift = (0.5 * (a - c) / denominator).clamp(-0.5, 0.5);
    lag as f64 + shift
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Impulses every `period` frames.
    fn pulses(period: f64, frames: usize) -> Vec<f32> {
        let mut v = vec![0.0; frames];
        let mut t = 0.0;
        while (t as usize) < frames {
            v[t as usize] = 1.0;
            t += period;
        }
        v
    }

    #[test]
    fn pulses_read_back_their_tempo() {
        for bpm in [60.0, 87.0, 120.0, 145.0, 180.0] {
            let fps = 100.0;
            let tempo = estimate(&pulses(fps * 60.0 / bpm, 3000), fps).unwrap();
            assert!((tempo.bpm - bpm).abs() / bpm < 0.01, "{bpm}: {}", tempo.bpm);
        }
    }

    #[test]
    fn silence_has_no_tempo() {
        assert_eq!(estimate(&[0.0; 1000], 100.0), None);
    }
}
