"""Safe folder names from titles (titles are untrusted input).

Titles in any script get a readable name: ``anyascii`` transliterates them to ASCII first
(Cyrillic, Greek, CJK, Arabic...). A title with nothing left to spell gets ``episode-`` and
a short stable hash of the title, so two such titles never share a folder by accident.
"""

from __future__ import annotations

import hashlib
import re

from anyascii import anyascii

MAX_SLUG = 60


def slugify(title: str, *, max_len: int = MAX_SLUG) -> str:
    """Lower-case ASCII words of ``title`` joined by ``-``, at most ``max_len`` characters.

    Never empty, never ``.``/``..``, never contains a path separator.
    """
    # "Brain's" -> "brains", with a straight or a typographic apostrophe alike.
    plain = re.sub(r"(?<=\w)['\u2019](?=\w)", "", title)
    ascii_text = anyascii(plain)
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            if not slug:
                slug = word[:max_len]
            break
        slug = candidate
    if slug:
        return slug
    key = " ".join(title.split())
    if not key:
        return "episode"
    return f"episode-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def with_hash(slug: str, identity: str, *, max_len: int = MAX_SLUG) -> str:
    """``slug`` plus ``-`` and a short stable hash of ``identity`` (a second source whose title
    maps to a folder that another source's episode already holds)."""
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug[: max_len - 9].rstrip('-')}-{digest}"
