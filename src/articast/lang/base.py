"""What articast knows about one language: narration phrases, labels, reading rules, voices.

Sits beside every stage: ``narrate`` takes the phrases, chapter names and reading rules,
``voices`` the default voices, ``audio``/``publish``/``visuals`` the labels and codes. Each
language lives in one small module of ``articast.lang`` that builds one ``Language``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # narrate imports this package: only the type names are needed here
    from articast.text.lexicon import Lexicon
    from articast.text.rules import Rule

KANA = "\u3040-\u30ff\uff66-\uff9f"
"""Kana (with half-width katakana) ranges, for a regex character class: only Japanese."""
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Han ranges, for a regex character class: Chinese, and Japanese beside kana."""
KANA_HAN = KANA + HAN
"""Kana and Han ranges, for a regex character class: Chinese and Japanese write words without
spaces and close sentences with their own full stop. Ingest counts words by them, narrate
closes sentences by them, voices count syllables by them."""
UNSPACED = re.compile(f"[{KANA_HAN}]")
"""One kana or Han character."""


def unspaced_words(text: str) -> int:
    """The words in the Chinese and Japanese of ``text``: with no spaces between them, about
    one for every two characters (ingest's word counts, narrate's length estimate and its test
    for a cut-off sentence all count them so)."""
    return (len(UNSPACED.findall(text)) + 1) // 2


def mostly_unspaced(text: str) -> bool:
    """At least half of ``text``'s characters (spaces aside) are Chinese or Japanese."""
    return 2 * len(UNSPACED.findall(text)) >= len("".join(text.split()))


def cut_after_marks(text: str, limit: int, marks: str, shortest: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, each cut after the last of ``marks``
    in it (a comma, a stop, a ``/``) when that leaves more than ``shortest`` characters, else
    at ``limit``: a long Chinese or Japanese sentence or a web address, which have no spaces to
    break at."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind(mark, 0, limit) for mark in marks) + 1
        cut = cut if cut > shortest else limit
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text]


@dataclass(frozen=True)
class Phrases:
    """The sentences articast itself writes into a script, as ``str.format`` templates.

    Placeholders: ``{show}`` (show name), ``{title}`` (episode title), ``{talk}`` (the talk's
    title), ``{channel}`` (who gave it).
    """

    welcome: str
    """First intro line: ``Welcome to {show}.``"""
    titled: str
    """``This episode is titled {title}`` (closed with a full stop unless it has one)."""
    based: str
    """The article it is based on, no talk: ``It is based on the article of the same name.``"""
    based_talk_channel: str
    """Same, naming the talk and its channel."""
    based_talk: str
    """Same, naming the talk only."""
    based_talk_unknown: str
    """Same, when only the fact of a talk on YouTube is known."""
    link_in_notes: str
    """``You will find the link in the show notes.``"""
    end: str
    """First outro line: ``That brings us to the end of this episode.``"""
    full_talk_channel: str
    """Where to hear the talk, naming the talk and its channel."""
    full_talk: str
    """Same, naming the talk only."""
    full_talk_unknown: str
    """Same, without the talk's title."""
    thanks: str
    """Last outro line: ``Thanks for listening to {show}.``"""
    the_show: str
    """Used for ``{show}`` when the show has no name."""
    untitled: str
    """Title of an article without one."""
    code_note: str
    """Read in place of a code example."""
    table_note: str
    """Read in place of a table."""
    references_note: str
    """Read in place of a reference list (``The article lists its references here.``)."""


@dataclass(frozen=True)
class ChapterNames:
    """The chapter names articast writes (the sections keep the article's headings)."""

    intro: str
    """``Introduction``."""
    outro_talk: str
    """Outro chapter when a talk is linked: ``Watch the full talk``."""
    outro: str
    """Outro chapter without a talk: ``Closing``."""
    continued: str
    """A section without a heading after another: ``{title} (continued)``."""


