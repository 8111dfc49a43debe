//! Samples → what the app draws: waveform peaks (min and max per slice, at most a few thousand
//! points for the whole song) and a loudness envelope (RMS in dBFS every tenth of a second),
//! accumulated as the samples stream past.

/// Samples per peak slice while streaming (merged down at the end).
const SLICE: usize = 256;
/// The most peak points handed to the app.
pub const MAX_PEAKS: usize = 4000;
/// The loudness envelope's step, in seconds.
pub const LOUDNESS_STEP_S: f64 = 0.1;

/// Linear RMS over `start_s..end_s` from a loudness envelope (dBFS every [`LOUDNESS_STEP_S`]).
pub(crate) fn mean_rms(loudness_db: &[f32], start_s: f64, end_s: f64) -> f64 {
    let lo = ((start_s / LOUDNESS_STEP_S) as usize).min(loudness_db.len());
    let hi = ((end_s / LOUDNESS_STEP_S).ceil() as usize).clamp(lo, loudness_db.len());
    let slice = &loudness_db[lo..hi];
    if slice.is_empty() {
        return 0.0;
    }
    let mean_square = slice
        .iter()
        .map(|db| 10f64.powf(f64::from(*db) / 10.0))
        .sum::<f64>()
        / slice.len() as f64;
    mean_square.sqrt()
}

/// Streaming peaks and loudness.
#[derive(Debug)]
pub struct Waveform {
    peaks: Vec<[f32; 2]>,
    slice: [f32; 2],
    in_slice: usize,
    loudness_step: usize,
    sum_squares: f64,
    in_step: usize,
    loudness: Vec<f32>,
}

impl Waveform {
    pub fn new(rate: u32) -> Self {
        Self {
            peaks: Vec::new(),
            slice: [0.0, 0.0],
            in_slice: 0,
            loudness_step: (f64::from(rate) * LOUDNESS_STEP_S).round().max(1.0) as usize,
            sum_squares: 0.0,
            in_step: 0,
            loudness: Vec::new(),
        }
    }

    pub fn push(&mut self, samples: &[f32]) {
        for &s in samples {
            self.slice[0] = self.slice[0].min(s);
            self.slice[1] = self.slice[1].max(s);
            self.in_slice += 1;
            if self.in_slice == SLICE {
                self.peaks.push(self.slice);
                self.slice = [0.0, 0.0];
                self.in_slice = 0;
            }
            self.sum_squares += f64::from(s) * f64::from(s);
            self.in_step += 1;
            if self.in_step == self.loudness_step {
                self.loudness
                    .push(db(self.sum_squares / self.in_step as f64));
                self.sum_squares = 0.0;
                self.in_step = 0;
            }
        }
    }

    /// The peaks (at most [`MAX_PEAKS`], each `[min, max]`) and the loudness envelope (dBFS).
    pub fn finish(mut self) -> (Vec<[f32; 2]>, Vec<f32>) {
        if self.in_slice > 0 {
            self.peaks.push(self.slice);
        }
        if self.in_step > 0 {
            self.loudness
                .push(db(self.sum_squares / self.in_step as f64));
        }
        let per_point = self.peaks.len().div_ceil(MAX_PEAKS).max(1);
        let peaks = self
            .peaks
            .chunks(per_point)
            .map(|c| {
                c.iter().fold([0.0f32, 0.0f32], |acc, p| {
                    [acc[0].min(p[0]), acc[1].max(p[1])]
                })
            })
            .collect();
        (peaks, self.loudness)
    }
}

fn db(mean_square: f64) -> f32 {
    (10.0 * mean_square.max(1e-10).log10()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_song_draws_in_at_most_max_peaks_points() {
        let mut w = Waveform::new(22_050);
        let minute: Vec<f32> = (0..22_050 * 60)
            .map(|i| ((i % 100) as f32 / 50.0) - 1.0)
            .collect();
        for _ in 0..10 {
            w.push(&minute);
        }
        let (peaks, loudness) = w.finish();
        assert!(peaks.len() <= MAX_PEAKS && peaks.len() > MAX_PEAKS / 2);
        assert!(peaks.iter().all(|p| p[0] <= -0.9 && p[1] >= 0.9));
        assert_eq!(loudness.len(), 6000);
        assert!(loudness.iter().all(|db| (-6.0..0.0).contains(db)));
    }
}
