"""Captions: cue building from word timings, readability rules, natural breaks, SRT and WebVTT."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import srt  # type: ignore[import-untyped]
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from articast.captions import (
    MAX_CHARS_PER_LINE,
    break_cost,
    cue_problems,
    layout_lines,
    make_cues,
    split_lines,
    write_srt,
    write_vtt,
)
from articast.models import Cue, TimedSentence, TimedWord
from articast.pictures.imaging import font
from articast.voices.base import SynthParams
from articast.voices.fake import FakeVoice
from video_fixtures import fake_episode

LONG = [
    "During deep non-REM sleep, large populations of neurons fire together in slow waves "
    "of about one cycle per second.",
    "Riding on top of these waves are sleep spindles, short bursts of activity between "
    "11 and 16 Hz that can be seen on an EEG recording.",
    "Researchers think spindles open a window for the hippocampus to replay the day's experiences.",
    "In rodents, place cells that fired along a maze during the day fire again in the same "
    "order at night, roughly 20 times faster.",
    "Hi.",
    "When this replay is disrupted, performance on the maze the next day drops by about "
    "30 percent.",
]


def timed(
    texts: list[str], *, segment_every: int = 3, pause: float = 0.35
) -> tuple[TimedSentence, ...]:
    """Sentences placed one after another with the fake voice's exact word timings."""
    voice = FakeVoice()
    t = 0.0
    out = []
    for i, text in enumerate(texts):
        res = voice.synthesize(text, SynthParams())
        dur = len(res.pcm) / 2 / res.sample_rate
        words = tuple(TimedWord(w.text, t + w.start, t + w.end) for w in res.words)
        out.append(TimedSentence(text, t, t + dur, i // segment_every, words))
        t += dur + pause + (1.2 if i % segment_every == segment_every - 1 else 0.0)
    return tuple(out)


def check_sync(cues: tuple[Cue, ...], sentences: tuple[TimedSentence, ...]) -> None:
    words = [w for s in sentences for w in s.words]
    shown = [w for c in cues for w in c.words]
    assert [w.text for w in shown] == [w.text for w in words]
    for prev, cue in itertools.pairwise(cues):
        assert cue.start >= prev.end - 1e-9, "cues overlap"
    for cue in cues:
        assert abs(cue.start - cue.words[0].start) <= 0.1 + 1e-9
        # A lone short word keeps the minimum duration even past the 0.5 s linger.
        shortest = cue.start + max(0.833, len(" ".join(cue.lines)) / 20)
        assert cue.end <= max(cue.words[-1].end + 0.5, shortest) + 1e-9
        assert cue.end >= cue.words[-1].end - 1e-9
        assert " ".join(cue.lines) == " ".join(w.text for w in cue.words)


def test_break_cost_prefers_punctuation_and_forbids_article_noun() -> None:
    assert break_cost("sleep.", "Then") == 0
    assert break_cost("spindles,", "short") < break_cost("open", "a")
    assert break_cost("waves", "and") < break_cost("waves", "fire")
    assert break_cost("waves", "of") < break_cost("waves", "fire")
    assert break_cost("the", "hippocampus") >= 1000
    assert break_cost("an", "EEG") >= 1000
    assert break_cost("Matthew", "Walker") > break_cost("waves", "fire")
    assert break_cost("16", "Hz") > break_cost("waves", "fire")
    # the author's words: abbreviations end no sentence, numbers keep their unit or scale
    assert break_cost("Dr.", "Lee") >= 1000
    assert break_cost("e.g.", "waking") > break_cost("sleep.", "Then")
    assert break_cost("15", "%") > break_cost("waves", "fire")
    assert break_cost("$3.5", "million") > break_cost("waves", "fire")


def test_split_lines_never_separates_article_and_noun() -> None:
    words = [
        "Researchers",
        "think",
        "spindles",
        "open",
        "a",
        "window",
        "for",
        "the",
        "hippocampus",
        "to",
        "replay",
    ]
    lines = split_lines(words, lambda s: len(s) <= 42)
    assert lines is not None and len(lines) == 2
    assert all(len(line) <= 42 for line in lines)
    assert not lines[0].endswith((" a", " the"))
    assert lines == ("Researchers think spindles open a window", "for the hippocampus to replay")


def test_split_lines_returns_none_when_text_cannot_fit() -> None:
    assert split_lines(["x" * 50], lambda s: len(s) <= 42) is None
    assert split_lines(("word " * 30).split(), lambda s: len(s) <= 42) is None


def test_layout_lines_measures_with_the_real_font() -> None:
    f = font(48)
    text = "Cognitive behavioural therapy for insomnia is now recommended before sleeping pills"
    lines = layout_lines(text, f, 1000)
    assert lines is not None and len(lines) == 2
    assert all(f.getlength(line) <= 1000 for line in lines)
    assert " ".join(lines) == text
    assert layout_lines(text, f, 300) is None
    big = font(100)
    limit = big.getlength("WWWW WWWW") + 1
    wide = layout_lines("WWWW WWWW WWWW WWWW", big, limit)
    assert wide == ("WWWW WWWW", "WWWW WWWW")
    assert layout_lines("iiii iiii iiii iiii", big, limit) == ("iiii iiii iiii iiii",)


def test_cues_from_fake_episode_pass_every_readability_rule(tmp_path: Path) -> None:
    _, _, _, master = fake_episode(tmp_path)
    cues = make_cues(master.sentences)
    assert cues
    for cue in cues:
        assert cue_problems(cue) == [], (cue, cue_problems(cue))
    check_sync(cues, master.sentences)


def test_long_sentences_are_split_at_natural_points() -> None:
    sentences = timed(LONG)
    cues = make_cues(sentences)
    assert len(cues) > len(LONG)
    for cue in cues:
        assert cue_problems(cue) == [], (cue, cue_problems(cue))
        for line in cue.lines:
            assert len(line) <= MAX_CHARS_PER_LINE
            last = line.split()[-1].lower()
            assert last not in {"a", "an", "the"}, line
    check_sync(cues, sentences)


def test_cues_never_span_two_segments() -> None:
    sentences = timed(LONG, segment_every=2)
    cues = make_cues(sentences)
    segment_of = {id(w): s.segment_index for s in sentences for w in s.words}
    by_text = [(w, s.segment_index) for s in sentences for w in s.words]
    k = 0
    for cue in cues:
        segs = {by_text[k + i][1] for i in range(len(cue.words))}
        k += len(cue.words)
        assert len(segs) == 1
    assert segment_of  # every word was seen


def test_engine_words_that_differ_from_tokens_are_mapped_by_position() -> None:
    # espeak merges short words into the next one and splits others ("YouTube" -> You, Tube).
    text = "Watch the talk on YouTube tonight, then sleep on it."
    words = (
        TimedWord("Watch", 10.0, 10.3),
        TimedWord("the talk", 10.35, 10.7),
        TimedWord("on", 10.75, 10.85),
        TimedWord("You", 10.9, 11.0),
        TimedWord("Tube", 11.0, 11.2),
        TimedWord("tonight", 11.25, 11.7),
        TimedWord("then", 11.9, 12.1),
        TimedWord("sleep", 12.15, 12.4),
        TimedWord("on", 12.45, 12.55),
        TimedWord("it", 12.6, 12.7),
    )
    sentence = TimedSentence(text, 10.0, 12.75, 0, words)
    cues = make_cues((sentence,))
    shown = [w for c in cues for w in c.words]
    assert [w.text for w in shown] == text.split()
    assert shown[0].start == pytest.approx(10.0)
    assert shown[4].start == pytest.approx(10.9)  # YouTube starts with "You"
    assert all(b.start >= a.start for a, b in itertools.pairwise(shown))
    for cue in cues:
        assert cue_problems(cue) == []


def test_sentence_without_word_timings_gets_estimated_times() -> None:
    sentence = TimedSentence("One two three four five six seven eight.", 5.0, 8.0, 0, ())
    cues = make_cues((sentence,))
    assert cues and cues[0].start == pytest.approx(5.0)
    assert cues[-1].words[-1].end == pytest.approx(8.0)


def test_srt_and_vtt_parse_with_real_parsers(tmp_path: Path) -> None:
    cues = make_cues(timed(LONG))
    write_srt(cues, tmp_path / "c.srt")
    write_vtt(cues, tmp_path / "c.vtt")
    parsed = list(srt.parse((tmp_path / "c.srt").read_text(encoding="utf-8")))
    assert [p.index for p in parsed] == list(range(1, len(cues) + 1))
    for p, cue in zip(parsed, cues, strict=True):
        assert p.start.total_seconds() == pytest.approx(cue.start, abs=0.001)
        assert p.end.total_seconds() == pytest.approx(cue.end, abs=0.001)
        assert p.content == cue.text
    vtt_text = (tmp_path / "c.vtt").read_text(encoding="utf-8")
    assert vtt_text.startswith("WEBVTT\n\n")
    captions = webvtt.read(str(tmp_path / "c.vtt"))
    assert len(captions) == len(cues)
    for cap, cue in zip(captions.captions, cues, strict=True):
        h, m, sec = cap.start.split(":")
        assert int(h) * 3600 + int(m) * 60 + float(sec) == pytest.approx(cue.start, abs=0.001)
        assert cap.text == cue.text
        assert cap.start.count(":") == 2 and len(cap.start.split(":")[0]) == 2


def test_vtt_escapes_markup_characters(tmp_path: Path) -> None:
    cue = Cue(0.0, 2.0, ("a < b & c",))
    write_vtt([cue], tmp_path / "c.vtt")
    assert "a &lt; b &amp; c" in (tmp_path / "c.vtt").read_text(encoding="utf-8")


WORD = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=1, max_size=14)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(WORD, min_size=1, max_size=30).map(lambda ws: " ".join(ws).capitalize() + "."),
        min_size=1,
        max_size=6,
    )
)
def test_property_every_cue_is_readable_and_in_sync(texts: list[str]) -> None:
    sentences = timed(texts, segment_every=2)
    cues = make_cues(sentences)
    check_sync(cues, sentences)
    for cue in cues:
        assert len(cue.lines) <= 2
        assert all(len(line) <= MAX_CHARS_PER_LINE for line in cue.lines)
        assert cue.end - cue.start <= 7.0 + 1e-6


