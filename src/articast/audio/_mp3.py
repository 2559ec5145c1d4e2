"""Files of the audio stage (private): the 16-bit master WAV (streamed to disk), the MP3
encoder, and the encoder's measured loudness shift."""

from __future__ import annotations

import functools
import hashlib
import math
import wave
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from articast import media
from articast.audio._common import (
    _BLOCK,
    CALIBRATION_SECONDS,
    Audio,
    join_grid,
)
from articast.audio._loudness import _Leveller, integrated_loudness
from articast.cache import Cache, atomic_path, content_key

if TYPE_CHECKING:
    from articast.audio._timeline import Timeline

# --------------------------------------------------------------------------- files


@functools.cache
def _dither(n: int) -> Audio:
    """A fixed run of ``n`` samples of TPDF dither (+/-1 LSB), tiled over the master."""
    rng = np.random.default_rng(0)
    noise = rng.random(n, dtype=np.float32) - rng.random(n, dtype=np.float32)
    noise.setflags(write=False)
    return noise


def _write_wav(path: Path, y: Audio, sr: int) -> None:
    """16-bit PCM WAV (TPDF dither), written atomically."""
    _write_wav_chunks(path, [y], sr, int(y.shape[1]))


def _write_wav_chunks(path: Path, chunks: Iterable[Audio], sr: int, channels: int) -> None:
    """16-bit PCM WAV (TPDF dither) from consecutive float chunks, streamed to disk and
    written atomically; the dither runs on across chunks as over one array.

    The dither repeats every ``join_grid`` frames (0.1 s at 44.1 kHz, far under hearing at
    +/-1 LSB), so a section moved by whole grid steps is dithered the same.
    """
    dither = _dither(join_grid(sr) * channels)
    at = 0  # interleaved samples written so far
    with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(sr)
        for y in chunks:
            scaled = y.reshape(-1) * np.float32(32767.0)
            scaled += np.take(dither, np.arange(at, at + scaled.size) % dither.size)
            at += scaled.size
            w.writeframesraw(np.clip(np.rint(scaled), -32768, 32767).astype("<i2").tobytes())


_MP3_MUXER = {"id3v2_version": "0", "write_xing": "1"}
"""No ID3 tag from ffmpeg (``_tag`` writes ours); a Xing header, for seeking and length."""
MP3_DECODER_SKIP = 1105
"""Samples before the audio in LAME's MP3 frames (its 576-sample encoder delay and the 529 of
the decoder), which a decoder skips by the Xing header's count: measured the same at every
sample rate from 16 to 48 kHz, mono and stereo."""


def _decoded(wav: Path, sr: int) -> tuple[int, int] | None:
    """The samples a decoder gives of ``wav`` encoded at ``sr`` Hz (``encode_measured``'s
    ``keep``): all of them, after LAME's delay; None when ``sr`` resamples it."""
    with wave.open(str(wav), "rb") as w:
        return (MP3_DECODER_SKIP, w.getnframes()) if w.getframerate() == sr else None


def _encode(
    wav: Path,
    mp3: Path,
    channels: int,
    bitrate: str,
    sr: int,
    *,
    gain_db: float = 0.0,
    background: bool = False,
) -> media.Loudness:
    """Encode the MP3 (``gain_db`` louder than ``wav``, in floating point) and measure its
    loudness as it is written (``media.encode_measured``)."""
    gain = ["-af", f"volume={gain_db:.4f}dB"] if gain_db else []
    return media.encode_measured(
        ["-i", str(wav), "-vn", "-map_metadata", "-1", "-map", "0:a", *gain, "-c:a", "libmp3lame",
         "-b:a", bitrate, "-ar", str(sr), "-ac", str(channels)],
        mp3,
        "mp3",
        options=_MP3_MUXER,
        keep=_decoded(wav, sr),
        what="MP3 encoding",
        background=background,
    )  # fmt: skip


def _excerpt_start(mix: Timeline) -> int:
    """First sample of the calibration excerpt: the first word of the middle section, so an
    edit in any other section leaves the excerpt the same levelled audio (and its measured
    shift reusable); in an episode too short for that, the sentence nearest to where an
    excerpt centred on the episode would start."""
    sr = mix.sample_rate
    fits = [s for s in mix.sentences if s.start + CALIBRATION_SECONDS <= mix.duration]
    parts = sorted({s.segment_index for s in mix.sentences})
    if parts:
        middle = parts[len(parts) // 2]
        firsts = [s.start for s in fits if s.segment_index == middle]
        if firsts:
            return round(min(firsts) * sr)
    want = mix.duration / 2 - CALIBRATION_SECONDS / 2
    starts = [s.start for s in fits]
    best = min(starts, key=lambda s: abs(s - want)) if starts else max(0.0, want)
    return round(best * sr)


def _encoder_shift(
    level: _Leveller,
    curve: npt.NDArray[np.float32],
    channels: int,
    bitrate: str,
    workdir: Path,
    *,
    start: int | None = None,
    cache_root: Path | None = None,
) -> float:
    """How much louder (LU) the master must be made while encoding for the MP3 to land on
    the master's loudness.

    MP3 encoding moves integrated loudness by a few tenths of an LU, depending on the material
    (LAME's psychoacoustics, its low-pass): a short excerpt of the levelled master (from
    ``start``) is encoded and measured, so the full file is usually right the first time. The
    shift is kept in ``Cache(cache_root, "calibration")`` under the excerpt's levelled
    samples: a rebuild after an edit in another section (same levelled excerpt, see
    ``_Leveller``) reuses it, and a build from an empty cache measures the same figure. The
    final MP3 is measured (and corrected) either way.
    """
    sr = level.sr
    length = round(CALIBRATION_SECONDS * sr)
    if start is None:
        start = level.n // 2 - length // 2
    start = max(0, min(start, level.n - length))
    a = start // _BLOCK * _BLOCK
    excerpt = level.apply(curve, a, a + length)
    cache = Cache(cache_root, "calibration") if cache_root is not None else None
    key = content_key(
        "calibration-v2", hashlib.sha256(excerpt.tobytes()).hexdigest(), channels, bitrate, sr
    )
    if cache is not None:
        known = cache.get_json(key)
        if isinstance(known, dict) and isinstance(known.get("shift"), float):
            return float(known["shift"])
    before = integrated_loudness(excerpt, sr)
    wav, mp3 = workdir / "calibration.wav", workdir / "calibration.mp3"
    try:
        _write_wav(wav, excerpt, sr)
        after = _encode(wav, mp3, channels, bitrate, sr, background=True).integrated_lufs
    finally:
        wav.unlink(missing_ok=True)
        mp3.unlink(missing_ok=True)
    shift = before - after
    if not math.isfinite(shift) or abs(shift) > 3.0:
        shift = 0.0
    if cache is not None:
        cache.put_json(key, {"shift": shift})
    return shift
