"""Video stage: Slides + caption cues + Master -> episode.mp4 (and thumbnail.png beside it).

Last rendering stage on the map (after ``visuals`` and ``captions``; ``publish`` follows).
The fast way: every distinct picture (slide plus caption state) is composed once with Pillow,
and ffmpeg's concat demuxer sequences those stills at ``settings.fps`` (no per-frame text
compositing). Each slide (one per chapter) is one part, cut into chunks at caption starts
(captions shorter than ``CHUNK_MIN`` share a chunk); chunks are raw H.264 streams with
identical parameters, cached by content in ``Cache(cache_root, "video")``. Editing a sentence
re-renders the chunks of its captions only (``render_pictures``, which needs only the
timeline, so the pipeline runs it while the audio is levelled), and the final MP4 is joined
by stream copy, with the audio (AAC-LC 48 kHz stereo from ``Master.wav``) encoded in pieces
at once, beside the pictures or the MP3.

Timing: a section's part starts ``SLIDE_LEAD`` (0.5 s) before its first word and each chunk
at a caption's first word; pictures are placed relative to that start, so an edit earlier in
the episode that shifts a chunk leaves its cached render valid. The join puts each chunk on
the episode's frame grid, so a caption change lands within 0.1 s of its word at 10 fps.
Chunks carry a spare frame and are cut to the grid at an access unit delimiter (P-frames
only, so a trim needs no re-encode); the cut chunks are piped to the muxer as one stream.
The AAC pieces start at quiet points on whole AAC frames and are spliced frame by frame; the
encoder's 1024 priming samples are cut from the start of the audio, so the MP4 needs no edit
list and stays in sync.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import math
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from articast.cache import Cache, atomic_path, content_key
from articast.captions import layout_lines
from articast.config import VideoSettings
from articast.errors import InputError, RenderError
from articast.media import die_with_parent, ffmpeg_exe, probe_duration
from articast.models import Cue, Master, ProgressEvent, Slides, VideoResult
from articast.visuals import THUMBNAIL_SIZE, caption_band, font

__all__ = [
    "CHUNK_MIN",
    "SLIDE_LEAD",
    "CaptionState",
    "Chunk",
    "ProgressFn",
    "caption_font_size",
    "caption_states",
    "compose_still",
    "encoder_args",
    "part_bounds",
    "plan_chunks",
    "render_pictures",
    "render_video",
]

ProgressFn = Callable[[ProgressEvent], None]

_VERSION = "video-v3"
_PART = "part.h264"
"""A chunk in the cache: raw H.264 (Annex B) with an access unit delimiter per frame."""
_HIGHLIGHT = (255, 214, 102)
_TEXT = (255, 255, 255)
_MAX_THUMB_BYTES = 2_000_000
SLIDE_LEAD = 0.5
"""Seconds a section's slide appears before its first word (matches the audio's chapters)."""
CHUNK_MIN = 1.0
"""A sentence shorter than this (seconds) shares the next sentence's chunk."""
_SMALL_RENDER = 30.0
"""Seconds of pictures up to which a render encodes on one thread."""
_AAC_PRIMING = 1024
"""Samples of encoder delay that ffmpeg's AAC encoder puts before the audio."""


@dataclass(frozen=True)
class CaptionState:
    """What the caption area shows during a run of frames of one part."""

    first: int
    """First frame (relative to the part's start)."""
    last: int
    """Frame after the last one."""
    lines: tuple[str, ...] = ()
    """Caption lines; empty for no caption."""
    highlight: int | None = None
    """Index of the highlighted word within the cue's words (``highlight_words``)."""


# --------------------------------------------------------------------------- pictures


def caption_font_size(size: tuple[int, int]) -> int:
    """The caption font size for a frame: a 42-character line fits 90% of the width."""
    w, h = size
    sample = "Researchers think spindles open a window w"  # a typical 42-character line
    at100 = font(100).getlength(sample)
    by_width = int(100 * 0.86 * w / at100)
    return max(12, min(by_width, round(h * 0.05) if w >= h else round(w * 0.05)))


