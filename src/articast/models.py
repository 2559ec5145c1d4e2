"""Typed, immutable values that cross stage boundaries.

Every stage takes one or more of these and returns the next (see ``pipeline``)::

    ingest  -> Article
    talk    -> Talk
    narrate -> Script
    voices  -> Speech
    audio   -> Master
    visuals -> Slides
    captions-> tuple[Cue, ...]
    video   -> VideoResult

Times are seconds (float) unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# --------------------------------------------------------------------------- ingest


@dataclass(frozen=True)
class ImageRef:
    """An image the article shows."""

    src: str
    """The reference as written in the article (URL, relative path or data URI)."""
    alt: str = ""
    """Alt text or caption."""
    path: Path | None = None
    """A usable local copy (inside the article's folder or the cache), or None."""


@dataclass(frozen=True)
class TalkRef:
    """A YouTube link found in the article."""

    url: str
    """Canonical watch URL, with ``&t=N`` when the article gave a start time."""
    video_id: str
    """The 11-character YouTube video id."""
    start: int | None = None
    """Start time in whole seconds, when the link had one."""
    text: str | None = None
    """The link's text or the alt text of the image it wraps."""


@dataclass(frozen=True)
class Section:
    """One section of the article: an optional heading and its paragraphs."""

    title: str | None
    """The heading; None for the lead section before the first heading."""
    paragraphs: tuple[str, ...]
    """Clean prose paragraphs (no markup)."""
    images: tuple[ImageRef, ...] = ()
    """Images that appear in this section."""

    @property
    def text(self) -> str:
        """The section's paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)


InputKind = Literal["html", "markdown", "text", "url"]


@dataclass(frozen=True)
class Article:
    """The article as ingested: title, sections and what it links to."""

    title: str
    """The article's title."""
    sections: tuple[Section, ...]
    """Sections in reading order; the first may have no title (the lead)."""
    language: str = "en"
    """ISO 639 language code (``en``, ``en-us``...)."""
    talk: TalkRef | None = None
    """The talk the article points at: its first YouTube link."""
    talks: tuple[TalkRef, ...] = ()
    """Every YouTube link found, in order."""
    links: tuple[str, ...] = ()
    """Other http(s) links found, in order, deduplicated."""
    byline: str | None = None
    """Author, when known."""
    source: str = ""
    """The path or URL the article was read from."""
    source_url: str | None = None
    """The article's own public URL, when known."""
    kind: InputKind = "html"
    """The sniffed input format."""
    content_hash: str = ""
    """sha256 of the raw input bytes."""
    warnings: tuple[str, ...] = ()
    """Things the reader of the manifest should know (missing images...)."""

    @property
    def images(self) -> tuple[ImageRef, ...]:
        """All images of all sections, in order."""
        return tuple(img for s in self.sections for img in s.images)


# --------------------------------------------------------------------------- talk


@dataclass(frozen=True)
class TalkChapter:
    """A chapter of the referenced talk, as YouTube lists it."""

    title: str
    start: float


@dataclass(frozen=True)
class Talk:
    """The referenced talk, with whatever metadata could be resolved."""

    url: str
    """Canonical link, keeping the article's start time."""
    video_id: str
    start: int | None = None
    title: str | None = None
    """The talk's title from yt-dlp, when resolved."""
    channel: str | None = None
    duration: float | None = None
    thumbnail: Path | None = None
    """Local copy of the thumbnail (cache), when downloaded."""
    chapters: tuple[TalkChapter, ...] = ()
    fetched: bool = False
    """True when metadata came from yt-dlp (network or imported info JSON)."""
    link_text: str | None = None
    """The article's own words for the link, the fallback title."""

    @property
    def display_title(self) -> str:
        """Best human title: the real one, else the article's link text, else the URL."""
        return self.title or self.link_text or self.url


# --------------------------------------------------------------------------- narrate

SegmentKind = Literal["intro", "section", "outro"]


@dataclass(frozen=True)
class Piece:
    """A stretch of a sentence in its two forms (see ``Sentence``)."""

    display: str
    """The author's characters (what captions and transcripts show)."""
    spoken: str
    """What the voice reads for them."""
    changed: bool = False
    """False: the two forms are the same characters, one for one. True: a pronunciation (from
    a reading rule or written in ``script.md``) replaces the display characters as a block."""


@dataclass(frozen=True)
class Sentence:
    """One sentence in two forms, from the article onward: the display text (the author's words,
    markup cleaned and repaired) and the spoken text (after the reading rules and the lexicon).

    The pieces are the map between them: concatenated, their ``display`` parts give the display
    text and their ``spoken`` parts the spoken text. ``articast.textmap`` turns them into a token
    map (display tokens to spoken words) and carries word timings across it.
    """

    pieces: tuple[Piece, ...]

    @classmethod
    def plain(cls, text: str) -> Sentence:
        """A sentence said exactly as it is shown."""
        return cls((Piece(text, text),) if text else ())

    @property
    def display(self) -> str:
        """The author's words."""
        return "".join(p.display for p in self.pieces)

    @property
    def spoken(self) -> str:
        """The words the voice reads."""
        return "".join(p.spoken for p in self.pieces)


@dataclass(frozen=True)
class Segment:
    """One part of the narration script."""

    kind: SegmentKind
    title: str
    """Chapter title (``Introduction``, the section heading, ``Outro``...)."""
    sentences: tuple[str, ...]
    """Speakable sentences, one utterance each, in order."""
    source: str = ""
    """The article text this segment came from (empty for intro/outro)."""
    section_index: int | None = None
    """Index into ``Article.sections`` for ``section`` segments."""
    mentions_talk: bool = False
    """True when the segment introduces or points at the talk (chapter gets its link)."""
    forms: tuple[Sentence, ...] = ()
    """Display and spoken form of each sentence (``forms[i].spoken == sentences[i]``); empty
    when the sentences are shown as they are said."""

    def __post_init__(self) -> None:
        if self.forms and tuple(f.spoken for f in self.forms) != self.sentences:
            raise ValueError("Segment.forms must speak exactly Segment.sentences")

    def form(self, index: int) -> Sentence:
        """Display and spoken form of sentence ``index``."""
        return self.forms[index] if self.forms else Sentence.plain(self.sentences[index])


@dataclass(frozen=True)
class Script:
    """The narration: an intro, one segment per section, an outro."""

    title: str
    segments: tuple[Segment, ...]
    warnings: tuple[str, ...] = ()
    """E.g. a cut-off last sentence that was dropped."""
    edited: bool = False
    """True when read back from a user-edited script.md."""


# --------------------------------------------------------------------------- voices

TimingMethod = Literal["engine", "aligned", "estimated"]


@dataclass(frozen=True)
class WordTiming:
    """A word of a sentence and when it is spoken, relative to the sentence's audio."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Utterance:
    """One sentence's audio: mono signed 16-bit little-endian PCM plus word timings."""

    text: str
    pcm: bytes = field(repr=False)
    sample_rate: int
    words: tuple[WordTiming, ...]
    timing: TimingMethod = "engine"
    cached: bool = False
    """True when it came from the speech cache rather than the voice."""

    @property
    def duration(self) -> float:
        """Length of the audio in seconds."""
        return len(self.pcm) / 2 / self.sample_rate


@dataclass(frozen=True)
class SegmentSpeech:
    """The audio of one script segment."""

    segment: Segment
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True)
class Speech:
    """The whole script spoken by one voice."""

    voice: str
    """The voice spec actually used (``espeak:en-us``)."""
    segments: tuple[SegmentSpeech, ...]
    synthesized: int = 0
    """Sentences synthesised in this run."""
    cached: int = 0
    """Sentences taken from the speech cache."""
    requested_voice: str | None = None
    """The voice asked for, when a fallback voice was used instead."""
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------- audio


