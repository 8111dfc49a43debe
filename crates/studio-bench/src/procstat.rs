//! What the process costs, read from `/proc` (Linux): resident memory and CPU time, per thread
//! name so the engine's threads and the in-process double's threads can be told apart.

use std::collections::BTreeMap;

/// Linux reports `/proc/*/stat` times in USER_HZ ticks, which is 100 on every mainstream kernel.
const TICKS_PER_SECOND: f64 = 100.0;

/// A `/proc/self/status` field in kB (`VmRSS`, `VmHWM`).
pub fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// Resets the peak-RSS counter (`VmHWM`) so a phase can measure its own peak. Best effort.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU seconds: the process's own (user + system) and its waited-for children's (ffmpeg).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTimes {
    pub user: f64,
    pub system: f64,
    pub children: f64,
}

impl CpuTimes {
    pub fn now() -> Self {
        let fields = stat_fields("/proc/self/stat").unwrap_or_default();
        let tick = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // Fields after the `(comm)`: utime is the 14th of the whole line, index 11 here.
        CpuTimes {
            user: tick(11) / TICKS_PER_SECOND,
            system: tick(12) / TICKS_PER_SECOND,
            children: (tick(13) + tick(14)) / TICKS_PER_SECOND,
        }
    }

    pub fn own(&self) -> f64 {
        self.user + self.system
    }

    pub fn since(&self, earlier: &CpuTimes) -> CpuTimes {
        CpuTimes {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
            children: self.children - earlier.children,
        }
    }
}

/// CPU seconds (user + system) of the live threads, summed by thread name.
pub fn cpu_by_thread_name() -> BTreeMap<String, f64> {
    let mut by_name = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return by_name;
    };
    for task in tasks.flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm"))
            .map(|n| n.trim().to_string())
            .unwrap_or_default();
        if let Some(fields) = stat_fields(&path.join("stat").to_string_lossy()) {
            let tick = |i: usize| {
                fields
                    .get(i)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            *by_name.entry(name).or_insert(0.0) += (tick(11) + tick(12)) / TICKS_PER_SECOND;
        }
    }
    by_name
}

/// The fields of a `stat` file after `(comm)` (which may contain spaces), starting at `state`.
fn stat_fields(path: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let after = &text[text.rfind(')')? + 1..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}
