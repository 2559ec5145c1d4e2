"""Small text helpers shared by the ingest parsers (whitespace, quotes, bare-line headings).

Sits inside ``ingest``: every parser normalises the text of a block through ``clean_inline``.
Ingest keeps text faithful: no spelling, spacing or capital repair here (that is ``narrate``'s job).
"""

from __future__ import annotations

import re

from articast.lang import unspaced_words
from articast.lang.base import UNSPACED

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201b": "'"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


def clean_inline(text: str) -> str:
    """Collapse whitespace, drop zero-width and control characters, straighten apostrophes."""
    text = _CONTROL.sub("", text.translate(_ZERO_WIDTH)).translate(_APOSTROPHES)
    return _SPACES.sub(" ", text).strip()


CJK = UNSPACED
"""Kana and Han characters: Chinese and Japanese write words without spaces between them."""


def word_count(text: str) -> int:
    """Number of words (runs of letters or digits) in ``text``; in Chinese and Japanese text,
    where no spaces separate words, every two kana or Han characters count as one word (about
    the length of a word there), so a paragraph is not taken for a single word."""
    if text.isascii():
        return len(WORD.findall(text))
    if not CJK.search(text):
        return len(WORD.findall(text))
    return len(WORD.findall(CJK.sub(" ", text))) + unspaced_words(text)


_END_PUNCT = (".", "!", ";", ",", ":", "…", "。", "！", "，", "；", "：", "、", "．")
"""A bare heading never ends with these (Chinese and Japanese full stops and commas too)."""
_BULLET = re.compile(r"^([-*•·–—]|\d+[.)])\s")


def looks_like_heading(line: str) -> bool:
    """True when a bare text line reads like a heading: short, no closing punctuation.

    Used for pages that write headings as plain lines (the user's article) and for plain text.
    """
    line = line.strip()
    if not line or len(line) > 150:
        return False
    words = word_count(line)
    if words == 0 or words > 16:
        return False
    if line.endswith(_END_PUNCT) or _BULLET.match(line):
        return False
    if not any(ch.isalpha() for ch in line):
        return False
    # A heading is written as a phrase, not as a URL, code or a widget's setting
    # ("_blank", "btn-primary": one token with an underscore or lower-case hyphenated parts).
    if _IDENTIFIER.fullmatch(line):
        return False
    return not re.search(r"https?://|[{}<>=]|\s{2,}", line)


_IDENTIFIER = re.compile(r"\S*_\S*|[a-z0-9]+(?:-[a-z0-9]+)+")


CJK_ENDS = ("。", "！", "？", "」", "』", "）", "．")
"""How a sentence ends in Chinese and Japanese (full-width stops, marks and closing quotes)."""
_SENTENCE_END = (".", "!", "?", "…", ":", ";", '"', "”", "»", ")", "'", "’", *CJK_ENDS)
_OPENERS = "¿¡\"'“‘«([—–-*• "
#: Words a heading does not end with (a hard-wrapped line often does), a few languages.
_DANGLING = frozenset(
    ["a", "an", "the", "of", "to", "in", "on", "at", "for", "with", "by", "from", "and", "or", "but", "as", "that", "which", "than", "el", "la", "los", "las", "de", "del", "y", "o", "en", "con", "por", "para", "que", "un", "una", "der", "die", "das", "den", "dem", "des", "und", "oder", "mit", "von", "zu", "im", "in", "für", "ein", "eine", "le", "la", "les", "de", "des", "du", "et", "ou", "en", "avec", "pour", "par", "un", "une", "que", "il", "lo", "gli", "di", "e", "con", "per", "che", "da", "het", "een", "en", "van"]
)


def _starts_sentence(line: str) -> bool:
    first = line.lstrip(_OPENERS)[:1]
    return bool(first) and (first.isupper() or first.isdigit() or line[:1] in "¿¡")


#: "Label: value" ("Date: March 2-5", "Prix : 12 €"): a label of one to three words.
FIELD_LINE = re.compile(r"^\s*[^\W\d_][\w'’()/&.-]*(?: [\w'’()/&.-]+){0,2}\s?:\s+\S")
_FIELD_VALUE_WORDS = 6


def is_fact(line: str) -> bool:
    """``line`` is a short "Label: value" fact ("Precio: entrada libre"), complete in itself."""
    return bool(FIELD_LINE.match(line)) and word_count(line.split(":", 1)[1]) <= _FIELD_VALUE_WORDS


def _complete(line: str) -> bool:
    """``line`` ends a sentence or is a short fact."""
    return line.rstrip().endswith(_SENTENCE_END) or is_fact(line)


def heading_line(prev: str | None, line: str, nxt: str | None) -> bool:
    """True when ``line``, a line of running text, is a bare heading above the text ``nxt``.

    Works without capitals (``what the growers learned``), with inverted or spaced question
    marks (``¿Qué dicen?``, ``Pourquoi ?``) and accented capitals. A line is not a heading when
    the line before it stops mid-sentence, when it ends with a word that cannot end a phrase
    ("of", "der", "que"...), or when the text after it is not longer prose.
    """
    if nxt is None or not looks_like_heading(line):
        return False
    if prev is not None and not _complete(prev):
        return False
    words = WORD.findall(line.lower())
    if not words or words[-1] in _DANGLING:
        return False
    if word_count(nxt) <= max(word_count(line), 6):
        return False
    if _starts_sentence(nxt):
        return True
    # Text without capitals: the heading is much shorter than the sentence it sits above.
    return len(line) <= 0.6 * len(nxt) and nxt.rstrip().endswith(_SENTENCE_END)


def _trailing_heading(prev: str | None, line: str) -> bool:
    """True when ``line``, the last line of a block of running text, may be a bare heading
    of the next block (``<p>`` left open, then "Dónde nace el río", then ``<p>`` and the
    text): the text before it ends a sentence and it reads like a heading. It is split off
    as a line of its own; whether it is a heading is decided with the block after it
    (``_blocks.promote_bare_headings``)."""
    if prev is None or not _complete(prev) or not looks_like_heading(line):
        return False
    words = WORD.findall(line.lower())
    return bool(words) and words[-1] not in _DANGLING


def split_heading_lines(lines: list[str]) -> list[str]:
    """Lines of one text block -> pieces: bare heading lines alone, other lines re-joined.

    The block came from one ``<p>`` (or ``<br>``-separated lines) of a loose page; its line
    ends are spaces except around a line that reads as a heading.
    """
    clean = [clean_inline(ln) for ln in lines]
    clean = [ln for ln in clean if ln]
    pieces: list[str] = []
    cur: list[str] = []
    for i, ln in enumerate(clean):
        prev = clean[i - 1] if i else None
        nxt = clean[i + 1] if i + 1 < len(clean) else None
        if heading_line(prev, ln, nxt) or (nxt is None and _trailing_heading(prev, ln)):
            if cur:
                pieces.append(" ".join(cur))
                cur = []
            pieces.append(ln)
            continue
        cur.append(ln)
    if cur:
        pieces.append(" ".join(cur))
    return pieces


def capitalise_first(text: str) -> str:
    """Upper-case the first letter of a heading written without one (``¿qué?`` -> ``¿Qué?``).

    Leading punctuation (inverted marks, quotes) is skipped; a first word in mixed case
    (``iPhone``, ``eBay``) is left alone.
    """
    stripped = text.lstrip(_OPENERS)
    at = len(text) - len(stripped)
    m = WORD.match(stripped)
    if not m or not m.group(0).islower():
        return text
    return text[:at] + stripped[:1].upper() + stripped[1:]
