"""Ingest: the first stage on the map. A path or URL in, a typed ``Article`` out.

::

    source (path | URL)
      -> _source.read_source   bytes, limits (5 MB), empty/binary refusal, URL fetch
      -> _source.decode_report text (BOM, declared charset, UTF-8, damaged UTF-8, detection)
                               + warnings naming bytes that could not be decoded
      -> _source.unwrap_fence  a ``` fence around the whole file goes; split tags are joined
      -> _source.sniff         html | markdown | text, from content (never the file name)
      -> _dom.browser_html     the page as a browser builds it (Lexbor via selectolax)
      -> _html / _markdown     blocks (headings, paragraphs, images, links, title, language);
                               on well-formed pages _libs' opinions (trafilatura, readability)
                               veto class-name boilerplate and pick the container; bare heading
                               lines are lifted out of text blocks (_text.split_heading_lines)
      -> visible_words         a warning when the text kept is far shorter than the page shows
      -> _sections.arrange     lead + one section per heading, merges, splits
      -> _images / _youtube    safe local copies of images; the talk links
      -> Article

Text stays faithful to the source: spacing and capital repair belongs to ``narrate``.
Every refusal is an ``InputError`` with a one-line message; nothing else escapes for bad input.
See ``tests/fixtures/ingest/README.md`` for where our rules beat trafilatura/readability.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from articast.config import IngestSettings
from articast.errors import InputError
from articast.ingest._blocks import Extracted
from articast.ingest._dom import visible_words
from articast.ingest._html import extract_html
from articast.ingest._images import resolve_image
from articast.ingest._lang import guess, normalize
from articast.ingest._markdown import extract_markdown, extract_text
from articast.ingest._rules import RULES, IngestRule, Noted, explaining
from articast.ingest._sections import Draft, LinkItem, Listing, arrange
from articast.ingest._source import (
    RawInput,
    decode_report,
    read_source,
    repair_split_tags,
    sniff,
    unwrap_fence,
)
from articast.ingest._text import capitalise_first, clean_inline, word_count
from articast.ingest._youtube import canonical_url, find_bare, parse_start, parse_youtube
from articast.models import Article, ImageRef, InputKind, Section, TalkRef
from articast.sanitize import clean_line, clean_text

__all__ = [
    "RULES",
    "IngestRule",
    "Noted",
    "article_to_json",
    "canonical_url",
    "capitalise_first",
    "explaining",
    "load_article",
    "normalize_language",
    "parse_start",
    "parse_youtube",
]

normalize_language = normalize
"""A language tag as articast writes it (``pt_BR`` -> ``pt-br``), or None when it is none."""

SHORT_SHARE = 0.1
"""Extracted text under this share of the page's visible words gets a warning."""
MAX_IMAGES = 40
"""Images read (and fetched) per article; the rest keep ``path=None`` with one warning."""
IMAGE_TIME_FACTOR = 3
"""All of an article's remote images together get this many fetch timeouts, not one each."""
_BARE_HTTP = re.compile(r"https?://[^\s<>\"'\]\)]+", re.IGNORECASE)


def _extract(text: str, kind: InputKind) -> Extracted:
    try:
        if kind == "html":
            return extract_html(text)
        if kind == "markdown":
            return extract_markdown(text)
        return extract_text(text)
    except RecursionError as exc:
        raise InputError("the article is nested too deeply to read; simplify its markup") from exc


