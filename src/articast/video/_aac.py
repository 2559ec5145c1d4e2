"""The video's sound (private): AAC-LC 48 kHz stereo from the master WAV, encoded in pieces
(one per section, and more in a long one) at once, each kept in the cache by its samples, and
spliced frame by frame: an edit re-encodes the sound of the sections it changed."""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import threading
import wave
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from articast.cache import Cache, atomic_path, content_key
from articast.errors import RenderError
from articast.media import AAC_RATE, aac_frame_grid, ffmpeg_cmd, pipe_frames, wav_data_offset

_VERSION = "video-v5"
_AAC_PRIMING = 1024
"""Samples of encoder delay that ffmpeg's AAC encoder puts before the audio."""

_AAC_ARGS = (
    "-vn",
    "-c:a",
    "aac",
    # The "fast" coder takes 2.6x less CPU than the default on speech: the AAC encode is the
    # longest single job when only one section changed.
    "-aac_coder",
    "fast",
    # Mid/side always: the voice is centred (mono upmix), so the side channel costs nothing.
    "-aac_ms",
    "1",
    "-b:a",
    "128k",
    "-ar",
    "48000",
    "-ac",
    "2",
    "-f",
    "adts",
)
"""AAC-LC, 48 kHz, stereo, as YouTube recommends (ADTS: the packets are spliced in Python)."""
_AAC_RATE = AAC_RATE
_PIECE_SECONDS = 180.0
"""A piece (a section, usually) longer than twice this is cut further at quiet points about
this far apart, so a cold build keeps every core busy on a long article."""
_QUIET = 32
"""Largest sample (16-bit) around a splice point: about -60 dBFS."""
_SPLICE_MARGIN = 0.08
"""Seconds of quiet needed on each side of a splice point (three AAC frames and more)."""
_READ_FRAMES = 1 << 18
"""Frames of the master read at once (hashing and feeding a piece to its encoder)."""


_QUIET_BLOCK = 0.01
"""Seconds per block of the master scanned for quiet."""


@dataclass(frozen=True)
class _Wav:
    """A 16-bit PCM WAV read by frame ranges (never whole: a long master is a gigabyte)."""

    path: Path
    rate: int
    channels: int
    n: int
    offset: int

    @classmethod
    def open(cls, path: Path) -> _Wav:
        try:
            with wave.open(str(path), "rb") as w:
                if w.getsampwidth() != 2:
                    raise RenderError(f"{path.name} is not 16-bit PCM; write the master as 16-bit")
                rate, channels, n = w.getframerate(), w.getnchannels(), w.getnframes()
            offset = wav_data_offset(path)
        except (OSError, EOFError, wave.Error) as exc:
            raise RenderError(f"cannot read the master audio {path}: {exc}") from exc
        if offset is None:
            raise RenderError(f"cannot read the master audio {path}: no data chunk")
        return cls(path, rate, channels, n, offset)

    def chunks(self, a: int, b: int) -> Iterator[bytes]:
        """The raw bytes of frames ``a:b``, a slice at a time."""
        width = 2 * self.channels
        with self.path.open("rb") as fh:
            for lo in range(a, b, _READ_FRAMES):
                hi = min(b, lo + _READ_FRAMES)
                data = os.pread(fh.fileno(), (hi - lo) * width, self.offset + lo * width)
                if len(data) != (hi - lo) * width:
                    raise RenderError(f"cannot read the master audio {self.path}: it is truncated")
                yield data


def _loud_blocks(wav: Path) -> tuple[npt.NDArray[np.bool_], int, int, int]:
    """Per ``_QUIET_BLOCK`` of a 16-bit PCM WAV, whether any sample exceeds ``_QUIET``; plus
    the block size, the frame count and the sample rate. Read in slices (long episodes)."""
    src = _Wav.open(wav)
    block = max(1, round(_QUIET_BLOCK * src.rate))
    flags: list[npt.NDArray[np.bool_]] = []
    step = block * 1000
    for lo in range(0, src.n, step):
        data = b"".join(src.chunks(lo, min(src.n, lo + step)))
        x = np.frombuffer(data, dtype="<i2")
        frames = len(x) // src.channels
        x = np.pad(x, (0, (-frames % block) * src.channels)).reshape(-1, block * src.channels)
        flags.append((x.max(axis=1) > _QUIET) | (x.min(axis=1) < -_QUIET))
    loud = np.concatenate(flags) if flags else np.zeros(0, dtype=bool)
    return loud, block, src.n, src.rate


