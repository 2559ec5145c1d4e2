"""Shared helpers of the publish stage: the manifest's parts as the writers need them, times,
links and file names.

The manifest is the typed ``models.Episode`` (``episode.json`` read with ``Episode.from_json``);
these helpers add what the description, page and feed writers share: the talk's link with its
start time, the article's public URL, the files that exist on disk.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from articast.models import Chapter, Episode
from articast.sanitize import clean_line

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


def existing_file(folder: Path, name: str | None) -> str | None:
    """``name`` when that file exists in the episode ``folder``; else None."""
    if name and (folder / name).is_file():
        return name
    return None


def existing_cover(folder: Path, episode: Episode) -> str | None:
    """The cover's file name when it exists; ``cover.jpg`` or ``cover.png`` otherwise."""
    for name in (episode.files.cover, "cover.jpg", "cover.png"):
        if existing_file(folder, name):
            return name
    return None


def chapters(episode: Episode) -> list[ChapterInfo]:
    """The episode's chapters in start order (titles made one-line; empty ones numbered)."""
    out = [
        Chapter(
            title=text(ch.title, f"Part {i + 1}"),
            start=max(0.0, ch.start),
            end=max(ch.end, ch.start),
            url=ch.url or None,
        )
        for i, ch in enumerate(episode.chapters)
    ]
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


def talk(episode: Episode, folder: Path | None = None) -> TalkInfo | None:
    """The talk of the episode, or None when the article links none."""
    tk = episode.talk
    if tk is None:
        return None
    url = text(tk.url)
    if not url.startswith(("http://", "https://")):
        return None
    thumb: Path | None = None
    if tk.thumbnail is not None:
        p = tk.thumbnail
        if not p.is_absolute() and folder is not None:
            p = folder / p
        if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES:
            thumb = p
    return TalkInfo(
        url=url_with_start(url, tk.start),
        title=text(tk.title) or text(tk.link_text) or "the talk",
        channel=text(tk.channel) or None,
        thumbnail=thumb,
    )


def article_url(episode: Episode) -> str | None:
    """The article's public URL (``source_url``, else an http(s) ``source``), or None."""
    for v in (episode.source_url, episode.source):
        if v and v.startswith(("http://", "https://")):
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
