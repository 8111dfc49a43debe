//! The engine: the one object the CLI and the desktop app drive. It turns themes into prompts,
//! quotes, submits paid jobs through the ledger, and runs the poller that brings videos home.

mod account;
mod deliver;
mod follow;
mod library;
mod poller;
mod settle;
mod submit;

use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, mpsc, watch};
use venice::retry::{FailureBudget, RetryPolicy};
use venice::{ModelCatalogue, ModelType};

use crate::clock::{Clock, SystemClock};
use crate::config::{EngineConfig, StudioPaths};
use crate::events::JobEvent;
use crate::ledger::{JobId, JobRecord, JobState, Ledger};
use crate::limiter::VeniceLimits;
use crate::{Error, prompt};

pub use follow::FollowHandle;
pub use poller::PollerHandle;
pub use settle::{Settlement, Verdict};
pub use submit::PriceQuote;
pub(crate) use submit::Sent;

/// A prompt written by the chat model for a theme.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GeneratedPrompt {
    pub theme: String,
    pub prompt: String,
    pub chat_model: String,
    /// What the chat call cost, when Venice said.
    pub cost_usd: Option<f64>,
}

/// The studio engine. Cheap to clone; every clone shares the ledger, limits and events.
#[derive(Clone, Debug)]
pub struct Studio {
    shared: Arc<Shared>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub client: venice::Client,
    pub ledger: Ledger,
    pub paths: StudioPaths,
    pub config: EngineConfig,
    pub clock: Arc<dyn Clock>,
    pub limits: VeniceLimits,
    /// Our own failures, kept well under Venice's lock-out (more than 20 in 30 s).
    pub failures: FailureBudget,
    /// Backoff for transient errors; draws on `failures`.
    pub backoff: RetryPolicy,
    pub events: broadcast::Sender<JobEvent>,
    pub session_id: String,
    /// Hands new jobs to the running poller, if one is running.
    pub tracker: Mutex<Option<mpsc::UnboundedSender<JobId>>>,
    /// Queue calls waiting for Venice's answer right now (see [`Studio::wait_for_submissions`]).
    pub submitting: watch::Sender<usize>,
}

/// One session per process run: the per-session budget counts every engine the app starts (a
/// settings save restarts the engine; it must not reset what this session has spent).
fn process_session_id() -> String {
    static SESSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SESSION.get_or_init(|| JobId::new_random().0).clone()
}

/// Counts one queue call in flight for as long as it lives.
pub(crate) struct Submitting<'a>(&'a watch::Sender<usize>);

impl<'a> Submitting<'a> {
    pub(crate) fn start(counter: &'a watch::Sender<usize>) -> Self {
        counter.send_modify(|n| *n += 1);
        Self(counter)
    }
}

impl Drop for Submitting<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Shared {
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Announces an event. Nobody listening is fine: the ledger already has the change.
    pub fn emit(&self, event: JobEvent) {
        let _ = self.events.send(event);
    }

    /// Runs ledger work (SQLite; a write waits for its fsync) on the blocking pool, never on an
    /// async worker thread.
    pub async fn db<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Ledger, i64) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let shared = Arc::clone(self);
        tokio::task::spawn_blocking(move || work(&shared.ledger, shared.now_ms()))
            .await
            .map_err(|_| Error::EngineStopped)?
    }
}

impl Studio {
    /// Opens the ledger under `paths` and prepares the engine (nothing runs until
    /// [`Studio::start_poller`]).
    pub fn open(
        client: venice::Client,
        paths: StudioPaths,
        config: EngineConfig,
    ) -> Result<Self, Error> {
        Self::with_clock(client, paths, config, Arc::new(SystemClock))
    }

    pub fn with_clock(
        client: venice::Client,
        paths: StudioPaths,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let ledger = Ledger::open(&paths.ledger())?;
        let (events, _) = broadcast::channel(1024);
        let failures = FailureBudget::default();
        let backoff = RetryPolicy::default()
            .delays(config.retry_base_delay, config.retry_max_delay)
            .budget(failures.clone());
        let shared = Shared {
            client,
            ledger,
            paths,
            config,
            clock,
            limits: VeniceLimits::default(),
            failures,
            backoff,
            events,
            session_id: process_session_id(),
            tracker: Mutex::new(None),
            submitting: watch::Sender::new(0),
        };
        Ok(Self {
            shared: Arc::new(shared),
        })
    }

