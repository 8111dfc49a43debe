#!/usr/bin/env python3
"""Song-analysis benchmark for the song crate, beside aubio and librosa on the same files.

Three evaluation sets (no audio is committed):
- midi: the 31 MIDI songs of Debian's `openttd-openmsx` rendered with `fluidsynth` and
  `fluid-soundfont-gm`, with ground truth from each MIDI's tempo map and time signatures (a beat per
  quarter note in x/4 and x/2, per dotted quarter in 6/8, 9/8 and 12/8; a downbeat per bar). They
  have no section truth.
- synthetic: 12 drum/bass/chord songs of 60-90 s made by synth.py with numpy from fixed seeds, at
  60-180 BPM in 4/4 and 3/4 (waltz), two with a tempo change at a bar line (100 -> 130 and 140 -> 118
  BPM), one with 4 s of silence first, one syncopated, each with 3-4 sections that differ in
  instrumentation and loudness (hats-and-pads intro, full groove, breakdown without kick and snare).
  Ground truth is the times the notes and sections were placed (see synth.py).
- real: produced game soundtracks (Ogg Vorbis recordings, and a few tracker modules rendered with
  libopenmpt) from Debian's hedgewars-data, extremetuxracer-data, frozen-bubble-data, xmoto-data,
  supertux-data and pingus-data, fetched at run time by real.py (`apt-get download`, `dpkg -x`,
  first 120 s). Truth is committed in real/NAME.json: an exact constant-tempo grid fitted to the
  onsets (gridfit.py) with the beat level and bar phase chosen from kick/snare/chord-change evidence,
  or, for modules, the pattern rows' times; see real.py. No section truth. A song whose bar could
  not be settled has no downbeat truth and is left out of the downbeat mean. 23 songs: 19
  recordings (7 without downbeat truth) and 4 Pingus modules. Weak spots: the beat level of the
  156-200 BPM songs is the fitted period, where a tapper (and every system here) may count half;
  and the recordings' bar phase is a heuristic (chord change, kick, snare) that both ours and
  madmom contradict on hw-art, hw-earthrise, st-bright-thunders, st-clavelian-march and
  xmoto-speeditup, so downbeat F on this set is a lower bound until someone listens
  (real.py click).

Systems: ours, aubio (aubio beat), librosa (beat_track) and, with --madmom-python pointing at an
interpreter that has madmom 0.16.1 (default target/bench/song/madmom-venv/bin/python; skipped when
absent), madmom's RNNBeatProcessor + DBNBeatTrackingProcessor and RNNDownBeatProcessor +
DBNDownBeatTrackingProcessor (3 or 4 beats a bar), run by madmom_run.py, one process per file.
madmom 0.16.1 does not build from its PyPI sdist on Python 3.11 as is; what works:
    python3 -m venv target/bench/song/madmom-venv
    target/bench/song/madmom-venv/bin/pip install "numpy==1.23.5" "cython<3" "scipy<1.12" mido wheel setuptools
    pip download --no-deps --no-binary :all: madmom==0.16.1; unpack it, delete the generated C
    (madmom/**/*.c from *.pyx, and madmom/ml/nn/layers.c), then
    target/bench/song/madmom-venv/bin/pip install --no-build-isolation ./madmom-0.16.1

Metrics are mir_eval's: beat F-measure (±70 ms), CMLt and AMLt, downbeat F-measure, tempo within
4 % of the median beat period's tempo, and for our system (the only one of the three that gives
sections) the section boundary F-measure at 3 s, mir_eval.segment.detection(window=3, trim=True):
the boundaries between sections only, as the start and end of the file would be found for free
(precision, recall and the untrimmed F are in report.json). Speed is real time over wall time,
decoding included, one process per file. Peak memory is measured on a 60-minute FLAC made by
joining the MIDI renders (the synthetic songs when only those are evaluated).

Writes one table per set and one over both to stdout and <out>/report.md, the per-song rows to
<out>/report.json; the renders are kept in <out> (the synthetic ones in <out>/synthetic).

Needs: apt-get install fluidsynth fluid-soundfont-gm openttd-openmsx aubio-tools ffmpeg;
pip install mir_eval librosa mido numpy soundfile; a release `studio` (cargo build --release -p
studio-cli); for the real set, apt-get (download only), dpkg and libopenmpt0 (apt-get install
openmpt123 brings it).

    python3 crates/song/bench/evaluate.py [--set midi|synthetic|real|all] [--limit N] [--no-memory]
        [--studio target/release/studio] [--out target/bench/song] [--madmom-python PY]
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

# A system that finds no section boundary (or no beat) scores 0 there; no need to warn per song.
warnings.filterwarnings("ignore", message="Estimated (intervals|beats) are empty")

MIDI_DIR = "/usr/share/games/openttd/baseset/openmsx"
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
RATE = 44100


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def midi_truth(path):
    """Beat and downbeat times (s) and the median tempo (BPM) from a MIDI file's tempo map."""
    import mido

    mid = mido.MidiFile(path)
    tpb = mid.ticks_per_beat
    tempos, signatures = [], []
    end = 0
    for track in mid.tracks:
        t = 0
        for msg in track:
            t += msg.time
            if msg.type == "set_tempo":
                tempos.append((t, msg.tempo))
            elif msg.type == "time_signature":
                signatures.append((t, msg.numerator, msg.denominator))
        end = max(end, t)
    tempos.sort()
    signatures.sort()
    if not signatures or signatures[0][0] > 0:
        signatures.insert(0, (0, 4, 4))

    def seconds(tick):
        sec, last, tempo = 0.0, 0, 500000
        for t, tp in tempos:
            if t > tick:
                break
            sec += (t - last) / tpb * tempo / 1e6
            last, tempo = t, tp
        return sec + (tick - last) / tpb * tempo / 1e6

    beats, downbeats, beat_ticks = [], [], []
    for i, (start, num, den) in enumerate(signatures):
        stop = signatures[i + 1][0] if i + 1 < len(signatures) else end
        compound = den == 8 and num % 3 == 0 and num > 3
        beat_len = tpb * 4 // den * (3 if compound else 1)
        per_bar = num // 3 if compound else num
        k, tick = 0, start
        while tick < stop:
            if k % per_bar == 0:
                downbeats.append(seconds(tick))
            beats.append(seconds(tick))
            beat_ticks.append(tick)
            tick += beat_len
            k += 1
    periods = [b - a for a, b in zip(beats, beats[1:]) if b > a]
    tempo = 60.0 / statistics.median(periods) if periods else 0.0
    return beats, downbeats, tempo


