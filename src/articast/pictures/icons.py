"""Icons for the sections of an article, chosen by meaning from the Lucide set and drawn with
Pillow.

Part of ``pictures``, serving the ``visuals`` stage: ``pictures.plan`` asks ``choose_icon``
which icon suits a section, ``pictures.cards`` draws it with ``render_icon``. It knows nothing
of articles or episodes: it turns text into an icon name and a name into pixels.

- ``choose_icon``: the icon whose name words, tags and categories are closest in meaning to a
  text (WordLlama static word embeddings, cosine similarity), with a small bonus for icons
  whose own name words appear in the text. Deterministic, offline, a few milliseconds a call
  once the icon embeddings are built (once per process).
- ``icon_names`` and ``resolve_icon``: the names, and a user-typed name or alias made canonical
  (an unknown name is an ``InputError`` that suggests close names).
- ``render_icon``: an RGBA picture of an icon in one colour on a transparent background.

The icons and their tags come from the SQLite file inside ``python-lucide``; the embeddings from
the files inside the ``wordllama`` wheel, read directly with ``tokenizers`` and ``safetensors``
(WordLlama's own loader would look in the wrong folder and then try to download).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import importlib.util
import io
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import resvg_py
from PIL import Image
from safetensors import safe_open
from tokenizers import Tokenizer

from articast.errors import BackendUnavailable, InputError

__all__ = [
    "LICENCE_NOTE",
    "choose_icon",
    "icon_names",
    "load_index",
    "render_icon",
    "resolve_icon",
]

LICENCE_NOTE = (
    "Section icons from Lucide (https://lucide.dev), ISC licence, "
    "Copyright (c) Lucide Contributors."
)
"""One line crediting the icon set, for the README and the episode pages."""

DEFAULT_ICON = "file-text"
"""What a text with no letters (or nothing to match) gets: a plain page, neutral for any topic."""

ICONS_URL = "https://lucide.dev/icons"

Vectors = npt.NDArray[np.float32]

# Words that carry no topic: left out of the query so "Why sleep matters for memory" is judged
# on sleep and memory, not on "why" and "for" (which would pull towards question-mark icons).
_STOP_WORDS = """a about after again against all also am an and any are as at be because been before
    being between both but by can could did do does doing down during each even ever every few
    for from further get gets got had has have having he her here hers him his how however i if
    in into is it its itself just let lets like made make makes many may me might more most
    much must my new no nor not now of off often on once one only or other our ours out over
    own per really same several she should since so some such than that the their theirs them
    then there these they this those through thus to too under until up upon us use used using
    very via was way ways we well were what when where which while who whom whose why will with
    within without would yet you your yours"""
_STOP = frozenset(_STOP_WORDS.split())

# Weights of the parts of the score (see ``_Index.scores``). The whole-text comparison keeps the
# overall topic; the per-word part stops one long tag list from winning on a single word; the
# name parts (meaning, then the very words) make "handshake" pick ``handshake`` rather than
# ``heart-handshake``, whose tags are closer to the word than the handshake's own.
_W_DOCUMENT = 0.35
_W_BEST_TERM = 0.25
_W_PER_WORD = 0.40
_W_NAME = 0.15
_W_NAME_WORDS = 0.10
_W_TAG_WORDS = 0.04
_NAME_REPEAT = 3
"""How many times an icon's name counts in its description."""
_POSITION_DECAY = 0.3
"""Later words weigh less: a section's title comes first, its key phrases after."""
_MAX_WORDS = 64
"""Longer texts are judged on their first distinct content words (keeps a call a few ms)."""
_DECIMALS = 5
"""Scores are rounded before ranking so that ties break by name, the same in every process."""


# --------------------------------------------------------------------------- files


def _package_dir(package: str) -> Path:
    """The folder of an installed package, found without importing it (importing ``wordllama``
    configures the root logger; ``lucide`` ships no type information)."""
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise BackendUnavailable(
            f"the Python package {package!r} is not installed; reinstall articast "
            f"(pip install articast) to get section icons"
        )
    return Path(locations[0])


