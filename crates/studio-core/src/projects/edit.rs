//! The user's hand on a project: edit a shot's prompt, split or merge shots, move a cut to
//! another beat, plan again (keeping those edits), pick a shot's version, pause, and make one more
//! version of a shot (its price first).

use serde::{Deserialize, Serialize};
use storyboard::PlanOptions;

use super::{Project, ProjectSettings};
use super::status::versions;
use crate::Error;
use crate::engine::Studio;
use crate::ledger::{JobId, JobRecord};
use crate::songs;

/// One storyboard edit. Shots and cuts count from 0 (cut N ends shot N).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum StoryboardEdit {
    Prompt {
        shot: usize,
        text: String,
    },
    /// Split the shot at the beat nearest `at_s`.
    Split {
        shot: usize,
        at_s: f64,
    },
    /// Join the shot with the next one.
    Merge {
        shot: usize,
    },
    /// Move cut `cut` to the beat nearest `to_s`.
    MoveCut {
        cut: usize,
        to_s: f64,
    },
}

impl Studio {
    /// Applies an edit to the storyboard and saves it. Versions stay with their spans: a shot
    /// whose span changes has none until it is generated again.
    pub async fn edit_storyboard(
        &self,
        id_or_prefix: &str,
        edit: StoryboardEdit,
    ) -> Result<Project, Error> {
        let mut project = self.project(id_or_prefix).await?;
        let board = &project.storyboard;
        project.storyboard = match edit {
            StoryboardEdit::Prompt { shot, text } => board.set_prompt(shot, &text)?,
            StoryboardEdit::Split { shot, at_s } => board.split(shot, at_s)?,
            StoryboardEdit::Merge { shot } => board.merge(shot)?,
            StoryboardEdit::MoveCut { cut, to_s } => board.move_cut(cut, to_s)?,
        };
        self.save_project(&project).await?;
        Ok(project)
    }

    /// Plans the storyboard again from the song as it is now analysed (the user's tempo, bar and
    /// section edits included), keeping the shots the user edited; new shots get prompts.
    pub async fn replan_project(&self, id_or_prefix: &str) -> Result<Project, Error> {
        let mut project = self.project(id_or_prefix).await?;
        let limits = self.model_limits(&project.settings.model).await?;
        let paths = self.paths().clone();
        let song = project.song_path.clone();
        let analysis = tokio::task::spawn_blocking(move || songs::analyze(&paths, &song))
            .await
            .map_err(|e| Error::Refused(format!("The song analysis stopped ({e}).")))??
            .analysis;
        let options = PlanOptions {
            min_shot_s: project.settings.min_shot_s,
            ..PlanOptions::default()
        };
        let board = storyboard::replan(&project.storyboard, &analysis, &limits, &options)?;
        project.storyboard = if board.shots.iter().any(|s| s.prompt.is_empty()) {
            self.write_prompts(&board, &project.settings).await?
        } else {
            board
        };
        self.save_project(&project).await?;
        Ok(project)
    }

    /// Renames the project.
    pub async fn rename_project(&self, id_or_prefix: &str, name: &str) -> Result<Project, Error> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Refused(
                "A project needs a name: type one, or press Escape to keep the old one.".into(),
            ));
        }
        let mut project = self.project(id_or_prefix).await?;
        project.name = name.chars().take(120).collect();
        self.save_project(&project).await?;
        Ok(project)
    }

    /// Changes the project's settings. Another model (or shortest shot) plans the storyboard
    /// again for its clip lengths; another theme, style or subject writes the prompts again.
    /// Shots the user edited keep their cuts and prompts. Versions already made stay.
    pub async fn update_project_settings(
        &self,
        id_or_prefix: &str,
        settings: ProjectSettings,
    ) -> Result<Project, Error> {
        if settings.theme.trim().is_empty() {
            return Err(Error::EmptyTheme);
        }
        let mut project = self.project(id_or_prefix).await?;
        if settings.model != project.settings.model {
            // Refuses an unknown model before anything is saved.
            self.model_limits(&settings.model).await?;
        }
        let old = std::mem::replace(&mut project.settings, settings);
        let new = &project.settings;
        let replan = old.model != new.model || old.min_shot_s != new.min_shot_s;
        let reword =
            old.theme != new.theme || old.style != new.style || old.subject != new.subject;
        self.save_project(&project).await?;
        if replan {
            project = self.replan_project(&project.id).await?;
        }
        if reword {
            let mut board = project.storyboard.clone();
            for shot in board.shots.iter_mut().filter(|s| !s.edited) {
                shot.prompt.clear();
            }
            project.storyboard = self.write_prompts(&board, &project.settings).await?;
            self.save_project(&project).await?;
        }
        Ok(project)
    }

    /// Makes `job` the version its shot's render uses.
    pub async fn choose_version(&self, job: &JobId) -> Result<(), Error> {
        let job = job.clone();
        self.shared()
            .db(move |ledger, _| ledger.choose_version(&job))
            .await
    }

    /// Pauses a project's generation: shots already queued finish; no new one is queued until
    /// `generate_project` runs again.
    pub async fn pause_project(&self, id_or_prefix: &str) -> Result<Project, Error> {
        let mut project = self.project(id_or_prefix).await?;
        project.paused = true;
        project.generating = false;
        self.save_project(&project).await?;
        Ok(project)
    }

    /// The price of one more version of shot `index`.
    pub async fn quote_shot(&self, id_or_prefix: &str, index: usize) -> Result<f64, Error> {
        let project = self.project(id_or_prefix).await?;
        let mut one = project.storyboard.clone();
        one.shots.retain(|s| s.index == index);
        if one.shots.is_empty() {
            return Err(Error::Refused(format!(
                "There is no shot {}: the storyboard has {} shots.",
                index + 1,
                project.storyboard.shots.len()
            )));
        }
        let settings = super::quote::video_settings(&project, project.settings.resolution.clone());
        Ok(self.price(&one, &settings).await?.usd)
    }

    /// Queues one more version of shot `index` (even when it has one), within the budgets.
    /// With continuity, it starts from the previous shot's clip's last frame.
    pub async fn regenerate_shot(
        &self,
        id_or_prefix: &str,
        index: usize,
    ) -> Result<JobRecord, Error> {
        let project = self.project(id_or_prefix).await?;
        let usd = self.quote_shot(&project.id, index).await?;
        if let Some(budget) = project.settings.budget_usd {
            let spent = {
                let id = project.id.clone();
                self.shared()
                    .db(move |ledger, _| ledger.project_spent_usd(&id))
                    .await?
            };
            if spent + usd > budget + 0.005 {
                return Err(Error::Refused(format!(
                    "Another version of shot {} costs ${usd:.2}; ${spent:.2} of the project's \
                     ${budget:.2} budget is spent, so it would be ${:.2} over. Raise the budget.",
                    index + 1,
                    spent + usd - budget
                )));
            }
        }
        let limits = self.model_limits(&project.settings.model).await?;
        let image = self.start_image(&project, &limits, index).await?;
        let params = super::generate::shot_params(&project, index, &limits, image);
        self.generate(&params, 1)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::Refused("Nothing was queued.".into()))
    }

    /// The versions made for shot `index`, oldest first.
    pub async fn shot_versions(
        &self,
        id_or_prefix: &str,
        index: usize,
    ) -> Result<Vec<JobRecord>, Error> {
        let project = self.project(id_or_prefix).await?;
        let jobs = self.project_jobs(&project.id).await?;
        let Some(shot) = project.storyboard.shots.get(index) else {
            return Ok(Vec::new());
        };
        Ok(versions(shot, &jobs).into_iter().cloned().collect())
    }
}
