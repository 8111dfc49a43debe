//! The app smoke test: the real binary under Xvfb must open a window titled with the app's name
//! and render the Yew page (the title's accent colour shows up in a screenshot).

use std::path::Path;
use std::process::{Child, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::util::{Ctx, XResult};
use crate::x11::{Guard, TITLE, TempHome, accent_pixels, screenshot, start_xvfb, window_titles};

const WINDOW_TIMEOUT: Duration = Duration::from_secs(60);
const RENDER_TIMEOUT: Duration = Duration::from_secs(60);

/// The smoke test of the debug app `cargo test` built: first start (no demo), onboarding screen.
pub fn run(ctx: &Ctx) -> XResult<()> {
    let app = ctx.app_binary();
    if !app.exists() {
        return Err(format!("{} was not built", app.display()).into());
    }
    start_and_check(ctx, &app, "app-start", &[])
}

/// Starts `app` under a private Xvfb with its data, cache, config and HOME in a fresh temp
/// folder and `env` set; passes when a window titled like the app opens and the page renders.
/// Leaves `target/screenshots/<name>.png` and the app's log `<name>.log`.
pub fn start_and_check(ctx: &Ctx, app: &Path, name: &str, env: &[(&str, &str)]) -> XResult<()> {
    let shots = ctx.target_dir().join("screenshots");
    std::fs::create_dir_all(&shots)?;
    let shot = shots.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);

    let (display, _xvfb) = start_xvfb()?;
    println!("{name}: Xvfb on {display}");

    let home = TempHome::new(name)?;
    let log_path = shots.join(format!("{name}.log"));
    let log = std::fs::File::create(&log_path)?;
    let mut command = ctx.command(app);
    home.apply(&mut command);
    command
        .envs(env.iter().copied())
        .env("DISPLAY", &display)
        .env("NO_AT_BRIDGE", "1")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    let mut app_process = Guard(
        command
            .spawn()
            .map_err(|error| format!("could not start {}: {error}", app.display()))?,
    );
    println!(
        "{name}: started {} (log: {})",
        app.display(),
        log_path.display()
    );

    let result = check(ctx, &display, &shot, &mut app_process.0)
        .and_then(|()| wait_for_ui(&log_path, &mut app_process.0));
    drop(app_process);
    if result.is_err() {
        print_log_tail(name, &log_path);
    }
    result
}

/// What the shell logs at the UI's first call (src-tauri/src/commands/key.rs, `UI_UP_LOG`).
const UI_UP_LOG: &str = "the UI is up: its first call reached the shell";

/// Step 3, the wasm UI runs: the static header in index.html draws before it loads, so the test
/// also waits for the UI's first call to reach the shell (the app logs it).
fn wait_for_ui(log_path: &Path, app: &mut Child) -> XResult<()> {
    let started = Instant::now();
    loop {
        if std::fs::read_to_string(log_path).is_ok_and(|log| log.contains(UI_UP_LOG)) {
            println!(
                "smoke: the UI called the shell after {:.1}s more",
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        if let Some(status) = app.try_wait()? {
            return Err(format!("the app exited early ({status})").into());
        }
        if started.elapsed() > RENDER_TIMEOUT {
            return Err(format!(
                "the wasm UI never called the shell within {RENDER_TIMEOUT:?} (no \"{UI_UP_LOG}\" in the log)"
            )
            .into());
        }
        sleep(Duration::from_millis(200));
    }
}

/// The last 20 lines of a log, for a failure message.
pub fn print_log_tail(name: &str, log_path: &Path) {
    let log = std::fs::read_to_string(log_path).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(20).collect();
    for line in tail.into_iter().rev() {
        eprintln!("{name}: log: {line}");
    }
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
