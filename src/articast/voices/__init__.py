"""Voices stage: Script -> Speech, through pluggable backends.

A voice is named ``backend:name`` (``espeak:en-us+f3``, ``gtts:en-co.uk``, ``piper:NAME``,
``fake:tone``). Backends register a factory and a lister in ``REGISTRY``; heavy ones import
lazily inside their factory. ``speak`` wraps every backend with the sentence cache, timing
alignment, the silence/length guard and the optional fallback voice.
"""

from __future__ import annotations

from articast.voices.base import SynthParams, SynthResult, Voice, VoiceInfo
from articast.voices.registry import REGISTRY, Backend, get_voice, list_voices, parse_spec
from articast.voices.speak import speak, warm


def release() -> None:
    """Free what the voices hold in memory between episodes (loaded neural models); the
    pipeline calls it once the voices stage is done, so the audio and video stages do not run
    beside idle ONNX sessions. Voices load again when next asked to speak."""
    from articast.voices.piper import release_engines

    release_engines()


__all__ = [
    "REGISTRY",
    "Backend",
    "SynthParams",
    "SynthResult",
    "Voice",
    "VoiceInfo",
    "get_voice",
    "list_voices",
    "parse_spec",
    "release",
    "speak",
    "warm",
]
