"""Social clips (``articast.clips``): ``clip-01.mp4``... with their captions and
``clips.json``, when ``[clips] count`` (``--clips N``) asks for them, or when the episode
had clips before this build (they are made again, alike, from the new sound: the cache
keeps those an edit did not touch). Before the pages, which show them."""

from __future__ import annotations

from articast.errors import InputError, RenderError
from articast.outputs.base import BaseOutput, Made, Phase


class Clips(BaseOutput):
    name = "clips"
    phase: Phase = "publish"
    stage = "publish"

    def render(self, made: Made) -> object:
        from articast.clips import ClipRequest, make_clips
        from articast.episodes import read_clips

        episode = made.episode
        if episode is None:
            raise RenderError("the clips need the manifest; this is a bug in articast")
        settings = made.settings
        if settings.clips.count > 0:
            request = ClipRequest.from_settings(settings)
        else:
            before = read_clips(settings.out_dir / episode.slug)
            if not before:
                return None
            request = ClipRequest.like(before, settings)
        # An episode too short for the clips asked is still published, with a warning.
        try:
            result = make_clips(
                made.folder, settings, request, episode=episode, progress=made.progress,
                workdir=made.workdir / "clips" if made.workdir is not None else None,
            )  # fmt: skip
        except InputError as exc:
            made.notes.append(f"no clips made: {exc}")
            return None
        made.notes.extend(result.warnings)
        return result


OUTPUT = Clips()
