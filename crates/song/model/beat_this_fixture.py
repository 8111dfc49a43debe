#!/usr/bin/env python3
"""Writes the test fixtures that hold the song crate's Beat This! path (src/beat_this.rs) to the
`beat_this` package's own computation:

- beat-this-tiny-random.onnx: a random-weights network of Beat This!'s architecture, shrunk
  (export_beat_this.py's TINY: 2 layers, 32-wide, 8-dim heads, 8-channel stem) so it is small
  enough to commit. It carries no trained knowledge; it only has to be the same function in
  PyTorch and in the Rust path.
- beat-this-reference.json: for a test signal (the `signal` below, which the Rust test computes
  too), some frames of beat_this's `LogMelSpect`, and beat_this's `Audio2Frames` beat and
  downbeat logits (its chunked inference: 1500 frames, 6-frame borders, keep_first) from that
  network for a 70 s signal (three runs, the last moved back) and a 20 s one (a single short
  run): every 25th frame, the frames around each join, and the first and last ones.

Run from the repository root with the environment of export_beat_this.py:

    /tmp/bt/bin/python crates/song/model/beat_this_fixture.py
"""

import json
import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_beat_this as export  # noqa: E402

RATE = 22050
HOP = 441
ONNX_OUT = os.path.join(HERE, "beat-this-tiny-random.onnx")
JSON_OUT = os.path.join(HERE, "beat-this-reference.json")
SEED = 0
STEP = 1488  # output frames per run: 1500 - 2 x 6


def splitmix64(n):
    z = n + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def signal(samples):
    """Two tones, a click every half second (every fourth one louder) and hashed noise."""
    n = np.arange(samples, dtype=np.uint64)
    t = n.astype(np.float64) / RATE
    x = 0.2 * np.sin(2 * np.pi * 220.0 * t) + 0.1 * np.sin(
        2 * np.pi * 277.18 * t + 0.5 * np.sin(2 * np.pi * 0.3 * t)
    )
    k = np.floor(t / 0.5)
    dt = t - k * 0.5
    accent = np.where(np.mod(k, 4.0) == 0.0, 0.8, 0.4)
    x += accent * np.sin(2 * np.pi * 1000.0 * dt) * np.exp(-dt * 200.0)
    with np.errstate(over="ignore"):
        noise = (splitmix64(n) >> np.uint64(11)).astype(np.float64) / float(1 << 53) - 0.5
    return x + 0.05 * noise


def sampled(length):
    """Every 25th frame, the first and last 8, and 12 on each side of each join between runs."""
    at = set(range(0, length, 25)) | set(range(8)) | set(range(max(0, length - 8), length))
    for join in range(STEP, length, STEP):  # the last one is where the moved-back run takes over
        at |= set(range(join - 12, join + 12))
    return sorted(a for a in at if 0 <= a < length)


def rounded(values, digits=5):
    return [round(float(v), digits) for v in values]


def main():
    from beat_this.inference import Audio2Frames
    from beat_this.preprocessing import LogMelSpect

    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, "tiny-random.ckpt")
        export.save_as_checkpoint(export.random_model(export.TINY, SEED), export.TINY, ckpt)
        export.export(export.load_checkpoint_model(ckpt), ONNX_OUT)
        frames = Audio2Frames(checkpoint_path=ckpt, device="cpu")

        samples = 70 * RATE
        spect = LogMelSpect()(torch.tensor(signal(samples), dtype=torch.float32)).numpy()
        mel_at = [0, 1, 1750, len(spect) - 1]
        reference = {
            "about": "beat_this 1.1.0's LogMelSpect and Audio2Frames logits (random tiny network "
            "beat-this-tiny-random.onnx) on beat_this_fixture.py's test signal; written by that script",
            "mel": {
                "samples": samples,
                "length": len(spect),
                "frames": mel_at,
                "values": [rounded(spect[i]) for i in mel_at],
            },
            "logits": [],
        }
        for seconds in (70, 20):
            samples = seconds * RATE
            beat, downbeat = frames(signal(samples), RATE)
            beat, downbeat = beat.numpy(), downbeat.numpy()
            at = sampled(len(beat))
            reference["logits"].append(
                {
                    "samples": samples,
                    "length": len(beat),
                    "at": at,
                    "beat": rounded(beat[at]),
                    "downbeat": rounded(downbeat[at]),
                }
            )
            print(f"{seconds} s: {len(beat)} frames, logits std {beat.std():.2f} / {downbeat.std():.2f}")
    with open(JSON_OUT, "w") as f:
        json.dump(reference, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {ONNX_OUT} ({os.path.getsize(ONNX_OUT)} bytes) and {JSON_OUT} ({os.path.getsize(JSON_OUT)} bytes)")


if __name__ == "__main__":
    main()