def _required_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package; BackendUnavailable when it is missing."""
    path = _package_dir(package).joinpath(*parts)
    if not path.is_file():
        raise BackendUnavailable(
            f"{path} is missing from the {package!r} package; reinstall it "
            f"(pip install --force-reinstall {package})"
        )
    return path


def _database() -> Path:
    """The SQLite file of Lucide icons shipped inside ``python-lucide``."""
    return _required_file("lucide", "data", "lucide-icons.db")


def _query(sql: str, params: Sequence[str] = ()) -> list[tuple[str, ...]]:
    """Rows of ``sql`` from the icon database, opened read-only (it lives in site-packages)."""
    uri = _database().as_uri() + "?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        return [tuple(str(v) for v in row) for row in db.execute(sql, params)]


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class _Catalogue:
    """Every icon with its tags and categories, and the aliases that lead to it."""

    names: tuple[str, ...]
    """Icon names, sorted (the order every index below follows)."""
    tags: dict[str, tuple[str, ...]]
    categories: dict[str, tuple[str, ...]]
    aliases: dict[str, str]
    """Alias -> icon name."""


@functools.cache
def _catalogue() -> _Catalogue:
    """The icon catalogue, read once per process."""
    names = tuple(sorted(row[0] for row in _query("SELECT name FROM icons")))
    tags: dict[str, list[str]] = {}
    for name, tag in _query("SELECT name, tag FROM icon_tags ORDER BY name, tag"):
        tags.setdefault(name, []).append(tag)
    categories: dict[str, list[str]] = {}
    for name, cat in _query("SELECT name, category FROM icon_categories ORDER BY name, category"):
        categories.setdefault(name, []).append(cat)
    # Every alias in Lucide 1.x is flagged "deprecated": they are the icons' former names
    # (``edit`` -> ``square-pen``), still accepted by Lucide's own packages. A name from an
    # older article or config should keep working, so all of them resolve.
    known = set(names)
    aliases = {
        alias: name
        for name, alias in _query("SELECT name, alias FROM icon_aliases ORDER BY alias")
        if name in known and alias not in known
    }
    return _Catalogue(
        names=names,
        tags={k: tuple(v) for k, v in tags.items()},
        categories={k: tuple(v) for k, v in categories.items()},
        aliases=aliases,
    )


def icon_names() -> frozenset[str]:
    """Every Lucide icon name (``cloud-rain``, ``vote``...), not counting aliases."""
    return frozenset(_catalogue().names)


def _canonical_spelling(name: str) -> str:
    """``name`` as Lucide spells names: lower case, words joined by single '-'."""
    return "-".join(re.split(r"[\s_\-]+", name.strip().lower())).strip("-")


def resolve_icon(name: str) -> str:
    """The icon name for ``name``: an icon name or alias, in any case, with spaces or
    underscores read as '-'. Raises InputError (suggesting close names) for an unknown one."""
    cat = _catalogue()
    key = _canonical_spelling(name)
    if key in cat.aliases:
        return cat.aliases[key]
    if key in icon_names():
        return key
    # Current names first; former names (aliases) only fill up, shown as what they became.
    close = difflib.get_close_matches(key, cat.names, n=5, cutoff=0.6)
    close += difflib.get_close_matches(key, list(cat.aliases), n=5, cutoff=0.6)
    close = list(dict.fromkeys(cat.aliases.get(c, c) for c in close))[:5]
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    shown = " ".join(name.split())[:60]
    raise InputError(f"unknown icon {shown!r}{hint} (names as on {ICONS_URL})")


# --------------------------------------------------------------------------- embeddings


@dataclass(frozen=True)
class _Embedder:
    """WordLlama's ``l2_supercat`` model at 256 dimensions: a token embedding table and its
    Llama-2 tokenizer. A text's vector is the plain mean of its tokens' rows, as
    ``WordLlamaInference.embed`` computes it."""

    tokenizer: Tokenizer
    table: Vectors
    """(vocabulary, 256)."""

    def sums(self, texts: Sequence[str]) -> tuple[Vectors, Vectors]:
        """The sum of each text's token vectors, and its number of tokens."""
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        counts = np.zeros(len(texts), dtype=np.float32)
        if not texts:
            return out, counts
        encoded = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        sizes = np.asarray([len(enc.ids) for enc in encoded], dtype=np.intp)
        filled = np.flatnonzero(sizes)
        if filled.size == 0:
            return out, counts
        ids = np.concatenate([np.asarray(encoded[i].ids, dtype=np.intp) for i in filled])
        np.clip(ids, 0, self.table.shape[0] - 1, out=ids)
        # One gather and one segmented sum for the whole batch, not a loop over texts.
        starts = np.concatenate([[0], np.cumsum(sizes[filled])[:-1]]).astype(np.intp)
        out[filled] = np.add.reduceat(self.table[ids], starts, axis=0)
        counts[filled] = sizes[filled]
        return out, counts

    def raw(self, texts: Sequence[str]) -> Vectors:
        """Mean token vectors (not normalised: their length says how much a word weighs)."""
        sums, counts = self.sums(texts)
        return (sums / np.maximum(counts, 1.0)[:, None]).astype(np.float32)

    def unit(self, texts: Sequence[str]) -> Vectors:
        """Mean token vectors scaled to length 1 (zero vectors stay zero)."""
        return _normalised(self.raw(texts))


