"""Video stage: Slides + caption cues + Master -> episode.mp4 (and thumbnail.png beside it).

Last rendering stage on the map (after ``visuals`` and ``captions``; ``publish`` follows).
The fast way: every distinct picture (slide plus caption state) is composed once with Pillow,
and ffmpeg's concat demuxer sequences those stills at ``settings.fps`` (no per-frame text
compositing). Each slide (one per chapter) is one part, cut into chunks of at least
``CHUNK_MIN`` seconds at caption starts; chunks are video-only H.264 files with identical
parameters, cached by content in ``Cache(cache_root, "video")``. Editing a sentence
re-renders the chunk(s) it touches only, and the final MP4 is joined by stream copy, with the
audio (AAC-LC 48 kHz stereo from ``Master.wav``) encoded once, in parallel with the pictures.

Timing: a section's part starts ``SLIDE_LEAD`` (0.5 s) before its first word and each chunk
at a caption's first word; pictures are placed relative to that start, so an edit earlier in
the episode that shifts a chunk leaves its cached render valid. The join puts each chunk on
the episode's frame grid, so a caption change lands within 0.1 s of its word at 10 fps.
Chunks carry a spare frame and are trimmed with the concat ``outpoint`` directive (P-frames
only, so a trim needs no re-encode). The AAC track is cut by the encoder's 1024 priming
samples and shifted back by as much, so the MP4 needs no edit list and stays in sync.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from articast.cache import Cache, atomic_path, content_key
from articast.captions import layout_lines
from articast.config import VideoSettings
from articast.errors import RenderError
from articast.media import ffmpeg_exe, probe_duration, run_ffmpeg
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
    "render_video",
]

ProgressFn = Callable[[ProgressEvent], None]

_VERSION = "video-v2"
_HIGHLIGHT = (255, 214, 102)
_TEXT = (255, 255, 255)
_MAX_THUMB_BYTES = 2_000_000
SLIDE_LEAD = 0.5
"""Seconds a section's slide appears before its first word (matches the audio's chapters)."""
CHUNK_MIN = 4.0
"""Shortest chunk (seconds) a part is cut into for caching."""
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
        ":me=dia:ref=1:subme=1:trellis=0",
        "-r",
        str(settings.fps),
        "-video_track_timescale",
        str(settings.fps * 1000),
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
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
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
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
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
    # The AAC encoder primes 1024 samples; without edit lists (YouTube) they play first, so
    # the same length is cut from the start to keep the voice in sync.
    "-af",
    f"aresample=48000,atrim=start_sample={_AAC_PRIMING},asetpts=PTS-STARTPTS",
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
)
"""AAC-LC, 48 kHz, stereo, as YouTube recommends."""


def _start_audio(wav: Path, cache: Cache, workdir: Path) -> tuple[Path, _Job | None]:
    """The episode's AAC track: from the cache, or an ffmpeg job started now (it runs
    alongside the pictures)."""
    key = content_key(_VERSION, "aac", _AAC_ARGS, _file_key(wav))
    hit = cache.path(key, "audio.m4a")
    if hit is not None:
        return hit, None
    out = workdir / "audio.m4a"
    cmd = _ffmpeg_cmd(["-i", str(wav), *_AAC_ARGS, str(out)])
    return cache.dir_for(key) / "audio.m4a", _start(
        cmd, "audio encode", lambda: _store(cache, key, "audio.m4a", out)
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


_SENTENCE_END = re.compile(r"[.!?…]['\"”’)\]]*$")


def _chunk_starts(cues: Sequence[Cue], start: float, end: float) -> list[float]:
    """Where a part is cut into chunks: at captions that begin a sentence, ``CHUNK_MIN`` apart.

    The cut times are word times, so a chunk's pictures (relative to its start) do not change
    when an edit elsewhere shifts it; editing a sentence re-renders only a chunk or two.
    """
    starts = [start]
    prev: Cue | None = None
    for cue in cues:
        if start < cue.start < end and prev is not None:
            opens_sentence = bool(prev.lines) and bool(_SENTENCE_END.search(prev.lines[-1]))
            if opens_sentence and cue.start - starts[-1] >= CHUNK_MIN and end - cue.start >= 1.0:
                starts.append(cue.start)
        prev = cue
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
    """ffmpeg output options that write each chunk of a run to its own MP4, cut at an IDR."""
    if len(chunks) == 1:
        return [str(folder / "c0000.mp4")]
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
        "mp4",
        # The mp4 muxer inside the segmenter needs the same time scale as single-file chunks.
        "-segment_format_options",
        f"video_track_timescale={fps * 1000}",
        str(folder / "c%04d.mp4"),
    ]


def _runs(chunks: Sequence[Chunk], cache: Cache) -> list[list[Chunk]]:
    """Maximal runs of consecutive uncached chunks of the same slide (one ffmpeg each)."""
    runs: list[list[Chunk]] = []
    prev: Chunk | None = None
    for chunk in chunks:
        if cache.path(chunk.key, "part.mp4") is not None:
            prev = None
            continue
        if prev is not None and prev.slide == chunk.slide and not chunk.zoom:
            runs[-1].append(chunk)
        else:
            runs.append([chunk])
        prev = chunk
    return runs


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
) -> VideoResult:
    """Render ``out_path`` (MP4) from the slides, the burned-in cues and the master audio.

    Chunks whose pictures are unchanged come from the cache; ``VideoResult.rendered_sections``
    names the slides with a chunk rendered in this run. Also writes ``thumbnail.png`` beside
    ``out_path``.
    """
    if not slides.slides:
        raise RenderError("no slides to render: the episode has no chapters; check the script")
    if settings.fps < 1:
        raise RenderError(f"video fps must be at least 1, got {settings.fps}")
    fps = settings.fps
    size = slides.size
    cache = Cache(cache_root, "video")
    workdir.mkdir(parents=True, exist_ok=True)
    audio, audio_job = _start_audio(master.wav, cache, workdir)
    _, chunks = plan_chunks(slides, cues, settings)
    runs = _runs(chunks, cache)
    rendered: list[str] = []
    pending: _Job | None = None
    scratch = Path(tempfile.mkdtemp(prefix="articast-video-", dir=workdir))
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
            outputs = [folder / f"c{k:04d}.mp4" for k in range(len(run))]

            def finish(run: list[Chunk] = run, outputs: list[Path] = outputs) -> None:
                for chunk, out in zip(run, outputs, strict=True):
                    _store(cache, chunk.key, "part.mp4", out)

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
                        "-frames:v",
                        str(offset),
                        "-an",
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
        if audio_job is not None:
            audio_job.wait()
        listing = scratch / "parts.ffconcat"
        lines = ["ffconcat version 1.0"]
        for chunk in chunks:
            frames = round(chunk.end * fps) - round(chunk.start * fps)
            if frames <= 0:
                continue
            path = cache.path(chunk.key, "part.mp4")
            if path is None:
                raise RenderError(f"video chunk {chunk.key[:12]} missing from {cache.root}")
            lines.append(f"file '{path.resolve()}'")
            lines.append(f"outpoint {frames / fps:.6f}")
        listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with atomic_path(out_path) as tmp:
            run_ffmpeg(
                [
                    "-f",
                    "concat",
                    "-safe",
                    "0",
                    "-i",
                    str(listing),
                    "-itsoffset",
                    f"{_AAC_PRIMING / 48000:.9f}",
                    "-i",
                    str(audio),
                    "-map",
                    "0:v:0",
                    "-map",
                    "1:a:0",
                    "-c",
                    "copy",
                    "-movflags",
                    "+faststart",
                    "-use_editlist",
                    "0",
                    "-f",
                    "mp4",
                    str(tmp),
                ],
                what="joining the video chunks",
            )
    finally:
        for job in (pending, audio_job):  # only on failure: stop what still runs
            if job is not None and job.proc.returncode is None:
                job.proc.kill()
                job.proc.communicate()
        shutil.rmtree(scratch, ignore_errors=True)
    thumb = _write_thumbnail(slides, out_path.parent / "thumbnail.png", cache)
    return VideoResult(
        mp4=out_path,
        duration=probe_duration(out_path),
        rendered_sections=tuple(rendered),
        thumbnail=thumb,
    )
