"""``script.md``: the narration as a Markdown file a producer can read, edit and voice again.

Sits in the ``narrate`` stage, beside ``build_script``: ``write_script_md`` writes a ``Script``,
``read_script_md`` reads an edited file back (``Script.edited`` is True). Format::

    <!-- header: how to edit -->
    # Episode title
    <!-- warning: ... -->            (zero or more, kept for the manifest)

    ## Intro: Introduction
    <!-- talk · 4 sentences · about 0:14 -->
    One sentence per line; a blank line ends a paragraph.

    ## Section: A heading
    <!-- section 1 · 6 sentences · about 0:41 -->
    ...

    ## Outro: Watch the full talk

Each sentence line is its **display text** (what captions and transcripts show) with inline
pronunciations where the voice says something else: ``NMDA{N M D A}`` (the word before the
braces) or ``[$3.5 million]{three point five million dollars}`` (the words in the brackets).
The script writes only the word pronunciations the reading rules chose; on reading, the
reading rules run again around the written pronunciations (which they never change), so an
unedited script voices exactly what was built, and a line without braces (also in scripts
written before this syntax) is read like article text.

Comment lines under a ``## Section:`` heading can choose what its video shows (``Segment.visuals``,
a ``VisualOverrides``): ``<!-- points: a | b -->`` (or ``none``), ``<!-- chart: off -->``,
``<!-- number: off -->``, ``<!-- quote: off -->`` (``on`` too), ``<!-- picture: images/f.png -->``
(relative to the script's folder) and ``<!-- icon: moon -->`` (a Lucide icon). They are checked
while the script is read (points in the section's words, the picture opens, the icon exists),
so a bad one fails before anything is voiced; ``render_script_md`` writes them back under the
segment's marker line (pictures as absolute paths).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from articast.cache import atomic_write_text
from articast.errors import InputError, PublishError, ScriptFormatError
from articast.lang import get_language
from articast.models import Script, Segment, SegmentKind, Sentence, VisualOverrides
from articast.narrate.limits import spoken_words
from articast.sanitize import clean_text
from articast.text.lexicon import Lexicon
from articast.text.rules import EDIT_RULES, apply_mapped, apply_rules
from articast.textmap import MappedText

WORDS_PER_SECOND = 2.6
"""Speaking rate used for duration estimates (about 155 words a minute)."""
PAUSE_PER_SENTENCE = 0.35
"""Seconds of pause added per sentence in estimates."""

_KIND_LABEL: dict[SegmentKind, str] = {"intro": "Intro", "section": "Section", "outro": "Outro"}
_LABEL_KIND: dict[str, SegmentKind] = {v.lower(): k for k, v in _KIND_LABEL.items()}

HEADER = """<!--
articast narration script. Edit it, then voice it with:
    articast episode ARTICLE --script script.md
How to edit:
- Each segment starts with a level-2 heading "## Kind: Title". Kind is Intro, Section or
  Outro; Title becomes the chapter title. Delete, add or reorder segments freely; at least
  one must remain, and every segment needs at least one sentence.
- Every non-empty line under a heading is one sentence: the words shown in the captions
  and transcript. A blank line between sentences ends a paragraph (a longer pause). Where the voice says something else, a pronunciation follows in braces:
      NMDA{N M D A} receptors          the word before the braces is said "N M D A"
      [$3.5 million]{three point five million dollars}   the words in brackets
  Edit either side. Text without braces is read as article text is (numbers, years,
  units, initialisms); braces always win. Write \\{ \\} \\\\ for a literal brace or backslash.
- The "# Title" line is the episode title. Lines in HTML comments are ignored, except the
  one under a heading (section number, "talk" when the chapter links to the talk; the
  duration in it is an estimate) and "warning:" lines, which go to the manifest.
