"""Pictures, for every stage that draws: ``artwork`` (the cover), ``visuals`` (slides and the
thumbnail) and ``video`` (captions burned into stills).

Beside the stages on the map, below them: it knows nothing of articles or episodes.

- ``open_image``: a picture from disk, upright (EXIF orientation applied, so a phone photo is
  never sideways), within a pixel limit checked before decoding, in RGB (transparency laid on
  a dark backdrop); None when the file is not a usable picture. ``load_rgb`` reads our own
  files and raises instead.
- ``font``: ``$ARTICAST_FONT`` or Noto Sans (pip installs it with articast: every accented
  Latin letter, Greek, Cyrillic), else Pillow's bundled Aileron (ASCII only: "Café" would show
  a box); for characters the font lacks (Chinese, Japanese...), a font of the machine that has
  them (Noto CJK, Droid Sans Fallback, WenQuanYi, DejaVu...).
- ``fit_text``: the largest font size at which a text fits a box in a number of lines.
- ``cover``, ``contain``, ``darken``: cropping, scaling and shading.
"""

from __future__ import annotations

import collections
import functools
import importlib.util
import os
import threading
from pathlib import Path

from PIL import ExifTags, Image, ImageFont, ImageOps, UnidentifiedImageError

from articast.captions import layout_lines
from articast.errors import RenderError

__all__ = [
    "MAX_PIXELS",
    "RGB",
    "contain",
    "cover",
    "darken",
    "fit_text",
    "font",
    "load_rgb",
    "open_image",
    "to_rgb",
]

RGB = tuple[int, int, int]

MAX_PIXELS = 60_000_000
"""Larger pictures are not decoded (a decompression bomb, or far more than a frame needs)."""
BACKDROP: RGB = (20, 20, 24)
"""What transparent parts of a picture are laid on."""

# --------------------------------------------------------------------------- opening


def to_rgb(img: Image.Image, backdrop: RGB = BACKDROP) -> Image.Image:
    """``img`` in RGB; transparent parts (RGBA, LA, P with transparency) laid on ``backdrop``."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        base = Image.new("RGB", rgba.size, backdrop)
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    return img if img.mode == "RGB" else img.convert("RGB")


def open_image(
    path: Path | None,
    *,
    min_side: int = 1,
    max_pixels: int = MAX_PIXELS,
    draft: tuple[int, int] | None = None,
) -> Image.Image | None:
    """The picture at ``path``, upright and RGB; None when it is missing, not a picture,
    over ``max_pixels`` or with a shorter side under ``min_side`` (after turning it upright).

    ``draft`` lets JPEG decoding scale down while staying at least that size (fast for big
    photos that end up small).
    """
    if path is None or not path.is_file():
        return None
    try:
        with Image.open(path) as im:
            if im.width * im.height > max_pixels:
                return None
            if draft is not None:
                im.draft("RGB", draft)
            im.load()
            # A phone stores the sensor's pixels and says in EXIF how to turn them (asked
            # first: without an orientation, exif_transpose returns a copy).
            turned = im.getexif().get(ExifTags.Base.Orientation, 1) not in (None, 1)
            upright = (ImageOps.exif_transpose(im) or im) if turned else im
            rgb = to_rgb(upright)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None
    if min(rgb.size) < min_side:
        return None
    return rgb


_DRAWN_KEPT = 32
"""Pictures this process drew and wrote, kept so that reading them back is not a PNG decode
(a slide is drawn, written to the cache, then read for every video frame that shows it)."""
_drawn: collections.OrderedDict[tuple[str, int, int], Image.Image] = collections.OrderedDict()
_drawn_lock = threading.Lock()


def _identity(path: Path) -> tuple[str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return str(path), st.st_size, st.st_mtime_ns


def remember_drawn(path: Path, image: Image.Image) -> None:
    """``image`` is what the file just written at ``path`` holds (losslessly): ``load_rgb``
    returns it while the file stays as it is (its size and time)."""
    key = _identity(path)
    if key is None:
        return
    rgb = to_rgb(image)
    with _drawn_lock:
        _drawn[key] = rgb
        _drawn.move_to_end(key)
        while len(_drawn) > _DRAWN_KEPT:
            _drawn.popitem(last=False)


def load_rgb(path: Path, *, what: str = "picture") -> Image.Image:
    """One of our own pictures (a slide, a thumbnail) in RGB; RenderError when unreadable.
    Callers must not change it (it may be the picture ``remember_drawn`` kept)."""
    key = _identity(path)
    with _drawn_lock:
        kept = _drawn.get(key) if key is not None else None
    if kept is not None:
        return kept
    img = open_image(path)
    if img is None:
        raise RenderError(f"cannot read the {what} {path}; delete the cache and rebuild")
    return img


# --------------------------------------------------------------------------- fonts and text

Font = ImageFont.FreeTypeFont


FALLBACK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:/Windows/Fonts/arialuni.ttf",
)
"""Machine fonts tried, in order, for characters the main font cannot show."""


@functools.lru_cache(maxsize=128)
def _face(path: str | None, size: int) -> Font:
    """The font at ``path`` (Pillow's Aileron for None) at ``size`` pixels."""
    if path is not None:
        return ImageFont.truetype(path, size=max(4, int(size)))
    f = ImageFont.load_default(size=max(4, int(size)))
    if not isinstance(f, ImageFont.FreeTypeFont):
        raise RenderError(
            "Pillow was built without FreeType, so its scalable default font is missing; "
            "install a Pillow wheel from PyPI (pip install --force-reinstall pillow)"
        )
    return f


@functools.lru_cache(maxsize=16)
def _notdef(path: str | None) -> bytes:
    """How the font draws a character it does not have (its "tofu" box)."""
    return bytes(_face(path, 24).getmask("\U0010fffd"))


@functools.lru_cache(maxsize=8192)
def _has_glyph(path: str | None, ch: str) -> bool:
    """The font draws ``ch`` as itself, not as its missing-character box."""
    drawn = bytes(_face(path, 24).getmask(ch))
    return not drawn.strip(b"\x00") or drawn != _notdef(path)


@functools.lru_cache(maxsize=1)
def _noto_sans() -> str:
    """Noto Sans (Latin with every accent, Greek, Cyrillic), installed by pip with articast
    (``fontpkg-noto-sans``); empty when it is missing."""
    spec = importlib.util.find_spec("fontpkg_noto_sans")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(folder, "files").glob("NotoSans[[]*.ttf"))
        if found:
            return str(found[0])
    return ""


