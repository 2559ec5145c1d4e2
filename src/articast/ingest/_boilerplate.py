"""Page furniture, judged element by element (private to ``ingest``).

``_boilerplate_rule`` names the rule (``_rules``) that makes an element furniture: a wiki's
[edit] links, the site's header and footer, hidden boxes, sign-up and consent forms, tab
labels, and boxes whose class, id or role names furniture. ``_vetoed`` and ``_vetoed_groups``
spare a marked element when both libraries (trafilatura, readability-lxml) read it as the
article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import lxml.etree
import lxml.html

from articast.ingest import _rules as R
from articast.ingest._dom import (
    _HIDDEN_STYLE,
    DROP_TAGS,
    HEADINGS,
    _folded_panel,
    _hidden,
    _link_density,
    _plain,
    _tag,
    _text_len,
)
from articast.ingest._libs import Opinions
from articast.ingest._text import (
    clean_inline,
    word_count,
)

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


Verdict = bool | None
"""What one element rule says: ``True`` furniture (by this rule), ``False`` content (no
later rule is asked), ``None`` no opinion."""


def _page_root(el: Any, body_words: int) -> Verdict:
    return False if _tag(el) in _KEEP else None


def _edit_link(el: Any, body_words: int) -> Verdict:
    # A wiki's "[edit]" beside every heading (MediaWiki's mw-editsection).
    return (
        _tag(el) in {"span", "a", "div", "small"} and bool(_EDIT_LINK.search(el.get("class") or ""))
    ) or None


def _own_header(el: Any, body_words: int) -> Verdict:
    # The article's own header holds its h1 and standfirst; its byline box goes by class.
    if _tag(el) == "header" and any(
        _tag(a) in {"article", "main"} or (a.get("role") or "") == "main"
        for a in el.iterancestors()
    ):
        return False
    return None


def _header_footer(el: Any, body_words: int) -> Verdict:
    if _tag(el) not in {"header", "footer", "aside"}:
        return None
    # Never drop one that holds most of the page (some sites wrap everything in one).
    return _text_len(el) < max(80, body_words // 2)


def _hidden_box(el: Any, body_words: int) -> Verdict:
    hidden = el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true"
    if hidden and not _STREAMED.match(el.get("id") or "") and not _folded_panel(el):
        return True
    return None


def _heading_words(el: Any, body_words: int) -> Verdict:
    if _tag(el) not in {"a", "span", "em", "strong", "b", "i", "code"} or not any(
        _tag(a) in HEADINGS for a in el.iterancestors()
    ):
        return None
    # A heading's own words ("<h2><a class='toc-backref'>Introduction</a>") stay; only a
    # permalink marker (¶, #) inside it goes.
    return _text_len(el) == 0 or not any(ch.isalnum() for ch in "".join(el.itertext()))


def _hidden_style(el: Any, body_words: int) -> Verdict:
    return (bool(_HIDDEN_STYLE.search(el.get("style") or "")) and not _folded_panel(el)) or None


def _form_box(el: Any, body_words: int) -> Verdict:
    if _tag(el) not in {"div", "section", "p", "span", "table"} or not _has_controls(el):
        return None
    # A small box with a field or a labelled button is a sign-up, search or consent box; a
    # bigger one only when it names itself a comment form (its posting rules with it). Other
    # big boxes with buttons are content ("toc-content-sidebar" grids, docs).
    names = " ".join((el.get("class") or "", el.get("id") or ""))
    return _text_len(el) < 60 or bool(_COMMENT_BOX.search(names))


def _tab_labels(el: Any, body_words: int) -> Verdict:
    if (el.get("role") or "").lower() != "tablist" or _text_len(el) >= 60:
        return None
    # A row of tab labels ("Python Node.js PHP"): controls, not text; an accordion that holds
    # its panels (jQuery UI's tablist around headings and tabpanels) is content.
    return not any(
        _tag(d) in HEADINGS or (d.get("role") or "").lower() == "tabpanel" for d in el.iter()
    )


def _furniture_name(el: Any, body_words: int) -> Verdict:
    tag = _tag(el)
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
        and any(
            _tag(a) in {"article", "main"} or a.get("role") == "main" for a in el.iterancestors()
        )
    ):
        # The article's own header inside <main> (MDN's "layout__header"): its h1 and lead.
        marks = _HEADER_MARK.sub(" ", marks)
    role = (el.get("role") or "").lower()
    if not (role in _BOILER_ROLES or (marks.strip() and _BOILER_RE.search(marks))):
        return None
    if el.find(".//article") is not None or el.find(".//main") is not None:
        return False
    words = _text_len(el)
    # Class names lie ("post has-sidebar"): keep a box that holds most of the page's prose.
    return not (words > 150 and words > body_words // 2)


ELEMENT_RULES: tuple[tuple[str, Callable[[Any, int], Verdict]], ...] = (
    (R.PAGE_ROOT, _page_root),
    (R.EDIT_LINK, _edit_link),
    (R.OWN_HEADER, _own_header),
    (R.PAGE_FURNITURE, _header_footer),
    (R.HIDDEN, _hidden_box),
    (R.PERMALINK, _heading_words),
    (R.HIDDEN, _hidden_style),
    (R.FORM_BOX, _form_box),
    (R.TAB_LABELS, _tab_labels),
    (R.FURNITURE_CLASS, _furniture_name),
)
"""The element rules in the order they are asked; the first with an opinion decides."""


def _boilerplate_rule(el: Any, body_words: int) -> str | None:
    """The rule (``_rules``) that makes ``el`` page furniture, or ``None``: it may be content
    (``ELEMENT_RULES``, in order: the first rule with an opinion decides)."""
    for name, judge in ELEMENT_RULES:
        verdict = judge(el, body_words)
        if verdict is not None:
            if not verdict and R.RULES[name].action == "kept" and R.recording():
                R.note(name, el.get("id") or el.get("class") or _tag(el))
            return name if verdict else None
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


_EDIT_LINK = re.compile(
    r"(?<![\w-])(?:mw-)?edit-?section(?![\w-])|(?<![\w-])edit-?link(?![\w-])", re.I
)
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


def introduced_list(el: Any) -> bool:
    """``el`` is a list of links right under a heading of its own in the article's flow
    ("See also", "Further reading", "External links" on a wiki or a paper): the heading says
    what it is, and it is the article's, not a box of the site's other pages."""
    if _tag(el) not in {"ul", "ol"}:
        return False
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is None or (el.getprevious() is not prev and (prev.tail or "").strip()):
        return False
    return _tag(prev) in HEADINGS or (_tag(prev) == "div" and _wraps_a_heading(prev))


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
