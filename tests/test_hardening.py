"""Issue 19: no input, server, script or config can break the show, hang a build or exhaust
memory. One test (or more) per numbered case of the issue, against real files, a real
misbehaving server on 127.0.0.1 and the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest

from articast.config import IngestSettings
from articast.errors import InputError
from articast.ingest import load_article
from articast.narrate.script_md import parse_script_md
from articast.sanitize import clean_line, clean_text, is_clean
from hostile_server import HostileServer

ARTICAST = [sys.executable, "-m", "articast.cli"]
UNSAFE = "\x00\x07\x1b\x7f\x85\ufffe\uffff\U0001fffe\u202a\u202e\u2066\u2069\u200f\ud800\ufdd0"


def run(
    args: list[str], cwd: Path, *, offline: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("ARTICAST_CONFIG", None)
    if offline:
        env["ARTICAST_OFFLINE"] = "1"
    return subprocess.run(
        [*ARTICAST, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def build(article: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """A quick real build: fake voice, no video."""
    return run(
        ["episode", str(article), "--out", str(out), "--voice", "fake:tone", "--no-video", "-q", *extra],
        article.parent,
    )


def one_line_exit_2(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


def feed_ok(out: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


# --------------------------------------------------------------------------- the sanitiser


@pytest.mark.parametrize("ch", list(UNSAFE))
def test_every_unsafe_character_goes(ch: str) -> None:
    out = clean_text(f"Rivers{ch}flow")
    assert ch not in out and "Rivers" in out and "flow" in out
    assert is_clean(out) and not is_clean(f"a{ch}b")


def test_clean_keeps_text_and_lines() -> None:
    assert clean_text("Привет, мир\n\tשלום — 東京 😀") == "Привет, мир\n\tשלום — 東京 😀"
    assert clean_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert clean_line("  Only \x00 here\x07 \n") == "Only here"


# --------------------------------------------------------------------------- case 1 and 12


HOSTILE_HTML = (
    "<html><head><title>Only &#xFFFE; here &#x202E;gnirts</title></head><body>"
    "<h1>Only &#xFFFE; here &#x202E;gnirts</h1>"
    "<h2>Heading &#7; with &#27;[31m bell</h2>"
    "<p>Body words about rivers &#x2066;and&#x2069; the sea, &#xFDD0;flowing past the hills "
    "and the towns\u202e of the valley.</p></body></html>"
)


def test_ingest_removes_characters_no_writer_can_carry(tmp_path: Path) -> None:
    src = tmp_path / "a.html"
    src.write_text(HOSTILE_HTML + "\x07\x1b[2J", encoding="utf-8")
    art = load_article(src, IngestSettings(allow_network=False))
    texts = [art.title, *(s.title or "" for s in art.sections)]
    texts += [p for s in art.sections for p in s.paragraphs]
    assert all(is_clean(t) for t in texts), texts
    assert art.title == "Only here gnirts"
    assert any((s.title or "") == "Heading with [31m bell" for s in art.sections)


def test_script_heading_with_nul_and_bel_is_cleaned() -> None:
    text = "# Title\x00 here\x07\n\n## Section: Part\x00one\x07\nA sentence \u202ewith a mark.\n"
    script = parse_script_md(text)
    assert script.title == "Title here"
    seg = script.segments[0]
    assert seg.title == "Part one"
    assert all(is_clean(s) for s in seg.sentences)


def test_hostile_article_builds_and_later_builds_still_publish(tmp_path: Path) -> None:
    """Case 1 + 12 end to end: the feed, tags, captions and pages carry no unsafe character,
    and the folder keeps working for the next article."""
    from mutagen.id3 import ID3

    out = tmp_path / "out"
    bad = tmp_path / "bad.html"
    bad.write_text(HOSTILE_HTML, encoding="utf-8")
    r = build(bad, out)
    assert r.returncode == 0, r.stderr
    folder = Path(r.stdout.strip())
    good = tmp_path / "good.md"
    good.write_text("# Second Article\n\nPlain words about lakes and their birds and fish.\n")
    r2 = build(good, out)
    assert r2.returncode == 0, r2.stderr
    r3 = run(["feed", "--out", str(out)], tmp_path)
    assert r3.returncode == 0, r3.stderr
    parsed = feed_ok(out)
    titles = {e.title for e in parsed.entries}
    assert titles == {"Only here gnirts", "Second Article"}
    for name in ("feed.xml", "index.html"):
        assert is_clean((out / name).read_text(encoding="utf-8").replace("\n", " "))
    for name in ("index.html", "captions.vtt", "captions.srt", "description.txt", "script.md"):
        body = (folder / name).read_text(encoding="utf-8")
        assert is_clean(body.replace("\n", " ")), name
    tags = ID3(folder / "episode.mp3")
    for frame in tags.values():
        for value in getattr(frame, "text", []):
            assert is_clean(str(value)), (frame.FrameID, value)
    for chap in tags.getall("CHAP"):
        for sub in chap.sub_frames.values():
            for value in getattr(sub, "text", []):
                assert is_clean(str(value)), value


def test_feed_leaves_out_a_broken_item_and_keeps_the_rest(tmp_path: Path) -> None:
    """A manifest written before sanitising (title with U+FFFE, NUL in the summary) or one
    without audio: named and skipped (or cleaned), never blocking the others."""
    from articast.config import ShowConfig
    from articast.publish import update_feed
    from test_publish import make_episode

    out = tmp_path / "out"
    make_episode(out, "good", title="Good one")
    bad, manifest = make_episode(out, "legacy", title="Legacy")
    manifest.update(title="Only \ufffe here", summary="Nul\x00 and \x1b[31m", guid="g\x00")
    (bad / "episode.json").write_text(json.dumps(manifest), encoding="utf-8")
    broken, _ = make_episode(out, "broken", title="Broken")
    (broken / "episode.mp3").unlink()
    notes: list[str] = []
    update_feed(out, ShowConfig(), warnings_out=notes)
    parsed = feed_ok(out)
    titles = {e.title for e in parsed.entries}
    assert "Good one" in titles and "Only here" in titles
    assert any("broken" in n for n in notes), notes


# --------------------------------------------------------------------------- cases 3 and 4


@pytest.fixture
def hostile() -> HostileServer:
    with HostileServer() as server:
        yield server


def _net(timeout: float = 1.5) -> IngestSettings:
    return IngestSettings(allow_network=True, timeout=timeout, max_image_bytes=100_000)


@pytest.mark.parametrize("path", ["/drip", "/drip-status"])
def test_dripping_server_ends_within_the_timeout(hostile: HostileServer, path: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"no complete answer within 1\.5 s"):
        load_article(hostile.url + path, _net(1.5))
    assert time.monotonic() - t0 < 1.5 + 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/badstatus", "not valid HTTP"),
        ("/trunc", "before the whole body arrived"),
        ("/loop", "redirects in a loop"),
        ("/to-ftp", r"redirected to a non-http address \(ftp:\); refused"),
    ],
)
def test_malformed_http_is_one_input_error(hostile: HostileServer, path: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        load_article(hostile.url + path, _net())
    assert "\n" not in str(info.value)
    assert hostile.ftp_hits == 0  # the ftp:// target was refused before any connection


def test_bad_images_are_skipped_with_readable_warnings(hostile: HostileServer) -> None:
    t0 = time.monotonic()
    art = load_article(hostile.url + "/gallery", _net(1.0))
    assert time.monotonic() - t0 < 1.0 * 4 + 2  # one drip image, bounded by its deadline
    imgs = {i.alt: i for s in art.sections for i in s.images}
    assert imgs["ok"].path is not None and imgs["ok"].path.is_file()
    for alt in ("cut", "text", "drip", "bad"):
        assert imgs[alt].path is None
    text = " ".join(art.warnings)
    assert "BytesIO" not in text and "0x" not in text
    assert "not a picture Pillow can read" in text
    assert "before the whole body arrived" in text
    assert "no complete answer within 1 s" in text


def test_cli_ingest_of_a_dripping_url_is_one_line_within_the_timeout(
    hostile: HostileServer, tmp_path: Path
) -> None:
    (tmp_path / "articast.toml").write_text("[ingest]\ntimeout = 2\n")
    t0 = time.monotonic()
    r = run(["ingest", hostile.url + "/drip"], tmp_path, offline=False)
    elapsed = time.monotonic() - t0
    one_line_exit_2(r)
    assert "within 2 s" in r.stderr
    assert elapsed < 2 + 2 + 3  # the fetch's deadline plus Python's start-up on a busy machine


def test_cli_bad_status_line_is_exit_2(hostile: HostileServer, tmp_path: Path) -> None:
    r = run(["ingest", hostile.url + "/badstatus"], tmp_path, offline=False)
    one_line_exit_2(r)
    r = run(["ingest", hostile.url + "/loop"], tmp_path, offline=False)
    one_line_exit_2(r)
