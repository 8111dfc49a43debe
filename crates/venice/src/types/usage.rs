//! `GET /billing/usage-history`: the filters of a walk, one page of it, and one charge.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::isotime;

/// The currencies usage is charged in (the `currency` filter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Currency {
    Usd,
    Diem,
    BundledCredits,
}

impl Currency {
    /// The name Venice uses (`USD`, `DIEM`, `BUNDLED_CREDITS`).
    pub fn as_str(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Diem => "DIEM",
            Currency::BundledCredits => "BUNDLED_CREDITS",
        }
    }
}

/// The filters of a walk through the usage history (first page only; later pages carry them in
/// their cursor). Everything unset is not sent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UsageFilter {
    /// Inclusive lower bound on entry timestamps.
    pub start: Option<SystemTime>,
    /// Exclusive upper bound; must be later than `start`.
    pub end: Option<SystemTime>,
    pub currency: Option<Currency>,
    /// Entries per page, 10 to 1000 (Venice's default 1000); out-of-range values are clamped.
    pub page_size: Option<u32>,
}

impl UsageFilter {
    /// Smallest and largest `pageSize` Venice takes.
    pub const PAGE_SIZE_MIN: u32 = 10;
    pub const PAGE_SIZE_MAX: u32 = 1000;

    /// Charges from `start` (inclusive) until `end` (exclusive).
    pub fn between(start: SystemTime, end: SystemTime) -> Self {
        UsageFilter {
            start: Some(start),
            end: Some(end),
            ..UsageFilter::default()
        }
    }

    /// The same filter with `pageSize` set.
    pub fn page_size(self, size: u32) -> Self {
        UsageFilter {
            page_size: Some(size),
            ..self
        }
    }

    /// The same filter with `currency` set.
    pub fn currency(self, currency: Currency) -> Self {
        UsageFilter {
            currency: Some(currency),
            ..self
        }
    }
}

/// Which page to ask for: the first page of a walk (with its filters) or the next one (the cursor
/// alone, as Venice requires).
#[derive(Clone, Debug, PartialEq)]
pub enum UsageHistoryQuery {
    First(UsageFilter),
    Next(String),
}

fn unix_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

impl UsageHistoryQuery {
    /// The query string (without `?`), form-encoded; empty for an unfiltered first page.
    pub(crate) fn to_query_string(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        match self {
            UsageHistoryQuery::Next(cursor) => {
                q.append_pair("cursor", cursor);
            }
            UsageHistoryQuery::First(f) => {
                if let Some(c) = f.currency {
                    q.append_pair("currency", c.as_str());
                }
                if let Some(end) = f.end {
                    q.append_pair("endTimestamp", &isotime::format_ms(unix_ms(end)));
                }
                if let Some(size) = f.page_size {
                    let size = size.clamp(UsageFilter::PAGE_SIZE_MIN, UsageFilter::PAGE_SIZE_MAX);
                    q.append_pair("pageSize", &size.to_string());
                }
                if let Some(start) = f.start {
                    q.append_pair("startTimestamp", &isotime::format_ms(unix_ms(start)));
                }
            }
        }
        q.finish()
    }
}

/// One page of `GET /billing/usage-history`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageHistory {
    /// Entries in ascending timestamp order.
    pub data: Vec<UsageEntry>,
    /// The cursor of the next page; `None` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// One billing usage entry (a charge).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageEntry {
    /// The amount charged, in `currency` (Venice's example writes charges as negative amounts).
    pub amount: f64,
    /// `USD`, `DIEM` or `BUNDLED_CREDITS` (kept as text: a new currency must not break a page).
    pub currency: String,
    #[serde(default)]
    pub inference_details: Option<InferenceDetails>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub price_per_unit_usd: f64,
    /// The product charged for, e.g. `zai-org-glm-5-1-llm-output-mtoken` (model id first).
    pub sku: String,
    /// When the entry was created (ISO 8601).
    pub timestamp: String,
    #[serde(default)]
    pub units: f64,
}

/// `inferenceDetails` of an entry (LLM usage; null for other kinds).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InferenceDetails {
    #[serde(default)]
    pub completion_tokens: Option<u64>,
    #[serde(default)]
    pub inference_execution_time: Option<u64>,
    #[serde(default)]
    pub prompt_tokens: Option<u64>,
    #[serde(default)]
    pub request_id: Option<String>,
}

