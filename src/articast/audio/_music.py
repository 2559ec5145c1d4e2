"""Music of the audio stage (private): the stings, the generated pad, the user's music file,
and the ducking curve that lowers the bed under speech."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from articast import media
from articast.audio._common import Audio, _fade
from articast.errors import InputError, RenderError

# --------------------------------------------------------------------------- synthesised sounds


def _bell(freq: float, dur: float, sr: int, decay: float) -> Audio:
    t = np.arange(round(dur * sr), dtype=np.float64) / sr
    out = np.zeros_like(t)
    for ratio, amp, dk in ((1.0, 1.0, 1.0), (2.0, 0.45, 1.6), (3.0, 0.2, 2.4), (4.16, 0.08, 3.5)):
        out += amp * np.sin(2 * math.pi * freq * ratio * t) * np.exp(-t * dk / decay)
    attack = min(len(t), round(0.006 * sr))
    out[:attack] *= np.linspace(0.0, 1.0, attack)
    return out.astype(np.float32)


def _pad_chord(freqs: Sequence[float], dur: float, sr: int, swell: float) -> Audio:
    t = np.arange(round(dur * sr), dtype=np.float64) / sr
    out = np.zeros_like(t)
    for f in freqs:
        out += np.sin(2 * math.pi * f * t) + 0.25 * np.sin(2 * math.pi * 2 * f * t + 0.7)
    env = np.minimum(1.0, t / swell) * np.clip((dur - t) / (dur * 0.6), 0.0, 1.0) ** 2
    return (out * env / max(len(freqs), 1)).astype(np.float32)


def _sting(
    notes: Sequence[tuple[float, float]], chord: Sequence[float], dur: float, sr: int
) -> Audio:
    out = np.zeros(round(dur * sr), dtype=np.float32)
    for at, freq in notes:
        i = round(at * sr)
        bell = _bell(freq, dur - at, sr, decay=1.1)
        out[i : i + len(bell)] += 0.5 * bell[: len(out) - i]
    out += 0.35 * _pad_chord(chord, dur, sr, swell=0.5)
    fade = round(0.4 * sr)
    out[-fade:] *= _fade(fade, rising=False)
    return out / max(float(np.max(np.abs(out))), 1e-9)


@functools.cache
def intro_sting(sample_rate: int = 44100) -> Audio:
    """A rising bell arpeggio over a soft A-major pad (3 s, mono, peak 1.0)."""
    notes = [(0.0, 440.0), (0.14, 554.37), (0.28, 659.26), (0.42, 880.0)]
    out = _sting(notes, (220.0, 329.63, 440.0), 3.0, sample_rate)
    out.setflags(write=False)  # cached: shared by every caller
    return out


@functools.cache
def outro_sting(sample_rate: int = 44100) -> Audio:
    """A falling bell arpeggio that settles on the low A chord (3.5 s, mono, peak 1.0)."""
    notes = [(0.0, 880.0), (0.16, 659.26), (0.32, 554.37), (0.52, 440.0)]
    out = _sting(notes, (110.0, 220.0, 329.63), 3.5, sample_rate)
    out.setflags(write=False)  # cached: shared by every caller
    return out


PAD_LOOP_SECONDS = 16.0
"""Length of one cycle of the generated pad (four chords of four seconds)."""


@functools.cache
def _pad_loop(sr: int) -> Audio:
    loop_s = PAD_LOOP_SECONDS
    n = round(loop_s * sr)
    # A - F#m - D - E, low register, one chord per 4 s with wrapped raised-cosine envelopes.
    chords = [
        (110.0, 164.81, 220.0, 277.18),
        (92.5, 138.59, 185.0, 220.0),
        (73.42, 146.83, 185.0, 220.0),
        (82.41, 123.47, 207.65, 246.94),
    ]
    span = loop_s / len(chords)
    out = np.zeros((n, 2), dtype=np.float32)
    for k, chord in enumerate(chords):
        # Each chord sounds for two chord lengths around its centre (wrapping round the loop).
        idx = (np.arange(round(2 * span * sr)) + round((k - 1) * span * sr)) % n
        t = idx.astype(np.float64) / sr
        phase = ((t - k * span + loop_s / 2) % loop_s - loop_s / 2) / span
        env = (0.5 + 0.5 * np.cos(math.pi * np.clip(phase, -1.0, 1.0))).astype(np.float32)
        for j, f in enumerate(chord):
            for ch in range(2):
                # Whole cycles per loop keep the seam click-free. Both channels share the main
                # partial (a small phase offset gives width without mono cancellation); a quiet,
                # slightly detuned partial per channel adds a slow shimmer.
                f1 = round(f * loop_s) / loop_s
                f2 = round((f + (0.3 if ch else -0.3)) * loop_s) / loop_s
                f3 = round(2 * f * loop_s) / loop_s
                w = 2 * math.pi * t
                tone = (
                    np.sin(w * f1 + j + 0.6 * ch)
                    + 0.3 * np.sin(w * f2 + 2 * j)
                    + 0.2 * np.sin(w * f3 + ch)
                )
                out[idx, ch] += env * tone.astype(np.float32)
    t_all = np.arange(n, dtype=np.float64) / sr
    lfo = (0.85 + 0.15 * np.sin(2 * math.pi * t_all * 2 / loop_s)).astype(np.float32)
    out *= lfo[:, None]
    out /= np.max(np.abs(out))
    out.setflags(write=False)
    return out


def pad_bed(seconds: float, sample_rate: int = 44100) -> Audio:
    """The default music bed: a slow, seamlessly looping four-chord pad, stereo ``(n, 2)``.

    One 16-second loop is built once per process (every partial completes whole cycles in it,
    every chord's envelope wraps round), then tiled to ``seconds``.
    """
    loop = _pad_loop(sample_rate)
    total = max(1, round(seconds * sample_rate))
    reps = math.ceil(total / len(loop))
    return np.tile(loop, (reps, 1))[:total]


def _load_music(path: Path, seconds: float, sample_rate: int, workdir: Path) -> Audio:
    """Decode the user's music file to stereo float at ``sample_rate`` (at most ``seconds``)."""
    raw = workdir / "music.f32"
    try:
        media.run_ffmpeg(
            ["-i", str(path), "-vn", "-t", f"{seconds + 1:.3f}", "-ac", "2",
             "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", str(raw)],
            what=f"decoding the music file {path}",
        )  # fmt: skip
    except RenderError as exc:
        raw.unlink(missing_ok=True)
        raise InputError(
            f"cannot decode the music file {path}; use a WAV, FLAC, MP3 or OGG file"
        ) from exc
    data = np.fromfile(raw, dtype="<f4")
    raw.unlink(missing_ok=True)
    if data.size < sample_rate:
        raise InputError(f"music file {path} has less than a second of audio; use a longer file")
    return data.reshape(-1, 2).astype(np.float32)
