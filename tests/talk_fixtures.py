"""Test helpers for the talk stage: a fixture talk imported through the real yt-dlp code.

``tests/fixtures/talk/YLRWoMVNEq8.info.json`` is a saved yt-dlp info JSON we made for the
user's talk id (title, channel, duration, chapters, thumbnail). ``__BASE__`` in it is replaced by
the URL of a local ``http.server`` on 127.0.0.1 that serves a PNG generated here, so yt-dlp's own
networking downloads the thumbnail without leaving the machine.

Use from any test (``tests/`` is on ``sys.path`` through ``conftest.py``)::

    from talk_fixtures import TALK_CHANNEL, TALK_TITLE, import_fixture_talk
    talk = import_fixture_talk(settings.cache_root, tmp_path / "talk-fixture")

or the ``import_talk_fixture`` pytest fixture in ``conftest.py``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image

from articast.models import Talk
from articast.talk import import_info_json

FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures" / "talk"
INFO_TEMPLATE = FIXTURE_DIR / "YLRWoMVNEq8.info.json"

TALK_VIDEO_ID = "YLRWoMVNEq8"
TALK_TITLE = "Sleep Replay and the Making of Memory"
TALK_CHANNEL = "Harbor Lecture Hall"
TALK_DURATION = 2712.0
TALK_CHAPTERS = (("Welcome", 0.0), ("What the hippocampus replays", 95.0), ("Questions", 1260.0))
THUMB_SIZE = (320, 180)
THUMB_COLOR = (200, 40, 90)


def make_png(path: Path, size: tuple[int, int] = THUMB_SIZE) -> Path:
    """A small PNG: a solid colour with a lighter band (so it is not a blank picture)."""
    im = Image.new("RGB", size, THUMB_COLOR)
    band = Image.new("RGB", (size[0], size[1] // 4), (250, 220, 120))
    im.paste(band, (0, size[1] // 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "PNG")
    return path


@dataclass
class Served:
    """A running local server: its base URL and the paths it was asked for."""

    base: str
    requests: list[str] = field(default_factory=list)


@contextmanager
def serve_directory(folder: Path) -> Iterator[Served]:
    """Serve ``folder`` on http://127.0.0.1:<free port> in a thread while the block runs."""
    served = Served(base="")

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            served.requests.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def write_info_json(dest: Path, base_url: str, **overrides: Any) -> Path:
    """Write the fixture info JSON with its URLs pointing at ``base_url``; keys may be changed."""
    info = json.loads(INFO_TEMPLATE.read_text(encoding="utf-8").replace("__BASE__", base_url))
    info.update(overrides)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return dest


def import_fixture_talk(cache_root: Path, workdir: Path) -> Talk:
    """Import the fixture talk into ``cache_root`` exactly as ``articast talk --from-info-json``
    does: a local server serves the thumbnail for the duration of the import.

    Afterwards ``resolve_talk`` (and so every build using ``cache_root``) returns the talk with
    ``TALK_TITLE``, ``TALK_CHANNEL`` and a cached thumbnail, offline.
    """
    www = workdir / "www"
    make_png(www / "thumb.png")
    with serve_directory(www) as served:
        info = write_info_json(workdir / f"{TALK_VIDEO_ID}.info.json", served.base)
        warnings: list[str] = []
        talk = import_info_json(info, cache_root, warnings_out=warnings)
    if warnings or talk.thumbnail is None:
        raise RuntimeError(f"fixture talk import did not get its thumbnail: {warnings}")
    return talk
