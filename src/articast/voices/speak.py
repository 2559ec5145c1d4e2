"""The shared wrapper around every backend: sentence cache, timings, guard, fallback, progress.

Sits at the entry of the ``voices`` stage (``speak(script, settings, cache_root)`` -> Speech).
Backends only turn one sentence into PCM (+ engine word timings when they have them); here each
sentence is looked up in the speech cache, synthesised when missing (several at a time for
network voices), given word timings by alignment when the engine has none, checked by the
guard (a refused sentence is synthesised once more before the build fails, naming it),
stored, and reported. When the voice is unavailable and ``fallback_voice`` is set (or the voice
is the default neural voice, which falls back to ``FALLBACK_VOICE`` by itself), the whole script
is spoken by the fallback voice instead and the switch is recorded.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from articast.cache import Cache, content_key
from articast.config import DEFAULT_VOICE, FALLBACK_VOICE, VoiceSettings
from articast.errors import ArticastError, BackendUnavailable, InputError, SynthesisError
from articast.models import (
    ProgressEvent,
    Script,
    SegmentSpeech,
    Speech,
    TimingMethod,
    Utterance,
    WordTiming,
)
from articast.narrate.limits import MAX_EPISODE_SECONDS
from articast.voices.align import ALIGN_VERSION, count_syllables, speech_spans, word_timings
from articast.voices.base import SynthParams, SynthResult, Voice
from articast.voices.registry import get_voice, parse_spec

ProgressFn = Callable[[ProgressEvent], None]

CACHE_VERSION = "speech-v2"
MAX_PAUSE = 2.0
"""Seconds of silence inside one sentence beyond which the audio is refused as garbled."""
_TIMINGS: frozenset[str] = frozenset({"engine", "aligned", "estimated"})


@dataclass(frozen=True)
class _Plan:
    """One sentence to speak: where it goes and its cache key."""

    seg: int
    index: int
    text: str
    key: str


def cache_key(voice: Voice, params: SynthParams, text: str) -> str:
    """The speech cache key: backend, voice, rate, pitch, versions and the speakable text."""
    return content_key(
        CACHE_VERSION,
        voice.info.backend,
        voice.info.spec,
        voice.version,
        ALIGN_VERSION,
        params.rate,
        params.pitch,
        text,
    )


def _load(cache: Cache, key: str, text: str) -> Utterance | None:
    meta = cache.get_json(key)
    pcm_path = cache.path(key, "audio.pcm")
    if not isinstance(meta, dict) or pcm_path is None or meta.get("text") != text:
        return None
    try:
        words = tuple(WordTiming(w["text"], w["start"], w["end"]) for w in meta["words"])
        timing = str(meta["timing"])
        rate = int(meta["sample_rate"])
        pcm = pcm_path.read_bytes()
    except (KeyError, TypeError, ValueError, OSError):
        return None
    if timing not in _TIMINGS or not pcm:
        return None
    method: TimingMethod = (
        "engine" if timing == "engine" else ("aligned" if timing == "aligned" else "estimated")
    )
    return Utterance(text, pcm, rate, words, method, cached=True)


def _store(cache: Cache, key: str, utt: Utterance) -> None:
    meta = {
        "text": utt.text,
        "sample_rate": utt.sample_rate,
        "timing": utt.timing,
        "words": [{"text": w.text, "start": w.start, "end": w.end} for w in utt.words],
    }
    cache.put(key, {"data.json": json.dumps(meta).encode(), "audio.pcm": utt.pcm})


MAX_SPEECH_SECONDS = 1.25 * MAX_EPISODE_SECONDS
"""Total speech one script may produce: the episode limit plus room for estimates' error."""


