//! The app's state as one `Reducible` value and the `Action`s that change it (yew examples style):
//! components dispatch actions, effects dispatch the results of commands and events.

pub mod jobs;
mod reduce;
#[cfg(test)]
mod tests;
pub mod video;
#[cfg(test)]
mod video_tests;
pub mod video_view;

use std::collections::BTreeMap;

use studio_api::{
    BalanceView, GenerateForm, ImageCheck, JobEventView, JobStateView, JobView, KeyStatus,
    ModelOption, PromptResult, QuoteView, Settings, UiError,
};

use crate::form::FormState;
use video::{VideoAction, VideoState};

/// Something fetched from the shell: still loading, there, or failed with a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(UiError),
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(v) => Some(v),
            _ => None,
        }
    }

    pub fn from_result(result: Result<T, UiError>) -> Self {
        result.map_or_else(Load::Failed, Load::Ready)
    }
}

/// The price of the form as it is now.
#[derive(Clone, Debug, PartialEq)]
pub enum QuoteStatus {
    /// The form is not complete enough to price.
    Idle,
    Loading,
    Ready(QuoteView),
    Failed(UiError),
}

/// One error message on screen until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u32,
    pub error: UiError,
}

/// Which screen the window shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    /// Asking the shell whether a key is set.
    Starting,
    /// The shell could not answer (not running inside the app, or a broken shell).
    Unavailable(UiError),
    /// No key and no demo: paste a key or try the demo.
    Onboarding,
    Main,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub key: Load<KeyStatus>,
    pub models: Load<Vec<ModelOption>>,
    /// Every job the ledger knows, newest first. The queue shows the unfinished ones, the gallery
    /// the ready ones with a video.
    pub jobs: Vec<JobView>,
    pub jobs_status: Load<()>,
    /// Why a job is stalled (waiting on the key, the balance or Venice), until it moves again.
    pub stalled: BTreeMap<String, String>,
    /// Bytes written / expected while a job downloads.
    pub downloads: BTreeMap<String, (u64, Option<u64>)>,
    /// Bumped when the job list should be re-read from the shell (an event for an unknown job, a
    /// video ready whose thumbnail and size only the list has).
    pub jobs_refresh: u32,
    /// Bumped when money may have moved (a job queued, failed or of unknown outcome), so the price
    /// line's "spent" and "balance" are fetched again.
    pub spending_changed: u32,
    pub form: FormState,
    /// A prompt being written from the theme.
    pub writing_prompt: bool,
    pub prompt_error: Option<UiError>,
    pub prompt_chat_model: Option<String>,
    pub quote: QuoteStatus,
    /// The request the current quote is for; answers for older requests are dropped.
    pub quote_for: Option<GenerateForm>,
    pub image: Option<Load<ImageCheck>>,
    pub generating: bool,
    pub settings: Load<Settings>,
    pub balance: Option<Load<BalanceView>>,
    pub settings_open: bool,
    /// The job whose video plays in the player.
    pub playing: Option<String>,
    pub toasts: Vec<Toast>,
    pub next_toast: u32,
    /// Bumped by Retry on the unavailable screen to re-ask the shell.
    pub reload: u32,
    /// The Music video tab: projects, the open one, renders.
    pub video: VideoState,
}

