"""Français : phrases, libellés et règles de lecture (nombres, années, ordinaux, argent, unités)."""

from __future__ import annotations

import re

from articast.lang._reading import Conventions, clock_rule, reading_rules, roman_value, words
from articast.lang.base import ChapterNames, Labels, Language, Phrases, word_set
from articast.text.rules import reading_rule
from articast.textmap import MappedText

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def _u(one: str, many: str | None = None) -> tuple[str, str]:
    return one, many or one + "s"


_UNITS = {
    "mg": _u("milligramme"),
    "\u00b5g": _u("microgramme"),
    "\u03bcg": _u("microgramme"),
    "g": _u("gramme"),
    "kg": _u("kilogramme"),
    "ml": _u("millilitre"),
    "mL": _u("millilitre"),
    "l": _u("litre"),
    "L": _u("litre"),
    "nm": _u("nanomètre"),
    "\u00b5m": _u("micromètre"),
    "mm": _u("millimètre"),
    "cm": _u("centimètre"),
    "m": _u("mètre"),
    "km": _u("kilomètre"),
    "m\u00b2": ("mètre carré", "mètres carrés"),
    "km\u00b2": ("kilomètre carré", "kilomètres carrés"),
    "m\u00b3": ("mètre cube", "mètres cubes"),
    "Hz": _u("hertz", "hertz"),
    "kHz": _u("kilohertz", "kilohertz"),
    "ms": _u("milliseconde"),
    "s": _u("seconde"),
    "min": _u("minute"),
    "h": _u("heure"),
    "kcal": _u("kilocalorie"),
    "Mo": _u("mégaoctet"),
    "Go": _u("gigaoctet"),
    "W": _u("watt"),
    "kW": _u("kilowatt"),
    "kWh": _u("kilowattheure"),
    "V": _u("volt"),
    "dB": _u("décibel"),
    "\u00b0C": ("degré Celsius", "degrés Celsius"),
    "\u00b0F": ("degré Fahrenheit", "degrés Fahrenheit"),
    "\u00b0": _u("degré"),
    "bpm": ("battement par minute", "battements par minute"),
}

_CURRENCY = {
    "\u20ac": ("euro", "euros", "centime", "centimes"),
    "$": ("dollar", "dollars", "cent", "cents"),
    "\u00a3": ("livre", "livres", "penny", "pence"),
}
_SCALE = {"thousand": ("mille", "mille"), "million": ("million", "millions"),
          "billion": ("milliard", "milliards")}  # fmt: skip


def _money(symbol: str, amount: str, cents: str | None, scale: str | None) -> str:
    """``2,50 €`` -> ``2 euros 50``; ``0,50 €`` -> ``50 centimes``; ``3 M€``: ``3 millions d'euros``."""
    one, many, sub_one, sub_many = _CURRENCY[symbol]
    if scale is not None:
        s_one, s_many = _SCALE[scale]
        if scale == "thousand":
            return f"{amount} mille {many}"
        of = "d'" if many[0] in "aeiouy" else "de "
        return f"{amount} {s_one if amount == '1' else s_many} {of}{many}"
    if cents is not None:
        if amount == "0":
            return f"{cents} {sub_one if cents == '1' else sub_many}"
        return f"{amount} {one if amount == '1' else many} {cents}"
    return f"{amount} {one if amount in ('0', '1') else many}"


_ROMAN_ORDINAL = re.compile(
    r"\b([IVXLC]+)(?:e|ème|er)(?=\s+(?:siècle|millénaire|arrondissement|République|Empire))"
)
_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(er|re|ère|e|ème|è)(?![\w])")


@reading_rule
def read_ordinals(text: MappedText) -> MappedText:
    """Ordinaux : ``1er`` -> ``premier``, ``1re`` -> ``première``, ``3e`` -> ``troisième``,
    ``XXIe siècle`` -> ``vingt et unième siècle``."""

    def _roman(m: re.Match[str]) -> str:
        n = roman_value(m.group(1))
        return words(n, CONVENTIONS, to="ordinal") if n else m.group(0)

    def _ord(m: re.Match[str]) -> str:
        n, mark = m.group(1), m.group(2)
        if n == "1":
            return "première" if mark in ("re", "ère") else "premier"
        return words(n, CONVENTIONS, to="ordinal")

    return text.sub(_ROMAN_ORDINAL, _roman).sub(_ORDINAL, _ord)


