"""The talk stage: metadata of the YouTube talk an article points at.

Sits between ingest and narrate on the map::

    ingest (Article.talk: TalkRef) -> talk (Talk) -> narrate / audio / visuals / publish

A ``TalkRef`` becomes a ``Talk`` from, in order: the talk cache (``<cache_root>/talk``, one
entry per video id holding yt-dlp's sanitized info JSON and the thumbnail), the network through
yt-dlp's Python API (unless offline), or a fallback built from the article alone (URL and link
text, ``fetched=False``) with a warning. Resolving never raises for network trouble.

``fetch_talk`` (``articast talk URL``) always asks the network and raises ``BackendUnavailable``
when it cannot; ``import_info_json`` (``articast talk --from-info-json FILE``) runs a saved
``yt-dlp --dump-json`` / ``--write-info-json`` document through yt-dlp's own processing, so
users behind firewalls can supply the metadata.

Only URLs that ``articast.ingest.parse_youtube`` accepts (exact YouTube hosts, an
11-character id) reach yt-dlp, and then only as the canonical watch URL rebuilt from the id. The
article's start time (``t=42``) stays in ``Talk.url`` whatever the metadata says.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import re
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from articast.cache import Cache, content_key
from articast.errors import BackendUnavailable, InputError

# One parser for the whole project: the ingest stage's (exact hosts, 11-character ids, t=).
from articast.ingest import canonical_url as _canonical
from articast.ingest import parse_youtube
from articast.models import Talk, TalkChapter, TalkRef
from articast.net import check_url_host
from articast.sanitize import clean_line

if TYPE_CHECKING:
    from yt_dlp import YoutubeDL

__all__ = [
    "canonical_url",
    "fetch_talk",
    "import_info_json",
    "resolve_talk",
    "talk_summary",
    "talk_to_json",
]

log = logging.getLogger(__name__)

CACHE_NAMESPACE = "talk"
INFO_NAME = "info.json"
MAX_INFO_BYTES = 50_000_000
"""A real info JSON with every format is 0.3-2 MB; refuse anything far larger."""
MAX_THUMB_BYTES = 5_000_000
MAX_THUMB_SIDE = 4096
MAX_THUMB_TRIES = 4
MAX_TEXT = 300
MAX_CHAPTERS = 500
FALLBACK_HINT = (
    "run `articast talk URL` when online, or `articast talk --from-info-json FILE` "
    "with a saved `yt-dlp --dump-json` file"
)

_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")

# --------------------------------------------------------------------------- info -> Talk


def canonical_url(video_id: str, start: int | None = None) -> str:
    """The talk's link as every output writes it (the ingest stage's canonical form)."""
    return _canonical(video_id, start)


def _clean_text(value: object, limit: int = MAX_TEXT) -> str | None:
    """A display-safe one-line string: no control or bidi characters, collapsed whitespace."""
    if not isinstance(value, str):
        return None
    text = clean_line(value)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None


def _number(value: object, upper: float = 10_000_000.0) -> float | None:
    """A finite number in [0, upper], or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    f = float(value)
    return f if math.isfinite(f) and 0 <= f <= upper else None


def _chapters(info: Mapping[str, Any]) -> tuple[TalkChapter, ...]:
    raw = info.get("chapters")
    if not isinstance(raw, list):
        return ()
    out: list[TalkChapter] = []
    for item in raw[:MAX_CHAPTERS]:
        if not isinstance(item, dict):
            continue
        start = _number(item.get("start_time"))
        title = _clean_text(item.get("title"))
        if start is not None and title:
            out.append(TalkChapter(title=title, start=start))
    out.sort(key=lambda c: c.start)
    return tuple(out)


def _talk_from_info(
    info: Mapping[str, Any],
    *,
    video_id: str,
    start: int | None,
    url: str,
    link_text: str | None,
    thumbnail: Path | None,
) -> Talk:
    duration = _number(info.get("duration"))
    channel = (
        _clean_text(info.get("channel"))
        or _clean_text(info.get("uploader"))
        or _clean_text(info.get("creator"))
    )
    return Talk(
        url=url,
        video_id=video_id,
        start=start,
        title=_clean_text(info.get("title")) or _clean_text(info.get("fulltitle")),
        channel=channel,
        duration=duration if duration else None,
        thumbnail=thumbnail,
        chapters=_chapters(info),
        fetched=True,
        link_text=link_text,
    )


