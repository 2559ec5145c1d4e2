"""Captions, transcripts and pages in the article's own words, timed by the spoken ones.

Real espeak speech: the display text (what the author wrote) is shown everywhere a person reads,
the spoken text (after the reading rules) is what the voice says, and the map between them
times the captions.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import json
import re
from pathlib import Path

import numpy as np
import webvtt

from articast.captions import cue_problems, make_cues, shown_words
from articast.config import Settings
from articast.models import Cue, SegmentSpeech
from articast.pipeline import build_episode

FIGURES = Path(__file__).parent / "fixtures" / "captions" / "sleep-figures.md"
AS_WRITTEN = ["40%", "2023", "$3.5 million", "REM sleep", "15 %", "11–16 Hz", "€12.50",
              "0.5 mg", "1.5 °C", "Dr. Lee", "PTSD", "OCD", "EEG", "2,400", "et al."]  # fmt: skip
SPOKEN = ["forty percent", "twenty twenty-three", "three point five million dollars",
          "rem sleep", "fifteen percent", "eleven to sixteen hertz",
          "twelve euros and fifty cents", "zero point five milligrams",
          "one point five degrees Celsius", "Doctor Lee", "P T S D", "O C D", "E E G",
          "two thousand four hundred", "and colleagues", "example dot org"]  # fmt: skip


def _no_video(settings: Settings) -> Settings:
    return dataclasses.replace(settings, video=dataclasses.replace(settings.video, enabled=False))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _captions(folder: Path) -> tuple[str, list[Cue]]:
    """The text of captions.vtt (cues joined by spaces) and its cues read back by webvtt-py."""

    def seconds(stamp: str) -> float:
        h, m, sec = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(sec)

    cues = []
    for c in webvtt.read(str(folder / "captions.vtt")):
        cues.append(Cue(seconds(c.start), seconds(c.end), tuple(c.text.splitlines())))
    return _flat(" ".join(c.text.replace("\n", " ") for c in cues)), cues


def _page_transcript(folder: Path) -> str:
    page = (folder / "index.html").read_text(encoding="utf-8")
    body = page.split('id="transcript"', 1)[1]
    return _flat(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_captions_and_pages_show_what_the_author_wrote(settings: Settings) -> None:
    result = build_episode(FIGURES, _no_video(settings))
    folder, m = result.folder, result.episode
    vtt, cues = _captions(folder)
    srt = _flat((folder / "captions.srt").read_text(encoding="utf-8"))
    page = _page_transcript(folder)
    for written in AS_WRITTEN:
        assert written in vtt, written
        assert written in srt, written
        assert written in page, written
    assert "https://www.example.org/reports/sleep-2023.pdf" in page
    assert "https://www.example.org/reports/" in vtt  # cut after "/" to fit a line
    for said in ("forty percent", "twenty twenty-three", "P T S D", "rem sleep", "dollars"):
        assert said not in vtt and said not in page, said
    # the voice read the spoken forms (the manifest keeps them for tools)
    spoken = _flat(" ".join(s.spoken for s in m.sentences))
    for said in SPOKEN:
        assert said.lower() in spoken.lower(), said
    assert "40%" not in spoken and "$" not in spoken
    saved = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    assert saved["sentences"][3]["text"].startswith("A survey of 2,400 adults in 2023")
    assert saved["sentences"][3]["spoken"].startswith("A survey of two thousand four hundred")
    # every cue passes the readability rules on the text it shows
    assert cues and all(not cue_problems(c) for c in cues), [
        (c.text, cue_problems(c)) for c in cues if cue_problems(c)
    ]
    assert all(a.start <= b.start for a, b in itertools.pairwise(cues))


def test_cue_starts_match_an_independent_alignment(settings: Settings) -> None:
    """Cue starts (espeak's word events through the map) against pocketsphinx forced alignment
    of the same audio: within 100 ms at p90."""
    from articast.audio import timeline as assemble
    from articast.ingest import load_article
    from articast.narrate import build_script
    from articast.voices import speak
    from articast.voices.align import align_words

    article = load_article(FIGURES, settings.ingest_settings)
    speech = speak(
        build_script(article, None, settings.narrate), settings.voice, settings.cache_root
    )
    aligned = []
    for seg in speech.segments:
        utts = []
        for u in seg.utterances:
            words = align_words(u.text, u.pcm, u.sample_rate)
            assert words is not None, u.text  # the audio says the spoken text
            utts.append(dataclasses.replace(u, words=words))
        aligned.append(SegmentSpeech(seg.segment, tuple(utts)))
    engine_mix = assemble(speech, None, settings.audio)
    aligned_mix = assemble(
        dataclasses.replace(speech, segments=tuple(aligned)), None, settings.audio
    )
    cues = make_cues(engine_mix.sentences)
    reference = [w for s in aligned_mix.sentences for w in shown_words(s)]
    assert [w.text for c in cues for w in c.words] == [w.text for w in reference]
    gaps, k = [], 0
    for cue in cues:
        gaps.append(abs(cue.start - reference[k].start))
        k += len(cue.words)
    assert len(gaps) >= 10
    assert float(np.percentile(gaps, 90)) <= 0.1, gaps
    assert all(not cue_problems(c) for c in cues)


def test_users_article_shows_its_initialisms(settings: Settings, seed_article: Path) -> None:
    result = build_episode(seed_article, _no_video(settings))
    vtt, cues = _captions(result.folder)
    page = _page_transcript(result.folder)
    for text in (vtt, page):
        for written in ("NMDA", "(BDNF)", "(PTSD)", "(OCD)"):
            assert written in text, written
        for spelled in ("N M D A", "B DNF", "P T S D", "B D N F"):
            assert spelled not in text, spelled
    assert all(not cue_problems(c) for c in cues)
    spoken = " ".join(s.spoken for s in result.episode.sentences)
    assert "N M D A" in spoken and "(B D N F)" in spoken


def test_edit_display_and_pronunciation_revoices_one_sentence(fast_settings: Settings) -> None:
    from articast.ingest import load_article
    from articast.narrate import build_script, write_script_md

    settings = _no_video(fast_settings)
    article = load_article(FIGURES, settings.ingest_settings)
    script_path = settings.out_dir.parent / "script.md"
    write_script_md(build_script(article, None, settings.narrate), script_path)
    first = build_episode(FIGURES, settings, script_path=script_path)
    text = script_path.read_text(encoding="utf-8")
    old = "During REM{rem} sleep the brain is as active as when awake"
    new = "During REM{are ee em} sleep the brain is as busy as when awake"
    assert old in text
    script_path.write_text(text.replace(old, new), encoding="utf-8")
    second = build_episode(FIGURES, settings, script_path=script_path)
    assert second.episode.speech.synthesized == 1
    assert first.episode.speech.synthesized > 1
    shown = [s.text for s in second.episode.sentences]
    said = [s.spoken for s in second.episode.sentences]
    assert any(s.startswith("During REM sleep the brain is as busy as when awake") for s in shown)
    assert any(s.startswith("During are ee em sleep the brain is as busy") for s in said)
    assert not any("as active as" in s for s in shown + said)
    vtt, _ = _captions(second.folder)
    assert "REM sleep the brain is as busy" in vtt and "are ee em" not in vtt
    assert "rem sleep the brain is as active" not in vtt
    # the rewritten script keeps the producer's pronunciation
    assert new in (second.folder / "script.md").read_text(encoding="utf-8")


def test_chinese_and_japanese_lines_wrap_between_characters() -> None:
    """No spaces to break at: the text wraps between characters (after a comma or stop when
    one is near), keeps every character, and never starts a line with a closing mark."""
    from articast.captions import layout_lines
    from articast.pictures.imaging import font

    f = font(40, "x")
    text = "港町の灯台守は百年にわたり夜の海を見守ってきた、そして町の人々はその光を覚えている。"
    lines = layout_lines(text, f, 420, max_lines=4)
    assert lines is not None and len(lines) > 1
    assert "".join(lines) == text
    assert all(f.getlength(line) <= 420 for line in lines)
    assert not any(line[0] in "、。" for line in lines)
    assert layout_lines(text * 4, f, 420, max_lines=2) is None
    # text with spaces still breaks between words
    assert layout_lines("Hello world this is fine", f, 400, max_lines=3) == ("Hello world", "this is fine")
