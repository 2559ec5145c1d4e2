"""articast studio: the library the web app calls, its HTTP layer, and a producer's path in
Chromium (create, edit a sentence and its pronunciation, listen, rebuild, publish)."""

from __future__ import annotations

import dataclasses
import http.client
import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from articast.episodes import read_manifest
from articast.errors import InputError
from articast.media import ffmpeg_exe
from articast.narrate.script_md import edit_sentence, script_lines
from articast.studio import Studio
from articast.studio.web import TOKEN_HEADER, serving
from conftest import podcast_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "brain-rhythms.html"


_settings = podcast_settings


def _inbox(root: Path) -> Path:
    """An input folder holding our sample article (and its picture)."""
    inbox = root / "articles"
    inbox.mkdir()
    for f in SAMPLE.parent.iterdir():
        shutil.copy(f, inbox / f.name)
    return inbox


def _decode(data_or_path: bytes | Path, rate: int = 16000) -> np.ndarray:
    cmd = [ffmpeg_exe(), "-v", "error", "-i", "-", "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"]
    if isinstance(data_or_path, Path):
        cmd[4] = str(data_or_path)
        out = subprocess.run(cmd, capture_output=True, check=True).stdout
    else:
        out = subprocess.run(cmd, input=data_or_path, capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype=np.float32)


def _best_match(needle: np.ndarray, hay: np.ndarray, around: int, reach: int) -> float:
    """The best correlation of ``needle`` with ``hay`` starting within ``reach`` samples of
    ``around``."""
    from scipy.signal import correlate

    lo = max(0, around - reach)
    window = hay[lo : around + reach + len(needle)]
    lag = int(np.argmax(correlate(window, needle, mode="valid")))
    return float(np.corrcoef(needle, window[lag : lag + len(needle)])[0, 1])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Studio, str]:
    """A studio whose sample episode is built (module-wide: tests here only read it)."""
    root = tmp_path_factory.mktemp("studio")
    studio = Studio(_settings(root), inputs=[_inbox(root)])
    card = studio.create("brain-rhythms.html")
    job = studio.jobs.of(card.slug)[-1]
    assert studio.jobs.wait(job.id, 120).state == "done"
    yield studio, card.slug
    studio.close(wait=120)


@pytest.fixture
def studio(tmp_path: Path) -> Studio:
    s = Studio(_settings(tmp_path), inputs=[_inbox(tmp_path)])
    yield s
    s.close(wait=120)


# --------------------------------------------------------------------------- script.md edits


SCRIPT = """<!-- header -->
# A title

## Intro: Introduction
<!-- talk · 2 sentences · about 0:05 -->
Welcome to the show.
It is about sleep.

## Section: Why we sleep
<!-- section 1 · 2 sentences · about 0:06 -->
<!-- icon: moon -->
Sleep clears the brain.

REM{rem} sleep comes last.

## Section: Short
<!-- section 2 · 1 sentence · about 0:02 -->
Only one line here.
"""


def test_an_edit_changes_one_line_and_keeps_the_rest() -> None:
    _, lines = script_lines(SCRIPT)
    assert lines == (
        ("Welcome to the show.", "It is about sleep."),
        ("Sleep clears the brain.", "REM{rem} sleep comes last."),
        ("Only one line here.",),
    )
    text, script = edit_sentence(SCRIPT, 1, 1, "NREM{non rem} sleep comes first.", old=lines[1][1])
    assert text == SCRIPT.replace("REM{rem} sleep comes last.", "NREM{non rem} sleep comes first.")
    seg = script.segments[1]
    assert seg.form(1).display == "NREM sleep comes first."
    assert seg.sentences[1] == "non rem sleep comes first."
    assert seg.paragraph_ends == (0,)  # the blank line is kept
    assert seg.visuals is not None and seg.visuals.icon == "moon"  # and the directive


def test_an_edit_can_split_remove_and_never_makes_a_heading() -> None:
    text, script = edit_sentence(SCRIPT, 0, 0, "Welcome.\nThis is the show.")
    assert script.segments[0].sentences == ("Welcome.", "This is the show.", "It is about sleep.")
    text, script = edit_sentence(text, 0, 1, "")
    assert script.segments[0].sentences == ("Welcome.", "It is about sleep.")
    # A line that would read as a heading or a comment is written as a sentence.
    text, script = edit_sentence(text, 2, 0, "## Section: not a heading")
    assert len(script.segments) == 3
    assert script.segments[2].form(0).display == "## Section: not a heading"
    assert script_lines(text)[1][2] == ("\\## Section: not a heading",)