@pytest.mark.parametrize(
    ("spoken", "shown"),
    [
        ("Poor sleep is common in P T S D and A D H D.", "Poor sleep is common in PTSD and ADHD."),
        ("The N M D A receptor opens.", "The NMDA receptor opens."),
        ("Therapy, known as C B T-I, helps.", "Therapy, known as CBT-I, helps."),
        ("A T-shirt, plan A and I agree.", "A T-shirt, plan A and I agree."),
    ],
)
def test_spelled_initialisms_are_shown_as_words(spoken: str, shown: str) -> None:
    from articast.captions import make_cues

    words = tuple(
        TimedWord(w, 1.0 + 0.3 * i, 1.0 + 0.3 * i + 0.25) for i, w in enumerate(spoken.split())
    )
    sentence = TimedSentence(spoken, 1.0, words[-1].end, 0, words)
    cues = make_cues((sentence,))
    assert " ".join(" ".join(c.lines) for c in cues) == shown
    # the joined word spans its letters: the cue still starts with the first spoken word
    assert cues[0].start == pytest.approx(1.0, abs=0.01)


def test_a_japanese_sentence_is_cut_at_its_commas_not_mid_word() -> None:
    """Chinese and Japanese have no spaces: a sentence longer than a caption line is cut after
    a 、 or 。 (not at the 42nd character, which split a verb from its ending), and every
    character is shown."""
    text = "海岸から数百メートルの畑でも、一度の冬の嵐でレタスの成長が一か月止まるほどのしぶきを浴びる。"
    cues = make_cues((TimedSentence(text, 3.0, 9.0, 0, (TimedWord(text, 3.0, 9.0),)),))
    lines = [line for c in cues for line in c.lines]
    assert "".join(lines).replace(" ", "") == text
    assert lines[0] == "海岸から数百メートルの畑でも、"
    for cue in cues:
        assert cue_problems(cue) == []


