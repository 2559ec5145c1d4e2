"""Outputs as plug-ins: the registry, its phases, a new output added from outside articast.

A new output is one module with an ``OUTPUT`` and one registry line; here the line is an
entry point of a package installed on ``sys.path`` (a real distribution's metadata, read by
``importlib.metadata``), so articast itself is not edited at all.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html

from articast.config import Settings, load_settings
from articast.errors import ConfigError, InputError
from articast.lang import get_language
from articast.models import Episode
from articast.outputs import MODULES, PHASES, check, declared_files, enabled, registry
from articast.pipeline import build_episode

ROOT = Path(__file__).resolve().parents[1]

PLUGIN = '''
"""A word count of the episode: one small output, from outside articast."""
from dataclasses import dataclass

from articast.cache import atomic_write_text
from articast.config import Checked, Number, setting
from articast.outputs import OutputFile, options


@dataclass(frozen=True)
class WordCountOptions(Checked):
    SECTION = "outputs.wordcount"
    enabled: bool = setting(True)
    per_minute: int = setting(150, Number(60, 400, whole=True))


class WordCount:
    name = "wordcount"
    phase = "publish"
    stage = "publish"
    background = False
    options = WordCountOptions

    def enabled(self, settings):
        return options(self, settings).enabled

    def files(self, settings):
        return (OutputFile("wordcount", "wordcount.txt", "Word count"),)

    def render(self, made):
        words = sum(len(s.text.split()) for s in made.episode.sentences)
        pace = options(self, made.settings).per_minute
        atomic_write_text(made.folder / "wordcount.txt", f"{words} words, {words / pace:.1f} min\\n")
        made.notes.append(f"wordcount: {words} words")


OUTPUT = WordCount()
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # -> None
    """The word count output installed as a package with an ``articast.outputs`` entry
    point (its dist-info on ``sys.path``), for this test only."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "wordcount_output.py").write_text(PLUGIN)
    info = site / "wordcount_output-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: wordcount-output\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[articast.outputs]\nwordcount = wordcount_output\n")
    monkeypatch.syspath_prepend(str(site))
    registry.cache_clear()
    yield site
    registry.cache_clear()
    sys.modules.pop("wordcount_output", None)


def test_the_built_in_outputs_are_registered_in_page_order() -> None:
    outputs = registry()
    assert list(outputs)[: len(MODULES)] == [
        "mp3", "mp4", "captions", "script", "clips", "pages", "transcript", "feed",
    ]  # fmt: skip
    assert all(o.phase in PHASES for o in outputs.values())
    media = [o.name for o in outputs.values() if o.phase == "media"]
    assert media == ["mp3", "mp4"] and outputs["mp3"].background
    s = load_settings(use_files=False)
    names = [f.name for f in declared_files(s)]
    assert names == [
        "episode.mp3", "chapters.json", "episode.mp4", "thumbnail.png", "captions.vtt",
        "captions.srt", "script.md", "description.txt", "shownotes.html", "index.html",
    ]  # fmt: skip
    no_video = dataclasses.replace(s, video=dataclasses.replace(s.video, enabled=False))
    assert "mp4" not in [o.name for o in enabled(no_video)]
    # Every file name an output declares is one the manifest accepts (inside the folder).
    labels = get_language("de").labels
    shown = [f.label_for(labels) for f in declared_files(s)]
    assert "Untertitel (WebVTT)" in shown and "Shownotes" in shown


def test_a_new_output_needs_one_module_and_one_registry_line(
    plugin: Path, fast_settings: Settings, broken_sample: Path
) -> None:
    assert "wordcount" in registry()
    result = build_episode(broken_sample, fast_settings)
    folder = result.folder
    words, _ = (folder / "wordcount.txt").read_text().split(" words, ")
    spoken = sum(len(s.text.split()) for s in result.episode.sentences)
    assert int(words) == spoken > 100
    # The manifest lists it, typed, under files.extra; the page links it with its label.
    manifest = json.loads((folder / "episode.json").read_text())
    assert manifest["files"]["extra"] == {"wordcount": "wordcount.txt"}
    assert f"wordcount: {spoken} words" in manifest["warnings"]  # its note reaches the manifest
    assert Episode.from_json(manifest).files.extra == {"wordcount": "wordcount.txt"}
    page = html.fromstring((folder / "index.html").read_text())
    links = {a.text: a.get("href") for a in page.cssselect("ul.files a")}
    assert links["Word count"] == "wordcount.txt"
    assert links["Captions (WebVTT)"] == "captions.vtt"  # the built-in ones are still there
    # Its options come from [outputs.wordcount], checked before any work.
    bad = dataclasses.replace(fast_settings, outputs={"wordcount": {"per_minute": 5}})
    with pytest.raises(ConfigError, match=r"\[outputs.wordcount\] per_minute"):
        build_episode(broken_sample, bad)
    off = dataclasses.replace(
        fast_settings,
        out_dir=fast_settings.out_dir.parent / "off",
        outputs={"wordcount": {"enabled": False}},
    )
    folder = build_episode(broken_sample, off).folder
    assert not (folder / "wordcount.txt").exists()
    assert "extra" not in json.loads((folder / "episode.json").read_text())["files"]


def test_the_transcript_output_is_switched_on_by_its_table(
    tmp_path: Path, broken_sample: Path
) -> None:
    config = tmp_path / "articast.toml"
    config.write_text(
        '[video]\nenabled = false\n[voice]\nvoice = "fake:tone"\n'
        "[outputs.transcript]\nenabled = true\n"
    )
    r = _cli("--config", str(config), "episode", str(broken_sample), "--out", str(tmp_path / "o"),
             "-q", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    folder = Path(r.stdout.strip())
    text = (folder / "transcript.txt").read_text()
    manifest = json.loads((folder / "episode.json").read_text())
    assert text.splitlines()[0] == manifest["title"]
    for section in manifest["sections"]:
        minutes, seconds = divmod(int(section["start"]), 60)
        assert f"[{minutes:02d}:{seconds:02d}] {section['title']}" in text
    assert manifest["sentences"][3]["text"].split()[0] in text
    assert manifest["files"]["extra"] == {"transcript": "transcript.txt"}
    assert 'href="transcript.txt">Transcript (text)</a>' in (folder / "index.html").read_text()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[outputs.transcript]\ncolour = 1\n", "unknown key(s) in [outputs.transcript]: colour"),
        ("[outputs.transcript]\nenabled = 3\n", "[outputs.transcript] enabled"),
        ("[outputs.nope]\nenabled = true\n", "unknown table [outputs.nope]"),
        ("[outputs.mp3]\nenabled = true\n", "unknown table [outputs.mp3]"),
        ("outputs = 3\n", "outputs"),
    ],
)
def test_bad_output_tables_are_one_line_exit_2_before_any_work(
    tmp_path: Path, broken_sample: Path, table: str, message: str
) -> None:
    config = tmp_path / "articast.toml"
    config.write_text(table)
    r = _cli("--config", str(config), "episode", str(broken_sample), "--out", str(tmp_path / "o"),
             "-q", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").glob("*/episode.json"))


def test_check_refuses_an_unknown_output_table() -> None:
    s = dataclasses.replace(load_settings(use_files=False), outputs={"audiogram": {}})
    with pytest.raises(InputError, match="unknown table"):
        check(s)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "articast.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=600,
        env={**os.environ, "ARTICAST_OFFLINE": "1"},
    )  # fmt: skip
