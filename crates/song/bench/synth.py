"""Synthetic drum-and-bass songs with exact ground truth, for evaluate.py.

Twelve songs of 60-90 s, 44.1 kHz mono 16-bit WAV, made here with numpy from fixed seeds (the same
bytes on every run with the same numpy): kick (a decaying 150 -> 45 Hz sine sweep), snare (a noise
burst with a 190 Hz body), hi-hat (short high-passed noise), a sine bass and triad chords (slow pads
or short stabs) over a I-vi-IV-V progression. 4/4 songs play kick on 1 and 3, snare on 2 and 4 and
hats on eighths; 3/4 songs are waltzes (kick on 1, hats and a light snare on 2 and 3). Tempos spread
over 60-180 BPM; two songs change tempo at a bar line (100 -> 130 and 140 -> 118 BPM), one starts
with 4 s of silence, one is syncopated (kick on 1 and the "and" of 2, accented off-beat hats, bass on
the off-beats). Every song has three or four sections that differ in instrumentation and loudness:
an intro of hats and pads (-14 dB), the full groove, a breakdown of bass and chord stabs without
kick or snare (-8 dB), and in some songs the groove again or an outro of pads.

Ground truth is the times the notes were placed: a beat per quarter note, a downbeat per bar, the
section starts at bar lines (the first section runs from 0 s, leading silence included, the last
to the end of the file, which is the last bar plus a 1.5 s tail). The truth tempo is the median
beat period, as for the MIDI songs.
"""

import json
import os
import wave

import numpy as np

RATE = 44100

# name, [(bars, bpm), ...] (tempo segments, in order), beats per bar, style, leading silence (s),
# sections as [(bars, kind), ...] whose bars add up to the segments' bars.
SONGS = [
    ("syn01_060_4-4", [(18, 60)], 4, "rock", 0.3,
     [(4, "intro"), (10, "groove"), (4, "breakdown")]),
    ("syn02_072_3-4", [(28, 72)], 3, "waltz", 0.3,
     [(8, "intro"), (12, "groove"), (8, "breakdown")]),
    ("syn03_084_4-4_silence", [(24, 84)], 4, "rock", 4.0,
     [(6, "intro"), (12, "groove"), (6, "breakdown")]),
    ("syn04_092_4-4_syncopated", [(28, 92)], 4, "syncopated", 0.3,
     [(6, "intro"), (14, "groove"), (8, "breakdown")]),
    ("syn05_100-130_4-4", [(16, 100), (20, 130)], 4, "rock", 0.3,
     [(8, "intro"), (20, "groove"), (8, "breakdown")]),
    ("syn06_108_3-4", [(36, 108)], 3, "waltz", 0.3,
     [(8, "intro"), (16, "groove"), (12, "breakdown")]),
    ("syn07_120_4-4", [(36, 120)], 4, "rock", 0.3,
     [(8, "intro"), (16, "groove"), (8, "breakdown"), (4, "outro")]),
    ("syn08_128_4-4", [(40, 128)], 4, "rock", 0.3,
     [(8, "intro"), (12, "groove"), (8, "breakdown"), (12, "groove")]),
    ("syn09_140-118_4-4", [(24, 140), (16, 118)], 4, "rock", 0.3,
     [(8, "intro"), (16, "groove"), (8, "breakdown"), (8, "groove")]),
    ("syn10_150_3-4", [(52, 150)], 3, "waltz", 0.3,
     [(8, "intro"), (24, "groove"), (12, "breakdown"), (8, "groove")]),
    ("syn11_165_4-4", [(48, 165)], 4, "rock", 0.3,
     [(8, "intro"), (24, "groove"), (16, "breakdown")]),
    ("syn12_180_4-4", [(52, 180)], 4, "rock", 0.3,
     [(8, "intro"), (20, "groove"), (12, "breakdown"), (12, "groove")]),
]

LEVEL_DB = {"intro": -14.0, "groove": 0.0, "breakdown": -8.0, "outro": -12.0}
TAIL_S = 1.5
PROGRESSION = [0, 9, 5, 7]  # I, vi, IV, V as semitones above the key's root
VERSION = 1  # bump when the synthesis changes, so old renders are replaced


