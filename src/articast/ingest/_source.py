"""Read an article's raw bytes from a path or a URL, enforce limits, decode, sniff the format.

Sits at the very start of ``ingest``: ``read_source`` -> ``RawInput`` -> ``decode`` -> ``sniff``.
Every refusal is an ``InputError`` with a one-line message (missing path, empty or binary file,
over the size cap, URL while offline, fetch failure).
"""

from __future__ import annotations

import codecs
import contextlib
import http.client
import re
import socket
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from articast.config import IngestSettings
from articast.errors import InputError
from articast.models import InputKind
from articast.net import is_private, refusal, resolve
from articast.sanitize import path_text

_URL = re.compile(r"^https?://", re.IGNORECASE)
USER_AGENT = "articast/0.1 (+https://pypi.org/project/articast/)"


@dataclass(frozen=True)
class RawInput:
    """The raw article as read, before decoding."""

    data: bytes
    source: str
    """The path or URL as given."""
    base_dir: Path | None
    """Folder local images may come from (the article's own folder); None for URLs."""
    url: str | None = None
    """The final URL when the article was fetched."""
    content_type: str = ""
    private_origin: bool = False
    """The article came from a loopback or private address: its images may too."""


def is_url(source: str | Path) -> bool:
    """True when ``source`` is an http(s) URL string."""
    return isinstance(source, str) and bool(_URL.match(source.strip()))


MAX_REDIRECTS = 5
"""Redirects followed per fetch; each target's scheme is checked before connecting to it."""
_CHUNK = 65536
_REDIRECTS = {301, 302, 303, 307, 308}


class _Deadline:
    """Shuts a connection's socket when the whole request's time is up.

    Socket timeouts bound each read, not the fetch: a server sending one byte a second would
    keep a read loop alive for ever. A timer shuts the socket down at the deadline, which
    wakes any blocked read; the fetch then reports the timeout.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def watch(self, sock: socket.socket | None) -> None:
        # The socket itself: http.client drops ``conn.sock`` once a response owns it.
        self.stop()
        self._sock = sock
        self._timer = threading.Timer(max(0.0, self.remaining()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired = True
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _bracketed(host: str) -> str:
    """``host`` as http.client wants it: an IPv6 literal in brackets (else its last group
    reads as a port: "nonnumeric port")."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _connection(parts: SplitResult, timeout: float) -> tuple[http.client.HTTPConnection, str, bool]:
    """A connection for ``parts`` (through the environment's proxy when one applies), the
    request target to send, and whether it goes through a proxy."""
    host = parts.hostname or ""
    port = parts.port  # ValueError for a bad port: the caller maps it
    secure = parts.scheme.lower() == "https"
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    proxy = urllib.request.getproxies().get(parts.scheme.lower())
    if proxy and not urllib.request.proxy_bypass(host):
        p = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if secure:
            tunnel = http.client.HTTPSConnection(p.hostname or "", p.port, timeout=timeout)
            tunnel.set_tunnel(_bracketed(host), port)
            return tunnel, target, True
        conn = http.client.HTTPConnection(p.hostname or "", p.port, timeout=timeout)
        return conn, urlunsplit(parts._replace(fragment="")), True
    if secure:
        return http.client.HTTPSConnection(_bracketed(host), port, timeout=timeout), target, False
    return http.client.HTTPConnection(_bracketed(host), port, timeout=timeout), target, False


def _connect_to(conn: http.client.HTTPConnection, addresses: list[str], timeout: float) -> None:
    """Open ``conn`` to one of ``addresses`` (checked by the address policy), never to what
    its host name might resolve to by then; TLS is still verified for the host name."""
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            sock = socket.create_connection((address, conn.port), timeout)
            break
        except OSError as exc:
            error = exc
    else:
        raise error
    if isinstance(conn, http.client.HTTPSConnection):
        try:
            sock = ssl.create_default_context().wrap_socket(
                sock, server_hostname=conn.host.strip("[]")
            )
        except BaseException:
            sock.close()
            raise
    conn.sock = sock


@dataclass(frozen=True)
class Fetched:
    """A fetched body and where it came from."""

    body: bytes
    url: str
    """The final URL, after redirects."""
    content_type: str
    private: bool
    """The body came from a loopback or private address (links inside it may go there too)."""


