//! Decoded beats → a second look at their phase and octave, and how sure the analysis is of them.
//! The networks sometimes lock a whole song onto the off-beat (a skank or a hi-hat louder than
//! the kick) or onto half or double the tempo. What decides is evidence the decoder does not
//! weigh: where the bass and kick land (low-band onsets sit on the beat in nearly all popular
//! music), how beat-like the frames between the beats are, and a prior on tempo. The confidence
//! (0–1) says how clearly the beats stand out from what lies between them and how steady they
//! are, so the app can ask the user to tap along when it is low.

/// Bands below this frequency are the bass and the kick.
pub const LOW_HZ: f64 = 150.0;

/// What is heard frame by frame, beside the networks' activation.
#[derive(Clone, Copy, Debug)]
pub struct Evidence<'a> {
    /// (beat, downbeat) probability per frame.
    pub activation: &'a [[f32; 2]],
    /// The rise of the low bands' loudness per frame (positive part).
    pub low_flux: &'a [f32],
}

/// The beats' grid, moved where the evidence says, with how sure the analysis is.
#[derive(Clone, Debug, PartialEq)]
pub struct Pulse {
    /// Beat frames.
    pub beats: Vec<usize>,
    /// What was changed.
    pub moved: Move,
    pub confidence: f64,
}

/// A change to the decoder's grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Kept,
    /// Every beat moved half a beat (the decoder was on the off-beat).
    HalfBeat,
    /// A beat added between every two (the decoder counted half the tempo).
    Doubled,
    /// Every other beat dropped (the decoder counted double the tempo).
    Halved,
}

/// The low-band onsets between the beats must be this many times those on them before the
/// grid moves half a beat.
const OFF_BEAT_LOW: f64 = 1.6;
/// ...and the networks must not be far surer of the beats than of the frames between them.
const OFF_BEAT_ACTIVATION: f64 = 0.7;
/// The fewest beats a second look is taken at.
const MIN_BEATS: usize = 16;
/// A grid this fast whose every other beat the networks hear this much less than the rest is
/// counting eighth notes: half of it is the beat.
const FAST_BPM: f64 = 140.0;
const WEAK_PARITY: f64 = 0.55;
/// A grid this slow whose midpoints the networks hear almost as well as its beats is counting
/// half notes: the midpoints are beats too.
const SLOW_BPM: f64 = 72.0;
const STRONG_MIDPOINTS: f64 = 0.65;

/// Checks the decoder's beats (frames, in order, at `fps` frames a second) against the evidence.
pub fn settle(beats: &[usize], evidence: Evidence<'_>, fps: f64) -> Pulse {
    let mut pulse = Pulse {
        beats: beats.to_vec(),
        moved: Move::Kept,
        confidence: 0.0,
    };
    if beats.len() >= MIN_BEATS {
        let strength = beat_strength(evidence.activation);
        let bpm = bpm(beats, fps);
        if bpm >= FAST_BPM {
            let even: Vec<usize> = beats.iter().copied().step_by(2).collect();
            let odd: Vec<usize> = beats.iter().copied().skip(1).step_by(2).collect();
            let (on_even, on_odd) = (mean_at(&strength, &even), mean_at(&strength, &odd));
            if on_even.min(on_odd) < WEAK_PARITY * on_even.max(on_odd) {
                pulse.beats = if on_even >= on_odd { even } else { odd };
                pulse.moved = Move::Halved;
            }
        } else if bpm > 0.0 && bpm <= SLOW_BPM {
            let between = midpoints(beats);
            if mean_at(&strength, &between) >= STRONG_MIDPOINTS * mean_at(&strength, beats) {
                let mut doubled: Vec<usize> = beats.iter().copied().chain(between).collect();
                doubled.sort_unstable();
                pulse.beats = doubled;
                pulse.moved = Move::Doubled;
            }
        }
    }
    if pulse.moved == Move::Kept && beats.len() >= MIN_BEATS {
        let between = midpoints(beats);
        let low_on = mean_at(evidence.low_flux, beats);
        let low_off = mean_at(evidence.low_flux, &between);
        let act_on = mean_at(&beat_strength(evidence.activation), beats);
        let act_off = mean_at(&beat_strength(evidence.activation), &between);
        if low_off > OFF_BEAT_LOW * low_on.max(1e-6) && act_off >= OFF_BEAT_ACTIVATION * act_on {
            pulse.beats = between;
            pulse.moved = Move::HalfBeat;
        }
    }
    pulse.confidence = confidence(&pulse.beats, evidence.activation);
    pulse
}

