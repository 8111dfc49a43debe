//! The desktop shell (placeholder until the Tauri shell lands).
