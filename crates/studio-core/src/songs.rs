//! Songs the user brings: analysed once (tempo, beats, bars, sections, waveform) and cached by
//! the audio file's content hash, so opening the same song again (under any name) is instant.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use song::Analysis;

use crate::Error;
use crate::config::StudioPaths;

/// Bumped when the analysis changes, so older cached results are not reused.
const ANALYSIS_VERSION: u32 = 1;

/// An analysis and where it came from.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SongAnalysis {
    /// The audio's SHA-256, the song's identity.
    pub content_hash: String,
    /// True when it came from the cache.
    pub cached: bool,
    #[serde(flatten)]
    pub analysis: Analysis,
}

impl StudioPaths {
    /// Where analysed songs are cached.
    pub fn song_cache(&self) -> PathBuf {
        self.data_dir.join("songs")
    }
}

/// Analyses `file` (or reads the cached analysis of the same audio). Blocking: decoding and
/// analysis take a second or so per few minutes of music; call it off the async runtime.
pub fn analyze(paths: &StudioPaths, file: &Path) -> Result<SongAnalysis, Error> {
    let content_hash = hash(file)?;
    let cache = paths
        .song_cache()
        .join(format!("{content_hash}-v{ANALYSIS_VERSION}.json"));
    if let Ok(text) = std::fs::read_to_string(&cache)
        && let Ok(analysis) = serde_json::from_str::<Analysis>(&text)
    {
        return Ok(SongAnalysis {
            content_hash,
            cached: true,
            analysis,
        });
    }
    let analysis = song::analyze(file)?;
    if let Err(error) = write_cache(&cache, &analysis) {
        tracing::warn!(%error, "could not cache the song analysis");
    }
    Ok(SongAnalysis {
        content_hash,
        cached: false,
        analysis,
    })
}

fn hash(file: &Path) -> Result<String, Error> {
    let io = |source| Error::Io {
        action: "read",
        path: file.to_path_buf(),
        source,
    };
    let mut reader = std::fs::File::open(file).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buffer).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn write_cache(path: &Path, analysis: &Analysis) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(tmp.as_file_mut(), analysis).map_err(std::io::Error::other)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