def _normalised(vectors: Vectors) -> Vectors:
    """Rows scaled to unit length, so a dot product is the cosine similarity."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)


@functools.cache
def _embedder() -> _Embedder:
    """The WordLlama tables, loaded once per process from the files inside its wheel."""
    weights = _required_file("wordllama", "weights", "l2_supercat_256.safetensors")
    vocab = _required_file("wordllama", "tokenizers", "l2_supercat_tokenizer_config.json")
    tokenizer = Tokenizer.from_file(str(vocab))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    with safe_open(str(weights), framework="np") as f:
        # Stored as float16; widened once (32 MB) so that every later sum is plain float32.
        table = np.ascontiguousarray(f.get_tensor("embedding.weight"), dtype=np.float32)
    return _Embedder(tokenizer=tokenizer, table=table)


# --------------------------------------------------------------------------- matching


def _words(text: str) -> list[str]:
    """The lower-case words of ``text`` (letters only: digits and punctuation split words)."""
    return re.findall(r"[^\W\d_]+", text.lower())


def _stem(word: str) -> str:
    """A crude English stem, enough to match "bridges" with "bridge", "batteries" with
    "battery" and "printing" with "printer"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "er"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> list[str]:
    """The distinct topic words of ``text`` in order of first appearance (no stop words: a
    text of only "the of and" has no topic and gets the default icon)."""
    content = [w for w in _words(text) if len(w) > 1 and w not in _STOP]
    return list(dict.fromkeys(content))[:_MAX_WORDS]


def _phrase(label: str) -> str:
    """A name, tag or category as words: ``cloud-rain`` -> ``cloud rain``."""
    return " ".join(_words(label))


@dataclass(frozen=True)
class _Index:
    """The embedded catalogue: per icon a vector of its whole description, and the vectors of
    each of its terms (name, every tag, every category) for best-term matching."""

    names: tuple[str, ...]
    documents: Vectors
    """(icons, dim): "name words, tag, tag, ..., category, ..." embedded as one text."""
    terms: Vectors
    """(distinct terms, dim)."""
    term_of: npt.NDArray[np.intp]
    """For each (icon, term) pair, grouped by icon, the row in ``terms``."""
    starts: npt.NDArray[np.intp]
    """Where each icon's pairs start in ``term_of`` (every icon has at least its name)."""
    name_words: dict[str, npt.NDArray[np.intp]]
    """Stemmed name word -> icons whose name holds it."""
    name_lengths: Vectors
    """Number of distinct name words per icon (at least 1)."""
    tag_words: dict[str, npt.NDArray[np.intp]]
    """Stemmed tag or category word -> icons described by it."""

    def _best_per_icon(self, similarity: Vectors) -> Vectors:
        """For similarities of every term (rows) to queries (columns), each icon's best."""
        best = np.maximum.reduceat(similarity[self.term_of], self.starts, axis=0)
        return np.asarray(best, dtype=np.float32)

    def scores(self, words: Sequence[str]) -> Vectors:
        """How well each icon fits a text given as its content words (higher is better)."""
        emb = _embedder()
        whole = emb.unit([" ".join(words)])[0]
        document = self.documents @ whole
        to_terms = self.terms @ whole
        best_term = self._best_per_icon(to_terms[:, None])[:, 0]
        name = to_terms[self.term_of[self.starts]]

        raw = emb.raw(words)
        lengths = np.linalg.norm(raw, axis=1)
        # A word's vector length is WordLlama's own measure of how much it says ("memory" is
        # long, "matters" short); earlier words (the title) count more.
        weights = (lengths / (1.0 + _POSITION_DECAY * np.arange(len(words)))).astype(np.float32)
        total = float(weights.sum())
        weights = weights / total if total > 0 else weights
        per_word = self._best_per_icon(self.terms @ _normalised(raw).T) @ weights

        name_hits = np.zeros(len(self.names), dtype=np.float32)
        tag_hits = np.zeros(len(self.names), dtype=np.float32)
        for word, weight in zip(words, weights, strict=True):
            stem = _stem(word)
            if stem in self.name_words:
                name_hits[self.name_words[stem]] += 1.0
            if stem in self.tag_words:
                tag_hits[self.tag_words[stem]] += weight
        name_cover = np.minimum(name_hits / self.name_lengths, 1.0)

        total_score = (
            _W_DOCUMENT * document
            + _W_BEST_TERM * best_term
            + _W_PER_WORD * per_word
            + _W_NAME * name
            + _W_NAME_WORDS * name_cover
            + _W_TAG_WORDS * tag_hits
        )
        return np.asarray(total_score, dtype=np.float32)


