"""The exception tree shared by every stage.

::

    ArticastError                 base: anything articast raises on purpose
     +-- InputError               the user can fix it (bad article, bad flag); CLI exit 2
     |    +-- ScriptFormatError   an edited script.md that cannot be read
     +-- BackendUnavailable       a voice/network/model is not reachable; says what works instead
     +-- SynthesisError           a voice produced unusable audio
     +-- RenderError              ffmpeg/moviepy/Pillow failed (carries command and stderr)
     +-- PublishError             writing the episode folder, feed or pages failed
     +-- LockHeld                 another batch holds the output folder's lock

Messages say what happened, the likely cause and the fix, in one line.
"""

from __future__ import annotations

from collections.abc import Sequence


class ArticastError(Exception):
    """Base class of every error articast raises on purpose."""

    #: Stage in which the error happened (filled in by the pipeline when known).
    stage: str | None = None


class InputError(ArticastError):
    """The input (article, script, flag, config) is wrong; the user can fix it."""


class ScriptFormatError(InputError):
    """An edited ``script.md`` could not be parsed."""


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
