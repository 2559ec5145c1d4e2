"""The voice backend contract: a small Protocol, voice facts, per-call settings.

Sits in the ``voices`` stage. A backend turns one sentence into PCM plus (when its engine
reports them) word timings; caching, timing alignment, guards and fallback live in
``voices.speak``, shared by every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from articast.models import WordTiming


@dataclass(frozen=True)
class VoiceInfo:
    """Facts about one voice (not per-call settings)."""

    spec: str
    """Full name, ``backend:name`` (``espeak:en-us+f3``)."""
    backend: str
    language: str
    """ISO 639 code, e.g. ``en-us``."""
    variant: str = ""
    """Variant or gender (``f3``, ``female``...)."""
    needs_network: bool = False
    available: bool = True
    """Usable right now (model present, library loads)."""
    note: str = ""
    """Why it is unavailable, or what it is."""
    quality: str = ""
    """Model quality for neural voices (``x_low``, ``low``, ``medium``, ``high``)."""
    sample_rate: int = 0
    """Hz of the voice's audio, 0 when not known before speaking."""
    neural: bool = False
    """A neural (piper) voice rather than a formant or online one."""
    default: bool = False
    """The voice an episode gets when none is asked for (set by ``list_voices``)."""


@dataclass(frozen=True)
class SynthParams:
    """Per-call settings."""

    rate: int | None = None
    """Words per minute; backend default when None."""
    pitch: int | None = None
    """0-99 (espeak scale); backend default when None."""


@dataclass(frozen=True)
class SynthResult:
    """One sentence's audio from a backend."""

    pcm: bytes
    """Mono signed 16-bit little-endian PCM."""
    sample_rate: int
    words: tuple[WordTiming, ...] = ()
    """Word timings from the engine; empty when the engine has none (alignment follows)."""


@runtime_checkable
class Voice(Protocol):
    """A speech backend bound to one voice.

    Optional attributes (read with ``getattr``, so older backends still conform):
    ``max_concurrency: int`` (default 1), how many sentences ``voices.speak`` may synthesise at
    once from worker threads; network voices and piper (one session per core) set it above 1,
    and must then be thread-safe. ``supports_pitch: bool`` (default True); a voice that sets
    it False makes ``voices.speak`` refuse a pitch setting instead of ignoring it.
    """

    @property
    def info(self) -> VoiceInfo:
        """Facts about the voice."""
        ...

    @property
    def version(self) -> str:
        """Backend/engine/model version: part of every cache key."""
        ...

    def synthesize(self, text: str, params: SynthParams) -> SynthResult:
        """Speak one sentence. Raises BackendUnavailable or SynthesisError."""
        ...
