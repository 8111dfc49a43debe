//! The storyboard's data: shots, the song facts edits need, and the planning options. It is
//! stored as JSON (serde) and shown by the CLI and the app.

use serde::{Deserialize, Serialize};
use song::Section;

use crate::limits::ModelLimits;

/// How many bars a shot should last in one kind of section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarRange {
    pub min: u32,
    pub max: u32,
    /// The length chosen when the section divides evenly into it.
    pub preferred: u32,
}

/// The user's minimum and the pacing knobs; `Default` gives the planner's pacing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanOptions {
    /// No shot shorter than this (seconds), the user's choice.
    pub min_shot_s: Option<f64>,
    /// No shot shorter than this either (seconds; 1.5): shorter cuts flicker.
    pub floor_s: f64,
    /// Sections at least this loud (0–1, relative to the loudest) cut fastest (0.7).
    pub high_energy: f64,
    /// Sections quieter than this cut slowest (0.4).
    pub quiet_energy: f64,
    /// Bars per shot in loud sections (chorus, drop): 1–2, 2 preferred.
    pub high_bars: BarRange,
    /// Bars per shot in between: 2–3, 3 preferred.
    pub mid_bars: BarRange,
    /// Bars per shot in quiet sections (intro, verse, outro): 2–4, 4 preferred.
    pub quiet_bars: BarRange,
    /// Shot length (seconds) for a song with no beat, cut evenly (5).
    pub beatless_shot_s: f64,
    /// How much a second of generated video the render throws away weighs against a shot one
    /// bar off its preferred length (which weighs 0.5). The default 0.5 picks, within a
    /// section's range, lengths that fill their clips: at 123 BPM on a 5 s/10 s model, mid
    /// sections get 2-bar shots (3.9 s in 5 s clips) rather than 3 (5.9 s in 10 s clips). 0
    /// ignores the price.
    pub waste_per_s: f64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            min_shot_s: None,
            floor_s: 1.5,
            high_energy: 0.7,
            quiet_energy: 0.4,
            high_bars: BarRange {
                min: 1,
                max: 2,
                preferred: 2,
            },
            mid_bars: BarRange {
                min: 2,
                max: 3,
                preferred: 3,
            },
            quiet_bars: BarRange {
                min: 2,
                max: 4,
                preferred: 4,
            },
            beatless_shot_s: 5.0,
            waste_per_s: 0.5,
        }
    }
}

impl PlanOptions {
    /// The shortest shot allowed on `model`: the user's minimum or the floor, whichever is
    /// longer; without a user minimum, the floor gives way to a model whose clips are shorter.
    pub fn min_s(&self, model: &ModelLimits) -> f64 {
        match self.min_shot_s {
            Some(m) => m.max(self.floor_s),
            None => self.floor_s.min(model.longest_s()),
        }
    }

    /// The bar range for a section this loud.
    pub fn bars_for(&self, energy: f64) -> BarRange {
        if energy >= self.high_energy {
            self.high_bars
        } else if energy < self.quiet_energy {
            self.quiet_bars
        } else {
            self.mid_bars
        }
    }
}

/// One shot: a stretch of the song filled by one generated clip, trimmed to the shot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shot {
    /// Its place in the storyboard, from 0.
    pub index: usize,
    pub start_s: f64,
    pub end_s: f64,
    /// The song section it plays over (index into [`Storyboard::sections`]).
    pub section: usize,
    pub section_label: String,
    /// The section's loudness relative to the loudest (0–1).
    pub energy: f64,
    /// Seconds of video to generate: the model's shortest clip that covers the shot.
    pub generate_s: u32,
    /// The request's `duration` value for that clip (`"5s"`; empty when the model takes none).
    pub duration: String,
    /// The prompt sent to the video model (empty until written).
    pub prompt: String,
    /// The user changed this shot (its cuts or prompt): a new plan keeps it as it is.
    pub edited: bool,
}

impl Shot {
    /// Seconds of the song this shot covers.
    pub fn length_s(&self) -> f64 {
        self.end_s - self.start_s
    }
}

/// A whole song's shots, and what edits and re-plans need to know.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Storyboard {
    /// In order; the first starts at 0, the last ends at `song_duration_s`, no gaps.
    pub shots: Vec<Shot>,
    pub song_duration_s: f64,
    /// The song's sections the shots refer to (one "song" section when the analysis has none).
    pub sections: Vec<Section>,
    /// The beat times cuts snap to when the user moves or adds one.
    pub beats: Vec<f64>,
    /// The model the shots are fitted to.
    pub limits: ModelLimits,
    /// The options it was planned with.
    pub options: PlanOptions,
}

impl Storyboard {
    /// The cut times (shot boundaries other than 0 and the end), in order.
    pub fn cuts(&self) -> Vec<f64> {
        self.shots.iter().skip(1).map(|s| s.start_s).collect()
    }

    /// Seconds of video generated for the whole storyboard.
    pub fn seconds_generated(&self) -> u32 {
        self.shots.iter().map(|s| s.generate_s).sum()
    }
}
