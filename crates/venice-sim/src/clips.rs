//! Generated clips, what they look like: `ClipConfig`, and the `ClipInfo` a queue request maps to
//! (pixel size from aspect ratio and resolution, length from duration, colour and number from the prompt).
//!
//! Sizes: the resolution names the short side (`"480p"` → 480, `"768P"` → 768, `"2K"` → 1440,
//! `"4k"` → 2160; absent or unknown → 480), capped at [`ClipConfig::max_short_side`] (720 by
//! default, to keep encoding fast); the long side follows the aspect ratio (absent, `"auto"` or
//! unknown → 16:9), both rounded to even numbers. `"16:9"` at 480p is 854×480, `"9:16"` 480×854.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// Frames per second of every generated clip.
pub const CLIP_FPS: u32 = 24;

/// Opt-in generated clips (see [`crate::SimConfig::clips`]): every finished job delivers an MP4 of
/// the requested duration and aspect ratio, made once with ffmpeg and cached on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClipConfig {
    /// Where finished clips are kept, by their parameters (created if missing; files appear there
    /// by atomic rename, so several sims and processes can share it). Default: `venice-sim-clips`
    /// under the system's temp folder.
    pub cache_dir: PathBuf,
    /// The ffmpeg to run (default `"ffmpeg"`, found on PATH). When it cannot run, jobs deliver
    /// the bundled fixture instead and a warning is logged.
    pub ffmpeg: PathBuf,
    /// The font for the shot number and caption; `None` looks for DejaVu Sans Bold (fc-match,
    /// then known paths). Without a usable font the clips are plain colour.
    pub font: Option<PathBuf>,
    /// The largest short side made, in pixels (default 720): a 1080p request gets a 720p clip.
    pub max_short_side: u32,
    /// How many ffmpeg encodes run at once (default 2).
    pub max_parallel: usize,
}

impl Default for ClipConfig {
    fn default() -> Self {
        ClipConfig {
            cache_dir: std::env::temp_dir().join("venice-sim-clips"),
            ffmpeg: PathBuf::from("ffmpeg"),
            font: None,
            max_short_side: 720,
            max_parallel: 2,
        }
    }
}

impl ClipConfig {
    /// The defaults with clips kept in `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> ClipConfig {
        ClipConfig {
            cache_dir: dir.into(),
            ..ClipConfig::default()
        }
    }
}

/// What one job's clip looks like (see [`crate::VeniceSim::clip_info`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ClipInfo {
    /// The big number drawn on it: a `Shot N` in the prompt, else the prompt's place among the
    /// distinct prompts this sim was given (1 for the first).
    pub number: u32,
    /// Its background colour (sRGB), see [`clip_colour`].
    pub colour: [u8; 3],
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Number of frames at [`CLIP_FPS`].
    pub frames: u32,
    /// Whether it has an audio track (a quiet tone): when the model makes audio and the request
    /// did not switch it off, as Venice does.
    pub audio: bool,
    /// The prompt's first words, drawn under the number.
    pub caption: String,
}

impl ClipInfo {
    /// The clip for a validated queue request.
    pub(crate) fn new(
        prompt: &str,
        sequence: u32,
        duration: &str,
        aspect_ratio: Option<&str>,
        resolution: Option<&str>,
        audio: bool,
        max_short_side: u32,
    ) -> ClipInfo {
        let number = shot_number(prompt).unwrap_or(sequence);
        let (width, height) = frame_size(
            aspect_ratio,
            short_side(resolution).min(max_short_side.max(16)),
        );
        ClipInfo {
            number,
            colour: clip_colour(prompt, number),
            width,
            height,
            frames: (duration_secs(duration) * f64::from(CLIP_FPS))
                .round()
                .max(1.0) as u32,
            audio,
            caption: caption(prompt),
        }
    }

    /// Length in seconds.
    pub fn duration_s(&self) -> f64 {
        f64::from(self.frames) / f64::from(CLIP_FPS)
    }

