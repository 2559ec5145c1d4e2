"""Which part of the page is the article (private to ``ingest``): the densest container of
prose, a better one the libraries point at, boxes that continue it, and the page's shape
(loose text, hard-wrapped lines) that tells the walker how to read it.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.etree
import lxml.html

from articast.ingest import _rules as R
from articast.ingest._dom import (
    _CONTINUED,
    CONTAINERS,
    DROP_TAGS,
    _link_density,
    _meta,
    _plain,
    _tag,
    _text_len,
)
from articast.ingest._libs import Opinions, bag
from articast.ingest._text import (
    CJK_ENDS,
    clean_inline,
    is_fact,
    word_count,
)

_BYLINE_RE = re.compile(r"(?:^|[\s_-])(?:byline|author|posted-by|article-author)(?:$|[\s_-])", re.I)


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
    listing = _listing(articles)
    if listing is not None and _text_len(listing[0].getparent()) >= body_words * 0.4:
        # A page of several posts (a blog's front page): all of them, in page order.
        return listing[0].getparent()
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


_POST_WORDS = 40
"""Words a post of a page of several needs (a title and an excerpt at least)."""


def _listing(articles: list[Any]) -> list[Any] | None:
    """The posts of a page that shows several side by side (a blog's front page, an archive):
    two or more sibling ``<article>``s, each with a heading of its own and some prose, none of
    them most of their words (a story with a few teasers beside it is not one); else ``None``."""
    by_parent: dict[Any, list[Any]] = {}
    for el in articles:
        by_parent.setdefault(el.getparent(), []).append(el)
    for group in by_parent.values():
        posts = [
            a
            for a in group
            if _text_len(a) >= _POST_WORDS and next(a.iter("h1", "h2", "h3"), None) is not None
        ]
        if len(posts) >= 2:
            sizes = [_text_len(a) for a in posts]
            if max(sizes) < 0.7 * sum(sizes):
                return posts
    return None


def posts_within(main: Any) -> list[Any]:
    """The posts of a page of several inside ``main`` (``_listing``), or ``[]``; every post
    after the first is marked as continuing the article (the libraries, which read one post
    as the article, do not vote the others away)."""
    posts = _listing([el for el in main.iter("article") if el is not main]) or []
    for post in posts[1:]:
        post.set(_CONTINUED, "")
        if R.recording():
            heading = next(post.iter("h1", "h2", "h3"))
            R.note(R.SEVERAL_POSTS, " ".join(" ".join(heading.itertext()).split()))
    return posts


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
        1
        for ln in lines
        if not ln.endswith((".", "!", "?", ":", '"', "”", ")", *CJK_ENDS)) and not is_fact(ln)
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
        if any(p.strip() for p in pieces) and any(
            _tag(a) in _ITEM_TAGS for a in el.iterancestors()
        ):
            # A card's <div>s inside a link or a list item (a mega-menu's product blurbs) are
            # the item's words, not a scraped dump's loose lines.
            continue
        loose += sum(len(p.strip()) for p in pieces)
    return loose / total if total else 0.0


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
    # On a page of several posts the libraries read the first as the article; it is one of
    # them, not all.
    posts = _listing([el for el in main.iter("article") if el is not main]) or []
    best, best_score = main, current
    for cand in candidates:
        if any(cand is p or p in cand.iterancestors() for p in posts):
            continue
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