@functools.lru_cache(maxsize=4096)
def _fit_caption(
    lines: tuple[str, ...], size: tuple[int, int]
) -> tuple[ImageFont.FreeTypeFont, tuple[str, ...]]:
    """Font and lines for a cue, never wider than 90% of the frame.

    The cue's own lines at the standard size when they fit; otherwise re-laid out with the
    real font at shrinking sizes, and for very narrow frames with more lines.
    """
    max_w = size[0] * 0.9
    smallest = 10
    s = caption_font_size(size)
    while True:
        f = font(s)
        if all(f.getlength(line) <= max_w for line in lines):
            return f, lines
        relaid = layout_lines(" ".join(lines), f, max_w)
        if relaid is not None:
            return f, relaid
        if s <= smallest:
            break
        s = max(smallest, int(s * 0.92))
    for s in range(smallest, 3, -1):
        f = font(s)
        relaid = layout_lines(" ".join(lines), f, max_w, max_lines=6)
        if relaid is not None:
            return f, relaid
    return font(4), lines


def compose_still(
    base: Image.Image,
    lines: tuple[str, ...],
    *,
    highlight: int | None = None,
) -> Image.Image:
    """``base`` (a slide, RGB) with the caption ``lines`` drawn on a readable backing.

    The caption is centred horizontally and bottom-aligned in the slide's caption band;
    ``highlight`` colours the word being spoken (counted over all lines).
    """
    img = base.copy()
    if not lines:
        return img
    size = img.size
    f, shown = _fit_caption(tuple(lines), size)
    band_top, band_bottom = caption_band(size)
    line_h = round(f.size * 1.25)
    pad_x, pad_y = round(f.size * 0.6), round(f.size * 0.3)
    widths = [f.getlength(line) for line in shown]
    box_w = round(max(widths)) + 2 * pad_x
    box_h = line_h * len(shown) + 2 * pad_y
    x0 = (size[0] - box_w) // 2
    y1 = band_bottom
    y0 = max(band_top, y1 - box_h) if size[1] >= size[0] else y1 - box_h
    region = img.crop((x0, y0, x0 + box_w, y0 + box_h))
    img.paste(Image.blend(region, Image.new("RGB", region.size, (0, 0, 0)), 0.72), (x0, y0))
    draw = ImageDraw.Draw(img)
    word_no = 0
    ascent = f.getmetrics()[0]
    for i, line in enumerate(shown):
        lx = (size[0] - widths[i]) / 2
        ly = y0 + pad_y + i * line_h + (line_h - f.size) / 2 + (f.size - ascent) * 0.5
        if highlight is None:
            draw.text((lx, ly), line, font=f, fill=_TEXT)
            continue
        x = lx
        for word in line.split(" "):
            colour = _HIGHLIGHT if word_no == highlight else _TEXT
            draw.text((x, ly), word, font=f, fill=colour)
            x += f.getlength(word + " ")
            word_no += 1
    return img


def caption_states(
    cues: Sequence[Cue], start: float, end: float, fps: int, *, highlight_words: bool = False
) -> tuple[int, tuple[CaptionState, ...]]:
    """Frame count of the part ``start..end`` and the runs of frames with the same caption.

    Frames are counted from ``start``; a cue shows from the frame nearest its start to the
    frame nearest its end (clipped to the part).
    """
    n = max(1, round((end - start) * fps))
    marks: list[tuple[int, int, tuple[str, ...], int | None]] = []
    for cue in cues:
        if cue.end <= start or cue.start >= end:
            continue
        a = max(0, round((cue.start - start) * fps))
        b = min(n, round((cue.end - start) * fps))
        if b <= a:
            continue
        if highlight_words and cue.words:
            bounds = [max(a, min(b, round((w.start - start) * fps))) for w in cue.words[1:]]
            edges = [a, *bounds, b]
            for k in range(len(cue.words)):
                if edges[k + 1] > edges[k]:
                    marks.append((edges[k], edges[k + 1], cue.lines, k))
        else:
            marks.append((a, b, cue.lines, None))
    marks.sort(key=lambda m: m[0])
    states: list[CaptionState] = []
    cursor = 0
    for a, b, lines, hl in marks:
        a = max(a, cursor)
        if b <= a:
            continue
        if a > cursor:
            states.append(CaptionState(cursor, a))
        states.append(CaptionState(a, b, lines, hl))
        cursor = b
    if cursor < n:
        states.append(CaptionState(cursor, n))
    merged: list[CaptionState] = []
    for st in states:
        prev = merged[-1] if merged else None
        if prev and prev.lines == st.lines and prev.highlight == st.highlight:
            merged[-1] = CaptionState(prev.first, st.last, st.lines, st.highlight)
        else:
            merged.append(st)
    return n, tuple(merged)


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


