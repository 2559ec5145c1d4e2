"""The exception tree shared by every stage.

::

    ArticastError                 base: anything articast raises on purpose
     +-- InputError               the user can fix it (bad article, bad flag); CLI exit 2
     |    +-- ScriptFormatError   an edited script.md that cannot be read
     |    +-- ConfigError         a setting of the wrong kind or out of range (names key, value, range)
     +-- BackendUnavailable       a voice/network/model is not reachable; says what works instead
     +-- SynthesisError           a voice produced unusable audio
     +-- RenderError              ffmpeg/moviepy/Pillow failed (carries command and stderr)
     +-- PublishError             writing the episode folder, feed or pages failed
     +-- LockHeld                 another batch holds the output folder's lock

Messages say what happened, the likely cause and the fix, in one line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence


class ArticastError(Exception):
    """Base class of every error articast raises on purpose."""

    #: Stage in which the error happened (filled in by the pipeline when known).
    stage: str | None = None


class InputError(ArticastError):
    """The input (article, script, flag, config) is wrong; the user can fix it."""


class ScriptFormatError(InputError):
    """An edited ``script.md`` could not be parsed."""


def _toml_value(value: object) -> str:
    """``value`` as it would be written in TOML (strings quoted), shortened to one line."""
    from pathlib import PurePath

    if isinstance(value, bool):
        out = "true" if value else "false"
    elif isinstance(value, (str, PurePath)):
        out = json.dumps(str(value), ensure_ascii=False)
    elif isinstance(value, float):
        out = f"{value:g}"
    elif isinstance(value, int):
        out = str(value)
    elif isinstance(value, dict):
        out = "a table"
    elif isinstance(value, list):
        out = "a list"
    else:
        out = type(value).__name__
    out = " ".join(out.split())
    if isinstance(value, PurePath) or len(out) <= 120:
        return out
    return out[:117] + "..."


class ConfigError(InputError):
    """A setting (from ``articast.toml``, a flag or library code) of the wrong kind or out of
    its range. The message is one line: ``[video] fps = 0 is not allowed: expected ...``."""

    def __init__(
        self, section: str, key: str | None, value: object, allowed: str, *, where: str = ""
    ) -> None:
        self.section = section
        """The table (``video``); empty for a top-level key."""
        self.key = key
        """The key (``fps``); None when the table itself is wrong."""
        self.value = value
        self.allowed = allowed
        """What is allowed, in words (``a whole number from 1 to 60``)."""
        self.where = where
        """The file the value came from, when known."""
        name = section if key is None else f"[{section}] {key}" if section else key
        prefix = f"{where}: " if where else ""
        super().__init__(
            f"{prefix}{name} = {_toml_value(value)} is not allowed: expected {allowed}"
        )

    def located(self, where: str) -> ConfigError:
        """The same error, naming the file the value came from."""
        return ConfigError(self.section, self.key, self.value, self.allowed, where=where)


class BackendUnavailable(ArticastError):
    """A backend (online voice, model, network service) cannot be used right now."""


class SynthesisError(ArticastError):
    """A voice produced audio that cannot be used (silent, too short, too long)."""


class RenderError(ArticastError):
    """An external renderer (ffmpeg, moviepy, Pillow) failed."""

    def __init__(self, message: str, *, command: Sequence[str] = (), stderr: str = "") -> None:
        super().__init__(message)
        self.command = list(command)
        self.stderr = stderr

    def __str__(self) -> str:
        base = super().__str__()
        if self.stderr:
            tail = self.stderr.strip().splitlines()[-1:] or [""]
            return f"{base} (ffmpeg said: {tail[0]})"
        return base


class PublishError(ArticastError):
    """Writing the episode folder, the feed or the pages failed."""


class LockHeld(ArticastError):
    """Another process holds the output folder's batch lock."""
