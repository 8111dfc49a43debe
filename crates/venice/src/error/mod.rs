//! The one error type: what went wrong, what Venice said, and what to do about it.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::catalogue::ConstraintError;
use crate::meta::ResponseMeta;
use crate::mp4::Mp4Error;

/// Which call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    ListModels,
    ChatCompletion,
    VideoQuote,
    VideoQueue,
    VideoRetrieve,
    VideoDownload,
    VideoComplete,
    BillingBalance,
    RateLimits,
    UsageHistory,
}

impl Operation {
    /// Human words for messages ("queueing the video").
    pub fn describe(self) -> &'static str {
        match self {
            Operation::ListModels => "listing models",
            Operation::ChatCompletion => "writing the prompt with a text model",
            Operation::VideoQuote => "getting a price quote",
            Operation::VideoQueue => "queueing the video",
            Operation::VideoRetrieve => "fetching the video",
            Operation::VideoDownload => "downloading the video",
            Operation::VideoComplete => "telling Venice the video was saved",
            Operation::BillingBalance => "checking the balance",
            Operation::RateLimits => "checking the key's limits",
            Operation::UsageHistory => "reading the account's usage history",
        }
    }

    /// Calls about media that already exists: a 404 there means it is gone for good.
    fn is_media(self) -> bool {
        matches!(
            self,
            Operation::VideoRetrieve | Operation::VideoComplete | Operation::VideoDownload
        )
    }
}

/// What a caller should do with an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// Wait this long, then try again (429).
    RetryAfter(Duration),
    /// Try again later with exponential backoff (5xx, connection trouble, broken download).
    RetryWithBackoff,
    /// Only the user can fix this.
    NeedsUser(UserAction),
    /// Trying again will not help.
    Permanent,
    /// A video queue call may have been received and charged: never resend it automatically.
    OutcomeUnknown,
}

/// The user's next step for [`ErrorClass::NeedsUser`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAction {
    FixApiKey,
    TopUpBalance,
    RegionBlocked,
    GiveConsent,
    ReduceSize,
    ChangePrompt,
    ChangeRequest,
}

/// Venice answered with an HTTP error status.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub operation: Operation,
    pub status: u16,
    /// Venice's own message (`error` as a string, or `error.message`).
    pub message: Option<String>,
    /// `error.type`, e.g. `provider_content_policy`.
    pub error_type: Option<String>,
    /// `code` (413 `PAYLOAD_TOO_LARGE`) or `error.code` (409 `needs_consent`).
    pub code: Option<String>,
    /// 400 `details` (which field was wrong).
    pub details: Option<Value>,
    /// 422 on queue: a prompt the provider would accept.
    pub suggested_prompt: Option<String>,
    /// 422 on retrieve: a model to try instead.
    pub recommended_model: Option<String>,
    /// 422: whether the money came back.
    pub credits_refunded: Option<bool>,
    pub meta: ResponseMeta,
    /// For 429: how long the headers say to wait.
    pub retry_after: Option<Duration>,
}

