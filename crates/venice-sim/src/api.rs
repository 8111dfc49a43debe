//! The normal (fault-free) answer of each endpoint: auth, validation, pricing, jobs, balance.

use axum::http::header;
use serde_json::{Value, json};

use tokio::sync::watch;

use crate::clipgen::ClipState;
use crate::clips::ClipInfo;
use crate::jobs::{JobPhase, JobStore};
use crate::log::Endpoint;
use crate::reply::Reply;
use crate::server::Incoming;
use crate::sim::{Shared, State};
use crate::validate;

const MEDIA_GONE: &str = "Media could not be found. Request may be invalid, expired, or deleted.";

/// A normal answer plus a side effect that only happens if no fault replaces the answer.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub reply: Reply,
    /// Delete this job's media once the video was really handed out (`delete_media_on_completion`).
    pub delete_after: Option<String>,
}

impl Outcome {
    pub(crate) fn plain(reply: Reply) -> Outcome {
        Outcome {
            reply,
            delete_after: None,
        }
    }

    /// Applies the deferred side effect and returns the reply.
    pub(crate) fn commit(self, st: &mut State) -> Reply {
        if let Some(id) = self.delete_after {
            st.jobs.delete_media(&id);
        }
        self.reply
    }
}

fn authorized(sh: &Shared, req: &Incoming<'_>) -> bool {
    let Some(value) = req
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(token) = value.strip_prefix("Bearer ").map(str::trim) else {
        return false;
    };
    match &sh.config.api_key {
        Some(key) => token == key,
        None => !token.is_empty(),
    }
}

fn round_usd(x: f64) -> f64 {
    (x * 1e8).round() / 1e8
}

/// The answer Venice would give with nothing going wrong.
pub(crate) fn normal(sh: &Shared, st: &mut State, req: &Incoming<'_>) -> Outcome {
    let Some(endpoint) = req.endpoint else {
        return Outcome::plain(Reply::error(404, &format!("Not found: {}", req.path)));
    };
    let public = matches!(endpoint, Endpoint::Models | Endpoint::Download);
    if !public && !authorized(sh, req) {
        return Outcome::plain(Reply::error(401, "Authentication failed"));
    }
    let result = match endpoint {
        Endpoint::Models => Ok(Outcome::plain(models(sh, req))),
        Endpoint::ChatCompletions => chat(sh, st, req).map(Outcome::plain),
        Endpoint::VideoQuote => quote(sh, req).map(Outcome::plain),
        Endpoint::VideoQueue => queue(sh, st, req).map(Outcome::plain),
        Endpoint::VideoRetrieve => retrieve(sh, st, req),
        Endpoint::VideoComplete => complete(sh, st, req).map(Outcome::plain),
        Endpoint::BillingBalance => Ok(Outcome::plain(balance(st))),
        Endpoint::RateLimits => Ok(Outcome::plain(rate_limits(sh, st))),
        Endpoint::UsageHistory => Ok(Outcome::plain(st.usage.answer(req.query))),
        Endpoint::Download => Ok(Outcome::plain(download(st, req, sh))),
    };
    result.unwrap_or_else(Outcome::plain)
}

fn models(sh: &Shared, req: &Incoming<'_>) -> Reply {
    let kind = req.query.and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("type="))
            .map(|v| v.to_ascii_lowercase())
    });
    Reply::json(200, &sh.catalog.list(kind.as_deref()))
}

fn chat(sh: &Shared, st: &mut State, req: &Incoming<'_>) -> Result<Reply, Reply> {
    let p = validate::chat(req.body, sh.catalog)?;
    let body = crate::chat::completion(
        &p.model,
        sh.catalog.text_model(&p.model),
        &p.messages,
        p.max_tokens,
        &crate::structured::format_of(req.body),
    );
    let cost = body
        .get("cost")
        .and_then(|c| c.get("usd"))
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    st.balance_usd = round_usd(st.balance_usd - cost);
    if cost > 0.0 {
        st.usage
            .record(format!("{}-llm-output-mtoken", p.model), cost);
    }
    Ok(Reply::json(200, &body))
}

fn quote(sh: &Shared, req: &Incoming<'_>) -> Result<Reply, Reply> {
    let p = validate::video(req.body, sh.catalog, false)?;
    let usd = crate::pricing::quote_usd(&p.model, &p.duration, p.resolution.as_deref(), p.audio_on);
    Ok(Reply::json(200, &json!({ "quote": usd })))
}

fn queue(sh: &Shared, st: &mut State, req: &Incoming<'_>) -> Result<Reply, Reply> {
    let p = validate::video(req.body, sh.catalog, true)?;
    let usd = crate::pricing::quote_usd(&p.model, &p.duration, p.resolution.as_deref(), p.audio_on);
    if usd > st.balance_usd {
        return Err(Reply::error(
            402,
            "Insufficient USD or Diem balance to complete request. Visit https://venice.ai/settings/api to add credits.",
        ));
    }
    st.balance_usd = round_usd(st.balance_usd - usd);
    st.usage.record(format!("{}-video-unit", p.model), usd);
    let video = crate::fixtures::fixture_for_aspect_ratio(p.aspect_ratio.as_deref());
    let clip = sh.clips.as_ref().map(|maker| {
        let prompt = p.prompt.clone().unwrap_or_default();
        let next = u32::try_from(st.prompt_numbers.len() + 1).unwrap_or(u32::MAX);
        let number = *st.prompt_numbers.entry(prompt.clone()).or_insert(next);
        maker.start(ClipInfo::new(
            &prompt,
            number,
            &p.duration,
            p.aspect_ratio.as_deref(),
            p.resolution.as_deref(),
            p.audio_on,
            maker.config().max_short_side,
        ))
    });
    let id = st.jobs.create(&p.model, video, p.private, clip);
    st.charged.push(crate::sim::ChargedJob {
        queue_id: id.to_string(),
        model: p.model.clone(),
        prompt: p.prompt.clone().unwrap_or_default(),
        usd,
    });
    let mut body = json!({ "model": p.model, "queue_id": id.to_string() });
    if p.private {
        body["download_url"] = json!(format!("{}/_sim/download/{id}", sh.origin()));
    }
    Ok(Reply::json(200, &body))
}

