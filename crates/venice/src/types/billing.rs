//! `GET /billing/balance` and `GET /api_keys/rate_limits` answers.

use serde::{Deserialize, Serialize};

/// `GET /billing/balance`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingBalance {
    #[serde(default)]
    pub can_consume: bool,
    /// `USD`, `DIEM`, `VCU`, `BUNDLED_CREDITS`, or absent.
    #[serde(default)]
    pub consumption_currency: Option<String>,
    #[serde(default)]
    pub balances: BillingBalances,
    #[serde(default)]
    pub diem_epoch_allocation: Option<f64>,
}

/// `balances` of `/billing/balance` (null when not available).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BillingBalances {
    #[serde(default)]
    pub diem: Option<f64>,
    #[serde(default)]
    pub usd: Option<f64>,
}

/// `GET /api_keys/rate_limits`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyRateLimits {
    pub data: KeyRateLimitsData,
}

/// The `data` of `/api_keys/rate_limits`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRateLimitsData {
    #[serde(default)]
    pub access_permitted: bool,
    #[serde(default)]
    pub api_tier: Option<ApiTier>,
    #[serde(default)]
    pub balances: KeyBalances,
    #[serde(default)]
    pub key_expiration: Option<String>,
    #[serde(default)]
    pub next_epoch_begins: Option<String>,
    #[serde(default)]
    pub rate_limits: Vec<ModelRateLimits>,
}

/// `apiTier`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiTier {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub is_charged: bool,
}

/// `balances` of `/api_keys/rate_limits` (upper-case keys).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyBalances {
    #[serde(rename = "USD", default)]
    pub usd: Option<f64>,
    #[serde(rename = "DIEM", default)]
    pub diem: Option<f64>,
}

/// Limits for one model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelRateLimits {
    #[serde(default)]
    pub api_model_id: Option<String>,
    #[serde(default)]
    pub rate_limits: Vec<RateLimitEntry>,
}

/// One limit: `amount` per `type` (`RPM`, `RPD`, `TPM`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimitEntry {
    pub amount: f64,
    #[serde(rename = "type")]
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spec_examples() {
        let b: BillingBalance = serde_json::from_str(
            r#"{"canConsume":true,"consumptionCurrency":"DIEM","balances":{"diem":90.5,"usd":25},"diemEpochAllocation":100}"#,
        )
        .expect("parses");
        assert_eq!(b.balances.usd, Some(25.0));
        let b: BillingBalance = serde_json::from_str(
            r#"{"canConsume":false,"consumptionCurrency":null,"balances":{"diem":null,"usd":null},"diemEpochAllocation":0}"#,
        )
        .expect("nulls parse");
        assert_eq!(b.balances.diem, None);
        let k: KeyRateLimits = serde_json::from_str(
            r#"{"data":{"accessPermitted":true,"apiTier":{"id":"paid","isCharged":true},"balances":{"USD":50.23,"DIEM":100.023},"keyExpiration":null,"nextEpochBegins":"2025-05-07T00:00:00.000Z","rateLimits":[{"apiModelId":"zai-org-glm-5-1","rateLimits":[{"amount":100,"type":"RPM"}]}]}}"#,
        )
        .expect("parses");
        assert_eq!(k.data.balances.usd, Some(50.23));
        assert_eq!(k.data.rate_limits[0].rate_limits[0].kind, "RPM");
    }
}
