"""Second opinions from trafilatura and readability-lxml on well-formed web pages.

Sits inside ``ingest`` beside ``_html``. Our rules keep the structure (title, headings, sections,
images, talk links, bare-line headings of broken pages); the two libraries vote on which
*paragraphs* are the article:

* **vote**: on a well-formed page where both libraries found an article that overlaps ours,
  a paragraph of ours that neither library contains is dropped as boilerplate (an unlabelled
  "read more" box, a newsletter plea inside the body). Headings are never voted out;
* **rescue**: when our rules find almost no prose, trafilatura's choice of content is used;
* **veto**: a box our class-name rules would drop ("paywall", "newsletter") is kept when the
  libraries keep its text (some sites mark the article's own paragraphs that way);
* **container**: when our chosen container disagrees a lot with what both libraries call the
  article (one section of a documentation page, half of a long read), the ancestor whose text
  agrees best with them is walked instead. Our rules still give the structure.

Never used on loose/broken pages (bare-line headings, split tags), where both libraries keep
markup debris and find no headings (measured: tests/fixtures/ingest/README.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import lxml.etree
import lxml.html

from articast.ingest._blocks import Block
from articast.ingest._text import word_count

#: Library errors on hostile input that simply mean "no second opinion".
_LIB_ERRORS = (ValueError, TypeError, RecursionError, AttributeError, lxml.etree.LxmlError)
_MAX_CHARS = 2_000_000


def _shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


_BLOCK_TAG = re.compile(r"<(?:div|p|li|td|tr|section|span)\b", re.IGNORECASE)
FAST_ABOVE = 3000
"""Block elements above which trafilatura runs without its fallback extractors: jusText, one
of them, takes time quadratic in the number of paragraphs (a page of 5,000 small boxes took
it 25 s). Real article pages have a few hundred (a tenth of those we measured more than
1,000; the largest, a Reddit thread, 8,000)."""


def _fast(text: str) -> bool:
    return any(count >= FAST_ABOVE for count, _ in enumerate(_BLOCK_TAG.finditer(text)))


def trafilatura_html(text: str) -> str | None:
    """trafilatura's main content as HTML (headings, lists, images kept), or None."""
    if len(text) > _MAX_CHARS:
        return None
    import trafilatura

    try:
        out: Any = trafilatura.extract(
            text,
            output_format="html",
            include_formatting=True,
            include_images=True,
            include_links=True,
            include_tables=True,
            include_comments=False,
            fast=_fast(text),
        )
    except _LIB_ERRORS:
        return None
    return out if isinstance(out, str) and out.strip() else None


def trafilatura_text(text: str) -> str:
    """trafilatura's main content as plain text ('' when it finds none)."""
    if len(text) > _MAX_CHARS:
        return ""
    import trafilatura

    try:
        out: Any = trafilatura.extract(
            text, include_comments=False, include_tables=True, fast=_fast(text)
        )
    except _LIB_ERRORS:
        return ""
    return out if isinstance(out, str) else ""


def readability_text(text: str) -> str:
    """readability-lxml's main content as plain text ('' when it finds none)."""
    if len(text) > _MAX_CHARS:
        return ""
    from readability import Document
    from readability.readability import Unparseable

    try:
        summary = Document(text).summary(html_partial=True)
        root = lxml.html.fromstring(summary)
    except (*_LIB_ERRORS, Unparseable):
        return ""
    return "\n".join(root.itertext())


@dataclass(frozen=True)
class Opinions:
    """What the two libraries call the article on one page (plain text, '' when none)."""

    trafilatura: str
    readability: str

    @cached_property
    def shingles(self) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
        """3-word shingles of each library's text."""
        return _shingles(self.trafilatura), _shingles(self.readability)

    @cached_property
    def agree(self) -> bool:
        """True when both libraries found roughly the same text."""
        return bag_f1(self.trafilatura, self.readability) >= 0.8

    @cached_property
    def lines(self) -> tuple[frozenset[str], frozenset[str]]:
        """Each library's lines, normalised (lower-case words)."""
        def norm(text: str) -> frozenset[str]:
            return frozenset(norm_words(line) for line in text.splitlines())

        return norm(self.trafilatura), norm(self.readability)

    def keeps_line(self, text: str) -> bool:
        """trafilatura keeps ``text`` (a heading, a label) as a line of its own."""
        return bool(norm_words(text)) and norm_words(text) in self.lines[0]

    def keeps(self, text: str) -> tuple[bool, bool]:
        """(trafilatura keeps it, readability keeps it): most of its shingles are theirs."""
        sh = _shingles(text)
        if not sh:
            return False, False
        t, r = self.shingles
        return len(sh & t) >= 0.6 * len(sh), len(sh & r) >= 0.6 * len(sh)

    @cached_property
    def reference(self) -> Counter[str]:
        """The words the libraries call the article: both texts' union when they agree
        (one often keeps a part the other misses), else trafilatura's (the more precise)."""
        traf = bag(self.trafilatura)
        return traf | bag(self.readability) if self.agree else traf

    def agreement(self, text: str) -> float:
        """How well ``text`` matches the libraries' article (bag-of-words F1)."""
        return self.agreement_of(bag(text))

    def agreement_of(self, words: Counter[str]) -> float:
        """``agreement`` of a text already counted into a bag of words."""
        return _bag_f1(words, self.reference)


