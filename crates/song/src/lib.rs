//! Song analysis as a pipeline of small, named processors, each testable alone (after aubio and
//! madmom): decode (signal) → spectrogram (frames, log-filtered bands) → onset (spectral flux) →
//! tempo (autocorrelation with a prior) → beats (dynamic programme) → downbeats (meter and bar
//! phase) → sections (novelty over bars), plus the waveform the app draws. Pure computation: no
//! Venice, jobs or UI. Samples stream through; memory follows the analysis, not the file.

mod analysis;
mod beats;
mod decode;
mod downbeats;
mod error;
mod onset;
mod overrides;
mod priming;
mod sections;
mod spectrogram;
mod tempo;
mod waveform;

pub use analysis::{Analysis, TempoPoint, analyze, analyze_samples};
pub use decode::{ANALYSIS_RATE, DecodeOptions, MAX_SECONDS, SongInfo, Tags, decode};
pub use error::Error;
pub use overrides::{
    BEATS_PER_BAR_RANGE, BPM_RANGE, Overrides, SectionLabel, TapTempo, apply, tap_tempo,
};
pub use sections::Section;
