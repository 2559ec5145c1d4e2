"""Block-level clean-up after the walk (private to ``ingest``): what no one can say or wants
to hear again (debris, pagers, repeats, a second copy of the story) and the credits around a
story. Each drop is named (``_rules``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from articast.ingest import _rules as R
from articast.ingest._blocks import Block
from articast.ingest._dom import DROP_TAGS, _tag
from articast.ingest._libs import norm_words
from articast.ingest._text import (
    word_count,
)

_CREDIT_LINE = re.compile(
    r"^(?i:(?:(?:written|reviewed|medically reviewed|fact[- ]checked|edited|reported|words|text)"
    r"\s+)?(?:by|von|por|par|door|di|av)\s+(?:dr\.?\s+)?)[A-ZÀ-ÖØ-Þ][\w.'’-]+(?:\s|,|$)",
)
"""A credit line above the story ("By Ada Lamp, Staff Writer", "Reviewed by Dr. ..."): the
capital after "by" keeps "By contrast," and "By 2030," out."""
_PICTURE_LABEL = re.compile(
    r"^(?:(?:top |main |lead |header )?(?:image|photo|photograph|picture|illustration|foto|bild|"
    r"imagen)s?(?:\s+credits?)?)\s*:\s*\S",
    re.IGNORECASE,
)
_CREDIT_HINT = re.compile(
    r"©|\bcredits?\b|\bcourtesy\b|\bvia\b|/|\b(?:getty images|shutterstock|istock(?:photo)?|alamy|"
    r"reuters|ap photo|afp)\b",
    re.IGNORECASE,
)
_PICTURE_CREDIT = re.compile(
    r"^(?:credits?\s*:|©)|\b(?:getty images|shutterstock|istock(?:photo)?|alamy|ap photo)\b.{0,40}$",
    re.IGNORECASE,
)
_PICTURE_BY = re.compile(
    r"^(?:(?:top|main|lead|header|featured?|cover)\s+)?(?:image|photo|photograph|photography|"
    r"picture|illustration|foto|bild|imagen|immagine)s?\s+(?:courtesy(?:\s+of)?\s+\S|credit\b|"
    r"(?:by|von|de|por|di|van|par)\s+(?!(?:the|a|an|this|that|my|our|night|day)\b)\S)",
    re.IGNORECASE,
)
"""A picture's credit written as a phrase: "Image by Ada Lamp via One Fab Day", "Photo by Ada
Lamp on Unsplash", "Foto von Ada Lamp" (not "Photo by the harbour at dawn")."""


def _picture_credit(text: str, words: int) -> bool:
    """A picture's credit line ("Image: (c) Ada Lamp/Getty Images", "Photo: Ada Lamp",
    "Image by Ada Lamp via One Fab Day")."""
    if _PICTURE_BY.match(text) and words <= 15 and not re.search(r"[a-z]{2}[.!?]\s+\S", text):
        # (an initial's full stop, "Camilla M. Photography", does not end a sentence)
        return True
    if _PICTURE_LABEL.match(text):
        return words <= 6 or bool(_CREDIT_HINT.search(text))
    # A caption that ends with its credit is the caption: the article's words.
    return bool(_PICTURE_CREDIT.search(text)) and not re.search(r"\w[.!?]\s*\S", text)


_ABOUT_AUTHOR = re.compile(
    r"^(?:about|more about|more from|meet) (?:the |our |this )?"
    r"(?:authors?|reviewers?|writers?|contributors?|editors?)\b"
    r"|^(?:über (?:den|die) autor(?:in)?|à propos de l'auteur|sobre (?:el|la) autora?|sull'autore)\b",
    re.IGNORECASE,
)


def _noted_drops(rule: str, before: list[Block], after: list[Block]) -> list[Block]:
    """``after``, having noted (``_rules``) each text block of ``before`` it left out."""
    if R.recording():
        kept = {id(b) for b in after}
        for b in before:
            if id(b) not in kept and b.kind in ("para", "heading"):
                R.note(rule, b.text)
    return after


def _note_outside(main: Any, body: Any) -> None:
    """Note (``_rules``) the text beside the chosen container and its ancestors."""
    path = {main, *main.iterancestors()}
    for up in [main, *main.iterancestors()]:
        if up is body:
            break
        parent = up.getparent()
        if parent is None:
            break
        for sib in parent:
            if sib not in path and isinstance(sib.tag, str) and _tag(sib) not in DROP_TAGS:
                R.note_element(R.OUTSIDE, sib)


def _without_debris(blocks: list[Block]) -> list[Block]:
    """Drop what no one can say or wants to hear again: a paragraph with no letter or digit
    ("<<", ">", "|"), a gallery's pager (a run of "1", "2", "3"...) and slide counters ("Photo
    2 of 6"), a paragraph that repeats the one before it word for word (a note in every code
    tab), and a short line said three times or more in a row (a slideshow's caption on every
    slide). A short line said twice ("$10 a month" for two plans) may be two facts and stays,
    and so does a label said once per product ("Pros", "Type:")."""
    for rule, apply in DEBRIS_RULES:
        blocks = _noted_drops(rule, blocks, apply(blocks))
    return blocks


def _speakable(blocks: list[Block]) -> list[Block]:
    """Drop a paragraph with no letter or digit, and a slide counter ("Photo 2 of 6")."""
    return [
        b
        for b in blocks
        if b.kind != "para"
        or (any(ch.isalnum() for ch in b.text) and not _SLIDE_COUNTER.fullmatch(b.text.strip()))
    ]


