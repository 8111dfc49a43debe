//! The demo song ("Neon Run (demo)", 41.5 s, 120 BPM, CC0 1.0; made by
//! `assets/demo-song/make_demo_song.py`), built into the app so "Try the demo" can make a whole
//! music video with no file of the user's own.

use std::path::{Path, PathBuf};

use studio_api::UiError;

const SONG: &[u8] = include_bytes!("../../assets/demo-song/demo-song.ogg");
/// The file's name (its title is also in its tags).
pub const FILE_NAME: &str = "Neon Run (demo).ogg";

/// Writes the song into `dir` (once; again if the copy there differs) and returns its path.
pub fn write(dir: &Path) -> Result<PathBuf, UiError> {
    let path = dir.join(FILE_NAME);
    let same = std::fs::metadata(&path).is_ok_and(|m| m.len() == SONG.len() as u64);
    if !same {
        let io = |e: std::io::Error| {
            UiError::new(
                studio_api::ErrorCode::Io,
                format!("Could not write the demo song to {}: {e}.", path.display()),
            )
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = dir.join(format!(".{FILE_NAME}.part"));
        std::fs::write(&tmp, SONG).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
    }
    Ok(path)
}
