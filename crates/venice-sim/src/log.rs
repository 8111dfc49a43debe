//! The request log: `Endpoint`, `RecordedRequest` (never the key itself) and its JSON form for `/_sim/requests`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The Venice endpoints the sim serves (faults and counts are kept per endpoint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET /models`
    Models,
    /// `POST /chat/completions`
    ChatCompletions,
    /// `POST /video/quote`
    VideoQuote,
    /// `POST /video/queue`
    VideoQueue,
    /// `POST /video/retrieve`
    VideoRetrieve,
    /// `POST /video/complete`
    VideoComplete,
    /// `GET /billing/balance`
    BillingBalance,
    /// `GET /api_keys/rate_limits`
    RateLimits,
    /// `GET` of a `download_url` (`/_sim/download/{queue_id}`)
    Download,
}

impl Endpoint {
    /// All endpoints, in declaration order.
    pub const ALL: [Endpoint; 9] = [
        Endpoint::Models,
        Endpoint::ChatCompletions,
        Endpoint::VideoQuote,
        Endpoint::VideoQueue,
        Endpoint::VideoRetrieve,
        Endpoint::VideoComplete,
        Endpoint::BillingBalance,
        Endpoint::RateLimits,
        Endpoint::Download,
    ];

    /// Which endpoint a method + path addresses (`None` for anything else).
    pub fn route(method: &str, path: &str) -> Option<Endpoint> {
        let path = path.trim_end_matches('/');
        if let Some(rest) = path.strip_prefix("/_sim/download/") {
            return (method == "GET" && !rest.is_empty() && !rest.contains('/'))
                .then_some(Endpoint::Download);
        }
        let rest = path.strip_prefix("/api/v1")?;
        match (method, rest) {
            ("GET", "/models") => Some(Endpoint::Models),
            ("POST", "/chat/completions") => Some(Endpoint::ChatCompletions),
            ("POST", "/video/quote") => Some(Endpoint::VideoQuote),
            ("POST", "/video/queue") => Some(Endpoint::VideoQueue),
            ("POST", "/video/retrieve") => Some(Endpoint::VideoRetrieve),
            ("POST", "/video/complete") => Some(Endpoint::VideoComplete),
            ("GET", "/billing/balance") => Some(Endpoint::BillingBalance),
            ("GET", "/api_keys/rate_limits") => Some(Endpoint::RateLimits),
            _ => None,
        }
    }

    /// The snake_case name used by the control API (`"video_queue"`).
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Models => "models",
            Endpoint::ChatCompletions => "chat_completions",
            Endpoint::VideoQuote => "video_quote",
            Endpoint::VideoQueue => "video_queue",
            Endpoint::VideoRetrieve => "video_retrieve",
            Endpoint::VideoComplete => "video_complete",
            Endpoint::BillingBalance => "billing_balance",
            Endpoint::RateLimits => "rate_limits",
            Endpoint::Download => "download",
        }
    }
}

/// One request as the sim saw it. The `Authorization` value is never stored, only whether it was there.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// The endpoint, or `None` for an unknown route.
    pub endpoint: Option<Endpoint>,
    /// HTTP method (`"POST"`).
    pub method: String,
    /// Path without the query (`"/api/v1/video/queue"`).
    pub path: String,
    /// The raw query string, if any (`"type=video"`).
    pub query: Option<String>,
    /// The parsed JSON body when the body was JSON.
    pub body: Option<Value>,
    /// Exactly the bytes sent.
    pub raw_body: Vec<u8>,
    /// Whether an `Authorization` header was sent (its value is never kept).
    pub authorization_present: bool,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// What the sim answered; 0 if it never answered completely (hang, dropped connection).
    pub status: u16,
    /// When the request arrived.
    pub at: std::time::Instant,
}

impl RecordedRequest {
    /// JSON form for `GET /_sim/requests`; `at_ms` is milliseconds since the sim started.
    pub(crate) fn to_json(&self, started: std::time::Instant) -> Value {
        json!({
            "endpoint": self.endpoint.map(Endpoint::name),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": self.body,
            "raw_body_len": self.raw_body.len(),
            "authorization_present": self.authorization_present,
            "user_agent": self.user_agent,
            "status": self.status,
            "at_ms": self.at.saturating_duration_since(started).as_millis() as u64,
        })
    }
}
