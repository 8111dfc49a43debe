//! Generates the Tauri context (config, embedded dist/, icons) for the bare window.

fn main() {
    tauri_build::build();
}
