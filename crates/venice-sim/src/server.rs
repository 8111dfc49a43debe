//! The HTTP side: one fallback handler that logs each request, applies pending faults, adds Venice's
//! response headers and puts the answer on the wire (or not).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderMap, Response, header};
use serde_json::{Value, json};

use crate::api::{self, Outcome};
use crate::clipgen::ClipState;
use crate::faults::Fault;
use crate::log::{Endpoint, RecordedRequest};
use crate::reply::{Delivery, Reply, aborted_response};
use crate::sim::{Shared, State};

/// The longest a retrieve waits for its clip (then it gets the fixture).
const CLIP_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Venice caps JSON bodies at 35 MB.
const MAX_BODY: usize = 35 * 1024 * 1024;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// What the handler knows about the request besides the log record.
pub(crate) struct Incoming<'a> {
    pub endpoint: Option<Endpoint>,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: Option<&'a Value>,
}

async fn handle(AxState(sh): AxState<Arc<Shared>>, req: Request) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    if path.starts_with("/_sim/") && !path.starts_with("/_sim/download/") {
        return crate::control::handle(&sh, &method, &path, query.as_deref(), body).await;
    }
    let endpoint = Endpoint::route(&method, &path);
    let at = std::time::Instant::now();
    let (raw, too_large) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => (b, false),
        Err(_) => (bytes::Bytes::new(), true),
    };
    let parsed: Option<Value> = if raw.is_empty() {
        None
    } else {
        serde_json::from_slice(&raw).ok()
    };
    let record = RecordedRequest {
        endpoint,
        method,
        path: path.clone(),
        query: query.clone(),
        body: parsed.clone(),
        raw_body: raw.to_vec(),
        authorization_present: parts.headers.contains_key(header::AUTHORIZATION),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        status: 0,
        at,
    };
    if let Some(mut making) = api::clip_in_making(&sh, endpoint, parsed.as_ref(), &path) {
        // The clip is made on the blocking pool; this request waits for it without holding a thread.
        let _ = tokio::time::timeout(
            CLIP_WAIT,
            making.wait_for(|s| !matches!(s, ClipState::Making)),
        )
        .await;
    }
    let incoming = Incoming {
        endpoint,
        path: &path,
        query: query.as_deref(),
        headers: &parts.headers,
        body: parsed.as_ref(),
    };
    let reply = answer(
        &sh,
        record,
        &incoming,
        too_large,
        !raw.is_empty() && parsed.is_none(),
    );
    if reply.delivery == Delivery::Hang {
        let mut rx = sh.shutdown.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
        return aborted_response();
    }
    reply.into_response()
}

/// Logs the request, decides the answer (faults first) and adds the common headers; all under one lock.
fn answer(
    sh: &Shared,
    record: RecordedRequest,
    req: &Incoming<'_>,
    too_large: bool,
    bad_json: bool,
) -> Reply {
    let mut st = sh.lock();
    let balance_before = st.balance_usd;
    let rate = st.rates.hit(req.endpoint);
    let index = st.log.len();
    st.log.push(record);
    let mut reply = if too_large {
        Reply::json(
            413,
            &json!({"code": "PAYLOAD_TOO_LARGE", "error": "Request body exceeds the maximum allowed size of 35 MB."}),
        )
    } else if bad_json {
        Reply::json(
            400,
            &json!({"error": "Invalid request parameters", "details": {"_errors": ["Body is not valid JSON"]}}),
        )
    } else {
        decide(sh, &mut st, req)
    };
    let has = |r: &Reply, name: &str| r.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if !has(&reply, "x-ratelimit-remaining-requests") {
        reply
            .headers
            .push(("x-ratelimit-limit-requests".into(), rate.limit.to_string()));
        reply.headers.push((
            "x-ratelimit-remaining-requests".into(),
            rate.remaining.to_string(),
        ));
        reply.headers.push((
            "x-ratelimit-reset-requests".into(),
            rate.reset_unix.to_string(),
        ));
    } else if !has(&reply, "x-ratelimit-limit-requests") {
        reply
            .headers
            .push(("x-ratelimit-limit-requests".into(), rate.limit.to_string()));
    }
    reply.headers.push(("CF-RAY".into(), cf_ray()));
    reply.headers.push((
        "x-venice-balance-usd".into(),
        format!("{balance_before:.4}"),
    ));
    reply
        .headers
        .push(("x-venice-balance-diem".into(), "0.0000".into()));
    if let Some(warning) = deprecation_warning(sh, req.body) {
        reply
            .headers
            .push(("x-venice-model-deprecation-warning".into(), warning));
    }
    if let Some(entry) = st.log.get_mut(index) {
        entry.status = reply.logged_status();
    }
    reply
}

