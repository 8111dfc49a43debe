//! The music-video part of the state: which tab and page show, the project list, the renders
//! (the gallery's music videos), the new-project draft, the open project with its whole price,
//! and how commands' answers, job events and render events change them. What the screen says
//! about them is in `video_view`.

use std::cell::Cell;
use std::collections::BTreeMap;

use studio_api::{
    DeletedProjectView, GenerateEndedView, ImageCheck, JobEventView, JobStateView, ModelOption,
    ProjectQuoteView, ProjectSettingsView, ProjectSummary, ProjectView, RenderEventView,
    RenderView, ShotStateView, SongView, UiError,
};

use super::video_view::{apply_model, deleted_notice, has_clip, settings_problem, shot_list};
use super::{AppState, Load};

/// Which screen the header's tabs show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    /// The single-clip generator, queue and gallery.
    #[default]
    Clips,
    MusicVideo,
}

/// What the Music video tab shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Page {
    #[default]
    List,
    New,
    /// A project by id (its view arrives from `open_project`).
    Project(String),
}

/// A command running on the open project; its answer (by ticket) ends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    Generate,
    Pause,
    /// A storyboard or song edit, a version choice, a regenerate.
    Edit,
    Save,
}

/// The open project's whole price: the last answer for it, and whether a newer one is coming.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuoteSlot {
    /// The project and revision the pending (or last) request is for.
    pub asked: Option<(String, u32)>,
    pub loading: bool,
    pub last: Option<ProjectQuoteView>,
    pub error: Option<UiError>,
}

/// What the new-project page holds until "Plan the storyboard".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub song: Option<SongView>,
    /// The file being analysed (its name), while `import_song` runs.
    pub analysing: Option<String>,
    /// Empty: the shell names it "<song title>: <theme>".
    pub name: String,
    pub settings: ProjectSettingsView,
    /// The reference image's check, when one was picked.
    pub reference: Option<Load<ImageCheck>>,
    /// `new_project` is running (the chat writes the prompts).
    pub planning: bool,
}

/// A render under way.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderRun {
    pub fraction: f64,
    /// Cancel was pressed: its end is no error.
    pub cancelling: bool,
    /// Started here: its end opens the player.
    pub watched: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VideoState {
    pub tab: Tab,
    pub page: Page,
    pub projects: Load<Vec<ProjectSummary>>,
    /// Bumped when the project list should be read again.
    pub projects_refresh: u32,
    /// Every finished music video, newest first.
    pub renders: Vec<RenderView>,
    pub renders_status: Load<()>,
    pub renders_refresh: u32,
    pub draft: Draft,
    /// The open project, once loaded (its id is the page's).
    pub project: Option<ProjectView>,
    /// Opening the page's project failed (and nothing of it is shown yet).
    pub project_error: Option<UiError>,
    /// Bumped when the open project should be read again (`open_project`).
    pub project_refresh: u32,
    /// The newest request whose answer was applied: older answers are dropped.
    pub last_ticket: u64,
    /// Bumped for every project view applied; a quote must be for the current revision.
    pub revision: u32,
    pub quote: QuoteSlot,
    pub working: Option<(u64, Work)>,
    pub selected_shot: Option<usize>,
    /// Changes on every selection, so selecting the same card plays its span again.
    pub play_nonce: u32,
    /// Renders under way, by project id.
    pub rendering: BTreeMap<String, RenderRun>,
    /// A line to show on the project list (what a delete removed and kept).
    pub notice: Option<String>,
}