# --------------------------------------------------------------------------- cache


def _cache(cache_root: Path) -> Cache:
    return Cache(cache_root, CACHE_NAMESPACE)


def _key(video_id: str) -> str:
    # Hashed rather than the raw id: ids differ by case only, and some file systems do not.
    return content_key("youtube-video", video_id)


def _cached_thumbnail(cache: Cache, key: str) -> Path | None:
    for ext in ("jpg", "png"):
        p = cache.path(key, f"thumbnail.{ext}")
        if p is not None:
            return p
    return None


def _load_cached(cache_root: Path, video_id: str) -> tuple[dict[str, Any], Path | None] | None:
    cache = _cache(cache_root)
    key = _key(video_id)
    info = cache.get_json(key, INFO_NAME)
    if not isinstance(info, dict) or info.get("id") != video_id:
        return None
    return info, _cached_thumbnail(cache, key)


def _store(
    cache_root: Path, video_id: str, info: dict[str, Any], thumb: tuple[bytes, str] | None
) -> Path | None:
    """Write the entry; returns the thumbnail's cached path (an older one is kept on failure)."""
    cache = _cache(cache_root)
    key = _key(video_id)
    files = {INFO_NAME: json.dumps(info, indent=1, sort_keys=True).encode("utf-8")}
    if thumb is None:
        old = _cached_thumbnail(cache, key)
        if old is not None:
            thumb = (old.read_bytes(), old.suffix.lstrip("."))
    if thumb is not None:
        files[f"thumbnail.{thumb[1]}"] = thumb[0]
    cache.put(key, files)
    return _cached_thumbnail(cache, key)


# --------------------------------------------------------------------------- yt-dlp


class _YdlLogger:
    """yt-dlp's ``logger`` param: nothing reaches the terminal; messages go to ``logging``."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def debug(self, msg: str) -> None:
        log.debug("yt-dlp: %s", msg)

    def info(self, msg: str) -> None:
        log.debug("yt-dlp: %s", msg)

    def warning(self, msg: str) -> None:
        self.warnings.append(msg)
        log.debug("yt-dlp warning: %s", msg)

    def error(self, msg: str) -> None:
        self.errors.append(msg)
        log.debug("yt-dlp error: %s", msg)


def _ydl_params(logger: _YdlLogger, timeout: float) -> dict[str, Any]:
    return {
        "logger": logger,
        "quiet": True,
        "noprogress": True,
        "no_color": True,
        "consoletitle": False,
        "socket_timeout": timeout,
        "retries": 1,
        "extractor_retries": 1,
        "fragment_retries": 0,
        "file_access_retries": 0,
        "skip_download": True,
        "noplaylist": True,
        "cachedir": False,
        "ignore_no_formats_error": True,
        "check_formats": False,
        "allowed_extractors": ["youtube"],
    }


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    for prefix in ("ERROR: ", "WARNING: "):
        text = text.removeprefix(prefix)
    return text[:240]


def _network_reason(exc: BaseException) -> str | None:
    """A short reason when ``exc`` (or a cause of it) is a network failure, else None."""
    from yt_dlp.networking.exceptions import TransportError

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (TransportError, OSError)):
            text = str(cur).lower()
            if "resolve" in text or "name or service" in text or "getaddrinfo" in text:
                return "no network: the host name could not be resolved"
            if "timed out" in text or isinstance(cur, TimeoutError):
                return "no network: the connection timed out"
            return "no network: the connection failed"
        exc_info = getattr(cur, "exc_info", None)
        nxt = exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) > 1 else None
        cur = nxt if isinstance(nxt, BaseException) else (cur.__cause__ or cur.__context__)
    return None


class _FetchFailed(BackendUnavailable):
    """BackendUnavailable with a short ``reason`` for the manifest's warning."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"could not fetch the talk's details for {url} ({reason}); check the network, or "
            "import a saved `yt-dlp --dump-json URL` file with `articast talk --from-info-json FILE`"
        )
        self.reason = reason


