"""Whole episodes of our own articles in six more languages, built offline.

One episode per language (the scraped dump for German, Spanish and Portuguese; the clean page
for French, Italian and Dutch, the Dutch one with its video), each into its own output folder
with the voice chosen by the article's language. Every file a listener or viewer meets is
checked for the language: script, captions, page, show notes, description, ID3 tags, feed.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from articast.config import Settings, ShowConfig
from articast.lang import get_language
from articast.pipeline import build_episode
from articast.publish import update_feed

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "languages"
BUILDS = {
    "de": "de-scraped.txt",
    "fr": "fr.html",
    "es": "es-scraped.txt",
    "it": "it.html",
    "pt": "pt-scraped.txt",
    "nl": "nl.html",
}
WITH_VIDEO = "nl"
ENGLISH = (
    "Welcome to",
    "This episode is titled",
    "It is based on",
    "show notes",
    "Thanks for listening",
    "That brings us",
    "Watch the talk",
    "Skip to the player",
    "All episodes",
    "Download the",
    "Play from",
    "Cover art of",
    "Episode audio",
    "Podcast feed",
)


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from articast.config import load_settings

    root = tmp_path_factory.mktemp("lang-episodes")
    base: Settings = load_settings(use_files=False).with_offline(True)
    base = dataclasses.replace(base, cache_dir=root / "cache")
    out: dict[str, Path] = {}
    for code, name in BUILDS.items():
        video = dataclasses.replace(base.video, enabled=code == WITH_VIDEO, width=640, height=360)
        s = dataclasses.replace(base, out_dir=root / code, video=video)
        out[code] = build_episode(FIXTURES / name, s).folder
    return out


def _manifest(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("code", list(BUILDS))
def test_manifest_records_the_language_and_a_voice_that_speaks_it(
    episodes: dict[str, Path], code: str
) -> None:
    m = _manifest(episodes[code])
    assert m["language"] == code
    assert str(m["voice"]).startswith(f"espeak:{code}")
    assert not [w for w in m["warnings"] if "speaks" in str(w)]  # type: ignore[attr-defined]
    from articast.voices.registry import get_voice

    assert get_voice(str(m["voice"])).info.language.split("-")[0] == code


@pytest.mark.parametrize("code", list(BUILDS))
def test_script_and_captions_are_in_the_language(episodes: dict[str, Path], code: str) -> None:
    from articast.narrate import read_script_md

    folder = episodes[code]
    lang = get_language(code)
    # The script as voiced: read back with the article's language, as --script does.
    script = read_script_md(folder / "script.md", language=code)
    spoken = [s for seg in script.segments for s in seg.sentences]
    shown = [seg.form(i).display for seg in script.segments for i in range(len(seg.sentences))]
    assert script.segments[0].title == lang.chapters.intro
    assert lang.phrases.welcome.format(show="Articast") in spoken
    vtt = (folder / "captions.vtt").read_text(encoding="utf-8")
    assert vtt.startswith(f"WEBVTT\nKind: captions\nLanguage: {code}\n\n")
    cues = "\n".join(ln for ln in vtt.splitlines()[3:] if ln and "-->" not in ln)
    for text in ("\n".join(spoken), "\n".join(shown), cues):
        for phrase in ENGLISH:
            assert phrase not in text, phrase
    # numbers are said in the language's words; captions keep the author's digits
    assert not re.search(r"\d", "\n".join(spoken)), "numbers are read in words"
    assert re.search(r"\d", cues)
    manifest = _manifest(folder)
    said = " ".join(str(s["text"]) for s in manifest["sentences"])  # type: ignore[attr-defined]
    assert said and not any(p in said for p in ENGLISH)


@pytest.mark.parametrize("code", list(BUILDS))
def test_pages_description_and_tags_are_in_the_language(
    episodes: dict[str, Path], code: str
) -> None:
    folder = episodes[code]
    labels = get_language(code).labels
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{code}">' in page
    for label in (labels.listen, labels.transcript, labels.chapters, labels.skip):
        assert label in page
    notes = (folder / "shownotes.html").read_text(encoding="utf-8")
    assert f'<html lang="{code}">' in notes and f"{labels.the_talk}:" in notes
    description = (folder / "description.txt").read_text(encoding="utf-8")
    assert description.startswith(f"{labels.watch_talk}: https://www.youtube.com/")
    for text in (page, notes, description):
        for phrase in ENGLISH:
            assert phrase not in text, phrase
    tags = ID3(folder / "episode.mp3")
    assert tags["TLAN"].text == [get_language(code).iso639_2]
    comment = tags.getall("COMM")[0]
    assert comment.lang == get_language(code).iso639_2
    assert labels.read_by.split("{title}")[1].split("{show}")[0] in comment.text[0]


def test_the_video_episode_has_a_captions_track_in_the_language(
    episodes: dict[str, Path],
) -> None:
    folder = episodes[WITH_VIDEO]
    assert (folder / "episode.mp4").stat().st_size > 10_000
    page = (folder / "index.html").read_text(encoding="utf-8")
    labels = get_language(WITH_VIDEO).labels
    assert f'srclang="{WITH_VIDEO}" label="{labels.captions}"' in page


def test_feed_language_follows_the_show_or_the_episodes(
    episodes: dict[str, Path], tmp_path: Path
) -> None:
    def language(feed: Path) -> str:
        found = re.search(r"<language>([^<]+)</language>", feed.read_text(encoding="utf-8"))
        assert found
        return found.group(1)

    for code, folder in episodes.items():
        assert language(folder.parent / "feed.xml") == code  # one episode: its language
    # a configured show language wins
    de_out = episodes["de"].parent
    assert language(update_feed(de_out, ShowConfig(language="de-at"))) == "de-at"
    update_feed(de_out, ShowConfig())
    # episodes that disagree: the feed falls back to English
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for code in ("fr", "es"):
        shutil.copytree(episodes[code], mixed / episodes[code].name)
    assert language(update_feed(mixed, ShowConfig())) == "en"


def test_clips_are_in_the_language(episodes: dict[str, Path], tmp_path: Path) -> None:
    """A German episode's clip: its headline, captions, end card and page speak German."""
    from articast.clips import ClipRequest
    from articast.config import load_settings
    from articast.episodes import read_manifest
    from articast.pipeline import make_episode_clips
    from test_video_explains import grab, ocr_words

    folder = episodes["de"]
    s = dataclasses.replace(
        load_settings(use_files=False).with_offline(True), cache_dir=folder.parent / "cache"
    )
    result = make_episode_clips(folder, s, ClipRequest(count=1, length=20.0, fps=10))
    clip = result.clips[0]
    ep = read_manifest(folder)
    assert ep is not None
    said = " ".join(x.text for x in ep.sentences[clip.first_sentence : clip.last_sentence + 1])
    assert clip.text == said
    # The headline: the author's words, from the clip's own sentences.
    assert clip.headline.rstrip("…").split()[-1].lower() in said.lower()
    assert "Language: de" in (folder / clip.captions).read_text(encoding="utf-8")
    labels = get_language("de").labels
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert f'<h2 id="clips-h">{labels.clips}</h2>' in page
    end = ocr_words(grab(folder / clip.file, clip.duration - 0.3, tmp_path / "end.png"), "deu")
    assert {"ganze", "folge"} <= end, end
    head = ocr_words(grab(folder / clip.file, 3.0, tmp_path / "head.png"), "deu")
    headline = {w.lower() for w in re.findall(r"[^\W\d_]{4,}", clip.headline)}
    assert len(headline & head) >= min(2, len(headline)), (clip.headline, head)
