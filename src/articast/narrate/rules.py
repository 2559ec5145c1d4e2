"""Moved to ``articast.text.rules`` (the text layer below ingest, lang and narrate): this name
is the same module, so code that imports ``articast.narrate.rules`` goes on working."""

import sys

from articast.text import rules as _moved

sys.modules[__name__] = _moved