def _links(
    ex: Extracted, texts: list[str], base_url: str | None
) -> tuple[list[TalkRef], list[str]]:
    talks: list[TalkRef] = []
    links: list[str] = []
    seen_links: set[str] = set()
    seen_talks: set[tuple[str, int | None]] = set()

    def add_talk(ref: TalkRef) -> None:
        key = (ref.video_id, ref.start)
        if key not in seen_talks:
            seen_talks.add(key)
            talks.append(ref)

    for href, label in ex.hrefs:
        href = href.strip()
        if base_url and not urlsplit(href).scheme and not href.startswith("#"):
            href = urljoin(base_url, href)
        ref = parse_youtube(href, label)
        if ref is not None:
            add_talk(ref)
            continue
        if re.match(r"^https?://", href, re.IGNORECASE) and href not in seen_links:
            try:
                urlsplit(href).port  # noqa: B018 (validates the port)
            except ValueError:
                continue
            seen_links.add(href)
            links.append(href)
    for text in texts:
        for ref in find_bare(text):
            add_talk(ref)
        for m in _BARE_HTTP.finditer(text):
            url = m.group(0).rstrip(".,;:!?")
            if parse_youtube(url) is None and url not in seen_links:
                seen_links.add(url)
                links.append(url)
    return talks, links


def _fallback_title(source: str) -> str:
    """A title from the file or URL name: never words taken from the article's lead."""
    stem = Path(urlsplit(source).path).stem if source else ""
    return clean_inline(re.sub(r"[-_]+", " ", stem)).capitalize() or "Untitled article"


def _with_images(
    drafts: list[Draft], raw: RawInput, settings: IngestSettings, warnings: list[str]
) -> list[Section]:
    """The sections, their pictures read and checked (at most ``MAX_IMAGES``, all within
    ``IMAGE_TIME_FACTOR`` times the fetch timeout); what went wrong goes to ``warnings``."""
    sections: list[Section] = []
    resolved = 0
    image_deadline = time.monotonic() + IMAGE_TIME_FACTOR * settings.timeout
    for d in drafts:
        images: list[ImageRef] = []
        for img in d.images:
            if resolved >= MAX_IMAGES:
                # A gallery page must not turn into hundreds of downloads.
                images.append(ImageRef(src=img.src[:80], alt=img.alt))
                warnings.append(f"more than {MAX_IMAGES} images: the rest were not read")
                continue
            resolved += 1
            ref, warning = resolve_image(
                img.src,
                img.alt,
                base_dir=raw.base_dir,
                base_url=raw.url,
                settings=settings,
                deadline=image_deadline,
                private_origin=raw.private_origin,
            )
            images.append(ref)
            if warning:
                warnings.append(warning)
        if d.paragraphs or images:
            sections.append(
                Section(
                    title=d.title,
                    paragraphs=tuple(d.paragraphs),
                    images=tuple(images),
                    listings=tuple(i for i, p in enumerate(d.paragraphs) if isinstance(p, Listing)),
                    link_lists=tuple(
                        i for i, p in enumerate(d.paragraphs) if isinstance(p, LinkItem)
                    ),
                )
            )
    return sections


def load_article(source: str | Path, settings: IngestSettings) -> Article:
    """Read the article at ``source`` (file path or http(s) URL) into an ``Article``.

    Raises ``InputError`` (one line) for a missing path, an empty or binary file, an input over
    ``settings.max_bytes`` or ``settings.max_words``, a URL while the network is off, or a
    document without any readable text.
    """
    raw = read_source(source, settings)
    text, decode_warnings = decode_report(raw)
    # Characters no writer can carry go before parsing; entities decoded by the parsers are
    # caught again on the way out (``_sanitized``).
    text = clean_text(text)
    text, fence_lang = unwrap_fence(text)
    text = repair_split_tags(text)
    kind: InputKind = sniff(text, fence_lang)
    ex = _extract(text, kind)

    paragraphs = [b.text for b in ex.blocks if b.kind in ("para", "heading")]
    total_words = sum(word_count(b.text) for b in ex.blocks if b.kind in ("para", "heading", "code"))
    if total_words > settings.max_words:
        raise InputError(
            f"{raw.source} has {total_words:,} words, over the {settings.max_words:,}-word limit; "
            "split the article or raise [ingest] max_words"
        )
    if total_words == 0:
        raise InputError(f"{raw.source}: no readable text found; is it the article itself?")

    drafts = arrange(ex.blocks)
    warnings = [*decode_warnings, *ex.warnings]
    if kind == "html":
        visible = visible_words(text)
        if visible >= 300 and total_words < SHORT_SHARE * visible:
            # Far less than the page shows: a listener should know the episode may be partial.
            warnings.append(
                f"kept {total_words:,} of the page's {visible:,} visible words; the rest was taken "
                "for page furniture (menus, comments, related links): check the article is complete"
            )
    sections = _with_images(drafts, raw, settings, warnings)

    talks, links = _links(ex, paragraphs, raw.url)
    title = clean_line(clean_inline(ex.title or "")) or _fallback_title(raw.source)
    language = (
        normalize(settings.language) or normalize(ex.language) or guess(" ".join(paragraphs))
    )
    article = Article(
        title=title,
        sections=tuple(sections),
        language=language,
        talk=talks[0] if talks else None,
        talks=tuple(talks),
        links=tuple(links),
        byline=ex.byline,
        source=raw.source,
        source_url=raw.url or ex.source_url,
        kind="url" if raw.url else kind,
        content_hash=hashlib.sha256(raw.data).hexdigest(),
        warnings=tuple(dict.fromkeys(warnings)),
    )
    return _sanitized(article)


