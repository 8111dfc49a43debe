//! Spending money, carefully: every generate is checked against the model, quoted, checked
//! against the budget, written to the ledger, and only then sent to `/video/queue`, exactly once.

use serde::Serialize;
use venice::{ErrorClass, QueueVideoRequest};

use super::Studio;
use crate::Error;
use crate::events::JobEvent;
use crate::images;
use crate::ledger::{JobParams, JobRecord};
use crate::projects::ShotClaim;

/// The `/video/queue` body for what the user asked for. A start frame is read and encoded (off
/// the async runtime, bounded by the size cap) only when the request is really sent; a quote only
/// checks it and validates with an empty data URL of the same type.
async fn to_queue_request(
    params: &JobParams,
    for_sending: bool,
) -> Result<QueueVideoRequest, Error> {
    let mut req = QueueVideoRequest::new(&params.model, params.prompt.trim(), &params.duration);
    req.aspect_ratio = params.aspect_ratio.clone();
    req.resolution = params.resolution.clone();
    req.audio = params.audio;
    if let Some(path) = params.image_path.clone() {
        let url = tokio::task::spawn_blocking(move || {
            if for_sending {
                images::image_data_url(&path)
            } else {
                images::check_start_frame(&path).map(|mime| format!("data:{mime};base64,"))
            }
        })
        .await
        .map_err(|e| Error::Refused(format!("The start image could not be read ({e}).")))??;
        req.image_url = Some(url);
    }
    if !params.references.is_empty() {
        let paths = params.references.clone();
        let urls = tokio::task::spawn_blocking(move || {
            paths
                .iter()
                .map(|path| {
                    if for_sending {
                        images::image_data_url(path)
                    } else {
                        images::check_start_frame(path).map(|mime| format!("data:{mime};base64,"))
                    }
                })
                .collect::<Result<Vec<String>, Error>>()
        })
        .await
        .map_err(|e| Error::Refused(format!("A reference image could not be read ({e}).")))??;
        req.reference_image_urls = Some(urls);
    }
    Ok(req)
}

/// A queue call as written: the job, and when Venice refused it, what kind of refusal.
#[derive(Clone, Debug)]
pub(crate) struct Sent {
    pub job: JobRecord,
    pub refusal: Option<Refusal>,
}

/// What kind of "no" Venice gave a queue call: two of a kind in a row stop a run.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Refusal {
    /// The HTTP status, or the error's class when there was none.
    pub kind: String,
    /// 402: the account's balance is too low; every other shot would be refused too.
    pub out_of_balance: bool,
    /// The whole message.
    pub message: String,
}

impl Refusal {
    fn of(error: &venice::Error) -> Refusal {
        let out_of_balance = error.class()
            == ErrorClass::NeedsUser(venice::UserAction::TopUpBalance)
            || error.status() == Some(402);
        Refusal {
            kind: error
                .status()
                .map_or_else(|| format!("{:?}", error.class()), |s| s.to_string()),
            out_of_balance,
            message: error.to_string(),
        }
    }
}

/// A price from `/video/quote`, with what the budget says about it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceQuote {
    pub usd: f64,
    /// Venice's balance before the quote (`x-venice-balance-usd`), when it said.
    pub balance_usd: Option<f64>,
    pub spent_session_usd: f64,
    pub spent_total_usd: f64,
    /// Why the budget would refuse this, if it would.
    pub over_budget: Option<String>,
}

impl Studio {
    /// Prices a request (free; creates nothing). Requests the model cannot take are refused here,
    /// before anything is sent.
    pub async fn quote(&self, request: &JobParams) -> Result<PriceQuote, Error> {
        self.quote_for(request, 1).await
    }

    async fn quote_for(&self, request: &JobParams, count: u32) -> Result<PriceQuote, Error> {
        let shared = self.shared();
        let catalogue = self.catalogue(false).await?;
        let queue_request = to_queue_request(request, false).await?;
        catalogue
            .validate(&queue_request)
            .map_err(venice::Error::from)?;
        let quote_request = queue_request.to_quote();
        let answer = venice::retry::run(&shared.backoff, || async {
            shared.client.video().quote(&quote_request).await
        })
        .await?;
        let session = shared.session_id.clone();
        let (spent_session_usd, spent_total_usd) = shared
            .db(move |ledger, _| Ok((ledger.spent_usd(Some(&session))?, ledger.spent_usd(None)?)))
            .await?;
        let usd = answer.value.quote;
        let over_budget = shared
            .config
            .budget
            .check(usd * f64::from(count), spent_session_usd, spent_total_usd)
            .err()
            .map(|e| e.to_string());
        Ok(PriceQuote {
            usd,
            balance_usd: answer.meta.balance.usd,
            spent_session_usd,
            spent_total_usd,
            over_budget,
        })
    }

