"""Test helpers for the captions, visuals and video stages: a Master built from the fake voice.

Builds the values directly (fake voice tones with exact word timings, a WAV and an MP3 made by
the real ffmpeg) so that video tests run in seconds without the audio stage.
"""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
from PIL import Image

from articast.media import run_ffmpeg
from articast.models import (
    Article,
    Chapter,
    ImageRef,
    Master,
    Script,
    Section,
    Segment,
    SegmentKind,
    Talk,
    TalkRef,
    TimedSentence,
    TimedWord,
)
from articast.voices.base import SynthParams
from articast.voices.fake import FakeVoice

TALK_URL = "https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s"

SEGMENTS: list[tuple[SegmentKind, str, list[str]]] = [
    (
        "intro",
        "Introduction",
        ["Welcome to Articast.", "Tonight: how the sleeping brain files the day."],
    ),
    (
        "section",
        "Slow Waves and Spindles",
        [
            "During deep sleep, large populations of neurons fire together in slow waves.",
            "Riding on top of these waves are sleep spindles, short bursts of activity.",
        ],
    ),
    (
        "section",
        "From Hippocampus to Cortex",
        [
            "New memories start out in the hippocampus and are copied into the cortex.",
            "Over weeks, the cortical copy becomes strong enough to stand on its own.",
        ],
    ),
    ("outro", "Outro", ["The talk is linked in the description.", "Thanks for listening."]),
]


def fake_episode(
    folder: Path,
    segments: list[tuple[SegmentKind, str, list[str]]] | None = None,
    *,
    pause: float = 0.35,
    section_pause: float = 1.2,
    section_image: Path | None = None,
) -> tuple[Article, Script, Talk, Master]:
    """An article, its script, a talk and a Master whose audio is the fake voice's tones."""
    segments = SEGMENTS if segments is None else segments
    folder.mkdir(parents=True, exist_ok=True)
    voice = FakeVoice()
    sr = 22050
    chunks: list[np.ndarray] = []
    t = 0.0
    sentences: list[TimedSentence] = []
    starts: list[float] = []
    for si, (_kind, _title, texts) in enumerate(segments):
        if si:
            chunks.append(np.zeros(round(section_pause * sr), dtype="<i2"))
            t += round(section_pause * sr) / sr
        starts.append(t)
        for k, text in enumerate(texts):
            if k:
                chunks.append(np.zeros(round(pause * sr), dtype="<i2"))
                t += round(pause * sr) / sr
            res = voice.synthesize(text, SynthParams())
            pcm = np.frombuffer(res.pcm, dtype="<i2")
            words = tuple(TimedWord(w.text, t + w.start, t + w.end) for w in res.words)
            dur = len(pcm) / sr
            sentences.append(TimedSentence(text, t, t + dur, si, words))
            chunks.append(pcm)
            t += dur
    tail = np.zeros(round(0.5 * sr), dtype="<i2")
    chunks.append(tail)
    t += len(tail) / sr
    audio = np.concatenate(chunks)
    wav = folder / "master.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(audio.tobytes())
    mp3 = folder / "episode.mp3"
    run_ffmpeg(["-i", str(wav), "-c:a", "libmp3lame", "-b:a", "64k", str(mp3)], what="test mp3")
    duration = len(audio) / sr
    # Chapter times in whole milliseconds, as the audio stage writes them (ID3 CHAP).
    chapter_starts = [0.0] + [round((t0 - section_pause / 2) * 1000) / 1000 for t0 in starts[1:]]
    chapter_ends = [*chapter_starts[1:], duration]
    chapters = tuple(
        Chapter(title, chapter_starts[i], chapter_ends[i], TALK_URL if kind == "outro" else None)
        for i, (kind, title, _texts) in enumerate(segments)
    )
    # Cuts as the audio stage puts them: on whole AAC frames, in the pause before a section.
    grid = sr * 1024 // math.gcd(sr * 1024, 48000)
    cuts = tuple((round(t0 * sr) - round(0.3 * sr)) // grid * grid for t0 in starts[1:])
    master = Master(mp3, wav, duration, chapters, tuple(sentences), cuts=cuts)
    sections = []
    section_no = 0
    script_segments = []
    for kind, title, texts in segments:
        index = None
        if kind == "section":
            images = (ImageRef("figure.png", "a figure", section_image),) if section_image else ()
            sections.append(Section(title, (" ".join(texts),), images if section_no == 0 else ()))
            index = section_no
            section_no += 1
        script_segments.append(Segment(kind, title, tuple(texts), section_index=index))
    thumb = folder / "talk-thumb.png"
    Image.new("RGB", (480, 360), (200, 40, 40)).save(thumb)
    article = Article(
        "Night Shift: How the Sleeping Brain Files Away the Day",
        tuple(sections),
        talk=TalkRef(TALK_URL, "Xq3vN8sLk2E", 95, "Sleep and memory talk"),
    )
    talk = Talk(
        TALK_URL,
        "Xq3vN8sLk2E",
        95,
        title="Why Sleep Matters for Memory",
        channel="Brain Talks",
        thumbnail=thumb,
        fetched=True,
    )
    script = Script(article.title, tuple(script_segments))
    return article, script, talk, master
