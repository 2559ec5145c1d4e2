"""The registry of outputs, in the order they are listed on the episode page.

A new output is a module with an ``OUTPUT`` object (``base.Output``) and one line in
``MODULES``; an installed package can add one without touching articast, through the entry
point group ``articast.outputs`` (each entry point names such a module). Modules are imported
when first needed, so listing one costs nothing until a build runs it.
"""

from __future__ import annotations

import functools
import importlib
from concurrent.futures import Executor
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from articast.config import Settings, read_table
from articast.errors import InputError
from articast.lang.base import Labels
from articast.outputs.base import Made, Output, OutputFile, Phase

MODULES: tuple[str, ...] = (
    "articast.outputs.mp3",
    "articast.outputs.mp4",
    "articast.outputs.captions",
    "articast.outputs.script",
    "articast.outputs.clips",
    "articast.outputs.pages",
    "articast.outputs.transcript",
    "articast.outputs.feed",
)
ENTRY_POINTS = "articast.outputs"


@functools.cache
def registry() -> dict[str, Output]:
    """Every output by name: ours (``MODULES``), then those installed packages add."""
    names = list(MODULES)
    names += [ep.value for ep in entry_points(group=ENTRY_POINTS) if ep.value not in names]
    found: dict[str, Output] = {}
    for module in names:
        output: Output = importlib.import_module(module).OUTPUT
        if output.name in found:
            raise InputError(f"two outputs are named {output.name!r} ({module}); rename one")
        found[output.name] = output
    return found


def options(output: Output, settings: Settings) -> Any:
    """``output``'s options: its ``[outputs.<name>]`` table read into ``output.options``
    (paths relative to the config file's folder); ``None`` when it has none."""
    if output.options is None:
        return None
    base = settings.config_path.parent if settings.config_path else Path.cwd()
    return read_table(
        output.options, settings.outputs.get(output.name, {}), f"outputs.{output.name}", base
    )


def check(settings: Settings) -> None:
    """Raise on an ``[outputs.<name>]`` table for an output that does not exist, or with a bad
    option (``ConfigError``: one line, exit 2), before any work."""
    known = registry()
    for name in settings.outputs:
        output = known.get(name)
        if output is None or output.options is None:
            have = ", ".join(n for n, o in known.items() if o.options is not None) or "none"
            raise InputError(f"unknown table [outputs.{name}]; outputs with options: {have}")
        options(output, settings)


def enabled(settings: Settings, phase: Phase | None = None) -> list[Output]:
    """The outputs ``settings`` switch on (of ``phase``), in registry order."""
    return [
        o
        for o in registry().values()
        if (phase is None or o.phase == phase) and o.enabled(settings)
    ]


def declared_files(settings: Settings) -> list[OutputFile]:
    """Every file the outputs ``settings`` switch on write into an episode folder."""
    return [f for o in enabled(settings) for f in o.files(settings)]


def page_links(folder: Path, settings: Settings, labels: Labels) -> list[tuple[str, str]]:
    """(file name, label) of each labelled file the outputs wrote into ``folder``, or write
    in the ``publish`` phase (the page is one of them), in registry order."""
    out: list[tuple[str, str]] = []
    for output in enabled(settings):
        for f in output.files(settings):
            label = f.label_for(labels)
            if label and (output.phase == "publish" or (folder / f.name).is_file()):
                out.append((f.name, label))
    return out


def render(phase: Phase, made: Made, *, pool: Executor | None = None) -> dict[str, object]:
    """Run every output of ``phase`` that ``made.settings`` switch on; what each returned, by
    name. With ``pool``, the ``background`` outputs run on it beside the others (started
    first)."""
    chosen = enabled(made.settings, phase)
    started = {
        o.name: pool.submit(o.render, made) for o in chosen if pool is not None and o.background
    }
    results = {o.name: o.render(made) for o in chosen if o.name not in started}
    return {
        o.name: started[o.name].result() if o.name in started else results[o.name] for o in chosen
    }


def publish_show(settings: Settings, notes: list[str] | None = None) -> dict[str, object]:
    """Run the ``show`` outputs (the feed) over every episode in ``settings.out_dir``; their
    warnings go to ``notes``."""
    made = Made(
        folder=settings.out_dir, settings=settings, notes=notes if notes is not None else []
    )
    return render("show", made)