def render(midi, wav):
    if not os.path.exists(wav):
        run(["fluidsynth", "-ni", "-g", "0.8", "-r", str(RATE), "-F", wav, SOUNDFONT, midi])


def duration(path):
    out = run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])
    return float(out.stdout.strip())


def ours(studio, path, env):
    started = time.perf_counter()
    out = run([studio, "--json", "song", "analyze", path], env=env)
    took = time.perf_counter() - started
    doc = json.loads(out.stdout)
    sections = [[x["start_s"], x["end_s"]] for x in doc.get("sections", [])]
    return doc["beats"], doc["downbeats"], doc["tempo_bpm"], took, sections


def aubio(path):
    started = time.perf_counter()
    out = run(["aubio", "beat", path])
    took = time.perf_counter() - started
    beats = [float(x) for x in out.stdout.split()]
    periods = [b - a for a, b in zip(beats, beats[1:])]
    tempo = 60.0 / statistics.median(periods) if periods else 0.0
    return beats, None, tempo, took


def librosa_beats(path):
    import librosa

    started = time.perf_counter()
    y, sr = librosa.load(path, sr=22050, mono=True)
    tempo, beats = librosa.beat.beat_track(y=y, sr=sr, units="time")
    took = time.perf_counter() - started
    tempo = float(tempo[0] if hasattr(tempo, "__len__") else tempo)
    return list(beats), None, tempo, took


def madmom(python, path):
    started = time.perf_counter()
    here = os.path.dirname(os.path.abspath(__file__))
    out = run([python, os.path.join(here, "madmom_run.py"), path])
    took = time.perf_counter() - started
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    beats = doc["beats"]
    periods = [b - a for a, b in zip(beats, beats[1:])]
    tempo = 60.0 / statistics.median(periods) if periods else 0.0
    return beats, doc["downbeats"], tempo, took


