"""Español: frases, rótulos y reglas de lectura (números, años, ordinales, dinero, unidades)."""

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
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
)  # fmt: skip


def _u(one: str, many: str | None = None) -> tuple[str, str]:
    return one, many or one + "s"


_UNITS = {
    "mg": _u("miligramo"),
    "\u00b5g": _u("microgramo"),
    "\u03bcg": _u("microgramo"),
    "g": _u("gramo"),
    "kg": _u("kilogramo"),
    "ml": _u("mililitro"),
    "mL": _u("mililitro"),
    "l": _u("litro"),
    "L": _u("litro"),
    "nm": _u("nanómetro"),
    "\u00b5m": _u("micrómetro"),
    "mm": _u("milímetro"),
    "cm": _u("centímetro"),
    "m": _u("metro"),
    "km": _u("kilómetro"),
    "m\u00b2": ("metro cuadrado", "metros cuadrados"),
    "km\u00b2": ("kilómetro cuadrado", "kilómetros cuadrados"),
    "m\u00b3": ("metro cúbico", "metros cúbicos"),
    "Hz": _u("hercio"),
    "kHz": _u("kilohercio"),
    "ms": _u("milisegundo"),
    "s": _u("segundo"),
    "min": _u("minuto"),
    "h": _u("hora"),
    "kcal": _u("kilocaloría"),
    "MB": _u("megabyte"),
    "GB": _u("gigabyte"),
    "W": _u("vatio"),
    "kW": _u("kilovatio"),
    "kWh": ("kilovatio hora", "kilovatios hora"),
    "V": _u("voltio"),
    "dB": _u("decibelio"),
    "\u00b0C": ("grado Celsius", "grados Celsius"),
    "\u00b0F": ("grado Fahrenheit", "grados Fahrenheit"),
    "\u00b0": _u("grado"),
    "lpm": ("latido por minuto", "latidos por minuto"),
}

_CURRENCY = {
    "\u20ac": ("euro", "euros", "céntimo", "céntimos"),
    "$": ("dólar", "dólares", "centavo", "centavos"),
    "\u00a3": ("libra", "libras", "penique", "peniques"),
}
_SCALE = {"thousand": ("mil", "mil"), "million": ("millón", "millones"),
          "billion": ("mil millones", "mil millones")}  # fmt: skip


def _money(symbol: str, amount: str, cents: str | None, scale: str | None) -> str:
    """``2,50 €`` -> ``2 euros con 50 céntimos``; ``3 millones de €`` -> ``3 millones de euros``."""
    one, many, sub_one, sub_many = _CURRENCY[symbol]
    if scale is not None:
        s_one, s_many = _SCALE[scale]
        if scale == "thousand":
            return f"{amount} mil {many}"
        return f"{amount} {s_one if amount == '1' else s_many} de {many}"
    if cents is not None:
        sub = sub_one if cents == "1" else sub_many
        if amount == "0":
            return f"{cents} {sub}"
        return f"{amount} {one if amount == '1' else many} con {cents} {sub}"
    return f"{amount} {one if amount == '1' else many}"


_ORDINAL = re.compile(r"(?<![\w.,])(\d+)\.?(º|ª|o\b|a\b|er\b)")
_CENTURY = re.compile(r"\b(siglo|siglos)\s+([IVXLC]+)\b")


@reading_rule
def read_ordinals(text: MappedText) -> MappedText:
    """Ordinales: ``1.º`` -> ``primero``, ``2.ª`` -> ``segunda``, ``3er`` -> ``tercer``;
    siglos en cardinal: ``siglo XXI`` -> ``siglo veintiuno``."""

    def _ord(m: re.Match[str]) -> str:
        n, mark = m.group(1), m.group(2)
        spoken = words(n, CONVENTIONS, to="ordinal")
        if mark in ("ª", "a"):
            return feminine(spoken)
        if mark == "er":
            return re.sub(r"(primer|tercer)o$", r"\1", spoken)
        return spoken

    def _century(m: re.Match[str]) -> str:
        n = roman_value(m.group(2))
        return f"{m.group(1)} {words(n, CONVENTIONS)}" if n else m.group(0)

    return text.sub(_CENTURY, _century).sub(_ORDINAL, _ord)


