"""Publish stage: description.txt, shownotes.html, feed.xml, episode pages (real files, real
feedparser/lxml, and real headless Chromium for the pages)."""

from __future__ import annotations

import dataclasses
import email.utils
import functools
import json
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree
from PIL import Image

from articast import media
from articast.config import ShowConfig
from articast.models import Episode
from articast.publish import (
    build_description,
    is_local_preview,
    podcast_guid,
    update_feed,
    write_description,
    write_episode_page,
)
from articast.publish._common import ChapterInfo
from articast.publish.description import youtube_chapters

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
TALK_URL = "https://www.youtube.com/watch?v=abcdefghijk&t=120s"

# Chapters of the test episode (40 s): four of 10 s; sentences every 2.5 s.
CHAPTERS = [
    ("Introduction", 0.0, 10.0),
    ("Why we sleep", 10.0, 20.0),
    ("Memory at night", 20.0, 30.0),
    ("Outro", 30.0, 40.0),
]


def _tone_mp3(path: Path, seconds: float) -> None:
    media.run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-ac",
            "1",
            "-ar",
            "44100",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            str(path),
        ],
        what="test tone",
    )


def _vtt_time(t: float) -> str:
    h, rem = divmod(t, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def make_episode(
    out: Path,
    slug: str,
    *,
    title: str = "Sleep and memory",
    pub_date: str = "Tue, 03 Nov 2026 09:30:00 +0000",
    seconds: float = 40.0,
    talk_thumb: Path | None = None,
) -> tuple[Path, dict[str, Any]]:
    """An episode folder with a real tone MP3 and a hand-written manifest (COMMON.md schema)."""
    folder = out / slug
    folder.mkdir(parents=True)
    _tone_mp3(folder / "episode.mp3", seconds)
    Image.new("RGB", (64, 64), (30, 90, 160)).save(folder / "cover.jpg")
    sentences = []
    for i in range(int(seconds / 2.5)):
        start = i * 2.5
        seg = min(int(start // 10), len(CHAPTERS) - 1)
        sentences.append(
            {
                "text": f"Sentence number {i + 1} of the text.",
                "start": start,
                "end": start + 2.2,
                "segment": seg,
            }
        )
    chapters = [
        {"title": t, "start": s, "end": e, "url": TALK_URL if t == "Outro" else None}
        for t, s, e in CHAPTERS
    ]
    (folder / "chapters.json").write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [{"startTime": c["start"], "title": c["title"]} for c in chapters],
            }
        ),
        encoding="utf-8",
    )
    vtt = ["WEBVTT", ""]
    srt = []
    for n, s in enumerate(sentences, 1):
        vtt += [f"{_vtt_time(s['start'])} --> {_vtt_time(s['end'])}", str(s["text"]), ""]
        srt += [
            str(n),
            f"{_vtt_time(s['start']).replace('.', ',')} --> "
            f"{_vtt_time(s['end']).replace('.', ',')}",
            str(s["text"]),
            "",
        ]
    (folder / "captions.vtt").write_text("\n".join(vtt), encoding="utf-8")
    (folder / "captions.srt").write_text("\n".join(srt), encoding="utf-8")
    manifest: dict[str, Any] = {
        "title": title,
        "slug": slug,
        "guid": str(uuid.uuid4()),
        "pub_date": pub_date,
        "created": "2026-11-03T09:30:00+00:00",
        "updated": "2026-11-03T09:31:00+00:00",
        "voice": "fake:tone",
        "duration": seconds,
        "language": "en",
        "source": "assets/sample/sleep-and-memory.txt",
        "source_url": "https://example.org/articles/sleep-and-memory",
        "summary": "Why the sleeping brain replays the day, and what that means for learning.",
        "show": {"name": "Test Show", "author": "Tester"},
        "chapters": chapters,
        "sections": [],
        "sentences": sentences,
        "talk": {
            "url": "https://www.youtube.com/watch?v=abcdefghijk",
            "video_id": "abcdefghijk",
            "start": 120,
            "title": "The sleeping brain <live>",
            "channel": "Science Talks",
            "duration": 3600,
            "thumbnail": str(talk_thumb) if talk_thumb else None,
            "fetched": talk_thumb is not None,
            "link_text": "a talk on sleep",
        },
        "warnings": [],
        "files": {
            "audio": "episode.mp3",
            "video": "episode.mp4",
            "script": "script.md",
            "captions_vtt": "captions.vtt",
            "captions_srt": "captions.srt",
            "chapters": "chapters.json",
            "cover": "cover.jpg",
            "thumbnail": "thumbnail.png",
            "description": "description.txt",
            "shownotes": "shownotes.html",
            "page": "index.html",
        },
    }
    (folder / "episode.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder, manifest


# --------------------------------------------------------------------------- description


def _chapter_lines(desc: str) -> list[tuple[int, str]]:
    out = []
    for line in desc.splitlines():
        m = re.match(r"^(?:(\d+):)?(\d+):(\d\d) (.+)$", line)
        if m:
            h, mi, s, title = m.groups()
            out.append((int(h or 0) * 3600 + int(mi) * 60 + int(s), title))
    return out


def test_description_follows_youtube_rules(tmp_path: Path) -> None:
    folder, manifest = make_episode(tmp_path, "ep")
    # A 4-second chapter in the middle must be merged away, not break the list.
    manifest["chapters"].insert(2, {"title": "Aside", "start": 18.0, "end": 22.0, "url": None})
    manifest["chapters"][1]["end"] = 18.0
    manifest["chapters"][3]["start"] = 22.0
    write_description(folder, Episode.from_json(manifest))
    desc = (folder / "description.txt").read_text(encoding="utf-8")
    first = desc.splitlines()[0]
    assert "https://www.youtube.com/watch?v=abcdefghijk" in first and "t=120" in first
    assert manifest["summary"] in desc
    assert desc.index("https://example.org/articles/sleep-and-memory") > desc.index("replays")
    assert "<" not in desc and ">" not in desc
    assert len(desc.encode()) <= 5000
    chs = _chapter_lines(desc)
    assert chs[0][0] == 0 and len(chs) >= 3
    starts = [s for s, _ in chs]
    assert starts == sorted(starts)
    lengths = [b - a for a, b in zip(starts, [*starts[1:], 40], strict=True)]
    assert min(lengths) >= 10, chs
    assert "Aside" not in [t for _, t in chs]


def test_description_stays_under_5000_bytes_with_many_chapters() -> None:
    many = [
        {"title": f"Chapter {i} " + "é" * 30, "start": i * 11.0, "end": (i + 1) * 11.0}
        for i in range(300)
    ]
    desc = build_description(
        Episode.from_json({"summary": "ü" * 6000, "duration": 3300.0, "chapters": many, "talk": None})
    )
    assert len(desc.encode()) <= 5000
    assert desc.startswith("ü")  # no talk: the summary comes first
    chs = _chapter_lines(desc)
    assert len(chs) >= 3 and chs[0][0] == 0
    starts = [s for s, _ in chs]
    assert all(b - a >= 10 for a, b in zip(starts, [*starts[1:], 3300], strict=True))


def test_too_few_chapters_are_left_out() -> None:
    chs = youtube_chapters(
        [ChapterInfo("A", 0, 5), ChapterInfo("B", 5, 30), ChapterInfo("C", 30, 36)], 36.0
    )
    assert chs == []  # merged to one or two: YouTube would reject them all


def test_shownotes_have_summary_links_and_chapter_times(tmp_path: Path) -> None:
    folder, manifest = make_episode(tmp_path, "ep")
    write_description(folder, Episode.from_json(manifest))
    doc = etree.HTML((folder / "shownotes.html").read_text(encoding="utf-8"))
    links = doc.xpath("//a/@href")
    assert "https://www.youtube.com/watch?v=abcdefghijk&t=120s" in links
    assert "https://example.org/articles/sleep-and-memory" in links
    items = [" ".join("".join(li.itertext()).split()) for li in doc.xpath("//li")]
    assert items[:3] == ["0:00 Introduction", "0:10 Why we sleep", "0:20 Memory at night"]
    assert "replays the day" in "".join(doc.itertext())


# --------------------------------------------------------------------------- feed


def _raw(feed: Path) -> Any:
    return etree.parse(str(feed)).getroot()


def test_feed_has_every_required_tag(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".cache" / "junk").mkdir(parents=True)
    (out / ".cache" / "junk" / "episode.json").write_text("not json", encoding="utf-8")
    make_episode(out, "first", title="First", pub_date="Mon, 02 Nov 2026 08:00:00 +0000")
    make_episode(out, "second", title="Second", seconds=25.0)
    show = ShowConfig(
        name="Test Show",
        author="Tester",
        language="en-us",
        category="Science",
        base_url="https://pods.example.org/show/",
        email="t@example.org",
    )
    feed = update_feed(out, show)
    assert feed == out / "feed.xml"
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title == "Test Show"
    assert parsed.feed.language == "en-us"
    assert parsed.feed.image.href == "https://pods.example.org/show/second/cover.jpg"
    assert [t.term for t in parsed.feed.tags] == ["Science"]
    assert [e.title for e in parsed.entries] == ["Second", "First"]
    for entry in parsed.entries:
        slug = entry.title.lower()
        manifest = json.loads((out / slug / "episode.json").read_text(encoding="utf-8"))
        (enc,) = entry.enclosures
        assert enc.href == f"https://pods.example.org/show/{slug}/episode.mp3"
        assert enc.type == "audio/mpeg"
        assert int(enc.length) == (out / slug / "episode.mp3").stat().st_size
        assert entry.id == manifest["guid"]
        assert entry.guidislink is False
        assert entry.published_parsed[:6] == email.utils.parsedate(manifest["pub_date"])[:6]
        assert entry.itunes_duration == str(round(manifest["duration"]))
        assert "replays the day" in entry.summary and "0:20 Memory at night" in entry.summary

    root = _raw(feed)
    assert root.nsmap["itunes"] == ITUNES and root.nsmap["podcast"] == PODCAST
    ch = root.find("channel")
    assert ch.findtext(f"{{{ITUNES}}}explicit") == "false"
    assert ch.find(f"{{{ITUNES}}}image").get("href").endswith("/second/cover.jpg")
    assert ch.find(f"{{{ITUNES}}}category").get("text") == "Science"
    assert ch.findtext(f"{{{ITUNES}}}author") == "Tester"
    assert ch.findtext("link") == "https://pods.example.org/show/index.html"
    self_link = ch.find("{http://www.w3.org/2005/Atom}link[@rel='self']")
    assert self_link.get("href") == "https://pods.example.org/show/feed.xml"
    # podcast:guid = UUIDv5(namespace, feed URL without scheme and trailing slash).
    expected = uuid.uuid5(
        uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "pods.example.org/show/feed.xml"
    )
    assert ch.findtext(f"{{{PODCAST}}}guid") == str(expected)
    # The spec's own examples (Podcastindex-org/podcast-namespace, guid tag).
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("https://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    for item in ch.findall("item"):
        slug = item.findtext("title").lower()
        assert item.find("guid").get("isPermaLink") == "false"
        assert item.findtext(f"{{{ITUNES}}}explicit") == "false"
        chapters = item.find(f"{{{PODCAST}}}chapters")
        assert chapters.get("type") == "application/json+chapters"
        assert chapters.get("url") == f"https://pods.example.org/show/{slug}/chapters.json"
        transcripts = {
            t.get("type"): t.get("url") for t in item.findall(f"{{{PODCAST}}}transcript")
        }
        assert transcripts == {
            "text/vtt": f"https://pods.example.org/show/{slug}/captions.vtt",
            "application/x-subrip": f"https://pods.example.org/show/{slug}/captions.srt",
        }
    assert not is_local_preview(show)
    index = etree.HTML((out / "index.html").read_text(encoding="utf-8"))
    assert index.xpath("//a/@href")[:1] == ["feed.xml"]
    assert {"first/index.html", "second/index.html"} <= set(index.xpath("//a/@href"))


def test_rebuild_keeps_guid_and_pubdate_and_updates_length(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder, manifest = make_episode(out, "ep")
    show = ShowConfig(base_url="")
    first = feedparser.parse(update_feed(out, show).read_bytes()).entries[0]
    assert first.enclosures[0].href == "ep/episode.mp3"  # local preview: relative links
    assert is_local_preview(show)
    # A rebuild: new audio of another length, same guid and pub_date kept in the manifest.
    (folder / "episode.mp3").unlink()
    _tone_mp3(folder / "episode.mp3", 30.0)
    manifest.update(duration=30.0, updated="2026-11-04T10:00:00+00:00")
    (folder / "episode.json").write_text(json.dumps(manifest), encoding="utf-8")
    second = feedparser.parse(update_feed(out, show).read_bytes()).entries[0]
    assert second.id == first.id == manifest["guid"]
    assert second.published == first.published
    assert int(second.enclosures[0].length) == (folder / "episode.mp3").stat().st_size
    assert int(second.enclosures[0].length) != int(first.enclosures[0].length)
    assert second.itunes_duration == "30"
    assert not list(out.glob(".feed.xml*"))  # atomic write left no temp file
    for name in ("feed.xml", "index.html"):  # a web server running as another user reads them
        assert (out / name).stat().st_mode & 0o044 == 0o044


def test_feed_reports_broken_episode_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder, _ = make_episode(out, "ep")
    (folder / "episode.mp3").unlink()
    make_episode(out, "other", title="Other")
    notes: list[str] = []
    feed = update_feed(out, ShowConfig(), warnings_out=notes)
    # Issue 19: the broken folder is named and left out; it never blocks the other episodes.
    assert len(notes) == 1 and re.search(r"episode ep left out.*episode\.mp3 is missing", notes[0])
    titles = [e.title for e in feedparser.parse(feed.read_bytes()).entries]
    assert titles == ["Other"]


# --------------------------------------------------------------------------- browser

CHROMIUM = Path("/usr/bin/chromium")
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class _RangeHandler(SimpleHTTPRequestHandler):
    """http.server with byte ranges, as real web servers have (media seeking needs them)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:  # type: ignore[override]
        rng = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        m = re.match(r"bytes=(\d+)-(\d*)$", rng or "")
        if not m or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start, end = int(m.group(1)), int(m.group(2) or size - 1)
        end = min(end, size - 1)
        fh = path.open("rb")
        fh.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return fh

    def copyfile(self, source: Any, outputfile: Any) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            super().copyfile(source, outputfile)
            return
        while remaining > 0:
            chunk = source.read(min(65536, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The output folder (one published episode) served on 127.0.0.1."""
    out = tmp_path / "out"
    thumb = tmp_path / "cache" / "talk" / "thumb.jpg"
    thumb.parent.mkdir(parents=True)
    Image.new("RGB", (320, 180), (200, 60, 40)).save(thumb)
    folder, manifest = make_episode(out, "sleep-and-memory", talk_thumb=thumb)
    show = ShowConfig(name="Test Show")
    write_description(folder, Episode.from_json(manifest))
    write_episode_page(folder, Episode.from_json(manifest), show)
    update_feed(out, show)
    handler = functools.partial(_RangeHandler, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", out
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _require_chromium() -> None:
    if not CHROMIUM.is_file() or shutil.which("chromium") is None:
        pytest.fail(
            "Chromium is missing: install it with 'sudo apt-get install chromium' "
            "(or run 'make browser' as root), then rerun the browser tests",
            pytrace=False,
        )


@pytest.mark.browser
def test_episode_page_in_headless_chromium(served: tuple[str, Path], tmp_path: Path) -> None:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    origin, out = served
    assert (out / "sleep-and-memory" / "talk-thumbnail.jpg").is_file()
    requests: list[str] = []
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROME_ARGS,
        )
        try:
            ctx.on("request", lambda r: requests.append(r.url))
            page = ctx.new_page()
            page.goto(f"{origin}/index.html")
            page.click("text=Sleep and memory")
            page.wait_for_url(f"{origin}/sleep-and-memory/index.html")
            page.wait_for_function("document.getElementById('player').duration > 0", timeout=15000)
            duration = page.evaluate("document.getElementById('player').duration")
            assert 39.0 < duration < 41.5
            third = page.locator("#chapters button").nth(2)
            assert "Memory at night" in third.inner_text()
            third.focus()  # keyboard reachable: a real button, activated with Enter
            page.keyboard.press("Enter")
            page.wait_for_function(
                "Math.abs(document.getElementById('player').currentTime - 20) < 1.5"
                " && document.querySelector('#transcript .s.current') !== null"
            )
            state = page.evaluate(
                """() => {
                  const a = document.getElementById('player');
                  a.pause();
                  const cur = document.querySelector('#transcript .s.current');
                  return {t: a.currentTime, start: parseFloat(cur.dataset.start),
                          end: parseFloat(cur.dataset.end), text: cur.textContent,
                          aria: cur.getAttribute('aria-current'),
                          count: document.querySelectorAll('#transcript .s.current').length};
                }"""
            )
            assert 20.0 <= state["t"] < 21.5
            assert state["start"] <= state["t"] < state["start"] + 2.5, state
            assert state["count"] == 1 and state["aria"] == "true"
            # A second seek moves the highlight to the sentence spoken then.
            page.evaluate("document.getElementById('player').currentTime = 31.0")
            page.wait_for_function(
                "document.querySelector('#transcript .s.current').dataset.start === '30.000'"
            )
            assert page.locator("#chapters button.current").inner_text().endswith("Outro")
            # While it plays, the highlight follows the voice (4x speed keeps the test short).
            page.evaluate(
                """() => { const a = document.getElementById('player');
                           a.currentTime = 34.0; a.playbackRate = 4; return a.play(); }"""
            )
            page.wait_for_function(
                "document.querySelector('#transcript .s.current').dataset.start === '35.000'",
                timeout=5000,
            )
            page.evaluate("document.getElementById('player').pause()")
            assert page.get_attribute("audio#player", "aria-label")
            assert page.locator("img[src='talk-thumbnail.jpg']").count() == 1
            page.screenshot(path=str(tmp_path / "episode-page.png"), full_page=True)
        finally:
            ctx.close()
    assert (tmp_path / "episode-page.png").stat().st_size > 10_000
    assert any(u.endswith("/sleep-and-memory/episode.mp3") for u in requests)
    outside = [u for u in requests if not u.startswith(origin + "/")]
    assert outside == [], f"requests left the output folder: {outside}"


def test_page_lists_video_when_present(tmp_path: Path) -> None:
    folder, manifest = make_episode(tmp_path / "out", "ep")
    (folder / "episode.mp4").write_bytes(b"\0" * 16)
    Image.new("RGB", (128, 72)).save(folder / "thumbnail.png")
    write_episode_page(folder, Episode.from_json(manifest), dataclasses.replace(ShowConfig(), name="S"))
    doc = etree.HTML((folder / "index.html").read_text(encoding="utf-8"))
    (video,) = doc.xpath("//video")
    assert video.get("src") == "episode.mp4" and video.get("poster") == "thumbnail.png"
    assert doc.xpath("//video/track/@src") == ["captions.vtt"]
    srcs = doc.xpath("//@src") + doc.xpath("//link/@href")
    assert not [s for s in srcs if s.startswith(("http:", "https:", "//"))]
    labels = [b.get("aria-label") for b in doc.xpath("//button")]
    assert len(labels) == 4 and all(labels)


def test_short_first_chapter_merges_into_the_next() -> None:
    chs = youtube_chapters(
        [
            ChapterInfo("Intro", 0, 4),
            ChapterInfo("B", 4.6, 20),
            ChapterInfo("C", 20.2, 35),
            ChapterInfo("D", 35, 50),
        ],
        50.0,
    )
    assert [(c.start, c.title) for c in chs] == [(0, "B"), (20, "C"), (35, "D")]
