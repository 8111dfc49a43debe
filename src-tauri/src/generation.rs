//! "Generate all" in the background: one task per project (a continuity chain waits for each
//! clip before queuing the next, which can take minutes), carried on when the app opens again,
//! stopped with the engine. The ledger, not this registry, is the truth: a stopped task leaves
//! its project marked as generating, and the next engine carries on from there.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use studio_api::{ErrorCode, GenerateEndedView, PROJECT_EVENT, UiError};
use studio_core::Studio;
use studio_core::projects::StopKind;
use tauri::{AppHandle, Runtime};

use crate::error::from_core;

/// The UI's code for why a run stopped.
fn stop_code(kind: Option<StopKind>) -> ErrorCode {
    match kind {
        Some(StopKind::OutOfBalance) => ErrorCode::InsufficientBalance,
        Some(StopKind::Budget) => ErrorCode::OverBudget,
        Some(StopKind::OutcomeUnknown) => ErrorCode::OutcomeUnknown,
        Some(StopKind::TakenOver) => ErrorCode::AlreadyRunning,
        Some(StopKind::Refused | StopKind::PaidJobFailed) | None => ErrorCode::InvalidInput,
    }
}

/// The running "Generate all" tasks of one engine, by project id.
#[derive(Debug, Clone, Default)]
pub struct Generators(Arc<Mutex<HashMap<String, tauri::async_runtime::JoinHandle<()>>>>);

impl Generators {
    fn tasks(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, tauri::async_runtime::JoinHandle<()>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the project's "Generate all" runs now.
    pub fn is_running(&self, project_id: &str) -> bool {
        self.tasks().contains_key(project_id)
    }

    /// Starts "Generate all" for the project unless it runs already. The UI hears when it ends
    /// on `PROJECT_EVENT` (with the error, if one stopped it).
    pub fn start<R: Runtime>(&self, app: &AppHandle<R>, studio: &Studio, project_id: &str) {
        let mut tasks = self.tasks();
        if tasks.contains_key(project_id) {
            return;
        }
        let (app, studio, id, registry) = (
            app.clone(),
            studio.clone(),
            project_id.to_string(),
            self.clone(),
        );
        let task = tauri::async_runtime::spawn(async move {
            let result = studio.generate_project(&id).await;
            registry.tasks().remove(&id);
            let error = match result {
                Ok(report) => {
                    tracing::info!(
                        project = %id,
                        queued = report.queued.len(),
                        not_queued = report.not_queued.len(),
                        paused = report.paused,
                        stopped = ?report.stop,
                        "generate all ended"
                    );
                    report.stopped.map(|why| {
                        crate::notify::generate_stopped(&app, &id, &why);
                        UiError::new(stop_code(report.stop), why)
                    })
                }
                Err(error) => {
                    tracing::warn!(project = %id, %error, "generate all stopped");
                    Some(from_core(error))
                }
            };
            let ended = GenerateEndedView {
                project_id: id,
                error,
            };
            crate::events::emit(&app, PROJECT_EVENT, ended);
        });
        tasks.insert(project_id.to_string(), task);
    }

    /// Carries on every "Generate all" the ledger says was under way (the app was closed, or
    /// the engine restarted, in the middle of one).
    pub fn resume<R: Runtime>(&self, app: &AppHandle<R>, studio: &Studio) {
        let (app, studio, registry) = (app.clone(), studio.clone(), self.clone());
        tauri::async_runtime::spawn(async move {
            match studio.projects_generating().await {
                Ok(ids) => {
                    for id in ids {
                        tracing::info!(project = %id, "carrying on generate all");
                        registry.start(&app, &studio, &id);
                    }
                }
                Err(error) => tracing::warn!(%error, "could not look for unfinished generating"),
            }
        });
    }

    /// Stops every task (the engine is going away; the ledger keeps the projects marked).
    pub fn stop_all(&self) {
        for (_, task) in self.tasks().drain() {
            task.abort();
        }
    }
}
