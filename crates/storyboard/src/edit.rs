//! The user's edits: split a shot on a beat, merge two shots, move a cut to another beat, write a
//! shot's prompt. Each returns a new storyboard (the old one is untouched) or says why not; the
//! shots it touches are marked edited, so a new plan keeps them.

use crate::board::{Shot, Storyboard};
use crate::error::Error;
use crate::limits::TIME_EPS;
use crate::plan::make_shot;

impl Storyboard {
    fn shot(&self, shot: usize) -> Result<&Shot, Error> {
        self.shots.get(shot).ok_or(Error::NoSuchShot {
            shot,
            last: self.shots.len().saturating_sub(1),
        })
    }

    /// A shot over new times, keeping `prompt`, marked edited.
    fn edited_shot(&self, start_s: f64, end_s: f64, prompt: &str) -> Shot {
        let mut shot = make_shot(0, start_s, end_s, &self.sections, &self.limits);
        shot.prompt = prompt.to_owned();
        shot.edited = true;
        shot
    }

    /// The beat in `[lo, hi]` nearest `t`; `t` itself when the song has no beats and it is in
    /// range.
    fn snap(&self, t: f64, lo: f64, hi: f64) -> Option<f64> {
        if self.beats.is_empty() {
            return (t >= lo - TIME_EPS && t <= hi + TIME_EPS).then_some(t);
        }
        self.beats
            .iter()
            .copied()
            .filter(|&b| b >= lo - TIME_EPS && b <= hi + TIME_EPS)
            .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))
    }

    fn check_length(&self, shot: usize, start_s: f64, end_s: f64) -> Result<(), Error> {
        let max_s = self.limits.longest_s();
        if end_s - start_s > max_s + TIME_EPS {
            return Err(Error::ShotTooLong {
                shot,
                length_s: end_s - start_s,
                max_s,
            });
        }
        Ok(())
    }

    fn with_shots(&self, shots: Vec<Shot>) -> Storyboard {
        let mut board = self.clone();
        board.shots = shots
            .into_iter()
            .enumerate()
            .map(|(index, shot)| Shot { index, ..shot })
            .collect();
        board
    }

    /// Splits `shot` in two at the beat nearest `at_s` that leaves both halves at least the
    /// minimum shot length; both halves keep its prompt.
    pub fn split(&self, shot: usize, at_s: f64) -> Result<Storyboard, Error> {
        let s = self.shot(shot)?;
        if !(at_s > s.start_s && at_s < s.end_s) {
            return Err(Error::OutsideShot {
                shot,
                at_s,
                start_s: s.start_s,
                end_s: s.end_s,
            });
        }
        let min_s = self.options.min_s(&self.limits);
        let at =
            self.snap(at_s, s.start_s + min_s, s.end_s - min_s)
                .ok_or(Error::NoBeatToSplit {
                    shot,
                    start_s: s.start_s,
                    end_s: s.end_s,
                    min_s,
                })?;
        let mut shots = self.shots.clone();
        let halves = [
            self.edited_shot(s.start_s, at, &s.prompt),
            self.edited_shot(at, s.end_s, &s.prompt),
        ];
        shots.splice(shot..=shot, halves);
        Ok(self.with_shots(shots))
    }

    /// Merges `shot` with the next one, keeping the first non-empty prompt; refused when the
    /// result is longer than the model's longest clip.
    pub fn merge(&self, shot: usize) -> Result<Storyboard, Error> {
        let first = self.shot(shot)?;
        let second = self.shot(shot + 1)?;
        self.check_length(shot, first.start_s, second.end_s)?;
        let prompt = if first.prompt.trim().is_empty() {
            &second.prompt
        } else {
            &first.prompt
        };
        let merged = self.edited_shot(first.start_s, second.end_s, prompt);
        let mut shots = self.shots.clone();
        shots.splice(shot..=shot + 1, [merged]);
        Ok(self.with_shots(shots))
    }

    /// Moves cut `cut` (the end of shot `cut`) to the beat nearest `to_s`, which must lie
    /// between the cuts beside it; both shots beside it keep at least the minimum length and
    /// at most the model's longest clip.
    pub fn move_cut(&self, cut: usize, to_s: f64) -> Result<Storyboard, Error> {
        let last = self.shots.len().saturating_sub(2);
        let (Some(before), Some(after)) = (self.shots.get(cut), self.shots.get(cut + 1)) else {
            return Err(Error::NoSuchCut { cut, last });
        };
        let min_s = self.options.min_s(&self.limits);
        let out_of_range = Error::CutOutOfRange {
            cut,
            to_s,
            after_s: before.start_s,
            before_s: after.end_s,
            min_s,
        };
        if !(to_s > before.start_s && to_s < after.end_s) {
            return Err(out_of_range);
        }
        let at = self
            .snap(to_s, before.start_s + min_s, after.end_s - min_s)
            .ok_or(out_of_range)?;
        self.check_length(cut, before.start_s, at)?;
        self.check_length(cut + 1, at, after.end_s)?;
        let mut shots = self.shots.clone();
        shots[cut] = self.edited_shot(before.start_s, at, &before.prompt);
        shots[cut + 1] = self.edited_shot(at, after.end_s, &after.prompt);
        Ok(self.with_shots(shots))
    }

    /// Sets the prompt of `shot` (trimmed), refusing an empty one or one over the model's limit.
    pub fn set_prompt(&self, shot: usize, text: &str) -> Result<Storyboard, Error> {
        self.shot(shot)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::EmptyPrompt { shot });
        }
        let got = text.chars().count();
        let limit = self.limits.prompt_char_limit;
        if got > limit as usize {
            return Err(Error::PromptTooLong { shot, got, limit });
        }
        let mut board = self.clone();
        board.shots[shot].prompt = text.to_owned();
        board.shots[shot].edited = true;
        Ok(board)
    }
}