- What a section's video shows: a comment line under a Section heading (not Intro or
  Outro) replaces the automatic choice; each is a comment line of its own, like the line
  under each heading, holding one of:
      points: first key point | second key point      1 to 4, the section's own words
      chart: off        number: off        quote: off (or on)
      picture: images/figure.png                      relative to this file's folder
      icon: moon                                      a Lucide icon (lucide.dev/icons)
  Points are matched to the section's lines as they show them (case and spacing aside);
  "points: none" shows none.
-->"""

_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_MARKER_SECTION = re.compile(r"\bsection\s+(\d+)\b", re.I)
_MARKER_TALK = re.compile(r"(?:^|[\s\u00b7|,;])talk(?:$|[\s\u00b7|,;])", re.I)
_WARNING = re.compile(r"^<!--\s*warning:\s*(.*?)\s*-->$", re.I | re.S)
_BULLET = re.compile(r"^(?:[-*+]\s+)")
_DIRECTIVE = re.compile(
    r"^<!--\s*(points|chart|number|quote|picture|icon)\s*:\s*(.*?)\s*-->$", re.I | re.S
)
MAX_POINTS = 4
"""The most key points a ``points:`` line may list."""
_DOT = " \u00b7 "


def estimate_seconds(segment: Segment) -> float:
    """Rough spoken length of a segment in seconds (for the producer, not for timing)."""
    words = sum(spoken_words(s) for s in segment.sentences)
    return words / WORDS_PER_SECOND + PAUSE_PER_SENTENCE * len(segment.sentences)


def _clock(seconds: float) -> str:
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _comment_safe(text: str) -> str:
    return _one_line(text).replace("-->", "->").replace("<!--", "<!-")


def render_script_md(script: Script) -> str:
    """The text of ``script.md`` for ``script``."""
    lines = [HEADER, f"# {_one_line(script.title)}", ""]
    for warning in script.warnings:
        lines.append(f"<!-- warning: {_comment_safe(warning)} -->")
    if script.warnings:
        lines.append("")
    total = 0.0
    for segment in script.segments:
        seconds = estimate_seconds(segment)
        total += seconds
        notes: list[str] = []
        if segment.section_index is not None:
            notes.append(f"section {segment.section_index}")
        if segment.mentions_talk:
            notes.append("talk")
        count = len(segment.sentences)
        notes.append(f"{count} sentence{'s' if count != 1 else ''}")
        notes.append(f"about {_clock(seconds)}")
        lines.append(f"## {_KIND_LABEL[segment.kind]}: {_one_line(segment.title)}")
        lines.append("<!-- " + _DOT.join(notes) + " -->")
        if segment.kind == "section" and segment.visuals is not None:
            lines.extend(render_visuals(segment.visuals))
        ends = set(segment.paragraph_ends)
        for i in range(len(segment.sentences)):
            lines.append(render_line(segment.form(i)))
            if i in ends:
                lines.append("")  # a paragraph ends: the voice pauses longer
        lines.append("")
    lines.append(f"<!-- estimated total: about {_clock(total)} -->")
    return "\n".join(lines) + "\n"


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def render_visuals(visuals: VisualOverrides) -> list[str]:
    """The directive lines of ``visuals`` (only the fields that are set), as ``script.md``
    writes them under a section's marker line."""
    lines: list[str] = []
    if visuals.points is not None:
        shown = " | ".join(_comment_safe(p) for p in visuals.points) or "none"
        lines.append(f"<!-- points: {shown} -->")
    for key, value in (
        ("chart", visuals.chart),
        ("number", visuals.number),
        ("quote", visuals.quote),
    ):
        if value is not None:
            lines.append(f"<!-- {key}: {_on_off(value)} -->")
    if visuals.picture is not None:
        lines.append(f"<!-- picture: {_comment_safe(str(visuals.picture))} -->")
    if visuals.icon is not None:
        lines.append(f"<!-- icon: {_comment_safe(visuals.icon)} -->")
    return lines


# --------------------------------------------------------------------------- pronunciations

_OPENERS = "([\"'\u00bf\u00a1"  # brackets, quotes, Spanish ¿ ¡
_SPECIAL = "{}\\"
_WORDY = re.compile(r"\w")


