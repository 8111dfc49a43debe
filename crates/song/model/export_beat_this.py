#!/usr/bin/env python3
"""Exports a Beat This! beat tracker checkpoint (MIT) to the ONNX graph the song crate runs.

Beat This! (Foscarin, Schlüter and Widmer, "Beat This! Accurate and Generalizable Beat Tracking",
ISMIR 2024; https://github.com/CPJKU/beat_this) is a transformer over a 128-band log-mel
spectrogram at 50 frames a second. Its code is on PyPI (`beat_this`); its trained checkpoints are
not: the package downloads them at run time, and the song crate must never do that, so a
maintainer downloads one once and turns it into ONNX with this script (see README-beat-this.md).

    python3 -m venv /tmp/bt && /tmp/bt/bin/pip install torch==2.5.1 torchaudio==2.5.1 \
        beat_this==1.1.0 einops rotary-embedding-torch soxr onnx onnxruntime numpy
    /tmp/bt/bin/python crates/song/model/export_beat_this.py small0.ckpt \
        --out crates/song/model/beat-this-small0.onnx

With `--random` instead of a checkpoint it exports a randomly initialised network of the same
architecture and hyper-parameters as `small0` (beat_this's `BeatThis` defaults with
`transformer_dim=128`), so the plumbing and its speed can be tested without the trained weights.

The graph (ONNX opset 17, float32): input `spect` (1, T, 128), the log-mel frames of
`beat_this.preprocessing.LogMelSpect`, T dynamic (beat_this runs 1500 frames at a time); outputs
`beat` and `downbeat` (1, T), the logits exactly as `BeatThis.forward` returns them (its SumHead
already adds the downbeat logit to the beat logit). The script checks the graph with onnxruntime
against the PyTorch model at two lengths before it writes the file's SHA-256.
"""

import argparse
import copy
import hashlib
import os
import sys
import tempfile

import numpy as np
import torch

# small0/small1/small2: beat_this's BeatThis defaults (6 layers, 32-dim heads, 32-channel stem,
# feed-forward x4, partial frequency/time transformers, SumHead) with a 128-wide transformer.
SMALL = {"transformer_dim": 128}
# The same architecture, shrunk until its ONNX is small enough to commit as a test fixture.
TINY = {"transformer_dim": 32, "n_layers": 2, "head_dim": 8, "stem_dim": 8}
CONFIGS = {"small": SMALL, "tiny": TINY}
MEL_BANDS = 128
CHUNK = 1500  # the frames beat_this's inference gives the network at once


class Logits(torch.nn.Module):
    """BeatThis with a plain (beat, downbeat) output instead of a dict."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, spect):
        out = self.model(spect)
        return out["beat"], out["downbeat"]


def load_checkpoint_model(path):
    """The network in a Beat This! checkpoint file, as beat_this.inference.load_model builds it."""
    from beat_this.inference import load_model

    if not os.path.isfile(path):
        # load_model would take a non-file as a name to download; this script never downloads.
        sys.exit(f"{path}: no such checkpoint file (download it first, see README-beat-this.md)")
    return load_model(path, "cpu")


def random_model(config, seed):
    """A BeatThis of the given hyper-parameters with random weights that make its output vary.

    BeatThis's own initialisation (linear weights of std 0.02, unit norms, BatchNorm at mean 0 and
    variance 1) gives logits that hardly depend on the input, which would let a broken front end or
    chunk join pass a parity test. So every weight is redrawn at unit gain (std 1/sqrt(fan-in)),
    and norms, biases and BatchNorm statistics get some spread.
    """
    from beat_this.model.beat_tracker import BeatThis

    torch.manual_seed(seed)
    model = BeatThis(**config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                fan_in = p[0].numel()
                p.normal_(0.0, fan_in**-0.5)
            elif name.endswith("gamma") or name.endswith(".weight"):
                p.normal_(1.0, 0.1)
            else:
                p.normal_(0.0, 0.1)
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.running_mean.normal_(0.0, 0.5)
                module.running_var.uniform_(0.5, 2.0)
    return model.eval()


def save_as_checkpoint(model, config, path):
    """Writes a model the way beat_this's Lightning checkpoints hold one (state under "model.")."""
    state = {f"model.{k}": v for k, v in model.state_dict().items()}
    torch.save({"state_dict": state, "hyper_parameters": dict(config)}, path)


def no_rotary_cache(model):
    """Rotary embeddings computed from the frame positions in the graph, not read from the cache
    of the first length traced (which would fix the time axis to it)."""
    for module in model.modules():
        if hasattr(module, "cache_if_possible"):
            module.cache_if_possible = False


def export(model, out):
    model = model.eval()
    no_rotary_cache(model)
    example = torch.randn(1, CHUNK, MEL_BANDS)
    # torch.onnx.export's trace updates BatchNorm statistics (seen with torch 2.5.1), so it gets
    # a copy and `model` stays the one the checkpoint holds.
    traced = Logits(copy.deepcopy(model)).eval()
    with torch.no_grad():
        torch.onnx.export(
            traced,
            (example,),
            out,
            opset_version=17,
            input_names=["spect"],
            output_names=["beat", "downbeat"],
            dynamic_axes={"spect": {1: "time"}, "beat": {1: "time"}, "downbeat": {1: "time"}},
            dynamo=False,
        )
    import onnx

    graph = onnx.load(out)
    graph.doc_string = (
        "Beat This! beat and downbeat logits per 20 ms frame of beat_this's 128-band log-mel "
        "spectrogram; Foscarin, Schlüter, Widmer, ISMIR 2024; MIT, https://github.com/CPJKU/beat_this"
    )
    onnx.checker.check_model(graph)
    onnx.save(graph, out)
    check(model, out)


def check(model, path):
    """The ONNX graph gives the PyTorch model's logits at a whole chunk and at a short piece."""
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    for frames in (CHUNK, 212):
        spect = rng.uniform(0, 4, size=(1, frames, MEL_BANDS)).astype(np.float32)
        with torch.no_grad():
            want = model(torch.from_numpy(spect))
        got = session.run(None, {"spect": spect})
        for name, value in zip(("beat", "downbeat"), got):
            reference = want[name].numpy()
            error = float(np.abs(value - reference).max())
            spread = float(reference.std())
            assert error < 1e-3, f"{name} at {frames} frames: ONNX and PyTorch differ by {error}"
            print(f"{name} at {frames} frames: max |ONNX - PyTorch| {error:.1e} (logit std {spread:.2f})")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", nargs="?", help="a Beat This! .ckpt file (small0.ckpt, ...)")
    parser.add_argument("--random", action="store_true", help="random weights instead of a checkpoint")
    parser.add_argument("--config", choices=sorted(CONFIGS), default="small", help="with --random")
    parser.add_argument("--seed", type=int, default=0, help="with --random")
    parser.add_argument("--out", required=True, help="the .onnx file to write")
    args = parser.parse_args()
    if args.random == bool(args.checkpoint):
        parser.error("give either a checkpoint file or --random")
    if args.random:
        # Through a checkpoint file, so the random network takes the trained weights' path.
        with tempfile.TemporaryDirectory() as tmp:
            ckpt = os.path.join(tmp, "random.ckpt")
            save_as_checkpoint(random_model(CONFIGS[args.config], args.seed), CONFIGS[args.config], ckpt)
            model = load_checkpoint_model(ckpt)
    else:
        model = load_checkpoint_model(args.checkpoint)
    export(model, args.out)
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.out}: {os.path.getsize(args.out)} bytes, {params} parameters, sha256 {sha256(args.out)}")


if __name__ == "__main__":
    main()
