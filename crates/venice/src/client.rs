//! The HTTP client: one place that sends a request, logs it (never its headers) and turns the
//! answer into a typed value or an [`Error`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::{Method, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::RwLock;

use crate::catalogue::ModelCatalogue;
use crate::config::{ApiKey, ClientConfig};
use crate::error::{ApiError, Error, Operation};
use crate::meta::{ApiResponse, ResponseMeta};
use crate::resources::{ApiKeys, Billing, Chat, Models};
use crate::types::models::ModelType;
use crate::video::Video;

/// The Venice client. Cheap to clone (an `Arc` inside); clones share connections and the
/// model catalogue.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub base_url: String,
    pub api_key: ApiKey,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub download_timeout: Duration,
    pub validate_requests: bool,
    pub catalogue: RwLock<Option<Arc<ModelCatalogue>>>,
}

/// Whether `url` names this machine (a test double or a local proxy).
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &self.inner.api_key)
            .field("validate_requests", &self.inner.validate_requests)
            .finish_non_exhaustive()
    }
}

/// A request that was sent and answered with a success status.
pub(crate) struct Answered {
    pub response: Response,
    pub meta: ResponseMeta,
}

impl Client {
    /// Builds a client. Fails on an empty key or an unusable base URL.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        if config.api_key.is_empty() {
            return Err(Error::MissingApiKey);
        }
        let parsed = url::Url::parse(&config.base_url).map_err(|e| {
            Error::Config(format!("base URL `{}` is not a URL ({e})", config.base_url))
        })?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(Error::Config(format!(
                "base URL `{}` must be http(s)",
                config.base_url
            )));
        }
        // The key goes in every request's header: never in clear text over the network.
        if parsed.scheme() == "http" && !is_loopback(&parsed) {
            return Err(Error::Config(format!(
                "base URL `{}` would send the API key unencrypted; use https (plain http only \
                 to this machine: 127.0.0.1, ::1 or localhost)",
                config.base_url
            )));
        }
        if reqwest::header::HeaderValue::from_str(&format!(
            "Bearer {}",
            config.api_key.expose_secret()
        ))
        .is_err()
        {
            return Err(Error::Config(
                "the API key contains characters that cannot be sent in a header".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| Error::Config(format!("could not set up HTTP ({e})")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: config.base_url,
                api_key: config.api_key,
                connect_timeout: config.connect_timeout,
                request_timeout: config.request_timeout,
                download_timeout: config.download_timeout,
                validate_requests: config.validate_requests,
                catalogue: RwLock::new(None),
            }),
        })
    }

    /// Hands the client a catalogue (e.g. loaded from the disk cache) to check requests with.
    pub fn with_catalogue(self, catalogue: ModelCatalogue) -> Client {
        self.set_catalogue(catalogue);
        self
    }

    /// Replaces the catalogue used to check requests (shared by all clones).
    pub fn set_catalogue(&self, catalogue: ModelCatalogue) {
        *self
            .inner
            .catalogue
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(catalogue));
    }

    /// The catalogue in use, if one was set or fetched.
    pub fn catalogue(&self) -> Option<Arc<ModelCatalogue>> {
        self.inner
            .catalogue
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Fetches `GET /models?type=video`, keeps it as the client's catalogue and returns it.
    pub async fn refresh_catalogue(&self) -> Result<Arc<ModelCatalogue>, Error> {
        let list = self.models().list(ModelType::Video).await?;
        let cat = Arc::new(ModelCatalogue::from_list(&list.value));
        *self
            .inner
            .catalogue
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(cat.clone());
        Ok(cat)
    }

    /// The catalogue to validate with: the one set, else fetched once. `None` when validation
    /// is switched off.
    pub(crate) async fn catalogue_for_validation(
        &self,
    ) -> Result<Option<Arc<ModelCatalogue>>, Error> {
        if !self.inner.validate_requests {
            return Ok(None);
        }
        if let Some(c) = self.catalogue() {
            return Ok(Some(c));
        }
        self.refresh_catalogue().await.map(Some)
    }

    pub fn models(&self) -> Models<'_> {
        Models { client: self }
    }
    pub fn chat(&self) -> Chat<'_> {
        Chat { client: self }
    }
    pub fn video(&self) -> Video<'_> {
        Video { client: self }
    }
    pub fn billing(&self) -> Billing<'_> {
        Billing { client: self }
    }
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys { client: self }
    }

    /// The configured API root.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.inner.base_url, path)
    }

    /// Whether an absolute URL points at the same origin as the API (so it may see the key).
    pub(crate) fn same_origin(&self, url: &url::Url) -> bool {
        url::Url::parse(&self.inner.base_url).is_ok_and(|b| b.origin() == url.origin())
    }

    /// Sends a request to `path` (or the absolute `url`), returns the answer when its status
    /// is a success, or the decoded error.
    pub(crate) async fn send(
        &self,
        op: Operation,
        method: Method,
        target: Target<'_>,
        body: Option<Vec<u8>>,
        timeouts: Timeouts,
    ) -> Result<Answered, Error> {
        let (url, with_key, log_path) = match target {
            Target::Path(p) => (self.url(p), true, p.to_owned()),
            Target::Absolute(u) => (u.to_string(), self.same_origin(u), u.path().to_owned()),
        };
        let mut req = self
            .inner
            .http
            .request(method.clone(), &url)
            .timeout(timeouts.whole);
        if with_key {
            req = req.bearer_auth(self.inner.api_key.expose_secret());
        }
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b);
        }
        let started = std::time::Instant::now();
        let response = match tokio::time::timeout(timeouts.answer, req.send()).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                tracing::warn!(method = %method, path = %log_path, elapsed_ms = started.elapsed().as_millis() as u64, error = %transport_kind(&e), "Venice request failed before an answer");
                return Err(transport_error(op, &e));
            }
            Err(_) => {
                tracing::warn!(method = %method, path = %log_path, elapsed_ms = started.elapsed().as_millis() as u64, "Venice request timed out before an answer");
                return Err(timed_out(op));
            }
        };
        let status = response.status();
        let meta = ResponseMeta::from_headers(response.headers(), SystemTime::now());
        let elapsed_ms = started.elapsed().as_millis() as u64;
        if status.is_success() {
            tracing::debug!(method = %method, path = %log_path, status = status.as_u16(), request_id = meta.request_id.as_deref(), elapsed_ms, "Venice request");
            if let Some(w) = &meta.deprecation_warning {
                tracing::warn!(path = %log_path, warning = %w, "Venice model deprecation warning");
            }
            return Ok(Answered { response, meta });
        }
        tracing::warn!(method = %method, path = %log_path, status = status.as_u16(), request_id = meta.request_id.as_deref(), elapsed_ms, "Venice request answered with an error");
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) if op == Operation::VideoQueue && is_queue_gateway(status.as_u16()) => {
                return Err(outcome_unknown(status.as_u16(), &e.to_string(), &meta));
            }
            Err(_) => bytes::Bytes::new(),
        };
        let err = ApiError::from_response(op, status.as_u16(), &body, meta, SystemTime::now());
        // A gateway that gave up may have passed the queue call on: the job may exist.
        if op == Operation::VideoQueue && is_queue_gateway(err.status) {
            return Err(Error::OutcomeUnknown {
                detail: format!(
                    "Venice answered {} (an error on its side) after the request reached it",
                    err.status
                ),
                status: Some(err.status),
                request_id: err.meta.request_id.clone(),
            });
        }
        Err(err.into())
    }

    /// Sends JSON, decodes JSON.
    pub(crate) async fn json<B: Serialize, T: DeserializeOwned>(
        &self,
        op: Operation,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<ApiResponse<T>, Error> {
        let body = match body {
            Some(b) => Some(
                serde_json::to_vec(b)
                    .map_err(|e| Error::Config(format!("could not encode the request ({e})")))?,
            ),
            None => None,
        };
        let answered = self
            .send(op, method, Target::Path(path), body, self.json_timeouts())
            .await?;
        decode_json(op, answered).await
    }
}

