"""Moved to ``articast.text.lexicon`` (the text layer below ingest, lang and narrate): this name
is the same module, so code that imports ``articast.narrate.lexicon`` goes on working."""

import sys

from articast.text import lexicon as _moved

sys.modules[__name__] = _moved
