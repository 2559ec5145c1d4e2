"""The block walker (private to ``ingest``): the chosen container -> paragraphs, headings,
images, code and links, tolerant of broken markup (unclosed ``<p>``, text loose in
``<article>``, headings written as bare lines). Depth is capped at ``MAX_DEPTH``.
"""

from __future__ import annotations

import re
from typing import Any

from articast.ingest import _rules as R
from articast.ingest._blocks import Block, Extracted
from articast.ingest._dom import (
    _CONTINUED,
    CONTAINERS,
    DROP_TAGS,
    HEADINGS,
    LINKS_MARK,
    MAX_DEPTH,
    TEXT_BLOCKS,
    _code_text,
    _drop_keep_tail,
    _folded_panel,
    _hidden,
    _img_src,
    _links_to_site,
    _list_item_only,
    _site,
    _tag,
    parse_tree,
)
from articast.ingest._libs import trafilatura_html
from articast.ingest._text import (
    clean_inline,
    looks_like_heading,
    split_heading_lines,
    word_count,
)

_BREAK = "\x00"
_SOFT = "\x01"
"""A line end (or ``<br>``) inside a text block of a loose page: a space, unless the line
before it is a bare heading (``<p>`` left open, then "Early Results", then the text)."""
_BOLD = frozenset({"strong", "b"})
_CODE = frozenset({"code", "kbd", "samp", "tt", "var"})
_AD_LINE = re.compile(
    r"^(?:advertisement|advertising|advert|anzeige|publicit[ée]|sponsored(?: content)?)"
    r"(?:\s*[-–—:|]\s*(?:scroll|continue|story|article|page|content|text)[\w\s]*)?$"
    r"|^(?:the )?(?:story|article|content|text) continues (?:below|after)(?: (?:this |the )?"
    r"(?:advertisement|ad))?\.?$"
    r"|^(?:continue|keep) reading below\.?$"
    r"|^loading(?: \w+)?\s*(?:\.\.\.|…)$",
    re.IGNORECASE,
)
"""An ad's label or a placeholder line between paragraphs ("Advertisement - Continue Reading
Below", "Article continues after advertisement", "Loading paragraph...")."""
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)(?:\s+#+)?$")
_PERMALINK = re.compile(r"[\s¶§#🔗]+$")


class _Walker:
    """Turns an element tree into blocks, keeping reading order."""

    def __init__(self, loose: bool, out: Extracted, *, wrapped: bool = False) -> None:
        self.loose = loose
        self.wrapped = wrapped
        """Loose text hard-wrapped in the source: only blank lines separate paragraphs."""
        self.out = out
        self.buf: list[str] = []
        self.bold_chars = 0
        self.bold_depth = 0
        self.code_chars = 0
        self.code_depth = 0
        self.heading_depth = 0
        """Inside a heading every element is inline (some sites put ``<div>``s in ``<h4>``)."""
        self.folded_depth = 0
        """Inside a folded accordion panel (see ``_folded_panel``)."""
        self.continued_depth = 0
        self.links_depth = 0
        """Inside a box that continues the article (see ``_with_continuations``)."""

    # -- buffer -------------------------------------------------------------------------
    def add_text(self, text: str | None, *, container: bool) -> None:
        if not text:
            return
        if container:
            single = self.loose and not self.wrapped
            pattern = r"\r?\n" if single else r"\r?\n[ \t]*\r?\n"
            pieces = re.split(pattern, text)
            for i, piece in enumerate(pieces):
                if i:
                    self.buf.append(_BREAK)
                self.buf.append(piece)
        else:
            self.buf.append(re.sub(r"\r?\n", _SOFT, text))
        if self.bold_depth:
            self.bold_chars += len(text.strip())
        if self.code_depth:
            self.code_chars += len(text.strip())

    def flush(self, kind: str = "para", level: int = 2, *, container: bool = False) -> None:
        raw = "".join(self.buf)
        bold = self.bold_chars
        code = self.code_chars
        self.buf = []
        self.bold_chars = 0
        self.code_chars = 0
        pieces = raw.split(_BREAK)
        lifted: set[str] = set()
        if kind != "heading" and _SOFT in raw:
            split: list[str] = []
            for piece in pieces:
                parts = split_heading_lines(piece.split(_SOFT))
                if len(parts) > 1:
                    lifted.update(p for p in parts if word_count(p) <= 16)
                    for line in parts:
                        if word_count(line) <= 16 and looks_like_heading(line):
                            R.note(R.HEADING_LINE, line)
                split.extend(parts)
            pieces = split
        for piece in pieces:
            text = clean_inline(piece.replace(_SOFT, " "))
            if not text:
                continue
            if kind == "heading":
                # Permalink markers that docs generators append to headings.
                text = _PERMALINK.sub("", text)
                if text:
                    self.out.blocks.append(
                        Block("heading", text, level=level, continued=self.continued_depth > 0)
                    )
            else:
                if _AD_LINE.match(text):
                    R.note(R.AD_LINE, text)
                    continue
                md = _MD_HEADING.match(text) if container else None
                if md:
                    # A Markdown heading typed into an HTML page ("## Results").
                    self.out.blocks.append(Block("heading", md.group(2), level=len(md.group(1))))
                    continue
                all_bold = len(pieces) == 1 and bold >= len(text.replace(" ", "")) * 0.9
                bare = container or len(pieces) > 1 or all_bold
                # A heading line lifted out of a block's text counts like a bold one.
                bold_like = all_bold or text in lifted or (container and not self.loose)
                if len(pieces) == 1 and code >= len(text.replace(" ", "")) * 0.9:
                    # A line of code names ("theme object") is a reference's label, not a heading.
                    bare = bold_like = False
                self.out.blocks.append(
                    Block(
                        "para",
                        text,
                        bare=bare,
                        bold=bold_like,
                        folded=self.folded_depth > 0,
                        continued=self.continued_depth > 0,
                        links=self.links_depth > 0,
                    )
                )

    # -- walk ---------------------------------------------------------------------------
    def walk(self, el: Any, depth: int, container: bool) -> None:
        tag = _tag(el)
        if tag == "pre" and not self.heading_depth:
            # A code listing: the article's own text, kept as a block of its own (shown on
            # pages and in ``ingest``, never read aloud).
            self.flush(container=container)
            code = clean_inline(_code_text(el))
            if code:
                self.out.blocks.append(Block("code", code))
            return
        if tag == "button" and self.heading_depth:
            # An accordion's question: <h3><button aria-expanded>Question</button></h3>.
            self.add_text(el.text, container=False)
            for child in el:
                self.walk(child, depth + 1, False)
                self.add_text(child.tail, container=False)
            return
        if not tag or tag in DROP_TAGS:
            if tag and tag != "pre" and R.recording():
                R.note_element(R.NON_CONTENT, el)
            if tag in {"iframe", "embed", "video", "source", "object"}:
                for attr in ("src", "data-src", "data"):
                    if el.get(attr):
                        self.out.hrefs.append((el.get(attr), el.get("title") or ""))
            return
        # The libraries' vote does not count against a folded FAQ answer or a box that
        # continues the article: their blocks say so.
        folded = int(_hidden(el) and _folded_panel(el))
        continued = int(el.get(_CONTINUED) is not None)
        links = int(el.get(LINKS_MARK) is not None)
        self.folded_depth += folded
        self.continued_depth += continued
        self.links_depth += links
        try:
            self.walk_open(el, depth, container)
        finally:
            self.folded_depth -= folded
            self.continued_depth -= continued
            self.links_depth -= links

    def walk_open(self, el: Any, depth: int, container: bool) -> None:
        """``walk`` past the element kinds that never hold the article's text."""
        tag = _tag(el)
        if depth > MAX_DEPTH:
            # Flatten absurdly deep trees instead of recursing further.
            self.add_text(" ".join(el.itertext()), container=False)
            return
        if tag == "br":
            self.buf.append(_BREAK if self.loose and container else _SOFT)
            return
        if tag == "hr":
            self.flush(container=container)
            self.out.blocks.append(Block("break"))
            return
        if tag == "img":
            src = _img_src(el)
            if src:
                self.out.blocks.append(
                    Block("image", src=src, alt=clean_inline(el.get("alt") or ""))
                )
            return
        if tag == "a":
            href = el.get("href")
            if href:
                self.out.hrefs.append((href, self._link_text(el)))
        if tag in HEADINGS and not self.heading_depth and not _list_item_only(el):
            self._heading(el, depth, container)
            return
        if self.heading_depth:
            if tag in TEXT_BLOCKS or tag in CONTAINERS:
                # A block inside a heading reads as inline text, set apart by spaces.
                self.buf.append(" ")
                self.add_text(el.text, container=False)
                for child in el:
                    self.walk(child, depth + 1, False)
                    self.add_text(child.tail, container=False)
                self.buf.append(" ")
                return
        elif tag == "figure":
            self._figure(el, depth)
            return
        elif tag in TEXT_BLOCKS or tag in CONTAINERS:
            self._block(el, depth, container)
            return
        # inline element
        in_bold = int(tag in _BOLD)
        in_code = int(tag in _CODE)
        self.bold_depth += in_bold
        self.code_depth += in_code
        self.add_text(el.text, container=False)
        for child in el:
            self.walk(child, depth + 1, False)
            self.add_text(child.tail, container=False)
        self.bold_depth -= in_bold
        self.code_depth -= in_code

    def _heading(self, el: Any, depth: int, container: bool) -> None:
        """A heading element: its words (inline, whatever it holds) as a heading block."""
        self.flush(container=container)
        self.heading_depth += 1
        try:
            self.add_text(el.text, container=False)
            for child in el:
                self.walk(child, depth + 1, False)
                self.add_text(child.tail, container=False)
        finally:
            self.heading_depth -= 1
        at = len(self.out.blocks)
        self.flush("heading", HEADINGS[_tag(el)])
        if len(self.out.blocks) == at + 1 and _links_to_site(el, _site(self.out.source_url)):
            self.out.blocks[at].linked = True

    def _block(self, el: Any, depth: int, container: bool) -> None:
        """A block of text or a container: its own blocks, a table row as one line."""
        tag = _tag(el)
        inner_container = tag in CONTAINERS
        self.flush(container=container)
        self.add_text(el.text, container=inner_container)
        cells = 0
        for child in el:
            if tag == "tr" and _tag(child) in {"td", "th"}:
                # Cells of a row read as one line: "Measure; Typical change".
                so_far = "".join(self.buf).replace(_SOFT, " ").rstrip()
                if cells and so_far:
                    self.buf = [so_far, "; "]
                cells += 1
            self.walk(child, depth + 1, inner_container)
            self.add_text(child.tail, container=inner_container)
        if tag in {"tr", "li", "dt", "dd", "caption"}:
            # Line ends in a table row or a list item are never heading breaks.
            self.buf = [b.replace(_SOFT, " ") for b in self.buf]
        self.flush(container=inner_container)

    def walk_root(self, html: str) -> None:
        """Walk a whole (already clean) HTML document."""
        root = parse_tree(html)
        if root is not None:
            self.walk(root, 0, True)
            self.flush(container=True)

    def _figure(self, el: Any, depth: int) -> None:
        caption_el = el.find(".//figcaption")
        caption = clean_inline(" ".join(caption_el.itertext())) if caption_el is not None else ""
        self.flush()
        for img in el.iter("img"):
            src = _img_src(img)
            if src:
                alt = clean_inline(img.get("alt") or "") or caption
                self.out.blocks.append(Block("image", src=src, alt=alt))
        for a in el.iter("a"):
            if a.get("href"):
                self.out.hrefs.append((a.get("href"), self._link_text(a)))
        for frame in el.iter("iframe", "embed", "video", "source"):
            if frame.get("src"):
                self.out.hrefs.append((frame.get("src"), frame.get("title") or caption))
        if depth > MAX_DEPTH:
            return
        if caption_el is not None and caption_el.getparent() is not el:
            # <figure><a><img><figcaption>: the caption is said once, after the figure's text.
            _drop_keep_tail(caption_el)
        # Text in a figure other than the caption (a quote, a table) is still content.
        for child in el:
            if _tag(child) not in {"figcaption", "img", "picture"}:
                self.walk(child, depth + 1, True)
        self.flush(container=True)
        if caption:
            # The caption is part of the article's prose (gold standards count it too).
            self.out.blocks.append(Block("para", caption))

    @staticmethod
    def _link_text(a: Any) -> str:
        text = clean_inline(" ".join(a.itertext()))
        if not text:
            img = a.find(".//img")
            if img is not None:
                text = clean_inline(img.get("alt") or "")
        return text or clean_inline(a.get("title") or "")


RESCUE_BELOW = 150


def _trafilatura_rescue(text: str, out: Extracted) -> None:
    """When our rules found little prose, let trafilatura pick the content instead.

    Measured on the fixtures (see tests/fixtures/ingest/README.md): our rules win on pages
    with landmarks, bare-line headings and broken tags; trafilatura's own scoring helps on
    pages where the text sits in unusual containers and our choice came out nearly empty.
    """
    ours = sum(word_count(b.text) for b in out.blocks if b.kind in ("para", "heading"))
    if ours >= RESCUE_BELOW:
        return
    html = trafilatura_html(text)
    if not html:
        return
    rescued = Extracted()
    _Walker(False, rescued).walk_root(html)
    words = sum(word_count(b.text) for b in rescued.blocks if b.kind in ("para", "heading"))
    if words >= max(60, 2 * ours):
        out.blocks = rescued.blocks
        out.hrefs.extend(rescued.hrefs)
