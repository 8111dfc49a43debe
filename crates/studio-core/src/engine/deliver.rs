//! Bringing a video home: where it is saved, verifying it, its thumbnail, marking it ready, and
//! only then telling Venice to delete its copy.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use venice::CompleteVideoRequest;

use super::Shared;
use super::poller::{Next, Schedule};
use crate::events::JobEvent;
use crate::ledger::{JobRecord, MediaInfo};
use crate::{Error, media};

/// A file Venice sent that is not a playable video is fetched again this many times at most.
pub(super) const MAX_BAD_FILES: u32 = 3;
/// The client writes downloads to temp files with this prefix before renaming them into place.
const PARTIAL_DOWNLOAD_PREFIX: &str = ".venice-download-";

/// Creates the media and thumbnail folders and removes downloads a killed process left
/// half-written (their jobs are still in flight and will be fetched again).
pub(super) fn prepare_media_dir(shared: &Shared) -> Result<(), Error> {
    for dir in [&shared.paths.media_dir, &shared.paths.thumbnails()] {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            action: "create the folder",
            path: dir.clone(),
            source,
        })?;
    }
    if let Ok(entries) = std::fs::read_dir(&shared.paths.media_dir) {
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(PARTIAL_DOWNLOAD_PREFIX)
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(())
}

/// `media/<words-of-the-theme>-<id prefix>.mp4`: readable when dragged out, unique per job.
pub(super) fn destination(shared: &Shared, job: &JobRecord) -> PathBuf {
    let words = job.params.theme.as_deref().unwrap_or(&job.params.prompt);
    let slug: String = words
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase();
    let short_id: String = job.id.0.chars().take(8).collect();
    let name = if slug.is_empty() {
        format!("video-{short_id}.mp4")
    } else {
        format!("{slug}-{short_id}.mp4")
    };
    shared.paths.media_dir.join(name)
}

/// Emit a `Downloading` event at most once per this many bytes (and at the start and end).
const PROGRESS_STEP_BYTES: u64 = 1 << 20;

/// Follows a video's download: the job becomes `downloading` (in the ledger, then announced) as
/// soon as the body starts, and the UI hears how many bytes have arrived.
pub(super) struct DownloadReporter<'a> {
    shared: &'a Shared,
    job: &'a JobRecord,
    started: AtomicBool,
    last_reported: AtomicU64,
}

impl<'a> DownloadReporter<'a> {
    pub(super) fn new(shared: &'a Shared, job: &'a JobRecord) -> Self {
        Self {
            shared,
            job,
            started: AtomicBool::new(false),
            last_reported: AtomicU64::new(0),
        }
    }

    pub(super) fn report(&self, received: u64, total: Option<u64>) {
        if !self.started.swap(true, Ordering::SeqCst)
            && self.job.state != crate::JobState::Downloading
            && let Err(error) = self
                .shared
                .ledger
                .mark_downloading(&self.job.id, self.shared.now_ms())
        {
            tracing::warn!(job = %self.job.id, %error, "could not record the download");
        }
        let last = self.last_reported.load(Ordering::SeqCst);
        let step =
            received == 0 || received >= last + PROGRESS_STEP_BYTES || Some(received) == total;
        if step {
            self.last_reported.store(received, Ordering::SeqCst);
            self.shared.emit(JobEvent::Downloading {
                id: self.job.id.clone(),
                bytes: received,
                total,
            });
        }
    }
}

