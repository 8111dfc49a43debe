//! Where each shot stands: its versions (the jobs made for its span), the one the render uses
//! (the user's pick, else the newest ready one), and a state the CLI and app show.

use std::path::PathBuf;

use serde::Serialize;

use super::{Project, span_ms};
use crate::Error;
use crate::engine::Studio;
use crate::ledger::{JobId, JobRecord, JobState};

/// A shot's state, from its versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ShotState {
    /// Nothing made yet.
    Planned,
    /// A version is on its way (queued, generating or downloading), `progress` 0..1.
    Generating { progress: f64 },
    /// A clip is ready.
    Ready,
    /// The last try failed (and no version is ready).
    Failed { reason: String },
    /// A queue call's answer never came: it may have been charged; settle it before retrying.
    OutcomeUnknown,
}

/// One shot as the user sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShotStatus {
    pub index: usize,
    pub start_s: f64,
    pub end_s: f64,
    pub section_label: String,
    pub prompt: String,
    #[serde(flatten)]
    pub state: ShotState,
    /// Every version made for this shot, oldest first.
    pub versions: Vec<JobId>,
    /// The version the render uses.
    pub chosen: Option<JobId>,
    pub clip: Option<PathBuf>,
}

/// A project and its shots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjectStatus {
    pub project: Project,
    pub shots: Vec<ShotStatus>,
    pub ready: usize,
    pub spent_usd: f64,
    /// Every job made for the project (the shots' versions), for callers that show them.
    #[serde(skip)]
    pub jobs: Vec<JobRecord>,
}

impl Studio {
    /// The project with each shot's state and versions.
    pub async fn project_status(&self, id_or_prefix: &str) -> Result<ProjectStatus, Error> {
        let project = self.project(id_or_prefix).await?;
        let id = project.id.clone();
        let (jobs, chosen, spent_usd) = self
            .shared()
            .db(move |ledger, _| {
                Ok((
                    ledger.project_jobs(&id)?,
                    ledger.chosen_jobs(&id)?,
                    ledger.project_spent_usd(&id)?,
                ))
            })
            .await?;
        let shots: Vec<ShotStatus> = project
            .storyboard
            .shots
            .iter()
            .enumerate()
            .map(|(i, shot)| {
                let versions = versions(shot, &jobs);
                let orphans = orphans_of(&project.storyboard, i, &jobs);
                let clip_job = clip_for(shot, &jobs, &chosen);
                ShotStatus {
                    index: shot.index,
                    start_s: shot.start_s,
                    end_s: shot.end_s,
                    section_label: shot.section_label.clone(),
                    prompt: shot.prompt.clone(),
                    state: state_of(&versions, clip_job.is_some()),
                    versions: versions
                        .iter()
                        .chain(orphans.iter())
                        .map(|j| j.id.clone())
                        .collect(),
                    chosen: clip_job.map(|j| j.id.clone()),
                    clip: clip_job.and_then(|j| j.media.as_ref().map(|m| m.path.clone())),
                }
            })
            .collect();
        let ready = shots.iter().filter(|s| s.clip.is_some()).count();
        Ok(ProjectStatus {
            project,
            shots,
            ready,
            spent_usd,
            jobs,
        })
    }
}

/// The jobs made for this shot's span, oldest first.
pub(crate) fn versions<'a>(shot: &storyboard::Shot, jobs: &'a [JobRecord]) -> Vec<&'a JobRecord> {
    let (start, end) = span_ms(shot);
    jobs.iter()
        .filter(|j| {
            j.params
                .shot
                .as_ref()
                .is_some_and(|s| s.start_ms == start && s.end_ms == end)
        })
        .collect()
}

fn usable(job: &JobRecord) -> bool {
    job.state == JobState::Ready && job.media.is_some() && job.removed_at_ms.is_none()
}

