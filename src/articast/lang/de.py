"""Deutsch: Sätze, Beschriftungen und Leseregeln (Zahlen, Jahre, Ordinalzahlen, Geld, Einheiten)."""

from __future__ import annotations

import re

from articast.lang._reading import Conventions, clock_rule, reading_rules, words
from articast.lang.base import ChapterNames, Labels, Language, Phrases, word_set
from articast.text.rules import reading_rule
from articast.textmap import MappedText

MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip

_UNITS = {
    "mg": ("Milligramm", "Milligramm"),
    "\u00b5g": ("Mikrogramm", "Mikrogramm"),
    "\u03bcg": ("Mikrogramm", "Mikrogramm"),
    "g": ("Gramm", "Gramm"),
    "kg": ("Kilogramm", "Kilogramm"),
    "ml": ("Milliliter", "Milliliter"),
    "l": ("Liter", "Liter"),
    "L": ("Liter", "Liter"),
    "nm": ("Nanometer", "Nanometer"),
    "\u00b5m": ("Mikrometer", "Mikrometer"),
    "mm": ("Millimeter", "Millimeter"),
    "cm": ("Zentimeter", "Zentimeter"),
    "m": ("Meter", "Meter"),
    "km": ("Kilometer", "Kilometer"),
    "m\u00b2": ("Quadratmeter", "Quadratmeter"),
    "km\u00b2": ("Quadratkilometer", "Quadratkilometer"),
    "m\u00b3": ("Kubikmeter", "Kubikmeter"),
    "Hz": ("Hertz", "Hertz"),
    "kHz": ("Kilohertz", "Kilohertz"),
    "ms": ("Millisekunde", "Millisekunden"),
    "s": ("Sekunde", "Sekunden"),
    "Sek.": ("Sekunde", "Sekunden"),
    "min": ("Minute", "Minuten"),
    "Min.": ("Minute", "Minuten"),
    "h": ("Stunde", "Stunden"),
    "Std.": ("Stunde", "Stunden"),
    "kcal": ("Kilokalorie", "Kilokalorien"),
    "MB": ("Megabyte", "Megabyte"),
    "GB": ("Gigabyte", "Gigabyte"),
    "W": ("Watt", "Watt"),
    "kW": ("Kilowatt", "Kilowatt"),
    "kWh": ("Kilowattstunde", "Kilowattstunden"),
    "V": ("Volt", "Volt"),
    "dB": ("Dezibel", "Dezibel"),
    "\u00b0C": ("Grad Celsius", "Grad Celsius"),
    "\u00b0F": ("Grad Fahrenheit", "Grad Fahrenheit"),
    "\u00b0": ("Grad", "Grad"),
    "bpm": ("Schlag pro Minute", "Schläge pro Minute"),
}

_CURRENCY = {"\u20ac": ("Euro", "Cent"), "$": ("Dollar", "Cent"), "\u00a3": ("Pfund", "Pence")}
_SCALE = {"thousand": ("tausend", "tausend"), "million": ("Million", "Millionen"),
          "billion": ("Milliarde", "Milliarden")}  # fmt: skip


def _money(symbol: str, amount: str, cents: str | None, scale: str | None) -> str:
    """``2,50 €`` -> ``2 Euro 50``; ``0,50 €`` -> ``50 Cent``; ``2,5 Mio. €`` -> ``2,5 Millionen Euro``."""
    name, sub = _CURRENCY[symbol]
    if scale is not None:
        one, many = _SCALE[scale]
        return f"{amount} {one if amount == '1' else many} {name}"
    if cents is not None:
        return f"{cents} {sub}" if amount == "0" else f"{amount} {name} {cents}"
    return f"{amount} {name}"