/// The file is on disk: verify it, thumbnail it, mark the job ready, then release Venice's copy.
pub(super) async fn finish(
    shared: &Arc<Shared>,
    job: &JobRecord,
    path: &Path,
    schedule: Schedule,
) -> Next {
    let failures = schedule.failures;
    let owned = path.to_path_buf();
    let probe = tokio::task::spawn_blocking(move || media::probe(&owned)).await;
    let probe = match probe {
        Ok(Ok(probe)) => probe,
        Ok(Err(error)) => {
            let _ = std::fs::remove_file(path);
            let bad_files = schedule.bad_files + 1;
            if bad_files >= MAX_BAD_FILES {
                let reason = format!("Venice sent a file that is not a playable video ({error}).");
                return fail(shared, job, reason, None).await;
            }
            tracing::warn!(job = %job.id, %error, "downloaded file is not a video; fetching again");
            return Next::Again {
                after: shared.backoff.backoff(failures + 1),
                failures: failures + 1,
                server_failures: 0,
                bad_files,
            };
        }
        Err(join_error) => {
            tracing::error!(%join_error, "probe task failed");
            return Next::Again {
                after: shared.config.poll_interval,
                failures,
                server_failures: 0,
                bad_files: schedule.bad_files,
            };
        }
    };
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let thumbnail_path = shared.paths.thumbnails().join(format!("{}.jpg", job.id));
    let (ffmpeg, video, seconds) = (
        shared.config.ffmpeg.clone(),
        path.to_path_buf(),
        probe.seconds,
    );
    let thumbnail = tokio::task::spawn_blocking(move || {
        media::make_thumbnail(&ffmpeg, &video, &thumbnail_path, seconds)
    })
    .await
    .unwrap_or_else(|e| media::Thumbnail::Failed(e.to_string()));
    if let media::Thumbnail::Failed(why) = &thumbnail {
        tracing::warn!(job = %job.id, why, "no thumbnail");
    }
    let info = MediaInfo {
        path: path.to_path_buf(),
        bytes,
        seconds: Some(probe.seconds),
        width: Some(probe.width),
        height: Some(probe.height),
        thumbnail: thumbnail.path().map(Path::to_path_buf),
    };
    let recorded = {
        let (id, info) = (job.id.clone(), info.clone());
        shared
            .db(move |ledger, now| ledger.mark_ready(&id, &info, now))
            .await
    };
    let ready = match recorded {
        Ok(ready) => ready,
        Err(error) => {
            tracing::error!(job = %job.id, %error, "could not record the saved video");
            return Next::Again {
                after: shared.config.poll_interval,
                failures,
                server_failures: 0,
                bad_files: schedule.bad_files,
            };
        }
    };
    shared.emit(JobEvent::Ready {
        id: ready.id.clone(),
        path: info.path,
        cost_usd: ready.quote_usd,
    });
    // Delete-after-download: only now that our copy is verified and recorded.
    if shared.config.delete_media_on_completion {
        release_venice_copy(shared, &ready).await;
    }
    Next::Done
}

/// Deletes Venice's copy (`/video/complete`) of a video that is verified and recorded as ours.
pub(super) async fn release_venice_copy(shared: &Arc<Shared>, job: &JobRecord) {
    let now = shared.now_ms();
    let Some(queue_id) = job.queue_id.as_deref() else {
        return;
    };
    let request = CompleteVideoRequest::new(&job.params.model, queue_id);
    let permit = shared.failures.acquire().await;
    match shared.client.video().complete(&request).await {
        Ok(_) => {
            mark_released(shared, job, now).await;
        }
        Err(error) if error.status() == Some(404) => {
            drop(permit);
            mark_released(shared, job, now).await;
        }
        Err(error) => {
            permit.failed();
            // The video is safe with us; Venice deletes its copy on its own schedule.
            tracing::warn!(job = %job.id, %error, "could not tell Venice to delete its copy");
        }
    }
}

/// Records that Venice no longer holds the job's copy (off the async workers).
async fn mark_released(shared: &Arc<Shared>, job: &JobRecord, now: i64) {
    let id = job.id.clone();
    if let Err(error) = shared
        .db(move |ledger, _| ledger.mark_venice_copy_deleted(&id, now))
        .await
    {
        tracing::warn!(job = %job.id, %error, "could not record that Venice's copy is deleted");
    }
}

/// Marks the job failed (off the async workers) and says so.
pub(super) async fn fail(
    shared: &Arc<Shared>,
    job: &JobRecord,
    reason: String,
    refunded: Option<bool>,
) -> Next {
    let (id, why) = (job.id.clone(), reason.clone());
    match shared
        .db(move |ledger, now| ledger.mark_failed(&id, &why, refunded, now))
        .await
    {
        Ok(job) => shared.emit(JobEvent::Failed {
            id: job.id,
            reason,
            credits_refunded: refunded,
        }),
        Err(error) => tracing::error!(job = %job.id, %error, "could not record the failure"),
    }
    Next::Done
}
