"""Issue 28: the first run works, and the same article always makes the same episode.

* A fresh clone's ``output/`` (only ``.gitkeep``) is an empty folder: ``make episode`` builds
  the sample into it, the way the README tells a new user.
* Two cold builds of one article, in separate processes with fresh output folders and caches,
  give the same decoded audio, chapters, captions, pictures and video, with the default neural
  voice (whose noise is seeded by each sentence's own phonemes).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from articast.media import ffmpeg_exe
from stream_checks import check_stream

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "articast.cli"]

ARTICLE = """\
# Why Lighthouses Blink

Every lighthouse has a signature. A keeper in 1890 could tell the Fastnet light from its
neighbours by counting: two flashes every 5 seconds, or one long beam every 10.

## Codes of light

Ships read the pattern, not the colour. Fog still hides most of them, so horns joined the
lights in the nineteenth century.
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICAST_")}
    env["ARTICAST_OFFLINE"] = "1"
    return env


def pcm_hash(media: Path) -> str:
    """SHA-256 of the decoded audio (44.1 kHz s16le), as any player hears it."""
    pcm = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(media), "-map", "0:a:0", "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    assert len(pcm) > 44_100  # more than half a second of sound
    return hashlib.sha256(pcm).hexdigest()


def test_dot_files_do_not_make_the_output_folder_someone_elses(tmp_path: Path) -> None:
    from articast.outdir import is_articast_folder

    out = tmp_path / "output"
    out.mkdir()
    (out / ".gitkeep").write_text("")
    (out / ".DS_Store").write_bytes(b"\0")
    assert is_articast_folder(out)
    (out / "notes.txt").write_text("mine")
    assert not is_articast_folder(out)

    (out / "notes.txt").unlink()
    article = tmp_path / "a.md"
    article.write_text(ARTICLE)
    r = subprocess.run(
        [*CLI, "episode", str(article), "--out", str(out), "--voice", "fake:tone",
         "--no-video", "-q"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (Path(r.stdout.strip()) / "episode.mp3").is_file()
    assert (out / ".gitkeep").read_text() == ""


@pytest.mark.slow
def test_make_episode_on_a_fresh_clone(tmp_path: Path) -> None:
    """The README's first command on a clean checkout, as a new user runs it. The clone uses
    this test run's installed environment (a stamp newer than its pyproject.toml), so only the
    set-up step is skipped; ``.ci/run`` runs the whole ``make episode`` on its own clone."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "articast"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    assert sorted(p.name for p in (clone / "output").iterdir()) == [".gitkeep"]
    stamp = tmp_path / "installed"
    stamp.touch()
    r = subprocess.run(
        ["make", "-s", "episode", f"BIN={Path(sys.executable).parent}", f"STAMP={stamp}"],
        cwd=clone, env=_env(), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    folder = Path(r.stdout.strip().splitlines()[-1])
    assert folder.parent == clone / "output"
    manifest = json.loads((folder / "episode.json").read_text())
    assert manifest["voice"] == "piper:en_US-joe-medium"
    for name in ("episode.mp3", "episode.mp4", "captions.vtt", "chapters.json", "index.html"):
        assert (folder / name).stat().st_size > 0, name
    assert (clone / "output" / "feed.xml").is_file()
    check_stream(folder / "episode.mp4", 10)  # the sample at 1920x1080: H.264's rules kept


@pytest.mark.slow
def test_two_cold_builds_in_separate_processes_are_identical(tmp_path: Path) -> None:
    article = tmp_path / "lighthouses.md"
    article.write_text(ARTICLE)
    config = tmp_path / "articast.toml"
    config.write_text("[video]\nwidth = 640\nheight = 360\n")
    folders = []
    for name in ("first", "second"):
        r = subprocess.run(
            [*CLI, "--config", str(config), "episode", str(article), "--out",
             str(tmp_path / name), "-q"],
            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        folders.append(Path(r.stdout.strip()))
    a, b = folders
    ma, mb = (json.loads((f / "episode.json").read_text()) for f in folders)
    assert ma["voice"] == "piper:en_US-joe-medium"
    assert ma["speech"]["synthesized"] > 0 and mb["speech"]["synthesized"] > 0  # both cold
    assert pcm_hash(a / "episode.mp3") == pcm_hash(b / "episode.mp3")
    assert pcm_hash(a / "episode.mp4") == pcm_hash(b / "episode.mp4")
    for key in ("duration", "chapters", "sentences", "sections"):
        assert ma[key] == mb[key], key
    for name in ("chapters.json", "captions.vtt", "captions.srt", "script.md", "cover.jpg",
                 "thumbnail.png", "description.txt", "episode.mp4"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
