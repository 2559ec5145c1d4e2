"""The episode timeline, assembled with pydub (private).

What is heard and when: an intro sting, every utterance (edge silence trimmed) separated by
the sentence pause (the longer paragraph pause after a heading or a paragraph's last sentence),
the section pause between segments, an outro sting, and optionally a
music bed under everything, ducked under speech and faded in and out. ``plan`` lays it out
(times only, nothing rendered); ``Timeline.windows`` renders it as pydub ``AudioSegment``s,
one window of about ``WINDOW_SECONDS`` at a time, cut in the pauses between utterances:

    voice  = silence + utterance + pause + utterance + ...         (one join per window)
    stings = window.overlay(intro_sting) / .overlay(outro_sting)
    music  = bed window -> duck envelope (apply_gain / fade) -> fade_in / fade_out
    mix    = music.overlay(voice + stings)

Memory holds one window, never the episode, however long it is; joins are made once per
window from a list (pydub's ``+`` copies everything joined so far, so a chain of ``+`` over
an episode is quadratic). Samples are 32-bit with full scale at ``UNIT`` (18 dB of headroom:
voice, stings and bed may sum over 0 dBFS before the limiter). Speech is resampled to
44.1 kHz per utterance with a polyphase filter (pydub's own resampler interpolates linearly,
which leaves audible images when doubling 22.05 kHz speech).
"""

from __future__ import annotations

import itertools
import math
import os
import wave
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from articast import media
from articast.audio._common import (
    _TRIM_MARGIN,
    _TRIM_THRESHOLD,
    ATTACK,
    BED_LEVEL_DB,
    LEAD_MUSIC,
    LEAD_PLAIN,
    RELEASE,
    STING_LEVEL_DB,
    TAIL_MUSIC,
    TAIL_PLAIN,
    Audio,
    _pcm_to_float,
    _resample,
    _rms,
    _validate,
    join_grid,
)
from articast.audio._music import (
    PAD_LOOP_SECONDS,
    _load_music,
    _pad_loop,
    intro_sting,
    outro_sting,
)
from articast.cache import atomic_path
from articast.config import AudioSettings
from articast.errors import InputError
from articast.models import Chapter, Speech, Talk, TimedSentence, TimedWord, Utterance

UNIT = float(1 << 28)
"""Value of full scale (1.0) in the timeline's 32-bit samples."""
WINDOW_SECONDS = 30.0
"""About how much of the episode is rendered at once."""
BED_FADE_IN = 1.5
BED_FADE_OUT = 3.0
_SILENT_DB = -120.0

Layer = str
"""``"voice"``, ``"stings"`` or ``"music"``."""
LAYERS: tuple[Layer, ...] = ("voice", "stings", "music")


def _segment(x: Audio, sample_rate: int) -> Any:
    """A pydub AudioSegment of float samples ``x`` ((n,) mono or (n, 2) stereo)."""
    channels = 1 if x.ndim == 1 else x.shape[1]
    # Full scale is 2**28: anything under 8.0 (+18 dBFS) fits a 32-bit sample unclipped.
    scaled = np.multiply(x, np.float32(UNIT), dtype=np.float32)
    np.clip(scaled, -(2.0**31 - 128), 2.0**31 - 128, out=scaled)
    data = np.rint(scaled, out=scaled).astype("<i4")
    return media.pydub().AudioSegment(
        data=data.tobytes(), sample_width=4, frame_rate=sample_rate, channels=channels
    )


def _silence(frames: int, sample_rate: int, channels: int = 1) -> Any:
    """Exactly ``frames`` frames of silence (pydub's ``silent`` counts milliseconds)."""
    return media.pydub().AudioSegment(
        data=bytes(4 * channels * frames), sample_width=4, frame_rate=sample_rate, channels=channels
    )


def _join(parts: Sequence[Any], sample_rate: int, channels: int = 1) -> Any:
    """Segments one after another, joined once (linear, unlike a chain of ``+``)."""
    if not parts:
        return _silence(0, sample_rate, channels)
    return parts[0]._spawn(b"".join(p.raw_data for p in parts))


def _exact(seg: Any, frames: int) -> Any:
    """``seg`` cut or padded with silence to exactly ``frames`` frames.

    pydub's ``fade`` works in whole milliseconds and can return a few frames more than it
    was given; the timeline is sample-exact.
    """
    have = int(seg.frame_count())
    if have > frames:
        return seg.get_sample_slice(0, frames)
    if have < frames:
        return _join([seg, _silence(frames - have, seg.frame_rate, seg.channels)], seg.frame_rate)
    return seg