def _ffmpeg_cmd(args: Sequence[str]) -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args]


@dataclass
class _Job:
    """A running ffmpeg process and what to do when it ends."""

    proc: subprocess.Popen[bytes]
    cmd: list[str]
    what: str
    done: Callable[[], None]

    def wait(self) -> None:
        _, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise RenderError(
                f"{self.what}: ffmpeg failed (exit {self.proc.returncode})",
                command=self.cmd,
                stderr=err.decode("utf-8", "replace"),
            )
        self.done()


def _start(cmd: list[str], what: str, done: Callable[[], None]) -> _Job:
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=die_with_parent(),
    )
    return _Job(proc, cmd, what, done)


def _write_stills(
    base: Image.Image, states: Sequence[CaptionState], fps: int, folder: Path
) -> Path:
    """Compose each distinct still once; return an ffconcat list that shows them in order."""
    entries = ["ffconcat version 1.0"]
    cache: dict[tuple[tuple[str, ...], int | None], str] = {}
    name = ""
    for st in states:
        key = (st.lines, st.highlight)
        name = cache.get(key, "")
        if not name:
            name = f"s{len(cache):05d}.bmp"
            compose_still(base, st.lines, highlight=st.highlight).save(folder / name, "BMP")
            cache[key] = name
        entries.append(f"file '{name}'")
        entries.append(f"duration {(st.last - st.first) / fps:.6f}")
    # The demuxer ignores the last entry's duration unless the file is listed again.
    entries.append(f"file '{name}'")
    listing = folder / "stills.ffconcat"
    listing.write_text("\n".join(entries) + "\n", encoding="utf-8")
    return listing


def _zoom_frames(
    base: Image.Image, states: Sequence[CaptionState], n: int, zoom_to: float
) -> Iterator[bytes]:
    """Raw RGB frames of a slow zoom into ``base`` with the captions kept steady on top.

    The only path that draws per frame (the picture moves); off by default.
    """
    w, h = base.size
    for st in states:
        for i in range(st.first, min(st.last, n)):
            z = 1.0 + (zoom_to - 1.0) * (i / max(1, n - 1))
            cw, ch = w / z, h / z
            x0, y0 = (w - cw) / 2, (h - ch) / 2
            frame = base.resize((w, h), Image.Resampling.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))
            yield compose_still(frame, st.lines, highlight=st.highlight).tobytes()


