"""gTTS backend: the real gTTS client against a local fake of Google's endpoint (127.0.0.1)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pytest

from articast.config import VoiceSettings
from articast.errors import BackendUnavailable, InputError
from articast.models import Script, Segment
from articast.voices import speak
from articast.voices.base import SynthParams
from articast.voices.google import GttsVoice, parse_gtts_name
from articast.voices.registry import get_voice, list_voices
from fake_google import FakeGoogle

SENTENCES = (
    "Sleep helps the brain keep what it learned during the day.",
    "Slow waves and spindles work together at night.",
    "Researchers measured this in a small study.",
)


def _script() -> Script:
    return Script(
        "Sleep",
        (
            Segment("intro", "Introduction", SENTENCES[:1]),
            Segment("section", "Findings", SENTENCES[1:]),
        ),
    )


def test_names_parse_language_and_domain() -> None:
    assert parse_gtts_name("en") == ("en", "com")
    assert parse_gtts_name("en-co.uk") == ("en", "co.uk")
    assert parse_gtts_name("zh-CN") == ("zh-CN", "com")
    with pytest.raises(InputError, match="unknown gTTS voice"):
        parse_gtts_name("klingon")
    assert get_voice("gtts:en-co.uk").info.spec == "gtts:en-co.uk"


def test_synthesizes_real_audio_from_the_fake_server(fake_google: FakeGoogle) -> None:
    voice = GttsVoice("en", VoiceSettings(gtts_url=fake_google.url))
    res = voice.synthesize(SENTENCES[0], SynthParams())
    s = np.frombuffer(res.pcm, dtype="<i2")
    assert res.sample_rate == 24000
    assert 1.5 < len(s) / res.sample_rate < 8
    assert np.abs(s).max() > 3000
    assert res.words == ()  # the service gives no timings: alignment follows in speak()
    assert fake_google.requests == [SENTENCES[0]]


def test_retries_on_429_and_5xx(fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("articast.voices.google.BACKOFF", 0.01)
    fake_google.fail_next.extend([429, 503])
    voice = GttsVoice("en", VoiceSettings(gtts_url=fake_google.url))
    res = voice.synthesize("Hello there, listener.", SynthParams())
    assert len(res.pcm) > 24000
    assert fake_google.statuses == [429, 503, 200]


def test_gives_up_after_persistent_errors(
    fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("articast.voices.google.BACKOFF", 0.01)
    fake_google.fail_next.extend([500] * 10)
    voice = GttsVoice("en", VoiceSettings(gtts_url=fake_google.url))
    with pytest.raises(BackendUnavailable, match="answered 500"):
        voice.synthesize("Hello there.", SynthParams())
    assert len(fake_google.statuses) == 5


def test_unreachable_fails_fast_with_one_line(tmp_path: Path) -> None:
    # A closed port on 127.0.0.1 stands for "no network" the same way DNS failure does.
    settings = VoiceSettings(voice="gtts:en", gtts_url="http://127.0.0.1:9/batchexecute")
    t0 = time.monotonic()
    with pytest.raises(BackendUnavailable) as info:
        speak(_script(), settings, tmp_path / "cache")
    assert time.monotonic() - t0 < 2.0
    msg = str(info.value)
    assert "\n" not in msg
    assert "network" in msg and "espeak:en-us" in msg
    assert not any(p.is_file() and p.stat().st_size == 0 for p in tmp_path.rglob("*"))


def test_offline_setting_fails_at_once_but_cache_still_serves(
    fake_google: FakeGoogle, tmp_path: Path
) -> None:
    voice = get_voice("gtts:en", VoiceSettings(allow_network=False))
    with pytest.raises(BackendUnavailable, match="offline"):
        voice.synthesize("Hello.", SynthParams())
    online = VoiceSettings(voice="gtts:en", gtts_url=fake_google.url)
    speak(_script(), online, tmp_path)
    # Offline rebuild of an unchanged script: every sentence comes from the speech cache.
    again = speak(_script(), dataclasses.replace(online, allow_network=False), tmp_path)
    assert (again.synthesized, again.cached, again.voice) == (0, 3, "gtts:en")


def test_fallback_voice_is_used_and_recorded(tmp_path: Path) -> None:
    settings = VoiceSettings(voice="gtts:en", allow_network=False, fallback_voice="espeak:en-us")
    speech = speak(_script(), settings, tmp_path / "cache")
    assert speech.voice == "espeak:en-us"
    assert speech.requested_voice == "gtts:en"
    assert any("gtts:en" in w and "espeak:en-us" in w for w in speech.warnings)
    assert speech.synthesized == 3


def test_speak_aligns_words_and_caches(fake_google: FakeGoogle, tmp_path: Path) -> None:
    settings = VoiceSettings(voice="gtts:en", gtts_url=fake_google.url)
    first = speak(_script(), settings, tmp_path / "cache")
    assert (first.synthesized, first.cached) == (3, 0)
    assert first.voice == "gtts:en" and first.requested_voice is None
    for seg in first.segments:
        for utt in seg.utterances:
            assert utt.timing == "aligned"
            assert [w.text for w in utt.words] == utt.text.split()
            starts = [w.start for w in utt.words]
            assert starts == sorted(starts)
            assert utt.words[-1].end <= utt.duration + 1e-3
    assert sorted(fake_google.requests) == sorted(SENTENCES)
    again = speak(_script(), settings, tmp_path / "cache")
    assert (again.synthesized, again.cached) == (0, 3)
    assert len(fake_google.requests) == 3
    # A changed rate is a different cache entry.
    slower = speak(_script(), dataclasses.replace(settings, rate=140), tmp_path / "cache")
    assert slower.synthesized == 3


def test_lists_gtts_voices_with_availability() -> None:
    online = [
        v
        for v in list_voices(VoiceSettings(gtts_url="http://127.0.0.1:1/x"))
        if v.backend == "gtts"
    ]
    assert {"gtts:en", "gtts:en-co.uk"} <= {v.spec for v in online}
    assert all(v.needs_network and v.available for v in online)
    offline = [v for v in list_voices(VoiceSettings(allow_network=False)) if v.backend == "gtts"]
    assert offline and not any(v.available for v in offline)


@pytest.mark.parametrize("how", ["drip", "huge"])
def test_a_service_that_drips_or_floods_is_cut_off(
    fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A service sending one byte every half second, or 200 MB for one sentence, is cut off
    within the request deadline, its answer never held whole in memory."""
    import resource

    import articast.voices.google as google

    monkeypatch.setattr(google, "REQUEST_DEADLINE", 3.0)
    fake_google.misbehave = how
    voice = GttsVoice("en", VoiceSettings(gtts_url=fake_google.url))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(
        BackendUnavailable, match="within 3 s" if how == "drip" else "more than 8 MB"
    ):
        voice.synthesize("A sentence for a service that misbehaves.", SynthParams())
    assert time.monotonic() - started < 10
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100
