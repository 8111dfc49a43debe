//! X11 under Xvfb: a private display, window titles, screenshots, and a guard that stops the
//! processes we started.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::util::{Ctx, XResult};

/// The app's window title (tauri.conf.json `app.windows[0].title`).
pub const TITLE: &str = "Venice Music Video Studio";
/// The heading's accent colour (ui/styles.css `--accent`).
pub const ACCENT: &str = "#e0b15a";

/// Kills and reaps a child process we started when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        // SIGTERM first, so Xvfb removes its lock file and socket; SIGKILL if it lingers.
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh temp folder holding the app's HOME, data, cache and config; removed when dropped.
#[derive(Debug)]
pub struct TempHome(PathBuf);

impl TempHome {
    pub fn new(tag: &str) -> XResult<Self> {
        let root = std::env::temp_dir().join(format!("venice-studio-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for dir in ["home", "data", "cache", "config"] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        Ok(Self(root))
    }

    /// Points HOME and the XDG folders of `command` here.
    pub fn apply(&self, command: &mut Command) {
        command
            .env("HOME", self.0.join("home"))
            .env("XDG_DATA_HOME", self.0.join("data"))
            .env("XDG_CACHE_HOME", self.0.join("cache"))
            .env("XDG_CONFIG_HOME", self.0.join("config"));
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts Xvfb on the first free display from :99 and waits for its socket.
pub fn start_xvfb() -> XResult<(String, Guard)> {
    let number = (99..200)
        .find(|n| display_free(*n))
        .ok_or("no free X display number in :99..:199")?;
    let display = format!(":{number}");
    let child = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("could not start Xvfb ({error}); install the xvfb package"))?;
    let mut guard = Guard(child);
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
    let started = Instant::now();
    while !socket.exists() {
        if let Some(status) = guard.0.try_wait()? {
            return Err(format!("Xvfb {display} exited ({status})").into());
        }
        if started.elapsed() > Duration::from_secs(15) {
            return Err(format!("Xvfb {display} did not come up").into());
        }
        sleep(Duration::from_millis(100));
    }
    Ok((display, guard))
}

/// Whether display :n is free: no lock file, or one left by a server that is gone (then it and
/// the socket are cleared so Xvfb can take the number).
fn display_free(n: u32) -> bool {
    let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
    let Ok(text) = std::fs::read_to_string(&lock) else {
        return !socket.exists();
    };
    let alive = text
        .trim()
        .parse::<u32>()
        .map(|pid| Path::new(&format!("/proc/{pid}")).exists())
        .unwrap_or(true);
    if alive {
        return false;
    }
    std::fs::remove_file(&lock).is_ok()
        && (!socket.exists() || std::fs::remove_file(&socket).is_ok())
}

/// The names of all windows on the display (`xwininfo -root -tree`), no window manager needed.
pub fn window_titles(ctx: &Ctx, display: &str) -> XResult<Vec<String>> {
    let output = ctx
        .command("xwininfo")
        .args(["-root", "-tree"])
        .env("DISPLAY", display)
        .stderr(Stdio::null())
        .output()
        .map_err(|error| format!("could not run xwininfo ({error}); install x11-utils"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    // Lines look like: `0x1a00003 "Venice Music Video Studio": ("venice-studio" ...)  1100x720+0+0`.
    Ok(text
        .lines()
        .filter_map(|line| {
            let start = line.find('"')? + 1;
            let end = start + line[start..].find("\":")?;
            Some(line[start..end].to_owned())
        })
        .collect())
}

/// ImageMagick: the real `convert` (Debian's), not a stand-in someone put earlier on PATH.
pub fn convert(ctx: &Ctx) -> Command {
    let debian = Path::new("/usr/bin/convert");
    if debian.exists() {
        ctx.command(debian)
    } else {
        ctx.command("convert")
    }
}

pub fn screenshot(ctx: &Ctx, display: &str, shot: &Path) -> XResult<()> {
    let status = ctx
        .command("import")
        .args(["-window", "root"])
        .arg(shot)
        .env("DISPLAY", display)
        .stderr(Stdio::null())
        .status()
        .map_err(|error| format!("could not run import ({error}); install imagemagick"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("import failed ({status})").into())
    }
}

/// How many pixels of the screenshot are (close to) the accent colour.
pub fn accent_pixels(ctx: &Ctx, shot: &Path) -> XResult<u64> {
    let output = convert(ctx)
        .arg(shot)
        .args([
            "-fuzz", "12%", "-fill", "black", "+opaque", ACCENT, "-fill", "white", "-opaque",
            ACCENT,
        ])
        .args([
            "-colorspace",
            "gray",
            "-format",
            "%[fx:round(mean*w*h)]",
            "info:",
        ])
        .output()
        .map_err(|error| format!("could not run convert ({error}); install imagemagick"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().map_err(|_| {
        format!(
            "convert said {:?} ({})",
            text.trim(),
            String::from_utf8_lossy(&output.stderr)
        )
        .into()
    })
}