@dataclass(frozen=True)
class Labels:
    """Words shown to people on the end card, the pages, the description and the tags."""

    watch_talk: str
    """End card heading and description line: ``Watch the talk``."""
    thanks: str
    """End card heading without a talk: ``Thanks for listening``."""
    read_article: str
    """Description line before the article's link: ``Read the article``."""
    chapters: str
    listen: str
    transcript: str
    watch: str
    the_talk: str
    the_article: str
    files: str
    all_episodes: str
    episodes: str
    skip: str
    """``Skip to the player``."""
    follow: str
    """``Scroll the transcript along with the audio``."""
    no_transcript: str
    captions: str
    show_notes: str
    by: str
    """``by`` between a talk's title and its channel."""
    read_by: str
    """``{title}, read by {show}.`` (the MP3's comment)."""
    cover_art: str
    """Alt text of the cover: ``Cover art of {title}``."""
    episode_audio: str
    """``Episode audio: {title}`` (the player's accessible name)."""
    download_audio: str
    episode_video: str
    """``Episode video: {title}``."""
    download_video: str
    play_from: str
    """A chapter button's accessible name: ``Play from {time}: {title}``."""
    talk_thumbnail: str
    """``Thumbnail of the talk {title}``."""
    episode_file: str
    video_file: str
    script_file: str
    feed: str
    """``Podcast feed``."""
    months: tuple[str, ...]
    """Month names, January first, as used in a date (``3 November 2026``)."""
    date: str = "{day} {month} {year}"
    """How a date is written."""
    full_episode: str = "Hear the whole episode"
    """A clip's end card: where the clip comes from."""
    clips: str = "Clips"
    """The episode page's heading over its clips."""
    outputs: Mapping[str, str] = field(default_factory=dict)
    """The episode page's names for files of outputs by their manifest key
    (``articast.outputs``); an output a language does not name here shows its English one."""


@dataclass(frozen=True)
class Language:
    """One language: narration phrases, chapter names, labels, reading rules and voices."""

    code: str
    """ISO 639-1 code (``de``)."""
    name: str
    """The language's own name (``Deutsch``)."""
    iso639_2: str
    """Three-letter code for the ID3 ``TLAN`` frame (``deu``)."""
    phrases: Phrases
    chapters: ChapterNames
    labels: Labels
    reading: Callable[[Lexicon | None], tuple[Rule, ...]]
    """The per-sentence reading rules (numbers, years, ordinals, money, units...) for a lexicon."""
    espeak: str
    """espeak-ng's voice for the language (``de``)."""
    gtts: str
    """Google's language code (``de``)."""
    splitter: str
    """pySBD's language for sentence splitting (``de``; ``en`` when pySBD lacks it)."""
    function_words: frozenset[str] = frozenset()
    """Articles, prepositions and conjunctions: a last sentence ending on one was cut off."""
    native: bool = True
    """False when phrases and labels are English stand-ins (the manifest then warns)."""


def word_set(words: str) -> frozenset[str]:
    """The words of a space-separated string, as a set (``Language.function_words``)."""
    return frozenset(words.split())


_ISO639_2 = {
    "en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
    "da": "dan", "sv": "swe", "nb": "nob", "no": "nor", "fi": "fin", "pl": "pol", "cs": "ces",
    "sk": "slk", "hu": "hun", "ro": "ron", "ru": "rus", "uk": "ukr", "bg": "bul", "el": "ell",
    "tr": "tur", "ar": "ara", "he": "heb", "fa": "fas", "hi": "hin", "ja": "jpn", "zh": "zho",
    "ko": "kor", "id": "ind", "vi": "vie", "ca": "cat", "eu": "eus", "gl": "glg", "hr": "hrv",
    "sr": "srp", "sl": "slv", "lt": "lit", "lv": "lav", "et": "est", "is": "isl", "ga": "gle",
    "cy": "cym", "af": "afr", "sw": "swa", "ta": "tam", "bn": "ben", "th": "tha", "ms": "msa",
}  # fmt: skip


def base_code(code: str | None) -> str:
    """``de-AT`` / ``pt_BR`` / ``EN`` -> ``de`` / ``pt`` / ``en``; ``en`` for nothing."""
    base = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return base if base.isalpha() and 2 <= len(base) <= 3 else "en"


def iso639_2(code: str | None) -> str:
    """The three-letter code of a language (ID3 ``TLAN``); ``und`` when unknown."""
    return _ISO639_2.get(base_code(code), "und")
