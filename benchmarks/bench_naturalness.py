"""Naturalness and caption sync of the default voice against espeak (``make bench`` runs ``run()``).

The article is our own, ``benchmarks/data/tides-of-attention.md`` (headings, numbers, units,
percentages, money, an initialism). Its narration script is spoken by each voice through
``voices.speak`` and then:

* **Word error rate** (the naturalness proxy of issue 13): pocketsphinx's stock US-English
  model (language model and dictionary inside its wheel) transcribes each script segment's
  speech, the sentences joined with the episode's sentence pause; WER = word-level edit
  distance / script words, over the whole episode. Lower is clearer. Spelled initialisms
  ("E E G") count as errors when the recogniser hears a word instead.
* **Caption sync**: the engine word timings (what the captions are made from) against an
  independent forced alignment of the same audio (pocketsphinx, ``voices.align.align_words``,
  which never sees piper's alignments): absolute start differences over every word, and over
  the words that begin a caption cue (``captions.make_cues`` on the sentences laid out with
  the episode's pauses).
* **Pauses heard**: the silence between sentences, paragraphs and sections on the assembled voice
  track (``audio.timeline``), measured where the audio falls below the trim threshold.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "benchmarks" / "data" / "tides-of-attention.md"
VOICES = ("piper:en_US-joe-medium", "espeak:en-us")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def word_errors(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def _recogniser() -> Any:
    from pocketsphinx import Decoder

    return Decoder(loglevel="FATAL")


def _recognise(decoder: Any, pcm: bytes, sample_rate: int) -> list[str]:
    from articast.voices.align import _to_16k

    decoder.start_utt()
    decoder.process_raw(_to_16k(pcm, sample_rate), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return _words(re.sub(r"\(\d+\)", "", hyp.hypstr)) if hyp is not None else []


def _script() -> Any:
    from articast.config import load_settings
    from articast.ingest import load_article
    from articast.narrate import build_script

    s = load_settings(use_files=False).with_offline(True)
    return build_script(load_article(ARTICLE, s.ingest_settings), None, s.narrate)


def _speak(spec: str, script: Any, cache: Path) -> tuple[Any, float]:
    from articast.config import VoiceSettings
    from articast.voices import speak

    t0 = time.perf_counter()
    speech = speak(script, VoiceSettings(voice=spec), cache)
    return speech, time.perf_counter() - t0


def wer(speech: Any, pause: float) -> dict[str, Any]:
    """WER of the recogniser's transcript of every segment against the script."""
    decoder = _recogniser()
    errors = ref_words = 0
    worst: list[tuple[float, str, str]] = []
    for seg in speech.segments:
        if not seg.utterances:
            continue
        rate = seg.utterances[0].sample_rate
        gap = bytes(2 * round(pause * rate))
        pcm = gap.join(u.pcm for u in seg.utterances)
        ref = _words(" ".join(u.text for u in seg.utterances))
        hyp = _recognise(decoder, pcm, rate)
        e = word_errors(ref, hyp)
        errors += e
        ref_words += len(ref)
        worst.append((e / max(1, len(ref)), " ".join(ref[:12]), " ".join(hyp[:12])))
    return {
        "wer": round(errors / max(1, ref_words), 3),
        "script_words": ref_words,
        "worst_segment": max(worst)[0:3] if worst else None,
    }


