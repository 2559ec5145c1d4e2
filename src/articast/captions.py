"""Captions stage: timed sentences (from ``audio``'s Master) -> cues -> SRT and WebVTT.

Sits after ``audio`` on the map; ``video`` burns the same cues into the picture. Cues show a
sentence's display text (the author's words), each token timed by the spoken words it maps to
(``textmap``); a token starts at its first spoken word and ends at its last. Cues follow
the readability rules of STANDARDS.md: at most 2 lines of at most 42 characters, 0.833-7 s on
screen, at most 20 characters per second, breaks at natural points (after punctuation, before
conjunctions and prepositions, never between an article and its noun or inside a name), shown
from the first word's start and gone at most 0.5 s after the last word.

Cue boundaries are chosen by dynamic programming over the words of each script segment (a cue
never spans two segments, so each section of the video can be rendered on its own).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from articast.cache import atomic_write_text
from articast.lang import cut_after_marks, mostly_unspaced
from articast.lang.base import UNSPACED
from articast.models import Cue, TimedSentence, TimedWord
from articast.textmap import display_timings

__all__ = [
    "MAX_CHARS_PER_LINE",
    "MAX_CPS",
    "MAX_DURATION",
    "MAX_LINES",
    "MIN_DURATION",
    "break_cost",
    "cue_problems",
    "layout_lines",
    "make_cues",
    "shown_words",
    "split_lines",
    "write_srt",
    "write_vtt",
]

MAX_LINES = 2
MAX_CHARS_PER_LINE = 42
MIN_DURATION = 0.833
MAX_DURATION = 7.0
MAX_CPS = 20.0
LINGER = 0.5
"""Longest a cue stays after its last word ends."""
LEAD = 0.1
"""Longest a cue may appear before its first word (used only when a cue would be too short)."""


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ARTICLES = _wordset(
    "a an the this these those my your his her its our their some any each every no "
    "another either neither such whose"
)
_CONJUNCTIONS = _wordset(
    "and but or nor so yet because although though while whereas if unless until when "
    "whenever where wherever which who whom that than since as whether"
)
_PREPOSITIONS = _wordset(
    "about above across after against along among around at before behind below beneath "
    "beside besides between beyond by despite down during except for from in inside into "
    "like near of off on onto out outside over past per through throughout to toward towards "
    "under underneath unlike up upon via with within without"
)
_UNITS = _wordset(
    "percent % hz khz mhz ms s min h kg g mg µg km m cm mm ml l c f degrees years "
    "thousand million billion trillion"
)
_TITLES = _wordset("dr. mr. mrs. ms. prof. st. mt. jr. sr.")
"""Abbreviated titles: never the end of a line or cue (``Dr.`` | ``Lee``)."""
_ABBREVIATIONS = _wordset("e.g. i.e. vs. cf. fig. no. approx. al. ca. c. pp. vol.")
"""Abbreviations whose full stop ends no sentence (captions show the author's words)."""
_SENTENCE_END = re.compile(r"[.!?…]['\"”’)\]]*$")
_CLAUSE_END = re.compile(r"[,;:–—)\]]['\"”’]*$")
_STRIP = re.compile(r"^[^\w%]+|[^\w%]+$")

_FORBIDDEN = 1000.0


def _bare(word: str) -> str:
    return _STRIP.sub("", word).lower()


def _is_name_part(word: str) -> bool:
    core = _STRIP.sub("", word)
    return bool(core) and core[0].isupper() and core.lower() != "i"


def break_cost(before: str, after: str, *, before_starts_sentence: bool = False) -> float:
    """How bad a line or cue break between the words ``before`` and ``after`` is (0 = ideal).

    After a full stop is best, then after other punctuation, then before a conjunction or
    preposition; breaking after an article or inside a name is effectively forbidden.
    """
    low = before.lower().lstrip("([\"'")
    if low in _TITLES:
        return _FORBIDDEN if _is_name_part(after) else 60.0
    if _SENTENCE_END.search(before) and low not in _ABBREVIATIONS:
        return 0.0
    if _CLAUSE_END.search(before):
        return 1.0
    b = _bare(before)
    a = _bare(after)
    if b in _ARTICLES:
        return _FORBIDDEN
    if _is_name_part(before) and _is_name_part(after) and not before_starts_sentence:
        return 60.0
    if re.fullmatch(r"[\d.,]+", b) and a in _UNITS:
        return 60.0
    if b in _PREPOSITIONS or b in _CONJUNCTIONS:
        return 14.0
    if a in _CONJUNCTIONS:
        return 2.0
    if a in _PREPOSITIONS:
        return 3.0
    return 7.0


def _char_count(text: str) -> float:
    return float(len(text))


def _best_split(
    words: Sequence[str],
    fits: Callable[[str], bool],
    max_lines: int,
    measure: Callable[[str], float],
) -> tuple[float, tuple[str, ...]] | None:
    one = " ".join(words)
    if fits(one):
        return (0.0, (one,))
    if max_lines < 2:
        return None
    best: tuple[float, tuple[str, ...]] | None = None
    total = measure(one)
    for k in range(1, len(words)):
        top = " ".join(words[:k])
        if not fits(top):
            break
        rest = _best_split(words[k:], fits, max_lines - 1, measure)
        if rest is None:
            continue
        cost = rest[0] + _cached_break_cost(words[k - 1], words[k], before_starts_sentence=k == 1)
        # Balance: penalise uneven lines; a top line longer than the bottom one a bit more.
        imbalance = (measure(top) - measure(rest[1][0])) / max(total, 1.0)
        cost += 12.0 * abs(imbalance) + (2.0 if imbalance > 0 else 0.0)
        if best is None or cost < best[0]:
            best = (cost, (top, *rest[1]))
    return best


def split_lines(
    words: Sequence[str],
    fits: Callable[[str], bool],
    *,
    max_lines: int = MAX_LINES,
    width: Callable[[str], float] | None = None,
) -> tuple[str, ...] | None:
    """The best way to show ``words`` in at most ``max_lines`` lines that each ``fits``.

    One line when it fits; otherwise the break with the lowest ``break_cost``, preferring
    balanced lines (a slightly longer bottom line). None when no split fits.
    """
    if not words:
        return ()
    found = _best_split(words, fits, max_lines, width if width is not None else _char_count)
    return None if found is None else found[1]


_cached_break_cost = functools.lru_cache(maxsize=1 << 16)(break_cost)


class _Font(Protocol):
    def getlength(self, text: str) -> float: ...


def layout_lines(
    text: str, font: _Font, max_width: float, *, max_lines: int = MAX_LINES
) -> tuple[str, ...] | None:
    """Lines of ``text`` measured with the actual ``font`` (Pillow), none wider than ``max_width``.

    Breaks at the most natural points (see ``break_cost``); None when the text does not fit in
    ``max_lines`` lines at this font size (the caller then picks a smaller size).
    """
    words = text.split()

    def width(s: str) -> float:
        return float(font.getlength(s))

    if UNSPACED.search(text) and mostly_unspaced(text):
        return _wrap_unspaced(text, width, max_width, max_lines)
    return split_lines(words, lambda s: width(s) <= max_width, max_lines=max_lines, width=width)


_CJK_BREAK_AFTER = "、。，．！？：；）」』】"
"""Chinese and Japanese lines break best after these."""


def _wrap_unspaced(
    text: str, width: Callable[[str], float], max_width: float, max_lines: int
) -> tuple[str, ...] | None:
    """Chinese or Japanese text (no spaces between words) in lines of at most ``max_width``:
    as many characters as fit, ending after a comma or stop among the last few when there is
    one; never a closing mark at the start of a line. None when it needs over ``max_lines``."""
    rest = " ".join(text.split())
    lines: list[str] = []
    while rest:
        if len(lines) == max_lines:
            return None
        n = 1
        while n < len(rest) and width(rest[: n + 1]) <= max_width:
            n += 1
        if n < len(rest):
            if width(rest[:n]) > max_width:
                return None
            soft = max((rest.rfind(m, max(1, n - 8), n) for m in _CJK_BREAK_AFTER), default=-1)
            if soft > 0:
                n = soft + 1
            while 1 < n < len(rest) and rest[n] in _CJK_BREAK_AFTER:
                n -= 1  # a closing mark goes with the line before it, not first on a new line
        lines.append(rest[:n].strip())
        rest = rest[n:].lstrip()
    return tuple(lines)


# --------------------------------------------------------------------------- token timing


@dataclass(frozen=True)
class _Tok:
    text: str
    start: float
    end: float
    sentence_start: bool


def _interp(anchors: list[tuple[int, float]], pos: int) -> float:
    if pos <= anchors[0][0]:
        return anchors[0][1]
    for (p0, t0), (p1, t1) in itertools.pairwise(anchors):
        if pos <= p1:
            return t0 if p1 == p0 else t0 + (t1 - t0) * (pos - p0) / (p1 - p0)
    return anchors[-1][1]


def _spoken_times(sentence: TimedSentence) -> list[tuple[float, float]]:
    """(start, end) of each whitespace token of the spoken text, from the voice's word timings.

    Engine words need not match tokens one to one (espeak merges short words and splits
    others), so tokens are timed through character-offset anchors when the counts differ.
    """
    matches = list(re.finditer(r"\S+", sentence.text))
    if not matches:
        return []
    words = sentence.words
    if len(words) == len(matches) and all(
        _bare(w.text) == _bare(m.group()) for w, m in zip(words, matches, strict=True)
    ):
        times = [(w.start, w.end) for w in words]
    else:
        anchors: list[tuple[int, float]] = [(0, sentence.start)]
        low = sentence.text.lower()
        cursor = 0
        for w in words:
            key = w.text.strip().lower()
            if not key:
                continue
            pos = low.find(key, cursor)
            if pos < 0:
                core = _bare(key)
                pos = low.find(core, cursor) if core else -1
                key = core
            if pos < 0:
                continue
            if w.start >= anchors[-1][1]:
                anchors.append((pos, w.start))
            if w.end >= anchors[-1][1]:
                anchors.append((pos + len(key), w.end))
            cursor = pos + len(key)
        anchors.append((len(sentence.text), max(sentence.end, anchors[-1][1])))
        times = [(_interp(anchors, m.start()), _interp(anchors, m.end())) for m in matches]
    return [(s, max(e, s)) for s, e in times]


def _tokens(sentence: TimedSentence) -> list[_Tok]:
    """The tokens a caption shows, timed: the display text's tokens when the sentence has a
    display form (each timed by the spoken words it maps to), else the spoken text's."""
    times = _spoken_times(sentence)
    form = sentence.form
    if form is not None and form.spoken == sentence.text:
        shown = [(t.text, t.start, t.end) for t in display_timings(form, times)]
        plain = not any(p.changed for p in form.pieces)
    else:
        shown = [
            (m.group(), s, e)
            for m, (s, e) in zip(re.finditer(r"\S+", sentence.text), times, strict=True)
        ]
        plain = True
    toks = [_Tok(text, s, e, i == 0) for i, (text, s, e) in enumerate(_split_long(shown))]
    # Scripts written before display forms existed spell initialisms in their only text.
    return _join_spelled(toks) if plain else toks


def _split_long(tokens: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """Tokens longer than a caption line (a long web address, a Chinese or Japanese sentence,
    written without spaces) cut after ``/``, ``.`` or a comma or stop of those scripts (or
    anywhere), their time shared by length."""
    out: list[tuple[str, float, float]] = []
    for text, start, end in tokens:
        if len(text) <= MAX_CHARS_PER_LINE:
            out.append((text, start, end))
            continue
        parts = cut_after_marks(text, MAX_CHARS_PER_LINE, "/.、，。；：！？", MAX_CHARS_PER_LINE // 3)
        t0 = start
        for part in parts:
            t1 = t0 + (end - start) * len(part) / len(text)
            out.append((part, t0, t1))
            t0 = t1
    return out


_ONE_LETTER = re.compile(r"[A-Z]")
_LAST_LETTER = re.compile(r"[A-Z](?:-[A-Z]+)?[.,;:!?)\"'\u2019\u201d]*")


def _join_spelled(toks: list[_Tok]) -> list[_Tok]:
    """Show a spelled initialism as the reader knows it: "P T S D," -> "PTSD,".

    The narration spells initialisms letter by letter so the voice names each letter; the
    caption joins the run back into one word spanning the letters' times.
    """
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        end = i
        while end < len(toks) and _ONE_LETTER.fullmatch(toks[end].text):
            end += 1
        if end > i and end < len(toks) and _LAST_LETTER.fullmatch(toks[end].text):
            end += 1
        if end - i >= 2:
            run = toks[i:end]
            out.append(
                _Tok("".join(t.text for t in run), run[0].start, run[-1].end, run[0].sentence_start)
            )
            i = end
        else:
            out.append(toks[i])
            i += 1
    return out


# --------------------------------------------------------------------------- cue building


def _chunk_lines(
    words: Sequence[str], max_chars: int = MAX_CHARS_PER_LINE
) -> tuple[float, tuple[str, ...]] | None:
    return _best_split(words, lambda text: len(text) <= max_chars, MAX_LINES, _char_count)


def _segment_cues(toks: list[_Tok], after: float, max_chars: int = MAX_CHARS_PER_LINE) -> list[Cue]:
    """Cues for the tokens of one segment; ``after`` is when the next segment's words start;
    lines of at most ``max_chars`` characters."""
    n = len(toks)
    texts = [t.text for t in toks]
    best = [math.inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    max_words = 24
    for j in range(1, n + 1):
        next_start = toks[j].start if j < n else after
        chars = -1
        for i in range(j - 1, max(0, j - max_words) - 1, -1):
            chars += len(texts[i]) + 1
            if chars > MAX_LINES * max_chars:
                break  # starting earlier only makes the cue longer
            if best[i] == math.inf:
                continue
            words = texts[i:j]
            split = _chunk_lines(words, max_chars)
            if split is None:
                continue
            lines = split[1]
            start = toks[i].start
            words_end = toks[j - 1].end
            cost = 5.0 + 2.0 * split[0]
            if words_end - start > MAX_DURATION:
                if j - i > 1:
                    continue
                cost += _FORBIDDEN
            latest = min(words_end + LINGER, next_start, start + MAX_DURATION)
            needed = max(MIN_DURATION, chars / MAX_CPS)
            if latest - start < needed:
                cost += 200.0 + 100.0 * (needed - (latest - start))
            if j < n:
                cost += 3.0 * _cached_break_cost(
                    texts[j - 1], texts[j], before_starts_sentence=i == j - 1
                )
                if toks[j].sentence_start:
                    cost -= 1.0
            if len(lines) == 2:
                cost += 0.5
            for k in range(i + 1, j):
                if toks[k].start - toks[k - 1].end > 1.0:
                    cost += 15.0  # a long pause inside a cue: break there instead
            dur = words_end - start
            if dur < 1.5:
                cost += 3.0 * (1.5 - dur)
            total = best[i] + cost
            if total < best[j]:
                best[j] = total
                back[j] = i
    bounds: list[tuple[int, int]] = []
    j = n
    while j > 0:
        i = back[j]
        bounds.append((i, j))
        j = i
    bounds.reverse()
    cues: list[Cue] = []
    for i, j in bounds:
        next_start = toks[j].start if j < n else after
        start = toks[i].start
        words_end = toks[j - 1].end
        split = _chunk_lines(texts[i:j], max_chars)
        lines = split[1] if split is not None else (" ".join(texts[i:j]),)
        chars = len(" ".join(lines))
        end = min(words_end + LINGER, next_start, start + MAX_DURATION)
        needed = max(MIN_DURATION, chars / MAX_CPS)
        if end - start < needed:
            # Rare (a lone short word between long pauses): appear up to LEAD early, then
            # stay up to the minimum even if that is a little past the linger limit.
            prev_end = cues[-1].end if cues else 0.0
            start = max(prev_end, start - LEAD, 0.0)
            end = max(end, min(start + needed, next_start))
        timed = tuple(TimedWord(t.text, t.start, t.end) for t in toks[i:j])
        cues.append(Cue(start=start, end=max(end, start + 0.001), lines=lines, words=timed))
    return cues


def shown_words(sentence: TimedSentence) -> tuple[TimedWord, ...]:
    """The words captions show for ``sentence`` (its display tokens, long ones cut), each timed
    from its first spoken word to its last: ``make_cues`` lays these out."""
    return tuple(TimedWord(t.text, t.start, t.end) for t in _tokens(sentence))


def make_cues(
    sentences: tuple[TimedSentence, ...], *, max_chars: int = MAX_CHARS_PER_LINE
) -> tuple[Cue, ...]:
    """Caption cues for the episode's timed sentences (see the module docstring for the rules);
    ``max_chars``: a shorter line for a narrow frame (a social clip's larger type)."""
    groups: list[list[_Tok]] = []
    last_segment: int | None = None
    for s in sorted(sentences, key=lambda s: s.start):
        toks = _tokens(s)
        if not toks:
            continue
        if last_segment is None or s.segment_index != last_segment:
            groups.append([])
            last_segment = s.segment_index
        groups[-1].extend(toks)
    cues: list[Cue] = []
    for g, toks in enumerate(groups):
        after = groups[g + 1][0].start if g + 1 < len(groups) else math.inf
        cues.extend(_segment_cues(toks, after, max_chars))
    return tuple(cues)


def cue_problems(cue: Cue) -> list[str]:
    """Which readability rules ``cue`` breaks (empty when it passes); used by tests and checks."""
    problems = []
    if not 1 <= len(cue.lines) <= MAX_LINES:
        problems.append(f"{len(cue.lines)} lines")
    for line in cue.lines:
        if len(line) > MAX_CHARS_PER_LINE:
            problems.append(f"line of {len(line)} characters: {line!r}")
    dur = cue.end - cue.start
    if dur < MIN_DURATION - 1e-3 or dur > MAX_DURATION + 1e-3:
        problems.append(f"lasts {dur:.3f} s")
    chars = len(" ".join(cue.lines))
    if dur > 0 and chars / dur > MAX_CPS + 1e-6:
        problems.append(f"{chars / dur:.1f} characters per second")
    return problems


# --------------------------------------------------------------------------- files


def _stamp(t: float, sep: str) -> str:
    ms = max(0, round(t * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _timed(cues: Iterable[Cue]) -> list[tuple[int, int, Cue]]:
    """Cues with millisecond times that never go backwards and always end after they start."""
    out: list[tuple[int, int, Cue]] = []
    last = 0
    for cue in cues:
        start = max(round(cue.start * 1000), last)
        end = max(round(cue.end * 1000), start + 1)
        out.append((start, end, cue))
        last = start
    return out


_ARROW = re.compile(r"-{2,}>")


def _cue_lines(text: str) -> str:
    """A cue's text as caption files can carry it: no ``-->`` (a parser reads a line holding
    one as a timing line, in SubRip and WebVTT alike: it becomes an arrow) and no empty line
    (it would end the cue and make the rest a broken one)."""
    lines = [_ARROW.sub("\u2192", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line) or "\u2026"


def write_srt(cues: Iterable[Cue], path: Path) -> None:
    """Write ``cues`` as SubRip (numbered from 1, comma milliseconds, UTF-8)."""
    blocks = []
    for n, (start, end, cue) in enumerate(_timed(cues), 1):
        stamp = f"{_stamp(start / 1000, ',')} --> {_stamp(end / 1000, ',')}"
        blocks.append(f"{n}\n{stamp}\n{_cue_lines(cue.text)}\n")
    atomic_write_text(path, "\n".join(blocks))


def _vtt_escape(text: str) -> str:
    text = _cue_lines(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_vtt(cues: Iterable[Cue], path: Path, language: str | None = None) -> None:
    """Write ``cues`` as WebVTT (``WEBVTT`` header, two-digit hours, dot milliseconds).

    ``language`` adds a ``Language:`` header line (as YouTube and most players read it).
    """
    parts = [f"WEBVTT\nKind: captions\nLanguage: {language}\n" if language else "WEBVTT\n"]
    for start, end, cue in _timed(cues):
        stamp = f"{_stamp(start / 1000, '.')} --> {_stamp(end / 1000, '.')}"
        parts.append(f"{stamp}\n{_vtt_escape(cue.text)}\n")
    atomic_write_text(path, "\n".join(parts))
