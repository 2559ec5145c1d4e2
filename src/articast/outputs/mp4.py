"""The video: ``episode.mp4`` (H.264 + AAC, the pictures of every section, karaoke captions)
and ``thumbnail.png``, from the slides and the pictures the pipeline set encoding early."""

from __future__ import annotations

from articast.config import Settings
from articast.errors import RenderError
from articast.models import VideoResult
from articast.outputs.base import BaseOutput, Made, OutputFile, Phase
from articast.publish.page import FILE_LABELS


class Mp4(BaseOutput):
    name = "mp4"
    phase: Phase = "media"
    stage = "video"

    def enabled(self, settings: Settings) -> bool:
        return settings.video.enabled

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        return (
            OutputFile("video", "episode.mp4", FILE_LABELS["video"]),
            OutputFile("thumbnail", "thumbnail.png"),
        )

    def render(self, made: Made) -> VideoResult:
        from articast.video import render_video

        media = made.media
        if media is None or media.slides is None or made.workdir is None:
            raise RenderError("the video needs its slides; this is a bug in articast")
        with made.timed(self.stage):
            return render_video(
                media.slides,
                made.cues,
                media.levelled,
                made.settings.video,
                out_path=made.folder / "episode.mp4",
                workdir=made.workdir,
                cache_root=made.settings.cache_root,
                progress=made.progress,
                pictures=media.pictures,
                audio_background=media.audio_background,
            )


OUTPUT = Mp4()
