//! `cargo xtask measure`: the release app's footprint against a bare Tauri 2 window
//! (`xtask/bare-window`), in one run under one Xvfb: cold start (process start → window mapped, and
//! → page drawn; median of 5, the binaries taking turns, fresh data folders each time) and idle
//! memory (RSS and PSS of the whole process tree, WebKit children included, after 10 s) and idle
//! CPU (the tree's, over the last 5 s of those 10). The app
//! is measured twice, in demo mode (`STUDIO_DEMO=1`: the in-process Venice double runs) and on a
//! first start with no key (onboarding); the ratios app/bare are printed and written to
//! `target/measure.json` with everything measured.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::procs::{self, Proc};
use crate::util::{Ctx, XResult};
use crate::x11::{Guard, TempHome, accent_pixels, screenshot, start_xvfb};

pub const RUNS: usize = 5;
pub const IDLE: Duration = Duration::from_secs(10);
/// The last part of `IDLE` over which idle CPU use is read.
pub const CPU_WINDOW: Duration = Duration::from_secs(5);
const LIMIT: Duration = Duration::from_secs(60);

/// One binary, started one way.
#[derive(Debug)]
pub struct Subject {
    /// Short key used in the JSON (`bare`, `app_demo`, `app_onboarding`).
    pub key: &'static str,
    /// What it is, for people.
    pub what: &'static str,
    pub binary: PathBuf,
    /// The window title to wait for.
    pub title: &'static str,
    pub env: Vec<(&'static str, &'static str)>,
}

/// One start: milliseconds to a mapped window and to a drawn page (None: not seen in time).
#[derive(Debug)]
pub struct Start {
    pub window_ms: f64,
    pub drawn_ms: Option<f64>,
}

/// Everything measured of one subject.
#[derive(Debug)]
pub struct Outcome<'a> {
    pub subject: &'a Subject,
    pub starts: Vec<Start>,
    /// The process tree after `IDLE`.
    pub idle: Vec<Proc>,
    /// PSS by mapping over that tree (see `procs::pss_by_mapping`).
    pub mappings: BTreeMap<String, u64>,
    /// CPU used by the tree over `CPU_WINDOW` at the end of `IDLE`, % of one core.
    pub idle_cpu_percent: f64,
}

impl Outcome<'_> {
    pub fn median_window_ms(&self) -> f64 {
        median(self.starts.iter().map(|s| s.window_ms).collect())
    }

    /// None when the page was never seen drawn.
    pub fn median_drawn_ms(&self) -> Option<f64> {
        let drawn: Vec<f64> = self.starts.iter().filter_map(|s| s.drawn_ms).collect();
        (!drawn.is_empty()).then(|| median(drawn))
    }

    pub fn pss_kib(&self) -> u64 {
        self.idle.iter().map(|p| p.pss_kib).sum()
    }

    pub fn rss_kib(&self) -> u64 {
        self.idle.iter().map(|p| p.rss_kib).sum()
    }
}

/// Builds the release app (and .deb) and the bare window, then measures them side by side.
pub fn run(ctx: &Ctx) -> XResult<()> {
    crate::setup::setup(ctx)?;
    crate::deb::build(ctx)?;
    let bare = crate::bare::build(ctx)?;
    let app = crate::deb::release_binary(ctx);
    let subjects = vec![
        Subject {
            key: "bare",
            what: "bare Tauri window",
            binary: bare,
            title: crate::bare::TITLE,
            env: Vec::new(),
        },
        Subject {
            key: "app_demo",
            what: "app, demo mode",
            binary: app.clone(),
            title: crate::x11::TITLE,
            env: vec![("STUDIO_DEMO", "1")],
        },
        Subject {
            key: "app_onboarding",
            what: "app, no key (onboarding)",
            binary: app,
            title: crate::x11::TITLE,
            env: Vec::new(),
        },
    ];
    let outcomes = measure(ctx, &subjects)?;
    crate::measure_report::print(&outcomes);
    let json = crate::measure_report::json(&outcomes, &ui_dist_files(ctx));
    let out = ctx.target_dir().join("measure.json");
    std::fs::write(&out, json).map_err(|error| format!("{}: {error}", out.display()))?;
    println!("measure: wrote {}", out.display());
    Ok(())
}

