"""Audio stage: Speech -> Master (assembly, music bed, loudness, MP3, ID3 tags, chapters).

Sits between ``voices`` and the video/publish stages on the map::

    voices -> Speech -> audio.master_audio -> Master (episode.mp3, chapters.json, master WAV)

Steps:

1. **Assembly** on one sample-accurate timeline: an intro sting, every utterance (edge silence
   trimmed) separated by the sentence pause, the section pause between segments, an outro
   sting. Speech is laid out at the voice's rate (22.05 kHz) and resampled to 44.1 kHz once,
   with a polyphase filter. pydub's ``+`` copies the whole episode on every join and its
   resampler is linear interpolation (audible images when doubling 22.05 kHz speech), so the
   timeline is numpy; pydub (``media.pydub``) carries the finished 16-bit master to the WAV.
2. **Music bed** (optional): a generated seamless pad or the user's file, looped, placed
   ``BED_LEVEL_DB`` under the voice and ducked by ``duck_db`` under every run of speech with a
   short attack before and release after it, so it comes back up between sections.
3. **Loudness**: BS.1770 integrated loudness (numpy), gain to ``target_lufs`` through a
   lookahead limiter whose gain is computed from 4x-oversampled (true) peaks, iterated
   numerically. The encoder's own loudness shift (LAME moves it by a few tenths of an LU) is
   learnt from a 20-second excerpt; then the MP3 is encoded, read back with ffmpeg's ebur128
   filter and, only if it still misses the target or the true-peak limit, corrected once.
4. **Tags**: ID3v2.4 through mutagen (title, show, date, genre, comment, links, cover, one CHAP
   per segment plus a top-level ordered CTOC) and Podcasting 2.0 ``chapters.json``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import hashlib
import importlib
import json
import math
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from articast import media
from articast.cache import Cache, atomic_path, atomic_write_text, content_key
from articast.config import AudioSettings, ShowConfig
from articast.errors import InputError, RenderError
from articast.lang import get_language, iso639_2
from articast.models import (
    Article,
    Chapter,
    Master,
    Piece,
    Sentence,
    Speech,
    Talk,
    TimedSentence,
    TimedWord,
)

__all__ = [
    "BED_LEVEL_DB",
    "Mix",
    "PendingMaster",
    "assemble",
    "chapters_json",
    "finish_master",
    "integrated_loudness",
    "intro_sting",
    "limit_true_peak",
    "load_master",
    "master_audio",
    "master_key",
    "outro_sting",
    "pad_bed",
    "prepare_master",
    "store_master",
    "true_peak_db",
]

Audio = npt.NDArray[np.float32]
"""Float samples in [-1, 1]: shape (n,) for mono stems, (n, channels) for mixes."""

BED_LEVEL_DB = -8.0
"""Level of the un-ducked music bed relative to the voice (RMS while speaking)."""
STING_LEVEL_DB = -7.0
"""Level of the stings relative to the voice (RMS)."""
MIN_MUSIC_GAP_DB = 12.0
"""The ducked bed must sit at least this far under the voice."""
ATTACK = 0.08
"""Seconds the bed takes to duck before speech starts."""
RELEASE = 0.30
"""Seconds the bed takes to come back up after speech ends."""
LEAD_PLAIN = 0.3
"""Silence before the first word when there is neither sting nor music."""
LEAD_MUSIC = 2.0
"""Seconds of sting/music before the first word."""
TAIL_PLAIN = 0.8
TAIL_MUSIC = 4.5
PRE_ENCODE_CEILING = -2.0
"""True-peak ceiling (dBTP) of the premaster; MP3 encoding overshoots by a fraction of a dB."""
ENCODE_TOLERANCE_LU = 0.4
"""Encoded loudness further than this from the target triggers the one corrected pass."""
CALIBRATION_SECONDS = 20.0
"""Length of the excerpt encoded to learn the encoder's loudness shift."""
_CALIBRATION_GAIN_DB = 0.2
"""A cached encoder shift is reused for the same excerpt levelled at most this differently."""
_TRIM_THRESHOLD = 10 ** (-50 / 20)
_TRIM_MARGIN = 0.02
_BLOCK = 30
"""Samples per limiter control block (0.68 ms at 44.1 kHz; 147 per 100 ms hop)."""


# --------------------------------------------------------------------------- small helpers


def _db(x: float) -> float:
    return 20.0 * math.log10(max(x, 1e-12))


def _rms(x: Audio) -> float:
    if x.size == 0:
        return 0.0
    flat = np.ravel(x)
    return math.sqrt(max(float(np.dot(flat, flat)), 0.0) / flat.size)


def _resample(x: Audio, src: int, dst: int) -> Audio:
    from scipy.signal import resample_poly

    if src == dst:
        return x
    g = math.gcd(src, dst)
    return np.asarray(resample_poly(x, dst // g, src // g, axis=0), dtype=np.float32)


def _pcm_to_float(pcm: bytes) -> Audio:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def _fade(n: int, *, rising: bool) -> Audio:
    """Raised-cosine fade of ``n`` samples."""
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, math.pi, max(n, 1), dtype=np.float64))
    out = ramp if rising else ramp[::-1]
    return out.astype(np.float32)


