"""The layers of articast, checked from the source: no import cycle among its modules or its
packages, counting imports inside functions, and no import of another package's private
module. A new cycle fails here, naming the modules on it.

Packages are the folders under ``articast`` (``articast.audio``) and each module at the top
(``articast.pipeline``); an import names the module it loads (``from articast.lang import
base_code`` is an edge to ``articast.lang``, ``from articast.lang import en`` one to
``articast.lang.en``).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules() -> dict[str, tuple[Path, bool]]:
    out: dict[str, tuple[Path, bool]] = {}
    for path in sorted((SRC / "articast").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        if node.level:
            base = module.split(".")
            if not MODULES[module][1]:
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            target = ".".join([*base, *([node.module] if node.module else [])])
        else:
            target = node.module or ""
        names = [f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target
                 for a in node.names]  # fmt: skip
    out = []
    for name in names:
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in MODULES and name != module and name.startswith("articast"):
            out.append(name)
    return out


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, (path, _) in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges[module].update(_targets(module, node))
    return edges


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_module_imports_in_a_cycle() -> None:
    assert _cycles(_graph()) == []


def test_no_package_imports_in_a_cycle() -> None:
    packages: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        for target in targets:
            if _package(module) != _package(target):
                packages.setdefault(_package(module), set()).add(_package(target))
    assert _cycles(packages) == []


def test_no_module_imports_another_packages_private_module() -> None:
    crossing = []
    for module, targets in _graph().items():
        home = module if MODULES[module][1] else module.rsplit(".", 1)[0]
        for target in targets:
            last = target.rsplit(".", 1)[-1]
            private = last.startswith("_") and not last.startswith("__")
            if private and target.rsplit(".", 1)[0] != home:
                crossing.append(f"{module} -> {target}")
    assert crossing == []


def test_the_check_sees_a_cycle_inside_a_function() -> None:
    """The checker itself: an import inside a function counts, and a cycle is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from articast.pipeline import build_episode\n")
    (node,) = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert _targets("articast.publish.feed", node) == ["articast.pipeline"]


def test_ingest_modules_and_functions_stay_readable() -> None:
    """Ingest is where users ask "why did my paragraph go?": no module of it over 600
    lines, no function over 80 (its rules are named in ``_rules``, its steps in modules)."""
    too_long: list[str] = []
    paths = sorted((SRC / "articast" / "ingest").glob("*.py"))
    assert len(paths) > 10
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 600:
            too_long.append(f"{path.name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    too_long.append(f"{path.name}: {node.name} is {length} lines")
    assert not too_long, too_long
