"""docs/ARCHITECTURE.md is the map: every file and folder it names must exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
TOP_FOLDERS = ("db", "reports", "desktop", "tests")


def _named_paths(text: str) -> set[str]:
    """Paths in backticks, e.g. `reports/kinds.py`, `tasklist/` (relative to the section's folder)."""
    paths = set()
    section = None
    for line in text.splitlines():
        heading = re.match(r"^## (\w+)/", line)
        if heading:
            section = heading.group(1)
        elif line.startswith("## "):
            section = None
        row_folder = None
        first_cell = line.split("|")[1] if line.startswith("|") and line.count("|") > 2 else ""
        folder = re.match(r"\s*`(\w+/)`", first_cell)
        if section and folder:
            row_folder = f"{section}/{folder.group(1)}"
        for token in re.findall(r"`([^`\s]+)`", line):
            if not re.search(r"\.py$|/$|\.md$", token):
                continue
            if token.split("/")[0] in TOP_FOLDERS or token.startswith("docs/"):
                paths.add(token)
            elif row_folder and "/" not in token:
                paths.add(row_folder + token)
            elif section:
                paths.add(f"{section}/{token}")
    return paths


def test_every_path_the_map_names_exists():
    paths = _named_paths(DOC.read_text(encoding="utf-8"))
    assert len(paths) > 40
    missing = [p for p in sorted(paths) if not list(ROOT.glob(p.rstrip("/")))]
    assert missing == []


def test_where_to_add_table_names_real_files():
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Where to add")[1]
    named = {t for t in re.findall(r"`([^`\s]+\.py)`", table)}
    assert "reports/kinds.py" in named and "db/report_fields.py" in named
    assert [p for p in sorted(named) if not list(ROOT.glob(p))] == []
