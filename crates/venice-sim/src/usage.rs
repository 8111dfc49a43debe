//! `GET /billing/usage-history`: the sim's own charges, oldest first, in opaque cursor pages.
//!
//! Every charge (a queue, a chat completion) is recorded when it is made. With
//! [`crate::SimConfig::usage_delay`] a charge is listed only that long after it was made, like
//! usage that Venice has not finished recording. A cursor carries the walk's filters and position
//! with a keyed hash, so a changed cursor (or one from another sim) is a 400.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::Query;
use axum::http::Uri;
use serde_json::{Value, json};
use sha2::Digest;

use crate::isotime;
use crate::reply::Reply;

/// The spec's `pageSize`: default 1000, from 10 to 1000.
const PAGE_DEFAULT: usize = 1000;
const PAGE_MIN: usize = 10;
const PAGE_MAX: usize = 1000;
/// The spec's limits on a cursor and on a timestamp parameter.
const CURSOR_MAX: usize = 512;
const TIMESTAMP_MAX: usize = 40;
const CURRENCIES: &[&str] = &["USD", "DIEM", "BUNDLED_CREDITS"];

/// One charge to the account.
#[derive(Clone, Debug)]
struct Charge {
    /// Position in the log (1, 2, ...), ascending with `at_ms`.
    seq: u64,
    at_ms: i64,
    sku: String,
    usd: f64,
}

/// Every charge of one sim, in the order made.
#[derive(Debug)]
pub(crate) struct UsageLog {
    charges: Vec<Charge>,
    /// Keys the cursors' hashes.
    secret: String,
    /// How long a charge stays out of the history after it was made.
    pub delay: Duration,
}

/// What a walk asks for; carried inside its cursor.
#[derive(Clone, Debug, PartialEq)]
struct Walk {
    after_seq: u64,
    page_size: usize,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
    currency: Option<String>,
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl UsageLog {
    pub(crate) fn new(delay: Duration) -> UsageLog {
        UsageLog {
            charges: Vec::new(),
            secret: uuid::Uuid::new_v4().to_string(),
            delay,
        }
    }

    /// Records a charge of `usd` for `sku` made now.
    pub(crate) fn record(&mut self, sku: String, usd: f64) {
        let at_ms = now_ms().max(self.charges.last().map_or(0, |c| c.at_ms));
        let seq = self.charges.len() as u64 + 1;
        self.charges.push(Charge {
            seq,
            at_ms,
            sku,
            usd,
        });
    }

    /// The answer to `GET /billing/usage-history?{query}`.
    pub(crate) fn answer(&self, query: Option<&str>) -> Reply {
        let walk = match self.parse(query.unwrap_or("")) {
            Ok(walk) => walk,
            Err(reply) => return reply,
        };
        let visible_before = now_ms().saturating_sub(self.delay.as_millis() as i64);
        let mut matching = self.charges.iter().filter(|c| {
            c.seq > walk.after_seq
                && c.at_ms <= visible_before
                && walk.start_ms.is_none_or(|s| c.at_ms >= s)
                && walk.end_ms.is_none_or(|e| c.at_ms < e)
                && walk.currency.as_deref().is_none_or(|cur| cur == "USD")
        });
        let page: Vec<&Charge> = matching.by_ref().take(walk.page_size).collect();
        let next = match (page.last(), matching.next()) {
            (Some(last), Some(_)) => Value::String(self.cursor(&Walk {
                after_seq: last.seq,
                ..walk
            })),
            _ => Value::Null,
        };
        let data: Vec<Value> = page.iter().map(|c| entry(c)).collect();
        Reply::json(200, &json!({"data": data, "nextCursor": next}))
    }

    fn parse(&self, query: &str) -> Result<Walk, Reply> {
        let uri: Uri = format!("/?{query}")
            .parse()
            .map_err(|_| invalid("", "The query string could not be read"))?;
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&uri)
            .map_err(|_| invalid("", "The query string could not be read"))?;
        let mut walk = Walk {
            after_seq: 0,
            page_size: PAGE_DEFAULT,
            start_ms: None,
            end_ms: None,
            currency: None,
        };
        if let Some((_, cursor)) = pairs.iter().find(|(k, _)| k == "cursor") {
            if pairs.len() > 1 {
                return Err(invalid(
                    "cursor",
                    "A cursor carries the walk's filters: send it alone, without other parameters",
                ));
            }
            return self.open(cursor).ok_or_else(|| {
                invalid(
                    "cursor",
                    "Invalid or expired cursor; restart the walk from the first page",
                )
            });
        }
        for (key, value) in &pairs {
            match key.as_str() {
                "pageSize" => {
                    walk.page_size = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (PAGE_MIN..=PAGE_MAX).contains(n))
                        .ok_or_else(|| invalid(key, "Expected an integer from 10 to 1000"))?;
                }
                "startTimestamp" | "endTimestamp" => {
                    let ms = Some(value)
                        .filter(|v| v.len() <= TIMESTAMP_MAX)
                        .and_then(|v| isotime::parse_utc(v))
                        .ok_or_else(|| {
                            invalid(key, "Expected an ISO 8601 UTC date-time with a Z suffix")
                        })?;
                    if key == "startTimestamp" {
                        walk.start_ms = Some(ms);
                    } else {
                        walk.end_ms = Some(ms);
                    }
                }
                "currency" if CURRENCIES.contains(&value.as_str()) => {
                    walk.currency = Some(value.clone());
                }
                "currency" => {
                    return Err(invalid(key, "Expected one of USD, DIEM, BUNDLED_CREDITS"));
                }
                other => {
                    return Err(invalid(other, "Unrecognized query parameter"));
                }
            }
        }
        if let (Some(start), Some(end)) = (walk.start_ms, walk.end_ms)
            && end <= start
        {
            return Err(invalid(
                "endTimestamp",
                "endTimestamp must be later than startTimestamp",
            ));
        }
        Ok(walk)
    }

    /// `payload-hex` + `tag-hex`: the walk and a keyed hash of it.
    fn cursor(&self, walk: &Walk) -> String {
        let opt = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
        let payload = format!(
            "v1|{}|{}|{}|{}|{}",
            walk.after_seq,
            walk.page_size,
            opt(walk.start_ms),
            opt(walk.end_ms),
            walk.currency.as_deref().unwrap_or("-")
        );
        format!("{}{}", hex(payload.as_bytes()), self.tag(&payload))
    }

    fn tag(&self, payload: &str) -> String {
        let digest = sha2::Sha256::digest(format!("{}|{payload}", self.secret).as_bytes());
        hex(&digest[..8])
    }

    /// The walk a cursor carries, if it is one this sim issued, unchanged.
    fn open(&self, cursor: &str) -> Option<Walk> {
        if cursor.len() > CURSOR_MAX || cursor.len() < 16 || !cursor.is_ascii() {
            return None;
        }
        let (payload_hex, tag) = cursor.split_at(cursor.len() - 16);
        let payload = String::from_utf8(unhex(payload_hex)?).ok()?;
        if self.tag(&payload) != tag {
            return None;
        }
        let parts: Vec<&str> = payload.split('|').collect();
        let [version, after, size, start, end, currency] = parts.as_slice() else {
            return None;
        };
        let opt = |v: &str| (v != "-").then(|| v.parse::<i64>().ok()).flatten();
        (*version == "v1").then_some(())?;
        Some(Walk {
            after_seq: after.parse().ok()?,
            page_size: size.parse().ok()?,
            start_ms: opt(start),
            end_ms: opt(end),
            currency: (*currency != "-").then(|| currency.to_string()),
        })
    }
}

