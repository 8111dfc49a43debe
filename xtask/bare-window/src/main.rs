//! A bare Tauri 2 window showing one line of text: the reference `cargo xtask measure` holds the
//! app's start-up time and idle memory against. Nothing else: no plugins, state, commands or tray.

// No console window on Windows release builds, as in the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(error) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("bare-window: {error}");
        std::process::exit(1);
    }
}
