//! Streams a video body to disk: temp file beside the destination, MP4 check while it
//! streams, fsync, atomic rename. Any failure leaves no file behind.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::client::transport_kind;
use crate::error::Error;
use crate::meta::ResponseMeta;
use crate::mp4::{BoxWalker, Mp4Error};
use crate::types::video::SavedVideo;

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Told how far a video download has got: bytes received so far and, when the server said, the
/// total. Called once with 0 when the body starts, then after every chunk.
pub type DownloadProgress<'a> = &'a (dyn Fn(u64, Option<u64>) + Send + Sync);

/// A progress callback that ignores progress.
pub(crate) fn no_progress(_received: u64, _total: Option<u64>) {}

/// Writes `response`'s body to `dest`, checking it is a whole MP4.
pub(crate) async fn save_mp4(
    response: reqwest::Response,
    meta: &ResponseMeta,
    dest: &Path,
    on_progress: DownloadProgress<'_>,
) -> Result<SavedVideo, Error> {
    let request_id = meta.request_id.clone();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let expected = response.content_length();
    let dir: PathBuf = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(io_err("create the folder", &dir))?;
    // NamedTempFile deletes itself when dropped: every early return below removes it.
    let tmp = tempfile::Builder::new()
        .prefix(".venice-download-")
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(io_err("create a temporary file in", &dir))?;
    let std_file = tmp
        .as_file()
        .try_clone()
        .map_err(io_err("open", tmp.path()))?;
    let mut file = tokio::fs::File::from_std(std_file);

    let mut walker = BoxWalker::new();
    let mut received: u64 = 0;
    on_progress(0, expected);
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(received, expected, error = %transport_kind(&e), "video body broke off");
                return Err(Error::Interrupted {
                    received,
                    expected,
                    timed_out: e.is_timeout(),
                    request_id,
                });
            }
        };
        walker.feed(&chunk);
        if walker.error() == Some(&Mp4Error::NoFtyp) {
            return Err(Error::NotMp4 {
                content_type,
                request_id,
            });
        }
        received += chunk.len() as u64;
        file.write_all(&chunk)
            .await
            .map_err(io_err("write", tmp.path()))?;
        on_progress(received, expected);
    }
    if let Some(n) = expected
        && received < n
    {
        return Err(Error::Interrupted {
            received,
            expected,
            timed_out: false,
            request_id,
        });
    }
    match walker.finish() {
        Ok(()) => {}
        Err(Mp4Error::NoFtyp) => {
            return Err(Error::NotMp4 {
                content_type,
                request_id,
            });
        }
        Err(reason) => return Err(Error::BadMp4 { reason, request_id }),
    }
    file.flush().await.map_err(io_err("write", tmp.path()))?;
    file.sync_all()
        .await
        .map_err(io_err("flush to disk", tmp.path()))?;
    drop(file);
    tmp.persist(dest).map_err(|e| Error::Io {
        action: "move the video into place at",
        path: dest.to_path_buf(),
        source: e.error,
    })?;
    sync_dir(&dir);
    tracing::debug!(bytes = received, "video saved");
    Ok(SavedVideo {
        path: dest.to_path_buf(),
        bytes: received,
    })
}

/// Makes the rename durable where the platform allows it (best effort).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
