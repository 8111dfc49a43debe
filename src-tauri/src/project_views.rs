//! Music-video projects as the UI sees them (`studio_api` types): the song ready to draw, the
//! shots with their versions, the whole price, the renders. Pure conversions.

use std::path::Path;

use studio_api::{
    PriceView, ProjectQuoteView, ProjectSettingsView, ProjectSummary, ProjectView, RenderView,
    SectionView, ShotStateView, ShotView, SongEditView, SongView, StoryboardEditView, VersionView,
};
use studio_core::JobRecord;
use studio_core::ledger::RenderRow;
use studio_core::projects::{
    ImportedSong, Project, ProjectQuote, ProjectSettings, ProjectStatus, ShotState, SongEdit,
    StoryboardEdit,
};

use crate::views;

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// An analysed song, with the URL the `<audio>` element streams it from.
pub fn song(imported: &ImportedSong) -> SongView {
    let a = &imported.song.analysis;
    SongView {
        path: text(&imported.path),
        url: crate::media_server::url_for(&imported.path),
        title: imported.title.clone(),
        duration_s: a.duration_s,
        tempo_bpm: a.tempo_bpm,
        beats_per_bar: a.beats_per_bar,
        beats: a.beats.clone(),
        downbeats: a.downbeats.clone(),
        sections: a
            .sections
            .iter()
            .map(|s| SectionView {
                start_s: s.start_s,
                end_s: s.end_s,
                label: s.label.clone(),
                energy: s.energy,
            })
            .collect(),
        peaks: a.peaks.clone(),
        edited: !imported.song.overrides.is_empty(),
        beat_confidence: a.beat_confidence,
        unsure_below: studio_core::song::UNSURE,
        analysis_ms: if imported.song.cached {
            0
        } else {
            a.analysis_ms
        },
    }
}

pub fn settings(s: &ProjectSettings) -> ProjectSettingsView {
    ProjectSettingsView {
        theme: s.theme.clone(),
        style: s.style.clone(),
        subject: s.subject.clone(),
        reference_paths: s.references.iter().map(|p| text(p)).collect(),
        model: s.model.clone(),
        aspect_ratio: s.aspect_ratio.clone(),
        resolution: s.resolution.clone(),
        continuity: s.continuity,
        budget_usd: s.budget_usd,
    }
}

/// The UI's settings as the core's; the shortest shot is kept from `old`.
pub fn core_settings(v: ProjectSettingsView, old: Option<&ProjectSettings>) -> ProjectSettings {
    let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    ProjectSettings {
        theme: v.theme.trim().to_string(),
        style: v.style.trim().to_string(),
        subject: v.subject.trim().to_string(),
        references: v
            .reference_paths
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(Into::into)
            .collect(),
        model: v.model,
        aspect_ratio: blank(v.aspect_ratio),
        resolution: blank(v.resolution),
        continuity: v.continuity,
        budget_usd: v.budget_usd.filter(|b| b.is_finite() && *b > 0.0),
        min_shot_s: old.and_then(|o| o.min_shot_s),
    }
}

fn shot_state(state: &ShotState) -> ShotStateView {
    match state {
        ShotState::Planned => ShotStateView::Planned,
        ShotState::Generating { progress } => ShotStateView::Generating {
            progress: *progress,
        },
        ShotState::Ready => ShotStateView::Ready,
        ShotState::Failed { reason } => ShotStateView::Failed {
            reason: reason.clone(),
        },
        ShotState::OutcomeUnknown => ShotStateView::OutcomeUnknown,
    }
}

fn version(job: &JobRecord, chosen: bool) -> VersionView {
    let view = views::job(job);
    VersionView {
        job_id: view.id,
        state: view.state,
        created_at_ms: view.created_at_ms,
        cost_usd: view.cost_usd,
        chosen,
        video: view.video,
    }
}

pub fn render(row: &RenderRow, project_name: &str, song_title: &str) -> RenderView {
    let path = Path::new(&row.path);
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    RenderView {
        id: row.id.clone(),
        project_id: row.project_id.clone(),
        project_name: project_name.to_string(),
        song_title: song_title.to_string(),
        created_at_ms: row.created_at_ms,
        video: studio_api::VideoView {
            path: row.path.clone(),
            url: crate::media_server::url_for(path),
            bytes,
            seconds: Some(row.seconds),
            width: None,
            height: None,
            thumbnail: row.thumbnail_path.clone(),
        },
    }
}

