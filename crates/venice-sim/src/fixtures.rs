//! Bundled fixtures: the real `/models` lists (video, text) and one tiny playable MP4 per aspect ratio.

use std::sync::OnceLock;

use serde_json::Value;

const MODELS_VIDEO: &str = include_str!("../fixtures/models-video.json");
const MODELS_TEXT: &str = include_str!("../fixtures/models-text.json");

/// One bundled MP4: 5 s, 8 fps, H.264 High / yuv420p, `+faststart`, made by `fixtures/make-fixtures.sh`.
#[derive(Debug)]
pub struct FixtureVideo {
    /// File stem, e.g. `"16x9"`.
    pub name: &'static str,
    /// The aspect ratio it stands for, e.g. `"16:9"`.
    pub aspect_ratio: &'static str,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Duration in seconds.
    pub duration_secs: u32,
    /// The file's bytes.
    pub bytes: &'static [u8],
}

macro_rules! fixture {
    ($name:literal, $ar:literal, $w:literal, $h:literal) => {
        FixtureVideo {
            name: $name,
            aspect_ratio: $ar,
            width: $w,
            height: $h,
            duration_secs: 5,
            bytes: include_bytes!(concat!("../fixtures/video/", $name, ".mp4")),
        }
    };
}

static VIDEOS: [FixtureVideo; 7] = [
    fixture!("16x9", "16:9", 1280, 720),
    fixture!("9x16", "9:16", 720, 1280),
    fixture!("1x1", "1:1", 720, 720),
    fixture!("4x3", "4:3", 960, 720),
    fixture!("3x4", "3:4", 720, 960),
    fixture!("21x9", "21:9", 1680, 720),
    fixture!("9x21", "9:21", 720, 1680),
];

/// All bundled MP4 fixtures.
pub fn fixture_videos() -> &'static [FixtureVideo] {
    &VIDEOS
}

/// The fixture the sim serves for a requested aspect ratio: the nearest ratio (by log distance);
/// `None`, `"auto"`, `"adaptive"` or anything unparsable gets 16:9.
pub fn fixture_for_aspect_ratio(aspect_ratio: Option<&str>) -> &'static FixtureVideo {
    let default = &VIDEOS[0];
    let Some(ratio) = aspect_ratio.and_then(parse_ratio) else {
        return default;
    };
    VIDEOS
        .iter()
        .min_by(|a, b| {
            let da = (f64::from(a.width) / f64::from(a.height)).ln() - ratio.ln();
            let db = (f64::from(b.width) / f64::from(b.height)).ln() - ratio.ln();
            da.abs().total_cmp(&db.abs())
        })
        .unwrap_or(default)
}

fn parse_ratio(s: &str) -> Option<f64> {
    let (w, h) = s.split_once(':')?;
    let (w, h): (f64, f64) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    (w > 0.0 && h > 0.0).then(|| w / h)
}

/// The fixtures are Venice's docs copy of the live list, which trims keys every live model has
/// and the spec's `ModelResponse` requires (`object`, `owned_by`); put them back.
fn restore_trimmed_keys(list: &mut Value) {
    let Some(models) = list.get_mut("data").and_then(Value::as_array_mut) else {
        return;
    };
    for model in models.iter_mut().filter_map(Value::as_object_mut) {
        model
            .entry("object")
            .or_insert_with(|| Value::from("model"));
        model
            .entry("owned_by")
            .or_insert_with(|| Value::from("venice.ai"));
    }
}

/// The parsed model lists.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub video: Value,
    pub text: Value,
}

impl Catalog {
    pub(crate) fn get() -> Result<&'static Catalog, crate::SimError> {
        static CATALOG: OnceLock<Result<Catalog, (&'static str, String)>> = OnceLock::new();
        let c = CATALOG.get_or_init(|| {
            let mut video = serde_json::from_str(MODELS_VIDEO)
                .map_err(|e| ("models-video.json", e.to_string()))?;
            let mut text = serde_json::from_str(MODELS_TEXT)
                .map_err(|e| ("models-text.json", e.to_string()))?;
            restore_trimmed_keys(&mut video);
            restore_trimmed_keys(&mut text);
            Ok(Catalog { video, text })
        });
        c.as_ref()
            .map_err(|(name, message)| crate::SimError::Fixture {
                name,
                message: message.clone(),
            })
    }

