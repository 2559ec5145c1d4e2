"""Pictures benchmark: how long the visual plans take, and how a cold build compares with
real time.

* ``plan_5000_words_s``: key points, numbers, quotes, charts and icons chosen for every
  section of a 5,000-word article (``benchmarks/long_article.py``'s generator, plus numbers
  and quotes so every rule runs), after the libraries are loaded; the median of five runs.
  ``first_plan_s`` is the first run of the process (loading YAKE's stop words, the icon
  embeddings and the tokenizer included). The key-phrase cache is emptied before each run.
* ``cold_build_rtf``: ``make episode``'s build (the sample, default voice and settings, an
  empty output folder and cache; the voice model as the machine keeps it prepared after its
  first build) in wall seconds per second of episode; with its per-stage times. The whole
  process, imports included, is what ``farm-bench -- sh -c 'rm -rf /tmp/o && make episode
  OUT=/tmp/o'`` times.

``make bench BENCH=pictures`` runs it; ``benchmarks/run.py`` imports ``run``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "brain-rhythms.html"


def _long_sections(words: int = 5000) -> list[tuple[str, list[Any]]]:
    """Sections of a 5,000-word article as the plan sees them: a heading and timed sentences."""
    from articast.pictures.plan import Spoken

    spec = importlib.util.spec_from_file_location("long_article", ROOT / "benchmarks" / "long_article.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.article(words)
    extra = [
        "In 2019, 40% of farmers sold at the market, while 12% of villages had a bridge.",
        "\u201cThe river decides the harvest every single year,\u201d said Ada Lamp, a farmer.",
        "The valley has 12,000 people and its road was built in 1998.",
    ]
    sections: list[tuple[str, list[Any]]] = []
    for block in re.split(r"^#+ ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        sentences = [s.strip() + "." for s in body.replace("\n", " ").split(".") if s.strip()]
        sentences[1:1] = extra
        timed = [Spoken(s, 4.0 * i, 4.0 * i + 3.7) for i, s in enumerate(sentences)]
        sections.append((heading.strip(), timed))
    return sections


def plan_time() -> dict[str, Any]:
    """Seconds to plan every section of a 5,000-word article (first run, then median of 5)."""
    from articast.pictures.plan import keyphrases, plan_section

    sections = _long_sections()
    words = sum(len(s.text.split()) for _h, ss in sections for s in ss)
    runs = []
    for _ in range(6):
        keyphrases.cache_clear()  # every run finds the key phrases anew
        t0 = time.perf_counter()
        plans = [plan_section(ss, h, "en") for h, ss in sections]
        runs.append(time.perf_counter() - t0)
    beats: dict[str, int] = {}
    for p in plans:
        for b in p.beats:
            beats[b.kind] = beats.get(b.kind, 0) + 1
    return {
        "words": words,
        "sections": len(sections),
        "first_plan_s": round(runs[0], 3),
        "plan_5000_words_s": round(statistics.median(runs[1:]), 3),
        "beats": beats,
    }


def cold_build() -> dict[str, Any]:
    """The sample built as ``make episode`` builds it, from an empty cache."""
    from articast.config import load_settings
    from articast.pipeline import build_episode

    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(use_files=False).with_offline(True)
        s = dataclasses.replace(s, out_dir=Path(tmp) / "out")
        t0 = time.perf_counter()
        result = build_episode(SAMPLE, s)
        wall = time.perf_counter() - t0
        ep = result.episode
        return {
            "episode_s": ep.duration,
            "cold_build_s": round(wall, 2),
            "cold_build_rtf": round(wall / ep.duration, 3),
            "stages_s": dict(ep.stages),
        }


def run() -> dict[str, Any]:
    """Plan time for 5,000 words and the cold build's real-time factor."""
    return {**plan_time(), **cold_build()}


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(ROOT / "src"))
    print(json.dumps(run(), indent=2))
