"""The narration script as voiced: ``script.md``, to edit and build again."""

from __future__ import annotations

from articast.config import Settings
from articast.errors import RenderError
from articast.outputs.base import BaseOutput, Made, OutputFile, Phase
from articast.publish.page import FILE_LABELS


class ScriptMd(BaseOutput):
    name = "script"
    phase: Phase = "timeline"
    stage = "narrate"

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        return (OutputFile("script", "script.md", FILE_LABELS["script"]),)

    def render(self, made: Made) -> None:
        from articast.narrate import write_script_md

        if made.script is None:
            raise RenderError("script.md needs the script; this is a bug in articast")
        with made.timed(self.stage):
            write_script_md(made.script, made.folder / "script.md")


OUTPUT = ScriptMd()
