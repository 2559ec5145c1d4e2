"""A local stand-in for Google Translate's TTS endpoint, for tests of the real gTTS client.

It answers POSTs in Google's ``batchexecute`` format (the ``jQ1olc`` RPC, base64 MP3 inside a
JSON string) with real speech: the requested text spoken by espeak-ng and encoded to 24 kHz MP3
by the bundled ffmpeg. Point articast at it with ``VoiceSettings(gtts_url=server.url)`` (or
``[voice] gtts_url = "..."`` in articast.toml). ``fail_next`` queues HTTP errors (429, 503...)
to exercise retries; ``requests`` records the texts received.

Use the ``fake_google`` fixture (tests/conftest.py) or ``with FakeGoogle() as server: ...``.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs

from articast.media import ffmpeg_exe
from articast.voices.base import SynthParams
from articast.voices.espeak import EspeakVoice

PATH = "/_/TranslateWebserverUi/data/batchexecute"


def speech_mp3(text: str, voice: str = "en-gb") -> bytes:
    """Real speech for ``text`` as a 24 kHz mono MP3 (espeak-ng + bundled ffmpeg)."""
    res = EspeakVoice(voice).synthesize(text, SynthParams())
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
        "-f", "s16le", "-ar", str(res.sample_rate), "-ac", "1", "-i", "pipe:0",
        "-ar", "24000", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1",
    ]  # fmt: skip
    return subprocess.run(cmd, input=res.pcm, capture_output=True, check=True).stdout


def batchexecute_body(mp3: bytes) -> bytes:
    """A response body the way Google sends it (gTTS greps the ``jQ1olc`` line)."""
    payload = json.dumps([base64.b64encode(mp3).decode("ascii")], separators=(",", ":"))
    line = json.dumps(
        [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]], separators=(",", ":")
    )
    return f")]}}'\n\n{len(line)}\n{line}\n".encode()


def request_text(body: bytes) -> str:
    """The text a gTTS request asks for."""
    freq = parse_qs(body.decode("utf-8"))["f.req"][0]
    return str(json.loads(json.loads(freq)[0][0][1])[0])


class FakeGoogle:
    """A threaded HTTP server on 127.0.0.1 speaking Google's TTS protocol."""

    def __init__(self, voice: str = "en-gb") -> None:
        self.voice = voice
        self.requests: list[str] = []
        self.fail_next: deque[int] = deque()
        """HTTP status codes to answer (in order) before answering normally again."""
        self.statuses: list[int] = []
        self.misbehave = ""
        """``"drip"``: a promised megabyte, one byte every 0.5 s; ``"huge"``: 200 MB at once."""
        self._mp3: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if server.misbehave:
                    self._misbehave(server.misbehave)
                    return
                status = server._answer(self.path, body)
                if isinstance(status, int):
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(status)))
                self.end_headers()
                self.wfile.write(status)

            def _misbehave(self, how: str) -> None:
                size = 1_000_000 if how == "drip" else 200_000_000
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                sent = 0
                try:
                    while sent < size and not server._stopping.is_set():
                        piece = b"x" if how == "drip" else b"x" * 65536
                        self.wfile.write(piece)
                        self.wfile.flush()
                        sent += len(piece)
                        if how == "drip":
                            time.sleep(0.5)
                except OSError:
                    return

            def log_message(self, format: str, *args: object) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The endpoint to put in ``VoiceSettings.gtts_url``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{PATH}"

    def _answer(self, path: str, body: bytes) -> int | bytes:
        if path.split("?")[0] != PATH:
            return 404
        try:
            text = request_text(body)
        except (KeyError, ValueError, IndexError, TypeError):
            return 400
        with self._lock:
            self.requests.append(text)
            if self.fail_next:
                code = self.fail_next.popleft()
                self.statuses.append(code)
                return code
            self.statuses.append(200)
            mp3 = self._mp3.get(text)
        if mp3 is None:
            mp3 = speech_mp3(text, self.voice)
            with self._lock:
                self._mp3[text] = mp3
        return batchexecute_body(mp3)

    def start(self) -> FakeGoogle:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
