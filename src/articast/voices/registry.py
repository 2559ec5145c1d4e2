"""The registry of voice backends, keyed by backend name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from articast.config import DEFAULT_VOICE, VoiceSettings
from articast.errors import InputError
from articast.voices.base import Voice, VoiceInfo


@dataclass(frozen=True)
class Backend:
    """A registered backend: how to build a voice and how to list its voices."""

    name: str
    factory: Callable[[str, VoiceSettings], Voice]
    """``factory(voice_name, settings)``; raises InputError for unknown names."""
    lister: Callable[[VoiceSettings], list[VoiceInfo]]


def _espeak_factory(name: str, settings: VoiceSettings) -> Voice:
    from articast.voices.espeak import EspeakVoice

    return EspeakVoice(name)


def _espeak_list(settings: VoiceSettings) -> list[VoiceInfo]:
    from articast.voices.espeak import list_espeak_voices

    return list_espeak_voices()


def _gtts_factory(name: str, settings: VoiceSettings) -> Voice:
    from articast.voices.google import GttsVoice

    return GttsVoice(name, settings)


def _gtts_list(settings: VoiceSettings) -> list[VoiceInfo]:
    from articast.voices.google import list_gtts_voices

    return list_gtts_voices(settings)


def _piper_factory(name: str, settings: VoiceSettings) -> Voice:
    from articast.voices.piper import PiperVoice

    return PiperVoice(name, settings)


def _piper_list(settings: VoiceSettings) -> list[VoiceInfo]:
    from articast.voices.piper import list_piper_voices

    return list_piper_voices(settings)


def _fake_factory(name: str, settings: VoiceSettings) -> Voice:
    from articast.voices.fake import FakeVoice

    return FakeVoice(name or "tone")


def _fake_list(settings: VoiceSettings) -> list[VoiceInfo]:
    from articast.voices.fake import FakeVoice

    return [FakeVoice().info]


REGISTRY: dict[str, Backend] = {
    "piper": Backend("piper", _piper_factory, _piper_list),
    "espeak": Backend("espeak", _espeak_factory, _espeak_list),
    "gtts": Backend("gtts", _gtts_factory, _gtts_list),
    "fake": Backend("fake", _fake_factory, _fake_list),
}
"""Listed in this order: neural voices first."""


def parse_spec(spec: str) -> tuple[str, str]:
    """Split ``backend:name``; a bare name means espeak. Raises InputError for unknown backends."""
    backend, sep, name = spec.partition(":")
    if not sep:
        backend, name = "espeak", spec
    if backend not in REGISTRY:
        raise InputError(
            f"unknown voice backend {backend!r} in {spec!r}; choose one of: "
            f"{', '.join(sorted(REGISTRY))} (see 'articast voices')"
        )
    return backend, name


def get_voice(spec: str, settings: VoiceSettings | None = None) -> Voice:
    """The voice named ``spec``. Raises InputError (unknown) or BackendUnavailable."""
    settings = settings or VoiceSettings()
    backend, name = parse_spec(spec)
    return REGISTRY[backend].factory(name, settings)


def list_voices(
    settings: VoiceSettings | None = None, *, language: str | None = None
) -> list[VoiceInfo]:
    """Every voice of every backend, with availability; neural voices first, and the voice
    ``settings`` speaks with (English's default when none is named) marked ``default``. Only
    those for ``language`` when given (``de`` matches ``de-at``; ``pt-br`` lists the Brazilian
    voices first)."""
    settings = settings or VoiceSettings()
    out: list[VoiceInfo] = []
    for backend in REGISTRY.values():
        out.extend(backend.lister(settings))
    out.sort(key=lambda v: not v.neural)  # stable: each backend keeps its own order
    default = settings.voice or DEFAULT_VOICE
    out = [replace(v, default=True) if v.spec == default else v for v in out]
    if language is None:
        return out
    from articast.lang import base_code

    want = language.lower().replace("_", "-")
    base = base_code(want)
    chosen = [v for v in out if v.language and base_code(v.language) == base]
    return sorted(chosen, key=lambda v: 0 if v.language == want else 1 if v.language == base else 2)
