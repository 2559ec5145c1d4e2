"""Reading rules built from one language's conventions (numbers, money, units, ordinals...).

Sits inside ``articast.lang``. English keeps its own rules in ``narrate.rules``; every other
language describes its conventions in a ``Conventions`` value (the words for "point",
"percent", its units, its thousands separator...) and ``reading_rules`` turns that into a
tuple of small named ``str -> str`` rules, each with a docstring, in the order English uses:
abbreviations, symbols, dashes, money, percentages, units, initialisms, ordinals, times,
numbers, spacing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from num2words import num2words

from articast.text.lexicon import Lexicon, default_lexicon
from articast.text.rules import Rule, make_initialism_rule, reading_rule, tidy_spacing
from articast.textmap import MappedText

Money = Callable[[str, str, str | None, str | None], str]
"""``money(symbol, whole, cents, scale)`` -> the spoken order, numbers left as digits."""


@dataclass(frozen=True)
class Conventions:
    """How numbers and symbols are written and said in one language."""

    num2words: str
    """``num2words`` language code."""
    point: str
    """The word for the decimal separator (``Komma``)."""
    minus: str
    percent: str
    per: str
    """``5 mg/kg`` -> ``5 Milligramm pro Kilogramm``."""
    range_word: str
    """``11-16`` -> ``11 bis 16``."""
    units: Mapping[str, tuple[str, str]]
    """Abbreviation -> (singular, plural)."""
    money: Money
    abbreviations: tuple[tuple[str, str], ...] = ()
    """(regex, spoken) pairs."""
    symbols: tuple[tuple[str, str], ...] = ()
    """(regex, spoken) pairs: ``&``, ``±``, ``~``, ``×``, ``#``..."""
    groups: str = "."
    """Characters that group thousands (``1.500``; French ``1 500``)."""
    decimal_digits: bool = False
    """Read decimals digit by digit (``3,14`` -> ``drei Komma eins vier``) instead of as a number."""
    singular_below_two: bool = False
    """French: ``1,5 kilomètre`` (the singular up to two)."""
    year_form: bool = False
    """Four-digit numbers from 1100 to 1999 read as years (``neunzehnhundert``) everywhere."""
    one_before_noun: tuple[tuple[str, str], ...] = ()
    """(regex, replacement) on a number's words when a word follows (``eins$`` -> ``ein``)."""
    ordinals: Rule | None = None
    times: Rule | None = None
    extra: tuple[Rule, ...] = field(default_factory=tuple)
    """Language-specific rules run after the symbols (decades, centuries...)."""


def words(n: int | str, conv: Conventions, to: str = "cardinal") -> str:
    """``n`` in words in ``conv``'s language (num2words), without commas."""
    spoken: str = num2words(int(n), lang=conv.num2words, to=to)
    return spoken.replace(",", "")


def _number_pattern(conv: Conventions) -> str:
    grp = "[" + re.escape(conv.groups) + "]"
    return rf"(?:\d{{1,3}}(?:{grp}\d{{3}})+(?!\d)|\d+)(?:[,.]\d+)?"


def plain_digits(amount: str, conv: Conventions) -> tuple[str, str | None]:
    """(whole digits, decimal digits or None) of a number written the language's way."""
    m = re.fullmatch(r"(\d+(?:[" + re.escape(conv.groups) + r"]\d{3})*)(?:[,.](\d+))?", amount)
    if not m:
        return amount, None
    whole = re.sub(r"\D", "", m.group(1))
    return whole, m.group(2)


_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")
_JOINERS = frozenset(
    {
        "y",
        "e",
        "o",
        "u",
        "ni",
        "ya",
        "a",
        "en",
        "und",
        "oder",
        "bis",
        "sowie",
        "et",
        "ou",
        "à",
        "ed",
        "od",
        "of",
        "og",
        "eller",
        "och",
        "i",
        "lub",
        "albo",
        "ani",
        "и",
        "или",
        "а",
        "tot",
    }
)
"""Words after a number that are not what it counts (``1 y medio``: ``uno``, not ``un``;
``1 und 2``: ``eins``): conjunctions, ``ya``, prepositions of ranges."""


def _noun_follows(m: re.Match[str]) -> bool:
    """A word that is not a conjunction follows the number ``m`` matched. The word is looked
    at, never taken: the number's reading ends at the number (``30 ya`` -> ``30{treinta}
    ya``, not ``[30 y]{treinta y}a``)."""
    after = _NEXT_WORD.match(m.string, m.end())
    return after is not None and after.group(1).casefold() not in _JOINERS


