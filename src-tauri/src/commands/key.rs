//! The key and the mode: set, clear, status, demo. The key comes in once (`set_key`) and never
//! goes back out: the answers carry only `KeyStatus`.

use studio_api::{KeyStatus, UiError};
use tauri::{AppHandle, Runtime, State};
use venice::ApiKey;

use crate::engine::{AppState, Want};
use crate::error::invalid;

/// Logged once, at the UI's first call: the smoke test waits for it (the page's static header
/// draws before the wasm UI has loaded, so pixels alone do not prove the UI runs).
pub const UI_UP_LOG: &str = "the UI is up: its first call reached the shell";

#[tauri::command]
pub async fn key_status<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<KeyStatus, UiError> {
    static FIRST_CALL: std::sync::Once = std::sync::Once::new();
    FIRST_CALL.call_once(|| tracing::info!("{UI_UP_LOG}"));
    Ok(state.key_status(&app).await)
}

#[tauri::command]
pub async fn set_key<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    key: String,
) -> Result<KeyStatus, UiError> {
    let key = ApiKey::new(key.trim().to_string());
    if key.is_empty() {
        return Err(invalid(
            "Paste your Venice API key (from venice.ai/settings/api) first.",
        ));
    }
    if key.expose_secret().chars().any(char::is_whitespace) {
        return Err(invalid(
            "That does not look like a Venice API key: it has spaces in it.",
        ));
    }
    state.keys.save(&app, &key)?;
    state.start(&app, Want::Live(key)).await?;
    Ok(state.key_status(&app).await)
}

#[tauri::command]
pub async fn clear_key<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<KeyStatus, UiError> {
    state.keys.clear(&app)?;
    let want = if state.mode().await == Some(crate::engine::Mode::Demo) {
        Want::Demo
    } else {
        Want::Nothing
    };
    state.start(&app, want).await?;
    Ok(state.key_status(&app).await)
}

#[tauri::command]
pub async fn start_demo<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<KeyStatus, UiError> {
    state.start(&app, Want::Demo).await?;
    Ok(state.key_status(&app).await)
}
