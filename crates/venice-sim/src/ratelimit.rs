//! Per-minute request counters behind the `x-ratelimit-*-requests` headers (reported, never enforced).

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::log::Endpoint;

/// Requests per minute the sim reports for an endpoint (Venice's defaults for the video endpoints).
pub(crate) fn limit_for(endpoint: Option<Endpoint>) -> u32 {
    match endpoint {
        Some(Endpoint::VideoQueue) => 40,
        Some(Endpoint::VideoRetrieve) => 120,
        Some(Endpoint::ChatCompletions) => 100,
        _ => 500,
    }
}

/// The rate-limit headers for one response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateSnapshot {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window resets.
    pub reset_unix: u64,
}

/// Fixed one-minute windows per endpoint, opened by the first request after the last one closed.
#[derive(Debug, Default)]
pub(crate) struct RateCounters {
    windows: HashMap<Option<Endpoint>, (SystemTime, u32)>,
}

impl RateCounters {
    /// Counts one request and tells the headers to send with its answer.
    pub(crate) fn hit(&mut self, endpoint: Option<Endpoint>) -> RateSnapshot {
        let now = SystemTime::now();
        let window = self.windows.entry(endpoint).or_insert((now, 0));
        if now.duration_since(window.0).unwrap_or_default() >= Duration::from_secs(60) {
            *window = (now, 0);
        }
        window.1 = window.1.saturating_add(1);
        let limit = limit_for(endpoint);
        RateSnapshot {
            limit,
            remaining: limit.saturating_sub(window.1),
            reset_unix: unix_secs(window.0) + 60,
        }
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `YYYY-MM-DDT00:00:00.000Z` of the next UTC midnight (for `nextEpochBegins`).
pub(crate) fn next_utc_midnight_iso() -> String {
    let days = unix_secs(SystemTime::now()) / 86_400 + 1;
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T00:00:00.000Z")
}

/// Howard Hinnant's days-to-civil algorithm.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down() {
        let mut c = RateCounters::default();
        let a = c.hit(Some(Endpoint::VideoQueue));
        let b = c.hit(Some(Endpoint::VideoQueue));
        assert_eq!((a.limit, a.remaining, b.remaining), (40, 39, 38));
        assert_eq!(c.hit(Some(Endpoint::VideoRetrieve)).remaining, 119);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }
}
