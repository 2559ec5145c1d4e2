"""A plain-text transcript: ``transcript.txt``, the words as the author wrote them, under each
chapter's title and start time. Off unless the config file asks for it::

    [outputs.transcript]
    enabled = true
    timestamps = true   # each chapter's start, [mm:ss]

This module and its line in ``registry.MODULES`` are all an output needs: the manifest lists
the file under ``files.extra``, the episode page links it (its English label, or the page
language's ``Labels.outputs["transcript"]``), and the table above is checked before a build.
"""

from __future__ import annotations

from dataclasses import dataclass

from articast.cache import atomic_write_text
from articast.config import Checked, Settings, setting
from articast.errors import RenderError
from articast.outputs.base import BaseOutput, Made, OutputFile, Phase


@dataclass(frozen=True)
class TranscriptOptions(Checked):
    SECTION = "outputs.transcript"
    enabled: bool = setting(False)
    timestamps: bool = setting(True)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


class Transcript(BaseOutput):
    name = "transcript"
    phase: Phase = "publish"
    stage = "publish"
    options = TranscriptOptions

    def enabled(self, settings: Settings) -> bool:
        from articast.outputs.registry import options

        opts: TranscriptOptions = options(self, settings)
        return opts.enabled

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        return (OutputFile("transcript", "transcript.txt", "Transcript (text)"),)

    def render(self, made: Made) -> None:
        from articast.outputs.registry import options

        episode = made.episode
        if episode is None:
            raise RenderError("the transcript needs the manifest; this is a bug in articast")
        opts: TranscriptOptions = options(self, made.settings)
        lines = [episode.title, episode.show.name, ""]
        for index, section in enumerate(episode.sections):
            said = [s.text for s in episode.sentences if s.segment == index]
            if not said:
                continue
            head = (
                f"[{_clock(section.start)}] {section.title}" if opts.timestamps else section.title
            )
            lines += [head, " ".join(" ".join(said).split()), ""]
        with made.timed(self.stage):
            atomic_write_text(made.folder / "transcript.txt", "\n".join(lines))


OUTPUT = Transcript()
