"""Fetching an article or a picture over HTTP(S) (private to ``ingest``): one address policy
(``articast.net``: the address a name resolves to is checked, then connected to), a deadline
for the whole fetch, a size cap read as the body arrives, redirects checked one by one.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from articast.errors import InputError
from articast.net import is_private, refusal, resolve

USER_AGENT = "articast/0.1 (+https://pypi.org/project/articast/)"

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
        return _timed_out(deadline, what, original)

    remaining = deadline.remaining()
    if remaining <= 0:
        raise timed_out()
    try:
        conn, target, proxied = _connection(parts, remaining)
    except ValueError as exc:
        raise InputError(f"{what} {original}: bad address ({exc}); check it") from exc
    try:
        addresses = _allowed_addresses(parts, conn.port, deadline, what, original, allow_private)
    except BaseException:
        conn.close()
        raise
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
        body = _body(resp, max_bytes, deadline, what, original)
        return status, reason, "", body, ctype, came_private
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


def _allowed_addresses(
    parts: SplitResult,
    port: int,
    deadline: _Deadline,
    what: str,
    original: str,
    allow_private: bool,
) -> list[str]:
    """The addresses ``parts``' host resolves to, each allowed by the address policy; an
    ``InputError`` when one is not, or when the resolver does not answer in time."""
    # A resolver that never answers must not hold the fetch past its deadline (a name that
    # does not resolve goes on: connect() reports the failure in its own words).
    host = parts.hostname or ""
    addresses = resolve(host, parts.port or port, deadline.remaining())
    if addresses is None:
        raise _timed_out(deadline, what, original)
    refused = [why for a in addresses if (why := refusal(a, allow_private=allow_private))]
    if refused:
        here = "" if parts.geturl() == original else f" (redirected to {host})"
        # The setting helps only where private addresses were all that was refused.
        private_only = all(refusal(a, allow_private=True) is None for a in addresses)
        hint = " (set [ingest] private_addresses = true to allow private ones)"
        raise InputError(
            f"{what} {original}{here}: refused, {refused[0]}; articast does not fetch from "
            f"there{hint if private_only else ''}"
        )
    return addresses


def _timed_out(deadline: _Deadline, what: str, original: str) -> InputError:
    return InputError(
        f"could not fetch {what} {original}: no complete answer within "
        f"{deadline.seconds:g} s; check the address or save it to a file"
    )


def _body(
    resp: http.client.HTTPResponse, max_bytes: int, deadline: _Deadline, what: str, original: str
) -> bytes:
    """A 2xx answer's body, read as it arrives: refused past ``max_bytes``, an error when it
    did not all arrive in time or is shorter than its ``Content-Length``."""
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
        raise _timed_out(deadline, what, original)
    if length and length.isdecimal() and total < int(length):
        raise InputError(
            f"could not fetch {what} {original}: the server closed the connection after "
            f"{total:,} of its {int(length):,} bytes; try again or save the page to a file"
        )
    return b"".join(chunks)


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