def _escape(text: str) -> str:
    flat = re.sub(r"\s+", " ", text)
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in flat)


def _bare_word(shown: str) -> str:
    """The word a ``{`` after ``shown`` would apply to (as the parser sees it)."""
    k = len(shown)
    while k > 0 and not shown[k - 1].isspace() and shown[k - 1] not in "}]":
        k -= 1
    word = shown[k:]
    return word.lstrip(_OPENERS)


def render_line(sentence: Sentence) -> str:
    """One ``script.md`` line: the display text with the pronunciations of its words.

    Pieces the rules changed that carry letters or digits get braces; punctuation-only changes
    (a dash read as a pause) are left to the rules, which make them again on reading.
    """
    out = ""
    pieces = list(sentence.pieces)
    i = 0
    while i < len(pieces):
        p = pieces[i]
        said = p.changed and bool(_WORDY.search(p.display) or _WORDY.search(p.spoken))
        if not said:
            out += _escape(p.display)
            i += 1
            continue
        display, spoken = p.display, p.spoken
        # a bit of speech with no display characters of its own joins its neighbour
        while i + 1 < len(pieces) and pieces[i + 1].changed and not pieces[i + 1].display:
            spoken += pieces[i + 1].spoken
            i += 1
        i += 1
        shown = _escape(display)
        said_md = _escape(spoken)
        if (
            shown
            and not any(ch.isspace() or ch in "[]\\" for ch in shown)
            and _bare_word(out + shown) == shown
        ):
            out += f"{shown}{{{said_md}}}"
        else:
            inside = shown.replace("[", "\\[").replace("]", "\\]")
            out += f"[{inside}]{{{said_md}}}"
    return _one_line(out)


MAX_SPOKEN_CHARS = 400
"""Longest pronunciation one ``word{spoken}`` may give (a spelled-out formula, a long name
said in full): a brace holding 200 KB was voiced for minutes."""


def parse_line(line: str, lexicon: Lexicon | None = None, language: str = "en") -> Sentence:
    """A ``script.md`` line back into both forms: the written pronunciations are kept as they
    are; the reading rules of ``language`` (with ``lexicon``) give the rest its spoken form."""
    parts: list[tuple[str, str | None]] = []
    buf: list[tuple[str, bool]] = []  # display characters, escaped?

    def flush(upto: int) -> None:
        if upto:
            parts.append(("".join(ch for ch, _ in buf[:upto]), None))
        del buf[:upto]

    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n:
            buf.append((line[i + 1], True))
            i += 2
            continue
        if ch != "{":
            buf.append((ch, False))
            i += 1
            continue
        spoken_chars: list[str] = []
        j = i + 1
        closed = False
        while j < n:
            if line[j] == "\\" and j + 1 < n:
                spoken_chars.append(line[j + 1])
                j += 2
                continue
            if line[j] == "}":
                closed = True
                break
            spoken_chars.append(line[j])
            j += 1
        if not closed:
            buf.append((ch, False))
            i += 1
            continue
        spoken = "".join(spoken_chars)
        if len(spoken) > MAX_SPOKEN_CHARS:
            raise InputError(
                f"a pronunciation in braces is {len(spoken):,} characters long; keep what is "
                f"said for a written word under {MAX_SPOKEN_CHARS} characters"
            )
        start = len(buf)
        if buf and buf[-1] == ("]", False):
            opener = next((k for k in range(len(buf) - 2, -1, -1) if buf[k] == ("[", False)), None)
            if opener is not None:
                display = "".join(c for c, _ in buf[opener + 1 : -1])
                flush(opener)
                buf.clear()
                parts.append((display, spoken))
                i = j + 1
                continue
        k = start
        while (
            k > 0 and not buf[k - 1][0].isspace() and buf[k - 1] not in (("}", False), ("]", False))
        ):
            k -= 1
        while k < start and not buf[k][1] and buf[k][0] in _OPENERS:
            k += 1
        display = "".join(c for c, _ in buf[k:])
        flush(k)
        buf.clear()
        parts.append((display, spoken))
        i = j + 1
    flush(len(buf))
    mapped = apply_mapped(MappedText.join(parts), get_language(language).reading(lexicon))
    return mapped.sentence()


