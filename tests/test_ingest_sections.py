"""Section rules: lead, empty headings, near-empty sections, long heading-less pages."""

from __future__ import annotations

from articast.ingest._blocks import Block
from articast.ingest._sections import arrange

LONG = "word " * 30


def _p(text: str) -> Block:
    return Block("para", text.strip())


def _h(text: str, level: int = 2) -> Block:
    return Block("heading", text, level=level)


def test_lead_and_headings() -> None:
    drafts = arrange([_p(LONG), _h("One"), _p(LONG), _h("Two"), _p(LONG)])
    assert [d.title for d in drafts] == [None, "One", "Two"]


def test_empty_heading_joins_the_next() -> None:
    drafts = arrange([_p(LONG), _h("Part A"), _h("Intro", 3), _p(LONG)])
    assert [d.title for d in drafts] == [None, "Part A: Intro"]


def test_near_empty_section_under_a_bare_line_joins_the_previous() -> None:
    tiny = Block("heading", "Tiny", bare=True)
    drafts = arrange([_p(LONG), _h("One"), _p(LONG), tiny, _p("just a few words")])
    assert [d.title for d in drafts] == [None, "One"]
    assert drafts[1].paragraphs[-2:] == ["Tiny", "just a few words"]


def test_short_section_under_a_real_heading_stays_a_section() -> None:
    # A reference page's "Constructor" over one line is the page's own part.
    drafts = arrange([_p(LONG), _h("Constructor"), _p("WebSocket() opens one."), _h("Events"), _p(LONG)])
    assert [d.title for d in drafts] == [None, "Constructor", "Events"]
    assert drafts[1].paragraphs == ["WebSocket() opens one."]


def test_a_row_of_empty_headings_keeps_only_those_above_the_next() -> None:
    drafts = arrange(
        [_p(LONG), _h("Laptops"), _h("Top pick", 4), _h("The best", 3), _p(LONG), _h("Popular"),
         _h("Story one", 3), _h("Story two", 3), _h("How we chose"), _p(LONG)]
    )
    assert [d.title for d in drafts] == [None, "Laptops: The best", "How we chose"]


def test_trailing_empty_heading_is_dropped_but_images_kept() -> None:
    img = Block("image", src="a.png")
    drafts = arrange([_p(LONG), _h("End"), img])
    assert [d.title for d in drafts] == [None]
    assert drafts[0].images == [img]


def test_short_lead_joins_first_section() -> None:
    drafts = arrange([_p("Five words in a lead"), _h("One"), _p(LONG)])
    assert [d.title for d in drafts] == ["One"]
    assert drafts[0].paragraphs[0] == "Five words in a lead"


def test_long_headingless_page_is_split() -> None:
    paragraphs = [_p(f"Sentence number {i} is here. " * 12) for i in range(20)]
    drafts = arrange(paragraphs)
    sizes = [d.words for d in drafts]
    assert len(drafts) > 2
    assert all(150 <= n <= 400 for n in sizes), sizes
    assert drafts[0].title is None
    assert [d.title for d in drafts[1:]] == [f"Part {n}" for n in range(2, len(drafts) + 1)]


def test_one_giant_paragraph_is_split_at_sentences() -> None:
    giant = _p("This is one sentence of a very long wall of text. " * 120)
    drafts = arrange([giant])
    assert len(drafts) >= 3
    assert all(d.paragraphs[0].startswith("This is one sentence") for d in drafts)
    assert all(d.words <= 400 for d in drafts)


def test_short_headingless_page_stays_whole() -> None:
    drafts = arrange([_p(LONG), _p(LONG)])
    assert len(drafts) == 1
