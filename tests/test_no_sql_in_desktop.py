"""The window and the CLI hold no SQL: every query and every rule lives in db/ (issue 11).

A page that needs something from the ledger calls a db function, so the CLI, the reports
and the next page can call the same one. The test reads the source of every module under
desktop/ (strings and f-strings, found with ast) and fails on anything that reads as SQL.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

DESKTOP = Path(__file__).resolve().parent.parent / "desktop"

#: Text that is SQL and not a sentence: a statement's opening words, or a pragma.
SQL = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bCREATE\s+(TABLE|INDEX|VIEW|TRIGGER)\b|\bPRAGMA\s+\w+|\bALTER\s+TABLE\b|\bDROP\s+TABLE\b",
    re.DOTALL,
)


def _docstrings(tree: ast.AST) -> set[int]:
    """Return the ids of the docstring nodes (documentation may name a query; code may not run one)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _texts(tree: ast.AST):
    """Yield (line, text) of every string literal but docstrings, the literal parts of f-strings joined."""
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            yield node.lineno, " ".join(parts)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def sql_in(path: Path) -> list[str]:
    """Return ``file:line: text`` for each piece of SQL in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Adjacent literals ("SELECT a " "FROM t") are one constant once parsed, so a query split over
    # lines is still caught whole.
    return [
        f"{path.relative_to(DESKTOP.parent)}:{line}: {text[:80]!r}" for line, text in _texts(tree) if SQL.search(text)
    ]


MODULES = sorted(DESKTOP.rglob("*.py"))


def test_the_sql_pattern_finds_queries_and_leaves_sentences_alone():
    assert SQL.search("SELECT id FROM rounds ORDER BY cutoff")
    assert SQL.search("UPDATE reports SET review = ? WHERE id = ?")
    assert SQL.search("PRAGMA data_version")
    assert SQL.search("DELETE FROM unit_aliases WHERE alias_key = ?")
    assert not SQL.search("请先选中一个单位。")
    assert not SQL.search("Select the rounds you want from the list")
    assert not SQL.search("--select 2024Q3")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DESKTOP.parent)))
def test_no_sql_text_in_desktop(path):
    found = sql_in(path)
    assert not found, "SQL belongs in db/ (call a db function instead):\n" + "\n".join(found)
