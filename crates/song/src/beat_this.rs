//! Beat This! (Foscarin, Schlüter and Widmer, ISMIR 2024; MIT), ready for its weights: the exact
//! front end of the `beat_this` package (22 050 Hz mono, STFT of 1024 samples every 441 → 50
//! frames a second, 128 mel bands 30-11 000 Hz as torchaudio makes them, log(1 + 1000 x)) and its
//! chunked inference (1500 frames a run, 6 frames of border discarded at each side, the last
//! chunk moved back to end with the song, earlier chunks kept where they overlap), with the
//! network exported to ONNX by `model/export_beat_this.py` and run with tract. Samples stream
//! through; memory is two chunks of frames whatever the song's length.
//!
//! Not part of the analysis yet: the trained weights are not in the repository (see
//! `model/README-beat-this.md`). Public for its tests and the `beat_this_bench` example, which
//! measures it against the analysis on a song file.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use tract_onnx::prelude::*;

use crate::Error;

/// The rate the network hears.
pub const RATE: u32 = 22_050;
/// STFT size, and window length.
const N_FFT: usize = 1024;
/// Samples between frames (20 ms).
pub const HOP: usize = 441;
/// Mel bands per frame.
pub const MEL_BANDS: usize = 128;
const F_MIN: f64 = 30.0;
const F_MAX: f64 = 11_000.0;
const LOG_MULTIPLIER: f32 = 1000.0;
/// Frames per network run.
pub const CHUNK: usize = 1500;
/// Frames discarded at each side of a run's output (the network never learned its edges).
pub const BORDER: usize = 6;
/// Frames of output each run keeps.
const STEP: usize = CHUNK - 2 * BORDER;

/// One triangular mel band: its first FFT bin and its weights from there.
#[derive(Debug)]
struct Band {
    first: usize,
    weights: Vec<f32>,
}

/// torchaudio's Slaney mel scale.
fn hz_to_mel(hz: f64) -> f64 {
    let step = 6.4f64.ln() / 27.0;
    if hz >= 1000.0 {
        15.0 + (hz / 1000.0).ln() / step
    } else {
        hz * 3.0 / 200.0
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    let step = 6.4f64.ln() / 27.0;
    if mel >= 15.0 {
        1000.0 * (step * (mel - 15.0)).exp()
    } else {
        mel * 200.0 / 3.0
    }
}

/// torchaudio's `melscale_fbanks(513, 30, 11000, 128, 22050, norm=None, mel_scale="slaney")`:
/// triangles between mel-spaced points over the bins `linspace(0, 22050 // 2, 513)`, unnormalised.
fn mel_bands() -> Vec<Band> {
    let bins = N_FFT / 2 + 1;
    let nyquist = f64::from(RATE / 2);
    let bin_hz = |k: usize| nyquist * k as f64 / (bins - 1) as f64;
    let (low, high) = (hz_to_mel(F_MIN), hz_to_mel(F_MAX));
    let points: Vec<f64> = (0..MEL_BANDS + 2)
        .map(|i| mel_to_hz(low + (high - low) * i as f64 / (MEL_BANDS + 1) as f64))
        .collect();
    points
        .windows(3)
        .map(|p| {
            let weight = |k: usize| {
                let hz = bin_hz(k);
                let up = (hz - p[0]) / (p[1] - p[0]);
                let down = (p[2] - hz) / (p[2] - p[1]);
                up.min(down).max(0.0)
            };
            let first = (0..bins).find(|k| weight(*k) > 0.0).unwrap_or(0);
            let end = (first..bins).find(|k| weight(*k) <= 0.0).unwrap_or(bins);
            Band {
                first,
                weights: (first..end).map(|k| weight(k) as f32).collect(),
            }
        })
        .collect()
}

/// Samples → log-mel frames, as `beat_this.preprocessing.LogMelSpect`: torch's STFT centred
/// (the signal reflected by half a window at both ends), periodic Hann window, magnitude over
/// √1024 (`normalized="frame_length"`), mel bands, then log(1 + 1000 x). Frame `i` stands for
/// time `i × 441 / 22050`; a signal of n samples gives `1 + n / 441` frames.
pub struct LogMel {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    bands: Vec<Band>,
    /// The padded signal from the next frame's start (the raw start until it can be reflected).
    padded: Vec<f32>,
    started: bool,
    frame: Vec<f32>,
}

impl std::fmt::Debug for LogMel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogMel")
            .field("buffered", &self.padded.len())
            .finish()
    }
}

