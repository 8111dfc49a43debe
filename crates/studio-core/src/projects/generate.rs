//! A project's shots through the engine: priced and checked against the budget first, then each
//! shot that needs a clip is queued like any job (ledger first, never twice). With continuity on
//! an image-to-video model the shots go one after another, each starting from the previous
//! clip's last frame. Run again after a crash, it picks up where it stopped.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::claim::{ClaimKind, NotClaimed, ShotClaim};
use super::status::{ShotNeed, clip_for, shot_need, versions};
use super::{Project, span_ms};
use crate::Error;
use crate::engine::{Sent, Studio};
use crate::ledger::{JobParams, JobState, ShotLink};

/// What waiting for a start image ended in.
enum Waited {
    Image(Option<PathBuf>),
    /// The user paused the project meanwhile.
    Paused,
    /// The storyboard or settings changed meanwhile.
    Changed,
}

fn push_once(list: &mut Vec<usize>, i: usize) {
    if !list.contains(&i) {
        list.push(i);
    }
}

/// After a queue call: queued goes on; an unknown outcome stops the run (the next call could
/// be charged for nothing as well); a refusal stops a chain, and a parallel run at the first
/// 402 or at the second refusal of the same kind in a row.
fn after_sent(
    report: &mut GenerateReport,
    last_refusal: &mut Option<String>,
    i: usize,
    sent: Sent,
    chain: bool,
) -> Step {
    let job = &sent.job;
    if job.state.is_in_flight() {
        report.queued.push(i);
        *last_refusal = None;
        return Step::Next;
    }
    push_once(&mut report.not_queued, i);
    if job.state == JobState::OutcomeUnknown {
        report.stop_with(StopKind::OutcomeUnknown, format!(
            "Shot {} got no clear answer from Venice, so it may have been charged: Generate all \
             stopped there rather than risk more. Check it (or your Venice usage), then Generate \
             all again.",
            i + 1
        ));
        return Step::Stop;
    }
    let Some(refusal) = sent.refusal else {
        return Step::Next;
    };
    let again = last_refusal.as_deref() == Some(refusal.kind.as_str());
    if refusal.out_of_balance || again || chain {
        let kind = if refusal.out_of_balance {
            StopKind::OutOfBalance
        } else {
            StopKind::Refused
        };
        report.stop_with(
            kind,
            if refusal.out_of_balance {
                format!(
                    "Venice refused shot {}: the account's balance is too low. Nothing more was \
                 queued. Add to the balance, then Generate all again.",
                    i + 1
                )
            } else {
                format!(
                    "Venice refused shot {}: {} Generate all stopped there.",
                    i + 1,
                    refusal.message
                )
            },
        );
        return Step::Stop;
    }
    *last_refusal = Some(refusal.kind);
    Step::Next
}

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
    /// Shots whose queue call Venice refused, whose outcome is unknown, that the budget did not
    /// allow, or whose paid job failed (buying it again is the user's call).
    pub not_queued: Vec<usize>,
    /// Generation stopped because the user paused the project.
    pub paused: bool,
    /// Why the run stopped before the end, when it did (an answer of unknown outcome, the
    /// balance, the budget, refusals in a row): a whole sentence naming the shot.
    pub stopped: Option<String>,
    /// What kind of stop [`GenerateReport::stopped`] is.
    pub stop: Option<StopKind>,
    /// Another run (the app, another `studio` command) held the project's "Generate all" when
    /// this one started: who. This one waited for it to end (or die) before going on.
    pub followed: Option<String>,
}

/// Why a run stopped before the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopKind {
    /// A queue call got no clear answer: it may have been charged.
    OutcomeUnknown,
    /// Venice said the account's balance is too low (402).
    OutOfBalance,
    /// The project's budget or the studio's caps.
    Budget,
    /// Venice refused shots (twice in a row the same way, or in a chain).
    Refused,
    /// A paid job of a shot failed; buying it again is the user's call (a chain cannot go on).
    PaidJobFailed,
    /// Another run took the project over.
    TakenOver,
}

impl GenerateReport {
    fn stop_with(&mut self, kind: StopKind, why: String) {
        self.stop = Some(kind);
        self.stopped = Some(why);
    }
}

/// What the run does after one shot.
enum Step {
    Next,
    /// The storyboard changed: read it again and start over from the first shot.
    Reread,
    Stop,
}