def _normalize_image(data: bytes) -> tuple[bytes, str]:
    """Check that ``data`` is a sane picture; JPEG/PNG kept as is, anything else becomes PNG."""
    from PIL import Image, UnidentifiedImageError

    try:
        im = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:  # its message names the buffer object, not the file
        raise ValueError("unknown or broken picture format") from exc
    with im:
        w, h = im.size
        if not (0 < w <= MAX_THUMB_SIDE and 0 < h <= MAX_THUMB_SIDE):
            raise ValueError(f"picture is {w}x{h}")
        fmt = im.format
        im.load()
        if fmt == "JPEG":
            return data, "jpg"
        if fmt == "PNG":
            return data, "png"
        out = io.BytesIO()
        im.convert("RGBA" if "A" in im.getbands() else "RGB").save(out, "PNG")
        return out.getvalue(), "png"


def _download_thumbnail(ydl: YoutubeDL, info: Mapping[str, Any]) -> tuple[bytes, str] | str:
    """The best thumbnail through yt-dlp's networking, or a one-line reason it failed."""
    from yt_dlp.networking import Request
    from yt_dlp.utils import YoutubeDLError

    raw = info.get("thumbnails")
    cands = [t for t in raw if isinstance(t, dict)] if isinstance(raw, list) else []
    cands.reverse()  # yt-dlp sorts them worst first
    if isinstance(info.get("thumbnail"), str):
        cands.insert(0, {"url": info["thumbnail"]})
    seen: set[str] = set()
    reasons: list[str] = []
    for t in cands:
        url = t.get("url")
        if not isinstance(url, str) or url in seen:
            continue
        seen.add(url)
        if len(seen) > MAX_THUMB_TRIES:
            break
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            reasons.append(f"{url[:80]}: not an http(s) URL")
            continue
        # The info is untrusted (a file, or whatever answered): never a link-local or
        # metadata address, in any spelling (the talk's own pictures may be local: tests,
        # a mirror on the LAN).
        why = check_url_host(url, float(ydl.params.get("socket_timeout") or 5), allow_private=True)
        if why is not None:
            reasons.append(f"{url[:80]}: refused, {why}")
            continue
        hdrs = t.get("http_headers")
        headers = (
            {str(k): str(v) for k, v in hdrs.items() if isinstance(v, str)}
            if isinstance(hdrs, dict)
            else {}
        )
        try:
            resp = ydl.urlopen(Request(url, headers=headers))
            try:
                data = resp.read(MAX_THUMB_BYTES + 1)
            finally:
                resp.close()
        except (YoutubeDLError, OSError) as exc:
            reasons.append(f"{url[:80]}: {_one_line(exc)}")
            continue
        if len(data) > MAX_THUMB_BYTES:
            reasons.append(f"{url[:80]}: larger than {MAX_THUMB_BYTES // 1_000_000} MB")
            continue
        try:
            return _normalize_image(data)
        except Exception as exc:  # Pillow raises many types for bad pictures
            reasons.append(f"{url[:80]}: not a usable picture ({_one_line(exc)})")
    if not seen:
        return "the talk's info lists no thumbnail"
    return "; ".join(reasons[:2]) or "no thumbnail could be downloaded"


_T = TypeVar("_T")