/// How sure the analysis is of these beats (0–1): how much more beat-like the beats are than the
/// frames halfway between them, times the share of beat intervals within 10 % of the typical
/// one. A click track scores near 1; a drone, a rubato piano or noise near 0.
pub fn confidence(beats: &[usize], activation: &[[f32; 2]]) -> f64 {
    if beats.len() < 4 {
        return 0.0;
    }
    let strength = beat_strength(activation);
    let on = mean_at(&strength, beats);
    let off = mean_at(&strength, &midpoints(beats));
    // Beats the networks are unsure of (a peak of 0.1) count less than clear ones (0.4 and up).
    let sure = (on / 0.4).min(1.0);
    let contrast = if on > 0.0 {
        ((on - off) / on).max(0.0)
    } else {
        0.0
    };
    (sure * contrast * steadiness(beats)).clamp(0.0, 1.0)
}

/// The grid's tempo from its median interval.
fn bpm(beats: &[usize], fps: f64) -> f64 {
    let mut intervals: Vec<usize> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    intervals.sort_unstable();
    match intervals.get(intervals.len() / 2) {
        Some(&median) if median > 0 => 60.0 * fps / median as f64,
        _ => 0.0,
    }
}

/// The share of beat intervals within 10 % of the median one.
fn steadiness(beats: &[usize]) -> f64 {
    let mut intervals: Vec<usize> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    if intervals.is_empty() {
        return 0.0;
    }
    intervals.sort_unstable();
    let median = intervals[intervals.len() / 2] as f64;
    let steady = intervals
        .iter()
        .filter(|i| (**i as f64 - median).abs() <= 0.1 * median)
        .count();
    steady as f64 / intervals.len() as f64
}

/// The frame halfway between each two beats.
fn midpoints(beats: &[usize]) -> Vec<usize> {
    beats.windows(2).map(|w| (w[0] + w[1]) / 2).collect()
}

/// Beat and downbeat probability together, per frame.
fn beat_strength(activation: &[[f32; 2]]) -> Vec<f32> {
    activation.iter().map(|a| a[0] + a[1]).collect()
}