@dataclass(frozen=True)
class TimedWord:
    """A word placed on the episode's timeline (absolute seconds)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class TimedSentence:
    """A sentence placed on the episode's timeline."""

    text: str
    start: float
    end: float
    segment_index: int
    words: tuple[TimedWord, ...]
    """The voice's words (engine events or alignment), spoken text."""
    form: Sentence | None = None
    """Display and spoken form (``form.spoken == text``); None when shown as said."""


@dataclass(frozen=True)
class Chapter:
    """A chapter of the episode (one per script segment)."""

    title: str
    start: float
    end: float
    url: str | None = None
    """Link for the chapter (the talk), when it has one."""


@dataclass(frozen=True)
class Master:
    """The finished episode audio."""

    mp3: Path
    """The tagged, loudness-normalised MP3."""
    wav: Path
    """Lossless master (44.1 kHz) the video muxes from; lives in the work folder."""
    duration: float
    chapters: tuple[Chapter, ...]
    sentences: tuple[TimedSentence, ...]
    loudness_lufs: float | None = None
    """Integrated loudness measured on the encoded MP3."""
    true_peak_dbtp: float | None = None
    """True peak measured on the encoded MP3."""
    premaster_lufs: float | None = None
    """Loudness before normalisation."""


# --------------------------------------------------------------------------- visuals, captions, video

SlideKind = Literal["title", "section", "end"]


@dataclass(frozen=True)
class Slide:
    """A still picture shown from ``start`` to ``end`` (without captions)."""

    kind: SlideKind
    image: Path
    start: float
    end: float
    title: str = ""
    key: str = ""
    """Content hash of the picture (for caching renders)."""


@dataclass(frozen=True)
class Slides:
    """Every slide of the video plus the thumbnail."""

    slides: tuple[Slide, ...]
    thumbnail: Path | None = None
    size: tuple[int, int] = (1920, 1080)


@dataclass(frozen=True)
class Cue:
    """One caption: at most two lines shown from ``start`` to ``end``."""

    start: float
    end: float
    lines: tuple[str, ...]
    words: tuple[TimedWord, ...] = ()
    """The words the cue shows, with their timing (for highlighting)."""

    @property
    def text(self) -> str:
        """The cue's lines joined by a newline."""
        return "\n".join(self.lines)


@dataclass(frozen=True)
class VideoResult:
    """The rendered video."""

    mp4: Path
    duration: float
    rendered_sections: tuple[str, ...] = ()
    """Titles of the parts that were rendered in this run (others came from the cache)."""
    thumbnail: Path | None = None


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class ProgressEvent:
    """A progress report from a stage; the CLI renders these, the library never prints."""

    stage: str
    done: int
    total: int | None = None
    message: str = ""
