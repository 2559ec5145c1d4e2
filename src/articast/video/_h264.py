"""Encoding of the video stage (private): chunks of raw H.264 with identical parameters, cached
by content, joined by stream copy.

Each slide's part is cut into chunks at caption starts (captions shorter than ``CHUNK_MIN``
share a chunk); a chunk's cache key is what its frames show (``Scene.runs``), so an edit
re-renders the chunks of the edited captions only. Uncached chunks of one part are encoded
by one ffmpeg: the scene's distinct pictures written once as stills and sequenced by the
concat demuxer, or, where most frames move (a zoom), raw frames piped in. A chunk opens with
an IDR and has one every half second; a group of pictures that shows what the group before it
showed is encoded once and its access units repeated (``_gop_layout``): a still held for
seconds costs one I-frame, not one every half second. The join puts
each chunk on the episode's frame grid: chunks carry a spare frame and are cut at an access
unit delimiter (P-frames only, so a trim needs no re-encode).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from articast.cache import Cache, content_key
from articast.config import VideoSettings
from articast.errors import RenderError
from articast.media import Job, ffmpeg_cmd, pipe_frames, start_ffmpeg
from articast.models import Cue, ProgressEvent, Slides
from articast.video._aac import store
from articast.video._composition import Run, Scene, write_ppm

ProgressFn = Callable[[ProgressEvent], None]

_VERSION = "video-v6"  # v6: captions in Noto Sans (accents, Greek, Cyrillic)
PART = "part.h264"
"""A chunk in the cache: raw H.264 (Annex B) with an access unit delimiter per frame."""
SLIDE_LEAD = 0.5
"""Seconds a section's slide appears before its first word (matches the audio's chapters)."""
CHUNK_MIN = 1.0
"""A sentence shorter than this (seconds) shares the next sentence's chunk."""
_SMALL_RENDER = 30.0
"""Seconds of pictures up to which a render encodes on one thread."""



# --------------------------------------------------------------------------- encoding


def encoder_args(settings: VideoSettings) -> list[str]:
    """x264 settings shared by every part (identical parameters make stream-copy joins valid).

    H.264 High, yuv420p, closed GOP of half a second, no B-frames (a part can be trimmed
    anywhere), constant quality tuned for stills with a bitrate cap well under YouTube's.
    """
    gop = max(1, round(settings.fps / 2))
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
        "-maxrate",
        "3M",
        "-bufsize",
        "6M",
        "-x264-params",
        f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0:open-gop=0:8x8dct=1:cabac=1"
        # Stills barely move: the cheapest motion search and no trellis lose no quality here
        # (measured: same PSNR, 17% less CPU).
        ":me=dia:ref=1:subme=1:trellis=0"
        # Chunks are raw H.264 (Annex B): an access unit delimiter before every frame lets the
        # join cut whole frames, and SPS/PPS before every IDR keep each chunk decodable.
        ":aud=1:repeat-headers=1",
        "-r",
        str(settings.fps),
    ]



def _segment_args(chunks: Sequence[Chunk], folder: Path, fps: int) -> list[str]:
    """ffmpeg output options that write each chunk of a run to its own raw H.264 file, cut at
    an IDR."""
    if len(chunks) == 1:
        return ["-f", "h264", str(folder / "c0000.h264")]
    cuts: list[int] = []
    total = 0
    for chunk in chunks[:-1]:
        total += chunk.encoded
        cuts.append(total)
    return [
        "-force_key_frames",
        ",".join(f"{c / fps:.6f}" for c in cuts),
        "-f",
        "segment",
        "-segment_frames",
        ",".join(str(c) for c in cuts),
        "-reset_timestamps",
        "1",
        "-segment_format",
        "h264",
        str(folder / "c%04d.h264"),
    ]


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


