"""Chapter art: each chapter of ``chapters.json`` gets its card as a picture (``img``).

Part of the publish stage. Podcasting 2.0 JSON chapters may name an image per chapter, which
players show while the chapter plays. The picture is the chapter's card from the video: the
title card for the introduction, a section's card with all its key points for a section, the
end card for the outro, written as ``chapter-NN.jpg`` (1280x720) beside ``chapters.json``.
Links are absolute under ``[show] base_url`` and relative to the episode folder without it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from articast.cache import Cache, atomic_write_bytes, atomic_write_text, content_key
from articast.errors import PublishError
from articast.models import Slides
from articast.pictures.imaging import load_rgb
from articast.publish._common import href

__all__ = ["ART_SIZE", "add_chapter_art", "prepare_chapter_art"]

ART_SIZE = (1280, 720)


def _art(image: Path, cache: Cache | None) -> bytes:
    """The JPEG of a card, kept by the card's file (a slide's path names its content; its
    size and time too, for any other file)."""
    try:
        st = image.stat()
    except OSError as exc:
        raise PublishError(f"cannot add chapter art: {image} is unreadable ({exc})") from exc
    key = content_key("chapter-art-1", str(image), st.st_size, st.st_mtime_ns, ART_SIZE)
    hit = cache.path(key, "art.jpg") if cache is not None else None
    if hit is not None:
        return hit.read_bytes()
    pic = load_rgb(image, what="chapter card")
    if pic.size != ART_SIZE:
        pic = pic.resize(ART_SIZE, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    pic.save(buf, "JPEG", quality=85, optimize=True)
    if cache is not None:
        cache.put(key, {"art.jpg": buf.getvalue()})
    return buf.getvalue()


def _cards(slides: Slides) -> dict[str, Path]:
    """Each chapter title's card: a section's last state shows all its points."""
    last: dict[str, Path] = {}
    for slide in slides.slides:
        last[slide.title] = slide.image
    return last


def prepare_chapter_art(slides: Slides, cache_root: Path) -> None:
    """Make every card's JPEG now and keep it (``add_chapter_art`` then only writes them):
    the pipeline calls it while the video encodes."""
    cache = Cache(cache_root, "chapter-art")
    for image in _cards(slides).values():
        _art(image, cache)


def add_chapter_art(
    folder: Path, slides: Slides, base_url: str, slug: str, *, cache_root: Path | None = None
) -> tuple[str, ...]:
    """Write one picture per chapter of ``folder/chapters.json`` and link it as ``img``;
    returns the file names written. A chapter whose title no slide has gets no picture.
    With ``cache_root``, each card's JPEG is kept for the next build."""
    path = folder / "chapters.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"cannot add chapter art: {path} is unreadable ({exc})") from exc
    cache = Cache(cache_root, "chapter-art") if cache_root is not None else None
    last = _cards(slides)
    names: list[str] = []
    for n, chapter in enumerate(doc.get("chapters", []), start=1):
        image = last.get(str(chapter.get("title", "")))
        if image is None:
            continue
        name = f"chapter-{n:02d}.jpg"
        atomic_write_bytes(folder / name, _art(image, cache))
        chapter["img"] = href(base_url, slug, name) if base_url.strip() else name
        names.append(name)
    atomic_write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return tuple(names)