def _pipe_frames(cmd: list[str], frames: Iterator[bytes], what: str) -> None:
    """Feed raw frames to an ffmpeg reading stdin; raise RenderError when it fails."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=log,
            preexec_fn=die_with_parent(),
        )
        stdin = proc.stdin
        if stdin is None:
            raise RenderError(f"{what}: ffmpeg has no input pipe", command=cmd)
        try:
            with stdin:
                for frame in frames:
                    stdin.write(frame)
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its exit status below says why
        finally:
            code = proc.wait()
        if code != 0:
            log.seek(0)
            err = log.read().decode("utf-8", "replace")
            raise RenderError(f"{what}: ffmpeg failed (exit {code})", command=cmd, stderr=err)


def _file_key(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


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


class _AudioJob:
    """The AAC track encoded in pieces at once, spliced into one ADTS file when all end.

    ffmpeg's encoder primes 1024 samples: without edit lists (YouTube) they play first, so the
    first piece starts 1024 samples in (at 48 kHz) and keeps its priming frame; every later
    piece drops its priming frame. Pieces start at quiet points on whole frames, so the
    frames kept add up to the master's timeline exactly and the voice stays in sync.
    """

    def __init__(self, wav: Path, out: Path, done: Callable[[], None]) -> None:
        loud, block, n, rate = _loud_blocks(wav)
        bounds = [0, *_splice_points(loud, block, n, rate, _AAC_PIECES), n]
        self.out = out
        self.done = done
        self.frames: list[int] = []
        self.jobs: list[_Job] = []
        for k, (a, b) in enumerate(itertools.pairwise(bounds)):
            if k == 0:
                trim = f"atrim=end_sample={b},aresample={_AAC_RATE},atrim=start_sample={_AAC_PRIMING}"
            else:
                trim = f"atrim=start_sample={a}:end_sample={b},aresample={_AAC_RATE}"
            total = math.ceil(b * _AAC_RATE / rate / 1024) if b == n else b * _AAC_RATE // rate // 1024
            self.frames.append(total - a * _AAC_RATE // rate // 1024)
            piece = out.with_name(f"{out.stem}-{k}.aac")
            cmd = _ffmpeg_cmd(
                ["-i", str(wav), "-af", f"{trim},asetpts=PTS-STARTPTS,apad=pad_len=2048",
                 *_AAC_ARGS, str(piece)]
            )  # fmt: skip
            self.jobs.append(_start(cmd, f"audio encode (piece {k + 1})", lambda: None))

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
            if job.proc.returncode is None:
                job.proc.kill()
                job.proc.communicate()


def _start_audio(wav: Path, cache: Cache, workdir: Path) -> tuple[Path, _AudioJob | None]:
    """The episode's AAC track (ADTS): from the cache, or encoding jobs started now (they run
    alongside the pictures)."""
    key = content_key(_VERSION, "aac-pieces", _AAC_ARGS, _AAC_PIECES, _file_key(wav))
    hit = cache.path(key, "audio.aac")
    if hit is not None:
        return hit, None
    out = workdir / "audio.aac"
    return cache.dir_for(key) / "audio.aac", _AudioJob(
        wav, out, lambda: _store(cache, key, "audio.aac", out)
    )


def _store(cache: Cache, key: str, name: str, src: Path) -> None:
    cache.put(key, {name: src.read_bytes()})
    src.unlink(missing_ok=True)


# --------------------------------------------------------------------------- render


@dataclass(frozen=True)
class Chunk:
    """A piece of one slide's part: encoded (and cached) on its own, joined by stream copy."""

    slide: int
    """Index of the slide it shows."""
    start: float
    """Where it starts on the episode timeline (a caption's first word, or the part start)."""
    end: float
    n: int
    """Frames encoded: its own length plus one spare frame (the join trims to the grid)."""
    states: tuple[CaptionState, ...]
    zoom: bool
    key: str


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
    slides: Slides, cues: Sequence[Cue], settings: VideoSettings
) -> tuple[list[float], list[Chunk]]:
    """Slide part bounds and the chunks of every part, each with its cache key."""
    fps = settings.fps
    shown = cues if settings.burn_captions else ()
    bounds = part_bounds(slides, cues, fps)
    chunks: list[Chunk] = []
    for index, slide in enumerate(slides.slides):
        b0, b1 = bounds[index], bounds[index + 1]
        zoom = settings.zoom and slide.kind == "section"
        starts = [b0] if zoom else _chunk_starts(cues, b0, b1)
        for c0, c1 in zip(starts, [*starts[1:], b1], strict=True):
            n, states = caption_states(shown, c0, c1, fps, highlight_words=settings.highlight_words)
            n += 1
            if states and states[-1].last < n:
                last = states[-1]
                states = (*states[:-1], CaptionState(last.first, n, last.lines, last.highlight))
            key = content_key(
                _VERSION,
                slide.key or str(slide.image),
                slides.size,
                fps,
                encoder_args(settings),
                n,
                zoom,
                [(s.first, s.last, s.lines, s.highlight) for s in states],
            )
            chunks.append(Chunk(index, c0, c1, n, states, zoom, key))
    return bounds, chunks


def _write_thumbnail(slides: Slides, dest: Path, cache: Cache) -> Path:
    """``thumbnail.png`` at 1280x720, under 2 MB (palette-reduced when a photo makes it big)."""
    src = slides.thumbnail if slides.thumbnail is not None else slides.slides[0].image
    key = content_key(_VERSION, "thumbnail", _file_key(src))
    hit = cache.path(key, "thumbnail.png")
    if hit is None:
        with Image.open(src) as im:
            img = im.convert("RGB")
        if img.size != THUMBNAIL_SIZE:
            img = img.resize(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True)
        if buf.tell() >= _MAX_THUMB_BYTES:
            buf = io.BytesIO()
            img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                buf, "PNG", optimize=True
            )
        cache.put(key, {"thumbnail.png": buf.getvalue()})
        data = buf.getvalue()
    else:
        data = hit.read_bytes()
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)
    return dest


