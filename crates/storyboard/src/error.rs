//! The one error type of the storyboard: each message says what happened and what to do.

/// Why a plan, an edit, a price or the chat's prompts could not be made. Fields hold indexes
/// from 0; messages number shots and cuts from 1, as the user counts them.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(
        "The song is {duration_s} s long, so there is nothing to plan. Pick a song with sound in it."
    )]
    EmptySong { duration_s: f64 },
    #[error(
        "The shortest shot you asked for ({min_s:.1} s) is longer than the longest clip this model makes ({max_s:.0} s). Lower the minimum or pick a model with longer clips."
    )]
    MinLongerThanModel { min_s: f64, max_s: f64 },
    #[error("The planning option {what} is not usable: {why}. Leave it at its default or fix it.")]
    BadOption { what: &'static str, why: String },
    #[error("There is no shot {}; the storyboard has shots 1 to {}.", .shot + 1, .last + 1)]
    NoSuchShot { shot: usize, last: usize },
    #[error("There is no cut {}; the storyboard has cuts 1 to {} (cut N ends shot N).", .cut + 1, .last + 1)]
    NoSuchCut { cut: usize, last: usize },
    #[error(
        "{at_s:.2} s is not inside shot {} ({start_s:.2}–{end_s:.2} s). Pick a time inside the shot you split.", .shot + 1
    )]
    OutsideShot {
        shot: usize,
        at_s: f64,
        start_s: f64,
        end_s: f64,
    },
    #[error(
        "Shot {} ({start_s:.2}–{end_s:.2} s) has no beat at least {min_s:.1} s from both its ends to split at. Split a longer shot, or lower the minimum shot length.", .shot + 1
    )]
    NoBeatToSplit {
        shot: usize,
        start_s: f64,
        end_s: f64,
        min_s: f64,
    },
    #[error(
        "That would make shot {} {length_s:.2} s long, and this model makes clips of at most {max_s:.0} s. Keep the shots apart, or pick a model with longer clips.", .shot + 1
    )]
    ShotTooLong {
        shot: usize,
        length_s: f64,
        max_s: f64,
    },
    #[error(
        "Cut {} can only move between {after_s:.2} s and {before_s:.2} s (the cuts beside it, less {min_s:.1} s each side); {to_s:.2} s is outside. Pick a time in that range.", .cut + 1
    )]
    CutOutOfRange {
        cut: usize,
        to_s: f64,
        after_s: f64,
        before_s: f64,
        min_s: f64,
    },
    #[error(
        "The prompt of shot {} is {got} characters; this model takes at most {limit}. Shorten it.", .shot + 1
    )]
    PromptTooLong { shot: usize, got: usize, limit: u32 },
    #[error("The prompt of shot {} is empty. Write what the shot shows.", .shot + 1)]
    EmptyPrompt { shot: usize },
    #[error(
        "The chat model's prompts could not be used: {reason}. Ask again; if it keeps failing, write the prompts yourself or use the simple prompts."
    )]
    BadPromptAnswer { reason: String },
    #[error(
        "There is no price for {what}. Quote every combination from price_requests before adding up."
    )]
    MissingPrice { what: String },
}
