//! `cargo xtask measure`'s report: the side-by-side table with the ratios app/bare against the
//! goal, where the app's extra memory goes (by process and by mapping), and target/measure.json.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::measure::{IDLE, Outcome, RUNS};

/// The footprint goal (issue 7): idle PSS and start → page drawn, each against the bare window.
pub const GOAL_PSS: f64 = 1.3;
pub const GOAL_DRAWN: f64 = 1.2;
/// How many mappings "where it goes" lists.
const TOP: usize = 10;

/// Ratios of one subject against the reference (the first outcome).
#[derive(Debug)]
struct Ratios {
    pss: f64,
    rss: f64,
    window: f64,
    drawn: Option<f64>,
}

fn ratios(outcome: &Outcome, reference: &Outcome) -> Ratios {
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    Ratios {
        pss: ratio(outcome.pss_kib() as f64, reference.pss_kib() as f64),
        rss: ratio(outcome.rss_kib() as f64, reference.rss_kib() as f64),
        window: ratio(outcome.median_window_ms(), reference.median_window_ms()),
        drawn: outcome
            .median_drawn_ms()
            .zip(reference.median_drawn_ms())
            .map(|(a, b)| ratio(a, b)),
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Prints the table, the verdict against the goal, and where the extra memory goes.
pub fn print(outcomes: &[Outcome]) {
    let Some(reference) = outcomes.first() else {
        return;
    };
    println!(
        "\nmeasure: median of {RUNS} cold starts; memory after {}s idle, whole process tree",
        IDLE.as_secs()
    );
    println!(
        "  {:<26} {:>8} {:>8} {:>10} {:>9} {:>9} | {:>6} {:>6} {:>8} {:>7}",
        "",
        "PSS MiB",
        "RSS MiB",
        "mapped ms",
        "drawn ms",
        "idle CPU",
        "PSS ×",
        "RSS ×",
        "mapped ×",
        "drawn ×"
    );
    for outcome in outcomes {
        let r = ratios(outcome, reference);
        println!(
            "  {:<26} {:>8.1} {:>8.1} {:>10.0} {:>9} {:>8.1}% | {:>6.2} {:>6.2} {:>8.2} {:>7}",
            outcome.subject.what,
            mib(outcome.pss_kib()),
            mib(outcome.rss_kib()),
            outcome.median_window_ms(),
            outcome
                .median_drawn_ms()
                .map_or("-".to_owned(), |ms| format!("{ms:.0}")),
            outcome.idle_cpu_percent,
            r.pss,
            r.rss,
            r.window,
            r.drawn.map_or("-".to_owned(), |x| format!("{x:.2}")),
        );
    }
    println!("  goal: PSS ≤ {GOAL_PSS}× and start → page drawn ≤ {GOAL_DRAWN}× the bare window");
    for outcome in &outcomes[1..] {
        let r = ratios(outcome, reference);
        let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
        println!(
            "  {}: PSS {:.2}× ({}), drawn {} ({})",
            outcome.subject.what,
            r.pss,
            verdict(r.pss <= GOAL_PSS),
            r.drawn
                .map_or("not seen".to_owned(), |x| format!("{x:.2}×")),
            verdict(r.drawn.is_some_and(|x| x <= GOAL_DRAWN)),
        );
    }
    for outcome in &outcomes[1..] {
        println!(
            "\nmeasure: where {}'s extra PSS goes (MiB, against the bare window)",
            outcome.subject.what
        );
        for (name, app, bare) in by_process(outcome, reference) {
            println!(
                "  process {:<26} {:>7.1} vs {:>7.1}  {:>+7.1}",
                name,
                mib(app),
                mib(bare),
                mib(app) - mib(bare)
            );
        }
        for (name, delta) in top_mapping_deltas(outcome, reference) {
            println!("  mapping {name:<40} {:>+7.1}", delta as f64 / 1024.0);
        }
        let (app_libs, app_kib) = gstreamer_kib(outcome);
        let (bare_libs, bare_kib) = gstreamer_kib(reference);
        println!(
            "  GStreamer (libgst*) mapped: {app_libs} libraries, {:.1} MiB PSS (bare window: {bare_libs}, {:.1} MiB)",
            mib(app_kib),
            mib(bare_kib)
        );
    }
}

/// PSS per process name in `outcome` and in `reference`, summed over processes of that name.
fn by_process(outcome: &Outcome, reference: &Outcome) -> Vec<(String, u64, u64)> {
    let sum = |o: &Outcome| {
        let mut sums: BTreeMap<String, u64> = BTreeMap::new();
        for (i, p) in o.idle.iter().enumerate() {
            // The root is the binary itself, whatever its name: compare it as one.
            let name = if i == 0 { "(main process)" } else { &p.name };
            *sums.entry(name.to_owned()).or_insert(0) += p.pss_kib;
        }
        sums
    };
    let (a, b) = (sum(outcome), sum(reference));
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .map(|n| {
            (
                n.clone(),
                a.get(n).copied().unwrap_or(0),
                b.get(n).copied().unwrap_or(0),
            )
        })
        .collect()
}

/// The mappings whose PSS grew most against the reference (KiB, signed).
fn top_mapping_deltas(outcome: &Outcome, reference: &Outcome) -> Vec<(String, i64)> {
    let names: BTreeSet<&String> = outcome
        .mappings
        .keys()
        .chain(reference.mappings.keys())
        .collect();
    let mut deltas: Vec<(String, i64)> = names
        .into_iter()
        .filter(|n| !is_binary(n, outcome) && !is_binary(n, reference))
        .map(|n| {
            let a = outcome.mappings.get(n).copied().unwrap_or(0) as i64;
            let b = reference.mappings.get(n).copied().unwrap_or(0) as i64;
            (n.clone(), a - b)
        })
        .collect();
    let binary = |o: &Outcome| {
        o.mappings
            .iter()
            .filter(|(n, _)| is_binary(n, o))
            .map(|(_, kib)| *kib as i64)
            .sum::<i64>()
    };
    deltas.push((
        "(the executable itself)".to_owned(),
        binary(outcome) - binary(reference),
    ));
    deltas.sort_by_key(|(_, delta)| -delta.abs());
    deltas.truncate(TOP);
    deltas
}

/// Whether mapping `name` is the subject's own executable.
fn is_binary(name: &str, outcome: &Outcome) -> bool {
    outcome
        .subject
        .binary
        .file_name()
        .is_some_and(|file| file.to_string_lossy() == name)
}

/// (how many libgst* files are mapped, their PSS in KiB).
fn gstreamer_kib(outcome: &Outcome) -> (usize, u64) {
    let gst: Vec<u64> = outcome
        .mappings
        .iter()
        .filter(|(name, _)| name.starts_with("libgst"))
        .map(|(_, kib)| *kib)
        .collect();
    (gst.len(), gst.iter().sum())
}

/// Everything measured, as JSON; `ui_dist` is the app's embedded UI (file, bytes).
pub fn json(outcomes: &[Outcome], ui_dist: &[(String, u64)]) -> String {
    let num = |v: Option<f64>| v.map_or("null".to_owned(), |v| format!("{v:.0}"));
    let ratio = |v: f64| {
        if v.is_finite() {
            format!("{v:.3}")
        } else {
            "null".to_owned()
        }
    };
    let list = |items: Vec<String>| items.join(", ");
    let mut j = String::from("{\n");
    let _ = writeln!(j, "  \"cores\": {},", cores());
    let _ = writeln!(j, "  \"runs\": {RUNS},");
    let _ = writeln!(j, "  \"idle_after_s\": {},", IDLE.as_secs());
    // Inherited from the caller: WebKitGTK's DMA-BUF renderer costs ~2 s before the first frame
    // on software GL in Xvfb, for both binaries alike.
    let _ = writeln!(
        j,
        "  \"env_WEBKIT_DISABLE_DMABUF_RENDERER\": {:?},",
        std::env::var("WEBKIT_DISABLE_DMABUF_RENDERER").unwrap_or_default()
    );
    let _ = writeln!(
        j,
        "  \"goal\": {{\"pss_ratio_max\": {GOAL_PSS}, \"page_drawn_ratio_max\": {GOAL_DRAWN}}},"
    );
    let _ = writeln!(j, "  \"subjects\": {{");
    for (i, o) in outcomes.iter().enumerate() {
        let s = o.subject;
        let _ = writeln!(j, "    {:?}: {{", s.key);
        let _ = writeln!(j, "      \"what\": {:?},", s.what);
        let _ = writeln!(j, "      \"binary\": {:?},", s.binary.display().to_string());
        let _ = writeln!(
            j,
            "      \"env\": {{{}}},",
            list(s.env.iter().map(|(k, v)| format!("{k:?}: {v:?}")).collect())
        );
        let _ = writeln!(
            j,
            "      \"window_mapped_ms\": [{}],",
            list(o.starts.iter().map(|s| num(Some(s.window_ms))).collect())
        );
        let _ = writeln!(
            j,
            "      \"page_drawn_ms\": [{}],",
            list(o.starts.iter().map(|s| num(s.drawn_ms)).collect())
        );
        let _ = writeln!(
            j,
            "      \"median_window_mapped_ms\": {},",
            num(Some(o.median_window_ms()))
        );
        let _ = writeln!(
            j,
            "      \"median_page_drawn_ms\": {},",
            num(o.median_drawn_ms())
        );
        let _ = writeln!(j, "      \"rss_kib_total\": {},", o.rss_kib());
        let _ = writeln!(j, "      \"pss_kib_total\": {},", o.pss_kib());
        let _ = writeln!(
            j,
            "      \"idle_cpu_percent_of_one_core\": {:.1},",
            o.idle_cpu_percent
        );
        let procs: Vec<String> = o
            .idle
            .iter()
            .map(|p| {
                format!(
                    "\n        {{\"pid\": {}, \"name\": {:?}, \"rss_kib\": {}, \"pss_kib\": {}, \"cpu_ticks\": {}}}",
                    p.pid, p.name, p.rss_kib, p.pss_kib, p.cpu_ticks
                )
            })
            .collect();
        let _ = writeln!(j, "      \"processes\": [{}\n      ],", procs.join(","));
        let mut top: Vec<(&String, &u64)> = o.mappings.iter().collect();
        top.sort_by_key(|(_, kib)| std::cmp::Reverse(**kib));
        let top: Vec<String> = top
            .iter()
            .take(TOP * 2)
            .map(|(name, kib)| format!("\n        {{\"mapping\": {name:?}, \"pss_kib\": {kib}}}"))
            .collect();
        let _ = writeln!(
            j,
            "      \"top_pss_mappings\": [{}\n      ],",
            top.join(",")
        );
        let (files, kib) = gstreamer_kib(o);
        let _ = writeln!(
            j,
            "      \"gstreamer\": {{\"libraries_mapped\": {files}, \"pss_kib\": {kib}}}"
        );
        let comma = if i + 1 < outcomes.len() { "," } else { "" };
        let _ = writeln!(j, "    }}{comma}");
    }
    let _ = writeln!(j, "  }},");
    let _ = writeln!(j, "  \"ratios_vs_bare\": {{");
    if let Some(reference) = outcomes.first() {
        let rows: Vec<String> = outcomes[1..]
            .iter()
            .map(|o| {
                let r = ratios(o, reference);
                format!(
                    "    {:?}: {{\"pss\": {}, \"rss\": {}, \"window_mapped\": {}, \"page_drawn\": {}, \
\"pss_goal_met\": {}, \"page_drawn_goal_met\": {}}}",
                    o.subject.key,
                    ratio(r.pss),
                    ratio(r.rss),
                    ratio(r.window),
                    r.drawn.map_or("null".to_owned(), ratio),
                    r.pss <= GOAL_PSS,
                    r.drawn.is_some_and(|x| x <= GOAL_DRAWN),
                )
            })
            .collect();
        let _ = writeln!(j, "{}", rows.join(",\n"));
    }
    let _ = writeln!(j, "  }},");
    let files: Vec<String> = ui_dist
        .iter()
        .map(|(name, bytes)| format!("{{\"file\": {name:?}, \"bytes\": {bytes}}}"))
        .collect();
    let _ = writeln!(j, "  \"app_ui_dist\": [{}]", list(files));
    j.push_str("}\n");
    j
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}
