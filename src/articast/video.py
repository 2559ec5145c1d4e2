"""Video stage: Slides + caption cues + Master -> episode.mp4 (and thumbnail.png beside it).

Last rendering stage on the map (after ``visuals`` and ``captions``; ``publish`` follows).
The fast way: every distinct picture (slide plus caption state) is composed once with Pillow,
and ffmpeg's concat demuxer sequences those stills at ``settings.fps`` (no per-frame text
compositing). Each slide (one per chapter) becomes its own video-only H.264 part, cached by
content in ``Cache(cache_root, "video")``: editing one section re-renders that part only, and
the final MP4 is joined by stream copy, with the audio (AAC-LC 48 kHz stereo from
``Master.wav``) encoded once, in parallel with the pictures.

Timing: a section's part starts ``SLIDE_LEAD`` (0.5 s) before its first word, and its
pictures are placed relative to that start, so an edit earlier in the episode that shifts the
section leaves its cached part valid. The join puts each part on the episode's frame grid, so
a caption change lands within one frame period (0.1 s at the default 10 fps) of its word.
Parts carry spare frames and are trimmed with the concat ``outpoint`` directive (P-frames
only, so a trim needs no re-encode). The AAC track is cut by the encoder's 1024 priming
samples and shifted back by as much, so the MP4 needs no edit list and stays in sync.
"""

from __future__ import annotations

import functools
import hashlib
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
from articast.models import Cue, Master, ProgressEvent, Slide, Slides, VideoResult
from articast.visuals import THUMBNAIL_SIZE, caption_band, font

__all__ = [
    "SLIDE_LEAD",
    "CaptionState",
    "ProgressFn",
    "caption_font_size",
    "caption_states",
    "compose_still",
    "encoder_args",
    "part_bounds",
    "render_video",
]

ProgressFn = Callable[[ProgressEvent], None]

_VERSION = "video-v1"
_HIGHLIGHT = (255, 214, 102)
_TEXT = (255, 255, 255)
_MAX_THUMB_BYTES = 2_000_000
SLIDE_LEAD = 0.5
"""Seconds a section's slide appears before its first word (matches the audio's chapters)."""
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
    """Font and lines for a cue: the cue's own lines when they fit, re-laid out otherwise."""
    max_w = size[0] * 0.9
    s = caption_font_size(size)
    while True:
        f = font(s)
        if all(f.getlength(line) <= max_w for line in lines):
            return f, lines
        relaid = layout_lines(" ".join(lines), f, max_w)
        if relaid is not None:
            return f, relaid
        if s <= 12:
            return f, lines
        s = max(12, int(s * 0.92))


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


def _start_audio(wav: Path, cache: Cache, workdir: Path) -> tuple[Path, _Job | None]:
    """The episode's AAC track: from the cache, or an ffmpeg job started now (runs alongside
    the pictures). AAC-LC, 48 kHz, stereo."""
    key = content_key(_VERSION, "aac", _AAC_PRIMING, _file_key(wav))
    hit = cache.path(key, "audio.m4a")
    if hit is not None:
        return hit, None
    out = workdir / "audio.m4a"
    cmd = _ffmpeg_cmd(
        [
            "-i",
            str(wav),
            "-vn",
            # The AAC encoder primes 1024 samples; without edit lists (YouTube) they play
            # first, so the same length is cut from the start to keep the voice in sync.
            "-af",
            f"aresample=48000,atrim=start_sample={_AAC_PRIMING},asetpts=PTS-STARTPTS",
            "-c:a",
            "aac",
            "-b:a",
            "160k",
            "-ar",
            "48000",
            "-ac",
            "2",
            str(out),
        ]
    )
    return cache.dir_for(key) / "audio.m4a", _start(
        cmd, "audio encode", lambda: _store(cache, key, "audio.m4a", out)
    )


def _store(cache: Cache, key: str, name: str, src: Path) -> None:
    cache.put(key, {name: src.read_bytes()})
    src.unlink(missing_ok=True)


# --------------------------------------------------------------------------- render


def _part_key(
    slide: Slide,
    n: int,
    states: Sequence[CaptionState],
    size: tuple[int, int],
    settings: VideoSettings,
    zoom: bool,
) -> str:
    return content_key(
        _VERSION,
        slide.key or str(slide.image),
        size,
        settings.fps,
        settings.preset,
        encoder_args(settings),
        n,
        zoom,
        [(s.first, s.last, s.lines, s.highlight) for s in states],
    )


