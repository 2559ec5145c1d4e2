"""Speakable text: small named ``str -> str`` rules that turn article prose into what a voice reads.

Sits in the ``narrate`` stage (``Article -> Script``). Text passes two tuples of rules:

* ``REPAIR_RULES`` run on whole paragraphs before sentence splitting: they normalise
  typography, remove what must not be read (markup, URLs, footnote marks, emoji), describe code
  and tables, and repair the faults that would confuse the segmenter (``use.Ketamine``,
  ``effects,such``, lower-case sentence starts).
* ``reading_rules(lexicon)`` run on each sentence after splitting: web addresses,
  abbreviations, symbols, dashes, money, temperatures, percentages, units, initialisms, years,
  ordinals, numbers.

The repaired sentence is the **display text** (what captions and transcripts show); the reading
rules turn it into the **spoken text**. A reading rule is a ``ReadingRule``: called with a
``str`` it returns a ``str`` like any rule, and ``rule.mapped(text)`` rewrites a
``textmap.MappedText``, recording which display characters each rewrite replaced, so the token
map between the two forms comes out of the rules themselves (``apply_mapped``). Any plain
``str -> str`` rule still works in ``apply_mapped``; its map is coarser (one block per change).

Each rule has a docstring and exact in/out tests (``tests/test_narrate_rules``).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping
from functools import reduce

from num2words import num2words

from articast.text.lexicon import Lexicon, default_lexicon
from articast.textmap import MappedText

Rule = Callable[[str], str]
"""A text rule: takes text, returns text. Rules never raise on odd input."""

_LETTER = r"[^\W\d_]"


def apply_rules(text: str, rules: Iterable[Rule]) -> str:
    """Run ``text`` through ``rules`` in order."""
    return reduce(lambda acc, rule: rule(acc), rules, text)


# =========================================================================== repair rules

_TYPO_TABLE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u00ad": "",
        "\u2026": "...",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
    }
)


def normalize_typography(text: str) -> str:
    """Typographic quotes to straight ones, ligatures to letters, odd spaces to plain spaces.

    ``“Brain’s”`` -> ``"Brain's"``, ``ﬁeld`` -> ``field``, ``…`` -> ``...``; soft hyphens and
    zero-width spaces vanish. Dashes are kept (``read_dashes`` decides how they sound).
    """
    return text.translate(_TYPO_TABLE)


_FENCED = re.compile(r"(?ms)^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[ \t]*$")
_HTML_PRE = re.compile(r"(?is)<pre\b.*?</pre\s*>")
_HTML_TABLE = re.compile(r"(?is)<table\b.*?</table\s*>")
_MD_TABLE = re.compile(r"(?m)(?:^[ \t]*\|.*\|[ \t]*(?:\n|$)){2,}")
_STRAY_FENCE = re.compile(r"(?m)^[ \t]*[\"']?(?:```|~~~)[\w+-]*[ \t]*$\n?")
_CODE_SENTENCE = "\n\nThe article shows a code example here.\n\n"
_TABLE_SENTENCE = "\n\nThe article shows a table here.\n\n"


def describe_code_and_tables(text: str) -> str:
    """Replace code blocks and tables with a short spoken note; drop stray code fences.

    Fenced (```), ``<pre>`` and Markdown or HTML tables become one sentence each, in a
    paragraph of its own, so the voice never reads symbols aloud. A lone fence line (an unclosed ```html) is removed.
    """
    out = _FENCED.sub(_CODE_SENTENCE, text)
    out = _HTML_PRE.sub(_CODE_SENTENCE, out)
    out = _HTML_TABLE.sub(_TABLE_SENTENCE, out)
    out = _MD_TABLE.sub(_TABLE_SENTENCE, out)
    out = _STRAY_FENCE.sub("", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip("\n") if out != text else out


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_SPLIT_TAG = re.compile(r"<\s*\n\s*/?[A-Za-z][A-Za-z0-9-]*[^<>]*>")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM = re.compile(
    r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)([^_\n]+?)(?<=\S)_(?!\w)"
)
_MD_CODE = re.compile(r"`([^`\n]+)`")
_MD_HEADING = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
_MD_QUOTE = re.compile(r"(?m)^[ \t]*>[ \t]?")
_MD_BULLET = re.compile(r"(?m)^[ \t]*[-*+][ \t]+")


def strip_markup(text: str) -> str:
    """Remove HTML tags and entities and Markdown markup, keeping the words.

    ``<strong>Dive</strong> in`` -> ``Dive in``; ``**bold** and `code``` -> ``bold and code``;
    ``[the talk](https://x.y)`` -> ``the talk``; images vanish; ``&amp;`` -> ``&``.
    """
    out = _SPLIT_TAG.sub("", text)
    out = _HTML_TAG.sub("", out)
    out = _MD_IMAGE.sub("", out)
    out = _MD_LINK.sub(r"\1", out)
    out = _MD_CODE.sub(r"\1", out)
    out = _MD_STRONG.sub(r"\2", out)
    out = _MD_EM.sub(lambda m: m.group(1) or m.group(2) or "", out)
    out = _MD_HEADING.sub("", out)
    out = _MD_QUOTE.sub("", out)
    out = _MD_BULLET.sub("", out)
    return html.unescape(out)


_URL = re.compile(r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>\"]+")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")


_FOOTNOTE = re.compile(
    r"\[(?:\d+(?:\s*[,\u2013-]\s*\d+)*|[a-z]|citation needed|note \d+|nb \d+)\]"
    r"|(?<![\s\d])(?<!\bm)(?<!cm)(?<!mm)(?<!km)(?<!ft)[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+"
    r"|(?<=\S)[\u2020\u2021]+"
    r"|(?<=[A-Za-z.,;)\"'])\^\d+",
    re.I,
)


def drop_footnote_marks(text: str) -> str:
    """Remove footnote and citation marks: ``[12]``, ``[3-5]``, ``[citation needed]``, ``¹``, ``†``.

    Superscripts after units are kept (``m²`` is read by ``read_units``).
    """
    return _FOOTNOTE.sub("", text)


_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"
    "\u2600-\u26ff"
    "\u2700-\u27bf"
    "\u2b00-\u2bff"
    "\u2300-\u23ff"
    "\ufe0e\ufe0f\u200d\u20e3"
    "\U000e0020-\U000e007f"
    "]+"
)


def drop_emoji(text: str) -> str:
    """Remove emoji, pictographs, dingbats and their joiners/variation selectors.

    ``Sleep well 😴!`` -> ``Sleep well!``.
    """
    out = _EMOJI.sub("", text)
    if out == text:
        return text
    out = re.sub(r"[ \t]+([.,;:!?])", r"\1", out)
    return re.sub(r"[ \t]{2,}", " ", out).strip(" \t")


# Letters of any script; the rules check their case (Cyrillic, Greek, accented Latin).
_NO_SPACE_STOP = re.compile(r"(?<=[^\W_]|[)\]\"'%])[.!?]+(?=[^\W\d_])")
_NO_SPACE_STOP_LOWER = re.compile(r"(?<=[^\W\d_]|[)\]\"'%])\.(?=[^\W\d_])")
_CLOSERS = ")]\"'%"
_FILE_SUFFIXES = frozenset(
    {
        "com", "org", "net", "edu", "gov", "io", "ai", "co", "uk", "de", "fr", "us", "info",
        "app", "dev", "js", "ts", "py", "rs", "go", "sh", "md", "txt", "pdf", "doc", "docx",
        "html", "htm", "css", "json", "yaml", "yml", "toml", "xml", "csv", "png", "jpg", "jpeg",
        "gif", "svg", "mp3", "mp4", "wav", "exe", "zip", "tar", "gz", "ini", "cfg", "log",
    }
)  # fmt: skip
_NO_SPACE_COMMA = re.compile(rf"(?<=[\w)\]\"'%])[,;](?={_LETTER})")
_NO_SPACE_COLON = re.compile(rf"(?<={_LETTER}):(?={_LETTER}{{2}})")


def _in_url_like(text: str, pos: int) -> bool:
    start = text.rfind(" ", 0, pos) + 1
    end = text.find(" ", pos)
    token = text[start : end if end != -1 else len(text)]
    return "://" in token or "www." in token.lower() or "@" in token or "/" in token


def repair_missing_spaces(text: str) -> str:
    """Insert the missing space after sentence and clause punctuation.

    ``use.Ketamine`` -> ``use. Ketamine``; ``advice.ask`` -> ``advice. ask``;
    ``effects,such`` -> ``effects, such``. File names and domains (``Node.js``), decimals
    (``3.5``), thousands (``1,000``), initials (``J.R.R. Tolkien``), abbreviations (``e.g.``),
    times (``10:30``) and anything URL- or path-like are left alone.
    """

    def _fix(m: re.Match[str]) -> str:
        if _in_url_like(m.string, m.start()) or m.string[m.end() : m.end() + 1] == ":":
            return m.group(0)
        return m.group(0) + " "

    def _fix_stop(m: re.Match[str]) -> str:
        # "use.Ketamine", "лампу.Вечером", "U.S.Army": a capital and a small letter after the
        # stop; "it.A" and "it.I": a one-letter word after a small letter, digit or bracket.
        prev, after = m.string[m.start() - 1], m.string[m.end() : m.end() + 2]
        if after[:1].isupper() and after[1:2].islower():
            return _fix(m)
        if after[:1] in ("A", "I") and not after[1:2].isalnum() and (prev.islower() or prev.isdigit() or prev in _CLOSERS):
            return _fix(m)
        return m.group(0)

    def _fix_lower(m: re.Match[str]) -> str:
        before = m.string[: m.start()]
        if not (before[-1:].islower() or before[-1:] in _CLOSERS):
            return m.group(0)
        left = re.search(r"[\w.]*$", before)
        left_token = left.group(0) if left else ""
        right = re.match(r"[^\W\d_]+", m.string[m.end() :])
        right_word = right.group(0) if right else ""
        if (
            not right_word.islower()
            # One letter after the stop: an initial or a file's type ("x.y", "main.c"),
            # except a one-letter word of another script ("лампу.в штормовые").
            or (len(right_word) < 2 and right_word.isascii())
            or "." in left_token
            or len(re.sub(r"\W", "", left_token)) < 2
            or right_word in _FILE_SUFFIXES
            or _in_url_like(m.string, m.start())
        ):
            return m.group(0)
        return ". "

    out = _NO_SPACE_STOP.sub(_fix_stop, text)
    out = _NO_SPACE_STOP_LOWER.sub(_fix_lower, out)
    out = _NO_SPACE_COMMA.sub(_fix, out)
    return _NO_SPACE_COLON.sub(
        lambda m: m.group(0) if m.string[m.start() - 1 : m.start()] == ":" else _fix(m), out
    )


ABBREVIATIONS = frozenset(
    {
        "e.g", "i.e", "etc", "vs", "cf", "al", "approx", "ca", "c", "dr", "mr", "mrs", "ms", "prof",
        "st", "fig", "figs", "vol", "pp", "eds", "jr", "sr", "dept", "ave", "mt", "lb", "oz",
        "u.s", "u.k", "a.m", "p.m", "ph.d", "viz", "resp", "incl", "nb", "refs",
    }
)  # fmt: skip
"""Words (lower case, without the final full stop) that end with a full stop mid-sentence."""

_SENTENCE_START = re.compile(r"(^|[.!?][\"')\]»”’]*\s+)([¿¡\"“«‘(]?)([^\W\d_][\w'-]*)")


def _ends_with_abbreviation(before: str) -> bool:
    stripped = before.rstrip()
    if stripped.endswith("..."):
        return True
    if not stripped.endswith("."):
        return False
    word = stripped[:-1].rsplit(None, 1)[-1].lstrip("(\"'[") if stripped[:-1].strip() else ""
    low = word.lower()
    return low in ABBREVIATIONS or bool(re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word))


def capitalize_sentence_starts(text: str) -> str:
    """Upper-case the first letter of a sentence that starts in lower case.

    ``research grows. this action`` -> ``Research grows. This action``. Not after abbreviations
    (``e.g. the``), initials or an ellipsis, and never for words with inner capitals (``iPhone``,
    ``mRNA``) or symbols (``pH``).
    """

    def _cap(m: re.Match[str]) -> str:
        lead, opener, word = m.group(1), m.group(2), m.group(3)
        # Any script with capitals (Cyrillic, Greek, accented Latin); none in Chinese.
        if not word[0].islower() or any(ch.isupper() for ch in word) or word in {"pH", "x", "y"}:
            return m.group(0)
        if lead and _ends_with_abbreviation(m.string[: m.start() + len(lead.rstrip())]):
            return m.group(0)
        return lead + opener + word[0].upper() + word[1:]

    return _SENTENCE_START.sub(_cap, text)


REPAIR_RULES: tuple[Rule, ...] = (
    normalize_typography,
    describe_code_and_tables,
    strip_markup,
    drop_footnote_marks,
    drop_emoji,
    repair_missing_spaces,
    capitalize_sentence_starts,
)
"""Rules for whole paragraphs, before sentence splitting (order matters)."""


# =========================================================================== reading rules

MappedFn = Callable[[MappedText], MappedText]


class ReadingRule:
    """A named reading rule: rewrites the spoken side of a ``MappedText`` and records the map.

    Called with a ``str`` it behaves like any ``str -> str`` rule (display in, spoken out).
    """

    __name__: str

    def __init__(self, fn: MappedFn) -> None:
        self._fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, text: str) -> str:
        return self._fn(MappedText.plain(text)).spoken

    def mapped(self, text: MappedText) -> MappedText:
        """Apply the rule to ``text``, keeping the display side and the map."""
        return self._fn(text)

    def __repr__(self) -> str:
        return f"<reading rule {self.__name__}>"


def reading_rule(fn: MappedFn) -> ReadingRule:
    """Decorator: a ``MappedText -> MappedText`` function as a ``ReadingRule``."""
    return ReadingRule(fn)


def apply_mapped(text: MappedText, rules: Iterable[Rule]) -> MappedText:
    """Run ``text`` through ``rules``, keeping the map (plain ``str`` rules rewrite as a block)."""
    for rule in rules:
        if isinstance(rule, ReadingRule):
            text = rule.mapped(text)
        else:
            text = text.rewrite(rule(text.spoken))
    return text


_URL_TAIL = ".,;:!?)]'\""


@reading_rule
def read_urls(text: MappedText) -> MappedText:
    """Say a web address by its site: ``see https://www.example.org/a.html.`` -> ``see example dot org.``

    The path is not read; the display text keeps the whole address.
    """

    def _say(m: re.Match[str]) -> str:
        url = m.group(0)
        core = url.rstrip(_URL_TAIL)
        if core.count("(") < core.count(")"):
            core = core[: core.rfind(")")]
        host = re.sub(r"(?i)^(?:https?://|ftp://)?(?:www\.)?", "", core)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
        spoken = " dot ".join(part for part in host.split(".") if part)
        return spoken + url[len(core) :]

    return text.sub(_URL, _say)


_ABBREVIATION_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\w)e\.\s?g\.(?=\s|,|$)", re.I), "for example"),
    (re.compile(r"(?<!\w)i\.\s?e\.(?=\s|,|$)", re.I), "that is"),
    (re.compile(r"(?<!\w)etc\.(?=\s*$)"), "et cetera."),
    (re.compile(r"(?<!\w)etc\.?(?!\w)"), "et cetera"),
    (re.compile(r"(?<!\w)et al\.?(?!\w)"), "and colleagues"),
    (re.compile(r"(?<!\w)vs\.?(?=\s)"), "versus"),
    (re.compile(r"(?<!\w)cf\.(?=\s)"), "compare"),
    (re.compile(r"(?<!\w)approx\.(?=\s)"), "approximately"),
    (re.compile(r"(?<!\w)Dr\.(?=\s+[A-Z])"), "Doctor"),
    (re.compile(r"(?<!\w)Prof\.(?=\s+[A-Z])"), "Professor"),
    (re.compile(r"(?<!\w)Fig\.(?=\s*\d)"), "Figure"),
    (re.compile(r"(?<!\w)No\.(?=\s*\d)"), "number"),
)


@reading_rule
def expand_abbreviations(text: MappedText) -> MappedText:
    """Say common abbreviations in full: ``e.g.`` -> ``for example``, ``Dr. Lee`` -> ``Doctor Lee``.

    Also ``i.e.``, ``etc.``, ``et al.``, ``vs.``, ``cf.``, ``approx.``, ``Prof.``, ``Fig. 2``, ``No. 5``.
    """
    for pattern, spoken in _ABBREVIATION_WORDS:
        text = text.sub(pattern, spoken)
    return text


@reading_rule
def read_symbols(text: MappedText) -> MappedText:
    """Say symbols in words: ``&`` -> ``and``, ``±`` -> ``plus or minus``, ``~20`` -> ``about 20``.

    Also ``≈``, ``×`` or ``x`` between numbers (``times``), ``→`` (``to``), ``#3`` (``number 3``),
    ``10x`` (``10 times``) and ``and/or``.
    """
    out = text.sub(r"\s*&\s*", " and ")
    out = out.sub(r"\s*\u00b1\s*", " plus or minus ")
    out = out.sub(r"(?:~|\u2248|\u223c)\s*(?=\d)", "about ")
    out = out.sub(r"(?<=\d)\s*[\u00d7x]\s*(?=\d)", " times ")
    out = out.sub(r"(?<=\d)[x\u00d7](?!\w)", " times")
    out = out.sub(r"\s*(?:\u2192|->)\s*", " to ")
    out = out.sub(r"(?<![\w&])#(?=\d)", "number ")
    return out.sub(r"\band/or\b", "and or")


_RANGE = re.compile(r"(?<![\d.,-])(\d+(?:[.,]\d+)?)\s*[\u2013\u2014-]\s*(\d+(?:[.,]\d+)?)(?![\d-])")
_ASIDE_DASH = re.compile(r"\s*(?:\u2014|\u2013|--)\s*|\s+-\s+")


@reading_rule
def read_dashes(text: MappedText) -> MappedText:
    """Turn number ranges and dashes into speech: ``11–16 Hz`` -> ``11 to 16 Hz``.

    A dash between words (``neurons – observed``) becomes a comma pause. Hyphenated words
    (``brain-derived``, ``COVID-19``) are kept.
    """
    out = text.sub(_RANGE, r"\1 to \2")
    out = out.sub(_ASIDE_DASH, ", ")
    out = out.sub(r",\s*([.,;:!?])", r"\1")
    return out.sub(r"^,\s*", "")


_CURRENCY = re.compile(
    r"([$\u20ac\u00a3])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?"
    r"(?:\s?(thousand|million|billion|trillion|[kKmMbB]n?)\b)?"
)
_CURRENCY_NAMES = {
    "$": ("dollar", "cent"),
    "\u20ac": ("euro", "cent"),
    "\u00a3": ("pound", "penny"),
}
_SCALE = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}


@reading_rule
def read_currency(text: MappedText) -> MappedText:
    """Put money in word order: ``$5`` -> ``5 dollars``, ``€2.5 million`` -> ``2.5 million euros``.

    ``$4.50`` -> ``4 dollars and 50 cents``; ``£1`` -> ``1 pound``.
    """

    def _money(m: re.Match[str]) -> str:
        unit, sub = _CURRENCY_NAMES[m.group(1)]
        whole, frac, scale = m.group(2), m.group(3), m.group(4)
        if scale:
            scale = _SCALE.get(scale.lower(), scale.lower())
            amount = f"{whole}.{frac}" if frac else whole
            return f"{amount} {scale} {unit}s"
        plural = "" if whole == "1" else "s"
        if frac and int(frac.ljust(2, "0")) > 0:
            cents = str(int(frac.ljust(2, "0")))
            sub_word = ("pence" if sub == "penny" else "cents") if cents != "1" else sub
            return f"{whole} {unit}{plural} and {cents} {sub_word}"
        return f"{whole} {unit}{plural}"

    return text.sub(_CURRENCY, _money)


_TEMPERATURE = re.compile(r"(?<![\w.])(-)?(\d+(?:\.\d+)?)\s?(?:\u00b0|\u00ba|deg\.?)\s?([CFK])?\b")


@reading_rule
def read_temperatures(text: MappedText) -> MappedText:
    """Say temperatures and angles: ``60 °C`` -> ``60 degrees Celsius``, ``-5°F`` -> ``minus 5 degrees Fahrenheit``.

    ``1 °C`` -> ``1 degree Celsius``; ``90°`` -> ``90 degrees``.
    """

    def _temp(m: re.Match[str]) -> str:
        sign, value, scale = m.group(1), m.group(2), m.group(3)
        unit = "degree" if value == "1" else "degrees"
        name = {"C": " Celsius", "F": " Fahrenheit", "K": " kelvin", None: ""}[scale]
        return f"{'minus ' if sign else ''}{value} {unit}{name}"

    return text.sub(_TEMPERATURE, _temp)


@reading_rule
def read_percentages(text: MappedText) -> MappedText:
    """Say percentages: ``30 %`` and ``30%`` -> ``30 percent``; ``2.5 %`` -> ``2.5 percent``."""
    return text.sub(r"(\d)\s?%", r"\1 percent")


_UNITS: dict[str, tuple[str, str]] = {
    "mg": ("milligram", "milligrams"),
    "\u00b5g": ("microgram", "micrograms"),
    "\u03bcg": ("microgram", "micrograms"),
    "mcg": ("microgram", "micrograms"),
    "ng": ("nanogram", "nanograms"),
    "g": ("gram", "grams"),
    "kg": ("kilogram", "kilograms"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "dL": ("deciliter", "deciliters"),
    "L": ("liter", "liters"),
    "l": ("liter", "liters"),
    "nm": ("nanometer", "nanometers"),
    "\u00b5m": ("micrometer", "micrometers"),
    "\u03bcm": ("micrometer", "micrometers"),
    "mm": ("millimeter", "millimeters"),
    "cm": ("centimeter", "centimeters"),
    "m": ("meter", "meters"),
    "km": ("kilometer", "kilometers"),
    "m\u00b2": ("square meter", "square meters"),
    "km\u00b2": ("square kilometer", "square kilometers"),
    "m\u00b3": ("cubic meter", "cubic meters"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "ms": ("millisecond", "milliseconds"),
    "\u00b5s": ("microsecond", "microseconds"),
    "s": ("second", "seconds"),
    "sec": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "mph": ("mile per hour", "miles per hour"),
    "kcal": ("kilocalorie", "kilocalories"),
    "kB": ("kilobyte", "kilobytes"),
    "KB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "W": ("watt", "watts"),
    "kW": ("kilowatt", "kilowatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "V": ("volt", "volts"),
    "mV": ("millivolt", "millivolts"),
    "dB": ("decibel", "decibels"),
    "mmHg": ("millimeter of mercury", "millimeters of mercury"),
    "mmol": ("millimole", "millimoles"),
    "bpm": ("beat per minute", "beats per minute"),
    "ppm": ("part per million", "parts per million"),
}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_UNIT_RE = re.compile(
    rf"(?<![\w.])(\d+(?:[.,]\d+)?)\s?({_UNIT_ALT})(?:/({_UNIT_ALT}))?(?![\w\u00b2\u00b3])"
)


@reading_rule
def read_units(text: MappedText) -> MappedText:
    """Say units after numbers in full: ``16 Hz`` -> ``16 hertz``, ``5 mg/kg`` -> ``5 milligrams per kilogram``.

    Singular for exactly one (``1 km`` -> ``1 kilometer``); a unit without a number is left alone.
    """

    def _unit(m: re.Match[str]) -> str:
        value, unit, per = m.group(1), m.group(2), m.group(3)
        one, many = _UNITS[unit]
        spoken = f"{value} {one if value == '1' else many}"
        if per:
            spoken += f" per {_UNITS[per][0]}"
        return spoken

    return text.sub(_UNIT_RE, _unit)


_ROMAN = re.compile(r"(?:X{0,3})(?:IX|IV|V?I{0,3})")
_CAPS_STOPWORDS = frozenset(
    {
        "THE", "AND", "FOR", "NOT", "YOU", "ALL", "BUT", "NEW", "NOW", "HOW", "WHY", "WHAT",
        "THIS", "THAT", "WITH", "FROM", "STOP", "FREE", "NOTE", "TIP", "TIPS", "READ", "MORE",
        "OUR", "ARE", "CAN", "YES", "NO", "OK", "OF", "TO", "IN", "ON", "IS", "IT", "OR", "AT",
        "BY", "AN", "AS", "BE", "DO", "GO", "SO", "UP", "WE", "MY", "ME", "HE", "IF", "US",
    }
)  # fmt: skip


def make_initialism_rule(lexicon: Mapping[str, str]) -> ReadingRule:
    """Build the ``spell_initialisms`` rule for ``lexicon`` (term as written -> spoken form)."""
    terms = sorted(lexicon, key=len, reverse=True)
    alternatives = [re.escape(t) for t in terms] or ["(?!)"]
    # lexicon terms and unknown capitals in one pass, so a lexicon output is never re-spelled
    token_re = re.compile(
        r"(?<![\w'])(?:(?P<term>" + "|".join(alternatives) + r")(?!\w)"
        r"|(?P<caps>[A-Z]{2,5})(?P<plural>s|'s)?(?![\w']))"
    )

    def spell_initialisms(text: MappedText) -> MappedText:
        """Say initialisms: lexicon terms as listed (``NMDA`` -> ``N M D A``, ``REM`` -> ``rem``).

        Terms the lexicon lists unchanged are said as words (``NASA``). Other all-caps tokens of
        2-5 letters are spelled letter by letter (``HRV`` -> ``H R V``, ``HRVs`` -> ``H R V's``),
        except Roman numerals, common words in capitals and text written entirely in capitals
        (shouted headings). A sentence that starts with a term said as a word keeps its capital
        (``REM sleep`` -> ``Rem sleep``).
        """
        before = text.spoken
        words = re.findall(rf"{_LETTER}+", before)
        caps = [w for w in words if len(w) > 1 and w.isupper()]
        shouted = len(words) >= 3 and len(caps) / len(words) > 0.6

        def _say(m: re.Match[str]) -> str:
            term = m.group("term")
            if term is not None:
                spoken = lexicon[term]
            else:
                token, plural = m.group("caps"), m.group("plural")
                if shouted or token in _CAPS_STOPWORDS or _ROMAN.fullmatch(token):
                    return m.group(0)
                spoken = " ".join(token) + ("'s" if plural else "")
            if m.start() == 0 and before[:1].isupper() and spoken[:1].islower():
                spoken = spoken[0].upper() + spoken[1:]
            return spoken

        return text.sub(token_re, _say)

    return ReadingRule(spell_initialisms)


def _words(number: str, *, to: str = "cardinal") -> str:
    spoken: str = num2words(number, lang="en", to=to)
    return spoken.replace(",", "")


_DECADE = re.compile(r"(?<![\w'])(1[1-9]|20)(\d0)s\b")
_YEAR_CONTEXT = (
    r"in|since|until|till|during|by|from|circa|c\.|year|years|early|late|mid|around|"
    r"before|after|between|q[1-4]|spring|summer|autumn|fall|winter|january|february|march|april|may|june|"
    r"july|august|september|october|november|december|jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|"
    r"jul\.?|aug\.?|sep\.?|sept\.?|oct\.?|nov\.?|dec\.?"
)
_YEAR = re.compile(
    rf"(?i:\b((?:{_YEAR_CONTEXT})\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?))"
    r"(1[1-9]\d\d|20\d\d)(?![\d.,]\d|\s?%)"
)
_YEAR_RANGE = re.compile(
    r"(?i:\b((?:between|from)\s+))(1[1-9]\d\d|20\d\d)(\s+(?:and|to|until|through)\s+)"
    r"(1[1-9]\d\d|20\d\d)(?![\d.,]\d|\s?%)"
)
_CITATION_YEAR = re.compile(r"(?<=\()(1[5-9]\d\d|20\d\d)(?=\))|(?<=, )(1[5-9]\d\d|20\d\d)(?=\))")


@reading_rule
def read_years(text: MappedText) -> MappedText:
    """Say years as years: ``in 1995`` -> ``in nineteen ninety-five``, ``1990s`` -> ``nineteen nineties``.

    A four-digit number counts as a year after words such as *in*, *since*, *by*, *during* or a
    month name, in ranges (``between 2010 and 2020``) and in citations (``Smith, 2019)``);
    ``2000 participants`` stays a quantity.
    """

    def _decade(m: re.Match[str]) -> str:
        spoken = _words(m.group(1) + m.group(2), to="year")
        return spoken[:-1] + "ies" if spoken.endswith("y") else spoken + "s"

    out = text.sub(_DECADE, _decade)
    out = out.sub(
        _YEAR_RANGE,
        lambda m: (
            f"{m.group(1)}{_words(m.group(2), to='year')}{m.group(3)}"
            f"{_words(m.group(4), to='year')}"
        ),
    )
    out = out.sub(_YEAR, lambda m: m.group(1) + _words(m.group(2), to="year"))
    return out.sub(_CITATION_YEAR, lambda m: _words(m.group(0), to="year"))


@reading_rule
def read_ordinals(text: MappedText) -> MappedText:
    """Say ordinals: ``1st`` -> ``first``, ``21st`` -> ``twenty-first``, ``19th-century`` -> ``nineteenth-century``."""
    return text.sub(
        r"(?<![\w.])(\d+)(?:st|nd|rd|th)(?![a-zA-Z])",
        lambda m: _words(m.group(1), to="ordinal"),
    )


_TIME = re.compile(
    r"(?<![\d:.,])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(?:\s?([ap])\.?m\.?(?![a-z]))?", re.I
)


@reading_rule
def read_times(text: MappedText) -> MappedText:
    """Say clock times: ``10:30`` -> ``10 30``, ``9:05 pm`` -> ``9 oh 5 p m``, ``7:00`` -> ``7 o'clock``.

    The digits are left for ``read_numbers``; ``14:00`` -> ``14 hundred``; a ratio ``1:2`` ->
    ``1 to 2``.
    """

    def _time(m: re.Match[str]) -> str:
        hour, minute, half = int(m.group(1)), int(m.group(2)), m.group(3)
        if minute == 0:
            spoken = f"{hour} o'clock" if 0 < hour <= 12 else f"{hour} hundred"
        elif minute < 10:
            spoken = f"{hour} oh {minute}"
        else:
            spoken = f"{hour} {minute}"
        if half:
            spoken = spoken.replace(" o'clock", "") + f" {half.lower()} m"
        return spoken

    out = text.sub(_TIME, _time)
    return out.sub(r"(?<![\d:])(\d+):(\d+)(?![\d:])", r"\1 to \2")


_NUMBER = re.compile(r"(?<![\w.,])(-)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w]|[.,]\d)")


@reading_rule
def read_numbers(text: MappedText) -> MappedText:
    """Say numbers in words: ``20`` -> ``twenty``, ``1,500`` -> ``one thousand five hundred``.

    ``3.5`` -> ``three point five``; ``-5`` -> ``minus five``. Digits glued to letters (``MP3``,
    ``3D``, ``COVID-19``) are left for the voice.
    """

    def _num(m: re.Match[str]) -> str:
        sign, whole, frac = m.group(1), m.group(2).replace(",", ""), m.group(3)
        before = m.string[m.start() - 1 : m.start()]
        if sign and before.isalnum():
            return m.group(0)
        spoken = _words(whole)
        if frac:
            spoken += " point " + " ".join(_words(d) for d in frac)
        return ("minus " if sign else "") + spoken

    return text.sub(_NUMBER, _num)


@reading_rule
def tidy_spacing(text: MappedText) -> MappedText:
    """Collapse runs of spaces, remove spaces before punctuation and empty brackets, trim.

    ``Hello  ,  world ( ) .`` -> ``Hello, world.``
    """
    out = text.sub(_EMPTY_BRACKETS, "")
    out = out.sub(r"\s+", " ")
    out = out.sub(r"\s+([.,;:!?)\]])", r"\1")
    out = out.sub(r"([(\[])\s+", r"\1")
    out = out.sub(r"([,;:])(?:\s*[,;:])+", r"\1")
    return out.sub(r"^\s+|\s+$", "")


def reading_rules(lexicon: Lexicon | None = None) -> tuple[Rule, ...]:
    """Rules for one sentence after splitting, using ``lexicon`` (the shipped one when None)."""
    return (
        read_urls,
        expand_abbreviations,
        read_symbols,
        read_dashes,
        read_years,
        read_currency,
        read_temperatures,
        read_percentages,
        read_units,
        make_initialism_rule(default_lexicon() if lexicon is None else lexicon),
        read_ordinals,
        read_times,
        read_numbers,
        tidy_spacing,
    )


spell_initialisms = make_initialism_rule(default_lexicon())
"""``spell_initialisms`` with the shipped lexicon (see ``make_initialism_rule``)."""


def all_rules(lexicon: Lexicon | None = None) -> tuple[Rule, ...]:
    """Every rule in order: ``REPAIR_RULES`` then ``reading_rules(lexicon)``."""
    return REPAIR_RULES + reading_rules(lexicon)


def speakable(text: str, lexicon: Lexicon | None = None) -> str:
    """Turn a short text (one sentence, a title) into speakable text with every rule."""
    return apply_rules(text, all_rules(lexicon))


def tidy_display(text: str) -> str:
    """A display sentence cleaned of stray spacing: runs of spaces, spaces before punctuation,
    empty brackets (``Hello  , world ( ) .`` -> ``Hello, world.``)."""
    return tidy_spacing(text)


EDIT_RULES: tuple[Rule, ...] = (normalize_typography, drop_emoji)
"""The harmless normalisation applied to lines a producer wrote in ``script.md`` (the reading
rules follow, around the pronunciations the producer wrote)."""
