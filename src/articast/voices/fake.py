"""A deterministic fake voice for fast tests: a tone per word with exact, known timings.

``fake:tone`` ships in the library (like httpx's mock transport) so that pipeline tests can
run without a speech engine; the real offline voice is still tested end to end.
"""

from __future__ import annotations

import math
import re

import numpy as np

from articast.models import WordTiming
from articast.voices.base import SynthParams, SynthResult, VoiceInfo

SAMPLE_RATE = 22050
PER_CHAR = 0.055
"""Seconds of tone per character of a word."""
GAP = 0.06
"""Silence between words."""


class FakeVoice:
    """Each word is a tone of ``PER_CHAR * len(word)`` seconds, followed by ``GAP`` of silence."""

    def __init__(self, name: str = "tone") -> None:
        self._info = VoiceInfo(
            spec=f"fake:{name}",
            backend="fake",
            language="",
            variant=name,
            note="test tones (any language)",
        )

    @property
    def info(self) -> VoiceInfo:
        """Facts about the voice."""
        return self._info

    @property
    def version(self) -> str:
        """Changes whenever the tone layout changes."""
        return "fake-1"

    def synthesize(self, text: str, params: SynthParams) -> SynthResult:
        """A tone per word; word timings are exact by construction."""
        words: list[WordTiming] = []
        chunks: list[np.ndarray] = []
        t = 0.0
        speed = (params.rate or 175) / 175
        for i, m in enumerate(re.finditer(r"\S+", text)):
            dur = max(0.08, PER_CHAR * len(m.group()) / speed)
            n = round(dur * SAMPLE_RATE)
            freq = 180 + 40 * (i % 5)
            tone = 0.3 * np.sin(2 * math.pi * freq * np.arange(n) / SAMPLE_RATE)
            chunks.append(tone)
            words.append(WordTiming(m.group(), t, t + n / SAMPLE_RATE))
            gap = round(GAP * SAMPLE_RATE)
            chunks.append(np.zeros(gap))
            t += (n + gap) / SAMPLE_RATE
        audio = np.concatenate(chunks) if chunks else np.zeros(SAMPLE_RATE // 10)
        pcm = (audio * 32767).astype("<i2").tobytes()
        return SynthResult(pcm=pcm, sample_rate=SAMPLE_RATE, words=tuple(words))
