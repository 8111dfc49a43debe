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

    /// Copies a video to `destination` (Save as…). Returns the bytes copied.
    pub fn save_copy(&self, id_or_prefix: &str, destination: &Path) -> Result<u64, Error> {
        let job = self.job(id_or_prefix)?;
        let media = job.media.ok_or(Error::NoVideo(job.id))?;
        std::fs::copy(&media.path, destination).map_err(|source| Error::Io {
            action: "copy the video to",
            path: destination.to_path_buf(),
            source,
        })
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
