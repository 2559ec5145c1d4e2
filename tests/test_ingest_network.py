"""URL articles and remote images, fetched by the real client from a server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from articast.config import IngestSettings
from articast.errors import InputError
from articast.ingest import load_article


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 200)).save(buf, format="PNG")
    return buf.getvalue()


PAGE = b"""<html lang="en"><head><title>Served Page</title></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Served Page</h1>
<p>This article was fetched over HTTP from a server on the loopback address, the way a real
page would be fetched from the web, with a timeout and a size cap.</p>
<img src="/img/pic.png" alt="a picture"><img src="/img/huge.png" alt="too big">
<p>A <a href="/other">relative link</a> and a <a href="https://youtu.be/AbCdEfGhIj0?t=5">talk</a>.</p>
</article></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {
        "/article": (200, "text/html; charset=utf-8", PAGE),
        "/img/pic.png": (200, "image/png", _png()),
        "/img/huge.png": (200, "image/png", b"\x89PNG" + b"0" * 5000),
        "/big": (200, "text/html", b"<p>" + b"word " * 4000 + b"</p>"),
        "/empty": (200, "text/html", b""),
    }

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.5)
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"nope"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_url_article(server: str) -> None:
    a = load_article(f"{server}/article", IngestSettings(max_image_bytes=1000))
    assert a.kind == "url"
    assert a.title == "Served Page"
    assert a.source_url == f"{server}/article"
    assert "loopback address" in a.sections[0].text
    assert "Home" not in a.sections[0].text
    pic, huge = a.images
    assert pic.path is not None
    assert pic.path.read_bytes() == _png()
    assert huge.path is None
    assert any("huge.png" in w for w in a.warnings)
    assert f"{server}/other" in a.links
    assert a.talk is not None
    assert a.talk.url == "https://www.youtube.com/watch?v=AbCdEfGhIj0&t=5s"


def test_url_offline_reads_nothing(server: str) -> None:
    with pytest.raises(InputError, match="offline"):
        load_article(f"{server}/article", IngestSettings(allow_network=False))


def test_url_errors(server: str) -> None:
    with pytest.raises(InputError, match="HTTP 404"):
        load_article(f"{server}/missing", IngestSettings())
    with pytest.raises(InputError, match="limit"):
        load_article(f"{server}/big", IngestSettings(max_bytes=1000))
    with pytest.raises(InputError, match="empty"):
        load_article(f"{server}/empty", IngestSettings())
    started = time.monotonic()
    with pytest.raises(InputError, match="could not fetch"):
        load_article(f"{server}/slow", IngestSettings(timeout=0.3))
    assert time.monotonic() - started < 1.4


def test_unreachable_host_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with pytest.raises(InputError) as info:
        load_article("http://127.0.0.1:9/article", IngestSettings(timeout=2))
    assert "\n" not in str(info.value)


def test_remote_image_in_local_article(server: str, tmp_path: Path) -> None:
    p = tmp_path / "a.html"
    p.write_text(
        f'<h1>Local</h1><p>Words enough to be an article body here.</p><img src="{server}/img/pic.png">'
    )
    # The stand-in server is on loopback, where a local article's pictures may go only when
    # the config allows it (tests/test_hardening_net.py: refused otherwise).
    a = load_article(p, IngestSettings(private_addresses=True))
    assert a.images[0].path is not None
    assert a.warnings == ()


def test_a_resolver_that_never_answers_is_bounded_by_the_fetch_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A DNS server that never answers (the system resolver blocks, before any socket timeout
    applies) must not hold a build: the fetch gives up at its deadline with one line."""
    import socket

    real = socket.getaddrinfo
    released = threading.Event()

    def hung_resolver(host: object, *args: object, **kwargs: object) -> object:
        if host == "hung-dns.example":
            released.wait(30)  # the system resolver's own retries, simulated
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", hung_resolver)
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    started = time.monotonic()
    try:
        with pytest.raises(InputError, match=r"no complete answer within 0.5 s") as info:
            load_article("http://hung-dns.example/article", IngestSettings(timeout=0.5))
        assert "\n" not in str(info.value)
        assert time.monotonic() - started < 2.0
    finally:
        released.set()
