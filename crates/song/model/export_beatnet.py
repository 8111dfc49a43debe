#!/usr/bin/env python3
"""Exports BeatNet's beat/downbeat activation network (CC BY 4.0) to the ONNX file the song crate runs.

BeatNet (Heydari, Cwitkowitz and Duan, "BeatNet: CRNN and particle filtering for online joint beat
downbeat and meter tracking", ISMIR 2021; https://github.com/mjhydri/BeatNet) ships its trained
weights inside its PyPI package under the Creative Commons Attribution 4.0 licence. This script
reads `BeatNet/models/model_{1,2,3}_weights.pt` (trained with GTZAN, Ballroom and the Rock corpus
held out, respectively) straight from the wheel, without PyTorch (a .pt file is a zip of a pickle and raw tensors), rebuilds the network as
an ONNX graph and checks it against a plain NumPy forward pass. It also writes the log-filterbank's
band edges, so the Rust feature code is tested against this file's port of madmom's filterbank.

Run once, by a developer, when the model changes; its outputs are committed:

    pip download BeatNet==1.1.3 --no-deps -d /tmp/beatnet
    pip install onnx onnxruntime numpy
    python3 crates/song/model/export_beatnet.py /tmp/beatnet/BeatNet-1.1.3-py3-none-any.whl

The network, per 20 ms frame of 272 features (136 log-filtered bands + their positive
differences): Conv1d(1→2, k=10) → ReLU → MaxPool(2) → Linear(262→150) → 2-layer LSTM(150) →
Linear(150→3) → softmax over (beat, downbeat, no beat). The LSTM's states are graph inputs and
outputs, so a long song runs in chunks with memory bounded by the chunk.
"""

import io
import json
import os
import pickle
import sys
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# BeatNet's three trained networks, each trained with one dataset held out (1: GTZAN,
# 2: Ballroom, 3: Rock corpus); the song crate averages them.
MODELS = (1, 2, 3)
BANDS_OUT = os.path.join(HERE, "beatnet-bands.json")
HIDDEN = 150
FEATURES = 272

# The feature front end BeatNet was trained with (madmom's, in BeatNet/log_spect.py).
SAMPLE_RATE = 22050
FRAME = int(64 * 0.001 * SAMPLE_RATE)  # 1411
HOP = int(20 * 0.001 * SAMPLE_RATE)  # 441
BANDS_PER_OCTAVE = 24
FMIN, FMAX, FREF = 30.0, 17000.0, 440.0


def onnx_path(model):
    return os.path.join(HERE, f"beatnet-{model}.onnx")


def load_state_dict(wheel, model):
    """The state dict in BeatNet/models/model_N_weights.pt, as NumPy arrays, without torch."""
    with zipfile.ZipFile(wheel) as outer:
        pt = outer.read(f"BeatNet/models/model_{model}_weights.pt")
    archive = zipfile.ZipFile(io.BytesIO(pt))
    prefix = archive.namelist()[0].split("/")[0]

    class Storage:
        def __init__(self, dtype):
            self.dtype = dtype

    dtypes = {"FloatStorage": np.float32, "LongStorage": np.int64, "IntStorage": np.int32}

    def rebuild(storage, offset, size, stride, *_):
        itemsize = storage.itemsize
        flat = storage
        return np.lib.stride_tricks.as_strided(
            flat[offset:], shape=size, strides=[s * itemsize for s in stride]
        ).copy()

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "torch._utils" and name == "_rebuild_tensor_v2":
                return rebuild
            if module == "torch" and name in dtypes:
                return Storage(dtypes[name])
            if module == "collections" and name == "OrderedDict":
                import collections

                return collections.OrderedDict
            raise pickle.UnpicklingError(f"unexpected {module}.{name} in the weights")

        def persistent_load(self, pid):
            _kind, storage, key, _location, _numel = pid
            raw = archive.read(f"{prefix}/data/{key}")
            return np.frombuffer(raw, dtype=storage.dtype)

    return dict(Unpickler(io.BytesIO(archive.read(f"{prefix}/data.pkl"))).load())


def log_filterbank_bands():
    """madmom's LogarithmicFilterbank(24, 30-17000 Hz, unique bins) as (start, center, stop) bins."""
    num_bins = FRAME >> 1
    bin_freqs = np.fft.fftfreq(num_bins * 2, 1.0 / SAMPLE_RATE)[:num_bins]
    left = np.floor(np.log2(FMIN / FREF) * BANDS_PER_OCTAVE)
    right = np.ceil(np.log2(FMAX / FREF) * BANDS_PER_OCTAVE)
    freqs = FREF * 2.0 ** (np.arange(left, right) / BANDS_PER_OCTAVE)
    freqs = freqs[np.searchsorted(freqs, FMIN):]
    freqs = freqs[: np.searchsorted(freqs, FMAX, "right")]
    idx = np.clip(bin_freqs.searchsorted(freqs), 1, len(bin_freqs) - 1)
    idx -= freqs - bin_freqs[idx - 1] < bin_freqs[idx] - freqs
    bins = np.unique(idx)
    bands = []
    for i in range(len(bins) - 2):
        start, center, stop = (int(b) for b in bins[i : i + 3])
        if stop - start < 2:
            center, stop = start, start + 1
        bands.append((start, center, stop))
    return bands, num_bins


