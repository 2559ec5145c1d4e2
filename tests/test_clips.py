"""Social clips (``articast clips``): the moments chosen, the files, their sound and captions
against the episode's, the cache, the feed's soundbites, the page's players (real espeak
speech, real ffmpeg, real files, headless Chromium)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import numpy as np
import pytest
from lxml import etree
from PIL import Image

from articast.clips import ClipRequest, make_clips
from articast.clips._choose import END_CARD, MAX_FILE, MIN_MOMENT, choose_moments, leans_back
from articast.config import Settings
from articast.episodes import read_clips, read_manifest
from articast.media import ffmpeg_exe, measure_loudness, probe_duration, probe_info
from articast.models import CLIP_SIZES, Episode
from articast.pipeline import build_episode, make_episode_clips
from conftest import SAMPLES, podcast_settings
from stream_checks import decodes_cleanly

PODCAST = "https://podcastindex.org/namespace/1.0"
FPS = 15
"""Frame rate of the clips made here (the default, 30, in one test): half the frames."""


_podcast_settings = podcast_settings


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings]:
    """The sample article's episode (espeak voice, no video), built once for the module."""
    s = _podcast_settings(tmp_path_factory.mktemp("clips"))
    result = build_episode(SAMPLES / "brain-rhythms.html", s)
    return result.folder, s


def _decode(path: Path, rate: int = 16000) -> np.ndarray:
    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1",
         "-ar", str(rate), "-f", "f32le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(out, dtype=np.float32)


def _boxes(path: Path) -> list[bytes]:
    """The MP4's top-level box types, in order."""
    data, at, out = path.read_bytes(), 0, []
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        if size == 1:
            size = int.from_bytes(data[at + 8 : at + 16], "big")
        out.append(kind)
        if size < 8:
            break
        at += size
    return out


def _caption_changes(path: Path, size: tuple[int, int], fps: int) -> list[int]:
    """Frames where the caption band's picture changes (the karaoke word moves)."""
    from articast.pictures.cards import caption_band

    top, bottom = caption_band(size)
    top, bottom = top - 60, min(size[1], bottom + 60)
    w, h = size[0] // 4, (bottom - top) // 4
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-vf",
         f"crop={size[0]}:{bottom - top}:0:{top},scale={w}:{h},format=rgb24",
         "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    # The blue channel: the highlight (a warm yellow) differs most from white there.
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, h, w, 3)[..., 2].astype(np.int16)
    diff = np.abs(np.diff(frames, axis=0)).max(axis=(1, 2))
    return [i + 1 for i in np.nonzero(diff > 40)[0].tolist()]


# --------------------------------------------------------------------------- choosing


def test_moments_are_whole_sentences_of_one_chapter(built: tuple[Path, Settings]) -> None:
    folder, _ = built
    ep = read_manifest(folder)
    assert ep is not None and ep.sentences[5].words  # the manifest times every shown word
    moments = choose_moments(ep, 3, 30.0)
    assert len(moments) == 3
    assert [m.score for m in moments] == sorted((m.score for m in moments), reverse=True)
    seen: set[int] = set()
    for m in moments:
        run = ep.sentences[m.first : m.last + 1]
        assert m.text == " ".join(s.text for s in run)
        assert len({s.segment for s in run}) == 1  # never across a chapter change
        assert ep.sections[run[0].segment].kind == "section"
        before = ep.sentences[m.first - 1].end
        after = ep.sentences[m.last + 1].start if m.last + 1 < len(ep.sentences) else ep.duration
        assert before <= m.start <= run[0].start and run[-1].end <= m.end <= after
        assert MIN_MOMENT <= m.end - m.start <= MAX_FILE - END_CARD
        assert m.why and m.headline
        assert seen.isdisjoint(range(m.first, m.last + 1))
        seen.update(range(m.first, m.last + 1))
    # Asked for many: every chapter with room for a moment gets one before any gets a second
    # of a length far from the one asked for.
    many = choose_moments(ep, 20, 45.0)
    roomy = set()
    for seg, section in enumerate(ep.sections):
        spoken = [x for x in ep.sentences if x.segment == seg]
        if section.kind == "section" and spoken and spoken[-1].end - spoken[0].start >= 16.0:
            roomy.add(seg)
    assert len(roomy) >= 3 and roomy <= {ep.sentences[m.first].segment for m in many}
    # Across chapters only when asked: no chapter of the sample holds a 55-second moment.
    assert choose_moments(ep, 1, 59.0) == [] or all(
        len({s.segment for s in ep.sentences[m.first : m.last + 1]}) == 1
        for m in choose_moments(ep, 1, 59.0)
    )
    wide = choose_moments(ep, 1, 59.0, cross_chapters=True)
    assert wide and len({s.segment for s in ep.sentences[wide[0].first : wide[0].last + 1]}) >= 2