impl Default for LogMel {
    fn default() -> Self {
        Self::new()
    }
}

impl LogMel {
    pub fn new() -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(N_FFT);
        // torch.hann_window(1024), periodic.
        let window = (0..N_FFT)
            .map(|i| {
                let x = std::f64::consts::TAU * i as f64 / N_FFT as f64;
                (0.5 - 0.5 * x.cos()) as f32
            })
            .collect();
        Self {
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
            window,
            bands: mel_bands(),
            padded: Vec::new(),
            started: false,
            frame: vec![0.0; MEL_BANDS],
        }
    }

    /// Feeds samples; calls `frame` with each whole frame's 128 values now available.
    pub fn push(&mut self, samples: &[f32], mut frame: impl FnMut(&[f32])) {
        self.padded.extend_from_slice(samples);
        if !self.started {
            if self.padded.len() <= N_FFT / 2 {
                return;
            }
            // Reflect the start: x[512], ..., x[1], then the signal.
            let head: Vec<f32> = self.padded[1..=N_FFT / 2].iter().rev().copied().collect();
            self.padded.splice(0..0, head);
            self.started = true;
        }
        self.emit(&mut frame);
    }

    /// The last frames, the end of the signal reflected. A signal of 512 samples or fewer gives
    /// none (torch refuses to reflect it).
    pub fn finish(mut self, mut frame: impl FnMut(&[f32])) {
        if !self.started {
            return;
        }
        // Reflect the end: x[n - 2], ..., x[n - 513].
        let n = self.padded.len();
        let tail: Vec<f32> = self.padded[n - 1 - N_FFT / 2..n - 1]
            .iter()
            .rev()
            .copied()
            .collect();
        self.padded.extend(tail);
        self.emit(&mut frame);
    }

    fn emit(&mut self, frame: &mut impl FnMut(&[f32])) {
        let mut start = 0;
        while self.padded.len() - start >= N_FFT {
            self.compute(start);
            frame(&self.frame);
            start += HOP;
        }
        self.padded.drain(..start);
    }

    /// The frame starting at `start` of the padded signal, into `self.frame`.
    fn compute(&mut self, start: usize) {
        let samples = &self.padded[start..start + N_FFT];
        for ((slot, sample), w) in self.input.iter_mut().zip(samples).zip(&self.window) {
            *slot = sample * w;
        }
        // Sizes come from the plan itself, so this cannot fail.
        let _ = self
            .fft
            .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch);
        let norm = 1.0 / (N_FFT as f32).sqrt();
        for (value, band) in self.frame.iter_mut().zip(&self.bands) {
            let energy: f32 = band
                .weights
                .iter()
                .zip(&self.output[band.first..])
                .map(|(w, c)| w * c.norm())
                .sum();
            *value = (LOG_MULTIPLIER * norm * energy).ln_1p();
        }
    }
}

type Plan = Arc<TypedRunnableModel>;

/// A Beat This! network (an ONNX graph from `model/export_beat_this.py`), planned for whole
/// chunks; shorter songs get a plan of their own length.
pub struct Network {
    onnx: Vec<u8>,
    chunk: Plan,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("onnx_bytes", &self.onnx.len())
            .finish()
    }
}

impl Network {
    pub fn from_onnx(onnx: &[u8]) -> Result<Self, Error> {
        let chunk = plan(onnx, CHUNK).map_err(model_error)?;
        Ok(Self {
            onnx: onnx.to_vec(),
            chunk,
        })
    }

