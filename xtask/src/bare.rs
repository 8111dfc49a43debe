//! The footprint reference: `xtask/bare-window`, a bare Tauri 2 window (one line of text), built
//! in release with the app's Tauri version and profile into the shared target dir. Its own
//! workspace, so only `cargo xtask measure` builds it, never `cargo test --workspace`.

use std::path::PathBuf;
use std::time::Instant;

use crate::util::{self, Ctx, StatusOk, XResult};

/// The bare window's title (xtask/bare-window/tauri.conf.json `app.windows[0].title`).
pub const TITLE: &str = "Bare Tauri window";

/// Builds the bare window (release, UI embedded); its binary's path.
pub fn build(ctx: &Ctx) -> XResult<PathBuf> {
    util::step("building the bare Tauri window (xtask/bare-window, release)");
    let started = Instant::now();
    let manifest = ctx.root.join("xtask/bare-window/Cargo.toml");
    ctx.cargo()
        .args([
            "build",
            "--release",
            "--locked",
            "--features",
            "custom-protocol",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(ctx.target_dir())
        .status_ok("cargo build of xtask/bare-window")?;
    let binary = ctx.target_dir().join("release/bare-window");
    if !binary.exists() {
        return Err(format!(
            "cargo built xtask/bare-window but left no {}",
            binary.display()
        )
        .into());
    }
    println!(
        "xtask: built {} ({:.1}s)",
        binary.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(binary)
}