CONVENTIONS = Conventions(
    num2words="es",
    point="coma",
    minus="menos",
    percent="por ciento",
    per="por",
    range_word="a",
    units=_UNITS,
    money=_money,
    abbreviations=(
        (r"(?<!\w)p\.\s?ej\.", "por ejemplo"),
        (r"(?<!\w)etc\.", "etcétera"),
        (r"(?<!\w)aprox\.", "aproximadamente"),
        (r"(?<!\w)Sr\.(?=\s)", "señor"),
        (r"(?<!\w)Sra\.(?=\s)", "señora"),
        (r"(?<!\w)Dr\.(?=\s)", "doctor"),
        (r"(?<!\w)Dra\.(?=\s)", "doctora"),
        (r"(?<!\w)(?:n\.º|nº|núm\.)\s?(?=\d)", "número "),
        (r"(?<!\w)EE\.\s?UU\.", "Estados Unidos"),
        (r"(?<!\w)fig\.(?=\s*\d)", "figura"),
    ),
    symbols=(
        (r"\s*&\s*", " y "),
        (r"\s*\u00b1\s*", " más o menos "),
        (r"(?:~|\u2248|\u223c)\s*(?=\d)", "unos "),
        (r"(?<=\d)\s*[\u00d7x]\s*(?=\d)", " por "),
        (r"\s*(?:\u2192|->)\s*", " a "),
        (r"(?<![\w&])#(?=\d)", "número "),
        (r"\by/o\b", "y o"),
    ),
    groups=". ",
    one_before_noun=((r"veintiuno$", "veintiún"), (r"uno$", "un")),
    ordinals=read_ordinals,
    times=clock_rule("{h} y {m}", "{h} en punto", suffix="h"),
)

LANGUAGE = Language(
    code="es",
    name="Español",
    iso639_2="spa",
    phrases=Phrases(
        welcome="Bienvenidos a {show}.",
        titled="Este episodio se titula {title}",
        based="Se basa en el artículo del mismo nombre.",
        based_talk_channel=(
            'Se basa en el artículo del mismo nombre, que enlaza con la charla "{talk}" de '
            "{channel}."
        ),
        based_talk='Se basa en el artículo del mismo nombre, que enlaza con la charla "{talk}".',
        based_talk_unknown=(
            "Se basa en el artículo del mismo nombre, que enlaza con una charla en YouTube."
        ),
        link_in_notes="Encontrarás el enlace en las notas del episodio.",
        end="Con esto llegamos al final del episodio.",
        full_talk_channel=(
            'Para escuchar la charla completa, "{talk}" de {channel}, sigue el enlace de las '
            "notas del episodio."
        ),
        full_talk=(
            'Para escuchar la charla completa, "{talk}", sigue el enlace de las notas del episodio.'
        ),
        full_talk_unknown=(
            "Para escuchar la charla completa de la que habla el artículo, sigue el enlace de "
            "las notas del episodio."
        ),
        thanks="Gracias por escuchar {show}.",
        the_show="nuestro pódcast",
        untitled="Sin título",
        code_note="El artículo muestra aquí un ejemplo de código.",
        table_note="El artículo muestra aquí una tabla.",
        references_note="El artículo enumera aquí sus referencias.",
    ),
    chapters=ChapterNames(
        intro="Introducción",
        outro_talk="La charla completa",
        outro="Despedida",
        continued="{title} (continuación)",
    ),
    labels=Labels(
        watch_talk="Ver la charla",
        full_episode="Escucha el episodio completo",
        clips="Clips",
        thanks="Gracias por escuchar",
        read_article="Leer el artículo",
        chapters="Capítulos",
        listen="Escuchar",
        transcript="Transcripción",
        watch="Ver",
        the_talk="La charla",
        the_article="El artículo",
        files="Archivos",
        all_episodes="Todos los episodios",
        episodes="Episodios",
        skip="Ir al reproductor",
        follow="Desplazar la transcripción al ritmo del audio",
        no_transcript="No hay transcripción disponible para este episodio.",
        captions="Subtítulos",
        show_notes="Notas del episodio",
        by="de",
        read_by="{title}, leído por {show}.",
        cover_art="Portada de {title}",
        episode_audio="Audio del episodio: {title}",
        download_audio="Descargar el episodio (MP3)",
        play_from="Reproducir desde {time}: {title}",
        episode_video="Vídeo del episodio: {title}",
        download_video="Descargar el vídeo (MP4)",
        talk_thumbnail="Miniatura de la charla {title}",
        episode_file="Episodio",
        video_file="Vídeo",
        script_file="Guion",
        feed="Feed del pódcast",
        months=MONTHS,
        date="{day} de {month} de {year}",
    ),
    reading=lambda lexicon: reading_rules(CONVENTIONS, lexicon),
    espeak="es",
    gtts="es",
    splitter="es",
    function_words=word_set(
        "el la los las un una unos unas del al de y o pero en con por para sin sobre entre hacia desde que quien cuyo si porque su sus es son ha han no muy"
    ),
)
