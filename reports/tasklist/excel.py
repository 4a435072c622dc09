"""Workbooks (.xlsx via openpyxl in normal mode for merged cells, .xls via xlrd) as grids."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl.utils import column_index_from_string

from reports.safety import open_xls, open_xlsx
from reports.tasklist.grid import Grid

#: Columns beyond this are never part of a task list (a stray value far right is ignored).
MAX_COLUMNS = 80


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def xlsx_grids(path: Path, warnings: list[str]) -> list[Grid]:
    """Return one grid per visible worksheet, merged cells filled with their value."""
    wb = open_xlsx(path, read_only=False, data_only=True, what="任务清单")
    grids = []
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                if ws.max_row > 1 or ws.max_column > 1:
                    warnings.append(f"工作表“{ws.title}”是隐藏的，未读取。")
                continue
            ncols = min(ws.max_column or 0, MAX_COLUMNS)
            cells = [[_text(v) for v in row[:ncols]] for row in ws.iter_rows(values_only=True)]
            spans: dict[int, list[tuple[int, int]]] = {}
            for rng in ws.merged_cells.ranges:
                top = (
                    cells[rng.min_row - 1][rng.min_col - 1]
                    if rng.min_row - 1 < len(cells) and rng.min_col - 1 < ncols
                    else ""
                )
                for r in range(rng.min_row - 1, min(rng.max_row, len(cells))):
                    for c in range(rng.min_col - 1, min(rng.max_col, ncols)):
                        cells[r][c] = top
                    if rng.max_col > rng.min_col:
                        spans.setdefault(r, []).append((rng.min_col - 1, min(rng.max_col, ncols) - 1))
            hidden = set()
            for key, dim in ws.column_dimensions.items():
                if not dim.hidden:
                    continue
                first = dim.min or column_index_from_string(key)
                last = dim.max or first
                hidden.update(range(first - 1, last))
            grids.append(Grid(ws.title, cells, hidden, spans, label=f"工作表“{ws.title}”第{{row}}行"))
    finally:
        wb.close()
    return grids


def xls_grids(path: Path, warnings: list[str]) -> list[Grid]:
    """Return one grid per visible sheet of an old .xls (merged cells keep only their first value)."""
    import xlrd

    book = open_xls(path, what="任务清单")
    grids = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if getattr(sheet, "visibility", 0):
                warnings.append(f"工作表“{sheet.name}”是隐藏的，未读取。")
                continue
            ncols = min(sheet.ncols, MAX_COLUMNS)
            cells = []
            for r in range(sheet.nrows):
                row = []
                for c in range(ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            row.append(_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                        except (ValueError, OverflowError):
                            row.append(_text(cell.value))
                    else:
                        row.append(_text(cell.value))
                cells.append(row)
            grids.append(Grid(sheet.name, cells, label=f"工作表“{sheet.name}”第{{row}}行"))
    finally:
        book.release_resources()
    return grids