def opinions(text: str) -> Opinions:
    """Both libraries' main text for the page ``text``."""
    return Opinions(trafilatura_text(text), readability_text(text))


def bag(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def bag_f1(a: str, b: str) -> float:
    """Bag-of-words F1 between two texts (0.0 when either is empty)."""
    return _bag_f1(bag(a), bag(b))


def _bag_f1(ca: Counter[str], cb: Counter[str]) -> float:
    common = sum((ca & cb).values())
    if not common:
        return 0.0
    p, r = common / sum(ca.values()), common / sum(cb.values())
    return 2 * p * r / (p + r)


def norm_words(text: str) -> str:
    """``text``'s words, lower-case, one space apart (how two texts are compared)."""
    return " ".join(re.findall(r"\w+", text.lower()))


def _has(
    words: list[str], text: str, shingles: set[tuple[str, ...]], lines: frozenset[str]
) -> bool:
    """True when a library's text contains this paragraph (most of its 3-word shingles)."""
    if len(words) < 3:
        # Too short for shingles: the library must keep it as a line of its own.
        return " ".join(words) in lines
    sh = _shingles(text)
    return len(sh & shingles) >= 0.5 * len(sh)


_BOX_WORDS = 20
"""Words under a heading up to which it is a box's title ("Read This Next", an ad's call to
action) rather than a part of the article, among the cards of a feed."""


def _teaser_tail(blocks: list[Block]) -> int:
    """Where a feed of other stories at the end starts (``len(blocks)`` when there is none).

    The feed is the trailing run of headings that are each a link to another of the site's
    pages (a story's title over its date and a line of summary) or a box's title with a line at
    most under it ("Read This Next", an ad's "Explore Excursions"), holding two linked titles
    or more. Linked titles before the article's last heading of its own are product cards or
    a kicker, not a feed.
    """
    start = len(blocks)
    linked = 0
    words = 0  # words of the paragraphs under the heading being looked at
    for i in range(len(blocks) - 1, -1, -1):
        b = blocks[i]
        if b.kind == "para":
            words += word_count(b.text)
        if b.kind != "heading":
            continue
        if not (b.linked or words <= _BOX_WORDS):
            break
        start, words = i, 0
        linked += b.linked
    return start if linked >= 2 else len(blocks)


def vote(blocks: list[Block], ops: Opinions) -> list[Block]:
    """Drop our paragraphs that neither library keeps, when both libraries agree with us."""
    ours = " ".join(b.text for b in blocks if b.kind == "para")
    our_words = word_count(ours)
    if our_words < 40:
        return blocks
    our_sh = _shingles(ours)
    opinions: list[tuple[set[tuple[str, ...]], frozenset[str]]] = []
    for text, sh, lines in zip((ops.trafilatura, ops.readability), ops.shingles, ops.lines, strict=True):
        # Only a library that found (most of) the same article gets a vote.
        if word_count(text) < our_words * 0.3 or not sh:
            return blocks
        if len(sh & our_sh) < 0.5 * len(sh):
            return blocks
        opinions.append((sh, lines))

    def keepers(text: str) -> Iterator[bool]:
        """For each library in turn, whether it keeps ``text`` (lazily, for any/all)."""
        words = re.findall(r"\w+", text.lower())
        return (_has(words, text, op, lines) for op, lines in opinions)

    kept: list[Block] = []
    heading_at: int | None = None  # index in ``kept`` of the current heading
    had = survived = 0  # paragraphs under it before and after the vote
    # A "read next" box or a feed of other stories after the article stays only when both
    # libraries keep it: one of them reading on past the article is not evidence enough.
    feed = _teaser_tail(blocks)
    for i, b in enumerate(blocks):
        teaser = i >= feed
        if b.kind == "heading":
            if b.bare and not b.continued and not any(keepers(b.text)):
                # A bare line taken for a heading that neither library keeps: a widget's
                # label ("Get Tickets", "_blank"), not the article's heading.
                continue
            # Everything under this heading was voted out: it was a box's title, unless both
            # libraries keep the heading itself (an embed or a button under it).
            if heading_at is not None and had and not survived and not all(
                keepers(kept[heading_at].text)
            ):
                del kept[heading_at]
            heading_at, had, survived = len(kept), 0, 0
            kept.append(b)
            continue
        if b.kind != "para":
            kept.append(b)
            continue
        had += 1
        if b.folded or b.continued or (all(keepers(b.text)) if teaser else any(keepers(b.text))):
            kept.append(b)
            survived += 1
    if heading_at is not None and had and not survived and not all(keepers(kept[heading_at].text)):
        del kept[heading_at]
    # The feed's own title ("Read This Next") with every card under it gone.
    in_feed = {id(b) for b in blocks[feed:]}
    while kept and kept[-1].kind == "heading" and id(kept[-1]) in in_feed:
        kept.pop()
    return kept