/// A project with its shots, song and renders.
pub fn project(status: &ProjectStatus, song_view: SongView, renders: &[RenderRow]) -> ProjectView {
    let p = &status.project;
    let shots = p
        .storyboard
        .shots
        .iter()
        .zip(&status.shots)
        .map(|(shot, st)| ShotView {
            index: shot.index,
            start_s: shot.start_s,
            end_s: shot.end_s,
            section_label: shot.section_label.clone(),
            energy: shot.energy,
            generate_s: shot.generate_s,
            prompt: shot.prompt.clone(),
            edited: shot.edited,
            state: shot_state(&st.state),
            versions: st
                .versions
                .iter()
                .filter_map(|id| status.jobs.iter().find(|j| &j.id == id))
                .map(|j| version(j, st.chosen.as_ref() == Some(&j.id)))
                .collect(),
        })
        .collect();
    ProjectView {
        id: p.id.clone(),
        name: p.name.clone(),
        created_at_ms: p.created_at_ms,
        updated_at_ms: p.updated_at_ms,
        settings: settings(&p.settings),
        shots,
        ready: status.ready,
        spent_usd: status.spent_usd,
        paused: p.paused,
        generating: p.generating,
        stopped: p.stopped.clone(),
        renders: renders
            .iter()
            .map(|r| render(r, &p.name, &song_view.title))
            .collect(),
        song: song_view,
    }
}

/// A project as a row of the project list.
pub fn summary(view: &ProjectView) -> ProjectSummary {
    ProjectSummary {
        id: view.id.clone(),
        name: view.name.clone(),
        song_title: view.song.title.clone(),
        duration_s: view.song.duration_s,
        shots: view.shots.len(),
        ready: view.ready,
        spent_usd: view.spent_usd,
        renders: view.renders.len(),
        paused: view.paused,
        generating: view.generating,
        stopped: view.stopped.clone(),
        updated_at_ms: view.updated_at_ms,
        thumbnail: view
            .renders
            .first()
            .and_then(|r| r.video.thumbnail.clone())
            .or_else(|| {
                view.shots
                    .iter()
                    .find_map(|s| s.versions.iter().find(|v| v.chosen))
                    .and_then(|v| v.video.as_ref())
                    .and_then(|v| v.thumbnail.clone())
            }),
    }
}

fn price(p: &studio_core::storyboard::WholePrice) -> PriceView {
    PriceView {
        usd: p.usd,
        shots: p.shots,
        seconds_generated: p.seconds_generated,
        seconds_used: p.seconds_used,
    }
}

pub fn quote(project: &Project, q: &ProjectQuote) -> ProjectQuoteView {
    ProjectQuoteView {
        project_id: project.id.clone(),
        whole: price(&q.whole),
        to_spend: price(&q.to_spend),
        shot_usd: q.shot_usd.clone(),
        spent_usd: q.spent_usd,
        budget_usd: project.settings.budget_usd,
        over_budget: q.over_budget.clone(),
    }
}

pub fn storyboard_edit(edit: StoryboardEditView) -> StoryboardEdit {
    match edit {
        StoryboardEditView::Prompt { shot, text } => StoryboardEdit::Prompt { shot, text },
        StoryboardEditView::Split { shot, at_s } => StoryboardEdit::Split { shot, at_s },
        StoryboardEditView::Merge { shot } => StoryboardEdit::Merge { shot },
        StoryboardEditView::MoveCut { cut, to_s } => StoryboardEdit::MoveCut { cut, to_s },
    }
}

pub fn song_edit(edit: SongEditView) -> SongEdit {
    match edit {
        SongEditView::Bpm { bpm } => SongEdit::Bpm { bpm },
        SongEditView::Tap { times } => SongEdit::Tap { times },
        SongEditView::ShiftBars { beats } => SongEdit::ShiftBars { beats },
        SongEditView::MoveSection { from_s, to_s } => SongEdit::MoveSection { from_s, to_s },
        SongEditView::AddSection { at_s } => SongEdit::AddSection { at_s },
        SongEditView::DeleteSection { at_s } => SongEdit::DeleteSection { at_s },
        SongEditView::LabelSection { at_s, label } => SongEdit::LabelSection { at_s, label },
        SongEditView::Reset => SongEdit::Reset,
    }
}
