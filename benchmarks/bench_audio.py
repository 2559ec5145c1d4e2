"""Audio benchmark: wall time of the audio stage (``audio.master_audio``) for the sample.

The sample article is ingested, narrated and spoken with the default offline voice (espeak)
outside the timed part; then the audio stage is timed cold (first call in the process, with
library imports) and warm, plain and with the music bed, and a ten-minute synthetic episode
(fake voice) shows how the stage scales. Figures only, no asserts.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "sleep-and-memory.txt"


def _long_speech(minutes: float) -> Any:
    from articast.models import Segment, SegmentSpeech, Speech, Utterance
    from articast.voices import SynthParams
    from articast.voices.fake import FakeVoice

    voice = FakeVoice()
    sentence = "This sentence stands in for one line of a long article, read aloud at a calm pace."
    res = voice.synthesize(sentence, SynthParams())
    utt = Utterance(sentence, res.pcm, res.sample_rate, res.words)
    per_section = 12
    seconds_per_section = per_section * (utt.duration + 0.35)
    sections = max(1, round(minutes * 60 / seconds_per_section))
    segs = [
        SegmentSpeech(
            Segment("section", f"Part {i + 1}", (sentence,) * per_section), (utt,) * per_section
        )
        for i in range(sections)
    ]
    intro = SegmentSpeech(Segment("intro", "Introduction", (sentence,)), (utt,))
    outro = SegmentSpeech(Segment("outro", "Outro", (sentence,)), (utt,))
    return Speech("fake:tone", (intro, *segs, outro))


def run() -> dict[str, object]:
    """Time the audio stage on the sample (cold, warm, with music) and on a 10-minute episode."""
    from articast.audio import master_audio
    from articast.config import DEFAULT_VOICE, load_settings
    from articast.ingest import load_article
    from articast.models import Article
    from articast.narrate import build_script
    from articast.talk import resolve_talk
    from articast.voices import speak

    s = load_settings(use_files=False).with_offline(True)
    figures: dict[str, object] = {"voice": s.voice.voice or DEFAULT_VOICE}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        article = load_article(SAMPLE, s.ingest)
        talk = resolve_talk(article.talk, root / "cache", offline=True)[0] if article.talk else None
        script = build_script(article, talk, s.narrate)
        speech = speak(script, s.voice, root / "cache")

        def timed(name: str, speech_: Any, art: Article, **audio_kw: Any) -> None:
            settings = dataclasses.replace(s.audio, **audio_kw)
            t0 = time.perf_counter()
            m = master_audio(
                speech_,
                talk,
                art,
                s.show,
                settings,
                cover=None,
                out_dir=root / name,
                workdir=root / f"{name}-work",
            )
            figures[f"{name}_s"] = round(time.perf_counter() - t0, 2)
            figures[f"{name}_episode_s"] = round(m.duration, 1)
            figures[f"{name}_lufs"] = m.loudness_lufs
            figures[f"{name}_true_peak_dbtp"] = m.true_peak_dbtp

        timed("sample_cold", speech, article)
        timed("sample_warm", speech, article)
        timed("sample_music", speech, article, music=True)
        timed("synthetic_10min", _long_speech(10), article)
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
