//! The end-to-end test in the real webview: Xvfb, tauri-driver (which starts WebKitWebDriver, which
//! starts the app in demo mode with its folders in a temp dir), then `cargo test -p studio-e2e`
//! with `STUDIO_E2E_APP` set. Screenshots: `target/screenshots/e2e-NN-step.png`.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::smoke::print_log_tail;
use crate::util::{Ctx, Tally, XResult};
use crate::x11::{Guard, TempHome, start_xvfb};

/// WebKit's WebDriver (Debian package webkit2gtk-driver).
const NATIVE_DRIVER: &str = "/usr/bin/WebKitWebDriver";

/// Runs the e2e tests against `app` and adds them to `tally`.
pub fn run(ctx: &Ctx, app: &Path, tally: &mut Tally) -> XResult<()> {
    if !app.exists() {
        return Err(format!("{} was not built", app.display()).into());
    }
    let driver = ctx
        .tools
        .join("bin")
        .join(format!("tauri-driver{}", std::env::consts::EXE_SUFFIX));
    if !driver.exists() {
        return Err(format!(
            "{} is missing (cargo xtask setup installs it)",
            driver.display()
        )
        .into());
    }
    let shots = ctx.target_dir().join("screenshots");
    std::fs::create_dir_all(&shots)?;
    // Screenshots of this run only.
    for entry in std::fs::read_dir(&shots)?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("e2e-") && name.ends_with(".png") {
            let _ = std::fs::remove_file(entry.path());
        }
    }

    let (display, _xvfb) = start_xvfb()?;
    let port = free_port()?;
    let native_port = free_port()?;
    let home = TempHome::new("e2e")?;
    let log_path = shots.join("e2e-driver.log");
    let log = std::fs::File::create(&log_path)?;
    let mut command = ctx.command(&driver);
    home.apply(&mut command);
    command
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .args(["--native-driver", NATIVE_DRIVER])
        .env("DISPLAY", &display)
        .env("STUDIO_DEMO", "1")
        .env("NO_AT_BRIDGE", "1")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    let mut tauri_driver = Guard(
        command
            .spawn()
            .map_err(|error| format!("could not start {}: {error}", driver.display()))?,
    );
    println!(
        "e2e: Xvfb {display}, tauri-driver on port {port} (log: {})",
        log_path.display()
    );
    wait_for_port(port, &mut tauri_driver)?;

    // `--workspace` with the same features as the workspace run: the same dependency features,
    // so nothing is compiled a second time; `--test webview` picks studio-e2e's test alone.
    let mut test = ctx.cargo();
    test.args(["test", "--workspace", "--features", crate::APP_FEATURES])
        .args(["--test", "webview", "--"])
        .args(["--test-threads=1", "--nocapture"])
        .env("STUDIO_E2E_APP", app)
        .env("STUDIO_E2E_WEBDRIVER", format!("http://127.0.0.1:{port}"))
        .env("STUDIO_E2E_SHOTS", &shots);
    let before = tally.failed();
    let outcome = tally.add_cargo_test(test);
    drop(tauri_driver);
    if outcome.is_err() || tally.failed() > before {
        print_log_tail("e2e: tauri-driver/app", &log_path);
    }
    outcome
}

/// A port nobody listens on now (the OS picks it), so parallel runs do not collide on 4444.
fn free_port() -> XResult<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, driver: &mut Guard) -> XResult<()> {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = driver.0.try_wait()? {
            return Err(format!("tauri-driver exited ({status})").into());
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("tauri-driver did not listen on {port} within 30 s").into());
        }
        sleep(Duration::from_millis(100));
    }
    Ok(())
}
