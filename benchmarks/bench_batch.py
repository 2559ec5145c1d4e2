"""Batch throughput: episodes per minute with ``--jobs 1`` and ``--jobs 2``, and the unchanged rerun.

Each run starts cold (its own output and cache folders) on the same inbox of small articles,
with the default offline settings (espeak voice, full-size video). Figures only, no asserts.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path

ARTICLES = 4
TOPICS = (
    ("Lighthouses Before Electricity", "keepers trimmed the wicks every few hours"),
    ("How Bees Choose a New Home", "scouts dance to report on each hollow tree"),
    ("The Quiet Science of Glaciers", "ice flows downhill like a very slow river"),
    ("Why Old Bridges Hum", "wind and traffic set long spans swaying gently"),
    ("Salt Roads of the Middle Ages", "merchants carried salt inland on mule trains"),
    ("Listening to Coral Reefs", "healthy reefs crackle with the sound of shrimp"),
)


def _write_inbox(inbox: Path, n: int) -> None:
    inbox.mkdir(parents=True)
    for i in range(n):
        title, fact = TOPICS[i % len(TOPICS)]
        if i >= len(TOPICS):
            title = f"{title}, Part {i // len(TOPICS) + 1}"
        body = " ".join(
            f"In chapter {k} we look again at how {fact}. It is a small story with a long past."
            for k in range(1, 3)
        )
        (inbox / f"article-{i + 1}.md").write_text(
            f"# {title}\n\n{body}\n\n## What Comes Next\n\n{body}\n", encoding="utf-8"
        )


def run() -> dict[str, object]:
    """Build the same inbox with jobs 1 and jobs 2 (cold), then rerun it unchanged."""
    from articast.batch import run_batch
    from articast.config import DEFAULT_VOICE, load_settings

    base = load_settings(use_files=False).with_offline(True)
    figures: dict[str, object] = {
        "articles": ARTICLES,
        "voice": base.voice.voice or DEFAULT_VOICE,
        "video": f"{base.video.width}x{base.video.height}" if base.video.enabled else "off",
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        _write_inbox(inbox, ARTICLES)
        for jobs in (1, 2):
            out = Path(tmp) / f"out-{jobs}"
            s = dataclasses.replace(base, out_dir=out, cache_dir=out / ".cache")
            t0 = time.perf_counter()
            report = run_batch(inbox, s, jobs=jobs)
            wall = time.perf_counter() - t0
            counts = report.counts()
            figures[f"jobs{jobs}_s"] = round(wall, 2)
            figures[f"jobs{jobs}_built"] = counts["built"]
            figures[f"jobs{jobs}_failed"] = counts["failed"]
            figures[f"jobs{jobs}_episodes_per_min"] = round(counts["built"] * 60 / wall, 2)
            if jobs == 1:
                t0 = time.perf_counter()
                again = run_batch(inbox, s, jobs=1)
                rerun = time.perf_counter() - t0
                figures["rerun_unchanged_s"] = round(rerun, 3)
                figures["rerun_built"] = again.counts()["built"]
                figures["rerun_fraction_of_first"] = round(rerun / wall, 4)
    j1 = figures["jobs1_episodes_per_min"]
    j2 = figures["jobs2_episodes_per_min"]
    if isinstance(j1, float) and isinstance(j2, float) and j1 > 0:
        figures["speedup_jobs2"] = round(j2 / j1, 2)
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