def to_array(seg: Any) -> Audio:
    """Float samples of a timeline segment, shape (n, channels)."""
    raw = np.frombuffer(seg.raw_data, dtype="<i4").astype(np.float32) / np.float32(UNIT)
    return raw.reshape(-1, seg.channels)


def _trim_bounds(x: Audio, rate: int) -> tuple[int, int]:
    """Where ``x`` starts and ends without edge silence (a short margin kept)."""
    loud = np.flatnonzero(np.abs(x) > _TRIM_THRESHOLD)
    if loud.size == 0:
        return 0, len(x)
    margin = round(_TRIM_MARGIN * rate)
    return max(0, int(loud[0]) - margin), min(len(x), int(loud[-1]) + margin + 1)


@dataclass(frozen=True)
class _Placed:
    """One utterance on the timeline."""

    utterance: Utterance = field(repr=False)
    at: int
    """First frame at the timeline's rate."""
    frames: int
    """Length at the timeline's rate."""
    trim: tuple[int, int]
    """Samples kept of the utterance's own audio."""

    def audio(self, sample_rate: int) -> Audio:
        """The trimmed utterance at ``sample_rate``, exactly ``frames`` long."""
        a, b = self.trim
        x = _resample(
            _pcm_to_float(self.utterance.pcm)[a:b], self.utterance.sample_rate, sample_rate
        )
        if len(x) < self.frames:
            x = np.pad(x, (0, self.frames - len(x)))
        return x[: self.frames]


@dataclass(frozen=True)
class _Envelope:
    """A piecewise-linear gain in dB over frames: ``points`` are ``(frame, dB)``."""

    points: tuple[tuple[int, float], ...]

    def apply(self, seg: Any, start: int) -> Any:
        """``seg`` (covering frames ``start..``) with the gain applied by pydub, piece by piece."""
        end = start + int(seg.frame_count())
        parts: list[Any] = []
        cursor = start
        pts = self.points
        for (f0, g0), (f1, g1) in itertools.pairwise(pts):
            a, b = max(f0, cursor), min(f1, end)
            if b <= a:
                continue
            piece = seg.get_sample_slice(a - start, b - start)
            if g0 == g1:
                piece = piece.apply_gain(g0) if g0 else piece
            else:
                # Gains at the clipped piece's edges (the ramp may cross a window edge).
                ga = g0 + (g1 - g0) * (a - f0) / (f1 - f0)
                gb = g0 + (g1 - g0) * (b - f0) / (f1 - f0)
                piece = _exact(piece.fade(from_gain=ga, to_gain=gb, start=0, end=len(piece)), b - a)
            parts.append(piece)
            cursor = b
        if cursor < end:
            parts.append(seg.get_sample_slice(cursor - start, end - start))
        return _join(parts, seg.frame_rate, seg.channels)


def _duck_envelope(
    n: int, sr: int, spans: Sequence[tuple[float, float]], duck_db: float, merge_gap: float
) -> _Envelope:
    """0 dB, ``-duck_db`` under speech, ramps of ATTACK before and RELEASE after.

    Spans closer than ``merge_gap`` are merged so the bed stays down between sentences (and
    always those closer than the two ramps, so the envelope never folds back).
    """
    merged: list[list[float]] = []
    for s, e in sorted(spans):
        if merged and s - merged[-1][1] < max(merge_gap, ATTACK + RELEASE):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    points: list[tuple[int, float]] = [(0, 0.0)]
    for s, e in merged:
        a = max(points[-1][0], round((s - ATTACK) * sr))
        d0 = max(a, round(s * sr))
        d1 = max(d0, round(e * sr))
        b = min(n, max(d1, round((e + RELEASE) * sr)))
        points += [(a, 0.0), (d0, -duck_db), (d1, -duck_db), (b, 0.0)]
    points.append((max(n, points[-1][0]), 0.0))
    return _Envelope(tuple(points))


