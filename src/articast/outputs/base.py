"""What an output is: the protocol every output module implements, and what it is given.

An output writes files into the episode folder (or, for the show, beside the episodes) at
one point of the build, its ``phase``:

``timeline``  the script and the timeline exist (words and their times): ``script.md``,
              the captions;
``media``     the master sound is levelled and the video's pictures are under way: the MP3
              (encoded on a thread beside the others: ``background``), the MP4;
``publish``   the manifest exists: description, show notes, the episode page;
``show``      the episode is published: the feed and the show's index page.

It declares the files it writes (``OutputFile``: the manifest key, the file name, the page's
label in English; a language may translate it in ``Labels.outputs``), and may have a table
of options in the config file, ``[outputs.<name>]``, read into its ``options`` dataclass.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from articast.config import Settings
from articast.lang.base import Labels
from articast.models import (
    Article,
    Cue,
    Episode,
    Master,
    ProgressEvent,
    Script,
    Slides,
    Talk,
)

Phase = Literal["timeline", "media", "publish", "show"]
PHASES: tuple[Phase, ...] = ("timeline", "media", "publish", "show")
StageTimer = Callable[[str], contextlib.AbstractContextManager[None]]


@dataclass(frozen=True)
class OutputFile:
    """A file an output writes into the episode folder."""

    key: str
    """Its key in the manifest's ``files`` (a built-in key such as ``captions_vtt``, or a new
    one, listed under ``files.extra``)."""
    name: str
    """The file name inside the episode folder."""
    label: str | Callable[[Labels], str] | None = None
    """What the episode page's list of files calls it: English text (a language may
    translate it in ``Labels.outputs[key]``), or made from the page language's labels;
    ``None``: not listed."""

    def label_for(self, labels: Labels) -> str | None:
        if self.label is None or isinstance(self.label, str):
            return labels.outputs.get(self.key, self.label) if self.label else None
        return self.label(labels)


class SoundJob(Protocol):
    """The audio stage's job, as the MP3 output uses it (``articast.audio.AudioJob``)."""

    @property
    def cached(self) -> bool: ...

    def result(self, *, background: bool = True) -> Master: ...


@dataclass(frozen=True)
class Media:
    """What the media outputs share: the audio job, the levelled master (its WAV is the
    video's sound), the slides and the video pictures under way."""

    sound: SoundJob
    levelled: Master
    slides: Slides | None = None
    pictures: Future[tuple[str, ...]] | None = None
    audio_background: bool = True
    """The MP3 encoder runs at a lower priority (beside the longer job: the pictures)."""


@dataclass(frozen=True)
class Made:
    """Everything an output may read, as far as the build has got (``None`` before)."""

    folder: Path
    """The episode folder being written (a hidden temporary folder until published); for
    ``show`` outputs, the published episode folder."""
    settings: Settings
    article: Article | None = None
    """The article (``None`` for ``show`` outputs: they see every episode)."""
    script: Script | None = None
    talk: Talk | None = None
    timeline: Master | None = None
    """Words and chapters on the episode's clock (no sound yet)."""
    cues: tuple[Cue, ...] = ()
    """The captions, as shown."""
    workdir: Path | None = None
    """Scratch space, removed after the build."""
    media: Media | None = None
    episode: Episode | None = None
    """The manifest (``publish`` and ``show`` outputs)."""
    progress: Callable[[ProgressEvent], None] | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    """Warnings an output has for the user (shown and kept in the manifest)."""
    timer: StageTimer | None = None

    def timed(self, stage: str) -> contextlib.AbstractContextManager[None]:
        """Time what an output does under ``stage`` (an output with nothing to do, such as
        an MP3 from the cache, leaves its stage out of the manifest's times)."""
        return self.timer(stage) if self.timer is not None else contextlib.nullcontext()


class Output(Protocol):
    """One kind of output (``articast.outputs.registry`` lists them)."""

    @property
    def name(self) -> str:
        """Its name: the registry key, and ``[outputs.<name>]`` in the config file."""
        ...

    @property
    def phase(self) -> Phase: ...

    @property
    def stage(self) -> str:
        """The build stage it is timed and reported under (``pipeline.STAGES``)."""
        ...

    @property
    def background(self) -> bool:
        """``media`` outputs: run on a thread of its own beside the others."""
        ...

    @property
    def options(self) -> type[Any] | None:
        """The dataclass of its ``[outputs.<name>]`` table (``config.setting`` fields)."""
        ...

    def enabled(self, settings: Settings) -> bool:
        """Whether ``settings`` switch it on."""
        ...

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        """The files it writes into the episode folder with ``settings``."""
        ...

    def render(self, made: Made) -> object:
        """Write its files into ``made.folder``, timed with ``made.timed(stage)``; what it
        returns goes back to the pipeline (the MP3's master, the MP4's result)."""
        ...


class BaseOutput:
    """Defaults for an output (``Output``): always on, no options, on the build's thread, no
    files of its own in the episode folder. A module overrides what differs."""

    background = False
    options: type[Any] | None = None

    def enabled(self, settings: Settings) -> bool:
        return True

    def files(self, settings: Settings) -> tuple[OutputFile, ...]:
        return ()
