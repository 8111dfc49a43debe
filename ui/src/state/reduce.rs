//! The reducer: one place where every `Action` changes the `AppState`.

use std::rc::Rc;

use studio_api::{ErrorCode, KeyStatus, UiError};
use yew::Reducible;

use super::{Action, AppState, Load, QuoteStatus, Toast};
use crate::form::default_model;

/// At most this many error messages stay on screen; older ones give way.
const MAX_TOASTS: usize = 4;

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        s.apply(action);
        Rc::new(s)
    }
}

impl AppState {
    /// Applies one action in place (the reducer's body; tests call it directly).
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Reload => {
                self.key = Load::Loading;
                self.models = Load::Loading;
                self.jobs_status = Load::Loading;
                self.settings = Load::Loading;
                self.reload += 1;
            }
            Action::KeyLoaded(result) => {
                let was_main = matches!(self.key.ready(), Some(k) if k.is_set || k.demo);
                self.key = Load::from_result(result);
                let is_main = matches!(self.key.ready(), Some(k) if k.is_set || k.demo);
                if is_main && !was_main {
                    // A key or the demo just arrived: models and jobs are read (again) for it.
                    self.models = Load::Loading;
                    self.jobs_status = Load::Loading;
                    self.balance = None;
                }
            }
            Action::ModelsLoaded(result) => {
                let failed = result.as_ref().err().cloned();
                self.models = Load::from_result(result);
                if let Some(e) = failed {
                    self.error(e);
                }
                self.choose_default_model();
            }
            Action::JobsLoaded(Ok(mut jobs)) => {
                jobs.sort_by_key(|j| std::cmp::Reverse(j.created_at_ms));
                self.jobs = jobs;
                self.jobs_status = Load::Ready(());
                let known: Vec<String> = self.jobs.iter().map(|j| j.id.clone()).collect();
                self.stalled.retain(|id, _| known.contains(id));
            }
            Action::JobsLoaded(Err(e)) => {
                self.jobs_status = Load::Failed(e.clone());
                self.error(e);
            }
            Action::SettingsLoaded(result) => {
                let failed = result.as_ref().err().cloned();
                self.settings = Load::from_result(result);
                if let Some(e) = failed {
                    self.error(e);
                }
                self.choose_default_model();
            }
            Action::BalanceLoading => self.balance = Some(Load::Loading),
            Action::BalanceLoaded(result) => self.balance = Some(Load::from_result(result)),
            Action::Job(event) => {
                // Which project the job list says the job is a shot of (`None`: unknown job).
                let job_project = self.job(event.job_id()).map(|j| j.project_id.clone());
                self.video
                    .job_event(&event, job_project.as_ref().map(|p| p.as_deref()));
                self.apply_job_event(event);
            }
            Action::JobUpdated(job) => self.upsert(job),
            Action::SetTheme(theme) => self.form.theme = theme,
            Action::SetPrompt(prompt) => self.form.prompt = prompt,
            Action::SelectModel(id) => {
                if let Some(model) = self.model(&id).cloned() {
                    self.form.model_touched = true;
                    self.form.apply_model(&model);
                }
            }
            Action::SetDuration(v) => self.form.duration = v,
            Action::SetAspect(v) => self.form.aspect_ratio = Some(v),
            Action::SetResolution(v) => self.form.resolution = Some(v),
            Action::SetAudio(on) => {
                if self.form.audio.is_some() {
                    self.form.audio = Some(on);
                }
            }
            Action::SetCount(n) => self.form.count = n,
            Action::SetImage(path) => {
                self.image = path.as_ref().map(|_| Load::Loading);
                self.form.image_path = path;
            }
            Action::ImageChecked { path, result } => {
                if self.form.image_path.as_deref() == Some(path.as_str()) {
                    self.image = Some(Load::from_result(result));
                }
            }
            Action::ImagePicked(check) => {
                self.form.image_path = Some(check.path.clone());
                self.image = Some(Load::Ready(check));
            }
            Action::PromptRequested => {
                self.writing_prompt = true;
                self.prompt_error = None;
            }
            Action::PromptWritten(result) => {
                self.writing_prompt = false;
                match result {
                    Ok(p) => {
                        self.form.prompt = p.prompt;
                        self.prompt_chat_model = Some(p.chat_model);
                    }
                    Err(e) => {
                        self.note_needs_key(&e);
                        self.prompt_error = Some(e);
                    }
                }
            }
            Action::QuoteIdle => {
                self.quote = QuoteStatus::Idle;
                self.quote_for = None;
            }
            Action::QuoteLoading(form) => {
                self.quote = QuoteStatus::Loading;
                self.quote_for = Some(form);
            }
            Action::QuoteDone { form, result } => {
                if self.quote_for.as_ref() == Some(&form) {
                    if let Err(e) = &result {
                        self.note_needs_key(e);
                    }
                    self.quote = result.map_or_else(QuoteStatus::Failed, QuoteStatus::Ready);
                }
            }
            Action::GenerateStarted => self.generating = true,
            Action::GenerateDone(result) => {
                self.generating = false;
                match result {
                    Ok(jobs) => jobs.into_iter().for_each(|j| self.upsert(j)),
                    Err(e) => self.error(e),
                }
            }
            Action::VideoDeleted(id) => {
                if let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) {
                    job.video = None;
                }
                if self.playing.as_deref() == Some(id.as_str()) {
                    self.playing = None;
                }
                if self.video.render(&id).is_some() {
                    self.video.forget_render(&id);
                }
            }
            Action::ShowVideo(id) => {
                self.settings_open = false;
                self.playing = Some(id.clone());
                if self.job(&id).is_none_or(|j| j.video.is_none())
                    && self.video.render(&id).is_none()
                {
                    // A notification can name a video the list has not caught up with yet.
                    self.jobs_refresh += 1;
                }
            }
            Action::ClosePlayer => self.playing = None,
            Action::OpenSettings => self.settings_open = true,
            Action::CloseSettings => self.settings_open = false,
            Action::Error(e) => self.error(e),
            Action::DismissToast(id) => self.toasts.retain(|t| t.id != id),
            Action::Video(action) => self.apply_video(action),
        }
    }

    /// Shows an error message (and acts on the codes that change the screen).
    pub(super) fn error(&mut self, e: UiError) {
        self.note_needs_key(&e);
        if e.code == ErrorCode::KeyRejected {
            self.settings_open = true;
        }
        if self.toasts.iter().any(|t| t.error == e) {
            return;
        }
        self.next_toast += 1;
        self.toasts.push(Toast {
            id: self.next_toast,
            error: e,
        });
        if self.toasts.len() > MAX_TOASTS {
            self.toasts.remove(0);
        }
    }

    /// A `needs_key` answer means the key is gone: back to onboarding.
    fn note_needs_key(&mut self, e: &UiError) {
        if e.code == ErrorCode::NeedsKey {
            self.key = Load::Ready(KeyStatus::default());
        }
    }

    /// Picks the starting model once models (and maybe settings) are known, unless the user chose.
    fn choose_default_model(&mut self) {
        if self.form.model_touched {
            return;
        }
        let Some(models) = self.models.ready() else {
            return;
        };
        let preferred = self
            .settings
            .ready()
            .and_then(|s| s.default_model.as_deref());
        if let Some(model) = default_model(models, preferred).cloned() {
            self.form.apply_model(&model);
        }
    }
}
