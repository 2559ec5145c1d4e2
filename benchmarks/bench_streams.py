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
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "brain-rhythms.html"
SEED = ROOT.parent / "shared" / "seeds" / "000_b63b767e2abb3905.txt"
sys.path.insert(0, str(ROOT / "tests"))

from stream_checks import annexb, declared, detailed_article, frame_sizes, idr_ids  # noqa: E402


def check(mp4: Path, fps: int = 10) -> dict[str, Any]:
    """The figures above for one MP4 (read back with ``tests/stream_checks``)."""
    from articast.video._vbv import levels, window_ratio

    raw = annexb(mp4)
    sizes = frame_sizes(raw)
    rate, size = declared(raw)
    out: dict[str, Any] = {"frames": len(sizes), "declared_vbv": [rate, size]}
    out["vbv_window_ratio"] = round(window_ratio(sizes, fps), 3)
    out["vbv_underflows"] = sum(
        1 for level, bytes_ in zip(levels(sizes, fps), sizes, strict=True) if 8 * bytes_ > level
    )
    pictures = idr_ids(raw)
    out["idr_same_id"] = sum(
        1 for a, b in itertools.pairwise(pictures) if a[0] and b[0] and a[1] & b[1]
    )
    out["idr_mixed_ids"] = sum(1 for idr, ids in pictures if idr and len(ids) > 1)
    return out


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        articles = {"sample": SAMPLE, "detailed": detailed_article(root / "detailed")}
        if SEED.is_file():
            articles["user_article"] = SEED
        for name, article in articles.items():
            out = root / f"{name}-episode"
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
