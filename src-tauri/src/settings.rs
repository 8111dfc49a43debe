//! The user's settings (default model, chat model, poll interval, budget, media folder,
//! delete-after-download), persisted with `tauri-plugin-store`, checked before they are saved,
//! and turned into the engine's configuration.

use std::path::{Path, PathBuf};
use std::time::Duration;

use studio_api::{Settings, UiError};
use studio_core::{Budget, EngineConfig};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::{internal, invalid};

const FIELD: &str = "settings";
/// Venice allows a key about 120 retrieves a minute; one every 2 s per job is the fastest offered.
pub const MIN_POLL_SECS: u32 = 2;
pub const MAX_POLL_SECS: u32 = 600;

pub fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("settings.json")
}

/// The settings of a first start.
pub fn defaults(media_dir: &Path) -> Settings {
    Settings {
        default_model: None,
        chat_model: None,
        poll_interval_secs: 10,
        budget_session_usd: None,
        budget_total_usd: None,
        media_dir: media_dir.to_string_lossy().into_owned(),
        delete_after_download: false,
    }
}

/// The saved settings, or the defaults.
pub fn load<R: Runtime>(app: &AppHandle<R>, data_dir: &Path, media_dir: &Path) -> Settings {
    let saved = app
        .store(file(data_dir))
        .ok()
        .and_then(|store| store.get(FIELD))
        .and_then(|value| serde_json::from_value::<Settings>(value).ok())
        .and_then(|s| check(s).ok());
    saved.unwrap_or_else(|| defaults(media_dir))
}

fn amount(name: &str, value: Option<f64>) -> Result<Option<f64>, UiError> {
    match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err(invalid(format!(
            "The {name} must be an amount in USD of 0 or more."
        ))),
        other => Ok(other),
    }
}

fn name(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Checks and tidies settings from the UI.
pub fn check(settings: Settings) -> Result<Settings, UiError> {
    if !(MIN_POLL_SECS..=MAX_POLL_SECS).contains(&settings.poll_interval_secs) {
        return Err(invalid(format!(
            "The poll interval must be between {MIN_POLL_SECS} and {MAX_POLL_SECS} seconds."
        )));
    }
    let media_dir = settings.media_dir.trim().to_string();
    if media_dir.is_empty() || !Path::new(&media_dir).is_absolute() {
        return Err(invalid(
            "The media folder must be a full path, e.g. /home/you/Videos/Venice.",
        ));
    }
    Ok(Settings {
        default_model: name(settings.default_model),
        chat_model: name(settings.chat_model),
        poll_interval_secs: settings.poll_interval_secs,
        budget_session_usd: amount("session budget", settings.budget_session_usd)?,
        budget_total_usd: amount("total budget", settings.budget_total_usd)?,
        media_dir,
        delete_after_download: settings.delete_after_download,
    })
}

/// Checks, creates the media folder, and saves.
pub fn save<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &Path,
    settings: Settings,
) -> Result<Settings, UiError> {
    let settings = check(settings)?;
    std::fs::create_dir_all(&settings.media_dir).map_err(|e| {
        UiError::new(
            studio_api::ErrorCode::Io,
            format!(
                "Could not create the media folder {}: {e}. Pick a folder you can write to.",
                settings.media_dir
            ),
        )
    })?;
    let store = app
        .store(file(data_dir))
        .map_err(|e| internal("open the settings file", e))?;
    let value = serde_json::to_value(&settings).map_err(|e| internal("save the settings", e))?;
    store.set(FIELD, value);
    store
        .save()
        .map_err(|e| internal("write the settings file", e))?;
    Ok(settings)
}

/// The engine configuration for these settings.
pub fn engine_config(settings: &Settings) -> EngineConfig {
    let mut config = EngineConfig {
        poll_interval: Duration::from_secs(u64::from(settings.poll_interval_secs)),
        delete_media_on_completion: settings.delete_after_download,
        budget: Budget {
            per_session_usd: settings.budget_session_usd,
            total_usd: settings.budget_total_usd,
        },
        ..EngineConfig::default()
    };
    if let Some(model) = &settings.chat_model {
        config.chat_model = model.clone();
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused_with_the_reason() {
        let good = defaults(Path::new("/tmp/videos"));
        assert_eq!(check(good.clone()).expect("defaults are valid"), good);
        let fast = Settings {
            poll_interval_secs: 1,
            ..good.clone()
        };
        assert!(
            check(fast)
                .unwrap_err()
                .message
                .contains("between 2 and 600")
        );
        let negative = Settings {
            budget_total_usd: Some(-1.0),
            ..good.clone()
        };
        assert!(
            check(negative)
                .unwrap_err()
                .message
                .contains("total budget")
        );
        let relative = Settings {
            media_dir: "videos".into(),
            ..good
        };
        assert!(check(relative).unwrap_err().message.contains("full path"));
    }

    #[test]
    fn settings_become_the_engine_config() {
        let settings = Settings {
            chat_model: Some("m".into()),
            budget_session_usd: Some(2.0),
            delete_after_download: true,
            ..defaults(Path::new("/tmp/v"))
        };
        let config = engine_config(&settings);
        assert_eq!(config.chat_model, "m");
        assert_eq!(config.budget.per_session_usd, Some(2.0));
        assert!(config.delete_media_on_completion);
        assert_eq!(config.poll_interval, Duration::from_secs(10));
    }
}
