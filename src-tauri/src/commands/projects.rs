//! Music videos: the song (picked in the Rust-side dialog, dropped on the window, or the bundled
//! demo song), projects (new, open, list, edit, rename, duplicate, delete), the whole price,
//! "Generate all" (in the background, carried on after a restart) and the render (progress on
//! `RENDER_EVENT`, a notification when done). Each command is one core call, plus the view.

use std::path::{Path, PathBuf};

use studio_api::{
    DeletedProjectView, ProjectForm, ProjectQuoteView, ProjectSettingsView, ProjectSummary,
    ProjectView, RENDER_EVENT, RenderEventView, RenderView, SongEditView, SongView,
    StoryboardEditView, UiError,
};
use studio_core::Studio;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::engine::AppState;
use crate::error::{from_core, invalid};
use crate::project_views as pv;
use crate::rendering::Renders;

/// The audio files the song dialog offers and a drop accepts.
pub const SONG_EXTENSIONS: [&str; 8] = ["mp3", "wav", "flac", "ogg", "oga", "m4a", "aac", "opus"];

/// The project as its screen shows it.
pub async fn view(studio: &Studio, id: &str) -> Result<ProjectView, UiError> {
    let status = studio.project_status(id).await.map_err(from_core)?;
    let song = studio
        .project_song(&status.project)
        .await
        .map_err(from_core)?;
    let renders = studio
        .project_renders(&status.project.id)
        .await
        .map_err(from_core)?;
    Ok(pv::project(&status, pv::song(&song), &renders))
}

/// The native Open dialog for a song; the picked path, `None` when cancelled.
#[tauri::command]
pub async fn pick_song<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>, UiError> {
    let picked = crate::folder_dialog::pick_file(
        &app,
        "Choose a song",
        "Audio (MP3, WAV, FLAC, Ogg, M4A, AAC, Opus)",
        &SONG_EXTENSIONS,
        app.path().audio_dir().ok(),
    )
    .await;
    Ok(picked.map(|p| p.to_string_lossy().into_owned()))
}

/// The bundled demo song, written out once to the app's folder.
#[tauri::command]
pub async fn demo_song(state: State<'_, AppState>) -> Result<String, UiError> {
    let dir = state.options.data_dir.join("demo-song");
    let path = tauri::async_runtime::spawn_blocking(move || crate::demo_song::write(&dir))
        .await
        .map_err(|e| crate::error::internal("write the demo song", e))??;
    Ok(path.to_string_lossy().into_owned())
}

/// Analyses a song (cached by content) and copies it into the library.
#[tauri::command]
pub async fn import_song(state: State<'_, AppState>, path: String) -> Result<SongView, UiError> {
    let path = PathBuf::from(path.trim());
    if path.as_os_str().is_empty() {
        return Err(invalid("Choose a song first."));
    }
    let known = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| SONG_EXTENSIONS.contains(&e.as_str()));
    if !known {
        return Err(invalid(format!(
            "{} is not a song file the studio reads: use MP3, WAV, FLAC, Ogg, M4A, AAC or Opus.",
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        )));
    }
    let (studio, _) = state.studio().await?;
    let song = studio.import_song(&path).await.map_err(from_core)?;
    Ok(pv::song(&song))
}

#[tauri::command]
pub async fn new_project(
    state: State<'_, AppState>,
    form: ProjectForm,
) -> Result<ProjectView, UiError> {
    if form.song_path.trim().is_empty() {
        return Err(invalid("Choose a song first."));
    }
    let (studio, _) = state.studio().await?;
    let name = form.name.filter(|n| !n.trim().is_empty());
    let settings = pv::core_settings(form.settings, None);
    references_picked(&state, &studio, &settings).await?;
    let project = studio
        .new_project(Path::new(form.song_path.trim()), settings, name)
        .await
        .map_err(from_core)?;
    view(&studio, &project.id).await
}

/// The project's reference images are uploaded to Venice: only files the user chose (in the
/// dialog, or saved with a project before) or in the library.
async fn references_picked(
    state: &AppState,
    studio: &Studio,
    settings: &studio_core::projects::ProjectSettings,
) -> Result<(), UiError> {
    for reference in &settings.references {
        crate::picked::check(&state.picked, studio, reference).await?;
    }
    Ok(())
}

