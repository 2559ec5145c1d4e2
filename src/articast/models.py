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
    publish -> Episode       (the manifest, ``episode.json``)

Times are seconds (float) unless a name says otherwise.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, ClassVar, Literal

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
    listings: tuple[int, ...] = ()
    """Indices of the paragraphs that are code listings (``<pre>``, fenced code): kept as the
    article's text, shown, never read aloud (the narration says a listing is shown)."""
    link_lists: tuple[int, ...] = ()
    """Indices of the paragraphs that are items of a list of links under a heading of its own
    ("See also", "External links"): the article's text, shown, not read aloud (a section of
    nothing else is left out of the narration)."""

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

    @property
    def timed_url(self) -> str:
        """``url`` with the start time (``t=N``) when the article gave one and it has none."""
        import urllib.parse

        url = self.url
        if self.start:
            parts = urllib.parse.urlsplit(url)
            query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if not any(k == "t" for k, _ in query):
                query.append(("t", f"{self.start}s"))
                url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
        return url


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
    paragraph_ends: tuple[int, ...] = ()
    """Indices of the sentences that close a paragraph (or a heading) inside the segment: the
    audio stage pauses longer after them. The segment's last sentence is never listed (the
    section pause follows it)."""
    visuals: VisualOverrides | None = None
    """The producer's choices for this segment's pictures (from ``script.md``)."""

    def __post_init__(self) -> None:
        if self.forms and tuple(f.spoken for f in self.forms) != self.sentences:
            raise ValueError("Segment.forms must speak exactly Segment.sentences")
        ends = self.paragraph_ends
        if any(not 0 <= i < len(self.sentences) - 1 for i in ends) or list(ends) != sorted(
            set(ends)
        ):
            raise ValueError(
                "Segment.paragraph_ends must be increasing sentence indices before the last one"
            )

    def form(self, index: int) -> Sentence:
        """Display and spoken form of sentence ``index``."""
        return self.forms[index] if self.forms else Sentence.plain(self.sentences[index])


@dataclass(frozen=True)
class VisualOverrides:
    """A producer's choices for a section's pictures, written in ``script.md`` (each field
    unset keeps the automatic choice)."""

    points: tuple[str, ...] | None = None
    """Key points to show instead of the chosen ones (each in the section's own words);
    an empty tuple shows none."""
    chart: bool | None = None
    """False drops the chart."""
    number: bool | None = None
    """False drops the big numbers."""
    quote: bool | None = None
    """False drops the quote."""
    picture: Path | None = None
    """A picture file to show for the section (instead of the article's)."""
    icon: str | None = None
    """A Lucide icon name to show instead of the chosen one."""


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
    cuts: tuple[int, ...] = ()
    """Frames of ``wav``, in the pause before each section after the first, on a grid the
    video's AAC frames share: the sound is levelled and encoded apart between them (so the
    encoded pieces of sections an edit left alone are reused)."""


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


# --------------------------------------------------------------------------- publish: the manifest

MANIFEST_SCHEMA = 1
"""Version of ``episode.json``'s layout. The keys are those of the first manifests; a manifest
without a ``schema`` key (older, or written by hand) loads with defaults for what it lacks."""


class ManifestError(ValueError):
    """An ``episode.json`` whose values are of the wrong kind (or from a newer articast)."""


