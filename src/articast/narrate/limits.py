"""Limits that bound a build's time and memory, applied to a ``Script`` before any synthesis.

Sits between narrate and voices on the map, for scripts built from an article and edited
``script.md`` files alike (``bound_script``):

* a token (a run without spaces) longer than ``MAX_TOKEN_CHARS`` is left out with a warning:
  a voice would spell it for hours (a 1 MB token became almost two hours of speech);
* a sentence longer than ``MAX_SENTENCE_WORDS`` words is cut into pieces of at most that many
  words (the voices, the aligner and the captions work sentence by sentence);
* more than ``MAX_SEGMENTS`` segments (chapters: ID3 tables of contents hold 255) or an
  estimated length over ``MAX_EPISODE_SECONDS`` is refused with an ``InputError`` before any
  sentence is voiced.

``MAX_SCRIPT_BYTES`` caps the size of an edited ``script.md`` (checked when it is read).
"""

from __future__ import annotations

import dataclasses
import re

from articast.errors import InputError
from articast.lang import cut_after_marks, mostly_unspaced, unspaced_words
from articast.models import Script, Segment, Sentence

MAX_TOKEN_CHARS = 200
"""Longest run of characters without a space that is read out."""
MAX_SENTENCE_WORDS = 120
"""Longest sentence voiced in one piece; longer ones are cut."""
MAX_SEGMENTS = 255
"""Most segments (chapters) in one episode."""
MAX_EPISODE_SECONDS = 4 * 3600
"""The documented maximum episode length: 4 hours, estimated from the words before voicing."""
MAX_SCRIPT_BYTES = 2_000_000
"""Largest ``script.md`` read with ``--script`` (a 4-hour script is about 250 kB)."""
DEFAULT_WPM = 160
"""Words per minute assumed when the voice's rate is not set."""
PAUSE_SECONDS = 0.35
"""Pause per sentence in the estimate."""

_TOKEN = re.compile(r"\S+")
CJK_PIECE_CHARS = 100
"""Longest piece of a Chinese or Japanese sentence voiced at once (about 50 words)."""


def spoken_words(text: str) -> int:
    """Words in ``text`` as a voice says them: runs between spaces, and in Chinese and
    Japanese (written without spaces) about one word for every two characters."""
    return sum(max(1, unspaced_words(token)) for token in _TOKEN.findall(text))


