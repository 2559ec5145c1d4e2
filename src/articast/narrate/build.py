"""Build the narration ``Script`` from an ``Article`` and its ``Talk``.

Sits in the ``narrate`` stage: ``build_script(article, talk, settings) -> Script``. Paragraphs
pass ``REPAIR_RULES``, are split into sentences with pySBD (each is a sentence's display text),
and each sentence passes ``reading_rules`` (its spoken text, with the map between the two kept
in ``Segment.forms``). The article's last sentence is dropped (with a warning) when the article
stops mid-sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

from articast.config import NarrateSettings
from articast.ingest import capitalise_first
from articast.lang import Language, get_language, unspaced_words
from articast.lang.base import UNSPACED
from articast.models import Article, Script, Section, Segment, SegmentKind, Sentence, Talk
from articast.text.lexicon import Lexicon, load_lexicon
from articast.text.rules import (
    REPAIR_RULES,
    Rule,
    apply_mapped,
    apply_rules,
    normalize_typography,
    strip_markup,
    tidy_display,
    tidy_spacing,
)
from articast.textmap import MappedText

_TERMINAL = re.compile(
    r"[.!?\u3002\uff01\uff1f\u2026\u061f\u0964][\"'\u201d\u2019)\]\u300d\u300f\uff09]*$"
)
"""A sentence's end: . ! ? and the full stops of other scripts (。！？ ؟ ।), then closing
quotes or brackets."""
_HAS_WORD = re.compile(r"\w")
_FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "by", "from", "into",
        "as", "and", "or", "but", "nor", "that", "which", "who", "whose", "whom", "than",
        "such", "like", "about", "between", "including", "is", "are", "was", "were", "be",
        "its", "their", "our", "his", "her", "your", "my", "this", "these", "those", "very",
        "more", "most", "so", "because", "if", "when", "while", "although", "not", "can",
        "will", "would", "could", "should", "may", "might", "must", "has", "have", "had",
    }
)  # fmt: skip
_CUT_MIN_WORDS = 8
"""An unpunctuated last sentence this long is taken as cut off even if its last word could end one."""


@lru_cache(maxsize=4)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split repaired text into sentences with pySBD; blank lines always end a sentence."""
    lang = language.split("-")[0].lower() or "en"
    try:
        seg = _segmenter(lang)
    except ValueError:
        # pySBD lacks this language: English rules are the closest general fallback.
        seg = _segmenter("en")
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        flat = " ".join(block.split())
        if not flat:
            continue
        out.extend(s.strip() for s in seg.segment(flat) if s.strip())
    return out


_TABLE_NOTE = "The article shows a table here."
"""English's table note (``lang.en``); ``build_script`` passes the article language's."""
_CELL_MAX_WORDS = 8


def _row_cells(paragraph: str) -> int:
    """Number of cells when ``paragraph`` looks like a flattened table row (``a; b``), else 0."""
    text = paragraph.strip()
    if "\n" in text or "; " not in text or text.endswith((".", "!", "?")):
        return 0
    cells = [c.strip() for c in text.split("; ")]
    if any(not c or len(c.split()) > _CELL_MAX_WORDS for c in cells):
        return 0
    return len(cells)


def collapse_tables(paragraphs: tuple[str, ...], note: str = _TABLE_NOTE) -> tuple[str, ...]:
    """Replace runs of flattened table rows (two or more ``cell; cell`` paragraphs with the same
    number of short cells, as ``ingest`` writes tables) with one spoken ``note``."""
    out: list[str] = []
    i = 0
    while i < len(paragraphs):
        cells = _row_cells(paragraphs[i])
        j = i + 1
        while cells and j < len(paragraphs) and _row_cells(paragraphs[j]) == cells:
            j += 1
        if cells and j - i >= 2:
            out.append(note)
            i = j
        else:
            out.append(paragraphs[i])
            i += 1
    return tuple(out)


