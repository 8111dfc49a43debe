//! Frames → spectrogram, exactly as the beat network was trained to hear (madmom's front end, in
//! BeatNet's settings): Hann-windowed frames of 1411 samples (64 ms) every 441 (20 ms, 50 a second
//! at 22 050 Hz), their magnitude spectrum, pooled into madmom's logarithmic filterbank (24 bands
//! per octave, 30 Hz-17 kHz, 136 bands) and compressed as log10(1 + x).

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};

/// Samples per frame (64 ms at 22 050 Hz).
pub const FRAME: usize = 1411;
/// Samples between frames (20 ms at 22 050 Hz).
pub const HOP: usize = 441;
/// The rate the network was trained at; the filterbank's bins assume it.
pub const RATE: u32 = 22_050;
/// Bands per octave.
const BANDS_PER_OCTAVE: f64 = 24.0;
const LOWEST_HZ: f64 = 30.0;
const HIGHEST_HZ: f64 = 17_000.0;
/// The filterbank's reference tuning.
const A4_HZ: f64 = 440.0;

/// Frames per second.
pub fn fps() -> f64 {
    f64::from(RATE) / HOP as f64
}

/// Cuts a stream of samples into overlapping frames; the first frame is centred on sample 0
/// (padded with silence), so frame `i` stands for time `i × HOP / rate`.
#[derive(Debug)]
pub struct Framer {
    buffer: Vec<f32>,
}

impl Default for Framer {
    fn default() -> Self {
        Self {
            buffer: vec![0.0; FRAME / 2],
        }
    }
}

impl Framer {
    /// Feeds samples; calls `frame` for every whole frame now available.
    pub fn push(&mut self, samples: &[f32], mut frame: impl FnMut(&[f32])) {
        self.buffer.extend_from_slice(samples);
        let mut start = 0;
        while self.buffer.len() - start >= FRAME {
            frame(&self.buffer[start..start + FRAME]);
            start += HOP;
        }
        self.buffer.drain(..start);
    }

    /// The last frames, padded with silence: one frame per hop that starts within the song.
    pub fn finish(mut self, frame: impl FnMut(&[f32])) {
        let pad = vec![0.0; FRAME / 2];
        self.push(&pad, frame);
    }
}

/// One triangular band: (first bin, weights).
#[derive(Debug)]
struct Band {
    first: usize,
    weights: Vec<f32>,
}

/// Magnitude spectrum → log-filtered bands.
pub struct Spectrogram {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    input: Vec<f32>,
    output: Vec<realfft::num_complex::Complex<f32>>,
    scratch: Vec<realfft::num_complex::Complex<f32>>,
    bands: Vec<Band>,
}

impl std::fmt::Debug for Spectrogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spectrogram")
            .field("bands", &self.bands.len())
            .finish()
    }
}

impl Default for Spectrogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Spectrogram {
    pub fn new() -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FRAME);
        // NumPy's symmetric Hann window, as madmom uses.
        let window = (0..FRAME)
            .map(|i| {
                let x = std::f64::consts::PI * 2.0 * i as f64 / (FRAME - 1) as f64;
                (0.5 - 0.5 * x.cos()) as f32
            })
            .collect();
        let input = fft.make_input_vec();
        let output = fft.make_output_vec();
        let scratch = fft.make_scratch_vec();
        Self {
            bands: log_bands(),
            fft,
            window,
            input,
            output,
            scratch,
        }
    }

    /// How many bands a frame gives.
    pub fn bands(&self) -> usize {
        self.bands.len()
    }

    /// One frame → its log-compressed band magnitudes, written to `out`.
    pub fn frame(&mut self, frame: &[f32], out: &mut Vec<f32>) {
        for ((slot, sample), w) in self.input.iter_mut().zip(frame).zip(&self.window) {
            *slot = sample * w;
        }
        // Sizes come from the plan itself, so this cannot fail.
        let _ = self
            .fft
            .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch);
        out.clear();
        out.extend(self.bands.iter().map(|band| {
            let energy: f32 = band
                .weights
                .iter()
                .zip(&self.output[band.first..])
                .map(|(w, c)| w * c.norm())
                .sum();
            (1.0 + energy).log10()
        }));
    }
}

