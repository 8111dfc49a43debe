//! The storyboard's tests: songs built by hand (and one synthesized and analysed), checked for
//! what a user would notice: where the cuts fall, how long shots are, what clips are paid for.

mod edits;
mod fixtures;
mod money;
mod plan;
mod prompts;
mod synth;
