//! Opening the studio engine the way every command needs it: the key, the base URL, the folders
//! and the engine settings (with the hidden knobs tests use to go fast).

use std::time::Duration;

use studio_core::{Budget, EngineConfig, Studio, StudioPaths};
use venice::{ApiKey, Client, ClientConfig};

use crate::exit::{Code, Failure};
use crate::key;

/// Hidden: milliseconds between two retrieves of a job (default 10 000).
pub const POLL_MS_ENV: &str = "STUDIO_POLL_MS";
/// Hidden: base delay in milliseconds for backoff after a transient error (default 2 000).
pub const RETRY_MS_ENV: &str = "STUDIO_RETRY_MS";
/// A total spending cap in USD across every session.
pub const TOTAL_BUDGET_ENV: &str = "STUDIO_BUDGET_TOTAL_USD";
/// The text model that writes prompts.
pub const CHAT_MODEL_ENV: &str = "STUDIO_CHAT_MODEL";
/// Test knob: how long a "Generate all" lease lasts unless renewed (ms).
pub const LEASE_MS_ENV: &str = "STUDIO_LEASE_MS";
/// `1`: delete Venice's copy of each video once it is saved and verified (as
/// `--delete-after-download`).
pub const DELETE_AFTER_ENV: &str = "STUDIO_DELETE_AFTER_DOWNLOAD";

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"))
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

fn env_f64(name: &str) -> Result<Option<f64>, Failure> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .trim_start_matches('$')
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(Some)
            .ok_or_else(|| {
                Failure::usage(format!(
                    "{name} must be an amount in USD, e.g. 20; got {text:?}"
                ))
            }),
        _ => Ok(None),
    }
}

/// The client for `key`, honouring `VENICE_BASE_URL`.
pub fn client(key: ApiKey) -> Result<Client, Failure> {
    let mut config = ClientConfig::new(key);
    if let Ok(url) = std::env::var("VENICE_BASE_URL")
        && !url.trim().is_empty()
    {
        config = config.base_url(url.trim());
    }
    Ok(Client::new(config)?)
}

/// The engine settings: budget caps, chat model and the hidden test knobs.
pub fn engine_config(
    session_budget: Option<f64>,
    delete_after_download: bool,
) -> Result<EngineConfig, Failure> {
    let mut config = EngineConfig {
        delete_media_on_completion: delete_after_download || env_flag(DELETE_AFTER_ENV),
        ..EngineConfig::default()
    };
    if let Some(ms) = env_u64(POLL_MS_ENV) {
        config.poll_interval = Duration::from_millis(ms.max(10));
    }
    if let Some(ms) = env_u64(RETRY_MS_ENV) {
        config.retry_base_delay = Duration::from_millis(ms.max(1));
        config.retry_max_delay = Duration::from_millis(ms.max(1) * 10);
    }
    if let Some(ms) = env_u64(LEASE_MS_ENV) {
        config.generate_lease_ttl = Duration::from_millis(ms.max(30));
    }
    if let Ok(model) = std::env::var(CHAT_MODEL_ENV)
        && !model.trim().is_empty()
    {
        config.chat_model = model.trim().to_string();
    }
    if let Some(cap) = session_budget
        && !(cap.is_finite() && cap >= 0.0)
    {
        return Err(Failure::usage("--budget must be a positive amount in USD"));
    }
    config.budget = Budget {
        per_session_usd: session_budget,
        total_usd: env_f64(TOTAL_BUDGET_ENV)?,
    };
    Ok(config)
}

/// The engine with the user's key (commands that talk to Venice).
pub fn open(session_budget: Option<f64>) -> Result<Studio, Failure> {
    open_fetching(session_budget, false)
}

/// [`open`] for commands that bring videos home, with `--delete-after-download`.
pub fn open_fetching(
    session_budget: Option<f64>,
    delete_after_download: bool,
) -> Result<Studio, Failure> {
    let found = key::find().map_err(|no| no.failure())?;
    open_with(found.key, session_budget, delete_after_download)
}

/// The engine for commands that only read the ledger: no key needed.
pub fn open_local() -> Result<Studio, Failure> {
    let key = key::find()
        .map(|f| f.key)
        .unwrap_or_else(|_| ApiKey::new("local-only-no-key"));
    open_with(key, None, false)
}

fn open_with(
    key: ApiKey,
    session_budget: Option<f64>,
    delete_after_download: bool,
) -> Result<Studio, Failure> {
    let paths = StudioPaths::for_user()?;
    let config = engine_config(session_budget, delete_after_download)?;
    let studio = Studio::open(client(key)?, paths, config)?;
    Ok(studio)
}

/// A runtime error that should not happen (the tokio runtime could not start).
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::new(Code::Failure, format!("could not start: {e}")))
}
