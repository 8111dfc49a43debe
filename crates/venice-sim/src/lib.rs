//! The Venice test double: a local axum server that speaks Venice's video API the way the spec describes it.
//!
//! It serves the real model lists, quotes from a price table, jobs that finish after a scaled
//! [`SimConfig::job_duration`], real playable MP4s, scriptable [`Fault`]s per endpoint, and a request log
//! ([`RecordedRequest`], never the key). Start one per test with [`VeniceSim::start`]:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use venice_sim::{Endpoint, Fault, SimConfig, VeniceSim};
//! let sim = VeniceSim::start(SimConfig::default()).await?;
//! sim.inject(Endpoint::VideoQueue, Fault::ServerError);
//! let base = sim.base_url(); // http://127.0.0.1:{port}/api/v1
//! # let _ = base;
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Choices where the spec is silent:
//! - `/video/complete` for a known job answers `{"success": true}` again after the media is gone; an
//!   unknown `queue_id` (or a different `model`) is 404 like on retrieve.
//! - `DropMidBody`, `TruncatedMp4` and `NotMp4` queued for retrieve or download wait for a request that
//!   really delivers an MP4 (earlier PROCESSING answers pass through normally). On other endpoints they
//!   apply at once (DropMidBody cuts the normal JSON after processing it).
//! - `delete_media_on_completion: true` deletes the media as soon as the retrieve that delivers the
//!   video is answered, as Venice documents, even when a fault then breaks the body on its way.
//! - `/models` and the download URL need no key; control requests (`/_sim/...`) are not logged.
//! - Rate-limit headers count real requests per fixed one-minute window (queue 40, retrieve 120, chat 100,
//!   others 500) but nothing is refused unless a [`Fault::RateLimited`] is queued.
//! - `/billing/usage-history` lists the sim's own charges (each queue, even one answered by
//!   [`Fault::HangAfterReceive`], and each chat completion) as negative USD `amount`s, as in Venice's
//!   example, with `units: 1`, `pricePerUnitUsd` = the charge and `sku` = `{model}-video-unit` (chat:
//!   `{model}-llm-output-mtoken`). A charge is listed [`SimConfig::usage_delay`] after it was made.
//!   Unknown query parameters are a 400; a cursor is hex with a keyed hash, so a changed one is a 400.

mod api;
mod chat;
mod clipgen;
mod clips;
mod config;
mod control;
mod error;
mod faults;
mod fixtures;
mod isotime;
mod jobs;
mod log;
mod pricing;
mod ratelimit;
mod reply;
mod server;
mod sim;
mod structured;
mod usage;
mod validate;

pub use clips::{CLIP_FPS, ClipConfig, ClipInfo, clip_colour};
pub use config::{ServedVideo, SimConfig};
pub use error::SimError;
pub use faults::{Fault, FaultSpec};
pub use fixtures::{FixtureVideo, fixture_for_aspect_ratio, fixture_videos};
pub use log::{Endpoint, LONG_STRING, RecordedRequest};
pub use pricing::quote_usd;
pub use sim::{ChargedJob, VeniceSim};
