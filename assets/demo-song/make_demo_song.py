"""Makes the demo song "Neon Run (demo)": a 41.5 s synth-pop track for "Try the demo" (issue 10 §6).

Everything is synthesized here with numpy from a fixed seed (the same samples on every run with the
same numpy), written to a temporary 44.1 kHz stereo 16-bit WAV and encoded to Ogg Vorbis by ffmpeg.
Nothing is downloaded and no sample or recording is used, so the song is ours to give away (CC0 1.0,
see README.md).

The arrangement, at 120 BPM in 4/4 (a bar is 2 s), in A minor over Am - F - C - G:
  bars  1-8   (0-16 s)   intro:  wide pads and eighth-note hi-hats, quiet (-13 dB)
  bars  9-16  (16-32 s)  verse:  kick, snare, hats and an eighth-note bass line under the pads (-7 dB)
  bars 17-20  (32-40 s)  chorus: the loudest: four-on-the-floor kick, claps, open hats, bright chord
                                  stabs, octave bass and a lead melody with an echo, a crash on its first beat
  40-41.5 s               tail:   a last kick and crash on the next downbeat, the A minor chord ringing out

The tail is kept short on purpose: a long, nearly empty last bar looks to the song analyser's section
finder like a section of its own and hides the verse -> chorus boundary (tried: 2.5 s did). The intro
keeps its low end empty so the verse's entrance is a clear change.

Usage: python3 assets/demo-song/make_demo_song.py [OUT.ogg]   (default: demo-song.ogg next to this file)
Prints the ground truth (tempo, beats, downbeats, sections) as JSON on stdout and a summary on stderr.
"""

import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

RATE = 44100
BPM = 120.0
BEAT = 60.0 / BPM
BAR = 4 * BEAT
START = 0.0  # the first downbeat
SECTIONS = [("intro", 8), ("verse", 8), ("chorus", 4)]
TAIL_S = 1.5
SEED = 20251202
TITLE = "Neon Run (demo)"
ARTIST = "Venice Music Video Studio"

# A minor: Am, F, C, G; each chord as MIDI notes of the pad voicing and the bass root.
CHORDS = [
    ([57, 60, 64, 69], 45),  # Am: A3 C4 E4 A4, bass A2
    ([57, 60, 65, 69], 41),  # F:  A3 C4 F4 A4, bass F2
    ([55, 60, 64, 67], 48),  # C:  G3 C4 E4 G4, bass C3
    ([55, 59, 62, 67], 43),  # G:  G3 B3 D4 G4, bass G2
]
# The chorus lead, per chord: (beat offset in the bar, length in beats, MIDI note).
LEAD = [
    [(0, 1.5, 76), (1.5, 0.5, 72), (2, 0.5, 74), (2.5, 1.5, 76)],  # E5 C5 D5 E5
    [(0, 1.5, 77), (1.5, 0.5, 76), (2, 1.0, 72), (3, 1.0, 69)],  # F5 E5 C5 A4
    [(0, 1.0, 79), (1, 0.5, 76), (1.5, 0.5, 79), (2, 2.0, 84)],  # G5 E5 G5 C6
    [(0, 1.5, 83), (1.5, 0.5, 79), (2, 2.0, 74)],  # B5 G5 D5
]
LEVEL_DB = {"intro": -13.0, "verse": -7.0, "chorus": 0.0}


def hz(note):
    return 440.0 * 2.0 ** ((note - 69) / 12.0)


def saw(freq, t, harmonics=12, bright=1.0):
    """A band-limited sawtooth with a soft roll-off (bright < 1 is darker)."""
    out = np.zeros_like(t)
    for k in range(1, harmonics + 1):
        if freq * k > RATE / 2.5:
            break
        out += np.sin(2 * np.pi * freq * k * t) / k * bright ** (k - 1)
    return out


