//! Activation → beats, downbeats and meter: the bar-pointer hidden Markov model of Krebs, Böck and
//! Widmer (ISMIR 2015), decoded with Viterbi, as madmom's DBN downbeat tracker does. A state is a
//! position inside a bar at one tempo (a beat interval of 14-55 frames, 55-215 BPM at 50 frames a
//! second); the pointer moves one frame at a time and may change tempo only where a beat starts.
//! The first sixteenth of each beat "is" a beat (the first beat of the bar a downbeat) and is
//! scored by the network's beat or downbeat probability. Each meter is decoded on its own and the
//! likelier one wins. Only the tempo choices at beat starts need back-pointers, so memory is
//! a byte per tempo per beat per frame, not per state.

/// Slowest and fastest tempo considered.
const MIN_BPM: f64 = 55.0;
const MAX_BPM: f64 = 215.0;
/// How strongly a steady tempo is preferred over a change from one beat to the next.
const TRANSITION_LAMBDA: f64 = 100.0;
/// The part of a beat (1/16) whose states count as "on the beat".
const OBSERVATION_LAMBDA: usize = 16;
/// Frames before the first and after the last activation this strong are not decoded.
const THRESHOLD: f32 = 0.05;

/// Beats found by the decoder.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// Frame of each beat.
    pub beats: Vec<usize>,
    /// Each beat's place in its bar, 0 = the downbeat.
    pub numbers: Vec<usize>,
    pub beats_per_bar: usize,
}

/// Decodes `activation` ((beat, downbeat) per frame) as bars of each of `meters` beats and keeps
/// the likeliest. None when nothing in the song is beat-like.
pub fn decode(activation: &[[f32; 2]], fps: f64, meters: &[usize]) -> Option<Decoded> {
    let strong = |a: &[f32; 2]| a[0] >= THRESHOLD || a[1] >= THRESHOLD;
    let first = activation.iter().position(strong)?;
    let last = activation.iter().rposition(strong)? + 1;
    let activation = &activation[first..last];
    let model = Tempi::new(fps);
    let observations: Vec<[f64; 3]> = activation.iter().map(observation).collect();
    let best = meters
        .iter()
        .filter(|m| **m > 0)
        .map(|&meter| Bar::new(&model, meter).viterbi(&observations))
        .max_by(|a, b| a.score.total_cmp(&b.score))?;
    let mut decoded = best.beats(&model, activation);
    decoded.beats.iter_mut().for_each(|f| *f += first);
    Some(decoded)
}

/// Log-probabilities of a frame being off the beat (per off-beat state), on a beat, on a downbeat.
fn observation(a: &[f32; 2]) -> [f64; 3] {
    let (beat, down) = (f64::from(a[0]), f64::from(a[1]));
    let floor = 1e-12;
    [
        ((1.0 - beat - down) / (OBSERVATION_LAMBDA - 1) as f64)
            .max(floor)
            .ln(),
        beat.max(floor).ln(),
        down.max(floor).ln(),
    ]
}

/// The beat intervals (frames) and the log-probability of moving from one to another at a beat.
struct Tempi {
    intervals: Vec<usize>,
    /// For each target interval: (source interval index, log-probability).
    into: Vec<Vec<(usize, f64)>>,
}

impl Tempi {
    fn new(fps: f64) -> Self {
        let shortest = (60.0 * fps / MAX_BPM).round() as usize;
        let longest = (60.0 * fps / MIN_BPM).round() as usize;
        let intervals: Vec<usize> = (shortest.max(1)..=longest.max(shortest.max(1))).collect();
        let mut into = vec![Vec::new(); intervals.len()];
        for (from, &f) in intervals.iter().enumerate() {
            // exp(-λ |ratio - 1|), normalised over the targets, negligible ones dropped.
            let weights: Vec<f64> = intervals
                .iter()
                .map(|&t| (-TRANSITION_LAMBDA * (t as f64 / f as f64 - 1.0).abs()).exp())
                .map(|p| if p <= f64::EPSILON { 0.0 } else { p })
                .collect();
            let total: f64 = weights.iter().sum();
            for (to, w) in weights.into_iter().enumerate() {
                if w > 0.0 {
                    into[to].push((from, (w / total).ln()));
                }
            }
        }
        Self { intervals, into }
    }