def check_audio(text: str, pcm: bytes, sample_rate: int, voice: str, rate: int | None) -> None:
    """The guard: raise SynthesisError when the audio is silent or implausibly short or long.

    Expected length is about 0.2 s per syllable at 175 words per minute; audio below a quarter
    of that (counting only audible parts), above four times plus three seconds, or holding a
    pause longer than ``MAX_PAUSE`` (a neural voice's occasional garbled stretch), is refused.
    """
    words = re.findall(r"\S+", text)
    syllables = sum(count_syllables(w) for w in words)
    if syllables == 0:
        return  # nothing speakable: any (short) audio will do
    shown = text if len(text) <= 70 else text[:67] + "..."
    duration = len(pcm) / 2 / sample_rate if sample_rate else 0.0
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
    peak = int(np.abs(samples.astype(np.int32)).max()) if len(samples) else 0
    spans = speech_spans(pcm, sample_rate) if peak >= 300 else []
    if not spans:
        raise SynthesisError(
            f"voice {voice} produced silence for the sentence {shown!r}; "
            "try another voice (see 'articast voices')"
        )
    audible = sum(b - a for a, b in spans)
    scale = 175 / rate if rate else 1.0
    expected = 0.2 * syllables * scale
    if audible < 0.25 * expected:
        raise SynthesisError(
            f"voice {voice} produced only {audible:.2f} s of speech for the sentence {shown!r} "
            f"(expected about {expected:.1f} s); try another voice or check the text"
        )
    if duration > 4 * expected + 3.0:
        raise SynthesisError(
            f"voice {voice} produced {duration:.1f} s of audio for the sentence {shown!r} "
            f"(expected about {expected:.1f} s); try another voice or check the text"
        )
    pause = max((b[0] - a[1] for a, b in itertools.pairwise(spans)), default=0.0)
    if pause > MAX_PAUSE * max(scale, 1.0):
        raise SynthesisError(
            f"voice {voice} paused {pause:.1f} s inside the sentence {shown!r}; "
            "try another voice or check the text"
        )


def _finish(voice: Voice, params: SynthParams, text: str, res: SynthResult) -> Utterance:
    """Guard the audio and give it word timings (engine, aligned or estimated)."""
    check_audio(text, res.pcm, res.sample_rate, voice.info.spec, params.rate)
    if res.words:
        return Utterance(text, res.pcm, res.sample_rate, res.words, "engine", False)
    words, method = word_timings(text, res.pcm, res.sample_rate)
    return Utterance(text, res.pcm, res.sample_rate, words, method, False)


def _synthesize_all(
    voice: Voice, params: SynthParams, texts: Sequence[str]
) -> Iterator[tuple[int, SynthResult]]:
    """``(position in texts, result)`` for every text. A voice that speaks
    ``max_concurrency`` sentences at a time (piper: one per core; network voices) is given
    the longest first and its results come as they are done: the last sentence left running
    alone on one core is then a short one (the voices stage of a cold build ended with one
    core idle for up to a long sentence's time)."""
    workers = int(getattr(voice, "max_concurrency", 1) or 1)
    if workers <= 1 or len(texts) <= 1:
        for i, text in enumerate(texts):
            yield i, voice.synthesize(text, params)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="articast-voice")
    try:
        longest_first = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        futures: dict[Future[SynthResult], int] = {
            pool.submit(voice.synthesize, texts[i], params): i for i in longest_first
        }
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _speak_with(
    voice: Voice,
    script: Script,
    settings: VoiceSettings,
    cache_root: Path,
    progress: ProgressFn | None,
    store: bool = True,
) -> tuple[list[list[Utterance | None]], int, int]:
    params = SynthParams(rate=settings.rate, pitch=settings.pitch)
    if params.pitch is not None and not getattr(voice, "supports_pitch", True):
        raise InputError(
            f"voice {voice.info.spec} cannot change pitch; leave out --pitch (and [voice] pitch "
            "in articast.toml) or choose an espeak voice"
        )
    cache = Cache(cache_root, "speech")
    total = sum(len(s.sentences) for s in script.segments)
    table: list[list[Utterance | None]] = [[None] * len(s.sentences) for s in script.segments]
    todo: list[_Plan] = []
    done = cached = 0
    for si, seg in enumerate(script.segments):
        for ui, text in enumerate(seg.sentences):
            key = cache_key(voice, params, text)
            utt = _load(cache, key, text)
            if utt is None:
                todo.append(_Plan(si, ui, text, key))
                continue
            table[si][ui] = utt
            cached += 1
            done += 1
            if progress:
                progress(ProgressEvent("voices", done, total, f"cached: {text[:40]}"))
    results = _synthesize_all(voice, params, [p.text for p in todo])
    seconds = sum(len(u.pcm) / 2 / u.sample_rate for row in table for u in row if u is not None)
    try:
        for at, res in results:
            plan = todo[at]
            seconds += len(res.pcm) / 2 / res.sample_rate if res.sample_rate else 0.0
            if seconds > MAX_SPEECH_SECONDS:
                # The estimate before voicing was far off (a voice spelling digits, say): stop
                # before the speech held in memory grows without bound.
                raise SynthesisError(
                    f"voice {voice.info.spec} has produced over {MAX_SPEECH_SECONDS / 3600:.0f} "
                    "hours of speech for this script; shorten it or split it into parts"
                )
            try:
                utt = _finish(voice, params, plan.text, res)
            except SynthesisError as first:
                # Neural voices sample noise: a garbled sentence usually comes out right again.
                try:
                    utt = _finish(voice, params, plan.text, voice.synthesize(plan.text, params))
                except SynthesisError as again:
                    raise SynthesisError(f"{again} (also on a second try)") from first
            if store:
                _store(cache, plan.key, utt)
            table[plan.seg][plan.index] = utt
            done += 1
            if progress:
                progress(ProgressEvent("voices", done, total, plan.text[:40]))
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    return table, len(todo), cached


