"""Which moments of an episode make clips (private): scored from the text, explained in words.

A moment is a run of whole sentences of one chapter (or more, when asked), its sound cut in
the pauses around them. Each sentence is scored from what the explainer pictures found in
it (``pictures.plan``): how much of its section's key phrases it holds, whether it is one
of the section's key points, a quotation, numbers; a moment scores by its best and its
average sentence, by whether its first sentence stands on its own (no "This", "But",
"They" that needs what came before), and by how near it is to the length asked for. The
strongest moments that do not overlap are chosen, the same chapter again only when it is
clearly stronger.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from articast.lang.base import mostly_unspaced
from articast.models import Episode, EpisodeSentence

END_CARD = 2.5
"""Seconds of the end card after the moment."""
MIN_MOMENT = 15.0
"""Shortest moment (seconds of speech and its pauses)."""
MAX_FILE = 59.5
"""Longest clip file: under the platforms' 60 s."""
MAX_MOMENT = MAX_FILE - END_CARD
LEAD = 0.3
"""Seconds of the pause before the first sentence kept (at most half the pause)."""
TAIL = 0.5
"""Seconds of the pause after the last sentence kept (at most half the pause)."""
SAME_CHAPTER = 0.9
"""A second clip from a chapter scores this much of its own score."""


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that open a sentence leaning on the one before ("This means...", "But then...").
_LEANING: dict[str, frozenset[str]] = {
    "en": _set(
        "this that these those it its they them their he she his her him but and or so also "
        "however yet then thus therefore hence such which another both instead still "
        "meanwhile moreover furthermore besides otherwise nor"
    ),
    "de": _set(
        "dies diese dieser dieses das es sie er ihr ihre aber und oder auch doch jedoch "
        "deshalb daher dann damit dabei dazu trotzdem außerdem sondern"
    ),
    "es": _set(
        "esto esta este estos estas eso esa ese ello ellos ellas él ella pero y o también "
        "sin embargo además entonces así aun"
    ),
    "fr": _set(
        "ce cela ceci cette ces il elle ils elles mais et ou aussi donc ainsi pourtant "
        "cependant alors puis ensuite"
    ),
    "it": _set(
        "questo questa questi queste ciò esso essa essi ma e o anche però quindi così "
        "inoltre allora poi"
    ),
    "pt": _set(
        "isto isso este esta estes estas esse essa ele ela eles elas mas e ou também porém "
        "contudo assim então além"
    ),
    "nl": _set("dit dat deze die het hij zij ze maar en of ook toch echter daarom dus dan"),
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_QUOTE_MARKS = re.compile(r"[\u201c\u201d\u201e\u00ab\u00bb\u300c\u300d\"]")
_CLOSED = re.compile(r"[.!?…。！？]['\"”’»)\]]*$")


@dataclass(frozen=True)
class Moment:
    """A chosen moment: sentences ``first..last`` of the manifest, cut at ``start..end``."""

    first: int
    last: int
    start: float
    end: float
    score: float
    why: str
    text: str
    headline: str
    chapter: str


@dataclass(frozen=True)
class _Sentence:
    index: int
    text: str
    start: float
    end: float
    segment: int
    weight: float
    """0-1: the sentence's own strength."""
    key_point: bool
    quote: bool
    numbers: tuple[str, ...]
    leaning: bool


@dataclass(frozen=True)
class _Window:
    first: int
    last: int
    start: float
    end: float
    score: float
    segment: int


def _language(code: str) -> str:
    return (code or "en").split("-")[0].lower()


def leans_back(text: str, language: str) -> bool:
    """True when ``text`` opens with a word that needs the sentence before it."""
    if text[:1].islower():
        return True
    first = _WORD.search(text)
    if first is None or first.start() > 2:
        return False
    word = first.group().lower()
    return word in _LEANING.get(_language(language), frozenset())


def _sentences(episode: Episode) -> list[_Sentence]:
    """The section sentences (not the intro and outro), scored."""
    from articast.pictures.plan import find_quantities, keyphrases, sentence_weight

    kinds = {i: s.kind for i, s in enumerate(episode.sections)}
    by_segment: dict[int, list[tuple[int, EpisodeSentence]]] = {}
    for i, s in enumerate(episode.sentences):
        if kinds.get(s.segment, "section") == "section":
            by_segment.setdefault(s.segment, []).append((i, s))
    language = episode.language
    out: list[_Sentence] = []
    for segment, members in sorted(by_segment.items()):
        texts = [s.text for _, s in members]
        phrases = keyphrases(" ".join(texts), language)
        beats = episode.sections[segment].visuals if segment < len(episode.sections) else ()
        points = {b.sentence for b in beats if b.kind == "points"}
        quoted = {b.sentence for b in beats if b.kind == "quote"}
        numbers: dict[int, list[str]] = {}
        for q in find_quantities(texts, language):
            numbers.setdefault(q.sentence, []).append(q.value)
        held = [sentence_weight(t, phrases) for t in texts]
        top = max(held, default=0.0) or 1.0
        for k, (i, s) in enumerate(members):
            words = len(_WORD.findall(s.text))
            quote = k in quoted or len(_QUOTE_MARKS.findall(s.text)) >= 2
            weight = (
                0.45 * held[k] / top
                + 0.25 * (k in points)
                + 0.15 * quote
                + 0.15 * min(len(numbers.get(k, ())), 2) / 2
            )
            if words < 5:
                weight *= 0.5
            if not _CLOSED.search(s.text.strip()):
                weight *= 0.5  # a sentence the article cut off
            scored = _Sentence(
                i, s.text, s.start, s.end, segment, min(1.0, weight), k in points, quote,
                tuple(numbers.get(k, ())), leans_back(s.text, language),
            )  # fmt: skip
            out.append(scored)
    return out


def _bounds(run: Sequence[_Sentence], before: float, after: float) -> tuple[float, float]:
    """Start and end of a run of sentences, cut in the pauses around it."""
    start = run[0].start - min(LEAD, max(0.0, run[0].start - before) / 2)
    end = run[-1].end + min(TAIL, max(0.0, after - run[-1].end) / 2)
    return round(max(0.0, start), 3), round(end, 3)


def _windows(
    sents: list[_Sentence], episode: Episode, target: float, cross: bool, widest: bool
) -> list[_Window]:
    """Every run of sentences whose moment fits, scored."""
    every = episode.sentences
    firsts: dict[int, int] = {}
    for s in sents:
        firsts.setdefault(s.segment, s.index)
    out: list[_Window] = []
    for a in range(len(sents)):
        for b in range(a, len(sents)):
            if sents[b].index - sents[a].index != b - a:
                break  # an intro or outro between them
            if not cross and sents[b].segment != sents[a].segment:
                break
            run = sents[a : b + 1]
            i, j = run[0].index, run[-1].index
            before = every[i - 1].end if i > 0 else 0.0
            after = every[j + 1].start if j + 1 < len(every) else episode.duration
            start, end = _bounds(run, before, after)
            length = end - start
            if length > MAX_MOMENT:
                break
            low = MIN_MOMENT if widest else max(MIN_MOMENT, 0.6 * target)
            high = MAX_MOMENT if widest else min(MAX_MOMENT, 1.3 * target + 3.0)
            if not low <= length <= high:
                continue
            opens = run[0].index == firsts[run[0].segment]
            out.append(
                _Window(a, b, start, end, _score(run, length, target, opens), run[0].segment)
            )
    return out


def _score(run: Sequence[_Sentence], length: float, target: float, opens_chapter: bool) -> float:
    weights = [s.weight for s in run]
    score = 0.55 * max(weights) + 0.45 * sum(weights) / len(weights)
    score += -0.15 if run[0].leaning else 0.1
    if opens_chapter:
        score += 0.05
    score -= 0.3 * abs(length - target) / target
    return max(0.0, min(1.0, score))


def _why(run: Sequence[_Sentence], length: float, chapter: str, target: float) -> str:
    parts: list[str] = []
    points = [s for s in run if s.key_point]
    if points:
        parts.append(f"{len(points)} key point{'s' * (len(points) > 1)} of its section")
    quotes = sum(s.quote for s in run)
    if quotes:
        parts.append(f"a quotation{' (' + str(quotes) + ')' if quotes > 1 else ''}")
    numbers = [n for s in run for n in s.numbers]
    if numbers:
        shown = ", ".join(numbers[:3]) + (", …" if len(numbers) > 3 else "")
        parts.append(f"number{'s' * (len(numbers) > 1)} ({shown})")
    strongest = max(run, key=lambda s: s.weight)
    parts.append(f"strongest sentence {strongest.weight:.2f} by its section's key phrases")
    opening = run[0].text.split()
    head = " ".join(opening[:5]) + (" …" if len(opening) > 5 else "")
    if run[0].leaning:
        parts.append(f"opens leaning on what came before ('{head}')")
    else:
        parts.append(f"opens on its own ('{head}')")
    parts.append(f"{len(run)} sentence{'s' * (len(run) > 1)}, {length:.1f} s of '{chapter}'")
    if abs(length - target) > 0.25 * target:
        # In the length asked for: the clip's, its end card included.
        parts.append(f"as near to the {target + END_CARD:.0f} s asked for as its chapter allows")
    return "; ".join(parts)


def choose_moments(
    episode: Episode, count: int, length: float, *, cross_chapters: bool = False
) -> list[Moment]:
    """The ``count`` strongest moments of ``episode`` (fewer when it has no more), best first;
    each aims at ``length`` seconds with its end card (``END_CARD``)."""
    sents = _sentences(episode)
    target = min(MAX_MOMENT, max(MIN_MOMENT, length - END_CARD))
    chosen: list[_Window] = []
    used: set[int] = set()
    chapters: dict[int, int] = {}
    # Moments near the length asked for first; when those run out, any length that fits.
    for widest in (False, True):
        windows = _windows(sents, episode, target, cross_chapters, widest=widest)
        while len(chosen) < count:
            best: tuple[float, float, _Window] | None = None
            for w in windows:
                if any(k in used for k in range(w.first, w.last + 1)):
                    continue
                adjusted = w.score * SAME_CHAPTER ** chapters.get(w.segment, 0)
                rank = (adjusted, -w.start, w)
                if best is None or rank[:2] > best[:2]:
                    best = rank
            if best is None:
                break
            w = best[2]
            chosen.append(w)
            used.update(range(w.first, w.last + 1))
            chapters[w.segment] = chapters.get(w.segment, 0) + 1
    return [_moment(w, sents, episode, target) for w in chosen]


def _moment(w: _Window, sents: list[_Sentence], episode: Episode, target: float) -> Moment:
    from articast.pictures.plan import best_point

    run = sents[w.first : w.last + 1]
    chapter = episode.sections[w.segment].title if w.segment < len(episode.sections) else ""
    texts = [s.text for s in run]
    section_text = " ".join(s.text for s in sents if s.segment == w.segment)
    points = [b for b in episode.sections[w.segment].visuals if b.kind == "points"]
    first_k = run[0].index - min(s.index for s in sents if s.segment == w.segment)
    inside = [
        b for b in points if first_k <= b.sentence <= first_k + len(run) - 1 and b.text.strip()
    ]
    if inside:
        headline = max(inside, key=lambda b: run[b.sentence - first_k].weight).text
    else:
        found = best_point(texts, episode.language, context=section_text, title=chapter)
        headline = found[1] if found is not None else chapter
    return Moment(
        first=run[0].index,
        last=run[-1].index,
        start=w.start,
        end=w.end,
        score=round(w.score, 3),
        why=_why(run, w.end - w.start, chapter, target),
        text=("" if mostly_unspaced("".join(texts)) else " ").join(texts),
        headline=headline,
        chapter=chapter,
    )


def longest_moment(episode: Episode, *, cross_chapters: bool = False) -> float:
    """The longest run of sentences a clip could hold (seconds), to say why none fits."""
    sents = _sentences(episode)
    best = 0.0
    for a in range(len(sents)):
        b = a
        while (
            b + 1 < len(sents)
            and sents[b + 1].index == sents[b].index + 1
            and (cross_chapters or sents[b + 1].segment == sents[a].segment)
        ):
            b += 1
        best = max(best, sents[b].end - sents[a].start)
    return math.floor(best * 10) / 10
