"""The text layer: what ingest, lang and narrate share, below all three.

``rules``: the reading rules (repairs, numbers, initialisms) over mapped text; ``lexicon``:
the pronunciation lexicon. Nothing here imports a pipeline stage.
"""