def _word_index(groups: Iterable[Iterable[str]]) -> dict[str, npt.NDArray[np.intp]]:
    """Stemmed word -> the positions of the groups (of phrases) that contain it."""
    stems: dict[str, str] = {}
    index: dict[str, list[int]] = {}
    for i, phrases in enumerate(groups):
        words = {w for phrase in phrases for w in phrase.split() if len(w) > 1}
        for word in words:
            if word not in stems:
                stems[word] = _stem(word)
        for stem in sorted({stems[w] for w in words}):
            index.setdefault(stem, []).append(i)
    return {k: np.asarray(v, dtype=np.intp) for k, v in index.items()}


_INDEX_LOCK = threading.Lock()


def _index() -> _Index:
    """The catalogue embedded, once per process (a few tenths of a second): a thread that
    asks while another builds it waits for that one (``load_index`` runs beside the voices)."""
    with _INDEX_LOCK:
        return _build_index()


@functools.cache
def _build_index() -> _Index:
    cat = _catalogue()
    emb = _embedder()
    phrases: dict[str, str] = {}
    names: list[str] = []
    described: list[list[str]] = []
    for name in cat.names:
        labels = [*cat.tags.get(name, ()), *cat.categories.get(name, ())]
        for label in (name, *labels):
            if label not in phrases:
                phrases[label] = _phrase(label)
        names.append(phrases[name] or name)
        described.append([phrases[label] for label in labels if phrases[label]])
    # The name comes first among an icon's terms: the name parts of the score rely on it.
    per_icon = [
        list(dict.fromkeys([name, *terms])) for name, terms in zip(names, described, strict=True)
    ]
    distinct = sorted({t for terms in per_icon for t in terms})
    row = {t: i for i, t in enumerate(distinct)}
    term_of = np.asarray([row[t] for terms in per_icon for t in terms], dtype=np.intp)
    counts = np.asarray([len(terms) for terms in per_icon], dtype=np.intp)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)

    # An icon's description ("name words, tags, categories" as one text) is the mean of all
    # their tokens: summed from the terms' token sums instead of tokenizing 1,900 long texts.
    sums, sizes = emb.sums(distinct)
    doc_sums = np.add.reduceat(sums[term_of], starts, axis=0)
    doc_sizes = np.add.reduceat(sizes[term_of], starts)
    # The name counts as much as a few tags together: it is what the icon shows, while a long
    # tag list (``handshake``: business, finance, security...) would otherwise drown it.
    name_rows = term_of[starts]
    doc_sums += (_NAME_REPEAT - 1) * sums[name_rows]
    doc_sizes += (_NAME_REPEAT - 1) * sizes[name_rows]
    documents = _normalised((doc_sums / np.maximum(doc_sizes, 1.0)[:, None]).astype(np.float32))
    terms = _normalised((sums / np.maximum(sizes, 1.0)[:, None]).astype(np.float32))

    name_words = _word_index([name] for name in names)
    name_lengths = np.asarray(
        [max(1, len({_stem(w) for w in name.split() if len(w) > 1})) for name in names],
        dtype=np.float32,
    )
    return _Index(
        names=cat.names,
        documents=documents,
        terms=terms,
        term_of=term_of,
        starts=starts,
        name_words=name_words,
        name_lengths=name_lengths,
        tag_words=_word_index(described),
    )


