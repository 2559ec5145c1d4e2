"""`make readme-images`: the pictures the README shows, made from the bundled sample.

Builds ``assets/sample/brain-rhythms.html`` the way ``make episode`` does (default voice, into a
temporary folder), then writes under ``assets/readme/``:

* ``video-frame.jpg``: a frame of the video, halfway through the second section;
* ``episode-page.png``: the episode page in headless Chromium (Debian's ``chromium``, as the
  browser tests use; ``make browser`` installs it as root);
* ``style-dark.jpg``, ``style-paper.jpg``, ``style-whiteboard.jpg``: the scraped sample
  (``sleep-and-memory.txt``, whose only picture is missing) late in a section, in each style;
* ``clip.jpg``: the sample's strongest vertical clip (``articast clips``), a frame while it
  speaks beside its end card;
* ``studio-library.png``, ``studio-episode.png``, ``studio-edit.png``: ``articast studio``
  over that output folder: its library, the top of the episode page, and a section with a
  sentence's pronunciation edited and listened to.

Not a test and not a benchmark: run it when the look of the video or the page changes.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "brain-rhythms.html"
SCRAPED = ROOT / "assets" / "sample" / "sleep-and-memory.txt"
DEST = ROOT / "assets" / "readme"
CHROMIUM = Path("/usr/bin/chromium")
CHROME_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def build(out: Path, article: Path = SAMPLE, style: str = "dark") -> Path:
    """The episode folder of ``article``, built with the default settings, offline."""
    from articast.config import load_settings
    from articast.pipeline import build_episode

    settings = load_settings(use_files=False).with_offline(True)
    settings = dataclasses.replace(
        settings, out_dir=out, video=dataclasses.replace(settings.video, style=style)
    )
    return Path(build_episode(article, settings).folder)


def section_frame(folder: Path, dest: Path, section: int = 2, at: float = 0.8) -> None:
    """A frame ``at`` (fraction) of the way through section ``section``, 960 pixels wide."""
    from articast.media import ffmpeg_exe

    chapters = json.loads((folder / "chapters.json").read_text())["chapters"]
    start, end = chapters[section]["startTime"], chapters[section + 1]["startTime"]
    t = start + (end - start) * at
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{t:.2f}", "-i", str(folder / "episode.mp4"),
         "-frames:v", "1", "-vf", "scale=960:-2", "-q:v", "3", str(dest)],
        check=True,
    )  # fmt: skip


def frame(folder: Path, dest: Path) -> None:
    """A frame halfway through the second chapter, 960 pixels wide."""
    from articast.media import ffmpeg_exe

    chapters = json.loads((folder / "chapters.json").read_text())["chapters"]
    at = (chapters[1]["startTime"] + chapters[2]["startTime"]) / 2
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{at:.2f}", "-i", str(folder / "episode.mp4"),
         "-frames:v", "1", "-vf", "scale=960:-2", "-q:v", "3", str(dest)],
        check=True,
    )  # fmt: skip


def clip(folder: Path, dest: Path) -> None:
    """The strongest clip's frame 6 s in beside its end card, 540 pixels wide each."""
    from PIL import Image

    from articast.clips import ClipRequest, make_clips
    from articast.config import load_settings
    from articast.media import ffmpeg_exe

    settings = load_settings(use_files=False).with_offline(True)
    settings = dataclasses.replace(settings, out_dir=folder.parent)
    made = make_clips(folder, settings, ClipRequest(count=1)).clips[0]
    shots = []
    for i, t in enumerate((6.0, made.duration - 0.4)):
        png = dest.with_name(f".clip-{i}.png")
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{t:.2f}", "-i", str(folder / made.file),
             "-frames:v", "1", "-vf", "scale=540:-2", str(png)],
            check=True,
        )  # fmt: skip
        shots.append(Image.open(png).convert("RGB"))
        png.unlink()
    both = Image.new("RGB", (sum(s.width for s in shots) + 20, shots[0].height), (255, 255, 255))
    both.paste(shots[0], (0, 0))
    both.paste(shots[1], (shots[0].width + 20, 0))
    both.save(dest, quality=85)


def page(folder: Path, dest: Path, profile: Path) -> None:
    """The episode page at 1280x900, as a visitor first sees it."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        sys.exit("make readme-images: Chromium is missing; run 'make browser' as root")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROME_ARGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        try:
            p = ctx.new_page()
            p.goto((folder / "index.html").as_uri())
            p.wait_for_load_state("load")
            p.screenshot(path=str(dest))
        finally:
            ctx.close()


def studio(folder: Path, library: Path, episode: Path, edit: Path) -> None:
    """The studio over ``folder``'s output folder, at 1280x900: the library, the episode
    page, and its first section with one sentence edited and listened to."""
    from playwright.sync_api import expect, sync_playwright

    from articast.config import load_settings
    from articast.studio import Studio
    from articast.studio.web import serving

    settings = load_settings(use_files=False).with_offline(True)
    settings = dataclasses.replace(settings, out_dir=folder.parent)
    with serving(Studio(settings, inputs=[SAMPLE.parent])) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROME_ARGS)
        try:
            p = browser.new_page(viewport={"width": 1280, "height": 900})
            p.goto(server.url)
            p.wait_for_selector("#episodes tbody tr td a")
            p.screenshot(path=str(library))
            p.goto(server.url.replace("/?", f"/episode/{folder.name}?"))
            p.wait_for_selector("#player")
            for _ in range(100):  # (wait_for_function would eval, which the studio's CSP forbids)
                if p.evaluate("document.getElementById('player').readyState") >= 1:
                    break
                p.wait_for_timeout(100)
            p.screenshot(path=str(episode))
            row = p.locator("#part-1 .sentence").nth(1)
            box = row.locator("textarea.line")
            box.fill(box.input_value().replace("waves", "waves{wayvz}", 1))
            row.locator("button.play").click()
            expect(row.locator(".msg")).to_contain_text("s (", timeout=60_000)
            p.locator("#part-1").screenshot(path=str(edit))
        finally:
            browser.close()


def main() -> None:
    """Write the README's pictures under ``assets/readme/``."""
    DEST.mkdir(parents=True, exist_ok=True)
    names = ["video-frame.jpg", "episode-page.png", "clip.jpg", "studio-library.png",
             "studio-episode.png", "studio-edit.png"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp) / "output")
        frame(folder, DEST / "video-frame.jpg")
        clip(folder, DEST / "clip.jpg")
        page(folder, DEST / "episode-page.png", Path(tmp) / "profile")
        studio(
            folder, DEST / "studio-library.png", DEST / "studio-episode.png",
            DEST / "studio-edit.png",
        )  # fmt: skip
        for style in ("dark", "paper", "whiteboard"):
            # The same output folder: the voice comes from the cache, only pictures change.
            scraped = build(Path(tmp) / "styles", SCRAPED, style)
            section_frame(scraped, DEST / f"style-{style}.jpg")
            names.append(f"style-{style}.jpg")
    for name in names:
        print(DEST / name)


if __name__ == "__main__":
    main()
