//! Spectrogram → onset activation: SuperFlux-style spectral flux (Böck & Widmer 2013): each band's
//! rise over the previous frame's maximum across neighbouring bands (so vibrato does not count),
//! half-wave rectified and summed; one value per frame. Also keeps the low bands' flux (kick and
//! bass), which marks downbeats.

/// Bands at or below this index count as "low" (about 30-150 Hz at 12 bands per octave).
const LOW_BANDS: usize = 18;

/// Streaming spectral flux.
#[derive(Debug, Default)]
pub struct SpectralFlux {
    previous: Vec<f32>,
    max_filtered: Vec<f32>,
}

/// One frame's onset values.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Onset {
    /// All bands.
    pub flux: f32,
    /// The lowest bands only.
    pub low_flux: f32,
}

impl SpectralFlux {
    /// The onset values of the frame with these bands (0 for the first frame).
    pub fn next(&mut self, bands: &[f32]) -> Onset {
        if self.previous.len() != bands.len() {
            self.previous = bands.to_vec();
            return Onset::default();
        }
        // The previous frame, max-filtered over 3 neighbouring bands.
        self.max_filtered.clear();
        self.max_filtered.extend((0..bands.len()).map(|i| {
            let lo = i.saturating_sub(1);
            let hi = (i + 1).min(bands.len() - 1);
            self.previous[lo..=hi]
                .iter()
                .copied()
                .fold(f32::MIN, f32::max)
        }));
        let mut onset = Onset::default();
        for (i, (now, before)) in bands.iter().zip(&self.max_filtered).enumerate() {
            let rise = (now - before).max(0.0);
            onset.flux += rise;
            if i < LOW_BANDS {
                onset.low_flux += rise;
            }
        }
        self.previous.copy_from_slice(bands);
        onset
    }
}

/// Subtracts a moving average (about `window` frames wide) and clips at zero: what is left is how
/// much each frame stands out from its surroundings.
pub fn above_local_mean(values: &[f32], window: usize) -> Vec<f32> {
    let half = window / 2;
    let mut prefix = Vec::with_capacity(values.len() + 1);
    prefix.push(0.0f64);
    for v in values {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + f64::from(*v));
    }
    (0..values.len())
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(values.len());
            let mean = (prefix[hi] - prefix[lo]) / (hi - lo) as f64;
            (f64::from(values[i]) - mean).max(0.0) as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rises_count() {
        let mut flux = SpectralFlux::default();
        assert_eq!(flux.next(&[0.0; 20]).flux, 0.0);
        let loud = flux.next(&[1.0; 20]);
        assert!((loud.flux - 20.0).abs() < 1e-6);
        assert!((loud.low_flux - LOW_BANDS as f32).abs() < 1e-6);
        assert_eq!(flux.next(&[0.5; 20]).flux, 0.0, "a fall is no onset");
    }

    #[test]
    fn the_local_mean_is_taken_away() {
        let v = [1.0, 1.0, 5.0, 1.0, 1.0];
        let out = above_local_mean(&v, 5);
        assert_eq!(out[0], 0.0);
        assert!(out[2] > 2.0);
    }
}