_FOREIGN_MIN_SCORE = 0.5
"""In a language other than English, the least score an icon needs (English matches of
substance score 0.45-0.9; a word that only looks like an English one, 0.25-0.35)."""


def _english_words(words: Sequence[str]) -> list[str]:
    """The words the embeddings know whole (one token of four letters or more): in a text in
    another language, the shared and borrowed words ("Computer", "música", "football"), not
    the ones cut into English-looking pieces ("Gehirn", "sommeil")."""
    tokenizer = _embedder().tokenizer
    return [
        w
        for w in words
        if len(w) >= 4 and len(tokenizer.encode(w, add_special_tokens=False).ids) == 1
    ]


def load_index() -> None:
    """Load the icon embeddings and embed the catalogue now (once per process, about 0.4 s),
    so that the first ``choose_icon`` does not wait for it."""
    _index()


def choose_icon(text: str, language: str = "en") -> str:
    """The name of the Lucide icon closest in meaning to ``text`` (a section's title and key
    phrases, any length); ``file-text`` for a text without letters or with only words like
    "the" and "of". The same text always gives the same icon, in any process.

    The embeddings and the icons' tags are English: in another ``language`` only the words
    they know whole count, and only a close match is taken (a neutral page beats a worm for
    "Dormir mieux").
    """
    words = _content_words(text)
    english = language.lower().split("-")[0] == "en"
    if not english:
        words = _english_words(words)
    if not words:
        return DEFAULT_ICON
    index = _index()
    scores = np.round(index.scores(words).astype(np.float64), _DECIMALS)
    best = int(np.argmax(scores))
    if not scores[best] > (0 if english else _FOREIGN_MIN_SCORE - 1e-9):
        return DEFAULT_ICON
    # Highest score first; among equal scores the first name in sorted order (names are sorted).
    return index.names[best]


# --------------------------------------------------------------------------- drawing


@functools.cache
def _svg(name: str) -> str:
    """The SVG source of the icon ``name`` (a canonical name)."""
    rows = _query("SELECT svg FROM icons WHERE name = ?", (name,))
    if not rows:  # resolve_icon said it exists: the database changed under us
        raise InputError(f"unknown icon {name!r} (names as on {ICONS_URL})")
    return rows[0][0]


@functools.lru_cache(maxsize=256)
def _rendered(name: str, size: int, colour: tuple[int, int, int], stroke: float) -> Image.Image:
    """The icon drawn once for these settings; callers get copies."""
    hex_colour = "#{:02x}{:02x}{:02x}".format(*colour)
    svg = _svg(name).replace("currentColor", hex_colour)
    svg = re.sub(r'stroke-width="[^"]*"', f'stroke-width="{stroke:g}"', svg, count=1)
    png = resvg_py.svg_to_bytes(svg_string=svg, width=size, height=size)
    with Image.open(io.BytesIO(png)) as img:
        out: Image.Image = img.convert("RGBA")
    if out.size != (size, size):  # resvg keeps the 24x24 aspect, so this is only a safeguard
        out = out.resize((size, size), Image.Resampling.LANCZOS)
    return out


def render_icon(
    name: str, size: int, colour: tuple[int, int, int], *, stroke: float = 2.0
) -> Image.Image:
    """The icon ``name`` (resolved with ``resolve_icon``) as an RGBA ``size`` x ``size`` image:
    transparent background, strokes in ``colour``, ``stroke`` wide in Lucide's 24-unit grid.
    The result is the caller's to draw on."""
    if size < 1:
        raise InputError(f"icon size {size} is not allowed: expected a whole number of pixels >= 1")
    if not stroke > 0:
        raise InputError(f"icon stroke {stroke} is not allowed: expected a width above 0")
    if len(colour) != 3 or any(not 0 <= int(c) <= 255 for c in colour):
        raise InputError(f"icon colour {colour!r} is not allowed: expected (r, g, b) from 0 to 255")
    rgb = (int(colour[0]), int(colour[1]), int(colour[2]))
    return _rendered(resolve_icon(name), size, rgb, float(stroke)).copy()
