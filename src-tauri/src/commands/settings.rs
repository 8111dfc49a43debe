//! Settings, the media folder (chosen in the Rust-side dialog) and the Venice balance.

use studio_api::{BalanceView, Settings, UiError};
use tauri::{AppHandle, Runtime, State};

use crate::engine::AppState;
use crate::folder_dialog;

#[tauri::command]
pub async fn get_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Settings, UiError> {
    Ok(state.settings(&app))
}

/// Saves the settings and restarts the engine with them (jobs carry on from the ledger).
#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings, UiError> {
    let current = state.settings(&app);
    let saved = crate::settings::save(&app, &state.options.data_dir, &current, settings)?;
    state.restart(&app).await?;
    Ok(saved)
}

/// The folder dialog, then the picked folder as the media folder (checked on the Rust side) and
/// the engine restarted with it. `None` when cancelled.
#[tauri::command]
pub async fn pick_media_dir<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<Settings>, UiError> {
    let current = state.settings(&app);
    let start = std::path::PathBuf::from(&current.media_dir);
    let Some(folder) = folder_dialog::pick(&app, "Choose the media folder", &start).await else {
        return Ok(None);
    };
    let saved = crate::settings::change_media_dir(&app, &state.options.data_dir, current, &folder)?;
    state.restart(&app).await?;
    Ok(Some(saved))
}

#[tauri::command]
pub async fn balance(state: State<'_, AppState>) -> Result<BalanceView, UiError> {
    let (studio, _) = state.studio().await?;
    let balance = studio.balance().await.map_err(crate::error::from_core)?;
    Ok(BalanceView {
        usd: balance.balances.usd,
        diem: balance.balances.diem,
        can_consume: balance.can_consume,
    })
}
