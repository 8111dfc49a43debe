//! The files the webview may have the shell read or send to Venice: those the Rust-side Open
//! dialog returned in this app run, reference images already saved with a project, and files in
//! the library (the media folder, songs, thumbnails). A path the webview names itself is refused,
//! so a script in the page cannot read or upload the user's files by naming them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use studio_api::UiError;
use studio_core::Studio;

use crate::error::{blocking, from_core, invalid};

/// The files the dialogs returned in this run, links resolved.
#[derive(Debug, Default)]
pub struct PickedFiles(Mutex<HashSet<PathBuf>>);

impl PickedFiles {
    /// Remembers a file the Open dialog returned, as [`real`] gives it.
    pub fn remember(&self, real: PathBuf) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(real);
    }

    fn contains(&self, real: &Path) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(real)
    }
}

/// `path` with links resolved (as given when it does not exist). Blocking: call it off the async
/// workers.
pub fn real(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Ok when the webview may have `path` read: picked in the dialog in this run, in the library,
/// or a reference saved with a project; otherwise the `{code, message}` that says to choose it.
pub async fn check(picked: &PickedFiles, studio: &Studio, path: &Path) -> Result<(), UiError> {
    let library = studio.paths().clone();
    let asked = path.to_path_buf();
    let (key, in_library) = blocking(move || {
        let key = real(&asked);
        let in_library = [
            library.media_dir.clone(),
            library.song_cache(),
            library.thumbnails(),
        ]
        .iter()
        .any(|folder| key.starts_with(real(folder)));
        Ok((key, in_library))
    })
    .await?;
    if in_library || picked.contains(&key) {
        return Ok(());
    }
    // Saved with a project once it was picked (in an earlier run, say).
    let references: Vec<PathBuf> = studio
        .projects()
        .await
        .map_err(from_core)?
        .into_iter()
        .flat_map(|p| p.settings.references)
        .collect();
    let wanted = key.clone();
    let saved = blocking(move || Ok(references.iter().any(|r| real(r) == wanted))).await?;
    if saved {
        return Ok(());
    }
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Err(invalid(format!(
        "The studio only opens files you pick with its Choose… button: choose {name} there."
    )))
}
