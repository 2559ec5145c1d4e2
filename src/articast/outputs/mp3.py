"""The podcast: ``episode.mp3`` (loudness-normalised, tagged, with chapters and cover) and
``chapters.json``, encoded by the audio stage's job while the video renders."""

from __future__ import annotations

from articast.config import Settings
from articast.errors import RenderError
from articast.models import Master
from articast.outputs.base import BaseOutput, Made, OutputFile, Phase
from articast.publish.page import FILE_LABELS


class Mp3(BaseOutput):
    name = "mp3"
    phase: Phase = "media"
    stage = "encode"
    background = True

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        return (
            OutputFile("audio", "episode.mp3", FILE_LABELS["audio"]),
            OutputFile("chapters", "chapters.json", FILE_LABELS["chapters"]),
        )

    def render(self, made: Made) -> Master:
        if made.media is None:
            raise RenderError("the MP3 needs the levelled master; this is a bug in articast")
        sound = made.media.sound
        if sound.cached:  # nothing to encode: no "encode" stage
            return sound.result()
        with made.timed(self.stage):
            return sound.result(background=made.media.audio_background)


OUTPUT = Mp3()
