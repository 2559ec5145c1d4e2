"""Real-world page shapes: each fixture gives the expected title, sections and no boilerplate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from articast.config import IngestSettings
from articast.ingest import load_article
from articast.models import Article

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SAMPLE = Path(__file__).resolve().parents[1] / "assets" / "sample"
OFFLINE = IngestSettings(allow_network=False)


@dataclass(frozen=True)
class Expect:
    path: Path
    title: str
    sections: list[str | None]
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    language: str = "en"
    byline: str | None = None


CASES = [
    Expect(
        FIXTURES / "body-then-faq.html",
        "How to Read a Tide Table",
        [
            None,
            "The four columns",
            "Spring and neap tides",
            "FAQ: Why do the times change every day?",
            "Can I use the table for a nearby beach?",
            "What does a negative height mean?",
        ],
        # a Webflow body in boxes of one class: a short lead, the article's rich text, then
        # its FAQ (a <section class="c-rich-text-blog">): the libraries read only the big box
        present=(
            "pocket copy by the till",
            "chart datum",
            "fifty minutes later",
            "harbour office can tell",
            "rocks that are normally",
        ),
        absent=("Related posts", "Five knots", "Get a demo", "Copyright"),
    ),
    Expect(
        FIXTURES / "read-next.html",
        "Night Trains Return to the Northern Coast",
        [None, "Why the trains stopped", "What the new carriages offer"],
        # after the article, in the same column: a "Read This Next" box and a feed of the
        # site's other stories (each a linked title, a category, a date, a line of summary);
        # one library reads on into it. The section's name (an <h5> link) above the headline
        # is a kicker, not the first section's title.
        present=("eleven years", "Saturday morning", "letters page"),
        absent=("Lighthouse Hostel", "Ferry Timetable", "second daily crossing", "smokehouse", "Read Them All", "Copyright"),
    ),
    Expect(
        FIXTURES / "faq-accordion.html",
        "How to Choose a Storm Lantern",
        [
            None,
            "Fuel",
            "Frequently asked questions: How long does a full tank last?",
            "Can I use a storm lantern indoors?",
            "Why does the glass go black?",
        ],
        # an FAQ accordion: each question a toggle button (or link) inside its <h3>, each
        # answer folded away (hidden, aria-hidden, display: none) until clicked; a hidden
        # sign-up box with no toggle still goes
        present=("twenty hours", "curtains", "Trim it straight across"),
        absent=("ten percent", "Join", "Copyright"),
    ),
    Expect(
        FIXTURES / "comment-form.html",
        "El puerto de Sóller recupera sus faroles de aceite",
        [None, "Una tradición que vuelve"],
        # a Spanish comment form ("Comentar") with its posting rules: more words than a sign-up
        # box, but its id says comment form
        present=("doce de ellos", "tramontana", "seis faroles"),
        absent=("Comentar", "Normas de uso", "inapropiado", "Enviar", "derechos reservados"),
        language="es",
    ),
    Expect(
        FIXTURES / "menu-cards.html",
        "What is a harbour cloud?",
        [None, "How a harbour cloud works", "The three kinds of service", "Choosing what to move first"],
        # a mega-menu of product cards (<a><div>name</div><div>blurb</div></a>, hashed class
        # names) holds more words than the article: once taken for a scraped dump's loose lines
        # (no library opinions, no container choice), which lost every section
        present=("basement", "cruise season", "berth bookings", "crane controls"),
        absent=("Harbour Compute", "per-second billing", "Copyright"),
    ),
    Expect(
        FIXTURES / "paper.html",
        "Evening Walks and Sleep Quality in Shift Workers: Pilot Study",
        ["Abstract", "Introduction", "Methods: Participants", "Measures", "Results", "Discussion"],
        # a journal's section headings are <h3 class="navigation-heading" id="Methods">: the
        # targets of its own "On this page" links, not a menu's titles
        present=("thirty-minute walk", "wrist sensor", "twenty-one minutes", "dark winter"),
        absent=("On this page", "Journals", "Author guide", "Copyright"),
    ),
    Expect(
        FIXTURES / "unclosed-header.html",
        "Keeping Bees on a City Roof",
        [None, "Choosing the spot", "What the neighbours said", "The first harvest"],
        # one unclosed <div> in the site's <nav>: libxml2 cannot close it at </nav></header>
        # and nests the whole article in the header; a browser closes it there
        present=("two hives", "climbing beans", "jar of honey", "lime blossom"),
        absent=("Search", "Weather", "Copyright", "By Ada Marsh"),
        byline="Ada Marsh",
    ),
    Expect(
        FIXTURES / "unclosed-aside.html",
        "The Night Ferry to the Islands",
        [None, "Arriving before dawn", "Why the timetable matters"],
        # the related box's list is never closed: the rest of the story must not become part
        # of the box (and go with it)
        present=("quarter to midnight", "harbour cafe", "church hall"),
        absent=("Related stories", "Ten quiet beaches", "Copyright"),
    ),
    Expect(
        FIXTURES / "early-html-end.html",
        "How a Village Saved Its Orchard",
        [None, "Learning to prune", "The first pressing"],
        # the site's header template ends with </body></html>; the article comes after it,
        # where a browser still shows it (libxml2 stops reading there)
        present=("parish council", "Saturday mornings", "cider press"),
        absent=("Copyright", "Food"),
    ),
    Expect(
        FIXTURES / "hero-title.html",
        "Why Harbour Lights Burn Amber",
        [None],
        # the headline's h1 sits in a "hero" box outside <main>; an ad inside <main> has an h1
        present=("harbour wall after dark", "switching back"),
        absent=("Copyright", "Travel"),
    ),
    Expect(
        FIXTURES / "heading-runs.html",
        "Lanterns Worth Buying, and the Makers Behind Them",
        [
            None,
            "Harbour Works",
            "Ridgeline Lamps",
            "Best lanterns under fifty pounds: The best cheap lantern: Keeper Mini",
            "How we chose",
        ],
        # a list styled as headings (<li><h3>), a label heading ("Top pick") between a heading
        # and its sub-heading, a related box's titles left with nothing under them
        present=("hand-spun brass", "repairs for life", "swappable cells", "bucket test"),
        absent=("Top pick", "Most Popular", "wick from smoking", "turns green"),
    ),
    Expect(
        FIXTURES / "shop-boxes.html",
        "The 3 Best Lanterns for Long Nights, Tested and Reviewed",
        [
            None,
            "Best Overall: Harbour Classic 300 Oil Lantern",
            "Best Budget: Ridgeline Folding Lamp",
            "Best for Boats: Keeper Storm Lantern",
            "How We Tested",
        ],
        # each pick's award and name sit in a box of shop links; its review follows the box
        present=("brass body", "Folds flat", "bucket test", "stiff breeze"),
        absent=("Our Top Picks", "Jump to Review", "$45", "Harbour Market", "Copyright"),
    ),
    Expect(
        FIXTURES / "roundup.html",
        "The Best Lanterns of 2026",
        [None, "Harbour Classic 300", "Ridgeline Folding Lamp", "Keeper Storm Lantern", "Little Beacon Mini"],
        # each product's review sits in <div class="c-product-widget">: one box is too short for
        # a library's word on it, the four together are the article (and so is each name)
        present=("brass body", "Folds flat", "bucket test", "Night-light mode"),
        absent=("Read our full review", "$49", "More from Lamp Reviews", "Copyright", "Torches"),
    ),
    Expect(
        FIXTURES / "code-tabs.html",
        "Lantern alerts quickstart",
        [None, "Gather what you need", "Send your first alert", "Where to go next"],
        # CSS-in-JS: a <style> in every widget (tab row, code listing); each heading's box
        # holds an icon permalink and thumbs-up/down buttons whose only words are <svg><title>s
        present=(
            "package index",
            "pip install lantern-client",
            "from lantern import Client client = Client()",
            "blinks twice",
        ),
        absent=(
            "box-sizing",
            "Node.js",
            "npm install",
            "Feedback",
            "Link to heading",
            "Copy code block",
            "Copyright",
        ),
    ),
    Expect(
        FIXTURES / "wiki.html",
        "Storm lamp",
        [None, "History", "Early designs", "Design", "References"],
        # MediaWiki's "[edit]" beside every heading, in its old and its 2024 markup
        present=("horn window", "handed down with the boat", "set of baffles"),
        absent=("edit", "Contents", "From Wikipedia", "Privacy policy"),
    ),
    Expect(
        FIXTURES / "streamed.html",
        "Lanterns at Sea",
        [None, "The colours of a passing boat", "When the lantern went out"],
        # React streams the article in <div hidden id="S:0"> and moves it into place
        present=("spoke with light", "both of you turn to the right", "a short match"),
        absent=("Join thousands of sailors", "Loading", "Harbour Notes, a newsletter", "Also this week"),
    ),
    Expect(
        FIXTURES / "reference-header.html",
        "Lantern.trim()",
        [None, "Syntax", "Return value", "Examples"],
        # the h1 and lead sit in <div class="layout__header"> inside <main>; the libraries
        # each keep a different half of the page
        present=("shortens its wick", "lantern.trim(millimetres)", "three o'clock"),
        absent=("Help improve", "Was this page helpful", "Guides", "part of the Lanternkit project"),
    ),
    Expect(
        FIXTURES / "mdbook.html",
        "Sharing a Lantern",
        [None, "Lending", "The Rules", "Thinking in rooms"],
        # every heading sits in <a class="header" id="its-slug">; one slug says "sharing"
        present=("lend a lantern to a friend", "let lamp = Lantern::new();", "right order"),
        absent=("The Lanternkit Book", "Toggle", "Owning a lantern", "Previous", "Print"),
    ),
    Expect(
        FIXTURES / "credits.html",
        "Why Your Knees Like a Slow Walk",
        [None, "What the walkers were asked to do"],
        # a story opening "By Tuesday morning", a caption ending in its credit, a spec line,
        # a credit written as a phrase ("Image by ... via ...") and a caption that is not one
        present=(
            "By Tuesday morning the clinic",
            "Walkers on the river path on a cold morning.",
            "Video: 4K at thirty frames",
            "same bridge every morning",
            "Photo by the old mill at dawn",
        ),
        absent=(
            "By Ada Lamp",
            "Reviewed by",
            "Image: ©",
            "Photo: Shutterstock",
            "Camilla M. Lund",
            "About the",
            "advisory board",
        ),
        byline="Ada Lamp",
    ),
    Expect(
        FIXTURES / "docs-controls.html",
        "Settings file",
        [None, "Site name", "Theme colours", "Search index", "Links at the bottom"],
        # each setting's box has a fold-out toggle, its code listing an icon-only copy button
        present=(
            "quiet grey theme",
            "slow phone connection",
            "four or five links",
            '{ "search": true }',
        ),
        absent=("Subscribe", "Get a short note", "Ada Lamp", "Powered by", "Search...", "Themes"),
    ),
    Expect(
        FIXTURES / "widgets.html",
        "Five Night Markets Worth the Trip This Summer",
        [
            None,
            "1. Harbour Lights Market (June 6-7)",
            "2. Orchard Lane Market (June 20)",
            "3. Station Yard Market (July 11-12)",
            "Getting There Without a Car",
            "What to Bring",
        ],
        # headings above an embed and a button's settings; headings whose class says "header"
        present=("lemon doughnuts", "exact change only", "the walk home"),
        absent=("_blank", "btn-primary", "Get Tickets", "Image Size", "landscape-medium", "Copyright"),
    ),
    Expect(
        FIXTURES / "heading-wrappers.html",
        "What is Lanternkit?",
        [None, "Why Lanternkit?", "Small by design", "Open formats", "Getting help."],
        present=("offline field guides", "whatever happens to the toolkit itself"),
        absent=("On this page", "Section titled", "Next: Getting started", "Install", "MIT"),
    ),
    Expect(
        FIXTURES / "paywall.html",
        "Things to Clear Out of the Garden Shed",
        [
            None,
            "A Watering Can With No Rose",
            "Seed Packets From Another Decade",
            "Three Broken Hose Connectors",
            "The Mystery Bag of Compost",
        ],
        # the site marks the article's own paragraphs "paywall", short ones too
        present=(
            "It drowns the seedlings every time you use it.",
            "Nothing in them will ever sprout again.",
            "Something is growing in it already.",
        ),
        absent=("You have read two free articles", "Ten hedges", "Copyright"),
        byline="Ada Potting",
    ),
    Expect(
        FIXTURES / "ja-news.html",
        "駅前の古い時計台が百年ぶりに修理される",
        [None, "職人たちの挑戦", "住民の思い出"],
        present=("駅前広場に立つ木造の時計台", "時計台の内部を見学できる日を設ける予定だ。"),
        absent=("よく読まれている記事", "商店街に新しいパン屋", "ログイン", "Copyright"),
        language="ja",
    ),
    Expect(
        FIXTURES / "news.html",
        "City Rivers Are Getting Warmer, Survey Finds",
        [None],
        present=("Rivers that run through large cities", "cheapest air conditioning"),
        absent=(
            "cookie",
            "Most read",
            "Morning briefing",
            "Related stories",
            "Copyright",
            "Great article",
            "Skip to content",
            "Share on social",
            "Advertisement",
            "Home",
            "loadAds",
            "By Mara Quill",
        ),
        language="en-us",
        byline="Mara Quill",
    ),
    Expect(
        FIXTURES / "blog.html",
        "Baking Bread at Altitude: What Changes and Why",
        [
            None,
            "Why Dough Behaves Differently",
            "Yeast Works Faster",
            "Flour Dries Out",
            "Adjusting the Bake",
            "What I Would Do Again",
        ],
        present=("Use about a quarter less yeast.",),
        absent=(
            "Share this",
            "About Tove",
            "Leave a Reply",
            "Recent Posts",
            "Proudly powered",
            "Previous: Rye",
            "I live at 1500 m",
            "Posted in",
            "A blog about bread",
        ),
        byline="Tove Lindqvist",
    ),
    Expect(
        FIXTURES / "docs.html",
        "Caching results",
        [None, "How keys are made", "Invalidation"],
        # the code listings are the article's text (kept, marked, never read aloud)
        present=(
            "clear_cache",
            "Renaming a file keeps its cache entry",
            "def load",
            "@task",
            "return read_table(path)",
        ),
        absent=(
            "Quick search",
            "Table of Contents",
            "Copyright",
            "¶",
            "modules",
        ),
    ),
    Expect(
        FIXTURES / "embed.html",
        "Watch: How Octopuses Taste With Their Arms",
        [None, "The Talk", "What It Means"],
        present=("Lecture recorded at a public science evening.",),
        absent=("Home |", "Shop", "privacy-enhanced"),
    ),
    Expect(
        FIXTURES / "noheadings.html",
        "Letter from a Lighthouse",
        [None, "Part 2"],
        present=("Your job is to notice.",),
        absent=("Quiet Essays",),
    ),
    Expect(
        FIXTURES / "legacy.html",
        "Restoring an Old Pocket Watch",
        [None, "Taking It Apart", "Cleaning and Oiling"],
        absent=("Guestbook", "Popular pages", "Visitors", "Previous project", "Sections"),
    ),
    Expect(
        FIXTURES / "magazine.html",
        "The Quiet Return of the Night Train",
        [None, "Why now?", "What the operators say"],
        present=("Sleeper services that were cut", "A six-berth couchette"),
        absent=(
            "Slow Travel Monthly",
            "Rail",
            "Words by",
            "Share this quote",
            "Ferries",
            "Subscribe",
            "Europe",
        ),
        byline="Jonas Brandt",
    ),
    Expect(
        FIXTURES / "inline-junk.html",
        "Bees and Cities",
        [None],
        present=("Some cities now ask new beekeepers",),
        absent=(
            "Advertisement",
            "Page continues",
            "Loading paragraph",
            "Continue reading",
            "Topics",
            "Science",
            "Sign up",
            "Comments are closed",
        ),
    ),
    Expect(
        FIXTURES / "draft.md",
        "Five Houseplants That Survive Neglect",
        [None, "Snake Plant", "ZZ Plant", "A Quick Comparison"],
        present=("Snake plant; Low to bright; 3-4 weeks", "See the care video"),
        absent=("draft: true", "---", "|", "(draft 2)"),
        language="en-gb",
        byline="Ines Okafor",
    ),
    Expect(
        SAMPLE / "brain-rhythms.html",
        "The Brain's Own Metronome: What Neural Rhythms Do",
        [None, "A Spectrum of Waves", "Why Timing Matters", "Listening to the Rhythm"],
        absent=(
            "cookies",
            "Subscribe",
            "newsletter",
            "Features",
            "All rights reserved",
            "dataLayer",
            "Share",
            "6 min read",
        ),
        language="en-gb",
        byline="Articast Sample Desk",
    ),
    Expect(
        SAMPLE / "coffee-and-focus.md",
        "Coffee and Focus: What Caffeine Really Does to Attention",
        [None, "How Caffeine Works", "Tolerance", "What the Studies Show", "Timing the Cup"],
        present=("Reaction time; About 5 % faster",),
        absent=("tags:", "---"),
        language="en-us",
        byline="Articast Sample Desk",
    ),
    # Page shapes where headings were lost (issue 29): a blog's front page of several posts
    # (the libraries read the first post as the article), a wiki's headings wrapped with their
    # [edit] links, docs headings with anchors before or after their words, and headings
    # beside lazy-loaded pictures.
    Expect(
        FIXTURES / "front-page.html",
        "River Notes",
        ["What the floods taught us", "The mills of the upper valley", "Walking the old canal"],
        present=("Herons fish in the still water",),
        absent=("May 2, 2026", "About"),
    ),
    Expect(
        FIXTURES / "wiki-nested.html",
        "Grey Valley",
        [None, "History", "Early settlement", "Industry", "Geography"],
        absent=("edit", "[", "]"),
    ),
    Expect(
        FIXTURES / "docs-anchors.html",
        "Installing the tool",
        [None, "Requirements", "From source", "Build options", "Troubleshooting"],
        absent=("¶", "#"),
    ),
    Expect(
        FIXTURES / "wiki-lists.html",
        "Grey Valley",
        [
            None,
            "History",
            "Early settlement",
            "Industry",
            "Mills",
            "Geography",
            "Climate",
            "Culture",
            "See also",
            "References",
            "External links",
        ],
        present=("Rivers of Examplia", "Official website"),
        absent=("edit", "Main page", "Valleys of Examplia A", "last edited"),
    ),
    Expect(
        FIXTURES / "lazy-figures.html",
        "Twelve bridges of the valley",
        [None, "The stone bridge", "The iron bridge", "The rope bridge", "The railway viaduct"],
    ),
]


def _text(a: Article) -> str:
    return "\n".join([s.title or "" for s in a.sections] + [s.text for s in a.sections])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path.name)
def test_fixture_shape(case: Expect) -> None:
    a = load_article(case.path, OFFLINE)
    assert a.title == case.title
    assert [s.title for s in a.sections] == case.sections
    text = _text(a)
    for phrase in case.present:
        assert phrase in text
    for phrase in case.absent:
        assert phrase not in text, phrase
    assert a.language == case.language
    assert a.byline == case.byline
    assert "<" not in text


def test_no_heading_page_split_sizes() -> None:
    a = load_article(FIXTURES / "noheadings.html", OFFLINE)
    sizes = [len(s.text.split()) for s in a.sections]
    assert all(150 <= n <= 400 for n in sizes), sizes
    # The split falls at the page's own thematic break (<hr>).
    assert a.sections[1].paragraphs[0].startswith("Light is the other thing")


def test_embed_talks_in_order() -> None:
    a = load_article(FIXTURES / "embed.html", OFFLINE)
    assert a.talk is not None
    assert a.talk.url == "https://www.youtube.com/watch?v=Oc7pUs4Arm1&t=90s"
    assert a.talk.text == "Octopus arms that taste"
    assert [t.video_id for t in a.talks] == ["Oc7pUs4Arm1", "Sh0rtCl1p9x", "LiveStr3amX"]
    assert a.talks[1].start == 15


def test_sample_page_talk_and_figure() -> None:
    a = load_article(SAMPLE / "brain-rhythms.html", OFFLINE)
    assert a.talk is not None
    assert a.talk.url == "https://www.youtube.com/watch?v=Hb7pN2dKw4c&t=125s"
    assert a.talk.start == 125
    img = a.sections[0].images[0]
    assert img.path is not None
    assert img.path.name == "brain-rhythms-figure.png"
    assert a.warnings == ()
    assert a.source_url == "https://example.org/science/brain-rhythms"


def test_markdown_front_matter_talk_and_links() -> None:
    a = load_article(SAMPLE / "coffee-and-focus.md", OFFLINE)
    assert a.kind == "markdown"
    assert a.talk is not None
    assert a.talk.url == "https://www.youtube.com/watch?v=Cf4eT9mQr2A&t=70s"
    d = load_article(FIXTURES / "draft.md", OFFLINE)
    assert d.talk is not None
    assert d.talk.video_id == "Pl4ntCar3Zz"
    assert d.links == ("https://plants.example.org/guide",)


def test_plain_text(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text(
        "Tide Pools at Dawn\n\n"
        "Early in the morning the rocks are still wet and the pools are full of small animals. "
        "Crabs hide under weed, and anemones close up when the light changes.\n\n"
        "What to Bring\n\n"
        "Bring shoes with a good grip, a small net and a bucket to look at things before you "
        "put them back where you found them. See https://youtu.be/Tp00lsDawn1 for a tour.\n"
    )
    a = load_article(p, OFFLINE)
    assert a.kind == "text"
    assert a.title == "Tide Pools at Dawn"
    assert [s.title for s in a.sections] == [None, "What to Bring"]
    assert a.talk is not None
    assert a.talk.video_id == "Tp00lsDawn1"


def test_plain_text_wrapped_lines_stay_paragraphs(tmp_path: Path) -> None:
    p = tmp_path / "wrapped.txt"
    p.write_text(
        "A short essay about rain\n\n"
        "Rain falls on the roof of the shed and the sound carries all the way\n"
        "to the kitchen, where the kettle is just starting to sing and the cat\n"
        "decides that today is not a day for going outside at all.\n\n"
        "Later the clouds break up and the garden smells of wet earth and cut\n"
        "grass, and the cat changes its mind, as cats always do in the end.\n"
    )
    a = load_article(p, OFFLINE)
    assert a.title == "A short essay about rain"
    assert len(a.sections) == 1
    assert a.sections[0].paragraphs[0].startswith("Rain falls on the roof of the shed and")
    assert len(a.sections[0].paragraphs) == 2


def test_lazy_images_and_tracking_pixels(tmp_path: Path) -> None:
    (tmp_path / "real.png").write_bytes((SAMPLE / "brain-rhythms-figure.png").read_bytes())
    p = tmp_path / "lazy.html"
    p.write_text(
        "<h1>Lazy</h1><p>Some prose that makes this page an article worth reading.</p>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="real.png" alt="real">'
        '<img src="https://tracker.example/p.gif" width="1" height="1">'
        '<img srcset="real.png 480w, big.png 960w" alt="set">'
        '<p class="author">By Someone Else</p>'
    )
    a = load_article(p, OFFLINE)
    assert [i.src for i in a.images] == ["real.png", "real.png"]
    assert a.images[0].path == (tmp_path / "real.png").resolve()
    assert a.images[1].alt == "set"
    assert a.warnings == ()
    assert a.byline == "Someone Else"
    assert "Someone Else" not in a.sections[0].text


def test_hard_wrapped_loose_text_is_not_cut_into_headings() -> None:
    a = load_article(FIXTURES / "wrapped.html", OFFLINE)
    assert a.title == "Notes on Kites"
    assert [s.title for s in a.sections] == [None, "Choosing a Line"]
    assert a.sections[0].paragraphs[0].startswith("A kite flies because the wind pushes on its")
    assert len(a.sections[0].paragraphs) == 1


def test_embedded_player_outside_the_text_is_still_the_talk(tmp_path: Path) -> None:
    p = tmp_path / "player.html"
    p.write_text(
        "<html><body><header><nav><a href='/'>Home</a></nav></header>"
        "<article><h1>Talk notes</h1><p>Notes on a talk about tides, written after watching "
        "it twice, with the main points in order.</p></article>"
        "<aside class='video-sidebar'><iframe src='https://www.youtube.com/embed/T1desT4lk00"
        "?start=12' title='Tides talk'></iframe></aside>"
        "<footer><iframe src='https://www.youtube.com/embed/F00terV1de0'></iframe></footer>"
        "</body></html>"
    )
    a = load_article(p, OFFLINE)
    assert a.talk is not None
    assert (a.talk.video_id, a.talk.start, a.talk.text) == ("T1desT4lk00", 12, "Tides talk")
    assert [t.video_id for t in a.talks] == ["T1desT4lk00"]


def test_heading_of_a_voted_out_box_goes_with_it() -> None:
    a = load_article(FIXTURES / "boxed-heading.html", OFFLINE)
    assert [s.title for s in a.sections] == [None, "What Cities Can Do"]
    assert "Nature" not in "\n".join(s.text for s in a.sections)


def test_markdown_headings_inside_html() -> None:
    a = load_article(FIXTURES / "mixed.txt", OFFLINE)
    assert a.kind == "html"
    assert a.title == "Mixed Draft"
    assert [s.title for s in a.sections] == [None, "First Part", "Second Part"]
    assert a.links == ("https://example.org",)


def test_code_listings_are_kept_marked_and_not_read() -> None:
    from articast.config import NarrateSettings
    from articast.ingest import article_to_json
    from articast.narrate import build_script

    a = load_article(FIXTURES / "docs.html", OFFLINE)
    listings = [s.paragraphs[i] for s in a.sections for i in s.listings]
    assert any("@task(cache=True) def load(path): return read_table(path)" in p for p in listings)
    assert all(i < len(s.paragraphs) for s in a.sections for i in s.listings)
    js = article_to_json(a)  # the listings are the article's text in ``ingest --json``
    assert all(p in "\n".join(s["text"] for s in js["sections"]) for p in listings)
    said = " ".join(s for seg in build_script(a, None, NarrateSettings()).segments for s in seg.sentences)
    assert "The article shows a code example here." in said
    assert "read_table" not in said and "def load" not in said


def test_a_parts_own_header_is_not_the_page_header(tmp_path: Path) -> None:
    """ "card-header", "entry-header": the header of a part holds its heading; the site's
    "site-header" still goes."""
    card = (
        '<div class="card"><div class="card-header"><h2>{0}</h2><p>Told by a keeper of '
        "the north light</p></div>"
        '<div class="card-body"><p>{1}</p></div></div>'
    )
    prose = (
        "The keepers met at dusk to compare their lamps, and each of them had a story about "
        "a night when the wind nearly won. "
    )
    page = (
        '<html><head><title>Keepers | Lantern Weekly</title></head><body>'
        '<div class="site-header"><a href="/">Lantern Weekly</a> <a href="/news">News</a> '
        '<a href="/about">About us</a></div>'
        '<div class="page"><div class="entry-header"><h1>Three Keepers</h1>'
        '<p class="standfirst">How three lighthouse keepers learned to share one wick.</p></div>'
        + card.format("Winter Nights", "The first keeper tells of the long winter. " + prose * 2)
        + card.format("Spring Storms", "The second keeper tells of the storms. " + prose * 2)
        + card.format("Summer Crowds", "The third keeper tells of the visitors. " + prose * 2)
        + "</div></body></html>"
    )
    path = tmp_path / "keepers.html"
    path.write_text(page, encoding="utf-8")
    a = load_article(path, OFFLINE)
    assert a.title == "Three Keepers"
    assert [s.title for s in a.sections] == [None, "Winter Nights", "Spring Storms", "Summer Crowds"]
    text = _text(a)
    assert "share one wick" in text
    assert "Told by a keeper of the north light" in text
    assert "About us" not in text


def test_page_builder_widgets_and_slug_ids_are_content(tmp_path: Path) -> None:
    """Elementor wraps every part of a page in "elementor-widget-*" boxes, and docs give a
    section the slug of its heading as id ("s-related-work"): neither is page furniture."""

    def widget(kind: str, inner: str) -> str:
        return (
            f'<div class="elementor-element elementor-widget elementor-widget-{kind}">'
            f'<div class="elementor-widget-container">{inner}</div></div>'
        )

    prose = (
        "The keepers compared their lamps at dusk, and each had a story about a night when "
        "the wind nearly won and the flame held on by a thread. "
    )
    parts = "".join(
        widget("heading", f"<h2>{title}</h2>") + widget("text-editor", f"<p>{opening} {prose * 2}</p>")
        for title, opening in [
            ("Winter Nights", "The first keeper tells of the long winter."),
            ("Spring Storms", "The second keeper tells of the storms."),
        ]
    )
    docs = (
        '<section id="s-related-work"><h2>Related work</h2>'
        f"<p>Older studies of lamp oil reached the same answer. {prose * 2}</p></section>"
    )
    page = (
        "<html><head><title>Three Keepers</title></head><body>"
        '<nav class="menu"><a href="/">Home</a> <a href="/news">News</a></nav>'
        '<div class="elementor elementor-42"><div class="elementor-widget-wrap">'
        + widget("heading", "<h1>Three Keepers</h1>")
        + parts
        + "</div></div>"
        + docs
        + '<aside class="sidebar"><h3>Related posts</h3><ul><li><a href="/a">Oil</a></li></ul></aside>'
        + "</body></html>"
    )
    path = tmp_path / "builder.html"
    path.write_text(page, encoding="utf-8")
    a = load_article(path, OFFLINE)
    assert [s.title for s in a.sections] == ["Winter Nights", "Spring Storms", "Related work"]
    text = _text(a)
    assert "The second keeper tells of the storms." in text
    assert "Older studies of lamp oil" in text
    assert "Related posts" not in text


def test_a_run_of_bold_lines_is_a_block_of_facts_not_headings(tmp_path: Path) -> None:
    """ "Deadline: March" / "Award: $2,000" in bold under each entry of a listicle are facts;
    a lone bold line above prose is still a heading (a CMS heading typed as <p><strong>)."""
    prose = (
        "The grant pays for travel and a small stipend, and the committee reads every "
        "application twice before it decides. "
    )
    entry = (
        "<h3>{0}</h3><p><strong>Deadline: {1}</strong></p><p><strong>Award: {2}</strong></p>"
        "<p><strong>Degree Level: Bachelors</strong></p><p>{3} {4}</p>"
    )
    page = (
        "<html><head><title>Grants for Lamp Makers</title></head><body><article>"
        "<h1>Grants for Lamp Makers</h1>"
        f"<p>Three funds help apprentices learn the trade abroad. {prose * 2}</p>"
        + entry.format("1. The Wick Fund", "March", "$2,000", "The oldest of the three.", prose * 2)
        + entry.format("2. The Glass Trust", "October", "$3,500", "Open to glassblowers.", prose * 2)
        + "<p><strong>How to apply</strong></p>"
        + f"<p>Write one page about the lamp you want to make. {prose * 2}</p>"
        + "</article></body></html>"
    )
    path = tmp_path / "grants.html"
    path.write_text(page, encoding="utf-8")
    a = load_article(path, OFFLINE)
    assert [s.title for s in a.sections] == [None, "1. The Wick Fund", "2. The Glass Trust", "How to apply"]
    assert "Deadline: March" in a.sections[1].paragraphs[0]


def test_a_bold_line_right_under_a_heading_belongs_to_it(tmp_path: Path) -> None:
    """A product's name as <h2>, a picture credit, then "Price: $40 Burn time: 9 hours" in
    bold: the bold line is that product's detail, not a heading that takes the name's place."""
    prose = (
        "It burns steadily in a crosswind and the glass stays clean for a whole week of "
        "evenings, which is more than most lamps at this price can say. "
    )
    entry = (
        "<h2>{0}</h2><p>{1}</p><p><strong>Price: {2} Burn time: 9 hours</strong></p>"
        "<p>{3} {4}</p>"
    )
    page = (
        "<html><head><title>The Best Storm Lamps</title></head><body><article>"
        "<h1>The Best Storm Lamps</h1>"
        f"<p>We lit twelve lamps on a windy pier to find the three worth buying. {prose * 2}</p>"
        + entry.format("The Harbour Lamp", "Ada Lamp", "$40", "Our favourite overall.", prose * 2)
        + entry.format("The Pier Lantern", "Pier Co.", "$25", "The best value.", prose * 2)
        + entry.format("The Dune Light", "Tom Reed", "$60", "The brightest.", prose * 2)
        + "</article></body></html>"
    )
    path = tmp_path / "lamps.html"
    path.write_text(page, encoding="utf-8")
    a = load_article(path, OFFLINE)
    assert [s.title for s in a.sections] == [
        None,
        "The Harbour Lamp",
        "The Pier Lantern",
        "The Dune Light",
    ]
    assert "Price: $25 Burn time: 9 hours" in a.sections[2].paragraphs[1]


def test_a_list_of_links_under_its_own_heading_is_kept_and_not_read() -> None:
    """A wiki's "See also" and "External links": the article's own lists, under headings of
    their own, are kept (and so are the headings), marked, and left out of the narration; a
    section with other text is read without its link items."""
    from articast.config import NarrateSettings
    from articast.narrate import build_script

    a = load_article(FIXTURES / "wiki-lists.html", OFFLINE)
    by_title = {s.title: s for s in a.sections}
    see_also = by_title["See also"]
    assert see_also.paragraphs == ("Rivers of Examplia", "Grey Hills")
    assert see_also.link_lists == (0, 1)
    assert by_title["External links"].link_lists == (0,)
    assert by_title["History"].link_lists == ()
    script = build_script(a, None, NarrateSettings())
    titles = [seg.title for seg in script.segments]
    assert "See also" not in titles and "External links" not in titles
    assert "References" in titles and "Culture" in titles
    said = " ".join(s for seg in script.segments for s in seg.sentences)
    assert "Official website" not in said and "Grey Hills" not in said