/// The mean over `frames` of the strongest value within a frame either side (a beat's frame may
/// sit one off its sound).
fn mean_at(values: &[f32], frames: &[usize]) -> f64 {
    if frames.is_empty() {
        return 0.0;
    }
    let peak = |f: usize| {
        (f.saturating_sub(1)..=f + 1)
            .filter_map(|i| values.get(i).copied())
            .fold(0.0f32, f32::max)
    };
    frames.iter().map(|f| f64::from(peak(*f))).sum::<f64>() / frames.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Peaks of `height` every `period` frames from `phase`, `floor` elsewhere.
    fn pulses(frames: usize, period: usize, phase: usize, height: f32, floor: f32) -> Vec<f32> {
        (0..frames)
            .map(|f| {
                if f >= phase && (f - phase).is_multiple_of(period) {
                    height
                } else {
                    floor
                }
            })
            .collect()
    }

    fn grid(frames: usize, period: usize, phase: usize) -> Vec<usize> {
        (phase..frames).step_by(period).collect()
    }

    fn activation(beat: &[f32]) -> Vec<[f32; 2]> {
        beat.iter().map(|b| [*b, 0.0]).collect()
    }

    #[test]
    fn a_click_track_is_sure_and_noise_is_not() {
        let beats = grid(3000, 25, 10);
        let clicks = activation(&pulses(3000, 25, 10, 0.9, 0.01));
        assert!(confidence(&beats, &clicks) > 0.9);
        let flat = activation(&vec![0.2; 3000]);
        assert!(confidence(&beats, &flat) < 0.1);
        // Beats the networks hear as strongly between as on: no idea which is the beat.
        let eighths = activation(&pulses(3000, 25, 10, 0.9, 0.01))
            .iter()
            .zip(pulses(3000, 25, 22, 0.9, 0.0))
            .map(|(a, b)| [a[0].max(b), 0.0])
            .collect::<Vec<_>>();
        assert!(confidence(&beats, &eighths) < 0.2);
    }

    #[test]
    fn unsteady_beats_lower_the_confidence() {
        let clicks = activation(&pulses(3000, 25, 10, 0.9, 0.01));
        let steady = grid(3000, 25, 10);
        let mut wobbly = steady.clone();
        for (i, b) in wobbly.iter_mut().enumerate() {
            if i % 2 == 1 {
                *b += 6;
            }
        }
        assert!(confidence(&wobbly, &clicks) < 0.5 * confidence(&steady, &clicks));
    }

    #[test]
    fn beats_between_the_kicks_move_onto_them_and_beats_on_them_stay() {
        // The networks hear the skank between the kicks a little more than the kicks.
        let mut beat = pulses(3000, 25, 22, 0.7, 0.01);
        for (b, k) in beat.iter_mut().zip(pulses(3000, 25, 10, 0.6, 0.0)) {
            *b = b.max(k);
        }
        let kicks = pulses(3000, 25, 10, 1.0, 0.02);
        let evidence = Evidence {
            activation: &activation(&beat),
            low_flux: &kicks,
        };
        let off = grid(3000, 25, 22);
        let settled = settle(&off, evidence, 50.0);
        assert_eq!(settled.moved, Move::HalfBeat);
        // Within a frame of a kick (the midpoint of 22 and 47 is 34, the kick at 35).
        let near_kick = |f: &usize| matches!((f + 25 - 10) % 25, 0 | 1 | 24);
        assert!(
            settled.beats.iter().all(near_kick),
            "{:?}",
            &settled.beats[..4]
        );
        let on = grid(3000, 25, 10);
        assert_eq!(settle(&on, evidence, 50.0).moved, Move::Kept);
    }

    #[test]
    fn without_a_clear_low_end_the_decoder_is_trusted() {
        let beat = pulses(3000, 25, 22, 0.7, 0.01);
        let evidence = Evidence {
            activation: &activation(&beat),
            low_flux: &vec![0.1; 3000],
        };
        assert_eq!(
            settle(&grid(3000, 25, 22), evidence, 50.0).moved,
            Move::Kept
        );
    }

    #[test]
    fn eighth_notes_counted_as_beats_are_halved_to_the_strong_ones() {
        // 240 "BPM" at 50 fps (12.5 frames): every other one a kick the networks hear clearly.
        let mut beat = pulses(3000, 25, 10, 0.8, 0.01);
        for (b, h) in beat.iter_mut().zip(pulses(3000, 25, 22, 0.2, 0.0)) {
            *b = b.max(h);
        }
        let evidence = Evidence {
            activation: &activation(&beat),
            low_flux: &pulses(3000, 25, 10, 1.0, 0.0),
        };
        let eighths: Vec<usize> = (0..118).map(|i| 10 + i * 25 / 2).collect();
        let settled = settle(&eighths, evidence, 50.0);
        assert_eq!(settled.moved, Move::Halved);
        assert!(settled.beats.iter().all(|f| (f - 10) % 25 == 0));
        // The same beats at a moderate tempo, every one heard alike: kept.
        let even = pulses(3000, 25, 10, 0.8, 0.01);
        let evidence = Evidence {
            activation: &activation(&even),
            low_flux: &pulses(3000, 25, 10, 1.0, 0.0),
        };
        assert_eq!(
            settle(&grid(3000, 25, 10), evidence, 50.0).moved,
            Move::Kept
        );
    }

    #[test]
    fn half_notes_heard_as_well_between_are_doubled() {
        // 60 "BPM" (50 frames) with beats between heard nearly as well: 120 BPM.
        let beat = pulses(3000, 25, 10, 0.8, 0.01);
        let evidence = Evidence {
            activation: &activation(&beat),
            low_flux: &pulses(3000, 25, 10, 1.0, 0.0),
        };
        let settled = settle(&grid(3000, 50, 10), evidence, 50.0);
        assert_eq!(settled.moved, Move::Doubled);
        assert_eq!(&settled.beats[..4], &[10, 35, 60, 85]);
        // A slow song with nothing between its beats stays slow.
        let slow = pulses(3000, 50, 10, 0.8, 0.01);
        let evidence = Evidence {
            activation: &activation(&slow),
            low_flux: &pulses(3000, 50, 10, 1.0, 0.0),
        };
        assert_eq!(
            settle(&grid(3000, 50, 10), evidence, 50.0).moved,
            Move::Kept
        );
    }
}
