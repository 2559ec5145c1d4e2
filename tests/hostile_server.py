"""A misbehaving HTTP server on 127.0.0.1 for hardening tests (raw sockets, no http.server).

Routes (the request path picks the behaviour):

* ``/page`` and ``/gallery``: good HTML (the gallery links every bad image below);
* ``/img/ok.png``: a real PNG; ``/img/text.png``: text served as ``image/png``;
* ``/drip``, ``/img/drip.png``: headers, then one body byte every 0.3 s, for ever;
* ``/drip-status``: the status line itself, one byte every 0.3 s;
* ``/badstatus``: an answer that is not HTTP; ``/img/trunc.png``, ``/trunc``: a chunked body
  cut off mid-chunk;
* ``/odd-length``: a Content-Length of superscript digits ("²³");
* ``/loop`` <-> ``/loop2``: a redirect loop; ``/to-ftp``: a redirect to ``ftp://`` on a port
  whose listener records every connection (``ftp_hits``);
* ``/short``: a Content-Length of 100,000 and 500 bytes of page, then the connection closed;
* ``/to/<target>``: a redirect to ``http://<target>/latest/meta-data/`` (a metadata address in
  some spelling, or an IPv6 literal in brackets);
* ``/metadata-img``: a page whose pictures point at metadata and link-local addresses.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from types import TracebackType

from PIL import Image


def png_bytes(size: int = 8) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), (0, 90, 200)).save(buf, format="PNG")
    return buf.getvalue()


PAGE = (
    b"<html lang='en'><head><title>Served Page</title></head><body><article>"
    b"<h1>Served Page</h1><p>This article was fetched over HTTP from a server on the loopback "
    b"address, with words enough to count as an article about rivers and the sea.</p>"
    b"</article></body></html>"
)
GALLERY = (
    b"<html lang='en'><head><title>Gallery</title></head><body><article><h1>Gallery</h1>"
    b"<p>Pictures of rivers, lakes and the sea, with a few words about each of them here.</p>"
    b"<img src='/img/ok.png' alt='ok'><img src='/img/trunc.png' alt='cut'>"
    b"<img src='/img/text.png' alt='text'><img src='/img/drip.png' alt='drip'>"
    b"<img src='/img/badstatus.png' alt='bad'>"
    b"<p>More words after the pictures, so the article has a body worth reading aloud.</p>"
    b"</article></body></html>"
)


METADATA_SPELLINGS = (
    "169.254.169.254",
    "2852039166",
    "0xa9fea9fe",
    "0251.0376.0251.0376",
    "169.254.0.1",
    "[::ffff:a9fe:a9fe]",
    "[::ffff:169.254.169.254]",
    "[fe80::1]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:a9fe:a9fe::1]",
)
"""The link-local and metadata addresses, as an attacker would write them in a URL."""
METADATA_IMAGES = (
    b"<html lang='en'><head><title>Pictures Elsewhere</title></head><body><article>"
    b"<h1>Pictures Elsewhere</h1><p>An article whose pictures point at addresses no fetch may "
    b"reach, with words enough about rivers and the sea to count as an article.</p>"
    + b"".join(
        f"<img src='http://{a}/latest/meta-data/' alt='x'>".encode() for a in METADATA_SPELLINGS
    )
    + b"<p>More words after the pictures, so the article has a body worth reading aloud.</p>"
    b"</article></body></html>"
)


def _ok(body: bytes, ctype: str) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"Connection: close\r\n\r\n" + body


class HostileServer:
    """Context manager: ``.url`` is ``http://127.0.0.1:PORT``."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.ftp = socket.socket()
        self.ftp.bind(("127.0.0.1", 0))
        self.ftp.listen(4)
        self.ftp.settimeout(0.2)
        self.ftp_port = self.ftp.getsockname()[1]
        self.ftp_hits = 0
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._serve, daemon=True),
            threading.Thread(target=self._ftp, daemon=True),
        ]

    def __enter__(self) -> HostileServer:
        self.sock.settimeout(0.2)
        for t in self.threads:
            t.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=3)
        self.sock.close()
        self.ftp.close()

    def _ftp(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.ftp.accept()
            except OSError:
                continue
            self.ftp_hits += 1
            conn.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket, data: bytes, forever: bool) -> None:
        i = 0
        while not self.stop.is_set():
            byte = data[i : i + 1] if i < len(data) else b"x"
            if not forever and i >= len(data):
                return
            conn.sendall(byte)
            i += 1
            time.sleep(0.3)

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:
                part = conn.recv(4096)
                if not part:
                    return
                request += part
            path = request.split(b" ", 2)[1].decode()
            if path == "/page":
                conn.sendall(_ok(PAGE, "text/html; charset=utf-8"))
            elif path == "/gallery":
                conn.sendall(_ok(GALLERY, "text/html; charset=utf-8"))
            elif path == "/img/ok.png":
                conn.sendall(_ok(png_bytes(), "image/png"))
            elif path == "/img/text.png":
                conn.sendall(_ok(b"this is not a picture at all", "image/png"))
            elif path in ("/drip", "/img/drip.png"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
                self._drip(conn, b"<p>", forever=True)
            elif path == "/drip-status":
                self._drip(conn, b"HTTP/1.1 200 OK\r\n", forever=True)
            elif path in ("/badstatus", "/img/badstatus.png"):
                conn.sendall(b"NOT-HTTP garbage here\r\n\r\n")
            elif path in ("/trunc", "/img/trunc.png"):
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n400\r\n" + png_bytes()[:20]
                )
            elif path == "/odd-length":
                # A Content-Length of superscript digits (latin-1 on the wire): str.isdigit()
                # says yes, int() says no.
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: \xb2\xb3\r\n"
                    b"Connection: close\r\n\r\n" + PAGE
                )
            elif path in ("/loop", "/loop2"):
                target = "/loop2" if path == "/loop" else "/loop"
                conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {target}\r\n\r\n".encode())
            elif path == "/to-ftp":
                conn.sendall(
                    f"HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1:{self.ftp_port}/x\r\n"
                    "Content-Length: 0\r\n\r\n".encode()
                )
            elif path == "/short":
                body = (PAGE * 4)[:500]
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n"
                    b"Connection: close\r\n\r\n" + body
                )
            elif path.startswith("/to/"):
                target = path.removeprefix("/to/")
                conn.sendall(
                    f"HTTP/1.1 302 Found\r\nLocation: http://{target}/latest/meta-data/\r\n"
                    "Content-Length: 0\r\n\r\n".encode()
                )
            elif path == "/metadata-img":
                conn.sendall(_ok(METADATA_IMAGES, "text/html; charset=utf-8"))
            else:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
