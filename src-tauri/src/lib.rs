//! The desktop shell of Venice Music Video Studio: state, commands, events, tray. Thin by
//! design: every command calls the core (`studio_core`) once; the UI (`ui/`) only renders and
//! invokes the commands named in `studio_api::commands`.
//!
//! [`builder`] wires plugins, state and commands onto any [`tauri::Runtime`], so the same setup
//! runs in the real app ([`run`]) and under `tauri::test`'s mock runtime in tests.

pub mod commands;
pub mod demo_song;
pub mod drag;
pub mod engine;
pub mod error;
pub mod events;
pub mod folder_dialog;
pub mod generation;
pub mod keystore;
pub mod media_server;
pub mod notify;
pub mod picked;
pub mod project_views;
pub mod rendering;
pub mod settings;
pub mod tray;
pub mod views;

use tauri::{Builder, Manager, Runtime, WindowEvent};

pub use engine::{AppState, Mode, Options};

/// The product's name, as shown in the window title and the UI.
pub const APP_NAME: &str = "Venice Music Video Studio";

/// Adds the app's plugins, state and commands to `builder`. The engine starts in `setup` (see
/// [`start`]).
pub fn builder<R: Runtime>(builder: Builder<R>, options: Options) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(AppState::new(options))
        .manage(rendering::Renders::default())
        .setup(|app| {
            let handle = app.handle();
            if let Err(e) = media_server::start() {
                tracing::warn!("videos cannot be streamed to the player: {e}");
            }
            if handle.state::<AppState>().options.desktop {
                if let Err(e) = tray::create(handle) {
                    tracing::warn!("no tray icon: {e}");
                }
                notify::setup(handle);
            }
            start(handle);
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::Focused(true) = event {
                notify::focus_pending(window.app_handle());
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::key::key_status,
            commands::key::set_key,
            commands::key::clear_key,
            commands::key::start_demo,
            commands::studio::list_models,
            commands::studio::generate_prompt,
            commands::studio::quote,
            commands::studio::generate,
            commands::studio::list_jobs,
            commands::studio::dismiss_job,
            commands::studio::fetch_again,
            commands::library::delete_video,
            commands::library::reveal_video,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::pick_media_dir,
            commands::settings::balance,
            commands::studio::check_image,
            commands::studio::pick_image,
            commands::library::save_video_dialog,
            commands::library::drag_video,
            commands::projects::pick_song,
            commands::projects::demo_song,
            commands::projects::import_song,
            commands::projects::new_project,
            commands::projects::list_projects,
            commands::projects::open_project,
            commands::projects::quote_project,
            commands::projects::edit_storyboard,
            commands::projects::edit_song,
            commands::projects::update_project,
            commands::projects::generate_project,
            commands::projects::pause_project,
            commands::projects::choose_version,
            commands::projects::regenerate_shot,
            commands::projects::render_project,
            commands::projects::cancel_render,
            commands::projects::list_renders,
            commands::projects::duplicate_project,
            commands::projects::rename_project,
            commands::projects::delete_project,
        ])
}

/// Starts the engine the app opens with: the demo when asked (`STUDIO_DEMO=1`), live when a key
/// is stored, else none (the UI shows onboarding). Blocks until it runs; a failure is kept and
/// reported by the commands that need the engine. `setup` calls it; tests call it after `build`.
pub fn start<R: Runtime>(app: &tauri::AppHandle<R>) {
    let state = app.state::<AppState>();
    let want = if state.options.force_demo {
        engine::Want::Demo
    } else {
        match state.keys.load(app) {
            Some(key) => engine::Want::Live(key),
            None => engine::Want::Nothing,
        }
    };
    if let Err(e) = tauri::async_runtime::block_on(state.start(app, want)) {
        tracing::error!("the engine did not start: {}", e.message);
    }
    settings::allow_former_media_dirs(app, &state.options.data_dir);
}

/// Logs to stderr (`RUST_LOG` filters; default `info`). The key is never logged.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Starts the desktop app and blocks until it quits.
///
/// # Panics
/// When the window system or the webview cannot start; there is nothing to fall back to then.
#[allow(clippy::expect_used)]
pub fn run() {
    init_logging();
    let options = Options::from_env().expect("a home folder to keep the studio's files in");
    builder(Builder::default(), options)
        .run(tauri::generate_context!())
        .expect("error while running Venice Music Video Studio");
}
