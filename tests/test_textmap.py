"""The token map between a sentence's display text and its spoken text (``articast.textmap``)."""

from __future__ import annotations

import itertools

import pytest

from articast.models import Sentence
from articast.text.rules import apply_mapped, reading_rules
from articast.textmap import MappedText, display_timings, token_groups


def _read(text: str) -> Sentence:
    return apply_mapped(MappedText.plain(text), reading_rules()).sentence()


@pytest.mark.parametrize(
    ("display", "spoken", "groups"),
    [
        (
            "In 2023, sales rose 15 %.",
            "In twenty twenty-three, sales rose fifteen percent.",
            ((1, 1), (1, 2), (1, 1), (1, 1), (1, 1), (1, 1)),
        ),
        (
            "An NMDA receptor (BDNF), see.",
            "An N M D A receptor (B D N F), see.",
            ((1, 1), (1, 4), (1, 1), (1, 4), (1, 1)),
        ),
        ("Up to $3.5 million.", "Up to three point five million dollars.",
         ((1, 1), (1, 1), (2, 5))),
        ("Smith et al. agree.", "Smith and colleagues agree.", ((1, 1), (2, 2), (1, 1))),
        ("Read it at https://www.example.org/a/b.pdf now.",
         "Read it at example dot org now.", ((1, 1), (1, 1), (1, 1), (1, 3), (1, 1))),
        ("REM sleep helps.", "Rem sleep helps.", ((1, 1), (1, 1), (1, 1))),
    ],
)  # fmt: skip
def test_rules_record_the_token_map(
    display: str, spoken: str, groups: tuple[tuple[int, int], ...]
) -> None:
    s = _read(display)
    assert (s.display, s.spoken) == (display, spoken)
    assert token_groups(s) == groups
    assert sum(d for d, _ in groups) == len(display.split())
    assert sum(w for _, w in groups) == len(spoken.split())


def test_a_display_token_spans_its_first_to_last_spoken_word() -> None:
    s = _read("In 2023, sales rose 40%.")
    assert s.spoken == "In twenty twenty-three, sales rose forty percent."
    times = [(float(i), i + 0.5) for i in range(len(s.spoken.split()))]
    toks = display_timings(s, times)
    assert [t.text for t in toks] == ["In", "2023,", "sales", "rose", "40%."]
    assert (toks[1].start, toks[1].end) == (1.0, 2.5)  # "twenty" .. "twenty-three,"
    assert (toks[4].start, toks[4].end) == (5.0, 6.5)  # "forty" .. "percent."
    assert [t.first_word for t in toks] == [0, 1, 3, 4, 5]


def test_a_token_the_voice_skips_joins_its_neighbour() -> None:
    text = MappedText.plain("Here [1] it is.").sub(r" \[1\]", "")
    s = text.sentence()
    assert (s.display, s.spoken) == ("Here [1] it is.", "Here it is.")
    assert token_groups(s) == ((2, 1), (1, 1), (1, 1))
    toks = display_timings(s, [(0.0, 0.4), (0.5, 0.7), (0.8, 1.0)])
    assert [(t.text, t.start, t.end) for t in toks][:2] == [("Here", 0.0, 0.4), ("[1]", 0.4, 0.4)]


def test_wide_rewrites_are_split_where_whole_tokens_agree() -> None:
    s = _read("They worked between 2010 and 2020.")
    changed = [(p.display, p.spoken) for p in s.pieces if p.changed]
    assert changed == [("2010", "twenty ten"), ("2020", "twenty twenty")]


def test_plain_str_rules_still_map_coarsely() -> None:
    def shout(text: str) -> str:
        return text.replace("quiet", "LOUD")

    s = apply_mapped(MappedText.plain("a quiet word"), [shout]).sentence()
    assert (s.display, s.spoken) == ("a quiet word", "a LOUD word")
    assert token_groups(s) == ((1, 1), (1, 1), (1, 1))


def test_written_pronunciations_are_never_rewritten() -> None:
    text = MappedText.join([("Keep ", None), ("2023", "2023"), (" and 2024.", None)])
    s = apply_mapped(text, reading_rules()).sentence()
    assert s.display == "Keep 2023 and 2024."
    assert s.spoken == "Keep 2023 and two thousand and twenty-four."


def test_language_free_tokens() -> None:
    # No English in the mechanism: any rule on any script maps by whitespace tokens.
    text = MappedText.plain("Am 3. Mai kostet es 12 €.").sub(r"12 €", "zwölf Euro")
    s = text.sentence()
    assert s.spoken == "Am 3. Mai kostet es zwölf Euro."
    assert token_groups(s)[-1] == (2, 2)


def test_a_shared_group_anchors_the_words_it_shows() -> None:
    s = _read("Up to $3.5 million.")
    times = [(float(i), i + 0.5) for i in range(len(s.spoken.split()))]
    toks = display_timings(s, times)
    # "$3.5" is "three point five" (words 2-4), "million." is "million dollars." (5-6)
    assert [(t.text, t.start) for t in toks] == [
        ("Up", 0.0),
        ("to", 1.0),
        ("$3.5", 2.0),
        ("million.", 5.0),
    ]
    assert toks[2].end == 4.5 and toks[3].end == 6.5  # "million." ends with "dollars."


def test_timings_are_ordered_and_cover_every_sentence_of_the_samples() -> None:
    from pathlib import Path

    from articast.config import IngestSettings, NarrateSettings
    from articast.ingest import load_article
    from articast.narrate import build_script
    from conftest import SAMPLES, SEED

    figures = Path(__file__).parent / "fixtures" / "captions" / "sleep-figures.md"
    sources = [*sorted(SAMPLES.glob("*.html")), *sorted(SAMPLES.glob("*.md")),
               *sorted(SAMPLES.glob("*.txt")), figures]  # fmt: skip
    if SEED.is_file():
        sources.append(SEED)
    checked = 0
    for source in sources:
        script = build_script(load_article(source, IngestSettings()), None, NarrateSettings())
        for seg in script.segments:
            for i in range(len(seg.sentences)):
                form = seg.form(i)
                n = len(form.spoken.split())
                times = [(0.3 * k, 0.3 * k + 0.25) for k in range(n)]
                toks = display_timings(form, times)
                assert [t.text for t in toks] == form.display.split()
                assert toks[0].start == 0.0 and toks[-1].end == times[-1][1], form
                assert all(t.end >= t.start for t in toks)
                assert all(a.start <= b.start for a, b in itertools.pairwise(toks))
                checked += 1
    assert checked > 50
