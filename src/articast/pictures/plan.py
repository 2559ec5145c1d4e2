"""The visual plan of a section: what its picture shows, chosen from its own words.

Sits in the visuals stage, before the cards are drawn (``pictures.slides``); the plans also go
into the manifest (``sections[].visuals``). Input: a script segment's sentences as shown
(the author's words, repaired) and, once voiced, when each is spoken. Output: a
``SectionPlan`` of ``Beat``s.

Everything shown is extractive, never invented:

- ``points``: 2-4 key phrases. YAKE (``yake``, stop words for 34 languages, no download)
  scores the section's key phrases; every clause of every sentence is scored by the key
  phrases it holds, and the best clause of the best sentences is shown, cut at clause marks,
  at most ``POINT_WORDS`` words (longer clauses end in an ellipsis at a word boundary).
- ``number``: a number as written (``12,000``, ``40%``, ``$3.5 million``, ``1998``) with the
  words that say what it counts (``12,000 patients``, ``40% of adults``, ``since 1998``).
- ``chart``: two or more quantities of one kind in a section (percentages, amounts in one
  currency, counts of one thing, years): bars, or a timeline for years.
- ``quote``: words in quotation marks (any script's marks), with who said them when the
  sentence says (``said Ada Lovelace``, ``according to the WHO``).
- ``image``: the section's own picture, which keeps the panel whenever nothing else is up.
- ``icon``: a Lucide icon chosen by meaning (``pictures.icons``).

Digits are the same in every language we narrate, so numbers are found with one pattern;
words for units and prepositions come from small per-language lists. ``quantulum3`` and
``number-parser`` were considered: both are English-only and rewrite what they find, and the
screen must show the number as the article writes it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from articast.lang.base import mostly_unspaced
from articast.models import Article, Beat, ChartItem, SectionPlan, VisualOverrides
from articast.pictures.icons import choose_icon, resolve_icon

__all__ = [
    "POINT_WORDS",
    "Quantity",
    "Spoken",
    "best_point",
    "episode_icon",
    "find_quantities",
    "find_quotes",
    "key_points",
    "keyphrases",
    "plan_section",
    "sentence_weight",
]

POINT_WORDS = 12
"""Longest key point shown, in words."""
MIN_POINT_WORDS = 4
NUMBER_HOLD = 1.5
"""Seconds a number stays up after its sentence ends."""
QUOTE_HOLD = 1.0
MIN_BEAT = 2.5
"""Shortest time a number or quote is on screen."""

_CLAUSE = re.compile(r"\s*(?:,(?!\d)|[;:()\u2014\u2013]|\s-\s|[、，；：（）])\s*")
_WORDS = re.compile(r"\S+")
_CURRENCY = "$€£¥₹₽"
_SCALE = (
    r"thousand|million|billion|trillion|Tausend|Millionen|Million|Milliarden|Milliarde|"
    r"millions?|milliards?|millones|millón|mil|milioni|milione|miliardi|miljoen|miljard|"
    r"миллион\w*|миллиард\w*|тысяч\w*|milion\w*|miliard\w*|miljon\w*|miljard\w*|"
    r"bn|m|k|万|億|亿"
)
_PERCENT = (
    r"%|％|percent|per\s?cent|Prozent|pour\s?cent|por\s?ciento|por\s?cento|per\s?cento|"
    r"procent|процент\w*|proc\w*"
)
_NUMBER = re.compile(
    rf"(?P<cur>[{_CURRENCY}]\s?)?"
    r"(?P<num>(?<![\w.,\-])\d{1,3}(?:(?:,|\.|\u202f|\u00a0| )\d{3})+(?:[.,]\d+)?(?![\d]|[.,]\d)"
    r"|(?<![\w.,\-])\d+(?:[.,]\d+)?(?![\d]|[.,]\d))"
    rf"(?P<scale>\s?(?:{_SCALE})\b)?"
    rf"(?P<pct>\s?(?:{_PERCENT})(?!\w))?"
    rf"(?P<cur2>\s?[{_CURRENCY}])?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_QUOTES = (
    ("\u201c", "\u201d"),
    ("\u201e", "\u201c"),
    ("\u00ab", "\u00bb"),
    ("\u300c", "\u300d"),
    ('"', '"'),
)
_NAME = r"((?:[A-Z\u00c0-\u024f\u0400-\u042f][\w'\u2019.-]*\s?){1,4})"
_ATTRIBUTION = (
    re.compile(
        r"\b(?:said|says|writes|wrote|told|explains|explained|argues|argued|notes|noted|"
        r"according to|sagte|sagt|schreibt|laut|dit|a dit|selon|dijo|dice|según|disse|"
        r"secondo|zei|volgens|сказал\w*|по словам)\s+" + _NAME
    ),
    re.compile(_NAME + r"\s+(?:said|says|writes|wrote|explains|argues|notes|sagte|sagt)\b"),
)
_PREPOSITIONS = frozenset(
    [
        "of",
        "in",
        "since",
        "by",
        "from",
        "to",
        "for",
        "at",
        "on",
        "about",
        "around",
        "over",
        "under",
        "than",
        "among",
        "von",
        "seit",
        "im",
        "in",
        "bis",
        "für",
        "über",
        "unter",
        "der",
        "die",
        "das",
        "des",
        "de",
        "du",
        "des",
        "depuis",
        "en",
        "dans",
        "sur",
        "sous",
        "à",
        "au",
        "aux",
        "del",
        "desde",
        "en",
        "sobre",
        "para",
        "por",
        "entre",
        "di",
        "da",
        "dal",
        "nel",
        "per",
        "su",
        "tra",
        "van",
        "sinds",
        "tot",
        "voor",
        "op",
        "в",
        "с",
        "к",
        "по",
        "за",
        "до",
        "от",
        "из",
        "о",
        "на",
        "w",
        "z",
        "od",
        "do",
        "na",
        "o",
        "za",
        "av",
        "i",
        "från",
        "till",
        "på",
        "om",
    ]
)
_OF = frozenset("of de der des du di del della van von dei degli".split())  # noqa: SIM905
"""Prepositions that say what a number counts ("40% of adults", "40 % der Erwachsenen")."""
_JOINERS = frozenset(
    " ".join(
        (
            "and but so or yet while whereas which who whom whose that",
            "und aber oder sondern denn während welche",
            "et mais ou donc qui que tandis",
            "y pero o quien mientras e ma che mentre maar dat",
            "и а но или что который oraz ale lub że och men eller som",
        )
    ).split()
)
"""Words that join a clause to the one before it: a key point does not start with one."""
_ARTICLES = frozenset(
    [
        "the",
        "a",
        "an",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "ein",
        "eine",
        "le",
        "la",
        "les",
        "l'",
        "un",
        "une",
        "el",
        "los",
        "las",
        "un",
        "una",
        "il",
        "lo",
        "gli",
        "i",
        "una",
        "het",
        "een",
    ]
)


@dataclass(frozen=True)
class Spoken:
    """A sentence of the segment as shown, and when it is spoken (episode seconds)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Quantity:
    """A number the text states, as written, with what it counts."""

    sentence: int
    """Index of its sentence."""
    value: str
    """The number as written, with its currency, scale and percent sign."""
    phrase: str
    """The words around it that say what it counts, as written (holds ``value``)."""
    label: str
    """``phrase`` without the number (and a leading preposition): what a chart bar says."""
    number: float
    kind: str
    """``percent``, ``money:<symbol>``, ``year``, ``count:<noun>`` or ``plain``."""
    context: str = ""
    """The words before it in its clause (at most four, as written): a chart's labels when
    ``label`` does not tell the quantities apart ("two flashes every 5 seconds")."""


