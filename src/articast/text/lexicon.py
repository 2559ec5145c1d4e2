"""Pronunciation lexicon: how initialisms and acronyms are said.

Sits in the ``narrate`` stage, feeding the ``spell_initialisms`` rule of ``narrate.rules``. The
shipped default lives in ``articast/data/lexicon.toml``; a user file named by
``NarrateSettings.lexicon`` (a TOML table ``TERM = "spoken form"``) is laid over it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from articast.errors import InputError

Lexicon = Mapping[str, str]
"""A read-only mapping of a term as written to the way it is said."""


def _validate(data: dict[str, object], origin: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for term, spoken in data.items():
        if not isinstance(spoken, str):
            raise InputError(
                f'{origin}: entry {term!r} must be a string (TERM = "spoken form"), '
                f"not {type(spoken).__name__}; fix the entry"
            )
        if not term.strip() or any(ch.isspace() for ch in term):
            raise InputError(f"{origin}: term {term!r} must be one word without spaces")
        if not spoken.strip():
            raise InputError(f"{origin}: entry {term!r} has an empty spoken form")
        out[term] = " ".join(spoken.split())
    return out


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon of common scientific and medical terms."""
    text = resources.files("articast").joinpath("data/lexicon.toml").read_text(encoding="utf-8")
    return MappingProxyType(_validate(tomllib.loads(text), "articast/data/lexicon.toml"))


def read_lexicon_file(path: Path) -> dict[str, str]:
    """Read a user lexicon (TOML table ``TERM = "spoken form"``); raises ``InputError``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the lexicon file {path} ({exc.strerror or exc}); "
            "fix [narrate] lexicon in articast.toml"
        ) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f'{path}: not a valid TOML lexicon ({exc}); write lines like NMDA = "N M D A"'
        ) from exc
    return _validate(data, str(path))


def load_lexicon(user_file: Path | None = None) -> Lexicon:
    """The shipped lexicon, with the entries of ``user_file`` (when given) added or replacing."""
    if user_file is None:
        return default_lexicon()
    merged = dict(default_lexicon())
    merged.update(read_lexicon_file(user_file))
    return MappingProxyType(merged)