BREAKERS = (
    "before --> after",
    "00:00:01,000 --> 00:00:02,000",
    "00:00:01.000 --> 00:00:02.000 align:start",
    "arrows ---> and ----> and -->-->",
    "WEBVTT",
    "NOTE this is not a note",
    "1",
    "<b>bold</b> & <c.x>class</c>",
)


@pytest.mark.parametrize("hostile", BREAKERS)
def test_no_cue_text_breaks_a_caption_file(tmp_path: Path, hostile: str) -> None:
    """A line of the article, a title or a talk title holding ``-->`` (or a whole timing
    line, an empty line, a header word) stays inside its cue: the SubRip and WebVTT files
    parse with ``srt`` and ``webvtt-py`` into exactly the cues written, at their times."""
    cues = [
        Cue(0.0, 1.0, ("First cue",)),
        Cue(1.0, 2.5, (hostile, "second line")),
        Cue(2.5, 4.0, ("", hostile)),
        Cue(4.0, 5.0, ("Last cue",)),
    ]
    write_srt(cues, tmp_path / "c.srt")
    write_vtt(cues, tmp_path / "c.vtt", language="en")
    parsed = list(srt.parse((tmp_path / "c.srt").read_text(encoding="utf-8")))
    assert [(s.start.total_seconds(), s.end.total_seconds()) for s in parsed] == [
        (c.start, c.end) for c in cues
    ]
    vtt = webvtt.read(str(tmp_path / "c.vtt"))
    assert [(c.start, c.end) for c in vtt] == [
        ("00:00:00.000", "00:00:01.000"),
        ("00:00:01.000", "00:00:02.500"),
        ("00:00:02.500", "00:00:04.000"),
        ("00:00:04.000", "00:00:05.000"),
    ]
    for got in (parsed[1].content, vtt[1].raw_text):
        assert "-->" not in got and got.endswith("second line")
    assert parsed[0].content == "First cue" and parsed[3].content == "Last cue"
