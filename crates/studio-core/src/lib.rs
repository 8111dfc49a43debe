//! The studio's product logic, shared by the CLI and the desktop app: the job ledger (and, as they
//! land, the prompt engine, poller, budget and library). Knows nothing of Tauri or any UI.

mod budget;
pub mod clock;
pub mod config;
mod engine;
mod error;
pub mod events;
pub mod images;
mod key_store;
pub mod keychain;
pub mod keyfile;
pub mod ledger;
pub mod limiter;
pub mod media;
pub mod projects;
pub mod prompt;
pub mod songs;

pub use budget::Budget;
pub use clock::{Clock, FakeClock, SystemClock};
pub use config::{EngineConfig, StudioPaths};
pub use engine::{
    FollowHandle, GeneratedPrompt, PollerHandle, PriceQuote, Settlement, Studio, Verdict,
};
pub use error::Error;
pub use events::JobEvent;
pub use key_store::{KeyStore, Stored};
pub use ledger::{JobId, JobParams, JobRecord, JobState, Ledger, MediaInfo};
/// The ffmpeg render, for its cancel flag and errors.
pub use render;
/// The song analysis crate, for matching its errors.
pub use song;
/// The storyboard planner, for its types.
pub use storyboard;