def test_an_opening_that_leans_on_the_sentence_before_is_told() -> None:
    assert leans_back("This means the brain keeps time.", "en")
    assert leans_back("But the rhythm changes at night.", "en")
    assert not leans_back("Neurons fire in step during deep sleep.", "en")
    assert leans_back("Aber der Rhythmus ändert sich.", "de")
    assert not leans_back("Der Rhythmus ändert sich.", "de")
    assert leans_back("and then it stops.", "fr")  # lower case: a cut-off sentence


# --------------------------------------------------------------------------- the clips


def test_clips_play_the_episode_with_captions_in_sync(built: tuple[Path, Settings]) -> None:
    folder, s = built
    result = make_episode_clips(folder, s, ClipRequest(count=2, length=25.0, fps=30))
    assert len(result.clips) == 2 and result.rendered == 2
    listed = json.loads((folder / "clips.json").read_text())
    assert [c["file"] for c in listed] == ["clip-01.mp4", "clip-02.mp4"]
    assert all({"file", "start", "end", "score", "why", "text"} <= set(c) for c in listed)
    ep = read_manifest(folder)
    assert ep is not None
    episode_sound = _decode(folder / "episode.mp3")
    for clip in result.clips:
        mp4 = folder / clip.file
        info = probe_info(mp4)
        assert "h264 (High)" in info and "yuv420p" in info and "1080x1920" in info
        assert re.search(r"aac \(LC\).*48000 Hz, stereo", info)
        boxes = _boxes(mp4)
        assert boxes.index(b"moov") < boxes.index(b"mdat")  # +faststart
        assert b"elst" not in mp4.read_bytes()[: 1 << 16]  # no edit list
        duration = probe_duration(mp4)
        assert 15.0 < duration < 60.0
        assert abs(duration - (clip.end - clip.start + END_CARD)) < 0.1
        # Whole sentences of the script.
        run = ep.sentences[clip.first_sentence : clip.last_sentence + 1]
        assert clip.text == " ".join(x.text for x in run)
        # The sound is the episode's at those times (same samples, no shift).
        sound = _decode(mp4)
        a, n = round(clip.start * 16000), round((clip.end - clip.start) * 16000)
        x, y = episode_sound[a : a + n], sound[:n]
        inner = slice(8000, n - 8000)  # past the fades
        assert np.corrcoef(x[inner], y[inner])[0, 1] > 0.98
        lags = {
            lag: float(np.dot(x[8000 + lag : n - 8000 + lag], y[inner]))
            for lag in range(-32, 33, 4)
        }
        assert max(lags, key=lambda k: lags[k]) == 0
        loud = measure_loudness(mp4)
        assert abs(loud.integrated_lufs - -16.0) <= 1.0 and loud.true_peak_dbtp <= -0.5
        # Captions: the VTT's cues start with their first word (p90 within 100 ms) ...
        vtt = (folder / clip.captions).read_text()
        starts = [_seconds(m) for m in re.findall(r"^(\d\d:\d\d:\d\d\.\d{3}) -->", vtt, re.M)]
        words = [w.start - clip.start for x in run for w in x.words]
        offsets = sorted(min(abs(t - w) for w in words) for t in starts)
        assert offsets and offsets[int(0.9 * (len(offsets) - 1))] <= 0.1
        # ... and the burned-in highlight moves when each word is said (p90 within 100 ms).
        changes = _caption_changes(mp4, (1080, 1920), 30)
        said = [round(t * 30) for t in words]
        # Each word shown for two frames or more (a shorter one may be merged away).
        said = [f for f, g in zip(said, [*said[1:], 10**9], strict=True) if g - f >= 2]
        misses = sorted(min(abs(f - c) for c in changes) for f in said)
        assert misses[int(0.9 * (len(misses) - 1))] <= 3, misses
        assert decodes_cleanly(_annexb(mp4)) > 0
    # The page lists them; the feed has their moments as soundbites.
    page = (folder / "index.html").read_text()
    assert page.count('<figure class="clip"') == 2 and 'src="clip-01.mp4"' in page
    assert 'poster="clip-01.jpg"' in page and 'src="clip-01.vtt"' in page
    with Image.open(folder / "clip-01.jpg") as still:
        assert still.size == (720, 1280)
    feed_xml = (s.out_dir / "feed.xml").read_bytes()
    root = etree.fromstring(feed_xml)
    bites = root.findall(f".//{{{PODCAST}}}soundbite")
    assert len(bites) == 2
    for bite, clip in zip(bites, sorted(result.clips, key=lambda c: c.start), strict=True):
        assert float(bite.get("startTime")) == pytest.approx(clip.start, abs=0.001)
        assert float(bite.get("duration")) == pytest.approx(clip.end - clip.start, abs=0.001)
        assert bite.text == clip.headline
        # Podcasting 2.0: a whole number of seconds or more, 15-120 s recommended, inside the
        # episode.
        start, length = float(bite.get("startTime")), float(bite.get("duration"))
        assert 15.0 <= length <= 120.0 and start + length <= ep.duration
    assert root.nsmap.get("podcast") == PODCAST
    parsed = feedparser.parse(feed_xml)
    assert not parsed.bozo and len(parsed.entries) == 1