/// Measures every subject under one Xvfb: `RUNS` cold starts with the subjects taking turns (so a
/// busy moment of the machine does not land on one of them only), then each one idle.
pub fn measure<'a>(ctx: &Ctx, subjects: &'a [Subject]) -> XResult<Vec<Outcome<'a>>> {
    for subject in subjects {
        if !subject.binary.exists() {
            return Err(format!("{} was not built", subject.binary.display()).into());
        }
    }
    crate::util::step("measuring cold starts and idle memory (Xvfb)");
    let (display, _xvfb) = start_xvfb()?;
    let shots = ctx.target_dir().join("screenshots");
    std::fs::create_dir_all(&shots)?;
    let shot = shots.join("measure.png");

    let mut outcomes: Vec<Outcome<'a>> = subjects
        .iter()
        .map(|subject| Outcome {
            subject,
            starts: Vec::new(),
            idle: Vec::new(),
            mappings: BTreeMap::new(),
            idle_cpu_percent: 0.0,
        })
        .collect();
    for run in 1..=RUNS {
        for outcome in &mut outcomes {
            let subject = outcome.subject;
            let home = TempHome::new(&format!("measure-{}-{run}", subject.key))?;
            let (mut process, started) = spawn(ctx, subject, &display, &home)?;
            let window = wait_mapped(ctx, &display, subject, &mut process, started)?;
            let drawn = wait_drawn(ctx, &display, &shot, started);
            let start = Start {
                window_ms: window.as_secs_f64() * 1000.0,
                drawn_ms: drawn.map(|d| d.as_secs_f64() * 1000.0),
            };
            println!(
                "measure: {:<26} start {run}: window mapped after {:>5.0} ms, page drawn after {}",
                subject.what,
                start.window_ms,
                start
                    .drawn_ms
                    .map_or("(not seen)".to_owned(), |ms| format!("{ms:.0} ms"))
            );
            outcome.starts.push(start);
            drop(process);
        }
    }

    for outcome in &mut outcomes {
        let subject = outcome.subject;
        let home = TempHome::new(&format!("measure-{}-idle", subject.key))?;
        let (mut process, started) = spawn(ctx, subject, &display, &home)?;
        wait_mapped(ctx, &display, subject, &mut process, started)?;
        let _ = wait_drawn(ctx, &display, &shot, started);
        sleep(IDLE - CPU_WINDOW);
        let earlier = procs::tree(process.0.id());
        sleep(CPU_WINDOW);
        outcome.idle = procs::tree(process.0.id());
        outcome.idle_cpu_percent =
            procs::cpu_percent(&earlier, &outcome.idle, CPU_WINDOW.as_secs_f64());
        outcome.mappings = procs::pss_by_mapping(&outcome.idle);
        drop(process);
        for proc in &outcome.idle {
            println!(
                "measure: {:<26} idle {:>7} {:<22} RSS {:>7} KiB  PSS {:>7} KiB",
                subject.what, proc.pid, proc.name, proc.rss_kib, proc.pss_kib
            );
        }
    }
    Ok(outcomes)
}

fn spawn(
    ctx: &Ctx,
    subject: &Subject,
    display: &str,
    home: &TempHome,
) -> XResult<(Guard, Instant)> {
    let mut command = ctx.command(&subject.binary);
    home.apply(&mut command);
    // The caller's STUDIO_DEMO must not turn the onboarding start into a demo.
    command
        .env_remove("STUDIO_DEMO")
        .envs(subject.env.iter().copied())
        .env("DISPLAY", display)
        .env("NO_AT_BRIDGE", "1")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|error| format!("could not start {}: {error}", subject.binary.display()))?;
    Ok((Guard(child), started))
}

/// Time from `started` until a window with the subject's title is viewable (polled with xwininfo).
fn wait_mapped(
    ctx: &Ctx,
    display: &str,
    subject: &Subject,
    process: &mut Guard,
    started: Instant,
) -> XResult<Duration> {
    loop {
        if let Some(status) = process.0.try_wait()? {
            return Err(format!("{} exited early ({status})", subject.what).into());
        }
        let output = ctx
            .command("xwininfo")
            .args(["-name", subject.title])
            .env("DISPLAY", display)
            .stderr(Stdio::null())
            .output()
            .map_err(|error| format!("could not run xwininfo ({error}); install x11-utils"))?;
        let elapsed = started.elapsed();
        if String::from_utf8_lossy(&output.stdout).contains("Map State: IsViewable") {
            return Ok(elapsed);
        }
        if elapsed > LIMIT {
            return Err(format!(
                "{}: no viewable window \"{}\" within {LIMIT:?}",
                subject.what, subject.title
            )
            .into());
        }
        sleep(Duration::from_millis(5));
    }
}

/// Time from `started` until the page's accent colour is on screen (screenshots, so ±0.25 s).
/// Both pages draw their heading in it (ui/styles.css `--accent`, xtask/bare-window/dist).
fn wait_drawn(ctx: &Ctx, display: &str, shot: &Path, started: Instant) -> Option<Duration> {
    while started.elapsed() < LIMIT {
        if screenshot(ctx, display, shot).is_ok()
            && accent_pixels(ctx, shot).is_ok_and(|pixels| pixels > 500)
        {
            return Some(started.elapsed());
        }
        sleep(Duration::from_millis(20));
    }
    None
}

/// The app's embedded UI (ui/dist): each file's name and size, the wasm among them.
fn ui_dist_files(ctx: &Ctx) -> Vec<(String, u64)> {
    let mut files: Vec<(String, u64)> = std::fs::read_dir(ctx.root.join("ui/dist"))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let len = entry.metadata().ok()?.len();
                    Some((entry.file_name().to_string_lossy().into_owned(), len))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
