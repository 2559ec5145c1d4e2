"""Exact in/out cases for every speakable-text rule in ``articast.text.rules``.

``CASES`` change their input; each must (1) come out of its own rule exactly as written and
(2) come out of the whole rule chain differently when its rule is left out, so removing any rule
fails at least one case. ``GUARDS`` are inputs a rule must leave alone (decimals, URLs, initials).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from articast.errors import InputError
from articast.text import rules as R
from articast.text.lexicon import default_lexicon, load_lexicon

ALL = R.all_rules()
BY_NAME = {rule.__name__: rule for rule in ALL}

CASES: list[tuple[str, str, str]] = [
    # normalize_typography
    ("normalize_typography", "\u201cBrain\u2019s\u201d potential", '"Brain\'s" potential'),
    ("normalize_typography", "\ufb01eld and \ufb02ow", "field and flow"),
    ("normalize_typography", "wait\u2026 what", "wait... what"),
    ("normalize_typography", "soft\u00adware", "software"),
    # describe_code_and_tables
    (
        "describe_code_and_tables",
        "Run this:\n```python\nx = [1, 2]\n```\nDone.",
        "Run this:\n\nThe article shows a code example here.\n\nDone.",
    ),
    (
        "describe_code_and_tables",
        "| a | b |\n|---|---|\n| 1 | 2 |\nAfter.",
        "The article shows a table here.\n\nAfter.",
    ),
    ("describe_code_and_tables", "```html\nThe text.", "The text."),
    # strip_markup
    ("strip_markup", "<strong>Dive</strong> into the brain.", "Dive into the brain."),
    ("strip_markup", "A **bold** and *quiet* `idea`.", "A bold and quiet idea."),
    ("strip_markup", "See [the talk](https://youtu.be/x) now.", "See the talk now."),
    ("strip_markup", "Salt &amp; pepper", "Salt & pepper"),
    # read_urls
    ("read_urls", "Read more at https://example.org/a.html.", "Read more at example dot org."),
    ("read_urls", "The paper (www.example.org/p) says so.", "The paper (example dot org) says so."),
    # drop_footnote_marks
    (
        "drop_footnote_marks",
        "Sleep helps memory.[12] It works[3-5].",
        "Sleep helps memory. It works.",
    ),
    ("drop_footnote_marks", "as shown\u00b9 here [citation needed].", "as shown here ."),
    # drop_emoji
    ("drop_emoji", "Sleep well \U0001f634!", "Sleep well!"),
    ("drop_emoji", "Great \U0001f44d\U0001f3fd work \u2728 today.", "Great work today."),
    # repair_missing_spaces
    (
        "repair_missing_spaces",
        "their use.Ketamine administration",
        "their use. Ketamine administration",
    ),
    ("repair_missing_spaces", "side effects,such as", "side effects, such as"),
    ("repair_missing_spaces", "of PTSD and ADHD.In people", "of PTSD and ADHD. In people"),
    ("repair_missing_spaces", "and Dr.Smith agreed", "and Dr. Smith agreed"),
    ("repair_missing_spaces", "at 12 Hz.it is fast", "at 12 Hz. it is fast"),
    ("repair_missing_spaces", "Note:this matters", "Note: this matters"),
    # capitalize_sentence_starts
    (
        "capitalize_sentence_starts",
        "it works. this action triggers.",
        "It works. This action triggers.",
    ),
    ("capitalize_sentence_starts", "Wait... then it slept! why?", "Wait... then it slept! Why?"),
    (
        "capitalize_sentence_starts",
        "I said no. then cf. the note, etc. and so on.",
        "I said no. Then cf. the note, etc. and so on.",
    ),
    # expand_abbreviations
    (
        "expand_abbreviations",
        "Drugs, e.g. ketamine, i.e. an anesthetic.",
        "Drugs, for example ketamine, that is an anesthetic.",
    ),
    (
        "expand_abbreviations",
        "Dr. Lee et al. found rats, mice, etc.",
        "Doctor Lee and colleagues found rats, mice, et cetera.",
    ),
    ("expand_abbreviations", "See Fig. 2 and No. 5.", "See Figure 2 and number 5."),
    # read_symbols
    ("read_symbols", "salt & pepper", "salt and pepper"),
    ("read_symbols", "~20 rats, 5 \u00b1 2", "about 20 rats, 5 plus or minus 2"),
    ("read_symbols", "a 10x rise, 3 \u00d7 4", "a 10 times rise, 3 times 4"),
    # read_dashes
    ("read_dashes", "between 11\u201316 Hz", "between 11 to 16 Hz"),
    (
        "read_dashes",
        "synaptogenesis \u2013 the formation of synapses \u2013 observed",
        "synaptogenesis, the formation of synapses, observed",
    ),
    # read_years
    ("read_years", "In 1995 and since 2019", "In nineteen ninety-five and since twenty nineteen"),
    ("read_years", "the 1990s and 2000 people", "the nineteen nineties and 2000 people"),
    ("read_years", "(Smith, 2019)", "(Smith, twenty nineteen)"),
    (
        "read_years",
        "between 2010 and 2020, in Q3 2024",
        "between twenty ten and twenty twenty, in Q3 twenty twenty-four",
    ),
    # read_currency
    ("read_currency", "It cost $5 or $4.50.", "It cost 5 dollars or 4 dollars and 50 cents."),
    (
        "read_currency",
        "a \u20ac2.5 million grant and \u00a31",
        "a 2.5 million euros grant and 1 pound",
    ),
    # read_temperatures
    ("read_temperatures", "Heat it to 60 \u00b0C.", "Heat it to 60 degrees Celsius."),
    (
        "read_temperatures",
        "At -5\u00b0F or 1 \u00b0C",
        "At minus 5 degrees Fahrenheit or 1 degree Celsius",
    ),
    # read_percentages
    ("read_percentages", "drops by about 30 %.", "drops by about 30 percent."),
    ("read_percentages", "2.5% of adults", "2.5 percent of adults"),
    # read_units
    ("read_units", "spindles at 16 Hz", "spindles at 16 hertz"),
    (
        "read_units",
        "0.5 mg/kg and 1 km and 200 ms",
        "0.5 milligrams per kilogram and 1 kilometer and 200 milliseconds",
    ),
    ("read_units", "an area of 3 m\u00b2", "an area of 3 square meters"),
    # spell_initialisms
    ("spell_initialisms", "an NMDA receptor", "an N M D A receptor"),
    ("spell_initialisms", "BDNF, PTSD and OCD", "B D N F, P T S D and O C D"),
    ("spell_initialisms", "REM sleep and NASA, not XYZ", "Rem sleep and NASA, not X Y Z"),
    ("spell_initialisms", "therapy (CBT-I) and non-REM", "therapy (C B T I) and non-rem"),
    ("spell_initialisms", "the HRV of two SNRIs", "the H R V of two S N R I's"),
    ("spell_initialisms", "NMDA-receptor and anti-HRV", "N M D A-receptor and anti-H R V"),
    ("spell_initialisms", "World War II changed THE XYZ", "World War II changed THE X Y Z"),
    # read_ordinals
    ("read_ordinals", "the 1st and 21st night", "the first and twenty-first night"),
    ("read_ordinals", "a 19th-century idea", "a nineteenth-century idea"),
    # read_times
    ("read_times", "At 10:30 or 9:05 pm", "At 10 30 or 9 oh 5 p m"),
    ("read_times", "by 7:00, a 1:2 ratio", "by 7 o'clock, a 1 to 2 ratio"),
    # read_numbers
    ("read_numbers", "roughly 20 times", "roughly twenty times"),
    (
        "read_numbers",
        "1,500 people and 3.5 hours",
        "one thousand five hundred people and three point five hours",
    ),
    ("read_numbers", "from -5 to 0, an MP3", "from minus five to zero, an MP3"),
    # tidy_spacing
    ("tidy_spacing", " one ,, two ", "one, two"),
    ("tidy_spacing", "( spaced )  out", "(spaced) out"),
]

GUARDS: list[tuple[str, str]] = [
    ("repair_missing_spaces", "It rose 3.5 times, from 1,000 (e.g. J.R.R. Tolkien) at 10:30."),
    ("repair_missing_spaces", "See www.example.org/Page.Html and the U.S. Army."),
    ("repair_missing_spaces", "Open notes.txt in Node.js, e.g.the end"),
    ("capitalize_sentence_starts", "It grew, e.g. the cortex. mRNA is fine. iPhones too."),
    ("read_dashes", "brain-derived factor and COVID-19"),
    ("spell_initialisms", "THE SCIENCE OF SLEEP"),
    ("read_numbers", "an MP3 of 3D scans"),
    ("read_units", "the m and the s"),
    ("read_years", "a sample of 1500 people"),
    ("strip_markup", "if x < 5 and y > 3"),
]


def test_enough_cases_and_every_rule_covered() -> None:
    assert len(CASES) >= 40
    assert {name for name, _, _ in CASES} == set(BY_NAME)


@pytest.mark.parametrize(("name", "given", "expected"), CASES)
def test_rule_exact(name: str, given: str, expected: str) -> None:
    assert BY_NAME[name](given) == expected


@pytest.mark.parametrize(("name", "given", "expected"), CASES)
def test_case_fails_without_its_rule(name: str, given: str, expected: str) -> None:
    del expected
    without = tuple(rule for rule in ALL if rule.__name__ != name)
    assert len(without) == len(ALL) - 1
    assert R.apply_rules(given, without) != R.apply_rules(given, ALL)


@pytest.mark.parametrize(("name", "given"), GUARDS)
def test_rule_leaves_alone(name: str, given: str) -> None:
    assert BY_NAME[name](given) == given


def test_rule_names_and_docstrings() -> None:
    names = [rule.__name__ for rule in ALL]
    assert len(names) == len(set(names))
    for rule in ALL:
        assert rule.__doc__ and len(rule.__doc__.strip()) > 20, rule.__name__


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "their use.Ketamine administration is typical",
            "Their use. Ketamine administration is typical",
        ),
        ("drops by about 30 % in 1995.", "Drops by about thirty percent in nineteen ninety-five."),
        ("an NMDA receptor at 60 \u00b0C", "An N M D A receptor at sixty degrees Celsius"),
        ("<em>see</em> https://x.org/a.html [2] \U0001f634", "See x dot org"),
    ],
)
def test_speakable_whole_chain(given: str, expected: str) -> None:
    assert R.speakable(given) == expected


def test_shipped_lexicon_has_the_issue_terms() -> None:
    lex = default_lexicon()
    assert lex["NMDA"] == "N M D A"
    for term in ("BDNF", "PTSD", "OCD", "EEG", "REM", "ADHD", "CBT-I", "NASA"):
        assert term in lex


def test_user_lexicon_extends_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text('GLP = "G L P"\nNASA = "N A S A"\nQUUX = "kwucks"\n', encoding="utf-8")
    lex = load_lexicon(path)
    rule = R.make_initialism_rule(lex)
    assert rule("NASA and QUUX with NMDA") == "N A S A and kwucks with N M D A"
    assert R.speakable("QUUX works.", lex) == "Kwucks works."
    assert lex["PTSD"] == "P T S D"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("NMDA = 3\n", "must be a string"),
        ("NMDA = [\n", "not a valid TOML lexicon"),
        ('"two words" = "x"\n', "one word"),
    ],
)
def test_bad_user_lexicon_is_one_clear_line(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "lex.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_lexicon(path)
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_user_lexicon(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the lexicon"):
        load_lexicon(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("лампу.в штормовые ночи", "Лампу. В штормовые ночи"),
        ("воду.Грядка рядом", "Воду. Грядка рядом"),
        ("Ελλάδα.η χώρα", "Ελλάδα. Η χώρα"),
        ("fin. ¿qué pasa? nada.", "Fin. ¿Qué pasa? Nada."),
        ("résumé.élan vital", "Résumé. Élan vital"),
        # left alone, as before: file names, initials, decimals, abbreviations
        ("Node.js and e.g. the rest", "Node.js and e.g. the rest"),
        ("see x.y and main.c here", "See x.y and main.c here"),
        ("3.5 and 1,000", "3.5 and 1,000"),
        ("U.S.Army", "U.S. Army"),
        ("港の灯台。夜の海", "港の灯台。夜の海"),
    ],
)
def test_missing_spaces_and_small_starts_in_any_script(before: str, after: str) -> None:
    from articast.text.rules import capitalize_sentence_starts, repair_missing_spaces

    assert capitalize_sentence_starts(repair_missing_spaces(before)) == after


def test_chinese_and_japanese_sentences_are_counted_and_never_skipped() -> None:
    from articast.models import Script, Segment
    from articast.narrate.limits import MAX_TOKEN_CHARS, bound_script, spoken_words

    assert spoken_words("塩は根から水を奪う。") == 5
    assert spoken_words("Salt takes water from roots.") == 5
    long = "、".join(["海岸から数百メートルの畑でも冬の嵐でしぶきを浴びる"] * 12) + "。"
    assert len(long) > MAX_TOKEN_CHARS
    script = Script(title="t", segments=(Segment("section", "s", (long,)),))
    pieces = bound_script(script).segments[0].sentences
    # cut into pieces at its commas, every character still said
    assert len(pieces) > 1 and "".join(pieces) == long
    assert all(len(p) <= 100 for p in pieces)
