//! The whole pipeline: samples stream through the framer, spectrogram and spectral flux (keeping
//! only the onset activation, a coarse spectrogram for bars, and the waveform), then tempo → beats
//! → downbeats → bars → sections run on what was kept. Memory is a few values per 10 ms frame.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::beats;
use crate::decode::{DecodeOptions, Tags, decode};
use crate::downbeats::{BeatAccent, meter};
use crate::onset::{SpectralFlux, above_local_mean};
use crate::sections::{Bar, Section, sections};
use crate::spectrogram::{Framer, Spectrogram, fps, onset_latency_s};
use crate::tempo::{self, Tempo};
use crate::waveform::Waveform;
use crate::{Error, SongInfo};

/// Frames averaged into one row of the coarse spectrogram kept for bars and downbeats.
const COARSE: usize = 4;
/// How much extra the low bands' onsets count for tempo and beats.
const LOW_WEIGHT: f32 = 1.0;
/// A tempo curve is reported when the local tempo strays more than this from the song's.
const TEMPO_CHANGE: f64 = 0.04;

/// One point of the tempo curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TempoPoint {
    pub time_s: f64,
    pub bpm: f64,
}

/// Everything the studio knows about a song.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub duration_s: f64,
    pub tempo_bpm: f64,
    /// Empty unless the tempo changes along the song.
    pub tempo_curve: Vec<TempoPoint>,
    pub beats_per_bar: usize,
    /// Beat times in seconds.
    pub beats: Vec<f64>,
    /// Bar starts in seconds (a subset of `beats`).
    pub downbeats: Vec<f64>,
    pub sections: Vec<Section>,
    /// RMS loudness in dBFS every [`crate::waveform::LOUDNESS_STEP_S`] seconds.
    pub loudness_db: Vec<f32>,
    /// `[min, max]` sample pairs spread evenly over the song, for drawing it.
    pub peaks: Vec<[f32; 2]>,
    pub tags: Tags,
    /// How long the analysis took, decoding included.
    pub analysis_ms: u64,
}

/// Decodes and analyses a song file.
pub fn analyze(path: &Path) -> Result<Analysis, Error> {
    let started = Instant::now();
    let options = DecodeOptions::default();
    let mut analyzer = Analyzer::new(options.rate);
    let info = decode(path, &options, |chunk| analyzer.push(chunk))?;
    let mut analysis = analyzer.finish(&info);
    analysis.analysis_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(analysis)
}

/// Analyses mono samples already at `rate` (tests, synthesized songs).
pub fn analyze_samples(samples: &[f32], rate: u32) -> Analysis {
    let mut analyzer = Analyzer::new(rate);
    for chunk in samples.chunks(4096) {
        analyzer.push(chunk);
    }
    let info = SongInfo {
        duration_s: samples.len() as f64 / f64::from(rate),
        source_rate: rate,
        channels: 1,
        rate,
        samples: samples.len() as u64,
        tags: Tags::default(),
    };
    analyzer.finish(&info)
}

/// The streaming front of the pipeline.
#[derive(Debug)]
struct Analyzer {
    rate: u32,
    framer: Option<Framer>,
    spectrogram: Spectrogram,
    flux: SpectralFlux,
    bands: Vec<f32>,
    activation: Vec<f32>,
    low_activation: Vec<f32>,
    /// Rows of COARSE frames' average bands.
    coarse: Vec<Vec<f32>>,
    coarse_sum: Vec<f32>,
    coarse_frames: usize,
    waveform: Waveform,
}

impl Analyzer {
    fn new(rate: u32) -> Self {
        let spectrogram = Spectrogram::new(rate);
        let bands = spectrogram.bands();
        Self {
            rate,
            framer: Some(Framer::default()),
            spectrogram,
            flux: SpectralFlux::default(),
            bands: Vec::with_capacity(bands),
            activation: Vec::new(),
            low_activation: Vec::new(),
            coarse: Vec::new(),
            coarse_sum: vec![0.0; bands],
            coarse_frames: 0,
            waveform: Waveform::new(rate),
        }
    }

    fn push(&mut self, samples: &[f32]) {
        self.waveform.push(samples);
        if let Some(mut framer) = self.framer.take() {
            framer.push(samples, |frame| self.frame(frame));
            self.framer = Some(framer);
        }
    }