@dataclass(frozen=True)
class EpisodeFiles:
    """File names inside the episode folder, relative to it; None when the file is not made.

    In ``episode.json`` a file that is not made is left out of ``files``; a manifest with no
    ``files`` at all (the oldest) means the standard names (``EpisodeFiles.standard()``).
    """

    audio: str = "episode.mp3"
    video: str | None = None
    script: str = "script.md"
    captions_vtt: str = "captions.vtt"
    captions_srt: str = "captions.srt"
    chapters: str = "chapters.json"
    cover: str = "cover.jpg"
    thumbnail: str | None = None
    description: str = "description.txt"
    shownotes: str = "shownotes.html"
    page: str = "index.html"
    extra: Mapping[str, str] = field(default_factory=dict)
    """Files of other outputs (``articast.outputs``) by their key: ``{"transcript":
    "transcript.txt"}``; left out of ``episode.json`` when there are none."""

    OMIT_NONE: ClassVar[bool] = True
    """``to_json`` leaves out files that are not made (the manifest lists only real files)."""

    def __post_init__(self) -> None:
        named = [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "extra"]
        for key, name in [*named, *((f"extra.{k}", v) for k, v in self.extra.items())]:
            if name is None:
                continue
            if not name or PurePath(name).is_absolute() or ".." in PurePath(name).parts:
                raise ManifestError(f"files.{key} must be a file name inside the episode folder, not {name!r}")

    @classmethod
    def from_keys(cls, files: Mapping[str, str]) -> EpisodeFiles:
        """The files listed by manifest key: the built-in keys as fields (an optional one not
        listed is not made), any other key in ``extra``."""
        fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "extra"}
        given: dict[str, Any] = {k: v for k, v in files.items() if k in fields}
        for key, f in fields.items():
            if key not in given and f.default is None:
                given[key] = None
        return cls(**given, extra={k: v for k, v in files.items() if k not in fields})

    @classmethod
    def standard(cls) -> EpisodeFiles:
        """Every file an episode with a video has, under its usual name."""
        return cls(video="episode.mp4", thumbnail="thumbnail.png")

    def names(self) -> tuple[str, ...]:
        """Every file name listed (the ones that are made)."""
        return (
            *(v for f in dataclasses.fields(self) if f.name != "extra" and (v := getattr(self, f.name)) is not None),
            *self.extra.values(),
        )


@dataclass(frozen=True)
class EpisodeShow:
    """The show the episode was built for."""

    name: str = ""
    author: str = ""


BeatKind = Literal["points", "number", "quote", "chart", "image", "icon"]


@dataclass(frozen=True)
class ChartItem:
    """One quantity of a chart: the number as the article writes it and what it counts."""

    label: str
    """What it counts, in the article's words."""
    shown: str
    """The number as written ("40%", "$3.5 million", "1998")."""
    value: float
    """Its value, for scaling."""


@dataclass(frozen=True)
class Beat:
    """One thing a section's picture shows, from ``start`` to ``end`` (episode seconds).

    ``points``: one key point (``text``, the author's words), shown from the sentence that
    says it to the section's end. ``number``: a number (``value`` as written) with what it
    counts (``text``, the phrase around it), shown while it is spoken. ``quote``: the quoted
    words (``text``) and who said them (``attribution``). ``chart``: ``chart`` is ``bars`` or
    ``timeline`` over ``items``. ``image``: the picture file ``name``. ``icon``: the Lucide
    icon ``name``. Empty fields are left out of ``episode.json``.
    """

    OMIT_EMPTY: ClassVar[bool] = True

    kind: BeatKind
    start: float
    end: float
    text: str = ""
    value: str = ""
    attribution: str = ""
    chart: str = ""
    items: tuple[ChartItem, ...] = ()
    name: str = ""
    sentence: int = 0
    """Index (within the segment) of the sentence that brings it on screen."""


@dataclass(frozen=True)
class SectionPlan:
    """What a section's picture shows and when: its beats in order of appearance."""

    beats: tuple[Beat, ...]

    def of(self, kind: BeatKind) -> tuple[Beat, ...]:
        """The beats of one kind."""
        return tuple(b for b in self.beats if b.kind == kind)


@dataclass(frozen=True)
class EpisodeSection:
    """A chapter's span with the kind of script segment it voices."""

    title: str
    start: float
    end: float
    kind: SegmentKind = "section"
    visuals: tuple[Beat, ...] = ()
    """What the section's picture shows and when (``Beat``); empty for intro and outro."""


@dataclass(frozen=True)
class EpisodeSentence:
    """A spoken sentence on the episode's timeline (the read-along transcript)."""

    text: str
    """The sentence as shown: the author's words (pages, transcripts)."""
    start: float
    end: float
    segment: int = 0
    """Index of the chapter (script segment) it belongs to."""
    spoken: str = ""
    """What the voice said (after the reading rules), for tools; empty in older manifests."""
    words: tuple[TimedWord, ...] = ()
    """The words captions show (``text``'s words), each timed on the episode's clock, for
    tools that lay captions out again (the clips); empty in older manifests."""


@dataclass(frozen=True)
class TalkLink:
    """A YouTube link the article has (every one, not only the talk)."""

    url: str
    video_id: str
    start: int | None = None


@dataclass(frozen=True)
class SpeechStats:
    """How the narration was voiced."""

    synthesized: int = 0
    """Sentences synthesised in this build."""
    cached: int = 0
    """Sentences taken from the speech cache."""
    timing: Mapping[str, str] = field(default_factory=dict)
    """Per chapter title: how word timings were found (``engine``, ``aligned``, ``estimated``)."""


