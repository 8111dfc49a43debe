//! A process and its descendants from /proc: RSS and PSS of each, and PSS by mapping (which
//! library, or anonymous memory) summed over the tree, to see where memory goes.

use std::collections::BTreeMap;

/// One process of a tree.
#[derive(Debug)]
pub struct Proc {
    pub pid: u32,
    pub name: String,
    pub rss_kib: u64,
    pub pss_kib: u64,
    /// CPU time used so far (user + system), in clock ticks (USER_HZ, 100 a second on Linux).
    pub cpu_ticks: u64,
}

/// Clock ticks a second in /proc/PID/stat (USER_HZ: 100 on every Linux architecture we build for).
pub const TICKS_PER_SECOND: f64 = 100.0;

/// `root` and all its descendants (WebKitWebProcess, WebKitNetworkProcess, ...), from /proc.
pub fn tree(root: u32) -> Vec<Proc> {
    let mut parents = Vec::new();
    let mut ticks = std::collections::HashMap::new();
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
            // After `(comm)`: state ppid ... utime (field 14) stime (15), counted from `state`.
            let fields: Vec<&str> = after.split_whitespace().collect();
            if let Some(ppid) = fields.get(1).and_then(|p| p.parse::<u32>().ok()) {
                parents.push((pid, ppid));
            }
            let tick = |i: usize| fields.get(i).and_then(|t| t.parse::<u64>().ok());
            if let (Some(user), Some(system)) = (tick(11), tick(12)) {
                ticks.insert(pid, user + system);
            }
        }
    }
    let mut pids = vec![root];
    let mut i = 0;
    while i < pids.len() {
        let parent = pids[i];
        pids.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    pids.into_iter()
        .map(|pid| Proc {
            pid,
            name: std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default(),
            rss_kib: kib_field(&format!("/proc/{pid}/status"), "VmRSS:"),
            pss_kib: kib_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:"),
            cpu_ticks: ticks.get(&pid).copied().unwrap_or(0),
        })
        .collect()
}

/// CPU time `later` used since `earlier` (the same tree read twice), as % of one core over
/// `seconds`; processes in only one of the two reads are left out.
pub fn cpu_percent(earlier: &[Proc], later: &[Proc], seconds: f64) -> f64 {
    let used: u64 = later
        .iter()
        .filter_map(|p| {
            let before = earlier.iter().find(|e| e.pid == p.pid)?;
            Some(p.cpu_ticks.saturating_sub(before.cpu_ticks))
        })
        .sum();
    used as f64 / TICKS_PER_SECOND / seconds * 100.0
}

/// PSS in KiB by mapping, summed over `procs`: a file's name (`libwebkit2gtk-4.1.so.0`), or
/// `[anon]` for heap, stacks and other anonymous memory (the JS/wasm heaps and GPU buffers too).
pub fn pss_by_mapping(procs: &[Proc]) -> BTreeMap<String, u64> {
    let mut sums = BTreeMap::new();
    for proc in procs {
        if let Ok(smaps) = std::fs::read_to_string(format!("/proc/{}/smaps", proc.pid)) {
            for (name, kib) in parse_smaps(&smaps) {
                *sums.entry(name).or_insert(0) += kib;
            }
        }
    }
    sums
}

/// (mapping name, PSS KiB) for each mapping of a /proc/PID/smaps text.
fn parse_smaps(smaps: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut name = String::new();
    for line in smaps.lines() {
        if let Some(rest) = line.strip_prefix("Pss:") {
            let kib = rest
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            out.push((name.clone(), kib));
        } else if is_mapping_header(line) {
            // `addr perms offset dev inode [path]`: the path is the 6th field on, if any.
            let path = line
                .split_whitespace()
                .skip(5)
                .collect::<Vec<_>>()
                .join(" ");
            name = mapping_name(&path);
        }
    }
    out
}

/// A smaps header starts with `start-end` in hex; field lines start with `Name:`.
fn is_mapping_header(line: &str) -> bool {
    line.split_whitespace().next().is_some_and(|first| {
        first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    })
}

fn mapping_name(path: &str) -> String {
    if path.is_empty() || (path.starts_with('[') && path != "[vdso]") || path.starts_with("/memfd:")
    {
        return "[anon]".to_owned();
    }
    let base = path.rsplit('/').next().unwrap_or(path);
    base.trim_end_matches(" (deleted)").to_owned()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn finds_this_process_and_its_rss() {
        let procs = tree(std::process::id());
        assert_eq!(procs[0].pid, std::process::id());
        assert!(procs[0].rss_kib > 0);
        // A child shows up in the tree.
        let mut child = Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep starts");
        let procs = tree(std::process::id());
        let found = procs.iter().any(|p| p.pid == child.id());
        // A busy loop shows up as CPU time.
        let started = std::time::Instant::now();
        let mut spin = 0u64;
        while started.elapsed() < std::time::Duration::from_millis(300) {
            spin = std::hint::black_box(spin.wrapping_add(1));
        }
        let later = tree(std::process::id());
        assert!(cpu_percent(&procs, &later, 0.3) > 10.0);
        let _ = child.kill();
        let _ = child.wait();
        assert!(found);
    }

    #[test]
    fn smaps_sums_by_library_and_anon() {
        let smaps = "\
55d0a000-55d0b000 r--p 00000000 08:01 123  /usr/lib/x86_64-linux-gnu/libgstreamer-1.0.so.0
Size:                  4 kB
Pss:                   3 kB
7f00-7f10 rw-p 00000000 00:00 0
Pss:                  10 kB
7f20-7f30 rw-p 00000000 00:00 0  [heap]
Pss:                   5 kB
7f40-7f50 r-xp 00001000 08:01 124  /usr/lib/x86_64-linux-gnu/libgstreamer-1.0.so.0
Pss:                   7 kB
";
        let mut sums = BTreeMap::new();
        for (name, kib) in parse_smaps(smaps) {
            *sums.entry(name).or_insert(0) += kib;
        }
        assert_eq!(sums.get("libgstreamer-1.0.so.0"), Some(&10));
        assert_eq!(sums.get("[anon]"), Some(&15));
        // This process has mappings of its own.
        let me = tree(std::process::id());
        assert!(!pss_by_mapping(&me[..1]).is_empty());
    }
}
