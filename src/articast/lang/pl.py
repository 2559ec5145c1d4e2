"""Polski: zwroty, nazwy rozdziałów i etykiety; liczby czyta num2words (wspólne reguły czytania)."""

from __future__ import annotations

from dataclasses import replace

from articast.lang._other import other_language
from articast.lang.base import ChapterNames, Labels, Phrases, word_set

MONTHS = (
    "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
    "września", "października", "listopada", "grudnia",
)  # fmt: skip

LANGUAGE = replace(
    other_language("pl"),
    name="Polski",
    phrases=Phrases(
        welcome="Witamy w {show}.",
        titled="Ten odcinek nosi tytuł „{title}”",
        based="Powstał na podstawie artykułu o tym samym tytule.",
        based_talk_channel=(
            "Powstał na podstawie artykułu o tym samym tytule, który odsyła do wykładu "
            "„{talk}” ({channel})."
        ),
        based_talk=(
            "Powstał na podstawie artykułu o tym samym tytule, który odsyła do wykładu „{talk}”."
        ),
        based_talk_unknown=(
            "Powstał na podstawie artykułu o tym samym tytule, który odsyła do wykładu na YouTube."
        ),
        link_in_notes="Link znajdziesz w opisie odcinka.",
        end="To już koniec tego odcinka.",
        full_talk_channel=(
            "Cały wykład „{talk}” ({channel}) obejrzysz, klikając link w opisie odcinka."
        ),
        full_talk="Cały wykład „{talk}” obejrzysz, klikając link w opisie odcinka.",
        full_talk_unknown=(
            "Cały wykład, do którego odsyła artykuł, obejrzysz, klikając link w opisie odcinka."
        ),
        thanks="Dziękujemy za słuchanie {show}.",
        the_show="naszego podcastu",
        untitled="Bez tytułu",
        code_note="W tym miejscu artykuł pokazuje przykład kodu.",
        table_note="W tym miejscu artykuł pokazuje tabelę.",
        references_note="W tym miejscu artykuł wymienia swoje źródła.",
    ),
    chapters=ChapterNames(
        intro="Wstęp",
        outro_talk="Cały wykład",
        outro="Zakończenie",
        continued="{title} (ciąg dalszy)",
    ),
    labels=Labels(
        watch_talk="Obejrzyj wykład",
        full_episode="Posłuchaj całego odcinka",
        clips="Klipy",
        thanks="Dziękujemy za słuchanie",
        read_article="Przeczytaj artykuł",
        chapters="Rozdziały",
        listen="Słuchaj",
        transcript="Transkrypcja",
        watch="Oglądaj",
        the_talk="Wykład",
        the_article="Artykuł",
        files="Pliki",
        all_episodes="Wszystkie odcinki",
        episodes="Odcinki",
        skip="Przejdź do odtwarzacza",
        follow="Przewijaj transkrypcję razem z dźwiękiem",
        no_transcript="Ten odcinek nie ma transkrypcji.",
        captions="Napisy",
        show_notes="Opis odcinka",
        by="–",
        read_by="{title}, czyta {show}.",
        cover_art="Okładka odcinka „{title}”",
        episode_audio="Dźwięk odcinka: {title}",
        download_audio="Pobierz odcinek (MP3)",
        play_from="Odtwórz od {time}: {title}",
        episode_video="Wideo odcinka: {title}",
        download_video="Pobierz wideo (MP4)",
        talk_thumbnail="Miniatura wykładu „{title}”",
        episode_file="Odcinek",
        video_file="Wideo",
        script_file="Scenariusz",
        feed="Kanał podcastu",
        months=MONTHS,
    ),
    function_words=word_set(
        "i a ale lub albo oraz w we na z ze do od o przy po pod nad za dla przez że który która "
        "które aby żeby jeśli nie się to jak"
    ),
    native=True,
)
