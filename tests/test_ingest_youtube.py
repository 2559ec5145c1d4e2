"""YouTube link recognition: every link form, start times, exact host matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from articast.ingest import parse_start, parse_youtube
from articast.ingest._youtube import find_bare

VID = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("url", "start"),
    [
        (f"https://www.youtube.com/watch?v={VID}", None),
        (f"http://youtube.com/watch?feature=share&v={VID}", None),
        (f"https://m.youtube.com/watch?v={VID}&t=42", 42),
        (f"https://www.youtube.com/watch?v={VID}&t=1m30s", 90),
        (f"https://www.youtube.com/watch?v={VID}#t=2m", 120),
        (f"https://youtu.be/{VID}", None),
        (f"https://youtu.be/{VID}?t=42s", 42),
        (f"https://www.youtube.com/embed/{VID}?start=30", 30),
        (f"https://www.youtube-nocookie.com/embed/{VID}?start=30&rel=0", 30),
        (f"https://www.youtube.com/shorts/{VID}", None),
        (f"https://www.youtube.com/live/{VID}?si=xyz", None),
        (f"//www.youtube.com/embed/{VID}", None),
        (f"www.youtube.com/watch?v={VID}&t=1h2m3s", 3723),
        (f"https://WWW.YOUTUBE.COM/watch?v={VID}", None),
    ],
)
def test_forms(url: str, start: int | None) -> None:
    ref = parse_youtube(url)
    assert ref is not None
    assert ref.video_id == VID
    assert ref.start == start
    expected = f"https://www.youtube.com/watch?v={VID}" + (f"&t={start}s" if start else "")
    assert ref.url == expected


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com.evil.example/watch?v={VID}",
        f"https://evil.example/www.youtube.com/watch?v={VID}",
        f"https://notyoutube.com/watch?v={VID}",
        f"https://youtube.com@evil.example/watch?v={VID}",
        f"https://www.youtube.com:8080/watch?v={VID}",
        f"javascript:alert('https://www.youtube.com/watch?v={VID}')",
        f"ftp://www.youtube.com/watch?v={VID}",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=waytoolongvideoid",
        "https://www.youtube.com/channel/UC1234567890",
        "https://www.youtube.com/",
        "https://youtu.be/",
        "http://[::1",
        "",
    ],
)
def test_not_youtube(url: str) -> None:
    assert parse_youtube(url) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("42", 42), ("42s", 42), ("1m30s", 90), ("1h", 3600), ("1h2m3s", 3723), ("90.5", 90)],
)
def test_start_values(value: str, seconds: int) -> None:
    assert parse_start(value) == seconds


@pytest.mark.parametrize("value", ["", "abc", "1x", "-5", "9" * 30])
def test_bad_start_values(value: str) -> None:
    assert parse_start(value) is None


def test_zero_start_is_no_start() -> None:
    ref = parse_youtube(f"https://youtu.be/{VID}?t=0")
    assert ref is not None
    assert ref.start is None
    assert ref.url == f"https://www.youtube.com/watch?v={VID}"


def test_bare_text_links() -> None:
    text = (
        f"Watch https://youtu.be/{VID}?t=10. Or www.youtube.com/shorts/abcdefghijk, "
        f"not www.youtube.com.evil.example/watch?v={VID} nor notyoutube.com/watch?v={VID}."
    )
    refs = find_bare(text)
    assert [(r.video_id, r.start) for r in refs] == [(VID, 10), ("abcdefghijk", None)]


def test_a_paragraph_that_is_only_the_talk_link_is_still_the_talk(tmp_path: Path) -> None:
    from articast.config import IngestSettings
    from articast.ingest import load_article

    page = tmp_path / "a.html"
    body = " ".join(["Sleep replays the day's sequences in compressed form."] * 8)
    page.write_text(
        f"<html><body><article><h1>Replay</h1><p>{body}</p>"
        '<p><a href="https://youtu.be/YLRWoMVNEq8">Watch the lecture</a></p>'
        f"<h2>More</h2><p>{body}</p></article></body></html>"
    )
    article = load_article(page, IngestSettings(allow_network=False))
    assert article.talk is not None
    assert article.talk.video_id == "YLRWoMVNEq8"
    assert article.talk.text == "Watch the lecture"