def read_line(line: str, lexicon: Lexicon | None = None, language: str = "en") -> Sentence | None:
    """A sentence line of ``script.md`` as reading the file reads it (a list bullet and the
    edit rules first, then ``parse_line``); None for a line with nothing a voice can say."""
    line = _one_line(apply_rules(_BULLET.sub("", line.strip()), EDIT_RULES))
    if not any(ch.isalnum() for ch in line):
        return None  # "-", "*", "..." alone: nothing a voice can say
    return parse_line(line, lexicon, language)


def write_script_md(script: Script, path: Path) -> None:
    """Write ``script`` to ``path`` as editable Markdown (atomically); ``PublishError`` on failure."""
    try:
        atomic_write_text(path, render_script_md(script))
    except OSError as exc:
        raise PublishError(
            f"cannot write the script {path}: {exc.strerror or exc}; check the output folder"
        ) from exc


def _fail(path: Path, line_no: int | None, message: str) -> ScriptFormatError:
    where = f"{path}:{line_no}" if line_no is not None else str(path)
    return ScriptFormatError(f"{where}: {message}")


class _Draft:
    """A segment being read: heading facts plus the lines under it."""

    def __init__(self, kind: SegmentKind, title: str, line_no: int) -> None:
        self.kind = kind
        self.title = title
        self.line_no = line_no
        self.sentences: list[Sentence] = []
        self.section_index: int | None = None
        self.mentions_talk: bool | None = None
        self.seen_content = False
        self.paragraph_ends: list[int] = []
        self.blank = False
        self.visuals = VisualOverrides()
        self.directives: dict[str, int] = {}
        """Directive key -> the line it is on (its ``visuals`` field is set)."""
        self.lines: list[int] = []
        """The line number of each sentence."""


def _parse_heading(raw: str, path: Path, line_no: int) -> _Draft:
    m = _HEADING.match(raw)
    body = m.group(1) if m else ""
    label, sep, title = body.partition(":")
    kind = _LABEL_KIND.get(label.strip().lower()) if sep else None
    if kind is None:
        raise _fail(
            path,
            line_no,
            f"malformed heading {raw.strip()!r}: write '## Intro: Title', '## Section: Title' "
            "or '## Outro: Title'",
        )
    title = _one_line(title)
    if not title:
        raise _fail(path, line_no, f"heading {raw.strip()!r} has no title after the colon")
    return _Draft(kind, title, line_no)


def parse_script_md(
    text: str,
    path: Path = Path("script.md"),
    lexicon: Lexicon | None = None,
    language: str = "en",
) -> Script:
    """Parse the text of an edited ``script.md``; raises ``ScriptFormatError`` (one line).

    ``lexicon`` (the shipped one when None) and the reading rules of ``language`` (the
    article's) read the text outside written pronunciations.
    """
    return _parse(clean_text(text), path, lexicon, language)[0]


