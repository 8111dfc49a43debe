//! How the song panel writes times and tempi (pure functions, tested natively).

/// A playhead time: `0:12.3`, `1:05.0`, `61:00.0`; negative or not-a-number reads `0:00.0`.
pub fn clock(seconds: f64) -> String {
    let tenths = if seconds.is_finite() && seconds > 0.0 {
        (seconds * 10.0).round() as u64
    } else {
        0
    };
    format!("{}:{:02}.{}", tenths / 600, (tenths / 10) % 60, tenths % 10)
}

/// The time line beside the play button: `0:12.3 / 0:41.5`.
pub fn position(now_s: f64, duration_s: f64) -> String {
    format!("{} / {}", clock(now_s.min(duration_s.max(0.0))), clock(duration_s))
}

/// The tempo line: `120.0 BPM · 4/4`.
pub fn tempo(bpm: f64, beats_per_bar: usize) -> String {
    format!("{} BPM · {}/4", bpm_value(bpm), beats_per_bar.max(1))
}

/// A tempo as typed in the BPM field: one decimal (`120.0`); `—` when unknown.
pub fn bpm_value(bpm: f64) -> String {
    if bpm.is_finite() && bpm > 0.0 {
        format!("{bpm:.1}")
    } else {
        "—".into()
    }
}

/// What the panel says when the analysis is unsure of the beat and the user has not set it: how
/// sure it is and how to tap it. `None` when the beat is sure, set by the user, or absent.
pub fn beats_unsure(confidence: f64, unsure_below: f64, edited: bool, beats: usize) -> Option<String> {
    if edited || beats == 0 || !confidence.is_finite() || confidence >= unsure_below {
        return None;
    }
    let percent = (confidence.clamp(0.0, 1.0) * 100.0).round();
    Some(format!(
        "The beat of this song is hard to hear ({percent:.0} % sure), so cuts may miss it. \
         Play the song and press Tap (or T) on every beat, at least 4 times."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_minutes_seconds_and_tenths() {
        assert_eq!(clock(12.34), "0:12.3");
        assert_eq!(clock(41.46), "0:41.5");
        assert_eq!(clock(65.0), "1:05.0");
        assert_eq!(clock(3660.0), "61:00.0");
        // Rounds into the next minute rather than showing 0:60.0.
        assert_eq!(clock(59.96), "1:00.0");
        assert_eq!(clock(-3.0), "0:00.0");
        assert_eq!(clock(f64::NAN), "0:00.0");
    }

    #[test]
    fn position_never_shows_past_the_end() {
        assert_eq!(position(12.3, 41.5), "0:12.3 / 0:41.5");
        assert_eq!(position(42.0, 41.5), "0:41.5 / 0:41.5");
    }

    #[test]
    fn tempo_reads_bpm_and_metre() {
        assert_eq!(tempo(120.0, 4), "120.0 BPM · 4/4");
        assert_eq!(tempo(92.44, 3), "92.4 BPM · 3/4");
        assert_eq!(bpm_value(f64::NAN), "—");
        assert_eq!(bpm_value(0.0), "—");
    }

    #[test]
    fn an_unsure_beat_asks_for_taps_until_the_user_sets_it() {
        let said = beats_unsure(0.31, 0.5, false, 120).unwrap_or_default();
        assert!(said.contains("31 % sure") && said.contains("Tap"), "{said}");
        assert_eq!(beats_unsure(0.8, 0.5, false, 120), None);
        assert_eq!(beats_unsure(0.31, 0.5, true, 120), None);
        assert_eq!(beats_unsure(0.0, 0.5, false, 0), None);
        // An analysis from before the confidence existed says nothing.
        assert_eq!(beats_unsure(0.0, 0.0, false, 120), None);
    }
}