def _validate(settings: AudioSettings) -> None:
    if not -40.0 <= settings.target_lufs <= -5.0:
        raise InputError(
            f"audio.target_lufs {settings.target_lufs} is out of range; use -40..-5 (podcasts: -16)"
        )
    if not -9.0 <= settings.true_peak <= 0.0:
        raise InputError(f"audio.true_peak {settings.true_peak} must be -9..0 dBTP (podcasts: -1)")
    for name in ("sentence_pause", "section_pause"):
        value = getattr(settings, name)
        if not 0.0 <= value <= 10.0:
            raise InputError(f"audio.{name} {value} must be 0..10 seconds")
    if settings.sample_rate != 44100:
        raise InputError(
            f"audio.sample_rate {settings.sample_rate} is not supported; podcasts use 44100"
        )
    if settings.music and BED_LEVEL_DB - settings.duck_db > -MIN_MUSIC_GAP_DB:
        need = MIN_MUSIC_GAP_DB + BED_LEVEL_DB
        raise InputError(
            f"audio.duck_db {settings.duck_db} would leave the music less than "
            f"{MIN_MUSIC_GAP_DB:g} dB under the voice; use duck_db >= {need:g}"
        )
    for name in ("mono_bitrate", "stereo_bitrate"):
        value = getattr(settings, name)
        m = re.fullmatch(r"(\d+)k", str(value))
        if m is None or not 32 <= int(m.group(1)) <= 320:
            raise InputError(f"audio.{name} {value!r} must look like '96k' (32k-320k)")
    if settings.music and settings.music_file is not None and not settings.music_file.is_file():
        raise InputError(
            f"music file not found: {settings.music_file}; fix audio.music_file in articast.toml"
        )


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


