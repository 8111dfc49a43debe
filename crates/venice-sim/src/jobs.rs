//! The video job state machine: queued → processing (scaled time) → ready → media deleted.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;
use uuid::Uuid;

use std::sync::Arc;

use crate::clipgen::{ClipSlot, ClipState};
use crate::fixtures::FixtureVideo;

/// One queued video.
#[derive(Debug)]
pub(crate) struct Job {
    pub model: String,
    pub video: &'static FixtureVideo,
    pub private: bool,
    pub created: Instant,
    pub media_deleted: bool,
    /// The generated clip, when the sim makes clips.
    pub clip: Option<Arc<ClipSlot>>,
}

/// Where a job stands right now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum JobPhase {
    /// Still generating: the two timing fields, in ms.
    Processing { average_ms: u64, elapsed_ms: u64 },
    /// Done and the media is there.
    Ready,
    /// `/video/complete` (or `delete_media_on_completion`) removed the media.
    Deleted,
}

/// All jobs of one sim, by queue id.
#[derive(Debug, Default)]
pub(crate) struct JobStore {
    jobs: HashMap<Uuid, Job>,
}

impl JobStore {
    pub(crate) fn create(
        &mut self,
        model: &str,
        video: &'static FixtureVideo,
        private: bool,
        clip: Option<Arc<ClipSlot>>,
    ) -> Uuid {
        let id = Uuid::new_v4();
        self.jobs.insert(
            id,
            Job {
                model: model.to_owned(),
                video,
                private,
                created: Instant::now(),
                media_deleted: false,
                clip,
            },
        );
        id
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Job> {
        self.jobs.get(&Uuid::parse_str(id).ok()?)
    }

    pub(crate) fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Marks the media gone; false if there is no such job.
    pub(crate) fn delete_media(&mut self, id: &str) -> bool {
        let Some(job) = Uuid::parse_str(id).ok().and_then(|u| self.jobs.get_mut(&u)) else {
            return false;
        };
        job.media_deleted = true;
        if let Some(clip) = &job.clip {
            clip.state.send_replace(ClipState::Gone);
        }
        true
    }

    /// The job's phase given the configured duration and reported P80 average.
    pub(crate) fn phase(job: &Job, job_duration: Duration, average_ms: u64) -> JobPhase {
        if job.media_deleted {
            return JobPhase::Deleted;
        }
        let elapsed = job.created.elapsed();
        if elapsed >= job_duration {
            return JobPhase::Ready;
        }
        let fraction = if job_duration.is_zero() {
            1.0
        } else {
            elapsed.as_secs_f64() / job_duration.as_secs_f64()
        };
        JobPhase::Processing {
            average_ms,
            elapsed_ms: (fraction * average_ms as f64).floor() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let mut store = JobStore::default();
        let video = crate::fixtures::fixture_for_aspect_ratio(None);
        let id = store.create("m", video, false, None).to_string();
        let job = store.get(&id).expect("job");
        assert!(matches!(
            JobStore::phase(job, Duration::from_secs(60), 145_000),
            JobPhase::Processing { average_ms, elapsed_ms } if average_ms == 145_000 && elapsed_ms < 145_000
        ));
        assert_eq!(
            JobStore::phase(job, Duration::ZERO, 145_000),
            JobPhase::Ready
        );
        assert!(store.delete_media(&id));
        let job = store.get(&id).expect("job");
        assert_eq!(
            JobStore::phase(job, Duration::ZERO, 145_000),
            JobPhase::Deleted
        );
        assert!(store.get("not-a-uuid").is_none());
        assert_eq!(store.len(), 1);
    }
}