@functools.lru_cache(maxsize=1)
def _fallbacks() -> tuple[str, ...]:
    """The fallback fonts this machine has: ``$ARTICAST_FONT``, Noto Sans, system fonts."""
    wanted = [os.environ.get("ARTICAST_FONT", ""), _noto_sans(), *FALLBACK_FONTS]
    found: list[str] = []
    for path in wanted:
        if path and Path(path).is_file() and path not in found:
            try:
                _face(path, 24)
            except (OSError, ValueError):  # not a font Pillow can read
                continue
            found.append(path)
    return tuple(found)


def font(size: int, text: str = "") -> Font:
    """A font at ``size`` pixels that can show ``text``: the first of ``$ARTICAST_FONT`` and
    Noto Sans (installed with articast) the machine has, else Pillow's bundled Aileron (ASCII
    only; needs no font file); for characters it lacks (Chinese, Japanese...), the fallback
    font that has them all, else the one that has most of them."""
    faces = _fallbacks()
    primary = faces[0] if faces and faces[0] in _primary_fonts() else None
    missing = [ch for ch in {ch for ch in text if not ch.isspace()} if not _has_glyph(primary, ch)]
    if not missing:
        return _face(primary, size)
    best: tuple[int, str | None] = (0, primary)
    for path in faces:
        shown = sum(1 for ch in missing if _has_glyph(path, ch))
        if shown == len(missing):
            return _face(path, size)
        if shown > best[0]:
            best = (shown, path)
    return _face(best[1], size)


def _primary_fonts() -> tuple[str, ...]:
    """The fonts used for all text when present (the others only for what they lack)."""
    return (os.environ.get("ARTICAST_FONT", ""), _noto_sans())


def _cut_to_width(word: str, f: Font, max_width: float) -> str:
    """``word`` shortened to fit ``max_width`` with an ellipsis (a URL wider than the box)."""
    while word and f.getlength(word + "…") > max_width:
        word = word[:-1]
    return word + "…"


def fit_text(
    text: str, max_width: float, max_lines: int, size: int, min_size: int
) -> tuple[Font, tuple[str, ...]]:
    """The largest font (from ``size`` down to ``min_size``) at which ``text`` fits in
    ``max_lines`` lines of ``max_width`` pixels, and those lines (broken at natural points).

    Too long even at ``min_size``: words are dropped from the end and an ellipsis added; a
    single word wider than the box is cut. No line is ever wider than ``max_width``.
    """

    def fits(candidate: str, f: Font) -> tuple[str, ...] | None:
        # Longer than all the lines together cannot fit: skip the line-breaking search.
        if f.getlength(candidate) > max_width * max_lines:
            return None
        return layout_lines(candidate, f, max_width, max_lines=max_lines)

    s = max(min_size, size)
    while True:
        f = font(s, text)
        lines = fits(text, f)
        if lines is not None:
            return f, lines
        if s <= min_size:
            break
        s = max(min_size, int(s * 0.9))
    f = font(min_size, text)
    words = text.split()

    def cut(k: int) -> tuple[str, ...] | None:
        return fits(" ".join(words[:k]) + "…", f)

    # The most words that fit with an ellipsis: a binary search (fitting shrinks with length).
    lo, hi, best = 1, len(words) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        lines = cut(mid)
        if lines is not None:
            lo, best = mid + 1, lines
        else:
            hi = mid - 1
    if best is not None:
        return f, best
    return f, (_cut_to_width(words[0] if words else "", f, max_width),)


# --------------------------------------------------------------------------- geometry


def cover(
    img: Image.Image, size: tuple[int, int], *, centering: tuple[float, float] = (0.5, 0.5)
) -> Image.Image:
    """``img`` scaled to fill ``size`` and cropped around ``centering`` (fractions)."""
    return ImageOps.fit(img, size, method=Image.Resampling.LANCZOS, centering=centering)


def contain(img: Image.Image, box: tuple[int, int]) -> Image.Image:
    """``img`` scaled to fit inside ``box``, keeping its proportions."""
    scale = min(box[0] / img.width, box[1] / img.height)
    return img.resize(
        (max(1, round(img.width * scale)), max(1, round(img.height * scale))),
        Image.Resampling.LANCZOS,
    )


def darken(img: Image.Image, amount: float, shade: RGB = (8, 10, 16)) -> Image.Image:
    """``img`` blended ``amount`` (0-1) towards a near-black ``shade``."""
    return Image.blend(img, Image.new("RGB", img.size, shade), amount)
