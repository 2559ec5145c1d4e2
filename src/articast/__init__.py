"""articast: turn a written article into a podcast episode and a YouTube-ready video.

The library is the product; the ``articast`` CLI is a thin layer over it::

    from articast import build_episode, load_settings
    result = build_episode("article.html", load_settings())

Stages (see ``pipeline``): ingest -> talk -> narrate -> voices -> audio -> visuals
-> captions -> video -> publish.
"""

from __future__ import annotations

from articast.version import __version__

__all__ = ["__version__", "build_episode", "load_settings"]


def __getattr__(name: str) -> object:
    # Lazy so that `import articast` stays cheap (the CLI's --version, worker start-up).
    if name == "build_episode":
        from articast.pipeline import build_episode

        return build_episode
    if name == "load_settings":
        from articast.config import load_settings

        return load_settings
    raise AttributeError(name)
