//! `cargo xtask measure`: the release app's cold start (process start → its window is mapped, and
//! → the page has rendered; median of 5, each with fresh data folders) and idle memory (RSS and PSS
//! of the app and its WebKit child processes after 10 s idle in demo mode), printed and written
//! to `target/measure.json`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::util::{Ctx, XResult};
use crate::x11::{Guard, TITLE, TempHome, accent_pixels, screenshot, start_xvfb};

const RUNS: usize = 5;
const IDLE: Duration = Duration::from_secs(10);
const LIMIT: Duration = Duration::from_secs(60);

/// Builds the release app (and .deb), then measures it.
pub fn run(ctx: &Ctx) -> XResult<()> {
    crate::setup::setup(ctx)?;
    crate::deb::build(ctx)?;
    measure(ctx, &crate::deb::release_binary(ctx)).map(drop)
}

/// One start: milliseconds to a mapped window and to a rendered page (None: not seen in time).
#[derive(Debug)]
struct Start {
    window_ms: f64,
    rendered_ms: Option<f64>,
}

/// One process of the app's tree.
#[derive(Debug)]
struct Proc {
    pid: u32,
    name: String,
    rss_kib: u64,
    pss_kib: u64,
}

/// Measures `app` and writes target/measure.json; returns the JSON.
pub fn measure(ctx: &Ctx, app: &Path) -> XResult<String> {
    crate::util::step(&format!("measuring {}", app.display()));
    if !app.exists() {
        return Err(format!("{} was not built", app.display()).into());
    }
    let (display, _xvfb) = start_xvfb()?;
    let shot = ctx.target_dir().join("screenshots/measure.png");
    std::fs::create_dir_all(ctx.target_dir().join("screenshots"))?;

    let mut starts = Vec::new();
    for run in 1..=RUNS {
        let home = TempHome::new(&format!("measure-{run}"))?;
        let (mut app_process, started) = spawn(ctx, app, &display, &home)?;
        let window = wait_mapped(ctx, &display, &mut app_process, started)?;
        let rendered = wait_rendered(ctx, &display, &shot, started);
        let start = Start {
            window_ms: window.as_secs_f64() * 1000.0,
            rendered_ms: rendered.map(|d| d.as_secs_f64() * 1000.0),
        };
        println!(
            "measure: start {run}: window mapped after {:.0} ms, page rendered after {}",
            start.window_ms,
            start
                .rendered_ms
                .map_or("(not seen)".to_owned(), |ms| format!("{ms:.0} ms"))
        );
        starts.push(start);
        drop(app_process);
    }

    let home = TempHome::new("measure-idle")?;
    let (mut app_process, started) = spawn(ctx, app, &display, &home)?;
    wait_mapped(ctx, &display, &mut app_process, started)?;
    let _ = wait_rendered(ctx, &display, &shot, started);
    sleep(IDLE);
    let tree = process_tree(app_process.0.id());
    drop(app_process);
    for proc in &tree {
        println!(
            "measure: idle {:>7} {:<24} RSS {:>7} KiB  PSS {:>7} KiB",
            proc.pid, proc.name, proc.rss_kib, proc.pss_kib
        );
    }
    let rss: u64 = tree.iter().map(|p| p.rss_kib).sum();
    let pss: u64 = tree.iter().map(|p| p.pss_kib).sum();
    let window = median(starts.iter().map(|s| s.window_ms).collect());
    let rendered: Vec<f64> = starts.iter().filter_map(|s| s.rendered_ms).collect();
    let rendered_median = (!rendered.is_empty()).then(|| median(rendered));
    println!(
        "measure: cold start (median of {RUNS}) window mapped {window:.0} ms, page rendered {}; \
idle memory after {}s: RSS {:.1} MiB, PSS {:.1} MiB ({} processes)",
        rendered_median.map_or("(not seen)".to_owned(), |ms| format!("{ms:.0} ms")),
        IDLE.as_secs(),
        rss as f64 / 1024.0,
        pss as f64 / 1024.0,
        tree.len()
    );

    let json = to_json(app, &starts, window, rendered_median, &tree, rss, pss);
    let out = ctx.target_dir().join("measure.json");
    std::fs::write(&out, &json)?;
    println!("measure: wrote {}", out.display());
    Ok(json)
}

fn spawn(ctx: &Ctx, app: &Path, display: &str, home: &TempHome) -> XResult<(Guard, Instant)> {
    let mut command = ctx.command(app);
    home.apply(&mut command);
    command
        .env("DISPLAY", display)
        .env("STUDIO_DEMO", "1")
        .env("NO_AT_BRIDGE", "1")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|error| format!("could not start {}: {error}", app.display()))?;
    Ok((Guard(child), started))
}

