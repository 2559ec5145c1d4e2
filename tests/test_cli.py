"""The CLI end to end, as a user runs it: real espeak-ng speech, real ffmpeg, real files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from articast.media import measure_loudness, probe_duration, probe_info
from stream_checks import check_stream

ARTICAST = [sys.executable, "-m", "articast.cli"]


def run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARTICAST_OFFLINE": "1"}
    env.pop("ARTICAST_CONFIG", None)
    return subprocess.run(
        [*ARTICAST, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_version_and_help_for_every_command(tmp_path: Path) -> None:
    from articast import __version__

    r = run(["--version"], tmp_path)
    assert r.returncode == 0 and __version__ in r.stdout
    for cmd in ["episode", "ingest", "script", "voices", "talk", "feed", "batch"]:
        r = run([cmd, "--help"], tmp_path)
        assert r.returncode == 0, (cmd, r.stderr)
        assert "Usage:" in r.stdout


def test_every_command_is_documented_in_the_readme() -> None:
    from articast.cli import cli

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name, command in cli.commands.items():
        assert f"articast {name}" in readme, f"README does not document 'articast {name}'"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"README does not document {name} {opt}"


@pytest.mark.parametrize("kind", ["empty", "binary", "missing", "directory"])
def test_bad_input_is_one_line_exit_2_and_no_episode(tmp_path: Path, kind: str) -> None:
    article = tmp_path / "article.html"
    if kind == "empty":
        article.write_text("")
    elif kind == "binary":
        article.write_bytes(bytes(range(256)) * 40)
    elif kind == "directory":
        article.mkdir()
    out = tmp_path / "out"
    r = run(["episode", str(article), "--out", str(out)], tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("articast: error:")
    assert "Traceback" not in r.stderr
    episodes = [p for p in out.iterdir() if p.name != ".cache"] if out.exists() else []
    assert episodes == []


def test_unknown_voice_lists_choices(tmp_path: Path, broken_sample: Path) -> None:
    r = run(["episode", str(broken_sample), "--out", str(tmp_path / "o"), "--voice", "nope:x"], tmp_path)
    assert r.returncode == 2
    assert "espeak" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_pitch_for_the_neural_voice_is_one_line_exit_2(tmp_path: Path, broken_sample: Path) -> None:
    out = tmp_path / "o"
    r = run(["episode", str(broken_sample), "--out", str(out), "--pitch", "60", "--no-video"], tmp_path)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "cannot change pitch" in r.stderr
    assert "piper:en_US-joe-medium" in r.stderr and "Traceback" not in r.stderr
    assert [p for p in out.iterdir() if p.name != ".cache"] == [] if out.exists() else True


def test_ingest_json_contract(tmp_path: Path, broken_sample: Path) -> None:
    r = run(["ingest", str(broken_sample), "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["title"] == "Night Shift: How the Sleeping Brain Files Away the Day"
    assert isinstance(data["language"], str)
    assert data["sections"][0]["title"] is None
    assert len(data["sections"]) == 4
    assert all(isinstance(s["text"], str) and s["text"] for s in data["sections"])
    assert data["talk"] == {
        "url": "https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s",
        "video_id": "Xq3vN8sLk2E",
        "start": 95,
    } or {k: data["talk"][k] for k in ("url", "video_id", "start")} == {
        "url": "https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s",
        "video_id": "Xq3vN8sLk2E",
        "start": 95,
    }


def test_seed_article_episode_with_real_espeak(tmp_path: Path, seed_article: Path) -> None:
    """The user's own article, offline espeak voice (fast), podcast and video."""
    out = tmp_path / "out"
    r = run(["episode", str(seed_article), "--out", str(out), "--voice", "espeak:en-us"], tmp_path)
    assert r.returncode == 0, r.stderr
    folder = Path(r.stdout.strip().splitlines()[-1])
    assert folder.parent == out
    m = json.loads((folder / "episode.json").read_text())
    assert m["title"] == "Unlocking the Brain's Potential: Exploring the Neurological Impact of Ketamine"
    assert m["talk"]["url"] == "https://www.youtube.com/watch?v=YLRWoMVNEq8"
    assert m["voice"] == "espeak:en-us"
    section_titles = [s["title"] for s in m["sections"] if s["kind"] == "section"]
    assert len(section_titles) == 4  # the lead plus three headed sections
    assert section_titles[1:] == [
        "Ketamine's Mechanism: A Unique Approach to Brain Chemistry",
        "Therapeutic Horizons: Ketamine's Role in Mental Health Treatment",
        "Navigating the Landscape: Considerations and Responsible Use",
    ]
    mp3, mp4 = folder / "episode.mp3", folder / "episode.mp4"
    assert abs(probe_duration(mp3) - probe_duration(mp4)) < 0.5
    info = probe_info(mp4)
    assert "Video: h264" in info and re.search(r"Audio: aac", info)
    check_stream(mp4, 10)  # 1920x1080: idr_pic_id and the declared buffer kept
    loud = measure_loudness(mp3)
    assert loud.integrated_lufs > -30, "the episode is (nearly) silent"
    assert abs(loud.integrated_lufs - -16) <= 1.0
    assert loud.true_peak_dbtp <= -1.0
    script = (folder / "script.md").read_text()
    spoken = "\n".join(ln for ln in script.splitlines() if not ln.startswith("<!--"))
    assert "such as changes in" not in spoken  # quoted only in the warning comment
    assert "monitoring of potential side effects." in spoken
    assert "N M D A" in script


@pytest.mark.parametrize(
    ("setting", "key"),
    [("[audio]\ntarget_lufs = 5", "[audio] target_lufs"), ("[video]\nfps = 0", "[video] fps"),
     ("[video]\nwidth = -3", "[video] width")],
)
def test_bad_setting_stops_the_episode_before_any_work(
    tmp_path: Path, broken_sample: Path, setting: str, key: str
) -> None:
    """A bad value in articast.toml is exit 2 with one line naming the key; nothing is voiced,
    no folder or cache is made."""
    cfg = tmp_path / "articast.toml"
    cfg.write_text(f'out_dir = "out"\n{setting}\n')
    r = run(["episode", str(broken_sample), "--voice", "fake:tone"], tmp_path, timeout=60)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"articast: error: {cfg}: {key} = ")
    assert "is not allowed: expected" in lines[0]
    assert not (tmp_path / "out").exists()  # no episode, no speech cache


def test_bad_flag_value_is_checked_like_the_file(tmp_path: Path, broken_sample: Path) -> None:
    r = run(["episode", str(broken_sample), "--voice", "espeak:en us", "--out", str(tmp_path / "o")], tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith('articast: error: [voice] voice = "espeak:en us" is not allowed')
    assert not (tmp_path / "o").exists()
