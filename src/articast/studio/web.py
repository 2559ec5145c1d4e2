"""The studio's web app: Starlette routes over ``Studio``, served by uvicorn on 127.0.0.1.

The pages are one HTML shell and one script (``assets/``, shipped in the package: no build
step, no CDN) that draw everything from the JSON routes with ``textContent`` (nothing from an
article becomes markup). Safe by default:

- it binds 127.0.0.1 (``--host`` to change, with a warning), and answers only requests whose
  ``Host`` is the address it serves (a web page cannot reach it by DNS rebinding);
- every write (a POST) carries the token from the URL the command prints; the pages keep it
  and send it in a header; a page of another site can neither read nor send it;
- uploads are capped (``[ingest] max_bytes``) before they are read; files are served only by
  the names an episode lists; the pages' Content-Security-Policy allows only their own script.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import secrets
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import python_multipart  # noqa: F401  (Starlette parses the uploads with it)
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from articast.errors import InputError
from articast.studio.core import Studio, describe_error

TOKEN_HEADER = "X-Studio-Token"
WILDCARDS = ("0.0.0.0", "::", "")
DEFAULT_PORT = 8765
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_ASSETS = {"studio.js": "text/javascript", "studio.css": "text/css"}


def _asset(name: str) -> bytes:
    return resources.files("articast.studio").joinpath("assets", name).read_bytes()


def _plain(value: Any) -> Any:
    """Dataclasses (views, jobs) as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if hasattr(value, "active"):
            out["active"] = value.active
        return out
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _json(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(_plain(value), status_code=status, headers=_SECURITY_HEADERS)


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=_SECURITY_HEADERS)


Handler = Callable[[Request], Awaitable[Response]]


def make_app(studio: Studio, token: str, *, hosts: tuple[str, ...] = ("127.0.0.1",)) -> Starlette:
    """The app over ``studio``; POSTs need ``token``; ``hosts``: the Host names it answers."""

    def guarded(handler: Handler, *, write: bool = False) -> Handler:
        async def run(request: Request) -> Response:
            if write:
                given = request.headers.get(TOKEN_HEADER, "")
                if not secrets.compare_digest(given.encode(), token.encode()):
                    return _error(
                        "this action needs the studio's token: open the address "
                        "'articast studio' printed (it ends in ?token=...)",
                        403,
                    )
            try:
                return await handler(request)
            except InputError as exc:
                return _error(describe_error(exc))
            except HTTPException as exc:  # Starlette's own refusals (a malformed form)
                return _error(str(exc.detail), exc.status_code)
            except Exception as exc:  # one line for the page; the worker stays up
                return _error(describe_error(exc), 500)

        return run

    async def shell(request: Request) -> Response:
        return Response(_asset("studio.html"), media_type="text/html", headers=_SECURITY_HEADERS)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _ASSETS:
            return _error("not found", 404)
        return Response(_asset(name), media_type=_ASSETS[name], headers=_SECURITY_HEADERS)

    async def episodes(request: Request) -> Response:
        cards = await run_in_threadpool(studio.episodes)
        articles = await run_in_threadpool(studio.articles)
        return _json(
            {
                "episodes": cards,
                "out": str(studio.out_dir),
                "inputs": studio.inputs,
                "articles": articles,
            }
        )

    async def create(request: Request) -> Response:
        kind = request.headers.get("content-type", "")
        if kind.startswith("multipart/form-data"):
            try:
                length = int(request.headers["content-length"])
            except (KeyError, ValueError):
                # Chunked: its size is known only once it is all on disk.
                return _error("an upload must say its length (Content-Length)", 411)
            if length > studio.max_upload + 65536:
                return _error(
                    f"the upload is {length:,} bytes, over the {studio.max_upload:,}-byte limit "
                    "([ingest] max_bytes); is it the article itself?",
                    413,
                )
            async with request.form(
                max_files=1, max_fields=4, max_part_size=studio.max_upload + 1
            ) as form:
                upload = form.get("file")
                if upload is None or isinstance(upload, str):
                    return _error("no file was uploaded; choose one")
                data = await upload.read(studio.max_upload + 1)
                name = upload.filename or "article.txt"
            card = await run_in_threadpool(studio.create_from_upload, name, data)
            return _json(card, 201)
        body = await _body(request)
        if body.get("text"):
            text = str(body["text"])
            data = text.encode("utf-8")
            name = str(body.get("name") or "pasted.txt")
            card = await run_in_threadpool(studio.create_from_upload, name, data)
        else:
            card = await run_in_threadpool(studio.create, str(body.get("source") or ""))
        return _json(card, 201)

    async def view(request: Request) -> Response:
        from articast.pipeline import STAGES

        got = await run_in_threadpool(studio.view, request.path_params["slug"])
        return _json({**_plain(got), "stages": STAGES})

    async def edit(request: Request) -> Response:
        body = await _body(request)
        p = request.path_params
        old = body.get("old")
        got = await run_in_threadpool(
            lambda: studio.edit(
                p["slug"], int(p["part"]), int(p["index"]), str(body.get("line") or ""),
                old=None if old is None else str(old),
            )
        )  # fmt: skip
        return _json(got)

    async def say(request: Request) -> Response:
        body = await _body(request)
        voice = body.get("voice")
        said = await run_in_threadpool(
            lambda: studio.say(
                request.path_params["slug"], str(body.get("line") or ""),
                voice=str(voice) if voice else None,
            )
        )  # fmt: skip
        headers = {
            **_SECURITY_HEADERS,
            "X-Synthesized": "1" if said.synthesized else "0",
            "X-Voice": said.voice,
            "X-Seconds": str(said.seconds),
        }
        return Response(said.wav, media_type="audio/wav", headers=headers)

    async def choose(request: Request) -> Response:
        body = await _body(request)
        slug = request.path_params["slug"]
        voice = await run_in_threadpool(studio.choose_voice, slug, str(body.get("voice") or ""))
        return _json({"voice": voice})

    async def build(request: Request) -> Response:
        body = await _body(request)
        voice = body.get("voice")
        slug = request.path_params["slug"]
        job = await run_in_threadpool(
            lambda: studio.build(slug, voice=str(voice) if voice is not None else None)
        )
        return _json(job, 202)

    async def job(request: Request) -> Response:
        try:
            found = studio.jobs.get(int(request.path_params["id"]))
        except ValueError:
            found = None
        if found is None:
            return _error("no such job", 404)
        return _json(found)

    async def publish(request: Request) -> Response:
        slug = request.path_params["slug"]
        done = await run_in_threadpool(studio.publish, slug)
        return _json(done)

    async def episode_file(request: Request) -> Response:
        p = request.path_params
        path = await run_in_threadpool(studio.file, p["slug"], p["name"])
        return FileResponse(path, headers=_SECURITY_HEADERS)

    async def show_file(request: Request) -> Response:
        path = await run_in_threadpool(studio.show_file, request.path_params["name"])
        return FileResponse(path, headers=_SECURITY_HEADERS)

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204, headers=_SECURITY_HEADERS)

    routes = [
        Route("/", guarded(shell)),
        Route("/favicon.ico", no_icon),
        Route("/episode/{slug}", guarded(shell)),
        Route("/assets/{name}", guarded(asset)),
        Route("/api/episodes", guarded(episodes)),
        Route("/api/episodes", guarded(create, write=True), methods=["POST"]),
        Route("/api/episodes/{slug}", guarded(view)),
        Route(
            "/api/episodes/{slug}/sentences/{part:int}/{index:int}",
            guarded(edit, write=True),
            methods=["POST"],
        ),
        Route("/api/episodes/{slug}/say", guarded(say, write=True), methods=["POST"]),
        Route("/api/episodes/{slug}/voice", guarded(choose, write=True), methods=["POST"]),
        Route("/api/episodes/{slug}/build", guarded(build, write=True), methods=["POST"]),
        Route("/api/episodes/{slug}/publish", guarded(publish, write=True), methods=["POST"]),
        Route("/api/jobs/{id}", guarded(job)),
        Route("/files/{slug}/{name}", guarded(episode_file)),
        Route("/show/{name}", guarded(show_file)),
    ]
    # Bound to every address (0.0.0.0, ::): it is reached by names we cannot know; the
    # command warned, and writes still need the token.
    wildcard = any(h in WILDCARDS for h in hosts)
    allowed = ["*"] if wildcard else sorted({*hosts, "127.0.0.1", "localhost", "[::1]"})
    app = Starlette(
        routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed)]
    )
    app.state.max_upload = studio.max_upload
    return app


