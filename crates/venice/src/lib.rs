//! Typed client for the Venice AI API: video jobs, chat, models, billing and key limits.
//!
//! ```no_run
//! # async fn demo() -> Result<(), venice::Error> {
//! use venice::{ApiKey, Client, ClientConfig, ModelType};
//! let client = Client::new(ClientConfig::new(ApiKey::new("sk-...")))?;
//! let models = client.models().list(ModelType::Video).await?;
//! println!("{} video models", models.value.data.len());
//! # Ok(()) }
//! ```
//!
//! Requests a model cannot take never leave the machine: `video().quote` and `video().queue`
//! check them against the video model catalogue first (fetched once and kept by the client,
//! or handed over with [`Client::with_catalogue`]).
//!
//! Retrying is separate from the client: see [`retry::run`] and [`retry::RetryPolicy`].

pub mod catalogue;
mod client;
mod config;
mod download;
mod error;
mod isotime;
mod meta;
pub mod mp4;
mod resources;
pub mod retry;
pub mod types;
mod usage;
mod video;

pub use catalogue::{ConstraintError, ModelCatalogue, VideoModel};
pub use client::Client;
pub use config::{ApiKey, ClientConfig, DEFAULT_BASE_URL};
pub use download::DownloadProgress;
pub use error::{ApiError, Error, ErrorClass, Operation, UserAction};
pub use meta::{ApiResponse, BalanceHeaders, RateLimitHeaders, ResponseMeta};
pub use resources::{ApiKeys, Billing, Chat, Models};
pub use types::billing::{
    ApiTier, BillingBalance, BillingBalances, KeyBalances, KeyRateLimits, KeyRateLimitsData,
    ModelRateLimits, RateLimitEntry,
};
pub use types::chat::{
    ChatChoice, ChatCompletionRequest, ChatCompletionResponse, ChatMessage, ChatResponseMessage,
    ChatRole, ChatUsage, RequestCost, ResponseFormat, VeniceParameters,
};
pub use types::models::{
    Deprecation, Model, ModelList, ModelSpec, ModelType, VideoConstraints, VideoModelType,
};
pub use types::usage::{
    Currency, InferenceDetails, UsageEntry, UsageFilter, UsageHistory, UsageHistoryQuery,
};
pub use types::video::{
    CompleteVideoRequest, QueueVideoRequest, QueuedVideo, QuoteVideoRequest, RetrieveOutcome,
    RetrieveVideoRequest, SavedVideo, SeedanceConsent, VideoCompleted, VideoConsents, VideoQuote,
};
pub use video::Video;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
