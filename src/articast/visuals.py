"""Visuals stage: Article + Script + Talk + Master -> Slides (the stills the video shows).

Sits after ``audio`` on the map (it needs the chapter times) and before ``video``. One slide
per chapter of the Master: a title card over the intro, one illustration per section (the
section's own article image when usable, otherwise generated art that is deterministic from
the section's text) and an end card over the outro that sends viewers to the talk (title,
channel, thumbnail, the URL as text and as a QR code). Every slide leaves the bottom band free
for the captions that ``video`` burns in. Slides are drawn with Pillow and cached by content
(namespace ``slides``); the font is Pillow's bundled scalable Aileron, so no system font is
needed.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, UnidentifiedImageError

from articast.cache import Cache, content_key
from articast.captions import layout_lines
from articast.config import ShowConfig, VideoSettings
from articast.errors import InputError, RenderError
from articast.lang import Labels, get_language
from articast.models import Article, ImageRef, Master, Script, Slide, SlideKind, Slides, Talk

__all__ = [
    "THUMBNAIL_SIZE",
    "caption_band",
    "font",
    "generated_art",
    "make_slides",
    "talk_link",
]

THUMBNAIL_SIZE = (1280, 720)
_VERSION = "slides-v2"
_MIN_IMAGE_SIDE = 200
_WHITE = (255, 255, 255)
_SOFT = (225, 228, 235)


@functools.lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's bundled scalable font (Aileron) at ``size`` pixels; needs no system font."""
    f = ImageFont.load_default(size=max(8, int(size)))
    if not isinstance(f, ImageFont.FreeTypeFont):
        raise RenderError(
            "Pillow was built without FreeType, so its scalable default font is missing; "
            "install a Pillow wheel from PyPI (pip install --force-reinstall pillow)"
        )
    return f


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


# --------------------------------------------------------------------------- art


def _palette(seed: bytes) -> list[tuple[int, int, int]]:
    import colorsys

    hue = seed[0] / 255
    spread = 0.08 + seed[1] / 255 * 0.25
    colours = []
    for i, (light, sat) in enumerate(((0.16, 0.55), (0.30, 0.60), (0.55, 0.65), (0.75, 0.55))):
        h = (hue + spread * i * (1 if seed[2] % 2 else -1)) % 1.0
        r, g, b = colorsys.hls_to_rgb(h, light, sat)
        colours.append((round(r * 255), round(g * 255), round(b * 255)))
    return colours


