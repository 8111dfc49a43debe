//! Client configuration and the API key, which never prints itself.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// Venice's production API root.
pub const DEFAULT_BASE_URL: &str = "https://api.venice.ai/api/v1";

/// A Venice API key. `Debug` and `Display` print `ApiKey(****)`; only the client reads the
/// value, to put it in the `Authorization` header.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key string. Surrounding whitespace (a pasted newline) is trimmed.
    pub fn new(key: impl Into<String>) -> Self {
        let key: String = key.into();
        let trimmed = key.trim();
        if trimmed.len() == key.len() {
            ApiKey(SecretString::from(key))
        } else {
            ApiKey(SecretString::from(trimmed.to_owned()))
        }
    }

    /// The key itself. Only for building the request header; never log it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// True when the key is empty.
    pub fn is_empty(&self) -> bool {
        self.0.expose_secret().is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(****)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(****)")
    }
}

/// How the client talks to Venice. Build with [`ClientConfig::new`] or [`ClientConfig::from_env`].
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub(crate) api_key: ApiKey,
    pub(crate) base_url: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) download_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) validate_requests: bool,
}

impl ClientConfig {
    /// Defaults: production base URL, 10 s connect, 60 s per JSON request, 15 min per video
    /// download, user agent `venice-studio/<version>`, request validation on.
    pub fn new(api_key: ApiKey) -> Self {
        ClientConfig {
            api_key,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            download_timeout: Duration::from_secs(15 * 60),
            user_agent: format!("venice-studio/{}", env!("CARGO_PKG_VERSION")),
            validate_requests: true,
        }
    }

    /// Reads `VENICE_API_KEY` (required) and `VENICE_BASE_URL` (optional).
    pub fn from_env() -> Result<Self, crate::Error> {
        let key = std::env::var("VENICE_API_KEY").unwrap_or_default();
        let key = ApiKey::new(key);
        if key.is_empty() {
            return Err(crate::Error::MissingApiKey);
        }
        let mut cfg = ClientConfig::new(key);
        if let Ok(url) = std::env::var("VENICE_BASE_URL")
            && !url.trim().is_empty()
        {
            cfg = cfg.base_url(url.trim());
        }
        Ok(cfg)
    }

    /// API root, e.g. `http://127.0.0.1:4010/api/v1` for the local simulator.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Time allowed to open a connection.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time allowed for a whole JSON request (send, wait, read the answer).
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// Time allowed for a whole video download (retrieve of a finished job, or `download_url`).
    pub fn download_timeout(mut self, d: Duration) -> Self {
        self.download_timeout = d;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Turn off the client-side check of quote/queue requests against the model catalogue.
    /// Only for tests that want to see the server's own refusal; the studio leaves it on.
    pub fn validate_requests(mut self, on: bool) -> Self {
        self.validate_requests = on;
        self
    }

    /// The configured API root.
    pub fn base_url_str(&self) -> &str {
        &self.base_url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_is_redacted() {
        let key = ApiKey::new("sk-very-secret-123");
        assert_eq!(format!("{key:?}"), "ApiKey(****)");
        assert_eq!(format!("{key}"), "ApiKey(****)");
        let cfg = ClientConfig::new(key.clone());
        assert!(!format!("{cfg:?}").contains("very-secret"));
        assert_eq!(key.expose_secret(), "sk-very-secret-123");
    }

    #[test]
    fn api_key_trims_pasted_whitespace() {
        assert_eq!(ApiKey::new("  sk-1\n").expose_secret(), "sk-1");
        assert!(ApiKey::new(" ").is_empty());
    }

    #[test]
    fn defaults() {
        let cfg = ClientConfig::new(ApiKey::new("k")).base_url("http://x/api/v1/");
        assert_eq!(cfg.base_url_str(), "http://x/api/v1");
        assert!(cfg.user_agent.starts_with("venice-studio/"));
        assert!(cfg.validate_requests);
    }
}