def _parse(
    text: str, path: Path, lexicon: Lexicon | None, language: str
) -> tuple[Script, tuple[tuple[int, ...], ...]]:
    """The script of the (cleaned) ``text``, and the line number (from 1) of each sentence
    of each segment."""
    title: str | None = None
    warnings: list[str] = []
    drafts: list[_Draft] = []
    comment: list[str] | None = None
    comment_start = 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if comment is not None:
            comment.append(raw)
            if "-->" in stripped:
                _comment_done("\n".join(comment), drafts, warnings, path, comment_start)
                comment = None
            continue
        if stripped.startswith("<!--"):
            if "-->" in stripped:
                if not stripped.endswith("-->"):
                    raise _fail(
                        path,
                        line_no,
                        "text after a comment on the same line; put it on its own line",
                    )
                _comment_done(stripped, drafts, warnings, path, line_no)
            else:
                comment, comment_start = [raw], line_no
            continue
        if not stripped:
            if drafts:
                drafts[-1].blank = True
            continue
        if stripped.startswith("##"):
            if stripped.startswith("###"):
                raise _fail(
                    path, line_no, f"malformed heading {stripped!r}: segments use '## Kind: Title'"
                )
            drafts.append(_parse_heading(stripped, path, line_no))
            continue
        if stripped.startswith("# ") or stripped == "#":
            if title is not None or drafts:
                raise _fail(
                    path, line_no, "a second '# Title' line; keep only the first, at the top"
                )
            title = _one_line(stripped[1:])
            continue
        if not drafts:
            raise _fail(
                path, line_no, "text before the first '## Kind: Title' heading; move it under one"
            )
        try:
            form = read_line(stripped, lexicon, language)
        except InputError as exc:
            raise _fail(path, line_no, str(exc)) from exc
        if form is not None and form.spoken.strip():
            draft = drafts[-1]
            if draft.blank and draft.sentences:
                draft.paragraph_ends.append(len(draft.sentences) - 1)
            draft.blank = False
            draft.sentences.append(form)
            draft.lines.append(line_no)
            draft.seen_content = True
    if comment is not None:
        raise _fail(path, comment_start, "comment opened with '<!--' is never closed with '-->'")
    if not drafts:
        raise _fail(path, None, "no segments found; each segment needs a '## Kind: Title' heading")
    if not title:
        raise _fail(path, None, "no '# Title' line; add the episode title as the first heading")
    segments: list[Segment] = []
    next_section = 0
    for draft in drafts:
        if not draft.sentences:
            raise _fail(
                path,
                draft.line_no,
                f"segment '{draft.title}' has no sentences; add a line or delete the heading",
            )
        index = draft.section_index
        if draft.kind == "section":
            index = index if index is not None else next_section
            next_section = index + 1
        else:
            index = None
        talk = draft.mentions_talk if draft.mentions_talk is not None else draft.kind != "section"
        _check_points(draft, path)
        segments.append(
            Segment(
                draft.kind,
                draft.title,
                tuple(f.spoken for f in draft.sentences),
                section_index=index,
                mentions_talk=talk,
                forms=tuple(draft.sentences),
                paragraph_ends=tuple(
                    i for i in draft.paragraph_ends if i < len(draft.sentences) - 1
                ),
                visuals=draft.visuals if draft.directives else None,
            )
        )
    script = Script(title=title, segments=tuple(segments), warnings=tuple(warnings), edited=True)
    return script, tuple(tuple(d.lines) for d in drafts)


def _comment_done(
    comment: str, drafts: list[_Draft], warnings: list[str], path: Path, line_no: int
) -> None:
    w = _WARNING.match(comment.strip())
    if w:
        warnings.append(_one_line(w.group(1)))
        return
    d = _DIRECTIVE.match(comment.strip())
    if d and drafts:  # above the first heading (the header's examples) they do nothing
        _directive(drafts[-1], d.group(1).lower(), _one_line(d.group(2)), path, line_no)
        return
    if not drafts or drafts[-1].seen_content:
        return
    draft = drafts[-1]
    body = comment.strip().removeprefix("<!--").removesuffix("-->")
    m = _MARKER_SECTION.search(body)
    if m and draft.kind == "section":
        draft.section_index = int(m.group(1))
    if draft.mentions_talk is None:
        draft.mentions_talk = bool(_MARKER_TALK.search(body.strip()))


_FLAGS = {"on": True, "off": False}


