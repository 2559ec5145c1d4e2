"""Nederlands: zinnen, labels en leesregels (getallen, jaartallen, rangtelwoorden, geld, eenheden)."""

from __future__ import annotations

import re

from articast.lang._reading import Conventions, clock_rule, reading_rules, words
from articast.lang.base import ChapterNames, Labels, Language, Phrases, word_set
from articast.text.rules import reading_rule
from articast.textmap import MappedText

MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december",
)  # fmt: skip

_UNITS = {
    "mg": ("milligram", "milligram"),
    "\u00b5g": ("microgram", "microgram"),
    "\u03bcg": ("microgram", "microgram"),
    "g": ("gram", "gram"),
    "kg": ("kilogram", "kilogram"),
    "ml": ("milliliter", "milliliter"),
    "mL": ("milliliter", "milliliter"),
    "l": ("liter", "liter"),
    "L": ("liter", "liter"),
    "nm": ("nanometer", "nanometer"),
    "\u00b5m": ("micrometer", "micrometer"),
    "mm": ("millimeter", "millimeter"),
    "cm": ("centimeter", "centimeter"),
    "m": ("meter", "meter"),
    "km": ("kilometer", "kilometer"),
    "m\u00b2": ("vierkante meter", "vierkante meter"),
    "km\u00b2": ("vierkante kilometer", "vierkante kilometer"),
    "m\u00b3": ("kubieke meter", "kubieke meter"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "ms": ("milliseconde", "milliseconden"),
    "s": ("seconde", "seconden"),
    "sec": ("seconde", "seconden"),
    "min": ("minuut", "minuten"),
    "u": ("uur", "uur"),
    "h": ("uur", "uur"),
    "kcal": ("kilocalorie", "kilocalorieën"),
    "MB": ("megabyte", "megabyte"),
    "GB": ("gigabyte", "gigabyte"),
    "W": ("watt", "watt"),
    "kW": ("kilowatt", "kilowatt"),
    "kWh": ("kilowattuur", "kilowattuur"),
    "V": ("volt", "volt"),
    "dB": ("decibel", "decibel"),
    "\u00b0C": ("graad Celsius", "graden Celsius"),
    "\u00b0F": ("graad Fahrenheit", "graden Fahrenheit"),
    "\u00b0": ("graad", "graden"),
    "bpm": ("slag per minuut", "slagen per minuut"),
}

_CURRENCY = {"\u20ac": ("euro", "cent"), "$": ("dollar", "cent"), "\u00a3": ("pond", "pence")}
_SCALE = {"thousand": "duizend", "million": "miljoen", "billion": "miljard"}


def _money(symbol: str, amount: str, cents: str | None, scale: str | None) -> str:
    """``€ 2,50`` -> ``2 euro 50``; ``€ 0,50`` -> ``50 cent``; ``€ 3 miljoen`` -> ``3 miljoen euro``."""
    name, sub = _CURRENCY[symbol]
    if scale is not None:
        return f"{amount} {_SCALE[scale]} {name}"
    if cents is not None:
        return f"{cents} {sub}" if amount == "0" else f"{amount} {name} {cents}"
    return f"{amount} {name}"


_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(ste|de|e)(?![\w])")


@reading_rule
def read_ordinals(text: MappedText) -> MappedText:
    """Rangtelwoorden: ``1e`` -> ``eerste``, ``3de`` -> ``derde``, ``21ste`` -> ``eenentwintigste``."""
    return text.sub(_ORDINAL, lambda m: words(m.group(1), CONVENTIONS, to="ordinal"))


CONVENTIONS = Conventions(
    num2words="nl",
    point="komma",
    minus="min",
    percent="procent",
    per="per",
    range_word="tot",
    units=_UNITS,
    money=_money,
    abbreviations=(
        (r"(?<!\w)bijv\.", "bijvoorbeeld"),
        (r"(?<!\w)bv\.", "bijvoorbeeld"),
        (r"(?<!\w)d\.w\.z\.", "dat wil zeggen"),
        (r"(?<!\w)enz\.", "enzovoort"),
        (r"(?<!\w)etc\.", "et cetera"),
        (r"(?<!\w)ca\.(?=\s)", "circa"),
        (r"(?<!\w)o\.a\.", "onder andere"),
        (r"(?<!\w)dhr\.(?=\s)", "de heer"),
        (r"(?<!\w)mevr\.(?=\s)", "mevrouw"),
        (r"(?<!\w)dr\.(?=\s)", "dokter"),
        (r"(?<!\w)prof\.(?=\s)", "professor"),
        (r"(?<!\w)nr\.(?=\s*\d)", "nummer"),
        (r"(?<!\w)mln\.?(?=\s)", "miljoen"),
        (r"(?<!\w)mld\.?(?=\s)", "miljard"),
    ),
    symbols=(
        (r"\s*&\s*", " en "),
        (r"\s*\u00b1\s*", " plus of min "),
        (r"(?:~|\u2248|\u223c)\s*(?=\d)", "ongeveer "),
        (r"(?<=\d)\s*[\u00d7x]\s*(?=\d)", " keer "),
        (r"\s*(?:\u2192|->)\s*", " naar "),
        (r"(?<![\w&])#(?=\d)", "nummer "),
        (r"\ben/of\b", "en of"),
    ),
    groups=".",
    year_form=True,
    ordinals=read_ordinals,
    times=clock_rule("{h} uur {m}", "{h} uur"),
)

LANGUAGE = Language(
    code="nl",
    name="Nederlands",
    iso639_2="nld",
    phrases=Phrases(
        welcome="Welkom bij {show}.",
        titled="Deze aflevering heet {title}",
        based="Ze is gebaseerd op het gelijknamige artikel.",
        based_talk_channel=(
            'Ze is gebaseerd op het gelijknamige artikel, dat verwijst naar de lezing "{talk}" '
            "van {channel}."
        ),
        based_talk=(
            'Ze is gebaseerd op het gelijknamige artikel, dat verwijst naar de lezing "{talk}".'
        ),
        based_talk_unknown=(
            "Ze is gebaseerd op het gelijknamige artikel, dat verwijst naar een lezing op YouTube."
        ),
        link_in_notes="De link staat in de shownotes.",
        end="Daarmee zijn we aan het einde van deze aflevering.",
        full_talk_channel=(
            'Wil je de hele lezing horen, "{talk}" van {channel}, volg dan de link in de shownotes.'
        ),
        full_talk='Wil je de hele lezing horen, "{talk}", volg dan de link in de shownotes.',
        full_talk_unknown=(
            "Wil je de hele lezing horen waar het artikel naar verwijst, volg dan de link in de "
            "shownotes."
        ),
        thanks="Bedankt voor het luisteren naar {show}.",
        the_show="onze podcast",
        untitled="Zonder titel",
        code_note="Het artikel toont hier een codevoorbeeld.",
        table_note="Het artikel toont hier een tabel.",
        references_note="Het artikel somt hier zijn bronnen op.",
    ),
    chapters=ChapterNames(
        intro="Inleiding",
        outro_talk="De hele lezing",
        outro="Afsluiting",
        continued="{title} (vervolg)",
    ),
    labels=Labels(
        watch_talk="Bekijk de lezing",
        full_episode="Beluister de hele aflevering",
        clips="Fragmenten",
        thanks="Bedankt voor het luisteren",
        read_article="Lees het artikel",
        chapters="Hoofdstukken",
        listen="Luisteren",
        transcript="Transcript",
        watch="Kijken",
        the_talk="De lezing",
        the_article="Het artikel",
        files="Bestanden",
        all_episodes="Alle afleveringen",
        episodes="Afleveringen",
        skip="Naar de speler",
        follow="Het transcript meescrollen met de audio",
        no_transcript="Voor deze aflevering is geen transcript beschikbaar.",
        captions="Ondertitels",
        show_notes="Shownotes",
        by="van",
        read_by="{title}, voorgelezen door {show}.",
        cover_art="Omslagafbeelding van {title}",
        episode_audio="Audio van de aflevering: {title}",
        download_audio="De aflevering downloaden (MP3)",
        play_from="Afspelen vanaf {time}: {title}",
        episode_video="Video van de aflevering: {title}",
        download_video="De video downloaden (MP4)",
        talk_thumbnail="Miniatuur van de lezing {title}",
        episode_file="Aflevering",
        video_file="Video",
        script_file="Script",
        feed="Podcastfeed",
        months=MONTHS,
    ),
    reading=lambda lexicon: reading_rules(CONVENTIONS, lexicon),
    espeak="nl",
    gtts="nl",
    splitter="nl",
    function_words=word_set(
        "de het een van en of maar in op aan bij met voor naar uit om over onder tot door als dat die wie omdat zijn haar is zijn was wordt heeft hebben niet heel te"
    ),
)
