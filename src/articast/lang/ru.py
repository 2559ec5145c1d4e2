"""Русский: фразы, названия глав и подписи; числа читает num2words (правила чтения общие)."""

from __future__ import annotations

from dataclasses import replace

from articast.lang._other import other_language
from articast.lang.base import ChapterNames, Labels, Phrases, word_set

MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря",
)  # fmt: skip

LANGUAGE = replace(
    other_language("ru"),
    name="Русский",
    phrases=Phrases(
        welcome="Добро пожаловать в {show}.",
        titled="Этот выпуск называется «{title}»",
        based="Он основан на одноимённой статье.",
        based_talk_channel=(
            "Он основан на одноимённой статье, которая ссылается на доклад «{talk}» ({channel})."
        ),
        based_talk="Он основан на одноимённой статье, которая ссылается на доклад «{talk}».",
        based_talk_unknown=(
            "Он основан на одноимённой статье, которая ссылается на доклад на YouTube."
        ),
        link_in_notes="Ссылку вы найдёте в описании выпуска.",
        end="На этом наш выпуск подходит к концу.",
        full_talk_channel=(
            "Чтобы послушать доклад «{talk}» ({channel}) целиком, перейдите по ссылке в "
            "описании выпуска."
        ),
        full_talk="Чтобы послушать доклад «{talk}» целиком, перейдите по ссылке в описании выпуска.",
        full_talk_unknown=(
            "Чтобы послушать целиком доклад, на который ссылается статья, перейдите по ссылке в "
            "описании выпуска."
        ),
        thanks="Спасибо, что слушали {show}.",
        the_show="наш подкаст",
        untitled="Без названия",
        code_note="Здесь в статье приведён пример кода.",
        table_note="Здесь в статье приведена таблица.",
        references_note="Здесь в статье приведён список источников.",
    ),
    chapters=ChapterNames(
        intro="Вступление",
        outro_talk="Доклад целиком",
        outro="Заключение",
        continued="{title} (продолжение)",
    ),
    labels=Labels(
        watch_talk="Смотреть доклад",
        full_episode="Слушайте выпуск целиком",
        clips="Фрагменты",
        thanks="Спасибо, что слушали",
        read_article="Читать статью",
        chapters="Главы",
        listen="Слушать",
        transcript="Расшифровка",
        watch="Смотреть",
        the_talk="Доклад",
        the_article="Статья",
        files="Файлы",
        all_episodes="Все выпуски",
        episodes="Выпуски",
        skip="Перейти к плееру",
        follow="Прокручивать расшифровку вместе со звуком",
        no_transcript="Для этого выпуска нет расшифровки.",
        captions="Субтитры",
        show_notes="Описание выпуска",
        by="—",
        read_by="{title}, читает {show}.",
        cover_art="Обложка выпуска «{title}»",
        episode_audio="Звук выпуска: {title}",
        download_audio="Скачать выпуск (MP3)",
        play_from="Воспроизвести с {time}: {title}",
        episode_video="Видео выпуска: {title}",
        download_video="Скачать видео (MP4)",
        talk_thumbnail="Миниатюра доклада «{title}»",
        episode_file="Выпуск",
        video_file="Видео",
        script_file="Сценарий",
        feed="Лента подкаста",
        months=MONTHS,
        date="{day} {month} {year} г.",
    ),
    function_words=word_set(
        "и а но или в во на с со к ко по о об от до из за для под над при про у что как "
        "который которая которые чтобы если не же ли бы это его её их"
    ),
    native=True,
)
