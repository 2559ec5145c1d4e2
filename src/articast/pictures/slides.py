"""Visuals stage: Article + Script + Talk + Master -> Slides (the stills the video shows).

Sits after ``audio`` on the map (it needs the chapter times) and before ``video``. One slide
per chapter of the Master: a title card over the intro, one illustration per section (the
section's own article image when usable, otherwise generated art that is deterministic from
the section's text) and an end card over the outro that sends viewers to the talk (title,
channel, thumbnail, the URL as text and as a QR code). Every slide leaves the bottom band free
for the captions that ``video`` burns in. Slides are drawn with Pillow and cached by content
(namespace ``slides``); pictures are opened, fitted and generated through ``imaging`` (shared
with the cover), so an article's photo is upright here as on the cover.
"""

from __future__ import annotations

import functools
import hashlib
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from articast.cache import Cache, content_key
from articast.config import ShowConfig, VideoSettings
from articast.errors import InputError, RenderError
from articast.lang import Labels, get_language
from articast.models import Article, ImageRef, Master, Script, Slide, SlideKind, Slides, Talk
from articast.pictures.imaging import (
    contain,
    cover,
    darken,
    fit_text,
    font,
    generated_art,
    open_image,
)

__all__ = [
    "THUMBNAIL_SIZE",
    "caption_band",
    "make_slides",
    "talk_link",
]

THUMBNAIL_SIZE = (1280, 720)
_VERSION = "slides-v4"  # v4: Noto Sans (accents, Greek, Cyrillic) instead of ASCII-only Aileron
_MIN_IMAGE_SIDE = 200
_WHITE = (255, 255, 255)
_SOFT = (225, 228, 235)


def caption_band(size: tuple[int, int]) -> tuple[int, int]:
    """Top and bottom pixel rows of the band kept free for burned-in captions."""
    w, h = size
    if h > w:  # vertical: captions sit in the lower third, above the platform's own UI
        return round(h * 0.62), round(h * 0.80)
    return round(h * 0.76), round(h * 0.965)


def talk_link(talk: Talk) -> str:
    """The talk's URL with its start time (``t=N``) when the article gave one."""
    url = talk.url
    if talk.start:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if not any(k == "t" for k, _ in query):
            query.append(("t", f"{talk.start}s"))
            url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    return url


# --------------------------------------------------------------------------- pictures


def _open_image(path: Path | None, min_side: int = _MIN_IMAGE_SIDE) -> Image.Image | None:
    """An article picture, upright, when it is usable at ``min_side`` pixels or more."""
    return open_image(path, min_side=min_side, draft=(1920, 1920))


def _first_usable(refs: Sequence[ImageRef]) -> tuple[Path | None, Image.Image | None]:
    """The first of ``refs`` with a usable local picture, opened; (None, None) when none is."""
    for ref in refs:
        img = _open_image(ref.path)
        if img is not None:
            return ref.path, img
    return None, None


