"""Issue 27: the visual plan of a section comes from its own words (pictures/plan.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from articast.models import VisualOverrides
from articast.pictures.plan import (
    POINT_WORDS,
    Spoken,
    find_quantities,
    find_quotes,
    key_points,
    plan_section,
)

EN = [
    "Every lighthouse has a signature that sailors learn by heart.",
    "In a 2019 survey, 40% of sailors said they still check the light list, while 12% of "
    "younger crews trust only their satellite plotters.",
    "“A light that fails for one night can cost a hundred lives,” said Ada Lamp, who kept the "
    "Skerry light for thirty years.",
    "The service still employs 12,000 people around the coast, looking after buoys and beacons.",
]
DE = [
    "Jeder Leuchtturm hat eine eigene Kennung, die Seeleute auswendig lernen.",
    "In einer Umfrage sagten 40 % der Seeleute, dass sie die Leuchtfeuerliste noch prüfen, "
    "aber nur 12 % der jüngeren Besatzungen.",
    "Der Dienst beschäftigt an der Küste noch 3.500 Menschen, die Bojen und Baken pflegen.",
]


def spoken(texts: list[str], start: float = 10.0, each: float = 4.0) -> list[Spoken]:
    return [Spoken(t, start + i * each, start + (i + 1) * each - 0.3) for i, t in enumerate(texts)]


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def in_text(piece: str, texts: list[str]) -> bool:
    """``piece`` is the author's words: found in one sentence (an ellipsis marks a cut)."""
    return any(norm(piece.rstrip("…")) in norm(t) for t in texts)


@pytest.mark.parametrize(("texts", "language"), [(EN, "en"), (DE, "de")])
def test_every_beat_is_in_the_sections_own_words(texts: list[str], language: str) -> None:
    plan = plan_section(spoken(texts), "Lights at sea", language)
    kinds = [b.kind for b in plan.beats]
    assert 2 <= kinds.count("points") <= 4
    for beat in plan.beats:
        if beat.kind in ("points", "number", "quote"):
            assert beat.text and in_text(beat.text, texts), beat
            assert len(beat.text.rstrip("…").split()) <= POINT_WORDS
        if beat.kind == "number":
            assert beat.value in beat.text and in_text(beat.value, texts)
        if beat.kind == "chart":
            for item in beat.items:
                assert in_text(item.shown, texts)  # the number exactly as written
                assert all(in_text(w, texts) for w in item.label.rstrip("…").split())
    # A point appears when the voice reaches its sentence and stays to the section's end.
    for beat in plan.of("points"):
        assert beat.start == spoken(texts)[beat.sentence].start
        assert beat.end == spoken(texts)[-1].end


def test_comparable_quantities_make_a_chart_and_a_number_gets_a_number_beat() -> None:
    plan = plan_section(spoken(EN), "Lights at sea", "en")
    (chart,) = plan.of("chart")
    assert chart.chart == "bars"
    assert [(i.shown, i.value) for i in chart.items] == [("40%", 40.0), ("12%", 12.0)]
    assert [i.label for i in chart.items] == ["sailors", "younger"]
    (number,) = plan.of("number")
    assert (number.value, number.text) == ("12,000", "12,000 people")
    s = spoken(EN)[3]
    assert number.start == s.start and number.end >= s.end  # up while it is spoken
    (quote,) = plan.of("quote")
    assert quote.text == "A light that fails for one night can cost a hundred lives"
    assert quote.attribution == "Ada Lamp"
    (icon,) = plan.of("icon")
    assert icon.name  # a Lucide icon by meaning (tests/test_icons.py checks which)


def test_years_make_a_timeline_in_order() -> None:
    texts = [
        "The first lighthouse on the rock was lit in 1854 after a storm.",
        "By 1903 it had a foghorn, and in 1969 the keepers were replaced by machines.",
    ]
    (chart,) = plan_section(spoken(texts), "A rock", "en").of("chart")
    assert chart.chart == "timeline"
    assert [i.shown for i in chart.items] == ["1854", "1903", "1969"]
    assert all(i.label for i in chart.items)


@pytest.mark.parametrize(
    ("language", "sentence", "value", "phrase", "kind"),
    [
        ("en", "About 12,000 patients took part.", "12,000", "12,000 patients", "count:patients"),
        ("en", "Only 40% of adults sleep enough.", "40%", "40% of adults", "percent"),
        ("en", "The grant was $3.5 million in total.", "$3.5 million", "$3.5 million", "money:$"),
        ("en", "It has run since 1998 without a break.", "1998", "since 1998", "year"),
        ("de", "Sie kostete 3,5 Millionen € im Jahr.", "3,5 Millionen €", "3,5 Millionen €",
         "money:€"),
        ("de", "Rund 40 % der Erwachsenen schlafen schlecht.", "40 %", "40 % der Erwachsenen",
         "percent"),
    ],
)  # fmt: skip
def test_numbers_are_shown_as_written(
    language: str, sentence: str, value: str, phrase: str, kind: str
) -> None:
    (q,) = [q for q in find_quantities([sentence], language) if q.value == value]
    assert (q.value, q.phrase, q.kind) == (value, phrase, kind)


