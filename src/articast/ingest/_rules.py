"""Ingest's decisions as named rules, and a record of what each did to one page.

Every decision that drops, joins or re-labels a part of a page is a rule with a name, a
one-line reason and the fixture that shows it (``tests/fixtures/ingest/...``). The code that
applies a rule names it when it acts (``note``): ``articast ingest --explain`` shows the
record (``explaining``), ``articast ingest --rules`` the list, and the corpus benchmark counts
how often each fires and how much of what it dropped was the article.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

Action = Literal["dropped", "changed", "kept"]


@dataclass(frozen=True)
class IngestRule:
    name: str
    reason: str
    """Why, in one line (what ``--explain`` and ``--rules`` print)."""
    fixture: str
    """The page under ``tests/fixtures/ingest`` that shows it."""
    action: Action = "dropped"


RULES: dict[str, IngestRule] = {}


def _rule(name: str, reason: str, fixture: str, action: Action = "dropped") -> str:
    RULES[name] = IngestRule(name, reason, fixture, action)
    return name


# -- content, whatever its names say (element rules that keep) ---------------------------
PAGE_ROOT = _rule(
    "page-root", "html, body, main and article are never furniture", "news.html", "kept"
)  # fmt: skip
OWN_HEADER = _rule(
    "article-header", "the article's own header (its headline and standfirst) is content",
    "blog.html", "kept",
)  # fmt: skip
# -- page furniture, judged by element (_boilerplate._boilerplate_rule) -----------------------
EDIT_LINK = _rule(
    "edit-link", "a wiki's [edit] link beside a heading", "wiki.html"
)  # fmt: skip
PAGE_FURNITURE = _rule(
    "page-header-footer", "the site's header, footer or aside (small beside the article)",
    "news.html",
)  # fmt: skip
HIDDEN = _rule(
    "hidden", "hidden from readers (hidden, aria-hidden or display:none) and not a folded answer",
    "heading-wrappers.html",
)  # fmt: skip
PERMALINK = _rule(
    "heading-permalink", "a permalink sign inside a heading (¶, #)", "docs.html"
)  # fmt: skip
FORM_BOX = _rule(
    "form-box", "a small box with a form field or a button that asks for something "
    "(newsletter sign-up, search, consent) or a comment form", "news.html",
)  # fmt: skip
TAB_LABELS = _rule(
    "tab-labels", "a row of tab labels (controls, not text)", "code-tabs.html"
)  # fmt: skip
FURNITURE_CLASS = _rule(
    "furniture-name", "its class, id or role names page furniture (navigation, sidebar, "
    "share, related, newsletter, cookie, comments...) and it is not most of the page",
    "news.html",
)  # fmt: skip
NON_CONTENT = _rule(
    "non-content-element", "an element that never holds the article's text (nav, form, "
    "button, dialog, embedded player...)", "embed.html",
)  # fmt: skip
LINK_LIST = _rule(
    "link-list", "a list or box made mostly of links (related stories, tag clouds, menus)",
    "roundup.html",
)  # fmt: skip
SEVERAL_POSTS = _rule(
    "several-posts",
    "a page of several posts (a blog's front page): every post is read, not only the one the "
    "libraries take for the article",
    "front-page.html",
    "changed",
)
HEADING_LINKS = _rule(
    "heading-links",
    'a list of links under a heading of its own ("See also", "External links"): kept and '
    "shown, not read aloud",
    "wiki-lists.html",
    "changed",
)
OUTSIDE = _rule(
    "outside-article", "outside the part of the page chosen as the article", "longform.html"
)  # fmt: skip
# -- blocks, judged by their text --------------------------------------------------------
AD_LINE = _rule(
    "ad-label", 'an ad\'s label or placeholder ("Advertisement", "Story continues below")',
    "inline-junk.html",
)  # fmt: skip
LIBRARY_VOTE = _rule(
    "libraries-drop", "neither trafilatura nor readability keeps it, and both found the same "
    "article as we did", "widgets.html",
)  # fmt: skip
NO_LETTERS = _rule(
    "no-letters", 'no letter or digit to say ("<<", "|") or a slide counter ("Photo 2 of 6")',
    "slideshow.html",
)  # fmt: skip
PAGER = _rule(
    "pager", 'a run of page numbers ("1", "2", "3")', "gallery-pager.html"
)  # fmt: skip
REPEAT = _rule(
    "repeated-paragraph", "the paragraph before it said again (a note in every code tab, a "
    "caption on every slide)", "slideshow.html",
)  # fmt: skip
SECOND_COPY = _rule(
    "second-copy", "a second copy of a run of the article (a mobile or print copy)",
    "story-twice.html",
)  # fmt: skip
CREDIT = _rule(
    "credit-line", 'a byline or picture credit ("By ...", "Image: ... Getty Images")',
    "credits.html",
)  # fmt: skip
ABOUT_AUTHOR = _rule(
    "about-the-author", 'an "About the author" box', "credits.html"
)  # fmt: skip
KICKER = _rule(
    "above-headline", "short lines above the headline (kicker, breadcrumbs, date)",
    "magazine.html",
)  # fmt: skip
TITLE = _rule(
    "title", "the article's title (kept as the title, not read as a section)", "news.html",
    "changed",
)  # fmt: skip
BARE_HEADING = _rule(
    "bare-heading", "a short line without a final stop above prose: made a heading",
    "dumps/unclosed-p.txt", "changed",
)  # fmt: skip
HEADING_LINE = _rule(
    "heading-line", "a heading line inside a paragraph's text: split off", "dumps/spanish.txt",
    "changed",
)  # fmt: skip


@dataclass(frozen=True)
class Noted:
    """One thing a rule did to the page."""

    rule: str
    reason: str
    text: str
    """The first words of the text it acted on."""
    words: int
    action: Action
    at: int = 0
    """Where in the page (for sorting in page order)."""
    full: str = ""
    """All of the text it acted on (the corpus benchmark weighs it against the gold text)."""

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "text": self.text, "words": self.words}


_LOG: contextvars.ContextVar[list[Noted] | None] = contextvars.ContextVar(
    "articast_ingest_log", default=None
)
_PAGE: contextvars.ContextVar[str] = contextvars.ContextVar("articast_ingest_page", default="")
_FIRST_WORDS = 12


def recording() -> bool:
    """True while ``explaining`` listens (the callers skip gathering text otherwise)."""
    return _LOG.get() is not None


@contextlib.contextmanager
def explaining() -> Iterator[list[Noted]]:
    """Record what the rules do while ingesting in this block; the list is sorted in page
    order when the block ends."""
    log: list[Noted] = []
    token, page = _LOG.set(log), _PAGE.set("")
    try:
        yield log
    finally:
        _LOG.reset(token)
        _PAGE.reset(page)
        log.sort(key=lambda n: n.at)


def set_page(text: str) -> None:
    """The page's whole text, words in order (to place what the rules act on)."""
    if recording():
        _PAGE.set(_norm(text))


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def note(rule: str, text: str) -> None:
    """Record that ``rule`` acted on ``text`` (nothing unless ``explaining``)."""
    log = _LOG.get()
    if log is None:
        return
    words = text.split()
    if not words:
        return
    first = " ".join(words[:_FIRST_WORDS]) + (" …" if len(words) > _FIRST_WORDS else "")
    page = _PAGE.get()
    key = _norm(" ".join(words[:6]))
    found = page.find(key) if key else -1
    r = RULES[rule]
    at = found if found >= 0 else 1 << 40
    log.append(Noted(rule, r.reason, first, len(words), r.action, at, " ".join(words)))


def note_element(rule: str, el: Any) -> None:
    """``note`` for an element of the page (its visible text)."""
    if recording():
        note(rule, " ".join(" ".join(el.itertext()).split()))
