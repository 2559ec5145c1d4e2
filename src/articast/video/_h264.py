"""Encoding of the video stage (private): chunks of raw H.264 with identical parameters, cached
by content, joined by stream copy.

Each slide's part is cut into chunks at caption starts (captions shorter than ``CHUNK_MIN``
share a chunk); a chunk's cache key is what its frames show (``Scene.runs``), so an edit
re-renders the chunks of the edited captions only. Uncached chunks go to one ffmpeg per
``GROUP_FRAMES``, their frames piped in as raw YUV 4:2:0 as they are drawn
(``Scene.yuv_frame``). A chunk opens with an IDR and has one every half second. x264 is
given only the frames that differ from the frame before them (``_gop_layout``): a frame that
repeats it is a skipped picture written by ``_skip`` (karaoke captions change every few
frames, so most frames are repeats), and a group of pictures that shows what the group
before it showed is encoded once and its access units repeated (a still held for seconds
costs one I-frame, not one every half second). A group of pictures that shows still slides
only, their captions below ``strip_rows``, is not given to that x264 at all: its pictures
are written from strips (``Strips``): the slide above the caption band and the caption's
rows, each coded once by an x264 of its own as an I-frame of that strip and moved into the
picture as a slice (``_skip.moved_intra_slice``), or repeated by a skipped slice. The join
puts each chunk on the episode's frame grid: chunks carry a spare frame and are cut at an
access unit delimiter (P-frames only, so a trim needs no re-encode).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from articast.cache import Cache, content_key
from articast.config import VideoSettings
from articast.errors import RenderError
from articast.media import ffmpeg_cmd, pipe_frames
from articast.models import Cue, ProgressEvent, Slides
from articast.pictures.cards import caption_band
from articast.video._composition import Run, Scene
from articast.video._skip import (
    StreamParams,
    idr_pic_id,
    idr_slices,
    is_idr,
    moved_intra_slice,
    parameter_sets,
    skipped_frame,
    skipped_slice,
    stream_params,
    with_frame_num,
    with_idr_pic_id,
)
from articast.video._vbv import BUFSIZE, INIT, MAXRATE, first_underflow, levels

ProgressFn = Callable[[ProgressEvent], None]

_VERSION = "video-v8"  # v8: strips (a caption's rows coded alone)
PART = "part.h264"
"""A chunk in the cache: raw H.264 (Annex B) with an access unit delimiter per frame."""
SLIDE_LEAD = 0.5
"""Seconds a section's slide appears before its first word (matches the audio's chapters)."""
CHUNK_MIN = 1.0
"""A sentence shorter than this (seconds) shares the next sentence's chunk."""
SKIPPED = -1
"""In a chunk's layout: a frame that repeats the one before it (a skipped picture)."""


# --------------------------------------------------------------------------- encoding


def _gop(fps: int) -> int:
    """Frames per closed group of pictures: half a second (YouTube's recommendation), and at
    least two (at 1-3 fps): a group of one frame is all IDRs, with no picture to repeat and
    so no skipped pictures (the encoder then writes no reference frames at all)."""
    return max(2, round(fps / 2))


def encoder_args(
    settings: VideoSettings,
    *,
    moving: bool = False,
    capped: bool = True,
    vbv_init: float | None = None,
) -> list[str]:
    """x264 settings shared by every part (identical parameter sets make stream-copy joins
    valid; ``moving`` changes only the encoder's search, not the stream's parameters).

    H.264 High, yuv420p, closed GOP of half a second, no B-frames (a part can be trimmed
    anywhere), constant quality tuned for stills with a bitrate cap well under YouTube's.
    """
    gop = _gop(settings.fps)
    # Stills: no sub-pixel search (nothing moves): 8% less x264 CPU on the sample's 637
    # encoded frames. Not rc-lookahead=0 or mbtree=0 (16% less): with the VBV cap either
    # made x264's output depend on timing (three encodes of the same frames, three streams),
    # and the same episode must give the same file.
    search = ":subme=1" if moving else ":subme=0"
    return [
        "-c:v",
        "libx264",
        "-preset",
        settings.preset,
        "-tune",
        "stillimage",
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        "-crf",
        "26",
        # The cap holds the bitrate of what x264 is given; strips (``Strips``) are given one
        # picture after another with nothing between, so a cap would only blur them.
        *(["-maxrate", f"{MAXRATE // 10**6}M", "-bufsize", f"{BUFSIZE // 10**6}M"] if capped else []),
        "-x264-params",
        f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0:open-gop=0:8x8dct=1:cabac=1"
        # Stills barely move: the cheapest motion search and no trellis lose no quality here
        # (measured: same PSNR, 17% less CPU).
        f":me=dia:ref=1:trellis=0{search}"
        # Chunks are raw H.264 (Annex B): an access unit delimiter before every frame lets the
        # join cut whole frames, and SPS/PPS before every IDR keep each chunk decodable.
        ":aud=1:repeat-headers=1"
        # How full the buffer is where a stream starts (``_vbv``); x264's default otherwise.
        + (f":vbv-init={vbv_init:.4f}" if vbv_init is not None else ""),
        "-r",
        str(settings.fps),
        *_COLOUR,
        # One encoder thread: the frames arrive through a pipe as they are drawn, and with
        # frame threads x264's rate control (the VBV cap) depended on when they arrived:
        # the sample's MP4 differed from build to build (6 frames of one group). One thread
        # makes it the same every time, and costs little: the pictures are drawn on the
        # other core meanwhile (video stage 8.3 s vs 7.9 s).
        "-threads",
        "1",
    ]


