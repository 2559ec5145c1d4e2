"""Write a long synthetic Markdown article (for memory measurements of long episodes).

    python benchmarks/long_article.py 27000 > /tmp/long.md   # about 3 hours of speech

A heading every ~800 words; sentences are drawn from a small fixed vocabulary with a fixed
seed, so the same word count always gives the same article.
"""

from __future__ import annotations

import random
import sys

_WORDS = [
    "river",
    "valley",
    "water",
    "farmer",
    "harvest",
    "season",
    "market",
    "village",
    "morning",
    "evening",
    "bridge",
    "road",
    "mountain",
    "forest",
    "field",
    "weather",
    "rain",
    "wind",
    "stone",
    "garden",
    "market",
    "school",
    "teacher",
    "children",
    "engineer",
    "machine",
    "power",
    "light",
    "window",
    "city",
    "harbour",
    "boat",
    "island",
    "summer",
    "winter",
    "spring",
    "autumn",
    "history",
    "letter",
    "story",
    "reader",
    "library",
    "paper",
    "number",
    "measure",
    "distance",
    "journey",
]
_VERBS = [
    "carries",
    "brings",
    "finds",
    "keeps",
    "shows",
    "follows",
    "reaches",
    "crosses",
    "changes",
    "builds",
]


def sentence(rng: random.Random) -> str:
    n = rng.randint(8, 18)
    words = [rng.choice(_WORDS) for _ in range(n)]
    words.insert(2, rng.choice(_VERBS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def article(total_words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    out = ["# A long walk along the river", ""]
    written, section, in_section = 0, 1, 0
    paragraph: list[str] = []
    while written < total_words:
        if in_section >= 800:
            out += [" ".join(paragraph), "", f"## Part {section + 1}", ""]
            paragraph, section, in_section = [], section + 1, 0
        s = sentence(rng)
        paragraph.append(s)
        k = len(s.split())
        written += k
        in_section += k
        if len(paragraph) >= 6:
            out += [" ".join(paragraph), ""]
            paragraph = []
    if paragraph:
        out.append(" ".join(paragraph))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(article(int(sys.argv[1]) if len(sys.argv) > 1 else 27000))