/// A charge as the spec's usage entry: a charge is a negative amount (as in Venice's example).
fn entry(c: &Charge) -> Value {
    json!({
        "amount": -c.usd,
        "currency": "USD",
        "inferenceDetails": null,
        "notes": "API Inference",
        "pricePerUnitUsd": c.usd,
        "sku": c.sku,
        "timestamp": isotime::format_ms(c.at_ms),
        "units": 1,
    })
}

/// Venice's DetailedError for one bad parameter.
fn invalid(field: &str, message: &str) -> Reply {
    let mut details = json!({"_errors": []});
    if field.is_empty() {
        details["_errors"] = json!([message]);
    } else {
        details[field] = json!({"_errors": [message]});
    }
    Reply::json(
        400,
        &json!({"error": "Invalid request parameters", "details": details}),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(reply: &Reply) -> Value {
        serde_json::from_slice(&reply.body).unwrap_or_default()
    }

    #[test]
    fn a_cursor_round_trips_and_a_changed_one_is_refused() {
        let log = UsageLog::new(Duration::ZERO);
        let walk = Walk {
            after_seq: 7,
            page_size: 10,
            start_ms: Some(1_000),
            end_ms: None,
            currency: Some("USD".into()),
        };
        let cursor = log.cursor(&walk);
        assert!(cursor.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(log.open(&cursor), Some(walk));
        let mut tampered = cursor.into_bytes();
        tampered[3] = if tampered[3] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).unwrap_or_default();
        assert_eq!(log.open(&tampered), None);
        assert_eq!(UsageLog::new(Duration::ZERO).open(&tampered), None);
    }

    #[test]
    fn pages_in_order_and_ends_with_a_null_cursor() {
        let mut log = UsageLog::new(Duration::ZERO);
        for i in 0..12 {
            log.record(format!("m-{i}"), 0.5);
        }
        let first = body(&log.answer(Some("pageSize=10")));
        assert_eq!(first["data"].as_array().map(Vec::len), Some(10));
        assert_eq!(first["data"][0]["sku"], "m-0");
        let cursor = first["nextCursor"].as_str().unwrap_or_default().to_string();
        let second = body(&log.answer(Some(&format!("cursor={cursor}"))));
        assert_eq!(second["data"].as_array().map(Vec::len), Some(2));
        assert_eq!(second["data"][1]["sku"], "m-11");
        assert_eq!(second["nextCursor"], Value::Null);
    }
}
