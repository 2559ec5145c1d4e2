"""Caption boxes drawn with Pillow (the karaoke highlight too), and the YouTube thumbnail.

A caption is drawn as a *patch*: the box region of the slide under it, darkened, with the
text on top. It is opaque, so moviepy places it with a paste (a transparent overlay would
cost a full-frame alpha composite per frame).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from articast.cache import Cache, atomic_path, content_key, file_hash
from articast.captions import layout_lines
from articast.models import Cue, Slides
from articast.pictures.cards import caption_band
from articast.pictures.imaging import font, load_rgb
from articast.pictures.slides import THUMBNAIL_SIZE
from articast.pictures.style import STYLES, Style

_VERSION = "video-v4"
_DEFAULT = STYLES["dark"]
_MAX_THUMB_BYTES = 2_000_000


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


def caption_font_size(size: tuple[int, int], chars: int = 42) -> int:
    """The caption font size for a frame: a line of ``chars`` characters (42, the captions'
    longest) fits 90% of the width; shorter lines (a clip's) may be set larger."""
    w, h = size
    sample = "Researchers think spindles open a window w"[:chars]  # a typical 42-character line
    at100 = font(100).getlength(sample)
    by_width = int(100 * 0.86 * w / at100)
    cap = 0.05 if chars >= 42 else 0.05 * 42 / max(chars, 20)
    return max(12, min(by_width, round(h * cap) if w >= h else round(w * cap)))


@functools.lru_cache(maxsize=4096)
def _fit_caption(
    lines: tuple[str, ...], size: tuple[int, int], chars: int = 42
) -> tuple[ImageFont.FreeTypeFont, tuple[str, ...]]:
    """Font and lines for a cue, never wider than 90% of the frame.

    The cue's own lines at the standard size when they fit; otherwise re-laid out with the
    real font at shrinking sizes, and for very narrow frames with more lines.
    """
    max_w = size[0] * 0.9
    smallest = 10
    s = caption_font_size(size, chars)
    said = " ".join(lines)
    while True:
        f = font(s, said)
        if all(f.getlength(line) <= max_w for line in lines):
            return f, lines
        relaid = layout_lines(" ".join(lines), f, max_w)
        if relaid is not None:
            return f, relaid
        if s <= smallest:
            break
        s = max(smallest, int(s * 0.92))
    for s in range(smallest, 3, -1):
        f = font(s, said)
        relaid = layout_lines(" ".join(lines), f, max_w, max_lines=6)
        if relaid is not None:
            return f, relaid
    return font(4, said), lines


@dataclass(frozen=True)
class CaptionLayers:
    """A cue's caption box drawn twice, every word plain and every word highlighted, with the
    box of ink of each word: the karaoke patch for any word is one paste, so a cue's words are
    drawn once, not once per word spoken."""

    plain: Image.Image
    lit: Image.Image
    boxes: tuple[tuple[int, int, int, int], ...]
    """Each word's ink, in patch pixels (left, top, right, bottom)."""
    at: tuple[int, int]
    """Where the patch goes on the slide."""

    def patch(self, highlight: int | None) -> Image.Image:
        """The box with word ``highlight`` (counted over all lines) highlighted, or none."""
        img = self.plain.copy()
        if highlight is not None and 0 <= highlight < len(self.boxes):
            box = self.boxes[highlight]
            if box[2] > box[0] and box[3] > box[1]:
                img.paste(self.lit.crop(box), box[:2])
        return img


def _geometry(
    size: tuple[int, int], lines: tuple[str, ...], chars: int = 42
) -> tuple[ImageFont.FreeTypeFont, tuple[str, ...], list[float], int, int, int, int, int]:
    """Where a cue's caption box goes: font, lines shown, their widths, line height, vertical
    padding, box width and height, and the box's top-left corner."""
    f, shown = _fit_caption(tuple(lines), size, chars)
    band_top, band_bottom = caption_band(size)
    line_h = round(f.size * 1.25)
    pad_x, pad_y = round(f.size * 0.6), round(f.size * 0.3)
    widths = [f.getlength(line) for line in shown]
    box_w = round(max(widths)) + 2 * pad_x
    box_h = line_h * len(shown) + 2 * pad_y
    y1 = band_bottom
    y0 = max(band_top, y1 - box_h) if size[1] >= size[0] else y1 - box_h
    return f, shown, widths, line_h, pad_y, box_w, box_h, y0


@functools.lru_cache(maxsize=1024)
def caption_top(size: tuple[int, int], lines: tuple[str, ...]) -> int:
    """The top row of a cue's caption box on a picture of ``size`` (nothing is drawn)."""
    return _geometry(size, lines)[-1]


def _box(
    base: Image.Image, lines: tuple[str, ...], style: Style, chars: int = 42
) -> tuple[Image.Image, Any]:
    """The darkened box region under a cue, and how its lines are laid out in it."""
    size = base.size
    f, shown, widths, line_h, pad_y, box_w, box_h, y0 = _geometry(size, lines, chars)
    x0 = (size[0] - box_w) // 2
    region = base.crop((x0, y0, x0 + box_w, y0 + box_h))
    patch = Image.blend(
        region, Image.new("RGB", region.size, style.caption_box), style.caption_box_opacity
    )
    ascent = f.getmetrics()[0]
    rows = [
        (
            shown[i],
            (size[0] - widths[i]) / 2 - x0,
            pad_y + i * line_h + (line_h - f.size) / 2 + (f.size - ascent) * 0.5,
        )
        for i in range(len(shown))
    ]
    return patch, (f, rows, (x0, y0))


def caption_layers(
    base: Image.Image, lines: tuple[str, ...], style: Style = _DEFAULT, *, chars: int = 42
) -> CaptionLayers:
    """The karaoke layers of the caption ``lines`` over ``base`` (see ``caption_patch``);
    ``chars``: the longest line the cues were laid out for (shorter: larger type)."""
    patch, (f, rows, at) = _box(base, lines, style, chars)
    plain, lit = patch.copy(), patch
    draw_plain, draw_lit = ImageDraw.Draw(plain), ImageDraw.Draw(lit)
    boxes: list[tuple[int, int, int, int]] = []
    for line, lx, ly in rows:
        x = lx
        for word in line.split(" "):
            draw_plain.text((x, ly), word, font=f, fill=style.caption_text)
            draw_lit.text((x, ly), word, font=f, fill=style.caption_highlight)
            left, top, right, bottom = draw_lit.textbbox((x, ly), word, font=f)
            boxes.append((int(left), int(top), math.ceil(right), math.ceil(bottom)))
            x += f.getlength(word + " ")
    return CaptionLayers(plain, lit, tuple(boxes), at)


def caption_patch(
    base: Image.Image,
    lines: tuple[str, ...],
    *,
    highlight: int | None = None,
    style: Style = _DEFAULT,
) -> tuple[Image.Image, tuple[int, int]]:
    """The caption ``lines`` drawn over ``base`` (a slide, RGB): the box region only, and
    where it goes.

    The box is centred horizontally and bottom-aligned in the slide's caption band, the slide
    darkened under it for readability; ``highlight`` colours the word being spoken (counted
    over all lines).
    """
    if highlight is not None:
        layers = caption_layers(base, lines, style)
        return layers.patch(highlight), layers.at
    patch, (f, rows, at) = _box(base, lines, style)
    draw = ImageDraw.Draw(patch)
    for line, lx, ly in rows:
        draw.text((lx, ly), line, font=f, fill=style.caption_text)
    return patch, at


def compose_still(
    base: Image.Image,
    lines: tuple[str, ...],
    *,
    highlight: int | None = None,
    style: Style = _DEFAULT,
) -> Image.Image:
    """``base`` with the caption ``lines`` drawn on (see ``caption_patch``): what the video
    shows while that caption is up."""
    img = base.copy()
    if lines:
        patch, at = caption_patch(base, lines, highlight=highlight, style=style)
        img.paste(patch, at)
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


def write_thumbnail(slides: Slides, dest: Path, cache: Cache) -> Path:
    """``thumbnail.png`` at 1280x720, under 2 MB (palette-reduced when a photo makes it big)."""
    src = slides.thumbnail if slides.thumbnail is not None else slides.slides[0].image
    key = content_key(_VERSION, "thumbnail", file_hash(src))
    hit = cache.path(key, "thumbnail.png")
    if hit is None:
        img = load_rgb(src, what="thumbnail")
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