impl Studio {
    /// Queues every shot that needs a clip. Refused before any queue call when the rest of the
    /// project costs more than its budget (or the studio's caps). One run per project at a time,
    /// across processes: a second run waits for the first (it holds the project's lease) and then
    /// finds nothing left to do; a run whose process died is taken over when its lease runs out.
    /// Each shot is claimed in the ledger (still needed, not paused, within the budget, from the
    /// storyboard as it is now) in the same transaction that writes its job. With continuity
    /// (image-to-video models), each shot waits for the previous clip and starts from its last
    /// frame, so a running poller is needed; without it, every shot is queued at once and the
    /// poller brings them home.
    pub async fn generate_project(&self, id_or_prefix: &str) -> Result<GenerateReport, Error> {
        let project = self.project(id_or_prefix).await?;
        let id = project.id.clone();
        // The user asked to go on: a pause no longer holds, and the run is under way (also while
        // it waits for another run), so the app carries it on after a restart.
        self.shared()
            .db(move |ledger, now| {
                ledger.set_project_paused(&id, false, now)?;
                ledger.set_project_stopped(&id, None)?;
                ledger.set_project_generating(&id, true)
            })
            .await?;
        let result = self.generate_leased(&project.id).await;
        // Done, stopped or refused: no longer under way, and why it stopped is kept for the
        // project's views. (A closed app never gets here, so the flag stays and the app carries
        // on when it opens again.)
        let (id, why) = (
            project.id.clone(),
            match &result {
                Ok(report) => report.stopped.clone(),
                Err(e) => Some(e.to_string()),
            },
        );
        self.shared()
            .db(move |ledger, _| {
                ledger.set_project_stopped(&id, why.as_deref())?;
                ledger.set_project_generating(&id, false)
            })
            .await?;
        result
    }

    async fn generate_leased(&self, id: &str) -> Result<GenerateReport, Error> {
        let (lease, followed) = self.take_run_lease(id).await?;
        let project = self.project(id).await?;
        if project.paused {
            return Ok(GenerateReport {
                paused: true,
                followed,
                ..GenerateReport::default()
            });
        }
        let quote = self.quote_loaded(&project).await?;
        if let Some(reason) = quote.over_budget {
            return Err(Error::Refused(reason));
        }
        let limits = self.model_limits(&project.settings.model).await?;
        let chain = project.settings.continuity && limits.image_to_video;
        if limits.image_to_video
            && !takes_references(&project.settings.model)
            && project.settings.references.is_empty()
        {
            return Err(Error::Refused(format!(
                "{} makes video from a start image: give a reference image (--reference) for the \
                 first shot.",
                project.settings.model
            )));
        }
        let mut report = self.queue_shots(id, &lease.holder, &limits, chain).await?;
        report.followed = followed;
        drop(lease);
        Ok(report)
    }