def _directive(draft: _Draft, key: str, value: str, path: Path, line_no: int) -> None:
    """Check one picture directive and set it on ``draft.visuals`` (points are checked
    against the sentences once the segment is read)."""
    if draft.kind != "section":
        raise _fail(
            path,
            line_no,
            f"'{key}:' is under the {_KIND_LABEL[draft.kind]} heading '{draft.title}'; picture "
            "lines only go under a '## Section:' heading, so move or delete it",
        )
    if key in draft.directives:
        raise _fail(
            path,
            line_no,
            f"a second '{key}:' line in section '{draft.title}' (the first is on line "
            f"{draft.directives[key]}); keep one",
        )
    ov = draft.visuals
    if key == "points":
        ov = replace(ov, points=_points(value, path, line_no))
    elif key in ("chart", "number", "quote"):
        flag = _FLAGS.get(value.lower())
        if flag is None:
            raise _fail(
                path,
                line_no,
                f"'{key}: {value[:40]}' is not on or off; write '{key}: off' or '{key}: on'",
            )
        if key == "chart":
            ov = replace(ov, chart=flag)
        elif key == "number":
            ov = replace(ov, number=flag)
        else:
            ov = replace(ov, quote=flag)
    elif key == "picture":
        ov = replace(ov, picture=_picture(value, path, line_no))
    else:
        ov = replace(ov, icon=_icon(value, path, line_no))
    draft.visuals = ov
    draft.directives[key] = line_no


def _points(value: str, path: Path, line_no: int) -> tuple[str, ...]:
    if value.lower() == "none":
        return ()
    # a point copied with its pronunciations is the words it shows
    points = tuple(
        _one_line(parse_line(p).display if "{" in p or "\\" in p else p) for p in value.split("|")
    )
    if any(not p.rstrip("\u2026").strip() for p in points):
        raise _fail(
            path,
            line_no,
            "an empty key point; write 'points: first | second' with words between the '|', "
            "or 'points: none'",
        )
    if len(points) > MAX_POINTS:
        raise _fail(
            path,
            line_no,
            f"{len(points)} key points; a section shows at most {MAX_POINTS}, so keep "
            f"{MAX_POINTS} or fewer",
        )
    return points


def _matching(text: str) -> str:
    return " ".join(text.rstrip("\u2026").split()).lower()


def _check_points(draft: _Draft, path: Path) -> None:
    """Every key point of ``draft`` is words of one of its sentences (as shown)."""
    points = draft.visuals.points
    if not points:
        return
    shown = [_matching(f.display) for f in draft.sentences]
    for point in points:
        needle = _matching(point)
        if not any(needle in s for s in shown):
            raise _fail(
                path,
                draft.directives["points"],
                f"key point {point[:60]!r} is not in the sentences of section '{draft.title}'; "
                "points must be the section's own words, copied from its lines",
            )


def _picture(value: str, path: Path, line_no: int) -> Path:
    from articast.pictures.imaging import open_image

    if not value:
        raise _fail(path, line_no, "'picture:' names no file; write 'picture: images/figure.png'")
    given = Path(value).expanduser()
    picture = (given if given.is_absolute() else path.parent / given).resolve()
    if not picture.exists():
        raise _fail(
            path,
            line_no,
            f"picture not found: {picture}; give a path relative to the script's folder "
            f"({path.parent.resolve()}) or an absolute one",
        )
    if not picture.is_file():
        raise _fail(path, line_no, f"picture {picture} is not a file; name a picture file")
    if open_image(picture) is None:
        raise _fail(
            path,
            line_no,
            f"picture {picture} is not a picture that can be opened (or is far too big); use a "
            "PNG, JPEG or WebP file",
        )
    return picture


def _icon(value: str, path: Path, line_no: int) -> str:
    from articast.pictures.icons import resolve_icon

    if not value:
        raise _fail(path, line_no, "'icon:' names no icon; write e.g. 'icon: moon'")
    try:
        return resolve_icon(value)
    except InputError as exc:
        raise _fail(path, line_no, str(exc)) from exc


