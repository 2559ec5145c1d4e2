"""The video's sound (private): AAC-LC 48 kHz stereo from the master WAV, encoded in pieces
at once and spliced frame by frame."""

from __future__ import annotations

import itertools
import math
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from articast.cache import Cache, content_key
from articast.errors import RenderError
from articast.media import Job, ffmpeg_cmd, start_ffmpeg
from articast.pictures.overlay import file_key

_VERSION = "video-v4"
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
_AAC_RATE = 48000
_AAC_PIECES = 2
"""The AAC track is encoded in this many pieces at once (at least one per core, and more to
even out the load): the longest job of a rebuild that re-renders one sentence's pictures."""
_QUIET = 32
"""Largest sample (16-bit) around a splice point: about -60 dBFS."""
_SPLICE_MARGIN = 0.08
"""Seconds of quiet needed on each side of a splice point (three AAC frames and more)."""


_QUIET_BLOCK = 0.01
"""Seconds per block of the master scanned for quiet."""


def _loud_blocks(wav: Path) -> tuple[npt.NDArray[np.bool_], int, int, int]:
    """Per ``_QUIET_BLOCK`` of a 16-bit PCM WAV, whether any sample exceeds ``_QUIET``; plus
    the block size, the frame count and the sample rate. Read in slices (long episodes)."""
    try:
        with wave.open(str(wav), "rb") as w:
            if w.getsampwidth() != 2:
                raise RenderError(f"{wav.name} is not 16-bit PCM; write the master as 16-bit")
            rate, channels, n = w.getframerate(), w.getnchannels(), w.getnframes()
            block = max(1, round(_QUIET_BLOCK * rate))
            flags: list[npt.NDArray[np.bool_]] = []
            while data := w.readframes(block * 1000):
                x = np.frombuffer(data, dtype="<i2")
                frames = len(x) // channels
                x = np.pad(x, (0, (-frames % block) * channels)).reshape(-1, block * channels)
                flags.append((x.max(axis=1) > _QUIET) | (x.min(axis=1) < -_QUIET))
    except (OSError, EOFError, wave.Error) as exc:
        raise RenderError(f"cannot read the master audio {wav}: {exc}") from exc
    loud = np.concatenate(flags) if flags else np.zeros(0, dtype=bool)
    return loud, block, n, rate


def _splice_points(
    loud: npt.NDArray[np.bool_], block: int, n: int, rate: int, pieces: int
) -> list[int]:
    """Sample positions where the AAC track may be cut into ``pieces`` pieces.

    Each point is quiet for ``_SPLICE_MARGIN`` on both sides (the pause between sentences),
    so the AAC frames either side of it carry silence and need no overlap with each other;
    and it falls on a whole number of 1024-sample AAC frames at 48 kHz, so the pieces join
    with no drift. Loud material throughout (a music bed) gives fewer points, or none.
    """
    grid = rate * 1024 // math.gcd(rate * 1024, _AAC_RATE)  # input samples per whole frames
    margin = round(_SPLICE_MARGIN * rate)
    if pieces < 2 or n < 4 * grid:
        return []
    before = np.concatenate(([0], np.cumsum(loud, dtype=np.int64)))
    points = np.arange(grid, n - grid, grid, dtype=np.int64)
    lo = np.maximum(points - margin, 0) // block
    hi = np.minimum(-(-(points + margin) // block), len(loud))
    ok = points[before[hi] - before[lo] == 0]
    cuts: list[int] = []
    for k in range(1, pieces):
        if ok.size == 0:
            break
        aim = k * n / pieces
        best = int(ok[np.argmin(np.abs(ok - aim))])
        if (not cuts or best > cuts[-1]) and abs(best - aim) < n / (2 * pieces):
            cuts.append(best)
    return cuts


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


class AudioJob:
    """The AAC track encoded in pieces at once, spliced into one ADTS file when all end.

    ffmpeg's encoder primes 1024 samples: without edit lists (YouTube) they play first, so the
    first piece starts 1024 samples in (at 48 kHz) and keeps its priming frame; every later
    piece drops its priming frame. Pieces start at quiet points on whole frames, so the
    frames kept add up to the master's timeline exactly and the voice stays in sync.
    """

    def __init__(
        self, wav: Path, out: Path, done: Callable[[], None], *, background: bool = True
    ) -> None:
        loud, block, n, rate = _loud_blocks(wav)
        bounds = [0, *_splice_points(loud, block, n, rate, _AAC_PIECES), n]
        self.out = out
        self.done = done
        self.frames: list[int] = []
        self.jobs: list[Job] = []
        for k, (a, b) in enumerate(itertools.pairwise(bounds)):
            if k == 0:
                trim = (
                    f"atrim=end_sample={b},aresample={_AAC_RATE},atrim=start_sample={_AAC_PRIMING}"
                )
            else:
                trim = f"atrim=start_sample={a}:end_sample={b},aresample={_AAC_RATE}"
            total = (
                math.ceil(b * _AAC_RATE / rate / 1024) if b == n else b * _AAC_RATE // rate // 1024
            )
            self.frames.append(total - a * _AAC_RATE // rate // 1024)
            piece = out.with_name(f"{out.stem}-{k}.aac")
            cmd = ffmpeg_cmd(
                ["-i", str(wav), "-af", f"{trim},asetpts=PTS-STARTPTS,apad=pad_len=2048",
                 *_AAC_ARGS, str(piece)]
            )  # fmt: skip
            what = f"audio encode (piece {k + 1})"
            self.jobs.append(start_ffmpeg(cmd, what, background=background))

    def wait(self) -> None:
        """Wait for every piece, then splice them into ``out`` and call ``done``."""
        for job in self.jobs:
            job.wait()
        kept: list[bytes] = []
        for k, count in enumerate(self.frames):
            piece = self.out.with_name(f"{self.out.stem}-{k}.aac")
            frames = _adts_frames(piece.read_bytes(), f"audio piece {k + 1}")
            first = 0 if k == 0 else 1
            if len(frames) < first + count:
                raise RenderError(
                    f"audio piece {k + 1}: {len(frames)} AAC frames, {first + count} needed"
                )
            kept.extend(frames[first : first + count])
            piece.unlink(missing_ok=True)
        self.out.write_bytes(b"".join(kept))
        self.done()

    def kill(self) -> None:
        """Stop the pieces still running (after a failure elsewhere)."""
        for job in self.jobs:
            job.kill()


def start_audio(
    wav: Path, cache: Cache, workdir: Path, *, background: bool = True
) -> tuple[Path, AudioJob | None]:
    """The episode's AAC track (ADTS): from the cache, or encoding jobs started now (they run
    alongside the pictures; ``background``: at a lower priority than them)."""
    key = content_key(_VERSION, "aac-pieces", _AAC_ARGS, _AAC_PIECES, file_key(wav))
    hit = cache.path(key, "audio.aac")
    if hit is not None:
        return hit, None
    out = workdir / "audio.aac"
    return cache.dir_for(key) / "audio.aac", AudioJob(
        wav, out, lambda: store(cache, key, "audio.aac", out), background=background
    )


def store(cache: Cache, key: str, name: str, src: Path) -> None:
    cache.put(key, {name: src.read_bytes()})
    src.unlink(missing_ok=True)


# --------------------------------------------------------------------------- render
