"""Voices benchmark: real-time factors per backend (``make bench`` runs ``run()``).

Real-time factor (RTF) = seconds spent / seconds of speech produced; below 1 is faster than
real time. Figures:

* ``stage_cold``: the voices stage of the ``make episode`` sample
  (``assets/sample/brain-rhythms.html``) for the default voice and for espeak, each in a fresh
  process with an empty speech cache, so model loading counts. Wall RTF, and CPU RTF (user +
  system seconds of that process / speech seconds), which does not depend on how busy the
  machine is; the wall RTF on two free cores is about CPU RTF / 2 for piper. ``rerun``
  speaks the same script again in the same cache: it must synthesise 0 sentences.
* ``piper_sessions``: the same sentences through piper with one ONNX session per core (what
  articast does) against one session with onnxruntime's own intra-op threads.
* ``backends``: short sentences through every backend (gTTS against the local fake Google
  server of ``tests/fake_google.py``; network latency is not measured).

``python benchmarks/bench_voices.py --cold SPEC`` runs one cold stage and prints its figures
(to time whole processes from outside, e.g. with ``/usr/bin/time -v``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "brain-rhythms.html"
DEFAULT = "piper:en_US-joe-medium"
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


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cold_stage(spec: str) -> dict[str, Any]:
    """The voices stage of the sample in this (fresh) process, then a rerun from the cache."""
    from articast.config import VoiceSettings, load_settings
    from articast.ingest import load_article
    from articast.narrate import build_script
    from articast.voices import speak

    s = load_settings(use_files=False).with_offline(True)
    script = build_script(load_article(SAMPLE, s.ingest_settings), None, s.narrate)
    settings = VoiceSettings(voice=spec)
    with tempfile.TemporaryDirectory() as tmp:
        c0, t0 = _cpu(), time.perf_counter()
        speech = speak(script, settings, Path(tmp))
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        t0 = time.perf_counter()
        again = speak(script, settings, Path(tmp))
        rerun = time.perf_counter() - t0
    audio = sum(u.duration for seg in speech.segments for u in seg.utterances)
    return {
        "voice": speech.voice,
        "sentences": speech.synthesized,
        "speech_s": round(audio, 1),
        "wall_s": round(wall, 2),
        "wall_rtf": round(wall / audio, 3),
        "cpu_s": round(cpu, 2),
        "cpu_rtf": round(cpu / audio, 3),
        "timing": sorted({u.timing for seg in speech.segments for u in seg.utterances}),
        "rerun_synthesized": again.synthesized,
        "rerun_s": round(rerun, 3),
    }


def _cold_in_subprocess(spec: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--cold", spec],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    if proc.returncode != 0:
        return {"failed": proc.stderr.strip().splitlines()[-1:] or ["?"]}
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def piper_sessions(repeat: int = 2) -> dict[str, Any]:
    """Two one-thread sessions side by side (articast) against one multi-threaded session."""
    from concurrent.futures import ThreadPoolExecutor

    from piper import PiperVoice as Piper
    from piper import SynthesisConfig

    from articast.config import VoiceSettings
    from articast.voices import SynthParams, get_voice
    from articast.voices.piper import find_voice, workers

    texts = SENTENCES * repeat
    voice = get_voice(DEFAULT, VoiceSettings())
    voice.synthesize(SENTENCES[0], SynthParams())  # load outside the timing
    with ThreadPoolExecutor(workers()) as pool:
        list(pool.map(lambda t: voice.synthesize(t, SynthParams()), texts[: workers()]))
        t0 = time.perf_counter()
        audio = sum(len(r.pcm) / 2 / r.sample_rate
                    for r in pool.map(lambda t: voice.synthesize(t, SynthParams()), texts))
        sessions = time.perf_counter() - t0
    files = find_voice(DEFAULT.removeprefix("piper:"), Path("models"))
    threaded = Piper.load(files.model, config_path=files.config, include_alignments=True)
    list(threaded.synthesize(SENTENCES[0], SynthesisConfig(), include_alignments=True))
    t0 = time.perf_counter()
    for t in texts:
        list(threaded.synthesize(t, SynthesisConfig(), include_alignments=True))
    intra = time.perf_counter() - t0
    return {
        "speech_s": round(audio, 1),
        f"{workers()}_sessions_1_thread_rtf": round(sessions / audio, 3),
        "1_session_intra_op_threads_rtf": round(intra / audio, 3),
        "intra_over_sessions": round(intra / sessions, 2),
    }


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
    """Cold voices stage (default voice and espeak), piper session modes, every backend."""
    out: dict[str, Any] = {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "stage_cold": {spec: _cold_in_subprocess(spec) for spec in (DEFAULT, "espeak:en-us")},
    }
    try:
        out["piper_sessions"] = piper_sessions()
    except Exception as exc:  # a benchmark reports, it does not fail the run
        out["piper_sessions"] = {"skipped": str(exc)}
    backends: dict[str, Any] = {}
    backends[DEFAULT] = _measure(DEFAULT)
    backends["espeak:en-us"] = _measure("espeak:en-us")
    backends["espeak:en-us+f3"] = _measure("espeak:en-us+f3")
    backends["fake:tone"] = _measure("fake:tone")
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from fake_google import FakeGoogle

        with FakeGoogle() as server:
            backends["gtts:en (local fake server)"] = _measure("gtts:en", gtts_url=server.url)
    except ImportError as exc:
        backends["gtts:en (local fake server)"] = {"skipped": f"tests/fake_google.py missing: {exc}"}
    finally:
        sys.path.remove(str(ROOT / "tests"))
    out["backends"] = backends
    return out


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--cold":
        print(json.dumps(cold_stage(sys.argv[2])))
    else:
        print(json.dumps(run(), indent=2))
