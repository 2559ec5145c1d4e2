"""The article's title (private to ``ingest``): the page's headline, the one its declared
title names, or a bare title line above the lead; never a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from articast.ingest import _rules as R
from articast.ingest._blocks import Block, Extracted
from articast.ingest._text import (
    capitalise_first,
    looks_like_heading,
    word_count,
)

_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014·•:-]\s+[^|\u2013\u2014·•]{1,60}$")


def _title_line(texts: list[Block]) -> bool:
    """True when the first text block is a bare title line above the lead (never the lead)."""
    first, nxt = texts[0], texts[1] if len(texts) > 1 else None
    return (
        first.kind == "para"
        and first.bare
        and nxt is not None
        and looks_like_heading(first.text)
        and word_count(nxt.text) > word_count(first.text)
    )


def _strip_site(title: str) -> str:
    stripped = _TITLE_SUFFIX.sub("", title)
    return stripped if word_count(stripped) >= 2 else title


def _names(headline: str, declared: str) -> bool:
    """The page's declared title (og:title, its <title> without the site's name) names
    ``headline``."""
    return _same(headline, declared) or _same(declared, headline)


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().lower()

    return norm(a) == norm(b) or (norm(b).startswith(norm(a)) and word_count(a) >= 3)


@dataclass(frozen=True)
class Declared:
    """The titles a page declares: its ``<title>`` and its metadata's (``og:title``...)."""

    page: str
    meta: str | None


def choose_title(out: Extracted, declared: Declared, headlines: list[str]) -> None:
    """Set ``out.title`` and take the title (and what sits above it) out of the blocks."""
    h1 = next((b for b in out.blocks if b.kind == "heading" and b.level == 1), None)
    if h1 is not None:
        _headline(out, h1, declared, headlines)
    elif declared.meta or declared.page:
        out.title = declared.meta or _strip_site(declared.page)
        first = next((b for b in out.blocks if b.kind in ("heading", "para")), None)
        if first is not None and first.kind == "heading" and _same(first.text, out.title):
            R.note(R.TITLE, first.text)
            out.blocks.remove(first)
    else:
        # No declared title: a heading before any prose is the title (bare-line pages).
        texts = [b for b in out.blocks if b.kind in ("heading", "para")]
        first = texts[0] if texts else None
        if first is not None and (first.kind == "heading" or _title_line(texts)):
            out.title = capitalise_first(first.text) if first.kind == "para" else first.text
            R.note(R.TITLE, first.text)
            out.blocks.remove(first)


def _headline(out: Extracted, h1: Block, declared: Declared, headlines: list[str]) -> None:
    out.title = h1.text
    at = out.blocks.index(h1)
    before = [b for b in out.blocks[:at] if b.kind == "para"]
    name = declared.meta or _strip_site(declared.page)
    # Our h1 may be a box's ("FX Excursions" over an ad) when the headline went with its
    # "hero" header: the page's own h1 that its declared title names is the title then.
    named = (
        next((t for t in headlines if t and _names(t, name)), None)
        if name and not _names(h1.text, name)
        else None
    )
    if named is not None:
        out.title = named
    R.note(R.TITLE, h1.text)
    if sum(word_count(b.text) for b in before) < 30:
        # Kickers (a section's name, even as an <h5>), breadcrumbs, dates and a picture's
        # settings ("Image Size") above the headline are not the article.
        for b in out.blocks[:at]:
            if b.kind in ("para", "heading"):
                R.note(R.KICKER, b.text)
        kept = [b for b in out.blocks[:at] if b.kind not in ("para", "heading")]
        out.blocks = kept + out.blocks[at + 1 :]
    else:
        out.blocks.remove(h1)