fn string_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl ApiError {
    /// Builds the error from an error answer's status, body and headers. Accepts
    /// `{"error":"msg"}`, `{"error":{"message",...}}`, extra fields, or a non-JSON body.
    pub fn from_response(
        operation: Operation,
        status: u16,
        body: &[u8],
        meta: ResponseMeta,
        now: SystemTime,
    ) -> ApiError {
        let retry_after = if status == 429 {
            meta.rate_limit_delay(now)
        } else {
            None
        };
        let mut e = ApiError {
            operation,
            status,
            message: None,
            error_type: None,
            code: None,
            details: None,
            suggested_prompt: None,
            recommended_model: None,
            credits_refunded: None,
            meta,
            retry_after,
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(v) if v.is_object() => {
                match v.get("error") {
                    Some(Value::String(s)) => e.message = Some(s.clone()),
                    Some(inner @ Value::Object(_)) => {
                        e.message = string_at(inner, "message");
                        e.error_type = string_at(inner, "type");
                        e.code = string_at(inner, "code");
                        e.recommended_model = string_at(inner, "recommended_model");
                        e.credits_refunded = inner.get("credits_refunded").and_then(Value::as_bool);
                    }
                    _ => {}
                }
                e.message = e.message.or_else(|| string_at(&v, "message"));
                e.code = e.code.or_else(|| string_at(&v, "code"));
                e.details = v.get("details").or_else(|| v.get("issues")).cloned();
                e.suggested_prompt = string_at(&v, "suggested_prompt");
                e.recommended_model = e
                    .recommended_model
                    .or_else(|| string_at(&v, "recommended_model"));
                e.credits_refunded = e
                    .credits_refunded
                    .or_else(|| v.get("credits_refunded").and_then(Value::as_bool));
            }
            Ok(_) => {}
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                if !text.is_empty() && !text.starts_with('<') {
                    e.message = Some(text.chars().take(300).collect());
                }
            }
        }
        e
    }

    /// What the caller should do.
    pub fn class(&self) -> ErrorClass {
        match self.status {
            429 => match self.retry_after {
                Some(d) => ErrorClass::RetryAfter(d),
                None => ErrorClass::RetryWithBackoff,
            },
            500 | 502 | 503 | 504 => ErrorClass::RetryWithBackoff,
            401 => ErrorClass::NeedsUser(UserAction::FixApiKey),
            402 => ErrorClass::NeedsUser(UserAction::TopUpBalance),
            403 => ErrorClass::NeedsUser(UserAction::RegionBlocked),
            409 => ErrorClass::NeedsUser(UserAction::GiveConsent),
            413 => ErrorClass::NeedsUser(UserAction::ReduceSize),
            422 => ErrorClass::NeedsUser(UserAction::ChangePrompt),
            404 if self.operation.is_media() => ErrorClass::Permanent,
            400 | 404 | 415 => ErrorClass::NeedsUser(UserAction::ChangeRequest),
            _ => ErrorClass::Permanent,
        }
    }

    fn venice_says(&self) -> String {
        match &self.message {
            Some(m) => format!(": \"{}\"", m.trim_end_matches('.')),
            None => String::new(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.status;
        let says = self.venice_says();
        let op = self.operation.describe();
        match s {
            400 if self.operation == Operation::UsageHistory => write!(
                f,
                "Venice refused the usage-history request ({s}){says}. A page cursor that expired \
                 or was refused means starting again from the first page; try again."
            ),
            400 => {
                write!(
                    f,
                    "Venice refused the request as invalid while {op} ({s}){says}."
                )?;
                if let Some(d) = &self.details {
                    write!(f, " Details: {d}.")?;
                }
                write!(
                    f,
                    " Change the model settings (duration, resolution, aspect ratio, prompt) and try again."
                )
            }
            401 => write!(
                f,
                "Venice says the API key was rejected ({s}){says}. Check the key in Settings or with `studio key set` (some models also need a Pro account)."
            ),
            402 => write!(
                f,
                "Venice says the balance is too low ({s}){says}. Top up at https://venice.ai/settings/api or raise this key's spend limit, then try again."
            ),
            403 => write!(
                f,
                "Venice says this model is not available in your region ({s}){says}. Pick another model."
            ),
            404 if self.operation.is_media() => write!(
                f,
                "Venice no longer has this video ({s}){says}. It expired or was deleted; queue it again if you still need it."
            ),
            404 => write!(
                f,
                "Venice could not find what was asked for while {op} ({s}){says}. The model may have been retired; refresh the model list and pick another."
            ),
            409 => write!(
                f,
                "Venice needs your consent before this model can take the request ({s}){says}. Review and accept the provider's terms, then queue again."
            ),
            413 => {
                let code = self
                    .code
                    .as_deref()
                    .map(|c| format!(" [{c}]"))
                    .unwrap_or_default();
                write!(
                    f,
                    "The request is too large for Venice ({s}){code}{says}. Use a smaller image or shorter input (Venice caps JSON bodies at 35 MB)."
                )
            }
            415 => write!(
                f,
                "Venice cannot read the media type that was sent ({s}){says}. Use a PNG/JPEG image or an MP4 video."
            ),
            422 => {
                write!(
                    f,
                    "Venice refused the prompt under the content policy ({s}){says}."
                )?;
                match self.credits_refunded {
                    Some(true) => write!(f, " The credits were refunded.")?,
                    Some(false) => write!(f, " The credits were NOT refunded.")?,
                    None => {}
                }
                if let Some(p) = &self.suggested_prompt {
                    write!(f, " Venice suggests this prompt instead: \"{p}\".")?;
                }
                if let Some(m) = &self.recommended_model {
                    write!(f, " Venice recommends the model {m}.")?;
                }
                write!(f, " Change the prompt and try again.")
            }
            429 => {
                write!(f, "Venice is rate-limiting this key ({s}){says}.")?;
                match self.retry_after {
                    Some(d) => write!(f, " Wait {}s before trying again.", d.as_secs_f64().ceil()),
                    None => write!(f, " Wait a little before trying again."),
                }
            }
            500 => write!(
                f,
                "Venice failed while {op} ({s}){says}. This is on Venice's side; try again in a moment."
            ),
            502 | 504 => write!(
                f,
                "Venice's gateway did not get an answer in time while {op} ({s}){says}. Try again in a moment."
            ),
            503 => write!(
                f,
                "Venice is at capacity ({s}){says}. Try again in a few minutes or pick another model."
            ),
            _ => write!(f, "Venice answered {s} while {op}{says}."),
        }?;
        if let Some(id) = &self.meta.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong talking to Venice. Every message says what happened and
/// what the user can do; [`Error::class`] tells code what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Venice answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// Venice could not be reached, or stopped answering, and nothing was charged.
    #[error("Could not reach Venice while {} ({detail}). Check the internet connection; it is safe to try again.", operation.describe())]
    Connection {
        operation: Operation,
        timed_out: bool,
        detail: String,
    },

    /// A video queue call was sent but no clear answer came back: the job may exist and
    /// may have been charged. Never resent automatically.
    #[error(
        "The video request may or may not have reached Venice ({detail}); it was not sent again because every queue call costs money. Check your Venice dashboard or wait for the job before queueing again."
    )]
    OutcomeUnknown {
        detail: String,
        status: Option<u16>,
        request_id: Option<String>,
    },

    /// Venice answered 200 with a body the client could not read.
    #[error("Venice sent an answer the studio could not read while {} ({detail}). Try again; if it keeps happening, report it{}.", operation.describe(), request_id_suffix(.request_id))]
    InvalidResponse {
        operation: Operation,
        detail: String,
        request_id: Option<String>,
    },

    /// The job status was not one the studio knows.
    #[error("Venice reported a job status the studio does not know: \"{status}\". Try again later; if it persists, report it{}.", request_id_suffix(.request_id))]
    UnknownStatus {
        status: String,
        request_id: Option<String>,
    },

    /// Venice reported that the generation failed.
    #[error("Venice says the video generation failed{}. Queue it again, perhaps with another model or prompt{}.", .message.as_deref().map(|m| format!(": \"{m}\"")).unwrap_or_default(), request_id_suffix(.request_id))]
    GenerationFailed {
        message: Option<String>,
        request_id: Option<String>,
    },

    /// The video download stopped early (connection dropped, fewer bytes than announced, or
    /// too slow). No file was left behind.
    #[error("The video download from Venice was cut off after {received} bytes{}{}. Nothing was saved; try again.", .expected.map(|e| format!(" of {e}")).unwrap_or_default(), if *.timed_out { " (it took too long)" } else { "" })]
    Interrupted {
        received: u64,
        expected: Option<u64>,
        timed_out: bool,
        request_id: Option<String>,
    },

    /// The body Venice sent as the video is not an MP4 at all.
    #[error("Venice sent something that is not an MP4 video (Content-Type {}). Nothing was saved; try again later{}.", .content_type.as_deref().unwrap_or("missing"), request_id_suffix(.request_id))]
    NotMp4 {
        content_type: Option<String>,
        request_id: Option<String>,
    },

    /// The MP4 arrived but is broken (cut short or malformed). No file was left behind.
    #[error("The video Venice sent is a damaged MP4 ({reason}). Nothing was saved; try fetching it again{}.", request_id_suffix(.request_id))]
    BadMp4 {
        reason: Mp4Error,
        request_id: Option<String>,
    },

    /// The request breaks the model's constraints; it was not sent.
    #[error("{0} (Nothing was sent to Venice.)")]
    Constraint(#[from] ConstraintError),

    /// A local file could not be written or read.
    #[error("Could not {action} {}: {source}. Check free disk space and folder permissions.", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// No API key configured.
    #[error(
        "No Venice API key is set. Add one in Settings or with `studio key set` (or set VENICE_API_KEY)."
    )]
    MissingApiKey,

    /// The configuration is unusable (bad base URL, bad header value...).
    #[error("The Venice client settings are invalid: {0}.")]
    Config(String),
}

