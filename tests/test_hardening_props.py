"""Issue 19, property-based: random bytes and random Unicode (every control, format, bidi,
surrogate, private-use and unassigned category) through ingest, script reading, the feed and
the ID3 tags. Whatever goes in, the result is clean text or one ``InputError`` line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articast.config import IngestSettings, ShowConfig
from articast.errors import InputError
from articast.ingest import load_article
from articast.narrate.script_md import parse_script_md
from articast.sanitize import clean_line, clean_text, is_clean

# Every general category, surrogates included, plus the characters the issue named.
SPECIAL = st.sampled_from(
    list("\x00\x07\x08\x0b\x0c\x1b\x7f\x85\x9b\u061c\u200e\u200f\u2028\u2029\ufeff")
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\ufffe", "\uffff", "\ufdd0", "\U0010ffff", "\ud800", "\udfff", "\ue000"]
)
ANY_CHAR = st.one_of(
    st.characters(codec=None), st.characters(categories=["Cs", "Cn", "Co"]), SPECIAL
)
TEXT = st.text(ANY_CHAR, max_size=200)
WORDS = st.lists(
    st.one_of(st.sampled_from(["rivers", "lakes", "sea", "Привет", "東京", "שלום"]), TEXT),
    min_size=1,
    max_size=12,
).map(" ".join)
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _clean_article(art: object) -> None:
    from articast.models import Article

    assert isinstance(art, Article)
    texts = [art.title, art.byline or "", art.source, *art.links, *art.warnings]
    for s in art.sections:
        texts.append(s.title or "")
        texts.extend(s.paragraphs)
        texts.extend(i.alt for i in s.images)
    for t in texts:
        assert is_clean(t), repr(t)
    assert art.title.strip()


@given(st.text(ANY_CHAR))
@FAST
def test_sanitise_is_idempotent_and_complete(text: str) -> None:
    once = clean_text(text)
    assert is_clean(once) and clean_text(once) == once
    line = clean_line(text)
    assert is_clean(line) and "\n" not in line and line == line.strip()
    line.encode("utf-8")  # no lone surrogate survives


@given(st.binary(max_size=3000))
@FAST
def test_ingest_of_random_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.html"
        path.write_bytes(data)
        try:
            art = load_article(path, IngestSettings(allow_network=False))
        except InputError as exc:
            assert "\n" not in str(exc)
            return
        _clean_article(art)


@given(WORDS, WORDS, st.sampled_from(["md", "html", "txt"]))
@FAST
def test_ingest_of_random_unicode(title: str, body: str, kind: str) -> None:
    if kind == "md":
        doc = f"# {title}\n\n{body}\n\n## {body[:30]}\n\n{title} {body}\n"
    elif kind == "html":
        doc = f"<html><title>{title}</title><body><h1>{title}</h1><p>{body}</p></body></html>"
    else:
        doc = f"{title}\n\n{body}\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"a.{kind}"
        path.write_bytes(doc.encode("utf-8", "surrogatepass"))
        try:
            art = load_article(path, IngestSettings(allow_network=False))
        except InputError as exc:
            assert "\n" not in str(exc)
            return
        _clean_article(art)


@given(
    WORDS,
    st.lists(st.tuples(st.sampled_from(["Intro", "Section", "Outro"]), WORDS, WORDS), max_size=4),
)
@FAST
def test_script_reading_of_random_unicode(title: str, segments: list[tuple[str, str, str]]) -> None:
    from articast.errors import ScriptFormatError

    text = f"# {title}\n\n" + "".join(f"## {k}: {t}\n{s}\n" for k, t, s in segments)
    try:
        script = parse_script_md(text)
    except ScriptFormatError as exc:
        assert "\n" not in clean_line(str(exc))
        return
    assert is_clean(script.title)
    for seg in script.segments:
        assert is_clean(seg.title)
        for s in seg.sentences:
            assert is_clean(s) and any(ch.isalnum() for ch in s)


@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=3))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
def test_feed_of_random_unicode_manifests(items: list[tuple[str, str]]) -> None:
    """Manifests written by older versions (nothing sanitised): the feed is always written,
    feedparser reads it, and every episode is in it or named in the warnings."""
    from articast.publish import update_feed

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for i, (title, summary) in enumerate(items):
            folder = out / f"ep{i}"
            folder.mkdir()
            (folder / "episode.mp3").write_bytes(b"ID3" + b"\x00" * 64)
            manifest = {
                "title": title,
                "summary": summary,
                "guid": f"g{i}{title[:5]}",
                "slug": f"ep{i}",
                "pub_date": "Tue, 03 Nov 2026 09:30:00 +0000",
                "duration": 12.5,
                "chapters": [{"title": title, "start": 0, "end": 12.5}],
                "sentences": [{"text": summary, "start": 0, "end": 1, "segment": 0}],
            }
            (folder / "episode.json").write_text(
                json.dumps(manifest, ensure_ascii=True), encoding="utf-8"
            )
        notes: list[str] = []
        feed = update_feed(out, ShowConfig(name="Show"), warnings_out=notes)
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert len(parsed.entries) + len(notes) == len(items)
        body = feed.read_text(encoding="utf-8")
        assert is_clean(body.replace("\n", " "))


@given(WORDS)
@settings(max_examples=30, deadline=None, derandomize=True)
def test_clean_text_survives_id3_tags(title: str) -> None:
    """What ingest lets through is carried whole by ID3v2.4 text frames (NUL would split them)."""
    from mutagen.id3 import CHAP, ID3, TIT2

    clean = clean_line(title) or "x"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.mp3"
        path.write_bytes(b"")
        tags = ID3()
        tags.add(TIT2(encoding=3, text=[clean]))
        tags.add(
            CHAP(
                element_id="c0",
                start_time=0,
                end_time=1000,
                sub_frames=[TIT2(encoding=3, text=[clean])],
            )
        )
        tags.save(str(path), v2_version=4)
        back = ID3(str(path))
        assert back["TIT2"].text == [clean]
        assert back.getall("CHAP")[0].sub_frames["TIT2"].text == [clean]