@dataclass(frozen=True)
class LoudnessStats:
    """Loudness measured on the audio (LUFS, dBTP); None when not measured."""

    premaster_lufs: float | None = None
    integrated_lufs: float | None = None
    true_peak_dbtp: float | None = None


@dataclass(frozen=True)
class VideoStats:
    """What the video stage did."""

    rendered_sections: tuple[str, ...] = ()
    """Titles of the parts rendered in this build (others came from the cache)."""


@dataclass(frozen=True)
class Episode:
    """The manifest of a built episode (``episode.json``): what the publish stage, the batch
    and the CLI read. ``to_json``/``from_json`` keep the file's keys; see ``MANIFEST_SCHEMA``."""

    schema: int = MANIFEST_SCHEMA
    articast_version: str = ""
    title: str = ""
    slug: str = ""
    guid: str = ""
    """Stable item id in the feed: kept across rebuilds."""
    pub_date: str = ""
    """RFC 2822 date of the first build (kept across rebuilds)."""
    created: str = ""
    """ISO time of the first build."""
    updated: str = ""
    """ISO time of this build."""
    voice: str = ""
    """The voice that spoke (``espeak:en-us``)."""
    requested_voice: str = ""
    """The voice asked for (differs from ``voice`` when the fallback voice was used)."""
    fallback_used: bool = False
    duration: float = 0.0
    language: str = "en"
    source: str = ""
    """The path or URL the article was read from."""
    source_url: str | None = None
    """The article's public URL, when known."""
    kind: str = ""
    """The sniffed input format (``html``, ``markdown``, ``text``, ``url``)."""
    content_hash: str = ""
    source_id: str = ""
    """What identifies the source: the URL as given or the file's real path (a second source
    with the same title gets its own folder instead of replacing this episode)."""
    settings_hash: str = ""
    script_edited: bool = False
    summary: str = ""
    """The article's opening, for show notes and the feed."""
    show: EpisodeShow = field(default_factory=EpisodeShow)
    chapters: tuple[Chapter, ...] = ()
    sections: tuple[EpisodeSection, ...] = ()
    sentences: tuple[EpisodeSentence, ...] = ()
    talk: Talk | None = None
    """The talk the article points at, with what could be resolved."""
    talks: tuple[TalkLink, ...] = ()
    warnings: tuple[str, ...] = ()
    stages: Mapping[str, float] = field(default_factory=dict)
    """Wall seconds per pipeline stage (they overlap where stages run together)."""
    speech: SpeechStats = field(default_factory=SpeechStats)
    loudness: LoudnessStats = field(default_factory=LoudnessStats)
    video: VideoStats = field(default_factory=VideoStats)
    files: EpisodeFiles = field(default_factory=EpisodeFiles.standard)
    build_seconds: float | None = None
    """Wall seconds of the whole build."""
    style: str = ""
    """The style the pictures were drawn in (``dark``, ``paper``, ``whiteboard``); the clips
    made later take it; empty in older manifests."""

    def to_json(self) -> dict[str, Any]:
        """The manifest as a JSON-ready dict (the keys of ``episode.json``)."""
        data = _to_json(self)
        assert isinstance(data, dict)
        return data

    @classmethod
    def from_json(cls, data: object) -> Episode:
        """The manifest read back from ``episode.json``'s parsed JSON.

        Missing keys take their defaults (older manifests load); unknown keys are ignored;
        a value of the wrong kind, or a ``schema`` newer than ``MANIFEST_SCHEMA``, raises
        ``ManifestError``.
        """
        if not isinstance(data, dict):
            raise ManifestError("the manifest is not a JSON object")
        schema = data.get("schema", 0)
        if isinstance(schema, int) and schema > MANIFEST_SCHEMA:
            raise ManifestError(
                f"manifest schema {schema} is newer than this articast reads "
                f"({MANIFEST_SCHEMA}); upgrade articast"
            )
        episode = _from_json(cls, data, "")
        assert isinstance(episode, Episode)
        return episode


ClipFormat = Literal["vertical", "square", "landscape"]
CLIP_SIZES: Mapping[str, tuple[int, int]] = {
    "vertical": (1080, 1920),
    "square": (1080, 1080),
    "landscape": (1920, 1080),
}
"""Frame size of each clip format (Shorts, Reels and TikTok; feeds; YouTube)."""


