//! The crate's one error type: what happened, and what the user can do about it.

use std::path::PathBuf;

/// Everything that can go wrong finding ffmpeg, probing, grabbing frames or rendering.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Neither the configured path nor PATH has an ffmpeg.
    #[error(
        "ffmpeg was not found ({looked}): install it with {install}, or set its path in the settings"
    )]
    FfmpegMissing {
        looked: String,
        install: &'static str,
    },

    /// The ffmpeg found is older than the filters the render uses.
    #[error(
        "ffmpeg {found} is too old: the studio needs {needed} or newer; install it with {install}, or set the path of a newer one in the settings"
    )]
    FfmpegTooOld {
        found: String,
        needed: &'static str,
        install: &'static str,
    },

    /// The program is there but `-version` did not answer like ffmpeg.
    #[error(
        "{path} does not work as ffmpeg ({why}): install ffmpeg with {install}, or fix its path in the settings"
    )]
    FfmpegUnusable {
        path: PathBuf,
        why: String,
        install: &'static str,
    },

    /// A file could not be read as media by ffprobe.
    #[error("could not read {path} as audio or video: {why}")]
    Probe { path: PathBuf, why: String },

    /// A file that should hold a video holds none.
    #[error("{path} has no video stream: pick another clip")]
    NoVideo { path: PathBuf },

    /// Shots of the plan have no clip, and gaps were not to be filled: their indexes (from 0) in
    /// the plan. The message numbers them from 1, as the user sees them.
    #[error(
        "{} no clip: generate them, pick a version for each, or render with gaps filled",
        shot_list(.0)
    )]
    MissingShots(Vec<usize>),

    /// A shot's clip file is not where the plan says.
    #[error("shot {} uses {path}, which is not there any more: regenerate the shot or pick another version", .shot + 1)]
    ClipGone { shot: usize, path: PathBuf },

    /// The render plan itself is wrong (the studio's fault, not the user's).
    #[error("the render plan is invalid: {0}")]
    BadPlan(String),

    /// ffmpeg ran and failed.
    #[error("ffmpeg failed to {what}: {stderr}")]
    Ffmpeg { what: String, stderr: String },

    /// The user cancelled the render; nothing was left at the output path.
    #[error("the render was cancelled; nothing was written")]
    Cancelled,

    /// A file or folder could not be written, read or moved.
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

fn shot_list(shots: &[usize]) -> String {
    let numbers: Vec<String> = shots.iter().map(|s| (s + 1).to_string()).collect();
    match numbers.as_slice() {
        [one] => format!("shot {one} has"),
        _ => format!("shots {} have", numbers.join(", ")),
    }
}

impl Error {
    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            what,
            path: path.into(),
            source,
        }
    }
}