def _seconds(stamp: str) -> float:
    h, m, sec = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(sec)


def _annexb(mp4: Path) -> bytes:
    from stream_checks import annexb

    return annexb(mp4)


def test_an_unchanged_episode_makes_its_clips_from_the_cache(
    built: tuple[Path, Settings], tmp_path: Path
) -> None:
    folder, s = built
    request = ClipRequest(count=2, length=20.0, fps=FPS, format="square")
    first = make_clips(folder, s, request)
    before = {c.file: (folder / c.file).read_bytes() for c in first.clips}
    again = make_clips(folder, s, request)
    assert again.rendered == 0 and again.clips == first.clips
    assert {c.file: (folder / c.file).read_bytes() for c in again.clips} == before
    # Again in a fresh process: from the cache, without the key-phrase model or scipy's
    # signal module (a second's import between them) ever loaded.
    probe = (
        "import dataclasses, sys; from pathlib import Path\n"
        "from articast.clips import ClipRequest, make_clips\n"
        "from articast.config import load_settings\n"
        "s = dataclasses.replace(load_settings(use_files=False), out_dir=Path(sys.argv[1]),"
        " cache_dir=Path(sys.argv[2]))\n"
        "r = make_clips(Path(sys.argv[3]), s, ClipRequest(count=2, length=20.0, fps=15,"
        " format='square'))\n"
        "print(r.rendered, sorted(m for m in ('yake', 'scipy.signal', 'articast.pictures.plan')"
        " if m in sys.modules))\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, str(s.out_dir), str(s.cache_root), str(folder)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert ran.stdout.split("\n")[0] == "0 []", ran.stdout + ran.stderr
    size = CLIP_SIZES["square"]
    assert all((c.width, c.height) == size for c in again.clips)
    assert f"{size[0]}x{size[1]}" in probe_info(folder / again.clips[0].file)
    # Reproducible: made again without the cache, byte for byte the same file.
    fresh = dataclasses.replace(s, cache_dir=tmp_path / "fresh-cache")
    remade = make_clips(folder, fresh, dataclasses.replace(request, count=1))
    assert remade.rendered == 1
    assert (folder / "clip-01.mp4").read_bytes() == before["clip-01.mp4"]
    # Fewer clips than before: the old files go.
    one = make_clips(folder, s, dataclasses.replace(request, count=1))
    assert len(one.clips) == 1 and not (folder / "clip-02.mp4").exists()
    assert [c.file for c in read_clips(folder)] == ["clip-01.mp4"]


def test_editing_one_sentence_renders_only_the_clip_that_holds_it(tmp_path: Path) -> None:
    s = _podcast_settings(tmp_path)
    s = dataclasses.replace(
        s, clips=dataclasses.replace(s.clips, count=2, length=20.0, fps=FPS, format="landscape")
    )
    article = SAMPLES / "brain-rhythms.html"
    folder = build_episode(article, s).folder
    clips = read_clips(folder)
    assert len(clips) == 2 and (folder / "clips.json").is_file()
    cached = _entries(tmp_path / "cache" / "clips")
    assert len(cached) == 2
    # Change one word of the second clip's last sentence in the script, and build again with it.
    ep = read_manifest(folder)
    assert ep is not None
    target = ep.sentences[clips[1].last_sentence].text
    words = target.split()
    k = max(range(len(words)), key=lambda i: len(words[i]) if words[i].isalpha() else 0)
    edited = target.replace(words[k], "remarkable", 1)
    script = (folder / "script.md").read_text()
    assert target in script
    edited_script = tmp_path / "script.md"
    edited_script.write_text(script.replace(target, edited, 1))
    folder = build_episode(article, s, script_path=edited_script).folder
    after = read_clips(folder)
    assert len(after) == 2
    assert edited in after[1].text and after[0].text == clips[0].text
    new = _entries(tmp_path / "cache" / "clips") - cached
    assert len(new) == 1  # the first clip came from the cache


def _entries(root: Path) -> set[str]:
    return {p.name for p in root.glob("*/*") if (p / ".complete").exists()}


# --------------------------------------------------------------------------- bad input


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARTICAST_OFFLINE": "1"}
    env.pop("ARTICAST_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "articast.cli", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


def test_bad_requests_are_one_line_and_exit_2(built: tuple[Path, Settings], tmp_path: Path) -> None:
    folder, _ = built
    listed = (folder / "clips.json").read_bytes() if (folder / "clips.json").exists() else None
    not_episode = tmp_path / "notes"
    not_episode.mkdir()
    (not_episode / "readme.txt").write_text("hello")
    ep = read_manifest(folder)
    assert ep is not None
    cases = [
        ([str(not_episode)], "not an episode folder"),
        ([str(tmp_path / "missing")], "no such folder"),
        ([str(folder), "--count", "0"], "at least 1"),
        ([str(folder), "--length", "5"], "15 to 60"),
        ([str(folder), "--length", "75"], "15 to 60"),
        ([str(folder), "--format", "round"], "--format"),
    ]
    for args, said in cases:
        r = _cli(["clips", *args], tmp_path)
        assert r.returncode == 2, (args, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and said in lines[0], (args, r.stderr)
        assert "Traceback" not in r.stderr
    assert not (not_episode / "clips.json").exists()
    now = (folder / "clips.json").read_bytes() if (folder / "clips.json").exists() else None
    assert now == listed  # nothing changed


def test_a_clip_longer_than_the_episode_is_refused(tmp_path: Path) -> None:
    from articast.errors import InputError

    ep = Episode(title="Short", duration=30.0, slug="short")
    folder = tmp_path / "short"
    folder.mkdir()
    (folder / "episode.json").write_text(json.dumps(ep.to_json()))
    (folder / "episode.mp3").write_bytes(b"")
    from articast.config import load_settings

    s = load_settings(use_files=False)
    with pytest.raises(InputError, match="longer than the episode"):
        make_clips(folder, s, ClipRequest(count=1, length=45.0))
    with pytest.raises(InputError, match="no moment"):
        make_clips(folder, s, ClipRequest(count=1, length=20.0))
    assert not (folder / "clips.json").exists()


# --------------------------------------------------------------------------- the page


@pytest.mark.browser
def test_the_page_plays_the_clips_in_chromium(built: tuple[Path, Settings], tmp_path: Path) -> None:
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    from test_publish import CHROME_ARGS, CHROMIUM, _RangeHandler, _require_chromium

    _require_chromium()
    folder, s = built
    result = make_episode_clips(folder, s, ClipRequest(count=2, length=25.0, fps=30))
    handler = functools.partial(_RangeHandler, directory=str(s.out_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True,
                args=CHROME_ARGS,
            )  # fmt: skip
            try:
                page = ctx.new_page()
                page.goto(f"{origin}/{folder.name}/index.html")
                videos = page.locator(".clips video")
                assert videos.count() == len(result.clips) == 2
                assert "Clips" in page.locator("#clips-h").inner_text()
                page.evaluate("document.querySelector('.clips video').load()")
                page.wait_for_function(
                    "document.querySelector('.clips video').duration > 0", timeout=15000
                )
                shown = page.evaluate("document.querySelector('.clips video').duration")
                assert shown == pytest.approx(result.clips[0].duration, abs=0.15)
                caption = page.locator(".clips figcaption").first.inner_text()
                assert result.clips[0].headline in caption
                # Its time button plays the episode from the clip's moment.
                page.locator(".clips button").first.click()
                page.wait_for_function(
                    f"Math.abs(document.getElementById('player').currentTime - "
                    f"{result.clips[0].start}) < 1.5"
                )
                page.evaluate("document.getElementById('player').pause()")
            finally:
                ctx.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_tampered_clips_json_reaches_nothing_outside_and_injects_nothing(tmp_path: Path) -> None:
    from articast.config import ShowConfig
    from articast.publish import update_feed, write_episode_page

    out = tmp_path / "out"
    folder = out / "night-shift"
    folder.mkdir(parents=True)
    ep = Episode(title="Night Shift", slug="night-shift", duration=100.0, guid="g-1")
    (folder / "episode.json").write_text(json.dumps(ep.to_json()))
    (folder / "episode.mp3").write_bytes(b"\xff\xfb" * 100)
    (folder / "clip-01.mp4").write_bytes(b"not really a video")
    (tmp_path / "secret.mp4").write_bytes(b"secret")
    (tmp_path / "secret.vtt").write_text("WEBVTT\n")
    entry = {"start": 10.0, "end": 30.0, "score": 0.5, "why": "w", "text": "t"}
    listed = [
        {**entry, "file": "../../secret.mp4", "headline": "outside"},
        {
            **entry,
            "file": "clip-01.mp4",
            "headline": "<script>alert(1)</script>",
            "captions": "../../secret.vtt",
            "poster": "/etc/hostname",
        },
        {**entry, "file": "clip-02.mp4", "headline": "missing file"},
    ]
    (folder / "clips.json").write_text(json.dumps(listed))
    (kept,) = read_clips(folder)
    assert (kept.file, kept.captions, kept.poster) == ("clip-01.mp4", "", "")
    show = ShowConfig(name="Test Show")
    write_episode_page(folder, ep, show)
    page = (folder / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "secret" not in page and "outside" not in page and "missing file" not in page
    assert "hostname" not in page and "<track" not in page
    update_feed(out, show)
    bites = etree.fromstring((out / "feed.xml").read_bytes()).findall(f".//{{{PODCAST}}}soundbite")
    assert [b.text for b in bites] == ["<script>alert(1)</script>"]  # text, escaped in the XML
    # A list of the wrong shape is no clips at all.
    (folder / "clips.json").write_text(json.dumps({"file": "clip-01.mp4"}))
    assert read_clips(folder) == ()


def test_a_manifest_without_word_times_still_gets_captions(built: tuple[Path, Settings]) -> None:
    """Episodes built before the manifest timed each word: the words are spread over their
    sentence by length, and the captions still say every word in order."""
    from articast.clips._render import clip_cues

    folder, _ = built
    ep = read_manifest(folder)
    assert ep is not None
    moment = choose_moments(ep, 1, 25.0)[0]
    run = ep.sentences[moment.first : moment.last + 1]
    timed = clip_cues(run, moment.start, moment.end)
    bare = tuple(dataclasses.replace(s, words=()) for s in run)
    spread = clip_cues(bare, moment.start, moment.end)
    shown = [w.text for c in spread for w in c.words]
    assert (
        shown == [w.text for c in timed for w in c.words] == " ".join(x.text for x in run).split()
    )
    assert all(0.0 <= c.start < c.end <= moment.end - moment.start for c in spread)
    # Spread by length, each cue starts within 1.5 s of where the voice really says it.
    assert max(abs(a.start - b.start) for a, b in zip(spread, timed, strict=False)) < 1.5


def test_a_chinese_moment_reads_as_written() -> None:
    """Sentences written without spaces are joined without them, and the headline keeps the
    author's full-width comma."""
    from articast.models import EpisodeSection, EpisodeSentence

    said = [
        "清醒时的节律。",
        "清醒时，大脑的节律变得更快。",
        "阿尔法波在闭眼放松时出现，而伽马波与注意力和感知有关。",
        "当两个脑区以相同的节奏振荡时，它们之间的信息传递似乎更加高效。",
        "这种现象被称为通过相干进行通信。",
    ]
    sentences = [EpisodeSentence("欢迎收听。", 0.5, 2.0, 0)]
    t = 3.0
    for text in said:
        sentences.append(EpisodeSentence(text, t, t + 4.5, 1))
        t += 5.0
    sentences.append(EpisodeSentence("感谢收听。", t + 1.0, t + 2.5, 2))
    ep = Episode(
        title="大脑的节律", language="zh", duration=t + 3.0,
        sections=(
            EpisodeSection("介绍", 0.0, 2.5, "intro"),
            EpisodeSection("清醒时的节律", 2.5, t, "section"),
            EpisodeSection("结语", t, t + 3.0, "outro"),
        ),
        sentences=tuple(sentences),
    )  # fmt: skip
    (moment,) = choose_moments(ep, 1, 25.0)
    assert moment.text == "".join(said[moment.first - 1 : moment.last])
    assert " " not in moment.text and "，" in moment.headline and ", " not in moment.headline
