"""Voices benchmark: synthesis real-time factor per backend (``make bench`` runs ``run()``).

Real-time factor (RTF) = wall seconds spent / seconds of audio produced; below 1 is faster
than real time. Each backend speaks the same sentences with a cold speech cache through
``voices.speak`` (so gTTS and piper figures include alignment), and the raw synthesis time is
reported beside it. gTTS runs the real client against the local fake Google server of
``tests/fake_google.py`` (network latency is not measured); piper runs only when a model is
installed in ``models/``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = (
    "Welcome to the show, where we read articles aloud.",
    "Today's piece is about sleep and how it shapes memory.",
    "During deep sleep, slow waves sweep across the cortex about once a second.",
    "Spindles, short bursts of faster activity, ride on top of those waves.",
    "When the two line up, memories from the day seem to move into long-term storage.",
    "Researchers tested this by playing quiet sounds at just the right moment.",
    "People remembered more of what they had learned the evening before.",
    "Thanks for listening, and sleep well.",
)


def _measure(spec: str, **voice_kw: Any) -> dict[str, Any]:
    from articast.config import VoiceSettings
    from articast.models import Script, Segment
    from articast.voices import SynthParams, get_voice, speak

    settings = VoiceSettings(voice=spec, **voice_kw)
    voice = get_voice(spec, settings)
    t0 = time.perf_counter()
    raw_audio = 0.0
    for text in SENTENCES:
        res = voice.synthesize(text, SynthParams())
        raw_audio += len(res.pcm) / 2 / res.sample_rate
    raw_wall = time.perf_counter() - t0
    script = Script("bench", (Segment("section", "Bench", SENTENCES),))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        speech = speak(script, settings, Path(tmp))
        wall = time.perf_counter() - t0
    utts = speech.segments[0].utterances
    audio = sum(u.duration for u in utts)
    return {
        "sentences": len(SENTENCES),
        "audio_s": round(audio, 2),
        "synth_wall_s": round(raw_wall, 3),
        "synth_rtf": round(raw_wall / raw_audio, 4) if raw_audio else None,
        "speak_wall_s": round(wall, 3),
        "speak_rtf": round(wall / audio, 4) if audio else None,
        "timing": sorted({u.timing for u in utts}),
    }


def run() -> dict[str, Any]:
    """RTF per backend: espeak, gTTS (local fake server), fake, and piper when installed."""
    out: dict[str, Any] = {}
    out["espeak:en-us"] = _measure("espeak:en-us")
    out["espeak:en-us+f3"] = _measure("espeak:en-us+f3")
    out["fake:tone"] = _measure("fake:tone")
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from fake_google import FakeGoogle

        with FakeGoogle() as server:
            out["gtts:en (local fake server)"] = _measure("gtts:en", gtts_url=server.url)
    except ImportError as exc:
        out["gtts:en (local fake server)"] = {"skipped": f"tests/fake_google.py missing: {exc}"}
    finally:
        sys.path.remove(str(ROOT / "tests"))
    models = ROOT / "models"
    onnx = sorted(models.glob("*.onnx")) if models.is_dir() else []
    if onnx:
        try:
            out[f"piper:{onnx[0].stem}"] = _measure(f"piper:{onnx[0].stem}", models_dir=models)
        except Exception as exc:  # a benchmark reports, it does not fail the run
            out[f"piper:{onnx[0].stem}"] = {"skipped": str(exc)}
    else:
        out["piper"] = {"skipped": "no model in models/ (articast voices --install piper:NAME)"}
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
