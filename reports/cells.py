"""The one way duban puts a value into a workbook cell: never a formula, never an illegal character.

Every workbook duban writes (handoffs, the ledger export, the 催报清单, the township return)
goes through :func:`put` (one cell) or :func:`append_row` (a row at once, for speed). The one
formula duban writes is :func:`put_reference`: a cell showing another cell of the same workbook
(the handoff's 打印版 shows what was typed on its 填报表).
Text is cleaned of what no .xlsx may hold (control characters, lone surrogates), of
bidirectional overrides, and stored as a string: a title or measure starting with ``=``,
``+``, ``-`` or ``@`` stays text (with Excel's quote prefix, so that editing the cell does
not turn it into a formula either — a DDE link like ``=cmd|' /C calc'!A0`` never runs). A
literal ``_x000B_`` in the text is escaped so that Excel does not decode it into a control
character on reading.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from db.text import clean_text
from db.values import MAX_CELL_CHARS

#: What makes Excel, WPS or LibreOffice read a typed cell as a formula (or a DDE call).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝")

# Excel's escape for characters XML cannot hold is _xHHHH_; an underscore that begins such a
# pattern in ordinary text is itself escaped as _x005F_ so that the text reads back unchanged.
_EXCEL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def cell_text(value: Any) -> str | None:
    """Return text as a cell will read back: cleaned and within the cell limit; None when empty."""
    if value is None:
        return None
    text = clean_text(str(value))
    if not text:
        return None
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def _stored(text: str) -> str:
    """The form in which ``text`` is stored so that Excel (and our readers) read ``text`` back."""
    return _EXCEL_ESCAPE.sub("_x005F_", text) if "_x" in text else text


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program would take ``text`` typed into a cell as a formula."""
    return text.startswith(FORMULA_STARTS)


def put_text(cell, value: Any) -> None:
    """Write ``value`` as text (never a formula, never a number) into an openpyxl cell."""
    text = cell_text(value)
    cell.value = None if text is None else _stored(text)
    if text is not None:
        cell.data_type = "s"
        if looks_like_formula(text):
            cell.quotePrefix = True


def put(cell, value: Any) -> None:
    """Write any value: numbers, dates and booleans as themselves, everything else as safe text."""
    if value is None or isinstance(value, (bool, int, float, datetime, date, time)):
        cell.value = value
    else:
        put_text(cell, value)


def safe_row(values: list[Any]) -> tuple[list[Any], list[int]]:
    """Prepare a row for ``ws.append``: cleaned texts, and the (0-based) columns holding formula-like text."""
    row: list[Any] = []
    risky: list[int] = []
    for i, value in enumerate(values):
        if value is None or isinstance(value, (bool, int, float, datetime, date, time)):
            row.append(value)
            continue
        text = cell_text(value)
        row.append(None if text is None else _stored(text))
        if text is not None and looks_like_formula(text):
            risky.append(i)
    return row, risky


def append_row(ws, values: list[Any], row_number: int) -> None:
    """Append a row of values to a worksheet as :func:`put` would write each (``row_number`` is the row it lands in).

    ``ws.append`` is several times faster than writing cell by cell; the few cells whose text
    would become a formula are fixed up afterwards.
    """
    row, risky = safe_row(values)
    ws.append(row)
    for i in risky:
        cell = ws.cell(row_number, i + 1)
        cell.value = row[i]
        cell.data_type = "s"
        cell.quotePrefix = True


_COORDINATE = re.compile(r"\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}")


def put_reference(cell, sheet_title: str, coordinate: str, label: str = "") -> None:
    """Show in ``cell`` what another cell of the workbook holds (blank while it is blank).

    The one kind of formula duban writes: a reference between its own sheets, so that a
    printable copy shows what a clerk typed on the form. The referenced text is shown as a
    value, never evaluated, whatever it starts with.

    Args:
        cell: the openpyxl cell to write.
        sheet_title: the sheet holding the referenced cell.
        coordinate: the referenced cell, e.g. ``K5``.
        label: fixed text shown before the value (填报人：…), if any.
    """
    if not _COORDINATE.fullmatch(coordinate):
        raise ValueError(f"not a cell coordinate: {coordinate!r}")
    ref = "'{}'!{}".format(sheet_title.replace("'", "''"), coordinate)
    shown = f'IF({ref}="","",{ref})'
    if label:
        shown = '"{}"&{}'.format((cell_text(label) or "").replace('"', '""'), shown)
    cell.value = f"={shown}"


def header_footer_text(value: Any) -> str:
    """Text for a printed page header or footer: cleaned, and ``&`` (a format code there) doubled."""
    return (cell_text(value) or "").replace("\n", " ").replace("&", "&&")


def comment_text(value: Any) -> str:
    """Text for a cell comment: cleaned like a cell."""
    return cell_text(value) or ""