def filterbank_matrix(bands, num_bins):
    fb = np.zeros((num_bins, len(bands)), dtype=np.float64)
    for j, (start, center, stop) in enumerate(bands):
        c, s = center - start, stop - start
        data = np.zeros(s)
        data[:c] = np.linspace(0, 1, c, endpoint=False)
        data[c:] = np.linspace(1, 0, s - c, endpoint=False)
        data /= data.sum()
        fb[start:stop, j] = np.maximum(fb[start:stop, j], data)
    return fb


def features(signal, fb):
    """The 272 features per frame of a mono 22050 Hz signal, as madmom computes them."""
    window = np.hanning(FRAME)
    frames = int(np.ceil(len(signal) / HOP))
    padded = np.concatenate([np.zeros(FRAME // 2), signal, np.zeros(FRAME)])
    spec = np.empty((frames, fb.shape[1]))
    for i in range(frames):
        frame = padded[i * HOP : i * HOP + FRAME] * window
        mag = np.abs(np.fft.fft(frame))[: FRAME >> 1]
        spec[i] = np.log10(mag @ fb + 1.0)
    diff = np.zeros_like(spec)
    diff[1:] = np.maximum(spec[1:] - spec[:-1], 0)
    return np.hstack([spec, diff]).astype(np.float32)


def reorder_gates(w):
    """PyTorch's LSTM gate order (i, f, g, o) to ONNX's (i, o, f, c)."""
    i, f, g, o = np.split(w, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)


def numpy_forward(sd, x, state=None):
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    w, b = sd["conv1.weight"][:, 0, :], sd["conv1.bias"]  # (2, 10)
    k = w.shape[1]
    conv = np.stack(
        [np.stack([x[:, j : j + k] @ w[c] for j in range(x.shape[1] - k + 1)], axis=1) + b[c] for c in range(2)],
        axis=1,
    )  # (T, 2, 263)
    conv = np.maximum(conv, 0)
    pooled = conv[:, :, : (conv.shape[2] // 2) * 2].reshape(x.shape[0], 2, -1, 2).max(axis=3)
    h = pooled.reshape(x.shape[0], -1) @ sd["linear0.weight"].T + sd["linear0.bias"]
    states = state or [(np.zeros(HIDDEN), np.zeros(HIDDEN)) for _ in range(2)]
    out_states = []
    for layer in range(2):
        wi, wh = sd[f"lstm.weight_ih_l{layer}"], sd[f"lstm.weight_hh_l{layer}"]
        bias = sd[f"lstm.bias_ih_l{layer}"] + sd[f"lstm.bias_hh_l{layer}"]
        hs, cs = states[layer]
        ys = []
        for t in range(h.shape[0]):
            gates = wi @ h[t] + wh @ hs + bias
            gi, gf, gg, go = np.split(gates, 4)
            cs = sig(gf) * cs + sig(gi) * np.tanh(gg)
            hs = sig(go) * np.tanh(cs)
            ys.append(hs)
        h = np.stack(ys)
        out_states.append((hs, cs))
    logits = h @ sd["linear.weight"].T + sd["linear.bias"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), out_states


def build_onnx(sd, number):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits = []

    def const(name, value, dtype=np.float32):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    nodes = [
        helper.make_node("Reshape", ["features", const("shape_conv", [-1, 1, FEATURES], np.int64)], ["x1"]),
        helper.make_node("Conv", ["x1", const("conv_w", sd["conv1.weight"]), const("conv_b", sd["conv1.bias"])], ["x2"]),
        helper.make_node("Relu", ["x2"], ["x3"]),
        helper.make_node("MaxPool", ["x3"], ["x4"], kernel_shape=[2], strides=[2]),
        helper.make_node("Reshape", ["x4", const("shape_flat", [-1, 262], np.int64)], ["x5"]),
        helper.make_node(
            "Gemm", ["x5", const("lin0_w", sd["linear0.weight"]), const("lin0_b", sd["linear0.bias"])], ["x6"], transB=1
        ),
        # (T, 150) -> (seq T, batch 1, 150)
        helper.make_node("Unsqueeze", ["x6", const("axis1", [1], np.int64)], ["l0_in"]),
    ]
    previous = "l0_in"
    for layer in range(2):
        w = reorder_gates(sd[f"lstm.weight_ih_l{layer}"])[None]
        r = reorder_gates(sd[f"lstm.weight_hh_l{layer}"])[None]
        b = np.concatenate(
            [reorder_gates(sd[f"lstm.bias_ih_l{layer}"]), reorder_gates(sd[f"lstm.bias_hh_l{layer}"])]
        )[None]
        nodes.append(
            helper.make_node(
                "LSTM",
                [previous, const(f"lstm{layer}_w", w), const(f"lstm{layer}_r", r), const(f"lstm{layer}_b", b), "",
                 f"h{layer}", f"c{layer}"],
                [f"y{layer}", f"h{layer}_out", f"c{layer}_out"],
                hidden_size=HIDDEN,
            )
        )
        # Y is (seq, num_directions 1, batch 1, hidden) -> (seq, batch 1, hidden)
        nodes.append(helper.make_node("Squeeze", [f"y{layer}", const(f"axis_dir{layer}", [1], np.int64)], [f"l{layer + 1}_in"]))
        previous = f"l{layer + 1}_in"
    nodes += [
        helper.make_node("Reshape", [previous, const("shape_out", [-1, HIDDEN], np.int64)], ["z1"]),
        helper.make_node("MatMul", ["z1", const("lin_w", sd["linear.weight"].T.copy())], ["z2"]),
        helper.make_node("Add", ["z2", const("lin_b", sd["linear.bias"])], ["z3"]),
        helper.make_node("Softmax", ["z3"], ["activations"], axis=1),
    ]
    state = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 1, HIDDEN])  # noqa: E731
    graph = helper.make_graph(
        nodes,
        "beatnet_bda",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["T", FEATURES])]
        + [state(n) for n in ("h0", "c0", "h1", "c1")],
        [helper.make_tensor_value_info("activations", TensorProto.FLOAT, ["T", 3])]
        + [state(n) for n in ("h0_out", "c0_out", "h1_out", "c1_out")],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="export_beatnet.py")
    model.doc_string = (
        f"BeatNet beat/downbeat activation CRNN, model_{number}, by Mojtaba Heydari et al.; "
        "CC BY 4.0, https://github.com/mjhydri/BeatNet. Outputs softmax(beat, downbeat, no beat) per 20 ms frame."
    )
    onnx.checker.check_model(model)
    return model


def main():
    wheel = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
    bands, num_bins = log_filterbank_bands()
    assert 2 * len(bands) == FEATURES, f"{len(bands)} bands, the network wants {FEATURES // 2}"
    fb = filterbank_matrix(bands, num_bins)
    import onnx
    import onnxruntime as ort

    # The check signal: a click every half second from 0.25 s over faint noise.
    rng = np.random.default_rng(1)
    t = np.arange(SAMPLE_RATE * 6) / SAMPLE_RATE
    signal = 0.01 * rng.standard_normal(len(t))
    for beat in np.arange(0.25, 6, 0.5):
        n = int(beat * SAMPLE_RATE)
        signal[n : n + 400] += np.sin(2 * np.pi * 1000 * t[:400]) * np.exp(-np.arange(400) / 80)
    x = features(signal, fb)

    for number in MODELS:
        sd = {k: np.asarray(v, dtype=np.float32) for k, v in load_state_dict(wheel, number).items()}
        model = build_onnx(sd, number)
        onnx.save(model, onnx_path(number))
        # ONNX run in two chunks, states carried, must equal the NumPy forward pass.
        want, _ = numpy_forward(sd, x)
        session = ort.InferenceSession(onnx_path(number))
        zeros = np.zeros((1, 1, HIDDEN), np.float32)
        feeds = {"h0": zeros, "c0": zeros, "h1": zeros, "c1": zeros}
        got = []
        for chunk in (x[:100], x[100:]):
            out = session.run(None, {"features": chunk, **feeds})
            got.append(out[0])
            feeds = dict(zip(("h0", "c0", "h1", "c1"), out[1:]))
        got = np.concatenate(got)
        error = float(np.abs(got - want).max())
        assert error < 1e-4, f"model {number}: ONNX and NumPy disagree by {error}"
        strength = got[:, :2].sum(axis=1)
        peaks = [i for i in range(1, len(strength) - 1) if strength[i] > 0.5 and strength[i] >= strength[i - 1] and strength[i] >= strength[i + 1]]
        print(f"wrote {onnx_path(number)} ({os.path.getsize(onnx_path(number))} bytes); ONNX vs NumPy max error {error:.1e}; "
              f"peaks at {[p / 50 for p in peaks]} s (clicks at 0.25 + 0.5 k s)")

    with open(BANDS_OUT, "w") as f:
        json.dump(
            {
                "about": "madmom's LogarithmicFilterbank as BeatNet uses it, from export_beatnet.py; (start, center, stop) FFT bins",
                "frame": FRAME,
                "hop": HOP,
                "sample_rate": SAMPLE_RATE,
                "bands": bands,
            },
            f,
        )
        f.write("\n")
    print(f"wrote {BANDS_OUT}")


if __name__ == "__main__":
    main()
