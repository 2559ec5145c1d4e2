"""HTML -> blocks: the order of the work (private to ``ingest``).

Sits inside ``ingest`` after ``_source`` (decoded, fence-stripped, split tags joined) and before
``_sections``::

    _dom          the page as a browser builds it; element helpers
    _boilerplate  page furniture, element by element (named rules)
    _container    which part of the page is the article
    _walker       that part -> blocks (paragraphs, headings, images, code, links)
    _cleanup      debris, repeats, credits (named rules)
    _title        the headline

Every decision that drops or re-labels a part of the page names its rule (``_rules``), so
``articast ingest --explain`` can say why.
"""

from __future__ import annotations

from typing import Any

from articast.ingest import _rules as R
from articast.ingest._blocks import Extracted, promote_bare_headings
from articast.ingest._boilerplate import (
    _boilerplate_rule,
    _keep_headings_of,
    _link_density_beside_headings,
    _part_of_spared,
    _vetoed,
    _vetoed_groups,
    introduced_list,
)
from articast.ingest._cleanup import _note_outside, _noted_drops, _without_credits, _without_debris
from articast.ingest._container import (
    _best_container,
    _byline,
    _find_main,
    _hard_wrapped,
    _loose_share,
    _with_continuations,
    posts_within,
)
from articast.ingest._dom import (
    _CONTINUED,
    LINKS_MARK,
    _drop_keep_tail,
    _iter_all,
    _meta,
    _parse_browser_html,
    _tag,
    _text_len,
    browser_html,
)
from articast.ingest._libs import Opinions, opinions, vote
from articast.ingest._text import (
    clean_inline,
)
from articast.ingest._title import Declared, choose_title
from articast.ingest._walker import _trafilatura_rescue, _Walker
from articast.ingest._youtube import parse_youtube


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
    declared = _page_facts(root, out)
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
    main = body
    if clean:
        if _loose_share(body) < 0.4:
            # Well-formed page: the libraries' opinions are evidence for the choices below.
            ops = opinions(text)
        main = _cleaned_main(root, body, ops)

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
    choose_title(out, declared, headlines)
    return out


def _page_facts(root: Any, out: Extracted) -> Declared:
    """Fill in what the page says about itself (language, canonical URL, byline); its
    declared titles."""
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
    return Declared(page_title, _meta(root, "og:title", "twitter:title", "dc.title"))


def _cleaned_main(root: Any, body: Any, ops: Opinions | None) -> Any:
    """The page without its furniture (``_boilerplate``), and the part of it that is the
    article (``_container``) without its lists of links."""
    body_words = _text_len(body)
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
    posts_within(main)
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
    for el in [el for el in linky if introduced_list(el)]:
        # "See also", "External links": the article's list, kept under its heading (shown
        # and counted, not read aloud) and spared by the libraries' vote.
        el.set(LINKS_MARK, "")
        el.set(_CONTINUED, "")
        R.note_element(R.HEADING_LINKS, el)
        linky.remove(el)
    going = set(linky)
    for el in linky:
        if el.getparent() is not None:
            if ops is not None:
                _keep_headings_of(el, ops, going)
            R.note_element(R.LINK_LIST, el)
            _drop_keep_tail(el)
    return main
