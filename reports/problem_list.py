"""问题清单 as a workbook: one row per problem, ready to print and to sort or filter in Excel/WPS."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.cells import put
from reports.content.model import ReportResult
from reports.content.problems import COLUMNS, list_rows, problem_list
from reports.files import replaced_atomically

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
#: Column widths in characters, in the order of the list's columns.
_WIDTHS = (6, 28, 18, 48, 14, 12, 9, 14)


def write_problem_list(
    db: sqlite_utils.Database,
    out_path: str | Path,
    *,
    round_id: str | None = None,
    unit: str | None = None,
    state: str | None = "未销号",
) -> ReportResult:
    """Write the 问题清单 as an .xlsx: A4 landscape, header repeated, 10 pt, wrapped text."""
    rows, which = problem_list(db, round_id=round_id, unit=unit, state=state)
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    put(ws.cell(1, 1), f"问题清单（{which}）")
    ws.cell(1, 1).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    for j, ((title, _w), width) in enumerate(zip(COLUMNS, _WIDTHS, strict=True), 1):
        cell = ws.cell(2, j)
        put(cell, title)
        cell.font = Font(size=10, bold=True)
        cell.fill = PatternFill("solid", fgColor="E6E6E6")
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, values in enumerate(list_rows(rows), 3):
        for j, value in enumerate(values, 1):
            cell = ws.cell(i, j)
            put(cell, value)
            cell.font = Font(size=10)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.auto_filter.ref = f"A2:{get_column_letter(len(COLUMNS))}{max(2, len(rows) + 2)}"
    out_path = Path(out_path)
    with replaced_atomically(out_path, opened_in="Excel/WPS") as tmp:
        wb.save(tmp)
    return ReportResult(out_path, 0, [], [], {"problems": len(rows), "which": which})


__all__ = ["write_problem_list"]
