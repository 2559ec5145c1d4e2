"""Italiano: frasi, etichette e regole di lettura (numeri, anni, ordinali, denaro, unità)."""

from __future__ import annotations

import re

from articast.lang._reading import (
    Conventions,
    clock_rule,
    feminine,
    reading_rules,
    roman_value,
    words,
)
from articast.lang.base import ChapterNames, Labels, Language, Phrases, word_set
from articast.text.rules import reading_rule
from articast.textmap import MappedText

MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
    "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip


def _u(one: str, many: str | None = None) -> tuple[str, str]:
    return one, many if many is not None else one[:-1] + "i"


_UNITS = {
    "mg": _u("milligrammo"),
    "\u00b5g": _u("microgrammo"),
    "\u03bcg": _u("microgrammo"),
    "g": _u("grammo"),
    "kg": _u("chilogrammo"),
    "ml": _u("millilitro"),
    "mL": _u("millilitro"),
    "l": _u("litro"),
    "L": _u("litro"),
    "nm": _u("nanometro"),
    "\u00b5m": _u("micrometro"),
    "mm": _u("millimetro"),
    "cm": _u("centimetro"),
    "m": _u("metro"),
    "km": _u("chilometro"),
    "m\u00b2": ("metro quadrato", "metri quadrati"),
    "km\u00b2": ("chilometro quadrato", "chilometri quadrati"),
    "m\u00b3": ("metro cubo", "metri cubi"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "ms": _u("millisecondo"),
    "s": _u("secondo"),
    "min": _u("minuto"),
    "h": ("ora", "ore"),
    "kcal": ("chilocaloria", "chilocalorie"),
    "MB": ("megabyte", "megabyte"),
    "GB": ("gigabyte", "gigabyte"),
    "W": ("watt", "watt"),
    "kW": ("chilowatt", "chilowatt"),
    "kWh": ("chilowattora", "chilowattora"),
    "V": ("volt", "volt"),
    "dB": ("decibel", "decibel"),
    "\u00b0C": ("grado Celsius", "gradi Celsius"),
    "\u00b0F": ("grado Fahrenheit", "gradi Fahrenheit"),
    "\u00b0": ("grado", "gradi"),
    "bpm": ("battito al minuto", "battiti al minuto"),
}

_CURRENCY = {
    "\u20ac": ("euro", "euro", "centesimo", "centesimi"),
    "$": ("dollaro", "dollari", "centesimo", "centesimi"),
    "\u00a3": ("sterlina", "sterline", "penny", "pence"),
}
_SCALE = {"thousand": ("mille", "mila"), "million": ("milione", "milioni"),
          "billion": ("miliardo", "miliardi")}  # fmt: skip


def _money(symbol: str, amount: str, cents: str | None, scale: str | None) -> str:
    """``2,50 €`` -> ``2 euro e 50 centesimi``; ``3 milioni di €`` -> ``3 milioni di euro``."""
    one, many, sub_one, sub_many = _CURRENCY[symbol]
    if scale is not None:
        s_one, s_many = _SCALE[scale]
        if scale == "thousand":
            return f"{amount} {s_one if amount == '1' else s_many} {many}"
        return f"{amount} {s_one if amount == '1' else s_many} di {many}"
    if cents is not None:
        sub = sub_one if cents == "1" else sub_many
        if amount == "0":
            return f"{cents} {sub}"
        return f"{amount} {one if amount == '1' else many} e {cents} {sub}"
    return f"{amount} {one if amount == '1' else many}"


_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(º|ª|°(?=\s+[^\W\d_]))")
_CENTURY = re.compile(r"\b([IVXLC]+)\s+(secolo|secoli|millennio)\b")


@reading_rule
def read_ordinals(text: MappedText) -> MappedText:
    """Ordinali: ``1º`` -> ``primo``, ``2ª`` -> ``seconda``, ``XXI secolo`` -> ``ventunesimo secolo``."""

    def _ord(m: re.Match[str]) -> str:
        spoken = words(m.group(1), CONVENTIONS, to="ordinal")
        return feminine(spoken) if m.group(2) == "ª" else spoken

    def _century(m: re.Match[str]) -> str:
        n = roman_value(m.group(1))
        return f"{words(n, CONVENTIONS, to='ordinal')} {m.group(2)}" if n else m.group(0)

    return text.sub(_CENTURY, _century).sub(_ORDINAL, _ord)


CONVENTIONS = Conventions(
    num2words="it",
    point="virgola",
    minus="meno",
    percent="per cento",
    per="per",
    range_word="a",
    units=_UNITS,
    money=_money,
    abbreviations=(
        (r"(?<!\w)ad\s?es\.", "ad esempio"),
        (r"(?<!\w)ecc\.", "eccetera"),
        (r"(?<!\w)etc\.", "eccetera"),
        (r"(?<!\w)ca\.(?=\s)", "circa"),
        (r"(?<!\w)Dott\.(?=\s)", "dottor"),
        (r"(?<!\w)Dott\.ssa(?=\s)", "dottoressa"),
        (r"(?<!\w)Prof\.(?=\s)", "professor"),
        (r"(?<!\w)Sig\.(?=\s)", "signor"),
        (r"(?<!\w)Sig\.ra(?=\s)", "signora"),
        (r"(?<!\w)(?:n\.|nr\.)\s?(?=\d)", "numero "),
        (r"(?<!\w)fig\.(?=\s*\d)", "figura"),
        (r"(?<!\w)a\.\s?C\.", "avanti Cristo"),
        (r"(?<!\w)d\.\s?C\.", "dopo Cristo"),
    ),
    symbols=(
        (r"\s*&\s*", " e "),
        (r"\s*\u00b1\s*", " più o meno "),
        (r"(?:~|\u2248|\u223c)\s*(?=\d)", "circa "),
        (r"(?<=\d)\s*[\u00d7x]\s*(?=\d)", " per "),
        (r"\s*(?:\u2192|->)\s*", " a "),
        (r"(?<![\w&])#(?=\d)", "numero "),
        (r"\be/o\b", "e o"),
    ),
    groups=".",
    one_before_noun=((r"^uno$", "un"),),
    ordinals=read_ordinals,
    times=clock_rule("{h} e {m}", "{h}", suffix="h"),
)

LANGUAGE = Language(
    code="it",
    name="Italiano",
    iso639_2="ita",
    phrases=Phrases(
        welcome="Benvenuti, questo è {show}.",
        titled="Questo episodio si intitola {title}",
        based="È tratto dall'articolo con lo stesso titolo.",
        based_talk_channel=(
            "È tratto dall'articolo con lo stesso titolo, che rimanda alla conferenza "
            '"{talk}" di {channel}.'
        ),
        based_talk=(
            'È tratto dall\'articolo con lo stesso titolo, che rimanda alla conferenza "{talk}".'
        ),
        based_talk_unknown=(
            "È tratto dall'articolo con lo stesso titolo, che rimanda a una conferenza su YouTube."
        ),
        link_in_notes="Trovate il link nelle note dell'episodio.",
        end="Siamo arrivati alla fine di questo episodio.",
        full_talk_channel=(
            'Per ascoltare la conferenza completa, "{talk}" di {channel}, seguite il link '
            "nelle note dell'episodio."
        ),
        full_talk=(
            'Per ascoltare la conferenza completa, "{talk}", seguite il link nelle note '
            "dell'episodio."
        ),
        full_talk_unknown=(
            "Per ascoltare la conferenza completa a cui rimanda l'articolo, seguite il link "
            "nelle note dell'episodio."
        ),
        thanks="Grazie per aver ascoltato {show}.",
        the_show="il nostro podcast",
        untitled="Senza titolo",
        code_note="Qui l'articolo mostra un esempio di codice.",
        table_note="Qui l'articolo mostra una tabella.",
        references_note="Qui l'articolo elenca i suoi riferimenti.",
    ),
    chapters=ChapterNames(
        intro="Introduzione",
        outro_talk="La conferenza completa",
        outro="Conclusione",
        continued="{title} (continua)",
    ),
    labels=Labels(
        watch_talk="Guarda la conferenza",
        full_episode="Ascolta l'episodio completo",
        clips="Clip",
        thanks="Grazie per l'ascolto",
        read_article="Leggi l'articolo",
        chapters="Capitoli",
        listen="Ascolta",
        transcript="Trascrizione",
        watch="Guarda",
        the_talk="La conferenza",
        the_article="L'articolo",
        files="File",
        all_episodes="Tutti gli episodi",
        episodes="Episodi",
        skip="Vai al lettore",
        follow="Scorri la trascrizione insieme all'audio",
        no_transcript="Per questo episodio non è disponibile una trascrizione.",
        captions="Sottotitoli",
        show_notes="Note dell'episodio",
        by="di",
        read_by="{title}, letto da {show}.",
        cover_art="Copertina di {title}",
        episode_audio="Audio dell'episodio: {title}",
        download_audio="Scarica l'episodio (MP3)",
        play_from="Riproduci da {time}: {title}",
        episode_video="Video dell'episodio: {title}",
        download_video="Scarica il video (MP4)",
        talk_thumbnail="Anteprima della conferenza {title}",
        episode_file="Episodio",
        video_file="Video",
        script_file="Copione",
        feed="Feed del podcast",
        months=MONTHS,
    ),
    reading=lambda lexicon: reading_rules(CONVENTIONS, lexicon),
    espeak="it",
    gtts="it",
    splitter="it",
    function_words=word_set(
        "il lo la i gli le un uno una del della dei degli delle al alla ai agli alle di a da in con su per tra fra e o ma che chi se perché suo sua suoi è sono ha hanno non molto"
    ),
)
