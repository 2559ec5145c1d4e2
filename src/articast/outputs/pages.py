"""Text for people: ``description.txt`` (YouTube, with chapters), ``shownotes.html`` and the
episode page ``index.html`` (player, chapters, transcript, the talk, every output's files)."""

from __future__ import annotations

from articast.config import Settings
from articast.errors import RenderError
from articast.outputs.base import BaseOutput, Made, OutputFile, Phase
from articast.publish.page import FILE_LABELS


class Pages(BaseOutput):
    name = "pages"
    phase: Phase = "publish"
    stage = "publish"

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        return (
            OutputFile("description", "description.txt"),
            OutputFile("shownotes", "shownotes.html", FILE_LABELS["shownotes"]),
            OutputFile("page", "index.html"),
        )

    def render(self, made: Made) -> None:
        from articast.lang import get_language
        from articast.outputs.registry import page_links
        from articast.publish import write_description, write_episode_page

        episode = made.episode
        if episode is None:
            raise RenderError("the pages need the manifest; this is a bug in articast")
        with made.timed(self.stage):
            write_description(made.folder, episode)
            labels = get_language(episode.language or made.settings.show.language or "en").labels
            links = page_links(made.folder, made.settings, labels)
            write_episode_page(made.folder, episode, made.settings.show, links=links)


OUTPUT = Pages()
