"""The show: ``feed.xml`` (RSS with iTunes and Podcasting 2.0 tags) and the show's
``index.html`` beside the episode folders, rebuilt from every published episode."""

from __future__ import annotations

from pathlib import Path

from articast.config import Settings
from articast.outputs.base import Made, OutputFile, Phase


class Feed:
    name = "feed"
    phase: Phase = "show"
    stage = "publish"
    background = False
    options = None

    def enabled(self, settings: Settings) -> bool:
        return True

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        return ()  # beside the episodes, not in one

    def render(self, made: Made) -> Path:
        from articast.publish import update_feed

        with made.timed(self.stage):
            return update_feed(made.settings.out_dir, made.settings.show, warnings_out=made.notes)


OUTPUT = Feed()
