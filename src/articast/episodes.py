"""The episode store: the output folder's episode folders, their manifests and their locks.

One module owns how episodes sit in ``<out>``: which folder an article's episode gets (its
title's slug, or the slug plus a hash of its source when another source holds that folder),
reading an ``episode.json``, the per-episode lock, the hidden ``.<slug>.building-*`` and
``.old-*`` folders a build publishes through, and putting back what a killed build left
(``cleanup_leftovers``). The pipeline, the batch and the feed use it; it uses none of them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from articast.errors import InputError
from articast.models import Clip, Episode, clips_from_json
from articast.sanitize import path_text
from articast.slug import slugify, with_hash

__all__ = [
    "CLIPS_FILE",
    "CLIP_NAME",
    "FOREIGN_AGE",
    "MANIFEST",
    "SOURCE_MARK",
    "STRAY_AGE",
    "cleanup_leftovers",
    "episode_lock",
    "episode_slug",
    "free_for",
    "leftover_path",
    "read_clips",
    "read_manifest",
    "source_identity",
    "swap_into_place",
]

MANIFEST = "episode.json"
"""The manifest's file name in an episode folder."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftover_owner(name: str) -> tuple[str, int] | None:
    """(host, pid) encoded in a ``.<slug>.building-<host>-<pid>-<rand>`` or ``.old-`` name."""
    for marker in (".building-", ".old-"):
        if marker in name:
            tail = name.split(marker, 1)[1]
            host = tail.rpartition("-")[0]  # drop the random suffix
            host, _, pid = host.rpartition("-")
            if pid.isdecimal():
                return host, int(pid)
    return None


FOREIGN_AGE = 12 * 3600
"""Seconds after which another host's leftover build folder counts as abandoned."""
STRAY_AGE = 3600
"""Seconds after which a stray temporary file in the output folder counts as abandoned."""


def cleanup_leftovers(out_dir: Path, *, slug: str | None = None) -> list[str]:
    """Finish or remove what killed builds left in ``out_dir``; returns what was done.

    A ``.old-`` folder whose episode is missing is put back (the swap was interrupted);
    ``.building-`` folders of dead processes on this host are removed, and those of other hosts
    (cluster workers) only once they are ``FOREIGN_AGE`` old. ``slug`` limits it to one episode.
    """
    done: list[str] = []
    if not out_dir.is_dir():
        return done
    host = socket.gethostname()
    now = time.time()
    for entry in sorted(out_dir.iterdir()):
        name = entry.name
        owner = _leftover_owner(name)
        if owner is None or not entry.is_dir():
            continue
        if slug is not None and not name.startswith(f".{slug}."):
            continue
        o_host, pid = owner
        if o_host == host:
            if pid == os.getpid() or _pid_alive(pid):
                continue
        elif now - entry.stat().st_mtime < FOREIGN_AGE:
            continue
        if ".old-" in name:
            old_slug = name[1:].split(".old-", 1)[0]
            target = out_dir / old_slug
            if not target.exists():
                os.replace(entry, target)
                done.append(f"restored {old_slug}")
                continue
        shutil.rmtree(entry, ignore_errors=True)
        done.append(f"removed {name}")
    if slug is None:
        for stray in out_dir.glob(".*.tmp*"):
            if stray.is_file() and now - stray.stat().st_mtime > STRAY_AGE:
                stray.unlink(missing_ok=True)
                done.append(f"removed {stray.name}")
    return done


def read_manifest(folder: Path) -> Episode | None:
    """The manifest of an episode folder, or None when absent or unreadable."""
    try:
        return Episode.from_json(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError):  # ManifestError is a ValueError: treated as no manifest
        return None



CLIPS_FILE = "clips.json"
"""The list of an episode's clips (``articast.clips``), beside its manifest."""
CLIP_NAME = re.compile(r"clip-\d{2}\.(?:mp4|vtt|jpg)")
"""The names of the clips' files in an episode folder."""