@pytest.mark.parametrize(
    ("part", "index", "line", "old", "says"),
    [
        (2, 0, "", None, "without a sentence"),  # would empty the section
        (2, 0, "   \n  ", None, "without a sentence"),
        (1, 0, "...", None, "nothing a voice can say"),
        (1, 0, "x{" + "y" * 500 + "}", None, "pronunciation in braces"),
        (1, 0, "New words.", "Something the editor never saw.", "changed elsewhere"),
        (1, 5, "New words.", None, "no sentence 6"),
        (7, 0, "New words.", None, "part 8"),
    ],
)
def test_an_impossible_edit_says_why_and_changes_nothing(
    part: int, index: int, line: str, old: str | None, says: str
) -> None:
    with pytest.raises(InputError, match=says):
        edit_sentence(SCRIPT, part, index, line, old=old)


# --------------------------------------------------------------------------- the library


def test_the_view_sets_the_script_beside_the_article_and_its_pictures(
    built: tuple[Studio, str],
) -> None:
    studio, slug = built
    view = studio.view(slug)
    assert view.card.status == "built" and view.card.duration and view.card.duration > 60
    kinds = [p.kind for p in view.parts]
    assert kinds[0] == "intro" and kinds[-1] == "outro" and kinds.count("section") >= 3
    folder = studio.folder(slug)
    ep = read_manifest(folder)
    assert ep is not None
    for p in view.parts:
        assert p.title == ep.sections[p.index].title
        # Every sentence is a line of script.md, timed where the episode says it.
        for s in p.sentences:
            assert s.start is not None and s.end is not None and s.end > s.start
        if p.kind == "section":
            # The article's own section, whose text the script narrates.
            assert p.article_text
            said = [" ".join(s.display.split()[:4]) for s in p.sentences]
            written = " ".join((p.article_heading, *p.article_text))
            assert sum(words in written for words in said) >= len(said) - 1
    # The picture plan of the last build, with the section's picture.
    with_art = [p for p in view.parts if p.kind == "section"]
    assert all(p.beats for p in with_art)
    assert any(b.kind == "image" for p in with_art for b in p.beats)
    assert view.files["audio"] == "episode.mp3"
    assert len(view.chapters) == len(view.parts)
    # The offline talk warning is about no one part: shown at the top.
    assert any("talk" in w for w in view.warnings)
    assert studio.episodes()[0].slug == slug


NAPS = """# Naps and the afternoon

## What a nap does

A short nap of twenty minutes helps the afternoon.
It clears the sleep pressure that builds up from the morning.
Longer naps reach deep sleep and leave you groggy.
"""


