//! Bars → sections: each bar's average spectrum and loudness, a self-similarity novelty curve
//! (Foote 2000: a checkerboard kernel along the diagonal) whose peaks are boundaries, kept at
//! least four bars apart; sections that sound alike share a letter (A, B, C…), and a role (intro,
//! verse, chorus, bridge, outro) where the shape of the song makes it clear.

use serde::{Deserialize, Serialize};

/// Half the checkerboard kernel, in bars.
const KERNEL_BARS: usize = 4;
/// The shortest section, in bars.
const MIN_BARS: usize = 4;

/// One section of the song.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub start_s: f64,
    pub end_s: f64,
    /// intro, verse, chorus, bridge, outro, or A/B/C by repetition.
    pub label: String,
    /// Loudness relative to the loudest section (0-1).
    pub energy: f64,
}

/// One bar's description.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub start_s: f64,
    pub end_s: f64,
    /// Average log-band spectrum.
    pub spectrum: Vec<f32>,
    /// RMS loudness (linear).
    pub rms: f64,
}

/// Splits the bars into sections and labels them.
pub fn sections(bars: &[Bar], song_end_s: f64) -> Vec<Section> {
    if bars.is_empty() {
        return Vec::new();
    }
    let features: Vec<Vec<f64>> = bars.iter().map(feature).collect();
    let novelty = novelty(&features);
    let mut boundaries = vec![0usize];
    let mean = novelty.iter().sum::<f64>() / novelty.len().max(1) as f64;
    let std = (novelty.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
        / novelty.len().max(1) as f64)
        .sqrt();
    let threshold = mean + std;
    let mut peaks: Vec<(usize, f64)> = (1..novelty.len().saturating_sub(1))
        .filter(|&i| novelty[i] >= novelty[i - 1] && novelty[i] > novelty[i + 1])
        .filter(|&i| novelty[i] > threshold)
        .map(|i| (i, novelty[i]))
        .collect();
    // Strongest first, each at least MIN_BARS from those kept.
    peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut kept: Vec<usize> = Vec::new();
    for (i, _) in peaks {
        if i >= MIN_BARS
            && bars.len() - i >= MIN_BARS
            && kept.iter().all(|k| k.abs_diff(i) >= MIN_BARS)
        {
            kept.push(i);
        }
    }
    kept.sort_unstable();
    boundaries.extend(kept);

    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (k, start) in boundaries.iter().enumerate() {
        let end = boundaries.get(k + 1).copied().unwrap_or(bars.len());
        spans.push((*start, end));
    }
    let bar_rms: Vec<f64> = bars.iter().map(|bar| bar.rms).collect();
    let rms = span_rms(&bar_rms, &spans);
    let energy = relative_energy(&rms);
    let means: Vec<Vec<f64>> = spans
        .iter()
        .map(|(a, b)| average(&features[*a..*b]))
        .collect();
    let letters = letters(&means);
    let roles = roles(&letters, &rms);
    spans
        .iter()
        .enumerate()
        .map(|(k, (a, b))| Section {
            start_s: if k == 0 { 0.0 } else { bars[*a].start_s },
            end_s: if *b == bars.len() {
                song_end_s
            } else {
                bars[*b].start_s
            },
            label: roles[k].clone(),
            energy: energy[k],
        })
        .collect()
}

/// Each span of bars' loudness: the mean of its bars' RMS (`spans` are `start..end` bar indices).
pub(crate) fn span_rms(bar_rms: &[f64], spans: &[(usize, usize)]) -> Vec<f64> {
    spans
        .iter()
        .map(|&(a, b)| bar_rms[a..b].iter().sum::<f64>() / (b - a).max(1) as f64)
        .collect()
}

/// Sections' energy: each loudness relative to the loudest (0-1).
pub(crate) fn relative_energy(rms: &[f64]) -> Vec<f64> {
    let loudest = rms.iter().copied().fold(0.0, f64::max).max(1e-12);
    rms.iter().map(|r| r / loudest).collect()
}

/// A bar as a vector: its spectrum (unit length) and its loudness in dB, scaled to count.
fn feature(bar: &Bar) -> Vec<f64> {
    let norm = bar
        .spectrum
        .iter()
        .map(|v| f64::from(*v).powi(2))
        .sum::<f64>()
        .sqrt()
        .max(1e-9);
    let mut v: Vec<f64> = bar.spectrum.iter().map(|x| f64::from(*x) / norm).collect();
    let db = 20.0 * bar.rms.max(1e-6).log10();
    v.push(db / 20.0);
    v
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    if na < 1e-12 || nb < 1e-12 {
        return 0.0;
    }
    dot / (na * nb)
}

