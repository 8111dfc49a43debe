//! Installs what building and testing the studio needs, once: every step first checks and skips
//! when the thing is already there, so a second run does no apt, no cargo install and no npm.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::{self, Ctx, StatusOk, XResult};

/// Debian/Ubuntu packages: Tauri's WebKitGTK stack (shared/docs/TOOLCHAIN.md), Xvfb and friends
/// for the smoke test, WebKitWebDriver for the end-to-end test, GStreamer plugins for playing the
/// H.264 MP4s in the webview (MP4 demux in -good, H.264 decode in -libav, GL video sink in -gl),
/// and ffmpeg for clips.
pub const APT_PACKAGES: &[&str] = &[
    "pkg-config",
    "build-essential",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "libxdo-dev",
    "libssl-dev",
    "webkit2gtk-driver",
    "xvfb",
    "xauth",
    "imagemagick",
    "dbus-x11",
    "at-spi2-core",
    "x11-utils",
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-libav",
    "gstreamer1.0-gl",
    "ffmpeg",
];

/// Node.js for the npm tools, installed from Debian only when no `npm` is on PATH (a Node from
/// elsewhere, e.g. NodeSource's, ships its own npm and conflicts with Debian's).
const APT_NODE: &[&str] = &["nodejs", "npm"];

/// trunk 0.22 needs a newer rustc than the pinned toolchain; 0.21.14 is verified here.
const TRUNK_VERSION: &str = "0.21.14";
/// tauri-driver for WebDriver tests (any 2.x).
const TAURI_DRIVER_REQ: &str = "^2";

pub fn setup(ctx: &Ctx) -> XResult<()> {
    let started = Instant::now();
    util::step("setup");
    if !cfg!(target_os = "linux") {
        return Err(not_linux_message().into());
    }
    system_packages(ctx)?;
    wasm_target(ctx)?;
    cargo_tools(ctx)?;
    npm_tools(ctx)?;
    println!("setup: ready ({:.1}s)", started.elapsed().as_secs_f64());
    Ok(())
}

fn not_linux_message() -> String {
    let os = std::env::consts::OS;
    format!(
        "automatic setup is for Debian/Ubuntu Linux; this is {os}. Install by hand, then use the \
Tauri CLI directly:\n\
  - Rust (rustup) and `rustup target add wasm32-unknown-unknown`\n\
  - macOS: Xcode command line tools (`xcode-select --install`); Windows: Visual Studio Build Tools \
(C++), WebView2 (preinstalled on Windows 10/11)\n\
  - Node.js 20+, then `npm install` in the repo (Tauri CLI + binaryen's wasm-opt)\n\
  - `cargo install wasm-bindgen-cli --version <the wasm-bindgen in Cargo.lock>`\n\
  - `cargo install trunk --version {TRUNK_VERSION} --locked`\n\
  - ffmpeg on PATH\n\
Then: `npx tauri dev` to run, `npx tauri build` for a .dmg/.msi."
    )
}

/// Whether a Debian package is installed (`dpkg-query` says "install ok installed").
pub fn dpkg_installed(package: &str) -> XResult<bool> {
    let output = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .map_err(|error| {
            format!(
                "dpkg-query not found ({error}): automatic setup supports Debian/Ubuntu; install the \
equivalents of: {}",
                APT_PACKAGES.join(" ")
            )
        })?;
    Ok(output.status.success()
        && String::from_utf8_lossy(&output.stdout).trim() == "install ok installed")
}

fn system_packages(ctx: &Ctx) -> XResult<()> {
    let mut wanted: Vec<&str> = APT_PACKAGES.to_vec();
    if !util::on_path(ctx, "npm") {
        wanted.extend(APT_NODE);
    }
    let mut missing = Vec::new();
    for package in &wanted {
        if !dpkg_installed(package)? {
            missing.push(*package);
        }
    }
    if missing.is_empty() {
        println!("setup: system packages ok ({} checked)", wanted.len());
        return Ok(());
    }
    let install = format!(
        "apt-get install -y --no-install-recommends {}",
        wanted.join(" ")
    );
    if !is_root() {
        return Err(format!(
            "missing system packages: {}\nrun this as root, then run xtask again:\n  sudo apt-get update && sudo {install}",
            missing.join(" ")
        )
        .into());
    }
    println!(
        "setup: installing missing system packages: {}",
        missing.join(" ")
    );
    Command::new("apt-get")
        .arg("update")
        .status_ok("apt-get update")?;
    Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(&wanted)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status_ok("apt-get install")
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

fn wasm_target(ctx: &Ctx) -> XResult<()> {
    let installed = ctx
        .command("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|error| {
            format!("rustup not found ({error}): install Rust with rustup (https://rustup.rs)")
        })?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        println!("setup: rust target wasm32-unknown-unknown ok");
        return Ok(());
    }
    ctx.command("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .status_ok("rustup target add wasm32-unknown-unknown")
}

