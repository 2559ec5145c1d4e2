"""espeak-ng backend: real speech through libespeak-ng, word timings from engine events."""

from __future__ import annotations

import numpy as np
import pytest

from articast.errors import InputError
from articast.voices.base import SynthParams, Voice
from articast.voices.espeak import EspeakVoice, list_espeak_voices, map_word_events
from articast.voices.registry import get_voice

TEXT = "The YouTube talk, in 2026, was about how sleep helps memory."


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2")


def test_default_voice_speaks_with_word_timings() -> None:
    voice = get_voice("espeak:en-us")
    assert isinstance(voice, Voice)
    res = voice.synthesize(TEXT, SynthParams())
    s = _samples(res.pcm)
    assert res.sample_rate == 22050
    assert 2.0 < len(s) / res.sample_rate < 8.0
    assert np.abs(s).max() > 5000
    assert float(np.sqrt(np.mean(s.astype(np.float64) ** 2))) > 300
    assert [w.text for w in res.words] == TEXT.split()
    starts = [w.start for w in res.words]
    assert starts == sorted(starts)
    assert all(w.end >= w.start for w in res.words)
    assert res.words[-1].end <= len(s) / res.sample_rate + 1e-3
    # The words cover most of the audio, and the last one ends near the end of speech.
    assert res.words[-1].end > 0.8 * len(s) / res.sample_rate


def test_variant_changes_the_audio() -> None:
    a = EspeakVoice("en-us").synthesize(TEXT, SynthParams())
    b = EspeakVoice("en-us+f3").synthesize(TEXT, SynthParams())
    assert a.pcm != b.pcm
    assert len(b.words) == len(TEXT.split())
    assert EspeakVoice("en-us+f3").info.spec == "espeak:en-us+f3"


def test_rate_and_pitch_are_set_on_every_call() -> None:
    v = EspeakVoice("en-us")
    normal = v.synthesize(TEXT, SynthParams())
    fast = v.synthesize(TEXT, SynthParams(rate=300))
    again = v.synthesize(TEXT, SynthParams())
    assert len(fast.pcm) < 0.75 * len(normal.pcm)
    # espeak is not bit-exact between calls; the rate must have been reset, though.
    assert abs(len(again.pcm) - len(normal.pcm)) < 0.05 * len(normal.pcm)


def test_unknown_variant_and_voice_are_input_errors() -> None:
    with pytest.raises(InputError, match="variant 'nosuch'"):
        EspeakVoice("en-us+nosuch")
    with pytest.raises(InputError, match="unknown espeak voice"):
        EspeakVoice("xx-nowhere")


def test_en_gb_resolves_by_language() -> None:
    res = EspeakVoice("en-gb").synthesize("Hello there.", SynthParams())
    assert np.abs(_samples(res.pcm)).max() > 5000


def test_lists_many_offline_english_voices() -> None:
    voices = list_espeak_voices()
    specs = {v.spec for v in voices}
    assert {"espeak:en-us", "espeak:en-us+f3", "espeak:en-gb-x-rp", "espeak:en-029"} <= specs
    assert len([v for v in voices if v.available and not v.needs_network]) >= 8


def test_event_mapping_fills_merged_words() -> None:
    pcm = (np.ones(22050, dtype="<i2") * 1000).tobytes()
    # Events only for the 1st and 3rd word (espeak merges short words into the next).
    words = map_word_events("a big cat", [(1, 1, 0), (7, 3, 600)], pcm, 22050)
    assert [w.text for w in words] == ["a", "big", "cat"]
    assert words[0].start == 0.0
    assert 0.0 < words[1].start < 0.6
    assert words[2].start == 0.6


def test_threads_are_serialised() -> None:
    import threading

    results: dict[int, tuple[int, int]] = {}

    def work(i: int) -> None:
        voice = EspeakVoice("en-gb" if i % 2 else "en-us+f3")
        res = voice.synthesize(f"Sentence number {i} is spoken here.", SynthParams(rate=150 + i))
        results[i] = (len(res.pcm), len(res.words))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(6))
    assert all(n > 20000 and words == 6 for n, words in results.values())


@pytest.mark.parametrize(
    ("text", "engine"),
    [
        ("N M D A receptor", "N.M.D.A receptor"),
        ("In A D H D, the", "In A.D.H.D, the"),
        ("C B T-I works", "C.B.T-I works"),
        ("Plan A is fine", "Plan A is fine"),
    ],
)
def test_spelled_initialisms_name_every_letter(text: str, engine: str) -> None:
    from articast.voices.espeak import engine_text, text_to_phonemes

    assert engine_text(text) == engine
    assert len(engine_text(text)) == len(text)  # WORD event offsets stay valid
    if "A" in text.split()[:-1] and engine != text:
        # espeak reads a lone "A" as the article "uh"; in the dotted run it names the letter
        assert "eɪ" in text_to_phonemes(engine_text(text))
