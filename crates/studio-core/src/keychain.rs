//! The Venice API key in the OS keychain, shared by the `studio` CLI and the desktop app (one
//! entry, so a key set in one is seen by the other). Only a keychain that keeps the key until it
//! is deleted counts (macOS Keychain, Windows Credential Manager, the Secret Service on Linux);
//! never one that forgets it, like the kernel keyring at reboot. The key is never logged; callers
//! show at most [`last_four`].

use venice::ApiKey;

use crate::Error;

/// The keychain service name (the app's identifier).
pub const SERVICE: &str = crate::config::APP_IDENTIFIER;
/// The keychain account name.
pub const ACCOUNT: &str = "venice-api-key";
/// Set to `off` to never touch the OS keychain (tests, CI).
pub const KEYCHAIN_ENV: &str = "STUDIO_KEYCHAIN";

/// Whether the keychain may be used (`STUDIO_KEYCHAIN=off` switches it off).
pub fn enabled() -> bool {
    !std::env::var(KEYCHAIN_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("off"))
}

/// Whether the keychain this build talks to keeps a key until it is deleted (not until a reboot,
/// not only in this process).
pub fn lasting() -> bool {
    matches!(
        keyring::default::default_credential_builder().persistence(),
        keyring::credential::CredentialPersistence::UntilDelete
    )
}

fn entry() -> Result<keyring::Entry, Error> {
    if !enabled() {
        return Err(Error::Keychain(format!(
            "The OS keychain is switched off ({KEYCHAIN_ENV}=off)."
        )));
    }
    if !lasting() {
        return Err(Error::Keychain(
            "This system has no keychain that keeps the key after a restart.".to_string(),
        ));
    }
    keyring::Entry::new(SERVICE, ACCOUNT).map_err(|e| unavailable(&e))
}

fn unavailable(error: &keyring::Error) -> Error {
    Error::Keychain(format!("No OS keychain is available here ({error})."))
}

/// The stored key; `None` when none is stored.
pub fn load() -> Result<Option<ApiKey>, Error> {
    match entry()?.get_password() {
        Ok(stored) => {
            let key = ApiKey::new(stored);
            Ok((!key.is_empty()).then_some(key))
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(&e)),
    }
}

/// Stores `key`, replacing any stored one.
pub fn store(key: &ApiKey) -> Result<(), Error> {
    entry()?
        .set_password(key.expose_secret())
        .map_err(|e| match e {
            keyring::Error::NoEntry => Error::Keychain(
                "The OS keychain refused to store the key (access denied).".to_string(),
            ),
            other => unavailable(&other),
        })
}

/// Removes the stored key. Returns whether there was one.
pub fn delete() -> Result<bool, Error> {
    match entry()?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(unavailable(&e)),
    }
}

/// The key's last four characters, enough to tell two keys apart; `None` for keys of 8
/// characters or fewer, where four would give away half of it.
pub fn last_four(key: &ApiKey) -> Option<String> {
    let secret = key.expose_secret();
    let count = secret.chars().count();
    (count > 8).then(|| secret.chars().skip(count - 4).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keychain_keeps_the_key_after_a_reboot() {
        // The kernel keyring (keyutils) forgets at reboot and the mock store at exit: a key "saved"
        // there, with the user-only file then removed, would be lost.
        assert!(
            lasting(),
            "the keyring backend must persist until deleted (Secret Service on Linux)"
        );
    }

    #[test]
    fn last_four_shows_only_the_tail_of_long_keys() {
        assert_eq!(
            last_four(&ApiKey::new("sk-secret-0123456789wxyz")).as_deref(),
            Some("wxyz")
        );
        assert_eq!(last_four(&ApiKey::new("abcdefgh")), None);
        assert_eq!(
            last_four(&ApiKey::new("ключ-ключ-ключ")).as_deref(),
            Some("ключ")
        );
    }
}
