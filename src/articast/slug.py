"""Safe folder names from titles (titles are untrusted input)."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 60


def slugify(title: str, *, max_len: int = MAX_SLUG) -> str:
    """Lower-case ASCII words of ``title`` joined by ``-``, at most ``max_len`` characters.

    Never empty, never ``.``/``..``, never contains a path separator.
    """
    # "Brain's" -> "brains", with a straight or a typographic apostrophe alike.
    title = re.sub(r"(?<=\w)['\u2019](?=\w)", "", title)
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            if not slug:
                slug = word[:max_len]
            break
        slug = candidate
    return slug or "episode"
