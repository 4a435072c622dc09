"""Tables pasted as text: tab- or bar-separated rows, box drawings, and one cell per line.

A table copied from a web page or a Word document and pasted as plain text loses its
grid. These shapes are rebuilt into a :class:`~reports.tasklist.grid.Grid` so the table
reader reads them exactly as it reads Excel; text that is not a table gives None.
"""

from __future__ import annotations

import re

from db.deadlines import parse_deadline
from reports.tasklist.grid import Grid, classify_header, find_header
from reports.tasklist.textparse import _looks_complete, heading_of, split_unit_names, tidy

_BOX_BORDER = re.compile(r"^[\s─━═┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬+\-=|│┃║]+$")
_BOX_BARS = "│┃║"


def text_grid(text: str) -> Grid | None:
    """Rebuild a pasted table; None when the text does not hold one with a task-list header."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    for splitter in (_split_tabs, _split_bars):
        rows = splitter(lines)
        if rows:
            grid = Grid("粘贴的表格", rows, label="表格第{row}行")
            if find_header(grid) is not None:
                return grid
    return _cell_per_line(lines)


def _split_tabs(lines: list[str]) -> list[list[str]] | None:
    rows = [line.split("\t") for line in lines if line.strip()]
    if sum(1 for row in rows if len(row) >= 3) < 3:
        return None
    return _join_continuations(rows)


def _split_bars(lines: list[str]) -> list[list[str]] | None:
    rows = []
    for line in lines:
        if not line.strip() or _BOX_BORDER.match(line):
            continue
        normal = re.sub(f"[{_BOX_BARS}]", "|", line)
        if normal.count("|") < 2:
            rows.append([line])
            continue
        cells = [c.strip() for c in normal.strip().split("|")]
        if normal.strip().startswith("|"):
            cells = cells[1:]
        if normal.strip().endswith("|"):
            cells = cells[:-1]
        rows.append(cells)
    if sum(1 for row in rows if len(row) >= 3) < 3:
        return None
    return _join_continuations(rows)


def _join_continuations(rows: list[list[str]]) -> list[list[str]]:
    """A row with one cell inside a table continues nothing; keep it (a title or a section heading)."""
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


def _cell_per_line(lines: list[str]) -> Grid | None:
    """One cell per line: the header is a run of header words; each row starts with its 序号."""
    texts = [tidy(line, keep_newlines=False) for line in lines]
    texts = [t for t in texts if t]
    for start in range(len(texts)):
        run = []
        for t in texts[start : start + 20]:
            role = classify_header(t)
            if role is None:
                break
            run.append(role)
        roles = set(run)
        if len(run) < 3 or not ({"title", "measures", "targets"} & roles) or not ({"units", "lead"} & roles):
            continue
        header = texts[start : start + len(run)]
        body = texts[start + len(run) :]
        rows = _rows_by_number(body, run) if run[0] == "number" else _rows_by_width(body, len(run))
        if not rows:
            return None
        titles = [[t] for t in texts[max(0, start - 3) : start] if len(t) <= 60]
        cells = titles + [header] + rows
        width = len(header)
        cells = [row + [""] * (width - len(row)) for row in cells]
        return Grid("粘贴的表格", cells, label="表格第{row}行")
    return None


def _rows_by_number(body: list[str], roles: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    current: list[str] | None = None
    expected = 1
    for text in body:
        if re.fullmatch(r"\d{1,3}", text) and int(text) in (expected, 1):
            if current is not None:
                rows.append(_place(current, roles))
            current = [text]
            expected = int(text) + 1
        elif current is not None:
            current.append(text)
        elif re.match(r"^[一二三四五六七八九十]+、", text):
            rows.append([text])  # a section heading before the first row
    if current is not None:
        rows.append(_place(current, roles))
    return rows


def _rows_by_width(body: list[str], width: int) -> list[list[str]]:
    return [body[i : i + width] for i in range(0, len(body), width)]


def _place(cells: list[str], roles: list[str]) -> list[str]:
    """Put the cells of one row in their columns when empty cells were lost in the copy.

    The number opens the row; a cell that reads as a deadline goes to the period column,
    cells that are lists of unit names fill the unit columns left to right, and the
    remaining text fills the text columns in order.
    """
    if len(cells) == len(roles):
        return cells
    row = [""] * len(roles)
    row[0] = cells[0]
    unit_cols = [i for i, r in enumerate(roles) if r in ("lead", "units", "support")]
    period_cols = [i for i, r in enumerate(roles) if r == "period"]
    people_cols = [i for i, r in enumerate(roles) if r in ("leader", "liaison")]
    text_cols = [i for i, r in enumerate(roles) if i and i not in unit_cols + period_cols + people_cols]
    last_text = None
    for cell in cells[1:]:
        compact = re.sub(r"\s", "", cell)
        if period_cols and (parse_deadline(compact, 2000).understood and len(compact) <= 16):
            row[period_cols.pop(0)] = cell
        elif unit_cols and _is_unit_list(cell) and last_text is not None:
            row[unit_cols.pop(0)] = cell
        elif text_cols and (last_text is None or not _continues(cell)):
            last_text = text_cols.pop(0)
            row[last_text] = cell
        elif last_text is not None and not any(row[c] for c in unit_cols + period_cols if c > last_text):
            row[last_text] += "\n" + cell  # a cell of several lines ("1.…" "2.…") copied line by line
        elif people_cols:
            row[people_cols.pop(0)] = cell
        elif unit_cols:
            row[unit_cols.pop(0)] = cell
    return row


def _continues(cell: str) -> bool:
    """A numbered line ("2.完善…") continues the cell above it rather than starting the next column."""
    return bool(re.match(r"^(?:\d{1,2}[.、．]|[（(]\d{1,2}[）)]|[①-⑳])", cell)) and not re.match(r"^1[.、．]", cell)


def _is_unit_list(cell: str) -> bool:
    if heading_of(cell) is not None:
        return False  # "1.建成平台" is a numbered measure, not a unit
    names = split_unit_names(cell)
    return bool(names) and all(_looks_complete(n) or n.startswith("各") for n, _lead in names) and len(cell) <= 120