def _sanitized(article: Article) -> Article:
    """``article`` with every text field passed through ``articast.sanitize`` (entities such
    as ``&#xFFFE;`` or ``&#7;`` are decoded by the parsers, after the raw text was cleaned)."""

    def para(p: str) -> str:
        return clean_text(p).strip()

    def talk(t: TalkRef) -> TalkRef:
        return dataclasses.replace(
            t, url=clean_line(t.url), text=clean_line(t.text) if t.text is not None else None
        )

    def section(s: Section) -> Section:
        kept = [(i, q) for i, q in ((i, para(p)) for i, p in enumerate(s.paragraphs)) if q]
        return Section(
            title=clean_line(s.title) or None if s.title is not None else None,
            paragraphs=tuple(q for _, q in kept),
            images=tuple(
                dataclasses.replace(i, src=clean_line(i.src), alt=clean_line(i.alt))
                for i in s.images
            ),
            listings=tuple(n for n, (i, _) in enumerate(kept) if i in s.listings),
            link_lists=tuple(n for n, (i, _) in enumerate(kept) if i in s.link_lists),
        )

    sections = tuple(section(s) for s in article.sections)
    sections = tuple(s for s in sections if s.paragraphs or s.images)
    if not sections:
        raise InputError(f"{clean_line(article.source)}: no readable text found; is it the article itself?")
    return dataclasses.replace(
        article,
        title=clean_line(article.title) or "Untitled article",
        sections=sections,
        talk=talk(article.talk) if article.talk is not None else None,
        talks=tuple(talk(t) for t in article.talks),
        links=tuple(u for u in (clean_line(x) for x in article.links) if u),
        byline=clean_line(article.byline) or None if article.byline is not None else None,
        source=clean_line(article.source),
        source_url=clean_line(article.source_url) if article.source_url else article.source_url,
        warnings=tuple(dict.fromkeys(clean_line(w) for w in article.warnings)),
    )


def _talk_json(ref: TalkRef) -> dict[str, Any]:
    return {"url": ref.url, "video_id": ref.video_id, "start": ref.start, "text": ref.text}


def article_to_json(article: Article) -> dict[str, Any]:
    """The JSON form printed by ``articast ingest --json`` (keys are a contract)."""
    return {
        "title": article.title,
        "language": article.language,
        "byline": article.byline,
        "kind": article.kind,
        "source": article.source,
        "source_url": article.source_url,
        "content_hash": article.content_hash,
        "sections": [
            {
                "title": s.title,
                "text": s.text,
                "images": [
                    {"src": i.src, "alt": i.alt, "path": str(i.path) if i.path else None}
                    for i in s.images
                ],
            }
            for s in article.sections
        ],
        "talk": _talk_json(article.talk) if article.talk else None,
        "talks": [_talk_json(t) for t in article.talks],
        "links": list(article.links),
        "warnings": list(article.warnings),
    }
