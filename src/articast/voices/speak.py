"""The shared wrapper around every backend: sentence cache, guard, progress."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from articast.cache import Cache, content_key
from articast.config import VoiceSettings
from articast.models import (
    ProgressEvent,
    Script,
    SegmentSpeech,
    Speech,
    Utterance,
    WordTiming,
)
from articast.voices.base import SynthParams, Voice
from articast.voices.registry import get_voice

ProgressFn = Callable[[ProgressEvent], None]


def _cache_key(voice: Voice, params: SynthParams, text: str) -> str:
    return content_key("speech-v1", voice.info.spec, voice.version, params.rate, params.pitch, text)


def _load(cache: Cache, key: str, text: str) -> Utterance | None:
    meta = cache.get_json(key)
    pcm_path = cache.path(key, "audio.pcm")
    if meta is None or pcm_path is None:
        return None
    words = tuple(WordTiming(w["text"], w["start"], w["end"]) for w in meta["words"])
    return Utterance(
        text=text,
        pcm=pcm_path.read_bytes(),
        sample_rate=int(meta["sample_rate"]),
        words=words,
        timing=meta["timing"],
        cached=True,
    )


def _store(cache: Cache, key: str, utt: Utterance) -> None:
    meta = {
        "text": utt.text,
        "sample_rate": utt.sample_rate,
        "timing": utt.timing,
        "words": [{"text": w.text, "start": w.start, "end": w.end} for w in utt.words],
    }
    cache.put(key, {"data.json": json.dumps(meta).encode(), "audio.pcm": utt.pcm})


def speak(
    script: Script,
    settings: VoiceSettings,
    cache_root: Path,
    progress: ProgressFn | None = None,
) -> Speech:
    """Speak every sentence of ``script``; cached sentences are not synthesised again."""
    voice = get_voice(settings.voice, settings)
    params = SynthParams(rate=settings.rate, pitch=settings.pitch)
    cache = Cache(cache_root, "speech")
    total = sum(len(s.sentences) for s in script.segments)
    done = synthesized = cached = 0
    segments: list[SegmentSpeech] = []
    for seg in script.segments:
        utts: list[Utterance] = []
        for text in seg.sentences:
            key = _cache_key(voice, params, text)
            utt = _load(cache, key, text)
            if utt is None:
                res = voice.synthesize(text, params)
                utt = Utterance(text, res.pcm, res.sample_rate, res.words, "engine", False)
                _store(cache, key, utt)
                synthesized += 1
            else:
                cached += 1
            utts.append(utt)
            done += 1
            if progress:
                progress(ProgressEvent("voices", done, total, text[:40]))
        segments.append(SegmentSpeech(seg, tuple(utts)))
    return Speech(voice.info.spec, tuple(segments), synthesized, cached)