MAX_BODY = 1_000_000
"""The largest JSON body a page sends (pasted articles come through ``create``'s own cap)."""


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object; ``InputError`` for anything else."""
    limit = MAX_BODY
    if request.url.path == "/api/episodes":
        limit = 4 * int(request.app.state.max_upload) + 4096  # pasted text, JSON-escaped
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InputError(
                f"the request is over {limit:,} bytes; is the pasted text the article itself?"
            )
        chunks.append(chunk)
    if not chunks:
        return {}
    try:
        data = json.loads(b"".join(chunks))
    except ValueError as exc:
        raise InputError("the request is not JSON") from exc
    if not isinstance(data, dict):
        raise InputError("the request is not a JSON object")
    return data


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; ``InputError`` when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(
                f"port {port} on {host} is in use (another studio?); pass --port with a free one"
            ) from exc
        raise InputError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


class StudioServer:
    """``studio`` served on ``host:port`` (0: any free port) in a background thread."""

    def __init__(
        self,
        studio: Studio,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        token: str | None = None,
    ) -> None:
        import uvicorn

        self.studio = studio
        self.token = token or secrets.token_urlsafe(18)
        self.host = host
        self._sock = _bind(host, port)
        self.port = int(self._sock.getsockname()[1])
        app = make_app(studio, self.token, hosts=(host,))
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        host = "127.0.0.1" if self.host in WILDCARDS else self.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    @property
    def url(self) -> str:
        """The address to open: the studio with its token."""
        return f"{self.origin}/?token={self.token}"

    def start(self) -> StudioServer:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True,
            name="articast-studio-http",
        )  # fmt: skip
        self._thread.start()
        for _ in range(400):  # until it answers (a few ms; at most 10 s)
            if self._server.started or not self._thread.is_alive():
                break
            time.sleep(0.025)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (Ctrl-C)."""
        self._server.run(sockets=[self._sock])

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        with contextlib.suppress(OSError):
            self._sock.close()
        self.studio.close()


@contextlib.contextmanager
def serving(studio: Studio, *, port: int = 0, host: str = "127.0.0.1") -> Iterator[StudioServer]:
    """``studio`` served in the background while the block runs (tests, scripts)."""
    server = StudioServer(studio, host=host, port=port).start()
    try:
        yield server
    finally:
        server.stop()