def hz(note):
    return 440.0 * 2.0 ** ((note - 69) / 12.0)


def triad(root):
    """A root-position triad, major on I/IV/V and minor on vi (degree 9)."""
    return [root, root + (3 if (root % 12) == 9 else 4), root + 7]


class Song:
    def __init__(self, seconds, rng):
        self.buf = np.zeros(int(seconds * RATE) + RATE, dtype=np.float64)
        self.rng = rng

    def add(self, at, sound, gain):
        i = int(round(at * RATE))
        n = min(len(sound), len(self.buf) - i)
        if n > 0:
            self.buf[i : i + n] += gain * sound[:n]

    def kick(self, at, gain):
        t = np.arange(int(0.35 * RATE)) / RATE
        freq = 45.0 + 105.0 * np.exp(-t / 0.03)
        phase = 2 * np.pi * np.cumsum(freq) / RATE
        click = np.exp(-t / 0.002) * 0.3
        self.add(at, (np.sin(phase) + click) * np.exp(-t / 0.12), gain)

    def snare(self, at, gain):
        t = np.arange(int(0.2 * RATE)) / RATE
        noise = self.rng.standard_normal(len(t)) * 0.5
        noise = np.diff(noise, prepend=0.0)  # brighter
        body = np.sin(2 * np.pi * 190.0 * t) * np.exp(-t / 0.04)
        self.add(at, noise * np.exp(-t / 0.06) + 0.6 * body, gain)

    def hat(self, at, gain):
        t = np.arange(int(0.06 * RATE)) / RATE
        noise = self.rng.standard_normal(len(t))
        high = np.diff(np.diff(noise, prepend=0.0), prepend=0.0) * 0.25  # second difference: high-pass
        self.add(at, high * np.exp(-t / 0.015), gain)

    def bass(self, at, note, length, gain):
        t = np.arange(int(length * RATE)) / RATE
        f = hz(note)
        tone = np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t)
        env = np.minimum(t / 0.004, 1.0) * np.exp(-t / max(length * 0.6, 0.05))
        env[-int(0.01 * RATE):] *= np.linspace(1, 0, int(0.01 * RATE))
        self.add(at, tone * env, gain)

    def chord(self, at, root, length, gain, attack):
        t = np.arange(int(length * RATE)) / RATE
        tone = sum(np.sin(2 * np.pi * hz(n) * t) + 0.5 * np.sin(2 * np.pi * hz(n) * 1.003 * t)
                   for n in triad(root)) / 4.0
        env = np.minimum(t / attack, 1.0) * np.minimum((length - t) / min(attack, length / 4), 1.0)
        if attack < 0.05:  # a stab decays
            env *= np.exp(-t / (length * 0.5))
        self.add(at, tone * env, gain)


