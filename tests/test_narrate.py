"""``build_script``: the narration of the user's article, our broken sample and small articles."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from articast.config import IngestSettings, NarrateSettings
from articast.models import Article, Script, Section, Talk, TalkRef
from articast.narrate import build_script, split_sentences
from articast.narrate.build import collapse_references, collapse_tables

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "sleep-and-memory.txt"
SEED = Path(
    os.environ.get("ARTICAST_SEED")  # a worktree elsewhere names the seed article here
    or ROOT.parent / "shared" / "seeds" / "000_b63b767e2abb3905.txt"
)
SETTINGS = NarrateSettings()


def _article_from_faulty_html(path: Path) -> Article:
    """A deliberately naive reader of the faulty HTML (independent of ``articast.ingest``).

    Joins split tags, drops tags and fence lines, takes the first line as the title and short
    unpunctuated lines as headings. The prose keeps every fault (missing spaces, lower case).
    """
    text = re.sub(r"<\s*\n\s*", "<", path.read_text(encoding="utf-8"))
    href = re.search(r'href="([^"]+)"', text)
    alt = re.search(r'alt="([^"]+)"', text)
    text = re.sub(r"<[^>]+>", "", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "`" not in ln]
    title, rest = lines[0], lines[1:]
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for i, line in enumerate(rest):
        if len(line) < 100 and not re.search(r"[.!?]$", line) and i != len(rest) - 1:
            if paragraphs or heading:
                sections.append(Section(heading, tuple(paragraphs)))
            heading, paragraphs = line, []
        else:
            paragraphs.append(line)
    sections.append(Section(heading, tuple(paragraphs)))
    talk = None
    if href:
        url = href.group(1)
        talk = TalkRef(url, url.split("v=")[1][:11], None, alt.group(1) if alt else None)
    return Article(title=title, sections=tuple(sections), talk=talk, talks=(talk,) if talk else ())


def _via_ingest(path: Path) -> Article:
    from articast.ingest import load_article

    return load_article(path, IngestSettings(allow_network=False))


LOADERS: dict[str, Callable[[Path], Article]] = {
    "naive": _article_from_faulty_html,
    "ingest": _via_ingest,
}


def _sentences(script: Script) -> list[str]:
    return [s for seg in script.segments for s in seg.sentences]


def _text(script: Script) -> str:
    return "\n".join(_sentences(script))


def _seed() -> Path:
    if not SEED.is_file():
        pytest.skip("the user's seed article (../shared/seeds) is not present")
    return SEED


# --------------------------------------------------------------------------- the user's article


@pytest.fixture(params=sorted(LOADERS))
def seed_script(request: pytest.FixtureRequest) -> Script:
    article = LOADERS[request.param](_seed())
    return build_script(article, None, SETTINGS)


def test_seed_contains_repaired_sentences(seed_script: Script) -> None:
    text = _text(seed_script)
    # the article has "ketamine operates" mid-sentence, in lower case
    assert "ketamine operates" in text.lower()
    for phrase in ("This action triggers", "Initially known for", "Navigating the Landscape"):
        assert phrase in text, phrase
    assert "this action triggers" not in text
    assert "initially known" not in text


def test_seed_run_on_becomes_two_sentences(seed_script: Script) -> None:
    sentences = _sentences(seed_script)
    i = next(i for i, s in enumerate(sentences) if s.endswith("surrounding its use."))
    assert sentences[i + 1].startswith("Ketamine administration for mental health")
    assert not any("use.Ketamine" in s or "use. Ketamine" in s for s in sentences)


def test_seed_cut_off_sentence_keeps_its_clause_with_warning(seed_script: Script) -> None:
    text = _text(seed_script)
    assert "such as changes in" not in text
    assert "effects,such" not in text
    assert len(seed_script.warnings) == 1
    warning = seed_script.warnings[0]
    assert "mid-sentence" in warning
    # The complete clause before the cut is narrated; the warning quotes what was dropped.
    assert '"such as changes in"' in warning
    assert _sentences(seed_script)[-5].endswith("trained medical professionals.")
    assert _sentences(seed_script)[-4] == (
        "This ensures patient safety and allows for careful monitoring of potential side effects."
    )


def test_seed_initialisms_spelled_out(seed_script: Script) -> None:
    text = _text(seed_script)
    for spelled in ("N M D A", "B D N F", "P T S D", "O C D"):
        assert spelled in text
    for raw in ("NMDA", "BDNF", "PTSD", "OCD"):
        assert re.search(rf"\b{raw}\b", text) is None, raw


def test_seed_intro_outro_and_segments(seed_script: Script) -> None:
    segs = seed_script.segments
    assert [s.kind for s in segs] == ["intro"] + ["section"] * 4 + ["outro"]
    assert seed_script.title.startswith("Unlocking the Brain's Potential")
    intro = " ".join(segs[0].sentences)
    assert "Welcome to Articast." in intro
    assert "Unlocking the Brain's Potential: Exploring the Neurological Impact of Ketamine" in intro
    assert segs[0].mentions_talk and segs[-1].mentions_talk
    assert "full talk" in " ".join(segs[-1].sentences)
    assert [s.section_index for s in segs[1:-1]] == [0, 1, 2, 3]
    assert segs[1].title == "Exploring the Neurological Impact of Ketamine"
    assert segs[4].title == "Navigating the Landscape: Considerations and Responsible Use"
    assert all(s.source for s in segs[1:-1])
    for sentence in _sentences(seed_script):
        assert sentence[-1] in ".!?\"'", sentence


# --------------------------------------------------------------------------- our broken sample


@pytest.fixture(params=sorted(LOADERS))
def sample_script(request: pytest.FixtureRequest) -> Script:
    return build_script(LOADERS[request.param](SAMPLE), None, SETTINGS)


def test_sample_repairs(sample_script: Script) -> None:
    sentences = _sentences(sample_script)
    text = "\n".join(sentences)
    assert "Riding on top of these waves" in text
    assert "The standard model of consolidation" in text
    assert "When Sleep Goes Wrong" in text
    i = sentences.index(
        "The standard model of consolidation says that new memories start out in the "
        "hippocampus and are gradually copied into the cortex."
    )
    assert sentences[i + 1].startswith("Over weeks, the cortical copy")
    j = next(i for i, s in enumerate(sentences) if s.startswith("Chronic insomnia"))
    assert sentences[j].endswith("P T S D and A D H D.")
    assert sentences[j + 1].startswith("In people with P T S D, nightmares")


def test_sample_numbers_units_and_initialisms(sample_script: Script) -> None:
    text = _text(sample_script)
    for spoken in (
        "between eleven and sixteen hertz",
        "an E E G recording",
        "roughly twenty times faster",
        "by about thirty percent",
        "roughly ten percent of adults",
        "Functional M R I studies",
        "Rem sleep seems",
        "non-rem sleep",
    ):
        assert spoken in text, spoken
    for raw in ("%", "Hz", "EEG", "REM", "PTSD", "ADHD"):
        assert raw not in text, raw


def test_sample_cut_off_and_titles(sample_script: Script) -> None:
    text = _text(sample_script)
    assert "an active area of" not in text
    # The cut-off sentence keeps its complete clause; the warning quotes what was dropped.
    assert "is now recommended before sleeping pills by most guidelines." in text
    assert len(sample_script.warnings) == 1
    assert '"and its effects on memory are an active area of"' in sample_script.warnings[0]
    titles = [s.title for s in sample_script.segments]
    assert titles[1] == "How the Sleeping Brain Files Away the Day"
    assert titles[-2] == "When Sleep Goes Wrong: Insomnia, PTSD and Memory"
    assert "This episode is titled Night Shift" in sample_script.segments[0].sentences[1]


# --------------------------------------------------------------------------- small articles


def _article(
    *sections: Section, title: str = "Sleep and the Brain", talk: TalkRef | None = None
) -> Article:
    return Article(title=title, sections=sections, talk=talk)


LEAD = Section(None, ("Sleep matters. It shapes memory.",))
BODY = Section("what spindles do", ("Spindles run at 12 Hz. They help.",))


def test_talk_title_and_channel_named() -> None:
    talk = Talk(
        url="https://www.youtube.com/watch?v=abcdefghijk",
        video_id="abcdefghijk",
        title="The Sleeping Brain",
        channel="Brain Lab",
    )
    script = build_script(_article(LEAD, BODY), talk, NarrateSettings(show_name="Night Notes"))
    intro, outro = script.segments[0], script.segments[-1]
    assert intro.sentences[0] == "Welcome to Night Notes."
    assert 'links to the talk "The Sleeping Brain" by Brain Lab.' in intro.sentences[2]
    assert '"The Sleeping Brain" by Brain Lab' in " ".join(outro.sentences)
    assert outro.sentences[-1] == "Thanks for listening to Night Notes."
    assert intro.mentions_talk and outro.mentions_talk
    assert outro.title == "Watch the full talk"


def test_unresolved_talk_is_not_named_after_its_link_text() -> None:
    # the link text is often an image's alt text: not a title to read aloud
    ref = TalkRef("https://www.youtube.com/watch?v=abcdefghijk", "abcdefghijk", None, "Diagram of x")
    script = build_script(_article(LEAD, talk=ref), None, SETTINGS)
    assert script.segments[0].sentences[2].endswith("which links to a talk on YouTube.")
    assert "Diagram of x" not in " ".join(script.segments[0].sentences)
    url_only = Talk(url="https://www.youtube.com/watch?v=abcdefghijk", video_id="abcdefghijk")
    script = build_script(_article(LEAD, talk=ref), url_only, SETTINGS)
    intro = " ".join(script.segments[0].sentences)
    assert "links to a talk on YouTube." in intro
    assert "youtube.com" not in intro


def test_no_talk() -> None:
    script = build_script(_article(LEAD, BODY), None, SETTINGS)
    intro, outro = script.segments[0], script.segments[-1]
    assert not intro.mentions_talk and not outro.mentions_talk
    assert "talk" not in " ".join(intro.sentences + outro.sentences)
    assert outro.title == "Closing"


def test_disclaimer_follows_the_intro() -> None:
    settings = NarrateSettings(disclaimer="this is not medical advice.ask your doctor.")
    script = build_script(_article(LEAD, BODY), None, settings)
    assert script.segments[0].sentences[-2:] == ("This is not medical advice.", "Ask your doctor.")
    assert script.segments[1].kind == "section"


def test_sections_titles_indices_and_headings_read() -> None:
    empty = Section("Empty part", ())
    script = build_script(_article(LEAD, empty, BODY), None, SETTINGS)
    sections = [s for s in script.segments if s.kind == "section"]
    assert [s.title for s in sections] == ["Sleep and the Brain", "Empty part", "What spindles do"]
    assert [s.section_index for s in sections] == [0, 1, 2]
    assert sections[1].sentences == ("Empty part.",)
    assert sections[2].sentences == (
        "What spindles do.",
        "Spindles run at twelve hertz.",
        "They help.",
    )
    assert script.warnings == ()


def test_short_unpunctuated_ending_is_closed_not_dropped() -> None:
    script = build_script(
        _article(Section(None, ("It works.", "Thanks for reading"))), None, SETTINGS
    )
    assert "Thanks for reading." in _sentences(script)
    assert script.warnings == ()


def test_user_lexicon_reaches_the_script(tmp_path: Path) -> None:
    lex = tmp_path / "words.toml"
    lex.write_text('SWS = "slow wave sleep"\n', encoding="utf-8")
    article = _article(Section(None, ("Deep SWS helps. So does XYZ.",)))
    script = build_script(article, None, NarrateSettings(lexicon=lex))
    assert "Deep slow wave sleep helps." in _sentences(script)
    assert "So does X Y Z." in _sentences(script)


def test_code_tables_urls_and_markup_not_read() -> None:
    para = (
        "Try it:\n```python\nprint(1)\n```\n| a | b |\n|---|---|\n"
        "See https://example.org for more.\n\n<b>Bold</b> text[3] \U0001f634."
    )
    script = build_script(_article(Section(None, (para,))), None, SETTINGS)
    lead = script.segments[1].sentences
    assert "The article shows a code example here." in lead
    assert "The article shows a table here." in lead
    assert "See example dot org for more." in lead
    shown = [f.display for f in script.segments[1].forms]
    assert "See https://example.org for more." in shown
    assert "Bold text." in lead
    assert not any("http" in s or "<" in s or "`" in s or "|" in s for s in lead)


def test_split_sentences_after_repair() -> None:
    assert split_sentences("Dr. Lee met e.g. Ann. It is 3.5 mg. Then\nwe left.\n\nNew") == [
        "Dr. Lee met e.g. Ann.",
        "It is 3.5 mg.",
        "Then we left.",
        "New",
    ]


def test_flattened_tables_are_mentioned_not_read() -> None:
    rows = ("Measure; Change", "Reaction time; About 5 % faster", "Memory; Little or no change")
    prose = "Trials show gains; the effects are modest, though, and vary a lot between people."
    assert collapse_tables(("Intro text.", *rows, prose)) == (
        "Intro text.",
        "The article shows a table here.",
        prose,
    )
    assert collapse_tables(("One; row only", "Next paragraph.")) == (
        "One; row only",
        "Next paragraph.",
    )


# Our own invented reference list, in the shapes real ones take: a journal's (volume and
# pages, "[Medline]", "[accessed ...]"), a numbered PubMed one, APA, a Wikipedia footnote,
# bare links, and one citation with no mark but its author list and year.
REFERENCES = (
    "Harbour AB, Keel CD. Lamp oil and night vision in fishing crews. J Coast Health 2007;3(2):112-119. [Medline]",
    "1.Quay E, Mast F, et al. Amber light and sleep: a randomized trial. Sleep Sea. 2019;12:85-91. doi: 10.1234/ss.2019.12",
    "Tiller, G., & Rudder, H. (2017). Keepers' diaries, 1850-1900. Lighthouse Studies, 4(1), 33-48.",
    "Wick J, Flame K. Storm lamps of the north sea. Lamp Review 1998",
    "^ Lamp, A. (1901). Harbour Lights. p. 4. Retrieved 12 March 2024.",
    "[6] https://example.org/lamps/amber-light-study",
    "Coast Guard Office. Night lights at sea URL: https://example.org/rules [accessed 2025-06-18]",
)


def test_reference_lists_are_mentioned_not_read() -> None:
    lead = "We compared three kinds of lamp over two winters in 2019 and 2020."
    after = "Thanks to the keepers of the north harbour, who lent us their lamps."
    assert collapse_references((lead, *REFERENCES, after)) == (
        lead,
        "The article lists its references here.",
        after,
    )
    # Two citations in prose, or a list of dated events, are the article's own words.
    events = (
        "In 1850 the first lamp was lit on the north pier.",
        "By 1901 every harbour on the coast had one, and keepers logged each night.",
        "In 2019 the last oil lamp was retired to the museum.",
    )
    assert collapse_references(events) == events
    assert collapse_references((lead, *REFERENCES[:2], after)) == (lead, *REFERENCES[:2], after)


@pytest.mark.parametrize(
    ("language", "note"),
    [("en", "The article lists its references here."), ("fr", "L'article donne ici ses références.")],
)
def test_reference_section_is_one_sentence_in_the_article_language(language: str, note: str) -> None:
    body = (
        "Les lampes ambrées guident les bateaux depuis plus d'un siècle."
        if language == "fr"
        else "Amber lamps have guided boats home for more than a century."
    )
    article = Article(
        title="Amber Lamps",
        language=language,
        sections=(
            Section(title=None, paragraphs=(body,)),
            Section(title="References", paragraphs=REFERENCES),
        ),
    )
    script = build_script(article, None, SETTINGS)
    text = _text(script)
    assert note in text
    assert "doi" not in text.lower() and "Medline" not in text and "example.org" not in text
    refs = next(s for s in script.segments if s.section_index == 1)
    assert refs.title == "References"
    assert len(refs.sentences) == 2  # the heading and the note


def test_markdown_sample_table_mentioned_via_ingest() -> None:
    script = build_script(
        _via_ingest(ROOT / "assets" / "sample" / "coffee-and-focus.md"), None, SETTINGS
    )
    text = _text(script)
    assert "The article shows a table here." in text
    assert "Reaction time" not in text


def test_chinese_and_japanese_sentences_keep_their_own_full_stop() -> None:
    article = Article(
        title="時計台の修理",
        sections=(Section("職人たちの挑戦", ("修理は来月から始まる。工房の代表は話している",)),),
        language="ja",
    )
    said = [s for seg in build_script(article, None, SETTINGS).segments for s in seg.sentences]
    assert "職人たちの挑戦。" in said
    assert "修理は来月から始まる。" in said
    assert not any(s.endswith("。.") for s in said), said