CONVENTIONS = Conventions(
    num2words="fr",
    point="virgule",
    minus="moins",
    percent="pour cent",
    per="par",
    range_word="à",
    units=_UNITS,
    money=_money,
    abbreviations=(
        (r"(?<!\w)p\.\s?ex\.", "par exemple"),
        (r"(?<!\w)c\.-à-d\.", "c'est-à-dire"),
        (r"(?<!\w)etc\.", "et cetera"),
        (r"(?<!\w)env\.(?=\s)", "environ"),
        (r"(?<!\w)cf\.(?=\s)", "voir"),
        (r"(?<!\w)M\.(?=\s+[A-Z])", "Monsieur"),
        (r"(?<!\w)Mme(?=\s+[A-Z])", "Madame"),
        (r"(?<!\w)Dr(?=\s+[A-Z])", "docteur"),
        (r"(?<!\w)Pr(?=\s+[A-Z])", "professeur"),
        (r"(?<!\w)(?:n°|no|N°)\s?(?=\d)", "numéro "),
        (r"(?<!\w)fig\.(?=\s*\d)", "figure"),
        (r"(?<!\w)av\.\s?J\.-C\.", "avant Jésus-Christ"),
        (r"(?<!\w)apr\.\s?J\.-C\.", "après Jésus-Christ"),
    ),
    symbols=(
        (r"\s*&\s*", " et "),
        (r"\s*\u00b1\s*", " plus ou moins "),
        (r"(?:~|\u2248|\u223c)\s*(?=\d)", "environ "),
        (r"(?<=\d)\s*[\u00d7x]\s*(?=\d)", " fois "),
        (r"\s*(?:\u2192|->)\s*", " vers "),
        (r"(?<![\w&])#(?=\d)", "numéro "),
        (r"\bet/ou\b", "et ou"),
    ),
    groups=" .",
    singular_below_two=True,
    ordinals=read_ordinals,
    extra=(clock_rule("{h} heures {m}", "{h} heures", suffix="h"),),
)

LANGUAGE = Language(
    code="fr",
    name="Français",
    iso639_2="fra",
    phrases=Phrases(
        welcome="Bienvenue dans {show}.",
        titled="Cet épisode s'intitule {title}",
        based="Il s'appuie sur l'article du même nom.",
        based_talk_channel=(
            "Il s'appuie sur l'article du même nom, qui renvoie à la conférence \"{talk}\" "
            "de {channel}."
        ),
        based_talk=(
            "Il s'appuie sur l'article du même nom, qui renvoie à la conférence \"{talk}\"."
        ),
        based_talk_unknown=(
            "Il s'appuie sur l'article du même nom, qui renvoie à une conférence sur YouTube."
        ),
        link_in_notes="Vous trouverez le lien dans les notes de l'épisode.",
        end="Nous voici à la fin de cet épisode.",
        full_talk_channel=(
            'Pour écouter la conférence complète, "{talk}" de {channel}, suivez le lien dans '
            "les notes de l'épisode."
        ),
        full_talk=(
            'Pour écouter la conférence complète, "{talk}", suivez le lien dans les notes de '
            "l'épisode."
        ),
        full_talk_unknown=(
            "Pour écouter la conférence complète dont parle l'article, suivez le lien dans les "
            "notes de l'épisode."
        ),
        thanks="Merci d'avoir écouté {show}.",
        the_show="notre podcast",
        untitled="Sans titre",
        code_note="L'article présente ici un exemple de code.",
        table_note="L'article présente ici un tableau.",
        references_note="L'article donne ici ses références.",
    ),
    chapters=ChapterNames(
        intro="Introduction",
        outro_talk="Voir la conférence complète",
        outro="Conclusion",
        continued="{title} (suite)",
    ),
    labels=Labels(
        watch_talk="Voir la conférence",
        full_episode="Écoutez l'épisode complet",
        clips="Extraits",
        thanks="Merci de votre écoute",
        read_article="Lire l'article",
        chapters="Chapitres",
        listen="Écouter",
        transcript="Transcription",
        watch="Regarder",
        the_talk="La conférence",
        the_article="L'article",
        files="Fichiers",
        all_episodes="Tous les épisodes",
        episodes="Épisodes",
        skip="Aller au lecteur",
        follow="Faire défiler la transcription avec l'audio",
        no_transcript="Aucune transcription n'est disponible pour cet épisode.",
        captions="Sous-titres",
        show_notes="Notes de l'épisode",
        by="de",
        read_by="{title}, lu par {show}.",
        cover_art="Illustration de {title}",
        episode_audio="Audio de l'épisode : {title}",
        download_audio="Télécharger l'épisode (MP3)",
        play_from="Lire à partir de {time} : {title}",
        episode_video="Vidéo de l'épisode : {title}",
        download_video="Télécharger la vidéo (MP4)",
        talk_thumbnail="Miniature de la conférence {title}",
        episode_file="Épisode",
        video_file="Vidéo",
        script_file="Script",
        feed="Flux du podcast",
        months=MONTHS,
    ),
    reading=lambda lexicon: reading_rules(CONVENTIONS, lexicon),
    espeak="fr-fr",
    gtts="fr",
    splitter="fr",
    function_words=word_set(
        "le la les un une des du de d au aux et ou mais en dans sur sous par pour avec sans entre vers chez que qui dont où si car donc son sa ses leur leurs est sont a ont ne pas très pendant"
    ),
)