class _Bed:
    """The music bed at frame ``f``: the generated pad or the user's file, looped."""

    def __init__(self, settings: AudioSettings, seconds: float, sr: int, workdir: Path | None):
        self.sr = sr
        if settings.music_file is not None:
            if workdir is None:
                raise InputError("a music file needs a work folder to decode into")
            workdir.mkdir(parents=True, exist_ok=True)
            # The file is decoded once (at most one loop plus a second); longer episodes loop it.
            bed = _load_music(settings.music_file, min(seconds, 600.0), sr, workdir)
            xf = min(round(0.5 * sr), len(bed) // 4)
            piece = bed.copy()
            if xf > 0 and len(bed) < round(seconds * sr):
                from articast.audio._common import _fade

                piece[:xf] *= np.sqrt(_fade(xf, rising=True))[:, None]
                piece[-xf:] *= np.sqrt(_fade(xf, rising=False))[:, None]
            self.piece, self.stride = (
                piece,
                len(piece) - xf if len(bed) < round(seconds * sr) else 0,
            )
        else:
            self.piece, self.stride = _pad_loop(sr), -1
        self.rms = max(_rms(self.piece), 1e-9)

    def frames(self, a: int, b: int) -> Audio:
        """Frames ``a..b`` of the endless bed, shape (b - a, 2)."""
        piece = self.piece
        if self.stride < 0:  # the seamless pad: plain tiling, copied slice by slice
            out = np.empty((b - a, piece.shape[1]), dtype=np.float32)
            pos = a
            while pos < b:
                off = pos % len(piece)
                k = min(len(piece) - off, b - pos)
                out[pos - a : pos - a + k] = piece[off : off + k]
                pos += k
            return out
        if self.stride == 0:  # a file longer than the episode
            out = piece[a:b]
            return out if len(out) == b - a else np.pad(out, ((0, b - a - len(out)), (0, 0)))
        out = np.zeros((b - a, piece.shape[1]), dtype=np.float32)
        first = max(0, (a - len(piece)) // self.stride)
        for k in range(first, b // self.stride + 1):
            s = k * self.stride
            lo, hi = max(a, s), min(b, s + len(piece))
            if lo < hi:
                out[lo - a : hi - a] += piece[lo - s : hi - s]
        return out


@dataclass(frozen=True)
class Timeline:
    """The assembled episode as a plan of pydub segments: times now, audio window by window."""

    sample_rate: int
    frames: int
    """Length in samples."""
    chapters: tuple[Chapter, ...]
    """One per segment, contiguous from 0 to the end, times on whole milliseconds."""
    sentences: tuple[TimedSentence, ...]
    """Every utterance on the timeline (absolute times)."""
    speech_spans: tuple[tuple[float, float], ...]
    """(start, end) of each utterance's audio, seconds."""
    music: bool
    """A music bed plays under the voice (the mix is stereo)."""
    cuts: tuple[int, ...]
    """One ``join_grid`` step before the first word of every section after the first: where
    the audio may be cut into parts levelled and encoded apart."""
    _placed: tuple[_Placed, ...] = field(repr=False)
    _stings: tuple[tuple[int, Audio], ...] = field(repr=False)
    _bed: _Bed | None = field(repr=False)
    _bed_gain_db: float = 0.0
    _duck: _Envelope | None = field(default=None, repr=False)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate

    @property
    def channels(self) -> int:
        """2 with a music bed, else 1."""
        return 2 if self.music else 1

    def _cuts(self) -> list[int]:
        """Window edges: about every WINDOW_SECONDS, always in a pause between utterances."""
        step = round(WINDOW_SECONDS * self.sample_rate)
        cuts = [0]
        for p in self._placed:
            if p.at - cuts[-1] >= step:
                cuts.append(p.at)
        if self.frames - cuts[-1] < round(BED_FADE_OUT * self.sample_rate) and len(cuts) > 1:
            cuts.pop()  # the last window holds the whole fade-out
        return [*cuts, self.frames]

    def windows(self, layers: Sequence[Layer] = LAYERS) -> Iterator[tuple[int, Any]]:
        """``(first frame, AudioSegment)`` for consecutive windows of the mix of ``layers``."""
        sr, n = self.sample_rate, self.frames
        cuts = self._cuts()
        placed = list(self._placed)
        k = 0
        for w0, w1 in itertools.pairwise(cuts):
            # The voice: silence and utterances, one join.
            parts: list[Any] = []
            cursor = w0
            while k < len(placed) and placed[k].at < w1:
                p = placed[k]
                if "voice" in layers:
                    parts.append(_silence(p.at - cursor, sr))
                    parts.append(_segment(p.audio(sr), sr))
                    cursor = p.at + p.frames
                k += 1
            parts.append(_silence(w1 - cursor, sr))
            mix = _join(parts, sr)
            if "stings" in layers:
                for at, sting in self._stings:
                    lo, hi = max(w0, at), min(w1, at + len(sting))
                    if lo < hi:
                        mix = _overlay_at(mix, _segment(sting[lo - at : hi - at], sr), lo - w0)
            if self._bed is not None and "music" in layers:
                bed = _segment(self._bed.frames(w0, w1), sr).apply_gain(self._bed_gain_db)
                if self._duck is not None:
                    bed = self._duck.apply(bed, w0)
                fin, fout = min(n, round(BED_FADE_IN * sr)), min(n, round(BED_FADE_OUT * sr))
                if w0 < fin:
                    head = bed.get_sample_slice(0, fin - w0)
                    head = _exact(
                        head.fade(from_gain=_SILENT_DB, to_gain=0, start=0, end=len(head)), fin - w0
                    )
                    bed = _join([head, bed.get_sample_slice(fin - w0, None)], sr, 2)
                if w1 > n - fout:
                    a = max(0, n - fout - w0)
                    tail = bed.get_sample_slice(a, None)
                    # The fade-out may have started in the window before (short last window).
                    g0 = _SILENT_DB * max(0, w0 - (n - fout)) / fout
                    size = int(tail.frame_count())
                    tail = _exact(
                        tail.fade(from_gain=g0, to_gain=_SILENT_DB, start=0, end=len(tail)), size
                    )
                    bed = _join([bed.get_sample_slice(0, a), tail], sr, 2)
                mix = bed.overlay(mix)
            elif self.music:
                mix = mix.set_channels(2)
            yield w0, _exact(mix, w1 - w0)

    def write(self, path: Path, layers: Sequence[Layer] = LAYERS) -> Path:
        """Stream the mix of ``layers`` to a 32-bit WAV at ``path``, one window at a time."""
        with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as out:
            out.setnchannels(self.channels)
            out.setsampwidth(4)
            out.setframerate(self.sample_rate)
            for _, seg in self.windows(layers):
                out.writeframesraw(seg.raw_data)
        return path

    def render(self, layers: Sequence[Layer] = LAYERS) -> Audio:
        """The whole mix of ``layers`` in memory, shape (n, channels): for short episodes."""
        return np.concatenate([to_array(seg) for _, seg in self.windows(layers)])


def _overlay_at(base: Any, piece: Any, frame: int) -> Any:
    """``base`` with ``piece`` mixed in from ``frame`` (sample-exact, unlike millisecond
    positions)."""
    end = frame + int(piece.frame_count())
    middle = base.get_sample_slice(frame, end).overlay(piece)
    return _join(
        [base.get_sample_slice(0, frame), middle, base.get_sample_slice(end, None)],
        base.frame_rate,
        base.channels,
    )


def read_wav(path: Path) -> Audio:
    """A timeline WAV (``Timeline.write``) as float samples (n, channels), memory-mapped."""
    with wave.open(str(path), "rb") as w:
        channels, frames = w.getnchannels(), w.getnframes()
    offset = _data_offset(path)
    raw = np.memmap(path, dtype="<i4", mode="r", offset=offset, shape=(frames * channels,))
    return (raw.astype(np.float32) / np.float32(UNIT)).reshape(-1, channels)


class WavFrames:
    """A timeline WAV read chunk by chunk (float samples), never as a whole.

    The file stays open, so it may be unlinked while it is read; ``reads`` records the frame
    count of every read (tests check that levelling a long mix reads it in bounded chunks).
    """

    def __init__(self, path: Path) -> None:
        with wave.open(str(path), "rb") as w:
            self.channels, self.n = w.getnchannels(), w.getnframes()
        self._offset = _data_offset(path)
        self._fh = path.open("rb")
        self.reads: list[int] = []

    def __len__(self) -> int:
        return self.n

    def read(self, a: int, b: int) -> Audio:
        """Frames ``a:b`` as float32 (frames, channels)."""
        a, b = max(0, a), min(self.n, b)
        m = max(0, b - a)
        self.reads.append(m)
        width = 4 * self.channels
        raw = os.pread(self._fh.fileno(), m * width, self._offset + a * width)
        ints = np.frombuffer(raw, dtype="<i4")
        return (ints.astype(np.float32) / np.float32(UNIT)).reshape(-1, self.channels)

    def close(self) -> None:
        self._fh.close()


def _data_offset(path: Path) -> int:
    offset = media.wav_data_offset(path)
    if offset is None:
        raise InputError(f"{path} is not a WAV file")
    return offset


def plan(
    speech: Speech,
    talk: Talk | None,
    settings: AudioSettings,
    *,
    workdir: Path | None = None,
) -> Timeline:
    """Lay the speech, stings and music bed out on one timeline (no audio rendered yet)."""
    _validate(settings)
    sr = settings.sample_rate
    decorated = settings.stings or settings.music
    lead = LEAD_MUSIC if decorated else LEAD_PLAIN
    tail = TAIL_MUSIC if decorated else TAIL_PLAIN

    # Pauses fall on whole samples of the voice's own rate, so a 22.05 kHz voice lands on
    # even samples and its resampled audio lines up exactly.
    rates = {u.sample_rate for seg in speech.segments for u in seg.utterances}
    src = rates.pop() if len(rates) == 1 else sr
    if sr % src:
        src = sr
    step = sr // src

    def grid(seconds: float) -> int:
        return round(seconds * src) * step

    placed: list[_Placed] = []
    sentences: list[TimedSentence] = []
    spans: list[tuple[float, float]] = []
    seg_first: list[float] = []
    cuts: list[int] = []
    # Sections after the first start on the join grid (their pause a little longer, under
    # 0.11 s), so an edit elsewhere moves them by whole grid steps: their audio is the same,
    # and it is levelled and encoded apart from a cut one step before their first word.
    section_grid = math.lcm(join_grid(sr), step)
    heard: list[tuple[float, int]] = []  # (energy, samples) of each segment's own voice
    t = grid(lead)
    for si, seg in enumerate(speech.segments):
        if si > 0:
            t += grid(settings.section_pause)
            t = -(-t // section_grid) * section_grid
            cuts.append(t - section_grid)
        seg_first.append(t / sr)
        energy, count = 0.0, 0
        if not seg.utterances:
            t += grid(max(settings.section_pause, 0.5))
        paragraph_ends = set(seg.segment.paragraph_ends)
        for ui, utt in enumerate(seg.utterances):
            if ui > 0:
                after_paragraph = ui - 1 in paragraph_ends
                t += grid(settings.paragraph_pause if after_paragraph else settings.sentence_pause)
            x = _pcm_to_float(utt.pcm)
            a, b = _trim_bounds(x, utt.sample_rate)
            kept = x[a:b]
            energy += float(np.dot(kept, kept))
            count += len(kept)
            frames = math.ceil((b - a) * sr / utt.sample_rate)
            cut = a / utt.sample_rate
            placed.append(_Placed(utt, t, frames, (a, b)))
            start, end = t / sr, (t + frames) / sr
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
            t += frames
            if t % step:
                t += step - t % step
        heard.append((energy, count))
    speech_end = t
    sting_out = outro_sting(sr) if settings.stings else None
    outro_at = speech_end + grid(0.5)
    end = speech_end + grid(tail)
    if sting_out is not None:
        end = max(end, outro_at + len(sting_out) + grid(0.3))
    # Whole 10 ms (and whole source samples) after the last section's cut: the outro's part
    # is then the same length wherever an edit before it moves it (rounding the episode's end
    # itself would give it a few samples more or less, and its sound encoded again).
    unit = math.lcm(sr // 100, step) if sr % 100 == 0 else step
    last_cut = cuts[-1] if cuts else 0
    n = last_cut + math.ceil((end - last_cut) / unit) * unit
    energy, count = sum(e for e, _ in heard), sum(c for _, c in heard)
    voice_rms = max(math.sqrt(energy / count) if count else 0.0, 1e-4)

    stings: list[tuple[int, Audio]] = []
    if settings.stings and sting_out is not None:
        # Each sting is levelled to the voice it plays beside (the first section's, the last
        # one's), so an edit in another section leaves those sections' audio as it was.
        near = [math.sqrt(e / c) if c else voice_rms for e, c in heard]
        first, last = (near[0], near[-1]) if near else (voice_rms, voice_rms)
        scale = 10 ** (STING_LEVEL_DB / 20)
        sting_in = intro_sting(sr)
        stings.append((0, sting_in * np.float32(first * scale / max(_rms(sting_in), 1e-9))))
        stings.append(
            (outro_at, sting_out * np.float32(last * scale / max(_rms(sting_out), 1e-9)))
        )

    bed: _Bed | None = None
    gain_db = 0.0
    duck: _Envelope | None = None
    if settings.music:
        bed = _Bed(settings, n / sr, sr, workdir)
        gain_db = 20 * math.log10(voice_rms * 10 ** (BED_LEVEL_DB / 20) / bed.rms)
        merge = (settings.sentence_pause + settings.section_pause) / 2
        duck = _duck_envelope(n, sr, spans, settings.duck_db, merge)

    chapters = _chapters(speech, talk, seg_first, settings.section_pause, n / sr)
    return Timeline(
        sample_rate=sr,
        frames=n,
        chapters=chapters,
        sentences=tuple(sentences),
        speech_spans=tuple(spans),
        music=settings.music,
        cuts=tuple(cuts),
        _placed=tuple(placed),
        _stings=tuple(stings),
        _bed=bed,
        _bed_gain_db=gain_db,
        _duck=duck,
    )


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


__all__ = [
    "LAYERS", "PAD_LOOP_SECONDS", "UNIT", "Timeline", "WavFrames", "plan", "read_wav", "to_array"
]  # fmt: skip
