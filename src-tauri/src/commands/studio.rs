//! Models, prompt, price, generate, jobs, and the start-frame check.

use std::path::Path;

use studio_api::{
    GenerateForm, ImageCheck, JobView, ModelOption, PromptResult, QuoteView, UiError,
};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::engine::AppState;
use crate::error::{blocking, from_core, invalid};
use crate::picked;
use crate::views;

#[tauri::command]
pub async fn list_models(state: State<'_, AppState>) -> Result<Vec<ModelOption>, UiError> {
    let (studio, _) = state.studio().await?;
    let catalogue = studio.catalogue(false).await.map_err(from_core)?;
    Ok(catalogue.models.iter().map(views::model).collect())
}

#[tauri::command]
pub async fn generate_prompt(
    state: State<'_, AppState>,
    theme: String,
    model: String,
) -> Result<PromptResult, UiError> {
    let (studio, _) = state.studio().await?;
    let written = studio
        .prompt_from_theme(&theme, &model)
        .await
        .map_err(from_core)?;
    Ok(PromptResult {
        prompt: written.prompt,
        chat_model: written.chat_model,
        cost_usd: written.cost_usd,
    })
}

#[tauri::command]
pub async fn quote(state: State<'_, AppState>, form: GenerateForm) -> Result<QuoteView, UiError> {
    let (request, _) = views::request(&form)?;
    let (studio, _) = state.studio().await?;
    let quote = studio.quote(&request).await.map_err(from_core)?;
    Ok(QuoteView {
        usd: quote.usd,
        balance_usd: quote.balance_usd,
        spent_session_usd: quote.spent_session_usd,
        spent_total_usd: quote.spent_total_usd,
        over_budget: quote.over_budget,
    })
}

#[tauri::command]
pub async fn generate(
    state: State<'_, AppState>,
    form: GenerateForm,
) -> Result<Vec<JobView>, UiError> {
    let (request, count) = views::request(&form)?;
    let studio = state.studio_for_generate().await?;
    // The start frame is uploaded to Venice: only a file the user chose.
    if let Some(image) = &request.image_path {
        picked::check(&state.picked, &studio, image).await?;
    }
    let jobs = studio.generate(&request, count).await.map_err(from_core)?;
    Ok(jobs.iter().map(views::job).collect())
}

#[tauri::command]
pub async fn list_jobs(state: State<'_, AppState>) -> Result<Vec<JobView>, UiError> {
    let (studio, _) = state.studio().await?;
    let jobs = studio.jobs_async().await.map_err(from_core)?;
    Ok(jobs.iter().map(views::job).collect())
}

#[tauri::command]
pub async fn dismiss_job(state: State<'_, AppState>, id: String) -> Result<JobView, UiError> {
    let (studio, _) = state.studio().await?;
    let job = studio.job_async(&id).await.map_err(from_core)?;
    // The engine refuses anything but an outcome-unknown job.
    let job = studio
        .dismiss_unknown_async(&job.id)
        .await
        .map_err(from_core)?;
    Ok(views::job(&job))
}

/// "Fetch again" on a failed card: its video may still be on Venice; nothing is paid again.
#[tauri::command]
pub async fn fetch_again(state: State<'_, AppState>, id: String) -> Result<JobView, UiError> {
    let studio = state.studio_for_generate().await?;
    let job = studio.job_async(&id).await.map_err(from_core)?;
    let job = studio.fetch_again_async(&job.id).await.map_err(from_core)?;
    Ok(views::job(&job))
}

async fn check(state: &AppState, path: &Path, model: &str) -> Result<ImageCheck, UiError> {
    let (studio, _) = state.studio().await?;
    let catalogue = studio.catalogue(false).await.map_err(from_core)?;
    let model = catalogue
        .get(model)
        .ok_or_else(|| from_core(studio_core::Error::UnknownModel(model.to_string())))?
        .clone();
    // Reading the image's head (and a small preview) is file work: off the async workers.
    let path = path.to_path_buf();
    blocking(move || Ok(views::image_check(&path, Some(&model)))).await
}

#[tauri::command]
pub async fn check_image(
    state: State<'_, AppState>,
    path: String,
    model: String,
) -> Result<ImageCheck, UiError> {
    if path.trim().is_empty() {
        return Err(invalid("Pick an image file first."));
    }
    let path = Path::new(path.trim());
    let (studio, _) = state.studio().await?;
    picked::check(&state.picked, &studio, path).await?;
    check(&state, path, &model).await
}

/// The native Open dialog, on the Rust side; `None` when the user cancelled. The one way a start
/// frame or reference image enters the app: `check_image`, `generate` and the project settings
/// take only files picked here (or already in the library).
#[tauri::command]
pub async fn pick_image<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    model: String,
) -> Result<Option<ImageCheck>, UiError> {
    let Some(path) = crate::folder_dialog::pick_file(
        &app,
        "Pick an image",
        "Images (PNG, JPEG, WebP)",
        &["png", "jpg", "jpeg", "webp"],
        app.path().picture_dir().ok(),
    )
    .await
    else {
        return Ok(None);
    };
    // From now on the webview may name it (to check it again, generate from it, save it with a
    // project).
    let asked = path.clone();
    let real = blocking(move || Ok(picked::real(&asked))).await?;
    state.picked.remember(real);
    check(&state, &path, &model).await.map(Some)
}