def trimmed_parts(parts: Sequence[tuple[Path, int]]) -> Iterator[bytes]:
    """Each cached chunk cut to the frames it spans on the episode's grid."""
    for path, frames in parts:
        yield _first_frames(path.read_bytes(), frames, f"video chunk {path.parent.name[:12]}")


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
    layout: tuple[int, ...] = ()
    """Which encoded frame each of the ``n`` frames repeats (see ``_gop_layout``); empty when
    every frame is encoded."""

    @property
    def encoded(self) -> int:
        """Frames the encoder is given for this chunk."""
        return (max(self.layout) + 1) if self.layout else self.n


def _gop_layout(runs: Sequence[Run], n: int, gop: int) -> tuple[int, ...]:
    """Which encoded frame each of a chunk's ``n`` frames repeats.

    A chunk starts with an IDR and has one every ``gop`` frames, so every group of pictures
    decodes on its own. A group that shows exactly what the group before it showed (a still
    picture held: the usual case, a caption on screen for a few seconds) is encoded once and
    its access units repeated: identical pictures give an identical closed GOP, and the I-frame
    every half second is where the encoder spends its time on stills. Frames that move are
    never repeated. Returns ``()`` when every frame is encoded.
    """
    if gop < 2:  # every frame an IDR: consecutive IDRs must differ (idr_pic_id)
        return ()
    keys: list[object] = []
    for run in runs:
        for i in range(run.first, run.last):
            keys.append(("moving", i) if run.moving else run.key)
    layout: list[int] = []
    encoded = 0
    held: tuple[tuple[object, ...], int] | None = None  # the last encoded group, where it starts
    for g0 in range(0, n, gop):
        group = tuple(keys[g0 : g0 + gop])
        if held is not None and group == held[0][: len(group)]:
            layout.extend(range(held[1], held[1] + len(group)))
            continue
        layout.extend(range(encoded, encoded + len(group)))
        held = (group, encoded)
        encoded += len(group)
    return () if encoded == n else tuple(layout)


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


def _expand(path: Path, chunk: Chunk) -> None:
    """Rewrite an encoded chunk with its repeated groups of pictures in place (``layout``)."""
    if not chunk.layout:
        return
    units = _access_units(path.read_bytes(), f"video chunk {chunk.key[:12]}")
    if len(units) != chunk.encoded:
        raise RenderError(
            f"video chunk {chunk.key[:12]}: the encoder wrote {len(units)} frames, "
            f"expected {chunk.encoded}"
        )
    path.write_bytes(b"".join(units[i] for i in chunk.layout))


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
    args = encoder_args(settings)
    gop = max(1, round(fps / 2))  # as in encoder_args
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
            key = content_key(
                _VERSION, slides.size, fps, args, n, dense, [(r.first, r.last, r.key) for r in runs]
            )
            layout = () if dense else _gop_layout(runs, n, gop)
            chunks.append(Chunk(index, c0, c1, n, runs, dense, key, layout))
    return scene, chunks


GROUP_FRAMES = 240
"""Frames after which a run of uncached chunks goes to an ffmpeg of its own: one encoder for a
whole section's states (an encoder's start costs about a third of a second of CPU at 1080p),
while the next group's stills are drawn as the previous one encodes."""


def _uncached_runs(chunks: Sequence[Chunk], cache: Cache) -> list[list[Chunk]]:
    """Runs of consecutive uncached chunks of still pictures, across parts, up to about
    ``GROUP_FRAMES`` frames each (one ffmpeg each); a dense chunk (a zoom) is a run alone."""
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
            continue  # a repeated frame: not given to the encoder
        expected += 1
        run = frame_run[i]
        if out and out[-1][0] is run and not run.moving:
            out[-1] = (run, out[-1][1] + 1)
        else:
            out.append((run, 1))
    return out