    /// Quotes, checks the budget for all `count` videos, then queues them one by one. Each job
    /// is in the ledger before its queue call; a queue call is never retried automatically. An
    /// answer that never came back leaves the job `outcome_unknown` for the user to settle.
    ///
    /// Returns the jobs as written (queued, failed or outcome unknown). Errors before any money
    /// is at stake (invalid request, over budget, quote failed) are returned as `Err`.
    pub async fn generate(&self, request: &JobParams, count: u32) -> Result<Vec<JobRecord>, Error> {
        let count = count.max(1);
        let quote = self.quote_for(request, count).await?;
        if let Some(reason) = quote.over_budget {
            return Err(Error::Refused(reason));
        }
        let queue_request = to_queue_request(request, true).await?;
        let mut jobs = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let sent = self
                .submit_one(request, &queue_request, &quote, None)
                .await?;
            let stop = !sent.job.state.is_in_flight();
            jobs.push(sent.job);
            // When Venice refused one, the next would most likely be refused too.
            if stop {
                break;
            }
        }
        Ok(jobs)
    }

    /// One paid call for a project's shot: quoted, then claimed in the ledger under the
    /// project's rule (see [`ShotClaim`]) and sent. A claim the rule refuses is
    /// [`Error::NotClaimed`], and nothing was written or sent.
    pub(crate) async fn generate_claimed(
        &self,
        request: &JobParams,
        claim: ShotClaim,
    ) -> Result<Sent, Error> {
        let quote = self.quote_for(request, 1).await?;
        let queue_request = to_queue_request(request, true).await?;
        self.submit_one(request, &queue_request, &quote, Some(claim))
            .await
    }

    /// Waits for a turn under the rate limits, then writes and sends the job in a task of its
    /// own: once the row is written the call is made and its answer recorded even if the caller
    /// is dropped (a "Generate all" stopped by an engine restart), so a row never stands for a
    /// call that was not sent, and an answer is never lost.
    async fn submit_one(
        &self,
        request: &JobParams,
        queue_request: &QueueVideoRequest,
        quote: &PriceQuote,
        claim: Option<ShotClaim>,
    ) -> Result<Sent, Error> {
        let shared = self.shared();
        // Wait for a turn under Venice's rate limits before the job is written: a process killed
        // while waiting leaves nothing behind, instead of a `submitting` row a restart would have
        // to call outcome-unknown although Venice never heard of it.
        shared.limits.queue.acquire().await;
        let permit = shared.failures.acquire().await;
        let studio = self.clone();
        let params = JobParams {
            prompt: request.prompt.trim().to_string(),
            ..request.clone()
        };
        let (queue_request, usd, balance) = (queue_request.clone(), quote.usd, quote.balance_usd);
        let task = tokio::spawn(async move {
            let shared = studio.shared();
            let session = shared.session_id.clone();
            let job = shared
                .db(move |ledger, now| match claim {
                    None => ledger.insert_submitting(&session, &params, usd, balance, now),
                    Some(claim) => ledger.claim_job(
                        &claim.project_id.clone(),
                        &session,
                        &params,
                        usd,
                        balance,
                        now,
                        |view| claim.check(view, usd),
                    ),
                })
                .await?;
            // Counted until the answer is in the ledger: an engine being replaced waits for it.
            let _submitting = super::Submitting::start(&shared.submitting);
            let result = shared.client.video().queue(&queue_request).await;
            studio.record_answer(job, result, permit).await
        });
        task.await.map_err(|_| Error::EngineStopped)?
    }

    /// Writes what Venice answered to a queue call.
    async fn record_answer(
        &self,
        job: JobRecord,
        result: Result<venice::ApiResponse<venice::QueuedVideo>, venice::Error>,
        permit: venice::retry::BudgetPermit,
    ) -> Result<Sent, Error> {
        let shared = self.shared();
        let now = shared.now_ms();
        match result {
            Ok(answer) => {
                drop(permit);
                let rate = &answer.meta.rate_limit;
                shared.limits.queue.observe(
                    rate.limit_requests.map(|v| v as u32),
                    rate.remaining_requests.map(|v| v as u32),
                    answer.meta.rate_limit_delay(std::time::SystemTime::now()),
                );
                let queued = answer.value;
                // A late answer may also settle a job a restart marked outcome-unknown meanwhile.
                let (id, queue_id, url) = (
                    job.id.clone(),
                    queued.queue_id.clone(),
                    queued.download_url.clone(),
                );
                let job = shared
                    .db(move |ledger, _| ledger.mark_queued(&id, &queue_id, url.as_deref(), now))
                    .await
                    .inspect_err(|error| {
                        // Venice has the job (and the money); support can recover it from this.
                        tracing::error!(
                            job = %job.id,
                            queue_id = %queued.queue_id,
                            model = %job.params.model,
                            %error,
                            "Venice queued the video but the ledger could not record it"
                        );
                    })?;
                shared.emit(JobEvent::Queued {
                    id: job.id.clone(),
                    queue_id: queued.queue_id,
                });
                self.track(&job);
                Ok(Sent { job, refusal: None })
            }
            Err(error) if error.class() == ErrorClass::OutcomeUnknown => {
                permit.failed();
                let reason = format!(
                    "{error} Nothing was sent again. Check your Venice usage before generating this \
                     video again, or dismiss it."
                );
                let (id, why) = (job.id.clone(), reason.clone());
                let job = shared
                    .db(move |ledger, _| ledger.mark_outcome_unknown(&id, &why, now))
                    .await?;
                shared.emit(JobEvent::OutcomeUnknown {
                    id: job.id.clone(),
                    reason,
                });
                Ok(Sent { job, refusal: None })
            }
            Err(error) => {
                permit.failed();
                let refunded = error.credits_refunded();
                let refusal = Refusal::of(&error);
                let reason = format!("{error} Nothing was charged for this video.");
                let (id, why) = (job.id.clone(), reason.clone());
                let job = shared
                    .db(move |ledger, _| ledger.mark_failed(&id, &why, refunded, now))
                    .await?;
                shared.emit(JobEvent::Failed {
                    id: job.id.clone(),
                    reason,
                    credits_refunded: refunded,
                });
                Ok(Sent {
                    job,
                    refusal: Some(refusal),
                })
            }
        }
    }

    /// Hands a queued job to the running poller (a later `resume` picks it up otherwise).
    pub(super) fn track(&self, job: &JobRecord) {
        let tracker = self
            .shared()
            .tracker
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(tracker) = tracker.as_ref() {
            let _ = tracker.send(job.id.clone());
        }
    }
}
