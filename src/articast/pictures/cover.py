"""Cover art for an episode: square RGB JPEG/PNG with the show name and the episode title.

Sits beside the audio stage on the map: the pipeline calls ``cover_art`` before
``audio.master_audio``, which embeds the result as the MP3's APIC frame; the feed and the
episode page reference the same file.

The picture is built on, in order of preference: the show's own artwork (``ShowConfig.artwork``,
used as it is, only cropped and scaled to the rules), the article's lead image (the first image
with a usable local copy), or the episode's style: its ground, colours and an icon chosen by
the article's meaning, like the video's cards. Apple's artwork rule: square, 1400-3000 px, RGB, JPEG or PNG.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from articast.cache import atomic_path
from articast.config import ShowConfig
from articast.errors import InputError, RenderError
from articast.models import Article, Talk
from articast.pictures import imaging
from articast.pictures.cards import ground
from articast.pictures.icons import render_icon
from articast.pictures.plan import episode_icon
from articast.pictures.style import DEFAULT_STYLE, RGB, STYLES, Style

_WHITE: RGB = (255, 255, 255)

__all__ = ["COVER_SIZE", "MAX_SIZE", "MIN_SIZE", "cover_art", "lead_image"]

COVER_SIZE = 1400
"""Side of generated covers in pixels."""
MIN_SIZE = 1400
"""Smallest side the podcast directories accept."""
MAX_SIZE = 3000
"""Largest side the podcast directories accept."""
MIN_SOURCE = 400
"""A lead image smaller than this (shorter side) looks blurry when scaled up: not used."""


def lead_image(article: Article) -> Path | None:
    """The first article image with a local copy big enough to build the cover on."""
    for ref in article.images:
        if imaging.open_image(ref.path, min_side=MIN_SOURCE) is not None:
            return ref.path
    return None


def _square(img: Image.Image, size: int) -> Image.Image:
    """Crop to a square a little above the centre (faces, headlines) and scale to ``size``."""
    return imaging.cover(img, (size, size), centering=(0.5, 0.4))


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


def _draw_text(
    img: Image.Image, show_name: str, title: str, text: RGB = _WHITE, accent: RGB = _WHITE
) -> None:
    size = img.width
    draw = ImageDraw.Draw(img)
    margin = round(size * 0.08)
    width = size - 2 * margin
    # Show name: small capitals at the top, with an accent rule under it.
    label = " ".join(show_name.upper().split())
    sfont, slines = imaging.fit_text(label, width, 1, round(size * 0.05), round(size * 0.025))
    y = margin
    draw.text((margin, y), slines[0], font=sfont, fill=accent)
    bbox = draw.textbbox((margin, y), slines[0], font=sfont)
    rule_y = bbox[3] + round(size * 0.02)
    draw.rectangle(
        (margin, rule_y, margin + round(size * 0.12), rule_y + max(3, size // 200)),
        fill=accent,
    )
    # Episode title: as large as fits in five lines, set from the bottom margin upwards.
    tfont, tlines = imaging.fit_text(
        " ".join(title.split()), width, 5, round(size * 0.1), round(size * 0.035)
    )
    line_h = round(tfont.size * 1.18)
    stroke = max(1, size // 700)
    y = size - margin - line_h * len(tlines)
    for line in tlines:
        draw.text(
            (margin, y),
            line,
            font=tfont,
            fill=text,
            stroke_width=stroke,
            stroke_fill=text,
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
    own = imaging.open_image(show.artwork)
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
    style: Style = STYLES[DEFAULT_STYLE],
) -> Path:
    """Write the episode's cover to ``dest`` (.jpg or .png) and return ``dest``.

    The show's artwork, when set, is only cropped square and scaled; otherwise the article's
    lead image (or, without one, the ``style``'s ground with an icon chosen by the article's
    meaning) gets the show name and the episode title, in the style's colours. Raises
    InputError for a bad ``size``/suffix or unreadable show artwork, RenderError when writing
    fails.
    """
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InputError(f"cover size {size} px is outside {MIN_SIZE}-{MAX_SIZE} px")
    if show.artwork is not None:
        return show_artwork(show, dest)
    lead = lead_image(article)
    base = imaging.open_image(lead, min_side=MIN_SOURCE)
    if base is not None:
        img = _shade(_square(base, size), 215)
        _draw_text(img, show.name, article.title, _WHITE, style.caption_highlight)
        return _save(img, dest)
    img = ground((size, size), style).copy()
    side = round(size * 0.34)
    icon = render_icon(episode_icon(article), side, style.accent, stroke=1.6)
    img.paste(icon, (size - side - round(size * 0.08), round(size * 0.2)), icon)
    _draw_text(img, show.name, article.title, style.text, style.accent)
    return _save(img, dest)