def _write_thumbnail(slides: Slides, dest: Path) -> Path:
    """``thumbnail.png`` at 1280x720, under 2 MB (palette-reduced when a photo makes it big)."""
    src = slides.thumbnail if slides.thumbnail is not None else slides.slides[0].image
    with Image.open(src) as im:
        img = im.convert("RGB")
    if img.size != THUMBNAIL_SIZE:
        img = img.resize(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    with atomic_path(dest) as tmp:
        img.save(tmp, "PNG", optimize=True)
        if tmp.stat().st_size >= _MAX_THUMB_BYTES:
            img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                tmp, "PNG", optimize=True
            )
    return dest


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

    Parts whose pictures are unchanged come from the cache; ``VideoResult.rendered_sections``
    names the slides rendered in this run. Also writes ``thumbnail.png`` beside ``out_path``.
    """
    if not slides.slides:
        raise RenderError("no slides to render: the episode has no chapters; check the script")
    if settings.fps < 1:
        raise RenderError(f"video fps must be at least 1, got {settings.fps}")
    fps = settings.fps
    size = slides.size
    cache = Cache(cache_root, "video")
    workdir.mkdir(parents=True, exist_ok=True)
    shown = cues if settings.burn_captions else ()
    audio, audio_job = _start_audio(master.wav, cache, workdir)
    total = len(slides.slides)
    bounds = part_bounds(slides, cues, fps)
    grid = [round(b * fps) for b in bounds]
    parts: list[tuple[Path, int]] = []
    rendered: list[str] = []
    pending: _Job | None = None
    scratch = Path(tempfile.mkdtemp(prefix="articast-video-", dir=workdir))
    try:
        for index, slide in enumerate(slides.slides):
            frames = grid[index + 1] - grid[index]
            n, states = caption_states(
                shown,
                bounds[index],
                bounds[index + 1],
                fps,
                highlight_words=settings.highlight_words,
            )
            n += 2  # spare frames: the join trims each part to its place on the episode's grid
            if states and states[-1].last < n:
                last = states[-1]
                states = (*states[:-1], CaptionState(last.first, n, last.lines, last.highlight))
            zoom = settings.zoom and slide.kind == "section"
            key = _part_key(slide, n, states, size, settings, zoom)
            cached = cache.path(key, "part.mp4")
            if cached is not None:
                parts.append((cached, frames))
                if progress:
                    progress(ProgressEvent("video", index + 1, total, f"cached: {slide.title}"))
                continue
            with Image.open(slide.image) as im:
                base = im.convert("RGB")
            if base.size != size:
                base = base.resize(size, Image.Resampling.LANCZOS)
            folder = scratch / f"part{index:03d}"
            folder.mkdir()
            out = folder / "part.mp4"
            if pending is not None:
                pending.wait()
                pending = None
            if zoom:
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
                        str(n),
                        "-an",
                        str(out),
                    ]
                )
                _pipe_frames(cmd, _zoom_frames(base, states, n, 1.06), f"zoom part {slide.title!r}")
                cache.put(key, {"part.mp4": out.read_bytes()})
            else:
                listing = _write_stills(base, states, fps, folder)
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
                        str(n),
                        "-an",
                        str(out),
                    ]
                )

                def finish(key: str = key, out: Path = out, folder: Path = folder) -> None:
                    cache.put(key, {"part.mp4": out.read_bytes()})
                    shutil.rmtree(folder, ignore_errors=True)

                pending = _start(cmd, f"video part {slide.title!r}", finish)
            parts.append((cache.dir_for(key) / "part.mp4", frames))
            rendered.append(slide.title or slide.kind)
            if progress:
                progress(ProgressEvent("video", index + 1, total, f"rendered: {slide.title}"))
        if pending is not None:
            pending.wait()
            pending = None
        if audio_job is not None:
            audio_job.wait()
        listing = scratch / "parts.ffconcat"
        lines = ["ffconcat version 1.0"]
        for path, frames in parts:
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
                what="joining the video parts",
            )
    finally:
        for job in (pending, audio_job):  # only on failure: stop what still runs
            if job is not None and job.proc.returncode is None:
                job.proc.kill()
                job.proc.communicate()
        shutil.rmtree(scratch, ignore_errors=True)
    thumb = _write_thumbnail(slides, out_path.parent / "thumbnail.png")
    return VideoResult(
        mp4=out_path,
        duration=probe_duration(out_path),
        rendered_sections=tuple(rendered),
        thumbnail=thumb,
    )
