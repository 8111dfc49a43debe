//! The library: the finished videos the user keeps, copies out, or removes.

use std::path::Path;

use super::Studio;
use crate::Error;
use crate::ledger::{JobRecord, JobState};

impl Studio {
    /// Ready videos still in the library, newest first.
    pub fn library(&self) -> Result<Vec<JobRecord>, Error> {
        Ok(self
            .jobs()?
            .into_iter()
            .filter(|j| j.state == JobState::Ready && j.media.is_some())
            .collect())
    }

    /// Copies a video to `destination` (Save as…). Returns the bytes copied. The copy goes to a
    /// temp file beside the destination and is renamed into place, so a failed copy never leaves
    /// half a file; the library's own file (under any name for it) is refused, never truncated.
    /// Blocking: call it off the async runtime.
    pub fn save_copy(&self, id_or_prefix: &str, destination: &Path) -> Result<u64, Error> {
        let job = self.job(id_or_prefix)?;
        let media = job.media.ok_or(Error::NoVideo(job.id))?;
        let io = |action: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        if let (Ok(from), Ok(to)) = (
            std::fs::canonicalize(&media.path),
            std::fs::canonicalize(destination),
        ) && from == to
        {
            return Err(Error::SameFile(destination.to_path_buf()));
        }
        let dir = match destination.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let mut source = std::fs::File::open(&media.path).map_err(io("open", &media.path))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".studio-save-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(io("create a temporary file in", &dir))?;
        let bytes = std::io::copy(&mut source, tmp.as_file_mut())
            .map_err(io("copy the video to", destination))?;
        tmp.as_file()
            .sync_all()
            .map_err(io("copy the video to", destination))?;
        tmp.persist(destination)
            .map_err(|e| io("copy the video to", destination)(e.error))?;
        Ok(bytes)
    }

    /// Removes a video's file and thumbnail from the library. The job stays in the ledger as the
    /// record of what it cost.
    pub fn delete_video(&self, id_or_prefix: &str) -> Result<JobRecord, Error> {
        let job = self.job(id_or_prefix)?;
        let media = job
            .media
            .clone()
            .ok_or_else(|| Error::NoVideo(job.id.clone()))?;
        for file in std::iter::once(&media.path).chain(media.thumbnail.as_ref()) {
            match std::fs::remove_file(file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::Io {
                        action: "delete",
                        path: file.clone(),
                        source,
                    });
                }
            }
        }
        self.shared()
            .ledger
            .mark_removed(&job.id, self.shared().now_ms())
    }
}
