//! Resource groups for models, chat, billing and key limits (`client.models().list(..)`).

use reqwest::Method;

use crate::client::Client;
use crate::error::{Error, Operation};
use crate::meta::ApiResponse;
use crate::types::billing::{BillingBalance, KeyRateLimits};
use crate::types::chat::{ChatCompletionRequest, ChatCompletionResponse};
use crate::types::models::{ModelList, ModelType};

/// `GET /models`.
#[derive(Debug)]
pub struct Models<'a> {
    pub(crate) client: &'a Client,
}

impl Models<'_> {
    /// `GET /models?type=video|text`.
    pub async fn list(&self, kind: ModelType) -> Result<ApiResponse<ModelList>, Error> {
        let path = format!("/models?type={}", kind.as_str());
        self.client
            .json::<(), _>(Operation::ListModels, Method::GET, &path, None)
            .await
    }
}

/// `POST /chat/completions`.
#[derive(Debug)]
pub struct Chat<'a> {
    pub(crate) client: &'a Client,
}

impl Chat<'_> {
    /// A non-streaming chat completion.
    pub async fn create(
        &self,
        req: &ChatCompletionRequest,
    ) -> Result<ApiResponse<ChatCompletionResponse>, Error> {
        self.client
            .json(
                Operation::ChatCompletion,
                Method::POST,
                "/chat/completions",
                Some(req),
            )
            .await
    }
}

/// `GET /billing/balance` and `GET /billing/usage-history` (see `usage.rs`).
#[derive(Debug)]
pub struct Billing<'a> {
    pub(crate) client: &'a Client,
}

impl Billing<'_> {
    pub async fn balance(&self) -> Result<ApiResponse<BillingBalance>, Error> {
        self.client
            .json::<(), _>(
                Operation::BillingBalance,
                Method::GET,
                "/billing/balance",
                None,
            )
            .await
    }
}

/// `GET /api_keys/rate_limits`.
#[derive(Debug)]
pub struct ApiKeys<'a> {
    pub(crate) client: &'a Client,
}

impl ApiKeys<'_> {
    pub async fn rate_limits(&self) -> Result<ApiResponse<KeyRateLimits>, Error> {
        self.client
            .json::<(), _>(
                Operation::RateLimits,
                Method::GET,
                "/api_keys/rate_limits",
                None,
            )
            .await
    }
}