def test_numbers_inside_words_and_versions_are_not_quantities() -> None:
    found = find_quantities(["COVID-19 and the A380 changed version 2.0.1 of the plan."], "en")
    assert [q.value for q in found] == []


def test_quotes_in_other_marks_and_without_attribution() -> None:
    assert find_quotes(["„Das Licht darf nie ausgehen“, sagte Ada Lamp."]) == [
        (0, "Das Licht darf nie ausgehen", "Ada Lamp")
    ]
    assert find_quotes(["He called it «a lamp that never sleeps at all»."]) == [
        (0, "a lamp that never sleeps at all", "")
    ]
    assert find_quotes(['A "short one" only.']) == []  # under four words: not a quote


def test_key_points_skip_the_heading_and_keep_lists_whole() -> None:
    texts = [
        "A Unique Approach",
        "The drug is used for severe, treatment-resistant depression in adults.",
        "Researchers now test it for anxiety, pain and addiction across many clinics.",
    ]
    points = [p for _i, p in key_points(texts, "en", title="Ketamine: A Unique Approach")]
    assert not any(norm(p) == "a unique approach" for p in points)
    assert any("severe, treatment-resistant depression" in p for p in points)


def test_producer_overrides_replace_the_choices() -> None:
    ov = VisualOverrides(points=("12,000 people around the coast",), chart=False, icon="anchor")
    plan = plan_section(spoken(EN), "Lights at sea", "en", overrides=ov)
    assert [b.text for b in plan.of("points")] == ["12,000 people around the coast"]
    assert plan.of("chart") == ()
    assert [b.name for b in plan.of("icon")] == ["anchor"]


def test_every_section_of_a_long_article_gets_points_and_an_icon() -> None:
    """(Its time, under 1 s for 5,000 words, is reported by benchmarks/bench_pictures.py.)"""
    words = re.findall(r"\S+", " ".join(EN))
    sections = [spoken([" ".join((words * 3)[k + i:k + i + 20]) + "." for i in range(12)])
                for k in range(20)]  # fmt: skip
    plans = [plan_section(s, f"Part {i}", "en") for i, s in enumerate(sections)]
    assert all(len(p.of("points")) >= 2 and len(p.of("icon")) == 1 for p in plans)


def test_a_french_point_keeps_its_opening_preposition() -> None:
    """'en' is a joining word in Dutch but 'in' in French and Spanish: 'En 2020, ...' stays."""
    texts = [
        "En 2020, 35 % des adultes dormaient mal, contre 20 % des adolescents.",
        "Le programme a touché 8 000 patients dans douze villes du pays.",
    ]
    points = [p for _i, p in key_points(texts, "fr")]
    assert points[0] == "En 2020, 35 % des adultes dormaient mal"


def test_the_episode_icon_follows_the_title_and_its_language(
    tmp_path: Path,
) -> None:
    """Cover, title card and thumbnail share one icon, chosen from the title and the first
    section titles in the article's language."""
    from articast.config import IngestSettings
    from articast.ingest import load_article
    from articast.pictures.icons import icon_names
    from articast.pictures.plan import episode_icon

    folder = tmp_path
    en = folder / "en.md"
    en.write_text(
        "# Rain, storms and the weather\n\n## Clouds\n\nClouds gather over the hills and the "
        "rain starts. Storms follow in the afternoon and the wind picks up quickly.\n",
        encoding="utf-8",
    )
    fr = folder / "fr.md"
    fr.write_text(
        "# Dormir mieux : le sommeil et la mémoire\n\n## Le cerveau la nuit\n\nPendant le "
        "sommeil profond, le cerveau trie les souvenirs de la journée et les range.\n",
        encoding="utf-8",
    )
    settings = IngestSettings(allow_network=False)
    a_en, a_fr = load_article(en, settings), load_article(fr, settings)
    assert a_fr.language.startswith("fr")
    name = episode_icon(a_en)
    assert name in icon_names() and name == episode_icon(a_en)
    assert re.search(r"cloud|rain|storm|umbrella|wind", name), name
    assert episode_icon(a_fr) == "file-text"  # no English words to go by: the neutral page