def sync(speech: Any, sentence_pause: float) -> dict[str, Any]:
    """Engine word starts (and caption cue starts) against forced alignment, in ms."""
    from articast.captions import make_cues
    from articast.models import TimedSentence, TimedWord
    from articast.voices.align import align_words

    diffs: list[float] = []
    cue_diffs: list[float] = []
    t = 0.0
    sentences = []
    forced_at: dict[float, float] = {}
    for si, seg in enumerate(speech.segments):
        for utt in seg.utterances:
            forced = align_words(utt.text, utt.pcm, utt.sample_rate)
            if forced is not None:
                for e, f in zip(utt.words, forced, strict=True):
                    if e.end > e.start and f.end > f.start:
                        diffs.append(abs(e.start - f.start))
                        forced_at[round(t + e.start, 3)] = t + f.start
            words = tuple(TimedWord(w.text, t + w.start, t + w.end) for w in utt.words)
            sentences.append(TimedSentence(utt.text, t, t + utt.duration, si, words))
            t += utt.duration + sentence_pause
    for cue in make_cues(tuple(sentences)):
        f = forced_at.get(round(cue.start, 3))
        if f is not None:
            cue_diffs.append(abs(cue.start - f))

    def stats(xs: list[float]) -> dict[str, float | int]:
        a = np.array(xs) * 1000
        return {
            "n": len(xs),
            "p50_ms": round(float(np.percentile(a, 50)), 1),
            "p90_ms": round(float(np.percentile(a, 90)), 1),
            "max_ms": round(float(a.max()), 1),
        }

    return {"words": stats(diffs), "cue_starts": stats(cue_diffs) if cue_diffs else None}


def pauses(speech: Any) -> dict[str, Any]:
    """Silences heard between sentences and between sections on the assembled voice track."""
    from articast import audio
    from articast.config import AudioSettings

    settings = dataclasses.replace(AudioSettings(), stings=False, music=False)
    plan = audio.timeline(speech, None, settings)
    with tempfile.TemporaryDirectory() as tmp:
        voice = audio.read_wav(plan.write(Path(tmp) / "voice.wav", ("voice",)))[:, 0].copy()
    sr = plan.sample_rate
    within: list[float] = []
    paragraphs: list[float] = []
    between: list[float] = []
    ordered = sorted(plan.sentences, key=lambda s: s.start)
    for a, b in itertools.pairwise(ordered):
        x = np.abs(voice[round(a.start * sr) : round(b.end * sr)])
        loud = np.flatnonzero(x > 10 ** (-50 / 20))
        end_a = round((a.end - a.start) * sr)
        start_b = round((b.start - a.start) * sr)
        before = loud[loud < end_a]
        after = loud[loud >= start_b]
        if not len(before) or not len(after):
            continue
        heard = (int(after[0]) - int(before[-1])) / sr
        if a.segment_index != b.segment_index:
            between.append(heard)
        elif b.start - a.end > (settings.sentence_pause + settings.paragraph_pause) / 2:
            paragraphs.append(heard)
        else:
            within.append(heard)

    def median(values: list[float]) -> float | None:
        return round(float(np.median(values)), 3) if values else None

    return {
        "sentence_pause_setting_s": settings.sentence_pause,
        "paragraph_pause_setting_s": settings.paragraph_pause,
        "section_pause_setting_s": settings.section_pause,
        "heard_between_sentences_s": median(within),
        "heard_between_paragraphs_s": median(paragraphs),
        "heard_between_sections_s": median(between),
        "longest_heard_s": round(max([*within, *paragraphs, *between], default=0.0), 3),
    }


def run() -> dict[str, Any]:
    """WER per voice, the default voice's caption sync and the pauses it gets."""
    from articast.config import AudioSettings

    script = _script()
    pause = AudioSettings().sentence_pause
    out: dict[str, Any] = {"article": str(ARTICLE.relative_to(ROOT))}
    for spec in VOICES:
        with tempfile.TemporaryDirectory() as tmp:
            speech, wall = _speak(spec, script, Path(tmp))
        audio_s = sum(u.duration for s in speech.segments for u in s.utterances)
        entry: dict[str, Any] = {
            "voice_used": speech.voice,
            "audio_s": round(audio_s, 1),
            "voices_stage_rtf": round(wall / audio_s, 3),
            "timing": sorted({u.timing for s in speech.segments for u in s.utterances}),
            **wer(speech, pause),
        }
        if spec == VOICES[0]:
            entry["caption_sync"] = sync(speech, pause)
            entry["pauses"] = pauses(speech)
        out[spec] = entry
    a, b = out[VOICES[0]]["wer"], out[VOICES[1]]["wer"]
    out["wer_gain"] = round(b - a, 3)
    return out


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(ROOT / "src"))
    print(json.dumps(run(), indent=2))
