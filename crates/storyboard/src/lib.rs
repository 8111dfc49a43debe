//! The music-video storyboard: a song's analysis and a video model's limits in, shots out; cut
//! on the downbeats, paced by each section's energy, each shot fitted to the shortest clip that
//! covers it. Also the user's edits (split, merge, move a cut, write a prompt) and re-planning
//! that keeps them, the whole video's price from per-combination quotes and the budget check,
//! and the chat request for one prompt per shot with the check of its answer. Pure computation:
//! no files, no Venice calls, no UI.
//!
//! ```
//! # fn demo(analysis: &song::Analysis) -> Result<(), storyboard::Error> {
//! use storyboard::{ModelLimits, PlanOptions, plan};
//! let model = ModelLimits::with_seconds(&[5, 10], 2500);
//! let board = plan(analysis, &model, &PlanOptions::default())?;
//! let board = board.split(0, 3.0)?.set_prompt(0, "A gondola at dawn")?;
//! # Ok(()) }
//! ```

mod board;
mod edit;
mod error;
mod limits;
mod money;
mod pacing;
mod plan;
mod prompts;

#[cfg(test)]
mod tests;

pub use board::{BarRange, PlanOptions, Shot, Storyboard};
pub use error::Error;
pub use limits::{FIXED_DURATION_S, GenDuration, ModelLimits};
pub use money::{
    OverBudget, PriceKey, VideoSettings, WholePrice, check_budget, price_key, price_requests, total,
};
pub use plan::{plan, replan};
pub use prompts::{
    ChatRequestParts, apply_prompts, compose_prompt, fallback_prompts, prompt_request,
    trim_to_words,
};
