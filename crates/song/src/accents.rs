//! Beats → meter and bar phase from how the beats sound, for music whose downbeats the network
//! cannot tell apart (a click track with a higher, louder first click; a drum loop): each beat's
//! loudness, how unlike the typical beat its sound is and how much the sound changes across it,
//! z-scored; for 3 and 4 beats to the bar,
//! the phase whose beats stand out most starts the bars. 3/4 must stand out clearly more than 4/4
//! to win (most songs are in 4).

/// How much more the downbeats must stand out (in z-scores) before the accents are believed.
const MIN_CONTRAST: f64 = 1.0;
/// How much more clearly 3/4 must stand out than 4/4.
const THREE_OVER_FOUR: f64 = 1.15;

/// What is heard at one beat.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BeatSound {
    /// Loudness at the beat, dB.
    pub loudness_db: f64,
    /// The spectrum right at the beat.
    pub spectrum: Vec<f32>,
    /// How much the sound changes across the beat (0 = not at all): chords and bass notes
    /// change at bar lines.
    pub change: f64,
}

/// Bars found by ear.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meter {
    pub beats_per_bar: usize,
    /// Index of the first downbeat.
    pub first: usize,
    /// How far (in z-scores) the downbeats stand out from the other beats.
    pub contrast: f64,
}

/// The meter and bar phase when some beats clearly stand out, else None.
pub fn meter(sounds: &[BeatSound]) -> Option<Meter> {
    if sounds.len() < 8 {
        return None;
    }
    let typical = mean_spectrum(sounds);
    let distinct = zscores(
        sounds
            .iter()
            .map(|s| cosine_distance(&s.spectrum, &typical)),
    );
    let loud = zscores(sounds.iter().map(|s| s.loudness_db));
    let change = zscores(sounds.iter().map(|s| s.change));
    let strength: Vec<f64> = (0..sounds.len())
        .map(|i| distinct[i] + loud[i] + change[i])
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
                (phase, on / on_n.max(1) as f64 - off / off_n.max(1) as f64)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0))
    };
    let (phase4, contrast4) = best_phase(4);
    let (phase3, contrast3) = best_phase(3);
    let meter = |beats_per_bar, first, contrast| Meter {
        beats_per_bar,
        first,
        contrast,
    };
    if contrast3 > contrast4 * THREE_OVER_FOUR && contrast3 >= MIN_CONTRAST {
        Some(meter(3, phase3, contrast3))
    } else if contrast4 >= MIN_CONTRAST {
        Some(meter(4, phase4, contrast4))
    } else {
        None
    }
}

fn mean_spectrum(sounds: &[BeatSound]) -> Vec<f32> {
    let dims = sounds.first().map_or(0, |s| s.spectrum.len());
    let mut mean = vec![0.0f32; dims];
    for s in sounds {
        for (m, v) in mean.iter_mut().zip(&s.spectrum) {
            *m += v / sounds.len() as f32;
        }
    }
    mean
}

/// 1 − the cosine similarity of two spectra (0 when either is silent).
pub fn cosine_distance(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let (na, nb) = (norm(a), norm(b));
    if na < 1e-9 || nb < 1e-9 {
        return 0.0;
    }
    1.0 - dot / (na * nb)
}

fn zscores(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let v: Vec<f64> = values.collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    if std < 1e-9 {
        return vec![0.0; v.len()];
    }
    v.iter().map(|x| (x - mean) / std).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Beats where every `every`-th from `phase` is louder and brighter.
    fn accented(every: usize, phase: usize, beats: usize) -> Vec<BeatSound> {
        (0..beats)
            .map(|i| {
                let strong = i % every == phase;
                BeatSound {
                    loudness_db: if strong { -6.0 } else { -12.0 },
                    spectrum: if strong {
                        vec![0.1, 0.2, 1.0]
                    } else {
                        vec![0.1, 1.0, 0.2]
                    },
                    change: if strong { 0.3 } else { 0.1 },
                }
            })
            .collect()
    }

    #[test]
    fn the_accented_beat_of_three_or_four_starts_the_bar() {
        let found = |m: Option<Meter>| m.map(|m| (m.beats_per_bar, m.first));
        assert_eq!(found(meter(&accented(4, 1, 64))), Some((4, 1)));
        assert_eq!(found(meter(&accented(3, 2, 63))), Some((3, 2)));
    }

    #[test]
    fn beats_that_all_sound_alike_say_nothing() {
        assert_eq!(meter(&accented(1, 0, 64)), None);
    }
}