/// Timeouts for one request, so a hung JSON answer gives up quickly while a video body may take
/// long: `answer` until the status and headers arrive, `whole` for everything including the body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    pub answer: Duration,
    pub whole: Duration,
}

impl Client {
    /// A JSON call: the request timeout for all of it.
    pub(crate) fn json_timeouts(&self) -> Timeouts {
        Timeouts {
            answer: self.inner.request_timeout,
            whole: self.inner.request_timeout,
        }
    }

    /// A call whose answer may be a video: the request timeout until the answer starts, then the
    /// download timeout for the body (a JSON body is read under the request timeout by the caller).
    pub(crate) fn media_timeouts(&self) -> Timeouts {
        Timeouts {
            answer: self.inner.request_timeout,
            whole: self.inner.download_timeout,
        }
    }

    /// How long a JSON call may take.
    pub fn request_timeout(&self) -> Duration {
        self.inner.request_timeout
    }

    /// How long connecting may take.
    pub fn connect_timeout(&self) -> Duration {
        self.inner.connect_timeout
    }
}

/// Reads and decodes a success body as JSON.
pub(crate) async fn decode_json<T: DeserializeOwned>(
    op: Operation,
    a: Answered,
) -> Result<ApiResponse<T>, Error> {
    let Answered { response, meta } = a;
    let bytes = match response.bytes().await {
        Ok(b) => b,
        Err(e) if op == Operation::VideoQueue => {
            return Err(outcome_unknown(200, &transport_kind(&e), &meta));
        }
        Err(e) => return Err(transport_error(op, &e)),
    };
    match serde_json::from_slice::<T>(&bytes) {
        Ok(value) => Ok(ApiResponse { value, meta }),
        Err(e) if op == Operation::VideoQueue => Err(outcome_unknown(
            200,
            &format!("unreadable answer: {e}"),
            &meta,
        )),
        Err(e) => Err(Error::InvalidResponse {
            operation: op,
            detail: e.to_string(),
            request_id: meta.request_id,
        }),
    }
}

