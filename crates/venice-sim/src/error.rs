//! `SimError`: the crate's one error type (start-up, control API and fixture problems).

/// Everything that can go wrong inside the sim itself (not the HTTP errors it serves on purpose).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Binding or serving the TCP socket failed.
    #[error(
        "venice-sim could not listen on 127.0.0.1:{port}: {source} (is the port already in use?)"
    )]
    Bind {
        /// The port that was asked for (0 = any).
        port: u16,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A bundled model list is not valid JSON (a broken fixture file).
    #[error("venice-sim's bundled model list {name} is broken: {message}")]
    Fixture {
        /// The fixture's file name.
        name: &'static str,
        /// The parse error.
        message: String,
    },
    /// ffmpeg could not be started to make a clip.
    #[error(
        "venice-sim could not run ffmpeg ({}) to make a clip: {source} (install ffmpeg, e.g. `cargo xtask setup`, or set ClipConfig::ffmpeg)",
        path.display()
    )]
    FfmpegMissing {
        /// The program that was run.
        path: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// ffmpeg ran but did not make the clip.
    #[error("venice-sim's ffmpeg failed to make a clip ({status}): {stderr}")]
    FfmpegFailed {
        /// Its exit status.
        status: String,
        /// The start of what it printed.
        stderr: String,
    },
    /// The clip cache folder could not be written or read.
    #[error(
        "venice-sim could not use its clip cache {}: {source} (check the folder is writable or set ClipConfig::cache_dir)",
        dir.display()
    )]
    ClipCache {
        /// The cache folder.
        dir: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A `/_sim/faults` body could not be understood.
    #[error("bad fault request: {0}")]
    BadFaultRequest(String),
}

impl From<SimError> for std::io::Error {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Bind { source, .. } => source,
            other => std::io::Error::other(other),
        }
    }
}
