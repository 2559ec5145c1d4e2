"""Clips: three 45-second vertical clips of a 10-minute episode (the issue's figure: at most
0.5x their total length on two cores), then the same again from the cache.

    python benchmarks/bench_clips.py            # or: make bench BENCH=clips

The episode is the synthetic long article at 1,500 words (espeak, no video: only the MP3 and
the manifest matter to the clips); the user's article too when ``../shared`` is there.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_b63b767e2abb3905.txt"
sys.path.insert(0, str(ROOT / "benchmarks"))


def _settings(root: Path) -> Any:
    from articast.config import load_settings

    s = load_settings(use_files=False).with_offline(True)
    return dataclasses.replace(
        s,
        out_dir=root / "out",
        cache_dir=root / "cache",
        voice=dataclasses.replace(s.voice, voice="espeak:en-us"),
        video=dataclasses.replace(s.video, enabled=False),
    )


def measure(article: Path, root: Path, count: int = 3, length: float = 45.0) -> dict[str, Any]:
    from articast.clips import ClipRequest, make_clips
    from articast.pipeline import build_episode

    s = _settings(root)
    folder = build_episode(article, s).folder
    request = ClipRequest(count=count, length=length)
    t0 = time.perf_counter()
    cold = make_clips(folder, s, request)
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = make_clips(folder, s, request)
    warm_s = time.perf_counter() - t0
    total = sum(c.duration for c in cold.clips)
    return {
        "episode_s": read_duration(folder),
        "clips": [
            {"file": c.file, "seconds": c.duration, "score": c.score, "chapter": c.chapter}
            for c in cold.clips
        ],
        "clips_total_s": round(total, 2),
        "cold_s": round(cold_s, 2),
        "cold_ratio": round(cold_s / total, 3) if total else None,
        "warm_s": round(warm_s, 3),
        "warm_rendered": warm.rendered,
    }


def read_duration(folder: Path) -> float:
    from articast.episodes import read_manifest

    ep = read_manifest(folder)
    return ep.duration if ep is not None else 0.0


def run() -> dict[str, Any]:
    from long_article import article

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        long_md = root / "ten-minutes.md"
        long_md.write_text(article(1500))
        figures["ten_minutes"] = measure(long_md, root / "long")
        if SEED.is_file():
            figures["user_article"] = measure(SEED, root / "seed")
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