def reading_rules(conv: Conventions, lexicon: Lexicon | None = None) -> tuple[Rule, ...]:
    """The rules for one sentence in the language of ``conv`` (see the module docstring)."""
    number = _number_pattern(conv)
    unit_alt = "|".join(re.escape(u) for u in sorted(conv.units, key=len, reverse=True))

    @reading_rule
    def expand_abbreviations(text: MappedText) -> MappedText:
        """Say the language's common abbreviations in full (``z. B.`` -> ``zum Beispiel``)."""
        for pattern, spoken in conv.abbreviations:
            text = text.sub(pattern, spoken)
        return text

    @reading_rule
    def read_symbols(text: MappedText) -> MappedText:
        """Say symbols in words (``&``, ``±``, ``~20``, ``3 × 4``, ``#3``)."""
        for pattern, spoken in conv.symbols:
            text = text.sub(pattern, spoken)
        return text

    range_re = re.compile(rf"(?<![\d.,-])({number})\s*[\u2013\u2014-]\s*({number})(?![\d-])")
    aside = re.compile(r"\s*(?:\u2014|\u2013|--)\s*|\s+-\s+")

    @reading_rule
    def read_dashes(text: MappedText) -> MappedText:
        """Number ranges in words (``11–16`` -> ``11 bis 16``); a dash between words is a pause."""
        out = text.sub(range_re, rf"\1 {conv.range_word} \2")
        out = out.sub(aside, ", ")
        out = out.sub(r",\s*([.,;:!?])", r"\1")
        return out.sub(r"^,\s*", "")

    scale_alt = "|".join(re.escape(w) for w in sorted(_SCALES, key=len, reverse=True))
    money_re = re.compile(
        rf"(?P<pre>[$\u20ac\u00a3])\s?(?P<a1>{number})(?:\s?(?P<s1>(?i:{scale_alt}))(?!\w))?"
        rf"|(?P<a2>{number})(?:\s(?P<s2>(?i:{scale_alt}))(?!\w))?"
        rf"\s?(?P<post>[$\u20ac\u00a3]|EUR\b|USD\b|GBP\b)"
    )
    scale_of_re = re.compile(
        rf"({number})\s+((?i:{scale_alt}))\s+(?:de|di|d')\s*(?=[$\u20ac\u00a3])"
    )
    codes = {"EUR": "\u20ac", "USD": "$", "GBP": "\u00a3"}

    @reading_rule
    def read_currency(text: MappedText) -> MappedText:
        """Put money in the language's word order (``2,50 €`` -> ``2 Euro 50``)."""

        def _money(m: re.Match[str]) -> str:
            symbol = m.group("pre") or m.group("post")
            symbol = codes.get(symbol, symbol)
            amount = m.group("a1") or m.group("a2")
            scale = m.group("s1") or m.group("s2")
            if scale is not None:
                return conv.money(symbol, amount, None, _SCALES[scale.lower()])
            whole, frac = plain_digits(amount, conv)
            if frac is None or len(frac) > 2:
                return conv.money(symbol, amount, None, None)
            cents = str(int(frac.ljust(2, "0")))
            return conv.money(symbol, whole, cents if cents != "0" else None, None)

        return text.sub(scale_of_re, r"\1 \2 ").sub(money_re, _money)

    @reading_rule
    def read_percentages(text: MappedText) -> MappedText:
        """Say ``30 %`` and ``30%`` as ``30`` plus the language's word for percent."""
        return text.sub(r"(\d)\s?%", rf"\1 {conv.percent}")

    unit_re = re.compile(
        rf"(?<![\w.,])({number})\s?({unit_alt})(?:/({unit_alt}))?(?![\w\u00b2\u00b3])"
    )

    @reading_rule
    def read_units(text: MappedText) -> MappedText:
        """Say units after numbers in full (``16 Hz`` -> ``16 Hertz``; ``km/h``: per hour)."""

        def _unit(m: re.Match[str]) -> str:
            value, unit, per = m.group(1), m.group(2), m.group(3)
            one, many = conv.units[unit]
            whole, frac = plain_digits(value, conv)
            amount = float(f"{whole}.{frac}" if frac else whole)
            singular = amount < 2 if conv.singular_below_two else value == "1"
            spoken = f"{value} {one if singular else many}"
            if per:
                spoken += f" {conv.per} {conv.units[per][0]}"
            return spoken

        return text.sub(unit_re, _unit)

    number_re = re.compile(rf"(?<![\w.,])(-)?({number})(?![\w]|[.,]\d)")

    @reading_rule
    def read_numbers(text: MappedText) -> MappedText:
        """Say numbers in words in the language, with its decimal and thousands separators."""

        def _num(m: re.Match[str]) -> str:
            sign, raw = m.group(1), m.group(2)
            before = m.string[m.start() - 1 : m.start()]
            if sign and before.isalnum():
                return m.group(0)
            whole, frac = plain_digits(raw, conv)
            if conv.year_form and not frac and re.fullmatch(r"1[1-9]\d\d", raw):
                spoken = words(whole, conv, to="year").replace(" ", "")
            else:
                spoken = words(whole, conv)
            if frac:
                if conv.decimal_digits or frac.startswith("0") or len(frac) > 2:
                    tail = " ".join(words(d, conv) for d in frac)
                else:
                    tail = words(frac, conv)
                spoken += f" {conv.point} {tail}"
            elif _noun_follows(m):
                for pattern, replacement in conv.one_before_noun:
                    changed = re.sub(pattern, replacement, spoken)
                    if changed != spoken:
                        spoken = changed
                        break
            return (f"{conv.minus} " if sign else "") + spoken

        return text.sub(number_re, _num)

    rules: list[Rule] = [expand_abbreviations, read_symbols, read_dashes, *conv.extra]
    rules += [read_currency, read_percentages, read_units]
    rules.append(make_initialism_rule(default_lexicon() if lexicon is None else lexicon))
    if conv.ordinals is not None:
        rules.append(conv.ordinals)
    if conv.times is not None:
        rules.append(conv.times)
    rules += [read_numbers, tidy_spacing]
    return tuple(rules)