fn request_id_suffix(id: &Option<String>) -> String {
    id.as_deref()
        .map(|i| format!(" (request id {i})"))
        .unwrap_or_default()
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl Error {
    /// What a caller (or [`crate::retry::run`]) should do next.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Api(e) => e.class(),
            Error::Connection { .. }
            | Error::Interrupted { .. }
            | Error::NotMp4 { .. }
            | Error::BadMp4 { .. } => ErrorClass::RetryWithBackoff,
            Error::OutcomeUnknown { .. } => ErrorClass::OutcomeUnknown,
            Error::Constraint(c) => ErrorClass::NeedsUser(c.user_action()),
            Error::MissingApiKey => ErrorClass::NeedsUser(UserAction::FixApiKey),
            Error::InvalidResponse { .. }
            | Error::UnknownStatus { .. }
            | Error::GenerationFailed { .. }
            | Error::Io { .. }
            | Error::Config(_) => ErrorClass::Permanent,
        }
    }

    /// The HTTP status Venice answered with, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::OutcomeUnknown { status, .. } => *status,
            _ => None,
        }
    }

    /// Venice's request id (`CF-RAY`), for bug reports.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.meta.request_id.as_deref(),
            Error::OutcomeUnknown { request_id, .. }
            | Error::InvalidResponse { request_id, .. }
            | Error::UnknownStatus { request_id, .. }
            | Error::GenerationFailed { request_id, .. }
            | Error::Interrupted { request_id, .. }
            | Error::NotMp4 { request_id, .. }
            | Error::BadMp4 { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// For content-policy refusals: whether Venice refunded the credits.
    pub fn credits_refunded(&self) -> Option<bool> {
        match self {
            Error::Api(e) => e.credits_refunded,
            _ => None,
        }
    }

    /// The decoded API error, when Venice answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The headers of the error answer, when there was one.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        self.api().map(|e| &e.meta)
    }

    /// Venice's own message, when it sent one.
    pub fn venice_message(&self) -> Option<&str> {
        self.api().and_then(|e| e.message.as_deref())
    }
}

#[cfg(test)]
mod tests;
