#!/usr/bin/env python3
"""The 'real' evaluation set: produced game-soundtrack recordings (and tracker modules) from Debian.

Nothing of the audio is committed: `real/manifest.json` names, for each song, the Debian package,
the file inside it, its licence and author, and the excerpt taken (start and length); the audio is
fetched at benchmark time with `apt-get download` (no install), unpacked with `dpkg -x` into a
cache folder (default target/bench/song/real-cache) and cut to 44.1 kHz stereo WAV with ffmpeg.
Tracker modules (.it) are rendered with libopenmpt (through ctypes), which also reports the row it
is playing, so their beat grid is exact.

Ground truth, one committed JSON per song in real/ (real/NAME.json): beats, downbeats (or null when
the bar could not be settled), meter, tempo, how it was derived and how sure it is. Nobody listened:
- recordings: an exact constant-tempo grid fitted to the onsets (gridfit.py: period to about
  10 microseconds, phase to 1 ms; residual of the strong onsets to the 16th-note grid and the phase
  drift over 20 s windows are recorded); the beat level and the bar phase from the kick/snare and
  chord-change evidence gridfit prints, chosen per song in the manifest ("level", "bar"). No beat
  tracker (ours, aubio, librosa, madmom) is used to make the truth.
- modules: the rows' times as libopenmpt plays them; a beat every `rows_per_beat` rows and a bar
  every `rows_per_bar` rows of each pattern (the module's own row highlights unless the manifest
  says otherwise), cross-checked with the same onset-grid fit.

    python3 crates/song/bench/real.py fetch            # download, unpack, cut; list the WAVs
    python3 crates/song/bench/real.py derive [NAME..]  # (re)make real/NAME.json from the evidence
    python3 crates/song/bench/real.py settle [NAME..]  # re-decide the bars from the stored evidence
    python3 crates/song/bench/real.py check            # refit and compare with the committed truth
    python3 crates/song/bench/real.py click [--out D]  # WAVs with the truth as clicks mixed in
                                                       # (high click on downbeats), to check by ear

evaluate.py --set real uses songs() below.
"""

import argparse
import ctypes
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "real")
MANIFEST = os.path.join(REAL, "manifest.json")
RATE = 44100
DEFAULT_CACHE = "target/bench/song/real-cache"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def manifest():
    with open(MANIFEST) as f:
        return json.load(f)


def unpack(cache, package):
    """The folder the package is unpacked into (downloading the .deb once)."""
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    found = glob.glob(os.path.join(debs, package + "_*.deb"))
    if not found:
        run(["apt-get", "download", package], cwd=debs)
        found = glob.glob(os.path.join(debs, package + "_*.deb"))
    deb = sorted(found)[-1]
    dest = os.path.join(cache, "x", package)
    stamp = os.path.join(dest, ".unpacked-" + os.path.basename(deb))
    if not os.path.exists(stamp):
        os.makedirs(dest, exist_ok=True)
        run(["dpkg", "-x", deb, dest])
        open(stamp, "w").close()
    return dest, os.path.basename(deb)


# ---- tracker modules: render with libopenmpt and note when each row starts ----

