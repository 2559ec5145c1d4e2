"""Blocks -> sections: the lead, one section per heading, merges and splits.

Sits inside ``ingest`` after the parsers. Rules:

* text before the first heading is the lead (``title=None``);
* each heading starts a section; a heading with no text under it joins the next heading
  (``"Part one: The start"``), but of a run of three or more only those above the next one do;
  a section of fewer than ``NEAR_EMPTY`` words under a bare line taken for a heading joins the
  previous one, that line kept as a line of text (a heading of the page's own markup keeps even
  a one-line part: a reference page's "Constructor");
* a page without any heading whose text runs past ``SPLIT_ABOVE`` words is cut at natural breaks
  (``<hr>``, paragraph ends, sentence ends as a last resort) into parts of ``MIN_WORDS`` to
  ``MAX_WORDS`` words, titled ``Part 2``, ``Part 3``...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from articast.ingest._blocks import NEAR_EMPTY, Block
from articast.ingest._text import word_count

MIN_WORDS = 150
MAX_WORDS = 400
SPLIT_ABOVE = 450


class Listing(str):
    """A paragraph that is a code listing (it keeps this type through merges and splits)."""

    __slots__ = ()


class LinkItem(str):
    """A paragraph that is an item of a list of links under a heading of its own."""

    __slots__ = ()


@dataclass
class Draft:
    """A section being built: title, paragraphs and image blocks."""

    title: str | None
    level: int = 2
    bare: bool = False
    """The heading was a bare line of text (taken for a heading by its looks)."""
    paragraphs: list[str] = field(default_factory=list)
    images: list[Block] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)
    """Paragraph indexes before which the page had a thematic break (``<hr>``)."""

    @property
    def words(self) -> int:
        return sum(word_count(p) for p in self.paragraphs)


def build_drafts(blocks: list[Block]) -> list[Draft]:
    """Group blocks into sections (before merging and splitting)."""
    drafts: list[Draft] = [Draft(title=None)]
    for b in blocks:
        cur = drafts[-1]
        if b.kind == "heading":
            drafts.append(Draft(title=b.text, level=b.level, bare=b.bare))
        elif b.kind == "para":
            cur.paragraphs.append(LinkItem(b.text) if b.links else b.text)
        elif b.kind == "code":
            cur.paragraphs.append(Listing(b.text))
        elif b.kind == "image":
            cur.images.append(b)
        elif b.kind == "break":
            cur.breaks.append(len(cur.paragraphs))
    return drafts


def merge_drafts(drafts: list[Draft]) -> list[Draft]:
    """Fold empty headings into the next one and near-empty sections into a neighbour."""
    out: list[Draft] = []
    pending: Draft | None = None  # a heading with nothing under it yet
    chain: list[tuple[str, int]] = []  # the headings its title joins, with their levels
    for d in drafts:
        heads = [(d.title, d.level)] if d.title is not None else []
        if pending is not None:
            if d.title is not None:
                if len(chain) > 1:
                    # A third empty heading: keep only those above the new one ("Laptops:
                    # Top pick" then "The best laptop" is "Laptops: The best laptop"); a row
                    # of one rank ("Most Popular: Story one: Story two", the titles of a box
                    # whose links went; "HTML", "CSS", "Result") is not a title.
                    chain = [(t, lv) for t, lv in chain if lv < d.level]
                heads = [*chain, (d.title, d.level)]
                d.title = ": ".join([*(t.rstrip(": ") for t, _ in chain), d.title])
            d.images = pending.images + d.images
            pending = None
        if d.title is not None and not d.paragraphs:
            pending, chain = d, heads
            continue
        out.append(d)
    if pending is not None:
        # A trailing heading with no text: keep only its images.
        if out:
            out[-1].images.extend(pending.images)
        elif pending.images:
            out.append(Draft(title=None, images=pending.images))
    # Drop an empty lead but keep its images for the first real section.
    if out and out[0].title is None and not out[0].paragraphs and len(out) > 1:
        out[1].images = out[0].images + out[1].images
        out.pop(0)
    merged: list[Draft] = []
    for d in out:
        if merged and d.title is not None and d.bare and d.words < NEAR_EMPTY:
            prev = merged[-1]
            base = len(prev.paragraphs)
            # Its heading stays as a line of text: the words are the article's, not ours to drop.
            prev.paragraphs.append(d.title)
            prev.paragraphs.extend(d.paragraphs)
            prev.images.extend(d.images)
            prev.breaks.extend(base + i for i in d.breaks)
            continue
        merged.append(d)
    # A near-empty lead (a one-line teaser) joins the section after it.
    if len(merged) > 1 and merged[0].title is None and 0 < merged[0].words < NEAR_EMPTY:
        first = merged.pop(0)
        merged[0].paragraphs = first.paragraphs + merged[0].paragraphs
        merged[0].images = first.images + merged[0].images
    return merged


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def _pieces(d: Draft) -> list[tuple[str, bool]]:
    """Paragraphs as (text, break_before); over-long paragraphs cut at sentence ends."""
    out: list[tuple[str, bool]] = []
    for i, para in enumerate(d.paragraphs):
        brk = i in d.breaks
        if isinstance(para, Listing) or word_count(para) <= MAX_WORDS:
            out.append((para, brk))
            continue
        chunk: list[str] = []
        for sentence in _SENTENCE_END.split(para):
            chunk.append(sentence)
            if word_count(" ".join(chunk)) >= MAX_WORDS * 3 // 4:
                out.append((" ".join(chunk), brk))
                brk = False
                chunk = []
        if chunk:
            out.append((" ".join(chunk), brk))
    return out


def split_long(d: Draft) -> list[Draft]:
    """Cut one heading-less draft into parts of roughly MIN_WORDS-MAX_WORDS words.

    Parts aim at an even size (total / round(total / 300)); a thematic break (``<hr>``) ends a
    part early once it has MIN_WORDS.
    """
    pieces = _pieces(d)
    total = sum(word_count(t) for t, _ in pieces)
    target = total / max(2, round(total / 300))
    parts: list[Draft] = []
    cur: list[str] = []
    words = 0
    for text, brk in pieces:
        n = word_count(text)
        if cur and (
            (brk and words >= MIN_WORDS)
            or words >= target
            or (words + n > MAX_WORDS and words >= MIN_WORDS // 2)
        ):
            parts.append(Draft(title=None, paragraphs=cur))
            cur, words = [], 0
        cur.append(text)
        words += n
    if cur:
        if parts and words < MIN_WORDS and parts[-1].words + words <= MAX_WORDS + 50:
            parts[-1].paragraphs.extend(cur)
        else:
            parts.append(Draft(title=None, paragraphs=cur))
    if not parts:
        return [d]
    parts[0].title = d.title
    parts[0].images = list(d.images)
    for n, part in enumerate(parts[1:], start=2):
        part.title = f"Part {n}"
    return parts


def arrange(blocks: list[Block]) -> list[Draft]:
    """Sections in reading order, merged and (for heading-less pages) split."""
    drafts = merge_drafts(build_drafts(blocks))
    if len(drafts) == 1 and drafts[0].title is None and drafts[0].words > SPLIT_ABOVE:
        return split_long(drafts[0])
    return drafts
