"""Acceptance paths that cross stages: the talk linked everywhere, gTTS through a local
Google, an edited script, the fallback voice. Real files, real ffmpeg, real client libraries."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from lxml import etree
from mutagen.id3 import ID3
from PIL import Image

from articast.config import Settings
from articast.media import run_ffmpeg
from articast.pipeline import build_episode

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"
REPLAY = FIXTURES / "replay-talk.html"


def _id3_urls(mp3: Path) -> list[str]:
    tags = ID3(mp3)
    urls = [f.url for f in tags.getall("WXXX")]
    for chap in tags.getall("CHAP"):
        urls += [sub.url for sub in chap.sub_frames.values() if sub.FrameID == "WXXX"]
    urls += [c.text[0] for c in tags.getall("COMM")]
    return urls


def test_offline_talk_is_linked_everywhere_with_its_start_time(
    fast_settings: Settings, broken_sample: Path
) -> None:
    url = "https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s"
    result = build_episode(broken_sample, fast_settings)
    folder, m = result.folder, result.episode
    assert any("could not be fetched" in w for w in m.warnings)
    assert m.talk is not None and m.talk.url == url and m.talk.fetched is False
    assert (folder / "description.txt").read_text().splitlines()[0].endswith(url)
    assert any(url in u for u in _id3_urls(folder / "episode.mp3"))
    chapters = json.loads((folder / "chapters.json").read_text())["chapters"]
    assert chapters[-1]["url"] == url
    assert url.replace("&", "&amp;") in (folder / "index.html").read_text()
    assert url.replace("&", "&amp;") in (folder / "shownotes.html").read_text()
    feed = etree.parse(str(fast_settings.out_dir / "feed.xml"))
    item_html = feed.findtext("channel/item/description") or ""
    assert url.replace("&", "&amp;") in item_html  # the show notes, as HTML


def test_imported_talk_metadata_reaches_intro_outro_end_card_and_description(
    fast_settings: Settings, import_talk_fixture
) -> None:
    from talk_fixtures import TALK_CHANNEL, TALK_TITLE, THUMB_COLOR

    import_talk_fixture(fast_settings.cache_root)
    result = build_episode(REPLAY, fast_settings)
    folder, m = result.folder, result.episode
    assert m.talk is not None and m.talk.fetched is True
    assert m.talk.title == TALK_TITLE
    assert not any("could not be fetched" in w for w in m.warnings)
    script = (folder / "script.md").read_text()
    intro = script.split("## Section:")[0]
    outro = script.split("## Outro:")[1]
    assert TALK_TITLE in intro and TALK_CHANNEL in intro
    assert TALK_TITLE in outro
    description = (folder / "description.txt").read_text()
    assert TALK_TITLE in description
    # the end card shows the cached thumbnail: grab a frame from the last second
    frame = folder.parent / "end.png"
    run_ffmpeg(
        ["-sseof", "-1", "-i", str(folder / "episode.mp4"), "-frames:v", "1", str(frame)],
        what="grab end card",
    )
    pixels = np.asarray(Image.open(frame).convert("RGB")).reshape(-1, 3).astype(int)
    near = np.abs(pixels - np.array(THUMB_COLOR)).sum(axis=1) < 40
    assert near.sum() > 500, "the talk's thumbnail is not on the end card"


def test_gtts_episode_against_local_google_is_timed_by_alignment(
    fast_settings: Settings, fake_google
) -> None:
    s = fast_settings.with_offline(False)
    s = dataclasses.replace(
        s, voice=dataclasses.replace(s.voice, voice="gtts:en", gtts_url=fake_google.url)
    )
    result = build_episode(REPLAY, s)
    m = result.episode
    assert m.voice == "gtts:en"
    assert m.speech.synthesized == len(m.sentences)
    methods = set(m.speech.timing.values())
    assert methods <= {"aligned", "estimated"} and "aligned" in methods
    assert len(fake_google.requests) >= 1
    vtt = (result.folder / "captions.vtt").read_text()
    assert "What gets replayed" in vtt.replace("\n", " ")


def test_edited_script_is_what_gets_voiced(fast_settings: Settings, broken_sample: Path) -> None:
    from articast.ingest import load_article
    from articast.narrate import build_script, write_script_md

    article = load_article(broken_sample, fast_settings.ingest)
    script_path = fast_settings.out_dir.parent / "script.md"
    write_script_md(build_script(article, None, fast_settings.narrate), script_path)
    first = build_episode(broken_sample, fast_settings, script_path=script_path)
    old = "Over weeks, the cortical copy becomes strong enough to stand on its own."
    new = "Within a few weeks the copy in the cortex can stand on its own."
    text = script_path.read_text()
    assert old in text
    script_path.write_text(text.replace(old, new))
    second = build_episode(broken_sample, fast_settings, script_path=script_path)
    spoken = [s.text for s in second.episode.sentences]
    assert new in spoken and old not in spoken
    vtt = " ".join((second.folder / "captions.vtt").read_text().split())
    assert new in vtt and old not in vtt
    assert second.episode.speech.synthesized == 1
    assert first.episode.speech.synthesized > 1
    assert second.episode.script_edited is True


def test_offline_online_voice_fails_fast_or_falls_back(tmp_path: Path, broken_sample: Path) -> None:
    env = {**os.environ, "ARTICAST_OFFLINE": "1"}
    base = [sys.executable, "-m", "articast.cli", "episode", str(broken_sample), "--no-video"]
    r = subprocess.run(
        [*base, "--out", str(tmp_path / "a"), "--voice", "gtts:en"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "espeak" in r.stderr
    r = subprocess.run(
        [*base, "--out", str(tmp_path / "b"), "--voice", "gtts:en", "--fallback-voice", "espeak:en-us"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    m = json.loads((Path(r.stdout.strip().splitlines()[-1]) / "episode.json").read_text())
    assert m["fallback_used"] is True
    assert m["requested_voice"] == "gtts:en" and m["voice"] == "espeak:en-us"