def _segment_args(chunks: Sequence[Chunk], folder: Path, fps: int) -> list[str]:
    """ffmpeg output options that write each chunk of a run to its own raw H.264 file, cut at
    an IDR."""
    if len(chunks) == 1:
        return ["-f", "h264", str(folder / "c0000.h264")]
    cuts: list[int] = []
    total = 0
    for chunk in chunks[:-1]:
        total += chunk.n
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


def _trimmed_parts(parts: Sequence[tuple[Path, int]]) -> Iterator[bytes]:
    """Each cached chunk cut to the frames it spans on the episode's grid."""
    for path, frames in parts:
        yield _first_frames(path.read_bytes(), frames, f"video chunk {path.parent.name[:12]}")


def _runs(chunks: Sequence[Chunk], cache: Cache) -> list[list[Chunk]]:
    """Maximal runs of consecutive uncached chunks of the same slide (one ffmpeg each)."""
    runs: list[list[Chunk]] = []
    prev: Chunk | None = None
    for chunk in chunks:
        if cache.path(chunk.key, _PART) is not None:
            prev = None
            continue
        if prev is not None and prev.slide == chunk.slide and not chunk.zoom:
            runs[-1].append(chunk)
        else:
            runs.append([chunk])
        prev = chunk
    return runs


def _check(slides: Slides, settings: VideoSettings) -> None:
    if not slides.slides:
        raise RenderError("no slides to render: the episode has no chapters; check the script")
    if settings.fps < 1:
        raise InputError(f"video fps must be at least 1, got {settings.fps}")


def render_pictures(
    slides: Slides,
    cues: tuple[Cue, ...],
    settings: VideoSettings,
    *,
    workdir: Path,
    cache_root: Path,
    progress: ProgressFn | None = None,
) -> tuple[str, ...]:
    """Encode every video chunk missing from the cache; the titles of the slides rendered.

    Needs only the timeline (slides and cues), not the master audio: the pipeline runs it
    while the audio is still being levelled, and hands the result to ``render_video``.
    """
    _check(slides, settings)
    fps = settings.fps
    size = slides.size
    cache = Cache(cache_root, "video")
    workdir.mkdir(parents=True, exist_ok=True)
    _, chunks = plan_chunks(slides, cues, settings)
    runs = _runs(chunks, cache)
    # A small re-render (an edited sentence) encodes on one thread and leaves the other
    # core to the audio being levelled beside it; a whole episode uses every core.
    small = sum(chunk.n for run in runs for chunk in run) <= _SMALL_RENDER * fps
    threads = ["-threads", "1"] if small else []
    rendered: list[str] = []
    pending: _Job | None = None
    scratch = Path(tempfile.mkdtemp(prefix="articast-pictures-", dir=workdir))
    try:
        for number, run in enumerate(runs, 1):
            slide = slides.slides[run[0].slide]
            with Image.open(slide.image) as im:
                base = im.convert("RGB")
            if base.size != size:
                base = base.resize(size, Image.Resampling.LANCZOS)
            folder = scratch / f"run{number:04d}"
            folder.mkdir()
            states: list[CaptionState] = []
            offset = 0
            for chunk in run:
                states.extend(
                    CaptionState(st.first + offset, st.last + offset, st.lines, st.highlight)
                    for st in chunk.states
                )
                offset += chunk.n
            outputs = [folder / f"c{k:04d}.h264" for k in range(len(run))]

            def finish(run: list[Chunk] = run, outputs: list[Path] = outputs) -> None:
                for chunk, out in zip(run, outputs, strict=True):
                    _store(cache, chunk.key, _PART, out)

            if run[0].zoom:
                if pending is not None:
                    pending.wait()
                    pending = None
                cmd = _ffmpeg_cmd(
                    [
                        "-f",
                        "rawvideo",
                        "-pix_fmt",
                        "rgb24",
                        "-s",
                        f"{size[0]}x{size[1]}",
                        "-r",
                        str(fps),
                        "-i",
                        "-",
                        "-vf",
                        "format=yuv420p",
                        *encoder_args(settings),
                        *threads,
                        "-frames:v",
                        str(offset),
                        "-an",
                        "-f",
                        "h264",
                        str(outputs[0]),
                    ]
                )
                raw = _zoom_frames(base, states, offset, 1.06)
                _pipe_frames(cmd, raw, f"zoom part {slide.title!r}")
                finish()
            else:
                # Compose this run's stills while ffmpeg still encodes the previous run.
                listing = _write_stills(base, states, fps, folder)
                if pending is not None:
                    pending.wait()
                    pending = None
                cmd = _ffmpeg_cmd(
                    [
                        "-f",
                        "concat",
                        "-safe",
                        "0",
                        "-i",
                        str(listing),
                        "-vf",
                        f"format=yuv420p,fps={fps}",
                        *encoder_args(settings),
                        *threads,
                        "-frames:v",
                        str(offset),
                        "-an",
                        *_segment_args(run, folder, fps),
                    ]
                )
                pending = _start(cmd, f"video of {slide.title!r}", finish)
            title = slide.title or slide.kind
            if title not in rendered:
                rendered.append(title)
            if progress:
                progress(ProgressEvent("video", number, len(runs), f"rendered: {title}"))
        if pending is not None:
            pending.wait()
            pending = None
    finally:
        # Only on failure: stop what still runs.
        if pending is not None and pending.proc.returncode is None:
            pending.proc.kill()
            pending.proc.communicate()
        shutil.rmtree(scratch, ignore_errors=True)
    return tuple(rendered)