def render_module(path, wav, seconds):
    """Render `seconds` of a module to a 44.1 kHz stereo WAV; return [(time, order, pattern, row)]
    for every row started, and the module's row highlights (IT: rows per beat, rows per bar)."""
    import numpy as np
    import soundfile

    lib = ctypes.CDLL("libopenmpt.so.0")
    lib.openmpt_module_create_from_memory2.restype = ctypes.c_void_p
    lib.openmpt_module_create_from_memory2.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.c_void_p, ctypes.c_void_p]
    for name in ("openmpt_module_get_current_row", "openmpt_module_get_current_order",
                 "openmpt_module_get_current_pattern"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
        getattr(lib, name).restype = ctypes.c_int32
    lib.openmpt_module_read_interleaved_float_stereo.argtypes = [
        ctypes.c_void_p, ctypes.c_int32, ctypes.c_size_t, ctypes.POINTER(ctypes.c_float)]
    lib.openmpt_module_read_interleaved_float_stereo.restype = ctypes.c_size_t
    lib.openmpt_module_destroy.argtypes = [ctypes.c_void_p]
    data = open(path, "rb").read()
    highlights = (data[0x1E], data[0x1F]) if data[:4] == b"IMPM" else (4, 16)
    buf = ctypes.create_string_buffer(data, len(data))
    err = ctypes.c_int(0)
    mod = lib.openmpt_module_create_from_memory2(buf, len(data), None, None, None, None,
                                                 ctypes.byref(err), None, None)
    if not mod:
        raise RuntimeError(f"libopenmpt cannot open {path} (error {err.value})")
    block = 16
    out = (ctypes.c_float * (2 * block))()
    rows, chunks = [], []
    done, last = 0, None
    while done < seconds * RATE:
        # the row being played at the start of this block
        pos = (lib.openmpt_module_get_current_order(mod), lib.openmpt_module_get_current_pattern(mod),
               lib.openmpt_module_get_current_row(mod))
        n = lib.openmpt_module_read_interleaved_float_stereo(mod, RATE, block, out)
        if n == 0:
            break
        if pos != last and done > 0 or (last is None):
            rows.append((done / RATE, *pos))
            last = pos
        chunks.append(np.frombuffer(out, dtype=np.float32, count=2 * n).copy())
        done += n
    lib.openmpt_module_destroy(mod)
    audio = np.concatenate(chunks).reshape(-1, 2)
    soundfile.write(wav, audio, RATE, subtype="PCM_16")
    return rows, highlights


def module_grid(rows, rows_per_beat, rows_per_bar):
    beats = [t for t, _o, _p, r in rows if r % rows_per_beat == 0]
    downbeats = [t for t, _o, _p, r in rows if r % rows_per_bar == 0]
    return beats, downbeats


# ---- fetch ----

def fetch(cache=DEFAULT_CACHE, names=None, quiet=False):
    """Make every song's WAV; return [(name, wav, entry)]."""
    wavs = os.path.join(cache, "wav")
    os.makedirs(wavs, exist_ok=True)
    items = []
    for entry in manifest()["songs"]:
        name = entry["name"]
        if names and name not in names:
            continue
        root, deb = unpack(cache, entry["package"])
        src = os.path.join(root, entry["path"].lstrip("/"))
        wav = os.path.join(wavs, name + ".wav")
        rows_file = os.path.join(wavs, name + ".rows.json")
        if not os.path.exists(wav):
            if entry.get("kind") == "module":
                rows, hl = render_module(src, wav, entry.get("seconds", 120))
                with open(rows_file, "w") as f:
                    json.dump({"rows": rows, "highlights": hl}, f)
            else:
                cmd = ["ffmpeg", "-loglevel", "error", "-y", "-ss", str(entry.get("start", 0)), "-i", src]
                if entry.get("seconds"):
                    cmd += ["-t", str(entry["seconds"])]
                run(cmd + ["-ar", str(RATE), "-ac", "2", wav])
        if not quiet:
            print(f"{name:28s} {deb:45s} {wav}", file=sys.stderr)
        items.append((name, wav, entry))
    return items


def load_truth(name):
    path = os.path.join(REAL, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def songs(cache=DEFAULT_CACHE, limit=0):
    """[(name, wav, truth)] with truth = (beats, downbeats or None, tempo) for evaluate.py."""
    out = []
    for name, wav, _entry in fetch(cache, quiet=True):
        t = load_truth(name)
        if t is None:
            continue
        out.append((name, wav, (t["beats"], t["downbeats"], t["tempo_bpm"])))
        if limit and len(out) >= limit:
            break
    return out


# ---- derive ----

def derive(cache, names):
    import numpy as np

    sys.path.insert(0, HERE)
    import gridfit

    for name, wav, entry in fetch(cache, names or None, quiet=True):
        fit = gridfit.fit(wav, period_hint=entry.get("period_hint"))
        dur = fit["duration"]
        doc = {"name": name, "source": {k: entry[k] for k in ("package", "path", "licence", "author")}}
        fitinfo = {k: (round(fit[k], 6) if isinstance(fit[k], float) else fit[k])
                   for k in ("period", "bpm", "phase", "residual_ms", "hit_16th", "drift_ms",
                             "window_offsets_ms")}
        fitinfo["window_offsets_ms"] = [float(x) for x in fit["window_offsets_ms"]]
        fitinfo["pulse_strength_low_high"] = fit["levels"]
        if entry.get("kind") == "module":
            with open(os.path.join(cache, "wav", name + ".rows.json")) as f:
                r = json.load(f)
            rpb, rpm = entry.get("rows_per_beat_bar") or r["highlights"]
            beats, downbeats = module_grid(r["rows"], rpb, rpm)
            meter = rpm // rpb
            periods = np.diff(beats)
            tempo = 60.0 / float(np.median(periods))
            # cross-check: the onset grid's phase against the row grid's
            g = gridfit.grid(fit["period"], fit["phase"], 0, dur)
            ratio = (60.0 / fit["period"]) / tempo
            d = [min(abs(b - x) for x in g) for b in beats[: min(len(beats), 400)]]
            doc["derived"] = (f"libopenmpt {entry['path'].rsplit('/', 1)[-1]}: the time each pattern row starts; "
                              f"a beat every {rpb} rows, a bar every {rpm} rows of each pattern "
                              f"({'the module highlights' if not entry.get('rows_per_beat_bar') else 'set in the manifest'}); "
                              f"onset grid fit: {60.0 / fit['period']:.3f} BPM ({ratio:.3f} x the row tempo), "
                              f"median distance of row beats to the onset grid {1000 * float(np.median(d)):.1f} ms")
            doc["confidence"] = entry.get("confidence", {
                "beats": "exact timing (pattern rows); the beat level is the row highlight's",
                "downbeats": "medium: a bar from each pattern's first row, the tracker convention"})
        else:
            mult = entry.get("level", 1.0)  # the beat as a multiple of the fitted period
            P = fit["period"] * mult
            phase0 = fit["phase"] % P if mult >= 1 else fit["phase"] % P
            if mult >= 1 and entry.get("beat_offset"):
                phase0 = (fit["phase"] + entry["beat_offset"] * fit["period"]) % P
            start = entry.get("first_beat_after", 0.0)
            end = min(dur, entry.get("last_beat_before", dur))
            beats = gridfit.grid(P, phase0, start, end)
            ch, kick, snare = gridfit.beat_features(fit["y"], np.array(beats), fit["times"], fit["low"], fit["high"])
            bars = gridfit.bar_scores(ch, kick, snare)
            ranked = sorted(bars.items(), key=lambda kv: -kv[1][0])
            evidence = {f"{m}/{p}": [round(float(x), 3) for x in v] for (m, p), v in ranked}
            fitinfo["bar_evidence_score_chordz_kickz_snareoffz"] = evidence
            tempo = 60.0 / P
            meter, downbeats, how, conf = settle(beats, evidence, entry)
            doc["derived"] = entry.get("how", "") or (
                f"onset-grid fit (gridfit.py) at {60.0 / fit['period']:.4f} BPM, beat = {mult} x fitted period "
                f"(residual {fit['residual_ms']:.1f} ms, {100 * fit['hit_16th']:.0f} % of strong onsets within 15 ms "
                f"of the 16th grid, phase drift {fit['drift_ms']:.0f} ms over 20 s windows); "
                f"{'beat phase: ' + entry_of(name)['phase_why'] + '; ' if entry_of(name).get('phase_why') else ''}{how}")
            doc["confidence"] = conf
        doc.update({"meter": meter, "tempo_bpm": round(tempo, 4), "fit": fitinfo,
                    "beats": [round(b, 4) for b in beats],
                    "downbeats": None if downbeats is None else [round(b, 4) for b in downbeats]})
        with open(os.path.join(REAL, name + ".json"), "w") as f:
            json.dump(doc, f, indent=None, separators=(",", ":"))
            f.write("\n")
        print(f"{name:26s} {tempo:8.3f} BPM  meter {meter}  res {fit['residual_ms']:.1f} ms "
              f"hit {fit['hit_16th']:.2f} drift {fit['drift_ms']:.0f} ms  fit {60.0 / fit['period']:.3f} "
              f"levels {fit['levels']}\n   bars {list(doc['fit'].get('bar_evidence_score_chordz_kickz_snareoffz', {}).items())[:4]}\n   {doc['derived']}",
              flush=True)


def entry_of(name):
    return {e["name"]: e for e in manifest()["songs"]}[name]


def settle(beats, evidence, entry):
    """Meter, downbeats (None when not settled), how, confidence, from the bar evidence
    {"M/p": [score, chord z, kick z, snare-off z]} unless the manifest sets "meter" and "bar".

    The (meter, phase) with the highest score is taken; the margin over the best other phase of the
    same meter decides: >= 0.5 high, >= 0.25 medium, below that the bar is not settled (no downbeat
    truth: the song is left out of the downbeat mean)."""
    ranked = sorted(evidence.items(), key=lambda kv: -kv[1][0])
    if entry.get("bar") is not None:
        meter, phase = entry.get("meter", 4), entry["bar"]
        margin, how = None, f"bar: meter {meter}, phase {phase} set in the manifest ({entry.get('bar_why', '')})"
    else:
        # 4 unless 3 shows clearer chord changes by 0.3 z or more; when 3 scores best overall but
        # not by that, the meter is open and the bar not settled
        best = {m: max(v for k, v in evidence.items() if k.startswith(f"{m}/")) for m in (3, 4)}
        gap = best[3][1] - best[4][1]
        meter = 3 if gap >= 0.3 else 4
        if meter == 4 and best[3][0] > best[4][0]:
            return 4, None, (f"bar: meter 3 scores best ({best[3][0]:.2f} against {best[4][0]:.2f}) but its chord "
                             f"changes are only {gap:.2f} z clearer than 4's; not settled: no downbeat truth"), {
                "beats": "high", "downbeats": "none"}
        top = [kv for kv in ranked if int(kv[0].split("/")[0]) == meter][0]
        phase = int(top[0].split("/")[1])
        rest = [v[0] for k, v in ranked if k != top[0] and int(k.split("/")[0]) == meter]
        margin = top[1][0] - max(rest)
        how = (f"bar: meter {meter} (chord-change z of 3 minus 4: {gap:.2f}), first downbeat at beat {phase} (mod {meter}), "
               f"the best phase of the bar evidence "
               f"(2 x chord-change z + kick z + 0.5 x snare-off z = {top[1][0]:.2f}; margin {margin:.2f} over the "
               f"next phase)")
    beats_conf = ("high" if entry.get("kind") != "module" else "exact (pattern data)")
    if margin is None or margin >= 0.5:
        dconf = "high" if margin is not None else "set by hand"
    elif margin >= 0.25:
        dconf = "medium"
    else:
        return meter, None, how + "; not settled: no downbeat truth", {"beats": beats_conf, "downbeats": "none"}
    downbeats = [b for i, b in enumerate(beats) if i % meter == phase]
    return meter, downbeats, how, {"beats": beats_conf, "downbeats": dconf}


def resettle(names):
    """Apply settle() again to committed truth files (after a manifest change), without the audio."""
    entries = {e["name"]: e for e in manifest()["songs"]}
    for path in sorted(glob.glob(os.path.join(REAL, "*.json"))):
        name = os.path.basename(path)[:-5]
        if name == "manifest" or (names and name not in names):
            continue
        with open(path) as f:
            doc = json.load(f)
        ev = doc["fit"].get("bar_evidence_score_chordz_kickz_snareoffz")
        if ev is None:  # a module: its bars are the pattern's
            continue
        meter, downbeats, how, conf = settle(doc["beats"], ev, entries[name])
        fit = doc["fit"]
        mult = entries[name].get("level", 1.0)
        doc["derived"] = entries[name].get("how", "") or (
            f"onset-grid fit (gridfit.py) at {fit['bpm']:.4f} BPM, beat = {mult} x fitted period "
            f"(residual {fit['residual_ms']:.1f} ms, {100 * fit['hit_16th']:.0f} % of strong onsets within 15 ms "
            f"of the 16th grid, phase drift {fit['drift_ms']:.0f} ms over 20 s windows); "
                f"{'beat phase: ' + entry_of(name)['phase_why'] + '; ' if entry_of(name).get('phase_why') else ''}{how}")
        doc.update({"meter": meter, "confidence": conf,
                    "downbeats": None if downbeats is None else [round(b, 4) for b in downbeats]})
        with open(path, "w") as f:
            json.dump(doc, f, indent=None, separators=(",", ":"))
            f.write("\n")
        print(f"{name:24s} meter {meter} downbeats {conf['downbeats']:8s} {how}")


def check(cache):
    """Refit each recording and report how far the committed beats are from the fitted grid."""
    import numpy as np

    sys.path.insert(0, HERE)
    import gridfit

    for name, wav, _entry in fetch(cache, quiet=True):
        t = load_truth(name)
        if t is None:
            continue
        fit = gridfit.fit(wav)
        g = np.array(gridfit.grid(fit["period"] / 4, fit["phase"], 0, fit["duration"]))
        d = [float(np.min(np.abs(g - b))) for b in t["beats"]]
        print(f"{name:26s} truth {t['tempo_bpm']:8.3f}  refit {60 / fit['period']:8.3f}  "
              f"beats to the refitted 16th grid: median {1000 * np.median(d):.1f} ms, max {1000 * max(d):.1f} ms")


def click(cache, out):
    """Each song with the truth mixed in as clicks: 1.5 kHz on downbeats, 1 kHz on other beats."""
    import numpy as np
    import soundfile

    os.makedirs(out, exist_ok=True)
    for name, wav, _entry in fetch(cache, quiet=True):
        t = load_truth(name)
        if t is None:
            continue
        y, sr = soundfile.read(wav)
        n = int(0.03 * sr)
        env = np.exp(-np.arange(n) / (0.005 * sr))
        track = np.zeros(len(y))
        downs = set(round(d, 3) for d in (t["downbeats"] or []))
        for b in t["beats"]:
            f = 1500 if round(b, 3) in downs else 1000
            i = int(b * sr)
            seg = 0.5 * env * np.sin(2 * np.pi * f * np.arange(n) / sr)
            track[i:i + n] += seg[: max(0, min(n, len(track) - i))]
        mix = 0.6 * y + track[:, None]
        mix /= max(1.0, np.abs(mix).max())
        dest = os.path.join(out, name + ".click.wav")
        soundfile.write(dest, mix, sr, subtype="PCM_16")
        print(dest)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=("fetch", "derive", "settle", "check", "click"))
    p.add_argument("names", nargs="*")
    p.add_argument("--cache", default=DEFAULT_CACHE)
    p.add_argument("--out", default="target/bench/song/real-click")
    a = p.parse_args()
    if a.command == "fetch":
        fetch(a.cache, a.names or None)
    elif a.command == "derive":
        derive(a.cache, a.names)
    elif a.command == "settle":
        resettle(a.names)
    elif a.command == "check":
        check(a.cache)
    else:
        click(a.cache, a.out)


if __name__ == "__main__":
    main()