#[tauri::command]
pub async fn list_projects(state: State<'_, AppState>) -> Result<Vec<ProjectSummary>, UiError> {
    let (studio, _) = state.studio().await?;
    let projects = studio.projects().await.map_err(from_core)?;
    let mut list = Vec::with_capacity(projects.len());
    for project in projects {
        match view(&studio, &project.id).await {
            Ok(v) => list.push(pv::summary(&v)),
            // One unreadable project (its song file gone) must not hide the others.
            Err(e) => {
                tracing::warn!(project = %project.id, "a project could not be read: {}", e.message)
            }
        }
    }
    Ok(list)
}

#[tauri::command]
pub async fn open_project(state: State<'_, AppState>, id: String) -> Result<ProjectView, UiError> {
    let (studio, _) = state.studio().await?;
    view(&studio, &id).await
}

#[tauri::command]
pub async fn quote_project(
    state: State<'_, AppState>,
    id: String,
) -> Result<ProjectQuoteView, UiError> {
    let (studio, _) = state.studio().await?;
    let project = studio.project(&id).await.map_err(from_core)?;
    let quote = studio.quote_project(&project.id).await.map_err(from_core)?;
    Ok(pv::quote(&project, &quote))
}

#[tauri::command]
pub async fn edit_storyboard(
    state: State<'_, AppState>,
    id: String,
    edit: StoryboardEditView,
) -> Result<ProjectView, UiError> {
    let (studio, _) = state.studio().await?;
    let project = studio
        .edit_storyboard(&id, pv::storyboard_edit(edit))
        .await
        .map_err(from_core)?;
    view(&studio, &project.id).await
}

#[tauri::command]
pub async fn edit_song(
    state: State<'_, AppState>,
    id: String,
    edit: SongEditView,
) -> Result<ProjectView, UiError> {
    let (studio, _) = state.studio().await?;
    let project = studio
        .edit_project_song(&id, pv::song_edit(edit))
        .await
        .map_err(from_core)?;
    view(&studio, &project.id).await
}

#[tauri::command]
pub async fn update_project(
    state: State<'_, AppState>,
    id: String,
    name: String,
    settings: ProjectSettingsView,
) -> Result<ProjectView, UiError> {
    let (studio, _) = state.studio().await?;
    let project = studio.project(&id).await.map_err(from_core)?;
    if name.trim() != project.name {
        studio
            .rename_project(&project.id, &name)
            .await
            .map_err(from_core)?;
    }
    let settings = pv::core_settings(settings, Some(&project.settings));
    if settings != project.settings {
        references_picked(&state, &studio, &settings).await?;
        studio
            .update_project_settings(&project.id, settings)
            .await
            .map_err(from_core)?;
    }
    view(&studio, &project.id).await
}

/// "Generate all": the whole price is checked against the budgets first (nothing is queued when
/// it is over); then the shots are queued in the background.
#[tauri::command]
pub async fn generate_project<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<ProjectView, UiError> {
    let (studio, generators) = state.generators().await?;
    let project = studio.project(&id).await.map_err(from_core)?;
    if !generators.is_running(&project.id) {
        let quote = studio.quote_project(&project.id).await.map_err(from_core)?;
        if let Some(reason) = quote.over_budget {
            return Err(UiError::new(studio_api::ErrorCode::OverBudget, reason));
        }
        generators.start(&app, &studio, &project.id);
    }
    let mut shown = view(&studio, &project.id).await?;
    // The task marks the ledger a moment later; the answer already says it runs.
    shown.generating = generators.is_running(&project.id) || shown.generating;
    shown.paused = false;
    Ok(shown)
}

#[tauri::command]
pub async fn pause_project(state: State<'_, AppState>, id: String) -> Result<ProjectView, UiError> {
    let (studio, _) = state.studio().await?;
    let project = studio.pause_project(&id).await.map_err(from_core)?;
    view(&studio, &project.id).await
}

// The contract's argument names are snake_case (`job_id`), not Tauri's default camelCase.
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_version(
    state: State<'_, AppState>,
    id: String,
    job_id: String,
) -> Result<ProjectView, UiError> {
    let (studio, _) = state.studio().await?;
    let project = studio.project(&id).await.map_err(from_core)?;
    let job = studio.job_async(&job_id).await.map_err(from_core)?;
    if job.params.shot.as_ref().map(|s| s.project_id.as_str()) != Some(project.id.as_str()) {
        return Err(invalid("That version is not a shot of this project."));
    }
    studio.choose_version(&job.id).await.map_err(from_core)?;
    view(&studio, &project.id).await
}

#[tauri::command]
pub async fn regenerate_shot(
    state: State<'_, AppState>,
    id: String,
    index: usize,
) -> Result<ProjectView, UiError> {
    let studio = state.studio_for_generate().await?;
    let project = studio.project(&id).await.map_err(from_core)?;
    studio
        .regenerate_shot(&project.id, index)
        .await
        .map_err(from_core)?;
    view(&studio, &project.id).await
}

