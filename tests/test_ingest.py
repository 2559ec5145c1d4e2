"""Ingest on the project's sample articles, the user's seed article and refused inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from articast.config import IngestSettings
from articast.errors import InputError
from articast.ingest import article_to_json, load_article
from articast.models import Article

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample"
SEED = Path("/work/shared/seeds/000_b63b767e2abb3905.txt")
OFFLINE = IngestSettings(allow_network=False)
DEBRIS = ("html", "article", "section", "<", "`")


def _all_text(article: Article) -> list[str]:
    texts = [article.title]
    for s in article.sections:
        texts.extend(s.paragraphs)
        if s.title:
            texts.append(s.title)
    return texts


def _assert_no_debris(article: Article) -> None:
    for text in _all_text(article):
        for bad in DEBRIS:
            assert bad not in text.lower(), f"{bad!r} in {text[:80]!r}"


def test_broken_sample_structure() -> None:
    a = load_article(SAMPLE / "sleep-and-memory.txt", OFFLINE)
    assert a.title == "Night Shift: How the Sleeping Brain Files Away the Day"
    assert a.kind == "html"
    assert [s.title for s in a.sections] == [
        None,
        "Slow Waves and Spindles: The Hardware of Overnight Memory",
        "From Hippocampus to Cortex: Rewriting the Archive",
        "When Sleep Goes Wrong: Insomnia, PTSD and Memory",
    ]
    assert a.talk is not None
    assert a.talk.video_id == "Xq3vN8sLk2E"
    assert a.talk.start == 95
    assert a.talk.url == "https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s"
    assert any("missing-sleep-diagram.png" in w for w in a.warnings)
    _assert_no_debris(a)


def test_broken_sample_text_is_faithful() -> None:
    """Ingest does not repair spacing or capitals: narrate does."""
    a = load_article(SAMPLE / "sleep-and-memory.txt", OFFLINE)
    text = "\n".join(s.text for s in a.sections)
    assert "the cortex.Over weeks" in text
    assert text.rstrip().endswith("an active area of")
    assert a.sections[0].paragraphs[0].startswith("Every night your brain runs")
    assert a.sections[0].images[0].alt == "Diagram of sleep stages across one night"
    assert a.sections[0].images[0].path is None


def test_seed_article() -> None:
    if not SEED.is_file():
        pytest.skip("the user's seed article is not on this machine")
    a = load_article(SEED, OFFLINE)
    assert a.title == (
        "Unlocking the Brain's Potential: Exploring the Neurological Impact of Ketamine"
    )
    assert a.sections[0].title is None
    assert len(a.sections) == 4
    assert all(s.title for s in a.sections[1:])
    assert a.talk is not None
    assert a.talk.video_id == "YLRWoMVNEq8"
    assert a.talk.url == "https://www.youtube.com/watch?v=YLRWoMVNEq8"
    assert a.talk.start is None
    assert any("placeholder-brain-ketamine.jpg" in w for w in a.warnings)
    _assert_no_debris(a)


def test_sniffs_content_not_name(tmp_path: Path) -> None:
    html = (SAMPLE / "sleep-and-memory.txt").read_bytes()
    odd = tmp_path / "article.md"
    odd.write_bytes(html)
    assert load_article(odd, OFFLINE).kind == "html"
    md = tmp_path / "notes.html"
    md.write_text(
        "# A draft\n\nSome words in a paragraph that is long enough.\n\n## Next\n\nMore.\n"
    )
    assert load_article(md, OFFLINE).kind == "markdown"


def test_json_shape() -> None:
    a = load_article(SAMPLE / "sleep-and-memory.txt", OFFLINE)
    data = article_to_json(a)
    json.dumps(data)
    assert set(data) >= {
        "title",
        "language",
        "byline",
        "sections",
        "talk",
        "talks",
        "links",
        "warnings",
    }
    assert data["talk"] == {
        "url": "https://www.youtube.com/watch?v=Xq3vN8sLk2E&t=95s",
        "video_id": "Xq3vN8sLk2E",
        "start": 95,
        "text": "Diagram of sleep stages across one night",
    }
    assert data["sections"][0]["title"] is None
    assert data["sections"][0]["images"] == [
        {
            "src": "missing-sleep-diagram.png",
            "alt": "Diagram of sleep stages across one night",
            "path": None,
        }
    ]
    assert data["language"] == "en"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"<html><body><script>var x = 1;</script></body></html>", "no readable text"),
    ],
)
def test_refused_inputs(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "article.txt"
    p.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        load_article(p, OFFLINE)
    assert "\n" not in str(info.value)


def test_missing_path_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_article(tmp_path / "nope.html", OFFLINE)
    with pytest.raises(InputError, match="folder"):
        load_article(tmp_path, OFFLINE)


def test_limits(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("word " * 2000)
    with pytest.raises(InputError, match="word limit"):
        load_article(p, IngestSettings(allow_network=False, max_words=1000))
    with pytest.raises(InputError, match="byte limit"):
        load_article(p, IngestSettings(allow_network=False, max_bytes=5000))


def test_url_offline_fails_at_once() -> None:
    with pytest.raises(InputError, match="network use is off"):
        load_article("https://example.org/article", OFFLINE)


@pytest.mark.parametrize(
    "figure",
    [
        # a linked picture: the caption sits inside the link
        '<figure><a href="/big.jpg"><img src="a.jpg" alt="{c}"><figcaption>{c}</figcaption></a></figure>',
        # the same written inside a paragraph: a browser closes the <p> and moves the link in
        '<p><a href="/big.jpg"> <figure><img src="a.jpg" alt="{c}"><figcaption>{c}</figcaption></figure></a></p>',
    ],
)
def test_figure_caption_said_once(tmp_path: Path, figure: str) -> None:
    caption = "Keepers trimmed the wick of the north light every four hours through the night."
    prose = " ".join(
        f"Paragraph {n} of the story about harbour lamps and the people who kept them burning."
        for n in range(4)
    )
    page = tmp_path / "page.html"
    page.write_text(
        f"<html><head><title>Harbour lamps</title></head><body><article><h1>Harbour lamps</h1>"
        f"<p>{prose}</p>{figure.format(c=caption)}<p>{prose}</p></article></body></html>",
        encoding="utf-8",
    )
    a = load_article(page, OFFLINE)
    paragraphs = [p for s in a.sections for p in s.paragraphs]
    assert paragraphs.count(caption) == 1
    assert sum(p.count("north light") for p in paragraphs) == 1


def test_slideshow_caption_pager_and_counters_said_once() -> None:
    a = load_article(ROOT / "tests" / "fixtures" / "ingest" / "slideshow.html", OFFLINE)
    paragraphs = [p for s in a.sections for p in s.paragraphs]
    assert paragraphs.count("Storm closes the coast road") == 1
    assert not [p for p in paragraphs if "of 6" in p or "<" in p or p.isdigit()]
    assert "Foot passengers: $10 a return" in paragraphs and "Bicycles: $10 a return" in paragraphs
    assert [s.title for s in a.sections] == [None, "Ferry times"]


def test_debris_rules_keep_numbers_and_facts() -> None:
    from articast.ingest._blocks import Block
    from articast.ingest._cleanup import _without_debris

    note = "Each plan can be cancelled at any time from the account page."
    blocks = [
        Block("para", "Prices this year"),
        Block("para", "$14.55"),
        Block("para", "2026"),
        Block("para", "$10 a month"),
        Block("para", "$10 a month"),  # two plans, one price: two facts
        Block("para", note),
        Block("para", note),  # the same note in two code tabs
        Block("para", "1"),
        Block("para", "2"),
        Block("para", "3"),
        Block("para", ">>"),
        Block("para", "Slide 3/12"),
        Block("para", "The end of the story."),
    ]
    assert [b.text for b in _without_debris(blocks)] == [
        "Prices this year",
        "$14.55",
        "2026",
        "$10 a month",
        "$10 a month",
        note,
        "The end of the story.",
    ]


def test_a_story_held_twice_is_read_once() -> None:
    """The page's body holds its story twice (a print copy after the first): read once."""
    a = load_article(ROOT / "tests" / "fixtures" / "ingest" / "story-twice.html", OFFLINE)
    assert [s.title for s in a.sections] == [None, "Why it had to go"]
    text = " ".join(p for s in a.sections for p in s.paragraphs)
    assert text.count("swing bridge over the harbour mouth") == 1
    assert text.count("repaint it in its original green") == 1


