"""Property tests: random and mutated HTML, Markdown and bytes never raise anything but
``InputError``, and what comes out is always clean (no tags, valid talk links, sane sections)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articast.config import IngestSettings
from articast.errors import InputError
from articast.ingest import article_to_json, load_article
from articast.models import Article

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SAMPLE = Path(__file__).resolve().parents[1] / "assets" / "sample"
OFFLINE = IngestSettings(allow_network=False, max_image_pixels=10_000)
# A deeper local run: ARTICAST_PROPS_EXAMPLES=2000 pytest tests/test_ingest_props.py
PROPS = settings(
    max_examples=int(os.environ.get("ARTICAST_PROPS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TAGS = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "article",
    "section",
    "a",
    "img",
    "iframe",
    "ul",
    "li",
    "table",
    "tr",
    "td",
    "script",
    "style",
    "nav",
    "footer",
    "figure",
    "figcaption",
    "pre",
    "strong",
    "br",
    "hr",
    "blockquote",
    "span",
    "main",
    "aside",
    "form",
    "svg",
    "title",
]
ATTRS = [
    ' href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m2s"',
    ' src="https://youtu.be/dQw4w9WgXcQ?t=5"',
    ' src="../../etc/passwd"',
    ' src="file:///etc/passwd"',
    ' src="data:image/png;base64,iVBORw0KGgo="',
    ' href="javascript:alert(1)"',
    ' class="cookie-banner share"',
    ' role="main"',
    ' lang="de"',
    " hidden",
    ' style="display:none"',
    ' alt="an image"',
    "",
]
WORDS = st.sampled_from(
    [
        "The",
        "river",
        "is",
        "warm.",
        "sleep",
        "memory",
        "\n",
        "  ",
        "<",
        ">",
        "&amp;",
        "’",
        "`",
        "```html",
        "\u200b",
        "é",
        "😀",
        "www.youtube.com/shorts/abcdefghijk",
        "\t",
        "---",
    ]
)


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 4))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(f"<{tag}{draw(st.sampled_from(ATTRS))}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(f"<\n{tag}>")
        else:
            parts.append(" ".join(draw(st.lists(WORDS, max_size=12))))
    return "".join(parts)


MD_LINES = st.sampled_from(
    [
        "# Title",
        "## Heading",
        "### Sub",
        "Plain words in a line.",
        "",
        "- item",
        "1. first",
        "> quote",
        "```",
        "```python",
        "| a | b |",
        "|---|---|",
        "| 1 | 2 |",
        "---",
        "+++",
        "title: x",
        "title = 'y'",
        "[link](https://youtu.be/dQw4w9WgXcQ)",
        "![img](../x.png)",
        "<iframe src='https://www.youtube.com/embed/dQw4w9WgXcQ?start=3'></iframe>",
        "***",
        ">" * 40 + " deep",
        "- " * 40 + "deep",
        "lang: [1, 2",
        "author: {name: A}",
        "\t",
        "<!--",
    ]
)


def _check(article: Article) -> None:
    data = article_to_json(article)
    assert data["title"]
    for s in article.sections:
        assert s.paragraphs or s.images
        for p in s.paragraphs:
            assert p == p.strip()
            assert "\x00" not in p
    for t in article.talks:
        assert re.fullmatch(r"https://www\.youtube\.com/watch\?v=[\w-]{11}(&t=\d+s)?", t.url)
    for img in article.images:
        if img.path is not None:
            assert "passwd" not in str(img.path)


def _run(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(data)
        try:
            article = load_article(p, OFFLINE)
        except InputError as exc:
            assert "\n" not in str(exc)
            return
        _check(article)


@PROPS
@given(html_soup())
def test_random_html(soup: str) -> None:
    _run(soup.encode("utf-8", "surrogatepass"), "page.txt")


@PROPS
@given(st.lists(MD_LINES, max_size=40))
def test_random_markdown(lines: list[str]) -> None:
    _run("\n".join(lines).encode(), "draft.md")


@PROPS
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    _run(text.encode("utf-8", "surrogatepass"), "notes.txt")


@PROPS
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    _run(data, "blob.html")


SOURCES = [
    (SAMPLE / "sleep-and-memory.txt").read_bytes(),
    (SAMPLE / "coffee-and-focus.md").read_bytes(),
    (FIXTURES / "news.html").read_bytes(),
    (FIXTURES / "blog.html").read_bytes(),
]


@PROPS
@given(
    st.sampled_from(range(len(SOURCES))),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 200), st.binary(max_size=20)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_articles(which: int, edits: list[tuple[int, int, bytes]]) -> None:
    data = bytearray(SOURCES[which])
    for pos, cut, insert in edits:
        pos %= max(1, len(data))
        data[pos : pos + cut] = insert
    _run(bytes(data), "mutated.txt")