_REFERENCES_NOTE = "The article lists its references here."
"""English's note for a reference list (``lang.en``); ``build_script`` passes the article's."""
# Marks only a citation carries, in any language: identifiers, database links, "retrieved"
# and "accessed" dates, journal volume and pages (2019;26(3):217, 26(3): 217-231), an APA
# year "(2017).", "et al.", page and volume numbers.
_CITATION = re.compile(
    r"\bdoi\b|\b10\.\d{4,9}/\S|\bISBN\b|\bPMID\b|\bPMC\d|\barXiv:|"
    r"\[(?:PubMed|CrossRef|Medline|Google Scholar|DOI|PMC free article|Web of Science|WebCite)\]|"
    r"\bRetrieved\b.{0,40}\b(?:1[6-9]|20)\d\d\b|\bArchived from the original\b|"
    r"\baccessed\b.{0,30}\b(?:19|20)\d\d\b|"
    r"\b(?:1[6-9]|20)\d\d[a-z]?\s*;\s*\d+\s*(?:\(\s*[\w-]+\s*\))?\s*:\s*[A-Za-z]?\d+|"
    r"\b\d+\s*\(\s*\d+\s*\)\s*[:,]\s*\d+\s*[-\u2013]\s*\d+|"
    r"\((?:1[6-9]|20)\d\d[a-z]?\)\.|\bet al\.|\bpp?\.\s*\d+|\bvol\.\s*\d+",
    re.IGNORECASE,
)
# "[1] https://...", "Official announcement https://...": a link with a few words at most.
_LINK_ONLY = re.compile(r"^\W*(?:\[?\d+\]?\.?)?\s*(?:\S{1,60}\s){0,6}https?://\S+\s*$")
# Weaker: a year, or an author list opening "Surname AB," / "Surname, A." (one in a list that
# carries no mark of its own).
_CITATION_SHAPE = re.compile(r"\b(?:1[6-9]|20)\d\d\b|^\W*\d*\.?\s*[A-Z][\w'\u2019-]+,? [A-Z]{1,3}[,.]")
_CITATION_MAX_WORDS = 120
_REFERENCE_RUN = 3


def _citation_kind(paragraph: str) -> int:
    """2 for a paragraph that is a citation, 1 for one that may be (in a list of them), else 0."""
    if len(paragraph.split()) > _CITATION_MAX_WORDS:
        return 0
    if _CITATION.search(paragraph) or _LINK_ONLY.match(paragraph):
        return 2
    return 1 if _CITATION_SHAPE.search(paragraph) else 0


def collapse_references(
    paragraphs: tuple[str, ...], note: str = _REFERENCES_NOTE
) -> tuple[str, ...]:
    """Replace a reference list (three or more citations, as ``ingest`` keeps a "References",
    "Sources" or footnotes list) with one spoken ``note``: a listener cannot use a DOI.

    A run is the citations in a row and any paragraph between them shaped like one (a year,
    "Surname AB,"); it starts and ends with a citation, so the prose around it stays.
    """
    kinds = [_citation_kind(p) for p in paragraphs]
    out: list[str] = []
    i = 0
    while i < len(paragraphs):
        if kinds[i] == 2:
            j = i
            last = i
            while j < len(paragraphs) and kinds[j]:
                if kinds[j] == 2:
                    last = j
                j += 1
            if sum(1 for k in kinds[i : last + 1] if k == 2) >= _REFERENCE_RUN:
                out.append(note)
                i = last + 1
                continue
        out.append(paragraphs[i])
        i += 1
    return tuple(out)


def _close(sentence: str) -> str:
    if _TERMINAL.search(sentence):
        return sentence
    body = sentence.rstrip(",;: \u3001")
    # Chinese and Japanese close with their own full stop.
    return body + ("\u3002" if body and UNSPACED.match(body[-1]) else ".")


def _looks_cut(fragment: str, function_words: frozenset[str] = frozenset()) -> bool:
    """True when an unpunctuated last sentence is a fragment rather than a short sign-off
    (``function_words``: the article language's, added to the English ones)."""
    words = re.findall(r"[\w']+", fragment)
    if not words:
        return False
    return (
        fragment.rstrip().endswith((",", ";", ":", "-", "\u2013", "\u2014", "(", *_CJK_COMMAS))
        or unspaced_words(fragment) >= _CUT_MIN_WORDS
        or words[-1].lower() in _FUNCTION_WORDS
        or words[-1].lower() in function_words
        or len(words) >= _CUT_MIN_WORDS
    )