    /// (beat, downbeat) logits of each of the `frames` frames in `spect` (frames × 128).
    fn run(&self, spect: Vec<f32>, frames: usize) -> Result<Vec<[f32; 2]>, Error> {
        let short;
        let plan = if frames == CHUNK {
            &self.chunk
        } else {
            short = plan(&self.onnx, frames).map_err(model_error)?;
            &short
        };
        let input = Tensor::from_shape(&[1, frames, MEL_BANDS], &spect).map_err(model_error)?;
        let outputs = plan.run(tvec![input.into()]).map_err(model_error)?;
        let beat = outputs[0]
            .to_plain_array_view::<f32>()
            .map_err(model_error)?;
        let downbeat = outputs[1]
            .to_plain_array_view::<f32>()
            .map_err(model_error)?;
        Ok(beat.iter().zip(downbeat).map(|(b, d)| [*b, *d]).collect())
    }
}

fn plan(onnx: &[u8], frames: usize) -> TractResult<Plan> {
    tract_onnx::onnx()
        .model_for_read(&mut &onnx[..])?
        .with_input_fact(0, f32::fact([1, frames, MEL_BANDS]).into())?
        .into_optimized()?
        .into_runnable()
}

fn model_error(error: TractError) -> Error {
    Error::Model {
        why: format!("{error:#}"),
    }
}

/// Streaming Beat This!: push samples at 22 050 Hz, get (beat, downbeat) per frame at the end.
///
/// The chunks are beat_this's `split_piece(avoid_short_end=True)` with `keep_first`: run `k`
/// starts at frame `1488 k - 6` and gives frames `[1488 k, 1488 (k + 1))`; the last run instead
/// ends 6 frames past the song's end and gives the frames no earlier run gave. A song of at most
/// 1488 frames (29.76 s) is one run over all its frames and 6 silent ones on each side. Frames
/// outside the song are silence (zeros).
#[derive(Debug)]
pub struct BeatThis<'a> {
    network: &'a Network,
    mel: Option<LogMel>,
    /// Frames from `kept_from` on, 128 values each.
    kept: Vec<f32>,
    kept_from: usize,
    frames: usize,
    /// Runs done (output frames given: `runs × STEP`).
    runs: usize,
    logits: Vec<[f32; 2]>,
    failed: Option<Error>,
}

impl<'a> BeatThis<'a> {
    pub fn new(network: &'a Network) -> Self {
        Self {
            network,
            mel: Some(LogMel::new()),
            kept: Vec::with_capacity(2 * CHUNK * MEL_BANDS),
            kept_from: 0,
            frames: 0,
            runs: 0,
            logits: Vec::new(),
            failed: None,
        }
    }

    /// Feeds mono samples at 22 050 Hz.
    pub fn push(&mut self, samples: &[f32]) -> Result<(), Error> {
        if let Some(mut mel) = self.mel.take() {
            mel.push(samples, |frame| self.frame(frame));
            self.mel = Some(mel);
        }
        self.failed.take().map_or(Ok(()), Err)
    }

    /// (beat, downbeat) probabilities of every frame.
    pub fn finish(self) -> Result<Vec<[f32; 2]>, Error> {
        let logits = self.finish_logits()?;
        Ok(logits.into_iter().map(|l| l.map(sigmoid)).collect())
    }

    /// (beat, downbeat) logits of every frame, as beat_this's `Audio2Frames` returns them.
    pub fn finish_logits(mut self) -> Result<Vec<[f32; 2]>, Error> {
        if let Some(mel) = self.mel.take() {
            mel.finish(|frame| self.frame(frame));
        }
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let frames = self.frames;
        if frames == 0 {
            return Ok(Vec::new());
        }
        if frames <= STEP {
            // One run over the whole song and its borders.
            let logits = self.run(-(BORDER as i64), frames + 2 * BORDER)?;
            return Ok(logits[BORDER..BORDER + frames].to_vec());
        }
        while (self.runs + 1) * STEP < frames {
            self.run_next()?;
        }
        let start = frames as i64 - (CHUNK - BORDER) as i64;
        let logits = self.run(start, CHUNK)?;
        let from = self.logits.len();
        let skip = usize::try_from(from as i64 - start).unwrap_or(0);
        self.logits
            .extend_from_slice(&logits[skip..skip + frames - from]);
        Ok(self.logits)
    }

