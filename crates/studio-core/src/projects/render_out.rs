//! Where a render may be written: a file the user names (`--out`) never lands in the studio's
//! library (the media folder, the data folder with its songs and thumbnails, a paid clip kept
//! elsewhere), where it could overwrite what was paid for; the default file name is new each time.

use std::path::{Component, Path, PathBuf};

use crate::Error;
use crate::config::StudioPaths;

/// `out` as a full path with every link and `..` resolved, if it may be written; `known` are the
/// library's files outside its folders (clips saved in an earlier media folder).
pub(super) fn check(paths: &StudioPaths, out: &Path, known: &[PathBuf]) -> Result<PathBuf, Error> {
    let refuse = |why: String| Error::BadRenderOut {
        path: out.to_path_buf(),
        why,
    };
    let absolute = std::path::absolute(out).map_err(|source| Error::Io {
        action: "find the full path of",
        path: out.to_path_buf(),
        source,
    })?;
    let real = resolve(&absolute);
    for folder in [&paths.media_dir, &paths.data_dir] {
        let folder = resolve(folder);
        if real.starts_with(&folder) {
            return Err(refuse(format!(
                "it is inside the studio's library ({}), where it could overwrite a paid clip, a \
                 song or another render",
                folder.display()
            )));
        }
    }
    if known.iter().any(|file| resolve(file) == real) {
        return Err(refuse(
            "it is a paid clip inside the studio's library, which it would overwrite".into(),
        ));
    }
    Ok(real)
}

/// `path` with links resolved as far as it exists and `..` taken away exactly: a folder that
/// does not exist yet is no link, so going up from it is going up one name.
fn resolve(path: &Path) -> PathBuf {
    let mut real = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                real.pop();
            }
            Component::CurDir => {}
            other => {
                real.push(other);
                if let Ok(canonical) = std::fs::canonicalize(&real) {
                    real = canonical;
                }
            }
        }
    }
    real
}

/// The render's file name in the media folder: the project's name and the render's short id, so
/// every render is a file of its own.
pub(super) fn file_name(project_name: &str, render_id: &str) -> String {
    let safe: String = project_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    let short: String = safe.chars().take(60).collect();
    format!("{short}-{}.mp4", &render_id[..8.min(render_id.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn going_up_from_a_folder_not_yet_made_is_going_up_one_name() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        let up = dir.path().join("new").join("..").join("x.mp4");
        assert_eq!(resolve(&up), real.join("x.mp4"));
    }

    #[test]
    fn render_names_keep_the_project_name_and_differ_per_render() {
        let a = file_name("Neon Run: a fox/runs", "0123456789ab");
        let b = file_name("Neon Run: a fox/runs", "abcdef012345");
        assert_eq!(a, "Neon_Run_a_fox_runs-01234567.mp4");
        assert_ne!(a, b);
    }
}