    fn frame(&mut self, frame: &[f32]) {
        let mut bands = std::mem::take(&mut self.bands);
        self.spectrogram.frame(frame, &mut bands);
        let onset = self.flux.next(&bands);
        self.activation.push(onset.flux);
        self.low_activation.push(onset.low_flux);
        for (sum, b) in self.coarse_sum.iter_mut().zip(&bands) {
            *sum += b;
        }
        self.coarse_frames += 1;
        if self.coarse_frames == COARSE {
            self.flush_coarse();
        }
        self.bands = bands;
    }

    fn flush_coarse(&mut self) {
        if self.coarse_frames == 0 {
            return;
        }
        let n = self.coarse_frames as f32;
        self.coarse
            .push(self.coarse_sum.iter().map(|s| s / n).collect());
        self.coarse_sum.iter_mut().for_each(|s| *s = 0.0);
        self.coarse_frames = 0;
    }

    fn finish(mut self, info: &SongInfo) -> Analysis {
        if let Some(framer) = self.framer.take() {
            framer.finish(|frame| self.frame(frame));
        }
        self.flush_coarse();
        let fps = fps(self.rate);
        let (peaks, loudness_db) =
            std::mem::replace(&mut self.waveform, Waveform::new(self.rate)).finish();
        let duration_s = info.duration_s;
        let empty = |tempo_bpm: f64| Analysis {
            duration_s,
            tempo_bpm,
            tempo_curve: Vec::new(),
            beats_per_bar: 4,
            beats: Vec::new(),
            downbeats: Vec::new(),
            sections: vec![Section {
                start_s: 0.0,
                end_s: duration_s,
                label: "A".into(),
                energy: 1.0,
            }],
            loudness_db: loudness_db.clone(),
            peaks: peaks.clone(),
            tags: info.tags.clone(),
            analysis_ms: 0,
        };

        // Tempo: the song's, and the local one when it changes.
        // The beat is carried by the low end (kick, bass) more than by off-beat chords: the low
        // bands' flux counts LOW_WEIGHT times extra.
        let combined: Vec<f32> = self
            .activation
            .iter()
            .zip(&self.low_activation)
            .map(|(all, low)| all + LOW_WEIGHT * low)
            .collect();
        let activation = above_local_mean(&combined, (fps * 0.5) as usize);
        let Some(global) = tempo::estimate(&activation, fps) else {
            return empty(0.0);
        };
        let curve = tempo::curve(&activation, fps, 12.0, 2.0);
        let changes = curve
            .iter()
            .any(|(_, t)| (t.bpm - global.bpm).abs() / global.bpm > TEMPO_CHANGE);
        let curve: Vec<(f64, Tempo)> = if changes {
            // Each window's tempo, pulled to the octave nearest the song's.
            curve
                .into_iter()
                .map(|(time, t)| (time, nearest_octave(t, global)))
                .collect()
        } else {
            Vec::new()
        };
        let period_at = |frame: usize| -> f64 {
            if curve.is_empty() {
                return global.period;
            }
            let time = frame as f64 / fps;
            interpolate_period(&curve, time)
        };

        // Beats, then what is on each beat.
        let beat_frames = beats::track(&activation, period_at);
        let latency = onset_latency_s(self.rate);
        let beats: Vec<f64> = beat_frames
            .iter()
            .map(|f| *f as f64 / fps + latency)
            .collect();
        // The sound right at each beat (its first tenth of a second), and their average.
        let attacks: Vec<Vec<f32>> = beat_frames
            .iter()
            .map(|&f| self.mean_coarse(f, f + (fps * 0.1) as usize + COARSE))
            .collect();
        let typical = {
            let dims = attacks.first().map_or(0, Vec::len);
            let mut mean = vec![0.0f32; dims];
            for a in &attacks {
                for (m, v) in mean.iter_mut().zip(a) {
                    *m += v / attacks.len() as f32;
                }
            }
            mean
        };
        let accents: Vec<BeatAccent> = beat_frames
            .iter()
            .enumerate()
            .map(|(i, &f)| BeatAccent {
                low_onset: window_max(&self.low_activation, f, 3),
                onset: window_max(&self.activation, f, 3),
                spectral_change: self.spectral_change(&beat_frames, i),
                distinctness: cosine_distance(&attacks[i], &typical),
            })
            .collect();
        let meter = meter(&accents);
        let downbeat_index: Vec<usize> = (meter.first_downbeat..beat_frames.len())
            .step_by(meter.beats_per_bar)
            .collect();
        let downbeats: Vec<f64> = downbeat_index.iter().map(|i| beats[*i]).collect();

        // Bars and sections.
        let bars: Vec<Bar> = downbeat_index
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let start = beat_frames[i];
                let end = downbeat_index
                    .get(k + 1)
                    .map(|j| beat_frames[*j])
                    .unwrap_or_else(|| self.activation.len());
                Bar {
                    start_s: start as f64 / fps,
                    end_s: end as f64 / fps,
                    spectrum: self.mean_coarse(start, end),
                    rms: mean_rms(&loudness_db, start as f64 / fps, end as f64 / fps),
                }
            })
            .collect();
        let sections = if bars.is_empty() {
            empty(global.bpm).sections
        } else {
            sections(&bars, duration_s)
        };
        let tempo_curve = curve
            .iter()
            .map(|(time_s, t)| TempoPoint {
                time_s: *time_s,
                bpm: t.bpm,
            })
            .collect();
        Analysis {
            duration_s,
            tempo_bpm: global.bpm,
            tempo_curve,
            beats_per_bar: meter.beats_per_bar,
            beats,
            downbeats,
            sections,
            loudness_db,
            peaks,
            tags: info.tags.clone(),
            analysis_ms: 0,
        }
    }

    /// The average coarse spectrum over frames `start..end`.
    fn mean_coarse(&self, start: usize, end: usize) -> Vec<f32> {
        let rows = &self.coarse[(start / COARSE).min(self.coarse.len())
            ..(end / COARSE).clamp(start / COARSE, self.coarse.len())];
        let dims = self.coarse.first().map_or(0, Vec::len);
        let mut mean = vec![0.0; dims];
        for row in rows {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        let n = rows.len().max(1) as f32;
        mean.iter_mut().for_each(|m| *m /= n);
        mean
    }

    /// How different the beat before beat `i` sounds from the beat after it (0 = the same).
    fn spectral_change(&self, beats: &[usize], i: usize) -> f64 {
        let (Some(prev), Some(next)) = (
            i.checked_sub(1).map(|p| beats[p]),
            beats.get(i + 1).copied(),
        ) else {
            return 0.0;
        };
        cosine_distance(
            &self.mean_coarse(prev, beats[i]),
            &self.mean_coarse(beats[i], next),
        )
    }
}

