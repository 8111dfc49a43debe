//! A project's shots through the engine: priced and checked against the budget first, then each
//! shot that needs a clip is queued like any job (ledger first, never twice). With continuity on
//! an image-to-video model the shots go one after another, each starting from the previous
//! clip's last frame. Run again after a crash, it picks up where it stopped.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::status::{clip_for, needs_generating, versions};
use super::{Project, span_ms};
use crate::Error;
use crate::engine::Studio;
use crate::ledger::{JobParams, JobState, ShotLink};

/// The job for shot `index`: its prompt and clip length, the project's model and shape, audio
/// off (the song is the soundtrack), linked to the shot's span.
pub(crate) fn shot_params(
    project: &Project,
    index: usize,
    limits: &storyboard::ModelLimits,
    image_path: Option<PathBuf>,
) -> JobParams {
    let shot = &project.storyboard.shots[index];
    let (start_ms, end_ms) = span_ms(shot);
    JobParams {
        theme: Some(project.settings.theme.clone()),
        prompt: shot.prompt.clone(),
        model: project.settings.model.clone(),
        duration: shot.duration.clone(),
        aspect_ratio: project.settings.aspect_ratio.clone(),
        resolution: project.settings.resolution.clone(),
        audio: limits.audio_configurable.then_some(false),
        image_path,
        shot: Some(ShotLink {
            project_id: project.id.clone(),
            start_ms,
            end_ms,
        }),
        // The same subject in every shot, on the models made for it.
        references: if takes_references(&project.settings.model) {
            project.settings.references.clone()
        } else {
            Vec::new()
        },
    }
}

/// Venice's reference-to-video models take `reference_image_urls` (the subject) rather than a
/// start frame.
pub(crate) fn takes_references(model: &str) -> bool {
    model.contains("reference-to-video")
}

/// What a generate run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GenerateReport {
    /// Shots queued now.
    pub queued: Vec<usize>,
    /// Shots that already had a clip or a version on its way.
    pub already: usize,
    /// Shots whose queue call Venice refused, or whose outcome is unknown.
    pub not_queued: Vec<usize>,
    /// Generation stopped because the user paused the project.
    pub paused: bool,
}

impl Studio {
    /// Queues every shot that needs a clip. Refused before any queue call when the rest of the
    /// project costs more than its budget (or the studio's caps). With continuity (image-to-video
    /// models), each shot waits for the previous clip and starts from its last frame, so a running
    /// poller is needed; without it, every shot is queued at once and the poller brings them home.
    pub async fn generate_project(&self, id_or_prefix: &str) -> Result<GenerateReport, Error> {
        let mut project = self.project(id_or_prefix).await?;
        if project.paused {
            project.paused = false;
            self.save_project(&project).await?;
        }
        let quote = self.quote_loaded(&project).await?;
        if let Some(reason) = quote.over_budget {
            return Err(Error::Refused(reason));
        }
        let limits = self.model_limits(&project.settings.model).await?;
        let chain = project.settings.continuity && limits.image_to_video;
        if limits.image_to_video && project.settings.references.is_empty() {
            return Err(Error::Refused(format!(
                "{} makes video from a start image: give a reference image (--reference) for the \
                 first shot.",
                project.settings.model
            )));
        }
        self.set_generating(&project.id, true).await?;
        let result = self.queue_shots(&project, &limits, chain).await;
        // Done, stopped or refused: no longer under way. (A closed app never gets here, so the
        // flag stays and the app carries on when it opens again.)
        self.set_generating(&project.id, false).await?;
        result
    }

    /// Project ids whose "Generate all" was under way when the studio stopped (and which the user
    /// has not paused since): the app runs [`Studio::generate_project`] for them again.
    pub async fn projects_generating(&self) -> Result<Vec<String>, Error> {
        Ok(self
            .projects()
            .await?
            .into_iter()
            .filter(|p| p.generating && !p.paused)
            .map(|p| p.id)
            .collect())
    }

