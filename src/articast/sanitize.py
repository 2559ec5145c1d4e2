"""Text sanitising at entry: characters XML 1.0, ID3 tags and terminals cannot carry.

Applied once where untrusted text enters the program (ingest's ``Article``, an edited
``script.md``, the talk's metadata, config strings, error lines printed by the CLI), so every
writer downstream (feed, pages, tags, captions, terminal) can trust what it receives.

What goes:

* C0 controls except tab and newline (NUL, BEL, ESC...), DEL and the C1 controls: replaced by
  a space (a NUL between two words must not glue them together);
* a carriage return becomes a newline; U+2028/U+2029 (line/paragraph separators) become one too;
* bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) and the
  invisible marks U+200E, U+200F, U+061C: removed (they reorder what a reader sees);
* lone surrogates and Unicode noncharacters (U+FDD0-U+FDEF and every U+xFFFE/U+xFFFF): removed
  (XML 1.0 forbids them; encoders choke on surrogates).
"""

from __future__ import annotations

import os
import re

__all__ = ["clean_line", "clean_text", "is_clean", "path_text"]

_NONCHARS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_DROP = re.compile(
    "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef"
    + re.escape(_NONCHARS)
    + "]"
)
_SPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINE = re.compile("\r\n?|[\u2028\u2029]")


def clean_text(text: str) -> str:
    """``text`` with unsafe characters removed or replaced; line breaks kept as ``\\n``."""
    text = _DROP.sub("", text)
    text = _NEWLINE.sub("\n", text)
    return _SPACE.sub(" ", text)


def clean_line(text: str) -> str:
    """``text`` sanitised and collapsed to one line with single spaces, stripped."""
    return " ".join(clean_text(text).split())


def is_clean(text: str) -> bool:
    """True when ``clean_text`` would leave ``text`` unchanged."""
    return not (_DROP.search(text) or _SPACE.search(text) or "\r" in text or _NEWLINE.search(text))


def path_text(value: str | os.PathLike[str]) -> str:
    """A path as text that every writer can carry (JSON, XML, the terminal): the bytes of a
    file name that are not UTF-8 (which Python keeps as lone surrogates) written as ``\\xNN``.
    The path itself is still opened as given; this is what is shown and recorded."""
    text = os.fspath(value)
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "backslashreplace")
