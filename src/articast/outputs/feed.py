"""The show: ``feed.xml`` (RSS with iTunes and Podcasting 2.0 tags) and the show's
``index.html`` beside the episode folders, rebuilt from every published episode."""

from __future__ import annotations

from pathlib import Path

from articast.outputs.base import BaseOutput, Made, Phase


class Feed(BaseOutput):
    name = "feed"
    phase: Phase = "show"
    stage = "publish"

    def render(self, made: Made) -> Path:
        from articast.publish import update_feed

        with made.timed(self.stage):
            return update_feed(made.settings.out_dir, made.settings.show, warnings_out=made.notes)


OUTPUT = Feed()