def _check_target(url: str, original: str, what: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        if url == original:
            raise InputError(f"{what} {original}: only http(s) addresses are fetched")
        raise InputError(
            f"{what} {original} redirected to a non-http address ({parts.scheme or '?'}:); refused"
        )
    if not parts.hostname:
        raise InputError(f"{what} {url}: the address has no host; check it")
    return parts


def fetch_bytes(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    what: str,
    allow_private: bool | None = None,
) -> Fetched:
    """GET ``url`` within ``timeout`` seconds in all and under a size cap.

    The deadline covers connecting, every redirect, the headers and the whole body. Redirects
    (at most ``MAX_REDIRECTS``, no loops) are checked before connecting to their target: only
    http(s). Every address is checked by ``net.refusal`` before it is connected to:
    link-local and metadata addresses never; private and loopback ones when
    ``allow_private`` is True; when it is None (a URL the user gave) the URL itself may be
    private, and its redirects only if it was. Every failure (refused address or
    connection, bad status line, truncated or oversized body, HTTP error, timeout) is an
    ``InputError`` with one line and the cause chained.
    """
    deadline = _Deadline(timeout)
    current = url
    seen: set[str] = set()
    private = allow_private
    try:
        for _ in range(MAX_REDIRECTS + 1):
            parts = _check_target(current, url, what)
            seen.add(current)
            status, reason, location, body, ctype, came_private = _get_once(
                parts,
                deadline,
                max_bytes=max_bytes,
                what=what,
                original=url,
                allow_private=True if private is None else private,
            )
            if private is None:
                private = came_private  # a redirect goes where the URL itself was
            if status in _REDIRECTS:
                if not location:
                    raise InputError(
                        f"could not fetch {what} {url}: HTTP {status} without a target"
                    )
                nxt = urljoin(current, location.strip())
                _check_target(nxt, url, what)
                if nxt in seen:
                    raise InputError(f"{what} {url} redirects in a loop; check the address")
                current = nxt
                continue
            if status >= 400:
                raise InputError(f"could not fetch {what} {url}: HTTP {status} {reason}".rstrip())
            if not 200 <= status < 300:
                raise InputError(f"could not fetch {what} {url}: unexpected HTTP {status}")
            return Fetched(body, current, ctype, came_private)
        raise InputError(f"{what} {url} redirected more than {MAX_REDIRECTS} times; refused")
    finally:
        deadline.stop()


def _get_once(
    parts: SplitResult,
    deadline: _Deadline,
    *,
    max_bytes: int,
    what: str,
    original: str,
    allow_private: bool,
) -> tuple[int, str, str, bytes, str, bool]:
    """One GET: (status, reason, Location, body, content type, from a private address); the
    body only for 2xx."""

    def timed_out() -> InputError:
        return InputError(
            f"could not fetch {what} {original}: no complete answer within "
            f"{deadline.seconds:g} s; check the address or save it to a file"
        )

    remaining = deadline.remaining()
    if remaining <= 0:
        raise timed_out()
    try:
        conn, target, proxied = _connection(parts, remaining)
    except ValueError as exc:
        raise InputError(f"{what} {original}: bad address ({exc}); check it") from exc
    # A resolver that never answers must not hold the fetch past its deadline (a name that
    # does not resolve goes on: connect() reports the failure in its own words).
    host = parts.hostname or ""
    addresses = resolve(host, parts.port or conn.port, deadline.remaining())
    if addresses is None:
        conn.close()
        raise timed_out()
    refused = [why for a in addresses if (why := refusal(a, allow_private=allow_private))]
    if refused:
        conn.close()
        here = "" if parts.geturl() == original else f" (redirected to {host})"
        # The setting helps only where private addresses were all that was refused.
        private_only = all(refusal(a, allow_private=True) is None for a in addresses)
        hint = " (set [ingest] private_addresses = true to allow private ones)"
        raise InputError(
            f"{what} {original}{here}: refused, {refused[0]}; articast does not fetch from "
            f"there{hint if private_only else ''}"
        )
    came_private = bool(addresses) and all(is_private(a) for a in addresses)
    try:
        # Bounded by the socket timeout: what is left of the deadline.
        if proxied or not addresses:
            conn.connect()
        else:
            _connect_to(conn, addresses, max(0.05, deadline.remaining()))
        deadline.watch(conn.sock)
        conn.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        resp = conn.getresponse()
        status, reason = resp.status, str(resp.reason or "")
        ctype = resp.headers.get("Content-Type", "") or ""
        if not 200 <= status < 300:
            location = resp.headers.get("Location", "") or ""
            return status, reason, location, b"", ctype, came_private
        length = resp.headers.get("Content-Length")
        if length and length.isdecimal() and int(length) > max_bytes:
            raise InputError(
                f"{what} {original} is {int(length):,} bytes, over the {max_bytes:,}-byte limit"
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = resp.read1(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise InputError(f"{what} {original} is over the {max_bytes:,}-byte limit; refused")
            chunks.append(chunk)
        if deadline.expired:
            raise timed_out()
        if length and length.isdecimal() and total < int(length):
            raise InputError(
                f"could not fetch {what} {original}: the server closed the connection after "
                f"{total:,} of its {int(length):,} bytes; try again or save the page to a file"
            )
        return status, reason, "", b"".join(chunks), ctype, came_private
    except InputError:
        raise
    except (http.client.HTTPException, OSError, ValueError) as exc:
        if deadline.expired or isinstance(exc, TimeoutError):
            raise timed_out() from exc
        reason_text = _reason(exc)
        raise InputError(
            f"could not fetch {what} {original}: {reason_text}; check the address or save it to a file"
        ) from exc
    finally:
        deadline.stop()
        conn.close()


def _reason(exc: BaseException) -> str:
    """A readable one-line cause for a failed fetch."""
    if isinstance(exc, http.client.IncompleteRead):
        return "the server closed the connection before the whole body arrived"
    if isinstance(exc, http.client.BadStatusLine):
        return "the server's answer is not valid HTTP"
    if isinstance(exc, http.client.LineTooLong):
        return "the server sent an over-long header line"
    if isinstance(exc, http.client.HTTPException):
        return f"invalid HTTP answer ({type(exc).__name__})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    text = " ".join(str(getattr(exc, "strerror", None) or exc).split())
    return text[:200] or type(exc).__name__


def read_source(source: str | Path, settings: IngestSettings) -> RawInput:
    """Read the article at ``source`` (a path, or an http(s) URL when the network is allowed)."""
    if is_url(source):
        url = str(source).strip()
        if not settings.allow_network:
            raise InputError(
                f"cannot fetch {url}: network use is off (--offline); "
                "save the page to a file and pass its path"
            )
        got = fetch_bytes(
            url,
            max_bytes=settings.max_bytes,
            timeout=settings.timeout,
            what="article",
            allow_private=None,
        )
        if not got.body.strip():
            raise InputError(f"article {url} is empty; check the address")
        return RawInput(
            data=got.body,
            source=url,
            base_dir=None,
            url=got.url,
            content_type=got.content_type,
            private_origin=got.private,
        )
    text = str(source)
    if not text.strip():
        raise InputError("no article given: pass a file path or an http(s) URL")
    if "\x00" in text:
        raise InputError("article path contains a NUL character; check the argument")
    path = Path(source).expanduser()
    try:
        if not path.exists():
            raise InputError(f"article not found: {path}; check the path")
        if path.is_dir():
            raise InputError(f"{path} is a folder, not an article; pass a file")
        if not path.is_file():
            raise InputError(f"{path} is not a regular file; pass an article file")
        size = path.stat().st_size
        if size > settings.max_bytes:
            raise InputError(
                f"{path} is {size:,} bytes, over the {settings.max_bytes:,}-byte limit; "
                "split the article or raise [ingest] max_bytes"
            )
        with path.open("rb") as fh:
            data = fh.read(settings.max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > settings.max_bytes:
        raise InputError(f"{path} is over the {settings.max_bytes:,}-byte limit; refused")
    if not data.strip():
        raise InputError(f"{path} is empty; nothing to turn into an episode")
    return RawInput(data=data, source=path_text(source), base_dir=path.resolve().parent)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset=[\"']?([A-Za-z0-9_:.-]{1,40})", re.I)
_CT_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9_:.-]{1,40})", re.I)


def _binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
    return controls > max(4, len(head) // 50)


def decode(raw: RawInput) -> str:
    """The article's text: BOM, then HTTP/meta charset, then UTF-8, then a detected encoding."""
    return decode_report(raw)[0]


MOSTLY_UTF8 = 0.005
"""Share of invalid bytes up to which a file is read as damaged UTF-8 rather than guessed."""


def decode_report(raw: RawInput) -> tuple[str, list[str]]:
    """``decode`` plus warnings naming what could not be decoded (nothing is lost silently).

    Text that was mis-encoded before it reached us ("Investorâ€™s", "ðŸš€": UTF-8 read as
    Windows-1252 and saved again, common in scraped pages) is repaired with ftfy, and a warning
    says so: a voice would read the debris aloud.
    """
    text, warnings = _decode(raw)
    return repair_mojibake(text, warnings)


def repair_mojibake(text: str, warnings: list[str]) -> tuple[str, list[str]]:
    """``text`` with mojibake undone (ftfy, encoding fixes only), and the warnings."""
    if text.isascii() or not _MOJIBAKE_PAIR.search(text):
        return text, warnings
    import ftfy

    # Only the encoding repairs: markup, quotes, widths and line breaks stay as written.
    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )
    # ftfy judges line by line; only lines that hold a suspect pair need its judgement.
    lines = text.splitlines(keepends=True)
    fixed = "".join(
        ftfy.fix_text(line, config) if _MOJIBAKE_PAIR.search(line) else line for line in lines
    )
    if fixed == text:
        return text, warnings
    # Name an example a reader can see (scripts and styles are never read).
    shown, shown_fixed = _shown(text), _shown(fixed)
    if shown == shown_fixed:
        return fixed, warnings
    at = next((i for i, (a, b) in enumerate(zip(shown, shown_fixed, strict=False)) if a != b), 0)
    start = max(shown.rfind(" ", 0, at), shown.rfind(">", 0, at)) + 1

    def word(s: str) -> str:
        w = (s.split(None, 1) or [""])[0].split("<", 1)[0][:40]
        return "".join(ch for ch in w if ch.isprintable())

    before, after = word(shown[start:]), word(shown_fixed[start:])
    return fixed, [
        *warnings,
        f'mis-encoded text (UTF-8 read as another encoding) was repaired, e.g. "{before}" '
        f'-> "{after}"; check accents and punctuation',
    ]


_MOJIBAKE_PAIR = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030"
    "\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161"
    "\u203a\u0153\u017e\u0178]"
)
"""A UTF-8 lead byte read as Windows-1252 ("Ã", "â") followed by a continuation byte read
the same way ("©", "€", "™"): every UTF-8-as-1252 mojibake holds one; correct text rarely."""


def _shown(text: str) -> str:
    """``text`` without its ``<script>`` and ``<style>`` elements (one linear pass)."""
    low = text.lower()
    nxt = {tag: low.find(f"<{tag}") for tag in ("script", "style")}
    out: list[str] = []
    i = 0
    while True:
        for tag, at in nxt.items():
            if 0 <= at < i:
                nxt[tag] = low.find(f"<{tag}", i)
        starts = [(at, tag) for tag, at in nxt.items() if at >= 0]
        if not starts:
            out.append(text[i:])
            return " ".join(out)
        at, tag = min(starts)
        out.append(text[i:at])
        end = low.find(f"</{tag}", at)
        close = low.find(">", end) if end >= 0 else -1
        if close < 0:
            return " ".join(out)
        i = close + 1


def _decode(raw: RawInput) -> tuple[str, list[str]]:
    data = raw.data
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), []
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{raw.source}: not valid {enc} text; re-save it as UTF-8"
                ) from exc
    if _binary(data):
        raise InputError(
            f"{raw.source} looks like a binary file, not an article; "
            "pass HTML, Markdown or plain text"
        )
    declared: list[str] = []
    m = _CT_CHARSET.search(raw.content_type)
    if m:
        declared.append(m.group(1))
    m2 = _META_CHARSET.search(data[:4096])
    if m2:
        declared.append(m2.group(1).decode("ascii", "replace"))
    for enc in ["utf-8", *declared]:
        try:
            return data.decode(enc), []
        except (UnicodeDecodeError, LookupError):
            continue
    damaged = data.decode("utf-8", errors="replace")
    bad = damaged.count("\ufffd") - data.count("\ufffd".encode())
    if 0 < bad <= max(3, len(data) * MOSTLY_UTF8):
        # A few broken bytes in a UTF-8 file: guessing another encoding would garble all the
        # rest, so the broken bytes go and the warning says how many.
        at = damaged.index("\ufffd")
        context = " ".join(damaged[max(0, at - 40) : at].split()[-5:])
        return damaged.replace("\ufffd", ""), [
            f"{bad} byte{'s' if bad > 1 else ''} that are not valid UTF-8 were dropped "
            f'(the first after "{context}")'
        ]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best), [f"the text encoding was guessed as {best.encoding}; check accents"]
    except ImportError:  # optional: the cp1252 fallback below always works
        pass
    lost = data.decode("cp1252", errors="replace").count("\ufffd")
    text = data.decode("cp1252", errors="replace").replace("\ufffd", "")
    return text, [f"{lost} bytes could not be decoded and were dropped"] if lost else []


