//! Paths, commands with the tools on PATH, and the test tally.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub type XResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Where things are, and the PATH every child process gets.
#[derive(Debug)]
pub struct Ctx {
    /// The workspace root (where the root Cargo.toml and tauri.conf.json are).
    pub root: PathBuf,
    /// `cargo install --root` for the build tools (trunk, wasm-bindgen, tauri-driver).
    pub tools: PathBuf,
    /// node_modules/.bin and the tools' bin first, then the caller's PATH.
    path: OsString,
}

impl Ctx {
    pub fn new() -> XResult<Self> {
        // xtask/ sits one level below the root.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("xtask has no parent folder")?
            .to_path_buf();
        let tools = match std::env::var_os("VENICE_STUDIO_TOOLS") {
            Some(dir) => PathBuf::from(dir),
            None => {
                let home = std::env::var_os("HOME")
                    .or_else(|| std::env::var_os("USERPROFILE"))
                    .ok_or("neither HOME nor USERPROFILE is set")?;
                PathBuf::from(home).join(".cache/venice-studio/tools")
            }
        };
        let mut dirs = vec![root.join("node_modules/.bin"), tools.join("bin")];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        let path = std::env::join_paths(dirs)?;
        Ok(Self { root, tools, path })
    }

    /// A command run from the root with the tools on PATH.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root).env("PATH", &self.path);
        command
    }

    /// `cargo` (the one running xtask, when known) with the tools on PATH.
    pub fn cargo(&self) -> Command {
        self.command(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
    }

    /// The app's debug binary, as `cargo build`/`cargo test` leave it.
    pub fn app_binary(&self) -> PathBuf {
        let name = if cfg!(windows) {
            "venice-studio.exe"
        } else {
            "venice-studio"
        };
        self.target_dir().join("debug").join(name)
    }

    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.root.join("target"))
    }
}

/// Runs a command to its end and turns a failure into an error naming it.
pub trait StatusOk {
    fn status_ok(&mut self, what: &str) -> XResult<()>;
}

impl StatusOk for Command {
    fn status_ok(&mut self, what: &str) -> XResult<()> {
        let status = self.status().map_err(|error| {
            format!("could not start {what} ({:?}): {error}", self.get_program())
        })?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{what} failed ({status})").into())
        }
    }
}

/// Whether `program` can be started (found on PATH).
pub fn on_path(ctx: &Ctx, program: &str) -> bool {
    ctx.command(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Makes `to` hold exactly the files of `from` (one level, no subfolders), writing only the files
/// whose bytes differ so unchanged ones keep their mtime; how many files were written or removed.
pub fn sync_dir(from: &Path, to: &Path) -> XResult<usize> {
    std::fs::create_dir_all(to)?;
    let mut changed = 0;
    let mut wanted = Vec::new();
    for entry in std::fs::read_dir(from)?.flatten() {
        if !entry.file_type()?.is_file() {
            return Err(format!("{}: only files are expected", entry.path().display()).into());
        }
        let name = entry.file_name();
        let bytes = std::fs::read(entry.path())?;
        let target = to.join(&name);
        if std::fs::read(&target).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&target, &bytes)?;
            changed += 1;
        }
        wanted.push(name);
    }
    for entry in std::fs::read_dir(to)?.flatten() {
        if !wanted.contains(&entry.file_name()) {
            if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(entry.path())?;
            } else {
                std::fs::remove_file(entry.path())?;
            }
            changed += 1;
        }
    }
    Ok(changed)
}

/// A heading for one step, so the log reads as a story.
pub fn step(what: &str) {
    println!("\n==> {what}");
    let _ = std::io::stdout().flush();
}

/// Passed and failed tests, summed over every runner.
#[derive(Debug, Default)]
pub struct Tally {
    passed: u64,
    failed: u64,
    failures: Vec<String>,
}

impl Tally {
    /// One check of xtask's own (counted as one test).
    pub fn record(&mut self, name: &str, ok: bool) {
        if ok {
            self.passed += 1;
            println!("xtask: ok     {name}");
        } else {
            self.failed += 1;
            self.failures.push(name.to_owned());
            println!("xtask: FAILED {name}");
        }
    }

