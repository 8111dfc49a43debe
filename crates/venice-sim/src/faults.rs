//! `Fault`: scripted misbehaviour, queued FIFO per endpoint, and its JSON form for `POST /_sim/faults`.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::log::Endpoint;

/// One scripted misbehaviour. It applies to the next request to its endpoint and replaces the normal
/// answer (except where noted); the job state is unchanged by a fault.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 429 `{"error":"Rate limit exceeded"}` with `x-ratelimit-remaining-requests: 0`,
    /// `x-ratelimit-reset-requests: <unix now + reset_after_secs>` and `retry-after: reset_after_secs`.
    RateLimited {
        /// Seconds until the limit resets.
        reset_after_secs: u64,
    },
    /// 500 `{"error":"Inference processing failed"}`.
    ServerError,
    /// 503 `{"error":"The model is at capacity. Please try again later."}`.
    Unavailable,
    /// 504 `{"error":"Gateway timeout"}`.
    GatewayTimeout,
    /// 402 `{"error":"Insufficient USD or Diem balance ..."}`.
    InsufficientBalance,
    /// 401 `{"error":"Authentication failed"}`.
    Unauthorized,
    /// 404 `{"error":"Media could not be found. Request may be invalid, expired, or deleted."}`.
    MediaGone,
    /// Status 422. On queue: the flat `{"error": "...", "suggested_prompt": "..."}`; on every other endpoint
    /// the nested `{"error":{"message","type":"provider_content_policy","recommended_model","credits_refunded"}}`.
    ContentPolicy {
        /// Whether the answer says the credits were refunded.
        credits_refunded: bool,
    },
    /// Any other answer: the status, a JSON body and extra headers.
    Status {
        /// HTTP status.
        status: u16,
        /// JSON body.
        body: Value,
        /// Extra headers.
        headers: Vec<(String, String)>,
    },
    /// 200 `video/mp4` with the full Content-Length, sends part of the MP4, then closes the connection.
    /// On retrieve/download it waits (stays queued) until a request would deliver a video.
    DropMidBody,
    /// 200 `video/mp4`, a complete response whose body is the MP4 cut in half (Content-Length = cut length).
    /// On retrieve/download it waits until a request would deliver a video.
    TruncatedMp4,
    /// 200 `Content-Type: video/mp4` whose body is an HTML error page (no `ftyp` box).
    /// On retrieve/download it waits until a request would deliver a video.
    NotMp4,
    /// The normal answer, but its body bytes arrive only after `delay` (headers go out at once).
    SlowBody {
        /// How long the body is held back.
        delay: Duration,
    },
    /// The request is read, recorded and processed (a queue creates and charges its job), but never
    /// answered; the connection stays open until the sim shuts down.
    HangAfterReceive,
    /// 200 JSON `{"status": <this>, "average_execution_time", "execution_duration"}`.
    UnknownStatus(String),
    /// On chat: the normal completion (charged as usual) whose message content is broken JSON (a
    /// chatty preface and the answer cut in half); it waits (stays queued) for a request with a JSON
    /// `response_format`, so plain prompt requests pass through. On other endpoints: the normal
    /// answer with its JSON body cut in half.
    InvalidJson,
}

impl Fault {
    /// Faults that only make sense on a response that delivers an MP4.
    pub(crate) fn is_video_body(&self) -> bool {
        matches!(
            self,
            Fault::DropMidBody | Fault::TruncatedMp4 | Fault::NotMp4
        )
    }
}

