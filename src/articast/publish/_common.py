"""Shared helpers of the publish stage: reading the manifest, times, links, file names.

The manifest (``episode.json``) is an untyped dict written by the pipeline; these helpers read
it defensively and turn it into small typed values for the description, page and feed writers.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from articast.models import Chapter
from articast.sanitize import clean_line

#: Default file names inside an episode folder (``manifest["files"]`` overrides them).
DEFAULT_FILES: dict[str, str] = {
    "audio": "episode.mp3",
    "video": "episode.mp4",
    "script": "script.md",
    "captions_vtt": "captions.vtt",
    "captions_srt": "captions.srt",
    "chapters": "chapters.json",
    "cover": "cover.jpg",
    "thumbnail": "thumbnail.png",
    "description": "description.txt",
    "shownotes": "shownotes.html",
    "page": "index.html",
}

#: Name the talk's cached thumbnail gets when copied into the episode folder (plus suffix).
TALK_THUMB_STEM = "talk-thumbnail"
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


ChapterInfo = Chapter
"""A chapter read from the manifest: the pipeline's own ``Chapter`` value."""


@dataclass(frozen=True)
class TalkInfo:
    """The referenced talk, read from the manifest."""

    url: str
    """Watch URL including the start time when there is one."""
    title: str
    channel: str | None
    thumbnail: Path | None
    """The cached thumbnail, when it exists on disk."""


def text(value: object, default: str = "") -> str:
    """``value`` as a stripped one-line string (``default`` for None/empty)."""
    if value is None:
        return default
    # Manifests written before sanitising existed may hold characters XML cannot carry.
    s = clean_line(str(value))
    return s or default


def number(value: object, default: float = 0.0) -> float:
    """``value`` as a finite float, or ``default``."""
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


def file_name(manifest: dict[str, Any], key: str) -> str:
    """The file name for ``key`` (``audio``, ``cover``...) relative to the episode folder."""
    files = manifest.get("files")
    if isinstance(files, dict):
        name = files.get(key)
        if isinstance(name, str) and name and not Path(name).is_absolute():
            return name
    return DEFAULT_FILES[key]


def existing_file(folder: Path, manifest: dict[str, Any], key: str) -> str | None:
    """The file name for ``key`` when that file exists in ``folder``; else None.

    For the cover, ``cover.png`` is accepted when ``cover.jpg`` is missing.
    """
    name = file_name(manifest, key)
    if (folder / name).is_file():
        return name
    if key == "cover":
        for alt in ("cover.jpg", "cover.png"):
            if (folder / alt).is_file():
                return alt
    return None


def chapters(manifest: dict[str, Any]) -> list[ChapterInfo]:
    """The manifest's chapters in start order (malformed entries are skipped)."""
    out: list[ChapterInfo] = []
    raw = manifest.get("chapters")
    if not isinstance(raw, list):
        return out
    for i, ch in enumerate(raw):
        if not isinstance(ch, dict):
            continue
        start = number(ch.get("start"), -1.0)
        if start < 0:
            continue
        end = number(ch.get("end"), start)
        url = ch.get("url")
        out.append(
            ChapterInfo(
                title=text(ch.get("title"), f"Part {i + 1}"),
                start=start,
                end=max(end, start),
                url=url if isinstance(url, str) and url else None,
            )
        )
    out.sort(key=lambda c: c.start)
    return out


def url_with_start(url: str, start: object) -> str:
    """``url`` with a ``t=<N>s`` query parameter when ``start`` is a positive time and none is set."""
    secs = int(number(start, 0.0))
    if secs <= 0:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "t" or k == "start" for k, _ in query):
        return url
    query.append(("t", f"{secs}s"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def talk(manifest: dict[str, Any], folder: Path | None = None) -> TalkInfo | None:
    """The talk of the manifest, or None when the article links none."""
    raw = manifest.get("talk")
    if not isinstance(raw, dict):
        return None
    url = text(raw.get("url"))
    if not url.startswith(("http://", "https://")):
        return None
    thumb: Path | None = None
    t = raw.get("thumbnail")
    if isinstance(t, str) and t:
        p = Path(t)
        if not p.is_absolute() and folder is not None:
            p = folder / p
        if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES:
            thumb = p
    title = text(raw.get("title")) or text(raw.get("link_text")) or "the talk"
    return TalkInfo(
        url=url_with_start(url, raw.get("start")),
        title=title,
        channel=text(raw.get("channel")) or None,
        thumbnail=thumb,
    )


def article_url(manifest: dict[str, Any]) -> str | None:
    """The article's public URL (``source_url``, else an http(s) ``source``), or None."""
    for key in ("source_url", "source"):
        v = manifest.get(key)
        if isinstance(v, str) and v.startswith(("http://", "https://")):
            return v.strip()
    return None


def clock(seconds: float) -> str:
    """``M:SS`` or ``H:MM:SS`` (YouTube's timestamp style), seconds rounded down."""
    s = max(0, int(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def esc(value: str) -> str:
    """HTML-escape text and attribute values."""
    return html.escape(value, quote=True)


def href(base_url: str, *parts: str) -> str:
    """A link to ``parts`` under ``base_url``; relative (``slug/file``) when the base is empty."""
    path = "/".join(quote(p, safe="/") for p in parts if p)
    base = base_url.strip()
    if not base:
        return path
    return f"{base.rstrip('/')}/{path}" if path else base.rstrip("/") + "/"