/// 1 − the cosine similarity of two spectra (0 when either is silent).
fn cosine_distance(a: &[f32], b: &[f32]) -> f64 {
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

/// The largest value within `radius` frames of `at`.
fn window_max(values: &[f32], at: usize, radius: usize) -> f64 {
    let lo = at.saturating_sub(radius);
    let hi = (at + radius + 1).min(values.len());
    values[lo.min(hi)..hi]
        .iter()
        .copied()
        .fold(0.0f32, f32::max)
        .into()
}

/// Linear RMS over `start_s..end_s` from the loudness envelope.
fn mean_rms(loudness_db: &[f32], start_s: f64, end_s: f64) -> f64 {
    let step = crate::waveform::LOUDNESS_STEP_S;
    let lo = ((start_s / step) as usize).min(loudness_db.len());
    let hi = ((end_s / step).ceil() as usize).clamp(lo, loudness_db.len());
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

/// `t` moved by octaves (×2, ×½) to lie closest to `reference`.
fn nearest_octave(t: Tempo, reference: Tempo) -> Tempo {
    let mut best = t;
    for factor in [0.5, 2.0] {
        let candidate = Tempo {
            bpm: t.bpm * factor,
            period: t.period / factor,
            confidence: t.confidence,
        };
        if (candidate.bpm / reference.bpm).ln().abs() < (best.bpm / reference.bpm).ln().abs() {
            best = candidate;
        }
    }
    best
}

/// The beat period at `time` from the curve, linearly between its points.
fn interpolate_period(curve: &[(f64, Tempo)], time: f64) -> f64 {
    match curve.iter().position(|(t, _)| *t >= time) {
        Some(0) => curve[0].1.period,
        Some(i) => {
            let (t0, a) = curve[i - 1];
            let (t1, b) = curve[i];
            let x = ((time - t0) / (t1 - t0).max(1e-9)).clamp(0.0, 1.0);
            a.period + (b.period - a.period) * x
        }
        None => curve.last().map_or(1.0, |(_, t)| t.period),
    }
}
