"""Português: frases, rótulos e regras de leitura (números, anos, ordinais, dinheiro, unidades).

Escrito em português europeu, como a voz ``pt`` do espeak-ng.
"""

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
    "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
    "outubro", "novembro", "dezembro",
)  # fmt: skip


def _u(one: str, many: str | None = None) -> tuple[str, str]:
    return one, many or one + "s"


_UNITS = {
    "mg": _u("miligrama"),
    "\u00b5g": _u("micrograma"),
    "\u03bcg": _u("micrograma"),
    "g": _u("grama"),
    "kg": _u("quilograma"),
    "ml": _u("mililitro"),
    "mL": _u("mililitro"),
    "l": _u("litro"),
    "L": _u("litro"),
    "nm": _u("nanómetro"),
    "\u00b5m": _u("micrómetro"),
    "mm": _u("milímetro"),
    "cm": _u("centímetro"),
    "m": _u("metro"),
    "km": _u("quilómetro"),
    "m\u00b2": ("metro quadrado", "metros quadrados"),
    "km\u00b2": ("quilómetro quadrado", "quilómetros quadrados"),
    "m\u00b3": ("metro cúbico", "metros cúbicos"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("quilohertz", "quilohertz"),
    "ms": _u("milissegundo"),
    "s": _u("segundo"),
    "min": _u("minuto"),
    "h": _u("hora"),
    "kcal": _u("quilocaloria"),
    "MB": _u("megabyte"),
    "GB": _u("gigabyte"),
    "W": _u("watt"),
    "kW": _u("quilowatt"),
    "kWh": ("quilowatt-hora", "quilowatts-hora"),
    "V": _u("volt"),
    "dB": ("decibel", "decibéis"),
    "\u00b0C": ("grau Celsius", "graus Celsius"),
    "\u00b0F": ("grau Fahrenheit", "graus Fahrenheit"),
    "\u00b0": _u("grau"),
    "bpm": ("batimento por minuto", "batimentos por minuto"),
}

_CURRENCY = {
    "\u20ac": ("euro", "euros", "cêntimo", "cêntimos"),
    "$": ("dólar", "dólares", "cêntimo", "cêntimos"),
    "\u00a3": ("libra", "libras", "péni", "pence"),
}
_SCALE = {"thousand": ("mil", "mil"), "million": ("milhão", "milhões"),
          "billion": ("mil milhões", "mil milhões")}  # fmt: skip


def _money(symbol: str, amount: str, cents: str | None, scale: str | None) -> str:
    """``2,50 €`` -> ``2 euros e 50 cêntimos``; ``3 milhões de €`` -> ``3 milhões de euros``."""
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
        return f"{amount} {one if amount == '1' else many} e {cents} {sub}"
    return f"{amount} {one if amount == '1' else many}"


_ORDINAL = re.compile(r"(?<![\w.,])(\d+)\.?(º|ª)")
_CENTURY = re.compile(r"\b(século|séculos)\s+([IVXLC]+)\b")


@reading_rule
def read_ordinals(text: MappedText) -> MappedText:
    """Ordinais: ``1.º`` -> ``primeiro``, ``2.ª`` -> ``segunda``;
    séculos em cardinal: ``século XXI`` -> ``século vinte e um``."""

    def _ord(m: re.Match[str]) -> str:
        spoken = words(m.group(1), CONVENTIONS, to="ordinal")
        return feminine(spoken) if m.group(2) == "ª" else spoken

    def _century(m: re.Match[str]) -> str:
        n = roman_value(m.group(2))
        return f"{m.group(1)} {words(n, CONVENTIONS)}" if n else m.group(0)

    return text.sub(_CENTURY, _century).sub(_ORDINAL, _ord)


CONVENTIONS = Conventions(
    num2words="pt",
    point="vírgula",
    minus="menos",
    percent="por cento",
    per="por",
    range_word="a",
    units=_UNITS,
    money=_money,
    abbreviations=(
        (r"(?<!\w)p\.\s?ex\.", "por exemplo"),
        (r"(?<!\w)etc\.", "etcétera"),
        (r"(?<!\w)aprox\.", "aproximadamente"),
        (r"(?<!\w)Sr\.(?=\s)", "senhor"),
        (r"(?<!\w)Sra\.(?=\s)", "senhora"),
        (r"(?<!\w)Dr\.(?=\s)", "doutor"),
        (r"(?<!\w)Dra\.(?=\s)", "doutora"),
        (r"(?<!\w)(?:n\.º|nº)\s?(?=\d)", "número "),
        (r"(?<!\w)fig\.(?=\s*\d)", "figura"),
    ),
    symbols=(
        (r"\s*&\s*", " e "),
        (r"\s*\u00b1\s*", " mais ou menos "),
        (r"(?:~|\u2248|\u223c)\s*(?=\d)", "cerca de "),
        (r"(?<=\d)\s*[\u00d7x]\s*(?=\d)", " vezes "),
        (r"\s*(?:\u2192|->)\s*", " para "),
        (r"(?<![\w&])#(?=\d)", "número "),
        (r"\be/ou\b", "e ou"),
    ),
    groups=". ",
    ordinals=read_ordinals,
    times=clock_rule("{h} e {m}", "{h} horas", suffix="h"),
)

LANGUAGE = Language(
    code="pt",
    name="Português",
    iso639_2="por",
    phrases=Phrases(
        welcome="Bem-vindos ao {show}.",
        titled="O título deste episódio é {title}",
        based="Baseia-se no artigo com o mesmo título.",
        based_talk_channel=(
            'Baseia-se no artigo com o mesmo título, que remete para a palestra "{talk}" de '
            "{channel}."
        ),
        based_talk=('Baseia-se no artigo com o mesmo título, que remete para a palestra "{talk}".'),
        based_talk_unknown=(
            "Baseia-se no artigo com o mesmo título, que remete para uma palestra no YouTube."
        ),
        link_in_notes="Encontram o link nas notas do episódio.",
        end="Chegámos ao fim deste episódio.",
        full_talk_channel=(
            'Para ouvir a palestra completa, "{talk}" de {channel}, sigam o link nas notas do '
            "episódio."
        ),
        full_talk='Para ouvir a palestra completa, "{talk}", sigam o link nas notas do episódio.',
        full_talk_unknown=(
            "Para ouvir a palestra completa para a qual o artigo remete, sigam o link nas notas "
            "do episódio."
        ),
        thanks="Obrigado por ouvirem o {show}.",
        the_show="nosso podcast",
        untitled="Sem título",
        code_note="O artigo mostra aqui um exemplo de código.",
        table_note="O artigo mostra aqui uma tabela.",
        references_note="O artigo lista aqui as suas referências.",
    ),
    chapters=ChapterNames(
        intro="Introdução",
        outro_talk="A palestra completa",
        outro="Despedida",
        continued="{title} (continuação)",
    ),
    labels=Labels(
        watch_talk="Ver a palestra",
        full_episode="Ouça o episódio completo",
        clips="Clipes",
        thanks="Obrigado por ouvirem",
        read_article="Ler o artigo",
        chapters="Capítulos",
        listen="Ouvir",
        transcript="Transcrição",
        watch="Ver",
        the_talk="A palestra",
        the_article="O artigo",
        files="Ficheiros",
        all_episodes="Todos os episódios",
        episodes="Episódios",
        skip="Saltar para o leitor",
        follow="Acompanhar a transcrição com o áudio",
        no_transcript="Não há transcrição disponível para este episódio.",
        captions="Legendas",
        show_notes="Notas do episódio",
        by="de",
        read_by="{title}, lido por {show}.",
        cover_art="Capa de {title}",
        episode_audio="Áudio do episódio: {title}",
        download_audio="Descarregar o episódio (MP3)",
        play_from="Reproduzir a partir de {time}: {title}",
        episode_video="Vídeo do episódio: {title}",
        download_video="Descarregar o vídeo (MP4)",
        talk_thumbnail="Miniatura da palestra {title}",
        episode_file="Episódio",
        video_file="Vídeo",
        script_file="Guião",
        feed="Feed do podcast",
        months=MONTHS,
        date="{day} de {month} de {year}",
    ),
    reading=lambda lexicon: reading_rules(CONVENTIONS, lexicon),
    espeak="pt",
    gtts="pt",
    splitter="es",
    function_words=word_set(
        "o a os as um uma uns umas do da dos das ao aos à às de em no na nos nas com por para sem sobre entre e ou mas que quem se porque seu sua é são tem não muito"
    ),
)