/// The version of `crate_name` in Cargo.lock (e.g. wasm-bindgen's, which wasm-bindgen-cli must equal).
pub fn locked_version(root: &Path, crate_name: &str) -> XResult<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))?;
    let wanted = format!("name = \"{crate_name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted
            && let Some(version) = lines
                .next()
                .and_then(|next| next.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    Err(format!("{crate_name} is not in Cargo.lock").into())
}

/// The version `cargo install --root <tools>` recorded for `crate_name`, if any.
fn installed_version(tools: &Path, crate_name: &str) -> Option<String> {
    let record = std::fs::read_to_string(tools.join(".crates.toml")).ok()?;
    let prefix = format!("\"{crate_name} ");
    record.lines().find_map(|line| {
        let rest = line.strip_prefix(&prefix)?;
        rest.split_whitespace().next().map(str::to_owned)
    })
}

/// One tool `cargo install`ed into the tools folder.
struct Tool<'a> {
    crate_name: &'a str,
    binary: &'a str,
    /// What `cargo install --version` gets.
    version: &'a str,
    /// Whether an installed version will do.
    accepts: &'a dyn Fn(&str) -> bool,
    extra_args: &'a [&'a str],
}

fn cargo_tools(ctx: &Ctx) -> XResult<()> {
    let wasm_bindgen = locked_version(&ctx.root, "wasm-bindgen")?;
    let tools = [
        Tool {
            crate_name: "wasm-bindgen-cli",
            binary: "wasm-bindgen",
            version: &wasm_bindgen,
            accepts: &|v| v == wasm_bindgen,
            // Not --locked: its lock file wants a webpki-roots the registry here lacks.
            extra_args: &[],
        },
        Tool {
            crate_name: "trunk",
            binary: "trunk",
            version: TRUNK_VERSION,
            accepts: &|v| v == TRUNK_VERSION,
            extra_args: &["--locked"],
        },
        Tool {
            crate_name: "tauri-driver",
            binary: "tauri-driver",
            version: TAURI_DRIVER_REQ,
            accepts: &|v| v.starts_with("2."),
            extra_args: &["--locked"],
        },
    ];
    for tool in tools {
        let exe =
            ctx.tools
                .join("bin")
                .join(format!("{}{}", tool.binary, std::env::consts::EXE_SUFFIX));
        if let Some(installed) = installed_version(&ctx.tools, tool.crate_name)
            && (tool.accepts)(&installed)
            && exe.exists()
        {
            println!("setup: {} {installed} ok", tool.crate_name);
            continue;
        }
        println!(
            "setup: cargo install {} {} (once; cached in {})",
            tool.crate_name,
            tool.version,
            ctx.tools.display()
        );
        ctx.cargo()
            .args([
                "install",
                tool.crate_name,
                "--version",
                tool.version,
                "--root",
            ])
            .arg(&ctx.tools)
            .args(tool.extra_args)
            .status_ok(&format!("cargo install {}", tool.crate_name))?;
    }
    Ok(())
}

/// The Tauri CLI and wasm-opt from npm, into the repo's node_modules.
fn npm_tools(ctx: &Ctx) -> XResult<()> {
    let bin = ctx.root.join("node_modules/.bin");
    let stamp = ctx.root.join("node_modules/.package-lock.json");
    let lock = ctx.root.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(stamp), Ok(lock)) => match (stamp.modified(), lock.modified()) {
            (Ok(stamp), Ok(lock)) => stamp >= lock,
            _ => false,
        },
        _ => false,
    };
    if fresh && bin.join("tauri").exists() && bin.join("wasm-opt").exists() {
        println!("setup: npm tools ok (@tauri-apps/cli, binaryen)");
        return Ok(());
    }
    if !util::on_path(ctx, "npm") {
        return Err(
            "npm not found: install Node.js 20+ (Debian: apt-get install nodejs npm)".into(),
        );
    }
    // Not `npm ci`: the lock file can only list the Tauri CLI's platform packages the registry
    // had when it was written (a mirror may lack some), and `npm ci` refuses such a lock file.
    // `npm install --no-save` installs the locked versions and never rewrites the lock file.
    println!("setup: npm install (@tauri-apps/cli, binaryen)");
    ctx.command("npm")
        .args(["install", "--no-save", "--no-audit", "--no-fund"])
        .status_ok("npm install")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_locked_and_installed_versions() {
        let dir = std::env::temp_dir().join(format!("xtask-setup-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join("Cargo.lock"),
            "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n",
        )
        .expect("write lock");
        std::fs::write(
            dir.join(".crates.toml"),
            "[v1]\n\"trunk 0.21.14 (registry+https://example.invalid/index)\" = [\"trunk\"]\n",
        )
        .expect("write record");
        assert_eq!(
            locked_version(&dir, "wasm-bindgen").expect("found"),
            "0.2.130"
        );
        assert!(locked_version(&dir, "nope").is_err());
        assert_eq!(installed_version(&dir, "trunk").as_deref(), Some("0.21.14"));
        assert_eq!(installed_version(&dir, "tauri-driver"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
