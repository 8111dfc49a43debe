//! The studio's product logic, shared by the CLI and the desktop app: the job ledger (and, as they
//! land, the prompt engine, poller, budget and library). Knows nothing of Tauri or any UI.

mod error;
pub mod ledger;
pub mod limiter;
pub mod media;
pub mod prompt;

pub use error::Error;
pub use ledger::{JobId, JobParams, JobRecord, JobState, Ledger, MediaInfo};
