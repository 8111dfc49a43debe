//! Song analysis as a pipeline of small, named processors, each testable alone (after madmom):
//! decode (signal) → spectrogram (frames, log-filtered bands) → activation (BeatNet's beat and
//! downbeat networks) → dbn (bar-pointer HMM: beats, downbeats, meter) → tempo → sections
//! (novelty over bars), plus the waveform the app draws, and the user's overrides on top. Pure
//! computation: no Venice, jobs or UI. Samples stream through; memory follows the analysis, not
//! the file.

mod accents;
mod activation;
mod analysis;
pub mod beat_this;
mod dbn;
mod decode;
mod error;
mod overrides;
mod priming;
mod pulse;
mod sections;
mod spectrogram;
mod tempo;
mod waveform;

pub use analysis::{Analysis, TempoPoint, UNSURE, analyze, analyze_samples};
pub use decode::{ANALYSIS_RATE, DecodeOptions, MAX_SECONDS, SongInfo, Tags, decode};
pub use error::Error;
pub use overrides::{
    BEATS_PER_BAR_RANGE, BPM_RANGE, Overrides, SectionLabel, TapTempo, apply, tap_tempo,
};
pub use sections::Section;
