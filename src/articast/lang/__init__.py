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
    base_code,
    cut_after_marks,
    iso639_2,
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
