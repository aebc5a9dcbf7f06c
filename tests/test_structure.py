"""The package's layering, read from the source: no import cycle between modules (deferred imports
included: a cycle hidden inside a function is still a cycle), and ``core`` never reaching into
``io``, ``views`` or the command line. Imports under ``if TYPE_CHECKING:`` are annotations only and
do not count."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "branchkit"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_blocks(tree: ast.Module) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(n) for child in node.body for n in ast.walk(child))
    return inside


def _imports(name: str, path: Path) -> set[str]:
    """The branchkit modules ``name`` imports at run time (``from pkg import mod`` names the module;
    a package's ``__init__`` is not an edge: ``branchkit``'s own exports are lazy)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_blocks(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                       for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name and MODULES[t].name != "__init__.py")
    return found


EDGES = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in EDGES[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(EDGES):
        if v not in index:
            visit(v)
    return groups


def test_the_analysis_sees_imports_inside_functions_and_skips_annotations() -> None:
    # core.allocate imports the trace module at the top; views.allocation_explain reaches core.allocate
    assert "branchkit.core.allocation_trace" in EDGES["branchkit.core.allocate"]
    assert "branchkit.core.allocate" in EDGES["branchkit.views.allocation_explain"]
    # runs.py names session.Ledgers for annotations only
    assert "branchkit.session" not in EDGES["branchkit.runs"]


def test_no_module_import_cycle_in_the_package() -> None:
    assert _cycles() == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("branchkit.core.")))
def test_core_reaches_no_io_views_or_command_line(name: str) -> None:
    outward = {m for m in EDGES[name] if m.startswith(("branchkit.io", "branchkit.views", "branchkit.cli",
                                                       "branchkit.console", "branchkit.spark"))}
    assert outward == set()
