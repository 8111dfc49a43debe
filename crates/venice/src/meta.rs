//! Response metadata read from Venice's headers on every answer, success or error.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// A decoded answer plus what its headers said.
#[derive(Clone, Debug)]
pub struct ApiResponse<T> {
    pub value: T,
    pub meta: ResponseMeta,
}

/// What Venice's headers said about this request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResponseMeta {
    /// `CF-RAY`: quote it in bug reports.
    pub request_id: Option<String>,
    pub rate_limit: RateLimitHeaders,
    pub balance: BalanceHeaders,
    /// `x-venice-model-deprecation-warning`.
    pub deprecation_warning: Option<String>,
    /// `x-venice-model-deprecation-date`.
    pub deprecation_date: Option<String>,
    /// `retry-after`, as a delay from when the answer arrived.
    pub retry_after: Option<Duration>,
}

/// `x-ratelimit-*` headers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimitHeaders {
    pub limit_requests: Option<u64>,
    pub remaining_requests: Option<u64>,
    /// `x-ratelimit-reset-requests`: unix time (seconds) when the request window resets.
    pub reset_requests_unix: Option<u64>,
    pub limit_tokens: Option<u64>,
    pub remaining_tokens: Option<u64>,
    /// `x-ratelimit-reset-tokens`: seconds until the token window resets.
    pub reset_tokens_secs: Option<f64>,
}

/// `x-venice-balance-*` headers (balance before the request).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BalanceHeaders {
    pub usd: Option<f64>,
    pub diem: Option<f64>,
}

fn text<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn num<T: std::str::FromStr>(h: &HeaderMap, name: &str) -> Option<T> {
    text(h, name).and_then(|s| s.parse().ok())
}

/// Parses `retry-after`: either delay seconds or an HTTP date.
fn retry_after(h: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let raw = text(h, "retry-after")?;
    if let Ok(secs) = raw.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(raw).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

impl ResponseMeta {
    /// Reads every header the client cares about. Missing or malformed headers are `None`.
    pub fn from_headers(h: &HeaderMap, now: SystemTime) -> Self {
        ResponseMeta {
            request_id: text(h, "cf-ray").map(str::to_owned),
            rate_limit: RateLimitHeaders {
                limit_requests: num(h, "x-ratelimit-limit-requests"),
                remaining_requests: num(h, "x-ratelimit-remaining-requests"),
                reset_requests_unix: num::<f64>(h, "x-ratelimit-reset-requests")
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .map(|v| v.ceil() as u64),
                limit_tokens: num(h, "x-ratelimit-limit-tokens"),
                remaining_tokens: num(h, "x-ratelimit-remaining-tokens"),
                reset_tokens_secs: num::<f64>(h, "x-ratelimit-reset-tokens")
                    .filter(|v| v.is_finite() && *v >= 0.0),
            },
            balance: BalanceHeaders {
                usd: num(h, "x-venice-balance-usd"),
                diem: num(h, "x-venice-balance-diem"),
            },
            deprecation_warning: text(h, "x-venice-model-deprecation-warning").map(str::to_owned),
            deprecation_date: text(h, "x-venice-model-deprecation-date").map(str::to_owned),
            retry_after: retry_after(h, now),
        }
    }

    /// How long to wait before retrying after a 429, from (in order) `retry-after`,
    /// `x-ratelimit-reset-requests` (unix time) and `x-ratelimit-reset-tokens` (seconds).
    /// `None` when no header says.
    pub fn rate_limit_delay(&self, now: SystemTime) -> Option<Duration> {
        if let Some(d) = self.retry_after {
            return Some(d);
        }
        if let Some(reset) = self.rate_limit.reset_requests_unix {
            let now_secs = now
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs_f64();
            // Small values are a relative delay in seconds, not a unix time.
            let delay = if reset < 1_000_000_000 {
                reset as f64
            } else {
                (reset as f64 - now_secs).max(0.0)
            };
            return Some(Duration::from_secs_f64(delay));
        }
        self.rate_limit
            .reset_tokens_secs
            .map(Duration::from_secs_f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(*k), HeaderValue::from_str(v)) {
                h.insert(k, v);
            }
        }
        h
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn parses_all_headers() {
        let h = headers(&[
            ("CF-RAY", "8f1e2d3c4b5a6978-AMS"),
            ("x-ratelimit-limit-requests", "40"),
            ("x-ratelimit-remaining-requests", "39"),
            ("x-ratelimit-reset-requests", "1790000060"),
            ("x-ratelimit-limit-tokens", "1000000"),
            ("x-ratelimit-remaining-tokens", "999000"),
            ("x-ratelimit-reset-tokens", "12.5"),
            ("x-venice-balance-usd", "25.10"),
            ("x-venice-balance-diem", "90.5"),
            (
                "x-venice-model-deprecation-warning",
                "sora-2 goes away on 2026-09-24",
            ),
        ]);
        let m = ResponseMeta::from_headers(&h, at(1_790_000_000));
        assert_eq!(m.request_id.as_deref(), Some("8f1e2d3c4b5a6978-AMS"));
        assert_eq!(m.rate_limit.limit_requests, Some(40));
        assert_eq!(m.rate_limit.remaining_requests, Some(39));
        assert_eq!(m.rate_limit.reset_requests_unix, Some(1_790_000_060));
        assert_eq!(m.rate_limit.limit_tokens, Some(1_000_000));
        assert_eq!(m.rate_limit.remaining_tokens, Some(999_000));
        assert_eq!(m.rate_limit.reset_tokens_secs, Some(12.5));
        assert_eq!(m.balance.usd, Some(25.10));
        assert_eq!(m.balance.diem, Some(90.5));
        assert!(m.deprecation_warning.is_some());
        assert_eq!(m.retry_after, None);
        assert_eq!(
            m.rate_limit_delay(at(1_790_000_000)),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn garbage_headers_are_none_not_panics() {
        let h = headers(&[
            ("x-ratelimit-remaining-requests", "lots"),
            ("x-venice-balance-usd", "NaN-ish"),
            ("x-ratelimit-reset-tokens", "-3"),
            ("retry-after", "soon"),
        ]);
        let m = ResponseMeta::from_headers(&h, at(0));
        assert_eq!(m, ResponseMeta::default());
        assert_eq!(m.rate_limit_delay(at(0)), None);
    }

    #[test]
    fn retry_after_wins_then_reset_requests_then_tokens() {
        let now = at(1_790_000_000);
        let h = headers(&[
            ("retry-after", "7"),
            ("x-ratelimit-reset-requests", "1790000030"),
        ]);
        assert_eq!(
            ResponseMeta::from_headers(&h, now).rate_limit_delay(now),
            Some(Duration::from_secs(7))
        );

        let h = headers(&[("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT")]);
        let date = httpdate::parse_http_date("Wed, 21 Oct 2026 07:28:00 GMT").unwrap_or(now);
        let before = date - Duration::from_secs(20);
        assert_eq!(
            ResponseMeta::from_headers(&h, before).retry_after,
            Some(Duration::from_secs(20))
        );

        let h = headers(&[("x-ratelimit-reset-requests", "1789999990")]); // already past
        assert_eq!(
            ResponseMeta::from_headers(&h, now).rate_limit_delay(now),
            Some(Duration::ZERO)
        );

        let h = headers(&[("x-ratelimit-reset-tokens", "3")]);
        assert_eq!(
            ResponseMeta::from_headers(&h, now).rate_limit_delay(now),
            Some(Duration::from_secs(3))
        );
    }
}
