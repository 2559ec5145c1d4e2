"""Narration stage: ``Article`` (+ ``Talk``) -> ``Script``, and the editable ``script.md``.

Sits between ingest and voices on the map. ``build_script`` writes the intro, one segment per
section and the outro, turning prose into speakable sentences with the rules in
``narrate.rules``; ``write_script_md`` / ``read_script_md`` round-trip the script through the
Markdown file a producer edits.
"""

from __future__ import annotations

from articast.narrate.build import build_script, split_sentences
from articast.narrate.script_md import (
    estimate_seconds,
    parse_script_md,
    read_script_md,
    render_script_md,
    write_script_md,
)
from articast.text.lexicon import default_lexicon, load_lexicon
from articast.text.rules import REPAIR_RULES, all_rules, reading_rules, speakable

__all__ = [
    "REPAIR_RULES",
    "all_rules",
    "build_script",
    "default_lexicon",
    "estimate_seconds",
    "load_lexicon",
    "parse_script_md",
    "read_script_md",
    "reading_rules",
    "render_script_md",
    "speakable",
    "split_sentences",
    "write_script_md",
]