_COLOUR = (
    "-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"
)  # fmt: skip
"""How the frames are coded (``Scene.yuv_frame``: BT.709, limited range) and what the stream
says, so players show the colours drawn."""


def _forced_keys(chunks: Sequence[Chunk], fps: int, gop: int) -> list[str]:
    """ffmpeg output options that open every group of pictures x264 encodes for a run of
    chunks with an IDR (``_key_frames``)."""
    keys: list[int] = []
    total = 0
    for chunk in chunks:
        keys.extend(total + k for k in _key_frames(chunk, gop))
        total += chunk.encoded
    # Half a frame early: ffmpeg keys the first frame at or after each time, and k / fps
    # written with six decimals can round up past frame k (2/3 s -> 0.666667).
    return (
        ["-force_key_frames", ",".join(f"{(k - 0.5) / fps:.6f}" for k in keys[1:])]
        if keys[1:]
        else []
    )


_AUD = b"\x00\x00\x01\x09"
"""Start code and header of an access unit delimiter (H.264 NAL type 9)."""


def _first_frames(data: bytes, frames: int, what: str) -> bytes:
    """The first ``frames`` access units of a raw H.264 stream with a delimiter per frame.

    What comes before the first delimiter (x264's version SEI) is left out: a delimiter must
    open its access unit.
    """
    first = data.find(_AUD)
    if first > 0 and data[first - 1] == 0:
        first -= 1
    data = data[max(first, 0) :]
    start = 0
    for _ in range(frames):
        at = data.find(_AUD, start)
        if at < 0:
            raise RenderError(f"{what}: fewer than {frames} frames; delete the video cache")
        start = at + len(_AUD)
    cut = data.find(_AUD, start)
    if cut < 0:
        return data
    return data[: cut - 1] if data[cut - 1] == 0 else data[:cut]  # 4-byte start codes


def _joined(parts: Sequence[tuple[Path, int]]) -> Iterator[list[bytes]]:
    """Each cached chunk cut to the frames it spans on the episode's grid, as access units.

    Where a chunk ends on a group of one picture, its IDR meets the next chunk's: two IDRs in
    a row must carry different ``idr_pic_id`` (H.264 7.4.3), and chunks encoded apart may
    not, so the second is renumbered.
    """
    last: int | None = None  # idr_pic_id of the access unit written last, if an IDR
    for path, frames in parts:
        what = f"video chunk {path.parent.name[:12]}"
        data = _first_frames(path.read_bytes(), frames, what)
        units = _access_units(data, what)
        last = _after_idr(units, stream_params(data), last)
        yield units


def _after_idr(units: list[bytes], params: StreamParams, last: int | None) -> int | None:
    """Renumber ``units[0]`` if it is an IDR with the ``idr_pic_id`` of the IDR just before
    it (``last``); the id of ``units[-1]`` if an IDR."""
    if last is not None and idr_pic_id(units[0], params) == last:
        units[0] = with_idr_pic_id(units[0], params, 1 if last == 0 else 0)
    return idr_pic_id(units[-1], params)


def trimmed_parts(parts: Sequence[tuple[Path, int]]) -> Iterator[bytes]:
    """The joined stream, a chunk at a time (``_joined``)."""
    for units in _joined(parts):
        yield b"".join(units)


def _group_start(parts: Sequence[tuple[Path, int]], frame: int) -> int:
    """The frame that opens the group of pictures holding ``frame`` (the IDR at or before
    it) in the joined stream."""
    start = at = 0
    for units in _joined(parts):
        for unit in units:
            if at > frame:
                return start
            if is_idr(unit):
                start = at
            at += 1
    return start


