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
    args: list[str],
    cwd: Path,
    *,
    offline: bool = True,
    timeout: float = 300,
    env_extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    env.pop("ARTICAST_CONFIG", None)
    if offline:
        env["ARTICAST_OFFLINE"] = "1"
    return subprocess.run(
        [*ARTICAST, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def build(article: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """A quick real build: fake voice, no video."""
    return run(
        [
            "episode",
            str(article),
            "--out",
            str(out),
            "--voice",
            "fake:tone",
            "--no-video",
            "-q",
            *extra,
        ],
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


def test_digits_that_are_not_numbers_are_no_crash(hostile: HostileServer, tmp_path: Path) -> None:
    """"²³" passes str.isdigit() but not int(): a Content-Length or an image size written so
    is ignored, never an internal error."""
    art = load_article(hostile.url + "/odd-length", _net())
    assert art.title == "Served Page"
    page = tmp_path / "sizes.html"
    page.write_text(
        "<html><body><article><h1>Sizes</h1><p>Words about rivers and the sea, enough of them "
        "to be an article.</p><img src='a.png' width='²' height='³'></article></body></html>",
        encoding="utf-8",
    )
    assert load_article(page, IngestSettings(allow_network=False)).title == "Sizes"


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


# --------------------------------------------------------------------------- case 2


def test_titles_in_any_script_get_their_own_folders(tmp_path: Path, fast_settings) -> None:
    """Two Cyrillic-titled articles (and two articles with one Latin title) never replace
    each other: distinct folders, guids and dates; a rebuild goes back to its own folder."""
    import dataclasses

    from articast.pipeline import build_episode

    s = dataclasses.replace(
        fast_settings, video=dataclasses.replace(fast_settings.video, enabled=False)
    )
    a = tmp_path / "a.md"
    a.write_text("# Реки и озёра\n\nСлова о реках, озёрах и море, и о рыбах в них.\n")
    b = tmp_path / "b.md"
    b.write_text("# Горы и долины\n\nСлова о горах, долинах и ветре над ними.\n")
    c = tmp_path / "c.md"
    c.write_text("# Реки и озёра\n\nДругая статья с тем же заголовком, о другом.\n")
    ra = build_episode(a, s, update_feed=False)
    rb = build_episode(b, s, update_feed=False)
    rc = build_episode(c, s)
    assert ra.folder.name == "reki-i-ozera" and rb.folder.name == "gory-i-doliny"
    assert rc.folder.name.startswith("reki-i-ozera-") and rc.folder != ra.folder
    assert len({ra.episode.guid, rb.episode.guid, rc.episode.guid}) == 3
    again = build_episode(c, s)
    assert again.folder == rc.folder and again.episode.guid == rc.episode.guid
    assert json.loads((ra.folder / "episode.json").read_text())["source_id"] == str(a.resolve())
    parsed = feed_ok(s.out_dir)
    assert len(parsed.entries) == 3


def test_batch_builds_two_same_titled_articles_without_a_conflict(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "one.md").write_text("# Новости\n\nПервая статья о реках и озёрах страны.\n")
    (inbox / "two.md").write_text("# Новости\n\nВторая статья о горах и долинах страны.\n")
    out = tmp_path / "out"
    r = run(
        ["batch", str(inbox), "--out", str(out), "--voice", "fake:tone", "--no-video", "-q"],
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads((out / ".batch" / "report.json").read_text())
    assert [a["status"] for a in report["articles"]] == ["built", "built"]
    assert len({a["slug"] for a in report["articles"]}) == 2
    r = run(
        ["batch", str(inbox), "--out", str(out), "--voice", "fake:tone", "--no-video", "-q"],
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads((out / ".batch" / "report.json").read_text())
    assert [a["status"] for a in report["articles"]] == ["skipped", "skipped"]


# --------------------------------------------------------------------------- case 11


def test_two_builds_of_one_article_queue_instead_of_colliding(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text("# Twin Builds\n\nWords about rivers and lakes, the same for both builds.\n")
    out = tmp_path / "out"
    cmd = [
        *ARTICAST,
        "episode",
        str(article),
        "--out",
        str(out),
        "--voice",
        "fake:tone",
        "--no-video",
        "-q",
    ]
    env = {**os.environ, "ARTICAST_OFFLINE": "1"}
    procs = [
        subprocess.Popen(
            cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for code, stdout, stderr in results:
        assert code == 0, stderr
        assert stdout.strip() == str(out / "twin-builds")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "feed.xml",
        "index.html",
        "twin-builds",
    ]
    assert not [p for p in out.iterdir() if ".building-" in p.name or ".old-" in p.name]
    feed_ok(out)


def test_ffmpeg_children_die_with_their_parent(tmp_path: Path) -> None:
    code = (
        "import sys; from articast import media\n"
        "print('ready', flush=True)\n"
        "media.run_ffmpeg(['-re', '-f', 'lavfi', '-i', 'anullsrc', '-t', '120', '-f', 'null', '-'],"
        " what='wait')\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        child = None
        for _ in range(100):
            kids = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
            if kids:
                child = int(kids[0])
                break
            time.sleep(0.05)
        assert child is not None, "ffmpeg never started"
        parent.kill()
        parent.wait(timeout=10)
        for _ in range(100):
            try:
                state = Path(f"/proc/{child}/stat").read_text().split(")")[-1].split()[0]
            except FileNotFoundError:
                break
            if state == "Z":
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"ffmpeg {child} outlived its killed parent")
    finally:
        if parent.poll() is None:
            parent.kill()


# --------------------------------------------------------------------------- case 5


def test_limits_bound_tokens_sentences_and_length() -> None:
    from articast.models import Script, Segment
    from articast.narrate.limits import MAX_SENTENCE_WORDS, bound_script

    long_sentence = " ".join(["word"] * (MAX_SENTENCE_WORDS * 2 + 5))
    script = Script(
        title="T",
        segments=(
            Segment("section", "S", ("Short words " + "x" * 1_000_000 + " end.", long_sentence)),
        ),
    )
    bounded = bound_script(script)
    sentences = bounded.segments[0].sentences
    assert sentences[0] == "Short words end."
    assert len(sentences) == 4 and all(len(s.split()) <= MAX_SENTENCE_WORDS for s in sentences)
    assert any("not read out" in w for w in bounded.warnings)
    huge = Script(title="T", segments=(Segment("section", "S", (" ".join(["word"] * 100_000),)),))
    with pytest.raises(InputError, match="4-hour limit"):
        bound_script(huge)
    many = Script(
        title="T", segments=tuple(Segment("section", f"S{i}", ("A word.",)) for i in range(300))
    )
    with pytest.raises(InputError, match="over the limit of 255"):
        bound_script(many)


def test_long_article_and_huge_scripts_are_refused_before_synthesis(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = tmp_path / "good.md"
    good.write_text("# Kept Episode\n\nWords about rivers and lakes, kept safe through it all.\n")
    assert build(good, out).returncode == 0
    before = (out / "kept-episode" / "episode.mp3").read_bytes()
    speech = out / ".cache" / "speech"
    cached = sorted(p.name for p in speech.rglob("*")) if speech.exists() else []

    long_article = tmp_path / "long.txt"
    long_article.write_text("Long Read\n\n" + ("Rivers run to the sea again and again. " * 15_000))
    r = build(long_article, out)
    one_line_exit_2(r)
    assert "4-hour episode limit" in r.stderr

    big = tmp_path / "big.md"
    big.write_text("# Kept Episode\n\n## Section: One\n" + "word " * 600_000 + "\n")
    r = build(good, out, "--script", str(big))
    one_line_exit_2(r)
    assert "over 2 MB" in r.stderr

    segments = tmp_path / "segments.md"
    segments.write_text(
        "# Kept Episode\n\n" + "".join(f"## Section: S{i}\nA.\n" for i in range(50_000))
    )
    r = build(good, out, "--script", str(segments))
    one_line_exit_2(r)
    assert "segments, over the limit" in r.stderr

    assert (out / "kept-episode" / "episode.mp3").read_bytes() == before
    assert (sorted(p.name for p in speech.rglob("*")) if speech.exists() else []) == cached
    assert not [p for p in out.iterdir() if ".building-" in p.name]
    feed_ok(out)


def test_a_megabyte_token_is_not_read_out(tmp_path: Path) -> None:
    article = tmp_path / "token.txt"
    article.write_text(
        "Token Trouble\n\nA few words before it. " + "x" * 1_000_000 + " And after.\n"
    )
    r = build(article, tmp_path / "out")
    assert r.returncode == 0, r.stderr
    manifest = json.loads((Path(r.stdout.strip()) / "episode.json").read_text())
    assert manifest["duration"] < 120
    assert any("not read out" in w for w in manifest["warnings"])


# --------------------------------------------------------------------------- case 6


def test_out_must_be_a_writable_folder_of_ours(tmp_path: Path) -> None:
    from articast.outdir import prepare_out_dir

    with pytest.raises(InputError, match="filesystem root"):
        prepare_out_dir(Path("/"))
    article = tmp_path / "a.md"
    article.write_text("# Out Checks\n\nWords about rivers and lakes, for the output checks.\n")
    afile = tmp_path / "afile"
    afile.write_text("x")
    for bad, message in ((afile, "is a file"), (afile / "sub", "which is a file")):
        r = build(article, bad)
        one_line_exit_2(r)
        assert message in r.stderr
    home = tmp_path / "home"
    home.mkdir()
    r = run(
        ["episode", str(article), "--out", str(home), "--voice", "fake:tone", "--no-video", "-q"],
        tmp_path,
        env_extra={"HOME": str(home)},
    )
    one_line_exit_2(r)
    assert "home folder" in r.stderr

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body>My own site</body></html>")
    r = build(article, site)
    one_line_exit_2(r)
    assert "--force" in r.stderr and not (site / "out-checks").exists()
    r = run(
        ["episode", str(article), "--out", str(site), "--voice", "fake:tone", "--no-video", "--force"],
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert (site / "index.html").read_text() == "<html><body>My own site</body></html>"
    assert "not written by articast" in r.stderr
    feed_ok(site)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_is_one_line(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    article = tmp_path / "a.md"
    article.write_text("# Read Only\n\nWords about rivers and lakes, for the read-only check.\n")
    r = build(article, ro / "out")
    one_line_exit_2(r)


# --------------------------------------------------------------------------- case 8


def test_feed_checks_show_artwork_like_a_build(tmp_path: Path) -> None:
    from test_publish import make_episode

    out = tmp_path / "out"
    make_episode(out, "ep", title="Episode")
    secret = tmp_path / "secret"
    secret.write_text("root:$6$notapicture:19000:0:99999:7:::\n")
    link = tmp_path / "art.png"
    link.symlink_to(secret)
    fake = tmp_path / "fake.png"
    fake.write_text("just text")
    for art in (link, fake):
        (tmp_path / "articast.toml").write_text(f'[show]\nartwork = "{art}"\n')
        r = run(["feed", "--out", str(out)], tmp_path)
        one_line_exit_2(r)
        assert "not a readable image" in r.stderr
        assert not [p for p in out.iterdir() if p.name.startswith("artwork")]
    from PIL import Image

    real = tmp_path / "real.png"
    Image.new("RGB", (1500, 1600), (10, 120, 60)).save(real)
    (tmp_path / "articast.toml").write_text(f'[show]\nartwork = "{real}"\n')
    r = run(["feed", "--out", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    with Image.open(out / "artwork.jpg") as im:
        assert im.size == (1500, 1500) and im.format == "JPEG"
    assert feed_ok(out).feed.image.href.endswith("artwork.jpg")


def test_feed_restores_an_interrupted_swap(tmp_path: Path) -> None:
    import socket

    from test_publish import make_episode

    out = tmp_path / "out"
    make_episode(out, "first", title="First")
    folder, _ = make_episode(out, "second", title="Second")
    dead = 2**22 + 4242  # above Linux's pid_max: never alive
    folder.rename(out / f".second.old-{socket.gethostname()}-{dead}-abc123")
    r = run(["feed", "--out", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert (out / "second" / "episode.mp3").is_file()
    assert {e.title for e in feed_ok(out).entries} == {"First", "Second"}


# --------------------------------------------------------------------------- case 9


def _info(**changes: object) -> dict[str, object]:
    from talk_fixtures import INFO_TEMPLATE

    info = json.loads(INFO_TEMPLATE.read_text().replace("__BASE__", "http://127.0.0.1:9"))
    info.update(changes)
    return info


def _nest(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (json.dumps(_info(chapters="x")), "'chapters' must be a list of objects"),
        (json.dumps(_info(thumbnails={})), "'thumbnails' must be a list of objects"),
        (json.dumps(_info(duration="long")), "'duration' must be a number"),
        (json.dumps(_info(duration=1.0)).replace("1.0", "NaN"), "NaN is not a number JSON allows"),
        ('{"id": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        (json.dumps(_info(tags=_nest(40))), "levels deep"),
    ],
)
def test_info_json_of_the_wrong_shape_is_an_input_error(
    tmp_path: Path, body: str, message: str
) -> None:
    from articast.talk import import_info_json

    path = tmp_path / "talk.json"
    path.write_text(body)
    with pytest.raises(InputError, match=message) as info:
        import_info_json(path, tmp_path / "cache", timeout=1.0)
    assert "\n" not in str(info.value)


def test_cli_info_json_with_nan_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "talk.json"
    path.write_text(
        json.dumps(_info(chapters=[{"start_time": 1.0, "title": "x"}])).replace("1.0", "NaN")
    )
    r = run(["talk", "--from-info-json", str(path), "--out", str(tmp_path / "out")], tmp_path)
    one_line_exit_2(r)


# --------------------------------------------------------------------------- case 10


def test_script_of_only_dashes_and_stars_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    article = tmp_path / "a.md"
    article.write_text("# Dash Script\n\nWords about rivers and lakes, voiced and kept safe.\n")
    assert build(article, out).returncode == 0
    before = (out / "dash-script" / "episode.mp3").read_bytes()
    script = tmp_path / "script.md"
    script.write_text("# Dash Script\n\n## Section: One\n-\n*\n- \n* *\n## Outro: End\n-\n")
    r = build(article, out, "--script", str(script))
    one_line_exit_2(r)
    assert "has no sentences" in r.stderr
    assert (out / "dash-script" / "episode.mp3").read_bytes() == before
    feed_ok(out)