_SCALES = {
    "tsd.": "thousand",
    "mio.": "million",
    "mio": "million",
    "mrd.": "billion",
    "mrd": "billion",
    "millionen": "million",
    "million": "million",
    "millions": "million",
    "millones": "million",
    "millón": "million",
    "milione": "million",
    "milhão": "million",
    "miliardo": "billion",
    "milioni": "million",
    "milhões": "million",
    "miljoen": "million",
    "milliarden": "billion",
    "milliarde": "billion",
    "milliard": "billion",
    "milliards": "billion",
    "miliardi": "billion",
    "miljard": "billion",
    "mil": "thousand",
    "mille": "thousand",
    "tausend": "thousand",
    "duizend": "thousand",
}


def roman_value(numeral: str) -> int:
    """``XXI`` -> 21 (0 for anything that is not a Roman numeral)."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not numeral or any(ch not in values for ch in numeral):
        return 0
    total = 0
    for i, ch in enumerate(numeral):
        v = values[ch]
        total += -v if i + 1 < len(numeral) and values[numeral[i + 1]] > v else v
    return total


def feminine(ordinal: str) -> str:
    """Romance ordinals in the feminine: ``vigésimo primero`` -> ``vigésima primera``."""
    return " ".join(w[:-1] + "a" if w.endswith("o") else w for w in ordinal.split(" "))


def clock_rule(full: str, hour_only: str, suffix: str = r"Uhr|h|uur") -> Rule:
    """A ``read_times`` rule: ``10:30`` -> ``full`` (``{h} Uhr {m}``), ``7:00`` -> ``hour_only``.

    A written suffix after the time (``10:30 Uhr``) is absorbed; ``10.30 Uhr`` and ``10h30``
    count as times too. The digits are left for ``read_numbers``.
    """
    pattern = re.compile(
        rf"(?<![\d.,:])([01]?\d|2[0-3])(?:(?::|h)([0-5]\d)(?![\d:])(?:\s?(?:{suffix})\b)?"
        rf"|\.([0-5]\d)\s?(?:{suffix})\b)"
    )

    @reading_rule
    def read_times(text: MappedText) -> MappedText:
        """Say clock times the language's way (``10:30`` -> ``10 Uhr 30``)."""

        def _time(m: re.Match[str]) -> str:
            hour, minute = m.group(1), m.group(2) or m.group(3)
            if int(minute) == 0:
                return hour_only.format(h=hour)
            return full.format(h=hour, m=str(int(minute)))

        return text.sub(pattern, _time)

    return read_times