def test_listening_voices_once_and_the_rebuild_voices_the_edit(tmp_path: Path) -> None:
    # The default neural voice: it says a sentence the same way every time.
    s = _settings(tmp_path)
    s = dataclasses.replace(s, voice=dataclasses.replace(s.voice, voice=""))
    inbox = tmp_path / "articles"
    inbox.mkdir()
    (inbox / "naps.md").write_text(NAPS, encoding="utf-8")
    studio = Studio(s, inputs=[inbox])
    try:
        card = studio.create("naps.md")
        first = studio.jobs.wait(studio.jobs.of(card.slug)[-1].id, 180)
        assert first.state == "done" and first.synthesized and first.synthesized >= 6
        view = studio.view(card.slug)
        target = view.parts[1].sentences[2]
        line = "It clears the sleep pressure, or adenosine{a DEN o seen}, built up since morning."
        said = studio.say(card.slug, line)
        assert said.synthesized and said.voice.startswith("piper:")
        assert "a DEN o seen" in said.spoken
        again = studio.say(card.slug, line)
        assert not again.synthesized and again.wav == said.wav  # kept for the next click
        view = studio.edit(card.slug, 1, 2, line, old=target.line)
        assert view.card.status == "edited"
        assert view.parts[1].sentences[2].line == line
        assert view.parts[1].sentences[2].start is None  # not in the built episode yet
        # A sentence the build has voiced is heard from its cache.
        assert not studio.say(card.slug, view.parts[1].sentences[1].line).synthesized
        job = studio.jobs.wait(studio.build(card.slug).id, 180)
        assert job.state == "done", job.message
        # The rebuild voiced the one sentence the edit changed, and only it.
        assert job.synthesized == 1 and job.cached == first.synthesized - 1
        assert "1 sentence(s) synthesised" in job.message
        folder = studio.folder(card.slug)
        ep = read_manifest(folder)
        assert ep is not None and ep.speech.synthesized == 1
        assert "adenosine, built up" in (folder / "captions.vtt").read_text(encoding="utf-8")
        spoken = [x for x in ep.sentences if "adenosine" in x.text]
        assert len(spoken) == 1 and "a DEN o seen" in spoken[0].spoken
        # What was heard is what the build voiced: the same samples...
        import io
        import wave

        from articast.cache import Cache
        from articast.voices.base import SynthParams
        from articast.voices.registry import get_voice
        from articast.voices.speak import cache_key

        v = s.voice
        key = cache_key(get_voice(ep.voice, v), SynthParams(v.rate, v.pitch), spoken[0].spoken)
        built_pcm = Cache(s.cache_root, "speech").path(key, "audio.pcm")
        assert built_pcm is not None
        with wave.open(io.BytesIO(said.wav)) as w:
            assert w.readframes(w.getnframes()) == built_pcm.read_bytes()
        # ... and what the episode says there.
        heard = _decode(said.wav)
        episode = _decode(folder / "episode.mp3")
        at = round(spoken[0].start * 16000)
        assert _best_match(heard[800:-800], episode, at + 800, 4000) > 0.9
        assert studio.view(card.slug).card.status == "built"
    finally:
        studio.close(wait=120)


def test_two_builds_of_one_episode_queue(studio: Studio) -> None:
    card = studio.create("brain-rhythms.html", build=False)
    assert studio.card(card.slug).status == "script"
    one = studio.build(card.slug)
    two = studio.build(card.slug)
    assert studio.card(card.slug).status in ("queued", "building")
    a = studio.jobs.wait(one.id, 120)
    b = studio.jobs.wait(two.id, 120)
    assert a.state == b.state == "done", (a.message, b.message)
    assert a.finished_at is not None and b.started_at is not None
    assert b.started_at >= a.finished_at  # one after the other, never together
    assert b.synthesized == 0  # the second found every sentence voiced
    out = studio.out_dir
    assert not [p.name for p in out.iterdir() if ".building-" in p.name or ".old-" in p.name]


def test_an_edit_made_during_a_build_is_kept(studio: Studio) -> None:
    card = studio.create("brain-rhythms.html", build=False)
    job = studio.build(card.slug)
    deadline = time.monotonic() + 60
    while studio.jobs.get(job.id).stage in ("", "ingest", "talk") and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.02)
    line = studio.view(card.slug).parts[2].sentences[0].line
    studio.edit(card.slug, 2, 0, "An edit made while the build ran.", old=line)
    assert studio.jobs.wait(job.id, 120).state == "done"
    view = studio.view(card.slug)
    assert view.parts[2].sentences[0].line == "An edit made while the build ran."
    assert view.card.status == "edited"  # the build voiced the script before the edit


