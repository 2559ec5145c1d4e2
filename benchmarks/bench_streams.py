"""Streams benchmark: does each built MP4 keep the H.264 rules it declares?

For the sample, the user's article (``../shared/seeds``, when present) and a generated article
whose pictures are full of detail (a noise image and a moire pattern), built with espeak:

* ``idr_same_id``: consecutive IDR pictures sharing ``idr_pic_id`` (H.264 7.4.3 forbids it);
  ``idr_mixed_ids``: IDR pictures whose slices carry different ids (read with ffmpeg's
  ``trace_headers``);
* ``vbv_window_ratio``: the most bits in any 2-second window over ``2 * maxrate + bufsize``
  of the VBV x264 declares in its SEI (over 1: the stream breaks what it declares);
  ``vbv_underflows``: frames that a buffer of ``bufsize`` filled at ``maxrate`` (starting 90%
  full, as x264 does) could not deliver in time.

``make bench BENCH=streams`` runs it; ``benchmarks/run.py`` imports ``run``. It measures, it
asserts nothing (``tests/test_video_streams.py`` holds the rules).
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "brain-rhythms.html"
SEED = ROOT.parent / "shared" / "seeds" / "000_b63b767e2abb3905.txt"
_AUD = b"\x00\x00\x01\x09"


def _detailed_article(folder: Path) -> Path:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)).save(
        folder / "noise.png"
    )
    x, y = np.linspace(0, 60, 1920), np.linspace(0, 40, 1080)
    wave = (127 + 127 * np.sin(x[None, :] * y[:, None] / 3)).astype(np.uint8)
    Image.fromarray(np.stack([wave, wave[::-1], wave[:, ::-1]], -1)).save(folder / "moire.png")
    body = (
        "The archive holds pictures with a great deal of detail, and each one costs many bits. "
        "The encoder must keep within its budget even when a picture stays on screen for many "
        "seconds, so that no viewer sees the stream stall on one heavy frame. "
    )
    article = folder / "detailed.md"
    article.write_text(
        "# Detailed Pictures Everywhere\n\n## Noise in the archive\n\n![Random noise](noise.png)\n\n"
        f"{body * 2}\n\n## Moire patterns\n\n![A moire pattern](moire.png)\n\n{body * 2}\n",
        encoding="utf-8",
    )
    return article


def check(mp4: Path) -> dict[str, Any]:
    """The figures above for one MP4."""
    from articast.media import ffmpeg_exe

    ff = ffmpeg_exe()
    raw = subprocess.run(
        [ff, "-v", "error", "-i", str(mp4), "-map", "0:v", "-c", "copy",
         "-bsf:v", "h264_mp4toannexb", "-f", "h264", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    starts = [m.start() for m in re.finditer(re.escape(_AUD), raw)]
    sizes = [b - a for a, b in zip(starts, [*starts[1:], len(raw)], strict=True)]
    info = subprocess.run([ff, "-hide_banner", "-i", str(mp4)], capture_output=True, text=True)
    found = re.search(r"(\d+(?:\.\d+)?) fps", info.stderr)
    fps = float(found.group(1)) if found else 10.0
    declared = re.search(rb"vbv_maxrate=(\d+) vbv_bufsize=(\d+)", raw)
    out: dict[str, Any] = {"frames": len(sizes), "fps": fps}
    if declared:
        rate, size = int(declared.group(1)) * 1000, int(declared.group(2)) * 1000
        span = round(2 * fps)
        worst = max(sum(sizes[i : i + span]) for i in range(max(1, len(sizes) - span + 1))) * 8
        out["vbv_window_ratio"] = round(worst / (2 * rate + size), 3)
        level, under = 0.9 * size, 0
        for bits in (8 * s for s in sizes):
            level = min(size, level + rate / fps)
            if bits > level:
                under += 1
            level = max(0.0, level - bits)
        out["vbv_underflows"] = under
    trace = subprocess.run(
        [ff, "-v", "trace", "-i", str(mp4), "-map", "0:v", "-c", "copy",
         "-bsf:v", "trace_headers", "-f", "null", "-"],
        capture_output=True, text=True,
    ).stderr  # fmt: skip
    pictures: list[tuple[bool, set[int]]] = []
    for line in trace.splitlines():
        if "trace_headers" not in line:
            continue
        if kind := re.search(r"nal_unit_type\s+\S+\s*=\s*(\d+)", line):
            if kind.group(1) == "9":
                pictures.append((False, set()))
            elif kind.group(1) == "5" and pictures:
                pictures[-1] = (True, pictures[-1][1])
        elif (ident := re.search(r"\bidr_pic_id\s+\S+\s*=\s*(\d+)", line)) and pictures:
            pictures[-1][1].add(int(ident.group(1)))
    out["idr_same_id"] = sum(
        1 for a, b in itertools.pairwise(pictures) if a[0] and b[0] and a[1] & b[1]
    )
    out["idr_mixed_ids"] = sum(1 for idr, ids in pictures if idr and len(ids) > 1)
    return out


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        articles = {"sample": SAMPLE, "detailed": _detailed_article(root)}
        if SEED.is_file():
            articles["user_article"] = SEED
        for name, article in articles.items():
            out = root / name
            subprocess.run(
                [sys.executable, "-m", "articast.cli", "episode", str(article), "--out", str(out),
                 "--voice", "espeak:en-us", "-q"],
                check=True, capture_output=True,
            )  # fmt: skip
            figures[name] = check(next(out.glob("*/episode.mp4")))
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
