//! Beats → downbeats and meter: each beat gets three accents (the kick/bass onset on it, the whole
//! onset on it, and how much the spectrum changes across it, as chords change at bar lines), each
//! z-scored; for 3 and 4 beats to the bar, the phase whose beats stand out most is the bar start.
//! 3/4 must stand out clearly more than 4/4 to win (most songs are in 4).

use serde::Serialize;

/// The meter and where bars start.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Meter {
    pub beats_per_bar: usize,
    /// Index (into the beats) of the first downbeat.
    pub first_downbeat: usize,
    /// How clearly (z-score difference) the downbeats stand out.
    pub contrast: f64,
}

/// What is known about each beat.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BeatAccent {
    pub low_onset: f64,
    pub onset: f64,
    /// How much the sound changes across the beat (a new chord or bass note).
    pub spectral_change: f64,
    /// How unlike the sound at the other beats the sound at this beat is (another drum, a
    /// higher click).
    pub distinctness: f64,
}

/// Picks the meter (3 or 4) and the phase of the bars.
pub fn meter(accents: &[BeatAccent]) -> Meter {
    let fallback = Meter {
        beats_per_bar: 4,
        first_downbeat: 0,
        contrast: 0.0,
    };
    if accents.len() < 8 {
        return fallback;
    }
    let low = zscores(accents.iter().map(|a| a.low_onset));
    let all = zscores(accents.iter().map(|a| a.onset));
    let change = zscores(accents.iter().map(|a| a.spectral_change));
    let distinct = zscores(accents.iter().map(|a| a.distinctness));
    let strength: Vec<f64> = (0..accents.len())
        .map(|i| low[i] + 0.5 * all[i] + change[i] + distinct[i])
        .collect();
    let best_phase = |m: usize| -> (usize, f64) {
        (0..m)
            .map(|phase| {
                let (mut on, mut on_n, mut off, mut off_n) = (0.0, 0, 0.0, 0);
                for (i, s) in strength.iter().enumerate() {
                    if i % m == phase {
                        on += s;
                        on_n += 1;
                    } else {
                        off += s;
                        off_n += 1;
                    }
                }
                let contrast = on / on_n.max(1) as f64 - off / off_n.max(1) as f64;
                (phase, contrast)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0))
    };
    let (phase4, contrast4) = best_phase(4);
    let (phase3, contrast3) = best_phase(3);
    if contrast3 > contrast4 * 1.15 && contrast3 > 0.0 {
        Meter {
            beats_per_bar: 3,
            first_downbeat: phase3,
            contrast: contrast3,
        }
    } else {
        Meter {
            beats_per_bar: 4,
            first_downbeat: phase4,
            contrast: contrast4,
        }
    }
}

fn zscores(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let v: Vec<f64> = values.collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    if std < 1e-12 {
        return vec![0.0; v.len()];
    }
    v.iter().map(|x| (x - mean) / std).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accented(every: usize, phase: usize, beats: usize) -> Vec<BeatAccent> {
        (0..beats)
            .map(|i| {
                let strong = i % every == phase;
                BeatAccent {
                    low_onset: if strong { 3.0 } else { 1.0 },
                    onset: if strong { 2.0 } else { 1.0 },
                    spectral_change: 0.1,
                    distinctness: 0.0,
                }
            })
            .collect()
    }

    #[test]
    fn the_accented_beat_of_three_or_four_starts_the_bar() {
        let m = meter(&accented(4, 1, 64));
        assert_eq!((m.beats_per_bar, m.first_downbeat), (4, 1));
        let m = meter(&accented(3, 2, 63));
        assert_eq!((m.beats_per_bar, m.first_downbeat), (3, 2));
    }
}