def _write_stills(scene: Scene, group: Sequence[Chunk], fps: int, folder: Path) -> Path:
    """Sample each distinct picture of a group of chunks once; return an ffconcat list that
    shows them in order."""
    entries = ["ffconcat version 1.0"]
    seen: dict[tuple[object, ...], str] = {}
    name = ""
    for chunk in group:
        for run, frames in _encoded_runs(chunk):
            name = seen.get(run.key, "") if not run.moving else ""
            if not name:
                name = f"s{len(entries):05d}.ppm"
                write_ppm(scene.frame(run.at), folder / name)
                if not run.moving:
                    seen[run.key] = name
            entries.append(f"file '{name}'")
            entries.append(f"duration {frames / fps:.6f}")
    # The demuxer ignores the last entry's duration unless the file is listed again.
    entries.append(f"file '{name}'")
    listing = folder / "stills.ffconcat"
    listing.write_text("\n".join(entries) + "\n", encoding="utf-8")
    return listing


def _raw_frames(scene: Scene, chunk: Chunk) -> Iterator[bytes]:
    """Raw RGB frames of a chunk, each sampled picture repeated over its run."""
    for run in chunk.runs:
        data = scene.frame(run.at).tobytes()
        for _ in range(run.last - run.first):
            yield data


def render_chunks(
    scene: Scene,
    chunks: Sequence[Chunk],
    settings: VideoSettings,
    *,
    workdir: Path,
    cache: Cache,
    progress: ProgressFn | None = None,
) -> tuple[str, ...]:
    """Encode every chunk missing from the cache; the titles of the parts rendered."""
    fps = settings.fps
    size = scene.size
    groups = _uncached_runs(chunks, cache)
    # A small re-render (an edited sentence) encodes on one thread and leaves the other
    # core to the audio being levelled beside it; a whole episode uses every core.
    small = sum(chunk.n for group in groups for chunk in group) <= _SMALL_RENDER * fps
    threads = ["-threads", "1"] if small else []
    rendered: list[str] = []
    pending: Job | None = None
    scratch = Path(tempfile.mkdtemp(prefix="articast-pictures-", dir=workdir))
    try:
        for number, group in enumerate(groups, 1):
            slide = scene.parts[group[0].slide].slide
            folder = scratch / f"run{number:04d}"
            folder.mkdir()
            total = sum(chunk.encoded for chunk in group)
            outputs = [folder / f"c{k:04d}.h264" for k in range(len(group))]

            def finish(group: list[Chunk] = group, outputs: list[Path] = outputs) -> None:
                for chunk, out in zip(group, outputs, strict=True):
                    _expand(out, chunk)
                    store(cache, chunk.key, PART, out)

            if group[0].dense:
                if pending is not None:
                    pending.wait()
                    pending = None
                cmd = ffmpeg_cmd(
                    ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}",
                     "-r", str(fps), "-i", "-", "-vf", "format=yuv420p",
                     *encoder_args(settings), *threads, "-frames:v", str(total), "-an",
                     "-f", "h264", str(outputs[0])]
                )  # fmt: skip
                pipe_frames(cmd, _raw_frames(scene, group[0]), f"moving part {slide.title!r}")
                finish()
            else:
                # Sample this group's pictures while ffmpeg still encodes the previous group.
                listing = _write_stills(scene, group, fps, folder)
                if pending is not None:
                    pending.wait()
                    pending = None
                cmd = ffmpeg_cmd(
                    ["-f", "concat", "-safe", "0", "-i", str(listing),
                     "-vf", f"format=yuv420p,fps={fps}", *encoder_args(settings), *threads,
                     "-frames:v", str(total), "-an", *_segment_args(group, folder, fps)]
                )  # fmt: skip
                pending = start_ffmpeg(cmd, f"video of {slide.title!r}", finish)
            for chunk in group:
                part = scene.parts[chunk.slide].slide
                title = part.title or part.kind
                if title not in rendered:
                    rendered.append(title)
            if progress:
                progress(ProgressEvent("video", number, len(groups), f"rendered: {title}"))
        if pending is not None:
            pending.wait()
            pending = None
    finally:
        # Only on failure: stop what still runs.
        if pending is not None:
            pending.kill()
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