/// Applies the first pending fault of the endpoint, or answers normally.
fn decide(sh: &Shared, st: &mut State, req: &Incoming<'_>) -> Reply {
    let Some(endpoint) = req.endpoint else {
        return api::normal(sh, st, req).commit(st);
    };
    let Some(fault) = st.faults.peek(endpoint).cloned() else {
        return api::normal(sh, st, req).commit(st);
    };
    if fault.is_video_body() && matches!(endpoint, Endpoint::VideoRetrieve | Endpoint::Download) {
        // Wait for a request that would really deliver a video; until then answer normally.
        let outcome = api::normal(sh, st, req);
        if !outcome.reply.is_video {
            return outcome.commit(st);
        }
        st.faults.pop(endpoint);
        // Venice deletes the media when the retrieve completes on its side (the flag), whatever
        // happens to the body on the way: a corrupted delivery still costs the copy.
        let delete_after = outcome.delete_after.clone();
        let reply = video_fault(fault, outcome);
        if let Some(id) = delete_after {
            st.jobs.delete_media(&id);
        }
        return reply;
    }
    if matches!(fault, Fault::InvalidJson) {
        if endpoint == Endpoint::ChatCompletions && !crate::structured::asks_json(req.body) {
            // Wait for a request that asks for JSON.
            return api::normal(sh, st, req).commit(st);
        }
        st.faults.pop(endpoint);
        let mut reply = api::normal(sh, st, req).commit(st);
        reply.body = broken_json(endpoint, &reply.body);
        return reply;
    }
    st.faults.pop(endpoint);
    match fault {
        Fault::HangAfterReceive => {
            let mut reply = api::normal(sh, st, req).commit(st);
            reply.delivery = Delivery::Hang;
            reply
        }
        Fault::SlowBody { delay } => {
            let mut reply = api::normal(sh, st, req).commit(st);
            reply.delivery = Delivery::Slow(delay);
            reply
        }
        Fault::DropMidBody => {
            let mut reply = api::normal(sh, st, req).commit(st);
            reply.delivery = Delivery::DropMidBody;
            reply
        }
        Fault::TruncatedMp4 | Fault::NotMp4 => {
            let video = crate::fixtures::fixture_for_aspect_ratio(None);
            video_fault(
                fault,
                Outcome::plain(Reply::mp4(bytes::Bytes::from_static(video.bytes))),
            )
        }
        other => fault_reply(&other, endpoint, sh.config.average_execution_ms),
    }
}

/// DropMidBody / TruncatedMp4 / NotMp4 applied to a reply that carries an MP4.
fn video_fault(fault: Fault, outcome: Outcome) -> Reply {
    let mut reply = outcome.reply;
    match fault {
        Fault::DropMidBody => reply.delivery = Delivery::DropMidBody,
        Fault::TruncatedMp4 => reply.body = reply.body.slice(..reply.body.len() / 2),
        Fault::NotMp4 => {
            reply.body = bytes::Bytes::from_static(
                b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
                  <body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>\n",
            );
        }
        _ => {}
    }
    reply
}

