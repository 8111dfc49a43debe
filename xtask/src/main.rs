//! `cargo xtask run|test|bundle|deb-smoke|measure|setup`: one place that installs what the studio needs, builds it,
//! runs it, and runs every test. Standard library only, so it compiles in seconds anywhere Rust is.

// xtask's job is talking to the person at the terminal.
#![allow(clippy::print_stdout)]

mod bare;
mod deb;
mod e2e;
mod measure;
mod measure_report;
mod procs;
mod setup;
mod smoke;
mod util;
mod x11;

use std::process::ExitCode;
use std::time::Instant;

use util::{Ctx, StatusOk, XResult};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run        set up, build the UI and the app, and start the app
  test       set up, build the UI, run every test in the workspace, the app smoke test, the
             end-to-end test in the real webview (tauri-driver under Xvfb) and, as root, the
             install smoke test (deb-smoke; STUDIO_SKIP_DEB_SMOKE=1 leaves it out)
  bundle     set up and build the Linux installer (.deb) with `tauri build --bundles deb`
  e2e        build the UI and the app, then run only the end-to-end test (faster to iterate)
  deb-smoke  build the .deb, install it with apt-get, start the installed app under Xvfb, remove it
  measure    build the release app and a bare Tauri window (xtask/bare-window) and measure both side
             by side: cold start, idle memory, ratios app/bare (target/measure.json)
  setup      only install/check the toolchain (system packages, wasm target, tools, npm)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first().map(String::as_str) else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match command {
        "run" => run(),
        // The summary line `N passed, M failed` must stay the last line: no message after it.
        "test" => match test() {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(error) => Err(error),
        },
        "bundle" => Ctx::new().and_then(|ctx| {
            setup::setup(&ctx)?;
            deb::build(&ctx).map(drop)
        }),
        "e2e" => match e2e_only() {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(error) => Err(error),
        },
        "deb-smoke" => Ctx::new().and_then(|ctx| deb::smoke(&ctx)),
        "measure" => Ctx::new().and_then(|ctx| measure::run(&ctx)),
        "setup" => Ctx::new().and_then(|ctx| setup::setup(&ctx)),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("xtask: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Features the app is built with everywhere in xtask: `cargo xtask run` and `cargo xtask test`
/// build one and the same tauri, so their artifacts are shared.
const APP_FEATURES: &str = "venice-studio/custom-protocol";

/// `cargo xtask run`: setup, the UI, the app (debug, with the UI embedded), then start it.
fn run() -> XResult<()> {
    let ctx = Ctx::new()?;
    setup::setup(&ctx)?;
    build_app(&ctx)?;
    let app = ctx.app_binary();
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        println!(
            "xtask: no DISPLAY or WAYLAND_DISPLAY is set; the window needs one (e.g. `xvfb-run -a cargo xtask run`)."
        );
    }
    util::step(&format!("starting {}", app.display()));
    ctx.command(&app).status_ok("the app")
}

/// `cargo xtask e2e`: the UI, the app, and the end-to-end test alone.
fn e2e_only() -> XResult<bool> {
    let ctx = Ctx::new()?;
    setup::setup(&ctx)?;
    build_app(&ctx)?;
    let mut tally = util::Tally::default();
    util::step("end-to-end test in the real webview (tauri-driver, Xvfb, demo mode)");
    e2e::run(&ctx, &ctx.app_binary(), &mut tally)?;
    Ok(tally.finish())
}

/// The UI, then the debug app with the UI embedded (the binary `cargo xtask test` tests).
fn build_app(ctx: &Ctx) -> XResult<()> {
    build_ui(ctx)?;
    util::step("building the app");
    ctx.cargo()
        .args([
            "build",
            "--workspace",
            "--features",
            APP_FEATURES,
            "--bin",
            "venice-studio",
        ])
        .status_ok("cargo build")
}

/// `cargo xtask test`: setup, the UI, every workspace test, the wasm check, the app smoke test, the
/// end-to-end test and the install smoke test; ends with one line `N passed, M failed`. `Ok(false)` when any test failed.
fn test() -> XResult<bool> {
    let started = Instant::now();
    let ctx = Ctx::new()?;
    let mut tally = util::Tally::default();
    setup::setup(&ctx)?;
    println!("xtask: setup took {:.1}s", started.elapsed().as_secs_f64());

    // A UI that does not build means the app cannot be built either: count it and go on, so the
    // rest of the workspace's tests still run.
    let ui_built = match build_ui(&ctx) {
        Ok(()) => true,
        Err(error) => {
            eprintln!("xtask: UI build failed: {error}");
            tally.record("ui: trunk build", false);
            false
        }
    };

    util::step("cargo test --workspace");
    let mut cargo_test = ctx.cargo();
    cargo_test.args(["test", "--workspace", "--no-fail-fast"]);
    if ui_built {
        cargo_test.args(["--features", APP_FEATURES]);
    } else {
        // Without ui/dist the embedded-assets build cannot work; test the dev-mode app instead.
        cargo_test.args(["--exclude", "venice-studio"]);
    }
    // The webview tests run below, with a display and tauri-driver (here they would only skip).
    cargo_test.args(["--", "--skip", E2E_TESTS]);
    tally.add_cargo_test(cargo_test)?;

    util::step("wasm32 check of the ui crate");
    let wasm_ok = ctx
        .cargo()
        .args([
            "check",
            "-p",
            "venice-studio-ui",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
        ])
        .status_ok("cargo check (wasm32)")
        .is_ok();
    tally.record("ui: cargo check --target wasm32-unknown-unknown", wasm_ok);

    util::step("app smoke test (Xvfb)");
    if ui_built {
        let outcome = smoke::run(&ctx);
        if let Err(error) = &outcome {
            eprintln!("xtask: smoke test failed: {error}");
        }
        tally.record("app: starts and shows its window", outcome.is_ok());
    } else {
        tally.record("app: starts and shows its window (UI did not build)", false);
    }

    util::step("end-to-end test in the real webview (tauri-driver, Xvfb, demo mode)");
    if ui_built {
        if let Err(error) = e2e::run(&ctx, &ctx.app_binary(), &mut tally) {
            eprintln!("xtask: e2e harness failed: {error}");
            tally.record("e2e: harness (Xvfb, tauri-driver)", false);
        }
    } else {
        tally.record("e2e: webview tests (UI did not build)", false);
    }

    util::step("install smoke test (release .deb, apt-get, Xvfb)");
    if let Some(why) = deb_smoke_skipped() {
        // A test that did not run is not a pass.
        tally.record(&format!("installer: not run ({why})"), false);
    } else if ui_built {
        let outcome = deb::build(&ctx).and_then(|deb| deb::install_and_start(&ctx, &deb));
        if let Err(error) = &outcome {
            eprintln!("xtask: install smoke test failed: {error}");
        }
        tally.record(
            "installer: the .deb builds, installs with apt-get and the installed app starts",
            outcome.is_ok(),
        );
    } else {
        tally.record("installer: .deb (UI did not build)", false);
    }

    println!("xtask: total {:.1}s", started.elapsed().as_secs_f64());
    Ok(tally.finish())
}

/// Why `cargo xtask test` leaves out the install smoke test, if it does: it needs Linux and root
/// (apt-get; CI runs as root), and `STUDIO_SKIP_DEB_SMOKE=1` skips its release build when iterating.
fn deb_smoke_skipped() -> Option<&'static str> {
    if !cfg!(target_os = "linux") {
        Some("the .deb is built on Linux only")
    } else if std::env::var_os("STUDIO_SKIP_DEB_SMOKE").is_some_and(|v| v == "1") {
        Some("STUDIO_SKIP_DEB_SMOKE=1")
    } else if !setup::is_root() {
        Some("apt-get needs root (run `cargo xtask deb-smoke` as root)")
    } else {
        None
    }
}

/// The e2e tests' names start with this (crates/studio-e2e/tests/webview.rs).
const E2E_TESTS: &str = "e2e_webview::";

/// Builds ui/ with trunk (release, offline: the tools come from setup) into a staging folder, then
/// copies into ui/dist only the files whose bytes changed and removes the ones trunk no longer
/// makes. Trunk rewrites every file on every build, and fresh mtimes in ui/dist make cargo
/// recompile the app that embeds them (in release, a whole LTO link: over a minute).
pub(crate) fn build_ui(ctx: &Ctx) -> XResult<()> {
    util::step("trunk build --offline --release (ui/)");
    let staging = ctx.target_dir().join("ui-dist-staging");
    ctx.command("trunk")
        .current_dir(ctx.root.join("ui"))
        .args(["build", "--offline", "--release", "--dist"])
        .arg(&staging)
        .status_ok("trunk build")?;
    let changed = util::sync_dir(&staging, &ctx.root.join("ui/dist"))?;
    println!("xtask: ui/dist: {changed} file(s) changed");
    Ok(())
}
