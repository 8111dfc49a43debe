//! Finding ffmpeg and ffprobe (a configured path or PATH) and checking the version is new enough.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Error;

/// The oldest ffmpeg the render works with: `tpad` (holding a short clip's last frame) came in
/// FFmpeg 4.2.
pub const MIN_VERSION: (u32, u32) = (4, 2);
const MIN_VERSION_TEXT: &str = "4.2";

/// How the user installs ffmpeg on this platform, for error messages.
pub const INSTALL_HINT: &str = if cfg!(target_os = "macos") {
    "`brew install ffmpeg`"
} else if cfg!(target_os = "windows") {
    "`winget install Gyan.FFmpeg`"
} else {
    "`sudo apt-get install ffmpeg`"
};

/// A working ffmpeg and its ffprobe, with the version ffmpeg reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ffmpeg {
    /// The ffmpeg program.
    pub ffmpeg: PathBuf,
    /// The ffprobe beside it (or on PATH).
    pub ffprobe: PathBuf,
    /// `(major, minor)`, or `None` for a git build ("N-…" or dated), which is taken as recent.
    pub version: Option<(u32, u32)>,
}

impl Ffmpeg {
    /// The configured ffmpeg (a program, or a folder holding it), else `ffmpeg` on PATH; ffprobe is
    /// looked for beside it, then on PATH. Runs `ffmpeg -version` and refuses one older than
    /// [`MIN_VERSION`] or one that does not answer, saying how to install ffmpeg.
    pub fn find(configured: Option<&Path>) -> Result<Ffmpeg, Error> {
        Self::find_with_path(configured, &std::env::var_os("PATH").unwrap_or_default())
    }

    /// [`Ffmpeg::find`] with the search path given instead of read from the environment.
    pub fn find_with_path(configured: Option<&Path>, search_path: &OsStr) -> Result<Ffmpeg, Error> {
        let ffmpeg = match configured {
            Some(path) if path.is_dir() => program_in(path, "ffmpeg"),
            Some(path) => path.is_file().then(|| path.to_path_buf()),
            None => on_path(search_path, "ffmpeg"),
        }
        .ok_or_else(|| Error::FfmpegMissing {
            looked: match configured {
                Some(path) => format!("looked at {}", path.display()),
                None => "looked on PATH".into(),
            },
            install: crate::ffmpeg::INSTALL_HINT,
        })?;
        let version = read_version(&ffmpeg)?;
        let ffprobe = ffmpeg
            .parent()
            .and_then(|dir| program_in(dir, "ffprobe"))
            .or_else(|| on_path(search_path, "ffprobe"))
            .ok_or_else(|| Error::FfmpegMissing {
                looked: format!("ffprobe is neither beside {} nor on PATH", ffmpeg.display()),
                install: INSTALL_HINT,
            })?;
        Ok(Ffmpeg {
            ffmpeg,
            ffprobe,
            version,
        })
    }

    /// A command for ffmpeg with the options every call here wants: quiet but for errors, no
    /// stdin (it would otherwise wait for keys), no banner.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(&self.ffmpeg);
        command
            .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
            .stdin(Stdio::null());
        command
    }

    /// The option that passes frames through untouched (no duplicates or drops): `-fps_mode` from
    /// 5.1 on, `-vsync` before it (deprecated since).
    pub(crate) fn passthrough_args(&self) -> [&'static str; 2] {
        match self.version {
            Some(v) if v < (5, 1) => ["-vsync", "passthrough"],
            _ => ["-fps_mode", "passthrough"],
        }
    }
}

fn exe_name(name: &str) -> OsString {
    let mut name = OsString::from(name);
    name.push(std::env::consts::EXE_SUFFIX);
    name
}

fn program_in(dir: &Path, name: &str) -> Option<PathBuf> {
    let path = dir.join(exe_name(name));
    path.is_file().then_some(path)
}

fn on_path(search_path: &OsStr, name: &str) -> Option<PathBuf> {
    std::env::split_paths(search_path).find_map(|dir| program_in(&dir, name))
}

fn read_version(ffmpeg: &Path) -> Result<Option<(u32, u32)>, Error> {
    let unusable = |why: String| Error::FfmpegUnusable {
        path: ffmpeg.to_path_buf(),
        why,
        install: INSTALL_HINT,
    };
    let output = Command::new(ffmpeg)
        .arg("-version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| unusable(format!("it could not be started: {e}")))?;
    if !output.status.success() {
        return Err(unusable(format!("`-version` ended with {}", output.status)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let version = parse_version(&text).ok_or_else(|| {
        unusable(format!(
            "`-version` printed {:?}",
            text.lines().next().unwrap_or("nothing")
        ))
    })?;
    match version {
        Version::Release(major, minor) if (major, minor) < MIN_VERSION => {
            Err(Error::FfmpegTooOld {
                found: format!("{major}.{minor}"),
                needed: MIN_VERSION_TEXT,
                install: INSTALL_HINT,
            })
        }
        Version::Release(major, minor) => Ok(Some((major, minor))),
        Version::Git => Ok(None),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Version {
    Release(u32, u32),
    /// A build from git ("N-109876-g…", or dated like "2023-03-05-git-…"): recent by nature.
    Git,
}

/// Reads the version from `ffmpeg -version`'s first line: "ffmpeg version 5.1.9-0+deb12u1",
/// "ffmpeg version n6.0", "ffmpeg version 4.4.2-0ubuntu0.22.04.1", "ffmpeg version 7.0-static".
fn parse_version(text: &str) -> Option<Version> {
    let word = text
        .lines()
        .next()?
        .strip_prefix("ffmpeg version ")?
        .split_whitespace()
        .next()?;
    if word.starts_with("N-") || word.starts_with("git") {
        return Some(Version::Git);
    }
    let word = word.trim_start_matches('n');
    let mut numbers = word
        .split(|c: char| !c.is_ascii_digit())
        .map(|part| part.parse::<u32>().ok());
    let major = numbers.next()??;
    if major >= 2000 {
        return Some(Version::Git);
    }
    let minor = numbers.next().flatten().unwrap_or(0);
    Some(Version::Release(major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_as_distributions_print_them() {
        let cases = [
            (
                "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026",
                Version::Release(5, 1),
            ),
            ("ffmpeg version n6.0 Copyright", Version::Release(6, 0)),
            (
                "ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright",
                Version::Release(4, 4),
            ),
            (
                "ffmpeg version 7.0-static https://johnvansickle.com",
                Version::Release(7, 0),
            ),
            ("ffmpeg version 3.4\n", Version::Release(3, 4)),
            ("ffmpeg version 8 Copyright", Version::Release(8, 0)),
            ("ffmpeg version N-109876-gabcdef Copyright", Version::Git),
            (
                "ffmpeg version 2023-03-05-git-912ac82f3c-full_build-www.gyan.dev",
                Version::Git,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse_version(line), Some(want), "{line}");
        }
        assert_eq!(parse_version("avconv version 12"), None);
        assert_eq!(parse_version(""), None);
    }
}
