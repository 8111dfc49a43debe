#!/usr/bin/env python3
"""Fit an exact constant-tempo beat grid to a produced recording's onsets, to make ground truth.

Used by real.py (`real.py derive`) to write the committed truth files under real/; never reads any
beat tracker's output (ours, aubio, librosa's beat_track or madmom): only onset envelopes (spectral
flux, librosa.onset.onset_strength at a 2.9 ms hop), band-split into low (kick/bass, < 150 Hz) and
high (snare/hats, > 2 kHz), and chroma.

The grid. Music made in a sequencer at a constant tempo has its onsets on a grid of exactly one
period. For a period P the onset envelope o(t) is folded modulo P; the score is the Fourier
magnitude of o at 1/P, 2/P and 4/P (the beat and its 8th and 16th notes), searched over P from a
coarse autocorrelation candidate in 0.002 % steps (about 10 microseconds of period), then the phase
is the offset where a comb of period P over the smoothed envelope peaks (1 ms steps).

How good it is (written into the truth file):
- residual_ms: median distance of the strong onsets (the top half of the peak-picked onsets) to the
  nearest 16th-note grid point; hit_16th: the share of them within 15 ms of it.
- drift_ms: the range of the best phase offset of the grid fitted in 20 s windows with P fixed
  (a song whose tempo drifts or changes shows tens of ms here; a sequenced one a few).
- level: which of P/2, P, 2P is the beat is decided by the 'tactus' evidence printed for each song
  (the kick/snare pattern); the caller says which it took and why.

The bar: for meter M (3 or 4) and each phase p < M the beats at p mod M are scored by the chord
change across them (chroma cosine distance of the beat after against the beat before), the kick
(low-band onset) on them, and the snare (high-band) off them; the (M, p) with the best combined
z-score is taken, and the margin to the runner-up is reported as the downbeat confidence.
"""

import numpy as np

SR = 22050
HOP = 64  # 2.9 ms


def envelopes(y):
    import librosa

    S = np.abs(librosa.stft(y, n_fft=1024, hop_length=HOP)) ** 2
    freqs = librosa.fft_frequencies(sr=SR, n_fft=1024)
    logS = np.log1p(100 * S)
    flux = np.maximum(0, np.diff(logS, axis=1, prepend=logS[:, :1]))
    low = flux[freqs < 150].sum(axis=0)
    high = flux[freqs > 2000].sum(axis=0)
    full = flux.sum(axis=0)
    times = np.arange(full.size) * HOP / SR
    return times, full, low, high


def normalise(o):
    o = o - np.convolve(o, np.ones(101) / 101, mode="same")  # remove slow loudness changes
    o = np.maximum(o, 0)
    return o / (o.std() + 1e-9)


def coarse_period(o, lo=0.25, hi=1.5):
    """Candidate beat periods (s) from the envelope's autocorrelation, best first."""
    n = o.size
    f = np.fft.rfft(o - o.mean(), 2 * n)
    ac = np.fft.irfft(f * np.conj(f))[:n]
    lags = np.arange(n) * HOP / SR
    sel = (lags >= lo) & (lags <= hi)
    idx = np.where(sel)[0]
    a = ac[idx]
    peaks = [i for i in range(1, len(a) - 1) if a[i] >= a[i - 1] and a[i] >= a[i + 1]]
    peaks.sort(key=lambda i: -a[i])
    return [lags[idx[i]] for i in peaks[:6]]


def harmonic_score(o, times, periods):
    keep = o > 0.5  # the onsets only: the rest adds little and costs most of the time
    o, times = o[keep], times[keep]
    out = np.zeros(len(periods))
    for j, P in enumerate(periods):
        e1 = np.exp(-2j * np.pi * times / P)
        e2 = e1 * e1
        out[j] = abs(np.dot(o, e1)) + 0.5 * abs(np.dot(o, e2)) + 0.25 * abs(np.dot(o, e2 * e2))
    return out


def fine_period(o, times, P0, span=0.03, step=2e-5):
    # coarse-to-fine: 0.1 % steps over ±span, then 0.002 % steps around the best
    grid = P0 * (1 + np.arange(-span, span + 1e-12, 1e-3))
    best = grid[np.argmax(harmonic_score(o, times, grid))]
    grid = best * (1 + np.arange(-2e-3, 2e-3 + 1e-12, step))
    sc = harmonic_score(o, times, grid)
    return grid[np.argmax(sc)], sc.max()