    pub(crate) async fn set_generating(&self, id: &str, on: bool) -> Result<(), Error> {
        let id = id.to_string();
        self.shared()
            .db(move |ledger, _| ledger.set_project_generating(&id, on))
            .await
    }

    async fn queue_shots(
        &self,
        project: &Project,
        limits: &storyboard::ModelLimits,
        chain: bool,
    ) -> Result<GenerateReport, Error> {
        let mut report = GenerateReport::default();
        for i in 0..project.storyboard.shots.len() {
            // The user may pause between shots.
            if self.project(&project.id).await?.paused {
                report.paused = true;
                break;
            }
            let jobs = self.project_jobs(&project.id).await?;
            let shot = project.storyboard.shots[i].clone();
            if !needs_generating(&shot, &jobs) {
                report.already += 1;
                continue;
            }
            let image_path = self.start_image(project, limits, i).await?;
            let params = shot_params(project, i, limits, image_path);
            let jobs = self.generate(&params, 1).await?;
            match jobs.first().map(|j| j.state) {
                Some(state) if state.is_in_flight() => report.queued.push(i),
                _ => report.not_queued.push(i),
            }
            if chain && !report.not_queued.is_empty() {
                break;
            }
        }
        Ok(report)
    }

    pub(crate) async fn project_jobs(&self, id: &str) -> Result<Vec<crate::JobRecord>, Error> {
        let id = id.to_string();
        self.shared()
            .db(move |ledger, _| ledger.project_jobs(&id))
            .await
    }

    /// The start image of shot `index`: with continuity on an image-to-video model, the previous
    /// clip's last frame (waiting for it); else, on an image-to-video model, the first reference
    /// image; else none.
    pub(crate) async fn start_image(
        &self,
        project: &Project,
        limits: &storyboard::ModelLimits,
        index: usize,
    ) -> Result<Option<PathBuf>, Error> {
        if !limits.image_to_video || takes_references(&project.settings.model) {
            return Ok(None);
        }
        if project.settings.continuity && index > 0 {
            return Ok(Some(self.last_frame_of(project, index - 1).await?));
        }
        project
            .settings
            .references
            .first()
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                Error::Refused(format!(
                    "{} makes video from a start image: give a reference image (--reference).",
                    project.settings.model
                ))
            })
    }

    /// Waits for shot `index`'s clip and writes its last frame as a PNG (the next shot's start).
    async fn last_frame_of(&self, project: &Project, index: usize) -> Result<PathBuf, Error> {
        let shot = &project.storyboard.shots[index];
        let clip = loop {
            let jobs = self.project_jobs(&project.id).await?;
            let chosen = {
                let id = project.id.clone();
                self.shared()
                    .db(move |ledger, _| ledger.chosen_jobs(&id))
                    .await?
            };
            if let Some(job) = clip_for(shot, &jobs, &chosen)
                && let Some(media) = &job.media
            {
                break media.path.clone();
            }
            let stuck = versions(shot, &jobs)
                .last()
                .is_none_or(|j| matches!(j.state, JobState::Failed | JobState::OutcomeUnknown));
            if stuck {
                return Err(Error::Refused(format!(
                    "Shot {} has no clip, and the next shot starts from its last frame. Retry it \
                     (`studio video generate` again), then the rest follows.",
                    index + 1
                )));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        let out = project
            .work_dir(self.paths())
            .join("frames")
            .join(format!("shot-{:03}-last.png", index + 1));
        let ffmpeg = self.ffmpeg()?;
        let target = out.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                    action: "create",
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            ffmpeg.last_frame(&clip, &target)?;
            Ok::<_, Error>(())
        })
        .await
        .map_err(|e| Error::Refused(format!("The last frame could not be taken ({e}).")))??;
        Ok(out)
    }

    /// ffmpeg as configured (a path), else from PATH.
    pub(crate) fn ffmpeg(&self) -> Result<render::Ffmpeg, Error> {
        let configured = &self.config().ffmpeg;
        let path = (configured.components().count() > 1).then_some(configured.as_path());
        Ok(render::Ffmpeg::find(path)?)
    }
}
