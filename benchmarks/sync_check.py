"""Caption sync against an independent alignment: ``python benchmarks/sync_check.py [ARTICLE]``.

Builds the episode (espeak, offline, no video) and aligns each sentence's words to the
*encoded* episode.mp3 with pocketsphinx, independently of the voice's own word events; then
compares every caption that starts a sentence with the aligned time of its first word (and
how long after its last word a sentence's last caption leaves). Prints the median, p90 and max
offsets in milliseconds. Not a test: it prints figures.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "sleep-and-memory.txt"


def _vtt(path: Path) -> list[tuple[float, float, str]]:
    def secs(x: str) -> float:
        h, m, s = x.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    cues = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        m = re.search(r"(\S+) --> (\S+)\n(.*)", block, re.S)
        if m:
            cues.append((secs(m.group(1)), secs(m.group(2)), " ".join(m.group(3).split())))
    return cues


def main(article: Path) -> dict[str, object]:
    """Build ``article`` and measure its captions against the aligned audio."""
    from articast.config import load_settings
    from articast.media import run_ffmpeg
    from articast.pipeline import build_episode
    from articast.voices.align import align_words

    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(use_files=False).with_offline(True)
        s = dataclasses.replace(
            s, out_dir=Path(tmp) / "out", video=dataclasses.replace(s.video, enabled=False)
        )
        result = build_episode(article, s, update_feed=False)
        folder = result.folder
        raw = Path(tmp) / "episode.s16"
        run_ffmpeg(["-i", str(folder / "episode.mp3"), "-ac", "1", "-ar", "16000", "-f", "s16le",
                    str(raw)], what="decode")  # fmt: skip
        pcm = np.frombuffer(raw.read_bytes(), dtype="<i2")
        cues = _vtt(folder / "captions.vtt")
        offsets: list[float] = []
        late: list[float] = []
        for sent in result.manifest["sentences"]:
            a = max(0.0, sent["start"] - 0.25)
            b = sent["end"] + 0.25
            piece = pcm[round(a * 16000) : round(b * 16000)].tobytes()
            words = align_words(sent["text"], piece, 16000)
            if not words:
                continue
            spoken = [w for w in words if w.end > w.start]
            first, last = a + spoken[0].start, a + spoken[-1].end
            starts = [c for c in cues if abs(c[0] - sent["start"]) < 0.6]
            ends = [c for c in cues if abs(c[1] - sent["end"]) < 0.6]
            if starts:
                offsets.append(min(starts, key=lambda c: abs(c[0] - first))[0] - first)
            if ends:
                late.append(min(ends, key=lambda c: abs(c[1] - last))[1] - last)
        err = np.abs(np.array(offsets)) * 1000
        return {
            "article": article.name,
            "starts": len(offsets),
            "start_median_ms": round(float(np.median(err)), 1),
            "start_p90_ms": round(float(np.percentile(err, 90)), 1),
            "start_max_ms": round(float(err.max()), 1),
            "end_after_speech_p90_ms": round(float(np.percentile(np.array(late) * 1000, 90)), 1),
        }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE), indent=2))
