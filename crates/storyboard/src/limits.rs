//! What a video model can make, as far as the storyboard cares: its clip durations, its prompt
//! length limit, whether it starts from an image and whether its audio can be switched off.

use serde::{Deserialize, Serialize};
use venice::{VideoConstraints, VideoModelType};

/// The clip length assumed for a model that takes no usable duration: its `durations` list is
/// empty (the request leaves `duration` empty) or holds no `"<n>s"` value (such as `"Auto"`,
/// sent as is). Venice's test double prices those as 5 s too.
pub const FIXED_DURATION_S: u32 = 5;

/// One clip length a model makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenDuration {
    /// Seconds of video this duration makes.
    pub seconds: u32,
    /// The value for the request's `duration` field (`"5s"`; empty when the model takes none).
    pub value: String,
}

/// A video model's limits for planning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelLimits {
    /// The clip lengths, shortest first; never empty.
    pub durations: Vec<GenDuration>,
    /// The longest prompt in characters.
    pub prompt_char_limit: u32,
    /// The model starts from an image (`image_url`), so shots can chain last frames.
    pub image_to_video: bool,
    /// `audio` may be sent; the planner's price keys send `audio: false` (the song is the sound).
    pub audio_configurable: bool,
}

/// `"10s"` → 10; anything else (`"Auto"`, `"0s"`, `"5.5s"`) → `None`.
fn parse_seconds(value: &str) -> Option<u32> {
    value
        .trim()
        .strip_suffix('s')
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| *n > 0)
}

impl ModelLimits {
    /// The limits in a model's constraints from Venice's model list.
    pub fn from_constraints(c: &VideoConstraints) -> Self {
        let mut durations: Vec<GenDuration> = c
            .durations
            .iter()
            .filter_map(|v| {
                parse_seconds(v).map(|seconds| GenDuration {
                    seconds,
                    value: v.clone(),
                })
            })
            .collect();
        durations.sort_by_key(|d| d.seconds);
        durations.dedup_by_key(|d| d.seconds);
        if durations.is_empty() {
            durations.push(GenDuration {
                seconds: FIXED_DURATION_S,
                value: c.durations.first().cloned().unwrap_or_default(),
            });
        }
        ModelLimits {
            durations,
            prompt_char_limit: c.prompt_limit(),
            image_to_video: c.model_type == VideoModelType::ImageToVideo,
            audio_configurable: c.audio_configurable,
        }
    }

    /// A text-to-video model with these clip lengths in seconds (sent as `"<n>s"`), the given
    /// prompt limit and switchable audio: for tests and tools that have no model list.
    pub fn with_seconds(seconds: &[u32], prompt_char_limit: u32) -> Self {
        let mut durations: Vec<GenDuration> = seconds
            .iter()
            .filter(|s| **s > 0)
            .map(|&s| GenDuration {
                seconds: s,
                value: format!("{s}s"),
            })
            .collect();
        durations.sort_by_key(|d| d.seconds);
        durations.dedup_by_key(|d| d.seconds);
        if durations.is_empty() {
            durations.push(GenDuration {
                seconds: FIXED_DURATION_S,
                value: String::new(),
            });
        }
        ModelLimits {
            durations,
            prompt_char_limit,
            image_to_video: false,
            audio_configurable: true,
        }
    }

    /// The shortest clip in seconds.
    pub fn shortest_s(&self) -> f64 {
        self.durations
            .first()
            .map_or(f64::from(FIXED_DURATION_S), |d| f64::from(d.seconds))
    }

    /// The longest clip in seconds: no shot may be longer.
    pub fn longest_s(&self) -> f64 {
        self.durations
            .last()
            .map_or(f64::from(FIXED_DURATION_S), |d| f64::from(d.seconds))
    }

    /// The shortest clip that covers `length_s` seconds; `None` when even the longest is shorter.
    pub fn duration_for(&self, length_s: f64) -> Option<&GenDuration> {
        self.durations
            .iter()
            .find(|d| f64::from(d.seconds) + TIME_EPS >= length_s)
    }
}

/// Times closer than this (seconds) are the same time.
pub(crate) const TIME_EPS: f64 = 1e-6;

#[cfg(test)]
mod tests {
    use super::*;

    fn constraints(json: &str) -> VideoConstraints {
        serde_json::from_str(json).expect("constraints parse")
    }

    #[test]
    fn durations_are_parsed_and_sorted() {
        let c = constraints(
            r#"{"model_type":"text-to-video","durations":["10s","5s"],"audio_configurable":true,"prompt_character_limit":1500}"#,
        );
        let l = ModelLimits::from_constraints(&c);
        let secs: Vec<u32> = l.durations.iter().map(|d| d.seconds).collect();
        assert_eq!(secs, [5, 10]);
        assert_eq!(l.durations[1].value, "10s");
        assert_eq!(l.prompt_char_limit, 1500);
        assert!(l.audio_configurable);
        assert!(!l.image_to_video);
        assert_eq!(l.duration_for(4.2).map(|d| d.seconds), Some(5));
        assert_eq!(l.duration_for(5.0).map(|d| d.seconds), Some(5));
        assert_eq!(l.duration_for(5.01).map(|d| d.seconds), Some(10));
        assert_eq!(l.duration_for(10.5), None);
    }

    #[test]
    fn no_duration_means_one_fixed_default() {
        let empty = ModelLimits::from_constraints(&constraints(
            r#"{"model_type":"image-to-video","durations":[]}"#,
        ));
        assert_eq!(
            empty.durations,
            [GenDuration {
                seconds: FIXED_DURATION_S,
                value: String::new()
            }]
        );
        assert!(empty.image_to_video);
        assert_eq!(empty.prompt_char_limit, 2500, "Venice's default limit");
        let auto = ModelLimits::from_constraints(&constraints(
            r#"{"model_type":"video","durations":["Auto"]}"#,
        ));
        assert_eq!(auto.durations[0].value, "Auto");
        assert_eq!(auto.longest_s(), 5.0);
    }

    #[test]
    fn every_model_in_venices_list_gives_usable_limits() {
        let list: venice::ModelList =
            serde_json::from_str(include_str!("../../venice-sim/fixtures/models-video.json"))
                .expect("fixture parses");
        for m in &list.data {
            let c = m.video_constraints().expect("constraints");
            let l = ModelLimits::from_constraints(&c);
            assert!(!l.durations.is_empty(), "{}", m.id);
            assert!(l.shortest_s() >= 1.0 && l.longest_s() <= 30.0, "{}", m.id);
        }
    }
}