impl Default for VideoState {
    fn default() -> Self {
        Self {
            tab: Tab::Clips,
            page: Page::List,
            projects: Load::Loading,
            projects_refresh: 0,
            renders: Vec::new(),
            renders_status: Load::Loading,
            renders_refresh: 0,
            draft: Draft::default(),
            project: None,
            project_error: None,
            project_refresh: 0,
            last_ticket: 0,
            revision: 0,
            quote: QuoteSlot::default(),
            working: None,
            selected_shot: None,
            play_nonce: 0,
            rendering: BTreeMap::new(),
            notice: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum VideoAction {
    ShowTab(Tab),
    ShowList,
    StartNew,
    /// Opens a project (also from a tray notification: switches to the tab).
    Open(String),
    ProjectsLoaded(Result<Vec<ProjectSummary>, UiError>),
    RendersLoaded(Result<Vec<RenderView>, UiError>),
    /// A rename or duplicate answered: the list is read again (errors shown).
    ProjectsChanged(Result<(), UiError>),
    ProjectDeleted {
        id: String,
        result: Result<DeletedProjectView, UiError>,
    },
    DismissNotice,
    /// A command on the open project started; its answer carries the same ticket.
    Working {
        ticket: u64,
        work: Work,
    },
    /// A project view (or the error) from any command that answers with one.
    ProjectLoaded {
        project_id: String,
        ticket: u64,
        result: Result<ProjectView, UiError>,
    },
    /// Read the open project again.
    Refresh,
    QuoteLoading {
        project_id: String,
        revision: u32,
    },
    QuoteDone {
        project_id: String,
        revision: u32,
        result: Result<ProjectQuoteView, UiError>,
    },
    SelectShot(usize),
    /// Shown at once; the edit's answer follows as `ProjectLoaded`.
    PromptEdited {
        shot: usize,
        text: String,
    },
    /// Shown at once; the choice's answer follows as `ProjectLoaded`.
    VersionChosen {
        shot: usize,
        job_id: String,
    },
    SongAnalysing(String),
    SongImported(Result<SongView, UiError>),
    ClearSong,
    DraftName(String),
    DraftSettings(ProjectSettingsView),
    DraftReference(Option<Load<ImageCheck>>),
    Planning,
    Planned(Result<ProjectView, UiError>),
    RenderStarted(String),
    RenderCancelling(String),
    /// `render_project`'s own answer (the finished render, or why not).
    RenderAnswer {
        project_id: String,
        result: Result<RenderView, UiError>,
    },
    /// Pushed on `RENDER_EVENT`.
    Render(RenderEventView),
    /// Pushed on `PROJECT_EVENT`: a project's "Generate all" ended (all queued, paused, or an
    /// error stopped it).
    GenerateEnded(GenerateEndedView),
}

thread_local! {
    static TICKETS: Cell<u64> = const { Cell::new(0) };
}

/// A new request ticket, larger than every one before (answers to older requests are dropped).
pub fn next_ticket() -> u64 {
    TICKETS.with(|t| {
        let n = t.get() + 1;
        t.set(n);
        n
    })
}

impl VideoState {
    /// The open project's id (the page's), loaded or not.
    pub fn open_id(&self) -> Option<&str> {
        match &self.page {
            Page::Project(id) => Some(id),
            _ => None,
        }
    }

    /// The whole price for the open project, if one arrived for it.
    pub fn project_quote(&self) -> Option<&ProjectQuoteView> {
        let q = self.quote.last.as_ref()?;
        (Some(q.project_id.as_str()) == self.open_id()).then_some(q)
    }

    /// A project's name, from the open one or the list.
    pub fn project_name(&self, id: &str) -> Option<String> {
        if let Some(p) = self.project.as_ref().filter(|p| p.id == id) {
            return Some(p.name.clone());
        }
        self.projects
            .ready()?
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
    }

    pub fn render(&self, id: &str) -> Option<&RenderView> {
        self.renders.iter().find(|r| r.id == id).or_else(|| {
            self.project
                .as_ref()
                .and_then(|p| p.renders.iter().find(|r| r.id == id))
        })
    }

    /// Renders of one project, newest first (the list's, else the open project's own).
    pub fn renders_of(&self, project_id: &str) -> Vec<RenderView> {
        let mut out: Vec<RenderView> = self
            .renders
            .iter()
            .filter(|r| r.project_id == project_id)
            .cloned()
            .collect();
        if let Some(p) = self.project.as_ref().filter(|p| p.id == project_id) {
            for r in &p.renders {
                if !out.iter().any(|o| o.id == r.id) {
                    out.push(r.clone());
                }
            }
        }
        out.sort_by_key(|r| std::cmp::Reverse(r.created_at_ms));
        out
    }

    /// Why "Generate all" is disabled, or `None` when it may be pressed.
    pub fn generate_all_block(&self) -> Option<String> {
        let Some(p) = &self.project else {
            return Some("Opening the project…".into());
        };
        match self.working {
            Some((_, Work::Generate)) => return Some("Starting the shots…".into()),
            Some((_, Work::Pause)) => return Some("Pausing…".into()),
            _ => {}
        }
        if p.generating && !p.paused {
            return Some("Generating: pause to stop queueing new shots.".into());
        }
        if self.working.is_some() {
            return Some("Waiting for the last change to finish…".into());
        }
        if let Some(e) = &self.quote.error {
            return Some(format!("No price, so no generate: {}", e.message));
        }
        let Some(q) = self.project_quote().filter(|_| !self.quote.loading) else {
            return Some("Getting the price…".into());
        };
        if q.to_spend.shots == 0 {
            let on_the_way = p
                .shots
                .iter()
                .any(|shot| matches!(shot.state, ShotStateView::Generating { .. }));
            return Some(if on_the_way {
                "Every shot is made or on its way: nothing left to generate.".into()
            } else {
                "Every shot has a clip: nothing left to generate.".into()
            });
        }
        q.over_budget
            .as_ref()
            .map(|why| format!("Over budget: {why}"))
    }

    /// Why Render is disabled, or `None` when it may be pressed.
    pub fn render_block(&self) -> Option<String> {
        let Some(p) = &self.project else {
            return Some("Opening the project…".into());
        };
        if self.rendering.contains_key(&p.id) {
            return Some("Rendering…".into());
        }
        let missing: Vec<usize> = p
            .shots
            .iter()
            .filter(|s| !has_clip(s))
            .map(|s| s.index + 1)
            .collect();
        if !missing.is_empty() {
            return Some(format!(
                "{} no clip yet: generate {} first.",
                shot_list(&missing),
                if missing.len() == 1 { "it" } else { "them" }
            ));
        }
        self.working
            .is_some()
            .then(|| "Waiting for the last change to finish…".into())
    }

    /// Why "Plan the storyboard" is disabled, or `None`.
    pub fn plan_block(&self, model: Option<&ModelOption>) -> Option<String> {
        let d = &self.draft;
        if d.planning {
            return Some("Planning…".into());
        }
        if d.analysing.is_some() {
            return Some("Analysing the song…".into());
        }
        if d.song.is_none() {
            return Some("Choose a song first.".into());
        }
        settings_problem(&d.settings, model, d.reference.as_ref())
    }

    /// What a card's play span and the song panel's shots are: `(start_s, end_s)` per shot.
    pub fn shot_spans(&self) -> Vec<(f64, f64)> {
        self.project
            .as_ref()
            .map(|p| p.shots.iter().map(|s| (s.start_s, s.end_s)).collect())
            .unwrap_or_default()
    }

    /// The selected shot's span and the request's nonce (the song panel plays it).
    pub fn play_span(&self) -> Option<(f64, f64, u32)> {
        let shot = self.project.as_ref()?.shots.get(self.selected_shot?)?;
        Some((shot.start_s, shot.end_s, self.play_nonce))
    }

    /// Something of the open project is being generated (the overall progress bar shows).
    pub fn anything_generating(&self) -> bool {
        self.project.as_ref().is_some_and(|p| {
            (p.generating && !p.paused)
                || p.shots
                    .iter()
                    .any(|s| matches!(s.state, ShotStateView::Generating { .. }))
        })
    }

    fn open_project(&mut self, id: String) {
        if self.open_id() != Some(id.as_str()) {
            self.project = None;
            self.selected_shot = None;
            self.working = None;
            self.quote = QuoteSlot::default();
        }
        self.project_error = None;
        self.page = Page::Project(id);
        self.tab = Tab::MusicVideo;
        self.project_refresh += 1;
    }

    fn apply_project(&mut self, view: ProjectView) {
        if self.selected_shot.is_some_and(|i| i >= view.shots.len()) {
            self.selected_shot = None;
        }
        self.project_error = None;
        self.project = Some(view);
        self.revision += 1;
    }

    /// A render's file was deleted: it leaves the gallery and its project.
    pub(super) fn forget_render(&mut self, id: &str) {
        self.renders.retain(|r| r.id != id);
        if let Some(p) = &mut self.project {
            p.renders.retain(|r| r.id != id);
        }
        self.projects_refresh += 1;
    }

    /// Adds (or replaces) a finished render, newest first.
    fn add_render(&mut self, render: RenderView) {
        self.renders.retain(|r| r.id != render.id);
        self.renders.insert(0, render.clone());
        if let Some(p) = self.project.as_mut().filter(|p| p.id == render.project_id) {
            p.renders.retain(|r| r.id != render.id);
            p.renders.insert(0, render);
        }
        self.projects_refresh += 1;
    }

    /// What a job event means for the open project's cards.
    pub(super) fn job_event(&mut self, event: &JobEventView, job_project: Option<Option<&str>>) {
        let Some(project) = &mut self.project else {
            return;
        };
        let id = event.job_id();
        let found = project.shots.iter().enumerate().find_map(|(si, s)| {
            s.versions
                .iter()
                .position(|v| v.job_id == id)
                .map(|vi| (si, vi))
        });
        let Some((si, vi)) = found else {
            // Not a version the view knows: a new shot of this project (or a job the list does
            // not know yet) while it generates means the view is behind.
            let ours_or_unknown = match job_project {
                None => true,
                Some(pid) => pid == Some(project.id.as_str()),
            };
            if ours_or_unknown && (project.generating || job_project.is_some()) {
                self.project_refresh += 1;
            }
            return;
        };
        let shot = &mut project.shots[si];
        let version = &mut shot.versions[vi];
        match event {
            JobEventView::Progress { percent, .. } => {
                version.state = JobStateView::Processing;
                if shot.state != ShotStateView::Ready {
                    shot.state = ShotStateView::Generating {
                        progress: (percent / 100.0).clamp(0.0, 0.99),
                    };
                }
            }
            JobEventView::Downloading { .. } => {
                version.state = JobStateView::Downloading;
                if let ShotStateView::Generating { progress } = &mut shot.state {
                    *progress = progress.max(0.99);
                }
            }
            JobEventView::Queued { .. } => {
                version.state = JobStateView::Queued;
                self.project_refresh += 1;
            }
            JobEventView::Ready { .. } => {
                version.state = JobStateView::Ready;
                self.project_refresh += 1;
            }
            JobEventView::Failed { .. } => {
                version.state = JobStateView::Failed;
                self.project_refresh += 1;
            }
            JobEventView::OutcomeUnknown { .. } => {
                version.state = JobStateView::OutcomeUnknown;
                self.project_refresh += 1;
            }
            JobEventView::Stalled { .. } => {}
        }
    }
}

impl AppState {
    /// Applies one music-video action (the reducer's music-video half).
    pub(super) fn apply_video(&mut self, action: VideoAction) {
        let v = &mut self.video;
        match action {
            VideoAction::ShowTab(tab) => {
                v.tab = tab;
                if tab == Tab::MusicVideo && v.page == Page::List {
                    v.projects_refresh += 1;
                }
            }
            VideoAction::ShowList => {
                v.tab = Tab::MusicVideo;
                v.page = Page::List;
                v.projects_refresh += 1;
            }
            VideoAction::StartNew => {
                v.tab = Tab::MusicVideo;
                v.page = Page::New;
                v.notice = None;
                if !v.draft.planning {
                    let song = v.draft.song.take();
                    v.draft = Draft {
                        song,
                        ..Draft::default()
                    };
                }
                self.fill_draft_model();
            }
            VideoAction::Open(id) => {
                self.settings_open = false;
                v.open_project(id);
            }
            VideoAction::ProjectsLoaded(Ok(list)) => v.projects = Load::Ready(list),
            VideoAction::ProjectsLoaded(Err(e)) => {
                v.projects = Load::Failed(e.clone());
                self.error(e);
            }
            VideoAction::RendersLoaded(Ok(mut list)) => {
                list.sort_by_key(|r| std::cmp::Reverse(r.created_at_ms));
                v.renders = list;
                v.renders_status = Load::Ready(());
            }
            VideoAction::RendersLoaded(Err(e)) => {
                v.renders_status = Load::Failed(e.clone());
                self.error(e);
            }
            VideoAction::ProjectsChanged(result) => {
                v.projects_refresh += 1;
                if let Err(e) = result {
                    self.error(e);
                }
            }
            VideoAction::ProjectDeleted { id, result } => match result {
                Ok(gone) => {
                    if let Load::Ready(list) = &mut v.projects {
                        list.retain(|p| p.id != id);
                    }
                    let removed: Vec<String> = v
                        .renders
                        .iter()
                        .filter(|r| r.project_id == id)
                        .map(|r| r.id.clone())
                        .collect();
                    v.renders.retain(|r| r.project_id != id);
                    if v.open_id() == Some(id.as_str()) {
                        v.page = Page::List;
                        v.project = None;
                    }
                    v.projects_refresh += 1;
                    v.notice = Some(deleted_notice(&gone));
                    if self.playing.as_ref().is_some_and(|p| removed.contains(p)) {
                        self.playing = None;
                    }
                }
                Err(e) => self.error(e),
            },
            VideoAction::DismissNotice => v.notice = None,
            VideoAction::Working { ticket, work } => v.working = Some((ticket, work)),
            VideoAction::ProjectLoaded {
                project_id,
                ticket,
                result,
            } => {
                if v.working.is_some_and(|(t, _)| t == ticket) {
                    v.working = None;
                }
                let current = v.open_id() == Some(project_id.as_str());
                match result {
                    Ok(view) => {
                        // (The project list is read again when it is shown.)
                        if current && ticket > v.last_ticket && view.id == project_id {
                            v.last_ticket = ticket;
                            v.apply_project(view);
                        }
                    }
                    Err(e) => {
                        if current && v.project.is_none() {
                            v.project_error = Some(e.clone());
                        } else if current {
                            // An optimistic change may be on screen: show the truth again.
                            v.project_refresh += 1;
                        }
                        self.error(e);
                    }
                }
            }
            VideoAction::Refresh => {
                v.project_error = None;
                v.project_refresh += 1;
            }
            VideoAction::QuoteLoading {
                project_id,
                revision,
            } => {
                v.quote.asked = Some((project_id, revision));
                v.quote.loading = true;
            }
            VideoAction::QuoteDone {
                project_id,
                revision,
                result,
            } => {
                let wanted = v.open_id() == Some(project_id.as_str()) && v.revision == revision;
                if !wanted || v.quote.asked != Some((project_id, revision)) {
                    return;
                }
                v.quote.loading = false;
                match result {
                    Ok(q) => {
                        v.quote.last = Some(q);
                        v.quote.error = None;
                    }
                    Err(e) => v.quote.error = Some(e),
                }
            }
            VideoAction::SelectShot(i) => {
                v.selected_shot = Some(i);
                v.play_nonce = v.play_nonce.wrapping_add(1);
            }
            VideoAction::PromptEdited { shot, text } => {
                if let Some(s) = v.project.as_mut().and_then(|p| p.shots.get_mut(shot)) {
                    s.prompt = text;
                    s.edited = true;
                }
            }
            VideoAction::VersionChosen { shot, job_id } => {
                if let Some(s) = v.project.as_mut().and_then(|p| p.shots.get_mut(shot))
                    && s.versions.iter().any(|x| x.job_id == job_id)
                {
                    for x in &mut s.versions {
                        x.chosen = x.job_id == job_id;
                    }
                }
            }
            VideoAction::SongAnalysing(name) => {
                v.draft.analysing = Some(name);
                v.draft.song = None;
            }
            VideoAction::SongImported(result) => {
                v.draft.analysing = None;
                match result {
                    Ok(song) => {
                        v.draft.song = Some(song);
                        self.fill_draft_model();
                    }
                    Err(e) => self.error(e),
                }
            }
            VideoAction::ClearSong => v.draft.song = None,
            VideoAction::DraftName(name) => v.draft.name = name,
            VideoAction::DraftSettings(settings) => {
                if settings.reference_paths.is_empty() {
                    v.draft.reference = None;
                }
                v.draft.settings = settings;
            }
            VideoAction::DraftReference(check) => v.draft.reference = check,
            VideoAction::Planning => v.draft.planning = true,
            VideoAction::Planned(result) => {
                v.draft.planning = false;
                match result {
                    Ok(view) => {
                        v.projects_refresh += 1;
                        if v.page == Page::New {
                            v.draft = Draft::default();
                            v.page = Page::Project(view.id.clone());
                            v.project = None;
                            v.quote = QuoteSlot::default();
                            v.selected_shot = None;
                            v.working = None;
                            v.apply_project(view);
                        }
                    }
                    Err(e) => self.error(e),
                }
            }
            VideoAction::RenderStarted(project_id) => {
                v.rendering.insert(
                    project_id,
                    RenderRun {
                        fraction: 0.0,
                        cancelling: false,
                        watched: true,
                    },
                );
            }
            VideoAction::RenderCancelling(project_id) => {
                if let Some(run) = v.rendering.get_mut(&project_id) {
                    run.cancelling = true;
                }
            }
            VideoAction::RenderAnswer { project_id, result } => match result {
                Ok(render) => self.render_done(render),
                Err(e) => {
                    if let Some(run) = self.video.rendering.remove(&project_id)
                        && !run.cancelling
                    {
                        self.error(e);
                    }
                }
            },
            VideoAction::GenerateEnded(ended) => {
                if v.open_id() == Some(ended.project_id.as_str()) {
                    v.project_refresh += 1;
                }
                v.projects_refresh += 1;
                if let Some(e) = ended.error {
                    self.error(e);
                }
            }
            VideoAction::Render(event) => match event {
                RenderEventView::Progress {
                    project_id,
                    fraction,
                } => {
                    let run = v.rendering.entry(project_id).or_insert(RenderRun {
                        fraction: 0.0,
                        cancelling: false,
                        watched: false,
                    });
                    run.fraction = fraction.clamp(0.0, 1.0).max(run.fraction);
                }
                RenderEventView::Done { render, .. } => self.render_done(render),
                RenderEventView::Failed {
                    project_id,
                    message,
                } => {
                    if let Some(run) = v.rendering.remove(&project_id)
                        && !run.cancelling
                    {
                        self.error(UiError::new(
                            studio_api::ErrorCode::Internal,
                            format!("The render failed: {message}"),
                        ));
                    }
                }
            },
        }
    }

    /// A finished render: into the gallery and its project; the player opens it when it was
    /// started here (once, whichever of the event and the answer comes first).
    fn render_done(&mut self, render: RenderView) {
        let run = self.video.rendering.remove(&render.project_id);
        let known = self.video.renders.iter().any(|r| r.id == render.id);
        let id = render.id.clone();
        self.video.add_render(render);
        if run.is_some_and(|r| r.watched && !r.cancelling) && !known {
            self.settings_open = false;
            self.playing = Some(id);
        }
    }

    /// The draft's model: kept when still offered, else the default (Settings, else the first
    /// text-to-video model); aspect and resolution follow it.
    fn fill_draft_model(&mut self) {
        let Some(models) = self.models.ready() else {
            return;
        };
        let current = self.video.draft.settings.model.clone();
        let model = crate::form::offered(models)
            .find(|m| m.id == current)
            .or_else(|| {
                let preferred = self
                    .settings
                    .ready()
                    .and_then(|s| s.default_model.as_deref());
                crate::form::default_model(models, preferred)
            })
            .cloned();
        if let Some(m) = model {
            apply_model(&mut self.video.draft.settings, &m);
        }
    }
}
