//! Renders under way, one per project, each with the flag that cancels it.

use std::collections::HashMap;
use std::sync::Mutex;

use studio_core::render::CancelFlag;

#[derive(Debug, Default)]
pub struct Renders(Mutex<HashMap<String, CancelFlag>>);

impl Renders {
    /// The cancel flag for a new render of the project; `None` when one runs already.
    pub fn begin(&self, project_id: &str) -> Option<CancelFlag> {
        let mut running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if running.contains_key(project_id) {
            return None;
        }
        let flag = CancelFlag::new();
        running.insert(project_id.to_string(), flag.clone());
        Some(flag)
    }

    pub fn end(&self, project_id: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(project_id);
    }

    /// Stops the project's render, if one runs.
    pub fn cancel(&self, project_id: &str) {
        if let Some(flag) = self.0.lock().unwrap_or_else(|p| p.into_inner()).get(project_id) {
            flag.cancel();
        }
    }
}
