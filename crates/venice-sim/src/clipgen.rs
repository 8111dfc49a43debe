//! Making clips: ffmpeg (lavfi `color` + `drawtext`) on the blocking pool, a few at a time, cached
//! on disk by their parameters (written in a temp folder beside the cache, then renamed into place).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use tokio::sync::{OnceCell, Semaphore, watch};

use crate::clips::{CLIP_FPS, ClipConfig, ClipInfo};
use crate::error::SimError;

/// Where one job's clip stands.
#[derive(Clone, Debug)]
pub(crate) enum ClipState {
    /// ffmpeg is (or will be) at work.
    Making,
    /// The MP4.
    Ready(Bytes),
    /// It could not be made: the job delivers its fixture.
    Failed,
    /// The job's media was deleted; the bytes are dropped.
    Gone,
}

/// One job's clip: what it looks like and where its making stands.
#[derive(Debug)]
pub(crate) struct ClipSlot {
    pub info: ClipInfo,
    pub state: watch::Sender<ClipState>,
}

/// Makes and caches the clips of one sim.
#[derive(Debug)]
pub(crate) struct ClipMaker {
    config: ClipConfig,
    font: OnceLock<Option<PathBuf>>,
    runs: AtomicUsize,
    warned: AtomicBool,
    permits: Semaphore,
    inflight: Mutex<HashMap<String, Arc<OnceCell<Option<Bytes>>>>>,
}

impl ClipMaker {
    pub(crate) fn new(config: ClipConfig) -> ClipMaker {
        let permits = Semaphore::new(config.max_parallel.max(1));
        ClipMaker {
            config,
            font: OnceLock::new(),
            runs: AtomicUsize::new(0),
            warned: AtomicBool::new(false),
            permits,
            inflight: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn config(&self) -> &ClipConfig {
        &self.config
    }

    /// How many times ffmpeg was run.
    pub(crate) fn runs(&self) -> usize {
        self.runs.load(Ordering::Relaxed)
    }

    /// Starts making `info`'s clip in the background; the slot turns `Ready` or `Failed`.
    pub(crate) fn start(self: &Arc<Self>, info: ClipInfo) -> Arc<ClipSlot> {
        let slot = Arc::new(ClipSlot {
            info,
            state: watch::Sender::new(ClipState::Making),
        });
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            slot.state.send_replace(ClipState::Failed);
            return slot;
        };
        let (maker, task_slot) = (self.clone(), slot.clone());
        runtime.spawn(async move {
            let made = maker.make(task_slot.info.clone()).await;
            task_slot.state.send_if_modified(|s| {
                if matches!(s, ClipState::Making) {
                    *s = made.map_or(ClipState::Failed, ClipState::Ready);
                    true
                } else {
                    false
                }
            });
        });
        slot
    }

    /// The clip's bytes, made once per key even when asked for concurrently.
    async fn make(self: Arc<Self>, info: ClipInfo) -> Option<Bytes> {
        let key = info.cache_key();
        let cell = self
            .inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        let made = cell
            .get_or_init(|| async {
                let _permit = self.permits.acquire().await.ok();
                let maker = self.clone();
                let result = tokio::task::spawn_blocking(move || maker.make_blocking(&info)).await;
                match result {
                    Ok(Ok(bytes)) => Some(bytes),
                    Ok(Err(e)) => {
                        self.warn(&e);
                        None
                    }
                    Err(e) => {
                        tracing::warn!("venice-sim: the clip maker stopped: {e}");
                        None
                    }
                }
            })
            .await
            .clone();
        self.inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&key);
        made
    }

    fn warn(&self, e: &SimError) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!("{e}; serving the bundled fixture MP4s instead");
        } else {
            tracing::debug!("{e}");
        }
    }

    /// Cached file, else a new one from ffmpeg. Blocking.
    fn make_blocking(&self, info: &ClipInfo) -> Result<Bytes, SimError> {
        let dir = &self.config.cache_dir;
        let path = dir.join(format!("clip-{}.mp4", info.cache_key()));
        if let Some(bytes) = read_mp4(&path) {
            return Ok(bytes);
        }
        let cache_err = |source| SimError::ClipCache {
            dir: dir.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(cache_err)?;
        let work = tempfile::Builder::new()
            .prefix(".making-")
            .tempdir_in(dir)
            .map_err(cache_err)?;
        let font = self.font().clone();
        let out = work.path().join("clip.mp4");
        std::fs::write(work.path().join("number.txt"), info.number.to_string())
            .map_err(cache_err)?;
        std::fs::write(work.path().join("caption.txt"), &info.caption).map_err(cache_err)?;
        // With the text first; without it if drawtext or the font fails.
        let attempts = match font.as_deref() {
            Some(f) => vec![Some(f), None],
            None => vec![None],
        };
        let mut result = Ok(());
        for font in attempts {
            self.runs.fetch_add(1, Ordering::Relaxed);
            result = run_ffmpeg(&self.config.ffmpeg, work.path(), info, font, &out);
            if !matches!(result, Err(SimError::FfmpegFailed { .. })) {
                break;
            }
        }
        result?;
        match std::fs::rename(&out, &path) {
            Ok(()) => {}
            // Another process may have put the same clip there first.
            Err(_) if read_mp4(&path).is_some() => {}
            Err(e) => return Err(cache_err(e)),
        }
        read_mp4(&path).ok_or_else(|| {
            cache_err(std::io::Error::other(format!(
                "{} is not an MP4 after encoding",
                path.display()
            )))
        })
    }

    fn font(&self) -> &Option<PathBuf> {
        self.font
            .get_or_init(|| find_font(self.config.font.as_deref()))
    }
}