    /// How many tests failed so far.
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Runs `cargo test`, streaming its output, and adds up its `test result:` lines. A cargo that
    /// fails with no failed test (a build error) counts as one failure, and so does every ignored
    /// (skipped) test: in this run nothing may pass by not running. Tests that skip themselves
    /// when something is missing see `STUDIO_REQUIRE_ALL_TESTS=1` and fail instead.
    pub fn add_cargo_test(&mut self, mut command: Command) -> XResult<()> {
        command.env("STUDIO_REQUIRE_ALL_TESTS", "1");
        command.stdout(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|error| format!("could not start cargo test: {error}"))?;
        let stdout = child.stdout.take().ok_or("cargo test has no stdout")?;
        let mut failed_here = 0;
        let mut out = std::io::stdout();
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
            if let Some((passed, failed)) = parse_test_result(&line) {
                let ignored = parse_ignored(&line);
                self.passed += passed;
                self.failed += failed + ignored;
                failed_here += failed + ignored;
            }
        }
        let status = child.wait()?;
        if failed_here > 0 {
            self.failures
                .push(format!("cargo test: {failed_here} failed (see above)"));
        } else if !status.success() {
            self.record("cargo test: build or run error (see above)", false);
        }
        Ok(())
    }

    /// Prints the summary, ending with exactly `N passed, M failed`; whether everything passed.
    pub fn finish(self) -> bool {
        if !self.failures.is_empty() {
            println!("\nfailures:");
            for failure in &self.failures {
                println!("    {failure}");
            }
        }
        println!("\n{} passed, {} failed", self.passed, self.failed);
        let _ = std::io::stdout().flush();
        self.failed == 0 && self.failures.is_empty()
    }
}

/// `test result: ok. 3 passed; 1 failed; 2 ignored; ...` → 2 (a skipped test).
pub fn parse_ignored(line: &str) -> u64 {
    let Some(rest) = line.trim().strip_prefix("test result: ") else {
        return 0;
    };
    rest.split(';')
        .filter_map(|part| {
            let mut words = part.split_whitespace().rev();
            match (words.next(), words.next()) {
                (Some("ignored"), Some(n)) => n.parse::<u64>().ok(),
                _ => None,
            }
        })
        .sum()
}

/// `test result: ok. 3 passed; 1 failed; 0 ignored; ...` → (3, 1).
pub fn parse_test_result(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let mut passed = None;
    let mut failed = None;
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let (Some(label), Some(number)) = (words.next(), words.next()) else {
            continue;
        };
        match label {
            "passed" => passed = number.parse().ok(),
            "failed" => failed = number.parse().ok(),
            _ => {}
        }
    }
    Some((passed?, failed?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cargo_test_result_lines() {
        assert_eq!(
            parse_test_result(
                "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s"
            ),
            Some((12, 0))
        );
        assert_eq!(
            parse_test_result(
                "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out"
            ),
            Some((3, 2))
        );
        assert_eq!(parse_test_result("running 3 tests"), None);
        assert_eq!(
            parse_ignored("test result: ok. 12 passed; 0 failed; 2 ignored; 0 measured"),
            2
        );
        assert_eq!(parse_ignored("running 3 tests"), 0);
    }

    #[test]
    fn sync_dir_writes_only_what_changed() {
        let root = std::env::temp_dir().join(format!("xtask-sync-test-{}", std::process::id()));
        let (from, to) = (root.join("from"), root.join("to"));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&from).expect("from");
        std::fs::create_dir_all(&to).expect("to");
        std::fs::write(from.join("same.js"), "a").expect("write");
        std::fs::write(from.join("new.wasm"), "b").expect("write");
        std::fs::write(to.join("same.js"), "a").expect("write");
        std::fs::write(to.join("old.wasm"), "c").expect("write");
        let before = std::fs::metadata(to.join("same.js"))
            .and_then(|m| m.modified())
            .expect("mtime");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(sync_dir(&from, &to).expect("sync"), 2);
        let after = std::fs::metadata(to.join("same.js"))
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(before, after, "an unchanged file is not rewritten");
        assert_eq!(
            std::fs::read_to_string(to.join("new.wasm")).expect("new"),
            "b"
        );
        assert!(!to.join("old.wasm").exists());
        assert_eq!(sync_dir(&from, &to).expect("sync again"), 0);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn tally_counts_checks() {
        let mut tally = Tally::default();
        tally.record("a", true);
        tally.record("b", false);
        assert_eq!((tally.passed, tally.failed), (1, 1));
        assert!(!tally.finish());
    }
}
