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
    /// `GET /billing/usage-history`
    UsageHistory,
    /// `GET` of a `download_url` (`/_sim/download/{queue_id}`)
    Download,
}

impl Endpoint {
    /// All endpoints, in declaration order.
    pub const ALL: [Endpoint; 10] = [
        Endpoint::Models,
        Endpoint::ChatCompletions,
        Endpoint::VideoQuote,
        Endpoint::VideoQueue,
        Endpoint::VideoRetrieve,
        Endpoint::VideoComplete,
        Endpoint::BillingBalance,
        Endpoint::RateLimits,
        Endpoint::UsageHistory,
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
            ("GET", "/billing/usage-history") => Some(Endpoint::UsageHistory),
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
            Endpoint::UsageHistory => "usage_history",
            Endpoint::Download => "download",
        }
    }
}

/// Strings longer than this are shortened in `/_sim/requests` (unless `?full=1`).
pub const LONG_STRING: usize = 1024;

/// A copy of `v` with long strings replaced by `"<first 64 chars>… (N chars, sha256 <16 hex>)"`.
fn shorten(v: &Value) -> Value {
    match v {
        Value::String(s) if s.len() > LONG_STRING => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(s.as_bytes());
            let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let head: String = s.chars().take(64).collect();
            Value::String(format!(
                "{head}… ({} chars, sha256 {hex})",
                s.chars().count()
            ))
        }
        Value::Array(items) => Value::Array(items.iter().map(shorten).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shorten(v))).collect())
        }
        other => other.clone(),
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
    /// JSON form for `GET /_sim/requests`; `at_ms` is milliseconds since the sim started. Unless
    /// `full`, strings in the body longer than [`LONG_STRING`] characters (e.g. `data:` URLs) are
    /// shortened to their first 64 characters, their length and a SHA-256 prefix.
    pub(crate) fn to_json(&self, started: std::time::Instant, full: bool) -> Value {
        let body = match &self.body {
            Some(b) if !full => Some(shorten(b)),
            other => other.clone(),
        };
        json!({
            "endpoint": self.endpoint.map(Endpoint::name),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": body,
            "raw_body_len": self.raw_body.len(),
            "authorization_present": self.authorization_present,
            "user_agent": self.user_agent,
            "status": self.status,
            "at_ms": self.at.saturating_duration_since(started).as_millis() as u64,
        })
    }
}
