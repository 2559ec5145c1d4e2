"""Which voice speaks an article: the one the user named, else the best one for its language.

Sits at the entry of the ``voices`` stage: ``choose_voice(settings, language)`` turns the
voice settings into concrete ones before ``speak``. A named voice (``--voice`` or
``[voice] voice``) always wins; when its language is not the article's, the choice says so in
a warning. With no voice named, English uses ``DEFAULT_VOICE``; any other language gets, in
order: an installed neural (piper) voice for it, a Google voice when the network is allowed
and reachable (with espeak-ng's voice as the recorded fallback), or espeak-ng's voice for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from articast.config import DEFAULT_VOICE, VoiceSettings
from articast.errors import BackendUnavailable
from articast.lang import base_code, get_language


@dataclass(frozen=True)
class VoiceChoice:
    """The voice settings to speak with, and why."""

    settings: VoiceSettings
    """``settings`` with a concrete ``voice`` (and a fallback when the voice needs the network)."""
    reason: str
    """``named``, ``default``, ``neural``, ``google`` or ``espeak``."""
    warnings: tuple[str, ...] = ()


def voice_language(spec: str, settings: VoiceSettings) -> str:
    """The language a voice speaks (``""`` when unknown or any, like the test tones)."""
    from articast.voices.registry import get_voice

    try:
        return get_voice(spec, settings).info.language
    except BackendUnavailable:
        return ""


def _installed_piper(language: str, settings: VoiceSettings) -> str | None:
    """``piper:NAME`` of an installed model for ``language`` (the region's own first)."""
    from articast.voices.piper import list_piper_voices

    want = language.lower().replace("_", "-")
    base = base_code(want)
    usable = [
        v for v in list_piper_voices(settings) if v.available and base_code(v.language) == base
    ]
    usable.sort(key=lambda v: (v.language != want, v.spec))
    return usable[0].spec if usable else None


def _google_ready(code: str, settings: VoiceSettings) -> bool:
    if not settings.allow_network:
        return False
    from articast.voices.google import _langs, _resolves

    if code not in {k.lower() for k in _langs()}:
        return False
    return bool(settings.gtts_url) or _resolves("translate.google.com")


def espeak_voice(language: str) -> str | None:
    """``espeak:CODE`` for ``language`` (its region's voice when espeak-ng has one), or None."""
    from articast.voices.espeak import _engine

    try:
        engine = _engine()
    except BackendUnavailable:
        return None
    lang = get_language(language)
    for code in (language.lower().replace("_", "-"), lang.espeak, lang.code):
        if code and engine.resolve(code) is not None:
            return f"espeak:{code}"
    return None


def choose_voice(settings: VoiceSettings, language: str) -> VoiceChoice:
    """The voice for an article in ``language`` (see the module docstring)."""
    base = base_code(language)
    if settings.voice:
        spoken = voice_language(settings.voice, settings)
        if spoken and base_code(spoken) != base:
            name = get_language(language).name
            return VoiceChoice(
                settings,
                "named",
                (
                    f"voice {settings.voice} speaks {spoken!r} but the article is in "
                    f"{language!r} ({name}); leave out --voice to use a {language} voice, or "
                    f"see 'articast voices --language {base}'",
                ),
            )
        return VoiceChoice(settings, "named")
    if base == "en":
        return VoiceChoice(replace(settings, voice=DEFAULT_VOICE), "default")
    neural = _installed_piper(language, settings)
    if neural is not None:
        return VoiceChoice(replace(settings, voice=neural), "neural")
    offline = espeak_voice(language)
    lang = get_language(language)
    if _google_ready(lang.gtts, settings):
        fallback = settings.fallback_voice or offline
        return VoiceChoice(
            replace(settings, voice=f"gtts:{lang.gtts}", fallback_voice=fallback), "google"
        )
    if offline is not None:
        return VoiceChoice(replace(settings, voice=offline), "espeak")
    return VoiceChoice(
        replace(settings, voice=DEFAULT_VOICE),
        "default",
        (f"no voice speaks {language!r}; the English default voice {DEFAULT_VOICE} reads it",),
    )