fn retrieve(sh: &Shared, st: &mut State, req: &Incoming<'_>) -> Result<Outcome, Reply> {
    let r = validate::job_ref(req.body, sh.catalog, true)?;
    let Some(job) = st.jobs.get(&r.queue_id).filter(|j| j.model == r.model) else {
        return Err(Reply::error(404, MEDIA_GONE));
    };
    let average = sh.config.average_execution_ms;
    match JobStore::phase(job, sh.config.job_duration, average) {
        JobPhase::Deleted => Err(Reply::error(404, MEDIA_GONE)),
        JobPhase::Processing {
            average_ms,
            elapsed_ms,
        } => Ok(Outcome::plain(Reply::json(
            200,
            &json!({"status": "PROCESSING", "average_execution_time": average_ms, "execution_duration": elapsed_ms}),
        ))),
        JobPhase::Ready if job.private => Ok(Outcome::plain(Reply::json(
            200,
            &json!({"status": "COMPLETED", "average_execution_time": average, "execution_duration": average}),
        ))),
        JobPhase::Ready => Ok(Outcome {
            reply: Reply::mp4(video_body(sh, job)),
            delete_after: r.delete_media_on_completion.then_some(r.queue_id),
        }),
    }
}

/// The MP4 a finished job delivers: the configured [`crate::ServedVideo`], else its generated
/// clip, else (no clips, or ffmpeg failed) its fixture.
fn video_body(sh: &Shared, job: &crate::jobs::Job) -> bytes::Bytes {
    if let Some(video) = &sh.config.served_video {
        return video.0.clone();
    }
    if let Some(slot) = &job.clip
        && let ClipState::Ready(bytes) = &*slot.state.borrow()
    {
        return bytes.clone();
    }
    bytes::Bytes::from_static(job.video.bytes)
}

/// A retrieve or download that would deliver a video whose clip is still being made: the
/// receiver to wait on (outside the lock) before answering.
pub(crate) fn clip_in_making(
    sh: &Shared,
    endpoint: Option<Endpoint>,
    body: Option<&Value>,
    path: &str,
) -> Option<watch::Receiver<ClipState>> {
    let (id, private) = match endpoint? {
        Endpoint::VideoRetrieve => (body?.get("queue_id")?.as_str()?, false),
        Endpoint::Download => (path.trim_end_matches('/').rsplit('/').next()?, true),
        _ => return None,
    };
    let st = sh.lock();
    let job = st.jobs.get(id).filter(|j| j.private == private)?;
    let slot = job.clip.as_ref()?;
    let ready = JobStore::phase(job, sh.config.job_duration, sh.config.average_execution_ms)
        == JobPhase::Ready;
    (ready && matches!(*slot.state.borrow(), ClipState::Making)).then(|| slot.state.subscribe())
}

fn complete(sh: &Shared, st: &mut State, req: &Incoming<'_>) -> Result<Reply, Reply> {
    let r = validate::job_ref(req.body, sh.catalog, false)?;
    if st
        .jobs
        .get(&r.queue_id)
        .filter(|j| j.model == r.model)
        .is_none()
    {
        return Err(Reply::error(404, MEDIA_GONE));
    }
    st.jobs.delete_media(&r.queue_id);
    Ok(Reply::json(200, &json!({ "success": true })))
}

fn download(st: &State, req: &Incoming<'_>, sh: &Shared) -> Reply {
    let id = req
        .path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let Some(job) = st.jobs.get(id).filter(|j| j.private) else {
        return Reply::error(404, MEDIA_GONE);
    };
    match JobStore::phase(job, sh.config.job_duration, sh.config.average_execution_ms) {
        JobPhase::Ready => Reply::mp4(video_body(sh, job)),
        JobPhase::Processing { .. } => Reply::error(404, "The video is not ready yet."),
        JobPhase::Deleted => Reply::error(404, MEDIA_GONE),
    }
}

fn balance(st: &State) -> Reply {
    Reply::json(
        200,
        &json!({
            "canConsume": st.balance_usd > 0.0,
            "consumptionCurrency": "USD",
            "balances": {"diem": 0, "usd": st.balance_usd},
            "diemEpochAllocation": 0
        }),
    )
}

fn rate_limits(sh: &Shared, st: &State) -> Reply {
    let (video, text) = sh.catalog.ids();
    let mut limits: Vec<Value> = video
        .iter()
        .map(|id| json!({"apiModelId": id, "rateLimits": [{"amount": 40, "type": "RPM"}]}))
        .collect();
    limits.extend(text.iter().map(|id| {
        json!({"apiModelId": id, "rateLimits": [{"amount": 100, "type": "RPM"}, {"amount": 1_000_000, "type": "TPM"}]})
    }));
    Reply::json(
        200,
        &json!({"data": {
            "accessPermitted": true,
            "apiTier": {"id": "paid", "isCharged": true},
            "balances": {"USD": st.balance_usd, "DIEM": 0},
            "keyExpiration": null,
            "nextEpochBegins": crate::ratelimit::next_utc_midnight_iso(),
            "rateLimits": limits
        }}),
    )
}
