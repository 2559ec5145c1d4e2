"""Captions benchmark: how close cue starts are to the words they show, by an independent clock.

Each article is narrated and spoken with espeak and with piper (whose engines report word times,
the ones the captions use), then every sentence's audio is force-aligned to its spoken text with pocketsphinx
(``voices.align.align_words``), an independent timing of the same words. Both timings are laid on
the episode's timeline by ``audio.assemble``; for every cue, the start is compared with the
aligned start of the cue's first shown word (the first spoken word of its display token).
Reports the median, p90 and largest gap, how many cues break a readability rule, and whether the
captions show the author's words. Figures only, no asserts.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [
    ROOT / "tests" / "fixtures" / "captions" / "sleep-figures.md",
    ROOT / "assets" / "sample" / "sleep-and-memory.txt",
    Path(
        os.environ.get("ARTICAST_SEED")
        or ROOT.parent / "shared" / "seeds" / "000_b63b767e2abb3905.txt"
    ),
]


def measure(article_path: Path, voice: str = "espeak:en-us") -> dict[str, Any]:
    """Cue-start gaps (seconds) against forced alignment, and readability, for one article."""
    import numpy as np

    from articast.audio import assemble
    from articast.captions import cue_problems, make_cues, shown_words
    from articast.config import load_settings
    from articast.ingest import load_article
    from articast.models import SegmentSpeech
    from articast.narrate import build_script
    from articast.voices import speak
    from articast.voices.align import align_words

    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(use_files=False).with_offline(True)
        s = dataclasses.replace(s, voice=dataclasses.replace(s.voice, voice=voice))
        article = load_article(article_path, s.ingest_settings)
        script = build_script(article, None, s.narrate)
        speech = speak(script, s.voice, Path(tmp))
        aligned_segments = []
        failed = 0
        for seg in speech.segments:
            utts = []
            for u in seg.utterances:
                words = align_words(u.text, u.pcm, u.sample_rate)
                if words is None:
                    failed += 1
                    words = u.words
                utts.append(dataclasses.replace(u, words=words))
            aligned_segments.append(SegmentSpeech(seg.segment, tuple(utts)))
        aligned = dataclasses.replace(speech, segments=tuple(aligned_segments))
        engine_mix = assemble(speech, None, s.audio)
        aligned_mix = assemble(aligned, None, s.audio)
    cues = make_cues(engine_mix.sentences)
    reference = []
    firsts = set()
    for sent in aligned_mix.sentences:
        firsts.add(len(reference))
        reference.extend(shown_words(sent))
    gaps = []
    inner = []  # cues starting inside a sentence (not where its audio starts)
    k = 0
    for cue in cues:
        gap = abs(cue.start - reference[k].start)
        gaps.append(gap)
        if k not in firsts:
            inner.append(gap)
        k += len(cue.words)
    text = " ".join(" ".join(c.lines) for c in cues)
    g = np.array(gaps)
    m = np.array(inner or [0.0])
    return {
        "article": article_path.name,
        "cues": len(cues),
        "sentences_not_aligned": failed,
        "cue_start_gap_ms": {
            "median": round(float(np.median(g)) * 1000, 1),
            "p90": round(float(np.percentile(g, 90)) * 1000, 1),
            "max": round(float(g.max()) * 1000, 1),
        },
        "mid_sentence_cues": len(inner),
        "mid_sentence_gap_ms": {
            "median": round(float(np.median(m)) * 1000, 1),
            "p90": round(float(np.percentile(m, 90)) * 1000, 1),
        },
        "cues_breaking_readability": sum(1 for c in cues if cue_problems(c)),
        "caption_text": text,
    }


VOICES = ("espeak:en-us", "piper:en_US-joe-medium")
"""espeak's word events; piper's timings from its phoneme alignments (when installed)."""


def run() -> dict[str, Any]:
    """Figures for each voice that loads and each article that is present."""
    from articast.config import load_settings
    from articast.errors import ArticastError
    from articast.voices import get_voice

    out: dict[str, Any] = {}
    for voice in VOICES:
        try:
            s = load_settings(use_files=False)
            get_voice(voice, dataclasses.replace(s.voice, voice=voice))
        except ArticastError as exc:
            out[voice] = f"skipped: {exc}"
            continue
        for path in ARTICLES:
            if path.is_file():
                res = measure(path, voice)
                res.pop("caption_text")
                out[f"{voice} {path.name}"] = res
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
