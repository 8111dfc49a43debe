//! Every command the UI may invoke (names in `studio_api::commands`). Each one calls the core
//! once and returns `Result<T, UiError>`, so errors reach the UI as `{code, message}`.

pub mod key;
pub mod library;
pub mod projects;
pub mod settings;
pub mod studio;