_DATIVE = r"am|im|vom|zum|beim|zur|dem|den|des|einem|einen|eines|ab|seit|bis"
_ORDINAL_NOUNS = (
    "|".join(MONTHS)
    + "|Jänner|Jahrhundert|Jahrhunderts|Jahrtausend|Jahrestag|Geburtstag|Platz|Stock|Klasse"
    + "|Auflage|Mal|Woche|Tag|Monat|Quartal|Kapitel|Runde|Sinfonie|Symphonie|Etage|Liga"
)
_ORDINAL = re.compile(
    rf"(?<![\w.,])(?:(?P<art>(?i:{_DATIVE}|der|die|das|ein|eine))\s+)?(?P<n>\d{{1,3}})\."
    rf"(?=\s+(?:[a-zäöüß]|(?:{_ORDINAL_NOUNS})\b))"
)


@reading_rule
def read_ordinals(text: MappedText) -> MappedText:
    """Ordinalzahlen mit Punkt: ``am 3. Mai`` -> ``am dritten Mai``, ``der 2. Platz`` -> ``der zweite Platz``.

    Nach ``am``, ``im``, ``vom``, ``zum``, ``dem``... die schwache Form auf ``-ten``; ein Punkt
    am Satzende bleibt ein Satzende.
    """

    def _ord(m: re.Match[str]) -> str:
        art = m.group("art")
        spoken = words(m.group("n"), CONVENTIONS, to="ordinal")
        if art and art.lower() in _DATIVE.split("|"):
            spoken += "n"
        return f"{art} {spoken}" if art else spoken

    return text.sub(_ORDINAL, _ord)


_DECADE = re.compile(r"(?<![\w])'?(\d{2}|1[1-9]\d0|20[0-9]0)er(?=\b|-)")


@reading_rule
def read_decades(text: MappedText) -> MappedText:
    """Jahrzehnte: ``1990er`` -> ``neunzehnhundertneunziger``, ``20er-Jahre`` -> ``zwanziger-Jahre``."""

    def _decade(m: re.Match[str]) -> str:
        digits = m.group(1)
        if len(digits) == 4 and digits.startswith("1"):
            return words(digits, CONVENTIONS, to="year") + "er"
        return words(digits, CONVENTIONS) + "er"

    return text.sub(_DECADE, _decade)


CONVENTIONS = Conventions(
    num2words="de",
    point="Komma",
    minus="minus",
    percent="Prozent",
    per="pro",
    range_word="bis",
    units=_UNITS,
    money=_money,
    abbreviations=(
        (r"(?<!\w)z\.\s?B\.", "zum Beispiel"),
        (r"(?<!\w)d\.\s?h\.", "das heißt"),
        (r"(?<!\w)u\.\s?a\.", "unter anderem"),
        (r"(?<!\w)u\.\s?U\.", "unter Umständen"),
        (r"(?<!\w)usw\.", "und so weiter"),
        (r"(?<!\w)bzw\.", "beziehungsweise"),
        (r"(?<!\w)ca\.", "circa"),
        (r"(?<!\w)vgl\.", "vergleiche"),
        (r"(?<!\w)evtl\.", "eventuell"),
        (r"(?<!\w)etc\.", "et cetera"),
        (r"(?<!\w)Dr\.(?=\s)", "Doktor"),
        (r"(?<!\w)Prof\.(?=\s)", "Professor"),
        (r"(?<!\w)Nr\.(?=\s*\d)", "Nummer"),
        (r"(?<!\w)Abb\.(?=\s*\d)", "Abbildung"),
        (r"(?<!\w)Mio\.", "Millionen"),
        (r"(?<!\w)Mrd\.", "Milliarden"),
    ),
    symbols=(
        (r"\s*&\s*", " und "),
        (r"\s*\u00b1\s*", " plus minus "),
        (r"(?:~|\u2248|\u223c)\s*(?=\d)", "etwa "),
        (r"(?<=\d)\s*[\u00d7x]\s*(?=\d)", " mal "),
        (r"\s*(?:\u2192|->)\s*", " zu "),
        (r"(?<![\w&])#(?=\d)", "Nummer "),
        (r"\u00a7\s*(?=\d)", "Paragraf "),
        (r"\bund/oder\b", "und oder"),
    ),
    groups=".",
    decimal_digits=True,
    year_form=True,
    one_before_noun=((r"eins$", "ein"),),
    ordinals=read_ordinals,
    times=clock_rule("{h} Uhr {m}", "{h} Uhr"),
    extra=(read_decades,),
)

