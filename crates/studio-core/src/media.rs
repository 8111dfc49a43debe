//! Checks that a downloaded video really is one (a video track, a duration, a frame size) and
//! grabs a thumbnail frame for the library.
//!
//! Probing uses the client's own MP4 reader (`venice::mp4`, pure Rust), so verification works
//! without ffmpeg and there is one MP4 reader, not two.
//! Thumbnails need `ffmpeg` on PATH; without it the job is still ready and the library shows a
//! placeholder instead of a frame ([`Thumbnail::FfmpegMissing`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Error;

/// What a probe read from the file's headers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoProbe {
    pub seconds: f64,
    pub width: u32,
    pub height: u32,
}

/// Reads duration and frame size from an MP4, with the same reader that checks downloads as they
/// stream ([`venice::mp4`]): a file cut short, with no video track, no duration or a zero frame
/// size is refused: it is not a video the user can watch. Blocking: call it off the async runtime.
pub fn probe(path: &Path) -> Result<VideoProbe, Error> {
    let info = venice::mp4::probe_file(path).map_err(|e| Error::BadVideo {
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    Ok(VideoProbe {
        seconds: info.seconds,
        width: info.width,
        height: info.height,
    })
}

/// The outcome of a thumbnail grab; never an error, since a missing thumbnail must not fail a
/// video the user paid for.
#[derive(Clone, Debug, PartialEq)]
pub enum Thumbnail {
    Made(PathBuf),
    /// `ffmpeg` is not installed; the library shows a placeholder.
    FfmpegMissing,
    Failed(String),
}

impl Thumbnail {
    pub fn path(&self) -> Option<&Path> {
        match self {
            Thumbnail::Made(path) => Some(path),
            _ => None,
        }
    }
}

/// Grabs one frame (half a second in, or the first frame of a shorter clip) as a JPEG 320 px wide.
pub fn make_thumbnail(ffmpeg: &Path, video: &Path, out: &Path, seconds: f64) -> Thumbnail {
    let at = if seconds > 1.0 { "0.5" } else { "0" };
    let result = Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-y", "-ss", at, "-i"])
        .arg(video)
        .args(["-frames:v", "1", "-vf", "scale=320:-2", "-q:v", "4"])
        .arg(out)
        .stdin(Stdio::null())
        .output();
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Thumbnail::FfmpegMissing,
        Err(e) => Thumbnail::Failed(e.to_string()),
        Ok(output) if output.status.success() && out.is_file() => Thumbnail::Made(out.into()),
        Ok(output) => Thumbnail::Failed(String::from_utf8_lossy(&output.stderr).trim().into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../venice-sim/fixtures/video")
            .join(name)
    }

    fn ffmpeg_installed() -> bool {
        Command::new("ffmpeg")
            .arg("-version")
            .stdout(Stdio::null())
            .status()
            .is_ok()
    }

    #[test]
    fn probes_size_and_length_of_real_clips() {
        let wide = probe(&fixture("16x9.mp4")).unwrap();
        assert_eq!((wide.width, wide.height), (1280, 720));
        assert!((wide.seconds - 5.0).abs() < 0.01, "{wide:?}");
        let tall = probe(&fixture("9x16.mp4")).unwrap();
        assert_eq!((tall.width, tall.height), (720, 1280));
    }

    #[test]
    fn refuses_files_that_are_not_videos() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("error.mp4");
        std::fs::write(&html, "<html>502 Bad Gateway</html>").unwrap();
        let err = probe(&html).unwrap_err();
        assert!(err.to_string().contains("is not a playable video"), "{err}");

        let bytes = std::fs::read(fixture("1x1.mp4")).unwrap();
        let cut = dir.path().join("cut.mp4");
        std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
        assert!(probe(&cut).is_err(), "a third of an MP4 is not a video");
        assert!(probe(&dir.path().join("missing.mp4")).is_err());
    }

    #[test]
    fn thumbnail_is_a_jpeg_frame_or_a_clear_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("thumb.jpg");
        let missing = make_thumbnail(
            Path::new("/nonexistent/ffmpeg"),
            &fixture("16x9.mp4"),
            &out,
            5.0,
        );
        assert_eq!(missing, Thumbnail::FfmpegMissing);
        if !ffmpeg_installed() {
            eprintln!("ffmpeg not installed: only the fallback was checked");
            return;
        }
        let made = make_thumbnail(Path::new("ffmpeg"), &fixture("16x9.mp4"), &out, 5.0);
        assert_eq!(made, Thumbnail::Made(out.clone()));
        let jpeg = std::fs::read(&out).unwrap();
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "JPEG magic");
        let failed = make_thumbnail(Path::new("ffmpeg"), &dir.path().join("none.mp4"), &out, 5.0);
        assert!(matches!(failed, Thumbnail::Failed(_)), "{failed:?}");
    }
}
