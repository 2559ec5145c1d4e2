"""Outputs: what a build writes, as plug-ins, the way voices are (``registry``).

Each output is a module with an ``OUTPUT`` (``base.Output``): its name, the build phase it
runs in, the files it writes (with the episode page's label for each), an optional
``[outputs.<name>]`` table of options, and ``render``. The pipeline runs every output the
settings switch on, phase by phase; the manifest lists their files, the page links them.
Ours: ``mp3``, ``mp4``, ``captions``, ``script``, ``pages``, ``transcript`` (off unless
asked for) and ``feed``.
"""

from __future__ import annotations

from articast.outputs.base import PHASES, Made, Media, Output, OutputFile, Phase
from articast.outputs.registry import (
    MODULES,
    check,
    declared_files,
    enabled,
    options,
    page_links,
    publish_show,
    registry,
    render,
)

__all__ = [
    "MODULES",
    "PHASES",
    "Made",
    "Media",
    "Output",
    "OutputFile",
    "Phase",
    "check",
    "declared_files",
    "enabled",
    "options",
    "page_links",
    "publish_show",
    "registry",
    "render",
]