/// Foote novelty: for each bar, how different the KERNEL_BARS before it are from the KERNEL_BARS
/// from it on, less how different each side is within itself.
fn novelty(features: &[Vec<f64>]) -> Vec<f64> {
    let n = features.len();
    let distance = |a: usize, b: usize| 1.0 - cosine(&features[a], &features[b]);
    (0..n)
        .map(|i| {
            let before: Vec<usize> = (i.saturating_sub(KERNEL_BARS)..i).collect();
            let after: Vec<usize> = (i..(i + KERNEL_BARS).min(n)).collect();
            if before.is_empty() || after.is_empty() {
                return 0.0;
            }
            let mean = |pairs: Vec<(usize, usize)>| {
                let k = pairs.len().max(1) as f64;
                pairs.into_iter().map(|(a, b)| distance(a, b)).sum::<f64>() / k
            };
            let across = mean(
                before
                    .iter()
                    .flat_map(|a| after.iter().map(move |b| (*a, *b)))
                    .collect(),
            );
            let within = |side: &[usize]| {
                mean(
                    side.iter()
                        .flat_map(|a| side.iter().filter(move |b| *b > a).map(move |b| (*a, *b)))
                        .collect(),
                )
            };
            across - 0.5 * (within(&before) + within(&after))
        })
        .collect()
}

fn average(features: &[Vec<f64>]) -> Vec<f64> {
    let dims = features.first().map_or(0, Vec::len);
    let mut mean = vec![0.0; dims];
    for f in features {
        for (m, v) in mean.iter_mut().zip(f) {
            *m += v;
        }
    }
    for m in &mut mean {
        *m /= features.len().max(1) as f64;
    }
    mean
}

/// Sections that sound alike (cosine ≥ 0.995 of their average features) share a letter.
fn letters(means: &[Vec<f64>]) -> Vec<usize> {
    let mut letters: Vec<usize> = Vec::new();
    let mut firsts: Vec<usize> = Vec::new();
    for (i, m) in means.iter().enumerate() {
        match firsts.iter().position(|&f| cosine(&means[f], m) >= 0.995) {
            Some(letter) => letters.push(letter),
            None => {
                letters.push(firsts.len());
                firsts.push(i);
            }
        }
    }
    letters
}

/// Roles where the shape is clear: a quiet first section is the intro, a quiet last one the outro,
/// the loudest repeated letter the chorus, another repeated letter the verse, a one-off section
/// between them a bridge; otherwise the letter (A, B, C…).
fn roles(letters: &[usize], rms: &[f64]) -> Vec<String> {
    let n = letters.len();
    let loudest = rms.iter().copied().fold(0.0, f64::max).max(1e-12);
    let count = |l: usize| letters.iter().filter(|x| **x == l).count();
    let letter_rms = |l: usize| {
        let (sum, k) = letters
            .iter()
            .zip(rms)
            .filter(|(x, _)| **x == l)
            .fold((0.0, 0), |(s, k), (_, r)| (s + r, k + 1));
        sum / f64::from(k.max(1))
    };
    let repeated: Vec<usize> = {
        let mut r: Vec<usize> = letters.iter().copied().filter(|l| count(*l) > 1).collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    let chorus = repeated
        .iter()
        .copied()
        .max_by(|a, b| letter_rms(*a).total_cmp(&letter_rms(*b)));
    let verse = repeated.iter().copied().find(|l| Some(*l) != chorus);
    (0..n)
        .map(|i| {
            let l = letters[i];
            let quiet = rms[i] < 0.6 * loudest;
            if n > 2 && i == 0 && quiet && count(l) == 1 {
                "intro".into()
            } else if n > 2 && i == n - 1 && quiet && count(l) == 1 {
                "outro".into()
            } else if Some(l) == chorus {
                "chorus".into()
            } else if Some(l) == verse {
                "verse".into()
            } else if chorus.is_some() && count(l) == 1 && i > 0 && i < n - 1 {
                "bridge".into()
            } else {
                char::from(b'A' + (l % 26) as u8).to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(i: usize, spectrum: Vec<f32>, rms: f64) -> Bar {
        Bar {
            start_s: i as f64 * 2.0,
            end_s: (i + 1) as f64 * 2.0,
            spectrum,
            rms,
        }
    }

    #[test]
    fn a_change_of_sound_and_loudness_starts_a_section() {
        let mut bars = Vec::new();
        for i in 0..12 {
            bars.push(bar(i, vec![1.0, 0.2, 0.1, 0.0], 0.1));
        }
        for i in 12..24 {
            bars.push(bar(i, vec![0.2, 0.3, 1.0, 0.8], 0.5));
        }
        let found = sections(&bars, 48.0);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[1].start_s, 24.0);
        assert_eq!(found[1].end_s, 48.0);
        assert!(found[0].energy < found[1].energy);
        assert!((found[1].energy - 1.0).abs() < 1e-9);
    }
}