def _with_deadline(fn: Callable[[], _T], seconds: float, url: str) -> _T:
    """Run ``fn`` in a daemon thread and give up after ``seconds`` (DNS lookups ignore
    socket timeouts, so this is what keeps a build from hanging on a broken network)."""
    result: list[_T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # handed to the caller's thread below
            error.append(exc)

    worker = threading.Thread(target=run, name="articast-talk", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _FetchFailed(url, f"no answer within {seconds:.0f} s: slow or broken network")
    if error:
        raise error[0]
    return result[0]


@dataclass(frozen=True)
class _Fetched:
    info: dict[str, Any]
    thumb: tuple[bytes, str] | str


def _extract(video_id: str, timeout: float) -> _Fetched:
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import YoutubeDLError

    url = canonical_url(video_id)
    logger = _YdlLogger()
    try:
        with YoutubeDL(_ydl_params(logger, timeout)) as ydl:
            info = ydl.extract_info(url, download=False)
            if not isinstance(info, dict) or info.get("id") != video_id:
                raise _FetchFailed(url, "yt-dlp returned no video")
            clean = ydl.sanitize_info(info, remove_private_keys=True)
            thumb = _download_thumbnail(ydl, clean)
    except (YoutubeDLError, OSError) as exc:
        reason = _network_reason(exc) or f"yt-dlp: {_one_line(exc)[:160]}"
        raise _FetchFailed(url, reason) from exc
    return _Fetched(info=clean, thumb=thumb)


def _fetch_and_store(
    video_id: str, cache_root: Path, timeout: float
) -> tuple[dict[str, Any], Path | None, list[str]]:
    deadline = max(2.0, timeout * 3)
    got = _with_deadline(
        lambda: _extract(video_id, timeout),
        deadline,
        canonical_url(video_id),
    )
    warnings: list[str] = []
    thumb = got.thumb if isinstance(got.thumb, tuple) else None
    if isinstance(got.thumb, str):
        warnings.append(f"the talk's thumbnail could not be downloaded ({got.thumb})")
    path = _store(cache_root, video_id, got.info, thumb)
    return got.info, path, warnings


# --------------------------------------------------------------------------- public API


def _fallback(ref: TalkRef, url: str, video_id: str, reason: str) -> tuple[Talk, list[str]]:
    talk = Talk(
        url=url,
        video_id=video_id,
        start=ref.start,
        link_text=_clean_text(ref.text),
        fetched=False,
    )
    return talk, [
        f"the talk's details could not be fetched ({reason}): linking {url} only; {FALLBACK_HINT}"
    ]


def resolve_talk(
    ref: TalkRef, cache_root: Path, *, offline: bool, timeout: float = 5.0
) -> tuple[Talk, list[str]]:
    """The Talk for ``ref`` and warnings for the manifest; never raises for network trouble.

    Cache first, then yt-dlp over the network unless ``offline``; when neither works, a Talk
    with ``fetched=False``, the article's URL and link text, and a warning. Offline this only
    reads the cache (milliseconds).
    """
    parsed = parse_youtube(ref.url)
    if parsed is None or not _VIDEO_ID.fullmatch(ref.video_id or ""):
        # Never handed to yt-dlp; a valid id still gets a clean link instead of a hostile one.
        valid = bool(_VIDEO_ID.fullmatch(ref.video_id or ""))
        link = canonical_url(ref.video_id, ref.start) if valid else ref.url
        reason = "the link is not a YouTube video URL"
        return _fallback(ref, link, ref.video_id if valid else "", reason)
    video_id = parsed.video_id
    start = ref.start if ref.start is not None else parsed.start
    url = (
        ref.url
        if parsed.start == start and video_id == ref.video_id
        else canonical_url(video_id, start)
    )
    ref_start_kept = TalkRef(url=url, video_id=video_id, start=start, text=ref.text)
    link_text = _clean_text(ref.text)
    hit = _load_cached(cache_root, video_id)
    if hit is not None:
        info, thumb = hit
        talk = _talk_from_info(
            info, video_id=video_id, start=start, url=url, link_text=link_text, thumbnail=thumb
        )
        return talk, []
    if offline:
        return _fallback(ref_start_kept, url, video_id, "offline, and not in the talk cache")
    try:
        info, thumb, warnings = _fetch_and_store(video_id, cache_root, timeout)
    except _FetchFailed as exc:
        return _fallback(ref_start_kept, url, video_id, exc.reason)
    talk = _talk_from_info(
        info, video_id=video_id, start=start, url=url, link_text=link_text, thumbnail=thumb
    )
    return talk, warnings


def fetch_talk(
    url: str,
    cache_root: Path,
    *,
    timeout: float = 5.0,
    warnings_out: list[str] | None = None,
) -> Talk:
    """Look the talk at ``url`` up online with yt-dlp and store it in the cache.

    Raises ``InputError`` when ``url`` is not a YouTube video link and ``BackendUnavailable``
    (one line, within about a second when there is no network) when yt-dlp cannot reach it.
    A thumbnail that cannot be downloaded is only a warning, appended to ``warnings_out``.
    """
    ref = parse_youtube(url)
    if ref is None:
        raise InputError(
            f"not a YouTube video link: {url[:120]!r}; give a youtube.com/watch?v=... "
            "or youtu.be/... URL"
        )
    info, thumb, warnings = _fetch_and_store(ref.video_id, cache_root, timeout)
    if warnings_out is not None:
        warnings_out.extend(warnings)
    return _talk_from_info(
        info,
        video_id=ref.video_id,
        start=ref.start,
        url=ref.url,
        link_text=None,
        thumbnail=thumb,
    )


def _read_info_file(path: Path) -> dict[str, Any]:
    try:
        # Opened without waiting (a FIFO with no writer would block for ever) and read only
        # when it is a regular file: no FIFO, device, socket or folder.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise InputError(f"{path} is not a regular file; give a saved info JSON file")
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MAX_INFO_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read info JSON {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_INFO_BYTES:
        raise InputError(
            f"{path} is larger than {MAX_INFO_BYTES // 1_000_000} MB; not an info JSON"
        )
    try:
        info = json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant)
    except RecursionError as exc:
        raise InputError(f"{path} is nested too deeply to be a yt-dlp info JSON") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"{path} is not JSON ({_one_line(exc)}); save it with `yt-dlp --dump-json URL`"
        ) from exc
    if not isinstance(info, dict):
        raise InputError(f"{path} holds JSON but not a yt-dlp info object (expected {{...}})")
    _check_shape(info, path)
    return info


MAX_INFO_DEPTH = 32
"""A real info JSON nests about six levels deep."""
_LIST_OF_OBJECTS = ("chapters", "thumbnails", "formats", "requested_formats", "requested_downloads")
_OBJECTS = ("subtitles", "automatic_captions", "http_headers")
_NUMBERS = ("duration", "start_time", "end_time", "view_count", "like_count", "width", "height")


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _check_shape(info: dict[str, Any], path: Path) -> None:
    """Refuse what yt-dlp's processing would crash on: deep nesting, wrong kinds of values."""
    stack: list[tuple[object, int]] = [(info, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_INFO_DEPTH:
            raise InputError(f"{path} is nested more than {MAX_INFO_DEPTH} levels deep; not an info JSON")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)

    def wrong(key: str, expected: str) -> InputError:
        got = type(info[key]).__name__
        return InputError(f"{path}: '{key}' must be {expected}, not {got}; save the file again")

    for key in _LIST_OF_OBJECTS:
        if key in info and info[key] is not None:
            items = info[key]
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise wrong(key, "a list of objects")
    for key in _OBJECTS:
        if key in info and info[key] is not None and not isinstance(info[key], dict):
            raise wrong(key, "an object")
    for key in _NUMBERS:
        v = info.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise wrong(key, "a number")
    for key in ("title", "channel", "uploader", "webpage_url", "thumbnail", "description"):
        if key in info and info[key] is not None and not isinstance(info[key], str):
            raise wrong(key, "a string")


def _check_info(info: Mapping[str, Any], path: Path) -> str:
    """The video id of a single-YouTube-video info dict; InputError otherwise."""
    kind = info.get("_type", "video")
    if kind != "video":
        raise InputError(
            f"{path} describes a {str(kind)[:20]!r}, not one video; save one video's info with "
            "`yt-dlp --dump-json --no-playlist URL`"
        )
    video_id = info.get("id")
    if not isinstance(video_id, str) or not _VIDEO_ID.fullmatch(video_id):
        raise InputError(f"{path}: 'id' is not an 11-character YouTube video id")
    extractor = info.get("extractor_key", info.get("extractor"))
    page = info.get("webpage_url")
    from_youtube = isinstance(extractor, str) and extractor.lower() == "youtube"
    page_ref = parse_youtube(page) if isinstance(page, str) else None
    if not from_youtube and page_ref is None:
        raise InputError(
            f"{path} is not a YouTube video's info (extractor {str(extractor)[:30]!r}); "
            "articast only links YouTube talks"
        )
    if page_ref is not None and page_ref.video_id != video_id:
        raise InputError(f"{path}: 'webpage_url' names another video than 'id' {video_id}")
    if not isinstance(info.get("title"), str) or not info.get("title"):
        raise InputError(f"{path}: the info has no 'title'")
    return video_id


def import_info_json(
    path: Path,
    cache_root: Path,
    *,
    timeout: float = 5.0,
    warnings_out: list[str] | None = None,
) -> Talk:
    """Import a saved yt-dlp info JSON (``--dump-json`` / ``--write-info-json``) into the cache.

    The dict goes through yt-dlp's own ``process_ie_result(info, download=False)``; the
    sanitized result is stored under its video id, and the thumbnail is downloaded through
    yt-dlp (a failure is a warning appended to ``warnings_out``, not an error). Raises
    ``InputError`` for a file that is not one YouTube video's info.
    """
    from yt_dlp import YoutubeDL
    from yt_dlp.utils import YoutubeDLError

    raw = _read_info_file(path)
    video_id = _check_info(raw, path)
    logger = _YdlLogger()

    def process() -> _Fetched:
        with YoutubeDL(_ydl_params(logger, timeout)) as ydl:
            info = ydl.sanitize_info(dict(raw), remove_private_keys=True)
            try:
                done = ydl.process_ie_result(info, download=False)
            except (
                YoutubeDLError,
                # yt-dlp trusts the dict's shape: a value of an odd kind deep inside fails there.
                AttributeError,
                TypeError,
                KeyError,
                IndexError,
                ValueError,
                RecursionError,
            ) as exc:
                raise InputError(
                    f"yt-dlp could not process {path} ({_one_line(exc)}); "
                    "save it again with `yt-dlp --dump-json URL`"
                ) from exc
            if not isinstance(done, dict) or done.get("id") != video_id:
                raise InputError(f"yt-dlp returned no video for {path}")
            clean = ydl.sanitize_info(done, remove_private_keys=True)
            return _Fetched(info=clean, thumb=_download_thumbnail(ydl, clean))

    try:
        got = _with_deadline(
            process, max(2.0, timeout * (MAX_THUMB_TRIES + 1)), canonical_url(video_id)
        )
    except (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError) as exc:
        # yt-dlp's sanitising trusts the dict's shape too.
        raise InputError(
            f"yt-dlp could not read {path} ({_one_line(exc)}); "
            "save it again with `yt-dlp --dump-json URL`"
        ) from exc
    except _FetchFailed:
        from yt_dlp import YoutubeDL as _Ydl

        clean_raw = _Ydl.sanitize_info(dict(raw), remove_private_keys=True)
        got = _Fetched(info=clean_raw, thumb="the thumbnail download did not finish in time")
    thumb = got.thumb if isinstance(got.thumb, tuple) else None
    if isinstance(got.thumb, str) and warnings_out is not None:
        warnings_out.append(f"the talk's thumbnail could not be downloaded ({got.thumb})")
    thumb_path = _store(cache_root, video_id, got.info, thumb)
    return _talk_from_info(
        got.info,
        video_id=video_id,
        start=None,
        url=canonical_url(video_id),
        link_text=None,
        thumbnail=thumb_path,
    )


def talk_to_json(talk: Talk) -> dict[str, Any]:
    """The manifest's ``talk`` object (and ``articast talk --json``)."""
    return {
        "url": talk.url,
        "video_id": talk.video_id,
        "start": talk.start,
        "title": talk.title,
        "channel": talk.channel,
        "duration": talk.duration,
        "thumbnail": str(talk.thumbnail) if talk.thumbnail is not None else None,
        "fetched": talk.fetched,
        "link_text": talk.link_text,
        "chapters": [{"title": c.title, "start": c.start} for c in talk.chapters],
    }


def talk_summary(talk: Talk) -> str:
    """A few human lines about the talk (what ``articast talk`` prints)."""
    lines = [talk.display_title]
    if talk.channel:
        lines.append(f"channel:  {talk.channel}")
    if talk.duration:
        m, s = divmod(round(talk.duration), 60)
        h, m = divmod(m, 60)
        lines.append(f"duration: {h}:{m:02d}:{s:02d}" if h else f"duration: {m}:{s:02d}")
    lines.append(f"url:      {talk.url}")
    if talk.chapters:
        lines.append(f"chapters: {len(talk.chapters)}")
    if talk.thumbnail is not None:
        lines.append(f"thumbnail: {talk.thumbnail}")
    if not talk.fetched:
        lines.append("details:  not fetched")
    return "\n".join(lines)