def test_a_hidden_modal_after_an_article_with_a_toggle_still_goes(tmp_path: Path) -> None:
    prose = " ".join(f"Sentence {n} about the harbour lamps and the people who lit them." for n in range(12))
    page = tmp_path / "modal.html"
    page.write_text(
        "<html><head><title>Lamps</title></head><body><main><article><h1>Lamps</h1>"
        f"<div class='body'><p>{prose}</p><button aria-expanded='false'>Share</button>"
        f"<p>{prose.replace('Sentence', 'Line')}</p></div><div class='box' hidden><p>Join our mailing list for ten "
        "percent off your first order of lamp oil and wicks.</p></div></article></main></body></html>",
        encoding="utf-8",
    )
    text = " ".join(p for s in load_article(page, OFFLINE).sections for p in s.paragraphs)
    assert "Line 11" in text and "mailing list" not in text


def test_a_feed_of_other_stories_needs_both_libraries() -> None:
    """A trailing feed of the site's other stories (linked titles, dates, a line of summary)
    stays only when both libraries keep it; the same linked titles before the article's last
    heading of its own (product cards over a review) are the article's."""
    from articast.ingest._blocks import Block
    from articast.ingest._libs import Opinions, vote

    def card(title: str, summary: str) -> list[Block]:
        return [Block("heading", title, level=3, linked=True), Block("para", summary)]

    lead = "The harbour lamps were lit by hand every evening for two hundred years until the council bought electric ones."
    body = "Keepers walked the quay at dusk with a ladder, a can of oil and a long brass taper for the high lamps."
    pick = "Our favourite lantern burns for twenty hours on a tank of oil and survives a fall onto the quay."
    feed = [
        ("Ferry adds a winter crossing", "From January the ferry sails twice a day to the outer islands."),
        ("Harbour inn reopens", "The oldest inn on the quay has fourteen rooms and a restored bar."),
        ("Five walks on the headland", "Short winter routes that pass a cafe and drain quickly after rain."),
    ]
    blocks = [
        *card("Storm Lantern 300", pick),
        Block("para", lead),
        Block("heading", "The keepers"),
        Block("para", body),
        Block("heading", "Read this next"),
        *[b for title, summary in feed for b in card(title, summary)],
    ]
    article = "\n".join([pick, lead, "The keepers", body])
    everything = article + "\n" + "\n".join(f"{t}\n{s}" for t, s in feed)
    # trafilatura reads on into the feed, readability stops at the article: the feed goes
    kept = vote(blocks, Opinions(everything, article))
    assert [b.text for b in kept] == [b.text for b in blocks[:5]]
    # both keep it (a digest page of stories is the article): it stays
    assert vote(blocks, Opinions(everything, everything)) == blocks


