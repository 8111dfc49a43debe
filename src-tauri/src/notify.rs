//! System notifications when a video is ready or has failed, and showing that video when the
//! user clicks one. Where the notification server reports clicks (Linux servers that offer the
//! `default` action, macOS, Windows) the click shows the window and sends `SHOW_VIDEO_EVENT`;
//! otherwise the video is shown the next time the window gets the focus.

use std::sync::Mutex;

use studio_api::{SHOW_PROJECT_EVENT, SHOW_VIDEO_EVENT};
use studio_core::{JobEvent, JobRecord};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

const JOB_ID: &str = "job_id";
const PROJECT_ID: &str = "project_id";

/// The last video a notification was about, until it is shown.
#[derive(Debug, Default)]
pub struct Pending(Mutex<Option<String>>);

impl Pending {
    fn set(&self, id: Option<String>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = id;
    }

    fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Listens for clicks on our notifications.
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    app.manage(Pending::default());
    let handle = app.clone();
    let registered = app.notification().on_action(move |action| {
        if action.action_id() != "tap" {
            return;
        }
        let extra = |key: &str| {
            action
                .notification()
                .and_then(|n| n.extra().get(key))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let app = handle.clone();
        if let Some(project) = extra(PROJECT_ID) {
            let _ = handle.run_on_main_thread(move || show_project(&app, project));
            return;
        }
        let id = extra(JOB_ID);
        // The handler runs on a notification thread; windows are driven from the main one.
        let _ = handle.run_on_main_thread(move || match id {
            Some(id) => show_video(&app, id),
            None => focus_pending(&app),
        });
    });
    if let Err(e) = registered {
        tracing::debug!("notification clicks are not reported here: {e}");
    }
}

fn main_window_focused<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window("main")
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false)
}

/// Notifies about a ready or failed video (`job`: its ledger record, read by the caller off the
/// async workers), unless the user is looking at the app anyway.
pub fn job_settled<R: Runtime>(app: &AppHandle<R>, job: Option<&JobRecord>, event: &JobEvent) {
    let Some(pending) = app.try_state::<Pending>() else {
        return;
    };
    let (title, body) = match event {
        JobEvent::Ready { .. } => {
            let prompt = job
                .map(|j| j.params.theme.clone().unwrap_or(j.params.prompt.clone()))
                .unwrap_or_default();
            ("Your video is ready", short(&prompt))
        }
        JobEvent::Failed { reason, .. } => ("A video failed", short(reason)),
        _ => return,
    };
    if main_window_focused(app) {
        return;
    }
    let id = event.job_id().0.clone();
    pending.set(Some(id.clone()));
    let shown = app
        .notification()
        .builder()
        .title(title)
        .body(body)
        .extra(JOB_ID, id)
        .show();
    if let Err(e) = shown {
        tracing::info!("no system notification: {e}");
    }
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(140).collect();
    if text.chars().count() > 140 {
        out.push('…');
    }
    out
}

/// The window got the focus: show the video the last notification was about.
pub fn focus_pending<R: Runtime>(app: &AppHandle<R>) {
    if let Some(id) = app.try_state::<Pending>().and_then(|p| p.take()) {
        show_video(app, id);
    }
}

/// Brings the window up and asks the UI to open `id` in the gallery.
pub fn show_video<R: Runtime>(app: &AppHandle<R>, id: String) {
    if let Some(pending) = app.try_state::<Pending>() {
        pending.set(None);
    }
    crate::tray::show_main(app);
    if let Err(e) = app.emit(SHOW_VIDEO_EVENT, id) {
        tracing::warn!("could not ask the UI to show a video: {e}");
    }
}

/// Notifies that a music video is rendered (always: it is the end of the whole piece of work,
/// and renders are few). A click opens the project.
pub fn render_done<R: Runtime>(app: &AppHandle<R>, project_id: &str, name: &str) {
    if app.try_state::<Pending>().is_none() {
        return;
    }
    let shown = app
        .notification()
        .builder()
        .title("Your music video is ready")
        .body(short(name))
        .extra(PROJECT_ID, project_id.to_string())
        .show();
    if let Err(e) = shown {
        tracing::info!("no system notification: {e}");
    }
}

/// Notifies that a project's "Generate all" stopped before the end and why (the balance ran
/// out, the budget, an answer of unknown outcome): the user must decide. A click opens it.
pub fn generate_stopped<R: Runtime>(app: &AppHandle<R>, project_id: &str, why: &str) {
    if app.try_state::<Pending>().is_none() {
        return;
    }
    let shown = app
        .notification()
        .builder()
        .title("Generate all stopped")
        .body(short(why))
        .extra(PROJECT_ID, project_id.to_string())
        .show();
    if let Err(e) = shown {
        tracing::info!("no system notification: {e}");
    }
}

/// Brings the window up and asks the UI to open the project.
pub fn show_project<R: Runtime>(app: &AppHandle<R>, id: String) {
    crate::tray::show_main(app);
    if let Err(e) = app.emit(SHOW_PROJECT_EVENT, id) {
        tracing::warn!("could not ask the UI to show a project: {e}");
    }
}
