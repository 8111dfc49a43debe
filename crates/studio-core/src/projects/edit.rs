//! The user's hand on a project: edit a shot's prompt, split or merge shots, move a cut to
//! another beat, plan again (keeping those edits), pick a shot's version, pause, and make one more
//! version of a shot (its price first).

use serde::{Deserialize, Serialize};
use storyboard::PlanOptions;

use super::claim::{ClaimKind, ShotClaim};
use super::status::versions;
use super::{Project, ProjectSettings};
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
        project.revision = self.save_project(&project).await?;
        Ok(project)
    }

    /// Plans the storyboard again from the song as it is now analysed (the user's tempo, bar and
    /// section edits included), keeping the shots the user edited; new shots get prompts.
    pub async fn replan_project(&self, id_or_prefix: &str) -> Result<Project, Error> {
        let mut project = self.project(id_or_prefix).await?;
        let limits = self.model_limits(&project.settings.model).await?;
        let paths = self.paths().clone();
        let (song, hash) = (project.song_path.clone(), project.song_hash.clone());
        let analysis =
            tokio::task::spawn_blocking(move || songs::analyze_known(&paths, &song, &hash))
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
        project.revision = self.save_project(&project).await?;
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
        project.revision = self.save_project(&project).await?;
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
        let reword = old.theme != new.theme || old.style != new.style || old.subject != new.subject;
        project.revision = self.save_project(&project).await?;
        if replan {
            project = self.replan_project(&project.id).await?;
        }
        if reword {
            let mut board = project.storyboard.clone();
            for shot in board.shots.iter_mut().filter(|s| !s.edited) {
                shot.prompt.clear();
            }
            project.storyboard = self.write_prompts(&board, &project.settings).await?;
            project.revision = self.save_project(&project).await?;
        }
        Ok(project)
    }

    /// Makes `job` the version its shot's render uses. A version whose span is no longer a
    /// shot's (the storyboard was edited after it was queued) becomes a version of the shot it is
    /// offered on, the one its span overlaps most.
    pub async fn choose_version(&self, job: &JobId) -> Result<(), Error> {
        let job = job.clone();
        let record = {
            let job = job.clone();
            self.shared().db(move |ledger, _| ledger.get(&job)).await?
        };
        if let Some(link) = &record.params.shot
            && let Ok(project) = self.project(&link.project_id).await
        {
            let spans: Vec<(i64, i64)> = project
                .storyboard
                .shots
                .iter()
                .map(super::span_ms)
                .collect();
            let span = (link.start_ms, link.end_ms);
            if !spans.contains(&span)
                && let Some(best) = super::status::best_overlap(&spans, span)
            {
                let (id, to) = (job.clone(), spans[best]);
                self.shared()
                    .db(move |ledger, _| ledger.relink_version(&id, to))
                    .await?;
            }
        }
        self.shared()
            .db(move |ledger, _| ledger.choose_version(&job))
            .await
    }

    /// Pauses a project's generation: shots already queued finish; no new one is queued until
    /// `generate_project` runs again.
    pub async fn pause_project(&self, id_or_prefix: &str) -> Result<Project, Error> {
        let project = self.project(id_or_prefix).await?;
        let id = project.id.clone();
        self.shared()
            .db(move |ledger, now| ledger.set_project_paused(&id, true, now))
            .await?;
        self.project(&project.id).await
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

    /// Queues one more version of shot `index` (even when it has one). It is claimed like every
    /// paid call of the project: refused while a version of the shot is still on its way, or when
    /// it would take the project past its budget (counting what is spent and in flight). With
    /// continuity, it starts from the previous shot's clip's last frame.
    pub async fn regenerate_shot(
        &self,
        id_or_prefix: &str,
        index: usize,
    ) -> Result<JobRecord, Error> {
        let project = self.project(id_or_prefix).await?;
        let Some(shot) = project.storyboard.shots.get(index) else {
            return Err(Error::Refused(format!(
                "There is no shot {}: the storyboard has {} shots.",
                index + 1,
                project.storyboard.shots.len()
            )));
        };
        let claim = ShotClaim {
            project_id: project.id.clone(),
            index,
            span: super::span_ms(shot),
            kind: ClaimKind::ExtraVersion,
            caps: self.config().budget,
        };
        let limits = self.model_limits(&project.settings.model).await?;
        let image = self.start_image(&project, &limits, index).await?;
        let params = super::generate::shot_params(&project, index, &limits, image);
        Ok(self.generate_claimed(&params, claim).await?.job)
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