# --------------------------------------------------------------------------- language


def _yake_language(language: str) -> str:
    code = (language or "en").split("-")[0].lower()
    return {"cs": "cz", "nb": "no", "nn": "no"}.get(code, code)


@functools.cache
def _extractor(language: str, n: int) -> object:
    import yake

    lang = _yake_language(language)
    try:
        return yake.KeywordExtractor(lan=lang, n=n, top=12, dedupLim=0.8)
    except (OSError, ValueError):  # no stop-word list for it: yake's language-neutral one
        return yake.KeywordExtractor(lan="noLang", n=n, top=12, dedupLim=0.8)


@functools.cache
def _stopwords(language: str) -> frozenset[str]:
    ext = _extractor(language, 1)
    words = getattr(ext, "stopword_set", None) or getattr(ext, "stopwords", None) or ()
    return frozenset(str(w).lower() for w in words)


@functools.lru_cache(maxsize=64)
def keyphrases(text: str, language: str) -> tuple[tuple[str, float], ...]:
    """The section's key phrases with a weight (higher is more central), best first (the
    points and the icon both ask: YAKE runs once per section)."""
    if not text.strip():
        return ()
    ext = _extractor(language, 3)
    found = ext.extract_keywords(text)  # type: ignore[attr-defined]
    return tuple((str(phrase), 1.0 / (1.0 + rank)) for rank, (phrase, _score) in enumerate(found))


