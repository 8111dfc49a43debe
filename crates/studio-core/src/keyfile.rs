//! The Venice API key in a file only the user can read (mode 0600 on Unix), for machines where no
//! OS keychain keeps it. The file is written whole or not at all: a temp file created with mode
//! 0600 from its first byte, synced, then renamed over the old one. Nothing else (no settings
//! store, no event bus) ever holds the key on its way to disk.

use std::io::Write;
use std::path::{Path, PathBuf};

use venice::ApiKey;

use crate::Error;

/// The file's name in the data folder.
pub const FILE_NAME: &str = "key.json";
/// The one field of the file: `{"venice_api_key": "…"}` (the format earlier versions wrote).
const FIELD: &str = "venice_api_key";

fn io(action: &'static str, path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The key in `path`; `None` when there is no file or it holds no key.
pub fn read(path: &Path) -> Result<Option<ApiKey>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("read the key file", path, e)),
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        io(
            "read the key file (it is not JSON; delete it and set the key again)",
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })?;
    Ok(value
        .get(FIELD)
        .and_then(|v| v.as_str())
        .map(|v| ApiKey::new(v.to_string()))
        .filter(|k| !k.is_empty()))
}

/// Writes `key` to `path`, replacing any older file in one step.
pub fn write(path: &Path, key: &ApiKey) -> Result<(), Error> {
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| io("create the folder of", path, e))?;
    let temp = temp_path(path);
    let written = write_private(&temp, key).and_then(|()| {
        std::fs::rename(&temp, path).map_err(|e| io("replace the key file", path, e))
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Removes the file. Returns whether there was one.
pub fn remove(path: &Path) -> Result<bool, Error> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io("remove the key file", path, e)),
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| FILE_NAME.to_string());
    path.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()))
}

/// A new file (never an existing one), readable by the user only from the moment it exists.
fn write_private(temp: &Path, key: &ApiKey) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(temp)
        .map_err(|e| io("create the key file", temp, e))?;
    // The umask can only take bits away; make sure no one else may read it, whatever it is.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io("protect the key file", temp, e))?;
    }
    let body = serde_json::json!({ FIELD: key.expose_secret() }).to_string();
    file.write_all(body.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io("write the key file", temp, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_round_trips_through_a_user_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join(FILE_NAME);
        assert!(read(&path).unwrap().is_none(), "no file, no key");
        write(&path, &ApiKey::new("sk-one-0123456789")).unwrap();
        assert_eq!(
            read(&path).unwrap().unwrap().expose_secret(),
            "sk-one-0123456789"
        );
        write(&path, &ApiKey::new("sk-two-0123456789")).unwrap();
        assert_eq!(
            read(&path).unwrap().unwrap().expose_secret(),
            "sk-two-0123456789"
        );
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from(FILE_NAME)],
            "no temp files left"
        );
        assert!(remove(&path).unwrap());
        assert!(!remove(&path).unwrap());
        assert!(read(&path).unwrap().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_old_file_is_replaced_by_a_user_only_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, r#"{"venice_api_key":"old"}"#).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write(&path, &ApiKey::new("sk-new-0123456789")).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_file_written_by_earlier_versions_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        // tauri-plugin-store's pretty-printed format.
        std::fs::write(&path, "{\n  \"venice_api_key\": \"sk-old-0123456789\"\n}").unwrap();
        assert_eq!(
            read(&path).unwrap().unwrap().expose_secret(),
            "sk-old-0123456789"
        );
    }
}
