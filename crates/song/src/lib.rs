//! Song analysis, one small processor per stage (signal → frames → spectrogram → onset activation
//! → tempo → beats → downbeats → sections). This first stage turns any song file into a mono
//! stream of samples at the analysis rate, in chunks, so memory follows the analysis, not the file.

mod decode;
mod error;
mod priming;

pub use decode::{ANALYSIS_RATE, DecodeOptions, MAX_SECONDS, SongInfo, Tags, decode};
pub use error::Error;
