"""Language of an article: declared (``<html lang>``, meta, front matter) or guessed from the text.

Sits inside ``ingest``. The guess first counts common function words of the languages
articast writes narration for (quick, and sure on ordinary prose in them); when that is not
clear-cut (another language, another script, a short text), py3langid's classifier (97
languages, Naive Bayes over byte n-grams) decides. A script only one language writes decides
at once (kana: Japanese; Han alone: Chinese; Hangul, Greek, Hebrew, Thai). Below about 20
words, or when neither is confident, it returns the default ``en``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

from articast.lang.base import HAN, KANA

# Frequent function words, chosen to overlap little between the languages.
_WORDS = {
    "en": "the and of to is that it for with was on are be this by not which have from you",
    "de": "der die und das ist nicht zu den von mit sich des auf für ein eine dem auch wird",
    "fr": "le les et des est une un que dans pour pas qui sur du au avec être ce sont mais",
    "es": "el los las que y en es por con para una del se no como más pero sus le ha",
    "it": "il che di per sono non con della gli del nel alla anche è questo una più",
    "nl": "het een en van is dat niet op te zijn met voor die ook bij wordt naar aan",
    "pt": "os que do da em um uma para com não por mais como dos das ao foi são",
}
_STOPWORDS: dict[str, frozenset[str]] = {k: frozenset(v.split(" ")) for k, v in _WORDS.items()}
_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")
MODEL_CONFIDENCE = 0.9
"""Probability py3langid must give its language before it is taken."""


def normalize(code: str | None) -> str | None:
    """``en_US`` -> ``en-us``; None for anything that is not a language tag."""
    if not code:
        return None
    code = code.strip().replace("_", "-").lower()
    return code if _CODE.match(code) else None


@functools.cache
def _identifier() -> Any:
    """py3langid's model, loaded once (about a second) and only when needed."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _by_function_words(words: list[str]) -> tuple[str | None, bool]:
    """(best language, clear-cut) from the function-word counts."""
    counts = Counter(words)
    scores = sorted(
        ((sum(counts[w] for w in stop), lang) for lang, stop in _STOPWORDS.items()), reverse=True
    )
    (best, lang), (second, _) = scores[0], scores[1]
    if best < max(3, len(words) // 40):
        return None, False
    return lang, best >= len(words) // 8 and best >= 2 * second


_KANA = re.compile(f"[{KANA}]")
_HAN = re.compile(f"[{HAN}]")
_SCRIPTS = (
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("el", re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
)
"""Scripts written by one language (of those articast meets): the script is the answer."""


def _by_script(letters: list[str]) -> str | None:
    """The language a script gives away: kana is Japanese, Han alone Chinese, Hangul Korean..."""
    text = "".join(letters)
    kana, han = len(_KANA.findall(text)), len(_HAN.findall(text))
    if kana + han >= 0.5 * len(letters):
        return "ja" if kana >= 0.05 * len(letters) else "zh"
    for code, script in _SCRIPTS:
        if len(script.findall(text)) >= 0.5 * len(letters):
            return code
    return None


def guess(text: str, default: str = "en") -> str:
    """The language of ``text`` (``default`` when it is too short or nothing is confident)."""
    sample = text[:50_000]
    words = re.findall(r"[^\W\d_]+", sample.lower())
    letters = _LETTER.findall(sample[:20_000])
    if len(letters) >= 20 and (by_script := _by_script(letters)):
        # Chinese and Japanese have no spaces: a sentence is one "word" to the counts below.
        return by_script
    if len(words) < 20 and len(letters) < 60:
        return default
    latin = sum(1 for ch in letters if _LATIN.match(ch)) >= 0.8 * len(letters)
    lang, sure = _by_function_words(words) if latin else (None, False)
    if sure and lang is not None:
        return lang
    try:
        found, probability = _identifier().classify(sample[:20_000])
    except Exception:  # a broken model must not stop ingest
        return lang or default
    if probability >= MODEL_CONFIDENCE and normalize(str(found)):
        return str(found)
    return lang or default