def scores(truth, found, seconds):
    """One system on one song. truth: (beats, downbeats, tempo[, section intervals or None]);
    found: (beats, downbeats or None, tempo, seconds taken[, section intervals])."""
    import mir_eval
    import numpy as np

    ref_beats, ref_down, ref_tempo = truth[:3]
    ref_sections = truth[3] if len(truth) > 3 else None
    beats, down, tempo, took = found[:4]
    sections = found[4] if len(found) > 4 else None
    ref = mir_eval.beat.trim_beats(np.array([b for b in ref_beats if b <= seconds]))
    est = mir_eval.beat.trim_beats(np.array(sorted(beats)))
    f = mir_eval.beat.f_measure(ref, est)
    _cmlc, cmlt, _amlc, amlt = mir_eval.beat.continuity(ref, est)
    row = {
        "f": f,
        "cmlt": cmlt,
        "amlt": amlt,
        "tempo_ok": abs(tempo - ref_tempo) / ref_tempo <= 0.04 if ref_tempo else False,
        "x_realtime": seconds / took if took > 0 else 0.0,
    }
    if down is not None and ref_down is not None:
        ref_d = mir_eval.beat.trim_beats(np.array([b for b in ref_down if b <= seconds]))
        row["downbeat_f"] = mir_eval.beat.f_measure(ref_d, mir_eval.beat.trim_beats(np.array(down)))
    if ref_sections is not None and sections is not None:
        ref_iv = np.array(ref_sections, dtype=float)
        est_iv = np.array(sections, dtype=float) if sections else np.array([[0.0, seconds]])
        p, r, f = mir_eval.segment.detection(ref_iv, est_iv, window=3, trim=True)
        row["sections_p"], row["sections_r"], row["sections_f"] = p, r, f
        row["sections_f_untrimmed"] = mir_eval.segment.detection(ref_iv, est_iv, window=3)[2]
    return row


def peak_rss_mib(cmd, env):
    out = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    for line in out.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split()[-1]) / 1024.0
    return None


