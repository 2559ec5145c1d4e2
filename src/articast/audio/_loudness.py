"""Loudness of the audio stage (private): BS.1770 integrated loudness, 4x-oversampled true
peaks, and the lookahead limiter that levels the mix to its target."""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from articast.audio._common import _BLOCK, Audio, _db

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


_CHUNK = 56
"""Blocks per oversampling chunk (53 ms, half a ``join_grid`` step): quiet chunks skip the
oversampling."""
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
    gain_db: float | npt.NDArray[np.float64],
    ceiling_db: float,
    sr: int,
    *,
    lookahead: float = 0.005,
    release: float = 0.12,
    block: int = _BLOCK,
) -> npt.NDArray[np.float64]:
    """Gain in dB per block (<= ``gain_db``, one or one per block) keeping the amplified
    signal under ``ceiling_db``.

    Required gain per block -> min over +/- lookahead -> linear-in-dB release ramp -> moving
    average over half the lookahead: every value averaged for a block is already at or under
    that block's own requirement, so the ceiling holds while the gain moves smoothly.
    """
    from scipy.ndimage import minimum_filter1d

    level = 20 * np.log10(np.maximum(peaks.astype(np.float64), 1e-9))
    # On a grid of 2**-10 dB every step below is exact in float64 (no rounding), so a block's
    # gain depends only on the peaks around it, never on where it sits in the episode: an
    # edit elsewhere leaves the levelled samples of an unchanged section bit for bit the same
    # (the video's sound reuses their encoded pieces).
    need_db = np.round(np.minimum(gain_db, ceiling_db - level) * _DB_GRID) / _DB_GRID
    la = max(2, round(lookahead * sr / block))
    m = minimum_filter1d(need_db, size=2 * la + 1, mode="nearest")
    w = max(2, round(release * sr / block))
    slope = max(1, round(12.0 / w * _DB_GRID)) / _DB_GRID  # 12 dB of recovery per ``release``
    # r[i] = min over j in 0..w of m[i - j] + slope * j: a grey erosion by a linear ramp,
    # computed as a flat sliding minimum of m - slope * i (O(n) instead of O(n * w)).
    ramp = slope * np.arange(len(m), dtype=np.float64)
    r = minimum_filter1d(m - ramp, size=w + 1, origin=w // 2, mode="nearest") + ramp
    return _moving_mean(r, la + 1 if la % 2 == 0 else la)


_DB_GRID = 1024.0
"""Steps per dB of the limiter's required gain (see ``_limiter_curve``)."""


def _moving_mean(x: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.float64]:
    """Centred mean over ``size`` (odd) values, edges repeated (``uniform_filter1d``'s
    "nearest"), from exact prefix sums: each value is the same wherever it sits in ``x``
    (scipy's running sum carries rounding from one end to the other)."""
    half = size // 2
    padded = np.concatenate((np.repeat(x[:1], half), x, np.repeat(x[-1:], half)))
    sums = np.concatenate(([0.0], np.cumsum(padded)))
    return np.asarray((sums[size:] - sums[:-size]) / size)


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


class Frames(Protocol):
    """Frames read chunk by chunk (an array in memory or a WAV on disk)."""

    channels: int

    def __len__(self) -> int: ...

    def read(self, a: int, b: int) -> Audio:
        """Frames ``a:b`` as float32 (frames, channels)."""
        ...


class ArrayFrames:
    """``Frames`` over an array already in memory."""

    def __init__(self, x: Audio) -> None:
        self.x = x if x.ndim == 2 else x[:, None]
        self.channels = int(self.x.shape[1])
        self.reads: list[int] = []

    def __len__(self) -> int:
        return len(self.x)

    def read(self, a: int, b: int) -> Audio:
        out = np.array(self.x[max(0, a) : b], dtype=np.float32)  # a copy: callers scale it
        self.reads.append(len(out))
        return out


STREAM_FRAMES = 1 << 20
"""About how many frames the leveller reads at once (24 s at 44.1 kHz)."""
_CURVE_BLOCKS = 1 << 18
"""Blocks of the gain curve computed at once."""
MAX_GAIN_DB = 30.0
"""Most gain the leveller is expected to give: chunks too quiet to reach the ceiling with it
skip the oversampling (a constant, so that what a chunk's peak is taken to be depends on the
chunk alone)."""
_CUT_SILENCE = 0.1
"""Seconds of digital silence a section cut needs on each side to level the sections apart."""
_TOLERANCE_LU = 0.01
_ROUNDS = 12


def _limiter_curve_chunked(
    peaks: npt.NDArray[np.float32],
    gain_db: float | npt.NDArray[np.float64],
    ceiling_db: float,
    sr: int,
) -> npt.NDArray[np.float32]:
    """``_limiter_curve`` computed piece by piece with enough overlap to be the same curve;
    ``gain_db`` is one gain or one per block."""
    la = max(2, round(0.005 * sr / _BLOCK))
    w = max(2, round(0.12 * sr / _BLOCK))
    margin = 3 * la + w + 8
    out = np.empty(len(peaks), dtype=np.float32)
    gains = np.broadcast_to(np.asarray(gain_db, dtype=np.float64), (len(peaks),))
    for a in range(0, len(peaks), _CURVE_BLOCKS):
        b = min(len(peaks), a + _CURVE_BLOCKS)
        ea, eb = max(0, a - margin), min(len(peaks), b + margin)
        part = _limiter_curve(peaks[ea:eb], gains[ea:eb], ceiling_db, sr)
        out[a:b] = part[a - ea : b - ea]
    return out


class _Leveller:
    """Gain + true-peak limiter for one mix, streamed: the mix is read in chunks of about
    ``STREAM_FRAMES`` and only per-block figures (peaks, K-weighted power) are kept.

    With ``cuts`` (frames, on whole blocks, in the silence between sections) each part of the
    mix between them is brought to the aim on its own: its gain depends on its own samples
    only, so a part an edit left alone is levelled to the same bits, wherever it now sits.
    """

    def __init__(
        self,
        x: Audio | Frames,
        sample_rate: int,
        ceiling: float,
        cuts: tuple[int, ...] = (),
    ) -> None:
        from scipy.signal import sosfilt

        self.src: Frames = ArrayFrames(x) if isinstance(x, np.ndarray) else x
        self.sr = sample_rate
        n, chans = len(self.src), self.src.channels
        hop = sample_rate // 10
        self.per_hop = hop // _BLOCK
        span = _BLOCK * _CHUNK
        unit = math.lcm(hop, span)
        self.step = max(1, STREAM_FRAMES // unit) * unit
        sos = _k_weighting(sample_rate).astype(np.float32)
        zi = [np.zeros((sos.shape[0], 2), dtype=np.float32) for _ in range(chans)]
        powers: list[npt.NDArray[np.float64]] = []
        for a in range(0, n, self.step):
            chunk = self.src.read(a, a + self.step)
            power = np.zeros(len(chunk), dtype=np.float32)
            for ch in range(chans):
                y, zi[ch] = sosfilt(sos, np.ascontiguousarray(chunk[:, ch]), zi=zi[ch])
                power += np.square(y.astype(np.float32))
            usable = (len(power) // _BLOCK) * _BLOCK
            powers.append(power[:usable].reshape(-1, _BLOCK).sum(axis=1, dtype=np.float64))
        self.block_power = np.concatenate(powers) if powers else np.zeros(0)
        self.input_lufs = _gated(
            self._hops(self.block_power, 0, len(self.block_power)), sample_rate
        )
        floor = 10 ** ((ceiling - MAX_GAIN_DB) / 20) / _OVERSHOOT
        peaks: list[npt.NDArray[np.float32]] = []
        for a in range(0, n, self.step):
            # One oversampling chunk of context on each side: same filter input and the same
            # quiet/loud neighbours as a pass over the whole mix.
            b = min(n, a + self.step)
            ea = max(0, a - span)
            p = _block_peaks(self.src.read(ea, b + span), _BLOCK, floor)
            first = (a - ea) // _BLOCK
            peaks.append(p[first : first + math.ceil((b - a) / _BLOCK)])
        self.peaks = np.concatenate(peaks) if peaks else np.zeros(0, dtype=np.float32)
        # The parts levelled apart: cuts on whole blocks with digital silence around them.
        quiet = round(_CUT_SILENCE * sample_rate / _BLOCK)
        edges = [0]
        for cut in sorted(cuts):
            k = cut // _BLOCK
            inside = edges[-1] + quiet < k < len(self.peaks) - quiet
            if inside and cut % _BLOCK == 0 and not self.peaks[k - quiet : k + quiet].any():
                edges.append(k)
        edges.append(len(self.peaks))
        self.parts = list(itertools.pairwise(edges))
        """Block ranges levelled apart."""
        self.part_lufs = np.array(
            [_gated(self._hops(self.block_power, a, b), sample_rate) for a, b in self.parts]
        )

    def _hops(self, power: npt.NDArray[np.float64], a: int, b: int) -> npt.NDArray[np.float64]:
        """Summed power of each whole 100 ms hop of blocks ``a:b``, counted from ``a``."""
        b = min(b, len(power))
        m = max(0, (b - a) // self.per_hop)
        return np.asarray(power[a : a + m * self.per_hop].reshape(m, self.per_hop).sum(axis=1))

    @property
    def n(self) -> int:
        return len(self.src)

    def loudness(self, curve_db: npt.NDArray[np.floating[Any]]) -> float:
        """Integrated loudness of the whole mix after the gain curve (gain constant within a
        block of ``_BLOCK`` samples)."""
        return _gated(self._hops(self._gained(curve_db), 0, len(self.block_power)), self.sr)

    def peak_db(self, curve_db: npt.NDArray[np.floating[Any]]) -> float:
        """True peak (dBTP, from the oversampled block peaks) of the mix after the curve."""
        if not len(self.peaks):
            return float("-inf")
        level = 20 * np.log10(np.maximum(self.peaks.astype(np.float64), 1e-12))
        return float(np.max(level + curve_db[: len(level)]))

    def _gained(self, curve_db: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
        nb = len(self.block_power)
        out = np.empty(nb, dtype=np.float64)
        for a in range(0, nb, _CURVE_BLOCKS):
            b = min(nb, a + _CURVE_BLOCKS)
            out[a:b] = self.block_power[a:b] * np.power(10.0, curve_db[a:b].astype(np.float64) / 10)
        return out

    def _gains(self, part_gains: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """One gain per block from one per part."""
        sizes = [b - a for a, b in self.parts]
        return np.repeat(part_gains, sizes)

    def curve_for(self, aim: float, ceiling: float) -> npt.NDArray[np.float32]:
        """Block gain curve (dB) bringing each part of the limited mix to ``aim`` LUFS.

        Numeric, no encoding: each part's gain is found by the secant method, and a part
        stops when it is within ``_TOLERANCE_LU``, whatever the others do (its gain then
        depends on its own samples only). A part without gated loudness (silence) gets the
        whole mix's gain.
        """
        whole = aim - self.input_lufs if math.isfinite(self.input_lufs) else 0.0
        found = np.isfinite(self.part_lufs)
        gains = np.where(found, aim - np.where(found, self.part_lufs, 0.0), whole)
        active = found.copy()
        last_gain = np.full(len(gains), np.nan)
        last_err = np.full(len(gains), np.nan)
        curve = _limiter_curve_chunked(self.peaks, self._gains(gains), ceiling, self.sr)
        for _ in range(_ROUNDS):
            if not active.any():
                break
            gained = self._gained(curve)
            for i in np.flatnonzero(active):
                a, b = self.parts[i]
                err = aim - _gated(self._hops(gained, a, b), self.sr)
                if not math.isfinite(err) or abs(err) < _TOLERANCE_LU:
                    active[i] = False
                    continue
                # How much louder the part gets per dB of gain (under 1 where it is limited).
                slope = 1.0
                if np.isfinite(last_gain[i]) and gains[i] != last_gain[i]:
                    seen = (last_err[i] - err) / (gains[i] - last_gain[i])
                    slope = min(1.0, max(0.2, seen))
                last_gain[i], last_err[i] = gains[i], err
                gains[i] += err / slope
            if active.any():
                curve = _limiter_curve_chunked(self.peaks, self._gains(gains), ceiling, self.sr)
        return curve

    def apply(
        self, curve_db: npt.NDArray[np.floating[Any]], a: int = 0, b: int | None = None
    ) -> Audio:
        """Frames ``a:b`` of the mix with the gain curve applied (``a`` on a block boundary)."""
        b = self.n if b is None else b
        ba, bb = a // _BLOCK, math.ceil(b / _BLOCK)
        g = _curve_to_samples(curve_db[ba : bb + 1].astype(np.float64), b - a)
        x = self.src.read(a, b)
        x *= g[:, None]
        return x

    def chunks(self, curve_db: npt.NDArray[np.floating[Any]]) -> Iterator[Audio]:
        """The levelled mix, chunk by chunk (``apply`` over consecutive ranges)."""
        for a in range(0, self.n, self.step):
            yield self.apply(curve_db, a, min(self.n, a + self.step))

    def close(self) -> None:
        close = getattr(self.src, "close", None)
        if close is not None:
            close()
