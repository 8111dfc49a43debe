//! A project's song in the app: imported once (analysed, copied into the library, its name kept
//! when the file has no title tag), read back with the user's corrections, and corrected from a
//! project, which plans the storyboard again on the corrected beats.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Project;
use crate::Error;
use crate::config::StudioPaths;
use crate::engine::Studio;
use crate::songs::{self, SongAnalysis};

/// A song in the library, analysed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportedSong {
    /// The copy in the library, which projects are made from.
    pub path: PathBuf,
    /// The title tag, else the name of the file the user picked.
    pub title: String,
    pub song: SongAnalysis,
}

/// One correction of a song's analysis, as the app makes them. Times are song seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum SongEdit {
    Bpm {
        bpm: f64,
    },
    Tap {
        times: Vec<f64>,
    },
    /// Bars start this many beats later (negative: earlier).
    ShiftBars {
        beats: i32,
    },
    MoveSection {
        from_s: f64,
        to_s: f64,
    },
    AddSection {
        at_s: f64,
    },
    DeleteSection {
        at_s: f64,
    },
    LabelSection {
        at_s: f64,
        label: String,
    },
    Reset,
}

impl Studio {
    /// Analyses `file` (cached by content) and copies it into the library. Blocking work runs
    /// off the async workers.
    pub async fn import_song(&self, file: &Path) -> Result<ImportedSong, Error> {
        let paths = self.paths().clone();
        let file = file.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let song = songs::analyze(&paths, &file)?;
            let path = super::create::copy_into_library(&paths, &file, &song.content_hash)?;
            let title = match &song.analysis.tags.title {
                Some(title) if !title.trim().is_empty() => title.trim().to_string(),
                _ => {
                    let name = file
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "Song".into());
                    // The library copy is named by its hash: keep the name the user knows.
                    let _ = std::fs::write(title_path(&paths, &song.content_hash), &name);
                    name
                }
            };
            Ok(ImportedSong { path, title, song })
        })
        .await
        .map_err(|e| Error::Refused(format!("The song analysis stopped ({e}).")))?
    }

    /// The project's song as analysed, with the user's corrections: the analysis cached under
    /// the song hash the project keeps (the file is not read again), else analysed now.
    pub async fn project_song(&self, project: &Project) -> Result<ImportedSong, Error> {
        let paths = self.paths().clone();
        let path = project.song_path.clone();
        let hash = project.song_hash.clone();
        tokio::task::spawn_blocking(move || {
            let song = songs::analyze_known(&paths, &path, &hash)?;
            let title = title_of(&paths, &song);
            Ok(ImportedSong { path, title, song })
        })
        .await
        .map_err(|e| Error::Refused(format!("The song analysis stopped ({e}).")))?
    }

    /// Corrects the project's song (tempo, bars, sections) and plans the storyboard again on the
    /// corrected beats; shots the user edited keep their cuts and prompts.
    pub async fn edit_project_song(
        &self,
        id_or_prefix: &str,
        edit: SongEdit,
    ) -> Result<Project, Error> {
        let project = self.project(id_or_prefix).await?;
        let paths = self.paths().clone();
        let file = project.song_path.clone();
        tokio::task::spawn_blocking(move || apply(&paths, &file, edit))
            .await
            .map_err(|e| Error::Refused(format!("The song edit stopped ({e}).")))??;
        self.replan_project(&project.id).await
    }
}

fn apply(paths: &StudioPaths, file: &Path, edit: SongEdit) -> Result<(), Error> {
    if edit == SongEdit::Reset {
        return songs::clear_overrides(paths, file).map(drop);
    }
    songs::edit_overrides(paths, file, |o, current| {
        match edit {
            SongEdit::Bpm { bpm } => o.set_bpm(bpm),
            SongEdit::Tap { times } => {
                o.set_taps(&times)?;
            }
            SongEdit::ShiftBars { beats } => {
                o.set_downbeat(
                    shifted_downbeat(current, beats),
                    Some(current.beats_per_bar),
                )?;
            }
            SongEdit::MoveSection { from_s, to_s } => {
                o.move_boundary(current, from_s, to_s)?;
            }
            SongEdit::AddSection { at_s } => {
                o.add_boundary(current, at_s)?;
            }
            SongEdit::DeleteSection { at_s } => {
                o.delete_boundary(current, at_s)?;
            }
            SongEdit::LabelSection { at_s, label } => {
                o.label_section(current, at_s, &label)?;
            }
            SongEdit::Reset => {}
        }
        Ok(())
    })
    .map(drop)
}

/// The beat `beats` beats after the first downbeat (before it when negative, wrapping by a bar
/// at the song's start): where bars start after shifting them.
fn shifted_downbeat(current: &songs::Analysis, beats: i32) -> f64 {
    let Some(&first) = current.downbeats.first() else {
        return current.beats.first().copied().unwrap_or(0.0);
    };
    let index = current
        .beats
        .iter()
        .enumerate()
        .min_by(|a, b| (a.1 - first).abs().total_cmp(&(b.1 - first).abs()))
        .map_or(0, |(i, _)| i as i64);
    let bar = current.beats_per_bar.max(1) as i64;
    let mut target = index + i64::from(beats);
    while target < 0 {
        target += bar;
    }
    usize::try_from(target)
        .ok()
        .and_then(|i| current.beats.get(i).copied())
        .unwrap_or(first)
}

fn title_path(paths: &StudioPaths, hash: &str) -> PathBuf {
    paths.song_cache().join(format!("{hash}-title.txt"))
}

/// The song's title tag, else the file name it was imported under, else "Song".
pub(crate) fn title_of(paths: &StudioPaths, song: &SongAnalysis) -> String {
    known_title(paths, song).unwrap_or_else(|| "Song".into())
}

/// The song's title tag, else the file name it was imported under.
pub(crate) fn known_title(paths: &StudioPaths, song: &SongAnalysis) -> Option<String> {
    song.analysis
        .tags
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| std::fs::read_to_string(title_path(paths, &song.content_hash)).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}