# --------------------------------------------------------------------------- key points


def _words(text: str) -> int:
    return len(text) // 2 if mostly_unspaced(text) else len(_WORDS.findall(text))


_STRONG = re.compile(r"\s*(?:[;:()\u2014\u2013]|\s-\s|[、；：（）])\s*")
_COMMA = re.compile(r"\s*(?:,(?!\d)|，)\s*")


def _clauses(sentence: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """The sentence cut into clauses, each as written (no trailing stop, no quote marks).

    Dashes, colons, semicolons and brackets always cut. A comma cuts where a new clause
    begins: before a joining word, a preposition, an article, a stop word of the language or
    a number ("In a 2019 survey, 40% of sailors ..."); a list ("anxiety, pain and addiction")
    or a run of adjectives ("severe, treatment-resistant depression") stays whole.
    """

    def opens(piece: str) -> bool:
        first = piece.split(" ", 1)[0].lower()
        return (
            first in _JOINERS or first in _PREPOSITIONS or first in _ARTICLES or first in stop
            or first[:1].isdigit() or first[:1] in _CURRENCY
        )  # fmt: skip

    out: list[str] = []
    for part in _STRONG.split(sentence):
        merged: list[str] = []
        for piece in _COMMA.split(part):
            if merged and not (opens(piece) and _words(merged[-1]) >= 3):
                # Joined again with the comma the author wrote (a full-width one in Chinese).
                comma = "，" if mostly_unspaced(merged[-1] + piece) else ", "
                merged[-1] = f"{merged[-1]}{comma}{piece}"
            else:
                merged.append(piece)
        out.extend(merged)
    cleaned = []
    for p in out:
        p = p.strip(" .!?。！？…\"'\u201c\u201d\u201e\u00ab\u00bb\u300c\u300d")
        if p:
            cleaned.append(p)
    return cleaned


def _unjoined(clause: str) -> str:
    """``clause`` without the joining words it starts with ("and by 1998 ..." -> "by 1998 ...")."""
    words = clause.split(" ")
    while len(words) > MIN_POINT_WORDS and words[0].lower() in _JOINERS:
        words = words[1:]
    return " ".join(words)


def _shorten(clause: str, limit: int = POINT_WORDS) -> str:
    """``clause`` cut to ``limit`` words at a word boundary, with an ellipsis when cut."""
    if mostly_unspaced(clause):
        return clause if len(clause) <= 2 * limit else clause[: 2 * limit] + "…"
    words = clause.split()
    if len(words) <= limit:
        return clause
    # At the last comma within the limit when that leaves a point: a whole phrase, no
    # ellipsis ("Riding on top of these waves are sleep spindles, short bursts ...").
    for n in range(limit, limit // 2 - 1, -1):
        if words[n - 1].endswith(","):
            return " ".join(words[:n]).rstrip(",")
    return " ".join(words[: limit - 2]).rstrip(",;:") + "…"


def _score(text: str, phrases: Sequence[tuple[str, float]]) -> float:
    low = text.lower()
    return sum(w for p, w in phrases if p.lower() in low)


def _in_title(clause: str, title: str) -> bool:
    """True when ``clause`` only repeats the section's heading (which the card shows)."""
    a = " ".join(clause.lower().split())
    return bool(a) and a in " ".join(title.lower().split())


def _point_clauses(sentence: str, stop: frozenset[str], title: str) -> list[str]:
    """The clauses of ``sentence`` that can be a key point: long enough, not the heading
    again, without the joining words they start with."""
    return [
        _unjoined(c)
        for c in _clauses(sentence, stop)
        if _words(c) >= MIN_POINT_WORDS and not _in_title(c, title)
    ]


def key_points(
    sentences: Sequence[str], language: str, *, most: int = 4, title: str = ""
) -> list[tuple[int, str]]:
    """2 to ``most`` key points: ``(sentence index, phrase)`` in order of the text, each
    phrase a piece of its sentence as written (an ellipsis marks a cut); none only repeats
    ``title``."""
    if not sentences:
        return []
    phrases = keyphrases(" ".join(sentences), language)
    stop = _stopwords(language)
    candidates: list[tuple[float, int, str]] = []
    for i, sentence in enumerate(sentences):
        clauses = _point_clauses(sentence, stop, title)
        if not clauses:
            continue
        best = max(clauses, key=lambda c: (_score(c, phrases), -abs(_words(c) - 8)))
        # A lead sentence states the section's subject: a small bonus keeps it in.
        bonus = 0.25 if i == 0 else 0.0
        candidates.append((_score(best, phrases) + bonus, i, _shorten(best)))
    if not candidates:
        return []
    want = max(2, min(most, (len(sentences) + 1) // 2))
    chosen = sorted(candidates, key=lambda c: (-c[0], c[1]))[:want]
    if len(chosen) < 2 and len(sentences) == 1:
        clauses = _point_clauses(sentences[0], stop, title)
        if len(clauses) >= 2:
            return [(0, _shorten(c)) for c in clauses[:2]]
    return [(i, text) for _s, i, text in sorted(chosen, key=lambda c: c[1])]


def best_point(
    sentences: Sequence[str], language: str, *, context: str = "", title: str = ""
) -> tuple[int, str] | None:
    """The one key point of ``sentences`` (a clip's headline): ``(sentence index, phrase)``,
    the best clause by the key phrases of ``context`` (the section's text; the sentences
    themselves when empty), cut like a key point; None when no clause can be one."""
    phrases = keyphrases(context or " ".join(sentences), language)
    stop = _stopwords(language)
    best: tuple[float, int, int, str] | None = None
    for i, sentence in enumerate(sentences):
        for clause in _point_clauses(sentence, stop, title):
            rank = (_score(clause, phrases), -abs(_words(clause) - 8), -i, clause)
            if best is None or rank[:3] > best[:3]:
                best = rank
    if best is None:
        return None
    return -best[2], _shorten(best[3])


def sentence_weight(sentence: str, phrases: Sequence[tuple[str, float]]) -> float:
    """How much of the section's key phrases (``keyphrases``) ``sentence`` holds."""
    return _score(sentence, phrases)


# --------------------------------------------------------------------------- numbers


def _to_float(num: str, scale: str) -> float | None:
    digits = num.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):
        digits = re.sub(r"[,.]", "", digits)
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+", digits):
        digits = digits.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", digits):
        digits = digits.replace(".", "").replace(",", ".")
    else:
        digits = digits.replace(",", ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    factor = {
        "thousand": 1e3, "tausend": 1e3, "k": 1e3, "mil": 1e3,
        "million": 1e6, "millionen": 1e6, "millions": 1e6, "millones": 1e6, "millón": 1e6,
        "m": 1e6, "milioni": 1e6, "milione": 1e6, "miljoen": 1e6,
        "billion": 1e9, "milliarden": 1e9, "milliarde": 1e9, "milliard": 1e9,
        "milliards": 1e9, "miliardi": 1e9, "miljard": 1e9, "bn": 1e9,
        "trillion": 1e12, "万": 1e4, "億": 1e8, "亿": 1e8,
    }  # fmt: skip
    return value * factor.get(scale.strip().lower(), 1.0)


def _after(sentence: str, end: int, stop: frozenset[str]) -> str:
    """The words right after a number that say what it counts ('' when none do)."""
    rest = sentence[end:]
    m = re.match(
        r"[ \u00a0]?([^\W\d_][\w'\u2019-]*)(?:[ \u00a0]([^\W\d_][\w'\u2019-]*))?(?:[ \u00a0]([^\W\d_][\w'\u2019-]*))?",
        rest,
    )
    if m is None:
        return ""
    words = [w for w in m.groups() if w]
    if not words:
        return ""
    first = words[0].lower()
    if first in _PREPOSITIONS and first not in _OF:
        return ""  # "$3.5 million in total": what follows is not what it counts
    if first in _PREPOSITIONS and len(words) >= 2:
        # "40% of adults", "40% of the adults"
        take = 3 if words[1].lower() in _ARTICLES and len(words) >= 3 else 2
        span = words[:take]
    elif first in stop or first in _ARTICLES:
        return ""
    else:
        span = words[:1]
    # The span as written in the sentence (spacing kept).
    text = rest[: rest.find(span[-1]) + len(span[-1])]
    return text


def _before(sentence: str, start: int) -> str:
    """A preposition right before a number ('since', 'in', 'by'), as written."""
    m = re.search(r"([^\W\d_][\w'\u2019-]*)[ \u00a0]$", sentence[:start])
    if m and m.group(1).lower() in _PREPOSITIONS:
        return sentence[m.start(1) : start]
    return ""


def find_quantities(sentences: Sequence[str], language: str) -> list[Quantity]:
    """Every number the sentences state, as written, with what it counts."""
    stop = _stopwords(language)
    out: list[Quantity] = []
    for i, sentence in enumerate(sentences):
        for m in _NUMBER.finditer(sentence):
            num, scale = m.group("num"), m.group("scale") or ""
            value = _to_float(num, scale)
            if value is None:
                continue
            cur = (m.group("cur") or m.group("cur2") or "").strip()
            start, end = m.start(), m.end()
            # A trailing space of an optional group is not part of the number.
            while end > start and sentence[end - 1].isspace():
                end -= 1
            written = sentence[start:end]
            if m.group("pct"):
                kind = "percent"
            elif cur:
                kind = f"money:{cur}"
            elif _YEAR.match(num) and not scale:
                kind = "year"
            else:
                kind = "plain"
            after = "" if kind == "year" else _after(sentence, end, stop)
            before = _before(sentence, start) if kind == "year" or not after else ""
            if kind == "plain" and after and after.split()[0].lower() not in _PREPOSITIONS:
                kind = f"count:{after.split()[-1].lower()}"
            phrase = sentence[start - len(before) : end + len(after)]
            label = (before + after).strip()
            label_words = label.split()
            if label_words and label_words[0].lower() in _PREPOSITIONS and kind != "year":
                label = " ".join(label_words[1:])
            if kind == "year":
                label = _year_label(sentence, start, end, stop)
            context = _context(sentence, start - len(before), stop)
            out.append(Quantity(i, written, phrase.strip(), label, value, kind, context))
    return out


def _context(sentence: str, start: int, stop: frozenset[str]) -> str:
    """Up to four words before ``start`` in their clause, stop words trimmed at the ends."""
    head = _CLAUSE.split(sentence[:start])[-1]
    words = _trim_stop(head.split()[-4:], stop)
    words = [w for w in words if w.lower() not in _JOINERS] if len(words) > 1 else words
    return " ".join(words)


def _trim_stop(words: list[str], stop: frozenset[str]) -> list[str]:
    """``words`` without stop words, prepositions and articles at either end."""

    def weak(w: str) -> bool:
        w = w.lower().strip(",;:")
        return w in stop or w in _PREPOSITIONS or w in _ARTICLES

    while words and weak(words[0]):
        words = words[1:]
    while words and weak(words[-1]):
        words = words[:-1]
    return words


def _year_label(sentence: str, start: int, end: int, stop: frozenset[str]) -> str:
    """What happened in a year, in the sentence's words: the rest of the year's clause, else
    the clause after it, else the words before it; at most 7 words."""
    clauses = _clauses(sentence, stop)
    spans = []
    at = 0
    for clause in clauses:
        at = sentence.find(clause, at)
        spans.append((at, at + len(clause)))
        at += len(clause)
    for k, (a, b) in enumerate(spans):
        if a <= start < b + 1:
            own = _trim_stop((sentence[a:start] + " " + sentence[end:b]).split(), stop)
            if own:
                return _shorten(" ".join(own), 7)
            if k + 1 < len(spans):
                nxt = _trim_stop(clauses[k + 1].split(), stop)
                if nxt:
                    return _shorten(" ".join(nxt), 7)
            break
    return _shorten(" ".join(_trim_stop(sentence[:start].split()[-7:], stop)), 7)


# --------------------------------------------------------------------------- quotes


def find_quotes(sentences: Sequence[str]) -> list[tuple[int, str, str]]:
    """``(sentence index, quoted words, attribution)`` for quotations of four words or more."""
    out: list[tuple[int, str, str]] = []
    for i, sentence in enumerate(sentences):
        for open_, close in _QUOTES:
            a = sentence.find(open_)
            b = sentence.find(close, a + 1) if a >= 0 else -1
            if a < 0 or b < 0:
                continue
            inner = sentence[a + 1 : b].strip().rstrip(",")
            if _words(inner) < 4:
                continue
            outside = sentence[:a] + " " + sentence[b + 1 :]
            who = ""
            for pattern in _ATTRIBUTION:
                found = pattern.search(outside)
                if found:
                    who = found.group(found.lastindex or 1).strip().rstrip(".,")
                    break
            out.append((i, inner, who))
            break
    return out


# --------------------------------------------------------------------------- the plan


def _chart(quantities: Sequence[Quantity]) -> tuple[str, tuple[Quantity, ...]] | None:
    """The best group of two or more comparable quantities, or None."""
    groups: dict[str, list[Quantity]] = {}
    for q in quantities:
        if q.kind == "plain":
            continue
        groups.setdefault(q.kind, []).append(q)
    best: tuple[str, tuple[Quantity, ...]] | None = None
    for kind, items in groups.items():
        distinct: dict[str, Quantity] = {}
        for q in items:
            distinct.setdefault(q.value, q)
        if len(distinct) < 2:
            continue
        chosen = tuple(distinct.values())[:6]
        if kind != "year" and len({q.label for q in chosen}) < len(chosen):
            chosen = tuple(replace(q, label=q.context) for q in chosen)
            if any(not q.label for q in chosen) or len({q.label for q in chosen}) < len(chosen):
                continue
        if kind == "year":
            chosen = tuple(sorted(chosen, key=lambda q: q.number))
            if any(not q.label for q in chosen):
                continue
        order = ("percent", "money", "count", "year")
        rank = next((n for n, k in enumerate(order) if kind.startswith(k)), 9)
        if best is None or rank < next(
            (n for n, k in enumerate(order) if best[0].startswith(k)), 9
        ):
            best = (kind, chosen)
    if best is None:
        return None
    return ("timeline" if best[0] == "year" else "bars", best[1])


def _sentence_index(sentences: Sequence[str], phrase: str) -> int | None:
    needle = " ".join(phrase.rstrip("…").split()).lower()
    for i, s in enumerate(sentences):
        if needle in " ".join(s.split()).lower():
            return i
    return None


def plan_section(
    spoken: Sequence[Spoken],
    title: str,
    language: str,
    *,
    image: Path | None = None,
    overrides: VisualOverrides | None = None,
    section_end: float | None = None,
) -> SectionPlan:
    """The beats of one section from its sentences as shown and timed.

    ``image`` is the section's own picture (or the producer's); ``overrides`` the producer's
    choices from ``script.md`` (points must be in the section's words: ``InputError``
    otherwise, raised by ``narrate.script_md`` when the script is read).
    """
    if not spoken:
        return SectionPlan(())
    texts = [s.text for s in spoken]
    start = spoken[0].start
    end = section_end if section_end is not None else spoken[-1].end
    ov = overrides or VisualOverrides()
    beats: list[Beat] = []

    if ov.points is not None:
        points = [(i, p) for p in ov.points if (i := _sentence_index(texts, p)) is not None]
    else:
        points = key_points(texts, language, title=title)
    for i, text in points:
        beats.append(Beat("points", spoken[i].start, end, text=text, sentence=i))

    quantities = find_quantities(texts, language)
    charted: set[tuple[int, str]] = set()
    if ov.chart is not False:
        chart = _chart(quantities)
        if chart is not None:
            kind, items = chart
            first = min(q.sentence for q in items)
            beats.append(
                Beat(
                    "chart", spoken[first].start, end, chart=kind, sentence=first,
                    items=tuple(ChartItem(q.label, q.value, q.number) for q in items),
                )
            )  # fmt: skip
            charted = {(q.sentence, q.value) for q in items}
    if ov.number is not False:
        singles = [q for q in quantities if (q.sentence, q.value) not in charted]

        # The most telling number: a percentage or an amount before a count, a count (a
        # number with what it counts) before a year, a bare number last.
        def rank(q: Quantity) -> tuple[int, int]:
            order = ("percent", "money", "count", "year", "plain")
            return next(n for n, k in enumerate(order) if q.kind.startswith(k)), q.sentence

        telling = [
            q for q in singles
            if q.phrase != q.value or q.kind == "percent" or q.kind.startswith("money")
        ]  # fmt: skip
        for q in sorted(telling, key=rank)[:1]:
            s = spoken[q.sentence]
            stop = min(end, max(s.end + NUMBER_HOLD, s.start + MIN_BEAT))
            beats.append(
                Beat("number", s.start, stop, text=q.phrase, value=q.value, sentence=q.sentence)
            )
    if ov.quote is not False:
        for i, words, who in find_quotes(texts)[:1]:
            s = spoken[i]
            stop = min(end, max(s.end + QUOTE_HOLD, s.start + MIN_BEAT))
            beats.append(Beat("quote", s.start, stop, text=words, attribution=who, sentence=i))
    if image is not None:
        beats.append(Beat("image", start, end, name=image.name))
    icon = (
        resolve_icon(ov.icon)
        if ov.icon
        else choose_icon(
            " ".join([title, *(p for p, _w in keyphrases(" ".join(texts), language)[:5])]),
            language,
        )
    )
    beats.append(Beat("icon", start, end, name=icon))
    beats.sort(key=lambda b: (b.start, b.kind != "points"))
    return SectionPlan(tuple(beats))


def episode_icon(article: Article) -> str:
    """The episode's own icon (cover, title card and thumbnail alike): closest in meaning to
    its title and first section titles, in its language."""
    topic = " ".join([article.title, *(s.title or "" for s in article.sections[:4])])
    return choose_icon(topic, article.language)