    /// `rrggbb`.
    pub fn colour_hex(&self) -> String {
        let [r, g, b] = self.colour;
        format!("{r:02x}{g:02x}{b:02x}")
    }

    /// A file-name-safe key of everything that shapes the file.
    pub(crate) fn cache_key(&self) -> String {
        let mut h = Sha256::new();
        h.update(format!(
            "v1|{}|{}x{}|{}|{}|{}|{}",
            self.number,
            self.width,
            self.height,
            self.frames,
            self.audio,
            self.colour_hex(),
            self.caption
        ));
        let digest = h.finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}x{}-{}f-{}-{hex}",
            self.width,
            self.height,
            self.frames,
            if self.audio { "a" } else { "na" }
        )
    }
}

/// The background colour of a clip: the hue steps by the golden angle with the shot number (so
/// shots N and N+1 are at least ~100° apart), moved up to ±20° by a SHA-256 of the prompt, which
/// also sets saturation (0.6-0.9) and value (0.45-0.75, so white text stays readable).
pub fn clip_colour(prompt: &str, number: u32) -> [u8; 3] {
    let d = Sha256::digest(prompt.as_bytes());
    let unit = |b: u8| f64::from(b) / 255.0;
    let hue = (f64::from(number) * 137.508 + unit(d[0]) * 40.0 - 20.0).rem_euclid(360.0);
    hsv_to_rgb(hue, 0.6 + unit(d[1]) * 0.3, 0.45 + unit(d[2]) * 0.3)
}

