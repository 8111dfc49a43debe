//! Where the Venice API key lives: the OS keychain when one keeps keys for good (macOS Keychain,
//! Windows Credential Manager, the Secret Service on Linux), else a user-only file in the data
//! folder ([`crate::keyfile`]). The file is removed only once a lasting keychain holds the key.

use std::path::{Path, PathBuf};

use venice::ApiKey;

use crate::{Error, keychain, keyfile};

/// The key's storage for one data folder.
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
    /// `use_keychain: false` (tests) or `STUDIO_KEYCHAIN=off` keeps the key in the file only.
    pub fn new(data_dir: &Path, use_keychain: bool) -> Self {
        Self {
            file: data_dir.join(keyfile::FILE_NAME),
            use_keychain: use_keychain && keychain::enabled(),
        }
    }

    /// The stored key, if any (keychain first, then the file).
    pub fn load(&self) -> Result<Option<ApiKey>, Error> {
        if self.use_keychain {
            match keychain::load() {
                Ok(Some(key)) => return Ok(Some(key)),
                Ok(None) => {}
                Err(e) => tracing::debug!("keychain not used: {e}"),
            }
        }
        keyfile::read(&self.file)
    }

    /// Stores `key`: in the keychain when it keeps it, else in the user-only file.
    pub fn save(&self, key: &ApiKey) -> Result<Stored, Error> {
        if self.use_keychain {
            match keychain::store(key) {
                Ok(()) => {
                    // No stale copy in the file once a lasting keychain holds the key.
                    keyfile::remove(&self.file)?;
                    return Ok(Stored::Keychain);
                }
                Err(e) => tracing::info!("keeping the key in a user-only file instead: {e}"),
            }
        }
        keyfile::write(&self.file, key)?;
        Ok(Stored::File)
    }

    /// Removes the key from the keychain and the file.
    pub fn clear(&self) -> Result<(), Error> {
        if self.use_keychain
            && let Err(e) = keychain::delete()
        {
            tracing::debug!("keychain not cleared: {e}");
        }
        keyfile::remove(&self.file).map(|_| ())
    }

    pub fn file(&self) -> &Path {
        &self.file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_keychain_the_key_lives_in_the_file_until_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path(), false);
        assert!(store.load().unwrap().is_none());
        let key = ApiKey::new("sk-test-0123456789wxyz");
        assert_eq!(store.save(&key).unwrap(), Stored::File);
        assert!(store.file().is_file());
        assert_eq!(
            store.load().unwrap().unwrap().expose_secret(),
            key.expose_secret()
        );
        store.clear().unwrap();
        assert!(!store.file().exists());
        assert!(store.load().unwrap().is_none());
    }
}
