"""The studio: what a producer waits for, with the default neural voice, on the sample.

    python benchmarks/bench_studio.py            # or: make bench BENCH=studio

A new episode (script written, then its first build through the studio's queue), the episode
page's data (polled by every open tab, in the library and over HTTP), a listen to an edited
sentence (voiced, then again from the listening cache), and the rebuild after that edit.
"""

from __future__ import annotations

import dataclasses
import shutil
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "brain-rhythms.html"


def _median_ms(fn: Any, n: int = 15) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 1)


def run() -> dict[str, Any]:
    from articast.config import load_settings
    from articast.studio import Studio
    from articast.studio.web import serving

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inbox = root / "articles"
        inbox.mkdir()
        for f in SAMPLE.parent.iterdir():
            shutil.copy(f, inbox / f.name)
        s = load_settings(use_files=False).with_offline(True)
        s = dataclasses.replace(s, out_dir=root / "out", cache_dir=root / "cache")
        studio = Studio(s, inputs=[inbox])
        t0 = time.perf_counter()
        card = studio.create(SAMPLE.name)
        figures["create_s"] = round(time.perf_counter() - t0, 3)
        first = studio.jobs.wait(studio.jobs.of(card.slug)[-1].id)
        assert first.started_at and first.finished_at
        figures["first_build_s"] = round(first.finished_at - first.started_at, 2)
        figures["voice"] = studio.view(card.slug).card.voice
        figures["view_ms"] = _median_ms(lambda: studio.view(card.slug))
        with serving(studio) as server:
            url = f"{server.origin}/api/episodes/{card.slug}"
            figures["view_http_ms"] = _median_ms(lambda: urllib.request.urlopen(url).read())
            view = studio.view(card.slug)
            old = view.parts[1].sentences[1].line
            line = old.replace("waves", "waves{wayvz}", 1) + " Really."
            t0 = time.perf_counter()
            said = studio.say(card.slug, line)
            figures["listen_new_s"] = round(time.perf_counter() - t0, 3)
            figures["listen_new_synthesized"] = said.synthesized
            figures["listen_seconds_of_speech"] = said.seconds
            figures["listen_again_ms"] = _median_ms(lambda: studio.say(card.slug, line), 5)
            t0 = time.perf_counter()
            studio.edit(card.slug, 1, 1, line, old=old)
            figures["save_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            job = studio.jobs.wait(studio.build(card.slug).id)
            assert job.started_at and job.finished_at
            figures["rebuild_s"] = round(job.finished_at - job.started_at, 2)
            figures["rebuild_synthesized"] = job.synthesized
            figures["rebuild_over_first"] = round(
                figures["rebuild_s"] / figures["first_build_s"], 3
            )
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