class Mix:
    """A stereo buffer; sounds are placed at a time with a gain and a pan (-1 left .. 1 right)."""

    def __init__(self, seconds, rng):
        self.n = int(round(seconds * RATE))
        self.buf = np.zeros((2, self.n))
        self.rng = rng

    def add(self, at, sound, gain, pan=0.0):
        i = int(round(at * RATE))
        n = min(len(sound), self.n - i)
        if n <= 0:
            return
        left, right = np.cos((pan + 1) * np.pi / 4), np.sin((pan + 1) * np.pi / 4)
        self.buf[0, i : i + n] += gain * left * sound[:n]
        self.buf[1, i : i + n] += gain * right * sound[:n]

    def vel(self, spread=0.06):
        return 1.0 + spread * float(self.rng.standard_normal())

    # Drums.
    def kick(self, at, gain):
        t = np.arange(int(0.4 * RATE)) / RATE
        freq = 48.0 + 110.0 * np.exp(-t / 0.025)
        phase = 2 * np.pi * np.cumsum(freq) / RATE
        click = np.exp(-t / 0.0015) * 0.35
        self.add(at, (np.sin(phase) + click) * np.exp(-t / 0.16), gain)

    def snare(self, at, gain, pan=0.05):
        t = np.arange(int(0.25 * RATE)) / RATE
        noise = np.diff(self.rng.standard_normal(len(t)), prepend=0.0) * 0.4
        body = np.sin(2 * np.pi * 185.0 * t) * np.exp(-t / 0.05)
        self.add(at, noise * np.exp(-t / 0.07) + 0.7 * body, gain, pan)

    def clap(self, at, gain):
        t = np.arange(int(0.3 * RATE)) / RATE
        noise = np.diff(self.rng.standard_normal(len(t)), prepend=0.0) * 0.35
        env = np.exp(-t / 0.09)
        for k in (0.0, 0.008, 0.017):  # three hands, a little apart
            env += np.where(t >= k, np.exp(-np.maximum(t - k, 0) / 0.006), 0.0)
        self.add(at, noise * env * 0.5, gain, pan=-0.1)

    def hat(self, at, gain, length=0.05, pan=0.3):
        t = np.arange(int(max(length * 4, 0.06) * RATE)) / RATE
        noise = self.rng.standard_normal(len(t))
        high = np.diff(np.diff(noise, prepend=0.0), prepend=0.0) * 0.25  # second difference: high-pass
        self.add(at, high * np.exp(-t / (length * 0.3)), gain, pan)

    def crash(self, at, gain):
        t = np.arange(int(2.5 * RATE)) / RATE
        noise = np.diff(self.rng.standard_normal(len(t)), prepend=0.0) * 0.2
        self.add(at, noise * np.exp(-t / 0.7), gain, pan=-0.25)

    # Tones.
    def pad(self, at, notes, length, gain):
        t = np.arange(int((length + 0.6) * RATE)) / RATE
        tone = sum(saw(hz(n) * d, t, harmonics=8, bright=0.55) for n in notes for d in (0.996, 1.004))
        env = np.minimum(t / 0.35, 1.0) * np.clip((length + 0.6 - t) / 0.6, 0.0, 1.0)
        tone = tone * env / (2 * len(notes))
        # Slightly different detune per side: a wide pad.
        self.add(at, tone, gain, pan=-0.5)
        t2 = t + 0.0011
        tone2 = sum(saw(hz(n) * d, t2, harmonics=8, bright=0.55) for n in notes for d in (1.0, 1.007))
        self.add(at, tone2 * env / (2 * len(notes)), gain, pan=0.5)

    def bass(self, at, note, length, gain):
        t = np.arange(int(length * RATE)) / RATE
        f = hz(note)
        tone = np.sin(2 * np.pi * f * t) + 0.35 * saw(f, t, harmonics=6, bright=0.5)
        env = np.minimum(t / 0.003, 1.0) * np.exp(-t / max(length * 0.8, 0.05))
        fade = min(int(0.008 * RATE), len(env))
        env[-fade:] *= np.linspace(1, 0, fade)
        self.add(at, tone * env, gain)

    def stab(self, at, notes, length, gain):
        t = np.arange(int(length * RATE)) / RATE
        tone = sum(saw(hz(n + 12), t, harmonics=14, bright=0.8) for n in notes) / len(notes)
        env = np.minimum(t / 0.004, 1.0) * np.exp(-t / (length * 0.45))
        fade = min(int(0.01 * RATE), len(env))
        env[-fade:] *= np.linspace(1, 0, fade)
        self.add(at, tone * env, gain, pan=0.2)

    def lead(self, at, note, length, gain):
        t = np.arange(int((length + 0.15) * RATE)) / RATE
        vibrato = 1.0 + 0.004 * np.sin(2 * np.pi * 5.5 * t) * np.minimum(t / 0.3, 1.0)
        phase = np.cumsum(hz(note) * vibrato) / RATE
        tone = np.zeros_like(t)
        for k in (1, 3, 5, 7):  # a soft square
            tone += np.sin(2 * np.pi * k * phase) / k * 0.7 ** (k // 2)
        env = np.minimum(t / 0.01, 1.0) * np.clip((length + 0.15 - t) / 0.15, 0.0, 1.0)
        env *= 0.75 + 0.25 * np.exp(-t / 0.2)
        sound = tone * env
        self.add(at, sound, gain, pan=0.0)
        # A dotted-eighth echo, alternating sides.
        for k, pan in ((1, -0.6), (2, 0.6), (3, -0.6)):
            self.add(at + k * 0.75 * BEAT, sound, gain * 0.35 ** k, pan)


def arrangement():
    """[(bar start s, section, bar index in section, chord index)], in order."""
    bars, t = [], START
    for name, count in SECTIONS:
        for k in range(count):
            bars.append((t, name, k, k % 4))
            t += BAR
    return bars


def render(rng):
    bars = arrangement()
    end_of_music = bars[-1][0] + BAR
    mix = Mix(end_of_music + TAIL_S, rng)
    for start, section, k, c in bars:
        level = 10 ** (LEVEL_DB[section] / 20.0)
        notes, root = CHORDS[c]
        beat = lambda b: start + b * BEAT  # noqa: E731
        if section == "intro":
            mix.pad(start, notes, BAR, level * 0.9)
            for e in range(8):  # eighth-note hats, accented on the beat
                mix.hat(beat(e / 2), level * (0.7 if e % 2 == 0 else 0.35) * mix.vel())
        elif section == "verse":
            mix.pad(start, notes, BAR, level * 0.45)
            for b in (0, 2):
                mix.kick(beat(b), level * 1.0 * mix.vel())
            if k % 2 == 1:
                mix.kick(beat(2.5), level * 0.6 * mix.vel())
            for b in (1, 3):
                mix.snare(beat(b), level * 0.55 * mix.vel())
            for e in range(8):
                mix.hat(beat(e / 2), level * (0.4 if e % 2 == 0 else 0.25) * mix.vel())
            for e in range(8):  # eighth-note bass: root, root, octave on the off-beat of 2 and 4
                note = root + (12 if e in (3, 7) else 0)
                mix.bass(beat(e / 2), note, BEAT * 0.45, level * (0.55 if e % 2 == 0 else 0.42))
        else:  # chorus
            if k == 0:
                mix.crash(start, level * 0.5)
            mix.pad(start, notes, BAR, level * 0.5)
            for b in range(4):
                mix.kick(beat(b), level * 1.0 * mix.vel())
            for b in (1, 3):
                mix.clap(beat(b), level * 0.7 * mix.vel())
                mix.snare(beat(b), level * 0.35 * mix.vel())
            for e in range(8):
                if e % 2 == 1:  # open hat on the off-beat
                    mix.hat(beat(e / 2), level * 0.45 * mix.vel(), length=0.18, pan=0.35)
                else:
                    mix.hat(beat(e / 2), level * 0.3 * mix.vel())
            for e in range(8):  # chord stabs on the off-beats and the octave bass on every eighth
                mix.bass(beat(e / 2), root + (12 if e % 2 else 0), BEAT * 0.45, level * 0.55)
                if e % 2 == 1:
                    mix.stab(beat(e / 2), notes, BEAT * 0.4, level * 0.35)
            for off, length, note in LEAD[c]:
                mix.lead(beat(off), note, length * BEAT * 0.95, level * 0.38)
    # The tail: the final A minor chord rings over a last kick and crash.
    notes, root = CHORDS[0]
    mix.kick(end_of_music, 0.9)
    mix.crash(end_of_music, 0.45)
    mix.pad(end_of_music, notes, TAIL_S - 0.7, 0.55)
    mix.bass(end_of_music, root, TAIL_S - 0.3, 0.5)
    audio = mix.buf
    fade = int(0.3 * RATE)
    audio[:, -fade:] *= np.linspace(1.0, 0.0, fade)
    audio *= 0.89 / max(float(np.max(np.abs(audio))), 1e-9)  # -1 dBFS peak
    return audio, bars, end_of_music + TAIL_S


def truth(bars, duration):
    end_of_music = bars[-1][0] + BAR
    # Every quarter note, and the tail's final hit on the next downbeat.
    beats = [start + b * BEAT for start, _, _, _ in bars for b in range(4)] + [end_of_music]
    sections, first = [], 0
    for name, count in SECTIONS:
        sections.append({"label": name, "start_s": 0.0 if first == 0 else bars[first][0],
                         "end_s": bars[first + count][0] if first + count < len(bars) else duration})
        first += count
    return {"title": TITLE, "duration_s": duration, "tempo_bpm": BPM, "beats_per_bar": 4,
            "beats": beats, "downbeats": [b[0] for b in bars] + [end_of_music], "sections": sections}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "demo-song.ogg")
    audio, bars, duration = render(np.random.default_rng(SEED))
    pcm = np.round(audio.T * 32767).astype("<i2")
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "demo-song.wav")
        with wave.open(wav, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(pcm.tobytes())
        subprocess.run(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", wav,
             "-c:a", "libvorbis", "-q:a", "3", "-map_metadata", "-1", "-fflags", "+bitexact",
             "-flags:a", "+bitexact", "-metadata", f"title={TITLE}", "-metadata", f"artist={ARTIST}",
             "-metadata", "license=CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/)",
             out],
            check=True,
        )
    gt = truth(bars, duration)
    print(json.dumps(gt))
    print(f"wrote {out}: {duration:.1f} s, {os.path.getsize(out) / 1024:.0f} KB, {BPM:.0f} BPM 4/4, "
          f"{len(gt['beats'])} beats (every {BEAT:.2f} s from {START:.2f} s), "
          f"{len(gt['downbeats'])} downbeats", file=sys.stderr)
    for sec in gt["sections"]:
        print(f"  {sec['start_s']:5.1f}-{sec['end_s']:5.1f} s  {sec['label']}", file=sys.stderr)


if __name__ == "__main__":
    main()