def _loop(bed: Audio, n: int, sample_rate: int) -> Audio:
    """Repeat ``bed`` to ``n`` frames with an equal-power crossfade at each seam."""
    if len(bed) >= n:
        return bed[:n].copy()
    xf = min(round(0.5 * sample_rate), len(bed) // 4)
    stride = len(bed) - xf
    piece = bed.copy()
    if xf > 0:
        piece[:xf] *= np.sqrt(_fade(xf, rising=True))[:, None]
        piece[-xf:] *= np.sqrt(_fade(xf, rising=False))[:, None]
    out = np.zeros((n + len(bed), bed.shape[1]), dtype=np.float32)
    for start in range(0, n, stride):
        out[start : start + len(piece)] += piece
    return out[:n]


# --------------------------------------------------------------------------- assembly


@dataclass(frozen=True)
class Mix:
    """The assembled episode before loudness processing: stems on one timeline."""

    voice: Audio
    """Mono voice stem, shape (n,)."""
    stings: Audio
    """Mono stem of the intro and outro stings, shape (n,)."""
    music: Audio | None
    """Ducked music bed, shape (n, 2), or None without music."""
    sample_rate: int
    chapters: tuple[Chapter, ...]
    """One per segment, contiguous from 0 to the end, times on whole milliseconds."""
    sentences: tuple[TimedSentence, ...]
    """Every utterance on the timeline (absolute times)."""
    speech_spans: tuple[tuple[float, float], ...]
    """(start, end) of each utterance's audio, seconds."""

    @property
    def frames(self) -> int:
        """Length in samples."""
        return len(self.voice)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate

    @property
    def channels(self) -> int:
        """2 with a music bed, else 1."""
        return 1 if self.music is None else 2

    def mixdown(self) -> Audio:
        """The stems summed, shape (n, channels)."""
        mono = self.voice + self.stings
        if self.music is None:
            return mono[:, None]
        return mono[:, None] + self.music


def _trim(x: Audio, rate: int) -> tuple[Audio, int]:
    """``x`` without edge silence (a short margin kept), plus the samples cut from its start."""
    loud = np.flatnonzero(np.abs(x) > _TRIM_THRESHOLD)
    if loud.size == 0:
        return x, 0
    margin = round(_TRIM_MARGIN * rate)
    a = max(0, int(loud[0]) - margin)
    b = min(len(x), int(loud[-1]) + margin + 1)
    return x[a:b], a


def _duck_gain(
    n: int, sr: int, spans: Sequence[tuple[float, float]], duck_db: float, merge_gap: float
) -> Audio:
    """Gain curve for the bed: ``-duck_db`` under speech, ramps of ATTACK before and RELEASE after.

    Spans closer than ``merge_gap`` are merged so the bed stays down between sentences.
    """
    merged: list[list[float]] = []
    for s, e in sorted(spans):
        if merged and s - merged[-1][1] < merge_gap:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    block = max(1, sr // 1000)  # control points about 1 ms apart, on whole samples
    m = math.ceil(n / block) + 1
    depth = np.zeros(m, dtype=np.float64)
    ct = np.arange(m, dtype=np.float64) * block / sr
    for s, e in merged:
        lo = max(0, int((s - ATTACK) * sr / block) - 1)
        hi = min(m, int((e + RELEASE) * sr / block) + 2)
        tt = ct[lo:hi]
        shape = np.minimum(
            np.clip((tt - (s - ATTACK)) / ATTACK, 0.0, 1.0),
            np.clip(((e + RELEASE) - tt) / RELEASE, 0.0, 1.0),
        )
        depth[lo:hi] = np.maximum(depth[lo:hi], shape)
    return _curve_to_samples(-duck_db * depth, n, block)


def assemble(
    speech: Speech,
    talk: Talk | None,
    settings: AudioSettings,
    *,
    workdir: Path | None = None,
) -> Mix:
    """Lay the speech, stings and music bed on one timeline (no loudness processing yet)."""
    _validate(settings)
    sr = settings.sample_rate
    decorated = settings.stings or settings.music
    lead = LEAD_MUSIC if decorated else LEAD_PLAIN
    tail = TAIL_MUSIC if decorated else TAIL_PLAIN

    # Speech is laid out at the voice's own rate and resampled once as a whole (one filter pass
    # instead of one per sentence). Mixed or awkward rates are resampled per sentence instead.
    rates = {u.sample_rate for seg in speech.segments for u in seg.utterances}
    src = rates.pop() if len(rates) == 1 else sr
    if sr % src:
        src = sr
    step = sr // src

    def grid(seconds: float) -> int:
        """Output samples, on a whole number of source samples."""
        return round(seconds * src) * step

    placed: list[tuple[int, Audio]] = []
    sentences: list[TimedSentence] = []
    spans: list[tuple[float, float]] = []
    seg_first: list[float] = []
    t = grid(lead)
    for si, seg in enumerate(speech.segments):
        if si > 0:
            t += grid(settings.section_pause)
        seg_first.append(t / sr)
        if not seg.utterances:
            t += grid(max(settings.section_pause, 0.5))
        for ui, utt in enumerate(seg.utterances):
            if ui > 0:
                t += grid(settings.sentence_pause)
            x = _resample(_pcm_to_float(utt.pcm), utt.sample_rate, src)
            x, cut_samples = _trim(x, src)
            cut = cut_samples / src
            placed.append((t // step, x))
            start, end = t / sr, (t + len(x) * step) / sr
            words = tuple(
                TimedWord(
                    w.text,
                    min(end, max(start, start + w.start - cut)),
                    min(end, max(start, start + w.end - cut)),
                )
                for w in utt.words
            )
            form = seg.segment.form(ui) if ui < len(seg.segment.sentences) else None
            if form is not None and form.spoken != utt.text:
                form = None
            sentences.append(TimedSentence(utt.text, start, end, si, words, form))
            spans.append((start, end))
            t += len(x) * step
    speech_end = t
    sting_out = outro_sting(sr) if settings.stings else None
    outro_at = speech_end + grid(0.5)
    end = speech_end + grid(tail)
    if sting_out is not None:
        end = max(end, outro_at + len(sting_out) + grid(0.3))
    # Whole 10 ms (and whole source samples) so chapter boundaries are exact milliseconds.
    unit = math.lcm(sr // 100, step) if sr % 100 == 0 else step
    n = math.ceil(end / unit) * unit

    slow = np.zeros(n // step, dtype=np.float32)
    for at, x in placed:
        slow[at : at + len(x)] += x
    voice = _resample(slow, src, sr)[:n] if step > 1 else slow
    speaking = np.concatenate([x for _, x in placed]) if placed else np.zeros(1, np.float32)
    voice_rms = max(_rms(speaking), 1e-4)

    stings = np.zeros(n, dtype=np.float32)
    if settings.stings:
        sting_in = intro_sting(sr)
        level = voice_rms * 10 ** (STING_LEVEL_DB / 20)
        stings[: len(sting_in)] += sting_in * (level / max(_rms(sting_in), 1e-9))
        if sting_out is not None:
            piece = sting_out * (level / max(_rms(sting_out), 1e-9))
            stings[outro_at : outro_at + len(piece)] += piece[: n - outro_at]

    music: Audio | None = None
    if settings.music:
        seconds = n / sr
        if settings.music_file is not None:
            if workdir is None:
                raise InputError("a music file needs a work folder to decode into")
            workdir.mkdir(parents=True, exist_ok=True)
            bed = _loop(_load_music(settings.music_file, seconds, sr, workdir), n, sr)
        else:
            bed = pad_bed(seconds, sr)
        bed = bed[:n]
        bed = bed * (voice_rms * 10 ** (BED_LEVEL_DB / 20) / max(_rms(bed), 1e-9))
        merge = (settings.sentence_pause + settings.section_pause) / 2
        bed *= _duck_gain(n, sr, spans, settings.duck_db, merge)[:, None]
        fin, fout = min(n, round(1.5 * sr)), min(n, round(3.0 * sr))
        bed[:fin] *= _fade(fin, rising=True)[:, None]
        bed[n - fout :] *= _fade(fout, rising=False)[:, None]
        music = bed.astype(np.float32)

    chapters = _chapters(speech, talk, seg_first, settings.section_pause, n / sr)
    return Mix(voice, stings, music, sr, chapters, tuple(sentences), tuple(spans))


def _chapters(
    speech: Speech, talk: Talk | None, seg_first: Sequence[float], pause: float, duration: float
) -> tuple[Chapter, ...]:
    lead_in = min(pause / 2, 0.5)
    starts_ms = [0] + [round((f - lead_in) * 1000) for f in seg_first[1:]]
    end_ms = round(duration * 1000)
    chapters: list[Chapter] = []
    for i, seg_speech in enumerate(speech.segments):
        seg = seg_speech.segment
        a = starts_ms[i]
        b = starts_ms[i + 1] if i + 1 < len(starts_ms) else end_ms
        link = talk.url if talk is not None and (seg.kind == "outro" or seg.mentions_talk) else None
        title = seg.title.strip() or seg.kind.capitalize()
        chapters.append(Chapter(title, a / 1000, b / 1000, link))
    return tuple(chapters)


# --------------------------------------------------------------------------- loudness


def _k_weighting(sr: int) -> npt.NDArray[np.float64]:
    """BS.1770 K-weighting (shelf + high-pass) as second-order sections for ``sr``."""
    f0, gain, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sr)
    vh = 10 ** (gain / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2 * (k * k - 1) / a0,
        (1 - k / q + k * k) / a0,
    ]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sr)
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, highpass], dtype=np.float64)


def _power(weighted: Audio) -> Audio:
    """Per-sample K-weighted power summed over channels (BS.1770 weights 1.0 for L, R, C)."""
    out = np.square(weighted[:, 0])
    for ch in range(1, weighted.shape[1]):
        out += np.square(weighted[:, ch])
    return out


def _block_energy(power: Audio, sr: int, gain: Audio | None = None) -> npt.NDArray[np.float64]:
    """Summed power of each 100 ms hop, optionally of the signal times ``gain``."""
    hop = sr // 10
    m = len(power) // hop
    if m == 0:
        return np.zeros(0)
    p = power[: m * hop].reshape(m, hop)
    if gain is None:
        return np.asarray(p.sum(axis=1), dtype=np.float64)
    g = gain[: m * hop].reshape(m, hop)
    return np.asarray(np.einsum("ij,ij,ij->i", p, g, g), dtype=np.float64)


def _gated(hops: npt.NDArray[np.float64], sr: int) -> float:
    hop = sr // 10
    if len(hops) < 4:
        return float("-inf")
    blocks = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10 * np.log10(blocks)
    kept = blocks[lk > -70.0]
    if kept.size == 0:
        return float("-inf")
    rel = -0.691 + 10 * math.log10(float(kept.mean())) - 10.0
    with np.errstate(divide="ignore"):
        kept = blocks[(lk > -70.0) & (lk > rel)]
    if kept.size == 0:
        return float("-inf")
    return -0.691 + 10 * math.log10(float(kept.mean()))


def _weigh(x: Audio, sr: int) -> Audio:
    """K-weighted copy of ``x`` as (n, channels) float32."""
    from scipy.signal import sosfilt

    xx = x if x.ndim == 2 else x[:, None]
    sos = _k_weighting(sr).astype(np.float32)
    out = np.empty(xx.shape, dtype=np.float32)
    for ch in range(xx.shape[1]):
        out[:, ch] = sosfilt(sos, np.ascontiguousarray(xx[:, ch], dtype=np.float32))
    return out


def integrated_loudness(x: Audio, sample_rate: int) -> float:
    """Integrated loudness in LUFS per ITU-R BS.1770-4 (gated; channels weighted 1)."""
    return _gated(_block_energy(_power(_weigh(x, sample_rate)), sample_rate), sample_rate)


@functools.cache
def _interpolator() -> npt.NDArray[np.float32]:
    """48-tap, 4-phase interpolation filter (the size BS.1770-4 Annex 2 uses for true peak)."""
    from scipy.signal import firwin

    return np.asarray(firwin(48, 0.245, window=("kaiser", 7.0)) * 4, dtype=np.float32)


_CHUNK = 64
"""Blocks per oversampling chunk (about 44 ms): quiet chunks skip the oversampling."""
_OVERSHOOT = 2.0
"""Bound on how far a true peak may rise over the sample peak for skipped chunks (+6 dB)."""


def _block_peaks(x: Audio, block: int, floor: float = 0.0) -> npt.NDArray[np.float32]:
    """Per ``block`` samples, the largest 4x-oversampled absolute value over all channels.

    Chunks whose sample peak stays under ``floor`` are not oversampled: they get the sample
    peak times ``_OVERSHOOT``, an upper bound, which is exact enough where no limiting happens.
    """
    from scipy.signal import upfirdn

    xx = x if x.ndim == 2 else x[:, None]
    span = block * _CHUNK
    nchunks = math.ceil(len(xx) / span)
    nb = nchunks * _CHUNK
    h = _interpolator()
    delay = (len(h) - 1) // 2
    pad = 16
    peaks = np.zeros(nb, dtype=np.float32)
    sigs = []
    for ch in range(xx.shape[1]):
        # Zero padding on both sides: the filter's warm-up and the last partial chunk.
        sig = np.zeros(nb * block + 2 * pad, dtype=np.float32)
        sig[pad : pad + len(xx)] = xx[:, ch]
        body = sig[pad : pad + nb * block].reshape(nb, block)
        np.maximum(peaks, np.maximum(body.max(axis=1), -body.min(axis=1)), out=peaks)
        sigs.append(sig)
    hot = peaks.reshape(nchunks, _CHUNK).max(axis=1) >= floor
    # Neighbours too: the interpolation filter spreads a loud edge a few samples across.
    hot[1:] |= hot[:-1].copy()
    hot[:-1] |= hot[1:].copy()
    loud = np.flatnonzero(hot)
    quiet = ~hot
    peaks.reshape(nchunks, _CHUNK)[quiet] *= _OVERSHOOT
    offsets = np.arange(span + 2 * pad)
    first = pad * 4 + delay
    for sig in sigs:
        for i in range(0, len(loud), 256):
            rows = loud[i : i + 256]
            batch = sig[rows[:, None] * span + offsets[None, :]]
            up = upfirdn(h, batch, 4, axis=1)[:, first : first + span * 4]
            shaped = up.reshape(len(rows), _CHUNK, block * 4)
            top = np.maximum(shaped.max(axis=2), -shaped.min(axis=2))
            view = peaks.reshape(nchunks, _CHUNK)
            view[rows] = np.maximum(view[rows], top)
    return peaks[: math.ceil(len(xx) / block)]


def true_peak_db(x: Audio, sample_rate: int) -> float:
    """True peak in dBTP (4x oversampling)."""
    peaks = _block_peaks(x, 4096)
    return _db(float(peaks.max()) if peaks.size else 0.0)


def _limiter_curve(
    peaks: npt.NDArray[np.float32],
    gain_db: float,
    ceiling_db: float,
    sr: int,
    *,
    lookahead: float = 0.005,
    release: float = 0.12,
    block: int = _BLOCK,
) -> npt.NDArray[np.float64]:
    """Gain in dB per block (<= ``gain_db``) keeping the amplified signal under ``ceiling_db``.

    Required gain per block -> min over +/- lookahead -> linear-in-dB release ramp -> moving
    average over half the lookahead: every value averaged for a block is already at or under
    that block's own requirement, so the ceiling holds while the gain moves smoothly.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    level = 20 * np.log10(np.maximum(peaks.astype(np.float64), 1e-9))
    need_db = np.minimum(gain_db, ceiling_db - level)
    la = max(2, round(lookahead * sr / block))
    m = minimum_filter1d(need_db, size=2 * la + 1, mode="nearest")
    w = max(2, round(release * sr / block))
    slope = 12.0 / w  # 12 dB of recovery per ``release``
    # r[i] = min over j in 0..w of m[i - j] + slope * j: a grey erosion by a linear ramp,
    # computed as a flat sliding minimum of m - slope * i (O(n) instead of O(n * w)).
    ramp = slope * np.arange(len(m), dtype=np.float64)
    r = minimum_filter1d(m - ramp, size=w + 1, origin=w // 2, mode="nearest") + ramp
    return np.asarray(uniform_filter1d(r, size=la + 1 if la % 2 == 0 else la, mode="nearest"))


def _curve_to_samples(curve_db: npt.NDArray[np.float64], n: int, block: int = _BLOCK) -> Audio:
    """Per-sample linear gain, ramping from each block's value to the next one's."""
    g = np.power(10.0, curve_db / 20.0).astype(np.float32)
    nxt = np.append(g[1:], g[-1:])
    ramp = np.arange(block, dtype=np.float32) / block
    out = g[:, None] + (nxt - g)[:, None] * ramp[None, :]
    return np.asarray(out.reshape(-1)[:n], dtype=np.float32)


def limit_true_peak(x: Audio, sample_rate: int, ceiling_db: float, gain_db: float = 0.0) -> Audio:
    """``x`` amplified by ``gain_db`` through a lookahead true-peak limiter at ``ceiling_db``."""
    peaks = _block_peaks(x, _BLOCK)
    g = _curve_to_samples(_limiter_curve(peaks, gain_db, ceiling_db, sample_rate), len(x))
    return (x * (g[:, None] if x.ndim == 2 else g)).astype(np.float32)


class _Leveller:
    """Gain + true-peak limiter for one mix; peaks and K-weighted power are computed once."""

    def __init__(self, x: Audio, sample_rate: int, target: float, ceiling: float) -> None:
        self.x = x if x.ndim == 2 else x[:, None]
        self.sr = sample_rate
        power = _power(_weigh(self.x, sample_rate))
        self.input_lufs = _gated(_block_energy(power, sample_rate), sample_rate)
        # Chunks that cannot reach the ceiling even with 6 dB more gain than the static one
        # and a 6 dB inter-sample overshoot need no oversampling.
        most = target - self.input_lufs + 6.0 if math.isfinite(self.input_lufs) else 0.0
        floor = 10 ** ((ceiling - most) / 20) / _OVERSHOOT
        self.peaks = _block_peaks(self.x, _BLOCK, floor)
        hop = sample_rate // 10
        self.per_hop = hop // _BLOCK
        usable = (len(power) // hop) * hop
        self.block_power = power[:usable].reshape(-1, _BLOCK).sum(axis=1, dtype=np.float64)

    def _loudness(self, curve_db: npt.NDArray[np.float64]) -> float:
        """Integrated loudness after the gain curve (gain constant within a 0.7 ms block)."""
        nb = len(self.block_power)
        g2 = np.power(10.0, curve_db[:nb] / 10.0)
        hops = (self.block_power * g2).reshape(-1, self.per_hop).sum(axis=1)
        return _gated(hops, self.sr)

    def curve_for(self, aim: float, ceiling: float) -> npt.NDArray[np.float64]:
        """Block gain curve (dB) bringing the limited mix to ``aim`` LUFS (numeric, no encoding)."""
        gain_db = aim - self.input_lufs
        curve = _limiter_curve(self.peaks, gain_db, ceiling, self.sr)
        for _ in range(6):
            err = aim - self._loudness(curve)
            if not math.isfinite(err) or abs(err) < 0.02:
                break
            gain_db += err
            curve = _limiter_curve(self.peaks, gain_db, ceiling, self.sr)
        return curve

    def apply(self, curve_db: npt.NDArray[np.float64], a: int = 0, b: int | None = None) -> Audio:
        """Frames ``a:b`` of the mix with the gain curve applied (``a`` on a block boundary)."""
        b = len(self.x) if b is None else b
        ba, bb = a // _BLOCK, math.ceil(b / _BLOCK)
        g = _curve_to_samples(curve_db[ba : bb + 1], b - a)
        return (self.x[a:b] * g[:, None]).astype(np.float32)


# --------------------------------------------------------------------------- files


@functools.cache
def _dither() -> Audio:
    """A fixed 3-second run of TPDF dither (+/-1 LSB), tiled over the master."""
    rng = np.random.default_rng(0)
    n = 3 * 44100 + 7  # an odd length, so channels and repeats do not line up
    noise = rng.random(n, dtype=np.float32) - rng.random(n, dtype=np.float32)
    noise.setflags(write=False)
    return noise


def _write_wav(path: Path, y: Audio, sr: int) -> None:
    """16-bit PCM WAV (TPDF dither) through pydub, written atomically."""
    scaled = y * np.float32(32767.0)
    scaled += np.resize(_dither(), scaled.shape)
    pcm = np.clip(np.rint(scaled), -32768, 32767).astype("<i2")
    seg = media.pydub().AudioSegment(
        data=pcm.tobytes(), sample_width=2, frame_rate=sr, channels=y.shape[1]
    )
    with atomic_path(path) as tmp:
        seg.export(str(tmp), format="wav").close()


def _encode(wav: Path, mp3: Path, channels: int, bitrate: str, sr: int) -> None:
    media.run_ffmpeg(
        [
            "-i",
            str(wav),
            "-vn",
            "-map_metadata",
            "-1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            bitrate,
            "-ar",
            str(sr),
            "-ac",
            str(channels),
            "-id3v2_version",
            "0",
            "-write_xing",
            "1",
            "-f",
            "mp3",
            str(mp3),
        ],
        what="MP3 encoding",
    )


def _article_link(article: Article) -> str | None:
    if article.source_url:
        return article.source_url
    if article.source.startswith(("http://", "https://")):
        return article.source
    return None


def _tag(
    mp3: Path,
    chapters: Sequence[Chapter],
    article: Article,
    talk: Talk | None,
    show: ShowConfig,
    cover: Path | None,
) -> None:
    """Write the ID3v2.4 tag: text frames, links, cover, CHAP per chapter and a CTOC."""
    # mutagen's frame classes are untyped: use the module as Any rather than silence each call.
    id3: Any = importlib.import_module("mutagen.id3")

    tags = id3.ID3()
    tags.add(id3.TIT2(encoding=3, text=[article.title]))
    tags.add(id3.TPE1(encoding=3, text=[show.name]))
    tags.add(id3.TALB(encoding=3, text=[show.name]))
    tags.add(id3.TDRC(encoding=3, text=[_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d")]))
    tags.add(id3.TCON(encoding=3, text=["Podcast"]))
    language = get_language(article.language)
    tags.add(id3.TLAN(encoding=3, text=[iso639_2(article.language)]))
    link = _article_link(article)
    lines = [language.labels.read_by.format(title=article.title, show=show.name)]
    if link:
        lines.append(f"{language.labels.the_article}: {link}")
        tags.add(id3.WOAR(url=link))
    if talk is not None:
        name = talk.title or talk.link_text
        said = language.labels.the_talk
        lines.append(f"{said}: {name} {talk.url}" if name else f"{said}: {talk.url}")
        tags.add(id3.WXXX(encoding=3, desc="Talk", url=talk.url))
    tags.add(id3.COMM(encoding=3, lang=language.iso639_2, desc="", text=["\n".join(lines)]))
    if cover is not None:
        mime = "image/png" if cover.suffix.lower() == ".png" else "image/jpeg"
        tags.add(id3.APIC(encoding=3, mime=mime, type=3, desc="Cover", data=cover.read_bytes()))
    ids = [f"chp{i}" for i in range(len(chapters))]
    for cid, ch in zip(ids, chapters, strict=True):
        subs: list[object] = [id3.TIT2(encoding=3, text=[ch.title])]
        if ch.url:
            subs.append(id3.WXXX(encoding=3, desc="Talk", url=ch.url))
        tags.add(
            id3.CHAP(
                element_id=cid,
                start_time=round(ch.start * 1000),
                end_time=round(ch.end * 1000),
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=subs,
            )
        )
    tags.add(
        id3.CTOC(
            element_id="toc",
            flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[id3.TIT2(encoding=3, text=["Chapters"])],
        )
    )
    mutagen: Any = importlib.import_module("mutagen")
    try:
        tags.save(str(mp3), v2_version=4)
    except (OSError, mutagen.MutagenError) as exc:
        raise RenderError(f"cannot write the ID3 tags of {mp3.name}: {exc}") from exc


def chapters_json(chapters: Sequence[Chapter]) -> dict[str, object]:
    """Podcasting 2.0 JSON chapters (version 1.2.0) for ``chapters``."""
    items: list[dict[str, object]] = []
    for i, ch in enumerate(chapters):
        item: dict[str, object] = {
            "startTime": 0 if i == 0 else round(ch.start, 3),
            "endTime": round(ch.end, 3),
            "title": ch.title,
        }
        if ch.url:
            item["url"] = ch.url
        items.append(item)
    return {"version": "1.2.0", "chapters": items}


def _excerpt_start(mix: Mix) -> int:
    """First sample of the calibration excerpt: the first word of the sentence nearest to
    where an excerpt centred on the episode would start, so that an edit elsewhere in the
    episode leaves the excerpt the same audio (and its measured shift reusable)."""
    sr = mix.sample_rate
    want = mix.duration / 2 - CALIBRATION_SECONDS / 2
    starts = [s.start for s in mix.sentences if s.start + CALIBRATION_SECONDS <= mix.duration]
    best = min(starts, key=lambda s: abs(s - want)) if starts else max(0.0, want)
    return round(best * sr)


def _encoder_shift(
    level: _Leveller,
    aim: float,
    ceiling: float,
    channels: int,
    bitrate: str,
    workdir: Path,
    *,
    start: int | None = None,
    cache_root: Path | None = None,
) -> float:
    """How much louder (LU) the mix must be before encoding for the MP3 to land on ``aim``.

    MP3 encoding moves integrated loudness by a few tenths of an LU, depending on the material
    (LAME's psychoacoustics, its low-pass): a short excerpt from the middle of the episode
    (from ``start``) is encoded and measured, so the full file is usually right the first
    time. The shift is kept in ``Cache(cache_root, "calibration")`` under the excerpt's
    unlevelled samples, with the gain it was measured at: a rebuild after an edit elsewhere
    (same excerpt, gain within ``_CALIBRATION_GAIN_DB``) reuses it. The final MP3 is measured
    (and corrected) either way.
    """
    sr = level.sr
    length = round(CALIBRATION_SECONDS * sr)
    if start is None:
        start = len(level.x) // 2 - length // 2
    start = max(0, min(start, len(level.x) - length))
    cache = Cache(cache_root, "calibration") if cache_root is not None else None
    key = content_key(
        "calibration-v1",
        hashlib.sha256(np.ascontiguousarray(level.x[start : start + length]).tobytes()).hexdigest(),
        round(ceiling, 2),
        channels,
        bitrate,
        sr,
    )
    gain = aim - level.input_lufs
    if cache is not None:
        known = cache.get_json(key)
        if (
            isinstance(known, dict)
            and isinstance(known.get("shift"), float)
            and isinstance(known.get("gain"), float)
            and abs(known["gain"] - gain) <= _CALIBRATION_GAIN_DB
        ):
            return float(known["shift"])
    curve = level.curve_for(aim, ceiling)
    a = start // _BLOCK * _BLOCK
    excerpt = level.apply(curve, a, a + length)
    before = integrated_loudness(excerpt, sr)
    wav, mp3 = workdir / "calibration.wav", workdir / "calibration.mp3"
    try:
        _write_wav(wav, excerpt, sr)
        _encode(wav, mp3, channels, bitrate, sr)
        after = media.measure_loudness(mp3).integrated_lufs
    finally:
        wav.unlink(missing_ok=True)
        mp3.unlink(missing_ok=True)
    shift = before - after
    if not math.isfinite(shift) or abs(shift) > 3.0:
        shift = 0.0
    if cache is not None:
        cache.put_json(key, {"shift": shift, "gain": gain})
    return shift


# --------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class PendingMaster:
    """A mixed, levelled episode whose master WAV is written but whose MP3 is not yet made.

    ``prepare_master`` returns it with a ``Master`` whose timeline and WAV are final, so the
    video can start while ``finish_master`` encodes, measures and tags the MP3.
    """

    master: Master
    """Timeline, chapters and WAV are final; loudness figures are not measured yet."""
    mix: Mix
    level: _Leveller = field(repr=False)
    aim: float
    ceiling: float
    bitrate: str
    settings: AudioSettings


def prepare_master(
    speech: Speech,
    talk: Talk | None,
    settings: AudioSettings,
    *,
    cover: Path | None,
    out_dir: Path,
    workdir: Path,
    mix: Mix | None = None,
    cache_root: Path | None = None,
) -> PendingMaster:
    """Assemble and level the episode and write the master WAV (the video's audio).

    ``mix`` is the result of ``assemble`` when the caller already has it (the pipeline starts
    the pictures from its timeline first); with ``cache_root`` the encoder calibration is
    cached (see ``_encoder_shift``). Raises InputError for bad settings or a missing
    music file, RenderError when ffmpeg fails.
    """
    if not speech.segments:
        raise InputError("the script has no segments to master; check the article or script.md")
    if cover is not None and not cover.is_file():
        raise InputError(f"cover image not found: {cover}")
    out_dir.mkdir(parents=True, exist_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    if mix is None:
        mix = assemble(speech, talk, settings, workdir=workdir)
    x = mix.mixdown()
    sr = mix.sample_rate
    ceiling = min(PRE_ENCODE_CEILING, settings.true_peak - 1.0)
    level = _Leveller(x, sr, settings.target_lufs, ceiling)
    premaster = level.input_lufs
    if not math.isfinite(premaster):
        raise RenderError("the assembled episode is silent; check the voice output")
    bitrate = settings.mono_bitrate if mix.channels == 1 else settings.stereo_bitrate
    aim = settings.target_lufs
    if mix.duration > 2 * CALIBRATION_SECONDS:
        aim += _encoder_shift(
            level, aim, ceiling, mix.channels, bitrate, workdir,
            start=_excerpt_start(mix), cache_root=cache_root,
        )  # fmt: skip
    wav = workdir / "master.wav"
    _write_wav(wav, level.apply(level.curve_for(aim, ceiling)), sr)
    master = Master(
        mp3=out_dir / "episode.mp3",
        wav=wav,
        duration=mix.duration,
        chapters=mix.chapters,
        sentences=mix.sentences,
        premaster_lufs=round(premaster, 2),
    )
    return PendingMaster(master, mix, level, aim, ceiling, bitrate, settings)


def finish_master(
    pending: PendingMaster,
    article: Article,
    talk: Talk | None,
    show: ShowConfig,
    *,
    cover: Path | None,
) -> Master:
    """Encode, measure (and correct once if needed) and tag the MP3; write chapters.json.

    Leaves ``pending.master.wav`` untouched (the video may be reading it): a corrected pass
    writes its own WAV.
    """
    mix, level, settings = pending.mix, pending.level, pending.settings
    target, aim, ceiling = settings.target_lufs, pending.aim, pending.ceiling
    sr = mix.sample_rate
    mp3 = pending.master.mp3
    wav = pending.master.wav
    with atomic_path(mp3) as tmp_mp3:
        loud: media.Loudness | None = None
        for attempt in range(2):
            if attempt == 1:
                wav = wav.with_name("master-corrected.wav")
                _write_wav(wav, level.apply(level.curve_for(aim, ceiling)), sr)
            _encode(wav, tmp_mp3, mix.channels, pending.bitrate, sr)
            loud = media.measure_loudness(tmp_mp3)
            off = target - loud.integrated_lufs
            over = loud.true_peak_dbtp - settings.true_peak
            if attempt == 1 or (abs(off) <= ENCODE_TOLERANCE_LU and over <= 0.0):
                break
            # One corrected pass: move the aim by the measured error and lower the ceiling by
            # the encoder's measured overshoot (plus a margin).
            aim += off
            if over > -0.2:
                ceiling -= over + 0.3
        _tag(tmp_mp3, mix.chapters, article, talk, show, cover)

    atomic_write_text(
        mp3.parent / "chapters.json", json.dumps(chapters_json(mix.chapters), indent=2) + "\n"
    )
    if loud is None:  # pragma: no cover - the loop always measures
        raise RenderError("loudness was never measured")
    return replace(
        pending.master,
        loudness_lufs=loud.integrated_lufs,
        true_peak_dbtp=loud.true_peak_dbtp,
    )


def master_audio(
    speech: Speech,
    talk: Talk | None,
    article: Article,
    show: ShowConfig,
    settings: AudioSettings,
    *,
    cover: Path | None,
    out_dir: Path,
    workdir: Path,
) -> Master:
    """Assemble, normalise, encode and tag the episode (``prepare_master`` + ``finish_master``).

    Writes ``out_dir/episode.mp3`` and ``out_dir/chapters.json`` (atomically) and the 16-bit
    master ``workdir/master.wav``. Raises InputError for bad settings or a missing music file,
    RenderError when ffmpeg fails.
    """
    pending = prepare_master(
        speech, talk, settings, cover=cover, out_dir=out_dir, workdir=workdir
    )
    return finish_master(pending, article, talk, show, cover=cover)


# --------------------------------------------------------------------------- the master cache


def master_key(
    speech: Speech,
    talk: Talk | None,
    article: Article,
    show: ShowConfig,
    settings: AudioSettings,
    cover: Path | None,
) -> str:
    """Hash of everything that changes episode.mp3: the voiced audio and words, the chapter
    layout, the tags (article, talk, show, cover, today's date) and the audio settings."""
    h = hashlib.sha256()
    for seg in speech.segments:
        s = seg.segment
        h.update(json.dumps([s.kind, s.title, s.mentions_talk, s.section_index]).encode())
        # the display forms ride on the stored timeline (captions and pages read them)
        h.update(json.dumps([dataclasses.astuple(f) for f in s.forms]).encode())
        for u in seg.utterances:
            h.update(hashlib.sha256(u.pcm).digest())
            h.update(json.dumps([u.text, u.sample_rate, [dataclasses.astuple(w) for w in u.words]]).encode())
    tag_facts = [
        article.title,
        article.language,
        article.source,
        article.source_url,
        dataclasses.astuple(talk) if talk is not None else None,
        dataclasses.astuple(show),
        hashlib.sha256(cover.read_bytes()).hexdigest() if cover is not None else None,
        _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
    ]
    music = settings.music_file
    music_hash = hashlib.sha256(music.read_bytes()).hexdigest() if music and music.is_file() else None
    return content_key("master-v1", h.hexdigest(), tag_facts, dataclasses.asdict(settings), music_hash)


def _master_json(master: Master) -> dict[str, Any]:
    return {
        "duration": master.duration,
        "chapters": [dataclasses.asdict(c) for c in master.chapters],
        "sentences": [dataclasses.asdict(s) for s in master.sentences],
        "loudness_lufs": master.loudness_lufs,
        "true_peak_dbtp": master.true_peak_dbtp,
        "premaster_lufs": master.premaster_lufs,
    }


def store_master(key: str, master: Master, cache_root: Path) -> None:
    """Keep a finished master (MP3, chapters.json, WAV, timeline) under ``key``."""
    files = {
        "data.json": json.dumps(_master_json(master)).encode("utf-8"),
        "episode.mp3": master.mp3.read_bytes(),
        "chapters.json": (master.mp3.parent / "chapters.json").read_bytes(),
        "master.wav": master.wav.read_bytes(),
    }
    Cache(cache_root, "master").put(key, files)


def load_master(key: str, cache_root: Path, *, out_dir: Path, workdir: Path) -> Master | None:
    """A cached master copied into ``out_dir`` (MP3, chapters.json) and ``workdir`` (WAV)."""
    cache = Cache(cache_root, "master")
    data = cache.get_json(key)
    mp3, chapters, wav = (cache.path(key, n) for n in ("episode.mp3", "chapters.json", "master.wav"))
    if not isinstance(data, dict) or mp3 is None or chapters is None or wav is None:
        return None
    try:
        master = Master(
            mp3=out_dir / "episode.mp3",
            wav=workdir / "master.wav",
            duration=float(data["duration"]),
            chapters=tuple(Chapter(**c) for c in data["chapters"]),
            sentences=tuple(
                TimedSentence(
                    text=s["text"],
                    start=s["start"],
                    end=s["end"],
                    segment_index=s["segment_index"],
                    words=tuple(TimedWord(**w) for w in s["words"]),
                    form=(
                        Sentence(tuple(Piece(**p) for p in s["form"]["pieces"]))
                        if s.get("form")
                        else None
                    ),
                )
                for s in data["sentences"]
            ),
            loudness_lufs=data["loudness_lufs"],
            true_peak_dbtp=data["true_peak_dbtp"],
            premaster_lufs=data["premaster_lufs"],
        )
    except (KeyError, TypeError, ValueError):
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mp3, master.mp3)
    shutil.copyfile(chapters, out_dir / "chapters.json")
    shutil.copyfile(wav, master.wav)
    return master