def _without_pagers(blocks: list[Block]) -> list[Block]:
    """Drop runs of three or more paragraphs counting up by one ("1", "2", "3"; pictures
    between them do not break a run)."""
    drop: set[int] = set()
    run: list[int] = []
    for i, b in enumerate(blocks):
        if b.kind == "image":
            continue
        text = b.text.strip()
        if b.kind == "para" and text.isdecimal():
            if run and blocks[run[-1]].text.strip() == str(int(text) - 1):
                run.append(i)
                continue
            if len(run) < _PAGER_RUN:
                run = [i]
                continue
        if len(run) >= _PAGER_RUN:
            drop.update(run)
        run = []
    if len(run) >= _PAGER_RUN:
        drop.update(run)
    return [b for i, b in enumerate(blocks) if i not in drop]


def _without_repeats(blocks: list[Block]) -> list[Block]:
    """Keep one of a paragraph said again right after itself (pictures between copies do not
    count): always when it is long, when short only in a run of three or more."""
    said = [norm_words(b.text) if b.kind == "para" else "" for b in blocks]
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        j = i + 1
        if b.kind == "para":
            while j < len(blocks) and (
                blocks[j].kind == "image" or (blocks[j].kind == "para" and said[j] == said[i])
            ):
                j += 1
            run = blocks[i:j]
            repeats = sum(1 for k in run if k.kind == "para")
            if repeats >= _REPEAT_RUN or word_count(b.text) >= _REPEAT_WORDS:
                run = [k for k in run if k.kind == "image" or k is b]
            out.extend(run)
        else:
            out.append(b)
        i = j
    return out


def _without_second_copy(blocks: list[Block]) -> list[Block]:
    """Drop a second copy of a run of the article (five or more headings and paragraphs in the
    same order as earlier, 100 words or more, three of them paragraphs of prose): a page that
    holds its story twice (a desktop and a mobile copy, a print copy) is read once. A
    reference page's repeated parameter lists (a name, a line about it) stay."""
    texts = [(i, norm_words(b.text)) for i, b in enumerate(blocks) if b.kind in ("para", "heading")]
    first: dict[str, int] = {}
    for pos, (_, said) in enumerate(texts):
        first.setdefault(said, pos)
    drop: set[int] = set()
    pos = 0
    while pos < len(texts):
        start = first[texts[pos][1]]
        run = 0
        while (
            pos + run < len(texts)
            and start + run < pos
            and texts[start + run][1] == texts[pos + run][1]
        ):
            run += 1
        counts = [word_count(blocks[texts[pos + k][0]].text) for k in range(run)]
        prose = sum(1 for n in counts if n >= _COPY_PROSE_WORDS)
        if start < pos and run >= _COPY_RUN and sum(counts) >= _COPY_WORDS and prose >= 3:
            drop.update(texts[pos + k][0] for k in range(run))
            pos += run
        else:
            pos += 1
    return [b for i, b in enumerate(blocks) if i not in drop]


_COPY_RUN = 5
_COPY_WORDS = 100
_COPY_PROSE_WORDS = 15
_PAGER_RUN = 3
_REPEAT_RUN = 3
_REPEAT_WORDS = 8
# "Photo 2 of 6", "Bild 4 von 9", "Foto 5 de 10", "Slide 3/12": where a slide sits in its
# gallery (a bare "4/5" is a rating and stays).
_SLIDE_COUNTER = re.compile(
    r"\W*(?:(?:photo|image|picture|slide|bild|foto|imagen|diapositiva|diapo|immagine)\s*\d+\s*"
    r"(?:/|of|de|von|sur|di|van|af)|\d+\s+(?:of|de|von|sur|di|van|af))\s*\d+\W*",
    re.IGNORECASE,
)


def _without_credits(blocks: list[Block]) -> list[Block]:
    """The blocks without the credits around a story: "By ..." and "Reviewed by ..." lines
    above its first paragraph of prose, picture credits ("Image: (c) ... Getty Images") and
    "About the author" boxes (the heading and what is under it, up to the next heading)."""
    kept: list[Block] = []
    lead = True  # no paragraph of prose yet
    in_box: int | None = None  # level of an "About the author" heading we are inside
    for b in blocks:
        if b.kind == "heading":
            if in_box is not None and b.level <= in_box:
                in_box = None
            if in_box is None and _ABOUT_AUTHOR.match(b.text):
                in_box = b.level
                R.note(R.ABOUT_AUTHOR, b.text)
                continue
        if in_box is not None:
            if b.kind != "image":
                R.note(R.ABOUT_AUTHOR, b.text)
                continue
        elif b.kind == "para":
            words = word_count(b.text)
            if words <= 30 and (
                (lead and _CREDIT_LINE.match(b.text) and not b.text.endswith((".", "!", "?")))
                or (words <= 20 and _picture_credit(b.text, words))
            ):
                R.note(R.CREDIT, b.text)
                continue
            if words >= 25:
                lead = False
        kept.append(b)
    return kept


DEBRIS_RULES: tuple[tuple[str, Callable[[list[Block]], list[Block]]], ...] = (
    (R.NO_LETTERS, _speakable),
    (R.PAGER, _without_pagers),
    (R.REPEAT, _without_repeats),
    (R.SECOND_COPY, _without_second_copy),
)
"""The block rules after the walk, applied in order (``_without_debris``)."""
