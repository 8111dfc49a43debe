//! The price table behind `/video/quote` and the charge on `/video/queue`.
//!
//! quote = family rate (USD per second at 720p) × seconds × resolution factor
//!       + audio surcharge (0.02 USD per second when the model generates audio and it is not switched off),
//! rounded to 4 decimals. `Auto`/`auto`/`-1`/`1 gen` durations count as 5 s.

/// USD per second at 720p, by model id prefix (first match wins).
pub(crate) const FAMILY_RATES: &[(&str, f64)] = &[
    ("veo3.1-full", 0.40),
    ("veo3-full", 0.40),
    ("veo3.1-fast", 0.15),
    ("veo3-fast", 0.15),
    ("sora-2-pro", 0.30),
    ("sora-2", 0.10),
    ("kling-o3-4k", 0.20),
    ("kling-v3-4k", 0.20),
    ("kling-o3-pro", 0.14),
    ("kling-v3-pro", 0.14),
    ("kling-2.6-pro", 0.10),
    ("kling", 0.07),
    ("seedance-2-5", 0.08),
    ("seedance", 0.05),
    ("gemini", 0.10),
    ("minimax", 0.06),
    ("runway", 0.05),
    ("pixverse", 0.06),
    ("vidu", 0.05),
    ("ltx", 0.04),
    ("grok", 0.05),
    ("flux", 0.06),
    ("happyhorse", 0.05),
    ("wan", 0.05),
    ("longcat", 0.02),
    ("ovi", 0.03),
    ("topaz", 0.02),
];

/// Rate for models no prefix matches.
pub(crate) const DEFAULT_RATE: f64 = 0.05;

/// Audio surcharge, USD per second.
pub(crate) const AUDIO_RATE: f64 = 0.02;

/// Resolution factor relative to 720p.
pub(crate) fn resolution_factor(resolution: Option<&str>) -> f64 {
    match resolution.map(str::to_ascii_lowercase).as_deref() {
        Some("256p") | Some("360p") => 0.5,
        Some("480p") | Some("540p") | Some("580p") => 0.75,
        None | Some("720p") | Some("768p") | Some("2x") => 1.0,
        Some("1080p") | Some("true_1080p") => 1.5,
        Some("1440p") | Some("2k") | Some("4x") => 2.0,
        Some("2160p") | Some("4k") => 3.0,
        Some(_) => 1.0,
    }
}

/// Seconds a duration string stands for (`"10s"` → 10; `Auto`, `-1`, `1 gen` → 5).
pub(crate) fn duration_secs(duration: &str) -> u32 {
    duration
        .strip_suffix('s')
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(5)
}

/// The family rate for a model id.
pub(crate) fn family_rate(model: &str) -> f64 {
    FAMILY_RATES
        .iter()
        .find(|(p, _)| model.starts_with(p))
        .map_or(DEFAULT_RATE, |(_, r)| *r)
}

/// The sim's price in USD for one video: deterministic, always positive.
/// `audio_on` is whether the video will have generated audio.
pub fn quote_usd(model: &str, duration: &str, resolution: Option<&str>, audio_on: bool) -> f64 {
    let secs = f64::from(duration_secs(duration));
    let mut usd = family_rate(model) * secs * resolution_factor(resolution);
    if audio_on {
        usd += AUDIO_RATE * secs;
    }
    (usd * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_examples() {
        assert_eq!(
            quote_usd("wan-2.5-preview-text-to-video", "5s", Some("720p"), false),
            0.25
        );
        assert_eq!(
            quote_usd("wan-2.5-preview-text-to-video", "10s", Some("1080p"), true),
            0.95
        );
        assert_eq!(
            quote_usd("veo3.1-full-text-to-video", "8s", Some("4k"), true),
            9.76
        );
        assert_eq!(
            quote_usd("topaz-video-upscale", "Auto", Some("2x"), false),
            0.1
        );
        assert!(quote_usd("unknown-model", "1s", Some("256p"), false) > 0.0);
    }
}
