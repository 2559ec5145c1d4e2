"""Resolve the images an article shows into usable local files, safely.

Sits inside ``ingest`` after sections are built. Rules (an article is untrusted input):

* a local reference resolves only inside the article's own folder: no ``file://``, no absolute
  path, no ``..`` segment, and the resolved real path (symlinks followed) must stay inside;
* a remote image is fetched only when the network is allowed, with a timeout and a size cap;
* a ``data:`` URI is decoded under the same size cap;
* every candidate is opened with Pillow under a pixel limit before it is accepted.

A failure never raises: the image keeps ``path=None`` and a warning says why. Decoded and
downloaded images are stored content-addressed under ``image_store()``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import tempfile
import time
import warnings
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from PIL import Image, UnidentifiedImageError

from articast.config import IngestSettings
from articast.errors import InputError
from articast.ingest._fetch import fetch_bytes
from articast.models import ImageRef

_FORMAT_EXT = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp"}
_DATA_URI = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*)(;base64)?,(.*)$", re.S)


def image_store(settings: IngestSettings | None = None) -> Path:
    """Folder for decoded ``data:`` and downloaded images (content-addressed file names).

    ``settings.image_dir`` (the pipeline points it into the cache), else a temporary folder.
    """
    if settings is not None and settings.image_dir is not None:
        return settings.image_dir
    return Path(tempfile.gettempdir()) / "articast-ingest-images"


def _check_image(data: bytes, settings: IngestSettings) -> str:
    """Open ``data`` with Pillow under the pixel limit; the format's file extension."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                if w * h > settings.max_image_pixels:
                    raise ValueError(
                        f"{w}x{h} pixels is over the {settings.max_image_pixels:,} limit"
                    )
                fmt = im.format or ""
                im.verify()
    except UnidentifiedImageError as exc:
        # Pillow's own message names the in-memory buffer (<_io.BytesIO object at 0x...>).
        raise ValueError("not a picture Pillow can read (unknown or broken format)") from exc
    except (
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc
    return _FORMAT_EXT.get(fmt, ".img")


def _store(data: bytes, ext: str, settings: IngestSettings) -> Path:
    folder = image_store(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:32]}{ext}"
    if not path.exists():
        tmp = path.with_suffix(path.suffix + f".{id(data)}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def _short(src: str) -> str:
    return src if len(src) <= 80 else src[:60] + "..." + src[-10:]


def _data_uri(src: str, settings: IngestSettings) -> Path:
    m = _DATA_URI.match(src)
    if not m:
        raise ValueError("malformed data: URI")
    payload = m.group(4)
    if len(payload) > settings.max_image_bytes * 4 // 3 + 4:
        raise ValueError(f"over the {settings.max_image_bytes:,}-byte image limit")
    try:
        data = (
            base64.b64decode(re.sub(r"\s+", "", unquote(payload)), validate=True)
            if m.group(3)
            else unquote(payload).encode("latin-1", "replace")
        )
    except (binascii.Error, ValueError) as exc:
        raise ValueError("data: URI is not valid base64") from exc
    if len(data) > settings.max_image_bytes:
        raise ValueError(f"over the {settings.max_image_bytes:,}-byte image limit")
    return _store(data, _check_image(data, settings), settings)


def _local(src: str, base_dir: Path, settings: IngestSettings) -> Path:
    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        raise ValueError(f"scheme {parts.scheme or '//'} is not allowed for images")
    rel = unquote(parts.path)
    if not rel or "\x00" in rel:
        raise ValueError("empty path")
    pure = PurePosixPath(rel.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", rel) or ".." in pure.parts:
        raise ValueError("path leaves the article's folder; only paths inside it are read")
    root = base_dir.resolve()
    candidate = (root / Path(*pure.parts)).resolve()
    if candidate != root and root not in candidate.parents:
        raise ValueError("path leaves the article's folder (symlink); not read")
    if not candidate.is_file():
        raise ValueError("file not found")
    if candidate.stat().st_size > settings.max_image_bytes:
        raise ValueError(f"over the {settings.max_image_bytes:,}-byte image limit")
    _check_image(candidate.read_bytes(), settings)
    return candidate


def _remote(url: str, settings: IngestSettings, deadline: float | None, private: bool) -> Path:
    timeout = settings.timeout
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0.05:
            raise ValueError("the article's time for fetching images is used up; not fetched")
        timeout = min(timeout, left)
    got = fetch_bytes(
        url,
        max_bytes=settings.max_image_bytes,
        timeout=timeout,
        what="image",
        allow_private=private or settings.private_addresses,
    )
    return _store(got.body, _check_image(got.body, settings), settings)


def resolve_image(
    src: str,
    alt: str,
    *,
    base_dir: Path | None,
    base_url: str | None,
    settings: IngestSettings,
    deadline: float | None = None,
    private_origin: bool = False,
) -> tuple[ImageRef, str | None]:
    """The image as an ``ImageRef`` plus a warning when no usable local copy was made.

    ``deadline`` (a ``time.monotonic()`` value) bounds the time all of an article's remote
    images take together; past it, the rest are skipped with a warning. A remote image may
    be on a loopback or private address only when the article came from one
    (``private_origin``) or ``[ingest] private_addresses`` allows it.
    """
    src = src.strip()
    try:
        if src.lower().startswith("data:"):
            return ImageRef(src=_short(src), alt=alt, path=_data_uri(src, settings)), None
        scheme = urlsplit(src).scheme.lower()
        if base_url and not scheme and not src.startswith("//"):
            src_abs = urljoin(base_url, src)
        elif src.startswith("//"):
            src_abs = "https:" + src
        else:
            src_abs = src
        if urlsplit(src_abs).scheme.lower() in {"http", "https"}:
            if not settings.allow_network:
                return ImageRef(src=src, alt=alt), f"image not fetched (network off): {_short(src)}"
            path = _remote(src_abs, settings, deadline, private_origin)
            return ImageRef(src=src, alt=alt, path=path), None
        if base_dir is None:
            raise ValueError("no local folder to read it from")
        return ImageRef(src=src, alt=alt, path=_local(src, base_dir, settings)), None
    except (ValueError, OSError, InputError) as exc:
        return ImageRef(src=_short(src), alt=alt), f"image skipped: {_short(src)} ({exc})"
