//! The app smoke test: the real binary under Xvfb must open a window titled with the app's name
//! and render the Yew page (the title's accent colour shows up in a screenshot).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::util::{Ctx, XResult};

const TITLE: &str = "Venice Music Video Studio";
/// The heading's accent colour (ui/styles.css `--accent`).
const ACCENT: &str = "#e0b15a";
const WINDOW_TIMEOUT: Duration = Duration::from_secs(60);
const RENDER_TIMEOUT: Duration = Duration::from_secs(60);

/// Kills and reaps a child process we started when dropped.
struct Guard(Child);

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

pub fn run(ctx: &Ctx) -> XResult<()> {
    let app = ctx.app_binary();
    if !app.exists() {
        return Err(format!("{} was not built", app.display()).into());
    }
    let shots = ctx.target_dir().join("screenshots");
    std::fs::create_dir_all(&shots)?;
    let shot = shots.join("app-start.png");
    let _ = std::fs::remove_file(&shot);

    let (display, _xvfb) = start_xvfb()?;
    println!("smoke: Xvfb on {display}");

    // The app under test keeps its data, cache and config in a fresh temp folder.
    let home = std::env::temp_dir().join(format!("venice-studio-smoke-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    for dir in ["data", "cache", "config"] {
        std::fs::create_dir_all(home.join(dir))?;
    }
    let log_path = ctx.target_dir().join("screenshots/app-start.log");
    let log = std::fs::File::create(&log_path)?;
    let mut app_process = Guard(
        ctx.command(&app)
            .env("DISPLAY", &display)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("NO_AT_BRIDGE", "1")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|error| format!("could not start {}: {error}", app.display()))?,
    );
    println!(
        "smoke: started {} (log: {})",
        app.display(),
        log_path.display()
    );

    let result = check(ctx, &display, &shot, &mut app_process.0);
    drop(app_process);
    let _ = std::fs::remove_dir_all(&home);
    if result.is_err() {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        for line in tail.into_iter().rev() {
            eprintln!("smoke: app log: {line}");
        }
    }
    result
}

fn check(ctx: &Ctx, display: &str, shot: &Path, app: &mut Child) -> XResult<()> {
    // 1. A top-level window with the app's name as its title.
    let started = Instant::now();
    loop {
        if let Some(status) = app.try_wait()? {
            return Err(format!("the app exited early ({status})").into());
        }
        if window_titles(ctx, display)?
            .iter()
            .any(|title| title == TITLE)
        {
            println!(
                "smoke: window \"{TITLE}\" is up after {:.1}s",
                started.elapsed().as_secs_f64()
            );
            break;
        }
        if started.elapsed() > WINDOW_TIMEOUT {
            return Err(format!("no window titled \"{TITLE}\" within {WINDOW_TIMEOUT:?}").into());
        }
        sleep(Duration::from_millis(250));
    }

    // 2. The Yew page rendered: the heading's accent colour is on screen.
    let started = Instant::now();
    loop {
        if let Some(status) = app.try_wait()? {
            return Err(format!("the app exited early ({status})").into());
        }
        screenshot(ctx, display, shot)?;
        let accent = accent_pixels(ctx, shot)?;
        if accent > 500 {
            println!(
                "smoke: the page rendered ({accent} accent pixels) after {:.1}s; screenshot: {}",
                started.elapsed().as_secs_f64(),
                shot.display()
            );
            return Ok(());
        }
        if started.elapsed() > RENDER_TIMEOUT {
            return Err(format!(
                "the page did not render within {RENDER_TIMEOUT:?} ({accent} accent pixels); screenshot: {}",
                shot.display()
            )
            .into());
        }
        sleep(Duration::from_millis(500));
    }
}

/// Starts Xvfb on the first free display from :99 and waits for its socket.
fn start_xvfb() -> XResult<(String, Guard)> {
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
fn window_titles(ctx: &Ctx, display: &str) -> XResult<Vec<String>> {
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
fn convert(ctx: &Ctx) -> Command {
    let debian = Path::new("/usr/bin/convert");
    if debian.exists() {
        ctx.command(debian)
    } else {
        ctx.command("convert")
    }
}

fn screenshot(ctx: &Ctx, display: &str, shot: &Path) -> XResult<()> {
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
fn accent_pixels(ctx: &Ctx, shot: &Path) -> XResult<u64> {
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
