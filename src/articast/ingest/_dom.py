"""The page as a tree (private to ``ingest``): parsing as a browser does, and the element
helpers every other HTML module uses.

A page is parsed the way a browser builds it (Lexbor through selectolax, then lxml), after
flattening trees deeper than ``FLATTEN_AT``; ``DROP_TAGS`` never hold the article's text.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import lxml.etree
import lxml.html
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from articast.ingest._libs import norm_words
from articast.ingest._text import (
    CJK,
    clean_inline,
    word_count,
)

MAX_DEPTH = 180
#: Elements whose whole subtree is never content.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "canvas",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "label",
        "nav",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "source",
        "track",
        "map",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "dialog",
        "menu",
        "pre",
        "frameset",
        "frame",
        "applet",
        "param",
        "picture_source",
    }
)
#: Elements that hold runs of text (their inner newlines are spaces).
TEXT_BLOCKS = frozenset(
    {"p", "li", "dt", "dd", "tr", "figcaption", "caption", "summary", "address", "legend"}
)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
#: Elements that separate blocks; text directly inside them is "loose".
CONTAINERS = frozenset(
    {
        "html",
        "body",
        "div",
        "section",
        "article",
        "main",
        "blockquote",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "figure",
        "header",
        "footer",
        "aside",
        "details",
        "center",
        "fieldset",
        "hgroup",
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-url")


def _img_src(img: Any) -> str:
    """The real source of an ``<img>`` (lazy-loading attributes first); '' for pixels."""
    for dim in ("width", "height"):
        value = (img.get(dim) or "").strip()
        if value.isdecimal() and int(value) <= 2:
            return ""  # a tracking pixel, not a picture
    src = (img.get("src") or "").strip()
    if not src or src.lower().startswith("data:"):
        for attr in _LAZY_ATTRS:
            lazy = (img.get(attr) or "").strip()
            if lazy:
                return lazy
        srcset = (img.get("srcset") or img.get("data-srcset") or "").strip()
        if srcset:
            # "a.jpg 480w, b.jpg 800w": the first candidate is enough for a slide.
            return srcset.split(",")[0].strip().split(" ")[0]
    return src


def _tag(el: Any) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _site(url: str | None) -> str:
    """A URL's host without ``www.`` (empty for a relative or odd URL)."""
    try:
        host = urllib.parse.urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _links_to_site(heading: Any, site: str) -> bool:
    """True when all of a heading's words are a link to another page of this site (a story's
    card), not to a part of this page (a permalink, a contents entry) or to another site (a
    product or a place in a roundup)."""
    links = []
    for a in heading.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or "#" in href or href.lower().startswith("javascript:"):
            continue
        try:
            parts = urllib.parse.urlsplit(href)
        except ValueError:
            return False
        if parts.netloc and (not site or (parts.hostname or "").removeprefix("www.") != site):
            return False
        links.append(a)
    return bool(links) and norm_words(
        " ".join(t for a in links for t in a.itertext())
    ) == norm_words(heading.text_content())


def _list_item_only(heading: Any) -> bool:
    """``heading`` is all there is of its list item (``<li><h3>hemp</h3></li>``, a list styled
    large): an item of the list, not a heading. A step with its own text stays a heading."""
    item = heading.getparent()
    while item is not None and _tag(item) not in {"li", "dd"}:
        if _tag(item) in {"ul", "ol", "dl", "table", "body", "article", "main", "section"}:
            return False
        item = item.getparent()
    return item is not None and _text_len(item) == _text_len(heading)


def _code_text(pre: Any) -> str:
    """The text of a code listing, a line break (``<br>``, one ``<div>`` a line) kept as one."""
    parts: list[str] = []
    for event, node in lxml.etree.iterwalk(pre, events=("start", "end")):
        if event == "start":
            if node is not pre and _tag(node) in {"br", "div", "p", "li", "tr"}:
                parts.append("\n")
            parts.append(node.text or "")
        elif node is not pre:
            parts.append(node.tail or "")
    return "".join(parts)


def _text_len(el: Any) -> int:
    try:
        text = " ".join(el.itertext())
    except (ValueError, RecursionError):
        return 0
    if not text.isascii() and CJK.search(text):
        return word_count(text)  # words without spaces between them
    return len(text.split())


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})\b[^<>]*?(/?)>")
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "param",
        "keygen",
    }
)
FLATTEN_AT = 200