def render_video(
    slides: Slides,
    cues: tuple[Cue, ...],
    master: Master,
    settings: VideoSettings,
    *,
    out_path: Path,
    workdir: Path,
    cache_root: Path,
    progress: ProgressFn | None = None,
    pictures: Future[tuple[str, ...]] | None = None,
) -> VideoResult:
    """Render ``out_path`` (MP4) from the slides, the burned-in cues and the master audio.

    Chunks whose pictures are unchanged come from the cache; ``VideoResult.rendered_sections``
    names the slides with a chunk rendered in this run. ``pictures`` is a ``render_pictures``
    call already under way (its result is awaited while the audio encodes); without it the
    pictures are rendered here, beside the audio. Also writes ``thumbnail.png`` beside
    ``out_path``.
    """
    _check(slides, settings)
    fps = settings.fps
    cache = Cache(cache_root, "video")
    workdir.mkdir(parents=True, exist_ok=True)
    audio, audio_job = _start_audio(master.wav, cache, workdir)
    try:
        if pictures is None:
            rendered = render_pictures(
                slides, cues, settings, workdir=workdir, cache_root=cache_root, progress=progress
            )
        else:
            rendered = pictures.result()
        _, chunks = plan_chunks(slides, cues, settings)
        parts: list[tuple[Path, int]] = []
        for chunk in chunks:
            frames = round(chunk.end * fps) - round(chunk.start * fps)
            if frames <= 0:
                continue
            path = cache.path(chunk.key, _PART)
            if path is None:
                raise RenderError(f"video chunk {chunk.key[:12]} missing from {cache.root}")
            parts.append((path, frames))
        if audio_job is not None:
            audio_job.wait()
        with atomic_path(out_path) as tmp:
            # One raw H.264 stream on the episode's frame grid, fed to the muxer through a
            # pipe: every chunk cut to its frames at a delimiter (no re-encode, one input).
            cmd = _ffmpeg_cmd(
                [
                    "-framerate",
                    str(fps),
                    "-f",
                    "h264",
                    "-i",
                    "-",
                    "-f",
                    "aac",
                    "-i",
                    str(audio),
                    "-map",
                    "0:v:0",
                    "-map",
                    "1:a:0",
                    "-c",
                    "copy",
                    # Raw H.264 carries decoding times only; no B-frames, so show them then.
                    "-bsf:v",
                    "setts=pts=DTS",
                    "-movflags",
                    "+faststart",
                    "-use_editlist",
                    "0",
                    "-video_track_timescale",
                    str(fps * 1000),
                    "-f",
                    "mp4",
                    str(tmp),
                ]
            )
            _pipe_frames(cmd, _trimmed_parts(parts), "joining the video chunks")
    finally:
        # Only on failure: stop what still runs.
        if audio_job is not None:
            audio_job.kill()
    thumb = _write_thumbnail(slides, out_path.parent / "thumbnail.png", cache)
    return VideoResult(
        mp4=out_path,
        duration=probe_duration(out_path),
        rendered_sections=rendered,
        thumbnail=thumb,
    )
