//! Desktop app entry point: all setup lives in the library so tests can reuse it.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    venice_studio_lib::run();
}