/// Renders the music video, with progress on `RENDER_EVENT` and a notification when done.
#[tauri::command]
pub async fn render_project<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<RenderView, UiError> {
    let (studio, _) = state.studio().await?;
    let project = studio.project(&id).await.map_err(from_core)?;
    let renders = app.state::<Renders>();
    let Some(cancel) = renders.begin(&project.id) else {
        return Err(invalid(format!(
            "{} is being rendered already.",
            project.name
        )));
    };
    let emitter = app.clone();
    let project_id = project.id.clone();
    let mut last = -1.0_f64;
    let progress = move |fraction: f64| {
        // About a hundred events per render, not one per ffmpeg report.
        if fraction - last >= 0.01 || fraction >= 1.0 {
            last = fraction;
            crate::events::emit(
                &emitter,
                RENDER_EVENT,
                RenderEventView::Progress {
                    project_id: project_id.clone(),
                    fraction,
                },
            );
        }
    };
    let result = studio
        .render_project(&project.id, None, false, progress, cancel)
        .await;
    renders.end(&project.id);
    match result {
        Ok(done) => {
            let song = studio.project_song(&project).await.map_err(from_core)?;
            let row = studio
                .render_row(&done.id)
                .await
                .map_err(from_core)?
                .ok_or_else(|| invalid("The render vanished from the library."))?;
            let render = pv::render(&row, &project.name, &song.title);
            crate::events::emit(
                &app,
                RENDER_EVENT,
                RenderEventView::Done {
                    project_id: project.id.clone(),
                    render: render.clone(),
                },
            );
            crate::notify::render_done(&app, &project.id, &project.name);
            Ok(render)
        }
        Err(error) => {
            let error = from_core(error);
            crate::events::emit(
                &app,
                RENDER_EVENT,
                RenderEventView::Failed {
                    project_id: project.id.clone(),
                    message: error.message.clone(),
                },
            );
            Err(error)
        }
    }
}

#[tauri::command]
pub async fn cancel_render<R: Runtime>(app: AppHandle<R>, id: String) -> Result<(), UiError> {
    app.state::<Renders>().cancel(&id);
    Ok(())
}

#[tauri::command]
pub async fn list_renders(state: State<'_, AppState>) -> Result<Vec<RenderView>, UiError> {
    let (studio, _) = state.studio().await?;
    let rows = studio.all_renders().await.map_err(from_core)?;
    let mut names = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if !names.contains_key(&row.project_id) {
            let named = match studio.project(&row.project_id).await {
                Ok(p) => {
                    let title = studio
                        .project_song(&p)
                        .await
                        .map(|s| s.title)
                        .unwrap_or_default();
                    (p.name, title)
                }
                Err(_) => (String::new(), String::new()),
            };
            names.insert(row.project_id.clone(), named);
        }
        let (name, title) = &names[&row.project_id];
        if Path::new(&row.path).is_file() {
            out.push(pv::render(&row, name, title));
        }
    }
    Ok(out)
}

#[tauri::command]
pub async fn duplicate_project(
    state: State<'_, AppState>,
    id: String,
) -> Result<ProjectView, UiError> {
    let (studio, _) = state.studio().await?;
    let copy = studio.duplicate_project(&id).await.map_err(from_core)?;
    view(&studio, &copy.id).await
}

#[tauri::command]
pub async fn rename_project(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> Result<ProjectView, UiError> {
    let (studio, _) = state.studio().await?;
    let project = studio.rename_project(&id, &name).await.map_err(from_core)?;
    view(&studio, &project.id).await
}

#[tauri::command]
pub async fn delete_project(
    state: State<'_, AppState>,
    id: String,
) -> Result<DeletedProjectView, UiError> {
    let (studio, generators) = match state.generators().await {
        Ok(both) => (both.0, Some(both.1)),
        Err(_) => (state.studio().await?.0, None),
    };
    let project = studio.project(&id).await.map_err(from_core)?;
    if generators.is_some_and(|g| g.is_running(&project.id)) {
        return Err(invalid(
            "This project's shots are being generated: pause it first, then delete it.",
        ));
    }
    let deleted = studio
        .delete_project(&project.id)
        .await
        .map_err(from_core)?;
    Ok(DeletedProjectView {
        name: deleted.name,
        renders_removed: deleted.renders_removed,
        clips_kept: deleted.clips_kept,
    })
}
