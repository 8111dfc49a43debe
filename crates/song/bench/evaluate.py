#!/usr/bin/env python3
"""Beat-tracking benchmark for the song crate, beside aubio and librosa on the same files.

The evaluation set is made here, from Debian packages (nothing is downloaded, nothing committed):
the 31 MIDI songs of `openttd-openmsx` rendered with `fluidsynth` and `fluid-soundfont-gm`, with
ground truth from each MIDI's tempo map and time signatures (a beat per quarter note in x/4 and x/2,
per dotted quarter in 6/8, 9/8 and 12/8; a downbeat per bar). Metrics are mir_eval's: beat
F-measure (±70 ms), CMLt and AMLt, downbeat F-measure, tempo within 4 %. Speed is real time over
wall time, decoding included, one process per file. Peak memory is measured on a 60-minute file
made by joining the renders.

Needs: apt-get install fluidsynth fluid-soundfont-gm openttd-openmsx aubio-tools ffmpeg;
pip install mir_eval librosa mido; a release `studio` (cargo build --release -p studio-cli).

    python3 crates/song/bench/evaluate.py [--studio target/release/studio] [--out target/bench/song]
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

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
    return doc["beats"], doc["downbeats"], doc["tempo_bpm"], took


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


def scores(truth, found, seconds):
    import mir_eval
    import numpy as np

    ref_beats, ref_down, ref_tempo = truth
    beats, down, tempo, took = found
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
    if down is not None:
        ref_d = mir_eval.beat.trim_beats(np.array([b for b in ref_down if b <= seconds]))
        row["downbeat_f"] = mir_eval.beat.f_measure(ref_d, mir_eval.beat.trim_beats(np.array(down)))
    return row


def peak_rss_mib(cmd, env):
    out = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    for line in out.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split()[-1]) / 1024.0
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studio", default="target/release/studio")
    parser.add_argument("--out", default="target/bench/song")
    parser.add_argument("--limit", type=int, default=0, help="only the first N songs")
    parser.add_argument("--no-memory", action="store_true", help="skip the 60-minute memory run")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ, STUDIO_DATA_DIR=os.path.join(args.out, "studio-data"))
    # Never answer from the cache: every run analyses.
    subprocess.run(["rm", "-rf", env["STUDIO_DATA_DIR"]])

    midis = sorted(glob.glob(os.path.join(MIDI_DIR, "*.mid")))
    if args.limit:
        midis = midis[: args.limit]
    rows = {"ours": [], "aubio": [], "librosa": []}
    for midi in midis:
        name = os.path.splitext(os.path.basename(midi))[0]
        wav = os.path.join(args.out, name + ".wav")
        render(midi, wav)
        seconds = duration(wav)
        truth = midi_truth(midi)
        for system, fn in (
            ("ours", lambda p: ours(args.studio, p, env)),
            ("aubio", aubio),
            ("librosa", librosa_beats),
        ):
            try:
                row = scores(truth, fn(wav), seconds)
            except Exception as error:  # a system that fails on a file scores zero there
                print(f"{system} failed on {name}: {error}", file=sys.stderr)
                row = {"f": 0.0, "cmlt": 0.0, "amlt": 0.0, "tempo_ok": False, "x_realtime": 0.0}
            row["song"] = name
            rows[system].append(row)
        print(
            f"{name:32s} ours F {rows['ours'][-1]['f']:.2f}  aubio {rows['aubio'][-1]['f']:.2f}"
            f"  librosa {rows['librosa'][-1]['f']:.2f}",
            file=sys.stderr,
        )

    def mean(system, key):
        values = [r[key] for r in rows[system] if key in r]
        return sum(values) / len(values) if values else float("nan")

    table = ["| system | beat F | CMLt | AMLt | downbeat F | tempo ±4 % | × real time (median) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for system in rows:
        speed = statistics.median([r["x_realtime"] for r in rows[system]]) if rows[system] else 0
        tempo_ok = sum(1 for r in rows[system] if r["tempo_ok"]) / max(len(rows[system]), 1)
        down = mean(system, "downbeat_f")
        table.append(
            f"| {system} | {mean(system, 'f'):.3f} | {mean(system, 'cmlt'):.3f} | "
            f"{mean(system, 'amlt'):.3f} | {'—' if down != down else f'{down:.3f}'} | "
            f"{tempo_ok:.0%} | {speed:.0f}× |"
        )
    report = "\n".join(table)

    # Peak memory on a 60-minute song.
    long_wav = os.path.join(args.out, "sixty-minutes.flac")
    if args.no_memory:
        print(report)
        return
    if not os.path.exists(long_wav):
        listing = os.path.join(args.out, "concat.txt")
        wavs = [os.path.join(args.out, os.path.splitext(os.path.basename(m))[0] + ".wav") for m in midis]
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
