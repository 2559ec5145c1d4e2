"""Svenska: fraser, kapitelnamn och etiketter; talen läses av num2words (gemensamma läsregler)."""

from __future__ import annotations

from dataclasses import replace

from articast.lang._other import other_language
from articast.lang.base import ChapterNames, Labels, Phrases, word_set

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
)  # fmt: skip

LANGUAGE = replace(
    other_language("sv"),
    name="Svenska",
    phrases=Phrases(
        welcome="Välkommen till {show}.",
        titled="Det här avsnittet heter {title}",
        based="Det bygger på artikeln med samma namn.",
        based_talk_channel=(
            'Det bygger på artikeln med samma namn, som länkar till föredraget "{talk}" av '
            "{channel}."
        ),
        based_talk='Det bygger på artikeln med samma namn, som länkar till föredraget "{talk}".',
        based_talk_unknown=(
            "Det bygger på artikeln med samma namn, som länkar till ett föredrag på YouTube."
        ),
        link_in_notes="Länken finns i avsnittsbeskrivningen.",
        end="Därmed är vi i slutet av det här avsnittet.",
        full_talk_channel=(
            'Vill du höra hela föredraget, "{talk}" av {channel}, följ länken i '
            "avsnittsbeskrivningen."
        ),
        full_talk='Vill du höra hela föredraget, "{talk}", följ länken i avsnittsbeskrivningen.',
        full_talk_unknown=(
            "Vill du höra hela föredraget som artikeln hänvisar till, följ länken i "
            "avsnittsbeskrivningen."
        ),
        thanks="Tack för att du lyssnade på {show}.",
        the_show="vår podd",
        untitled="Utan titel",
        code_note="Här visar artikeln ett kodexempel.",
        table_note="Här visar artikeln en tabell.",
        references_note="Här listar artikeln sina källor.",
    ),
    chapters=ChapterNames(
        intro="Inledning",
        outro_talk="Hela föredraget",
        outro="Avslutning",
        continued="{title} (fortsättning)",
    ),
    labels=Labels(
        watch_talk="Se föredraget",
        full_episode="Lyssna på hela avsnittet",
        clips="Klipp",
        thanks="Tack för att du lyssnade",
        read_article="Läs artikeln",
        chapters="Kapitel",
        listen="Lyssna",
        transcript="Transkription",
        watch="Titta",
        the_talk="Föredraget",
        the_article="Artikeln",
        files="Filer",
        all_episodes="Alla avsnitt",
        episodes="Avsnitt",
        skip="Hoppa till spelaren",
        follow="Rulla transkriptionen i takt med ljudet",
        no_transcript="Det finns ingen transkription för det här avsnittet.",
        captions="Undertexter",
        show_notes="Avsnittsbeskrivning",
        by="av",
        read_by="{title}, uppläst av {show}.",
        cover_art="Omslagsbild för {title}",
        episode_audio="Avsnittets ljud: {title}",
        download_audio="Ladda ner avsnittet (MP3)",
        play_from="Spela från {time}: {title}",
        episode_video="Avsnittets video: {title}",
        download_video="Ladda ner videon (MP4)",
        talk_thumbnail="Miniatyrbild för föredraget {title}",
        episode_file="Avsnitt",
        video_file="Video",
        script_file="Manus",
        feed="Poddflöde",
        months=MONTHS,
    ),
    function_words=word_set(
        "och eller men i på av till med för från om under över vid som att den det en ett de "
        "är var har inte så än"
    ),
    native=True,
)
