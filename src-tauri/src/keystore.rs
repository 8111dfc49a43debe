//! Where the Venice API key lives: the OS keychain, or, when the keychain refuses (it does in
//! containers and on machines without one), a `tauri-plugin-store` file only the user can read
//! (mode 0600 on Unix). The webview has no store permission, so only this module reads it.

use std::path::{Path, PathBuf};

use studio_api::UiError;
use studio_core::keychain;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;
use venice::ApiKey;

use crate::error::internal;

const KEY_FIELD: &str = "venice_api_key";

/// The key's storage.
#[derive(Debug, Clone)]
pub struct KeyStore {
    /// The fallback file.
    file: PathBuf,
    /// Tests switch the OS keychain off so they never touch the developer's.
    use_keychain: bool,
}

/// Where a key was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Keychain,
    File,
}

impl KeyStore {
    pub fn new(data_dir: &Path, use_keychain: bool) -> Self {
        Self {
            file: data_dir.join("key.json"),
            use_keychain: use_keychain && keychain::enabled(),
        }
    }

    /// The stored key, if any (keychain first, then the file).
    pub fn load<R: Runtime>(&self, app: &AppHandle<R>) -> Option<ApiKey> {
        if self.use_keychain {
            match keychain::load() {
                Ok(Some(key)) => return Some(key),
                Ok(None) => {}
                Err(e) => tracing::debug!("keychain not used: {e}"),
            }
        }
        if !self.file.exists() {
            return None;
        }
        let store = app.store(&self.file).ok()?;
        let key = store
            .get(KEY_FIELD)
            .and_then(|v| v.as_str().map(ApiKey::new))
            .filter(|k| !k.is_empty());
        store.close_resource();
        key
    }

    /// Stores `key`: in the keychain when it takes it, else in the user-only file.
    pub fn save<R: Runtime>(&self, app: &AppHandle<R>, key: &ApiKey) -> Result<Stored, UiError> {
        if self.use_keychain {
            match keychain::store(key) {
                Ok(()) => {
                    // No stale copy in the file once the keychain holds the key.
                    self.remove_file()?;
                    return Ok(Stored::Keychain);
                }
                Err(e) => tracing::info!("keeping the key in a user-only file instead: {e}"),
            }
        }
        create_private(&self.file).map_err(|e| internal("create the key file", e))?;
        let store = app
            .store(&self.file)
            .map_err(|e| internal("open the key file", e))?;
        store.set(KEY_FIELD, key.expose_secret());
        let saved = store.save();
        store.close_resource();
        saved.map_err(|e| internal("write the key file", e))?;
        restrict(&self.file).map_err(|e| internal("protect the key file", e))?;
        Ok(Stored::File)
    }

    /// Removes the key from the keychain and the file.
    pub fn clear<R: Runtime>(&self, app: &AppHandle<R>) -> Result<(), UiError> {
        if self.use_keychain
            && let Err(e) = keychain::delete()
        {
            tracing::debug!("keychain not cleared: {e}");
        }
        if let Ok(store) = app.store(&self.file)
            && self.file.exists()
        {
            store.clear();
            store.close_resource();
        }
        self.remove_file()
    }

    fn remove_file(&self) -> Result<(), UiError> {
        match std::fs::remove_file(&self.file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(internal("remove the key file", e)),
        }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }
}

/// Creates the file readable only by the user before anything is written into it (the store
/// writes into the existing file, which keeps its mode).
fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    restrict(path)
}

fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
