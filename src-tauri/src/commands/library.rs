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

/// A library video by the id the webview names: a job's, or a music video's (a render's).
struct LibraryVideo {
    path: PathBuf,
    thumbnail: Option<PathBuf>,
}

async fn library_video(state: &AppState, id: &str) -> Result<LibraryVideo, UiError> {
    let (studio, _) = state.studio().await?;
    match studio.job_async(id).await {
        Ok(job) => job
            .media
            .map(|m| LibraryVideo {
                path: m.path,
                thumbnail: m.thumbnail,
            })
            .ok_or_else(|| from_core(studio_core::Error::NoVideo(job.id))),
        Err(studio_core::Error::JobNotFound(e)) => match studio.render_row(id).await {
            Ok(Some(render)) => Ok(LibraryVideo {
                path: PathBuf::from(render.path),
                thumbnail: render.thumbnail_path.map(PathBuf::from),
            }),
            Ok(None) => Err(from_core(studio_core::Error::JobNotFound(e))),
            Err(e) => Err(from_core(e)),
        },
        Err(e) => Err(from_core(e)),
    }
}

async fn video_path(state: &AppState, id: &str) -> Result<PathBuf, UiError> {
    library_video(state, id).await.map(|v| v.path)
}

#[tauri::command]
pub async fn delete_video(state: State<'_, AppState>, id: String) -> Result<(), UiError> {
    let (studio, _) = state.studio().await?;
    if studio.render_row(&id).await.map_err(from_core)?.is_some() {
        return studio.delete_render(&id).await.map_err(from_core);
    }
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
    if studio.job_async(&id).await.is_err() {
        // A music video: copied whole to a temp file beside the destination, then renamed.
        tauri::async_runtime::spawn_blocking(move || copy_whole(&source, &destination))
            .await
            .map_err(|e| internal("save the video", e))??;
        return Ok(Some(saved));
    }
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
    let media = library_video(&state, &id).await?;
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

/// Copies `source` to `destination` whole or not at all.
fn copy_whole(source: &std::path::Path, destination: &std::path::Path) -> Result<(), UiError> {
    let io = |e: std::io::Error| {
        UiError::new(
            studio_api::ErrorCode::Io,
            format!("Could not save the video to {}: {e}.", destination.display()),
        )
    };
    if source == destination {
        return Ok(());
    }
    let mut part = destination.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let copied = std::fs::copy(source, &part).and_then(|_| std::fs::rename(&part, destination));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&part);
        return Err(io(e));
    }
    Ok(())
}
