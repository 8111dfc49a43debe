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

mod api;
mod chat;
mod config;
mod control;
mod error;
mod faults;
mod fixtures;
mod jobs;
mod log;
mod pricing;
mod ratelimit;
mod reply;
mod server;
mod sim;
mod validate;

pub use config::SimConfig;
pub use error::SimError;
pub use faults::{Fault, FaultSpec};
pub use fixtures::{FixtureVideo, fixture_for_aspect_ratio, fixture_videos};
pub use log::{Endpoint, RecordedRequest};
pub use pricing::quote_usd;
pub use sim::VeniceSim;