LANGUAGE = Language(
    code="de",
    name="Deutsch",
    iso639_2="deu",
    phrases=Phrases(
        welcome="Willkommen bei {show}.",
        titled="Diese Folge heißt {title}",
        based="Sie beruht auf dem gleichnamigen Artikel.",
        based_talk_channel=(
            'Sie beruht auf dem gleichnamigen Artikel, der auf den Vortrag "{talk}" von '
            "{channel} verweist."
        ),
        based_talk='Sie beruht auf dem gleichnamigen Artikel, der auf den Vortrag "{talk}" verweist.',
        based_talk_unknown=(
            "Sie beruht auf dem gleichnamigen Artikel, der auf einen Vortrag auf YouTube verweist."
        ),
        link_in_notes="Den Link finden Sie in den Shownotes.",
        end="Damit sind wir am Ende dieser Folge.",
        full_talk_channel=(
            'Den ganzen Vortrag, "{talk}" von {channel}, finden Sie über den Link in den Shownotes.'
        ),
        full_talk='Den ganzen Vortrag, "{talk}", finden Sie über den Link in den Shownotes.',
        full_talk_unknown=(
            "Den ganzen Vortrag, auf den der Artikel verweist, finden Sie über den Link in den "
            "Shownotes."
        ),
        thanks="Danke fürs Zuhören bei {show}.",
        the_show="unserem Podcast",
        untitled="Ohne Titel",
        code_note="Der Artikel zeigt hier ein Codebeispiel.",
        table_note="Der Artikel zeigt hier eine Tabelle.",
        references_note="Der Artikel nennt hier seine Quellen.",
    ),
    chapters=ChapterNames(
        intro="Einleitung",
        outro_talk="Zum ganzen Vortrag",
        outro="Abschluss",
        continued="{title} (Fortsetzung)",
    ),
    labels=Labels(
        watch_talk="Den Vortrag ansehen",
        full_episode="Die ganze Folge hören",
        clips="Clips",
        thanks="Danke fürs Zuhören",
        read_article="Den Artikel lesen",
        chapters="Kapitel",
        listen="Anhören",
        transcript="Transkript",
        watch="Ansehen",
        the_talk="Der Vortrag",
        the_article="Der Artikel",
        files="Dateien",
        all_episodes="Alle Folgen",
        episodes="Folgen",
        skip="Zum Player springen",
        follow="Das Transkript beim Abspielen mitlaufen lassen",
        no_transcript="Für diese Folge gibt es kein Transkript.",
        captions="Untertitel",
        show_notes="Shownotes",
        by="von",
        read_by="{title}, gelesen von {show}.",
        cover_art="Titelbild von {title}",
        episode_audio="Audio der Folge: {title}",
        download_audio="Die Folge herunterladen (MP3)",
        play_from="Ab {time} abspielen: {title}",
        episode_video="Video der Folge: {title}",
        download_video="Das Video herunterladen (MP4)",
        talk_thumbnail="Vorschaubild des Vortrags {title}",
        episode_file="Folge",
        video_file="Video",
        script_file="Skript",
        feed="Podcast-Feed",
        months=MONTHS,
        date="{day}. {month} {year}",
    ),
    reading=lambda lexicon: reading_rules(CONVENTIONS, lexicon),
    espeak="de",
    gtts="de",
    splitter="de",
    function_words=word_set(
        "der die das den dem des ein eine einen einem eines und oder aber in im an am auf aus bei mit nach von vom zu zum zur für über unter vor durch gegen ohne um als wie dass weil wenn ob sein seine ihre ist sind war wird werden hat haben nicht sehr"
    ),
)