    /// States per beat at this interval that count as "on the beat".
    fn on_beat(&self, k: usize) -> usize {
        self.intervals[k].div_ceil(OBSERVATION_LAMBDA)
    }
}

/// One meter's state space: for each beat of the bar, for each interval, its positions.
struct Bar<'a> {
    tempi: &'a Tempi,
    meter: usize,
    /// Offset of block (beat, interval) in the state vector.
    offsets: Vec<usize>,
    states: usize,
}

/// A decoded path, kept compactly: the end state and the tempo choices at beat starts.
struct Path {
    score: f64,
    meter: usize,
    /// (beat, interval index, position) at the last frame.
    end: (usize, usize, usize),
    /// Per frame, per beat, per interval: the interval index the previous beat had.
    pointers: Vec<u8>,
    frames: usize,
}

impl<'a> Bar<'a> {
    fn new(tempi: &'a Tempi, meter: usize) -> Self {
        let mut offsets = Vec::with_capacity(meter * tempi.intervals.len());
        let mut states = 0;
        for _ in 0..meter {
            for &i in &tempi.intervals {
                offsets.push(states);
                states += i;
            }
        }
        Self {
            tempi,
            meter,
            offsets,
            states,
        }
    }

    fn block(&self, beat: usize, k: usize) -> usize {
        self.offsets[beat * self.tempi.intervals.len() + k]
    }

    fn observe(&self, v: &mut [f64], o: &[f64; 3]) {
        for beat in 0..self.meter {
            let on = if beat == 0 { o[2] } else { o[1] };
            for (k, &len) in self.tempi.intervals.iter().enumerate() {
                let start = self.block(beat, k);
                let on_beat = self.tempi.on_beat(k);
                v[start..start + on_beat].iter_mut().for_each(|x| *x += on);
                v[start + on_beat..start + len]
                    .iter_mut()
                    .for_each(|x| *x += o[0]);
            }
        }
    }

    fn viterbi(&self, observations: &[[f64; 3]]) -> Path {
        let n = self.tempi.intervals.len();
        let frames = observations.len();
        let mut pointers = vec![0u8; frames * self.meter * n];
        let mut v = vec![-(self.states as f64).ln(); self.states];
        if let Some(o) = observations.first() {
            self.observe(&mut v, o);
        }
        let mut firsts = vec![0.0; self.meter * n];
        for (t, o) in observations.iter().enumerate().skip(1) {
            // Entering a beat: from the last position of the previous beat, at any nearby tempo.
            for beat in 0..self.meter {
                let previous = (beat + self.meter - 1) % self.meter;
                for k in 0..n {
                    let mut best = (f64::NEG_INFINITY, 0usize);
                    for &(from, log_p) in &self.tempi.into[k] {
                        let last = self.block(previous, from) + self.tempi.intervals[from] - 1;
                        let score = v[last] + log_p;
                        if score > best.0 {
                            best = (score, from);
                        }
                    }
                    firsts[beat * n + k] = best.0;
                    pointers[(t * self.meter + beat) * n + k] = best.1 as u8;
                }
            }
            // Everywhere else: one position on, at the same tempo.
            for beat in 0..self.meter {
                for (k, &len) in self.tempi.intervals.iter().enumerate() {
                    let start = self.block(beat, k);
                    v.copy_within(start..start + len - 1, start + 1);
                    v[start] = firsts[beat * n + k];
                }
            }
            self.observe(&mut v, o);
        }
        let (best, score) = v
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or((0, f64::NEG_INFINITY), |(i, s)| (i, *s));
        Path {
            score,
            meter: self.meter,
            end: self.locate(best),
            pointers,
            frames,
        }
    }

