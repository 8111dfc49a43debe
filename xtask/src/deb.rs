//! The Linux installer: `tauri build --bundles deb`, and the install smoke test (`apt-get install
//! ./file.deb`, the installed app starts under Xvfb in demo mode, the package is removed again).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::{self, Ctx, StatusOk, XResult};

/// Builds the UI, the release app and its .deb; the .deb's path.
pub fn build(ctx: &Ctx) -> XResult<PathBuf> {
    if !cfg!(target_os = "linux") {
        return Err(
            "bundle builds the .deb on Linux only; on macOS/Windows run `npx tauri build`".into(),
        );
    }
    let started = Instant::now();
    // xtask builds the UI itself (only changed files reach ui/dist, so an unchanged UI does not
    // relink the release app); `beforeBuildCommand` (the same trunk build) is switched off.
    crate::build_ui(ctx)?;
    util::step("tauri build --bundles deb");
    ctx.command("tauri")
        .args(["build", "--bundles", "deb", "--ci", "--config"])
        .arg(r#"{"build":{"beforeBuildCommand":null}}"#)
        .status_ok("tauri build")?;
    let deb = newest_deb(ctx)?;
    println!(
        "xtask: built {} ({:.1}s)",
        deb.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(deb)
}

/// The release binary `tauri build` leaves beside the bundle.
pub fn release_binary(ctx: &Ctx) -> PathBuf {
    ctx.target_dir().join("release/venice-studio")
}

/// The most recently written .deb under target/release/bundle/deb.
pub fn newest_deb(ctx: &Ctx) -> XResult<PathBuf> {
    let dir = ctx.target_dir().join("release/bundle/deb");
    std::fs::read_dir(&dir)
        .map_err(|error| format!("{}: {error}", dir.display()))?
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "deb"))
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .max()
        .map(|(_, path)| path)
        .ok_or_else(|| format!("no .deb in {}", dir.display()).into())
}

/// `cargo xtask deb-smoke`: build, install, start, remove.
pub fn smoke(ctx: &Ctx) -> XResult<()> {
    crate::setup::setup(ctx)?;
    let deb = build(ctx)?;
    install_and_start(ctx, &deb)
}

/// Installs `deb` with apt-get, starts the installed app (demo mode, temp folders) under Xvfb
/// until its window shows the page (`target/screenshots/deb-installed.png`), then purges the
/// package. Needs root (apt-get).
pub fn install_and_start(ctx: &Ctx, deb: &Path) -> XResult<()> {
    util::step(&format!("install smoke test of {}", deb.display()));
    if !crate::setup::is_root() {
        return Err(format!(
            "the install smoke test runs apt-get and needs root: sudo apt-get install -y {}",
            deb.display()
        )
        .into());
    }
    let package = deb_field(deb, "Package")?;
    let binary = installed_binary(deb)?;
    if crate::setup::dpkg_installed(&package)? {
        println!("deb-smoke: {package} is installed already (an earlier run?); removing it first");
        purge(&package)?;
    }
    let started = Instant::now();
    Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .arg(deb)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status_ok("apt-get install ./file.deb")?;
    println!(
        "deb-smoke: installed {package} ({:.1}s); starting {}",
        started.elapsed().as_secs_f64(),
        binary.display()
    );
    let outcome = if binary.exists() {
        crate::smoke::start_and_check(ctx, &binary, "deb-installed", &[("STUDIO_DEMO", "1")])
    } else {
        Err(format!("the package did not install {}", binary.display()).into())
    };
    let removed = purge(&package);
    outcome?;
    removed?;
    if binary.exists() {
        return Err(format!(
            "{} is still there after removing {package}",
            binary.display()
        )
        .into());
    }
    println!("deb-smoke: {package} installed, started and removed");
    Ok(())
}

fn purge(package: &str) -> XResult<()> {
    Command::new("apt-get")
        .args(["purge", "-y", "-q", package])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout(Stdio::null())
        .status_ok(&format!("apt-get purge {package}"))
}

/// A control field of a .deb (`dpkg-deb -f`).
fn deb_field(deb: &Path, field: &str) -> XResult<String> {
    let output = Command::new("dpkg-deb")
        .arg("-f")
        .arg(deb)
        .arg(field)
        .output()?;
    let value = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if value.is_empty() {
        return Err(format!("{} has no {field} field", deb.display()).into());
    }
    Ok(value)
}

/// The executable the package puts in /usr/bin.
fn installed_binary(deb: &Path) -> XResult<PathBuf> {
    let output = Command::new("dpkg-deb").arg("-c").arg(deb).output()?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .find_map(|path| {
            // dpkg-deb lists `./usr/bin/x` or `usr/bin/x`, depending on how the .deb was packed.
            let name = path.trim_start_matches("./").strip_prefix("usr/bin/")?;
            (!name.is_empty()).then(|| PathBuf::from("/usr/bin").join(name))
        })
        .ok_or_else(|| format!("{} puts nothing in /usr/bin", deb.display()).into())
}
