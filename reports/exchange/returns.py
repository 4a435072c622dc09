"""Reading a returned handoff workbook (.xlsx or .xls), whoever saved it.

This module only reads and normalises: it finds the export id, the 填报人 and phone,
and every data row with its assignment id, locked texts and editable values. Deciding
whose file it is, which rows may be applied and what changes is :mod:`reports.exchange.importing`'s job,
from the ledger's own record of the export.

Every file goes through :mod:`reports.safety` first; a file that cannot be read raises
:class:`db.errors.DubanError` with one Chinese sentence. An .xlsx is read with the streaming
:mod:`reports.xlsx_reader` (what openpyxl's read-only mode gives, several times faster), an .xls
with xlrd.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from defusedxml.common import DefusedXmlException

from db.errors import DubanError
from db.text import remove_spaces, to_halfwidth
from db.values import Cell, number_text
from reports import safety, xlsx_reader
from reports.exchange.handoff import (
    COMMENT_HEADER,
    EDITABLE_COLUMNS,
    EXPORT_ID_PROPERTY,
    HEADER_ROW,
    HIDDEN_SHEET,
    ID_HEADER,
    INDICATOR_PREFIX,
    LOCKED_COLUMNS,
    PHONE_LABEL,
    PRINT_SHEET,
    REPORTER_LABEL,
)

#: A handoff has a few hundred rows at most; reading stops well before a hostile sheet's millions.
MAX_SCANNED_ROWS = 5000
#: How far down the header row may have moved (a clerk may insert rows above it).
HEADER_SEARCH_ROWS = 20
#: Largest uncompressed worksheet XML accepted. Text lives in the shared strings, so a sheet's
#: XML grows with its number of cells: a handoff's is well under 1 MB. openpyxl scans a whole
#: sheet that lacks a <dimension> before reading a single row, so size is checked first.
MAX_SHEET_XML_BYTES = 20 * 1024 * 1024


@dataclass
class ReturnedRow:
    """One data row of the returned sheet."""

    row_number: int
    assignment_id: int | None
    assignment_id_text: str
    locked: dict[str, str]
    values: dict[str, Cell]
    indicators: dict[int, Cell]
    comment: str | None = None


@dataclass
class ReturnedWorkbook:
    """What a returned workbook says about itself and what it holds."""

    kind: str
    export_id: str
    facts: dict[str, str]
    saved_at: str | None
    reporter: Cell
    phone: Cell
    rows: list[ReturnedRow]
    row_meta: list[dict] = field(default_factory=list)
    indicator_meta: list[dict] = field(default_factory=list)
    missing_indicator_columns: list[str] = field(default_factory=list)
    #: None when the workbook predates the milestones section (nothing to say about deadlines).
    milestone_meta: list[dict] | None = None


# ---------------------------------------------------------------------------------------------
# Reading either format into plain rows of cells
# ---------------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    title: str
    hidden: bool
    rows: Any  # callable returning an iterator of (row_number, list[Cell])
    values: Any = None  # callable returning an iterator of (row_number, list of plain values), when cheaper


def _xlsx_sheets(path: Path) -> tuple[list[_Sheet], str | None, str | None, Any]:
    """Open an .xlsx return with the streaming reader (the file has passed :mod:`reports.safety`)."""
    book = xlsx_reader.open_workbook(path)
    value = book.custom_properties.get(EXPORT_ID_PROPERTY)
    prop = str(value or "").strip() or None
    saved_at = book.modified.replace(microsecond=0).isoformat() if book.modified else None

    def rows_of(sheet):
        def gen() -> Iterator[tuple[int, list[Cell]]]:
            for number, row in enumerate(book.rows(sheet), 1):
                # Only a number's format is ever looked at (a typed 50% is 0.5 formatted as a
                # percentage); the reader gives it for numbers alone.
                yield (
                    number,
                    [Cell(None, None, False, i) if c is None else Cell(c[0], c[1], c[2], i) for i, c in enumerate(row)],
                )

        return gen

    def values_of(sheet):
        def gen() -> Iterator[tuple[int, list[Any]]]:
            yield from enumerate(book.values(sheet), 1)

        return gen

    sheets = [_Sheet(s.title, s.hidden, rows_of(s), values_of(s)) for s in book.sheets]
    return sheets, prop, saved_at, book


def _xls_saved_at(path: Path) -> str | None:
    """Return the last-saved time (UTC) from an .xls file's SummaryInformation stream."""
    try:
        from xlrd import compdoc

        doc = compdoc.CompDoc(path.read_bytes(), logfile=io.StringIO())
        stream = doc.get_named_stream("\x05SummaryInformation")
        if not stream:
            return None
        section = struct.unpack_from("<I", stream, 44)[0]
        count = struct.unpack_from("<I", stream, section + 4)[0]
        for i in range(min(count, 64)):
            pid, offset = struct.unpack_from("<II", stream, section + 8 + 8 * i)
            if pid == 13:  # PIDSI_LASTSAVE_DTM
                vtype, filetime = struct.unpack_from("<IQ", stream, section + offset)
                if vtype == 64 and filetime:
                    when = datetime(1601, 1, 1) + timedelta(microseconds=filetime // 10)
                    return when.replace(microsecond=0).isoformat()
    except Exception:  # noqa: BLE001 - a missing or odd property stream only loses the time
        return None
    return None


def _xlrd_sheets(path: Path) -> tuple[list[_Sheet], None, str | None, Any]:
    import xlrd

    # Formatting info gives each number its format: a clerk who types "50%" into 完成进度
    # leaves 0.5 formatted as a percentage, which must come back as 50.
    # The 打印版 is never read (it only shows the 填报表's cells); LibreOffice's .xls holds a
    # formula's text result with an emoji in a record xlrd cannot read, so it is not even opened.
    book = safety.open_xls(path, what="填报表", formatting_info=True, skip_sheets=(PRINT_SHEET,))
    formats: dict[int, str | None] = {}

    def number_format(xf_index: int | None) -> str | None:
        if xf_index is None:
            return None
        if xf_index not in formats:
            try:
                key = book.xf_list[xf_index].format_key
                fmt = book.format_map.get(key)
                formats[xf_index] = fmt.format_str if fmt is not None else None
            except (IndexError, AttributeError):
                formats[xf_index] = None
        return formats[xf_index]

    def rows_of(sheet):
        def gen() -> Iterator[tuple[int, list[Cell]]]:
            for r in range(sheet.nrows):
                cells = []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    value = cell.value
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        value = None
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        value = bool(value)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        value = None
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                        except (ValueError, OverflowError):
                            pass
                    fmt = number_format(cell.xf_index) if cell.ctype == xlrd.XL_CELL_NUMBER else None
                    cells.append(Cell(value, fmt))
                yield r + 1, cells

        return gen

    sheets = []
    for index in range(book.nsheets):
        if book.sheet_names()[index] == PRINT_SHEET:
            continue
        sheet = book.sheet_by_index(index)
        sheets.append(_Sheet(sheet.name, sheet.visibility != 0, rows_of(sheet)))
    return sheets, None, _xls_saved_at(path), book


def _text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    return _value_text(cell.value)


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _sheet_texts(sheet: _Sheet) -> Iterator[tuple[int, list[str]]]:
    """Yield each row's cell texts; plain values are read where the format offers them (no cell objects)."""
    if sheet.values is not None:
        for number, values in sheet.values():
            yield number, [_value_text(v) for v in values]
    else:
        for number, cells in sheet.rows():
            yield number, [_text(c) for c in cells]


def _header_key(text: str) -> str:
    return remove_spaces(to_halfwidth(text))


def _read_hidden(sheets: list[_Sheet], milestones: bool = True) -> tuple[dict[str, str], dict[str, list[dict] | None]]:
    """Return the hidden sheet's facts and its tables; a table the sheet lacks is None.

    With ``milestones=False`` reading stops where the milestones table begins (it comes last,
    after the rows and indicators, and is about half the sheet), and that table is None.
    """
    sheet = next((s for s in sheets if s.title == HIDDEN_SHEET), None)
    if sheet is None:
        for s in sheets:
            first = next(_sheet_texts(s), None)
            if first and first[1] and first[1][0] == "duban":
                sheet = s
                break
    if sheet is None:
        return {}, {"rows": [], "indicators": [], "milestones": None}
    facts: dict[str, str] = {}
    tables: dict[str, list[dict]] = {"rows": [], "indicators": [], "milestones": []}
    section, headers = None, None
    seen: set[str] = set()
    for number, texts in _sheet_texts(sheet):
        if number > MAX_SCANNED_ROWS:
            break
        first = texts[0] if texts else ""
        if not any(texts):
            continue
        if first in tables and not any(texts[1:]):
            if first == "milestones" and not milestones and {"rows", "indicators"} <= seen:
                break
            section, headers = first, None
            seen.add(section)
            continue
        if section is None:
            facts[first] = texts[1] if len(texts) > 1 else ""
        elif headers is None:
            headers = texts
        else:
            tables[section].append(dict(zip(headers, texts, strict=False)))
    return facts, {**tables, "milestones": tables["milestones"] if "milestones" in seen and milestones else None}


def _as_int(text: str) -> int | None:
    text = to_halfwidth(text or "").strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    return None


def read_return(path: str | Path, *, milestones: bool = True) -> ReturnedWorkbook:
    """Read a returned handoff workbook (.xlsx or .xls, whatever its name).

    Args:
        path: the workbook.
        milestones: also read the deadlines table of the hidden sheet (township mode shows them;
            the office's import does not need them, and they are the larger part of that sheet).

    Raises:
        DubanError: not a readable workbook, not a duban handoff, or its identity marks disagree.
    """
    path = Path(path)
    kind = safety.expect_kind(path, ("xlsx", "xls"), "填报表").kind
    handle = None
    message = ""
    try:
        if kind == "xlsx":
            _check_sheet_sizes(path)
            sheets, prop_id, saved_at, handle = _xlsx_sheets(path)
        else:
            sheets, prop_id, saved_at, handle = _xlrd_sheets(path)
        return _parse(path, kind, sheets, prop_id, saved_at, milestones)
    except DubanError:
        raise
    except Exception as exc:  # noqa: BLE001 - sheets are parsed lazily; a broken or hostile part fails here
        message = _unreadable_message(path, exc)
    finally:
        close = getattr(handle, "close", None) or getattr(handle, "release_resources", None)
        if close:
            close()
    # Raised outside the except block so that no traceback keeps the file's handles alive.
    raise DubanError(message)


def _unreadable_message(path: Path, failure: Exception) -> str:
    """The one sentence for a workbook that passed the checks yet cannot be read."""
    if isinstance(failure, DefusedXmlException):
        # A DTD or entity hidden past the pre-check's window (say, behind a long comment).
        return f"文件“{path.name}”含有不安全的 XML 实体声明，已拒绝（正常的 Excel/WPS 文件不会有），未导入。"
    if isinstance(failure, ExpatError):
        return f"文件“{path.name}”内容损坏（XML 格式错误：{failure}），无法读取，未导入。"
    return f"文件“{path.name}”内容损坏或含有不安全的结构，无法读取（{type(failure).__name__}），未导入。"


def _check_sheet_sizes(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.startswith("xl/worksheets/") and info.file_size > MAX_SHEET_XML_BYTES:
                raise DubanError(
                    f"文件“{path.name}”中的工作表过大（解压后 {info.file_size / 1024 / 1024:.0f} MB，"
                    "行数或单元格数远超填报表），不像 duban 填报表，未导入。"
                )


def _parse(
    path: Path, kind: str, sheets: list[_Sheet], prop_id: str | None, saved_at: str | None, milestones: bool = True
) -> ReturnedWorkbook:
    name = f"“{path.name}”"
    facts, tables = _read_hidden(sheets, milestones)
    row_meta, indicator_meta = tables["rows"] or [], tables["indicators"] or []
    sheet_id = (facts.get("export_id") or "").strip() or None
    if prop_id and sheet_id and prop_id != sheet_id:
        raise DubanError(f"文件{name}中的两处填报表标识不一致（可能被人为改动），未导入。")
    export_id = sheet_id or prop_id
    if not export_id:
        raise DubanError(f"文件{name}不是 duban 导出的填报表（找不到填报表标识，隐藏的工作表可能被删除），未导入。")

    main, header_number, header = None, None, None
    for sheet in sheets:
        if sheet.title == HIDDEN_SHEET:
            continue
        for number, cells in sheet.rows():
            if number > HEADER_SEARCH_ROWS:
                break
            keys = [_header_key(_text(c)) for c in cells]
            if _header_key(ID_HEADER) in keys and _header_key(EDITABLE_COLUMNS[0][1]) in keys:
                main, header_number, header = sheet, number, keys
                break
        if main:
            break
    if main is None:
        raise DubanError(f"文件{name}中找不到填报表格（表头“{ID_HEADER}”“进展情况”所在行），未导入。")
    column = {key: i for i, key in reversed(list(enumerate(header))) if key}
    missing = [h for _k, h, _w in EDITABLE_COLUMNS if _header_key(h) not in column]
    if missing:
        raise DubanError(f"文件{name}缺少“{'、'.join(missing)}”列（可能被删除或改了表头），未导入。")

    indicator_cols: dict[int, int] = {}
    missing_indicators = []
    for ind in indicator_meta:
        ind_id = _as_int(ind.get("indicator_id", ""))
        head = _header_key(ind.get("header", ""))
        if ind_id is None:
            continue
        if head in column:
            indicator_cols[ind_id] = column[head]
        else:
            prefix = _header_key(f"{INDICATOR_PREFIX}{ind.get('name', '')}")
            found = [i for key, i in column.items() if key.startswith(prefix)]
            if len(found) == 1:
                indicator_cols[ind_id] = found[0]
            else:
                missing_indicators.append(ind.get("header") or ind.get("name") or str(ind_id))

    # Where each named column is, worked out once rather than for every row.
    named = [ID_HEADER, COMMENT_HEADER, *(h for _k, h, _w in EDITABLE_COLUMNS), *(h for _k, h, _w in LOCKED_COLUMNS)]
    index_of = {head: column.get(_header_key(head)) for head in named}
    reporter, phone = Cell(), Cell()
    rows: list[ReturnedRow] = []
    formula_cells = False
    for number, cells in main.rows():
        if number > MAX_SCANNED_ROWS:
            raise DubanError(f"文件{name}的填报表超过 {MAX_SCANNED_ROWS:,} 行，不像 duban 填报表，未导入。")
        if number < header_number:
            for i, cell in enumerate(cells):
                label = _header_key(_text(cell)).rstrip(":：")
                if label in (REPORTER_LABEL, PHONE_LABEL):
                    value = next((c for c in cells[i + 1 : i + 4] if not c.blank), Cell())
                    if label == REPORTER_LABEL:
                        reporter = value
                    else:
                        phone = value
            continue
        if number == header_number:
            continue

        def at(key: str, cells=cells) -> Cell:
            index = index_of[key]
            return cells[index] if index is not None and index < len(cells) else Cell()

        id_cell = at(ID_HEADER)
        values = {field_name: at(head) for field_name, head, _w in EDITABLE_COLUMNS}
        indicators = {i: (cells[c] if c < len(cells) else Cell()) for i, c in indicator_cols.items()}
        locked = {key: _text(at(head)) for key, head, _w in LOCKED_COLUMNS}
        if all(c.blank for c in cells):
            continue
        if id_cell.blank and all(c.blank for c in values.values()) and all(c.blank for c in indicators.values()):
            # Notes typed below the table are not rows; only rows with something to import count.
            if not any(locked.values()):
                continue
        formula_cells = formula_cells or any(c.formula for c in [*values.values(), *indicators.values()])
        rows.append(
            ReturnedRow(
                number,
                _as_int(_text(id_cell)),
                _text(id_cell),
                locked,
                values,
                indicators,
                _text(at(COMMENT_HEADER)) or None,
            )
        )
    formula_cells = formula_cells or reporter.formula or phone.formula
    if formula_cells and kind == "xlsx":
        _resolve_formulas(path, main.title, rows, reporter, phone)
    return ReturnedWorkbook(
        kind,
        export_id,
        facts,
        saved_at,
        reporter,
        phone,
        rows,
        row_meta=row_meta,
        indicator_meta=indicator_meta,
        missing_indicator_columns=missing_indicators,
        milestone_meta=tables["milestones"],
    )


def _resolve_formulas(path: Path, title: str, rows: list[ReturnedRow], reporter: Cell, phone: Cell) -> None:
    """Replace formula cells by the value the spreadsheet computed (or the formula text if none).

    A clerk who types ``=A1`` into a cell means what Excel shows; a program that wrote a
    formula without computing it leaves no cached value, so its text is kept instead of
    losing what was typed.
    """
    with xlsx_reader.open_workbook(path) as book:
        sheet = next(s for s in book.sheets if s.title == title)
        wanted = {r.row_number for r in rows}
        cached: dict[int, list[Any]] = {}
        for number, row in enumerate(book.values(sheet, data_only=True), 1):
            if number > MAX_SCANNED_ROWS:
                break
            if number in wanted or number < HEADER_ROW + HEADER_SEARCH_ROWS:
                cached[number] = list(row)
    del reporter, phone  # header-area formulas are rare; their text is kept as typed
    for r in rows:
        line = cached.get(r.row_number, [])
        for cell in [*r.values.values(), *r.indicators.values()]:
            if not cell.formula:
                continue
            cell.formula = False
            computed = _cached_value(line, cell)
            if computed is not None:
                cell.value = computed


def _cached_value(line: list[Any], cell: Cell) -> Any:
    index = cell.column
    if index < 0 or index >= len(line):
        return None
    return line[index]