@dataclass(frozen=True)
class Clip:
    """One social clip of an episode (an entry of ``clips.json``)."""

    file: str
    """The clip's MP4, in the episode folder."""
    start: float
    """Where the clip's moment starts in the episode (seconds): the clip's sound at 0 s is the
    episode's at ``start``."""
    end: float
    """Where the moment ends in the episode (the clip adds its end card after it)."""
    score: float
    """How strong the moment is (0-1), from its text."""
    why: str
    """Why it was chosen, in words."""
    text: str
    """What is said, the author's words (whole sentences of the script)."""
    headline: str = ""
    """The key point the clip shows on top, in the author's words."""
    chapter: str = ""
    """The chapter it comes from (the first, when it spans more)."""
    format: ClipFormat = "vertical"
    width: int = 1080
    height: int = 1920
    duration: float = 0.0
    """The file's length (the moment and the end card)."""
    captions: str = ""
    """Its WebVTT captions, in the episode folder (times from the clip's start)."""
    poster: str = ""
    """A still of it (JPEG, 720 pixels wide at most): the page's player shows it, a platform
    may take it as the cover."""
    first_sentence: int = 0
    """Index of its first sentence in the manifest's ``sentences``."""
    last_sentence: int = 0
    """Index of its last sentence."""
    aim: float = 0.0
    """The length asked for (``--length``): a rebuild makes its clips again alike."""
    fps: int = 30


def clips_to_json(clips: Sequence[Clip]) -> list[object]:
    """``clips.json``'s content: a list of objects, one per clip."""
    out = _to_json(tuple(clips))
    assert isinstance(out, list)
    return out


def clips_from_json(data: object) -> tuple[Clip, ...]:
    """The clips of a parsed ``clips.json``; raises ``ManifestError`` on a wrong value."""
    clips = _from_json(tuple[Clip, ...], data, "clips")
    assert isinstance(clips, tuple)
    return clips


def _to_json(value: object) -> object:
    """A JSON-ready copy of a model value: dataclasses become dicts (fields in order), tuples
    lists, paths strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        omit_none = getattr(value, "OMIT_NONE", False)
        omit_empty = getattr(value, "OMIT_EMPTY", False)
        out: dict[str, object] = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if omit_empty and (v == "" or v == ()):
                continue
            if omit_none and isinstance(v, Mapping) and not v:
                continue
            if v is not None or not omit_none:
                out[f.name] = _to_json(v)
        return out
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, PurePath):
        return str(value)
    return value


@functools.cache
def _type_hints(tp: type) -> dict[str, Any]:
    """A dataclass's field types (resolved once: a manifest names each type hundreds of times)."""
    return typing.get_type_hints(tp)


def _from_json(tp: Any, value: object, where: str) -> object:
    """``value`` (parsed JSON) as the type ``tp``; raises ManifestError naming ``where``."""
    name = where or "manifest"
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors: list[str] = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _from_json(arg, value, where)
            except ManifestError as exc:
                errors.append(str(exc))
        raise ManifestError(errors[0] if errors else f"{name} must not be null")
    if origin is Literal:
        if value not in typing.get_args(tp):
            allowed = ", ".join(repr(a) for a in typing.get_args(tp))
            raise ManifestError(f"{name} must be one of {allowed}, not {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise ManifestError(f"{name} must be a list")
        item = typing.get_args(tp)[0]
        return tuple(_from_json(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict):
        if not isinstance(value, dict):
            raise ManifestError(f"{name} must be an object")
        item = typing.get_args(tp)[1]
        return {str(k): _from_json(item, v, f"{where}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            raise ManifestError(f"{name} must be an object")
        hints = _type_hints(tp)
        kwargs: dict[str, object] = {}
        for f in dataclasses.fields(tp):
            if f.name not in value:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise ManifestError(f"{name} has no {f.name!r}")
                continue
            sub = f"{where}.{f.name}" if where else f.name
            kwargs[f.name] = _from_json(hints[f.name], value[f.name], sub)
        return tp(**kwargs)
    if tp is bool:
        if not isinstance(value, bool):
            raise ManifestError(f"{name} must be true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ManifestError(f"{name} must be a whole number")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ManifestError(f"{name} must be a number")
        if not math.isfinite(value):
            raise ManifestError(f"{name} must be a finite number")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ManifestError(f"{name} must be a string")
        return value
    if tp is Path:
        if not isinstance(value, str) or not value:
            raise ManifestError(f"{name} must be a path")
        return Path(value)
    raise TypeError(f"no JSON conversion for {tp!r} ({name})")  # our bug: a new field type
