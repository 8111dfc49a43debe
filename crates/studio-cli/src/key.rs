//! The Venice API key: `VENICE_API_KEY` first, else the studio's key store, shared with the app
//! (the OS keychain where one keeps keys for good, else a user-only file in the data folder). The
//! key is never printed; at most its last four characters are shown to tell two keys apart.

use std::io::{BufRead, IsTerminal};

use serde_json::json;
use studio_core::{KeyStore, Stored, StudioPaths, keychain};
use venice::ApiKey;

use crate::exit::{Code, Failure};
use crate::output::Out;

/// Where a key came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Env,
    /// The studio's key store (the OS keychain, or the user-only file).
    Store,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::Env => "VENICE_API_KEY",
            Source::Store => "the studio's key store (OS keychain or user-only file)",
        }
    }
}

/// The key store of the user's data folder (the same one the app uses).
fn store() -> Result<KeyStore, Failure> {
    let paths = StudioPaths::for_user()?;
    Ok(KeyStore::new(&paths.data_dir, true))
}

#[derive(Clone, Debug)]
pub struct FoundKey {
    pub key: ApiKey,
    pub source: Source,
}

impl FoundKey {
    /// `…abcd`: enough to recognise the key, never the key.
    pub fn hint(&self) -> String {
        match keychain::last_four(&self.key) {
            Some(tail) => format!("…{tail}"),
            None => "…".to_string(),
        }
    }
}

/// Why no key was found (the keychain may have said something useful).
#[derive(Clone, Debug)]
pub struct NoKey {
    pub keychain_note: Option<String>,
}

impl NoKey {
    pub fn message(&self) -> String {
        let mut text = String::from(
            "No Venice API key is set. Run `studio key set` (it reads the key from stdin without \
             echo) or set VENICE_API_KEY.",
        );
        if let Some(note) = &self.keychain_note {
            text.push(' ');
            text.push_str(note);
        }
        text
    }

    pub fn failure(&self) -> Failure {
        Failure::new(Code::NeedsUser, self.message())
    }
}

/// The store's own sentence and what to do instead.
fn advice(error: &studio_core::Error) -> String {
    format!("{error} Set VENICE_API_KEY in the environment instead.")
}

/// Finds the key: the environment first, then the key store.
pub fn find() -> Result<FoundKey, NoKey> {
    if let Ok(value) = std::env::var("VENICE_API_KEY") {
        let key = ApiKey::new(value);
        if !key.is_empty() {
            return Ok(FoundKey {
                key,
                source: Source::Env,
            });
        }
    }
    let loaded = match store() {
        Ok(store) => store.load().map_err(|e| advice(&e)),
        Err(failure) => Err(failure.message),
    };
    match loaded {
        Ok(Some(key)) => Ok(FoundKey {
            key,
            source: Source::Store,
        }),
        Ok(None) => Err(NoKey {
            keychain_note: None,
        }),
        Err(note) => Err(NoKey {
            keychain_note: Some(note),
        }),
    }
}

/// `studio key set`: reads the key from the terminal without echo, or from piped stdin.
pub fn set(out: Out) -> Result<Code, Failure> {
    let entered = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Venice API key (input hidden): ")
            .map_err(|e| Failure::new(Code::Failure, format!("could not read the key: {e}")))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::new(Code::Failure, format!("could not read the key: {e}")))?;
        line
    };
    let key = ApiKey::new(entered);
    if key.is_empty() {
        return Err(Failure::usage(
            "No key was entered. Paste your Venice API key (from venice.ai/settings/api).",
        ));
    }
    let stored = store()?
        .save(&key)
        .map_err(|e| Failure::new(Code::NeedsUser, advice(&e)))?;
    let found = FoundKey {
        key,
        source: Source::Store,
    };
    out.line(match stored {
        Stored::Keychain => format!(
            "Saved the Venice API key ({}) in the OS keychain.",
            found.hint()
        ),
        Stored::File => format!(
            "Saved the Venice API key ({}) in a file only you can read (no OS keychain keeps \
             keys here), in the studio's data folder; the app uses it too.",
            found.hint()
        ),
    });
    if std::env::var_os("VENICE_API_KEY").is_some() {
        out.note(
            "Note: VENICE_API_KEY is set in this environment and is used before the stored key.",
        );
    }
    let place = match stored {
        Stored::Keychain => "keychain",
        Stored::File => "file",
    };
    out.document(json!({"ok": true, "stored": true, "where": place, "key_hint": found.hint()}));
    Ok(Code::Ok)
}

/// `studio key clear`: removes the key from the keychain and the file.
pub fn clear(out: Out) -> Result<Code, Failure> {
    let store = store()?;
    let had = store
        .load()
        .map_err(|e| Failure::new(Code::NeedsUser, advice(&e)))?
        .is_some();
    store
        .clear()
        .map_err(|e| Failure::new(Code::NeedsUser, advice(&e)))?;
    out.line(if had {
        "Removed the stored Venice API key."
    } else {
        "No Venice API key was stored."
    });
    out.document(json!({"ok": true, "removed": had}));
    Ok(Code::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_shows_at_most_the_last_four() {
        let found = FoundKey {
            key: ApiKey::new("sk-secret-0123456789wxyz"),
            source: Source::Env,
        };
        assert_eq!(found.hint(), "…wxyz");
        let short = FoundKey {
            key: ApiKey::new("abc"),
            source: Source::Env,
        };
        assert_eq!(short.hint(), "…");
    }
}
