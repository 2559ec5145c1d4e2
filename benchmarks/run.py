"""`make bench`: per-stage wall times for the sample, then each area's own benchmark.

Benchmarks are not tests: they print figures, they assert nothing. Each area puts a module
``benchmarks/bench_<area>.py`` with a ``run() -> dict`` here; this script runs them all.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "sleep-and-memory.txt"


def stage_times() -> dict[str, object]:
    """Build the sample twice (cold, then warm cache) and report per-stage wall times."""
    from articast.config import load_settings
    from articast.pipeline import build_episode

    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(use_files=False).with_offline(True)
        s = dataclasses.replace(s, out_dir=Path(tmp) / "out")
        t0 = time.perf_counter()
        cold = build_episode(SAMPLE, s)
        cold_total = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = build_episode(SAMPLE, s)
        warm_total = time.perf_counter() - t0
        return {
            "episode_seconds": cold.episode.duration,
            "cold_total_s": round(cold_total, 2),
            "cold_stages_s": dict(cold.episode.stages),
            "warm_total_s": round(warm_total, 2),
            "warm_stages_s": dict(warm.episode.stages),
            "warm_synthesized": warm.episode.speech.synthesized,
        }


EDITS = {
    # A sentence that is one of its section's key points: the points' layout changes, so
    # the section's slides (and their chunks) are drawn and encoded again.
    "key_point": ("Researchers think",
                  "Scientists believe spindles give the hippocampus a window to replay the day."),
    # A sentence that is only spoken: its captions' chunks alone are encoded again.
    "plain": ("Over weeks",
              "Over many weeks, the cortical copy grows strong enough to stand on its own."),
}  # fmt: skip


def edit_rebuild() -> dict[str, object]:
    """Full build from a script.md, then one sentence edited and rebuilt (each of ``EDITS``,
    from the same full build): what it re-renders, and its time over the full build's."""
    from articast.config import load_settings
    from articast.ingest import load_article
    from articast.narrate import build_script, write_script_md
    from articast.pipeline import build_episode

    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(use_files=False).with_offline(True)
        s = dataclasses.replace(s, out_dir=Path(tmp) / "out")
        script = Path(tmp) / "script.md"
        write_script_md(
            build_script(load_article(SAMPLE, s.ingest_settings), None, s.narrate), script
        )
        original = script.read_text()
        t0 = time.perf_counter()
        build_episode(SAMPLE, s, script_path=script)
        full = time.perf_counter() - t0
        out["full_s"] = round(full, 2)
        for name, (prefix, new) in EDITS.items():
            script.write_text(original)
            build_episode(SAMPLE, s, script_path=script)  # back to the full build's state
            lines = original.splitlines()
            i = next(i for i, line in enumerate(lines) if line.startswith(prefix))
            lines[i] = new
            script.write_text("\n".join(lines) + "\n")
            t0 = time.perf_counter()
            again = build_episode(SAMPLE, s, script_path=script)
            rebuild = time.perf_counter() - t0
            out[name] = {
                "rebuild_s": round(rebuild, 2),
                "rebuild_over_full": round(rebuild / full, 3),
                "rebuild_synthesized": again.episode.speech.synthesized,
                "rebuild_rendered_sections": list(again.episode.video.rendered_sections)
                if again.episode.video
                else [],
                "rebuild_stages_s": dict(again.episode.stages),
            }
    return out


def main(only: list[str]) -> int:
    """Run every benchmark (or only the areas named, e.g. ``video``) and print its figures.

    With areas named, the per-stage pipeline times are left out; the edit-and-rebuild run is
    kept, so its ratio sits beside the video figures of the same run.
    """
    results: dict[str, object] = {}
    if not only:
        results["pipeline"] = stage_times()
        print("== pipeline: per-stage wall times for", SAMPLE.name)
        print(json.dumps(results["pipeline"], indent=2))
    results["edit_rebuild"] = edit_rebuild()
    print("== edit one sentence in script.md and rebuild")
    print(json.dumps(results["edit_rebuild"], indent=2))
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        if only and path.stem.removeprefix("bench_") not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}")
        t0 = time.perf_counter()
        figures = module.run()
        figures["bench_wall_s"] = round(time.perf_counter() - t0, 2)
        results[path.stem] = figures
        print(json.dumps(figures, indent=2, default=str))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