def _prepared_in(voice: Voice, cache_root: Path) -> Voice:
    """Let a voice that prepares its model (piper) keep it in the cache for the next run."""
    if hasattr(voice, "prepared_models"):
        voice.prepared_models = cache_root / "models"
    return voice


def warm(settings: VoiceSettings, cache_root: Path) -> threading.Thread | None:
    """Start loading the voice ``speak`` will use (a neural model: seconds) in the
    background; ``None`` when it has nothing to load. A failure is left for ``speak`` to
    report (or fall back from)."""
    spec = settings.voice or DEFAULT_VOICE
    try:
        voice = _prepared_in(get_voice(spec, settings), cache_root)
    except ArticastError:
        return None
    load = getattr(voice, "warm", None)
    if load is None:
        return None

    def run() -> None:
        with contextlib.suppress(Exception):
            load()

    thread = threading.Thread(target=run, name="articast-voice-warm", daemon=True)
    thread.start()
    return thread


def speak(
    script: Script,
    settings: VoiceSettings,
    cache_root: Path,
    progress: ProgressFn | None = None,
    *,
    store: bool = True,
) -> Speech:
    """Speak every sentence of ``script``; cached sentences are not synthesised again.
    ``store=False`` reads the cache but keeps what it synthesises out of it (a preview).

    Raises InputError (unknown voice, pitch for a voice without pitch), BackendUnavailable
    (voice unusable and no fallback, or the fallback unusable too) or SynthesisError (the
    guard refused a sentence's audio).
    """
    warnings: list[str] = []
    requested: str | None = None
    if not settings.voice:
        settings = replace(settings, voice=DEFAULT_VOICE)
    try:
        voice = _prepared_in(get_voice(settings.voice, settings), cache_root)
        table, synthesized, cached = _speak_with(
            voice, script, settings, cache_root, progress, store
        )
    except BackendUnavailable as exc:
        fallback = settings.fallback_voice
        if not fallback and settings.voice == DEFAULT_VOICE:
            fallback = FALLBACK_VOICE  # the default must speak on any machine
        if not fallback or fallback == settings.voice:
            raise
        parse_spec(fallback)  # an unknown fallback is an input error, not a silent switch
        requested = settings.voice
        warnings.append(f"voice {settings.voice} unavailable ({exc}); used {fallback} instead")
        voice = _prepared_in(get_voice(fallback, settings), cache_root)
        table, synthesized, cached = _speak_with(
            voice, script, settings, cache_root, progress, store
        )
    segments = tuple(
        SegmentSpeech(seg, tuple(u for u in row if u is not None))
        for seg, row in zip(script.segments, table, strict=True)
    )
    estimated = sum(1 for s in segments for u in s.utterances if u.timing == "estimated")
    if estimated:
        warnings.append(
            f"{estimated} sentence(s) got estimated word timings (alignment failed); "
            "captions may drift slightly within those sentences"
        )
    return Speech(
        voice=voice.info.spec,
        segments=segments,
        synthesized=synthesized,
        cached=cached,
        requested_voice=requested,
        warnings=tuple(warnings),
    )
