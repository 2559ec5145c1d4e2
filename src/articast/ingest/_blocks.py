"""The intermediate form every ingest parser produces: a flat list of ``Block`` values.

Sits inside ``ingest`` between the parsers (HTML, Markdown, text) and ``_sections`` (which turns
blocks into ``Section`` values). Also holds the bare-line heading pass shared by loose HTML and text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from articast.ingest import _rules as R
from articast.ingest._text import FIELD_LINE, capitalise_first, looks_like_heading, word_count

BlockKind = Literal["heading", "para", "image", "break", "code"]


@dataclass
class Block:
    """One unit of the article in reading order."""

    kind: BlockKind
    text: str = ""
    """The words (headings, paragraphs, a code listing's text on one line)."""
    level: int = 2
    """Heading level (1-6); 2 for headings found as bare text lines."""
    src: str = ""
    """Image reference as written (image blocks)."""
    alt: str = ""
    """Image alt text or caption (image blocks)."""
    bare: bool = False
    """A paragraph that came from a bare text line (candidate heading)."""
    bold: bool = False
    """A paragraph written entirely in bold (candidate heading on well-formed pages)."""
    linked: bool = False
    """A heading that is all a link to another page of the same site (a story's card in a
    "read next" box or a feed; not a permalink, not a shop's page)."""
    continued: bool = False
    """Text of a box after the article's own that continues it (see ``_with_continuations``):
    the libraries stop at the first box, so their vote does not count against it."""
    links: bool = False
    """An item of a list of links under a heading of its own (``_boilerplate.introduced_list``):
    the article's, kept and shown, not read aloud."""
    folded: bool = False
    """Text of a folded accordion panel (an FAQ's answer): the libraries leave hidden text
    out, so their vote does not count against it."""


@dataclass
class Extracted:
    """What a parser found, before sections are built."""

    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    """An explicit title (``<h1>``, ``<title>``, front matter), when there is one."""
    language: str | None = None
    byline: str | None = None
    hrefs: list[tuple[str, str]] = field(default_factory=list)
    """Every link target with its text, in order (``href``, ``src`` of frames)."""
    source_url: str | None = None
    """The page's canonical URL, when it declares one."""
    warnings: list[str] = field(default_factory=list)


NEAR_EMPTY = 8
"""Words below which a section is too short to stand alone (it joins a neighbour), and within
which a bold line right under a real heading is part of it, not a new heading."""


def promote_bare_headings(blocks: list[Block], *, bold_only: bool = False) -> None:
    """Turn bare paragraph lines that read like headings into level-2 headings, in place.

    A line qualifies when it is short, has no closing punctuation and the next text block is a
    paragraph of running prose (so a short last line of an article is not taken for a heading).
    """
    text_blocks = [b for b in blocks if b.kind in ("para", "heading")]
    since_heading: int | None = None  # words since the last heading of the page's own markup
    for i, b in enumerate(text_blocks):
        if b.kind == "heading" and not b.bare:
            since_heading = 0
            continue
        words = word_count(b.text)
        just_under = since_heading is not None and since_heading < NEAR_EMPTY
        if since_heading is not None:
            since_heading += words
        if b.kind != "para" or not b.bare or not looks_like_heading(b.text):
            continue
        if bold_only and not b.bold:
            continue
        if bold_only and just_under:
            # A bold line right under a real heading ("Base price: $38,630" under a car's
            # name, with only a picture credit between) belongs to that heading's part.
            continue
        nxt = text_blocks[i + 1] if i + 1 < len(text_blocks) else None
        prev = text_blocks[i - 1] if i else None
        if FIELD_LINE.match(b.text) and any(
            o is not None and o.kind == "para" and FIELD_LINE.match(o.text) for o in (prev, nxt)
        ):
            # "Date: March 2-5" over "Location: Barcelona": a block of facts, each line a
            # label and its value, in any language.
            continue
        if bold_only and any(o is not None and o.bare and o.bold for o in (prev, nxt)):
            # A run of bold lines ("Deadline: March", "Award: $2,000") is a block of facts,
            # not a heading above each line.
            continue
        if nxt is None or nxt.kind != "para":
            continue
        if nxt.bare and looks_like_heading(nxt.text) and word_count(nxt.text) <= word_count(b.text):
            continue
        R.note(R.BARE_HEADING, b.text)
        b.kind = "heading"
        b.level = 2
        # Bare headings are written any which way; their first letter is always a capital.
        b.text = capitalise_first(b.text)
