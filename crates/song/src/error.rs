//! The one error type of the song crate: which file, what is wrong with it, what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Could not open {}: {source}.", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not an audio file the studio can read ({why}). Use an MP3, WAV, FLAC, Ogg Vorbis or M4A/AAC file.", path.display())]
    NotAudio { path: PathBuf, why: String },
    #[error("{} has no audio track. Pick the song's audio file.", path.display())]
    NoAudioTrack { path: PathBuf },
    #[error("{} holds no sound: it decodes to nothing. Pick the song's audio file.", path.display())]
    Empty { path: PathBuf },
    #[error("{} is cut short: it says it lasts {expected_s:.1} s but only {got_s:.1} s could be read. Copy or export the song again.", path.display())]
    Truncated {
        path: PathBuf,
        expected_s: f64,
        got_s: f64,
    },
    #[error("{} is too long: {seconds:.0} s, and the studio analyses songs up to {cap_s:.0} s.", path.display())]
    TooLong {
        path: PathBuf,
        seconds: f64,
        cap_s: f64,
    },
    #[error("{} could not be decoded ({why}). The file may be damaged; export it again.", path.display())]
    Decode { path: PathBuf, why: String },
    /// A user's correction of the analysis that cannot be used: what is wrong, then what to do.
    #[error("{problem} {fix}")]
    Override { problem: String, fix: String },
    #[error(
        "The beat analysis could not run ({why}). This is a fault in the studio, not in your song; please report it."
    )]
    Model { why: String },
}