impl Default for AppState {
    fn default() -> Self {
        Self {
            key: Load::Loading,
            models: Load::Loading,
            jobs: Vec::new(),
            jobs_status: Load::Loading,
            stalled: BTreeMap::new(),
            downloads: BTreeMap::new(),
            jobs_refresh: 0,
            spending_changed: 0,
            form: FormState::default(),
            writing_prompt: false,
            prompt_error: None,
            prompt_chat_model: None,
            quote: QuoteStatus::Idle,
            quote_for: None,
            image: None,
            generating: false,
            settings: Load::Loading,
            balance: None,
            settings_open: false,
            playing: None,
            toasts: Vec::new(),
            next_toast: 0,
            reload: 0,
            video: VideoState::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Re-ask the shell for everything (the Retry button).
    Reload,
    KeyLoaded(Result<KeyStatus, UiError>),
    ModelsLoaded(Result<Vec<ModelOption>, UiError>),
    JobsLoaded(Result<Vec<JobView>, UiError>),
    SettingsLoaded(Result<Settings, UiError>),
    BalanceLoading,
    BalanceLoaded(Result<BalanceView, UiError>),
    /// A job event pushed by the shell.
    Job(JobEventView),
    /// One job as the shell now has it (after dismiss).
    JobUpdated(JobView),
    SetTheme(String),
    SetPrompt(String),
    SelectModel(String),
    SetDuration(String),
    SetAspect(String),
    SetResolution(String),
    SetAudio(bool),
    SetCount(u32),
    /// A start image chosen (or cleared); its check follows.
    SetImage(Option<String>),
    ImageChecked {
        path: String,
        result: Result<ImageCheck, UiError>,
    },
    /// A start image chosen in the native dialog, already checked.
    ImagePicked(ImageCheck),
    PromptRequested,
    PromptWritten(Result<PromptResult, UiError>),
    /// The form cannot be priced as it is.
    QuoteIdle,
    QuoteLoading(GenerateForm),
    QuoteDone {
        form: GenerateForm,
        result: Result<QuoteView, UiError>,
    },
    GenerateStarted,
    GenerateDone(Result<Vec<JobView>, UiError>),
    VideoDeleted(String),
    ShowVideo(String),
    ClosePlayer,
    OpenSettings,
    CloseSettings,
    Error(UiError),
    DismissToast(u32),
    /// Everything of the Music video tab.
    Video(VideoAction),
}

impl AppState {
    pub fn screen(&self) -> Screen {
        match &self.key {
            Load::Loading => Screen::Starting,
            Load::Failed(e) => Screen::Unavailable(e.clone()),
            Load::Ready(k) if k.is_set || k.demo => Screen::Main,
            Load::Ready(_) => Screen::Onboarding,
        }
    }

    pub fn is_demo(&self) -> bool {
        self.key.ready().is_some_and(|k| k.demo)
    }

    pub fn model(&self, id: &str) -> Option<&ModelOption> {
        self.models.ready()?.iter().find(|m| m.id == id)
    }

    /// The model the form has selected.
    pub fn selected_model(&self) -> Option<&ModelOption> {
        self.model(&self.form.model)
    }

    pub fn job(&self, id: &str) -> Option<&JobView> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// Jobs not yet in the gallery: in flight, failed, or of unknown outcome. A music video's
    /// shots stay on its storyboard (a failed one shows there, with Regenerate), except those
    /// only this queue can act on: one of unknown outcome to settle, a failed one Venice may
    /// still hold (Fetch again).
    pub fn queue(&self) -> impl Iterator<Item = &JobView> {
        self.jobs.iter().filter(|j| {
            j.state != JobStateView::Ready
                && (j.project_id.is_none()
                    || j.state == JobStateView::OutcomeUnknown
                    || (j.state == JobStateView::Failed && j.can_fetch_again))
        })
    }

    /// Ready single clips whose video is still in the library (a music video's shots stay on
    /// its storyboard).
    pub fn gallery(&self) -> impl Iterator<Item = &JobView> {
        self.jobs.iter().filter(|j| {
            j.state == JobStateView::Ready && j.video.is_some() && j.project_id.is_none()
        })
    }

    /// The request the form makes now.
    pub fn request(&self) -> GenerateForm {
        self.form.request(self.selected_model())
    }

    /// What is wrong with the form, before pricing.
    pub fn form_problem(&self) -> Option<String> {
        crate::form::form_problem(&self.form, self.selected_model(), self.image.as_ref())
    }

    /// Why Generate is disabled, if it is.
    pub fn generate_block(&self) -> Option<String> {
        crate::form::generate_block(self.form_problem(), &self.quote, self.generating)
    }

    /// Jobs still being worked on (for the header's counter).
    pub fn in_flight(&self) -> usize {
        self.jobs
            .iter()
            .filter(|j| {
                matches!(
                    j.state,
                    JobStateView::Submitting
                        | JobStateView::Queued
                        | JobStateView::Processing
                        | JobStateView::Downloading
                )
            })
            .count()
    }
}
