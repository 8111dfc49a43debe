//! Dragging a finished video out of the window onto the desktop or into another app. The native
//! drag starts here, on the Rust side, with the library's own file: the webview names a job, never
//! a path, so it cannot offer any other file on the disk to another app.

use std::path::PathBuf;

use studio_api::UiError;
use tauri::{Runtime, Window};

use crate::error::internal;

/// The drag image for videos without a thumbnail: a 32×32 film frame.
const ICON: &[u8] = include_bytes!("../drag-icon.png");

/// Starts dragging `file` (shown as `thumbnail` when there is one) from `window`.
pub async fn start<R: Runtime>(
    window: &Window<R>,
    file: PathBuf,
    thumbnail: Option<PathBuf>,
) -> Result<(), UiError> {
    let image = match thumbnail.filter(|t| t.is_file()) {
        Some(path) => drag::Image::File(path),
        None => drag::Image::Raw(ICON.to_vec()),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let target = window.clone();
    window
        .run_on_main_thread(move || {
            #[cfg(target_os = "linux")]
            let native = target.gtk_window();
            #[cfg(not(target_os = "linux"))]
            let native = tauri::Result::Ok(target.clone());
            let started = match native {
                Ok(native) => drag::start_drag(
                    &native,
                    drag::DragItem::Files(vec![file]),
                    image,
                    |_, _| {},
                    drag::Options::default(),
                )
                .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(started);
        })
        .map_err(|e| internal("start dragging the video", e))?;
    match rx.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(internal("start dragging the video", e)),
        Err(_) => Err(internal("start dragging the video", "the window went away")),
    }
}