    fn find<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
        list.get("data")?
            .as_array()?
            .iter()
            .find(|m| m.get("id").and_then(Value::as_str) == Some(id))
    }

    pub(crate) fn video_model(&self, id: &str) -> Option<VideoModel<'_>> {
        Self::find(&self.video, id).map(|m| VideoModel { raw: m })
    }

    pub(crate) fn text_model(&self, id: &str) -> Option<&Value> {
        Self::find(&self.text, id)
    }

    /// The model's `deprecation` object in either list, if any.
    pub(crate) fn deprecation(&self, id: &str) -> Option<&Value> {
        Self::find(&self.video, id)
            .or_else(|| Self::find(&self.text, id))
            .and_then(|m| m.get("model_spec")?.get("deprecation"))
    }

    /// `{object:"list", type, data}` for `GET /models?type=...`.
    pub(crate) fn list(&self, kind: Option<&str>) -> Value {
        let data = |v: &Value| v.get("data").cloned().unwrap_or(Value::Array(vec![]));
        match kind {
            Some("video") => {
                serde_json::json!({"object": "list", "type": "video", "data": data(&self.video)})
            }
            Some("all") => {
                let mut all = data(&self.text).as_array().cloned().unwrap_or_default();
                all.extend(data(&self.video).as_array().cloned().unwrap_or_default());
                serde_json::json!({"object": "list", "type": "all", "data": all})
            }
            // Venice's default type is text; other types have no models here.
            None | Some("text") => {
                serde_json::json!({"object": "list", "type": "text", "data": data(&self.text)})
            }
            Some(other) => serde_json::json!({"object": "list", "type": other, "data": []}),
        }
    }

    /// Every video model id and every text model id.
    pub(crate) fn ids(&self) -> (Vec<String>, Vec<String>) {
        let ids = |v: &Value| {
            v.get("data")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.get("id")?.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        (ids(&self.video), ids(&self.text))
    }
}

/// A view on one video model's `model_spec.constraints`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VideoModel<'a> {
    raw: &'a Value,
}

impl<'a> VideoModel<'a> {
    pub(crate) fn id(&self) -> &'a str {
        self.raw
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    fn constraints(&self) -> Option<&'a Value> {
        self.raw.get("model_spec")?.get("constraints")
    }

    pub(crate) fn list(&self, key: &str) -> Vec<&'a str> {
        self.constraints()
            .and_then(|c| c.get(key))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    fn flag(&self, key: &str) -> bool {
        self.constraints()
            .and_then(|c| c.get(key))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub(crate) fn model_type(&self) -> &'a str {
        self.constraints()
            .and_then(|c| c.get("model_type"))
            .and_then(Value::as_str)
            .unwrap_or("text-to-video")
    }

    pub(crate) fn audio(&self) -> bool {
        self.flag("audio")
    }

    pub(crate) fn audio_configurable(&self) -> bool {
        self.flag("audio_configurable")
    }

    pub(crate) fn prompt_limit(&self) -> usize {
        self.constraints()
            .and_then(|c| c.get("prompt_character_limit"))
            .and_then(Value::as_u64)
            .map_or(2500, |n| n as usize)
    }

    /// Models whose id ends in `-private` deliver through a `download_url`.
    pub(crate) fn is_private(&self) -> bool {
        self.id().ends_with("-private")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_aspect_ratio_maps_to_a_fixture() {
        let catalog = Catalog::get().expect("fixtures parse");
        let (video_ids, text_ids) = catalog.ids();
        assert_eq!(video_ids.len(), 116);
        assert!(!text_ids.is_empty());
        for id in &video_ids {
            let m = catalog.video_model(id).expect("model");
            for ar in m.list("aspect_ratios") {
                let f = fixture_for_aspect_ratio(Some(ar));
                assert!(f.bytes.len() > 1000, "{ar} → {}", f.name);
            }
        }
        assert_eq!(fixture_for_aspect_ratio(Some("9:16")).name, "9x16");
        assert_eq!(fixture_for_aspect_ratio(Some("3:2")).name, "4x3");
        assert_eq!(fixture_for_aspect_ratio(Some("2:3")).name, "3x4");
        assert_eq!(fixture_for_aspect_ratio(Some("4:5")).name, "3x4");
        assert_eq!(fixture_for_aspect_ratio(Some("5:4")).name, "4x3");
        assert_eq!(fixture_for_aspect_ratio(Some("21:9")).name, "21x9");
        assert_eq!(fixture_for_aspect_ratio(Some("9:21")).name, "9x21");
        assert_eq!(fixture_for_aspect_ratio(Some("auto")).name, "16x9");
        assert_eq!(fixture_for_aspect_ratio(None).name, "16x9");
    }

    #[test]
    fn fixtures_are_faststart_mp4s() {
        for f in fixture_videos() {
            assert_eq!(&f.bytes[4..8], b"ftyp", "{}", f.name);
            let ftyp_len =
                u32::from_be_bytes([f.bytes[0], f.bytes[1], f.bytes[2], f.bytes[3]]) as usize;
            assert_eq!(
                &f.bytes[ftyp_len + 4..ftyp_len + 8],
                b"moov",
                "{} is not +faststart",
                f.name
            );
        }
    }
}
