"""The fields of a progress report, declared once.

This table drives every place a report field appears: the handoff workbook's editable
columns (header, width), the return reader and the import (which parser reads the cell),
the township clerk's pre-filled draft, the office's typed form and the township form
(labels, order), and the detail pane's labels. A new field is one more line here (and a
column of the ``reports`` table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from db.values import (
    Cell,
    normalise_percent,
    normalise_phone,
    normalise_status,
    normalise_text,
    tidy_person_name,
)


@dataclass(frozen=True)
class ReportField:
    """One field of a report.

    Attributes:
        key: the ``reports`` column.
        label: what the window and messages call it.
        header: its column header in the handoff workbook; None when it is not a column of the
            table (填报人 and 联系电话 are filled in once, above it).
        width: the handoff column's width (Excel units).
        kind: ``text``, ``percent``, ``status``, ``person`` or ``phone``.
        township_editable: whether a township clerk fills it in (the form and the workbook).
    """

    key: str
    label: str
    header: str | None
    width: float
    kind: str
    township_editable: bool = True

    @property
    def form_label(self) -> str:
        """The label a form shows: the workbook's header when there is one (完成进度(%)), else the label."""
        return self.header or self.label

    def parse(self, cell: Cell) -> Any:
        """Read a cell (or what was typed into a form) by this field's rule.

        Raises:
            db.values.ValueProblem: the value cannot be accepted; the message names the column.
        """
        return _PARSERS[self.kind](cell, self.form_label)


_PARSERS: dict[str, Callable[[Cell, str], Any]] = {
    "text": normalise_text,
    "percent": normalise_percent,
    "status": normalise_status,
    "person": lambda cell, column: tidy_person_name(normalise_text(cell, column)),
    "phone": lambda cell, _column: normalise_phone(cell),
}

#: Every report field, in the order forms and workbooks show them.
FIELDS: tuple[ReportField, ...] = (
    ReportField("progress_text", "进展情况", "进展情况", 28, "text"),
    ReportField("percent", "完成进度", "完成进度(%)", 8, "percent"),
    ReportField("reported_status", "推进状态", "推进状态", 9, "status"),
    ReportField("problems", "存在问题", "存在问题", 18, "text"),
    ReportField("next_steps", "下步计划", "下步计划", 18, "text"),
    ReportField("reporter", "填报人", None, 0, "person"),
    ReportField("phone", "联系电话", None, 0, "phone"),
)
FIELD_BY_KEY: dict[str, ReportField] = {f.key: f for f in FIELDS}
#: The report's columns, in order.
REPORT_FIELDS: tuple[str, ...] = tuple(f.key for f in FIELDS)
#: What the handoff workbook and the window call each report field.
REPORT_FIELD_LABELS: dict[str, str] = {f.key: f.label for f in FIELDS}
#: The fields that are columns of a handoff's table, one per assignment row.
ROW_FIELDS: tuple[ReportField, ...] = tuple(f for f in FIELDS if f.header)
#: Their keys.
ROW_FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in ROW_FIELDS)
#: The fields a township clerk fills in.
TOWNSHIP_FIELDS: tuple[ReportField, ...] = tuple(f for f in FIELDS if f.township_editable)


def parse_row_fields(cells: Mapping[str, Cell]) -> dict[str, Any]:
    """Read a handoff row's report cells (by field key) into report values.

    Raises:
        db.values.ValueProblem: the first cell that cannot be accepted.
    """
    return {f.key: f.parse(cells[f.key]) for f in ROW_FIELDS}