/// The replacement answer for an error-type fault.
fn fault_reply(fault: &Fault, endpoint: Endpoint, average_ms: u64) -> Reply {
    match fault {
        Fault::RateLimited { reset_after_secs } => {
            let reset =
                crate::ratelimit::unix_secs(std::time::SystemTime::now()) + reset_after_secs;
            Reply::error(429, "Rate limit exceeded")
                .with_header("x-ratelimit-remaining-requests", "0")
                .with_header("x-ratelimit-reset-requests", reset.to_string())
                .with_header("retry-after", reset_after_secs.to_string())
        }
        Fault::ServerError => Reply::error(500, "Inference processing failed"),
        Fault::Unavailable => {
            Reply::error(503, "The model is at capacity. Please try again later.")
        }
        Fault::GatewayTimeout => Reply::error(504, "Gateway timeout"),
        Fault::InsufficientBalance => Reply::error(
            402,
            "Insufficient USD or Diem balance to complete request. Visit https://venice.ai/settings/api to add credits.",
        ),
        Fault::Unauthorized => Reply::error(401, "Authentication failed"),
        Fault::MediaGone => Reply::error(
            404,
            "Media could not be found. Request may be invalid, expired, or deleted.",
        ),
        Fault::ContentPolicy { credits_refunded } if endpoint == Endpoint::VideoQueue => {
            let _ = credits_refunded;
            Reply::json(
                422,
                &json!({
                    "error": "Your prompt violates the content policy of Venice.ai or the model provider",
                    "suggested_prompt": "A cinematic instrumental music video of rolling clouds over a calm sea at dusk."
                }),
            )
        }
        Fault::ContentPolicy { credits_refunded } => {
            let refunded = if *credits_refunded {
                " Credits have been refunded."
            } else {
                ""
            };
            Reply::json(
                422,
                &json!({"error": {
                    "message": format!("The selected model provider rejected this request due to its content policies.{refunded} Try using wan-2-7-text-to-video instead."),
                    "type": "provider_content_policy",
                    "recommended_model": "wan-2-7-text-to-video",
                    "credits_refunded": credits_refunded
                }}),
            )
        }
        Fault::Status {
            status,
            body,
            headers,
        } => {
            let mut reply = Reply::json(*status, body);
            reply.headers.extend(headers.iter().cloned());
            reply
        }
        Fault::UnknownStatus(status) => Reply::json(
            200,
            &json!({"status": status, "average_execution_time": average_ms, "execution_duration": average_ms / 2}),
        ),
        // Handled by the caller.
        Fault::InvalidJson
        | Fault::DropMidBody
        | Fault::TruncatedMp4
        | Fault::NotMp4
        | Fault::SlowBody { .. }
        | Fault::HangAfterReceive => Reply::error(500, "venice-sim: unexpected fault routing"),
    }
}

/// The answer made invalid JSON: a chat completion's message content, any other body itself.
fn broken_json(endpoint: Endpoint, body: &bytes::Bytes) -> bytes::Bytes {
    let content = |v: &mut Value| {
        v.pointer_mut("/choices/0/message/content")
            .map(std::mem::take)
    };
    if endpoint == Endpoint::ChatCompletions
        && let Ok(mut value) = serde_json::from_slice::<Value>(body)
        && let Some(Value::String(text)) = content(&mut value)
    {
        let half: String = text.chars().take(text.chars().count() / 2).collect();
        if let Some(slot) = value.pointer_mut("/choices/0/message/content") {
            *slot = Value::String(format!(
                "Sure! Here is the storyboard you asked for:\n{half}"
            ));
        }
        return bytes::Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
    }
    body.slice(..body.len() / 2)
}

/// A Cloudflare-style ray id: 16 hex digits and a colo.
fn cf_ray() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-SIM", &id[..16])
}

fn deprecation_warning(sh: &Shared, body: Option<&Value>) -> Option<String> {
    let model = body?.get("model")?.as_str()?;
    let dep = sh.catalog.deprecation(model)?;
    let date = dep.get("date").and_then(Value::as_str).unwrap_or("soon");
    Some(format!(
        "The model {model} is deprecated and will be removed on {date}. Please migrate to another model."
    ))
}