def songs(which, out, limit):
    """[(set, name, wav, truth, seconds)] for the chosen set(s); truth as scores() takes it."""
    items = []
    if which in ("midi", "all"):
        midis = sorted(glob.glob(os.path.join(MIDI_DIR, "*.mid")))
        for midi in midis[:limit] if limit else midis:
            name = os.path.splitext(os.path.basename(midi))[0]
            wav = os.path.join(out, name + ".wav")
            render(midi, wav)
            items.append(("midi", name, wav, midi_truth(midi), duration(wav)))
    if which in ("synthetic", "all"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import synth

        for name, wav, t in synth.generate(os.path.join(out, "synthetic"), limit):
            truth = (t["beats"], t["downbeats"], t["tempo_bpm"], t["sections"])
            items.append(("synthetic", name, wav, truth, duration(wav)))
    if which in ("real", "all"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import real

        for name, wav, truth in real.songs(os.path.join(out, "real-cache"), limit):
            items.append(("real", name, wav, truth, duration(wav)))
    return items


def table(rows, with_sections):
    """A Markdown table of the systems' means over rows {system: [row, ...]}."""

    def mean(system, key):
        values = [r[key] for r in rows[system] if key in r]
        return sum(values) / len(values) if values else float("nan")

    def cell(value):
        return "—" if value != value else f"{value:.3f}"

    lines = ["| system | songs | beat F | CMLt | AMLt | downbeat F | tempo ±4 % | sections F@3 s "
             "| × real time (median) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for system in rows:
        n = len(rows[system])
        speed = statistics.median([r["x_realtime"] for r in rows[system]]) if n else 0
        tempo_ok = sum(1 for r in rows[system] if r["tempo_ok"]) / max(n, 1)
        sections = mean(system, "sections_f") if with_sections else float("nan")
        lines.append(
            f"| {system} | {n} | {cell(mean(system, 'f'))} | {cell(mean(system, 'cmlt'))} | "
            f"{cell(mean(system, 'amlt'))} | {cell(mean(system, 'downbeat_f'))} | "
            f"{tempo_ok:.0%} | {cell(sections)} | {speed:.0f}× |"
        )
    return "\n".join(lines)


SET_TITLES = {
    "midi": "MIDI renders (openttd-openmsx, fluidsynth; no section truth)",
    "synthetic": "Synthetic drum/bass/chord songs (synth.py)",
    "real": "Real recordings (Debian game soundtracks; truth in real/, see real.py; no section truth)",
    "all": "All sets (sections over the synthetic songs only)",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studio", default="target/release/studio")
    parser.add_argument("--out", default="target/bench/song")
    parser.add_argument("--set", choices=("midi", "synthetic", "real", "all"), default="all",
                        help="which evaluation set (default: all three)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N songs of each set")
    parser.add_argument("--madmom-python", default="target/bench/song/madmom-venv/bin/python",
                        help="a Python with madmom 0.16.1; madmom is skipped when it is absent")
    parser.add_argument("--no-memory", action="store_true", help="skip the 60-minute memory run")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ, STUDIO_DATA_DIR=os.path.join(args.out, "studio-data"))
    # Never answer from the cache: every run analyses.
    subprocess.run(["rm", "-rf", env["STUDIO_DATA_DIR"]])

    items = songs(args.set, args.out, args.limit)
    systems = (
        ("ours", lambda p: ours(args.studio, p, env)),
        ("aubio", aubio),
        ("librosa", librosa_beats),
    )
    if os.path.exists(args.madmom_python):
        systems += (("madmom", lambda p: madmom(args.madmom_python, p)),)
    else:
        print(f"madmom: no {args.madmom_python}, left out", file=sys.stderr)
    rows = {system: [] for system, _ in systems}
    for set_name, name, wav, truth, seconds in items:
        for system, fn in systems:
            try:
                row = scores(truth, fn(wav), seconds)
            except Exception as error:  # a system that fails on a file scores zero there
                print(f"{system} failed on {name}: {error}", file=sys.stderr)
                row = {"f": 0.0, "cmlt": 0.0, "amlt": 0.0, "tempo_ok": False, "x_realtime": 0.0}
                if system in ("ours", "madmom") and truth[1] is not None:
                    row["downbeat_f"] = 0.0
                    if len(truth) > 3 and truth[3] is not None:
                        row["sections_f"] = 0.0
            row["song"] = name
            row["set"] = set_name
            rows[system].append(row)
        extra = f"  sections F {rows['ours'][-1]['sections_f']:.2f}" if "sections_f" in rows["ours"][-1] else ""
        others = "  ".join(f"{s} {rows[s][-1]['f']:.2f}" for s in rows if s != "ours")
        down = rows["ours"][-1].get("downbeat_f")
        down = f" (downbeat {down:.2f}, AMLt {rows['ours'][-1]['amlt']:.2f})" if down is not None else ""
        print(f"{name:32s} ours F {rows['ours'][-1]['f']:.2f}{down}  {others}{extra}", file=sys.stderr)

    present = [s for s in ("midi", "synthetic", "real") if any(it[0] == s for it in items)]
    parts = []
    for set_name in present + (["all"] if len(present) > 1 else []):
        subset = {system: [r for r in rows[system] if set_name == "all" or r["set"] == set_name]
                  for system in rows}
        parts.append(f"### {SET_TITLES[set_name]}\n\n" + table(subset, set_name in ("synthetic", "all")))
    report = "\n\n".join(parts)

    # Peak memory on a 60-minute song, joined from the MIDI renders (or the synthetic songs).
    rss = None
    if not args.no_memory and items:
        long_wav = os.path.join(args.out, "sixty-minutes.flac")
        if not os.path.exists(long_wav):
            listing = os.path.join(args.out, "concat.txt")
            wavs = [it[2] for it in items if it[0] == present[0]]
            total, parts = 0.0, []
            while total < 3600 and wavs:
                for w in wavs:
                    parts.append(w)
                    total += duration(w)
                    if total >= 3600:
                        break
            with open(listing, "w") as f:
                f.writelines(f"file '{os.path.abspath(p)}'\n" for p in parts)
            run(["ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", listing,
                 "-t", "3600", long_wav])
        rss = peak_rss_mib([args.studio, "--json", "song", "analyze", long_wav], env)
        report += f"\n\nPeak memory, a 60-minute FLAC: {rss:.0f} MiB (studio song analyze, whole process)."
    print(report)
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump({"rows": rows, "peak_rss_mib_60min": rss}, f, indent=1)
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write(report + "\n")


if __name__ == "__main__":
    main()
