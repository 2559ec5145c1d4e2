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


def _encode(
    wav: Path, mp3: Path, channels: int, bitrate: str, sr: int, *, background: bool = False
) -> None:
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
        background=background,
    )


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
        _encode(wav, mp3, channels, bitrate, sr, background=True)
        after = media.measure_loudness(mp3, background=True).integrated_lufs
    finally:
        wav.unlink(missing_ok=True)
        mp3.unlink(missing_ok=True)
    shift = before - after
    if not math.isfinite(shift) or abs(shift) > 3.0:
        shift = 0.0
    if cache is not None:
        cache.put_json(key, {"shift": shift, "gain": gain})
    return shift
