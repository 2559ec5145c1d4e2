"""Content-addressed cache shared by the stages (speech, talk metadata, illustrations, renders).

A key is a hash of everything that changes the output; an entry is a folder of files written
atomically (temp name, then rename), so a crash never leaves a half entry that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def content_key(*parts: object) -> str:
    """A stable sha256 hex digest of ``parts`` (JSON-encoded; Paths and bytes allowed)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            h.update(b"b" + hashlib.sha256(part).digest())
        else:
            h.update(b"j" + json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def file_hash(path: Path) -> str:
    """The sha256 hex digest of the file at ``path``, read a megabyte at a time."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes 0600 files; published files (feed, pages) must be readable by a web server.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Text version of ``atomic_write_bytes`` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place when the block succeeds.

    For tools that write a file themselves (ffmpeg, Pillow, mutagen).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_copy(src: Path, dest: Path) -> None:
    """``src`` copied to ``dest`` through a temporary name and a rename."""
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)


class Cache:
    """A namespace of content-addressed entries under ``root/<namespace>/<key[:2]>/<key>``."""

    def __init__(self, root: Path, namespace: str) -> None:
        self.root = root / namespace

    def dir_for(self, key: str) -> Path:
        """The folder of entry ``key`` (may not exist)."""
        return self.root / key[:2] / key

    def path(self, key: str, name: str) -> Path | None:
        """The file ``name`` of entry ``key`` when the entry is complete, else None."""
        d = self.dir_for(key)
        p = d / name
        return p if (d / ".complete").exists() and p.exists() else None

    def get_json(self, key: str, name: str = "data.json") -> Any | None:
        """The JSON document ``name`` of entry ``key``, or None."""
        p = self.path(key, name)
        if p is None:
            return None
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, files: dict[str, bytes], copies: dict[str, Path] | None = None) -> Path:
        """Store ``files`` (and copies of the files ``copies`` names, copied on disk rather than
        read into memory) as entry ``key`` atomically; returns the entry's folder."""
        final = self.dir_for(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key[:8]}.", dir=final.parent))
        try:
            for name, data in files.items():
                (tmp / name).write_bytes(data)
            for name, src in (copies or {}).items():
                shutil.copyfile(src, tmp / name)
            (tmp / ".complete").write_bytes(b"")
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)
            try:
                os.replace(tmp, final)
            except OSError:
                # Another process stored the same key first: same content, keep theirs.
                if not (final / ".complete").exists():
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return final

    def put_json(self, key: str, data: Any, name: str = "data.json", **extra: bytes) -> Path:
        """Store a JSON document (plus optional extra files) as entry ``key``."""
        files = {name: json.dumps(data, indent=1, sort_keys=True).encode("utf-8"), **extra}
        return self.put(key, files)