/// The JSON form of a [`Fault`] for `POST /_sim/faults`:
/// `{"endpoint":"video_queue","fault":{"kind":"rate_limited","reset_after_secs":5},"times":1}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultSpec {
    /// See [`Fault::RateLimited`].
    RateLimited {
        /// Seconds until reset (default 5).
        #[serde(default = "five")]
        reset_after_secs: u64,
    },
    /// See [`Fault::ServerError`].
    ServerError,
    /// See [`Fault::Unavailable`].
    Unavailable,
    /// See [`Fault::GatewayTimeout`].
    GatewayTimeout,
    /// See [`Fault::InsufficientBalance`].
    InsufficientBalance,
    /// See [`Fault::Unauthorized`].
    Unauthorized,
    /// See [`Fault::MediaGone`].
    MediaGone,
    /// See [`Fault::ContentPolicy`].
    ContentPolicy {
        /// Default true.
        #[serde(default = "yes")]
        credits_refunded: bool,
    },
    /// See [`Fault::Status`].
    Status {
        /// HTTP status.
        status: u16,
        /// JSON body (default `{"error":"Simulated error"}`).
        #[serde(default)]
        body: Option<Value>,
        /// Extra headers as `[[name, value], ...]`.
        #[serde(default)]
        headers: Vec<(String, String)>,
    },
    /// See [`Fault::DropMidBody`].
    DropMidBody,
    /// See [`Fault::TruncatedMp4`].
    TruncatedMp4,
    /// See [`Fault::NotMp4`].
    NotMp4,
    /// See [`Fault::SlowBody`].
    SlowBody {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
    /// See [`Fault::HangAfterReceive`].
    HangAfterReceive,
    /// See [`Fault::UnknownStatus`].
    UnknownStatus {
        /// The status string.
        status: String,
    },
    /// See [`Fault::InvalidJson`].
    InvalidJson,
}

fn five() -> u64 {
    5
}

fn yes() -> bool {
    true
}

impl From<FaultSpec> for Fault {
    fn from(s: FaultSpec) -> Fault {
        match s {
            FaultSpec::RateLimited { reset_after_secs } => Fault::RateLimited { reset_after_secs },
            FaultSpec::ServerError => Fault::ServerError,
            FaultSpec::Unavailable => Fault::Unavailable,
            FaultSpec::GatewayTimeout => Fault::GatewayTimeout,
            FaultSpec::InsufficientBalance => Fault::InsufficientBalance,
            FaultSpec::Unauthorized => Fault::Unauthorized,
            FaultSpec::MediaGone => Fault::MediaGone,
            FaultSpec::ContentPolicy { credits_refunded } => {
                Fault::ContentPolicy { credits_refunded }
            }
            FaultSpec::Status {
                status,
                body,
                headers,
            } => Fault::Status {
                status,
                body: body.unwrap_or_else(|| serde_json::json!({"error": "Simulated error"})),
                headers,
            },
            FaultSpec::DropMidBody => Fault::DropMidBody,
            FaultSpec::TruncatedMp4 => Fault::TruncatedMp4,
            FaultSpec::NotMp4 => Fault::NotMp4,
            FaultSpec::SlowBody { delay_ms } => Fault::SlowBody {
                delay: Duration::from_millis(delay_ms),
            },
            FaultSpec::HangAfterReceive => Fault::HangAfterReceive,
            FaultSpec::UnknownStatus { status } => Fault::UnknownStatus(status),
            FaultSpec::InvalidJson => Fault::InvalidJson,
        }
    }
}

/// Pending faults, FIFO per endpoint.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queues: HashMap<Endpoint, VecDeque<Fault>>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, endpoint: Endpoint, fault: Fault, times: usize) {
        let q = self.queues.entry(endpoint).or_default();
        q.extend(std::iter::repeat_n(fault, times));
    }

    pub(crate) fn peek(&self, endpoint: Endpoint) -> Option<&Fault> {
        self.queues.get(&endpoint)?.front()
    }

    pub(crate) fn pop(&mut self, endpoint: Endpoint) -> Option<Fault> {
        self.queues.get_mut(&endpoint)?.pop_front()
    }

    /// Drops every fault waiting for `endpoint`; returns how many.
    pub(crate) fn clear(&mut self, endpoint: Endpoint) -> usize {
        self.queues.remove(&endpoint).map_or(0, |q| q.len())
    }

    pub(crate) fn pending(&self, endpoint: Endpoint) -> usize {
        self.queues.get(&endpoint).map_or(0, VecDeque::len)
    }
}