def paced_parts(
    parts: Sequence[tuple[Path, int]], settings: VideoSettings, *, cache: Cache, workdir: Path
) -> Iterator[bytes]:
    """The joined stream (``trimmed_parts``), keeping the buffer it declares (``_vbv``): from
    the group of pictures of the first frame the buffer could not deliver to the end, the
    stream x264 makes of its own decoded pictures with the buffer as full as it is there."""
    fps = settings.fps
    sizes = [len(unit) for units in _joined(parts) for unit in units]
    late = first_underflow(sizes, fps)
    if late is None:
        yield from trimmed_parts(parts)
        return
    start = _group_start(parts, late.frame)
    level = levels(sizes[: start + 1], fps)[start]
    tail = bytearray()
    params: StreamParams | None = None
    before: bytes | None = None  # the last access unit kept as it was
    at = 0
    for units in _joined(parts):
        here, at = at, at + len(units)
        cut = max(0, start - here)
        if cut:
            params = params or stream_params(b"".join(units))
            before = units[min(cut, len(units)) - 1]
        yield b"".join(units[:cut])
        tail += b"".join(units[cut:])
    # ``vbv-init``: a little under the level found, so that rounding in x264's accounting of
    # the buffer cannot put a frame late.
    init = max(0.05, min(INIT, 0.97 * level / BUFSIZE))
    args = encoder_args(settings, moving=True, vbv_init=init)
    key = content_key(_VERSION, "paced", hashlib.sha256(tail).hexdigest(), args)
    hit = cache.path(key, PART)
    if hit is None:
        scratch = Path(tempfile.mkdtemp(prefix="articast-paced-", dir=workdir))
        try:
            out = scratch / "paced.h264"
            cmd = ffmpeg_cmd(
                ["-framerate", str(fps), "-f", "h264", "-i", "-", *args, "-an",
                 "-f", "h264", str(out)]
            )  # fmt: skip
            pipe_frames(cmd, [memoryview(tail)], "keeping the video's buffer")
            made = out.read_bytes()
            expected = len(sizes) - start
            if len(_access_units(made, "keeping the video's buffer")) != expected:
                raise RenderError(
                    f"keeping the video's buffer: the encoder wrote a different number of "
                    f"frames than the {expected} given"
                )
            cache.put(key, {PART: made})
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        hit = cache.path(key, PART)
        assert hit is not None
    data = hit.read_bytes()
    units = _access_units(data, "keeping the video's buffer")
    last = None if before is None or params is None else idr_pic_id(before, params)
    _after_idr(units, stream_params(data), last)
    yield b"".join(units)


def part_bounds(slides: Slides, cues: Sequence[Cue], fps: int) -> list[float]:
    """Where each slide's part starts on the episode timeline, plus the episode's end.

    A section's part starts ``SLIDE_LEAD`` before its first caption's first word (the audio's
    chapter lead-in), not at the chapter time: word times shift exactly when an edit earlier
    in the episode moves a section, so the part's pictures, relative to its start, are
    unchanged and its cached render stays valid. The first part starts at 0; a slide without
    words starts at its chapter time.
    """
    step = 1.0 / fps
    out: list[float] = []
    for i, slide in enumerate(slides.slides):
        if i == 0:
            out.append(0.0)
            continue
        first = next((c for c in cues if slide.start <= c.start < slide.end), None)
        b = first.start - SLIDE_LEAD if first is not None else slide.start
        out.append(max(b, out[-1] + step))
    out.append(max(slides.slides[-1].end, out[-1] + step))
    return out


@dataclass(frozen=True)
class Chunk:
    """A piece of one slide's part: encoded (and cached) on its own, joined by stream copy."""

    slide: int
    """Index of the slide (part) it belongs to."""
    start: float
    """Where it starts on the episode timeline (a caption's first word, or the part start)."""
    end: float
    n: int
    """Frames encoded: its own length plus one spare frame (the join trims to the grid)."""
    runs: tuple[Run, ...]
    """Its frames as sampled pictures (``Scene.runs``)."""
    dense: bool
    """Most frames move (a zoom): frames are piped raw instead of written as stills."""
    key: str
    layout: tuple[int | Strips, ...] = ()
    """Which encoded frame each of the ``n`` frames shows, or ``SKIPPED`` (see
    ``_gop_layout``), or the strips it is written from (``_strip_layout``); empty when every
    frame is encoded."""

    @property
    def encoded(self) -> int:
        """Frames the encoder is given for this chunk."""
        if not self.layout:
            return self.n
        return max((e for e in self.layout if isinstance(e, int)), default=-1) + 1