def generated_art(text: str, size: tuple[int, int]) -> Image.Image:
    """Abstract art that depends only on ``text`` and ``size``: gradient, soft shapes, waves."""
    seed = hashlib.sha256(text.encode("utf-8")).digest()
    rng = random.Random(seed)
    w, h = size
    sw, sh = max(16, w // 4), max(16, h // 4)  # draw small, blur, upscale: fast and smooth
    c0, c1, c2, c3 = _palette(seed)
    angle = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    t = (xx / sw) * math.cos(angle) + (yy / sh) * math.sin(angle)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    grad = np.array(c0, np.float32) * (1 - t[..., None]) + np.array(c1, np.float32) * t[..., None]
    img = Image.fromarray(grad.astype(np.uint8))
    layer = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(5, 9)):
        r = rng.uniform(0.08, 0.35) * min(sw, sh) * 1.6
        cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
        colour = rng.choice((c2, c3, c1))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*colour, rng.randint(50, 120)))
    layer = layer.filter(ImageFilter.GaussianBlur(max(2, min(sw, sh) // 40)))
    img = Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")
    img = img.resize((w, h), Image.Resampling.BICUBIC)
    # Waves are drawn at half size and smoothed up, so their edges are not stair-stepped.
    hw, hh = max(16, w // 2), max(16, h // 2)
    waves = Image.new("RGBA", (hw, hh), (*c3, 0))
    draw = ImageDraw.Draw(waves)
    for k in range(rng.randint(3, 6)):
        amp = rng.uniform(0.03, 0.12) * hh
        freq = rng.uniform(0.5, 2.5)
        phase = rng.uniform(0, 2 * math.pi)
        base = hh * rng.uniform(0.2, 0.8)
        pts = [
            (x, base + amp * math.sin(2 * math.pi * freq * x / hw + phase + k))
            for x in range(0, hw + 4, 3)
        ]
        draw.line(pts, fill=(*c3, rng.randint(60, 140)), width=max(1, hh // 150), joint="curve")
    waves = waves.filter(ImageFilter.GaussianBlur(0.8)).resize((w, h), Image.Resampling.BILINEAR)
    img.paste(waves.convert("RGB"), (0, 0), waves)
    return img


def _open_image(path: Path | None, min_side: int = _MIN_IMAGE_SIDE) -> Image.Image | None:
    """The image at ``path`` when it is a real picture of a usable size, else None."""
    if path is None or not path.is_file():
        return None
    try:
        with Image.open(path) as im:
            im.draft("RGB", (1920, 1920))
            im.load()
            if min(im.size) < min_side:
                return None
            rgb: Image.Image = im.convert("RGB")
            return rgb
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        return None


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


def _cover(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale and centre-crop ``img`` to fill ``size``."""
    w, h = size
    scale = max(w / img.width, h / img.height)
    nw, nh = max(w, round(img.width * scale)), max(h, round(img.height * scale))
    big = img.resize((nw, nh), Image.Resampling.BICUBIC)
    x, y = (nw - w) // 2, (nh - h) // 2
    return big.crop((x, y, x + w, y + h))


def _contain(img: Image.Image, box: tuple[int, int]) -> Image.Image:
    scale = min(box[0] / img.width, box[1] / img.height)
    return img.resize(
        (max(1, round(img.width * scale)), max(1, round(img.height * scale))),
        Image.Resampling.LANCZOS,
    )


def _darken(img: Image.Image, amount: float) -> Image.Image:
    return Image.blend(img, Image.new("RGB", img.size, (8, 10, 16)), amount)


def _photo_background(
    photo: Image.Image, size: tuple[int, int], area: tuple[int, int, int, int]
) -> Image.Image:
    """The photo contained in ``area`` over a blurred, darkened fill of itself."""
    small = _cover(photo, (max(8, size[0] // 8), max(8, size[1] // 8)))
    bg = small.filter(ImageFilter.GaussianBlur(3)).resize(size, Image.Resampling.BICUBIC)
    bg = _darken(bg, 0.55)
    x0, y0, x1, y1 = area
    fg = _contain(photo, (x1 - x0, y1 - y0))
    bg.paste(fg, (x0 + (x1 - x0 - fg.width) // 2, y0 + (y1 - y0 - fg.height) // 2))
    return bg


# --------------------------------------------------------------------------- text


def _fit(
    text: str, max_width: float, max_lines: int, size: int, min_size: int
) -> tuple[ImageFont.FreeTypeFont, tuple[str, ...]]:
    """The largest font (from ``size`` down) at which ``text`` fits ``max_lines`` lines."""
    s = size
    while True:
        f = font(s)
        lines = layout_lines(text, f, max_width, max_lines=max_lines)
        if lines is not None:
            return f, lines
        if s <= min_size:
            break
        s = max(min_size, int(s * 0.9))
    # Still too long at the smallest size: cut the text with an ellipsis.
    f = font(min_size)
    words = text.split()
    while words:
        words.pop()
        cut = " ".join(words) + "…"
        lines = layout_lines(cut, f, max_width, max_lines=max_lines)
        if lines is not None:
            return f, lines
    return f, ("…",)


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
        img = _darken(_cover(photo, ctx.size), 0.5)
    else:
        img = _darken(generated_art("title:" + title, ctx.size), 0.25)
    margin = 7 * u
    band_top, _ = caption_band(ctx.size)
    max_w = ctx.w - 2 * margin
    f_title, lines = _fit(title, max_w, 4 if ctx.vertical else 3, 11 * u, 5 * u)
    f_show = font(5 * u)
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
        _fit(title, ctx.w - 2 * margin - 4 * u, 2, 7 * u, 4 * u)
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
    img = _darken(generated_art("end:" + episode_title, ctx.size), 0.6)
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
    f_head = font(6 * u)
    draw.text((margin, y), heading, font=f_head, fill=(255, 214, 102))
    y += f_head.size * 1.5
    f_title, lines = _fit(title, text_w, 3, 8 * u if ctx.vertical else 7 * u, 4 * u)
    y = _draw_lines(draw, lines, f_title, (margin, y), bold=True)
    if sub:
        f_sub = font(4 * u)
        sub_lines = _fit(sub, text_w, 1, 4 * u, 3 * u)[1]
        y = _draw_lines(draw, sub_lines, f_sub, (margin, y + u), fill=_SOFT)
    if url:
        # A URL has no spaces to break at: the largest size that fits one line, else split
        # it by width, characters at a time.
        size = 4 * u
        while size > 3 * u and font(size).getlength(url) > text_w:
            size -= 1
        f_url = font(size)
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
            t = _contain(thumb, (round(text_w if not ctx.vertical else ctx.w * 0.6), round(room_h)))
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
