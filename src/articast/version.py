"""The package's version, in a module of its own: any module can read it without importing
the package's lazy exports (``articast/__init__``, which import the pipeline)."""

__version__ = "0.1.0"