def _file_hash(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _photo_background(
    photo: Image.Image, size: tuple[int, int], area: tuple[int, int, int, int]
) -> Image.Image:
    """The photo contained in ``area`` over a blurred, darkened fill of itself."""
    small = cover(photo, (max(8, size[0] // 8), max(8, size[1] // 8)))
    bg = small.filter(ImageFilter.GaussianBlur(3)).resize(size, Image.Resampling.BICUBIC)
    bg = darken(bg, 0.55)
    x0, y0, x1, y1 = area
    fg = contain(photo, (x1 - x0, y1 - y0))
    bg.paste(fg, (x0 + (x1 - x0 - fg.width) // 2, y0 + (y1 - y0 - fg.height) // 2))
    return bg


# --------------------------------------------------------------------------- text


def _draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: tuple[str, ...],
    f: ImageFont.FreeTypeFont,
    xy: tuple[float, float],
    *,
    fill: tuple[int, int, int] = _WHITE,
    anchor_centre: bool = False,
    bold: bool = False,
    spacing: float = 1.2,
) -> float:
    """Draw ``lines`` from ``xy`` (top-left, or top-centre); returns the y below the block."""
    x, y = xy
    step = f.size * spacing
    for line in lines:
        lx = x - f.getlength(line) / 2 if anchor_centre else x
        draw.text(
            (lx, y),
            line,
            font=f,
            fill=fill,
            stroke_width=max(1, f.size // 28) if bold else 0,
            stroke_fill=fill,
        )
        y += step
    return y


def _panel(img: Image.Image, box: tuple[float, float, float, float], alpha: int = 150) -> None:
    """Darken ``box`` of ``img`` (in place) as a readable backing for text."""
    x0, y0, x1, y1 = (round(v) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(img.width, x1), min(img.height, y1)
    if x1 <= x0 or y1 <= y0:
        return
    region = img.crop((x0, y0, x1, y1))
    shade = Image.new("RGB", region.size, (6, 8, 14))
    img.paste(Image.blend(region, shade, alpha / 255), (x0, y0))


# --------------------------------------------------------------------------- cards


@dataclass(frozen=True)
class _Ctx:
    size: tuple[int, int]

    @property
    def w(self) -> int:
        return self.size[0]

    @property
    def h(self) -> int:
        return self.size[1]

    @property
    def vertical(self) -> bool:
        return self.h > self.w

    @property
    def unit(self) -> int:
        """A base length: 1/100 of the shorter side (scales the layout to any size)."""
        return max(1, min(self.w, self.h) // 100)


def _title_card(ctx: _Ctx, show_name: str, title: str, photo: Image.Image | None) -> Image.Image:
    u = ctx.unit
    if photo is not None:
        img = darken(cover(photo, ctx.size), 0.5)
    else:
        img = darken(generated_art("title:" + title, ctx.size), 0.25)
    margin = 7 * u
    band_top, _ = caption_band(ctx.size)
    max_w = ctx.w - 2 * margin
    f_title, lines = fit_text(title, max_w, 4 if ctx.vertical else 3, 11 * u, 5 * u)
    f_show = font(5 * u, show_name)
    block_h = f_show.size * 1.8 + len(lines) * f_title.size * 1.2
    top = max(margin, (band_top - block_h) / 2)
    _panel(img, (0, top - 3 * u, ctx.w, top + block_h + 2 * u), 140)
    draw = ImageDraw.Draw(img)
    draw.text((margin, top), show_name.upper(), font=f_show, fill=(255, 214, 102))
    _draw_lines(draw, lines, f_title, (margin, top + f_show.size * 1.8), bold=True)
    return img


def _section_card(ctx: _Ctx, title: str, text: str, photo: Image.Image | None) -> Image.Image:
    u = ctx.unit
    band_top, _ = caption_band(ctx.size)
    margin = 5 * u
    f_title, lines = (
        fit_text(title, ctx.w - 2 * margin - 4 * u, 2, 7 * u, 4 * u)
        if title
        else (
            font(7 * u),
            (),
        )
    )
    head_h = round(margin + len(lines) * f_title.size * 1.2 + 2 * u) if lines else 0
    if photo is not None:
        area = (margin, head_h + 2 * u, ctx.w - margin, band_top - 2 * u)
        img = _photo_background(photo, ctx.size, area)
    else:
        img = generated_art("section:" + (title or "") + "\n" + text, ctx.size)
    if lines:
        _panel(img, (0, 0, ctx.w, head_h), 150)
        draw = ImageDraw.Draw(img)
        _draw_lines(draw, lines, f_title, (margin + 2 * u, margin * 0.7), bold=True)
    return img


def _qr_image(url: str, target: int) -> Image.Image:
    import segno

    qr = segno.make(url, error="m")
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=4)]
    modules = len(rows)
    arr = np.where(np.array(rows, dtype=bool), 0, 255).astype(np.uint8)
    scale = max(2, target // modules)
    return (
        Image.fromarray(arr)
        .resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
        .convert("RGB")
    )


def _end_card(
    ctx: _Ctx,
    talk: Talk | None,
    show_name: str,
    episode_title: str,
    article_url: str | None,
    labels: Labels | None = None,
) -> Image.Image:
    u = ctx.unit
    img = darken(generated_art("end:" + episode_title, ctx.size), 0.6)
    draw = ImageDraw.Draw(img)
    band_top, _ = caption_band(ctx.size)
    margin = 6 * u
    url = talk_link(talk) if talk is not None else (article_url or "")
    labels = labels or get_language("en").labels
    heading = labels.watch_talk if talk is not None else labels.thanks
    title = talk.display_title if talk is not None else episode_title
    sub = (talk.channel or "") if talk is not None else show_name
    # YouTube's smaller thumbnails (320x180 "mqdefault") are still worth showing.
    thumb = _open_image(talk.thumbnail, min_side=90) if talk is not None else None
    if ctx.vertical:
        qr_side = round(ctx.w * 0.42)
        text_w = ctx.w - 2 * margin
        qr_xy: tuple[int, int | None] = ((ctx.w - qr_side) // 2, None)
    else:
        qr_side = round(min(band_top - 2 * margin, ctx.w * 0.3))
        text_w = ctx.w - 3 * margin - qr_side
        qr_xy = (ctx.w - margin - qr_side, margin)
    y: float = margin
    f_head = font(6 * u, heading)
    draw.text((margin, y), heading, font=f_head, fill=(255, 214, 102))
    y += f_head.size * 1.5
    f_title, lines = fit_text(title, text_w, 3, 8 * u if ctx.vertical else 7 * u, 4 * u)
    y = _draw_lines(draw, lines, f_title, (margin, y), bold=True)
    if sub:
        f_sub = font(4 * u, sub)
        sub_lines = fit_text(sub, text_w, 1, 4 * u, 3 * u)[1]
        y = _draw_lines(draw, sub_lines, f_sub, (margin, y + u), fill=_SOFT)
    if url:
        # A URL has no spaces to break at: the largest size that fits one line, else split
        # it by width, characters at a time.
        size = 4 * u
        while size > 3 * u and font(size, url).getlength(url) > text_w:
            size -= 1
        f_url = font(size, url)
        url_lines = _break_url(url, f_url, text_w)
        y = _draw_lines(draw, url_lines, f_url, (margin, y + 2 * u), fill=(150, 200, 255))
    if url:
        qr = _qr_image(url, qr_side)
        qx = qr_xy[0]
        qy = qr_xy[1] if qr_xy[1] is not None else round(y + 3 * u)
        img.paste(qr, (qx + (qr_side - qr.width) // 2, qy + (qr_side - qr.height) // 2))
        if qr_xy[1] is None:
            y = qy + qr_side
    if thumb is not None:
        room_h = band_top - 2 * u - (y + 3 * u)
        if room_h > 10 * u:
            t = contain(thumb, (round(text_w if not ctx.vertical else ctx.w * 0.6), round(room_h)))
            tx = margin if not ctx.vertical else (ctx.w - t.width) // 2
            img.paste(t, (tx, round(y + 3 * u)))
    return img


def _break_url(url: str, f: ImageFont.FreeTypeFont, max_w: float) -> tuple[str, ...]:
    lines: list[str] = []
    cur = ""
    for ch in url:
        if cur and f.getlength(cur + ch) > max_w:
            lines.append(cur)
            cur = ""
        cur += ch
    if cur:
        lines.append(cur)
    if len(lines) > 3:
        lines = [*lines[:2], lines[2][:-1] + "…"]
    return tuple(lines)


# --------------------------------------------------------------------------- slides


def _save(cache: Cache, key: str, draw: functools.partial[Image.Image]) -> Path:
    hit = cache.path(key, "slide.png")
    if hit is not None:
        return hit
    from io import BytesIO

    buf = BytesIO()
    draw().save(buf, "PNG", compress_level=1)
    cache.put(key, {"slide.png": buf.getvalue()})
    path = cache.path(key, "slide.png")
    if path is None:
        raise RenderError(
            f"slide cache entry {key[:12]} vanished after writing it; check {cache.root}"
        )
    return path


def _pairing(script: Script, master: Master) -> list[tuple[SlideKind, int | None]]:
    """Slide kind and segment index for each chapter of the master."""
    n = len(master.chapters)
    if n == len(script.segments):
        kinds: dict[str, SlideKind] = {"intro": "title", "section": "section", "outro": "end"}
        return [(kinds[seg.kind], i) for i, seg in enumerate(script.segments)]
    by_title = {seg.title: i for i, seg in enumerate(script.segments)}
    out: list[tuple[SlideKind, int | None]] = []
    for i, ch in enumerate(master.chapters):
        kind: SlideKind = "title" if i == 0 else "end" if i == n - 1 else "section"
        out.append((kind, by_title.get(ch.title)))
    return out


def make_slides(
    article: Article,
    script: Script,
    talk: Talk | None,
    master: Master,
    show: ShowConfig,
    settings: VideoSettings,
    *,
    workdir: Path,
    cache_root: Path,
) -> Slides:
    """One still per chapter of ``master`` (title card, section illustrations, end card).

    Slides are contiguous and cover ``0 .. master.duration``. Also draws a 1280x720 thumbnail
    (the title card) into ``workdir``.
    """
    w, h = settings.width, settings.height
    if w < 160 or h < 160 or w % 2 or h % 2:
        raise InputError(
            f"video size {w}x{h} is not usable: width and height must be even and at least 160"
        )
    ctx = _Ctx((w, h))
    cache = Cache(cache_root, "slides")
    lead_ref, lead = _first_usable(article.images)  # the first usable picture leads the title
    lead_hash = _file_hash(lead_ref)
    chapters = master.chapters
    spans: list[tuple[float, float, str]] = []
    if chapters:
        for i, ch in enumerate(chapters):
            start = 0.0 if i == 0 else ch.start
            end = master.duration if i == len(chapters) - 1 else chapters[i + 1].start
            spans.append((start, max(start, end), ch.title))
        pairing = _pairing(script, master)
    else:
        spans = [(0.0, master.duration, script.title)]
        pairing = [("title", None)]
    slides: list[Slide] = []
    for (start, end, ch_title), (kind, seg_index) in zip(spans, pairing, strict=True):
        seg = script.segments[seg_index] if seg_index is not None else None
        if kind == "title":
            key = content_key(_VERSION, "title", ctx.size, show.name, script.title, lead_hash)
            path = _save(
                cache, key, functools.partial(_title_card, ctx, show.name, script.title, lead)
            )
        elif kind == "end":
            t_fields = (
                None
                if talk is None
                else (talk_link(talk), talk.display_title, talk.channel, _file_hash(talk.thumbnail))
            )
            labels = get_language(article.language).labels
            key = content_key(
                _VERSION, "end", ctx.size, t_fields, show.name, script.title, article.source_url,
                labels.watch_talk, labels.thanks,
            )  # fmt: skip
            path = _save(
                cache,
                key,
                functools.partial(
                    _end_card, ctx, talk, show.name, script.title, article.source_url, labels
                ),
            )
        else:
            section = None
            if (
                seg is not None
                and seg.section_index is not None
                and 0 <= seg.section_index < len(article.sections)
            ):
                section = article.sections[seg.section_index]
            photo_path, photo = _first_usable(section.images if section else ())
            title = ch_title or (seg.title if seg else "")
            text = (
                section.text
                if section is not None
                else " ".join(seg.form(i).display for i in range(len(seg.sentences)))
                if seg
                else ""
            )
            key = content_key(_VERSION, "section", ctx.size, title, text, _file_hash(photo_path))
            path = _save(cache, key, functools.partial(_section_card, ctx, title, text, photo))
        slides.append(Slide(kind, path, start, end, ch_title, key))
    workdir.mkdir(parents=True, exist_ok=True)
    thumb_ctx = _Ctx(THUMBNAIL_SIZE)
    thumb_key = content_key(_VERSION, "thumb", THUMBNAIL_SIZE, show.name, script.title, lead_hash)
    thumb_src = _save(
        cache, thumb_key, functools.partial(_title_card, thumb_ctx, show.name, script.title, lead)
    )
    thumb = workdir / "thumbnail.png"
    thumb.write_bytes(thumb_src.read_bytes())
    return Slides(tuple(slides), thumbnail=thumb, size=(w, h))