/// The file's bytes when it looks like a finished MP4.
fn read_mp4(path: &Path) -> Option<Bytes> {
    let bytes = std::fs::read(path).ok()?;
    (bytes.len() > 1000 && &bytes[4..8] == b"ftyp").then(|| Bytes::from(bytes))
}

/// The configured font if it exists, else DejaVu Sans Bold (fc-match, then known paths).
fn find_font(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = configured {
        return path.is_file().then(|| path.to_path_buf());
    }
    let matched = Command::new("fc-match")
        .args(["-f", "%{file}", "DejaVu Sans:bold"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_file());
    matched.or_else(|| {
        [
            "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
            "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
            "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
            "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
            "/Library/Fonts/Arial Bold.ttf",
            "C:\\Windows\\Fonts\\arialbd.ttf",
        ]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
    })
}

/// Escapes a filter option value for both levels of ffmpeg's filtergraph parsing.
fn filter_value(s: &str) -> String {
    let escape = |s: &str, special: &[char]| {
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            if special.contains(&c) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    };
    escape(
        &escape(s, &['\\', '\'', ':']),
        &['\\', '\'', '[', ']', ',', ';'],
    )
}

/// One encode of `info` into `out`; text files are read from `work` (ffmpeg's working folder).
fn run_ffmpeg(
    ffmpeg: &Path,
    work: &Path,
    info: &ClipInfo,
    font: Option<&Path>,
    out: &Path,
) -> Result<(), SimError> {
    let secs = format!("{:.6}", info.duration_s());
    let mut cmd = Command::new(ffmpeg);
    cmd.current_dir(work)
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
        .args(["-f", "lavfi", "-i"])
        .arg(format!(
            "color=c=0x{}:s={}x{}:r={CLIP_FPS}:d={secs}",
            info.colour_hex(),
            info.width,
            info.height
        ));
    if info.audio {
        let tone = 220 + 20 * (info.number % 24);
        cmd.args(["-f", "lavfi", "-i"]).arg(format!(
            "sine=frequency={tone}:sample_rate=48000:duration={secs}"
        ));
    }
    if let Some(font) = font {
        let font = filter_value(&font.to_string_lossy());
        let short = info.width.min(info.height);
        let common = format!(
            "fontfile={font}:expansion=none:fontcolor=white:bordercolor=black@0.6:x=(w-text_w)/2"
        );
        cmd.arg("-vf").arg(format!(
            "drawtext={common}:textfile=number.txt:fontsize={}:borderw={}:y=(h-text_h)/2-h/12,\
             drawtext={common}:textfile=caption.txt:fontsize={}:borderw=2:y=h*0.7",
            short / 3,
            (short / 80).max(2),
            (short / 16).max(10),
        ));
    }
    cmd.args(["-frames:v", &info.frames.to_string(), "-t", &secs])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "stillimage",
        ])
        .args(["-pix_fmt", "yuv420p", "-r", &CLIP_FPS.to_string()]);
    if info.audio {
        cmd.args(["-c:a", "aac", "-b:a", "64k"]);
    } else {
        cmd.arg("-an");
    }
    cmd.args(["-movflags", "+faststart", "-map_metadata", "-1"])
        .args(["-fflags", "+bitexact", "-flags:v", "+bitexact", "-f", "mp4"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    let output = cmd.output().map_err(|source| SimError::FfmpegMissing {
        path: ffmpeg.to_path_buf(),
        source,
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(SimError::FfmpegFailed {
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr)
                .trim()
                .chars()
                .take(600)
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_values_are_escaped_twice() {
        assert_eq!(filter_value("/usr/a.ttf"), "/usr/a.ttf");
        assert_eq!(filter_value("C:\\F\\a.ttf"), "C\\\\:\\\\\\\\F\\\\\\\\a.ttf");
        assert_eq!(filter_value("a,b"), "a\\,b");
    }
}