def test_paths_outside_the_input_folders_are_refused(studio: Studio, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nNothing to read here at all, really.\n")
    (studio.inputs[0] / "link.md").symlink_to(secret)
    for source in ("../secret.md", str(secret), "link.md", "file:///etc/passwd", "/etc/passwd"):
        with pytest.raises(InputError):
            studio.create(source)
    assert not studio.episodes()


def test_what_is_not_an_article_changes_nothing(studio: Studio) -> None:
    png = (studio.inputs[0] / "brain-rhythms-figure.png").read_bytes()
    with pytest.raises(InputError):
        studio.create_from_upload("figure.png", png)
    with pytest.raises(InputError, match="empty"):
        studio.create_from_upload("pasted.md", b"   \n")
    with pytest.raises(InputError, match="limit"):
        studio.create_from_upload("big.txt", b"word " * (studio.max_upload // 5 + 1))
    with pytest.raises(InputError):
        studio.create("brain-rhythms-figure.png")
    assert not studio.episodes()
    assert not list(studio.uploads.glob("*")) if studio.uploads.exists() else True


def test_an_upload_is_kept_under_a_name_of_its_own(studio: Studio) -> None:
    text = b"# Naps\n\nA short nap of twenty minutes helps the afternoon. It is enough.\n"
    card = studio.create_from_upload("../../../tmp/evil name;rm -rf.MD", text, build=False)
    kept = list(studio.uploads.iterdir())
    assert len(kept) == 1 and kept[0].parent == studio.uploads
    assert kept[0].name.endswith("-evil-name-rm-rf.md")
    assert card.status == "script" and card.title == "Naps"
    # The same bytes again, under any name: the same episode, one copy.
    assert studio.create_from_upload("other.md", text, build=False).slug == card.slug
    assert list(studio.uploads.iterdir()) == kept


def test_a_url_that_fails_says_so(studio: Studio) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Gone(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gone)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    online = Studio(dataclasses.replace(studio.settings.with_offline(False)), inputs=studio.inputs)
    try:
        with pytest.raises(InputError, match="404"):
            online.create(f"http://127.0.0.1:{server.server_address[1]}/article")
        with pytest.raises(InputError, match="network use is off"):
            studio.create("https://example.org/article")
    finally:
        server.shutdown()
        online.close()
    assert not studio.episodes()


def test_files_are_served_only_by_the_names_an_episode_lists(built: tuple[Studio, str]) -> None:
    studio, slug = built
    assert studio.file(slug, "episode.mp3").name == "episode.mp3"
    for name in ("../feed.xml", "episode.json", ".articast-source", "/etc/passwd", "x.mp3"):
        with pytest.raises(InputError):
            studio.file(slug, name)
    for slug_ in ("..", "../out", ".cache", "nope"):
        with pytest.raises(InputError):
            studio.view(slug_)


def test_publish_puts_the_episode_in_the_feed(built: tuple[Studio, str]) -> None:
    import feedparser

    studio, slug = built
    done = studio.publish(slug)
    assert done.in_feed and done.episodes == 1 and done.feed.is_file()
    parsed = feedparser.parse(done.feed.read_bytes())
    assert not parsed.bozo
    assert parsed.entries[0].title == studio.view(slug).card.title


# --------------------------------------------------------------------------- HTTP


def _request(
    url: str, method: str = "GET", body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def test_the_server_guards_its_writes_and_its_host(built: tuple[Studio, str]) -> None:
    studio, slug = built
    with serving(studio) as server:
        base = server.origin
        status, headers, body = _request(f"{base}/api/episodes")
        assert status == 200 and json.loads(body)["episodes"][0]["slug"] == slug
        assert "script-src 'self'" in headers["content-security-policy"]
        line = {"line": "Hello there."}
        # Writes need the token, and only the token.
        for given in ({}, {TOKEN_HEADER: "wrong"}):
            status, _, body = _request(f"{base}/api/episodes/{slug}/say", "POST", line, given)
            assert status == 403 and b"token" in body
        ok = {TOKEN_HEADER: server.token}
        status, headers, body = _request(f"{base}/api/episodes/{slug}/say", "POST", line, ok)
        assert status == 200 and headers["content-type"] == "audio/wav" and body[:4] == b"RIFF"
        # A page of another site reached through DNS rebinding names another host.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/api/episodes", headers={"Host": f"attacker.example:{server.port}"})
        assert conn.getresponse().status == 400
        conn.close()
        # Bad input: one clear message, nothing changed.
        before = (studio.folder(slug) / "script.md").read_bytes()
        bad = {"line": "", "old": None}
        status, _, body = _request(f"{base}/api/episodes/{slug}/sentences/99/0", "POST", bad, ok)
        assert status == 400 and "no sentence" in json.loads(body)["error"]
        status, _, body = _request(f"{base}/api/episodes", "POST", {"source": "/etc/passwd"}, ok)
        assert status == 400 and "outside the studio's input folders" in json.loads(body)["error"]
        assert (studio.folder(slug) / "script.md").read_bytes() == before
        # An upload over the cap is refused before it is read.
        boundary = "x" * 16
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.putrequest("POST", "/api/episodes")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(studio.max_upload + 100_000))
        conn.putheader(TOKEN_HEADER, server.token)
        conn.endheaders()
        res = conn.getresponse()
        assert res.status == 413 and b"limit" in res.read()
        conn.close()
        # One that does not say its length (chunked) would fill the disk first: refused.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        chunks = (b"word " * 1000 for _ in range(10))
        conn.request(
            "POST", "/api/episodes", body=chunks, encode_chunked=True,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     TOKEN_HEADER: server.token},
        )  # fmt: skip
        res = conn.getresponse()
        assert res.status == 411 and b"Content-Length" in res.read()
        conn.close()
        # The players can seek: byte ranges of the MP3.
        status, headers, body = _request(
            f"{base}/files/{slug}/episode.mp3", headers={"Range": "bytes=100-199"}
        )
        assert status == 206 and len(body) == 100
        status, _, _ = _request(f"{base}/files/{slug}/episode.json")
        assert status == 400


def test_served_on_every_address_it_answers_any_host_and_still_needs_the_token(
    built: tuple[Studio, str],
) -> None:
    studio, slug = built
    with serving(studio, host="0.0.0.0") as server:
        assert server.origin.startswith("http://127.0.0.1:")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/api/episodes", headers={"Host": f"studio.lan:{server.port}"})
        assert conn.getresponse().status == 200
        conn.close()
        status, _, _ = _request(f"{server.origin}/api/episodes/{slug}/build", "POST", {})
        assert status == 403


def test_the_command_prints_its_address_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import sys

    articast = [sys.executable, "-m", "articast.cli"]
    env = {**os.environ, "ARTICAST_CACHE_DIR": str(tmp_path / "cache")}
    inbox = _inbox(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*articast, "studio", "--out", str(out), "--port", "0", "--input", str(inbox), "--offline"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        origin = url.split("/?")[0]
        status, _, body = _request(f"{origin}/api/episodes")
        listed = json.loads(body)
        assert status == 200 and listed["inputs"] == [str(inbox.resolve())]
        assert "brain-rhythms.html" in listed["articles"]  # offered to the path field
        assert "brain-rhythms-figure.png" not in listed["articles"]
        status, _, body = _request(f"{origin}/")
        assert status == 200 and b"/assets/studio.js" in body
        status, headers, _ = _request(f"{origin}/assets/studio.js")
        assert status == 200 and headers["content-type"].startswith("text/javascript")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    # A port in use, a missing input folder: one line, exit 2.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        for args, says in (
            (["--port", str(port), "--input", str(inbox)], "in use"),
            (["--input", str(tmp_path / "nowhere")], "is not a folder"),
        ):
            done = subprocess.run(
                [*articast, "studio", "--out", str(out), *args],
                capture_output=True, text=True, env=env, timeout=60,
            )  # fmt: skip
            assert done.returncode == 2 and says in done.stderr
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# --------------------------------------------------------------------------- Chromium


def _until(page: object, expression: str, timeout: float = 15.0) -> None:
    """Wait until ``expression`` is true in ``page`` (``wait_for_function`` would evaluate a
    string, which the studio's Content-Security-Policy rightly forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


@pytest.mark.browser
def test_a_producer_edits_listens_rebuilds_and_publishes_in_chromium(
    studio: Studio, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from test_publish import CHROME_ARGS, CHROMIUM, _require_chromium

    _require_chromium()
    (studio.inputs[0] / "notes.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with serving(studio) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROME_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url)
            expect(page.locator("#episodes")).to_contain_text("No episodes yet")
            # A file that is not an article: a clear message, no episode.
            page.fill("#new-path", "notes.txt")
            page.click("#from-path button")
            expect(page.locator("#new-error")).to_contain_text("notes.txt")
            assert not studio.episodes()
            # A URL that cannot be fetched (the studio is offline): a clear message, no episode.
            page.fill("#new-url", "https://example.org/article")
            page.click("#from-url button")
            expect(page.locator("#new-error")).to_contain_text("network use is off")
            assert not studio.episodes()
            # Create the episode from the sample: its page, its build's live progress.
            page.fill("#new-path", "brain-rhythms.html")
            page.click("#from-path button")
            page.wait_for_url("**/episode/**")
            expect(page.locator("#steps li.now")).to_be_visible(timeout=30_000)
            expect(page.locator("#status")).to_have_text("built", timeout=120_000)
            expect(page.locator("#player")).to_be_visible()
            slug = studio.episodes()[0].slug
            # A second tab on the same episode.
            other = browser.new_page()
            other.goto(server.url.replace("/?", f"/episode/{slug}?"))
            expect(other.locator("#part-1 textarea.line").first).to_be_visible()

            # Change one sentence and its pronunciation; listen to it.
            box = page.locator("#part-1 textarea.line").nth(1)
            new = "It rises and falls in waves, both slow and deep, fast and shallow, like EEG{ee ee gee} traces."
            box.fill(new)
            row = page.locator("#part-1 .sentence").nth(1)
            row.locator("button.play").click()
            expect(row.locator(".msg")).to_contain_text("voiced now", timeout=30_000)
            assert box.get_attribute("data-said") == "synthesized"
            row.locator("button.play").click()
            expect(row.locator(".msg")).to_contain_text("from the cache", timeout=30_000)
            row.locator("button.save").click()
            expect(page.locator("#part-1 .sentence").nth(1).locator(".msg")).to_contain_text(
                "Saved"
            )
            expect(page.locator("#status")).to_have_text("edited, not built")
            script = (studio.folder(slug) / "script.md").read_text(encoding="utf-8")
            assert new in script
            # The other tab sees it.
            expect(other.locator("#part-1 textarea.line").nth(1)).to_have_value(new, timeout=10_000)

            # An edit that empties a section: a message where it was made, nothing changed.
            last = page.locator("#part-3 .sentence")
            for _ in range(last.count() - 1):
                page.locator("#part-3 textarea.line").first.fill("")
                page.locator("#part-3 button.save").first.click()
                page.wait_for_timeout(300)
            _until(page, "document.querySelectorAll('#part-3 .sentence').length === 1")
            before = (studio.folder(slug) / "script.md").read_bytes()
            page.locator("#part-3 textarea.line").first.fill("")
            page.locator("#part-3 button.save").first.click()
            expect(page.locator("#part-3 .msg.error")).to_contain_text("without a sentence")
            assert (studio.folder(slug) / "script.md").read_bytes() == before

            # Rebuild: live progress, then the built MP3 has the change.
            page.click("#build")
            # (The first build's "built ..." may still be shown as the click is sent: wait for
            # this build's own words.)
            expect(page.locator("#job-msg")).to_contain_text(
                "1 sentence(s) synthesised", timeout=120_000
            )
            expect(page.locator("#job-msg")).to_contain_text("built")
            job = [j for j in studio.jobs.of(slug) if j.kind == "build"][-1]
            assert job.synthesized == 1  # only the sentence that changed
            folder = studio.folder(slug)
            assert "EEG traces" in (folder / "captions.vtt").read_text(encoding="utf-8")
            expect(page.locator("#status")).to_have_text("built")
            _until(page, "document.getElementById('player').readyState >= 1")
            shown = page.evaluate("document.getElementById('player').duration")
            ep = read_manifest(folder)
            assert ep is not None and abs(shown - ep.duration) < 0.5
            # A chapter button seeks the player.
            page.locator("#chapters button").nth(2).click()
            start = ep.chapters[2].start
            _until(page, f"Math.abs(document.getElementById('player').currentTime - {start}) < 1.5")
            page.evaluate("document.getElementById('player').pause()")

            # Publish: the feed has it.
            page.click("#publish")
            expect(page.locator("#published")).to_contain_text("this episode is in the feed")
            href = page.locator("#feed-link").get_attribute("href")
            assert href == "/show/feed.xml"
            feed = page.request.get(f"{server.origin}{href}")
            assert feed.ok and ep.guid in feed.text()

            # Pasted text whose title is markup: shown as text, never run.
            page.goto(server.url)
            title = '<img src=x onerror="window.pwned=1"> Notes on naps'
            page.fill(
                "#new-text", f"# {title}\n\nA short nap of twenty minutes helps. It is enough.\n"
            )
            page.click("#from-text button")
            page.wait_for_url("**/episode/**")
            expect(page.locator("#title")).to_have_text("Notes on naps")  # ingest drops markup
            # A sentence edited to hold markup is saved and shown as the text it is.
            markup = 'Naps help <img src=x onerror="window.pwned=1"> a lot.'
            page.locator("#part-1 textarea.line").first.fill(markup)
            page.locator("#part-1 button.save").first.click()
            expect(page.locator("#part-1 .sentence .msg").first).to_contain_text("Saved")
            expect(page.locator("#part-1 textarea.line").first).to_have_value(markup)
            assert page.evaluate("window.pwned === undefined")
            assert page.locator("img[src='x']").count() == 0
            assert not errors
        finally:
            browser.close()
