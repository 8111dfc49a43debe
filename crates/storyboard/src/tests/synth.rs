//! A synthesized song, analysed by `song`, then planned: 16 bars of quiet clicks over a high
//! tone, then 16 bars of loud drums with a bass line (the song crate's section test, copied).

use song::analyze_samples;

use super::fixtures::{assert_cuts_on, assert_sound, five_and_ten, planned};

const RATE: u32 = 22_050;

struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    }
}

fn add(song: &mut [f32], at: f64, length: f64, mut f: impl FnMut(f64) -> f32) {
    let start = (at * f64::from(RATE)) as usize;
    let end = (((at + length) * f64::from(RATE)) as usize).min(song.len());
    for (i, sample) in song.iter_mut().enumerate().take(end).skip(start) {
        *sample += f((i - start) as f64 / f64::from(RATE));
    }
}

fn sine(hz: f64, t: f64) -> f32 {
    (2.0 * std::f64::consts::PI * hz * t).sin() as f32
}

fn click(song: &mut [f32], at: f64, hz: f64, gain: f32) {
    add(song, at, 0.03, |t| {
        gain * sine(hz, t) * (-t * 120.0).exp() as f32
    });
}

fn tone(song: &mut [f32], at: f64, length: f64, hz: f64, gain: f32) {
    add(song, at, length, |t| {
        gain * sine(hz, t) * (1.0 - (-t * 40.0).exp()) as f32
    });
}

fn drums(song: &mut [f32], beats: &[f64], noise: &mut Noise) {
    let notes = [55.0, 73.4, 65.4, 49.0];
    for (i, &t) in beats.iter().enumerate() {
        if i % 2 == 0 {
            add(song, t, 0.25, |x| {
                let pitch = 50.0 + 90.0 * (-x * 30.0).exp();
                0.8 * sine(pitch, x) * (-x * 12.0).exp() as f32
            });
        } else {
            add(song, t, 0.15, |x| {
                0.48 * noise.next() * (-x * 25.0).exp() as f32
            });
        }
        if i % 4 == 0 {
            let bar_end = beats.get(i + 4).copied().unwrap_or(t + 2.0);
            tone(song, t, bar_end - t, notes[(i / 4) % 4], 0.24);
        }
    }
}

#[test]
fn an_analysed_song_is_cut_on_its_downbeats_faster_where_it_is_loud() {
    let beats: Vec<f64> = (0..128).map(|i| 0.5 + f64::from(i) * 0.5).collect();
    let change = beats[64];
    let mut samples = vec![0.0; ((0.5 + 128.0 * 0.5 + 1.0) * f64::from(RATE)) as usize];
    for (i, &t) in beats[..64].iter().enumerate() {
        let (hz, gain) = if i % 4 == 0 {
            (2000.0, 0.3)
        } else {
            (1000.0, 0.15)
        };
        click(&mut samples, t, hz, gain);
    }
    tone(&mut samples, 0.5, change - 0.5, 880.0, 0.05);
    drums(&mut samples, &beats[64..], &mut Noise(3));
    let analysis = analyze_samples(&samples, RATE).unwrap_or_else(|e| panic!("{e}"));
    assert!(analysis.sections.len() >= 2, "{:?}", analysis.sections);

    let board = planned(&analysis, &five_and_ten());
    assert_sound(&board, analysis.duration_s);
    assert_cuts_on(&board, &analysis.downbeats);
    let quiet: Vec<f64> = board
        .shots
        .iter()
        .filter(|s| s.end_s <= change + 0.1)
        .map(|s| s.length_s())
        .collect();
    let loud: Vec<f64> = board
        .shots
        .iter()
        .filter(|s| s.start_s >= change - 0.1)
        .map(|s| s.length_s())
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    assert!(
        !quiet.is_empty() && !loud.is_empty() && mean(&loud) < mean(&quiet),
        "quiet shots {quiet:?}, loud shots {loud:?}, sections {:?}",
        analysis.sections
    );
    assert!(
        board.cuts().iter().any(|c| (c - change).abs() <= 2.0),
        "a cut within a bar of the section change at {change} s: {:?}",
        board.cuts()
    );
}