/// madmom's `LogarithmicFilterbank` (24 bands per octave, unique bins, area-normalised
/// overlapping triangles) as `(start, centre, stop)` FFT bins. Its bin frequencies are NumPy's
/// `fftfreq(2 × 705, 1 / rate)`, a hair off the true ones, which the network learned with.
pub fn band_edges() -> Vec<(usize, usize, usize)> {
    let bins = FRAME >> 1;
    let bin_hz = |k: usize| k as f64 * f64::from(RATE) / (2 * bins) as f64;
    let left = ((LOWEST_HZ / A4_HZ).log2() * BANDS_PER_OCTAVE).floor() as i64;
    let right = ((HIGHEST_HZ / A4_HZ).log2() * BANDS_PER_OCTAVE).ceil() as i64;
    let mut centres: Vec<usize> = (left..right)
        .map(|k| A4_HZ * 2f64.powf(k as f64 / BANDS_PER_OCTAVE))
        .filter(|hz| (LOWEST_HZ..=HIGHEST_HZ).contains(hz))
        .map(|hz| {
            // The nearest bin (ties to the upper one), never the first or beyond the last.
            let upper = (0..bins)
                .find(|k| bin_hz(*k) >= hz)
                .unwrap_or(bins - 1)
                .clamp(1, bins - 1);
            if hz - bin_hz(upper - 1) < bin_hz(upper) - hz {
                upper - 1
            } else {
                upper
            }
        })
        .collect();
    centres.dedup();
    centres
        .windows(3)
        .map(|w| {
            let (start, centre, stop) = (w[0], w[1], w[2]);
            if stop - start < 2 {
                (start, start, start + 1)
            } else {
                (start, centre, stop)
            }
        })
        .collect()
}

fn log_bands() -> Vec<Band> {
    band_edges()
        .into_iter()
        .map(|(start, centre, stop)| {
            // Rising from 0 at `start` to 1 at `centre`, falling towards 0 at `stop` (exclusive).
            let rise = centre - start;
            let fall = stop - centre;
            let weights: Vec<f64> = (0..stop - start)
                .map(|i| {
                    if i < rise {
                        i as f64 / rise as f64
                    } else {
                        1.0 - (i - rise) as f64 / fall as f64
                    }
                })
                .collect();
            let sum: f64 = weights.iter().sum();
            Band {
                first: start,
                weights: weights.into_iter().map(|w| (w / sum) as f32).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_centred_and_every_hop_of_the_song_gets_one() {
        let mut framer = Framer::default();
        let mut count = 0;
        let samples = vec![0.5; 22_050];
        framer.push(&samples, |_| count += 1);
        framer.finish(|_| count += 1);
        // madmom's count: ceil(samples / hop).
        assert_eq!(count, 22_050usize.div_ceil(HOP));
    }

    #[test]
    fn the_filterbank_is_the_one_the_network_was_trained_with() {
        // Written by model/export_beatnet.py from its NumPy port of madmom's filterbank.
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("../model/beatnet-bands.json")).unwrap_or_default();
        let want: Vec<(usize, usize, usize)> =
            serde_json::from_value(reference["bands"].clone()).unwrap_or_default();
        assert_eq!(want.len(), 136);
        assert_eq!(band_edges(), want);
    }

    #[test]
    fn a_tone_lights_up_the_band_of_its_pitch() {
        let mut spectrogram = Spectrogram::new();
        assert_eq!(spectrogram.bands(), 136);
        let tone = |hz: f32| -> Vec<f32> {
            (0..FRAME)
                .map(|i| (2.0 * std::f32::consts::PI * hz * i as f32 / 22_050.0).sin())
                .collect()
        };
        let (mut low, mut high) = (Vec::new(), Vec::new());
        spectrogram.frame(&tone(220.0), &mut low);
        spectrogram.frame(&tone(1760.0), &mut high);
        let loudest = |v: &[f32]| {
            v.iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i)
                .unwrap_or(0)
        };
        // Three octaves apart: up to 72 bands apart (fewer at the bottom, where bands merge).
        let (a, b) = (loudest(&low), loudest(&high));
        assert!(b > a + 40, "{a} {b}");
    }
}
