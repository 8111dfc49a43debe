//! The desktop shell of Venice Music Video Studio.
//!
//! [`builder`] wires plugins and commands onto any [`tauri::Runtime`], so the same setup runs in the
//! real app ([`run`]) and under `tauri::test`'s mock runtime in tests.

use tauri::{Builder, Runtime};

/// The product's name, as shown in the window title and the UI.
pub const APP_NAME: &str = "Venice Music Video Studio";

/// Facts about the running app the UI can show (name, version).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppInfo {
    /// The product's name.
    pub name: String,
    /// The app's version (the root package's).
    pub version: String,
}

/// Returns the app's name and version.
#[tauri::command]
fn app_info() -> AppInfo {
    AppInfo {
        name: APP_NAME.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

/// Adds the app's plugins and commands to `builder`.
pub fn builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_shell::init())
        .invoke_handler(tauri::generate_handler![app_info])
}

/// Starts the desktop app and blocks until it quits.
///
/// # Panics
/// When the window system or the webview cannot start; there is nothing to fall back to then.
#[allow(clippy::expect_used)]
pub fn run() {
    builder(Builder::default())
        .run(tauri::generate_context!())
        .expect("error while running Venice Music Video Studio");
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::WebviewWindowBuilder;
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
    use tauri::webview::InvokeRequest;

    #[test]
    fn app_info_command_answers_with_name_and_version() {
        let app = builder(mock_builder())
            .build(mock_context(noop_assets()))
            .expect("mock app builds");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("mock window builds");
        let response = get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: "app_info".into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().expect("valid url"),
                body: tauri::ipc::InvokeBody::default(),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_owned(),
            },
        )
        .expect("app_info succeeds");
        let info: AppInfo = response.deserialize().expect("AppInfo json");
        assert_eq!(info.name, "Venice Music Video Studio");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    }
}
