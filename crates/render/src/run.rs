//! Running ffmpeg with `-progress pipe:1`: progress lines read on a thread, the cancel flag
//! checked between them, stderr kept for the error message.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::Error;

/// How often the cancel flag is looked at while ffmpeg runs.
const CANCEL_POLL: Duration = Duration::from_millis(50);

/// A flag the caller sets to stop a render: cheap to clone, shared between threads.
#[derive(Clone, Debug, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the render to stop; it kills ffmpeg, removes the partial output and returns
    /// [`Error::Cancelled`].
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Runs `command` (which must have `-progress pipe:1` among its arguments), calling
/// `on_out_time` with each `out_time_us` ffmpeg reports (in seconds). Kills ffmpeg and returns
/// [`Error::Cancelled`] when `cancel` is set.
pub(crate) fn run_with_progress(
    mut command: Command,
    what: &str,
    cancel: &CancelFlag,
    mut on_out_time: impl FnMut(f64),
) -> Result<(), Error> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Ffmpeg {
            what: what.into(),
            stderr: format!("it could not be started: {e}"),
        })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(mut stderr) = stderr {
            let _ = stderr.read_to_end(&mut text);
        }
        text
    });
    let (send, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        if let Some(stdout) = stdout {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        }
    });
    loop {
        if cancel.is_cancelled() {
            let _ = child.kill();
            let _ = child.wait();
            let _ = reader.join();
            let _ = errors.join();
            return Err(Error::Cancelled);
        }
        match lines.recv_timeout(CANCEL_POLL) {
            Ok(line) => {
                if let Some(seconds) = out_time(&line) {
                    on_out_time(seconds);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait().map_err(|e| Error::Ffmpeg {
        what: what.into(),
        stderr: format!("waiting for it failed: {e}"),
    })?;
    let _ = reader.join();
    let stderr = errors.join().unwrap_or_default();
    if status.success() {
        Ok(())
    } else {
        Err(Error::Ffmpeg {
            what: what.into(),
            stderr: format!("{} ({status})", tail(&stderr)),
        })
    }
}

/// Runs a short ffmpeg command to the end; its failure quotes stderr.
pub(crate) fn run(mut command: Command, what: &str) -> Result<(), Error> {
    let output = command.output().map_err(|e| Error::Ffmpeg {
        what: what.into(),
        stderr: format!("it could not be started: {e}"),
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(Error::Ffmpeg {
            what: what.into(),
            stderr: format!("{} ({})", tail(&output.stderr), output.status),
        })
    }
}

/// `out_time_us=12345678` (or the older `out_time_ms=`, also microseconds) → seconds.
fn out_time(line: &str) -> Option<f64> {
    let value = line
        .strip_prefix("out_time_us=")
        .or_else(|| line.strip_prefix("out_time_ms="))?;
    let micros: i64 = value.trim().parse().ok()?;
    Some(micros.max(0) as f64 / 1e6)
}

/// The last lines of a program's stderr, for an error message.
pub(crate) fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(6);
    match lines[start..].join("\n") {
        empty if empty.is_empty() => "it printed no reason".into(),
        text => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines() {
        assert_eq!(out_time("out_time_us=2500000"), Some(2.5));
        assert_eq!(out_time("out_time_ms=1000000"), Some(1.0));
        assert_eq!(out_time("out_time_us=-9223372036854775807"), Some(0.0));
        assert_eq!(out_time("out_time_us=N/A"), None);
        assert_eq!(out_time("frame=12"), None);
    }

    #[test]
    fn stderr_tail_keeps_the_last_lines() {
        let text = (1..=10).map(|i| format!("line {i}\n")).collect::<String>();
        assert_eq!(
            tail(text.as_bytes()),
            "line 5\nline 6\nline 7\nline 8\nline 9\nline 10"
        );
        assert_eq!(tail(b"\n"), "it printed no reason");
    }
}
