//! Onset activation + tempo → beat times: Ellis's (2007) dynamic programme. Every frame's best
//! score is its own onset strength plus the best score one beat earlier, less a penalty that grows
//! with how far that gap strays from the local beat period; the beats are the best chain, traced
//! back from the end. Beats in the quiet before the music starts (or after it ends) are trimmed.

/// How strictly beats keep the period (librosa's "tightness").
const TIGHTNESS: f64 = 100.0;

/// Beat frames (fractional frames are not needed: 10 ms at 100 frames a second) for `activation`,
/// with the beat period at each frame from `period_at`.
pub fn track(activation: &[f32], period_at: impl Fn(usize) -> f64) -> Vec<usize> {
    let n = activation.len();
    if n == 0 {
        return Vec::new();
    }
    let local = local_score(activation, period_at(n / 2));
    let mut score = vec![0.0f64; n];
    let mut back: Vec<Option<usize>> = vec![None; n];
    for t in 0..n {
        let period = period_at(t).max(2.0);
        let earliest = t as f64 - 2.0 * period;
        let latest = t as f64 - period / 2.0;
        let mut best = f64::MIN;
        let mut from = None;
        if latest >= 0.0 {
            let first = earliest.max(0.0).round() as usize;
            let last = latest.round() as usize;
            for (p, previous) in score.iter().enumerate().take(last + 1).skip(first) {
                let gap = (t - p) as f64;
                let penalty = TIGHTNESS * (gap / period).ln().powi(2);
                let candidate = previous - penalty;
                if candidate > best {
                    best = candidate;
                    from = Some(p);
                }
            }
        }
        if from.is_some() && best > 0.0 {
            score[t] = local[t] + best;
            back[t] = from;
        } else {
            score[t] = local[t];
        }
    }
    // The last beat: the best score within the last beat period.
    let period = period_at(n - 1);
    let tail = n.saturating_sub(period.round() as usize + 1);
    let Some(mut t) = (tail..n).max_by(|a, b| score[*a].total_cmp(&score[*b])) else {
        return Vec::new();
    };
    let mut beats = vec![t];
    while let Some(previous) = back[t] {
        beats.push(previous);
        t = previous;
    }
    beats.reverse();
    trim(&beats, &local)
}

/// The activation, normalised and smoothed with a Gaussian a 32nd of a beat wide (librosa).
fn local_score(activation: &[f32], period: f64) -> Vec<f64> {
    let n = activation.len();
    let mean = activation.iter().map(|v| f64::from(*v)).sum::<f64>() / n as f64;
    let var = activation
        .iter()
        .map(|v| (f64::from(*v) - mean).powi(2))
        .sum::<f64>()
        / n as f64;
    let std = var.sqrt().max(1e-9);
    crate::tempo::smooth(activation, (period / 32.0).max(0.5))
        .into_iter()
        .map(|v| f64::from(v) / std)
        .collect()
}

/// Drops leading and trailing beats whose onset strength is under a seventh of the beats' RMS:
/// beats the period would put into silence, but not those of a quiet intro (librosa's half of the
/// RMS drops a whole quiet first section when the rest of the song is loud).
fn trim(beats: &[usize], local: &[f64]) -> Vec<usize> {
    if beats.is_empty() {
        return Vec::new();
    }
    let strength: Vec<f64> = beats.iter().map(|b| local[*b]).collect();
    let rms = (strength.iter().map(|s| s * s).sum::<f64>() / strength.len() as f64).sqrt();
    let threshold = rms / 7.0;
    let first = strength.iter().position(|s| *s >= threshold).unwrap_or(0);
    let last = strength
        .iter()
        .rposition(|s| *s >= threshold)
        .unwrap_or(beats.len() - 1);
    beats[first..=last].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beats_fall_on_the_pulses_and_not_in_the_silence_before_them() {
        let mut activation = vec![0.0f32; 2000];
        // Silence for 3 s, then a pulse every 50 frames (120 BPM at 100 fps).
        for t in (300..2000).step_by(50) {
            activation[t] = 1.0;
        }
        let beats = track(&activation, |_| 50.0);
        assert_eq!(beats.first(), Some(&300), "{beats:?}");
        assert!(beats.windows(2).all(|w| w[1] - w[0] == 50), "{beats:?}");
        assert_eq!(beats.len(), 34);
    }
}
