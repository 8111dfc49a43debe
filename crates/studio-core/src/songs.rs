//! Songs the user brings: analysed once (tempo, beats, bars, sections, waveform) and cached by
//! the audio file's content hash, so opening the same song again (under any name) is instant. The
//! user's corrections (tempo, downbeat, sections) are kept beside it under the same hash, in a
//! file of their own, so a new analysis keeps them.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
pub use song::{Analysis, Overrides, Section, SectionLabel, TapTempo};

use crate::Error;
use crate::config::StudioPaths;

mod check;
pub use check::MAX_SONG_BYTES;

/// Bumped when the analysis changes, so older cached results are not reused.
const ANALYSIS_VERSION: u32 = 3;

/// An analysis and where it came from.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SongAnalysis {
    /// The audio's SHA-256, the song's identity.
    pub content_hash: String,
    /// True when it came from the cache.
    pub cached: bool,
    /// The user's corrections, already applied to `analysis` (empty when there are none).
    pub overrides: Overrides,
    /// The analysis as the user sees it: overrides applied.
    #[serde(flatten)]
    pub analysis: Analysis,
}

impl StudioPaths {
    /// Where analysed songs are cached.
    pub fn song_cache(&self) -> PathBuf {
        self.data_dir.join("songs")
    }
}

/// Analyses `file` (or reads the cached analysis of the same audio), with the user's overrides
/// applied. Blocking: decoding and analysis take a second or so per few minutes of music; call it
/// off the async runtime.
pub fn analyze(paths: &StudioPaths, file: &Path) -> Result<SongAnalysis, Error> {
    let (content_hash, analysis, cached) = raw(paths, file)?;
    let overrides = read_overrides(paths, &content_hash)?;
    Ok(SongAnalysis {
        analysis: song::apply(&analysis, &overrides),
        content_hash,
        cached,
        overrides,
    })
}

/// The analysis of the song whose content hash is known (a project keeps it), with the user's
/// overrides applied, from the cache without reading `file`; `file` is analysed (and hashed)
/// only when the cache has no analysis under `content_hash`. Blocking.
pub fn analyze_known(
    paths: &StudioPaths,
    file: &Path,
    content_hash: &str,
) -> Result<SongAnalysis, Error> {
    let Some(analysis) = cached(paths, content_hash) else {
        return analyze(paths, file);
    };
    let overrides = read_overrides(paths, content_hash)?;
    Ok(SongAnalysis {
        analysis: song::apply(&analysis, &overrides),
        content_hash: content_hash.to_string(),
        cached: true,
        overrides,
    })
}

/// Changes the song's overrides with `edit` (given them and the analysis as the user sees it),
/// checks and saves them, and returns the analysis with them applied and what `edit` returned.
/// Nothing is saved when `edit` or the check fails.
pub fn edit_overrides<T>(
    paths: &StudioPaths,
    file: &Path,
    edit: impl FnOnce(&mut Overrides, &Analysis) -> Result<T, song::Error>,
) -> Result<(SongAnalysis, T), Error> {
    let (content_hash, analysis, cached) = raw(paths, file)?;
    let mut overrides = read_overrides(paths, &content_hash)?;
    let current = song::apply(&analysis, &overrides);
    let value = edit(&mut overrides, &current)?;
    overrides.validate(analysis.duration_s)?;
    let path = overrides_path(paths, &content_hash);
    write_json(&path, &overrides).map_err(|source| Error::Io {
        action: "save the song's edits to",
        path,
        source,
    })?;
    let song = SongAnalysis {
        analysis: song::apply(&analysis, &overrides),
        content_hash,
        cached,
        overrides,
    };
    Ok((song, value))
}

/// Replaces the song's overrides.
pub fn set_overrides(
    paths: &StudioPaths,
    file: &Path,
    overrides: Overrides,
) -> Result<SongAnalysis, Error> {
    edit_overrides(paths, file, |o, _| {
        *o = overrides;
        Ok(())
    })
    .map(|(song, ())| song)
}

/// Forgets the song's overrides (a damaged overrides file too): back to the analysis as found.
pub fn clear_overrides(paths: &StudioPaths, file: &Path) -> Result<SongAnalysis, Error> {
    let (content_hash, analysis, cached) = raw(paths, file)?;
    let path = overrides_path(paths, &content_hash);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::Io {
                action: "remove the song's edits at",
                path,
                source: e,
            });
        }
        _ => {}
    }
    Ok(SongAnalysis {
        content_hash,
        cached,
        overrides: Overrides::default(),
        analysis,
    })
}

/// The content hash, the analysis as found (cached or made now) and whether it was cached.
fn raw(paths: &StudioPaths, file: &Path) -> Result<(String, Analysis, bool), Error> {
    let content_hash = hash(file)?;
    if let Some(analysis) = cached(paths, &content_hash) {
        return Ok((content_hash, analysis, true));
    }
    let analysis = song::analyze(file)?;
    if let Err(error) = write_json(&cache_path(paths, &content_hash), &analysis) {
        tracing::warn!(%error, "could not cache the song analysis");
    }
    Ok((content_hash, analysis, false))
}

fn cache_path(paths: &StudioPaths, content_hash: &str) -> PathBuf {
    paths
        .song_cache()
        .join(format!("{content_hash}-v{ANALYSIS_VERSION}.json"))
}

/// The analysis cached under the hash, if there is a readable one of this analysis version.
fn cached(paths: &StudioPaths, content_hash: &str) -> Option<Analysis> {
    let text = std::fs::read_to_string(cache_path(paths, content_hash)).ok()?;
    serde_json::from_str(&text).ok()
}

fn overrides_path(paths: &StudioPaths, content_hash: &str) -> PathBuf {
    paths
        .song_cache()
        .join(format!("{content_hash}-overrides.json"))
}

/// The song's overrides (none when it has no file).
fn read_overrides(paths: &StudioPaths, content_hash: &str) -> Result<Overrides, Error> {
    let path = overrides_path(paths, content_hash);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Overrides::default()),
        Err(source) => {
            return Err(Error::Io {
                action: "read the song's edits from",
                path,
                source,
            });
        }
    };
    serde_json::from_str(&text).map_err(|e| Error::SongOverrides {
        path,
        why: e.to_string(),
    })
}

/// The audio file's SHA-256, once [`check::open`] has found it a song-sized regular file that
/// starts like audio. Reads at most [`MAX_SONG_BYTES`], even if the file grows meanwhile.
fn hash(file: &Path) -> Result<String, Error> {
    let io = |source| Error::Io {
        action: "read",
        path: file.to_path_buf(),
        source,
    };
    let (handle, _) = check::open(file)?;
    let mut reader = handle.take(MAX_SONG_BYTES + 1);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buffer).map_err(io)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buffer[..n]);
    }
    if total > MAX_SONG_BYTES {
        return Err(Error::BadSongFile {
            path: file.to_path_buf(),
            why: format!(
                "it grew past {} GiB while it was read, the most the studio takes",
                MAX_SONG_BYTES >> 30
            ),
        });
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Writes `value` as JSON to `path` whole or not at all (a temp file beside it, renamed).
fn write_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(tmp.as_file_mut(), value).map_err(std::io::Error::other)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests;