    fn frame(&mut self, frame: &[f32]) {
        self.kept.extend_from_slice(frame);
        self.frames += 1;
        // Run k needs frames up to 1488 (k + 1) + 6, and is not the last once the song is longer
        // than 1488 (k + 1) frames.
        if self.frames >= (self.runs + 1) * STEP + BORDER
            && self.failed.is_none()
            && let Err(error) = self.run_next()
        {
            self.failed = Some(error);
        }
    }

    /// The next regular run, then the frames no run can need any more are dropped: the next run
    /// starts at `1488 k - 6`, and the last at (at least) the frames so far - 1494.
    fn run_next(&mut self) -> Result<(), Error> {
        let start = (self.runs * STEP) as i64 - BORDER as i64;
        let logits = self.run(start, CHUNK)?;
        self.logits
            .extend_from_slice(&logits[BORDER..BORDER + STEP]);
        self.runs += 1;
        let needed = (self.runs * STEP - BORDER).min(self.frames.saturating_sub(CHUNK - BORDER));
        if needed - self.kept_from >= CHUNK {
            self.kept.drain(..(needed - self.kept_from) * MEL_BANDS);
            self.kept_from = needed;
        }
        Ok(())
    }

    /// The logits of `len` frames from `start` (frames outside the song are zeros).
    fn run(&self, start: i64, len: usize) -> Result<Vec<[f32; 2]>, Error> {
        let mut spect = vec![0.0; len * MEL_BANDS];
        for (i, slot) in spect.chunks_exact_mut(MEL_BANDS).enumerate() {
            let at = start + i as i64;
            if let Ok(at) = usize::try_from(at)
                && at < self.frames
            {
                let from = (at - self.kept_from) * MEL_BANDS;
                slot.copy_from_slice(&self.kept[from..from + MEL_BANDS]);
            }
        }
        self.network.run(spect, len)
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by model/beat_this_fixture.py from the `beat_this` package itself.
    fn reference() -> serde_json::Value {
        serde_json::from_str(include_str!("../model/beat-this-reference.json")).unwrap_or_default()
    }

    /// The random-weights network of beat_this's architecture that the reference was made with.
    const TINY: &[u8] = include_bytes!("../model/beat-this-tiny-random.onnx");

    /// The fixture's test signal (model/beat_this_fixture.py's `signal`): two tones, a click every
    /// half second (every fourth one louder) and hashed noise, computed in f64.
    fn signal(samples: usize) -> Vec<f32> {
        let rate = f64::from(RATE);
        let tau = std::f64::consts::TAU;
        (0..samples as u64)
            .map(|n| {
                let t = n as f64 / rate;
                let mut x = 0.2 * (tau * 220.0 * t).sin()
                    + 0.1 * (tau * 277.18 * t + 0.5 * (tau * 0.3 * t).sin()).sin();
                let k = (t / 0.5).floor();
                let dt = t - k * 0.5;
                let accent = if k.rem_euclid(4.0) == 0.0 { 0.8 } else { 0.4 };
                x += accent * (tau * 1000.0 * dt).sin() * (-dt * 200.0).exp();
                x += 0.05 * ((splitmix64(n) >> 11) as f64 / (1u64 << 53) as f64 - 0.5);
                x as f32
            })
            .collect()
    }

    fn splitmix64(n: u64) -> u64 {
        let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn floats(value: &serde_json::Value) -> Vec<f64> {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    fn indices(value: &serde_json::Value) -> Vec<usize> {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    fn log_mel(samples: &[f32]) -> Vec<Vec<f32>> {
        let mut mel = LogMel::new();
        let mut frames = Vec::new();
        for chunk in samples.chunks(4096) {
            mel.push(chunk, |f| frames.push(f.to_vec()));
        }
        mel.finish(|f| frames.push(f.to_vec()));
        frames
    }

    fn logits(network: &Network, samples: &[f32]) -> Vec<[f32; 2]> {
        let mut beat_this = BeatThis::new(network);
        for chunk in samples.chunks(4096) {
            beat_this.push(chunk).unwrap_or_else(|e| panic!("{e}"));
        }
        beat_this.finish_logits().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_log_mel_is_beat_this_s_to_a_thousandth() {
        let reference = reference();
        let mel = &reference["mel"];
        let frames = log_mel(&signal(mel["samples"].as_u64().unwrap_or(0) as usize));
        assert_eq!(frames.len(), mel["length"].as_u64().unwrap_or(0) as usize);
        let at = indices(&mel["frames"]);
        assert!(at.len() >= 4);
        for (i, want) in at
            .iter()
            .zip(mel["values"].as_array().into_iter().flatten())
        {
            let want = floats(want);
            assert_eq!(want.len(), MEL_BANDS);
            for (band, (got, want)) in frames[*i].iter().zip(&want).enumerate() {
                assert!(
                    (f64::from(*got) - want).abs() < 1e-3,
                    "frame {i} band {band}: {got} vs beat_this's {want}"
                );
            }
        }
    }

    #[test]
    fn chunked_inference_is_beat_this_s_to_a_thousandth() {
        let network = Network::from_onnx(TINY).unwrap_or_else(|e| panic!("{e}"));
        let reference = reference();
        // A 70 s song (3501 frames: runs from -6 and 1482, the last moved back to 2007) and a
        // 20 s one (a single run of 1001 + 12 frames).
        for case in reference["logits"].as_array().into_iter().flatten() {
            let samples = case["samples"].as_u64().unwrap_or(0) as usize;
            let got = logits(&network, &signal(samples));
            assert_eq!(got.len(), case["length"].as_u64().unwrap_or(0) as usize);
            let at = indices(&case["at"]);
            assert!(at.len() > 20);
            for (k, (beat, downbeat)) in floats(&case["beat"])
                .into_iter()
                .zip(floats(&case["downbeat"]))
                .enumerate()
            {
                let i = at[k];
                for (what, got, want) in
                    [("beat", got[i][0], beat), ("downbeat", got[i][1], downbeat)]
                {
                    assert!(
                        (f64::from(got) - want).abs() < 1e-3,
                        "{samples} samples, frame {i}, {what}: {got} vs beat_this's {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_mel_bands_span_30_hz_to_11_khz() {
        let bands = mel_bands();
        assert_eq!(bands.len(), MEL_BANDS);
        // Bin k is k × 11025 / 512 Hz: the first band starts above 30 Hz, the last ends at 11 kHz.
        assert_eq!(bands[0].first, 2);
        let last = &bands[MEL_BANDS - 1];
        assert_eq!(last.first + last.weights.len(), 511);
        assert!(bands.windows(2).all(|w| w[0].first <= w[1].first));
    }

    #[test]
    fn a_song_of_any_length_gets_one_value_per_frame() {
        let network = Network::from_onnx(TINY).unwrap_or_else(|e| panic!("{e}"));
        // Around the lengths where the runs change: one run, a short last one, 1494 frames.
        for frames in [2, 3, 1488, 1489, 1494, 1495, 2976, 2977, 2982, 2983] {
            let samples = signal((frames - 1) * HOP + 200);
            let mut beat_this = BeatThis::new(&network);
            beat_this.push(&samples).unwrap_or_else(|e| panic!("{e}"));
            let got = beat_this.finish().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(got.len(), frames, "{frames} frames");
            assert!(got.iter().flatten().all(|p| (0.0..=1.0).contains(p)));
        }
    }
}