def _cjk_pieces(text: str) -> list[str]:
    """A long Chinese or Japanese sentence in pieces of at most ``CJK_PIECE_CHARS``, cut after
    a 、，；： where one leaves a piece of more than about a third of that."""
    pieces = cut_after_marks(text, CJK_PIECE_CHARS, "\u3001\uff0c\uff1b\uff1a ", CJK_PIECE_CHARS // 3 + 1)
    return [p.strip() for p in pieces if p.strip()]


def _bound_sentence(text: str, dropped: list[str]) -> list[str] | None:
    """``text`` cut to the limits, or None when it is within them already."""
    words = _TOKEN.findall(text)
    long = [w for w in words if len(w) > MAX_TOKEN_CHARS]
    if mostly_unspaced(text):
        # Chinese or Japanese: a long run without spaces is a sentence, not a token to skip.
        return _cjk_pieces(text) if len(text) > max(MAX_TOKEN_CHARS, CJK_PIECE_CHARS) else None
    if not long and len(words) <= MAX_SENTENCE_WORDS:
        return None
    dropped.extend(w[:20] for w in long)
    kept = [w for w in words if len(w) <= MAX_TOKEN_CHARS]
    return [
        " ".join(kept[i : i + MAX_SENTENCE_WORDS]) for i in range(0, len(kept), MAX_SENTENCE_WORDS)
    ]


def estimate_script_seconds(
    script: Script, rate: int | None = None, pauses: tuple[float, float, float] | None = None
) -> float:
    """The length of ``script`` estimated from its words (for the limit, before voicing),
    with the ``pauses`` the audio stage puts after every sentence, paragraph and section
    (``[audio]`` sentence_pause, paragraph_pause, section_pause; a default sentence pause
    when None): 1,500 one-line paragraphs with 10 s pauses are four hours of silence."""
    wps = (rate or DEFAULT_WPM) / 60
    words = sum(spoken_words(s) for seg in script.segments for s in seg.sentences)
    sentences = sum(len(seg.sentences) for seg in script.segments)
    if pauses is None:
        return words / wps + PAUSE_SECONDS * sentences
    sentence, paragraph, section = pauses
    paragraphs = sum(len(seg.paragraph_ends) for seg in script.segments)
    silence = sentence * sentences + paragraph * paragraphs + section * len(script.segments)
    return words / wps + silence


def bound_script(
    script: Script, rate: int | None = None, pauses: tuple[float, float, float] | None = None
) -> Script:
    """``script`` within the limits above (warnings added for what was cut), or ``InputError``."""
    if len(script.segments) > MAX_SEGMENTS:
        raise InputError(
            f"the script has {len(script.segments):,} segments, over the limit of {MAX_SEGMENTS} "
            "(chapters); merge some sections"
        )
    dropped: list[str] = []
    split = 0
    segments: list[Segment] = []
    for seg in script.segments:
        sentences: list[str] = []
        forms: list[Sentence] = []
        upto: list[int] = []  # per sentence given, how many there are once it is bounded
        for i, text in enumerate(seg.sentences):
            pieces = _bound_sentence(text, dropped)
            if pieces is None:
                sentences.append(text)
                forms.append(seg.form(i))
            else:
                # A cut sentence is shown as it is said: its display map no longer applies.
                split += max(0, len(pieces) - 1)
                sentences.extend(pieces)
                forms.extend(Sentence.plain(p) for p in pieces)
            upto.append(len(sentences))
        if not sentences:
            raise InputError(
                f"segment {seg.title[:60]!r} has nothing left to read once runs of more than "
                f"{MAX_TOKEN_CHARS} characters without a space are left out; check the text"
            )
        # A paragraph still ends after its last sentence left (a dropped one moved it).
        ends = sorted(
            {upto[e] - 1 for e in seg.paragraph_ends if 0 <= upto[e] - 1 < len(sentences) - 1}
        )
        segments.append(
            dataclasses.replace(
                seg,
                sentences=tuple(sentences),
                forms=tuple(forms) if seg.forms else (),
                paragraph_ends=tuple(ends),
            )
        )
    warnings = list(script.warnings)
    if dropped:
        warnings.append(
            f"{len(dropped)} run(s) of more than {MAX_TOKEN_CHARS} characters without a space "
            f"were not read out (the first began {dropped[0]!r})"
        )
    if split:
        warnings.append(
            f"sentences over {MAX_SENTENCE_WORDS} words were cut into pieces ({split} cut(s))"
        )
    bounded = dataclasses.replace(script, segments=tuple(segments), warnings=tuple(warnings))
    seconds = estimate_script_seconds(bounded, rate, pauses)
    if seconds > MAX_EPISODE_SECONDS:
        raise InputError(
            f"the episode would last about {seconds / 3600:.1f} hours, over the "
            f"{MAX_EPISODE_SECONDS // 3600}-hour limit; split the article into parts"
        )
    return bounded


def check_article_length(words: int, rate: int | None = None) -> None:
    """Refuse an article whose words alone would make an episode far over the limit, before the
    script is even written (narration adds an intro, an outro and spelled-out numbers)."""
    seconds = words / ((rate or DEFAULT_WPM) / 60)
    if seconds > MAX_EPISODE_SECONDS:
        raise InputError(
            f"the article has {words:,} words, about {seconds / 3600:.1f} hours of speech, over "
            f"the {MAX_EPISODE_SECONDS // 3600}-hour episode limit; split it into parts"
        )