/// Where a request goes.
pub(crate) enum Target<'a> {
    Path(&'a str),
    Absolute(&'a url::Url),
}

/// A 5xx answer to a queue call does not prove Venice refused the job (it may have been created
/// and charged before the error): only a 4xx refusal does.
fn is_queue_gateway(status: u16) -> bool {
    status >= 500
}

/// No answer within the time allowed. A queue call may have reached Venice.
pub(crate) fn timed_out(op: Operation) -> Error {
    if op == Operation::VideoQueue {
        return Error::OutcomeUnknown {
            detail: "no answer to the queue call: timed out".into(),
            status: None,
            request_id: None,
        };
    }
    Error::Connection {
        operation: op,
        timed_out: true,
        detail: "timed out".into(),
    }
}

fn outcome_unknown(status: u16, detail: &str, meta: &ResponseMeta) -> Error {
    Error::OutcomeUnknown {
        detail: format!("the answer (status {status}) broke off: {detail}"),
        status: Some(status),
        request_id: meta.request_id.clone(),
    }
}

/// A short description of a transport failure, without URLs.
pub(crate) fn transport_kind(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else if e.is_body() || e.is_decode() {
        "the answer broke off".into()
    } else {
        "the connection failed".into()
    }
}

/// Maps a failure before any answer. A queue call that may have reached Venice (anything but
/// a failed connect) is `OutcomeUnknown`: it is never resent.
pub(crate) fn transport_error(op: Operation, e: &reqwest::Error) -> Error {
    let detail = transport_kind(e);
    if op == Operation::VideoQueue && !e.is_connect() {
        return Error::OutcomeUnknown {
            detail: format!("no answer to the queue call: {detail}"),
            status: None,
            request_id: None,
        };
    }
    Error::Connection {
        operation: op,
        timed_out: e.is_timeout(),
        detail,
    }
}