def read_clips(folder: Path) -> tuple[Clip, ...]:
    """The clips ``folder``'s ``clips.json`` lists whose files are there (none when it has
    none, or an unreadable one); a captions or poster file that is not a clip's own file of
    the folder is left out (empty)."""
    try:
        clips = clips_from_json(json.loads((folder / CLIPS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):  # ManifestError is a ValueError
        return ()
    def ours(name: str) -> str:
        return name if CLIP_NAME.fullmatch(name) and (folder / name).is_file() else ""

    return tuple(
        dataclasses.replace(c, captions=ours(c.captions), poster=ours(c.poster))
        for c in clips
        if ours(c.file)
    )


def swap_into_place(tmp: Path, final: Path) -> None:
    """Rename ``tmp`` to ``final``; an existing ``final`` is moved aside first, then removed."""
    old: Path | None = None
    if final.exists():
        old = leftover_path(final.parent, final.name, "old")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def leftover_path(out_dir: Path, slug: str, kind: str = "building") -> Path:
    """A hidden ``.<slug>.<kind>-<host>-<pid>-<rand>`` folder name that ``cleanup_leftovers``
    can trace to its owner (``kind`` is ``building`` or ``old``)."""
    return out_dir / f".{slug}.{kind}-{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def source_identity(source: str | Path) -> str:
    """What makes two builds "the same article": the URL as given, or the file's real path."""
    text = str(source).strip()
    if re.match(r"^https?://", text, re.IGNORECASE):
        return path_text(text)
    try:
        return path_text(Path(source).expanduser().resolve())
    except (OSError, RuntimeError):
        return path_text(text)



def _same_source(manifest: Episode, identity: str, content_hash: str) -> bool:
    if manifest.source_id:
        return manifest.source_id == identity
    # Manifests from before ``source_id``: the source as given, or the very same bytes.
    if manifest.source and source_identity(manifest.source) == identity:
        return True
    return bool(content_hash) and manifest.content_hash == content_hash


SOURCE_MARK = ".articast-source"
"""In an episode folder that holds a script but no episode yet: the source it belongs to."""


def free_for(folder: Path, identity: str, content_hash: str) -> bool:
    """Whether a build of ``identity`` may write ``folder``: absent, empty, or an episode of
    the same source. A folder whose manifest is missing or damaged belongs to nobody we know:
    it is not free (published work was lost when it was taken for an empty one)."""
    try:
        if not folder.exists():
            return not folder.is_symlink()
        manifest = read_manifest(folder)
        if manifest is None:
            if not folder.is_dir():
                return False
            owner = folder / SOURCE_MARK
            if owner.is_file():  # a script written for this episode, not yet built
                return owner.read_text(encoding="utf-8").strip() == identity
            return not any(folder.iterdir())
    except OSError:
        return False
    return _same_source(manifest, identity, content_hash)


def episode_slug(out_dir: Path, title: str, identity: str, content_hash: str = "") -> str:
    """The folder name for an article titled ``title`` from ``identity``.

    The title's slug, unless that folder holds an episode made from another source: then the
    slug plus a short hash of the source, so one article never replaces another's episode.
    Raises ``InputError`` in the (astronomically unlikely) case that both are taken.
    """
    base = slugify(title)
    for slug in (base, with_hash(base, identity)):
        if free_for(out_dir / slug, identity, content_hash):
            return slug
    raise InputError(
        f"the folders {base} and {with_hash(base, identity)} in {out_dir} hold episodes of other "
        "sources; give the article another title or remove one of them"
    )


@contextlib.contextmanager
def episode_lock(out_dir: Path, title: str) -> Iterator[None]:
    """Hold the lock of the episode named by ``title`` in ``out_dir``: a second build of the
    same episode waits for the first instead of colliding with it."""
    from filelock import FileLock

    locks = out_dir / ".cache" / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with FileLock(str(locks / f"{slugify(title)}.lock")):
        yield
