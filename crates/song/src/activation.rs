//! Spectrogram → beat and downbeat activation: BeatNet's three trained CRNNs (CC BY 4.0, Heydari et
//! al. 2021; exported to ONNX by `model/export_beatnet.py`, run with tract), each given the 136
//! log bands and their positive rise over the previous frame, averaged. One (beat, downbeat)
//! probability pair per 20 ms frame. Frames stream through in chunks, the networks' LSTM states
//! carried from chunk to chunk, so memory is one chunk whatever the song's length.

use std::sync::OnceLock;

use tract_onnx::prelude::*;

use crate::Error;

/// The networks, trained on different held-out sets (GTZAN, Ballroom, Rock corpus).
const MODELS: [&[u8]; 3] = [
    include_bytes!("../model/beatnet-1.onnx"),
    include_bytes!("../model/beatnet-2.onnx"),
    include_bytes!("../model/beatnet-3.onnx"),
];
/// Values per frame: the bands and their rise.
pub const FEATURES: usize = 272;
/// LSTM state size.
const HIDDEN: usize = 150;
/// Frames per network run.
const CHUNK: usize = 1000;

type Plan = std::sync::Arc<TypedRunnableModel>;

/// The networks, loaded once per process.
fn plans() -> Result<&'static [Plan], Error> {
    static PLANS: OnceLock<Result<Vec<Plan>, String>> = OnceLock::new();
    PLANS
        .get_or_init(|| {
            MODELS
                .iter()
                .map(|bytes| load(bytes).map_err(|e| format!("{e:#}")))
                .collect()
        })
        .as_deref()
        .map_err(|why| Error::Model { why: why.clone() })
}

fn load(bytes: &[u8]) -> TractResult<Plan> {
    tract_onnx::onnx()
        .model_for_read(&mut &bytes[..])?
        .with_input_fact(0, f32::fact([CHUNK, FEATURES]).into())?
        .into_optimized()?
        .into_runnable()
}

/// One network and its LSTM states (h and c of both layers).
struct Net {
    plan: &'static Plan,
    states: Vec<Tensor>,
}

/// Streaming activation: push each frame's bands, get (beat, downbeat) per frame at the end.
pub struct BeatActivation {
    nets: Vec<Net>,
    pending: Vec<f32>,
    previous: Vec<f32>,
    activation: Vec<[f32; 2]>,
}

impl std::fmt::Debug for BeatActivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BeatActivation")
            .field("frames", &self.activation.len())
            .finish()
    }
}

impl BeatActivation {
    pub fn new() -> Result<Self, Error> {
        let nets = plans()?
            .iter()
            .map(|plan| Net {
                plan,
                states: (0..4)
                    .map(|_| Tensor::zero::<f32>(&[1, 1, HIDDEN]))
                    .collect::<TractResult<_>>()
                    .unwrap_or_default(),
            })
            .collect();
        Ok(Self {
            nets,
            pending: Vec::with_capacity(CHUNK * FEATURES),
            previous: Vec::new(),
            activation: Vec::new(),
        })
    }

    /// One frame's log bands (the first frame's rise is 0, as in madmom).
    pub fn push(&mut self, bands: &[f32]) -> Result<(), Error> {
        self.pending.extend_from_slice(bands);
        if self.previous.len() == bands.len() {
            self.pending.extend(
                bands
                    .iter()
                    .zip(&self.previous)
                    .map(|(now, before)| (now - before).max(0.0)),
            );
        } else {
            self.pending.extend(std::iter::repeat_n(0.0, bands.len()));
        }
        self.previous.clear();
        self.previous.extend_from_slice(bands);
        if self.pending.len() == CHUNK * FEATURES {
            self.run()?;
        }
        Ok(())
    }

    /// The activation of every frame pushed: (beat, downbeat) probabilities.
    pub fn finish(mut self) -> Result<Vec<[f32; 2]>, Error> {
        if !self.pending.is_empty() {
            self.run()?;
        }
        Ok(self.activation)
    }

    /// Runs the networks over the pending frames (padded to a whole chunk; the padding's outputs
    /// are dropped, and it only ever comes last).
    fn run(&mut self) -> Result<(), Error> {
        let frames = self.pending.len() / FEATURES;
        self.pending.resize(CHUNK * FEATURES, 0.0);
        let features =
            Tensor::from_shape(&[CHUNK, FEATURES], &self.pending).map_err(model_error)?;
        let mut sum = vec![[0.0f32; 2]; frames];
        for net in &mut self.nets {
            let mut inputs: TVec<TValue> = tvec![features.clone().into()];
            inputs.extend(net.states.iter().map(|s| s.clone().into()));
            let outputs = net.plan.run(inputs).map_err(model_error)?;
            let probabilities = outputs[0]
                .to_plain_array_view::<f32>()
                .map_err(model_error)?;
            for (t, slot) in sum.iter_mut().enumerate() {
                slot[0] += probabilities[[t, 0]];
                slot[1] += probabilities[[t, 1]];
            }
            net.states = outputs[1..]
                .iter()
                .map(|t| t.clone().into_tensor())
                .collect();
        }
        let n = self.nets.len() as f32;
        self.activation
            .extend(sum.into_iter().map(|[b, d]| [b / n, d / n]));
        self.pending.clear();
        Ok(())
    }
}

fn model_error(error: TractError) -> Error {
    Error::Model {
        why: format!("{error:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrogram::{Framer, Spectrogram};

    /// A click every half second from 0.25 s, over faint noise.
    fn clicks() -> Vec<f32> {
        let rate = 22_050;
        let mut samples: Vec<f32> = (0..rate * 6)
            .map(|i| 0.01 * ((i * 7919 % 1000) as f32 / 500.0 - 1.0))
            .collect();
        for k in 0..12 {
            let at = rate / 4 + k * rate / 2;
            for i in 0..400 {
                let t = i as f32 / rate as f32;
                samples[at + i] +=
                    (2.0 * std::f32::consts::PI * 1000.0 * t).sin() * (-(i as f32) / 80.0).exp();
            }
        }
        samples
    }

    #[test]
    fn the_networks_peak_on_the_clicks() {
        let mut framer = Framer::default();
        let mut spectrogram = Spectrogram::new();
        let mut activation = BeatActivation::new().unwrap_or_else(|e| panic!("{e}"));
        let mut bands = Vec::new();
        let mut push = |frame: &[f32]| {
            spectrogram.frame(frame, &mut bands);
            activation.push(&bands).unwrap_or_else(|e| panic!("{e}"));
        };
        let samples = clicks();
        framer.push(&samples, &mut push);
        framer.finish(&mut push);
        let act = activation.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(act.len(), samples.len().div_ceil(441));
        let strength = |t: usize| act[t][0] + act[t][1];
        // Around each click (0.25 s + 0.5 k s = frame 12 + 25 k), the strongest frame of the half
        // second is within 2 frames (40 ms) of it, and strong.
        for k in 1..11 {
            let at = 12 + 25 * k;
            let strongest = (at - 12..at + 12)
                .max_by(|a, b| strength(*a).total_cmp(&strength(*b)))
                .unwrap_or(0);
            assert!(
                strongest.abs_diff(at) <= 2,
                "click {k} at {at}: peak at {strongest}"
            );
            assert!(
                strength(strongest) > 0.5,
                "click {k}: {}",
                strength(strongest)
            );
        }
    }
}