def flatten_deep(text: str, limit: int = FLATTEN_AT) -> str:
    """Drop the tags (keep the text) of elements nested deeper than ``limit``.

    libxml2 stops parsing at 2048 levels and everything after such a subtree would be lost;
    pathological nesting carries no structure worth keeping, so its tags simply go.
    """
    depth = 0
    stack: list[str] = []
    dropped: dict[str, int] = {}
    pieces: list[str] = []
    last = 0
    changed = False
    for m in _TAG_TOKEN.finditer(text):
        closing, name, selfclose = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or selfclose:
            continue
        drop = False
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
                drop = True
            elif name in stack:
                while stack:
                    if stack.pop() == name:
                        break
        elif len(stack) >= limit:
            dropped[name] = dropped.get(name, 0) + 1
            drop = True
        else:
            stack.append(name)
        depth = max(depth, len(stack))
        if drop:
            changed = True
            pieces.append(text[last : m.start()])
            last = m.end()
    if not changed:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = re.compile(
    r"<(script|style|noscript|template|svg|head|title|pre|code)\b.*?</\1\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_ANY_TAG = re.compile(r"<[^<>]*>")


def visible_words(text: str) -> int:
    """Words a browser would show on the page, counted without a parser (so depth, broken
    markup or a parser limit cannot hide any)."""
    import html

    return word_count(html.unescape(_ANY_TAG.sub(" ", _INVISIBLE.sub(" ", text))))


_GROWTH_LIMIT = 2
"""How much larger than the page the browser's tree may be written before we read the page
with lxml alone (see ``browser_html``)."""


def browser_html(text: str) -> str:
    """``text`` as a browser builds it, written back as HTML with every element closed.

    libxml2 (lxml) is not an HTML5 parser: an end tag cannot close an open ``<div>``, so one
    unclosed ``<div>`` in a ``<header>`` or ``<nav>`` leaves the ``</header>`` unmatched and
    the whole article nested inside the page header. Lexbor (selectolax) builds the tree the
    way a browser does; lxml then parses its well-formed output, and the libraries that vote
    read the same structure. Returns "" when nothing is left.
    """
    # lxml refuses str input that carries an encoding declaration (XHTML): the text is
    # already decoded, so the declaration goes.
    # Control characters are not XML text: lxml parses them but refuses to set them back
    # (moving a tail), so they go before parsing.
    text = _CONTROL.sub("", text)
    text = _XML_DECL.sub("", flatten_deep(text), count=1)
    if not text.strip():
        return ""
    try:
        html = LexborHTMLParser(text).html or text
    except (SelectolaxError, ValueError, RuntimeError, MemoryError):
        return text  # lxml's recovering parse of the page as it came
    if len(html) > _GROWTH_LIMIT * len(text) + 100_000:
        # Unclosed <b><i><u> reopened in every paragraph (the HTML5 rule) can multiply a
        # hostile page's elements; libxml2 does not reopen them.
        return text
    return html


def parse_tree(text: str) -> Any | None:
    """An lxml tree of ``text`` as a browser builds it; None when nothing parseable is left."""
    return _parse_browser_html(browser_html(text))


def _parse_browser_html(text: str) -> Any | None:
    if not text.strip():
        return None
    # huge_tree lifts libxml2's 256-level cap so text after a deep subtree is not lost; the
    # walker flattens anything deeper than MAX_DEPTH, so no Python recursion follows it.
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, recover=True, huge_tree=True
    )
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    return root


def _meta(root: Any, *names: str) -> str | None:
    for name in names:
        for el in root.iter("meta"):
            key = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
            if key == name:
                content = clean_inline(el.get("content") or "")
                if content:
                    return content
    return None


_TOGGLE_WORDS = 40


def _folded_panel(el: Any) -> bool:
    """``el`` is the folded part of an accordion ("FAQ": a question's answer): the element
    before it holds the toggle that opens it (``aria-expanded``, or ``aria-controls`` naming
    it). A browser shows it at a click; a hidden sign-up box has no such toggle."""
    prev = el.getprevious()
    if prev is None or not isinstance(prev.tag, str) or _text_len(prev) > _TOGGLE_WORDS:
        # Only a question or a button row: a modal after an article that holds some toggle
        # is not that toggle's panel.
        return False
    ident = el.get("id")
    for toggle in prev.iter():
        if not isinstance(toggle.tag, str):
            continue
        if toggle.get("aria-expanded") is not None or (
            ident and toggle.get("aria-controls") == ident
        ):
            return True
    return False


def _link_density(el: Any) -> float:
    total = _text_len(el)
    if not total:
        return 0.0
    linked = sum(_text_len(a) for a in el.iter("a"))
    return min(1.0, linked / total)


def _iter_all(root: Any) -> Iterator[Any]:
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


_DROP_XPATH = ".//text()[not(" + " or ".join(f"ancestor::{t}" for t in sorted(DROP_TAGS)) + ")]"


def _plain(el: Any) -> str:
    """The text our walker would read in ``el`` (dropped tags skipped), roughly."""
    try:
        return " ".join(str(t) for t in el.xpath(_DROP_XPATH))
    except (lxml.etree.LxmlError, RecursionError, ValueError):
        return ""


def _hidden(el: Any) -> bool:
    """``el`` is not shown (``hidden``, ``display: none``, ``aria-hidden="true"``)."""
    return (
        el.get("hidden") is not None
        or bool(_HIDDEN_STYLE.search(el.get("style") or ""))
        or (el.get("aria-hidden") or "").lower() == "true"
    )


LINKS_MARK = "data-articast-links"
"""Set on a list of links under a heading of its own (``_boilerplate.introduced_list``)."""
_CONTINUED = "data-articast-continued"
"""Marks a box ``_with_continuations`` added (the walker tells its blocks)."""


def _drop_keep_tail(el: Any) -> None:
    """Remove ``el`` from its parent but keep the text that follows it."""
    parent = el.getparent()
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
