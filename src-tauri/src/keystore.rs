//! Where the Venice API key lives, for the app: `studio_core::KeyStore` (a keychain that keeps it
//! for good, else a user-only file written directly from Rust). Never a `tauri-plugin-store` file:
//! the store announces every change, value included, on the event bus the webview can listen to.

use std::path::Path;

use studio_api::UiError;
use studio_core::KeyStore as CoreKeyStore;
pub use studio_core::Stored;
use tauri::{AppHandle, Runtime};
use venice::ApiKey;

use crate::error::from_core;

/// The key's storage. (The methods take the app handle they needed when the key sat in a plugin
/// store; nothing of the app is used now.)
#[derive(Debug, Clone)]
pub struct KeyStore(CoreKeyStore);

impl KeyStore {
    pub fn new(data_dir: &Path, use_keychain: bool) -> Self {
        Self(CoreKeyStore::new(data_dir, use_keychain))
    }

    /// The stored key, if any (keychain first, then the file). An unreadable file counts as none
    /// (logged): the UI then asks for the key again.
    pub fn load<R: Runtime>(&self, _app: &AppHandle<R>) -> Option<ApiKey> {
        self.0.load().unwrap_or_else(|e| {
            tracing::warn!("the stored key could not be read: {e}");
            None
        })
    }

    /// Stores `key`: in the keychain when it keeps it, else in the user-only file.
    pub fn save<R: Runtime>(&self, _app: &AppHandle<R>, key: &ApiKey) -> Result<Stored, UiError> {
        self.0.save(key).map_err(from_core)
    }

    /// Removes the key from the keychain and the file.
    pub fn clear<R: Runtime>(&self, _app: &AppHandle<R>) -> Result<(), UiError> {
        self.0.clear().map_err(from_core)
    }

    pub fn file(&self) -> &Path {
        self.0.file()
    }
}
