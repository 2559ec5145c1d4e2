"""Language of an article: declared (``<html lang>``, meta, front matter) or guessed from the text.

Sits inside ``ingest``. The guess counts common function words of a few languages; it needs
about 20 words to speak up and otherwise returns the default ``en``.
"""

from __future__ import annotations

import re
from collections import Counter

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


def normalize(code: str | None) -> str | None:
    """``en_US`` -> ``en-us``; None for anything that is not a language tag."""
    if not code:
        return None
    code = code.strip().replace("_", "-").lower()
    return code if _CODE.match(code) else None


def guess(text: str, default: str = "en") -> str:
    """The language whose function words are most frequent in ``text`` (``default`` if unsure)."""
    words = re.findall(r"[^\W\d_]+", text[:50_000].lower())
    if len(words) < 20:
        return default
    counts = Counter(words)
    scores = {lang: sum(counts[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    if scores[best] < max(3, len(words) // 40):
        return default
    return best