    /// (beat, interval index, position) of a state.
    fn locate(&self, state: usize) -> (usize, usize, usize) {
        let block = self.offsets.partition_point(|o| *o <= state) - 1;
        let n = self.tempi.intervals.len();
        (block / n, block % n, state - self.offsets[block])
    }
}

impl Path {
    /// Walks the path back and places each beat on the strongest frame of its on-beat stretch.
    fn beats(&self, tempi: &Tempi, activation: &[[f32; 2]]) -> Decoded {
        let n = tempi.intervals.len();
        // Per frame: Some(beat number) when the path is on a beat there.
        let mut on = vec![None; self.frames];
        let (mut beat, mut k, mut position) = self.end;
        for t in (0..self.frames).rev() {
            if position < tempi.on_beat(k) {
                on[t] = Some(beat);
            }
            if t == 0 {
                break;
            }
            if position > 0 {
                position -= 1;
            } else {
                let from = usize::from(self.pointers[(t * self.meter + beat) * n + k]);
                beat = (beat + self.meter - 1) % self.meter;
                k = from;
                position = tempi.intervals[from] - 1;
            }
        }
        let strength = |t: usize| activation[t][0].max(activation[t][1]);
        let mut decoded = Decoded {
            beats: Vec::new(),
            numbers: Vec::new(),
            beats_per_bar: self.meter,
        };
        let mut t = 0;
        while t < self.frames {
            let Some(number) = on[t] else {
                t += 1;
                continue;
            };
            let mut end = t;
            while end < self.frames && on[end] == Some(number) {
                end += 1;
            }
            let peak = (t..end).fold(t, |best, f| {
                if strength(f) > strength(best) {
                    f
                } else {
                    best
                }
            });
            decoded.beats.push(peak);
            decoded.numbers.push(number);
            t = end;
        }
        decoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up activation: beats every `period` frames from `phase`, every `meter`-th a downbeat.
    fn activation(frames: usize, period: usize, phase: usize, meter: usize) -> Vec<[f32; 2]> {
        let mut a = vec![[0.01, 0.005]; frames];
        for (k, t) in (phase..frames).step_by(period).enumerate() {
            a[t] = if k % meter == 0 {
                [0.2, 0.7]
            } else {
                [0.8, 0.1]
            };
        }
        a
    }

    #[test]
    fn a_steady_four_four_activation_decodes_to_its_beats_and_bars() {
        // 120 BPM at 50 frames a second: a beat every 25 frames, downbeats from frame 30.
        let a = activation(1500, 25, 5, 4);
        let d = decode(&a, 50.0, &[3, 4]).unwrap_or_else(|| panic!("no beats"));
        assert_eq!(d.beats_per_bar, 4);
        let want: Vec<usize> = (5..1500).step_by(25).collect();
        assert_eq!(d.beats, want);
        let downbeats: Vec<usize> = d
            .beats
            .iter()
            .zip(&d.numbers)
            .filter(|(_, n)| **n == 0)
            .map(|(b, _)| *b)
            .collect();
        assert_eq!(downbeats, (5..1500).step_by(100).collect::<Vec<_>>());
    }

    #[test]
    fn a_waltz_is_found_in_three() {
        let a = activation(1500, 30, 12, 3);
        let d = decode(&a, 50.0, &[3, 4]).unwrap_or_else(|| panic!("no beats"));
        assert_eq!(d.beats_per_bar, 3);
        assert_eq!(d.numbers.first(), Some(&0));
        assert_eq!(d.beats.first(), Some(&12));
    }

    #[test]
    fn a_missing_beat_is_bridged_at_the_same_tempo() {
        let mut a = activation(1000, 25, 0, 4);
        a[500] = [0.01, 0.005];
        let d = decode(&a, 50.0, &[4]).unwrap_or_else(|| panic!("no beats"));
        assert!(
            d.beats.iter().any(|b| b.abs_diff(500) <= 1),
            "{:?}",
            d.beats
        );
        assert_eq!(d.beats.len(), 40);
    }

    #[test]
    fn silence_has_no_beats() {
        assert_eq!(decode(&vec![[0.001, 0.001]; 500], 50.0, &[3, 4]), None);
    }
}
