//! The native folder and file dialogs, opened on the Rust side so a path never comes from the
//! webview. Under `tauri::test`'s mock runtime there is no window system: tests manage a
//! [`FolderDialogAnswer`] and the dialogs answer with it instead of opening.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Tests only: what the next dialog answers (`None`: cancelled), instead of opening it.
#[derive(Debug, Default)]
pub struct FolderDialogAnswer(pub Mutex<Option<PathBuf>>);

/// Asks the user for a folder, starting in `start`. `None` when cancelled.
pub async fn pick<R: Runtime>(app: &AppHandle<R>, title: &str, start: &Path) -> Option<PathBuf> {
    if let Some(answer) = app.try_state::<FolderDialogAnswer>() {
        return answer.0.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(title);
    if start.is_dir() {
        dialog = dialog.set_directory(start);
    }
    dialog.pick_folder(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// Asks the user for one file of the given extensions, starting in `start` when it is a folder.
/// `None` when cancelled.
pub async fn pick_file<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    filter: &str,
    extensions: &[&str],
    start: Option<PathBuf>,
) -> Option<PathBuf> {
    if let Some(answer) = app.try_state::<FolderDialogAnswer>() {
        return answer.0.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title(title)
        .add_filter(filter, extensions);
    if let Some(start) = start.filter(|s| s.is_dir()) {
        dialog = dialog.set_directory(start);
    }
    dialog.pick_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}
