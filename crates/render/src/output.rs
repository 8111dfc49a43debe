//! Outputs are written to a temp file beside the final path and renamed into place, so a crash,
//! an error or a cancel never leaves a half-written file where the user looks.

use std::path::Path;

use tempfile::NamedTempFile;

use crate::Error;

/// An empty temp file in `out`'s folder with `out`'s extension (so ffmpeg picks the format),
/// removed when dropped unless [`finish`]ed.
pub(crate) fn temp_beside(out: &Path) -> Result<NamedTempFile, Error> {
    let dir = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let suffix = out
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(".studio-partial-")
        .suffix(&suffix)
        .tempfile_in(dir)
        .map_err(|e| Error::io("could not create a temp file in", dir, e))
}

/// Why an output is refused when ffmpeg succeeded without writing a byte (nothing to decode).
pub(crate) const WROTE_NOTHING: &str = "it wrote nothing";

/// Moves the finished temp file to `out`, replacing what was there.
pub(crate) fn finish(temp: NamedTempFile, out: &Path) -> Result<(), Error> {
    if std::fs::metadata(temp.path()).map(|m| m.len()).unwrap_or(0) == 0 {
        return Err(Error::Ffmpeg {
            what: format!("write {}", out.display()),
            stderr: WROTE_NOTHING.into(),
        });
    }
    temp.persist(out)
        .map_err(|e| Error::io("could not move the finished file to", out, e.error))?;
    Ok(())
}
