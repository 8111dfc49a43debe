//! The user's settings (default model, chat model, poll interval, budget, media folder,
//! delete-after-download), persisted with `tauri-plugin-store`, checked before they are saved,
//! and turned into the engine's configuration.
//!
//! The webview may read what is in the media folder, so the folder is never taken from the
//! webview: it changes only through the Rust-side folder dialog ([`change_media_dir`]), never to
//! a folder that holds or sits in the app's own folders, and every folder used before stays
//! readable so videos already saved keep playing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use studio_api::{Settings, UiError};
use studio_core::config::check_media_dir;
use studio_core::{Budget, EngineConfig};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::{from_core, internal, invalid};

const FIELD: &str = "settings";
/// Media folders used before the current one (their videos stay playable).
const FORMER_MEDIA_DIRS: &str = "former_media_dirs";
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

/// The app's own folders (data, config): the media folder may neither hold nor sit inside them.
pub fn private_dirs<R: Runtime>(app: &AppHandle<R>, data_dir: &Path) -> Vec<PathBuf> {
    let paths = app.path();
    let mut dirs = vec![data_dir.to_path_buf()];
    dirs.extend(
        [
            paths.app_data_dir(),
            paths.app_local_data_dir(),
            paths.app_config_dir(),
        ]
        .into_iter()
        .flatten(),
    );
    dirs
}

fn allowed_media_dir<R: Runtime>(app: &AppHandle<R>, data_dir: &Path, folder: &Path) -> bool {
    let private = private_dirs(app, data_dir);
    let private: Vec<&Path> = private.iter().map(PathBuf::as_path).collect();
    check_media_dir(folder, &private).is_ok()
}

/// The saved settings, or the defaults. A saved media folder that breaks the rule (saved by an
/// older version, or edited by hand) gives way to the default one.
pub fn load<R: Runtime>(app: &AppHandle<R>, data_dir: &Path, media_dir: &Path) -> Settings {
    let saved = app
        .store(file(data_dir))
        .ok()
        .and_then(|store| store.get(FIELD))
        .and_then(|value| serde_json::from_value::<Settings>(value).ok())
        .and_then(|s| check(s).ok());
    match saved {
        Some(s)
            if Path::new(&s.media_dir) != media_dir
                && !allowed_media_dir(app, data_dir, Path::new(&s.media_dir)) =>
        {
            tracing::warn!(
                "the saved media folder {} holds or sits in the app's own folders; using {}",
                s.media_dir,
                media_dir.display()
            );
            Settings {
                media_dir: media_dir.to_string_lossy().into_owned(),
                ..s
            }
        }
        Some(s) => s,
        None => defaults(media_dir),
    }
}

/// The media folders used before the current one, as far as they are still acceptable.
pub fn former_media_dirs<R: Runtime>(app: &AppHandle<R>, data_dir: &Path) -> Vec<PathBuf> {
    app.store(file(data_dir))
        .ok()
        .and_then(|store| store.get(FORMER_MEDIA_DIRS))
        .and_then(|value| serde_json::from_value::<Vec<PathBuf>>(value).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|dir| allowed_media_dir(app, data_dir, dir))
        .collect()
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

/// Lets the webview keep reading the media folders used before the current one, so the videos
/// saved there still play after a restart of the app.
pub fn allow_former_media_dirs<R: Runtime>(app: &AppHandle<R>, data_dir: &Path) {
    let dirs = former_media_dirs(app, data_dir);
    let scope = app.asset_protocol_scope();
    for dir in &dirs {
        if let Err(e) = scope.allow_directory(dir, true) {
            tracing::warn!("videos in {} cannot be shown: {e}", dir.display());
        }
    }
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    crate::media_server::allow(&dirs);
}

/// Checks and saves settings from the UI; the media folder must stay `current`'s (it changes
/// only through [`change_media_dir`]).
pub fn save<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &Path,
    current: &Settings,
    settings: Settings,
) -> Result<Settings, UiError> {
    let settings = check(settings)?;
    if settings.media_dir != current.media_dir {
        return Err(invalid(
            "The media folder is changed with Choose… in Settings (the system's folder dialog), \
             not by saving a path.",
        ));
    }
    write(app, data_dir, settings)
}

/// Makes `folder` (from the Rust-side dialog) the media folder, when it neither holds nor sits in
/// the app's own folders; the old folder stays readable for the videos already in it.
pub fn change_media_dir<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &Path,
    current: Settings,
    folder: &Path,
) -> Result<Settings, UiError> {
    let private = private_dirs(app, data_dir);
    let private: Vec<&Path> = private.iter().map(PathBuf::as_path).collect();
    let folder = check_media_dir(folder, &private).map_err(from_core)?;
    let old = PathBuf::from(&current.media_dir);
    let settings = check(Settings {
        media_dir: folder.to_string_lossy().into_owned(),
        ..current
    })?;
    let saved = write(app, data_dir, settings)?;
    if old != folder {
        let mut former = former_media_dirs(app, data_dir);
        if !former.contains(&old) {
            former.push(old);
        }
        let store = app
            .store(file(data_dir))
            .map_err(|e| internal("open the settings file", e))?;
        store.set(FORMER_MEDIA_DIRS, serde_json::json!(former));
        store
            .save()
            .map_err(|e| internal("write the settings file", e))?;
    }
    Ok(saved)
}

/// Creates the media folder and saves checked settings.
fn write<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &Path,
    settings: Settings,
) -> Result<Settings, UiError> {
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