@dataclass(frozen=True)
class Strips:
    """In a chunk's layout: a picture written as two slices, the rows above a caption and the
    rows from there down (``strip_rows``), each either coded alone (intra: x264 is given the
    strip, not the picture) or repeated from the picture before it (skipped).

    Karaoke captions change the picture every few frames, and only in their own rows: x264
    spends as long on a 1080p picture whatever changed in it (about 7 ms), so a word lit costs
    a fifth of that as a strip, and the slide above, the same for seconds, is coded once for
    every group of pictures that opens on it.
    """

    top: str | None
    """The slide shown above the caption (``Scene.strip_top``), or ``None``: repeated."""
    band: object | None
    """What the caption's rows show (the frame's ``Run.key``), or ``None``: repeated."""


def strip_rows(size: tuple[int, int]) -> int | None:
    """The picture row where strips split a picture of ``size``: the macroblock row at or
    above the caption band's top (``caption_band``); ``None`` when the band leaves no room."""
    rows = caption_band(size)[0] // 16 * 16
    return rows if 16 <= rows <= size[1] - 16 else None


def _strip_layout(scene: Scene, chunk: Chunk, gop: int, rows: int | None) -> Chunk:
    """``chunk`` with each group of pictures that shows still slides only, their captions
    below ``rows`` (``Scene.strip_top``), written from strips (``Strips``); the frames x264
    is still given are numbered again from 0."""
    if chunk.dense or rows is None:
        return chunk
    frame_run = [run for run in chunk.runs for _ in range(run.first, run.last)][: chunk.n]
    tops: dict[int, str | None] = {}

    def top_of(run: Run) -> str | None:
        if run.first not in tops:
            tops[run.first] = None if run.moving else scene.strip_top(run.at, rows)
        return tops[run.first]

    full = chunk.layout or tuple(range(chunk.n))
    layout: list[int | Strips] = []
    renumbered: dict[int | Strips, int] = {}
    for g0 in range(0, chunk.n, gop):
        where = range(g0, min(chunk.n, g0 + gop))
        keys = [top_of(frame_run[pos]) for pos in where]
        if all(key is not None for key in keys):
            for j, pos in enumerate(where):
                run, before = frame_run[pos], frame_run[pos - 1]
                if j == 0:  # an IDR: both strips
                    layout.append(Strips(keys[0], run.key))
                elif run.key == before.key:
                    layout.append(SKIPPED)
                else:
                    layout.append(Strips(keys[j] if keys[j] != keys[j - 1] else None, run.key))
            continue
        for pos in where:
            e = full[pos]
            layout.append(SKIPPED if e == SKIPPED else renumbered.setdefault(e, len(renumbered)))
    return dataclasses.replace(chunk, layout=tuple(layout))


def _gop_layout(runs: Sequence[Run], n: int, gop: int) -> tuple[int, ...]:
    """Which encoded frame each of a chunk's ``n`` frames shows (``SKIPPED``: a repeat of the
    frame before it, written by ``_skip`` rather than encoded).

    A chunk starts with an IDR and has one every ``gop`` frames, so every group of pictures
    decodes on its own. Inside a group, a frame that shows what the frame before it showed
    is a skipped picture (karaoke captions change every few frames: most frames repeat). A
    group that shows exactly what the group before it showed (a still picture held: a
    caption on screen for a few seconds) is encoded once and its access units repeated: the
    I-frame every half second is where the encoder spends its time on stills. Frames that
    move are always encoded. Returns ``()`` when every frame is encoded.
    """
    if gop < 2:  # every frame an IDR: consecutive IDRs must differ (idr_pic_id)
        return ()
    keys: list[object] = []
    for run in runs:
        for i in range(run.first, run.last):
            keys.append(("moving", i) if run.moving else run.key)
    layout: list[int] = []
    encoded = 0
    held: tuple[tuple[object, ...], list[int]] | None = None  # the last encoded group
    for g0 in range(0, n, gop):
        group = tuple(keys[g0 : g0 + gop])
        if held is not None and group == held[0][: len(group)]:
            layout.extend(held[1][: len(group)])
            continue
        entries: list[int] = []
        for j, key in enumerate(group):
            if j and key == group[j - 1]:
                entries.append(SKIPPED)
            else:
                entries.append(encoded)
                encoded += 1
        held = (group, entries)
        layout.extend(entries)
    return () if encoded == n else tuple(layout)


def _key_frames(chunk: Chunk, gop: int) -> list[int]:
    """The encoded frames of ``chunk`` that open a group of pictures (IDRs)."""
    if not chunk.layout:
        return list(range(0, chunk.n, gop))
    out: list[int] = []
    fresh = 0
    for pos, e in enumerate(chunk.layout):
        if e == fresh:
            fresh += 1
            if pos % gop == 0:
                out.append(e)
    return out