fn hsv_to_rgb(h: f64, s: f64, v: f64) -> [u8; 3] {
    let c = v * s;
    let x = c * (1.0 - ((h / 60.0).rem_euclid(2.0) - 1.0).abs());
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    let to = |f: f64| ((f + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    [to(r), to(g), to(b)]
}

/// `"Shot 12"`, `"shot #3"`, `"SHOT NO. 4"` anywhere in the prompt (the first one wins).
pub(crate) fn shot_number(prompt: &str) -> Option<u32> {
    let lower = prompt.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("shot") {
        let after = &rest[at + 4..];
        rest = after;
        if after.starts_with(char::is_alphabetic) {
            continue;
        }
        let trimmed = after.trim_start_matches([' ', '#', ':']);
        let trimmed = trimmed.strip_prefix("no.").unwrap_or(trimmed).trim_start();
        let digits: String = trimmed.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse() {
            return Some(n);
        }
    }
    None
}

/// The prompt's first words (at most 4 words, 28 characters), without a leading `Shot N:`.
fn caption(prompt: &str) -> String {
    let mut words = prompt.split_whitespace().peekable();
    if words.peek().is_some_and(|w| w.eq_ignore_ascii_case("shot")) {
        words.next();
        words.next();
    }
    let mut out = String::new();
    for w in words.take(4) {
        if out.chars().count() + w.chars().count() + 1 > 28 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// `"10s"` → 10; `"Auto"` or anything unparsable → 5.
fn duration_secs(duration: &str) -> f64 {
    duration
        .trim()
        .trim_end_matches(['s', 'S'])
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && *d > 0.0 && *d <= 600.0)
        .unwrap_or(5.0)
}

/// The short side a resolution names.
fn short_side(resolution: Option<&str>) -> u32 {
    let Some(r) = resolution.map(str::to_ascii_lowercase) else {
        return 480;
    };
    match r.as_str() {
        "4k" => 2160,
        "2k" => 1440,
        _ => {
            let digits: String = r
                .trim_end_matches('p')
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            match (r.ends_with('p'), digits.parse::<u32>()) {
                (true, Ok(n)) if (16..=4320).contains(&n) => n,
                _ => 480,
            }
        }
    }
}

fn even(x: f64) -> u32 {
    ((x / 2.0).round() as u32).max(1) * 2
}

/// Width and height for an aspect ratio with the given short side.
fn frame_size(aspect_ratio: Option<&str>, short: u32) -> (u32, u32) {
    let ratio = aspect_ratio
        .and_then(|s| {
            let (w, h) = s.split_once(':')?;
            let (w, h): (f64, f64) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
            (w > 0.0 && h > 0.0).then(|| w / h)
        })
        .unwrap_or(16.0 / 9.0);
    let short = f64::from(short);
    if ratio >= 1.0 {
        (even(short * ratio), even(short))
    } else {
        (even(short), even(short / ratio))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_aspect_and_resolution() {
        let size = |ar, res| {
            let c = ClipInfo::new("p", 1, "5s", ar, res, false, 720);
            (c.width, c.height)
        };
        assert_eq!(size(Some("16:9"), Some("480p")), (854, 480));
        assert_eq!(size(Some("9:16"), Some("480p")), (480, 854));
        assert_eq!(size(Some("1:1"), None), (480, 480));
        assert_eq!(size(Some("4:3"), Some("720p")), (960, 720));
        assert_eq!(size(Some("auto"), Some("1080p")), (1280, 720));
        assert_eq!(size(Some("21:9"), Some("360p")), (840, 360));
        assert_eq!(size(None, Some("true_1080p")), (1280, 720));
        assert_eq!(size(Some("3:4"), Some("2x")), (480, 640));
        let c = ClipInfo::new("p", 1, "4K", Some("16:9"), Some("4k"), false, 4000);
        assert_eq!((c.width, c.height), (3840, 2160));
    }

    #[test]
    fn durations_become_frames() {
        let frames = |d| ClipInfo::new("p", 1, d, None, None, false, 720).frames;
        assert_eq!(frames("10s"), 240);
        assert_eq!(frames("5s"), 120);
        assert_eq!(frames("Auto"), 120);
        assert_eq!(frames("2.5s"), 60);
    }

    #[test]
    fn numbers_come_from_the_prompt_or_the_sequence() {
        assert_eq!(shot_number("Shot 12: neon rain"), Some(12));
        assert_eq!(shot_number("a wide shot of the sea, shot #3"), Some(3));
        assert_eq!(shot_number("SHOT NO. 4 of 9"), Some(4));
        assert_eq!(shot_number("a long shot of a lighthouse"), None);
        assert_eq!(shot_number("shots 3"), None);
        let c = ClipInfo::new(
            "Shot 7: city lights at night",
            2,
            "5s",
            None,
            None,
            false,
            720,
        );
        assert_eq!(c.number, 7);
        assert_eq!(c.caption, "city lights at night");
        assert_eq!(
            ClipInfo::new("city", 2, "5s", None, None, false, 720).number,
            2
        );
    }

    #[test]
    fn neighbouring_shots_have_distant_hues() {
        for n in 1..60 {
            let a = clip_colour("same words", n);
            let b = clip_colour("same words", n + 1);
            let dist: i32 = a
                .iter()
                .zip(b)
                .map(|(x, y)| (i32::from(*x) - i32::from(y)).abs())
                .sum();
            assert!(dist > 60, "shot {n}: {a:?} vs {b:?}");
        }
        assert_eq!(clip_colour("x", 3), clip_colour("x", 3));
        assert_ne!(clip_colour("x", 3), clip_colour("y", 3));
    }

    #[test]
    fn cache_keys_differ_by_what_shapes_the_file() {
        let a = ClipInfo::new("a", 1, "5s", None, None, false, 720);
        let b = ClipInfo::new("a", 1, "5s", None, None, true, 720);
        let c = ClipInfo::new("b", 1, "5s", None, None, false, 720);
        assert_ne!(a.cache_key(), b.cache_key());
        assert_ne!(a.cache_key(), c.cache_key());
        assert_eq!(
            a.cache_key(),
            ClipInfo::new("a", 1, "5s", None, None, false, 720).cache_key()
        );
    }
}