    /// A run was stopped by its user (Ctrl-C on the command): the project is no longer under
    /// way, so nothing carries it on without a click. Shots already queued go on.
    pub async fn generation_interrupted(&self, id_or_prefix: &str) -> Result<(), Error> {
        let project = self.project(id_or_prefix).await?;
        self.shared()
            .db(move |ledger, _| ledger.set_project_generating(&project.id, false))
            .await
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

    /// The run: the project is read again before every shot, so a pause, an edit or a budget
    /// change made meanwhile applies to the next claim.
    async fn queue_shots(
        &self,
        id: &str,
        holder: &str,
        limits: &storyboard::ModelLimits,
        chain: bool,
    ) -> Result<GenerateReport, Error> {
        let mut report = GenerateReport::default();
        // The kind of the last refusal: two of a kind in a row stop the run.
        let mut last_refusal: Option<String> = None;
        let mut i = 0;
        let mut revision = None;
        // Each storyboard change starts over; a run that keeps seeing changes still ends.
        let mut rereads = 0;
        loop {
            let project = self.project(id).await?;
            if revision.is_some_and(|r| r != project.revision) {
                i = 0;
                report.already = 0;
            }
            revision = Some(project.revision);
            if project.paused {
                report.paused = true;
                break;
            }
            let Some(shot) = project.storyboard.shots.get(i).cloned() else {
                break;
            };
            let jobs = self.project_jobs(id).await?;
            match shot_need(&shot, &jobs) {
                ShotNeed::Covered => {
                    report.already += 1;
                    i += 1;
                    continue;
                }
                ShotNeed::PaidJobFailed => {
                    push_once(&mut report.not_queued, i);
                    if chain {
                        let why = Error::NotClaimed {
                            shot: i,
                            why: NotClaimed::PaidJobFailed,
                        };
                        report.stop_with(StopKind::PaidJobFailed, why.to_string());
                        break;
                    }
                    i += 1;
                    continue;
                }
                ShotNeed::Needed => {}
            }
            let image = match self.start_image_for_run(&project, limits, i).await? {
                Waited::Image(image) => image,
                Waited::Paused => {
                    report.paused = true;
                    break;
                }
                Waited::Changed => continue,
            };
            let claim = ShotClaim {
                project_id: project.id.clone(),
                index: i,
                span: super::span_ms(&shot),
                kind: ClaimKind::Run {
                    holder: holder.to_string(),
                    revision: project.revision,
                },
                caps: self.config().budget,
            };
            let params = shot_params(&project, i, limits, image);
            let step = match self.generate_claimed(&params, claim).await {
                Ok(sent) => after_sent(&mut report, &mut last_refusal, i, sent, chain),
                Err(Error::NotClaimed { why, shot }) => match why {
                    NotClaimed::StoryboardChanged => Step::Reread,
                    NotClaimed::Paused => {
                        report.paused = true;
                        Step::Stop
                    }
                    NotClaimed::Covered => {
                        report.already += 1;
                        Step::Next
                    }
                    why => {
                        push_once(&mut report.not_queued, i);
                        let kind = match why {
                            NotClaimed::PaidJobFailed => StopKind::PaidJobFailed,
                            NotClaimed::LeaseLost => StopKind::TakenOver,
                            _ => StopKind::Budget,
                        };
                        let stop = chain || kind != StopKind::PaidJobFailed;
                        if stop {
                            report.stop_with(kind, Error::NotClaimed { shot, why }.to_string());
                            Step::Stop
                        } else {
                            Step::Next
                        }
                    }
                },
                Err(e) => return Err(e),
            };
            match step {
                Step::Next => i += 1,
                Step::Reread => {
                    rereads += 1;
                    if rereads > 1000 {
                        return Err(Error::Refused(
                            "The storyboard kept changing while Generate all ran. Generate all \
                             again once it is edited."
                                .into(),
                        ));
                    }
                }
                Step::Stop => break,
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
        match self
            .start_image_waiting(project, limits, index, false)
            .await?
        {
            Waited::Image(image) => Ok(image),
            // Only a run watches for these.
            Waited::Paused | Waited::Changed => Ok(None),
        }
    }

    /// As [`Studio::start_image`], for a run: a pause or an edit while it waits for the previous
    /// clip ends the wait.
    async fn start_image_for_run(
        &self,
        project: &Project,
        limits: &storyboard::ModelLimits,
        index: usize,
    ) -> Result<Waited, Error> {
        self.start_image_waiting(project, limits, index, true).await
    }

    async fn start_image_waiting(
        &self,
        project: &Project,
        limits: &storyboard::ModelLimits,
        index: usize,
        watch: bool,
    ) -> Result<Waited, Error> {
        if !limits.image_to_video || takes_references(&project.settings.model) {
            return Ok(Waited::Image(None));
        }
        if project.settings.continuity && index > 0 {
            return self.last_frame_of(project, index - 1, watch).await;
        }
        project
            .settings
            .references
            .first()
            .cloned()
            .map(|p| Waited::Image(Some(p)))
            .ok_or_else(|| {
                Error::Refused(format!(
                    "{} makes video from a start image: give a reference image (--reference).",
                    project.settings.model
                ))
            })
    }

    /// Waits for shot `index`'s clip and writes its last frame as a PNG (the next shot's start).
    async fn last_frame_of(
        &self,
        project: &Project,
        index: usize,
        watch: bool,
    ) -> Result<Waited, Error> {
        let shot = &project.storyboard.shots[index];
        let clip = loop {
            let id = project.id.clone();
            let (now, jobs, chosen) = self
                .shared()
                .db(move |ledger, _| {
                    Ok((
                        Project::from_row(ledger.project(&id)?)?,
                        ledger.project_jobs(&id)?,
                        ledger.chosen_jobs(&id)?,
                    ))
                })
                .await?;
            if watch && now.paused {
                return Ok(Waited::Paused);
            }
            if watch && now.revision != project.revision {
                return Ok(Waited::Changed);
            }
            if let Some(job) = clip_for(shot, &jobs, &chosen)
                && let Some(media) = &job.media
            {
                if !media.path.is_file() {
                    return Err(Error::Refused(format!(
                        "Shot {}'s clip is no longer at {}, and the next shot starts from its last \
                         frame. Put it back, or Regenerate shot {}, then Generate all again.",
                        index + 1,
                        media.path.display(),
                        index + 1
                    )));
                }
                break media.path.clone();
            }
            let versions = versions(shot, &jobs);
            let stuck = versions.last().is_none_or(|j| {
                matches!(j.state, JobState::Failed | JobState::OutcomeUnknown)
                    || (j.state == JobState::Ready
                        && (j.media.is_none() || j.removed_at_ms.is_some()))
            });
            if stuck {
                return Err(Error::Refused(format!(
                    "Shot {} has no clip, and the next shot starts from its last frame. Retry it \
                     (Regenerate, or `studio video generate` again), then the rest follows.",
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
        Ok(Waited::Image(Some(out)))
    }

    /// ffmpeg as configured (a path), else from PATH.
    pub(crate) fn ffmpeg(&self) -> Result<render::Ffmpeg, Error> {
        let configured = &self.config().ffmpeg;
        let path = (configured.components().count() > 1).then_some(configured.as_path());
        Ok(render::Ffmpeg::find(path)?)
    }
}
