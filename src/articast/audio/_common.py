"""Shared constants, types and small sample helpers of the audio stage (private)."""

from __future__ import annotations

import math
import re

import numpy as np
import numpy.typing as npt

from articast.config import AudioSettings
from articast.errors import InputError
from articast.media import aac_frame_grid

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
MP3_HEADROOM = 0.5
"""dB the master's true-peak ceiling keeps under ``PRE_ENCODE_CEILING``: the MP3 is encoded
louder than the master by the encoder's loudness shift (about 0.45 LU with LAME on speech)."""
_TRIM_THRESHOLD = 10 ** (-50 / 20)
_TRIM_MARGIN = 0.02
_BLOCK = 42
"""Samples per limiter control block (0.95 ms at 44.1 kHz; 105 per 100 ms hop, 112 per
section grid step: see ``join_grid``)."""

def join_grid(sample_rate: int) -> int:
    """Samples between the places where a section may start (4704 at 44.1 kHz, 0.107 s).

    A whole number of the video's AAC frames, of limiter blocks and of 22.05 kHz voice
    samples: a section that starts on it and is unchanged after an edit elsewhere is levelled,
    dithered and encoded to the same bits, so its encoded audio is reused.
    """
    return math.lcm(aac_frame_grid(sample_rate), _BLOCK, 2)


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
    for name in ("sentence_pause", "paragraph_pause", "section_pause"):
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