def _piece_bounds(
    loud: npt.NDArray[np.bool_], block: int, n: int, rate: int, cuts: Sequence[int] = ()
) -> list[int]:
    """Where the AAC track is cut into pieces encoded apart: ``[0, ..., n]``.

    A piece starts at each of ``cuts`` (``Master.cuts``: before each section, on the same
    grid), so an unchanged section is the same piece after an edit elsewhere, and its
    encoding is reused. A piece longer than ``2 * _PIECE_SECONDS`` is cut
    further about every ``_PIECE_SECONDS`` from its own start. Every cut is quiet for
    ``_SPLICE_MARGIN`` on both sides (the pause between sentences), so the AAC frames either
    side of it carry silence and need no overlap with each other; and it falls on a whole
    number of AAC frames, so the pieces join with no drift. Loud material throughout (a music
    bed) gives fewer cuts, or none.
    """
    grid = aac_frame_grid(rate)
    margin = round(_SPLICE_MARGIN * rate)
    if n < 4 * grid:
        return [0, n]
    before = np.concatenate(([0], np.cumsum(loud, dtype=np.int64)))

    def quiet(points: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        lo = np.maximum(points - margin, 0) // block
        hi = np.minimum(-(-(points + margin) // block), len(loud))
        return np.asarray((before[hi] - before[lo]) == 0)

    edges = [0]
    for c in sorted(cuts):
        if c % grid == 0 and edges[-1] + grid <= c <= n - grid and quiet(np.array([c]))[0]:
            edges.append(c)
    edges.append(n)
    step = round(_PIECE_SECONDS * rate)
    bounds = [0]
    for a, b in itertools.pairwise(edges):
        if b - a > 2 * step:
            inner = np.arange(a + grid, b - grid, grid, dtype=np.int64)
            ok = inner[quiet(inner)]
            for k in range(1, round((b - a) / step)):
                if ok.size == 0:
                    break
                aim = a + k * step
                best = int(ok[np.argmin(np.abs(ok - aim))])
                if best > bounds[-1] + grid and abs(best - aim) < step / 2:
                    bounds.append(best)
        bounds.append(b)
    return bounds


def _adts_frames(data: bytes, what: str) -> list[bytes]:
    """The ADTS frames (header included) of an AAC stream."""
    frames: list[bytes] = []
    at = 0
    while at + 7 <= len(data):
        if data[at] != 0xFF or data[at + 1] & 0xF6 != 0xF0:
            raise RenderError(f"{what}: not an ADTS stream at byte {at}")
        size = ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        if size < 7 or at + size > len(data):
            raise RenderError(f"{what}: truncated ADTS frame at byte {at}")
        frames.append(data[at : at + size])
        at += size
    return frames


@dataclass(frozen=True)
class _Piece:
    """Frames ``a:b`` of the master, encoded on their own and kept as whole AAC frames."""

    a: int
    b: int
    first: bool
    frames: int
    """AAC frames it contributes to the track."""
    key: str


class AudioJob:
    """The AAC track encoded in pieces (see ``_piece_bounds``), each kept in the cache by
    its samples, spliced into one ADTS file when all are there.

    ffmpeg's encoder primes 1024 samples: without edit lists (YouTube) they play first, so the
    first piece starts 1024 samples in (at 48 kHz) and keeps its priming frame; every later
    piece drops its priming frame. Pieces start at quiet points on whole frames, so the
    frames kept add up to the master's timeline exactly and the voice stays in sync. Pieces
    missing from the cache are encoded now, longest first, one per core at most.
    """

    def __init__(
        self,
        wav: Path,
        out: Path,
        cache: Cache,
        *,
        cuts: Sequence[int] = (),
        background: bool = True,
    ) -> None:
        loud, block, n, rate = _loud_blocks(wav)
        self.src = _Wav.open(wav)
        self.out = out
        self.cache = cache
        self.background = background
        self.pieces: list[_Piece] = []
        bounds = _piece_bounds(loud, block, n, rate, cuts)
        for k, (a, b) in enumerate(itertools.pairwise(bounds)):
            total = (
                math.ceil(b * _AAC_RATE / rate / 1024) if b == n else b * _AAC_RATE // rate // 1024
            )
            frames = total - a * _AAC_RATE // rate // 1024
            h = hashlib.sha256()
            for data in self.src.chunks(a, b):
                h.update(data)
            key = content_key(
                _VERSION, "aac-piece", _AAC_ARGS, rate, self.src.channels, k == 0, b == n,
                frames, h.hexdigest(),
            )  # fmt: skip
            self.pieces.append(_Piece(a, b, k == 0, frames, key))
        self.todo = sorted(
            (p for p in self.pieces if cache.path(p.key, "piece.aac") is None),
            key=lambda p: p.a - p.b,
        )
        self._stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future[None]] = []
        if self.todo:
            workers = max(1, min(len(self.todo), os.cpu_count() or 1))
            self._pool = ThreadPoolExecutor(workers, thread_name_prefix="articast-aac")
            self._futures = [self._pool.submit(self._encode, p) for p in self.todo]

    @property
    def encoded(self) -> int:
        """Pieces encoded in this run (the rest came from the cache)."""
        return len(self.todo)

    def _feed(self, piece: _Piece) -> Iterator[bytes]:
        for data in self.src.chunks(piece.a, piece.b):
            if self._stop.is_set():
                return  # ffmpeg sees the end of its input and stops soon
            yield data

    def _encode(self, piece: _Piece) -> None:
        if self._stop.is_set():
            return
        rate, channels = self.src.rate, self.src.channels
        trim = f",atrim=start_sample={_AAC_PRIMING},asetpts=PTS-STARTPTS" if piece.first else ""
        tmp = self.out.with_name(f"{self.out.stem}-{piece.a}.aac")
        what = f"audio encode (from {piece.a / rate:.1f} s)"
        cmd = ffmpeg_cmd(
            ["-f", "s16le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0",
             "-af", f"aresample={_AAC_RATE}{trim},apad=pad_len=2048", *_AAC_ARGS, str(tmp)]
        )  # fmt: skip
        pipe_frames(cmd, self._feed(piece), what, background=self.background)
        if self._stop.is_set():
            tmp.unlink(missing_ok=True)
            return
        frames = _adts_frames(tmp.read_bytes(), what)
        skip = 0 if piece.first else 1
        if len(frames) < skip + piece.frames:
            raise RenderError(f"{what}: {len(frames)} AAC frames, {skip + piece.frames} needed")
        self.cache.put(piece.key, {"piece.aac": b"".join(frames[skip : skip + piece.frames])})
        tmp.unlink(missing_ok=True)

    def wait(self) -> None:
        """Wait for every piece, then splice them into ``out``."""
        try:
            for future in self._futures:
                future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
        with atomic_path(self.out) as tmp, tmp.open("wb") as fh:
            for piece in self.pieces:
                path = self.cache.path(piece.key, "piece.aac")
                if path is None:
                    raise RenderError(
                        f"audio encode: the piece from {piece.a / self.src.rate:.1f} s "
                        "vanished from the cache; build again"
                    )
                fh.write(path.read_bytes())

    def kill(self) -> None:
        """Stop the pieces still running (after a failure elsewhere)."""
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def start_audio(
    wav: Path,
    cache: Cache,
    workdir: Path,
    *,
    cuts: Sequence[int] = (),
    background: bool = True,
) -> tuple[Path, AudioJob]:
    """The episode's AAC track (ADTS, written by ``AudioJob.wait``): the pieces missing from
    the cache start encoding now, alongside the pictures (``background``: at a lower priority
    than them)."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "audio.aac"
    return out, AudioJob(wav, out, cache, cuts=cuts, background=background)


# --------------------------------------------------------------------------- render