_CJK_COMMAS = ("\u3001", "\uff0c", "\uff1b", "\uff1a")
"""、，；： (a clause goes on after them)."""
_CLAUSE_END = re.compile(r"\s*(?:[,;:]|\s[\u2013\u2014-])\s*")
_CLAUSE_MIN_WORDS = 5
"""A salvaged clause has at least this many words (shorter ones read as fragments too)."""


def salvage_clause(
    fragment: str, function_words: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """(longest complete clause of a cut-off sentence, closed with a full stop; the rest).

    The clause ends at the last comma, semicolon, colon or dash before the cut and must not
    itself look cut (end with "and", "of"...). ``("", fragment)`` when there is none, and
    always in Chinese and Japanese, where the part before a 、 or ， is rarely a sentence.
    """
    for m in reversed(list(_CLAUSE_END.finditer(fragment))):
        head = fragment[: m.start()].rstrip()
        words = re.findall(r"[\w']+", head)
        last = words[-1].lower() if words else ""
        if len(words) < _CLAUSE_MIN_WORDS or last in _FUNCTION_WORDS or last in function_words:
            continue
        if head.count("(") > head.count(")"):
            continue
        return head + ".", fragment[m.end() :].strip()
    return "", fragment


def _tail(sentence: str, words: int = 4) -> str:
    """The last words of a sentence, for a warning: "…potential side effects."."""
    parts = sentence.split()
    return ("\u2026" if len(parts) > words else "") + " ".join(parts[-words:])


def _brief(fragment: str, words: int = 8) -> str:
    """The first words of a dropped fragment: enough to find it, without its cut-off tail."""
    parts = fragment.split()
    if len(parts) == 1 and UNSPACED.search(fragment):
        # Chinese and Japanese: no spaces; about two characters a word.
        return fragment[: 2 * words] + "\u2026"
    if len(parts) <= words:
        return " ".join(parts[: max(1, len(parts) - 2)]) + "\u2026"
    return " ".join(parts[:words]) + "\u2026"


def display_text(text: str) -> str:
    """A heading or title for display (chapter titles, slides): typography and markup cleaned."""
    return tidy_spacing(strip_markup(normalize_typography(text)))


def _capitalised(text: str) -> str:
    # The same rule as ingest's bare headings, so a heading reads the same everywhere.
    return capitalise_first(text)


def _note_rule(language: Language) -> Rule:
    """A rule that says the code and table notes of ``REPAIR_RULES`` in ``language``."""
    english = get_language("en").phrases
    notes = {english.code_note: language.phrases.code_note, english.table_note: language.phrases.table_note}

    def localize_notes(text: str) -> str:
        """The code and table notes in the article's language."""
        for said, native in notes.items():
            text = text.replace(said, native)
        return text

    return localize_notes


@dataclass(frozen=True)
class _Speaker:
    """The rules bound to one lexicon and language."""

    reading: tuple[Rule, ...]
    language: str
    """pySBD's language for splitting."""
    repair: tuple[Rule, ...] = REPAIR_RULES

    def sentences(self, text: str) -> list[Sentence]:
        """Sentences of a prose text (repair, split, read, close)."""
        return self.read(split_sentences(apply_rules(text, self.repair), self.language))

    def read(self, sentences: list[str]) -> list[Sentence]:
        """Give already split (display) sentences their spoken form; drop those left without
        words."""
        out: list[Sentence] = []
        for s in sentences:
            form = self.form(s)
            if form is not None:
                out.append(form)
        return out

    def form(self, display: str) -> Sentence | None:
        """Display and spoken form of one display sentence, closed with a full stop; None when
        nothing in it can be said."""
        shown = tidy_display(display)
        if not _HAS_WORD.search(shown):
            return None
        mapped = apply_mapped(MappedText.plain(_close(shown)), self.reading)
        if not _HAS_WORD.search(mapped.spoken):
            return None
        if not _TERMINAL.search(mapped.spoken):
            mapped = mapped.sub(r"[,;:\s]*$", ".", count=1)
        return mapped.sentence()

    def line(self, text: str) -> Sentence:
        """One composed sentence (intro/outro lines, headings) in both forms."""
        form = self.form(apply_rules(text, self.repair))
        return form if form is not None else Sentence.plain(_close(text))


@dataclass(frozen=True)
class _TalkFacts:
    title: str | None
    channel: str | None
    link_text: str | None


def _talk_facts(article: Article, talk: Talk | None) -> _TalkFacts | None:
    if talk is not None:
        return _TalkFacts(
            title=display_text(talk.title) if talk.title else None,
            channel=display_text(talk.channel) if talk.channel else None,
            link_text=display_text(talk.link_text) if talk.link_text else None,
        )
    if article.talk is not None:
        text = article.talk.text
        return _TalkFacts(None, None, display_text(text) if text else None)
    return None


def _end(text: str) -> str:
    return text if _TERMINAL.search(text) else text + "."


def _intro(
    title: str, facts: _TalkFacts | None, settings: NarrateSettings, language: Language
) -> list[str]:
    p = language.phrases
    show = display_text(settings.show_name) or p.the_show
    lines = [p.welcome.format(show=show), _end(p.titled.format(title=title))]
    if facts is None:
        lines.append(p.based)
    elif facts.title and facts.channel:
        lines.append(p.based_talk_channel.format(talk=facts.title, channel=facts.channel))
    elif facts.title:
        lines.append(p.based_talk.format(talk=facts.title))
    else:
        # Without the talk's real title, the article's link text is usually an image's alt
        # text ("Illustration of ..."): read aloud as a title it misleads, so say less.
        lines.append(p.based_talk_unknown)
    if facts is not None:
        lines.append(p.link_in_notes)
    return lines


def _outro(facts: _TalkFacts | None, settings: NarrateSettings, language: Language) -> list[str]:
    p = language.phrases
    lines = [p.end]
    if facts is not None:
        if facts.title and facts.channel:
            lines.append(p.full_talk_channel.format(talk=facts.title, channel=facts.channel))
        elif facts.title:
            lines.append(p.full_talk.format(talk=facts.title))
        else:
            lines.append(p.full_talk_unknown)
    lines.append(p.thanks.format(show=display_text(settings.show_name) or p.the_show))
    return lines


def _lead_title(article_title: str) -> str:
    head, sep, tail = article_title.partition(": ")
    if sep and head.strip() and tail.strip():
        return _capitalised(tail.strip())
    return article_title


def build_script(article: Article, talk: Talk | None, settings: NarrateSettings) -> Script:
    """Write the narration for ``article``: intro, one segment per section, outro.

    ``talk`` is the resolved talk (or None: the article's own ``TalkRef`` is used when present).
    Raises ``InputError`` when the user lexicon cannot be read.
    """
    lexicon: Lexicon = load_lexicon(settings.lexicon)
    language = get_language(article.language)
    speaker = _Speaker(
        reading=language.reading(lexicon),
        language=language.splitter,
        repair=REPAIR_RULES if language.native and language.code == "en" else (
            *REPAIR_RULES, _note_rule(language)
        ),
    )
    facts = _talk_facts(article, talk)
    title = _capitalised(display_text(article.title)) or language.phrases.untitled
    warnings: list[str] = []
    if not language.native:
        warnings.append(
            f"articast has no narration text written in {article.language!r}: the intro, "
            "outro and chapter names are in English (the article itself is read in its "
            "language, by a voice for it)"
        )
    chapter_names = language.chapters

    intro = [speaker.line(s) for s in _intro(title, facts, settings, language)]
    if settings.disclaimer.strip():
        intro.extend(speaker.sentences(settings.disclaimer))
    segments = [_segment("intro", chapter_names.intro, intro, mentions_talk=facts is not None)]

    last = _last_prose(article)
    previous_title = title
    for index, section in enumerate(article.sections):
        if section.link_lists and len(section.link_lists) == len(section.paragraphs):
            continue  # "See also", "External links": shown on the page, nothing to say
        heading = _capitalised(display_text(section.title)) if section.title else ""
        sentences: list[Sentence] = [speaker.line(heading)] if heading else []
        # A heading and every paragraph end with a longer pause than a sentence.
        ends: list[int] = [0] if heading else []
        paragraphs = collapse_references(
            collapse_tables(
                _listings_noted(section, language.phrases.code_note), language.phrases.table_note
            ),
            language.phrases.references_note,
        )
        worded = [i for i, p in enumerate(paragraphs) if _HAS_WORD.search(p)]
        final = worded[-1] if index == last and worded else None
        for p_index, paragraph in enumerate(paragraphs):
            repaired = split_sentences(apply_rules(paragraph, speaker.repair), speaker.language)
            if p_index == final and repaired and not _TERMINAL.search(repaired[-1]):
                fragment = repaired[-1]
                if _looks_cut(fragment, language.function_words):
                    kept, dropped = salvage_clause(fragment, language.function_words)
                    if kept:
                        repaired = [*repaired[:-1], kept]
                        warnings.append(
                            "the article stops mid-sentence; its last sentence was closed after "
                            f'"{_tail(kept)}" and the unfinished "{dropped}" was left out of '
                            "the narration"
                        )
                    else:
                        repaired = repaired[:-1]
                        warnings.append(
                            "the article stops mid-sentence; its unfinished last sentence, "
                            f'starting "{_brief(fragment)}", was left out of the narration'
                        )
            said = speaker.read(repaired)
            sentences.extend(said)
            if said and (not ends or ends[-1] != len(sentences) - 1):
                ends.append(len(sentences) - 1)
        if not sentences:
            continue
        if heading:
            seg_title = heading
        elif len(segments) == 1:
            seg_title = _lead_title(title)
        else:
            seg_title = chapter_names.continued.format(title=previous_title)
        previous_title = seg_title
        segments.append(
            _segment(
                "section",
                seg_title,
                sentences,
                source=section.text,
                section_index=index,
                paragraph_ends=tuple(i for i in ends if i < len(sentences) - 1),
            )
        )

    outro = [speaker.line(s) for s in _outro(facts, settings, language)]
    segments.append(
        _segment(
            "outro",
            chapter_names.outro_talk if facts is not None else chapter_names.outro,
            outro,
            mentions_talk=facts is not None,
        )
    )
    return Script(title=title, segments=tuple(segments), warnings=tuple(warnings))


def _listings_noted(section: Section, note: str) -> tuple[str, ...]:
    """The section's paragraphs with each run of code listings replaced by ``note`` (a
    listing is shown on the page, never read aloud)."""
    out: list[str] = []
    for i, paragraph in enumerate(section.paragraphs):
        if i in section.link_lists:
            continue  # a list of links under its own heading: shown, not read aloud
        if i not in section.listings:
            out.append(paragraph)
        elif i - 1 not in section.listings:
            out.append(note)
    return tuple(out)


def _segment(
    kind: SegmentKind,
    title: str,
    forms: list[Sentence],
    *,
    source: str = "",
    section_index: int | None = None,
    mentions_talk: bool = False,
    paragraph_ends: tuple[int, ...] = (),
) -> Segment:
    return Segment(
        kind,
        title,
        tuple(f.spoken for f in forms),
        source=source,
        section_index=section_index,
        mentions_talk=mentions_talk,
        forms=tuple(forms),
        paragraph_ends=paragraph_ends,
    )


def _last_prose(article: Article) -> int | None:
    """Index of the last section with words in its paragraphs (where a cut-off can be)."""
    for s_index in range(len(article.sections) - 1, -1, -1):
        if any(_HAS_WORD.search(p) for p in article.sections[s_index].paragraphs):
            return s_index
    return None