def comb_phase(o, P, lo=0.0, hi=None):
    """Offset in [0, P) where a comb of period P over o (smoothed by ±6 ms) peaks."""
    sm = np.convolve(o, np.hanning(9), mode="same")
    n = sm.size
    dt = HOP / SR
    i0 = int(lo / dt)
    i1 = n if hi is None else min(n, int(hi / dt))
    phases = np.arange(0, P, 0.001)
    scores = []
    for ph in phases:
        idx = np.round((ph + np.arange(lo // P, (i1 * dt) // P + 1) * P) / dt).astype(int)
        idx = idx[(idx >= i0) & (idx < i1)]
        scores.append(sm[idx].sum() if idx.size else 0.0)
    scores = np.array(scores)
    return phases[int(np.argmax(scores))], scores


def residuals(o, times, P, phase, sub=4):
    import librosa

    peaks = librosa.util.peak_pick(o, pre_max=10, post_max=10, pre_avg=30, post_avg=30, delta=0.5, wait=20)
    if peaks.size == 0:
        return float("nan"), 0.0
    strong = peaks[o[peaks] >= np.median(o[peaks])]
    t = times[strong]
    g = P / sub
    d = (t - phase) / g
    dev = np.abs(d - np.round(d)) * g
    return float(np.median(dev) * 1000), float(np.mean(dev < 0.015))


def drift(o, times, P, phase, win=20.0):
    """Range (ms) of the best phase offset within ±P/8 of the global grid, per window."""
    sm = np.convolve(o, np.hanning(9), mode="same")
    dt = HOP / SR
    offs = []
    end = times[-1]
    start = 0.0
    while start + win / 2 < end:
        stop = min(end, start + win)
        best, bo = -1, 0.0
        for off in np.arange(-P / 8, P / 8, 0.001):
            k = np.arange(np.ceil((start - phase - off) / P), np.floor((stop - phase - off) / P) + 1)
            idx = np.round((phase + off + k * P) / dt).astype(int)
            idx = idx[(idx >= 0) & (idx < sm.size)]
            s = sm[idx].sum()
            if s > best:
                best, bo = s, off
        # only windows with some onset energy count
        i0, i1 = int(start / dt), int(stop / dt)
        if sm[i0:i1].mean() > 0.2:
            offs.append(bo)
        start += win
    return (max(offs) - min(offs)) * 1000 if offs else float("nan"), [round(x * 1000, 1) for x in offs]


def beat_features(y, beats, times, low, high):
    """Per beat: chord change (chroma distance after vs before), kick and snare strength."""
    import librosa

    chroma = librosa.feature.chroma_cqt(y=y, sr=SR, hop_length=512)
    ct = np.arange(chroma.shape[1]) * 512 / SR
    dt = HOP / SR
    change, kick, snare = [], [], []
    P = np.median(np.diff(beats))
    for b in beats:
        before = chroma[:, (ct >= b - P) & (ct < b)].mean(axis=1) if b - P > 0 else None
        after = chroma[:, (ct >= b) & (ct < b + P)].mean(axis=1)
        if before is None or np.isnan(after).any() or np.isnan(before).any():
            change.append(0.0)
        else:
            change.append(1 - np.dot(before, after) / (np.linalg.norm(before) * np.linalg.norm(after) + 1e-9))
        i = int(round(b / dt))
        w = slice(max(0, i - 7), i + 8)  # ±20 ms
        kick.append(low[w].max() if i < low.size else 0.0)
        snare.append(high[w].max() if i < high.size else 0.0)
    return np.array(change), np.array(kick), np.array(snare)


def bar_scores(change, kick, snare):
    """{(meter, phase): (score, chord z, kick z, snare-off z)}."""
    out = {}

    def z(x, mask):
        if mask.sum() == 0 or (~mask).sum() == 0:
            return 0.0
        return (x[mask].mean() - x[~mask].mean()) / (x.std() + 1e-9)

    n = change.size
    for M in (3, 4):
        for p in range(M):
            mask = (np.arange(n) % M) == p
            cz, kz = z(change, mask), z(kick, mask)
            # snare on the beats after and before the downbeat (2 and 4 in 4/4), not on it
            sz = -z(snare, mask)
            out[(M, p)] = (2 * cz + kz + 0.5 * sz, cz, kz, sz)
    return out


def fit(path, max_seconds=None, period_hint=None):
    import librosa

    y, _ = librosa.load(path, sr=SR, mono=True, duration=max_seconds)
    times, full, low, high = envelopes(y)
    o = normalise(full)
    ol, oh = normalise(low), normalise(high)
    cands = [period_hint] if period_hint else coarse_period(o)
    best = None
    for P0 in cands[:4]:
        P, sc = fine_period(o, times, P0)
        if best is None or sc > best[1]:
            best = (P, sc)
    P = best[0]
    phase, _ = comb_phase(o, P)
    res, hit = residuals(o, times, P, phase)
    dr, offs = drift(o, times, P, phase)
    # pulse strength at half, same and double period, per band (tactus evidence)
    levels = {}
    for name, mult in (("P/2", 0.5), ("P", 1.0), ("2P", 2.0)):
        levels[name] = {
            "low": float(harmonic_score(ol, times, [P * mult])[0] / len(ol) * 1000),
            "high": float(harmonic_score(oh, times, [P * mult])[0] / len(oh) * 1000),
        }
    return {
        "y": y, "times": times, "full": o, "low": ol, "high": oh,
        "period": float(P), "bpm": 60.0 / P, "phase": float(phase),
        "residual_ms": res, "hit_16th": hit, "drift_ms": dr, "window_offsets_ms": offs,
        "levels": levels, "duration": len(y) / SR,
    }


def grid(period, phase, start, end):
    k0 = int(np.ceil((start - phase) / period - 1e-9))
    k1 = int(np.floor((end - phase) / period + 1e-9))
    return [phase + k * period for k in range(k0, k1 + 1)]
