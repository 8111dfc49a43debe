//! The whole pipeline: samples stream through the framer and spectrogram into the beat networks
//! (keeping only their activation, a coarse spectrogram for bars, and the waveform), then the
//! bar-pointer decoder gives beats, downbeats and meter, and tempo and sections follow from them.
//! Memory is a few values per 20 ms frame.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::accents::{self, BeatSound};
use crate::activation::BeatActivation;
use crate::decode::{DecodeOptions, Tags, decode};
use crate::pulse::{self, Evidence, Move};
use crate::sections::{Bar, Section, sections};
use crate::spectrogram::band_edges;
use crate::spectrogram::{Framer, RATE, Spectrogram, fps};
use crate::waveform::{LOUDNESS_STEP_S, Waveform, mean_rms};
use crate::{Error, SongInfo, dbn, tempo};

/// Frames averaged into one row of the coarse spectrogram kept for bars (0.1 s).
const COARSE: usize = 5;
/// The meters the decoder chooses between.
const METERS: [usize; 2] = [3, 4];
/// A beat confidence below this is worth a tap along from the user.
pub const UNSURE: f64 = 0.5;

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
    /// How sure the analysis is of the beats (0–1): how clearly they stand out from what lies
    /// between them and how steady they are. Below [`UNSURE`] the app asks the user to tap.
    #[serde(default)]
    pub beat_confidence: f64,
    /// How long the analysis took, decoding included.
    pub analysis_ms: u64,
}

/// Decodes and analyses a song file.
pub fn analyze(path: &Path) -> Result<Analysis, Error> {
    let started = Instant::now();
    let options = DecodeOptions::default();
    let mut analyzer = Analyzer::new(options.rate)?;
    let mut failed = None;
    let info = decode(path, &options, |chunk| {
        if failed.is_none()
            && let Err(error) = analyzer.push(chunk)
        {
            failed = Some(error);
        }
    })?;
    if let Some(error) = failed {
        return Err(error);
    }
    let mut analysis = analyzer.finish(&info)?;
    analysis.analysis_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(analysis)
}

