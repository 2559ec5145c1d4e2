"""Captions for players and platforms: ``captions.vtt`` (WebVTT, with the language) and
``captions.srt``, the cues the video burns in."""

from __future__ import annotations

from articast.config import Settings
from articast.outputs.base import BaseOutput, Made, OutputFile, Phase
from articast.publish.page import FILE_LABELS


class Captions(BaseOutput):
    name = "captions"
    phase: Phase = "timeline"
    stage = "captions"

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        return (
            OutputFile("captions_vtt", "captions.vtt", FILE_LABELS["captions_vtt"]),
            OutputFile("captions_srt", "captions.srt", FILE_LABELS["captions_srt"]),
        )

    def render(self, made: Made) -> None:
        from articast.captions import write_srt, write_vtt

        language = made.article.language if made.article is not None else None
        with made.timed(self.stage):
            write_srt(made.cues, made.folder / "captions.srt")
            write_vtt(made.cues, made.folder / "captions.vtt", language=language)


OUTPUT = Captions()
