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

from articast import media
from articast.audio._common import _BLOCK, _CALIBRATION_GAIN_DB, CALIBRATION_SECONDS, Audio
from articast.audio._loudness import _Leveller, integrated_loudness
from articast.cache import Cache, atomic_path, content_key

if TYPE_CHECKING:
    from articast.audio._timeline import Timeline

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
    """16-bit PCM WAV (TPDF dither), written atomically."""
    _write_wav_chunks(path, [y], sr, int(y.shape[1]))


def _write_wav_chunks(path: Path, chunks: Iterable[Audio], sr: int, channels: int) -> None:
    """16-bit PCM WAV (TPDF dither) from consecutive float chunks, streamed to disk and
    written atomically; the dither runs on across chunks as over one array."""
    dither = _dither()
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
    wav: Path, mp3: Path, channels: int, bitrate: str, sr: int, *, background: bool = False
) -> media.Loudness:
    """Encode the MP3 and measure its loudness as it is written (``media.encode_measured``)."""
    return media.encode_measured(
        ["-i", str(wav), "-vn", "-map_metadata", "-1", "-map", "0:a", "-c:a", "libmp3lame",
         "-b:a", bitrate, "-ar", str(sr), "-ac", str(channels)],
        mp3,
        "mp3",
        options=_MP3_MUXER,
        keep=_decoded(wav, sr),
        what="MP3 encoding",
        background=background,
    )  # fmt: skip


def _excerpt_start(mix: Timeline) -> int:
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
        start = level.n // 2 - length // 2
    start = max(0, min(start, level.n - length))
    cache = Cache(cache_root, "calibration") if cache_root is not None else None
    key = content_key(
        "calibration-v1",
        hashlib.sha256(level.src.read(start, start + length).tobytes()).hexdigest(),
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
        after = _encode(wav, mp3, channels, bitrate, sr, background=True).integrated_lufs
    finally:
        wav.unlink(missing_ok=True)
        mp3.unlink(missing_ok=True)
    shift = before - after
    if not math.isfinite(shift) or abs(shift) > 3.0:
        shift = 0.0
    if cache is not None:
        cache.put_json(key, {"shift": shift, "gain": gain})
    return shift
