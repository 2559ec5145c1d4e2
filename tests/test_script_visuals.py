"""Picture directives in ``script.md``: the producer chooses a section's key points, chart,
number, quote, picture and icon; bad ones fail while the script is read, before any voicing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from articast.errors import ScriptFormatError
from articast.models import Script, Segment, VisualOverrides
from articast.narrate import parse_script_md, read_script_md, render_script_md, write_script_md
from articast.pictures.plan import Spoken, plan_section

POWER = (
    "Coal made 40 percent of the power in 2010.",
    "Gas made 25 percent of the power.",
    "Wind made 15 percent of the power and is growing fast.",
    "Engineers expect solar farms to double by the end of the decade.",
)
SCRIPT = Script(
    title="Power Shift",
    segments=(
        Segment("intro", "Introduction", ("Welcome to the show.",), mentions_talk=True),
        Segment("section", "Where power comes from", POWER, section_index=0),
        Segment(
            "section", "Looking ahead", ("Grids will change.", "Batteries help."), section_index=1
        ),
        Segment("outro", "Closing", ("Thanks for listening.",)),
    ),
)


def _picture(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (200, 120, 40)).save(path)
    return path


def _with_lines(path: Path, heading: str, lines: list[str], *, after_marker: bool = True) -> int:
    """Insert ``lines`` under ``heading`` (after its marker line, or at the segment's end);
    returns the 1-based line number of the first inserted line."""
    text = path.read_text(encoding="utf-8").splitlines()
    i = text.index(heading)
    if after_marker:
        at = i + 2
    else:
        at = next((k for k in range(i + 1, len(text)) if text[k].startswith("## ")), len(text))
    text[at:at] = lines
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return at + 1


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "script.md"
    write_script_md(SCRIPT, path)
    return path


SECTION = "## Section: Where power comes from"


def test_directives_fill_segment_visuals(tmp_path: Path) -> None:
    path = _script(tmp_path)
    _picture(tmp_path / "images" / "figure.png")
    _with_lines(
        path,
        SECTION,
        [
            "<!-- points: coal made 40  PERCENT | engineers expect solar farms… -->",
            "<!-- Chart: off -->",
            "<!-- NUMBER: on -->",
        ],
    )
    # anywhere in the segment, also after its sentences
    _with_lines(
        path,
        SECTION,
        ["<!-- quote: off -->", "<!-- picture: images/figure.png -->", "<!-- icon: Moon -->"],
        after_marker=False,
    )
    _with_lines(path, "## Section: Looking ahead", ["<!-- points: none -->"])
    # a misspelled key and other comments stay plain comments
    _with_lines(path, "## Section: Looking ahead", ["<!-- charts: off -->", "<!-- icn: moon -->"])
    script = read_script_md(path)
    intro, power, ahead, outro = script.segments
    assert power.visuals == VisualOverrides(
        points=("coal made 40 PERCENT", "engineers expect solar farms…"),
        chart=False,
        number=True,
        quote=False,
        picture=(tmp_path / "images" / "figure.png").resolve(),
        icon="moon",
    )
    assert tuple(power.form(i).display for i in range(4)) == POWER  # not sentences
    assert power.section_index == 0 and not power.mentions_talk  # the marker still counts
    assert ahead.visuals == VisualOverrides(points=())
    assert intro.visuals is None and outro.visuals is None
    assert intro.mentions_talk


def test_segment_without_directives_has_none(tmp_path: Path) -> None:
    path = _script(tmp_path)
    _with_lines(path, "## Section: Looking ahead", ["<!-- points: none -->"])
    script = read_script_md(path)
    assert script.segments[1].visuals is None
    assert script.segments[2].visuals == VisualOverrides(points=())


def test_header_examples_do_nothing(tmp_path: Path) -> None:
    text = render_script_md(SCRIPT)
    header = text[: text.index("# Power Shift")]
    for key in ("points:", "chart: off", "number: off", "quote: off", "picture:", "icon: moon"):
        assert key in header
    # The examples sit inside the header's one comment: none is a directive line of its own,
    # and the header does not hold a segment heading's text (tools split the file on it).
    assert header.count("-->") == 1 and "## Section:" not in header
    assert "lucide.dev/icons" in header and "relative to this file's folder" in header
    assert all(seg.visuals is None for seg in parse_script_md(text).segments)


def test_round_trip_keeps_directives(tmp_path: Path) -> None:
    path = _script(tmp_path)
    _picture(tmp_path / "art" / "chart.png")
    _with_lines(
        path,
        SECTION,
        [
            "<!-- points: Gas made 25 percent | wind made 15 percent -->",
            "<!-- chart: off -->",
            "<!-- quote: on -->",
            "<!-- picture: art/chart.png -->",
            "<!-- icon: wind -->",
        ],
    )
    _with_lines(path, "## Section: Looking ahead", ["<!-- points: none -->"])
    first = read_script_md(path)
    text = render_script_md(first)
    body = text[text.index("# Power Shift") :]
    assert "<!-- chart: off -->" in body and "<!-- number:" not in body  # only the set fields
    lines = text.splitlines()
    marker = lines.index(SECTION) + 1
    assert lines[marker].startswith("<!-- section 0 ·")
    assert lines[marker + 1] == "<!-- points: Gas made 25 percent | wind made 15 percent -->"
    again = parse_script_md(text, tmp_path / "elsewhere" / "script.md")  # absolute picture
    assert [s.visuals for s in again.segments] == [s.visuals for s in first.segments]
    assert first.segments[1].visuals is not None
    assert first.segments[1].visuals.picture == (tmp_path / "art" / "chart.png").resolve()
    assert first.segments[2].visuals == VisualOverrides(points=())


def test_points_copied_with_pronunciations(tmp_path: Path) -> None:
    path = _script(tmp_path)
    _with_lines(
        path,
        SECTION,
        [
            "<!-- points: NMDA{N M D A} receptors | [$3.5 million]{a lot} -->",
            "Its NMDA{N M D A} receptors cost [$3.5 million]{three point five million dollars}.",
        ],
    )
    visuals = read_script_md(path).segments[1].visuals
    assert visuals == VisualOverrides(points=("NMDA receptors", "$3.5 million"))


@pytest.mark.parametrize(
    ("lines", "needle"),
    [
        (["<!-- points: coal made 90 percent -->"], "'coal made 90 percent' is not in"),
        (["<!-- points: Gas made | Looking ahead -->"], "section's own words"),
        (["<!-- points: a | b | c | d | e -->"], "at most 4"),
        (["<!-- points: Gas made || Wind -->"], "empty key point"),
        (["<!-- points: -->"], "empty key point"),
        (["<!-- chart: maybe -->"], "not on or off"),
        (["<!-- number: no -->"], "not on or off"),
        (["<!-- quote: -->"], "not on or off"),
        (["<!-- picture: images/missing.png -->"], "picture not found"),
        (["<!-- picture: images -->"], "is not a file"),
        (["<!-- picture: notes.png -->"], "not a picture"),
        (["<!-- icon: mooon -->"], "did you mean: moon"),
        (["<!-- icon: moon -->", "<!-- ICON: sun -->"], "a second 'icon:' line"),
    ],
)
def test_bad_directives_fail_with_one_line(tmp_path: Path, lines: list[str], needle: str) -> None:
    path = _script(tmp_path)
    (tmp_path / "images").mkdir()
    (tmp_path / "notes.png").write_text("not a picture", encoding="utf-8")
    first = _with_lines(path, SECTION, lines)
    bad_line = first + len(lines) - 1
    with pytest.raises(ScriptFormatError) as info:
        read_script_md(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{bad_line}: "), message
    assert needle in message


def test_unknown_icon_is_chained_and_suggests(tmp_path: Path) -> None:
    path = _script(tmp_path)
    line = _with_lines(path, SECTION, ["<!-- icon: mooon -->"])
    with pytest.raises(ScriptFormatError) as info:
        read_script_md(path)
    assert str(info.value).startswith(f"{path}:{line}: unknown icon 'mooon'")
    assert "lucide.dev" in str(info.value)
    assert info.value.__cause__ is not None


@pytest.mark.parametrize("heading", ["## Intro: Introduction", "## Outro: Closing"])
def test_directive_under_intro_or_outro_fails(tmp_path: Path, heading: str) -> None:
    path = _script(tmp_path)
    line = _with_lines(path, heading, ["<!-- chart: off -->"])
    with pytest.raises(ScriptFormatError) as info:
        read_script_md(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: ") and "\n" not in message
    assert "'## Section:'" in message


def test_overrides_change_the_plan(tmp_path: Path) -> None:
    path = _script(tmp_path)
    _with_lines(
        path,
        SECTION,
        [
            "<!-- points: engineers expect SOLAR farms -->",
            "<!-- chart: off -->",
            "<!-- icon: moon -->",
        ],
    )
    visuals = read_script_md(path).segments[1].visuals
    spoken = [Spoken(text, i * 3.0, i * 3.0 + 3.0) for i, text in enumerate(POWER)]
    auto = plan_section(spoken, "Where power comes from", "en")
    assert any(b.kind == "chart" for b in auto.beats)  # without the producer: a chart
    planned = plan_section(spoken, "Where power comes from", "en", overrides=visuals)
    kinds = [b.kind for b in planned.beats]
    assert "chart" not in kinds
    assert [(b.text, b.sentence) for b in planned.beats if b.kind == "points"] == [
        ("engineers expect SOLAR farms", 3)
    ]
    assert [b.name for b in planned.beats if b.kind == "icon"] == ["moon"]
    assert [b.name for b in auto.beats if b.kind == "icon"] != ["moon"]


# --------------------------------------------------------------------------- the CLI

ARTICLE = """# The Quiet Moon

## Tides and time

The Moon pulls the oceans into two bulges. Tides rise and fall twice a day on most coasts.
About 70 percent of the planet is covered by water. Sailors have timed their voyages by the
tides for centuries.

## Looking up

Its craters record billions of years of impacts. A full Moon is far dimmer than the Sun.
Night walkers still use it to find their way home.
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARTICAST_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "articast.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("directive", "needle"),
    [
        ("<!-- points: the sun never sets -->", "'the sun never sets' is not in"),
        ("<!-- picture: images/nowhere.png -->", "picture not found"),
        ("<!-- icon: mooon -->", "unknown icon 'mooon'"),
    ],
)
def test_cli_rejects_bad_directives_before_voicing(
    tmp_path: Path, directive: str, needle: str
) -> None:
    (tmp_path / "article.md").write_text(ARTICLE, encoding="utf-8")
    made = _run(["script", "article.md", "--out", "draft"], tmp_path)
    assert made.returncode == 0, made.stderr
    (written,) = (tmp_path / "draft").glob("*/script.md")
    bad = tmp_path / "bad.md"
    bad.write_text(written.read_text(encoding="utf-8"), encoding="utf-8")
    line = _with_lines(bad, "## Section: Tides and time", [directive])
    result = _run(
        [
            "episode",
            "article.md",
            "--script",
            "bad.md",
            "--voice",
            "fake:tone",
            "--no-video",
            "--out",
            "out",
            "-q",
        ],
        tmp_path,
    )
    assert result.returncode == 2, result.stderr
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"bad.md:{line}: " in err[0] and needle in err[0]
    out = tmp_path / "out"
    episodes = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert episodes == []  # nothing voiced, no episode folder
    assert [p.suffix for p in out.rglob("*") if p.is_file()] in ([], [".lock"])