    /// Job events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<JobEvent> {
        self.shared.events.subscribe()
    }

    pub fn paths(&self) -> &StudioPaths {
        &self.shared.paths
    }

    pub fn config(&self) -> &EngineConfig {
        &self.shared.config
    }

    pub fn client(&self) -> &venice::Client {
        &self.shared.client
    }

    pub fn session_id(&self) -> &str {
        &self.shared.session_id
    }

    /// Every job in the ledger, newest first. Blocking: from async code use
    /// [`Studio::jobs_async`].
    pub fn jobs(&self) -> Result<Vec<JobRecord>, Error> {
        self.shared.ledger.list()
    }

    /// Every job in the ledger, newest first, read off the async workers.
    pub async fn jobs_async(&self) -> Result<Vec<JobRecord>, Error> {
        self.shared.db(|ledger, _| ledger.list()).await
    }

    /// One job, by id or by a unique prefix of it (as the CLI prints them). Blocking: from async
    /// code use [`Studio::job_async`].
    pub fn job(&self, id_or_prefix: &str) -> Result<JobRecord, Error> {
        find_job(&self.shared.ledger, id_or_prefix)
    }

    /// [`Studio::job`], read off the async workers.
    pub async fn job_async(&self, id_or_prefix: &str) -> Result<JobRecord, Error> {
        let id = id_or_prefix.to_string();
        self.shared.db(move |ledger, _| find_job(ledger, &id)).await
    }

    /// Money Venice may have charged, this session and in total.
    pub fn spent_usd(&self) -> Result<(f64, f64), Error> {
        let ledger = &self.shared.ledger;
        Ok((
            ledger.spent_usd(Some(&self.shared.session_id))?,
            ledger.spent_usd(None)?,
        ))
    }

    /// The user settles an outcome-unknown job (e.g. after checking their Venice usage). It is
    /// never resubmitted; the user can generate again deliberately. Any other job is refused: a
    /// paid job in flight is never thrown away by a dismiss.
    /// Blocking: from async code use [`Studio::dismiss_unknown_async`].
    pub fn dismiss_unknown(&self, id: &JobId) -> Result<JobRecord, Error> {
        dismiss_in(&self.shared.ledger, id, self.shared.now_ms())
    }

    /// [`Studio::dismiss_unknown`], written off the async workers.
    pub async fn dismiss_unknown_async(&self, id: &JobId) -> Result<JobRecord, Error> {
        let id = id.clone();
        self.shared
            .db(move |ledger, now| dismiss_in(ledger, &id, now))
            .await
    }

    /// "Fetch again": a failed job whose video Venice may still hold (it was queued and its copy
    /// never deleted) goes back to the poller, which retrieves it. Nothing is queued or paid again.
    /// Blocking: from async code use [`Studio::fetch_again_async`].
    pub fn fetch_again(&self, id: &JobId) -> Result<JobRecord, Error> {
        let job = self.shared.ledger.refetch(id, self.shared.now_ms())?;
        self.refetched(&job);
        Ok(job)
    }

    /// [`Studio::fetch_again`], written off the async workers.
    pub async fn fetch_again_async(&self, id: &JobId) -> Result<JobRecord, Error> {
        let id = id.clone();
        let job = self
            .shared
            .db(move |ledger, now| ledger.refetch(&id, now))
            .await?;
        self.refetched(&job);
        Ok(job)
    }

    fn refetched(&self, job: &JobRecord) {
        self.shared.emit(crate::events::JobEvent::Queued {
            id: job.id.clone(),
            queue_id: job.queue_id.clone().unwrap_or_default(),
        });
        self.track(job);
    }

    /// Waits (at most `limit`) until no queue call of this engine is waiting for Venice's answer,
    /// so an engine about to be replaced records every answer first. Returns whether it drained.
    pub async fn wait_for_submissions(&self, limit: std::time::Duration) -> bool {
        let mut counter = self.shared.submitting.subscribe();
        tokio::time::timeout(limit, counter.wait_for(|n| *n == 0))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// How long a queue call can take before its answer is certainly not coming (connect + request
    /// timeouts and a margin): only a `Submitting` job older than this is recovered as unknown.
    pub fn submission_grace(&self) -> std::time::Duration {
        let client = &self.shared.client;
        client.connect_timeout() + client.request_timeout() + std::time::Duration::from_secs(30)
    }

    /// The video models with their constraints: from the disk cache when it is fresh enough,
    /// else from Venice (and cached). The client validates every quote and queue against it.
    pub async fn catalogue(&self, refresh: bool) -> Result<Arc<ModelCatalogue>, Error> {
        let client = &self.shared.client;
        if !refresh && let Some(catalogue) = client.catalogue() {
            return Ok(catalogue);
        }
        let cache = self.shared.paths.model_cache();
        if !refresh
            && let Ok(cached) = ModelCatalogue::load_cached(&cache)
            && cached.age() < self.shared.config.model_cache_max_age
        {
            client.set_catalogue(cached);
            return client.catalogue().ok_or(Error::NoCatalogue);
        }
        let fresh = client.refresh_catalogue().await?;
        if let Err(e) = fresh.save(&cache) {
            tracing::warn!(error = %e, "could not cache the model list");
        }
        Ok(fresh)
    }

    /// Venice's text models (for choosing the chat model).
    pub async fn text_models(&self) -> Result<venice::ModelList, Error> {
        Ok(self
            .shared
            .client
            .models()
            .list(ModelType::Text)
            .await?
            .value)
    }

    /// Theme → a detailed video prompt fitted to `video_model`'s prompt limit.
    pub async fn prompt_from_theme(
        &self,
        theme: &str,
        video_model: &str,
    ) -> Result<GeneratedPrompt, Error> {
        let theme = prompt::sanitize_theme(theme)?;
        let catalogue = self.catalogue(false).await?;
        let limit = catalogue
            .get(video_model)
            .map(|m| m.constraints.prompt_limit() as usize)
            .ok_or_else(|| Error::UnknownModel(video_model.to_string()))?;
        let chat_model = self.shared.config.chat_model.clone();
        let mut request = venice::ChatCompletionRequest::new(
            chat_model.clone(),
            vec![
                venice::ChatMessage::system(prompt::system_prompt(limit)),
                venice::ChatMessage::user(prompt::user_message(&theme)),
            ],
        );
        request.temperature = Some(0.8);
        // Roughly four characters a token, with room to finish the last sentence.
        request.max_completion_tokens = Some((limit / 3).clamp(64, 2048) as u32);
        request.venice_parameters = Some(venice::VeniceParameters {
            include_venice_system_prompt: Some(false),
            strip_thinking_response: Some(true),
            ..Default::default()
        });
        let response = venice::retry::run(&self.shared.backoff, || async {
            self.shared.client.chat().create(&request).await
        })
        .await?;
        let reply = response.value.first_text().unwrap_or_default();
        Ok(GeneratedPrompt {
            prompt: prompt::fit_to_limit(&reply, limit)?,
            theme,
            chat_model,
            cost_usd: response.value.cost.map(|c| c.usd),
        })
    }

    /// Waits until every job in `ids` is settled (ready, failed or outcome unknown) and returns
    /// their final records. Needs a running poller for in-flight jobs.
    pub async fn wait_until_settled(&self, ids: &[JobId]) -> Result<Vec<JobRecord>, Error> {
        let mut events = self.subscribe();
        let mut pending: std::collections::HashSet<JobId> = self.unsettled(ids.to_vec()).await?;
        while !pending.is_empty() {
            match events.recv().await {
                // Only a final event can settle a job: re-read just that one.
                Ok(event) if event.is_final() => {
                    if pending.contains(event.job_id())
                        && self
                            .unsettled(vec![event.job_id().clone()])
                            .await?
                            .is_empty()
                    {
                        pending.remove(event.job_id());
                    }
                }
                Ok(_) => {}
                // Missed events: look at every job still pending.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    pending = self.unsettled(pending.into_iter().collect()).await?;
                }
                Err(broadcast::error::RecvError::Closed) => return Err(Error::EngineStopped),
            }
        }
        let ids = ids.to_vec();
        self.shared
            .db(move |ledger, _| ids.iter().map(|id| ledger.get(id)).collect())
            .await
    }

    /// Those of `ids` not settled yet, read off the async workers.
    async fn unsettled(&self, ids: Vec<JobId>) -> Result<std::collections::HashSet<JobId>, Error> {
        self.shared
            .db(move |ledger, _| {
                let mut still = std::collections::HashSet::new();
                for id in ids {
                    if !ledger.get(&id)?.state.is_settled() {
                        still.insert(id);
                    }
                }
                Ok(still)
            })
            .await
    }

    /// Jobs that still need Venice: used by `resume` and on start.
    pub fn in_flight(&self) -> Result<Vec<JobRecord>, Error> {
        self.shared.ledger.in_flight()
    }

    /// How many jobs still need Venice (the tray's count; one SQL count). Blocking: from async
    /// code use [`Studio::in_flight_count_async`].
    pub fn in_flight_count(&self) -> Result<usize, Error> {
        self.shared.ledger.count_in_state(&IN_FLIGHT)
    }

    /// [`Studio::in_flight_count`], read off the async workers.
    pub async fn in_flight_count_async(&self) -> Result<usize, Error> {
        self.shared
            .db(|ledger, _| ledger.count_in_state(&IN_FLIGHT))
            .await
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

/// The states of a job that still needs Venice.
const IN_FLIGHT: [JobState; 4] = [
    JobState::Submitting,
    JobState::Queued,
    JobState::Processing,
    JobState::Downloading,
];

/// One job by id or a unique prefix of it.
fn find_job(ledger: &Ledger, id_or_prefix: &str) -> Result<JobRecord, Error> {
    if let Ok(job) = ledger.get(&JobId(id_or_prefix.to_string())) {
        return Ok(job);
    }
    let mut matches: Vec<JobRecord> = ledger
        .list()?
        .into_iter()
        .filter(|j| !id_or_prefix.is_empty() && j.id.0.starts_with(id_or_prefix))
        .collect();
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(Error::JobNotFound(JobId(id_or_prefix.to_string()))),
        n => Err(Error::AmbiguousJobId {
            prefix: id_or_prefix.to_string(),
            matches: n,
        }),
    }
}

/// Settles an outcome-unknown job as failed at the user's word; any other job is refused.
fn dismiss_in(ledger: &Ledger, id: &JobId, now: i64) -> Result<JobRecord, Error> {
    let job = ledger.get(id)?;
    if job.state != JobState::OutcomeUnknown {
        return Err(Error::NotOutcomeUnknown {
            id: job.id,
            state: job.state,
        });
    }
    let reason = "Dismissed by the user after an unknown queue outcome.";
    ledger.mark_failed(id, reason, None, now)
}