@pytest.mark.parametrize(
    ("heading", "linked"),
    [
        ("<h3><a href='/ferry-adds-a-crossing/'>Ferry adds a crossing</a></h3>", True),
        ("<h3><a href='https://www.harbour.example/inn/'>Harbour inn reopens</a></h3>", True),
        # a shop's page (a product in a roundup), a permalink, a heading partly linked
        ("<h3><a href='https://shop.example/lamp'>Storm Lantern 300</a></h3>", False),
        ("<h3><a href='#keepers'>The keepers</a></h3>", False),
        ("<h3>Read <a href='/more/'>more</a></h3>", False),
        ("<h3><a href='javascript:void(0)'>Open</a></h3>", False),
    ],
)
def test_a_linked_heading_is_one_to_another_page_of_the_site(heading: str, linked: bool) -> None:
    import lxml.html

    from articast.ingest._dom import _links_to_site

    assert _links_to_site(lxml.html.fragment_fromstring(heading), "harbour.example") is linked


def test_class_names_that_say_a_box_holds_text() -> None:
    """Boxes after the article join it when they share such a name (body-then-faq.html);
    page builders' and layout names say nothing about the text."""
    import lxml.html

    from articast.ingest._container import _content_classes

    def names(cls: str) -> set[str]:
        return _content_classes(lxml.html.fragment_fromstring(f"<div class='{cls}'>x</div>"))

    assert names("c-rich-text-blog w-richtext") == {"c-rich-text-blog", "w-richtext"}
    assert names("elementor-element elementor-widget-theme-text-block") == {
        "elementor-widget-theme-text-block"
    }
    assert names("post-body entry-content") == {"post-body", "entry-content"}
    assert names("shopify-section widget_posts_slot text-center col-md-8 elementor-widget") == set()