/// Analyses mono samples at 22 050 Hz (tests, synthesized songs).
pub fn analyze_samples(samples: &[f32], rate: u32) -> Result<Analysis, Error> {
    let mut analyzer = Analyzer::new(rate)?;
    for chunk in samples.chunks(4096) {
        analyzer.push(chunk)?;
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
    framer: Option<Framer>,
    spectrogram: Spectrogram,
    activation: BeatActivation,
    bands: Vec<f32>,
    frames: usize,
    /// The first error of a frame, reported at the end.
    failed: Option<Error>,
    /// Rows of COARSE frames' average bands.
    coarse: Vec<Vec<f32>>,
    coarse_sum: Vec<f32>,
    coarse_frames: usize,
    waveform: Waveform,
    /// How many of the first bands are the bass and the kick.
    low_bands: usize,
    /// The low bands' loudness in the previous frame.
    low_before: f32,
    /// The rise of the low bands' loudness per frame.
    low_flux: Vec<f32>,
}

impl Analyzer {
    fn new(rate: u32) -> Result<Self, Error> {
        if rate != RATE {
            return Err(Error::Model {
                why: format!("the beat networks hear {RATE} Hz, not {rate} Hz"),
            });
        }
        let spectrogram = Spectrogram::new();
        let bands = spectrogram.bands();
        Ok(Self {
            framer: Some(Framer::default()),
            spectrogram,
            activation: BeatActivation::new()?,
            bands: Vec::with_capacity(bands),
            frames: 0,
            failed: None,
            coarse: Vec::new(),
            coarse_sum: vec![0.0; bands],
            coarse_frames: 0,
            waveform: Waveform::new(rate),
            low_bands: low_bands(),
            low_before: 0.0,
            low_flux: Vec::new(),
        })
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), Error> {
        self.waveform.push(samples);
        if let Some(mut framer) = self.framer.take() {
            framer.push(samples, |frame| self.frame(frame));
            self.framer = Some(framer);
        }
        self.failed.take().map_or(Ok(()), Err)
    }

    fn frame(&mut self, frame: &[f32]) {
        let mut bands = std::mem::take(&mut self.bands);
        self.spectrogram.frame(frame, &mut bands);
        if let Err(error) = self.activation.push(&bands)
            && self.failed.is_none()
        {
            self.failed = Some(error);
        }
        self.frames += 1;
        let low: f32 = bands.iter().take(self.low_bands).sum();
        self.low_flux.push((low - self.low_before).max(0.0));
        self.low_before = low;
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

    fn finish(mut self, info: &SongInfo) -> Result<Analysis, Error> {
        if let Some(framer) = self.framer.take() {
            framer.finish(|frame| self.frame(frame));
        }
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        self.flush_coarse();
        let fps = fps();
        let (peaks, loudness_db) =
            std::mem::replace(&mut self.waveform, Waveform::new(RATE)).finish();
        let activation =
            std::mem::replace(&mut self.activation, BeatActivation::new()?).finish()?;
        let duration_s = info.duration_s;
        let whole_song = vec![Section {
            start_s: 0.0,
            end_s: duration_s,
            label: "A".into(),
            energy: 1.0,
        }];
        let mut analysis = Analysis {
            duration_s,
            tempo_bpm: 0.0,
            tempo_curve: Vec::new(),
            beats_per_bar: 4,
            beats: Vec::new(),
            downbeats: Vec::new(),
            sections: whole_song,
            loudness_db,
            peaks,
            tags: info.tags.clone(),
            beat_confidence: 0.0,
            analysis_ms: 0,
        };
        let Some(decoded) = dbn::decode(&activation, fps, &METERS) else {
            return Ok(analysis);
        };
        let decoded = trim_edges(decoded, &activation, &analysis.loudness_db, fps);
        let (decoded, confidence) = self.settle_pulse(decoded, &activation, fps);
        analysis.beat_confidence = confidence;
        let decoded = self.settle_bars(decoded, &activation, &analysis.loudness_db, fps);
        let beats: Vec<f64> = decoded
            .beats
            .iter()
            .map(|f| refine(&activation, *f) / fps)
            .collect();
        let downbeats: Vec<f64> = beats
            .iter()
            .zip(&decoded.numbers)
            .filter(|(_, n)| **n == 0)
            .map(|(t, _)| *t)
            .collect();
        let downbeat_frames: Vec<usize> = decoded
            .beats
            .iter()
            .zip(&decoded.numbers)
            .filter(|(_, n)| **n == 0)
            .map(|(f, _)| *f)
            .collect();

        // Bars and sections.
        let bars: Vec<Bar> = downbeat_frames
            .iter()
            .enumerate()
            .map(|(k, &start)| {
                let end = downbeat_frames.get(k + 1).copied().unwrap_or(self.frames);
                let (start_s, end_s) = (start as f64 / fps, end as f64 / fps);
                Bar {
                    start_s,
                    end_s,
                    spectrum: self.mean_coarse(start, end),
                    rms: mean_rms(&analysis.loudness_db, start_s, end_s),
                }
            })
            .collect();
        if !bars.is_empty() {
            analysis.sections = sections(&bars, duration_s);
        }
        analysis.tempo_bpm = tempo::bpm(&beats).unwrap_or(0.0);
        analysis.tempo_curve = tempo::curve(&beats, analysis.tempo_bpm)
            .into_iter()
            .map(|(time_s, bpm)| TempoPoint { time_s, bpm })
            .collect();
        analysis.beats_per_bar = decoded.beats_per_bar;
        analysis.downbeats = downbeats;
        analysis.beats = beats;
        Ok(analysis)
    }

    /// The decoder's beats checked against where the bass and kick land (see [`pulse`]), and how
    /// sure the analysis is of them.
    fn settle_pulse(
        &self,
        mut decoded: dbn::Decoded,
        activation: &[[f32; 2]],
        fps: f64,
    ) -> (dbn::Decoded, f64) {
        let settled = pulse::settle(
            &decoded.beats,
            Evidence {
                activation,
                low_flux: &self.low_flux,
            },
            fps,
        );
        let meter = decoded.beats_per_bar.max(1);
        decoded.numbers = match settled.moved {
            Move::Kept => return (decoded, settled.confidence),
            // Each beat takes the place in the bar of the beat before it.
            Move::HalfBeat => decoded.numbers[..settled.beats.len()].to_vec(),
            // Bars counted again where the networks hear downbeats most (the bar settling that
            // follows may still place them by ear).
            Move::Doubled | Move::Halved => {
                let first = downbeat_phase(&settled.beats, activation, meter);
                (0..settled.beats.len())
                    .map(|i| (i + meter - first) % meter)
                    .collect()
            }
        };
        decoded.beats = settled.beats;
        (decoded, settled.confidence)
    }

    /// Where bars start: the network's downbeats, unless it heard none (a click track) or the
    /// beats' own sound marks other bars far more clearly (a kick on the first beat of three).
    fn settle_bars(
        &self,
        mut decoded: dbn::Decoded,
        activation: &[[f32; 2]],
        loudness_db: &[f32],
        fps: f64,
    ) -> dbn::Decoded {
        let beats = &decoded.beats;
        let sounds: Vec<BeatSound> = (0..beats.len())
            .map(|i| {
                let f = beats[i];
                let change = match (i.checked_sub(1).map(|p| beats[p]), beats.get(i + 1)) {
                    (Some(before), Some(&after)) => accents::cosine_distance(
                        &self.mean_coarse(before, f),
                        &self.mean_coarse(f, after),
                    ),
                    _ => 0.0,
                };
                BeatSound {
                    loudness_db: loudness_at(loudness_db, f as f64 / fps),
                    spectrum: self.mean_coarse(f.saturating_sub(1), f + COARSE),
                    change,
                }
            })
            .collect();
        let heard = downbeats_heard(&decoded, activation);
        if let Some(by_ear) = accents::meter(&sounds)
            && (!heard || by_ear.contrast >= CLEAR_ACCENTS)
        {
            let (beats_per_bar, first) = (by_ear.beats_per_bar, by_ear.first);
            decoded.beats_per_bar = beats_per_bar;
            decoded.numbers = (0..decoded.beats.len())
                .map(|i| (i + beats_per_bar - first % beats_per_bar) % beats_per_bar)
                .collect();
        }
        decoded
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
}

/// The network's downbeat probability is this many times higher on the bars' first beats than
/// on the others when it hears where bars start.
const DOWNBEAT_CONTRAST: f64 = 1.5;

/// Accents this clear (z-scores) place the bars even against the network.
const CLEAR_ACCENTS: f64 = 1.25;

/// Whether the network told downbeats from other beats (not so for a click track or a drum
/// loop whose every beat sounds like a downbeat to it).
fn downbeats_heard(decoded: &dbn::Decoded, activation: &[[f32; 2]]) -> bool {
    let (mut on, mut on_n, mut off, mut off_n) = (0.0, 0usize, 0.0, 0usize);
    for (f, n) in decoded.beats.iter().zip(&decoded.numbers) {
        let down = activation.get(*f).map_or(0.0, |a| f64::from(a[1]));
        if *n == 0 {
            on += down;
            on_n += 1;
        } else {
            off += down;
            off_n += 1;
        }
    }
    if on_n == 0 || off_n == 0 {
        return false;
    }
    on / on_n as f64 >= DOWNBEAT_CONTRAST * (off / off_n as f64)
}

/// How many of the filterbank's first bands lie below [`pulse::LOW_HZ`].
fn low_bands() -> usize {
    let bin_hz = f64::from(RATE) / (2 * (crate::spectrogram::FRAME >> 1)) as f64;
    band_edges()
        .iter()
        .take_while(|(_, centre, _)| *centre as f64 * bin_hz < pulse::LOW_HZ)
        .count()
}

/// Which of `meter` phases of `beats` the networks hear as downbeats most.
fn downbeat_phase(beats: &[usize], activation: &[[f32; 2]], meter: usize) -> usize {
    (0..meter)
        .map(|phase| {
            let heard: f64 = beats
                .iter()
                .skip(phase)
                .step_by(meter)
                .map(|f| activation.get(*f).map_or(0.0, |a| f64::from(a[1])))
                .sum();
            (phase, heard)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0, |(phase, _)| phase)
}

/// How beat-like a frame sounds: its beat and downbeat probabilities together.
fn strength(activation: &[[f32; 2]], frame: usize) -> f64 {
    activation
        .get(frame)
        .map_or(0.0, |a| f64::from(a[0]) + f64::from(a[1]))
}

/// A beat's frame refined between frames: the top of the parabola through its peak and the
/// frames either side (the 20 ms grid would otherwise cost up to 10 ms).
fn refine(activation: &[[f32; 2]], frame: usize) -> f64 {
    // The decoder picks the strongest frame inside its own beat window; the activation's peak
    // may sit just outside it. Climb to the peak (at most two frames) first.
    let mut frame = frame;
    for _ in 0..2 {
        let here = strength(activation, frame);
        if frame > 0 && strength(activation, frame - 1) > here {
            frame -= 1;
        } else if strength(activation, frame + 1) > here {
            frame += 1;
        } else {
            break;
        }
    }
    let at = frame as f64;
    if frame == 0 || frame + 1 >= activation.len() {
        return at;
    }
    let (before, peak, after) = (
        strength(activation, frame - 1),
        strength(activation, frame),
        strength(activation, frame + 1),
    );
    let curve = before - 2.0 * peak + after;
    if curve >= 0.0 || peak < before || peak < after {
        return at;
    }
    at + (0.5 * (before - after) / curve).clamp(-0.5, 0.5)
}

/// Beats at the very start or end in silence, or whose activation is far below the song's
/// typical beat, are dropped: the decoder carries its pulse on into fading tails and pre-roll
/// noise, where no one hears a beat.
const EDGE_BEAT: f64 = 0.4;
const SILENT_DB: f64 = -60.0;

fn trim_edges(
    mut decoded: dbn::Decoded,
    activation: &[[f32; 2]],
    loudness_db: &[f32],
    fps: f64,
) -> dbn::Decoded {
    let strengths: Vec<f64> = decoded
        .beats
        .iter()
        .map(|f| strength(activation, *f))
        .collect();
    let mut sorted = strengths.clone();
    sorted.sort_by(f64::total_cmp);
    let Some(median) = sorted.get(sorted.len() / 2).copied() else {
        return decoded;
    };
    let heard = |i: usize| {
        strengths[i] >= EDGE_BEAT * median
            && loudness_at(loudness_db, decoded.beats[i] as f64 / fps) >= SILENT_DB
    };
    let first = (0..strengths.len()).position(heard).unwrap_or(0);
    let last = (0..strengths.len()).rposition(heard).map_or(0, |i| i + 1);
    decoded.beats = decoded.beats[first..last].to_vec();
    decoded.numbers = decoded.numbers[first..last].to_vec();
    decoded
}

/// The loudness (dBFS) of a beat at `t`: the loudest tenth of a second from 20 ms before it to
/// 80 ms after (the beat's frame may sit a frame before its sound starts).
fn loudness_at(loudness_db: &[f32], t: f64) -> f64 {
    let rows =
        ((t - 0.02).max(0.0) / LOUDNESS_STEP_S) as usize..=((t + 0.08) / LOUDNESS_STEP_S) as usize;
    rows.filter_map(|r| loudness_db.get(r).copied())
        .fold(-100.0, f32::max)
        .into()
}
