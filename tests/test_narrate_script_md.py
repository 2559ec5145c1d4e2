"""``script.md``: writing, reading back an edited file, and clear errors for broken ones."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articast.config import NarrateSettings
from articast.errors import InputError, PublishError, ScriptFormatError
from articast.models import Article, Script, Section, Segment, TalkRef
from articast.narrate import build_script, read_script_md, write_script_md
from articast.narrate.script_md import parse_line, render_line

FIGURES = Path(__file__).parent / "fixtures" / "captions" / "sleep-figures.md"

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
    segments = tuple(dataclasses.replace(s, source="", forms=()) for s in script.segments)
    return dataclasses.replace(script, segments=segments, edited=True)


def _shown(script: Script) -> list[str]:
    return [seg.form(i).display for seg in script.segments for i in range(len(seg.sentences))]


def test_round_trip(script: Script, tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    write_script_md(script, path)
    back = read_script_md(path)
    assert back.edited
    assert _strip_sources(back) == _strip_sources(script)  # the same spoken sentences
    assert _shown(back) == _shown(script)
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
    assert lines[i + 2 : i + 8] == [  # a blank line after the heading and each paragraph
        "Slow waves.",
        "",
        "Spindles run at 12{twelve} Hz{hertz}.",
        "It is fast.",
        "",
        "EEG{E E G} shows them.",
    ]
    assert "NMDA{N M D A}" in text  # the header shows the syntax


def test_new_text_is_read_like_the_article(script: Script, tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    write_script_md(script, path)
    text = path.read_text(encoding="utf-8")
    edited = text.replace("It is fast.", "They come \u201cfast\u201d: 30 % NMDA  bursts.")
    path.write_text(edited, encoding="utf-8")
    back = read_script_md(path)
    sentences = [s for seg in back.segments for s in seg.sentences]
    assert 'They come "fast": thirty percent N M D A bursts.' in sentences
    assert 'They come "fast": 30 % NMDA bursts.' in _shown(back)
    assert "It is fast." not in sentences


def test_edited_display_and_pronunciation_both_follow(script: Script, tmp_path: Path) -> None:
    path = tmp_path / "script.md"
    write_script_md(script, path)
    text = path.read_text(encoding="utf-8")
    old = "EEG{E E G} shows them."
    assert old in text
    path.write_text(text.replace(old, "MEG{meg} shows them [in 2023]{this year}."), "utf-8")
    back = read_script_md(path)
    sentences = [s for seg in back.segments for s in seg.sentences]
    assert "meg shows them this year." in sentences
    assert "MEG shows them in 2023." in _shown(back)
    assert "E E G shows them." not in sentences


@pytest.mark.parametrize(
    ("line", "display", "spoken"),
    [
        ("The NMDA{en em dee ay} receptor.", "The NMDA receptor.", "The en em dee ay receptor."),
        ("(BDNF{B D N F}), a protein.", "(BDNF), a protein.", "(B D N F), a protein."),
        ("Up [$3.5 million]{three and a half million bucks}.", "Up $3.5 million.",
         "Up three and a half million bucks."),
        ("Keep 2023{2023} as digits.", "Keep 2023 as digits.", "Keep 2023 as digits."),
        ("Braces \\{literal\\} stay.", "Braces {literal} stay.", "Braces {literal} stay."),
        ("An [unclosed bracket and {brace", "An [unclosed bracket and {brace",
         "An [unclosed bracket and {brace"),
        ("Old N M D A line, thirty percent.", "Old N M D A line, thirty percent.",
         "Old N M D A line, thirty percent."),
    ],
)  # fmt: skip
def test_pronunciation_syntax(line: str, display: str, spoken: str) -> None:
    form = parse_line(line)
    assert (form.display, form.spoken) == (display, spoken)
    again = parse_line(render_line(form))
    assert (again.display, again.spoken) == (display, spoken)


def test_scripts_round_trip_on_real_articles(tmp_path: Path) -> None:
    from articast.config import IngestSettings
    from articast.ingest import load_article
    from conftest import SAMPLES, SEED

    sources = [*sorted(SAMPLES.glob("*.html")), *sorted(SAMPLES.glob("*.md")),
               *sorted(SAMPLES.glob("*.txt")), FIGURES]  # fmt: skip
    if SEED.is_file():
        sources.append(SEED)
    for source in sources:
        built = build_script(load_article(source, IngestSettings()), None, NarrateSettings())
        path = tmp_path / "script.md"
        write_script_md(built, path)
        back = read_script_md(path)
        assert [s.sentences for s in back.segments] == [s.sentences for s in built.segments]
        assert _shown(back) == _shown(built)


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
    assert tuple(dataclasses.replace(s, forms=()) for s in back.segments) == (
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


_WORDS = st.sampled_from(
    ["sleep", "In", "2023,", "40%", "15", "%", "$3.5", "million", "(BDNF)", "NMDA", "REM", "e.g.",
     "Dr.", "Lee", "et", "al.", "11–16", "Hz", "€12.50", "1st", "3:30", "[sic]", "R&D", "a{b}",
     "back\\slash", "x]{y", "https://www.example.org/a/b.pdf", "–", "(", ")", ",", "'quoted'"]
)  # fmt: skip


@given(st.lists(_WORDS, min_size=1, max_size=12))
@settings(max_examples=300, deadline=None)
def test_any_sentence_survives_the_script(words: list[str]) -> None:
    from articast.text.rules import apply_mapped, reading_rules
    from articast.textmap import MappedText

    form = apply_mapped(MappedText.plain(" ".join(words) + "."), reading_rules()).sentence()
    back = parse_line(render_line(form))
    assert (back.display, back.spoken) == (form.display, form.spoken)
    # and its token map times every display token, in order, from the first word to the last
    from articast.textmap import display_timings

    n = len(form.spoken.split())
    toks = display_timings(form, [(float(k), k + 0.5) for k in range(n)])
    assert [t.text for t in toks] == form.display.split()
    assert toks[0].start == 0.0 and max(t.end for t in toks) == pytest.approx(n - 0.5)
    assert all(a.start <= b.start and b.end >= b.start for a, b in itertools.pairwise(toks))


def test_paragraphs_are_kept_and_edited_by_blank_lines(script: Script, tmp_path: Path) -> None:
    slow = script.segments[2]
    assert slow.title == "Slow waves"
    # the heading (0) and the first paragraph (its two sentences) end with a longer pause
    assert slow.paragraph_ends == (0, 2)
    assert all(not seg.paragraph_ends for seg in script.segments if seg.kind != "section")
    path = tmp_path / "script.md"
    write_script_md(script, path)
    assert read_script_md(path).segments[2].paragraph_ends == (0, 2)
    # a producer joins the paragraphs and splits another: blank lines are the paragraphs
    text = path.read_text(encoding="utf-8").replace(
        "It is fast.\n\nEEG{E E G} shows them.", "It is fast.\nEEG{E E G} shows them."
    )
    text = text.replace("Spindles run at 12{twelve} Hz{hertz}.\n", "Spindles run at 12{twelve} Hz{hertz}.\n\n\n")
    path.write_text(text, encoding="utf-8")
    assert read_script_md(path).segments[2].paragraph_ends == (0, 1)
    # scripts written before paragraphs (no blank lines) still read, with no paragraph pauses
    old = "\n".join(ln for ln in text.splitlines() if ln.strip()) + "\n"
    path.write_text(old, encoding="utf-8")
    assert all(not seg.paragraph_ends for seg in read_script_md(path).segments)


def test_paragraph_ends_are_checked() -> None:
    with pytest.raises(ValueError, match="paragraph_ends"):
        Segment("section", "A", ("One.", "Two."), paragraph_ends=(1,))  # the last sentence
    with pytest.raises(ValueError, match="paragraph_ends"):
        Segment("section", "A", ("One.", "Two.", "Three."), paragraph_ends=(1, 0))