impl UsageEntry {
    /// The entry's time in Unix milliseconds, if its timestamp is readable.
    pub fn timestamp_ms(&self) -> Option<i64> {
        isotime::parse_ms(&self.timestamp)
    }

    /// The entry's time, if its timestamp is readable.
    pub fn time(&self) -> Option<SystemTime> {
        let ms = self.timestamp_ms()?;
        let offset = Duration::from_millis(ms.unsigned_abs());
        if ms >= 0 {
            UNIX_EPOCH.checked_add(offset)
        } else {
            UNIX_EPOCH.checked_sub(offset)
        }
    }

    /// What the entry cost in USD, whatever its sign: the amount for a USD charge, else the
    /// units at their USD price.
    pub fn usd(&self) -> f64 {
        if self.currency.eq_ignore_ascii_case("USD") {
            self.amount.abs()
        } else {
            (self.price_per_unit_usd * self.units).abs()
        }
    }

    /// Whether the entry is for `model` (its SKU is the model id, or starts with it and a `-`).
    /// Venice's SKUs are the model id plus a suffix, so a model whose id is another's plus `-...`
    /// (`glm-5` and `glm-5-1`) matches the longer one's entries too: match on the price as well.
    pub fn is_for_model(&self, model: &str) -> bool {
        !model.is_empty()
            && self
                .sku
                .strip_prefix(model)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_specs_example_page() {
        let page: UsageHistory = serde_json::from_str(
            r#"{"data":[{"amount":-0.1,"currency":"DIEM","inferenceDetails":null,"notes":"API Inference","pricePerUnitUsd":0.1,"sku":"grok-imagine-image-image-unit","timestamp":"2026-06-14T19:52:45.087Z","units":1},{"amount":-0.06356,"currency":"DIEM","inferenceDetails":{"completionTokens":227,"inferenceExecutionTime":2964,"promptTokens":339,"requestId":"chatcmpl-4007fd29f42b7d3c4107f4345e8d174a"},"notes":"API Inference","pricePerUnitUsd":2.8,"sku":"zai-org-glm-5-1-llm-output-mtoken","timestamp":"2026-06-15T19:05:10.504Z","units":0.000227}],"nextCursor":"AZq3fK9tXhIVDm2j4vN8cQwYt1sB6uEoLxRgPzKaJdHfM5nC7yW0K3w"}"#,
        )
        .expect("parses");
        assert_eq!(page.data.len(), 2);
        assert_eq!(page.data[0].usd(), 0.1);
        assert_eq!(page.data[1].timestamp_ms(), Some(1_781_550_310_504));
        assert_eq!(
            page.data[1]
                .inference_details
                .as_ref()
                .and_then(|d| d.completion_tokens),
            Some(227)
        );
        assert!(page.data[1].is_for_model("zai-org-glm-5-1"));
        assert!(!page.data[1].is_for_model("zai-org-glm-5-11"));
        assert!(!page.data[1].is_for_model("org-glm-5-1"));
        assert!(!page.data[1].is_for_model(""));
        assert!(page.next_cursor.is_some());
        let last: UsageHistory =
            serde_json::from_str(r#"{"data":[],"nextCursor":null}"#).expect("parses");
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn a_continuation_sends_the_cursor_alone() {
        let start = UNIX_EPOCH + Duration::from_millis(1_782_864_000_000);
        let filter = UsageFilter::between(start, start + Duration::from_secs(60))
            .page_size(5)
            .currency(Currency::Usd);
        assert_eq!(
            UsageHistoryQuery::First(filter).to_query_string(),
            "currency=USD&endTimestamp=2026-07-01T00%3A01%3A00.000Z&pageSize=10&\
             startTimestamp=2026-07-01T00%3A00%3A00.000Z"
        );
        assert_eq!(
            UsageHistoryQuery::Next("AZq3-_x".into()).to_query_string(),
            "cursor=AZq3-_x"
        );
        assert_eq!(
            UsageHistoryQuery::First(UsageFilter::default()).to_query_string(),
            ""
        );
    }
}