def make(spec, out_dir):
    """Renders one song (if its WAV is missing or stale) and returns its truth."""
    name, segments, per_bar, style, silence, sections = spec
    assert sum(b for b, _ in segments) == sum(b for b, _ in sections), name
    # Bar start times and each bar's beat period.
    bar_starts, periods, t = [], [], silence
    for bars, bpm in segments:
        for _ in range(bars):
            bar_starts.append(t)
            periods.append(60.0 / bpm)
            t += per_bar * 60.0 / bpm
    end_of_music = t
    seconds = end_of_music + TAIL_S
    beats = [b + k * p for b, p in zip(bar_starts, periods) for k in range(per_bar)]
    downbeats = list(bar_starts)
    kinds, starts, bar = [], [], 0
    for bars, kind in sections:
        starts.append(bar_starts[bar])
        kinds.extend([kind] * bars)
        bar += bars
    intervals = [[0.0 if i == 0 else s, starts[i + 1] if i + 1 < len(starts) else seconds]
                 for i, s in enumerate(starts)]
    tempo = 60.0 / float(np.median(np.diff(beats)))
    truth = {
        "version": VERSION, "name": name, "beats": beats, "downbeats": downbeats, "tempo_bpm": tempo,
        "beats_per_bar": per_bar, "sections": intervals,
        "section_labels": [k for _, k in sections], "duration_s": seconds,
    }
    wav = os.path.join(out_dir, name + ".wav")
    truth_path = os.path.join(out_dir, name + ".json")
    if os.path.exists(wav) and os.path.exists(truth_path):
        with open(truth_path) as f:
            if json.load(f) == json.loads(json.dumps(truth)):
                return wav, truth

    seed = int.from_bytes(name.encode(), "little") % (2**32)
    song = Song(seconds, np.random.default_rng(seed))
    key = 40 + int(song.rng.integers(0, 7))  # bass root, E2..A#2
    for i, (start, period, kind) in enumerate(zip(bar_starts, periods, kinds)):
        level = 10 ** (LEVEL_DB[kind] / 20.0)
        root = key + PROGRESSION[i % 4]
        bar_len = per_bar * period
        vel = lambda: 1.0 + 0.05 * float(song.rng.standard_normal())  # noqa: E731
        if kind in ("intro", "outro"):
            for k in range(per_bar * 2):
                song.hat(start + k * period / 2, level * 0.5 * (1.0 if k % 2 == 0 else 0.6) * vel())
            song.chord(start, root + 12, bar_len + 0.05, level * 0.5, attack=0.25 * bar_len)
        elif kind == "breakdown":
            for k in range(per_bar):
                song.bass(start + k * period, root, period * 0.9, level * 0.6 * vel())
                song.chord(start + k * period, root + 12, period * 0.8, level * (0.5 if k else 0.7),
                           attack=0.005)
        else:  # groove
            song.chord(start, root + 12, bar_len + 0.05, level * 0.25, attack=0.1 * bar_len)
            if style == "rock":
                for k in range(per_bar):
                    at = start + k * period
                    if k % 2 == 0:
                        song.kick(at, level * vel())
                        song.bass(at, root, period * 1.8, level * 0.45)
                    else:
                        song.snare(at, level * 0.55 * vel())
                for k in range(per_bar * 2):
                    song.hat(start + k * period / 2, level * 0.35 * (1.0 if k % 2 == 0 else 0.6) * vel())
            elif style == "waltz":
                song.kick(start, level * vel())
                song.bass(start, root, period * 0.95, level * 0.45)
                for k in (1, 2):
                    at = start + k * period
                    song.snare(at, level * 0.3 * vel())
                    song.hat(at, level * 0.4 * vel())
                    song.chord(at, root + 12, period * 0.6, level * 0.3, attack=0.005)
            else:  # syncopated: kick on 1 and the "and" of 2, off-beat accents, bass on the off-beats
                song.kick(start, level * vel())
                song.kick(start + 1.5 * period, level * 0.9 * vel())
                song.snare(start + period, level * 0.5 * vel())
                song.snare(start + 3 * period, level * 0.5 * vel())
                for k in range(per_bar * 2):
                    song.hat(start + k * period / 2, level * 0.35 * (0.45 if k % 2 == 0 else 1.0) * vel())
                for k in range(per_bar):
                    song.bass(start + (k + 0.5) * period, root, period * 0.45, level * 0.5)
    audio = song.buf[: int(seconds * RATE)]
    audio *= 0.89 / max(np.max(np.abs(audio)), 1e-9)  # -1 dBFS peak
    pcm = np.round(audio * 32767).astype("<i2")
    with wave.open(wav, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1)
    return wav, truth


def generate(out_dir, limit=0):
    """Writes the synthetic songs under out_dir; returns [(name, wav, truth), ...]."""
    os.makedirs(out_dir, exist_ok=True)
    specs = SONGS[:limit] if limit else SONGS
    return [(spec[0],) + make(spec, out_dir) for spec in specs]


if __name__ == "__main__":
    import sys

    for name, wav, truth in generate(sys.argv[1] if len(sys.argv) > 1 else "target/bench/song/synthetic"):
        print(f"{name:28s} {truth['duration_s']:5.1f} s  {truth['tempo_bpm']:5.1f} BPM  "
              f"{truth['beats_per_bar']}/4  sections at "
              + ", ".join(f"{a:.1f}" for a, _ in truth["sections"]))