_FENCE = re.compile(r"^[\s\"'“”‘’«»]*(```+|~~~+)\s*([A-Za-z0-9_+-]*)\s*[\"'“”‘’«»]*\s*$")
_SPLIT_TAG = re.compile(r"<[ \t]*\r?\n[ \t\r\n]*(?=/?[A-Za-z!])")
_HTML_TAG = re.compile(
    r"<(?:!doctype|html|head|body|article|section|main|div|p|h[1-6]|a|img|ul|ol|li|table|span|"
    r"br|hr|strong|em|b|i|iframe|nav|header|footer|aside|blockquote|figure|pre|code|title|meta|"
    r"script|style)(?=[\s>/])",
    re.IGNORECASE,
)
_MD_SIGNAL = re.compile(
    r"^(?:#{1,6}[ \t]+\S|[-*+][ \t]+\S|\d+\.[ \t]+\S|>[ \t]?\S|```|~~~|\|.*\|[ \t]*$|"
    r"(?:=+|-{3,})[ \t]*$)|\[[^\]\n]+\]\([^)\s]+\)|\*\*[^*\n]+\*\*",
    re.MULTILINE,
)


_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)


def unwrap_fence(text: str) -> tuple[str, str | None]:
    """Remove a code fence wrapped around the whole article; (text, fence language or None)."""
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        return text, None
    m = _FENCE.match(lines[first])
    if not m:
        return text, None
    lang = m.group(2).lower() or None
    last = max(i for i, ln in enumerate(lines) if ln.strip())
    last_m = _FENCE.match(lines[last]) if last > first else None
    closed = last_m is not None and not last_m.group(2)
    wrapper_langs = {None, "html", "htm", "xml", "xhtml", "md", "markdown", "text", "txt"}
    if lang not in wrapper_langs and not closed:
        return text, None
    body = lines[first + 1 : last] if closed else lines[first + 1 :]
    return "\n".join(body), lang


def repair_split_tags(text: str) -> str:
    """Join tags broken across lines (``<`` at a line end, ``article>`` on the next)."""
    return _SPLIT_TAG.sub("<", text)


def sniff(text: str, fence_lang: str | None = None) -> InputKind:
    """Guess the format from content: ``html``, ``markdown`` or ``text``."""
    stripped = text.lstrip()
    if fence_lang in {"html", "htm", "xhtml", "xml"}:
        return "html"
    if fence_lang in {"md", "markdown"}:
        return "markdown"
    if stripped.startswith(("---\n", "---\r\n", "+++\n", "+++\r\n")):
        return "markdown"
    sample = text[:200_000]
    html_tags = len(_HTML_TAG.findall(sample))
    if stripped[:4] == "<!--" or stripped[:5].lower() in {"<?xml", "<!doc"}:
        return "html"
    if stripped[:1] == "<" and html_tags:
        return "html"
    md = len(_MD_SIGNAL.findall(sample)) + 2 * len(_MD_HEADING.findall(sample))
    if html_tags and html_tags > md:
        return "html"
    if md:
        return "markdown"
    return "text"
