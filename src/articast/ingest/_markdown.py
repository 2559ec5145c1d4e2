"""Markdown (with optional YAML ``---`` or TOML ``+++`` front matter) and plain text -> blocks.

Sits inside ``ingest`` beside ``_html``. Markdown is rendered to HTML with markdown-it-py
(CommonMark plus tables, raw HTML allowed so embedded iframes survive) and walked by the same
block walker as web pages, without boilerplate removal. Plain text is split at blank lines;
bare short lines become headings.
"""

from __future__ import annotations

import datetime as _dt
import re
import tomllib
from typing import Any

import yaml  # type: ignore[import-untyped]
from markdown_it import MarkdownIt

from articast.ingest._blocks import Block, Extracted, promote_bare_headings
from articast.ingest._html import extract_html
from articast.ingest._text import clean_inline

_FRONT = re.compile(
    r"\A\ufeff?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n(?:---|\+\+\+|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)
_MAX_FRONT = 64_000
_DEEP_PREFIX = re.compile(r"^[ \t]*(?:(?:>|[-*+]|\d{1,9}[.)])[ \t]*){8,}", re.MULTILINE)


def _prefix_cut(prefix: str) -> int:
    """Length of the first 6 nesting markers of ``prefix``."""
    for count, m in enumerate(re.finditer(r"(?:>|[-*+]|\d{1,9}[.)])[ \t]*", prefix), 1):
        if count == 6:
            return m.end()
    return len(prefix)


class _NoAliases(yaml.SafeLoader):  # type: ignore[misc]
    """YAML without anchors' aliases: a front matter of aliases nested 30 deep (a "billion
    laughs") loads as shared references, and the first walk over it never ends."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "YAML aliases are not accepted", mark)
        return super().compose_node(parent, index)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, list[str]]:
    """(front matter mapping, body, warnings); an unreadable front matter becomes a warning."""
    m = _FRONT.match(text)
    if not m:
        return {}, text, []
    raw = m.group(2)
    body = text[m.end() :]
    if len(raw) > _MAX_FRONT:
        return {}, body, ["front matter too long; ignored"]
    try:
        toml = m.group(1) == "+++"
        data = tomllib.loads(raw) if toml else yaml.load(raw, Loader=_NoAliases)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, body, [f"front matter could not be read ({first}); ignored"]
    if not isinstance(data, dict):
        return {}, body, ["front matter is not a mapping; ignored"]
    return data, body, []


def _fm_text(value: Any) -> str | None:
    if isinstance(value, str):
        return clean_inline(value) or None
    if isinstance(value, (int, float, _dt.date)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and value:
        names = [_fm_text(v.get("name") if isinstance(v, dict) else v) for v in value[:5]]
        joined = ", ".join(n for n in names if n)
        return joined or None
    if isinstance(value, dict):
        return _fm_text(value.get("name"))
    return None


def extract_markdown(text: str) -> Extracted:
    """Blocks and metadata of a Markdown document."""
    meta, body, warnings = split_front_matter(text)
    # markdown-it stops at 20 nesting levels and drops the rest of the document: cap the
    # quote/list markers that open a line well below that.
    body = _DEEP_PREFIX.sub(lambda m: m.group(0)[: _prefix_cut(m.group(0))], body)
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    try:
        html = md.render(body)
    except (RecursionError, ValueError) as exc:
        raise ValueError(f"Markdown could not be rendered: {exc}") from exc
    out = extract_html(f"<html><body>{html}</body></html>", clean=False)
    out.warnings.extend(warnings)
    keys = {str(k).lower(): v for k, v in meta.items()}
    title = _fm_text(keys.get("title"))
    if title:
        # A draft's own h1 next to a front-matter title is a working title: the front matter wins.
        out.title = title
    out.language = _fm_text(keys.get("lang") or keys.get("language") or keys.get("locale"))
    author = _fm_text(keys.get("author") or keys.get("authors") or keys.get("byline"))
    out.byline = author or out.byline
    url = _fm_text(keys.get("url") or keys.get("canonical_url") or keys.get("link"))
    out.source_url = url if url and url.startswith(("http://", "https://")) else None
    for key in ("video", "youtube", "talk"):
        value = _fm_text(keys.get(key))
        if value:
            out.hrefs.insert(0, (value, ""))
    return out


def extract_text(text: str) -> Extracted:
    """Blocks of a plain-text article: paragraphs at blank lines, bare short lines as headings."""
    out = Extracted()
    paragraphs = re.split(r"\r?\n[ \t]*\r?\n", text)
    single_lines = len(paragraphs) <= 2 and text.count("\n") >= 3
    for para in paragraphs:
        lines = [ln for ln in para.splitlines() if ln.strip()]
        if not lines:
            continue
        if single_lines:
            # One line per paragraph (no blank lines at all): each line is a block.
            out.blocks.extend(Block("para", clean_inline(ln), bare=True) for ln in lines)
            continue
        first = clean_inline(lines[0])
        if len(lines) > 1 and re.fullmatch(r"[=\-~*#]{3,}", clean_inline(lines[-1])):
            lines = lines[:-1]
        rest_lens = sorted(len(ln.strip()) for ln in lines[1:])
        # Hard-wrapped prose fills its first line about as far as the others: not a heading.
        wrapped = bool(rest_lens) and len(first) >= 0.7 * rest_lens[-1]
        if len(lines) > 1 and not wrapped:
            # A heading line directly above its paragraph.
            out.blocks.append(Block("para", first, bare=True))
            rest = clean_inline(" ".join(lines[1:]))
            out.blocks.append(Block("para", rest, bare=False))
        elif len(lines) > 1:
            out.blocks.append(Block("para", clean_inline(" ".join(lines)), bare=False))
        else:
            out.blocks.append(Block("para", first, bare=True))
    out.blocks = [b for b in out.blocks if b.text]
    promote_bare_headings(out.blocks)
    # Undo the split of a heading-less first line from its paragraph.
    merged: list[Block] = []
    for b in out.blocks:
        if (
            merged
            and b.kind == "para"
            and not b.bare
            and merged[-1].kind == "para"
            and merged[-1].bare
            and not single_lines
        ):
            merged[-1] = Block("para", f"{merged[-1].text} {b.text}")
            continue
        merged.append(b)
    out.blocks = merged
    first_text = next((b for b in out.blocks if b.kind != "image"), None)
    if first_text is not None and first_text.kind == "heading":
        out.title = first_text.text
        out.blocks.remove(first_text)
    return out
