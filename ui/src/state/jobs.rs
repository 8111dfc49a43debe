//! How job events and fresh job records change the job list.

use studio_api::{JobEventView, JobStateView, JobView, VideoView};

use super::AppState;

impl AppState {
    /// Inserts or replaces a job, keeping the list newest first.
    pub(super) fn upsert(&mut self, job: JobView) {
        match self.jobs.iter_mut().find(|j| j.id == job.id) {
            Some(existing) => *existing = job,
            None => {
                let at = self
                    .jobs
                    .iter()
                    .position(|j| j.created_at_ms < job.created_at_ms)
                    .unwrap_or(self.jobs.len());
                self.jobs.insert(at, job);
            }
        }
    }

    /// Applies one pushed event to the job it names. An event for a job the list does not have yet
    /// (queued by another window, or arriving before `generate` answered) asks for a re-read.
    pub(super) fn apply_job_event(&mut self, event: JobEventView) {
        let id = event.job_id().to_string();
        if matches!(
            event,
            JobEventView::Queued { .. }
                | JobEventView::Failed { .. }
                | JobEventView::OutcomeUnknown { .. }
        ) {
            self.spending_changed += 1;
        }
        if !matches!(event, JobEventView::Stalled { .. }) {
            self.stalled.remove(&id);
        }
        if !matches!(event, JobEventView::Downloading { .. }) {
            self.downloads.remove(&id);
        }
        let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) else {
            if let JobEventView::Stalled { reason, .. } = event {
                self.stalled.insert(id, reason);
            }
            self.jobs_refresh += 1;
            return;
        };
        match event {
            JobEventView::Queued { .. } => {
                // Also a failed job fetched again: its old failure no longer applies.
                job.state = JobStateView::Queued;
                job.failure = None;
                job.credits_refunded = None;
                job.can_fetch_again = false;
            }
            JobEventView::Progress {
                percent, eta_ms, ..
            } => {
                job.state = JobStateView::Processing;
                // Below 1.0 until the file is saved, whatever Venice says.
                job.progress = (percent / 100.0).clamp(0.0, 0.99);
                job.eta_ms = eta_ms;
            }
            JobEventView::Downloading { bytes, total, .. } => {
                job.state = JobStateView::Downloading;
                job.progress = job.progress.max(0.99);
                job.eta_ms = None;
                self.downloads.insert(id, (bytes, total));
            }
            JobEventView::Ready { path, cost_usd, .. } => {
                job.state = JobStateView::Ready;
                job.progress = 1.0;
                job.eta_ms = None;
                job.cost_usd = cost_usd;
                job.failure = None;
                if job.video.as_ref().is_none_or(|v| v.path != path) {
                    job.video = Some(VideoView {
                        path,
                        url: None,
                        bytes: 0,
                        seconds: None,
                        width: None,
                        height: None,
                        thumbnail: None,
                    });
                }
                // The list has the thumbnail and the file's size.
                self.jobs_refresh += 1;
            }
            JobEventView::Failed {
                reason,
                credits_refunded,
                ..
            } => {
                job.state = JobStateView::Failed;
                job.eta_ms = None;
                job.failure = Some(reason);
                job.credits_refunded = credits_refunded;
                // Whether Venice may still hold the video (Fetch again) is the shell's to say.
                self.jobs_refresh += 1;
            }
            JobEventView::OutcomeUnknown { reason, .. } => {
                job.state = JobStateView::OutcomeUnknown;
                job.eta_ms = None;
                job.failure = Some(reason);
            }
            JobEventView::Stalled { reason, .. } => {
                self.stalled.insert(id, reason);
            }
        }
    }
}

/// The state's name as the `data-state` attribute and CSS class use it.
pub fn state_name(state: JobStateView) -> &'static str {
    match state {
        JobStateView::Submitting => "submitting",
        JobStateView::Queued => "queued",
        JobStateView::Processing => "processing",
        JobStateView::Downloading => "downloading",
        JobStateView::Ready => "ready",
        JobStateView::Failed => "failed",
        JobStateView::OutcomeUnknown => "outcome_unknown",
    }
}

/// The state as a short label for people.
pub fn state_label(state: JobStateView) -> &'static str {
    match state {
        JobStateView::Submitting => "Submitting",
        JobStateView::Queued => "Queued",
        JobStateView::Processing => "Generating",
        JobStateView::Downloading => "Downloading",
        JobStateView::Ready => "Ready",
        JobStateView::Failed => "Failed",
        JobStateView::OutcomeUnknown => "Outcome unknown",
    }
}

/// What the user can do about a failed job.
pub fn failure_advice(job: &JobView) -> &'static str {
    if job.can_fetch_again {
        return "Venice may still have this video: Fetch again brings it home without paying again.";
    }
    match job.credits_refunded {
        Some(true) => {
            "Venice refunded the credits. Adjust the prompt or settings and generate again."
        }
        Some(false) => {
            "Venice kept the charge for this attempt. Check the prompt, then generate again."
        }
        None => "Generate again; if it keeps failing, try another model or a different prompt.",
    }
}

/// What an outcome-unknown job means, for its card.
pub const OUTCOME_UNKNOWN_HELP: &str = "The app could not tell whether Venice accepted this job, so it was not sent \
again (that could charge you twice). Check your Venice account: if a video was made, it is there; then dismiss \
this card.";
