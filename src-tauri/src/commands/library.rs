//! The gallery's actions: save a copy (with the native Save dialog on the Rust side), reveal in
//! the file manager, drag out of the window, delete. The webview names a job; the file's path is
//! looked up here, so none of these reach a file outside the library.

use std::path::PathBuf;

use studio_api::UiError;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use crate::engine::AppState;
use crate::error::{blocking, from_core, internal};

async fn video_path(state: &AppState, id: &str) -> Result<PathBuf, UiError> {
    let (studio, _) = state.studio().await?;
    let job = studio.job(id).map_err(from_core)?;
    job.media
        .map(|m| m.path)
        .ok_or_else(|| from_core(studio_core::Error::NoVideo(job.id)))
}

#[tauri::command]
pub async fn delete_video(state: State<'_, AppState>, id: String) -> Result<(), UiError> {
    let (studio, _) = state.studio().await?;
    blocking(move || studio.delete_video(&id)).await?;
    Ok(())
}

/// The native Save dialog, then a copy there. The saved path, or `None` when cancelled.
#[tauri::command]
pub async fn save_video_dialog<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<Option<String>, UiError> {
    let source = video_path(&state, &id).await?;
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "video.mp4".to_string());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Save the video as")
        .set_file_name(name)
        .add_filter("MP4 video", &["mp4"]);
    if let Ok(videos) = tauri::Manager::path(&app).video_dir() {
        dialog = dialog.set_directory(videos);
    }
    dialog.save_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    let Some(mut destination) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    if destination.extension().is_none() {
        destination.set_extension("mp4");
    }
    let (studio, _) = state.studio().await?;
    let saved = destination.to_string_lossy().into_owned();
    blocking(move || studio.save_copy(&id, &destination)).await?;
    Ok(Some(saved))
}

/// Shows the video in the system's file manager.
#[tauri::command]
pub async fn reveal_video<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<(), UiError> {
    let path = video_path(&state, &id).await?;
    if !path.exists() {
        return Err(UiError::new(
            studio_api::ErrorCode::NotFound,
            format!("The video file {} is no longer there.", path.display()),
        ));
    }
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| internal("show the video in the file manager", e))
}

/// Starts dragging the job's video file out of the window (its thumbnail as the drag image).
#[tauri::command]
pub async fn drag_video<R: Runtime>(
    window: tauri::Window<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<(), UiError> {
    let (studio, _) = state.studio().await?;
    let job = studio.job(&id).map_err(from_core)?;
    let media = job
        .media
        .ok_or_else(|| from_core(studio_core::Error::NoVideo(job.id)))?;
    if !media.path.is_file() {
        return Err(UiError::new(
            studio_api::ErrorCode::NotFound,
            format!(
                "The video file {} is no longer there.",
                media.path.display()
            ),
        ));
    }
    crate::drag::start(&window, media.path, media.thumbnail).await
}
