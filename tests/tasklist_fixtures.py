"""Builders for task-list fixtures: the seed-001 "1+N" attachment as .xlsx in both layouts,
the adversarial variants, and Word documents made with python-docx.

``data/tasklists/seed001_attachment.json`` holds the attachment table of seed 001 row by
row, exactly as printed (page-break continuation rows included), so the fixtures do not
need ../shared/seeds at test time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

DATA = Path(__file__).resolve().parent / "data" / "tasklists"
LIST_TITLE = "乐清市促进民营经济高质量发展若干举措“1+N”任务清单"
HEADERS = ["序号", "总体任务", "重点工作", "全市目标", "落实举措", "实施阶段", "责任单位", "分管领导/联络员"]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def seed001_rows() -> list[dict]:
    """Return the attachment rows (one per printed row; a key work may span two)."""
    return json.loads((DATA / "seed001_attachment.json").read_text(encoding="utf-8"))


def expected_seed001() -> dict[str, dict]:
    """Return per key-work number: category, title, lead unit, all units, leader, liaison."""
    out: dict[str, dict] = {}
    category = None
    for row in seed001_rows():
        if row["category"]:
            category = re.sub(r"^[一二三四五六七八九十]+、", "", row["category"])
        number = str(row["number"])
        if number in out:
            continue
        names = [n.strip() for n in row["units"].split("、")]
        lead = next((n.lstrip("*") for n in names if n.startswith("*")), names[0])
        out[number] = {
            "category": category,
            "title": re.sub(r"^\([一二三四五六七八九十]+\)", "", row["title"]),
            "lead": lead,
            "units": [n.lstrip("*") for n in names],
            "leader": row["leader"] or None,
            "liaison": row["liaison"] or None,
        }
    return out


def _numbered(items: list[str]) -> str:
    return "\n".join(items)


def build_per_key_work(
    path: Path,
    *,
    rows: list[dict] | None = None,
    order: list[int] | None = None,
    title_rows: tuple[str, ...] = ("附件", LIST_TITLE),
    fullwidth: bool = False,
    units_on_lines: bool = False,
    repeat_header_before: int | None = None,
    empty_sheet: bool = False,
    hidden_column: bool = False,
    extra_columns: tuple[str, ...] = (),
) -> Path:
    """Write the "one row per key work" layout: numbered lines inside the cells.

    Args:
        path: where to save.
        rows: the table rows (default: seed 001's).
        order: column order as indexes into :data:`HEADERS` (columns shuffled).
        title_rows: rows above the header, each merged across the table.
        fullwidth: write 序号 in full-width digits and put ideographic spaces in names.
        units_on_lines: one unit per line instead of 、, and one name broken over two lines.
        repeat_header_before: repeat the header row before this data row index (a printed page break).
        empty_sheet: add an empty second worksheet.
        hidden_column: add a hidden column "责任单位（旧）" holding wrong units.
        extra_columns: extra unknown columns (e.g. the ledger export's "2024Q3 完成进度").
    """
    rows = rows if rows is not None else seed001_rows()
    order = order or list(range(len(HEADERS)))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务清单"
    headers = [HEADERS[i] for i in order] + list(extra_columns)
    if hidden_column:
        headers.append("责任单位（旧）")
    width = len(headers)
    for text in title_rows:
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    header_row = ws.max_row + 1
    ws.append(headers)
    for index, row in enumerate(rows):
        if repeat_header_before is not None and index == repeat_header_before:
            ws.append(headers)
        units = row["units"]
        if units_on_lines:
            names = units.split("、")
            if len(names) > 1 and len(names[-1]) > 5:
                names[-1] = names[-1][:3] + "\n" + names[-1][3:]
            units = "\n".join(names)
        number = str(row["number"])
        title = row["title"]
        if fullwidth:
            number = number.translate(FULLWIDTH)
            title = title.replace("强化", "强化\u3000")
            units = units.replace("、", "\u3000、")
        values = [
            number,
            row["category"],
            title,
            _numbered(row["targets"]),
            _numbered(row["measures"]),
            row["period"],
            units,
            f"{row['leader']}\n{row['liaison']}".strip("\n") if row["leader"] or row["liaison"] else "",
        ]
        if row["leader"] == "" and row["liaison"]:
            values[7] = f"\n{row['liaison']}"
        out = [values[i] for i in order] + ["" for _ in extra_columns]
        if hidden_column:
            out.append("市政府办公室")
        ws.append(out)
    for col in range(1, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 18
    if hidden_column:
        ws.column_dimensions[get_column_letter(width)].hidden = True
    for row in ws.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if empty_sheet:
        wb.create_sheet("Sheet2")
    wb.save(path)
    return path


def build_per_measure(path: Path, *, rows: list[dict] | None = None, two_title_rows: bool = True) -> Path:
    """Write the "one row per measure" layout with the parent columns merged vertically.

    Each printed row group of the seed becomes a block of rows, one per measure; a key
    work that broke across a page is a second block with the parent cells repeated.
    The category is merged over every row of its category on the page; 分管领导/联络员 is
    one header merged over two columns.
    """
    rows = rows if rows is not None else seed001_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "1+N任务清单"
    headers = ["序号", "总体任务", "重点工作", "全市目标", "落实举措", "实施阶段", "责任单位", "分管领导/联络员", None]
    width = len(headers)
    titles = ("附件", LIST_TITLE) if two_title_rows else (LIST_TITLE,)
    for text in titles:
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(headers)
    ws.merge_cells(start_row=ws.max_row, start_column=8, end_row=ws.max_row, end_column=9)
    category_start = None
    category_value = None
    for row in rows:
        measures = row["measures"] or [""]
        first = ws.max_row + 1
        for measure in measures:
            ws.append([None] * width)
            ws.cell(ws.max_row, 5, measure)
        last = ws.max_row
        parents = {
            1: str(row["number"]),
            3: row["title"],
            4: "\n".join(row["targets"]),
            6: row["period"],
            7: row["units"],
            8: row["leader"],
            9: row["liaison"],
        }
        for col, value in parents.items():
            ws.cell(first, col, value or None)
            if last > first:
                ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
        if row["category"]:
            # A category printed again (new category, or the top of a page) restarts the merge.
            _close_category(ws, category_start, first - 1, category_value)
            category_start, category_value = first, row["category"]
    _close_category(ws, category_start, ws.max_row, category_value)
    for col, width in enumerate((6, 14, 18, 30, 40, 10, 24, 8, 8), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows(min_row=len(titles) + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    wb.save(path)
    return path


def build_docx_table(path: Path, *, rows: list[dict] | None = None, body: str = "") -> Path:
    """Write the attachment as a Word table: one row per measure, parent cells merged vertically."""
    import docx

    rows = rows if rows is not None else seed001_rows()
    document = docx.Document()
    for line in body.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    document.add_paragraph("附件")
    document.add_paragraph(LIST_TITLE)
    total = sum(max(1, len(r["measures"])) for r in rows)
    table = document.add_table(rows=total + 1, cols=len(HEADERS))
    for col, text in enumerate(HEADERS):
        table.cell(0, col).text = text
    r = 1
    for row in rows:
        measures = row["measures"] or [""]
        first, last = r, r + len(measures) - 1
        for i, measure in enumerate(measures):
            table.cell(r + i, 4).text = measure
        parents = {
            0: str(row["number"]),
            1: row["category"],
            2: row["title"],
            3: "\n".join(row["targets"]),
            5: row["period"],
            6: row["units"],
            7: f"{row['leader']}\n{row['liaison']}".rstrip("\n"),
        }
        for col, value in parents.items():
            if last > first:
                table.cell(first, col).merge(table.cell(last, col))
            table.cell(first, col).text = value
        r = last + 1
    document.save(str(path))
    return path


def _close_category(ws, start: int | None, end: int, value: str | None) -> None:
    if start is None or end < start:
        return
    ws.cell(start, 2, value)
    if end > start:
        ws.merge_cells(start_row=start, start_column=2, end_row=end, end_column=2)


def build_docx_from_text(path: Path, text: str) -> Path:
    """Write text as a Word document, one paragraph per line (as a clerk pasting into Word)."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    document.save(str(path))
    return path


def build_numbers_workbook(path: Path) -> Path:
    """Write a workbook that is not a task list: a bare table of numbers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["月份", "收入", "支出"])
    for month in range(1, 13):
        ws.append([month, month * 100, month * 80])
    wb.save(path)
    return path
