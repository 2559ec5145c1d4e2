"""Cover art for an episode: square RGB JPEG/PNG with the show name and the episode title.

Sits beside the audio stage on the map: the pipeline calls ``cover_art`` before
``audio.master_audio``, which embeds the result as the MP3's APIC frame; the feed and the
episode page reference the same file.

The picture is built on, in order of preference: the show's own artwork (``ShowConfig.artwork``,
used as it is, only cropped and scaled to the rules), the article's lead image (the first image
with a usable local copy), or generated art (a gradient and sound-wave rings in colours derived
from the title). Apple's artwork rule: square, 1400-3000 px, RGB, JPEG or PNG.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps, UnidentifiedImageError

from articast.cache import atomic_path
from articast.config import ShowConfig
from articast.errors import InputError, RenderError
from articast.models import Article, Talk

__all__ = ["COVER_SIZE", "MAX_SIZE", "MIN_SIZE", "cover_art", "lead_image"]

COVER_SIZE = 1400
"""Side of generated covers in pixels."""
MIN_SIZE = 1400
"""Smallest side the podcast directories accept."""
MAX_SIZE = 3000
"""Largest side the podcast directories accept."""
MIN_SOURCE = 400
"""A lead image smaller than this (shorter side) looks blurry when scaled up: not used."""
_MAX_SOURCE_PIXELS = 60_000_000

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> Font:
    # Pillow's bundled scalable font (Aileron): no system font needed.
    return ImageFont.load_default(size=size)


def _open_rgb(path: Path) -> Image.Image | None:
    """The picture at ``path`` upright and RGB, or None when it is not a usable image."""
    try:
        with Image.open(path) as img:
            if img.width * img.height > _MAX_SOURCE_PIXELS:
                return None
            img.load()
            img = ImageOps.exif_transpose(img) or img
            if img.mode in ("RGBA", "LA", "P"):
                rgba = img.convert("RGBA")
                base = Image.new("RGB", rgba.size, (20, 20, 24))
                base.paste(rgba, mask=rgba.getchannel("A"))
                return base
            return img.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None


def lead_image(article: Article) -> Path | None:
    """The first article image with a local copy big enough to build the cover on."""
    for ref in article.images:
        if ref.path is None or not ref.path.is_file():
            continue
        img = _open_rgb(ref.path)
        if img is not None and min(img.size) >= MIN_SOURCE:
            return ref.path
    return None


def _square(img: Image.Image, size: int) -> Image.Image:
    """Centre-crop to a square and scale to ``size``."""
    return ImageOps.fit(img, (size, size), method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))


def _palette(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
    """Two background colours and an accent derived from ``seed`` (stable across runs)."""
    h = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:4], "big")
    hue = (h % 360) / 360

    def rgb(hh: float, s: float, v: float) -> tuple[int, int, int]:
        r, g, b = colorsys.hsv_to_rgb(hh % 1.0, s, v)
        return round(r * 255), round(g * 255), round(b * 255)

    return rgb(hue, 0.75, 0.30), rgb(hue + 0.08, 0.65, 0.12), rgb(hue + 0.5, 0.55, 0.95)


def _generated(seed: str, size: int) -> Image.Image:
    """A diagonal gradient with concentric sound-wave rings."""
    top, bottom, accent = _palette(seed)
    small = 64
    grad = Image.new("RGB", (small, small))
    px = grad.load()
    if px is None:  # pragma: no cover - Pillow always returns an accessor for RGB
        raise RenderError("cannot draw the cover gradient")
    for y in range(small):
        for x in range(small):
            t = (x + y) / (2 * (small - 1))
            px[x, y] = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
    img = grad.resize((size, size), Image.Resampling.BICUBIC)
    rings = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(rings)
    cx, cy = round(size * 0.78), round(size * 0.26)
    width = max(2, size // 180)
    for i in range(1, 9):
        r = round(size * 0.06 * i * (1 + 0.08 * i))
        draw.ellipse(
            (cx - r, cy - r, cx + r, cy + r), outline=round(150 / (1 + 0.45 * i)), width=width
        )
    rings = rings.filter(ImageFilter.GaussianBlur(size / 700))
    img.paste(Image.new("RGB", (size, size), accent), mask=rings)
    return img


def _shade(img: Image.Image, strength: int) -> Image.Image:
    """Darken the lower half (and a little the top) so light text stays readable."""
    size = img.width
    mask = Image.new("L", (1, 256))
    for y in range(256):
        t = y / 255
        low = max(0.0, (t - 0.35) / 0.65) ** 1.3
        high = max(0.0, (0.18 - t) / 0.18)
        mask.putpixel((0, y), round(strength * max(low, 0.6 * high)))
    mask = mask.resize((size, size), Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", img.size, (8, 8, 12)), img, mask)


def _wrap(text: str, font: Font, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _fit(
    text: str, width: float, max_lines: int, start: int, smallest: int
) -> tuple[Font, list[str]]:
    """The largest font (down to ``smallest``) that sets ``text`` in ``max_lines`` lines."""
    size = start
    while True:
        font = _font(size)
        lines = _wrap(text, font, width)
        fits = len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines)
        if fits or size <= smallest:
            break
        size = max(smallest, math.floor(size * 0.9))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += "…"
    # A word wider than the picture even at the smallest size (a URL...) is cut.
    for i, line in enumerate(lines):
        if font.getlength(line) > width:
            while len(line) > 1 and font.getlength(line.rstrip("…") + "…") > width:
                line = line.rstrip("…")[:-1]
            lines[i] = line.rstrip("…") + "…"
    return font, lines


def _draw_text(img: Image.Image, show_name: str, title: str) -> None:
    size = img.width
    draw = ImageDraw.Draw(img)
    margin = round(size * 0.08)
    width = size - 2 * margin
    # Show name: small capitals at the top, with an accent rule under it.
    label = " ".join(show_name.upper().split())
    sfont, slines = _fit(label, width, 1, round(size * 0.05), round(size * 0.025))
    y = margin
    draw.text((margin, y), slines[0], font=sfont, fill=(255, 255, 255))
    bbox = draw.textbbox((margin, y), slines[0], font=sfont)
    rule_y = bbox[3] + round(size * 0.02)
    draw.rectangle(
        (margin, rule_y, margin + round(size * 0.12), rule_y + max(3, size // 200)),
        fill=(255, 255, 255),
    )
    # Episode title: as large as fits in five lines, set from the bottom margin upwards.
    tfont, tlines = _fit(" ".join(title.split()), width, 5, round(size * 0.1), round(size * 0.035))
    line_h = round(tfont.size * 1.18) if isinstance(tfont, ImageFont.FreeTypeFont) else 20
    stroke = max(1, size // 700)
    y = size - margin - line_h * len(tlines)
    for line in tlines:
        draw.text(
            (margin, y),
            line,
            font=tfont,
            fill=(255, 255, 255),
            stroke_width=stroke,
            stroke_fill=(255, 255, 255),
        )
        y += line_h


def _save(img: Image.Image, dest: Path) -> Path:
    suffix = dest.suffix.lower()
    if suffix not in (".jpg", ".jpeg", ".png"):
        raise InputError(f"cover art must be .jpg or .png, not {dest.name}")
    try:
        with atomic_path(dest) as tmp:
            if suffix == ".png":
                img.save(tmp, format="PNG", optimize=True)
            else:
                img.save(tmp, format="JPEG", quality=90, optimize=True)
    except OSError as exc:
        raise RenderError(f"cannot write the cover art {dest}: {exc}") from exc
    return dest


def show_artwork(show: ShowConfig, dest: Path) -> Path:
    """The show's own artwork checked and normalised (square, 1400-3000 px, RGB) into ``dest``.

    The same check a build makes: a file that is not a readable image (a text file named
    ``.png``, a link to a system file) is an ``InputError``; its bytes are never copied.
    """
    if show.artwork is None:
        raise InputError("no show artwork is configured")
    own = _open_rgb(show.artwork)
    if own is None:
        raise InputError(f"show artwork {show.artwork} is not a readable image; fix [show] artwork")
    side = min(MAX_SIZE, max(MIN_SIZE, min(own.size)))
    return _save(_square(own, side), dest)


def cover_art(
    article: Article,
    talk: Talk | None,
    show: ShowConfig,
    dest: Path,
    *,
    size: int = COVER_SIZE,
) -> Path:
    """Write the episode's cover to ``dest`` (.jpg or .png) and return ``dest``.

    The show's artwork, when set, is only cropped square and scaled; otherwise the article's
    lead image (or generated art) gets the show name and the episode title. Raises InputError
    for a bad ``size``/suffix or unreadable show artwork, RenderError when writing fails.
    """
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InputError(f"cover size {size} px is outside {MIN_SIZE}-{MAX_SIZE} px")
    if show.artwork is not None:
        return show_artwork(show, dest)
    lead = lead_image(article)
    base = _open_rgb(lead) if lead is not None else None
    if base is not None:
        img = _shade(_square(base, size), 215)
    else:
        seed = talk.video_id if talk is not None else article.title
        img = _shade(_generated(f"{article.title}|{seed}", size), 120)
    _draw_text(img, show.name, article.title)
    return _save(img, dest)
