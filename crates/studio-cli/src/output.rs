//! Human and machine output. Human mode: results on stdout, progress and errors on stderr.
//! `--json`: exactly one JSON document on stdout; human lines go to stderr.

use std::io::Write;

use serde_json::{Value, json};

use crate::exit::{Code, Failure};

#[derive(Clone, Copy, Debug)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// A line of human output (stdout, or stderr under `--json`).
    pub fn line(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        if self.json {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        } else {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
    }

    /// A note that is never part of the result (always stderr).
    pub fn note(&self, text: impl AsRef<str>) {
        let _ = writeln!(std::io::stderr().lock(), "{}", text.as_ref());
    }

    /// The command's JSON document (only under `--json`).
    pub fn document(&self, value: Value) {
        if self.json {
            let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into());
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
    }

    /// Reports a failure: on stderr, and as the JSON document under `--json`.
    pub fn failure(&self, failure: &Failure) {
        let _ = writeln!(std::io::stderr().lock(), "error: {}", failure.message);
        self.document(json!({
            "ok": false,
            "exit_code": failure.code.as_i32(),
            "error": failure.message,
        }));
    }
}

/// `$1.23` (more digits for small amounts).
pub fn usd(amount: f64) -> String {
    // Sums of refunds can leave -0.0; nobody wants to read "$-0.00".
    let amount = if amount.abs() < 5e-5 { 0.0 } else { amount };
    if amount != 0.0 && amount.abs() < 0.01 {
        format!("${amount:.4}")
    } else {
        format!("${amount:.2}")
    }
}

/// A duration in milliseconds as `1m 05s` / `12s`.
pub fn eta(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// How long ago a moment was, e.g. `3m ago`.
pub fn ago(then_ms: i64, now_ms: i64) -> String {
    let secs = ((now_ms - then_ms) / 1000).max(0);
    match secs {
        0..60 => format!("{secs}s ago"),
        60..3600 => format!("{}m ago", secs / 60),
        3600..86_400 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

/// The first eight characters of a job id, as the CLI shows them.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// Pads cells into aligned columns.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let render = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut lines = vec![render(header.iter().map(|h| h.to_string()).collect())];
    lines.extend(rows.iter().map(|r| render(r.clone())));
    lines.join("\n")
}

/// The exit code to report for a successful run (for JSON documents).
pub fn ok_fields(code: Code) -> Value {
    json!({ "ok": code == Code::Ok, "exit_code": code.as_i32() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(usd(1.5), "$1.50");
        assert_eq!(usd(0.0042), "$0.0042");
        assert_eq!(usd(-0.0), "$0.00");
        assert_eq!(eta(65_000), "1m 05s");
        assert_eq!(eta(1), "1s");
        assert_eq!(ago(0, 125_000), "2m ago");
        assert_eq!(short_id("0123456789"), "01234567");
        let t = table(&["A", "BB"], &[vec!["xxx".into(), "y".into()]]);
        assert_eq!(t, "A    BB\nxxx  y");
    }
}
