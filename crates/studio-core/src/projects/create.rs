//! Making, opening, listing, duplicating and deleting projects: the song analysed and copied into
//! the library, the storyboard planned on its downbeats, one prompt per shot from the chat model.

use std::path::{Path, PathBuf};

use storyboard::{ModelLimits, PlanOptions, Storyboard};

use super::{Project, ProjectSettings};
use crate::Error;
use crate::engine::Studio;
use crate::songs;

/// What deleting a project removed, and what it left.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Deleted {
    pub name: String,
    /// Rendered music videos removed with it.
    pub renders_removed: usize,
    /// Paid clips that stay in the library (and in the ledger, as spent).
    pub clips_kept: usize,
}

impl Studio {
    /// Analyses the song (cached by its content hash, with the user's overrides), copies it into
    /// the library, plans the storyboard for the model and asks the chat model for one prompt per
    /// shot. Nothing is spent on video.
    pub async fn new_project(
        &self,
        song_file: &Path,
        settings: ProjectSettings,
        name: Option<String>,
    ) -> Result<Project, Error> {
        if settings.theme.trim().is_empty() {
            return Err(Error::EmptyTheme);
        }
        let limits = self.model_limits(&settings.model).await?;
        let paths = self.paths().clone();
        let file = song_file.to_path_buf();
        let (song, library_copy) = tokio::task::spawn_blocking(move || {
            let song = songs::analyze(&paths, &file)?;
            let copy = copy_into_library(&paths, &file, &song.content_hash)?;
            Ok::<_, Error>((song, copy))
        })
        .await
        .map_err(|e| Error::Refused(format!("The song analysis stopped ({e}).")))??;
        let options = PlanOptions {
            min_shot_s: settings.min_shot_s,
            ..PlanOptions::default()
        };
        let board = storyboard::plan(&song.analysis, &limits, &options)?;
        let board = self.write_prompts(&board, &settings).await?;
        let now = self.shared().now_ms();
        let name = name.unwrap_or_else(|| {
            // The title tag, else the name the song was imported under (the library copy is
            // named by its hash), else the file's own name.
            let title = super::song::known_title(self.paths(), &song).unwrap_or_else(|| {
                song_file
                    .file_stem()
                    .map_or_else(|| "Song".into(), |s| s.to_string_lossy().into_owned())
            });
            format!("{title}: {}", settings.theme.trim())
        });
        let project = Project {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            created_at_ms: now,
            updated_at_ms: now,
            song_hash: song.content_hash,
            song_path: library_copy,
            settings,
            storyboard: board,
            paused: false,
            generating: false,
            revision: 0,
            stopped: None,
        };
        let row = project.to_row();
        self.shared()
            .db(move |ledger, _| ledger.insert_project(&row))
            .await?;
        Ok(project)
    }

    /// The model's limits for planning, from the model list.
    pub(crate) async fn model_limits(&self, model: &str) -> Result<ModelLimits, Error> {
        let catalogue = self.catalogue(false).await?;
        let found = catalogue
            .get(model)
            .ok_or_else(|| Error::UnknownModel(model.to_string()))?;
        Ok(ModelLimits::from_constraints(&found.constraints))
    }

    /// One prompt per shot from the chat model (a JSON answer checked against the shots; a bad
    /// answer is asked for once more, then a clear error). Shots the user edited keep theirs.
    pub(crate) async fn write_prompts(
        &self,
        board: &Storyboard,
        settings: &ProjectSettings,
    ) -> Result<Storyboard, Error> {
        let parts = storyboard::prompt_request(
            board,
            settings.theme.trim(),
            &settings.style,
            &settings.subject,
        );
        let shared = self.shared();
        let mut request = venice::ChatCompletionRequest::new(
            shared.config.chat_model.clone(),
            vec![
                venice::ChatMessage::system(parts.system.clone()),
                venice::ChatMessage::user(parts.user.clone()),
            ],
        );
        request.temperature = Some(0.8);
        request.response_format = Some(parts.response_format());
        request.venice_parameters = Some(venice::VeniceParameters {
            include_venice_system_prompt: Some(false),
            strip_thinking_response: Some(true),
            ..Default::default()
        });
        let mut last_problem = String::new();
        for _attempt in 0..2 {
            let response = venice::retry::run(&shared.backoff, || async {
                shared.client.chat().create(&request).await
            })
            .await?;
            let answer = response.value.first_text().unwrap_or_default();
            match storyboard::apply_prompts(
                board,
                &answer,
                &settings.style,
                &settings.subject,
                board.limits.prompt_char_limit,
            ) {
                Ok(with_prompts) => return Ok(with_prompts),
                Err(e) => {
                    tracing::warn!(error = %e, "the chat's shot prompts were unusable; asking again");
                    last_problem = e.to_string();
                }
            }
        }
        Err(Error::Refused(format!(
            "The chat model did not write usable shot prompts twice ({last_problem}). Try again, or \
             pick another chat model."
        )))
    }

