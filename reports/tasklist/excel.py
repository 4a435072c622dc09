"""Workbooks (.xlsx via openpyxl in normal mode, .xls via xlrd with formatting info) as grids with merges filled."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl.utils import column_index_from_string
from openpyxl.utils.escape import unescape

from db.errors import DubanError
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


def _fill_merges(
    cells: list[list[str]], ncols: int, merges: list[tuple[int, int, int, int]]
) -> dict[int, list[tuple[int, int]]]:
    """Copy each merged range's top-left value into all its cells; return the horizontal spans per row.

    Args:
        cells: the sheet's cell texts, changed in place.
        ncols: columns read.
        merges: (first row, last row, first column, last column), 0-based and inclusive.
    """
    spans: dict[int, list[tuple[int, int]]] = {}
    for first_row, last_row, first_col, last_col in merges:
        if first_row >= len(cells) or first_col >= ncols:
            continue
        top = cells[first_row][first_col] if first_col < len(cells[first_row]) else ""
        for r in range(first_row, min(last_row + 1, len(cells))):
            row = cells[r]
            row.extend("" for _ in range(min(last_col + 1, ncols) - len(row)))
            for c in range(first_col, min(last_col + 1, ncols)):
                row[c] = top
            if last_col > first_col:
                spans.setdefault(r, []).append((first_col, min(last_col, ncols - 1)))
    return spans


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
            # Excel writes a pasted carriage return as _x000D_, which openpyxl leaves in the text.
            cells = [
                [_text(unescape(v) if isinstance(v, str) else v) for v in row[:ncols]]
                for row in ws.iter_rows(values_only=True)
            ]
            merges = [(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
            spans = _fill_merges(cells, ncols, merges)
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
    """Return one grid per visible sheet of an old .xls, merged cells filled and hidden columns known.

    Merged cells and hidden columns are only in the formatting records, so the book is
    opened with formatting info (BIFF8, what Excel 97–2003, WPS and LibreOffice write).
    A book xlrd cannot read that way (older BIFF) is read without it, with a warning.
    """
    import xlrd

    try:
        book = open_xls(path, what="任务清单", formatting_info=True)
        formatted = True
    except DubanError:
        book = open_xls(path, what="任务清单")  # raises the real reason if this fails too
        formatted = False
        warnings.append(f"“{path.name}”是较旧的 Excel 格式，无法识别合并单元格和隐藏列，请核对各项的归属。")
    grids = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if getattr(sheet, "visibility", 0):
                if sheet.nrows:
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
            spans: dict[int, list[tuple[int, int]]] = {}
            hidden: set[int] = set()
            if formatted:
                # xlrd gives merges as half-open (rlo, rhi, clo, chi).
                merges = [(rlo, rhi - 1, clo, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
                spans = _fill_merges(cells, ncols, merges)
                hidden = {c for c, info in sheet.colinfo_map.items() if info.hidden and c < ncols}
            grids.append(Grid(sheet.name, cells, hidden, spans, label=f"工作表“{sheet.name}”第{{row}}行"))
    finally:
        book.release_resources()
    return grids
