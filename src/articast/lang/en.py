"""English: the phrases and reading rules articast was first written in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from articast.lang.base import ChapterNames, Labels, Language, Phrases

if TYPE_CHECKING:
    from articast.text.lexicon import Lexicon
    from articast.text.rules import Rule


def _reading(lexicon: Lexicon | None) -> tuple[Rule, ...]:
    """English keeps its rules in ``narrate.rules`` (imported here: narrate imports ``lang``)."""
    from articast.text.rules import reading_rules

    return reading_rules(lexicon)


MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

LANGUAGE = Language(
    code="en",
    name="English",
    iso639_2="eng",
    phrases=Phrases(
        welcome="Welcome to {show}.",
        titled="This episode is titled {title}",
        based="It is based on the article of the same name.",
        based_talk_channel=(
            'It is based on the article of the same name, which links to the talk "{talk}" '
            "by {channel}."
        ),
        based_talk='It is based on the article of the same name, which links to the talk "{talk}".',
        based_talk_unknown=(
            "It is based on the article of the same name, which links to a talk on YouTube."
        ),
        link_in_notes="You will find the link in the show notes.",
        end="That brings us to the end of this episode.",
        full_talk_channel=(
            'To hear the full talk, "{talk}" by {channel}, follow the link in the show notes.'
        ),
        full_talk='To hear the full talk, "{talk}", follow the link in the show notes.',
        full_talk_unknown=(
            "To hear the full talk the article points to, follow the link in the show notes."
        ),
        thanks="Thanks for listening to {show}.",
        the_show="the show",
        untitled="Untitled",
        code_note="The article shows a code example here.",
        table_note="The article shows a table here.",
        references_note="The article lists its references here.",
    ),
    chapters=ChapterNames(
        intro="Introduction",
        outro_talk="Watch the full talk",
        outro="Closing",
        continued="{title} (continued)",
    ),
    labels=Labels(
        watch_talk="Watch the talk",
        full_episode="Hear the whole episode",
        clips="Clips",
        thanks="Thanks for listening",
        read_article="Read the article",
        chapters="Chapters",
        listen="Listen",
        transcript="Transcript",
        watch="Watch",
        the_talk="The talk",
        the_article="The article",
        files="Files",
        all_episodes="All episodes",
        episodes="Episodes",
        skip="Skip to the player",
        follow="Scroll the transcript along with the audio",
        no_transcript="No transcript is available for this episode.",
        captions="Captions",
        show_notes="Show notes",
        by="by",
        read_by="{title}, read by {show}.",
        cover_art="Cover art of {title}",
        episode_audio="Episode audio: {title}",
        download_audio="Download the episode (MP3)",
        play_from="Play from {time}: {title}",
        episode_video="Episode video: {title}",
        download_video="Download the video (MP4)",
        talk_thumbnail="Thumbnail of the talk {title}",
        episode_file="Episode",
        video_file="Video",
        script_file="Script",
        feed="Podcast feed",
        months=MONTHS,
    ),
    reading=_reading,
    espeak="en-us",
    gtts="en",
    splitter="en",
)