/// Time from `started` until a window titled like the app is viewable (polled with xwininfo).
fn wait_mapped(ctx: &Ctx, display: &str, app: &mut Guard, started: Instant) -> XResult<Duration> {
    loop {
        if let Some(status) = app.0.try_wait()? {
            return Err(format!("the app exited early ({status})").into());
        }
        let output = ctx
            .command("xwininfo")
            .args(["-name", TITLE])
            .env("DISPLAY", display)
            .stderr(Stdio::null())
            .output()?;
        let elapsed = started.elapsed();
        if String::from_utf8_lossy(&output.stdout).contains("Map State: IsViewable") {
            return Ok(elapsed);
        }
        if elapsed > LIMIT {
            return Err(format!("no viewable window \"{TITLE}\" within {LIMIT:?}").into());
        }
        sleep(Duration::from_millis(5));
    }
}

/// Time from `started` until the page's accent colour is on screen (screenshots, so ±0.2 s).
fn wait_rendered(ctx: &Ctx, display: &str, shot: &Path, started: Instant) -> Option<Duration> {
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

/// `root` and all its descendants (WebKitWebProcess, WebKitNetworkProcess, ...), from /proc.
fn process_tree(root: u32) -> Vec<Proc> {
    let mut parents = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // /proc/PID/stat: `pid (comm) state ppid ...`; comm may hold spaces and parens.
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                continue;
            };
            if let Some(ppid) = after
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok())
            {
                parents.push((pid, ppid));
            }
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    tree.into_iter()
        .map(|pid| Proc {
            pid,
            name: std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default(),
            rss_kib: kib_field(&format!("/proc/{pid}/status"), "VmRSS:"),
            pss_kib: kib_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:"),
        })
        .collect()
}

/// `Field:   1234 kB` in a /proc file → 1234.
fn kib_field(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn median(mut values: Vec<f64>) -> f64 {
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

fn to_json(
    app: &Path,
    starts: &[Start],
    window: f64,
    rendered: Option<f64>,
    tree: &[Proc],
    rss: u64,
    pss: u64,
) -> String {
    let num = |v: Option<f64>| v.map_or("null".to_owned(), |v| format!("{v:.0}"));
    let mut json = String::from("{\n");
    let _ = writeln!(json, "  \"binary\": {:?},", app.display().to_string());
    let _ = writeln!(json, "  \"cores\": {},", cores());
    let _ = writeln!(json, "  \"cold_start\": {{");
    let _ = writeln!(json, "    \"runs\": {},", starts.len());
    let _ = writeln!(
        json,
        "    \"window_mapped_ms\": [{}],",
        starts
            .iter()
            .map(|s| num(Some(s.window_ms)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        json,
        "    \"page_rendered_ms\": [{}],",
        starts
            .iter()
            .map(|s| num(s.rendered_ms))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        json,
        "    \"median_window_mapped_ms\": {},",
        num(Some(window))
    );
    let _ = writeln!(json, "    \"median_page_rendered_ms\": {}", num(rendered));
    let _ = writeln!(json, "  }},");
    let _ = writeln!(json, "  \"idle_memory\": {{");
    let _ = writeln!(json, "    \"after_s\": {},", IDLE.as_secs());
    let _ = writeln!(json, "    \"demo_mode\": true,");
    let _ = writeln!(json, "    \"rss_kib_total\": {rss},");
    let _ = writeln!(json, "    \"pss_kib_total\": {pss},");
    let _ = writeln!(json, "    \"processes\": [");
    let rows: Vec<String> = tree
        .iter()
        .map(|p| {
            format!(
                "      {{\"pid\": {}, \"name\": {:?}, \"rss_kib\": {}, \"pss_kib\": {}}}",
                p.pid, p.name, p.rss_kib, p.pss_kib
            )
        })
        .collect();
    let _ = writeln!(json, "{}", rows.join(",\n"));
    let _ = writeln!(json, "    ]");
    let _ = writeln!(json, "  }}");
    json.push_str("}\n");
    json
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn finds_this_process_and_its_rss() {
        let tree = process_tree(std::process::id());
        assert_eq!(tree[0].pid, std::process::id());
        assert!(tree[0].rss_kib > 0);
        // A child shows up in the tree.
        let mut child = Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep starts");
        let tree = process_tree(std::process::id());
        let found = tree.iter().any(|p| p.pid == child.id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(found);
    }
}
