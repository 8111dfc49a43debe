//! Settings and the Venice balance.

use studio_api::{BalanceView, Settings, UiError};
use tauri::{AppHandle, Runtime, State};

use crate::engine::AppState;

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
    let saved = crate::settings::save(&app, &state.options.data_dir, settings)?;
    state.restart(&app).await?;
    Ok(saved)
}

#[tauri::command]
pub async fn balance(state: State<'_, AppState>) -> Result<BalanceView, UiError> {
    let (studio, _) = state.studio().await?;
    let answer = studio
        .client()
        .billing()
        .balance()
        .await
        .map_err(crate::error::from_venice)?;
    Ok(BalanceView {
        usd: answer.value.balances.usd,
        diem: answer.value.balances.diem,
        can_consume: answer.value.can_consume,
    })
}