/// The version the render uses: the user's pick if it is ready, else the newest ready one.
pub(crate) fn clip_for<'a>(
    shot: &storyboard::Shot,
    jobs: &'a [JobRecord],
    chosen: &[JobId],
) -> Option<&'a JobRecord> {
    let ready: Vec<&JobRecord> = versions(shot, jobs)
        .into_iter()
        .filter(|j| usable(j))
        .collect();
    ready
        .iter()
        .find(|j| chosen.contains(&j.id))
        .or_else(|| ready.last())
        .copied()
}

/// What a shot needs from "Generate all".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShotNeed {
    /// Nothing made yet (or only calls Venice refused, which cost nothing): queue it.
    Needed,
    /// A clip, a version on its way, or a queue call of unknown outcome (which may have been
    /// charged): nothing to do.
    Covered,
    /// A paid job failed without a video: buying it again is the user's call, never a run's.
    PaidJobFailed,
}

pub(crate) fn shot_need(shot: &storyboard::Shot, jobs: &[JobRecord]) -> ShotNeed {
    let versions = versions(shot, jobs);
    let covered = versions.iter().any(|j| {
        usable(j)
            || j.state.is_in_flight()
            || matches!(j.state, JobState::Submitting | JobState::OutcomeUnknown)
    });
    if covered {
        ShotNeed::Covered
    } else if versions
        .iter()
        .any(|j| j.state == JobState::Failed && j.counts_as_spent())
    {
        ShotNeed::PaidJobFailed
    } else {
        ShotNeed::Needed
    }
}

/// Whether "Generate all" would queue the shot.
pub(crate) fn needs_generating(shot: &storyboard::Shot, jobs: &[JobRecord]) -> bool {
    shot_need(shot, jobs) == ShotNeed::Needed
}

/// Whether a version of the shot is being queued or made right now.
pub(crate) fn on_its_way(shot: &storyboard::Shot, jobs: &[JobRecord]) -> bool {
    versions(shot, jobs)
        .iter()
        .any(|j| j.state.is_in_flight() || j.state == JobState::Submitting)
}

/// Versions whose span is no longer a shot's (the storyboard was edited after they were
/// queued) that are worth offering: a clip, or one on its way. Each is offered on the one shot
/// its span overlaps most (the first, on a tie), so a paid clip is never lost from view.
pub(crate) fn orphans_of<'a>(
    board: &storyboard::Storyboard,
    index: usize,
    jobs: &'a [JobRecord],
) -> Vec<&'a JobRecord> {
    let spans: Vec<(i64, i64)> = board.shots.iter().map(span_ms).collect();
    jobs.iter()
        .filter(|j| usable(j) || j.state.is_in_flight())
        .filter(|j| {
            let Some(link) = &j.params.shot else {
                return false;
            };
            let span = (link.start_ms, link.end_ms);
            !spans.contains(&span) && best_overlap(&spans, span) == Some(index)
        })
        .collect()
}

/// The shot whose span overlaps `span` most, if any does.
pub(crate) fn best_overlap(spans: &[(i64, i64)], span: (i64, i64)) -> Option<usize> {
    let mut best: Option<(usize, i64)> = None;
    for (i, (start, end)) in spans.iter().enumerate() {
        let overlap = end.min(&span.1) - start.max(&span.0);
        if overlap > 0 && best.is_none_or(|(_, b)| overlap > b) {
            best = Some((i, overlap));
        }
    }
    best.map(|(i, _)| i)
}

fn state_of(versions: &[&JobRecord], has_clip: bool) -> ShotState {
    if has_clip {
        return ShotState::Ready;
    }
    if let Some(running) = versions
        .iter()
        .find(|j| j.state.is_in_flight() || j.state == JobState::Submitting)
    {
        return ShotState::Generating {
            progress: running.progress,
        };
    }
    if versions.iter().any(|j| j.state == JobState::OutcomeUnknown) {
        return ShotState::OutcomeUnknown;
    }
    match versions.last() {
        Some(last) if last.state == JobState::Failed => ShotState::Failed {
            reason: last.failure.clone().unwrap_or_else(|| "it failed".into()),
        },
        _ => ShotState::Planned,
    }
}
