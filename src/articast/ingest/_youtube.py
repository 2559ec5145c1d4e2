"""Recognise YouTube links and turn them into canonical ``TalkRef`` values.

Sits inside ``ingest``: the parsers hand every ``href``/``src`` and every bare URL in the text to
``parse_youtube``. Hosts are matched exactly (``www.youtube.com.evil.example`` is not YouTube);
ids must be the 11-character YouTube form; start times accept ``42``, ``42s``, ``1m30s``,
``1h2m3s`` from ``t=``, ``start=`` or a ``#t=`` fragment.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from articast.models import TalkRef

_WATCH_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
_SHORT_HOSTS = frozenset({"youtu.be", "www.youtu.be"})
_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_PATH_FORMS = ("embed", "shorts", "live", "v", "e")
_TIME = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)(?:\.\d+)?s?)?$")

#: Bare YouTube URLs in running text (with or without a scheme).
BARE_URL = re.compile(
    r"(?<![\w.@/-])(?:https?://)?(?:(?:www\.|m\.|music\.)?youtube(?:-nocookie)?\.com|(?:www\.)?youtu\.be)"
    r"/[^\s<>\"')\]]+",
    re.IGNORECASE,
)


def parse_start(value: str) -> int | None:
    """Seconds from a YouTube time value (``42``, ``42s``, ``1m30s``, ``1h2m3s``); None if not one."""
    value = value.strip().lower()
    if not value or len(value) > 20:
        return None
    m = _TIME.match(value)
    if not m or not any(m.groups()):
        return None
    h, mi, s = (int(g) if g else 0 for g in m.groups())
    return h * 3600 + mi * 60 + s


def canonical_url(video_id: str, start: int | None) -> str:
    """``https://www.youtube.com/watch?v=ID`` plus ``&t=Ns`` when there is a start time."""
    url = f"https://www.youtube.com/watch?v={video_id}"
    return f"{url}&t={start}s" if start else url


def parse_youtube(url: str, text: str | None = None) -> TalkRef | None:
    """A ``TalkRef`` when ``url`` is a YouTube video link, else None. Never raises."""
    url = url.strip()
    if not url or len(url) > 2000:
        return None
    if url.startswith("//"):
        url = "https:" + url
    elif not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or port not in {None, 80, 443}:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    query = parse_qs(parts.query)
    segments = [s for s in parts.path.split("/") if s]
    video_id: str | None = None
    if host in _SHORT_HOSTS:
        video_id = segments[0] if segments else None
    elif host in _WATCH_HOSTS:
        if segments[:1] == ["watch"]:
            video_id = (query.get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in _PATH_FORMS:
            video_id = segments[1]
    if not video_id or not _ID.match(video_id):
        return None
    start: int | None = None
    fragment = parse_qs(parts.fragment)
    for key in ("t", "start", "time_continue"):
        for source in (query, fragment):
            if start is None and source.get(key):
                start = parse_start(source[key][0])
    if start == 0:
        start = None
    label = text.strip() if text and text.strip() else None
    return TalkRef(url=canonical_url(video_id, start), video_id=video_id, start=start, text=label)


def find_bare(text: str) -> list[TalkRef]:
    """Every YouTube video link written as plain text in ``text``, in order."""
    found: list[TalkRef] = []
    for m in BARE_URL.finditer(text):
        ref = parse_youtube(m.group(0).rstrip(".,;:!?"))
        if ref is not None:
            found.append(ref)
    return found
