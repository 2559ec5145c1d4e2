"""``script.md``: writing, reading back an edited file, and clear errors for broken ones."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from articast.config import NarrateSettings
from articast.errors import InputError, PublishError, ScriptFormatError
from articast.models import Article, Script, Section, Segment, TalkRef
from articast.narrate import build_script, read_script_md, write_script_md

ARTICLE = Article(
    title="Night Shift: How the Sleeping Brain Files Away the Day",
    sections=(
        Section(None, ("Every night your brain files the day.",)),
        Section("slow waves", ("Spindles run at 12 Hz.it is fast.", "EEG shows them.")),
        Section("When it goes wrong", ("About 10 % of adults have insomnia,and it hurts memory",)),
    ),
    talk=TalkRef("https://www.youtube.com/watch?v=Xq3vN8sLk2E", "Xq3vN8sLk2E", 95, "Sleep talk"),
)


@pytest.fixture
def script() -> Script:
    return build_script(ARTICLE, None, NarrateSettings())


def _strip_sources(script: Script) -> Script:
    segments = tuple(dataclasses.replace(s, source="") for s in script.segments)
    return dataclasses.replace(script, segments=segments, edited=True)


def test_round_trip(script: Script, tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    write_script_md(script, path)
    back = read_script_md(path)
    assert back.edited
    assert back == _strip_sources(script)
    assert back.warnings and "and it hurts memory" in back.warnings[0]


def test_layout_is_readable(script: Script, tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    write_script_md(script, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!--\narticast narration script.")
    assert "## Kind: Title" in text and "--script script.md" in text
    assert "# Night Shift: How the Sleeping Brain Files Away the Day\n" in text
    headings = [ln for ln in text.splitlines() if ln.startswith("## ")]
    assert headings == [
        "## Intro: Introduction",
        "## Section: How the Sleeping Brain Files Away the Day",
        "## Section: Slow waves",
        "## Section: When it goes wrong",
        "## Outro: Watch the full talk",
    ]
    assert text.count(" · about 0:") == len(headings)
    assert "<!-- estimated total: about 0:" in text
    assert "<!-- section 1 · 4 sentences · about 0:" in text
    lines = text.splitlines()
    i = lines.index("## Section: Slow waves")
    assert lines[i + 2 : i + 6] == [
        "Slow waves.",
        "Spindles run at twelve hertz.",
        "It is fast.",
        "E E G shows them.",
    ]


def test_edited_sentence_is_voiced_as_written(script: Script, tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    write_script_md(script, path)
    text = path.read_text(encoding="utf-8")
    edited = text.replace("It is fast.", "They come \u201cfast\u201d: 30 % NMDA  bursts.")
    path.write_text(edited, encoding="utf-8")
    back = read_script_md(path)
    sentences = [s for seg in back.segments for s in seg.sentences]
    assert 'They come "fast": 30 % NMDA bursts.' in sentences
    assert "It is fast." not in sentences


def test_reordered_and_unmarked_segments(tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    path.write_text(
        "# My episode\n\n## Intro: Hello\nHi there.\n\n"
        "## Section: Second\n<!-- section 2 -->\nTwo.\n\n"
        "## Section: Next\nThree.\n- Four.\n\n## Outro: Bye\n<!-- 1 sentence -->\nBye.\n",
        encoding="utf-8",
    )
    back = read_script_md(path)
    assert back.title == "My episode"
    assert back.segments == (
        Segment("intro", "Hello", ("Hi there.",), mentions_talk=True),
        Segment("section", "Second", ("Two.",), section_index=2),
        Segment("section", "Next", ("Three.", "Four."), section_index=3),
        Segment("outro", "Bye", ("Bye.",), mentions_talk=False),
    )
    assert back.warnings == ()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("# Title\n\nJust text, no headings.\n", "before the first '## Kind: Title'"),
        ("# Title\n<!-- nothing -->\n", "no segments found"),
        ("", "no segments found"),
        ("# T\n\n## Chapter one\nHello.\n", "malformed heading '## Chapter one'"),
        ("# T\n\n## Episode: One\nHello.\n", "malformed heading '## Episode: One'"),
        ("# T\n\n## Section:\nHello.\n", "has no title"),
        ("# T\n\n### Section: deep\nHello.\n", "malformed heading"),
        ("# T\n\n## Section: A\n\n## Outro: B\nBye.\n", "segment 'A' has no sentences"),
        ("## Section: A\nHello.\n", "no '# Title' line"),
        ("# T\n## Section: A\nHello.\n<!-- open\n", "never closed"),
    ],
)
def test_broken_scripts_fail_with_one_line(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "script.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScriptFormatError) as info:
        read_script_md(path)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message
    assert str(path) in message
    assert isinstance(info.value, InputError)


def test_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    path.write_text("# T\n\n## Intro: A\nHi.\n\n## Nope\nHi.\n", encoding="utf-8")
    with pytest.raises(ScriptFormatError, match=r"script\.md:6: malformed heading"):
        read_script_md(path)


def test_missing_and_binary_script(tmp_path: Path) -> None:
    with pytest.raises(ScriptFormatError, match="script file not found"):
        read_script_md(tmp_path / "absent.md")
    path = tmp_path / "bin.md"
    path.write_bytes(b"\xff\xfe\x00\x81 not text")
    with pytest.raises(ScriptFormatError, match="not UTF-8"):
        read_script_md(path)


def test_unwritable_script_path(script: Script, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(PublishError, match="cannot write the script"):
        write_script_md(script, blocker / "script.md")
