"""Languages without a module of their own: their own voice and numbers, English phrases.

espeak-ng speaks about a hundred languages; for those, the episode uses espeak-ng's voice for
the language and ``num2words`` for numbers where it knows the language (the digits are left
to the voice otherwise), while the sentences articast writes stay English; the manifest warns.
"""

from __future__ import annotations

import re
from dataclasses import replace

from num2words import CONVERTER_CLASSES

from articast.lang import en
from articast.lang.base import KANA_HAN, Language, iso639_2
from articast.text.lexicon import Lexicon, default_lexicon
from articast.text.rules import Rule, make_initialism_rule, tidy_spacing

_SPLITTERS = frozenset(
    [
        "en",
        "hi",
        "mr",
        "zh",
        "es",
        "am",
        "ar",
        "hy",
        "bg",
        "ur",
        "ru",
        "pl",
        "fa",
        "nl",
        "da",
        "fr",
        "my",
        "el",
        "it",
        "ja",
        "de",
        "kk",
        "sk",
    ]
)


def other_language(code: str) -> Language:
    """English phrases and labels, the language's own voice, splitter and number words."""
    n2w = code if code in CONVERTER_CLASSES else None

    def reading(lexicon: Lexicon | None) -> tuple[Rule, ...]:
        initialisms = make_initialism_rule(default_lexicon() if lexicon is None else lexicon)
        if n2w is None:
            return (initialisms, tidy_spacing)
        from num2words import num2words

        def read_numbers(text: str) -> str:
            """Whole numbers in words of the language (``num2words``); other digits stay."""

            def _num(m: re.Match[str]) -> str:
                spoken: str = num2words(int(m.group(0)), lang=n2w)
                return spoken

            # Chinese and Japanese write numbers right against their words (猫が3匹).
            return re.sub(
                rf"(?<![.,])(?<![^\W{KANA_HAN}])\d+(?![^\W{KANA_HAN}]|[.,]\d)", _num, text
            )

        return (initialisms, read_numbers, tidy_spacing)

    return replace(
        en.LANGUAGE,
        code=code,
        name=code,
        iso639_2=iso639_2(code),
        reading=reading,
        espeak=code,
        gtts=code,
        splitter=code if code in _SPLITTERS else "en",
        native=False,
    )