    /// The project with this id (or a unique start of it).
    pub async fn project(&self, id_or_prefix: &str) -> Result<Project, Error> {
        let id = id_or_prefix.to_string();
        let row = self
            .shared()
            .db(move |ledger, _| ledger.project(&id))
            .await?;
        Project::from_row(row)
    }

    /// Every project, the most recently changed first.
    pub async fn projects(&self) -> Result<Vec<Project>, Error> {
        let rows = self.shared().db(|ledger, _| ledger.projects()).await?;
        rows.into_iter().map(Project::from_row).collect()
    }

    /// Writes the project's name, settings and storyboard (never its pause or "Generate all"
    /// flags, which have their own writes), if nobody changed them since `project` was read.
    /// Returns the project's new revision.
    pub async fn save_project(&self, project: &Project) -> Result<i64, Error> {
        let row = project.to_row();
        let expected = project.revision;
        self.shared()
            .db(move |ledger, now| ledger.save_project_edit(&row, Some(expected), now))
            .await
    }

    /// A copy of the project (settings and storyboard, no versions or renders).
    pub async fn duplicate_project(&self, id_or_prefix: &str) -> Result<Project, Error> {
        let mut copy = self.project(id_or_prefix).await?;
        let now = self.shared().now_ms();
        copy.id = uuid::Uuid::new_v4().to_string();
        copy.name = format!("{} (copy)", copy.name);
        copy.created_at_ms = now;
        copy.updated_at_ms = now;
        copy.paused = false;
        copy.generating = false;
        copy.revision = 0;
        copy.stopped = None;
        let row = copy.to_row();
        self.shared()
            .db(move |ledger, _| ledger.insert_project(&row))
            .await?;
        Ok(copy)
    }

    /// Deletes the project and its rendered videos. Its shots' paid clips stay in the library
    /// (they were paid for), and the result says how many.
    pub async fn delete_project(&self, id_or_prefix: &str) -> Result<Deleted, Error> {
        let project = self.project(id_or_prefix).await?;
        let id = project.id.clone();
        let (renders, clips_kept) = self
            .shared()
            .db(move |ledger, _| {
                let renders = ledger.renders(Some(&id))?;
                let clips = ledger
                    .project_jobs(&id)?
                    .iter()
                    .filter(|j| j.media.is_some() && j.removed_at_ms.is_none())
                    .count();
                ledger.delete_project(&id)?;
                Ok((renders, clips))
            })
            .await?;
        for render in &renders {
            for file in [Some(&render.path), render.thumbnail_path.as_ref()]
                .into_iter()
                .flatten()
            {
                if let Err(error) = std::fs::remove_file(file) {
                    tracing::warn!(%error, file, "could not remove a render of a deleted project");
                }
            }
        }
        let work = project.work_dir(self.paths());
        let _ = std::fs::remove_dir_all(work);
        Ok(Deleted {
            name: project.name,
            renders_removed: renders.len(),
            clips_kept,
        })
    }
}

/// The song copied into the library as `songs/<hash>.<ext>` (kept if already there), so the
/// project does not depend on where the user keeps the file.
pub(crate) fn copy_into_library(
    paths: &crate::StudioPaths,
    file: &Path,
    hash: &str,
) -> Result<PathBuf, Error> {
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_else(|| "audio".into());
    let dir = paths.song_cache();
    let target = dir.join(format!("{hash}.{ext}"));
    if target.exists() {
        return Ok(target);
    }
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
    let temp = tempfile::NamedTempFile::new_in(&dir).map_err(io("write", &dir))?;
    std::fs::copy(file, temp.path()).map_err(io("copy", file))?;
    temp.persist(&target)
        .map_err(|e| e.error)
        .map_err(io("write", &target))?;
    Ok(target)
}
