"""The layering rule: ``desktop/ -> reports/ -> db/``, one way only, and db/ and reports/ never import Qt.

Imports are read from the source with :mod:`ast`, every one of them: at the top of a module,
inside functions (where a late import would hide a cycle), under ``if TYPE_CHECKING:``, and
``importlib.import_module("…")`` with a literal name.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("db", "reports", "desktop")
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "shiboken")
#: What each layer must not import (itself included in nothing: a layer may import those below it).
FORBIDDEN = {
    "db": ("reports", "desktop", *QT),
    "reports": ("desktop", *QT),
}


def _modules(package: str) -> list[str]:
    return [f"{package}.{m.name}" for m in pkgutil.walk_packages([str(ROOT / package)]) if not m.ispkg] + [package]


def module_files(package: str) -> dict[str, Path]:
    """Return every module of a package (subpackages included) by its dotted name."""
    out = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imported_names(source: str, module: str, is_package: bool = False) -> set[str]:
    """Return the dotted names a module's source imports, wherever the import statement is.

    ``from a.b import c`` gives both ``a.b`` and ``a.b.c`` (``c`` may be a module); relative
    imports are resolved against ``module``.
    """
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            names.add(stem)
            names.update(f"{stem}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def layer_violations() -> list[str]:
    """Return "module imports name" for every import that points the wrong way."""
    found = []
    for layer, forbidden in FORBIDDEN.items():
        for module, path in module_files(layer).items():
            names = imported_names(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
            found += [f"{module} imports {name}" for name in sorted(names) if _top(name) in forbidden]
    return found


def import_cycles(package: str) -> list[list[str]]:
    """Return the import cycles among a package's modules (each as its modules, sorted)."""
    files = module_files(package)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        names = imported_names(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
        # A package's __init__ is not an edge target: "from db import progress" means db.progress.
        graph[module] = {n for n in names if n in files and n != package and n != module}
    # Tarjan's strongly connected components; a component of two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_db_and_reports_load_without_qt():
    modules = sorted(
        set(_modules("db") + _modules("reports") + list(module_files("db")) + list(module_files("reports")))
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'shiboken')))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "db.ledger" in modules and "reports.exchange.importing" in modules
    assert result.stdout.strip() == "", f"Qt modules were imported: {result.stdout}"


def test_layers_point_one_way():
    assert {"db.values", "reports.exchange.handoff", "desktop.app"} <= {
        m for layer in LAYERS for m in module_files(layer)
    }
    assert layer_violations() == []


def test_db_has_no_import_cycles():
    assert import_cycles("db") == []


def test_the_import_reader_finds_every_kind_of_import():
    source = """
from __future__ import annotations
import json
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from desktop.session import Session
def late():
    from reports.exchange import handoff
    import PySide6.QtCore
class Thing:
    def method(self):
        importlib.import_module("desktop.app")
from . import sibling
from ..up import other
"""
    names = imported_names(source, "db.sub.mod")
    assert {"json", "desktop.session", "reports.exchange.handoff", "PySide6.QtCore", "desktop.app"} <= names
    assert {"db.sub.sibling", "db.up.other"} <= names
    assert {"reports.exchange", "db.sub"} <= names
    # In a package's __init__, "." is the package itself.
    assert "db.sub.sibling" in imported_names("from . import sibling", "db.sub", is_package=True)


def test_the_cycle_finder_sees_a_cycle_through_a_late_import(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from pkg import a\n")
    (package / "c.py").write_text("from pkg import a\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert import_cycles("pkg") == [["pkg.a", "pkg.b"]]