def read_script_text(path: Path) -> str:
    """The text of the ``script.md`` at ``path`` (UTF-8, at most ``MAX_SCRIPT_BYTES``);
    ``ScriptFormatError`` (one line) when it cannot be read."""
    from articast.narrate.limits import MAX_SCRIPT_BYTES

    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SCRIPT_BYTES + 1)
        if len(data) > MAX_SCRIPT_BYTES:
            raise ScriptFormatError(
                f"{path} is over {MAX_SCRIPT_BYTES // 1_000_000} MB, far longer than any episode "
                "(4 hours is about 250 kB); shorten it"
            )
        return data.decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise ScriptFormatError(f"script file not found: {path}; check the --script path") from exc
    except UnicodeDecodeError as exc:
        raise ScriptFormatError(f"{path}: not UTF-8 text; save the script as UTF-8") from exc
    except OSError as exc:
        raise ScriptFormatError(f"cannot read the script {path}: {exc.strerror or exc}") from exc


def read_script_md(path: Path, lexicon: Lexicon | None = None, language: str = "en") -> Script:
    """Read an edited ``script.md`` back into a ``Script`` (``edited=True``).

    Raises ``ScriptFormatError`` with one line naming the file and line when the file cannot
    be read, has no segments, or has a malformed heading.
    """
    return parse_script_md(read_script_text(path), path, lexicon, language)


def script_lines(
    text: str,
    path: Path = Path("script.md"),
    lexicon: Lexicon | None = None,
    language: str = "en",
) -> tuple[Script, tuple[tuple[str, ...], ...]]:
    """The script of ``text`` and, per segment, each sentence's line as written (what an
    editor shows and ``edit_sentence`` replaces)."""
    cleaned = clean_text(text)
    script, numbers = _parse(cleaned, path, lexicon, language)
    rows = cleaned.splitlines()
    return script, tuple(tuple(rows[n - 1].strip() for n in seg) for seg in numbers)


def _as_sentence_line(raw: str) -> str:
    """One sentence as a ``script.md`` line: on one line, never read as a heading or comment."""
    line = _one_line(raw)
    if line.startswith(("#", "<!--")):
        line = "\\" + line
    return line


def edit_sentence(
    text: str,
    segment: int,
    index: int,
    new: str,
    *,
    old: str | None = None,
    path: Path = Path("script.md"),
    lexicon: Lexicon | None = None,
    language: str = "en",
) -> tuple[str, Script]:
    """``text`` (a ``script.md``) with sentence ``index`` of segment ``segment`` (both from 0)
    replaced by ``new``: a line in the file's syntax, pronunciations in braces; several lines
    make several sentences, an empty ``new`` removes the sentence. ``old``, when given, is the
    line as the editor last saw it: when the file now holds another, nothing is changed.

    Returns the new text and its script; raises ``InputError`` (one line) and changes
    nothing when the edit is not possible: the sentence is gone or changed, a line has
    nothing a voice can say, or the segment would be left without sentences.
    """
    cleaned = clean_text(text)
    script, numbers = _parse(cleaned, path, lexicon, language)
    if not 0 <= segment < len(numbers) or not 0 <= index < len(numbers[segment]):
        raise InputError(
            f"the script has no sentence {index + 1} in part {segment + 1}; it was changed "
            "elsewhere: reload it"
        )
    rows = cleaned.splitlines()
    at = numbers[segment][index] - 1
    if old is not None and _one_line(old) != _one_line(rows[at]):
        raise InputError(
            "this sentence was changed elsewhere (another window or the file itself); reload "
            "to see it, then edit again"
        )
    lines = [_as_sentence_line(r) for r in clean_text(new).splitlines() if r.strip()]
    title = script.segments[segment].title
    for line in lines:
        form = read_line(line, lexicon, language)
        if form is None or not form.spoken.strip():
            raise InputError(f"{line!r} has nothing a voice can say; write a sentence")
    if not lines and len(numbers[segment]) == 1:
        raise InputError(
            f"that would leave '{title}' without a sentence; a part needs at least one "
            "(write a new sentence instead, or delete the part in script.md)"
        )
    rows[at : at + 1] = lines
    edited = "\n".join(rows) + "\n"
    try:
        new_script = _parse(edited, path, lexicon, language)[0]
    except ScriptFormatError as exc:
        raise InputError(f"the edit would break the script: {exc}") from exc
    return edited, new_script
