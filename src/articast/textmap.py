"""The map between what a sentence shows and what the voice says.

Used from ``narrate`` onward: the reading rules rewrite a ``MappedText`` (display text in,
spoken text out) and record which display characters each rewrite replaced; the result is a
``models.Sentence`` made of ``Piece``s. Later stages ask it two things:

* ``token_groups``: the token map, as consecutive groups of (display tokens, spoken words).
  One display token can be several spoken words (``2023`` -> ``twenty twenty-three``), several
  display tokens one group (``et al.`` -> ``and colleagues``); punctuation and brackets stay on
  the display side (``(BDNF),`` -> ``(B D N F),``).
* ``display_timings``: word timings of the spoken words (from any voice: engine events or
  alignment) carried to display tokens: a display token starts at its first spoken word and
  ends at its last.

Tokens are runs of non-space characters on both sides; nothing here knows a language.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from articast.models import Piece, Sentence

__all__ = [
    "MappedText",
    "TimedToken",
    "display_timings",
    "token_groups",
]

Repl = str | Callable[[re.Match[str]], str]
_TOKEN = re.compile(r"\S+")
_PARTS = re.compile(r"\s+|\S+")


@dataclass(frozen=True)
class _P:
    display: str
    spoken: str
    changed: bool
    locked: bool = False
    """Written by a producer: no rule may rewrite it."""


def _normalise(parts: Iterable[_P]) -> tuple[_P, ...]:
    """Drop empty pieces and join neighbouring unchanged ones."""
    out: list[_P] = []
    for p in parts:
        if not p.display and not p.spoken:
            continue
        if out and not p.changed and not out[-1].changed:
            out[-1] = _P(out[-1].display + p.display, out[-1].spoken + p.spoken, False)
        else:
            out.append(p)
    return tuple(out)


def _blank(text: str) -> bool:
    return not text.strip()


def _refine(display: str, spoken: str) -> list[_P]:
    """Split a rewritten stretch where whole tokens are the same on both sides.

    ``between 2010 and 2020`` -> ``between twenty ten and twenty twenty`` becomes ``between``,
    ``2010``->``twenty ten``, `` and ``, ``2020``->``twenty twenty``: the map stays fine-grained
    however wide a rule's pattern was. Refused when a part would lose all its words on one side
    (``$5 million`` -> ``five million dollars`` stays one block).
    """
    a, b = _PARTS.findall(display), _PARTS.findall(spoken)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[_P] = []
    d_buf: list[str] = []
    s_buf: list[str] = []

    def flush() -> None:
        if d_buf or s_buf:
            out.append(_P("".join(d_buf), "".join(s_buf), True))
            d_buf.clear()
            s_buf.clear()

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" and any(not t.isspace() for t in a[i1:i2]):
            flush()
            out.append(_P("".join(a[i1:i2]), "".join(b[j1:j2]), False))
        else:
            d_buf.extend(a[i1:i2])
            s_buf.extend(b[j1:j2])
    flush()
    for p in out:
        if p.changed and (
            (_blank(p.display) and not _blank(display)) or (_blank(p.spoken) and not _blank(spoken))
        ):
            return [_P(display, spoken, True)]
    return out


class MappedText:
    """Display text and spoken text in step: rules rewrite the spoken side with ``sub``.

    Unchanged stretches correspond character for character; a stretch a rule rewrote is one
    block from its display characters to its new spoken characters.
    """

    __slots__ = ("_parts",)

    def __init__(self, parts: Iterable[_P]) -> None:
        self._parts = _normalise(parts)

    @classmethod
    def plain(cls, text: str) -> MappedText:
        """Text not yet rewritten: both forms the same."""
        return cls([_P(text, text, False)])

    @classmethod
    def of(cls, sentence: Sentence, *, locked: bool = False) -> MappedText:
        """The pieces of ``sentence``; ``locked``: its rewritten pieces are kept as they are."""
        return cls(
            _P(p.display, p.spoken, p.changed, locked and p.changed) for p in sentence.pieces
        )

    @classmethod
    def join(cls, parts: Iterable[tuple[str, str | None]]) -> MappedText:
        """Text from (display, pronunciation) parts; a pronunciation (even an equal one) is locked."""
        return cls(_P(d, d, False) if s is None else _P(d, s, True, locked=True) for d, s in parts)

    @property
    def display(self) -> str:
        """The display text."""
        return "".join(p.display for p in self._parts)

    @property
    def spoken(self) -> str:
        """The spoken text."""
        return "".join(p.spoken for p in self._parts)

    def sentence(self) -> Sentence:
        """The frozen value for later stages."""
        return Sentence(tuple(Piece(p.display, p.spoken, p.changed) for p in self._parts))

    def __repr__(self) -> str:
        return f"MappedText({self.display!r} -> {self.spoken!r})"

    # ------------------------------------------------------------------ rewriting

    def sub(self, pattern: str | re.Pattern[str], repl: Repl, count: int = 0) -> MappedText:
        """``re.sub`` on the spoken text, recording each replacement against the display text."""
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
        edits: list[tuple[int, int, str]] = []
        for n, m in enumerate(rx.finditer(self.spoken)):
            if count and n >= count:
                break
            new = repl(m) if callable(repl) else m.expand(repl)
            if new != m.group(0):
                edits.append((m.start(), m.end(), new))
        return self.edit(edits)

    def rewrite(self, new_spoken: str) -> MappedText:
        """Replace the spoken text as a whole (for plain ``str -> str`` rules): the common start
        and end are kept, the middle becomes one rewritten block."""
        old = self.spoken
        if new_spoken == old:
            return self
        head = 0
        limit = min(len(old), len(new_spoken))
        while head < limit and old[head] == new_spoken[head]:
            head += 1
        tail = 0
        while (
            tail < limit - head
            and old[len(old) - 1 - tail] == new_spoken[len(new_spoken) - 1 - tail]
        ):
            tail += 1
        return self.edit([(head, len(old) - tail, new_spoken[head : len(new_spoken) - tail])])

    def edit(self, edits: Sequence[tuple[int, int, str]]) -> MappedText:
        """Apply non-overlapping spoken-text edits ``(start, end, replacement)``, in order."""
        parts = list(self._parts)
        for start, end, new in sorted(edits, reverse=True):
            parts = _apply(parts, start, end, new)
        return self if parts == list(self._parts) else MappedText(parts)


def _split(parts: list[_P], at: int) -> list[_P]:
    """Split the unchanged piece that ``at`` (a spoken offset) falls strictly inside."""
    pos = 0
    for i, p in enumerate(parts):
        end = pos + len(p.spoken)
        if pos < at < end and not p.changed:
            k = at - pos
            left = _P(p.display[:k], p.spoken[:k], False)
            right = _P(p.display[k:], p.spoken[k:], False)
            return [*parts[:i], left, right, *parts[i + 1 :]]
        if pos >= at:
            break
        pos = end
    return parts


def _apply(parts: list[_P], start: int, end: int, new: str) -> list[_P]:
    parts = _split(_split(parts, start), end)
    spans: list[tuple[int, int]] = []
    pos = 0
    for p in parts:
        spans.append((pos, pos + len(p.spoken)))
        pos += len(p.spoken)
    if start == end:
        for i, (a, b) in enumerate(spans):
            if a < start < b:  # inside a rewritten block: it grows
                p = parts[i]
                if p.locked:
                    return parts
                k = start - a
                merged = _P(p.display, p.spoken[:k] + new + p.spoken[k:], True)
                return [*parts[:i], merged, *parts[i + 1 :]]
        at = next((i for i, (a, _) in enumerate(spans) if a >= start), len(parts))
        return [*parts[:at], _P("", new, True), *parts[at:]]
    hit = [i for i, (a, b) in enumerate(spans) if b > start and a < end]
    if not hit:
        return parts
    first, last = hit[0], hit[-1]
    if any(parts[i].locked for i in range(first, last + 1)):
        return parts
    a0 = spans[first][0]
    b1 = spans[last][1]
    spoken = "".join(parts[i].spoken for i in range(first, last + 1))
    display = "".join(parts[i].display for i in range(first, last + 1))
    spoken = spoken[: start - a0] + new + spoken[len(spoken) - (b1 - end) :]
    return [*parts[:first], *_refine(display, spoken), *parts[last + 1 :]]


# --------------------------------------------------------------------------- the token map


def _char_ids(sentence: Sentence) -> tuple[list[int | None], list[int | None]]:
    """An id per non-space character on each side; equal ids mean "same stretch of text"."""
    d_ids: list[int | None] = []
    s_ids: list[int | None] = []
    nid = 0
    for p in sentence.pieces:
        if not p.changed:
            for ch in p.display:
                cid = None if ch.isspace() else nid
                nid += 1
                d_ids.append(cid)
                s_ids.append(cid)
        else:
            d_ids.extend(None if ch.isspace() else nid for ch in p.display)
            s_ids.extend(None if ch.isspace() else nid for ch in p.spoken)
            nid += 1
    return d_ids, s_ids


def token_groups(sentence: Sentence) -> tuple[tuple[int, int], ...]:
    """The token map: consecutive (display tokens, spoken words) groups covering both texts.

    ``In 2023, sales rose 15 %.`` / ``In twenty twenty-three, sales rose fifteen percent.`` ->
    ``((1, 1), (1, 2), (1, 1), (1, 1), (1, 1), (1, 1))``. Every group has at least one token on
    each side (a display token the voice skips joins its neighbour's group), unless one whole
    text has none.
    """
    d_ids, s_ids = _char_ids(sentence)
    d_toks = [m.span() for m in _TOKEN.finditer(sentence.display)]
    s_toks = [m.span() for m in _TOKEN.finditer(sentence.spoken)]
    if not d_toks or not s_toks:
        return ((len(d_toks), len(s_toks)),) if d_toks or s_toks else ()
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    def union_all(ids: Iterable[int | None]) -> int | None:
        root: int | None = None
        for cid in ids:
            if cid is None:
                continue
            r = find(cid)
            if root is None:
                root = r
            elif r != root:
                lo, hi = min(r, root), max(r, root)
                parent[hi] = lo
                root = lo
        return root

    d_root = [union_all(d_ids[a:b]) for a, b in d_toks]
    s_root = [union_all(s_ids[a:b]) for a, b in s_toks]
    # Each component's token ranges on both sides; components overlapping on either side merge.
    comps: dict[int, list[int]] = {}
    for side, roots in ((0, d_root), (1, s_root)):
        for idx, r in enumerate(roots):
            if r is None:
                continue
            key = find(r)
            c = comps.setdefault(key, [-1, -1, -1, -1])  # dmin, dmax, smin, smax
            lo, hi = 2 * side, 2 * side + 1
            c[lo] = idx if c[lo] < 0 else min(c[lo], idx)
            c[hi] = max(c[hi], idx)
    groups: list[list[int]] = []  # dmin, dmax, smin, smax (-1: none)
    for key in sorted(comps):
        c = comps[key]
        if groups:
            g = groups[-1]
            overlaps = (c[0] >= 0 and g[1] >= 0 and c[0] <= g[1]) or (
                c[2] >= 0 and g[3] >= 0 and c[2] <= g[3]
            )
            if overlaps or c[0] < 0 or c[2] < 0 or g[0] < 0 or g[2] < 0:
                g[0] = c[0] if g[0] < 0 else (g[0] if c[0] < 0 else min(g[0], c[0]))
                g[1] = max(g[1], c[1])
                g[2] = c[2] if g[2] < 0 else (g[2] if c[2] < 0 else min(g[2], c[2]))
                g[3] = max(g[3], c[3])
                continue
        groups.append(list(c))
    # Starts of each group on both sides; tokens between starts belong to the earlier group.
    d_starts = sorted({0, *(g[0] for g in groups[1:] if g[0] >= 0)})
    s_starts = sorted({0, *(g[2] for g in groups[1:] if g[2] >= 0)})
    if len(d_starts) != len(s_starts):  # a lone side left over: one group for the sentence
        return ((len(d_toks), len(s_toks)),)
    d_bounds = [*d_starts, len(d_toks)]
    s_bounds = [*s_starts, len(s_toks)]
    return tuple(
        (d_bounds[i + 1] - d_bounds[i], s_bounds[i + 1] - s_bounds[i]) for i in range(len(d_starts))
    )


@dataclass(frozen=True)
class TimedToken:
    """A display token and when it is said (the same clock as the spoken word times)."""

    text: str
    start: float
    end: float
    first_word: int
    """Index of its first spoken word in the spoken text."""


def display_timings(
    sentence: Sentence, spoken_times: Sequence[tuple[float, float]]
) -> list[TimedToken]:
    """Display tokens timed from ``spoken_times`` (one (start, end) per spoken word).

    A token starts at its group's first spoken word and ends at its last; several display
    tokens in one group share its time in proportion to their length (one to one when the
    counts match).
    """
    d_toks = _TOKEN.findall(sentence.display)
    s_toks = _TOKEN.findall(sentence.spoken)
    if len(spoken_times) != len(s_toks):
        raise ValueError("one (start, end) per spoken word is needed")
    out: list[TimedToken] = []
    di = si = 0
    last_end = spoken_times[0][0] if spoken_times else 0.0
    for dn, sn in token_groups(sentence):
        words = spoken_times[si : si + sn]
        if words:
            start, end = words[0][0], max(e for _, e in words)
        else:
            start = end = last_end
        toks = d_toks[di : di + dn]
        if dn == sn:
            for k, tok in enumerate(toks):
                out.append(TimedToken(tok, words[k][0], max(words[k][1], words[k][0]), si + k))
        else:
            out.extend(_share(toks, s_toks[si : si + sn], words, si, start))
        last_end = end
        di += dn
        si += sn
    return out


def _core(token: str) -> str:
    return "".join(ch for ch in token if ch.isalnum()).casefold()


def _share(
    toks: Sequence[str],
    said: Sequence[str],
    words: Sequence[tuple[float, float]],
    first: int,
    start: float,
) -> list[TimedToken]:
    """Times for the display tokens of one group whose counts differ.

    A display token that is also one of the group's spoken words (``million`` in ``$3.5
    million`` -> ``three point five million dollars``) takes that word's time; the tokens
    between such anchors share the words between them in proportion to their length (none left:
    a zero-length token where the last word ended).
    """
    anchors: list[tuple[int, int]] = []
    j = 0
    for k, tok in enumerate(toks):
        core = _core(tok)
        hit = next((i for i in range(j, len(said)) if core and _core(said[i]) == core), None)
        if hit is not None:
            anchors.append((k, hit))
            j = hit + 1
    out: list[TimedToken] = []
    prev_word = -1
    prev_end = start
    bounds = [*anchors, (len(toks), len(said))]
    k = 0
    for n, (ak, aw) in enumerate(bounds):
        run = toks[k:ak]
        span = words[prev_word + 1 : aw]
        if not run and span:
            # words no display token of their own claims: the anchor beside them says them
            if out:
                last = out[-1]
                out[-1] = TimedToken(
                    last.text, last.start, max(e for _, e in span), last.first_word
                )
            elif n < len(anchors):
                w0, w1 = words[aw]
                out.append(TimedToken(toks[ak], span[0][0], max(w1, w0), first + prev_word + 1))
                prev_end, prev_word, k = max(w1, w0), aw, ak + 1
                continue
        if run:
            if span:
                t0, t1 = span[0][0], max(e for _, e in span)
            else:
                t0 = t1 = prev_end
            total = sum(len(t) for t in run) or 1
            at = t0
            for tok in run:
                nxt = at + (t1 - t0) * len(tok) / total
                out.append(TimedToken(tok, at, max(nxt, at), first + prev_word + 1))
                at = nxt
        if ak < len(toks):
            w0, w1 = words[aw]
            out.append(TimedToken(toks[ak], w0, max(w1, w0), first + aw))
            prev_end = max(w1, w0)
        elif span:
            prev_end = max(e for _, e in span)
        prev_word = aw
        k = ak + 1
    return out