def _access_units(data: bytes, what: str) -> list[bytes]:
    """The access units of a raw H.264 stream with a delimiter before every frame (what comes
    before the first delimiter, x264's version SEI, is left out)."""
    starts: list[int] = []
    at = data.find(_AUD)
    while at >= 0:
        starts.append(at - 1 if at > 0 and data[at - 1] == 0 else at)  # 4-byte start codes
        at = data.find(_AUD, at + len(_AUD))
    if not starts:
        raise RenderError(f"{what}: the encoder wrote no frames")
    return [data[a:b] for a, b in itertools.pairwise([*starts, len(data)])]


_AUD_ANY = b"\x00\x00\x00\x01\x09\x30"
"""Access unit delimiter of a picture of I and P slices (primary_pic_type 1)."""


class _StripStore:
    """Strips kept by what they show, one file each (``<cache>/strips/<key[:2]>/<key>.h264``:
    the strip's SPS, PPS and its one access unit), written atomically. A cache entry folder
    apiece cost 1.3 ms to write: half a second for the sample's 400 strips."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: set[Path] = set()

    def path(self, name: str) -> Path:
        return self.root / name[:2] / f"{name}.h264"

    def get(self, name: str) -> bytes | None:
        try:
            return self.path(name).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, name: str, data: bytes) -> None:
        path = self.path(name)
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        tmp = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


_Strips = dict[object, tuple[bytes, StreamParams]]
"""A layout's strip keys (``Strips.top``/``Strips.band``) -> the strip's IDR slice and the
parameters of the stream it was coded in."""


def _assemble(
    chunk: Chunk,
    units: Sequence[bytes],
    params: StreamParams,
    headers: bytes,
    strips: tuple[_Strips, _Strips],
    rows: int,
    gop: int,
) -> bytes:
    """A chunk's raw H.264 from x264's frames for it (``units``), skipped pictures and strips,
    as its layout says: every frame is a reference frame, so a P-frame's ``frame_num`` is its
    place in its group of pictures."""
    out: list[bytes] = []
    split = rows // 16 * params.width_mbs
    for pos, e in enumerate(chunk.layout or range(chunk.n)):
        place = pos % gop
        if isinstance(e, Strips):
            out.append(_AUD_ANY + (headers if place == 0 else b""))
            for key, coded, first, count, alone in (
                (e.top, strips[0], 0, split, False),
                (e.band, strips[1], split, params.macroblocks - split, True),
            ):
                if key is None:
                    out.append(skipped_slice(params, place, first, count))
                    continue
                nal, src = coded[key]
                out.append(
                    moved_intra_slice(
                        nal, src, params,
                        first_mb=first, frame_num=place, idr=place == 0, own_edges=alone,
                    )
                )  # fmt: skip
            continue
        if e == SKIPPED:
            out.append(skipped_frame(params, place))
            continue
        if is_idr(units[e]) != (place == 0):  # the frame numbers below would be wrong
            raise RenderError(
                f"video chunk {chunk.key[:12]}: the encoder put a key frame at frame {pos}, "
                "not where the chunk's groups of pictures start; this is a bug in articast"
            )
        out.append(with_frame_num(units[e], params, place) if place else units[e])
    return b"".join(out)


def _chunk_starts(cues: Sequence[Cue], start: float, end: float) -> list[float]:
    """Where a part is cut into chunks: at every caption's first word.

    A caption shorter than ``CHUNK_MIN`` (up to the next one) shares the next one's chunk.
    Each decision looks at one caption only, never at where the previous cut fell, so an edit
    changes the cuts around the edited sentence's captions and nowhere else. The cut times
    are word times, so a chunk's pictures (relative to its start) do not change when an edit
    elsewhere shifts it: editing a sentence re-renders the chunks of its captions only.
    """
    starts = [start]
    inside = [c.start for c in cues if start < c.start < end]
    for here, after in itertools.pairwise([*inside, end]):
        if here - start >= CHUNK_MIN and after - here >= CHUNK_MIN and end - here >= 1.0:
            starts.append(here)
    return starts


def plan_chunks(
    slides: Slides, cues: Sequence[Cue], settings: VideoSettings, scene: Scene | None = None
) -> tuple[Scene, list[Chunk]]:
    """The scene and the chunks of every part, each with its cache key."""
    fps = settings.fps
    bounds = part_bounds(slides, cues, fps)
    if scene is None:
        scene = Scene(slides, cues, settings, bounds)
    chunks: list[Chunk] = []
    gop = _gop(fps)
    for index, part in enumerate(scene.parts):
        b0, b1 = bounds[index], bounds[index + 1]
        dense = bool(part.motion)
        starts = [b0] if dense else _chunk_starts(cues, b0, b1)
        for c0, c1 in zip(starts, [*starts[1:], b1], strict=True):
            n = max(1, round((c1 - c0) * fps)) + 1
            # The spare frame repeats the last picture: it must not depend on the next chunk.
            sampled = scene.runs(c0, n - 1)
            last = sampled[-1]
            sampled[-1] = Run(last.first, n, last.at, last.moving, last.shows, last.key)
            runs = tuple(sampled)
            args = encoder_args(settings, moving=dense)
            key = content_key(
                _VERSION, slides.size, fps, args, n, dense, [(r.first, r.last, r.key) for r in runs]
            )
            layout = () if dense else _gop_layout(runs, n, gop)
            chunks.append(Chunk(index, c0, c1, n, runs, dense, key, layout))
    return scene, chunks


GROUP_FRAMES = 3000
"""Frames (five minutes at 10 fps) after which a run of uncached chunks goes to an ffmpeg of
its own: one encoder for as much as it can take (an encoder's start costs about a third of a
second of CPU at 1080p) while its list of key frames stays short enough for one argument."""


def _uncached_runs(chunks: Sequence[Chunk], cache: Cache) -> list[list[Chunk]]:
    """Runs of consecutive uncached chunks, up to about ``GROUP_FRAMES`` frames each (one
    ffmpeg each); a dense chunk (a zoom) is a run alone."""
    groups: list[list[Chunk]] = []
    prev: Chunk | None = None
    for chunk in chunks:
        if cache.path(chunk.key, PART) is not None:
            prev = None
            continue
        if (
            prev is not None
            and not prev.dense
            and not chunk.dense
            and sum(c.n for c in groups[-1]) < GROUP_FRAMES
        ):
            groups[-1].append(chunk)
        else:
            groups.append([chunk])
        prev = chunk
    return groups


def _encoded_runs(chunk: Chunk) -> list[tuple[Run, int]]:
    """The runs of the frames the encoder is given for ``chunk``, each with its frame count
    (every frame without a layout; the first showing of each encoded frame with one)."""
    if not chunk.layout:
        return [(run, run.last - run.first) for run in chunk.runs]
    frame_run = [run for run in chunk.runs for _ in range(run.first, run.last)]
    out: list[tuple[Run, int]] = []
    expected = 0
    for i, e in enumerate(chunk.layout):
        if e != expected:
            continue  # a skipped or repeated frame: not given to the encoder
        expected += 1
        run = frame_run[i]
        if out and out[-1][0] is run and not run.moving:
            out[-1] = (run, out[-1][1] + 1)
        else:
            out.append((run, 1))
    return out


def _frames(
    scene: Scene, group: Sequence[Chunk], done: Callable[[Chunk], None], *, rgb: bool = False
) -> Iterator[memoryview]:
    """The raw YUV 4:2:0 frames the encoder is given for a run of chunks, in order, in pieces
    (``Scene.yuv_frame``): each distinct picture sampled once, however many frames show it
    (``done`` after each chunk). With ``rgb``, whole RGB frames (for ffmpeg to convert)."""
    shown: tuple[object, ...] | None = None
    pieces: list[memoryview] = []
    for chunk in group:
        for run, frames in _encoded_runs(chunk):
            if run.moving or run.key != shown:
                pieces = (
                    [np.ascontiguousarray(scene.frame(run.at)).data]
                    if rgb
                    else scene.yuv_frame(run.at)
                )
                shown = None if run.moving else run.key
            for _ in range(frames):
                yield from pieces
        done(chunk)


def _locked(items: Iterator[memoryview], lock: threading.Lock) -> Iterator[memoryview]:
    """``items``, each made while holding ``lock`` (the scene's caches are not shared across
    threads) and written to its pipe after letting it go."""
    while True:
        with lock:
            item = next(items, None)
        if item is None:
            return
        yield item


def _strip_frames(
    scene: Scene, wanted: dict[object, float], rows: int, *, top: bool
) -> Iterator[memoryview]:
    for t in wanted.values():
        yield from scene.strip_yuv(t, rows, top=top)


def _headers_key(settings: VideoSettings, size: tuple[int, int]) -> str:
    return content_key(_VERSION, "headers", size, encoder_args(settings))


def _parameter_sets(data: bytes) -> bytes:
    """The SPS and PPS of a raw H.264 stream, with start codes."""
    sps, pps = parameter_sets(data)
    return _START4 + sps + _START4 + pps


def _headers(settings: VideoSettings, size: tuple[int, int], cache: Cache, folder: Path) -> bytes:
    """The SPS and PPS x264 writes for pictures of ``size``, for a run of chunks made of
    strips only: kept from the last run that had whole pictures, or one black frame encoded
    (then kept)."""
    key = _headers_key(settings, size)
    hit = cache.path(key, PART)
    if hit is None:
        width, height = size
        out = folder / "headers.h264"
        cmd = ffmpeg_cmd(
            ["-f", "rawvideo", "-s", f"{width}x{height}", "-pix_fmt", "yuv420p",
             "-framerate", str(settings.fps), *_COLOUR, "-i", "-", *encoder_args(settings),
             "-frames:v", "1", "-an", "-f", "h264", str(out)]
        )  # fmt: skip
        black = bytes([16]) * (width * height) + bytes([128]) * (width * height // 2)
        pipe_frames(cmd, [black], "video parameter sets")
        cache.put(key, {PART: _parameter_sets(out.read_bytes())})
        hit = cache.path(key, PART)
        assert hit is not None
    return hit.read_bytes()


_START4 = b"\x00\x00\x00\x01"


def render_chunks(
    scene: Scene,
    chunks: Sequence[Chunk],
    settings: VideoSettings,
    *,
    workdir: Path,
    cache: Cache,
    progress: ProgressFn | None = None,
) -> tuple[str, ...]:
    """Encode every chunk missing from the cache; the titles of the parts rendered.

    Per run of uncached chunks, up to three x264s at once, each fed through a pipe as the
    pictures are drawn (no still is written to disk): whole pictures, the slides above the
    captions, and the captions' rows (``Strips``).
    """
    fps = settings.fps
    gop = _gop(fps)
    width, height = scene.size
    rows = strip_rows(scene.size)
    groups = _uncached_runs(chunks, cache)
    rendered: list[str] = []
    total_chunks = sum(len(group) for group in groups)
    count = [0]

    def done(chunk: Chunk) -> None:
        part = scene.parts[chunk.slide].slide
        title = part.title or part.kind
        if title not in rendered:
            rendered.append(title)
        count[0] += 1
        if progress:
            progress(ProgressEvent("video", count[0], total_chunks, f"rendered: {title}"))

    scratch = Path(tempfile.mkdtemp(prefix="articast-pictures-", dir=workdir))
    lock = threading.Lock()
    # Strips and chunks are written to the caches on threads of their own while the next
    # chunks are put together: 430 small files took 0.4 s in a cold build of the sample
    # (0.08 s on an idle machine); all are written before this returns.
    writer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="articast-store")
    writes: list[Future[object]] = []
    try:
        for number, planned in enumerate(groups, 1):
            folder = scratch / f"run{number:04d}"
            folder.mkdir()
            group = [_strip_layout(scene, chunk, gop, rows) for chunk in planned]
            wanted: tuple[dict[object, float], dict[object, float]] = ({}, {})
            for chunk in group:
                frame_run = [run for run in chunk.runs for _ in range(run.first, run.last)]
                for pos, e in enumerate(chunk.layout):
                    if isinstance(e, Strips):
                        for key, seen in ((e.top, wanted[0]), (e.band, wanted[1])):
                            if key is not None and key not in seen:
                                seen[key] = frame_run[pos].at
            # Each strip by what it shows: one coded before (an edit that changes a section's
            # key points leaves its captions' strips as they were) comes from the cache.
            strip_args = encoder_args(settings, capped=False)
            store = _StripStore(cache.root.parent / "strips")
            named: tuple[dict[object, str], dict[object, str]] = ({}, {})
            todo: tuple[dict[object, float], dict[object, float]] = ({}, {})
            for side, seen in enumerate(wanted):
                for key, t in seen.items():
                    shows = scene.strip_key(t, rows or 0, top=side == 0)
                    name = content_key(_VERSION, "strip", scene.size, rows, strip_args, shows)
                    named[side][key] = name
                    if name not in todo[side] and not store.path(name).is_file():
                        todo[side][name] = t
            total = sum(chunk.encoded for chunk in group)
            slide = scene.parts[group[0].slide].slide
            jobs: list[tuple[list[str], Iterator[memoryview], str]] = []
            if total:
                # Where every frame moves (a zoom), ffmpeg converts the pictures on a thread
                # of its own; stills are converted here, a caption's rows at a time.
                rgb = group[0].dense
                source = (
                    ["-pix_fmt", "rgb24", "-framerate", str(fps), "-i", "-",
                     "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p"]
                    if rgb
                    else ["-pix_fmt", "yuv420p", "-framerate", str(fps), *_COLOUR, "-i", "-"]
                )  # fmt: skip
                cmd = ffmpeg_cmd(
                    ["-f", "rawvideo", "-s", f"{width}x{height}", *source,
                     *encoder_args(settings, moving=rgb), "-frames:v", str(total), "-an",
                     *_forced_keys(group, fps, gop), "-f", "h264", str(folder / "full.h264")]
                )  # fmt: skip
                frames = _frames(scene, group, lambda _chunk: None, rgb=rgb)
                jobs.append((cmd, frames, f"video from {slide.title!r} on"))
            for k, (seen, strip_h, label) in enumerate(
                ((todo[0], rows, "slides"), (todo[1], height - (rows or 0), "captions"))
            ):
                if not seen or rows is None:
                    continue
                cmd = ffmpeg_cmd(
                    ["-f", "rawvideo", "-s", f"{width}x{strip_h}", "-pix_fmt", "yuv420p",
                     "-framerate", str(fps), *_COLOUR, "-i", "-", *strip_args,
                     "-force_key_frames", "expr:1", "-frames:v", str(len(seen)), "-an",
                     "-f", "h264", str(folder / f"{label}.h264")]
                )  # fmt: skip
                strips = _strip_frames(scene, seen, rows, top=k == 0)
                jobs.append((cmd, strips, f"video {label} from {slide.title!r} on"))
            # No job: every strip is stored and nothing is left for x264 (a chunk removed
            # from its cache while its strips stayed).
            with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
                running = [
                    pool.submit(pipe_frames, cmd, _locked(items, lock), what)
                    for cmd, items, what in jobs
                ]
                for job in running:
                    job.result()
            what = f"video from {slide.title!r} on"
            if total:
                data = (folder / "full.h264").read_bytes()
                units = _access_units(data, what)
                if len(units) != total:
                    raise RenderError(
                        f"{what}: the encoder wrote {len(units)} frames, expected {total}"
                    )
                known = _headers_key(settings, scene.size)
                if not group[0].dense and cache.path(known, PART) is None:
                    # For a later run of strips only (an edit): no black frame to encode.
                    cache.put(known, {PART: _parameter_sets(data)})
            else:
                data, units = _headers(settings, scene.size, cache, folder), []
            params = stream_params(data)
            params.check_skippable()
            headers = _parameter_sets(data)
            pps = parameter_sets(data)[1]
            fresh: dict[str, bytes] = {}
            for side, label in enumerate(("slides", "captions")):
                path = folder / f"{label}.h264"
                if path.exists():
                    stream = path.read_bytes()
                    coded = _access_units(stream, what)
                    if len(coded) != len(todo[side]):
                        raise RenderError(
                            f"{what}: the {label} encoder wrote {len(coded)} strips, "
                            f"expected {len(todo[side])}"
                        )
                    strip_sets = _parameter_sets(stream)
                    for coded_name, unit in zip(todo[side], coded, strict=True):
                        fresh[str(coded_name)] = strip_sets + unit
                        writes.append(
                            writer.submit(store.put, str(coded_name), fresh[str(coded_name)])
                        )
            parsed: dict[bytes, StreamParams] = {}
            made: tuple[_Strips, _Strips] = ({}, {})
            for side in (0, 1):
                for key, name in named[side].items():
                    found = fresh.get(name) or store.get(name)
                    if found is None:
                        raise RenderError(f"{what}: strip {name[:12]} missing from {store.root}")
                    strip_sps, strip_pps = parameter_sets(found)
                    if strip_pps != pps:
                        raise RenderError(
                            f"{what}: a strip's PPS differs from the picture's; delete "
                            f"{cache.root} and rebuild"
                        )
                    if strip_sps not in parsed:
                        parsed[strip_sps] = stream_params(found)
                    made[side][key] = (idr_slices(found)[0], parsed[strip_sps])
            at = 0
            for chunk in group:
                part = _assemble(
                    chunk, units[at : at + chunk.encoded], params, headers, made, rows or 0, gop
                )
                at += chunk.encoded
                writes.append(writer.submit(cache.put, chunk.key, {PART: part}))
                done(chunk)
        for write in writes:
            write.result()  # a cache that cannot be written fails the build, as before
    finally:
        writer.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return tuple(rendered)


def cached_parts(chunks: Sequence[Chunk], cache: Cache, fps: int) -> list[tuple[Path, int]]:
    """Every chunk's cached file and the frames it spans on the episode's grid."""
    parts: list[tuple[Path, int]] = []
    for chunk in chunks:
        frames = round(chunk.end * fps) - round(chunk.start * fps)
        if frames <= 0:
            continue
        path = cache.path(chunk.key, PART)
        if path is None:
            raise RenderError(f"video chunk {chunk.key[:12]} missing from {cache.root}")
        parts.append((path, frames))
    return parts
