"""HTML -> blocks: boilerplate removal, main-content choice and a tolerant block walker.

Sits inside ``ingest`` after ``_source`` (decoded, fence-stripped, split tags joined) and before
``_sections``. Works on lxml's recovering parser, so broken markup (unclosed ``<p>``, text loose in
``<article>``, headings written as bare lines) still yields blocks. Depth is capped: the parser
itself stops at 256 levels and the walker flattens anything deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import lxml.etree
import lxml.html
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from articast.ingest import _rules as R
from articast.ingest._blocks import Block, Extracted, promote_bare_headings
from articast.ingest._libs import Opinions, bag, norm_words, opinions, trafilatura_html, vote
from articast.ingest._text import (
    CJK,
    CJK_ENDS,
    capitalise_first,
    clean_inline,
    is_fact,
    looks_like_heading,
    split_heading_lines,
    word_count,
)
from articast.ingest._youtube import parse_youtube

MAX_DEPTH = 180
_BREAK = "\x00"
_SOFT = "\x01"
"""A line end (or ``<br>``) inside a text block of a loose page: a space, unless the line
before it is a bare heading (``<p>`` left open, then "Early Results", then the text)."""

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
_BOLD = frozenset({"strong", "b"})
_CODE = frozenset({"code", "kbd", "samp", "tt", "var"})

_BOILER_WORDS = (
    "cookie",
    "consent",
    "gdpr",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "sign-up",
    "share",
    "sharing",
    "social",
    "sharebar",
    "related",
    "recommended",
    "comment",
    "comments",
    "disqus",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "menu",
    "navbar",
    "nav",
    "navigation",
    "footer",
    "header",
    "masthead",
    "advert",
    "advertisement",
    "ads",
    "ad",
    "sponsor",
    "sponsored",
    "promo",
    "popup",
    "modal",
    "banner",
    "toolbar",
    "pagination",
    "pager",
    "skip-link",
    "skiplink",
    "widget",
    "tags",
    "tag-list",
    "author-bio",
    "paywall",
    "print",
    "site-header",
    "site-footer",
    "related-posts",
    "read-more",
    "more-stories",
    "outbrain",
    "taboola",
    "toc",
    "table-of-contents",
    "byline",
    "author",
    "dateline",
    "meta",
    "entry-meta",
    "post-meta",
    "article-meta",
    "headerlink",
    "anchorjs-link",
    "visually-hidden",
    "sr-only",
    "screen-reader-text",
)
_BOILER_RE = re.compile(
    r"(?:^|[\s_-])(?:" + "|".join(re.escape(w) for w in _BOILER_WORDS) + r")(?:$|[\s_-])",
    re.IGNORECASE,
)
_NOT_IN_TOC = re.compile(
    r"(?<![\w-])(?:(?:hide|exclude|omit)-from-toc|no-?toc|not-in-toc|toc-(?:ignore|exclude|skip|hidden))"
    r"(?![\w-])",
    re.IGNORECASE,
)
"""Class names that keep a heading *out of* the table of contents: the heading is the
article's (``<h3 class="hide-from-toc">``), not a table of contents."""
_HEADER_MARK = re.compile(r"(?<![\w])[\w-]*header[\w-]*", re.IGNORECASE)
_NAV_MARK = re.compile(r"(?<![^\s_-])(?:nav|navigation|toc)(?![^\s_-])", re.IGNORECASE)
_PART_HEADER = re.compile(
    r"(?<!\S)(?!(?:site|page|global|main|top|mobile|desktop|sticky|fixed|nav)[-_]+header)"
    r"[\w-]*[a-z0-9]{2}[-_]+header(?!\S)",
    re.IGNORECASE,
)
"""A class naming the header of a part of the page (a card, an entry, a section), not the
page's own header (``header``, ``site-header``, ``page-header``, ``header__nav`` stay)."""
_COMMENT_BOX = re.compile(r"(?:^|[\s_-])(?:comments?|comment-?form|disqus)(?:$|[\s_-])", re.I)
_BOILER_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert", "menu"}
)
_KEEP = frozenset({"html", "body", "main", "article"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BYLINE_RE = re.compile(r"(?:^|[\s_-])(?:byline|author|posted-by|article-author)(?:$|[\s_-])", re.I)
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
_CREDIT_LINE = re.compile(
    r"^(?i:(?:(?:written|reviewed|medically reviewed|fact[- ]checked|edited|reported|words|text)"
    r"\s+)?(?:by|von|por|par|door|di|av)\s+(?:dr\.?\s+)?)[A-ZÀ-ÖØ-Þ][\w.'’-]+(?:\s|,|$)",
)
"""A credit line above the story ("By Ada Lamp, Staff Writer", "Reviewed by Dr. ..."): the
capital after "by" keeps "By contrast," and "By 2030," out."""
_PICTURE_LABEL = re.compile(
    r"^(?:(?:top |main |lead |header )?(?:image|photo|photograph|picture|illustration|foto|bild|"
    r"imagen)s?(?:\s+credits?)?)\s*:\s*\S",
    re.IGNORECASE,
)
_CREDIT_HINT = re.compile(
    r"©|\bcredits?\b|\bcourtesy\b|\bvia\b|/|\b(?:getty images|shutterstock|istock(?:photo)?|alamy|"
    r"reuters|ap photo|afp)\b",
    re.IGNORECASE,
)
_PICTURE_CREDIT = re.compile(
    r"^(?:credits?\s*:|©)|\b(?:getty images|shutterstock|istock(?:photo)?|alamy|ap photo)\b.{0,40}$",
    re.IGNORECASE,
)


_PICTURE_BY = re.compile(
    r"^(?:(?:top|main|lead|header|featured?|cover)\s+)?(?:image|photo|photograph|photography|"
    r"picture|illustration|foto|bild|imagen|immagine)s?\s+(?:courtesy(?:\s+of)?\s+\S|credit\b|"
    r"(?:by|von|de|por|di|van|par)\s+(?!(?:the|a|an|this|that|my|our|night|day)\b)\S)",
    re.IGNORECASE,
)
"""A picture's credit written as a phrase: "Image by Ada Lamp via One Fab Day", "Photo by Ada
Lamp on Unsplash", "Foto von Ada Lamp" (not "Photo by the harbour at dawn")."""


def _picture_credit(text: str, words: int) -> bool:
    """A picture's credit line ("Image: (c) Ada Lamp/Getty Images", "Photo: Ada Lamp",
    "Image by Ada Lamp via One Fab Day")."""
    if _PICTURE_BY.match(text) and words <= 15 and not re.search(r"[a-z]{2}[.!?]\s+\S", text):
        # (an initial's full stop, "Camilla M. Photography", does not end a sentence)
        return True
    if _PICTURE_LABEL.match(text):
        return words <= 6 or bool(_CREDIT_HINT.search(text))
    # A caption that ends with its credit is the caption: the article's words.
    return bool(_PICTURE_CREDIT.search(text)) and not re.search(r"\w[.!?]\s*\S", text)


_ABOUT_AUTHOR = re.compile(
    r"^(?:about|more about|more from|meet) (?:the |our |this )?"
    r"(?:authors?|reviewers?|writers?|contributors?|editors?)\b"
    r"|^(?:über (?:den|die) autor(?:in)?|à propos de l'auteur|sobre (?:el|la) autora?|sull'autore)\b",
    re.IGNORECASE,
)
_PERMALINK = re.compile(r"[\s¶§#🔗]+$")
_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014·•:-]\s+[^|\u2013\u2014·•]{1,60}$")


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
    return bool(links) and norm_words(" ".join(t for a in links for t in a.itertext())) == norm_words(
        heading.text_content()
    )


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
        if toggle.get("aria-expanded") is not None or (ident and toggle.get("aria-controls") == ident):
            return True
    return False


def _boilerplate_rule(el: Any, body_words: int) -> str | None:
    """The rule (``_rules``) that makes ``el`` page furniture, or ``None``: it may be content."""
    tag = _tag(el)
    if tag in _KEEP:
        return None
    if tag in {"span", "a", "div", "small"} and _EDIT_LINK.search(el.get("class") or ""):
        # A wiki's "[edit]" beside every heading (MediaWiki's mw-editsection).
        return R.EDIT_LINK
    if tag == "header" and any(
        _tag(a) in {"article", "main"} or (a.get("role") or "") == "main"
        for a in el.iterancestors()
    ):
        # The article's own header holds its h1 and standfirst; its byline box goes by class.
        return None
    if tag in {"header", "footer", "aside"}:
        # Never drop one that holds most of the page (some sites wrap everything in one).
        return R.PAGE_FURNITURE if _text_len(el) < max(80, body_words // 2) else None
    if (
        (el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true")
        and not _STREAMED.match(el.get("id") or "")
        and not _folded_panel(el)
    ):
        return R.HIDDEN
    if tag in {"a", "span", "em", "strong", "b", "i", "code"} and any(
        _tag(a) in HEADINGS for a in el.iterancestors()
    ):
        # A heading's own words ("<h2><a class='toc-backref'>Introduction</a>") stay; only
        # a permalink marker (¶, #) inside it goes.
        empty = _text_len(el) == 0 or not any(ch.isalnum() for ch in "".join(el.itertext()))
        return R.PERMALINK if empty else None
    if _HIDDEN_STYLE.search(el.get("style") or "") and not _folded_panel(el):
        return R.HIDDEN
    if tag in {"div", "section", "p", "span", "table"} and _has_controls(el):
        # A small box with a field or a labelled button is a sign-up, search or consent box;
        # a bigger one only when it names itself a comment form (its posting rules with it).
        # Other big boxes with buttons are content ("toc-content-sidebar" grids, docs).
        names = " ".join((el.get("class") or "", el.get("id") or ""))
        return R.FORM_BOX if _text_len(el) < 60 or _COMMENT_BOX.search(names) else None
    role = (el.get("role") or "").lower()
    if role == "tablist" and _text_len(el) < 60:
        # A row of tab labels ("Python Node.js PHP"): controls, not text; an accordion that
        # holds its panels (jQuery UI's tablist around headings and tabpanels) is content.
        panels = any(
            _tag(d) in HEADINGS or (d.get("role") or "").lower() == "tabpanel" for d in el.iter()
        )
        return None if panels else R.TAB_LABELS
    marks = _furniture_marks(" ".join((el.get("class") or "", el.get("id") or "")))
    if el.get("id") and _BOILER_RE.search(marks) and _id_is_heading_slug(el):
        # <section id="s-meta-options"><h2>Meta options</h2>: the id names the heading.
        marks = _furniture_marks(el.get("class") or "")
    if _BOILER_RE.search(marks) and (tag in HEADINGS or _wraps_a_heading(el)):
        # A heading's id is its slug ("sharing-a-lantern", "related-work") and its "header"
        # classes name the heading itself ("section-header", "header-anchor-post", mdBook's
        # ``<a class="header"><h2>``): neither says page furniture.
        marks = _HEADER_MARK.sub(" ", _NOT_IN_TOC.sub(" ", el.get("class") or ""))
        if tag in HEADINGS and _id_is_heading_slug(el):
            # <h3 class="navigation-heading" id="Methods">Methods</h3>: a heading the page's
            # own navigation jumps to is a part of the article, not a menu's title.
            marks = _NAV_MARK.sub(" ", marks)
    if (
        _HEADER_MARK.search(marks)
        and el.find(".//h1") is not None
        and any(_tag(a) in {"article", "main"} or a.get("role") == "main" for a in el.iterancestors())
    ):
        # The article's own header inside <main> (MDN's "layout__header"): its h1 and lead.
        marks = _HEADER_MARK.sub(" ", marks)
    if role in _BOILER_ROLES or (marks.strip() and _BOILER_RE.search(marks)):
        if el.find(".//article") is not None or el.find(".//main") is not None:
            return None
        words = _text_len(el)
        # Class names lie ("post has-sidebar"): keep a box that holds most of the page's prose.
        return None if words > 150 and words > body_words // 2 else R.FURNITURE_CLASS
    return None


def _furniture_marks(names: str) -> str:
    """Class and id names that may say page furniture: without those that keep a heading out
    of a table of contents, a part's own header ("card-header", "entry-header",
    "section-header": not the page's) and page builders' names ("elementor-widget-text-editor":
    nothing about the content)."""
    return _BUILDER.sub(" ", _PART_HEADER.sub(" ", _NOT_IN_TOC.sub(" ", names)))


_COPY_BUTTON = re.compile(
    r"^\W*(?:copy|copied)(?:\s+(?:the\s+)?(?:code|snippet|block|command|text|link|to\s+clipboard))*\W*$",
    re.IGNORECASE,
)
"""A code listing's own button: "Copy", "Copied", "Copy code block", "Copy to clipboard"."""


def _has_controls(el: Any) -> bool:
    """``el`` holds a form field or a button that asks for something (subscribe, accept,
    search). A toggle that folds a part open (``aria-expanded``) and "Copy" do not count, nor
    does an icon-only button (a permalink, a copy button) beside a heading or a code listing:
    docs pages put them beside their own text."""
    for field in el.iter("input", "select", "textarea"):
        if (field.get("type") or "").lower() != "hidden":
            return True
    docs_like: bool | None = None
    for button in el.iter("button"):
        if button.get("aria-expanded") is not None or button.get("aria-controls") is not None:
            continue
        label = clean_inline(" ".join(button.itertext()))
        if label:
            if not _COPY_BUTTON.match(label):
                return True
            continue
        if docs_like is None:
            docs_like = next(el.iter("pre", "code", *HEADINGS), None) is not None
        if not docs_like:
            return True
    return False


_EDIT_LINK = re.compile(r"(?<![\w-])(?:mw-)?edit-?section(?![\w-])|(?<![\w-])edit-?link(?![\w-])", re.I)
_STREAMED = re.compile(r"S:\d+$")
"""React's streamed server rendering sends a part of the page in ``<div hidden id="S:2">``
and moves it into place with a script: hidden only until the page has loaded."""
_BUILDER = re.compile(r"(?<!\S)elementor-[\w-]*", re.IGNORECASE)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[^\W_]+", text.lower()))


def _id_is_heading_slug(el: Any) -> bool:
    """``el``'s id is the slug of its own first heading ("s-meta-options" for "Meta options")."""
    heading = next(el.iter(*HEADINGS), None)
    if heading is None:
        return False
    slug = _slug(_plain(heading))
    ident = _slug(el.get("id") or "")
    return bool(slug) and (ident == slug or ident.endswith("-" + slug) or ident.startswith(slug))


def _wraps_a_heading(el: Any) -> bool:
    """``el`` holds a heading and next to nothing else (a permalink or a wrapper around it)."""
    heading = next(el.iter(*HEADINGS), None)
    return heading is not None and _text_len(el) <= _text_len(heading) + 1


def _link_density(el: Any) -> float:
    total = _text_len(el)
    if not total:
        return 0.0
    linked = sum(_text_len(a) for a in el.iter("a"))
    return min(1.0, linked / total)


def _link_density_beside_headings(el: Any) -> float:
    """Link density of the text of ``el`` outside its headings.

    Docs generators wrap each heading in a box with its permalink (``<div class="heading-
    wrapper"><h2><a href="#why">Why</a></h2></div>``): all link text, yet the article's
    heading, not a box of links. A related-links box with its own title still counts.
    """
    heads = [h for h in el.iter(*HEADINGS) if h is not el]
    if not heads:
        return _link_density(el)
    total = _text_len(el) - sum(_text_len(h) for h in heads)
    if total <= 0:
        return 0.0
    linked = sum(
        _text_len(a)
        for a in el.iter("a")
        if not any(_tag(up) in HEADINGS for up in a.iterancestors())
    )
    return min(1.0, linked / total)


def _following(el: Any) -> Iterator[Any]:
    """The elements after ``el`` in document order (its own subtree skipped)."""
    while el is not None:
        for sib in el.itersiblings():
            yield from sib.iter()
        el = el.getparent()


def _text_follows(box: Any, going: set[Any]) -> bool:
    """Some text follows ``box`` (not in a box in ``going``, not a control), and it is not a
    heading: the headings in ``box`` have a part of the article under them."""
    for i, node in enumerate(_following(box)):
        if i > 400:
            return False
        tag = _tag(node)
        if not tag or not (node.text or "").strip():
            continue
        ups = [node, *node.iterancestors()]
        if any(_tag(up) in HEADINGS for up in ups):
            # Even one in a box that goes: a list of picks above the first pick's own heading.
            return False
        if any(up in going or _tag(up) in DROP_TAGS for up in ups):
            continue
        return True
    return False


def _keep_headings_of(box: Any, ops: Opinions, going: set[Any]) -> None:
    """Put back, before a box of links about to go, the headings in it that trafilatura keeps
    as lines of the article: a roundup's "Best Overall" and the product's name sit in a box
    with the shop buttons, and the review under them follows the box. Not a box of cards
    (three headings or more) nor one followed by a heading (a call to action's title)."""
    heads = list(box.iter(*HEADINGS))
    if not heads or len(heads) > 2 or not _text_follows(box, going):
        return
    for h in heads:
        text = clean_inline(" ".join(h.itertext()))
        if text and ops.keeps_line(text):
            copy = lxml.html.Element(_tag(h))
            copy.text = text
            box.addprevious(copy)


def _prose_len(el: Any) -> int:
    """Words of ``el`` that are not link text."""
    return _text_len(el) - sum(_text_len(a) for a in el.iter("a"))


def _best_by_density(body: Any) -> Any:
    """Readability-style choice: the element whose paragraphs carry the most prose."""
    scores: dict[Any, float] = {}
    for el in body.iter("p", "td", "pre", "blockquote"):
        n = len(" ".join(el.itertext()).strip())
        if n < 25:
            continue
        points = 1 + " ".join(el.itertext()).count(",") + min(n // 100, 3)
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + points
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + points / 2
    if not scores:
        return body
    best = max(scores, key=lambda e: scores[e] * (1 - _link_density(e)))
    # Climb while the parent adds little (a heading or lead beside the text, not a sidebar).
    while best is not body:
        parent = best.getparent()
        if parent is None:
            break
        own = _prose_len(best)
        extra = _prose_len(parent) - own
        heading_beside = any(
            h.getparent() is not None and best not in h.iterancestors()
            for h in parent.iter("h1", "h2", "h3")
        )
        if extra > 5 and not (heading_beside and extra <= own * 0.25 + 10):
            break
        best = parent
    return best


def _find_main(root: Any) -> Any:
    body = root.find(".//body")
    if body is None:
        body = root
    body_words = _text_len(body)
    articles = [el for el in root.iter("article") if _text_len(el) > 20]
    if articles:
        best = max(articles, key=_text_len)
        # Listing pages have many <article>s; one that holds little of the page is not it.
        if _text_len(best) >= body_words * 0.4 or len(articles) == 1:
            return best
    mains = [el for el in root.iter() if _tag(el) == "main" or (el.get("role") or "") == "main"]
    mains = [m for m in mains if _text_len(m) > 20]
    if mains:
        return max(mains, key=_text_len)
    return _best_by_density(body)


def _byline(root: Any) -> str | None:
    author = _meta(root, "author", "article:author", "dc.creator", "parsely-author")
    if author and not author.startswith("http"):
        return author
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        marks = " ".join((el.get("class") or "", el.get("rel") or "", el.get("itemprop") or ""))
        if _BYLINE_RE.search(marks) or (el.get("rel") or "").lower() == "author":
            text = clean_inline(" ".join(el.itertext()))
            text = re.sub(r"^(?:by|von|par|por)\s+", "", text, flags=re.IGNORECASE)
            if 0 < word_count(text) <= 8:
                return text
    return None


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
        self.folded_depth += folded
        self.continued_depth += continued
        try:
            self.walk_open(el, depth, container)
        finally:
            self.folded_depth -= folded
            self.continued_depth -= continued

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
            self.flush("heading", HEADINGS[tag])
            if len(self.out.blocks) == at + 1 and _links_to_site(el, _site(self.out.source_url)):
                self.out.blocks[at].linked = True
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


def _hard_wrapped(main: Any) -> bool:
    """True when the loose text is hard-wrapped source (lines end mid-sentence)."""
    lines: list[str] = []
    for el in main.iter():
        if _tag(el) not in CONTAINERS:
            continue
        for piece in [el.text or "", *((c.tail or "") for c in el)]:
            lines.extend(ln.strip() for ln in piece.splitlines() if word_count(ln) >= 5)
    if len(lines) < 4:
        return False
    lengths = sorted(len(ln) for ln in lines)
    open_ended = sum(
        1 for ln in lines if not ln.endswith((".", "!", "?", ":", '"', "”", ")", *CJK_ENDS)) and not is_fact(ln)
    )
    return lengths[len(lengths) // 2] < 100 and open_ended >= 0.5 * len(lines)


_ITEM_TAGS = frozenset({"a", "li", "button", "label"})


def _loose_share(main: Any) -> float:
    loose = total = 0
    for el in main.iter():
        tag = _tag(el)
        if not tag or tag in DROP_TAGS:
            continue
        pieces = [el.text or ""] if tag in CONTAINERS else []
        total += len((el.text or "").strip())
        for child in el:
            tail = (child.tail or "").strip()
            total += len(tail)
            if tag in CONTAINERS:
                pieces.append(tail)
        if any(p.strip() for p in pieces) and any(_tag(a) in _ITEM_TAGS for a in el.iterancestors()):
            # A card's <div>s inside a link or a list item (a mega-menu's product blurbs) are
            # the item's words, not a scraped dump's loose lines.
            continue
        loose += sum(len(p.strip()) for p in pieces)
    return loose / total if total else 0.0


def _iter_all(root: Any) -> Iterator[Any]:
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def extract_html(text: str, *, clean: bool = True) -> Extracted:
    """Blocks, title, language, byline and links of an HTML document (never raises for bad HTML).

    ``clean`` removes boilerplate (navigation, cookie boxes...) and picks the main content; the
    Markdown path turns it off because a draft has no page furniture.
    """
    out = Extracted()
    # Every reader of the page (our walker, both libraries, the rescue) sees the browser's tree.
    text = browser_html(text)
    root = _parse_browser_html(text)
    if root is None:
        return out
    html_el = root if _tag(root) == "html" else root.find(".//html")
    lang = (html_el.get("lang") or html_el.get("xml:lang")) if html_el is not None else None
    out.language = lang or _meta(root, "og:locale", "content-language", "language", "dc.language")
    canonical = root.find(".//link[@rel='canonical']")
    if canonical is not None and (canonical.get("href") or "").startswith("http"):
        out.source_url = canonical.get("href")
    else:
        out.source_url = _meta(root, "og:url")
    out.byline = _byline(root)
    title_el = root.find(".//title")
    page_title = clean_inline(title_el.text_content()) if title_el is not None else ""
    og_title = _meta(root, "og:title", "twitter:title", "dc.title")

    body = root.find(".//body")
    if body is None:
        body = root
    R.set_page(" ".join(body.itertext()))
    # Embedded players anywhere but the page furniture: the talk when the text has none.
    embeds = [
        (el.get("src") or "", el.get("title") or "")
        for el in body.iter("iframe", "embed")
        if parse_youtube(el.get("src") or "") is not None
        and not any(_tag(a) in {"nav", "footer"} for a in el.iterancestors())
    ]
    # Style rules, scripts and an icon's <svg><title> (a name for screen readers) are never
    # shown: without them, a box's size is its words (a CSS-in-JS site puts a <style> in every
    # widget; a permalink or a thumbs-up button is an icon) and a code listing is its code.
    for el in list(body.iter("script", "style", "svg")):
        _drop_keep_tail(el)
    headlines = [clean_inline(" ".join(h.itertext())) for h in body.iter("h1")]
    ops: Opinions | None = None
    if clean:
        body_words = _text_len(body)
        if _loose_share(body) < 0.4:
            # Well-formed page: the libraries' opinions are evidence for the choices below.
            ops = opinions(text)
        why = {el: rule for el in _iter_all(body) if (rule := _boilerplate_rule(el, body_words))}
        marked = list(why)
        spared = _vetoed_groups(marked, ops) if ops else set()
        if ops is not None:
            spared.update(el for el in marked if el not in spared and _vetoed(el, ops))
        doomed = [el for el in marked if el not in spared and not _part_of_spared(el, spared)]
        for el in doomed:
            parent = el.getparent()
            if parent is not None:
                R.note_element(why[el], el)
                _drop_keep_tail(el)
        main = _find_main(root)
        if ops is not None:
            main = _best_container(main, body, ops)
        main = _with_continuations(main)
        if R.recording():
            _note_outside(main, body)
        # Lists and boxes made mostly of links (related stories, tag clouds, unlabeled menus).
        linky = [
            el
            for el in main.iter("ul", "ol", "div", "section", "table", "dl", "td", "p", "center")
            if el is not main
            and _text_len(el) < (15 if _tag(el) == "p" else 300)
            and _link_density_beside_headings(el) > 0.65
            # A paragraph that is just the talk link ("Watch the lecture") is the talk.
            and not (_tag(el) == "p" and any(parse_youtube(a.get("href") or "") for a in el.iter("a")))
        ]
        going = set(linky)
        for el in linky:
            if el.getparent() is not None:
                if ops is not None:
                    _keep_headings_of(el, ops, going)
                R.note_element(R.LINK_LIST, el)
                _drop_keep_tail(el)
    else:
        main = body

    loose = _loose_share(main) >= 0.4
    walker = _Walker(loose, out, wrapped=loose and _hard_wrapped(main))
    walker.walk(main, 0, True)
    walker.flush(container=True)
    # Loose pages: any short bare line may be a heading. Well-formed pages: only a paragraph
    # that is entirely bold (a CMS "heading" typed as <p><strong>...</strong></p>).
    promote_bare_headings(out.blocks, bold_only=not loose)
    if clean:
        _trafilatura_rescue(text, out)
        if not loose and ops is not None:
            out.blocks = _noted_drops(R.LIBRARY_VOTE, out.blocks, vote(out.blocks, ops))
        out.blocks = _without_credits(_without_debris(out.blocks))
    if not any(parse_youtube(href) for href, _ in out.hrefs):
        out.hrefs.extend(embeds)

    h1 = next((b for b in out.blocks if b.kind == "heading" and b.level == 1), None)
    if h1 is not None:
        out.title = h1.text
        at = out.blocks.index(h1)
        before = [b for b in out.blocks[:at] if b.kind == "para"]
        declared = og_title or _strip_site(page_title)
        # Our h1 may be a box's ("FX Excursions" over an ad) when the headline went with its
        # "hero" header: the page's own h1 that its declared title names is the title then.
        named = (
            next((t for t in headlines if t and _names(t, declared)), None)
            if declared and not _names(h1.text, declared)
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
            out.blocks = [b for b in out.blocks[:at] if b.kind not in ("para", "heading")] + out.blocks[
                at + 1 :
            ]
        else:
            out.blocks.remove(h1)
    elif og_title or page_title:
        out.title = og_title or _strip_site(page_title)
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
    return out


def _noted_drops(rule: str, before: list[Block], after: list[Block]) -> list[Block]:
    """``after``, having noted (``_rules``) each text block of ``before`` it left out."""
    if R.recording():
        kept = {id(b) for b in after}
        for b in before:
            if id(b) not in kept and b.kind in ("para", "heading"):
                R.note(rule, b.text)
    return after


def _note_outside(main: Any, body: Any) -> None:
    """Note (``_rules``) the text beside the chosen container and its ancestors."""
    path = {main, *main.iterancestors()}
    for up in [main, *main.iterancestors()]:
        if up is body:
            break
        parent = up.getparent()
        if parent is None:
            break
        for sib in parent:
            if sib not in path and isinstance(sib.tag, str) and _tag(sib) not in DROP_TAGS:
                R.note_element(R.OUTSIDE, sib)


def _without_debris(blocks: list[Block]) -> list[Block]:
    """Drop what no one can say or wants to hear again: a paragraph with no letter or digit
    ("<<", ">", "|"), a gallery's pager (a run of "1", "2", "3"...) and slide counters ("Photo
    2 of 6"), a paragraph that repeats the one before it word for word (a note in every code
    tab), and a short line said three times or more in a row (a slideshow's caption on every
    slide). A short line said twice ("$10 a month" for two plans) may be two facts and stays,
    and so does a label said once per product ("Pros", "Type:")."""
    kept = [
        b
        for b in blocks
        if b.kind != "para"
        or (any(ch.isalnum() for ch in b.text) and not _SLIDE_COUNTER.fullmatch(b.text.strip()))
    ]
    kept = _noted_drops(R.NO_LETTERS, blocks, kept)
    kept = _noted_drops(R.PAGER, kept, _without_pagers(kept))
    kept = _noted_drops(R.REPEAT, kept, _without_repeats(kept))
    return _noted_drops(R.SECOND_COPY, kept, _without_second_copy(kept))


def _without_pagers(blocks: list[Block]) -> list[Block]:
    """Drop runs of three or more paragraphs counting up by one ("1", "2", "3"; pictures
    between them do not break a run)."""
    drop: set[int] = set()
    run: list[int] = []
    for i, b in enumerate(blocks):
        if b.kind == "image":
            continue
        text = b.text.strip()
        if b.kind == "para" and text.isdecimal():
            if run and blocks[run[-1]].text.strip() == str(int(text) - 1):
                run.append(i)
                continue
            if len(run) < _PAGER_RUN:
                run = [i]
                continue
        if len(run) >= _PAGER_RUN:
            drop.update(run)
        run = []
    if len(run) >= _PAGER_RUN:
        drop.update(run)
    return [b for i, b in enumerate(blocks) if i not in drop]


def _without_repeats(blocks: list[Block]) -> list[Block]:
    """Keep one of a paragraph said again right after itself (pictures between copies do not
    count): always when it is long, when short only in a run of three or more."""
    said = [norm_words(b.text) if b.kind == "para" else "" for b in blocks]
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        j = i + 1
        if b.kind == "para":
            while j < len(blocks) and (
                blocks[j].kind == "image" or (blocks[j].kind == "para" and said[j] == said[i])
            ):
                j += 1
            run = blocks[i:j]
            repeats = sum(1 for k in run if k.kind == "para")
            if repeats >= _REPEAT_RUN or word_count(b.text) >= _REPEAT_WORDS:
                run = [k for k in run if k.kind == "image" or k is b]
            out.extend(run)
        else:
            out.append(b)
        i = j
    return out


def _without_second_copy(blocks: list[Block]) -> list[Block]:
    """Drop a second copy of a run of the article (five or more headings and paragraphs in the
    same order as earlier, 100 words or more, three of them paragraphs of prose): a page that
    holds its story twice (a desktop and a mobile copy, a print copy) is read once. A
    reference page's repeated parameter lists (a name, a line about it) stay."""
    texts = [(i, norm_words(b.text)) for i, b in enumerate(blocks) if b.kind in ("para", "heading")]
    first: dict[str, int] = {}
    for pos, (_, said) in enumerate(texts):
        first.setdefault(said, pos)
    drop: set[int] = set()
    pos = 0
    while pos < len(texts):
        start = first[texts[pos][1]]
        run = 0
        while (
            pos + run < len(texts)
            and start + run < pos
            and texts[start + run][1] == texts[pos + run][1]
        ):
            run += 1
        counts = [word_count(blocks[texts[pos + k][0]].text) for k in range(run)]
        prose = sum(1 for n in counts if n >= _COPY_PROSE_WORDS)
        if start < pos and run >= _COPY_RUN and sum(counts) >= _COPY_WORDS and prose >= 3:
            drop.update(texts[pos + k][0] for k in range(run))
            pos += run
        else:
            pos += 1
    return [b for i, b in enumerate(blocks) if i not in drop]


_COPY_RUN = 5
_COPY_WORDS = 100
_COPY_PROSE_WORDS = 15
_PAGER_RUN = 3
_REPEAT_RUN = 3
_REPEAT_WORDS = 8
# "Photo 2 of 6", "Bild 4 von 9", "Foto 5 de 10", "Slide 3/12": where a slide sits in its
# gallery (a bare "4/5" is a rating and stays).
_SLIDE_COUNTER = re.compile(
    r"\W*(?:(?:photo|image|picture|slide|bild|foto|imagen|diapositiva|diapo|immagine)\s*\d+\s*"
    r"(?:/|of|de|von|sur|di|van|af)|\d+\s+(?:of|de|von|sur|di|van|af))\s*\d+\W*",
    re.IGNORECASE,
)


def _without_credits(blocks: list[Block]) -> list[Block]:
    """The blocks without the credits around a story: "By ..." and "Reviewed by ..." lines
    above its first paragraph of prose, picture credits ("Image: (c) ... Getty Images") and
    "About the author" boxes (the heading and what is under it, up to the next heading)."""
    kept: list[Block] = []
    lead = True  # no paragraph of prose yet
    in_box: int | None = None  # level of an "About the author" heading we are inside
    for b in blocks:
        if b.kind == "heading":
            if in_box is not None and b.level <= in_box:
                in_box = None
            if in_box is None and _ABOUT_AUTHOR.match(b.text):
                in_box = b.level
                R.note(R.ABOUT_AUTHOR, b.text)
                continue
        if in_box is not None:
            if b.kind != "image":
                R.note(R.ABOUT_AUTHOR, b.text)
                continue
        elif b.kind == "para":
            words = word_count(b.text)
            if words <= 30 and (
                (lead and _CREDIT_LINE.match(b.text) and not b.text.endswith((".", "!", "?")))
                or (words <= 20 and _picture_credit(b.text, words))
            ):
                R.note(R.CREDIT, b.text)
                continue
            if words >= 25:
                lead = False
        kept.append(b)
    return kept


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


_DROP_XPATH = ".//text()[not(" + " or ".join(f"ancestor::{t}" for t in sorted(DROP_TAGS)) + ")]"


def _plain(el: Any) -> str:
    """The text our walker would read in ``el`` (dropped tags skipped), roughly."""
    try:
        return " ".join(str(t) for t in el.xpath(_DROP_XPATH))
    except (lxml.etree.LxmlError, RecursionError, ValueError):
        return ""


#: Class words that mean boilerplate even when a library keeps the text (bios, comments).
_STRONG_BOILER = re.compile(
    r"(?:^|[\s_-])(?:author|bio|byline|comments?|disqus|share|sharing|social|related|"
    r"recommended|cookie|consent|breadcrumbs?|nav|navbar|menu|footer|reply|respond)(?:$|[\s_-])",
    re.IGNORECASE,
)


def _vetoed(el: Any, ops: Opinions) -> bool:
    """A box marked as boilerplate whose text the libraries keep as article text.

    Some sites mark the article's own paragraphs with words our rules read as furniture
    (``<p class="paywall">``, a newsletter issue in ``rich-text-newsletter``): when both
    libraries keep that text, it stays. Bios, comments and share boxes go regardless.
    """
    if _hidden(el) or not ops.readability.strip():
        return False
    marks = " ".join((el.get("class") or "", el.get("id") or ""))
    if _STRONG_BOILER.search(marks) or (el.get("role") or "").lower() in _BOILER_ROLES:
        return False
    text = _plain(el)
    words = word_count(text)
    if words < (20 if _tag(el) == "p" else 40) or _link_density(el) > 0.3:
        return False
    return _libraries_keep(text, words, ops)


def _hidden(el: Any) -> bool:
    """``el`` is not shown (``hidden``, ``display: none``, ``aria-hidden="true"``)."""
    return (
        el.get("hidden") is not None
        or bool(_HIDDEN_STYLE.search(el.get("style") or ""))
        or (el.get("aria-hidden") or "").lower() == "true"
    )


def _libraries_keep(text: str, words: int, ops: Opinions) -> bool:
    """The libraries call ``text`` (``words`` long) article text."""
    by_traf, by_read = ops.keeps(text)
    # trafilatura (the more precise library) alone is enough for a long run of prose.
    return by_traf and (by_read or words >= 150)


_GROUPED = frozenset({"p", "h2", "h3", "h4", "blockquote", "li", "div", "section"})


def _vetoed_groups(marked: list[Any], ops: Opinions) -> set[Any]:
    """Paragraphs or boxes that share a boilerplate class and, taken together, are article
    text.

    A site that marks its article's paragraphs (``<p class="paywall">`` on every paragraph
    after the first few) marks short ones too: a one-line paragraph or a bold subheading is
    too short for the libraries' word on it alone, so the paragraphs of one tag and class are
    judged as one text, the way ``_vetoed`` judges a box. So are the boxes of a roundup
    ("c-product-widget" around each product's review): one box is too short for one library's
    word on it, all of them together are not.
    """
    groups: dict[tuple[str, str], list[Any]] = {}
    for el in marked:
        if _tag(el) in _GROUPED and el.get("class"):
            groups.setdefault((_tag(el), " ".join(el.get("class").split())), []).append(el)
    spared: set[Any] = set()
    for (_, marks), els in groups.items():
        if len(els) < 3 or _STRONG_BOILER.search(marks):
            continue
        shown = [el for el in els if not _hidden(el)]
        text = "\n".join(_plain(el) for el in shown)
        words = word_count(text)
        linked = sum(_text_len(a) for el in shown for a in el.iter("a"))
        if words < 40 or linked > 0.3 * words:
            continue
        if _libraries_keep(text, words, ops):
            spared.update(shown)
    return spared


def _furniture_words(el: Any) -> set[str]:
    """The furniture words in the class and id of ``el`` ("widget" in "c-product-widget")."""
    marks = _furniture_marks(" ".join((el.get("class") or "", el.get("id") or "")))
    return {m.group(0).strip(" _-").lower() for m in _BOILER_RE.finditer(marks)}


def _part_of_spared(el: Any, spared: set[Any]) -> bool:
    """``el`` lies in a spared box and is marked by the same word: a product's name
    ("c-product-widget__title") inside its review box ("c-product-widget"), not a share box."""
    if not spared:
        return False
    words: set[str] | None = None
    for up in el.iterancestors():
        if up in spared:
            if words is None:
                words = _furniture_words(el)
            if words & _furniture_words(up):
                return True
    return False


SWITCH_GAIN = 0.05
"""How much better a container must agree with the libraries before it replaces ours."""


def _best_container(main: Any, body: Any, ops: Opinions) -> Any:
    """Our container, or the ancestor/descendant whose text agrees best with the libraries.

    Decided per page from evidence: only when our choice and the libraries' disagree (one
    section of a documentation page, a body split into several boxes) does a candidate that
    matches them clearly better replace ours.
    """
    ref = word_count(ops.trafilatura)
    if ref < 50:
        return main
    current = ops.agreement(_plain(main))
    if current >= 0.93:
        return main
    candidates: list[Any] = []
    el = main.getparent()
    while el is not None:
        candidates.append(el)
        if el is body:
            break
        el = el.getparent()
    main_words = _text_len(main)
    inner = [
        d
        for d in main.iter("div", "section", "article", "main", "td")
        if d is not main and _text_len(d) >= 0.3 * main_words
    ]
    inner = sorted(inner, key=_text_len, reverse=True)[:30]
    candidates.extend(inner)
    # A part of our container may not drop much of what either library calls the article:
    # when the libraries disagree, each may hold a different half of it.
    either = bag(ops.trafilatura) | bag(ops.readability)
    ours = sum((bag(_plain(main)) & either).values())
    best, best_score = main, current
    for cand in candidates:
        words = bag(_plain(cand))
        if cand in inner and sum((words & either).values()) < 0.8 * ours:
            continue
        score = ops.agreement_of(words)
        if score > best_score:
            best, best_score = cand, score
    return best if best_score >= current + SWITCH_GAIN else main


def _with_continuations(main: Any) -> Any:
    """``main`` and the boxes around it that continue the article: siblings that share a
    class name saying what they hold (a CMS that writes the body, then its FAQ, each in a
    ``c-rich-text-blog``) with prose of their own, gathered into one container in page order.
    Boxes between them that are not the article's (an ad, a sign-up) stay out."""
    parent = main.getparent()
    names = _content_classes(main)
    if parent is None or not names or _tag(main) not in _BOXES:
        return main

    def continues(sib: Any) -> bool:
        return (
            isinstance(sib.tag, str)
            and _tag(sib) in _BOXES
            and bool(names & _content_classes(sib))
            and _text_len(sib) >= _CONTINUATION_WORDS
            and _link_density(sib) < 0.3
        )

    before = [sib for sib in main.itersiblings(preceding=True) if continues(sib)][::-1]
    after = [sib for sib in main.itersiblings() if continues(sib)]
    if not before and not after:
        return main
    box = lxml.html.Element("div")
    main.addprevious(box)
    for el in [*before, main, *after]:
        if el is not main:
            el.set(_CONTINUED, "")
            if el.tail and el.tail.strip():
                box.tail = (box.tail or "") + el.tail
            el.tail = None
        box.append(el)
    return box


_CONTINUED = "data-articast-continued"
"""Marks a box ``_with_continuations`` added (the walker tells its blocks)."""
_CONTINUATION_WORDS = 40
"""Words a box after the article needs to be read as more of it."""
_BOXES = frozenset({"div", "section", "article"})
_CONTENT_CLASS = re.compile(
    r"(?:^|[-_])(?:rich-?text|richtext|text-?block|body|content|article|entry|prose|story|markdown)"
    r"(?:$|[-_])",
    re.IGNORECASE,
)
"""Class names that say a box holds the text (page builders' and themes' names, such as
"shopify-section" or "elementor-widget", say nothing of the kind)."""


def _content_classes(el: Any) -> set[str]:
    """``el``'s class names that can say what it holds ("c-rich-text-blog", "post-body")."""
    return {n.lower() for n in (el.get("class") or "").split() if _CONTENT_CLASS.search(n)}


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
