"""Issue 27: a viewer with the sound off can follow the video.

Real builds through the CLI (espeak voices: fast), real frames decoded by ffmpeg and read by
Debian's tesseract OCR (``make test`` installs it). On articles without usable pictures (the
scraped sample, whose only image is missing, and a German article), a frame taken anywhere
after the first third of a section of 10 s or more shows at least four words of that
section's own text besides its title and the caption on screen.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import webvtt
from PIL import Image

from articast.config import VideoSettings
from articast.media import ffmpeg_exe
from articast.pictures.overlay import caption_patch, compose_still
from articast.pictures.style import STYLES, get_style

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "articast.cli"]
GERMAN = Path(__file__).parent / "fixtures" / "pictures" / "leuchtfeuer.md"
SCRAPED = ROOT / "assets" / "sample" / "sleep-and-memory.txt"
TESSERACT = shutil.which("tesseract")

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICAST_")}
    env["ARTICAST_OFFLINE"] = "1"
    return env


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600
    )


def grab(mp4: Path, t: float, dest: Path, fps: int = 10) -> Path:
    """The frame on screen at ``t`` (ffmpeg's ``-ss`` gives the first frame that starts at or
    after it: seek to the start of the frame showing then)."""
    t = math.floor(t * fps + 1e-6) / fps
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{t:.3f}", "-i", str(mp4), "-frames:v", "1",
         str(dest)],
        check=True,
    )  # fmt: skip
    return dest


def ocr_words(png: Path, language: str) -> set[str]:
    if TESSERACT is None:
        pytest.fail("tesseract is missing: run 'make test' as root, or apt-get install "
                    "tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu", pytrace=False)  # fmt: skip
    out = subprocess.run(
        [TESSERACT, str(png), "-", "-l", language, "--psm", "3"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return words(out)


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}


def build(article: Path, out: Path, *extra: str) -> Path:
    r = cli("episode", str(article), "--out", str(out), "-q", *extra, cwd=out.parent)
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip())


@pytest.mark.parametrize(
    ("article", "voice", "ocr_language"),
    [(SCRAPED, "espeak:en-us", "eng"), (GERMAN, "espeak:de", "deu")],
    ids=["scraped-english", "german"],
)
def test_frames_show_the_sections_own_words_with_the_sound_off(
    tmp_path: Path, article: Path, voice: str, ocr_language: str
) -> None:
    config = tmp_path / "articast.toml"
    config.write_text("[video]\nwidth = 1280\nheight = 720\n")  # a 720p render: quicker
    r = cli("--config", str(config), "episode", str(article), "--out", str(tmp_path / "out"),
            "-q", "--voice", voice, "--style", "dark", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    folder = Path(r.stdout.strip())
    manifest = json.loads((folder / "episode.json").read_text())
    cues = list(webvtt.read(str(folder / "captions.vtt")))
    checked = 0
    for index, section in enumerate(manifest["sections"]):
        length = section["end"] - section["start"]
        if section["kind"] != "section" or length < 10:
            continue
        own = set().union(*(words(s["text"]) for s in manifest["sentences"]
                            if s["segment"] == index))  # fmt: skip
        assert section["visuals"], section["title"]
        said = " ".join(" ".join(s["text"].split()).lower() for s in manifest["sentences"]
                        if s["segment"] == index)  # fmt: skip
        for beat in section["visuals"]:  # every word shown is the section's own
            for field in ("text", "value"):
                shown_text = " ".join(beat.get(field, "").rstrip("…").split()).lower()
                assert shown_text in said, (beat, said[:200])
        title = words(section["title"])
        for k in range(3):
            t = section["start"] + length * (1 / 3 + (2 / 3) * (k + 0.5) / 3)
            on_screen = ocr_words(grab(folder / "episode.mp4", t, tmp_path / f"f{index}{k}.png"),
                                  ocr_language)  # fmt: skip
            caption = set().union(
                set(), *(words(c.text) for c in cues if c.start_in_seconds - 0.2 <= t <= c.end_in_seconds + 0.2)
            )  # fmt: skip
            shown = (on_screen & own) - title - caption
            assert len(shown) >= 4, (section["title"], round(t, 1), sorted(on_screen))
            checked += 1
    assert checked >= 6  # at least two sections of 10 s or more were looked at


def test_karaoke_highlights_the_word_being_spoken_within_a_frame(tmp_path: Path) -> None:
    from test_video import build as render

    vs = VideoSettings(width=640, height=360, karaoke=True, crossfade=0.0)
    r = render(tmp_path, vs)
    style = get_style(vs.style)
    frame = 1 / vs.fps
    checked = 0
    for cue in r.cues:
        slide = next(s for s in r.slides.slides if s.start <= cue.start < s.end)
        base = Image.open(slide.image).convert("RGB")
        patch, (x0, y0) = caption_patch(base, cue.lines, style=style)
        box = (slice(y0, y0 + patch.height), slice(x0, x0 + patch.width))
        stills = [
            np.asarray(compose_still(base, cue.lines, highlight=j, style=style), dtype=float)[box]
            for j in range(len(cue.words))
        ]
        starts = [w.start for w in cue.words]

        def spoken_at(t: float, starts: list[float] = starts) -> int:
            """The word being spoken at ``t`` (the highlight runs to the next word's start)."""
            return max(j for j, s in enumerate(starts) if s <= t or j == 0)

        for word in cue.words:
            if word.end - word.start < 3 * frame or word.end > slide.end:
                continue
            # Inside the word, one frame after it starts and one before it ends: the highlight
            # is on the word said within one frame of that moment.
            for t in (word.start + frame, (word.start + word.end) / 2, word.end - frame):
                got = np.asarray(
                    Image.open(grab(r.result.mp4, t, tmp_path / "k.png")).convert("RGB"), dtype=float
                )[box]
                errors = [float(np.abs(got - s).mean()) for s in stills]
                shown = int(np.argmin(errors))
                allowed = {spoken_at(t - frame), spoken_at(t), spoken_at(t + frame)}
                assert shown in allowed, (cue.lines, word.text, t, errors)
                assert min(errors) < 0.92 * sorted(errors)[1]  # clearly that picture
                checked += 1
    assert checked >= 6


def test_three_styles_draw_three_looks(tmp_path: Path) -> None:
    from articast.config import ShowConfig
    from articast.pictures.slides import make_slides
    from video_fixtures import fake_episode

    article, script, talk, master = fake_episode(tmp_path / "ep")
    grounds = {}
    keys = set()
    for name in STYLES:
        slides = make_slides(
            article, script, talk, master, ShowConfig(),
            VideoSettings(width=640, height=360, style=name),
            workdir=tmp_path / "work", cache_root=tmp_path / "cache",
        )  # fmt: skip
        section = next(s for s in slides.slides if s.kind == "section")
        with Image.open(section.image) as im:
            grounds[name] = im.convert("RGB").getpixel((2, 300))
        # The video's cache knows a slide by what it shows: another style, another key.
        assert section.key.startswith("png:") and len(section.key) == 68
        keys.add(section.key)
    assert len(set(grounds.values())) == 3 and len(keys) == 3
    assert grounds["dark"][0] < 60 and grounds["paper"][0] > 200 and grounds["whiteboard"][0] > 200


def test_style_and_karaoke_flags(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text("# Paper Test\n\nA short article about paper and ink, in three words.\n")
    out = tmp_path / "out"
    folder = build(article, out, "--voice", "fake:tone", "--style", "whiteboard", "--no-karaoke")
    with Image.open(folder / "thumbnail.png") as im:
        assert im.convert("RGB").getpixel((5, 700)) == STYLES["whiteboard"].background_end or \
            sum(im.convert("RGB").getpixel((5, 700))) > 600  # a white board, not the dark ground
    bad = cli("episode", str(article), "--out", str(tmp_path / "o2"), "--voice", "fake:tone",
              "--style", "neon", cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert "unknown style 'neon'" in bad.stderr and "dark, paper, whiteboard" in bad.stderr
    assert not (tmp_path / "o2").exists() or not any((tmp_path / "o2").iterdir())
