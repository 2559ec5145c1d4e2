"""Checks on the output folder before anything is written into it.

Sits in front of every command that writes episodes, the feed or pages (``cli`` calls
``prepare_out_dir`` once, right after reading the settings). An output folder must be a
writable folder; it may not be a filesystem root or the home folder; and a non-empty folder
that articast did not make is refused unless the user says ``--force`` (its ``index.html``
would be replaced by the episode list, and its files mixed with ours).
"""

from __future__ import annotations

import os
from pathlib import Path

from articast.errors import InputError

__all__ = ["is_articast_folder", "prepare_out_dir"]

MARKERS = (".cache", ".batch", "feed.xml")
"""Entries that only an articast output folder holds (besides episode folders)."""


def is_articast_folder(folder: Path) -> bool:
    """True when ``folder`` is empty or holds articast's own files.

    Hidden entries (``.gitkeep``, ``.DS_Store``, ``.git``) do not make a folder someone
    else's: a fresh clone's ``output/`` holds only ``.gitkeep``, and articast never writes
    over a dot-file.
    """
    try:
        entries = list(folder.iterdir())
    except OSError:
        return False
    names = {e.name for e in entries}
    if any(m in names for m in MARKERS):
        return True
    entries = [e for e in entries if not e.name.startswith(".")]
    if not entries:
        return True
    # Episode folders, or the folder ``articast script`` wrote a script into.
    return any(
        (e / "episode.json").is_file() or (e / "script.md").is_file()
        for e in entries
        if e.is_dir()
    )


def prepare_out_dir(out: Path, *, force: bool = False) -> Path:
    """Check the output folder ``out`` (nothing is created); its absolute path. ``InputError``
    when it cannot or should not be used. A build's first write (``.cache``) marks it as ours."""
    target = Path(os.path.abspath(out.expanduser()))
    if target.is_symlink() and not target.exists():
        raise InputError(
            f"--out {out} is a link to {os.readlink(target)}, which does not exist; create that "
            "folder or choose another"
        )
    real = target.resolve()
    if real == real.parent:
        raise InputError(f"--out {out} is a filesystem root; choose a folder for the episodes")
    home = Path.home().resolve()
    if real == home:
        raise InputError(f"--out {out} is your home folder; choose a folder for the episodes")
    for parent in [real, *real.parents]:
        if parent.exists() and not parent.is_dir():
            what = "is a file" if parent == real else f"is under {parent}, which is a file"
            raise InputError(f"--out {out} {what}; choose a folder")
    if real.exists():
        if not os.access(real, os.W_OK | os.X_OK):
            raise InputError(f"--out {out} is not writable; choose another folder or fix its permissions")
        if not force and not is_articast_folder(real):
            raise InputError(
                f"--out {out} already holds files articast did not make; choose an empty or new "
                "folder, or pass --force to use it anyway"
            )
    else:
        # Nothing is created here (a later check may still refuse the command): the nearest
        # existing folder above must let the build create it.
        above = next(p for p in real.parents if p.exists())
        if not os.access(above, os.W_OK | os.X_OK):
            raise InputError(f"cannot create --out {out}: {above} is not writable")
    return target


def check_cache_dir(folder: Path) -> None:
    """``InputError`` when the configured cache folder cannot be one (a file, or under one)."""
    real = Path(os.path.abspath(folder.expanduser())).resolve()
    for parent in [real, *real.parents]:
        if parent.exists() and not parent.is_dir():
            what = "is a file" if parent == real else f"is under {parent}, which is a file"
            raise InputError(f"cache_dir {folder} {what}; choose a folder for the caches")
