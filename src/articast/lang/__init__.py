"""Languages: everything articast says or shows in a language, in one place.

One small module per fully supported language (``en``, ``de``, ``fr``, ``es``, ``it``,
``pt``, ``nl``; ``ru``, ``pl``, ``sv``, ``ja`` and ``zh`` with the shared reading rules)
builds a ``Language``: the intro, outro and connective sentences written in that language,
the chapter names articast writes, the labels of the end card and the pages, the reading
rules (numbers, years, ordinals, dates, money, percentages, units, symbols) and its
espeak-ng and Google voices. ``get_language(code)`` finds one by any tag (``de-AT`` ->
``de``); any other language gets its own voice and number words (``num2words`` where it
knows the language) with English phrases, and ``Language.native`` is False so the manifest
can say so.

Used by ``narrate`` (script), ``voices`` (default voice), ``audio`` (TLAN), ``visuals`` (end
card) and ``publish`` (pages, description, feed).
"""

from __future__ import annotations

import importlib
from functools import cache

from articast.lang.base import (
    KANA_HAN,
    ChapterNames,
    Labels,
    Language,
    Phrases,
    cut_after_marks,
    mostly_unspaced,
    unspaced_words,
)

__all__ = [
    "KANA_HAN",
    "NATIVE",
    "PHRASED",
    "ChapterNames",
    "Labels",
    "Language",
    "Phrases",
    "base_code",
    "cut_after_marks",
    "get_language",
    "iso639_2",
    "mostly_unspaced",
    "unspaced_words",
]

NATIVE = ("en", "de", "fr", "es", "it", "pt", "nl")
"""Languages written natively, with reading rules of their own."""
PHRASED = ("ru", "pl", "sv", "ja", "zh")
"""Languages whose intro, outro, chapter names and labels are written natively, with the
shared reading rules (whole numbers in words by ``num2words``, digits otherwise left to the
voice)."""

_ISO639_2 = {
    "en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
    "da": "dan", "sv": "swe", "nb": "nob", "no": "nor", "fi": "fin", "pl": "pol", "cs": "ces",
    "sk": "slk", "hu": "hun", "ro": "ron", "ru": "rus", "uk": "ukr", "bg": "bul", "el": "ell",
    "tr": "tur", "ar": "ara", "he": "heb", "fa": "fas", "hi": "hin", "ja": "jpn", "zh": "zho",
    "ko": "kor", "id": "ind", "vi": "vie", "ca": "cat", "eu": "eus", "gl": "glg", "hr": "hrv",
    "sr": "srp", "sl": "slv", "lt": "lit", "lv": "lav", "et": "est", "is": "isl", "ga": "gle",
    "cy": "cym", "af": "afr", "sw": "swa", "ta": "tam", "bn": "ben", "th": "tha", "ms": "msa",
}  # fmt: skip


def base_code(code: str | None) -> str:
    """``de-AT`` / ``pt_BR`` / ``EN`` -> ``de`` / ``pt`` / ``en``; ``en`` for nothing."""
    base = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return base if base.isalpha() and 2 <= len(base) <= 3 else "en"


def iso639_2(code: str | None) -> str:
    """The three-letter code of a language (ID3 ``TLAN``); ``und`` when unknown."""
    return _ISO639_2.get(base_code(code), "und")


@cache
def get_language(code: str | None) -> Language:
    """The ``Language`` for a tag; other languages get English phrases (``native=False``)."""
    base = base_code(code)
    if base in NATIVE or base in PHRASED:
        module = importlib.import_module(f"articast.lang.{base}")
        language: Language = module.LANGUAGE
        return language
    from articast.lang._other import other_language

    return other_language(base)
