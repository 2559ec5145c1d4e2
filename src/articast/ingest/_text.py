"""Small text helpers shared by the ingest parsers (whitespace, quotes, bare-line headings).

Sits inside ``ingest``: every parser normalises the text of a block through ``clean_inline``.
Ingest keeps text faithful: no spelling, spacing or capital repair here (that is ``narrate``'s job).
"""

from __future__ import annotations

import re

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201b": "'"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


def clean_inline(text: str) -> str:
    """Collapse whitespace, drop zero-width and control characters, straighten apostrophes."""
    text = _CONTROL.sub("", text.translate(_ZERO_WIDTH)).translate(_APOSTROPHES)
    return _SPACES.sub(" ", text).strip()


def word_count(text: str) -> int:
    """Number of words (runs of letters or digits) in ``text``."""
    return len(WORD.findall(text))


_END_PUNCT = (".", "!", ";", ",", ":", "…")
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
    # A heading is written as a phrase, not as a URL or code.
    return not re.search(r"https?://|[{}<>=]|\s{2,}", line)
