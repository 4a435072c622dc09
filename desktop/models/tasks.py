"""The task table (台账): one row per key work, judged for a chosen round, and its filter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from desktop.models.base import (
    LIGHT_COLOURS,
    STATUS_COLOURS,
    Column,
    LightRole,
    RecordTableModel,
    SortRole,
    brush,
    light_icon,
    natural_key,
    pct_text,
    rows_filter_change,
)


@dataclass
class KeyWorkRow:
    """What the task table shows about one key work."""

    id: int
    number: str
    category: str | None
    title: str
    lead: str | None
    units: tuple[str, ...]
    period: str | None
    status: str | None = None
    light: str | None = None
    percent: float | None = None
    expected: float | None = None
    search_text: str = field(default="", repr=False)


def load_key_work_rows(db: sqlite_utils.Database, round_id: str | None) -> list[KeyWorkRow]:
    """Read every key work with its units, and its rolled-up status when a round is given."""
    units: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for r in db.execute(
        "SELECT a.key_work_id, a.role, u.name FROM assignments a JOIN units u ON u.id = a.unit_id "
        "ORDER BY CASE a.role WHEN '牵头' THEN 0 WHEN '责任' THEN 1 ELSE 2 END, u.sort_order, u.id"
    ):
        units[r[0]].append((r[1], r[2]))
    judged = {}
    if round_id:
        from db.queries import key_work_states

        judged = {k.key_work_id: k.result for k in key_work_states(db, round_id)}
    rows = []
    for kw_id, number, category, title, period in db.execute(
        "SELECT k.id, k.number, c.title, k.title, k.period_phrase FROM key_works k "
        "LEFT JOIN categories c ON c.id = k.category_id ORDER BY COALESCE(c.seq, 0), k.sort_order, k.id"
    ):
        names = tuple(name for _role, name in units.get(kw_id, ()))
        lead = next((name for role, name in units.get(kw_id, ()) if role == "牵头"), None)
        result = judged.get(kw_id)
        row = KeyWorkRow(
            id=kw_id, number=number, category=category, title=title, lead=lead, units=names, period=period,
            status=result.status if result else None, light=result.light if result else None,
            percent=result.percent if result else None, expected=result.expected if result else None,
        )
        row.search_text = " ".join([number or "", category or "", title or "", period or "", *names]).lower()
        rows.append(row)
    return rows


class KeyWorkTableModel(RecordTableModel):
    """Key works with their lead unit, status and light for the chosen round."""

    COL_NUMBER, COL_CATEGORY, COL_TITLE, COL_LEAD, COL_UNITS, COL_STATUS, COL_LIGHT, COL_PERCENT, COL_EXPECTED = range(9)
    columns = (
        Column("编号", lambda r: r.number, sort=lambda r: natural_key(r.number)),
        Column("总体任务", lambda r: r.category),
        Column("重点工作", lambda r: r.title, tooltip=lambda r: r.title),
        Column("牵头单位", lambda r: r.lead),
        Column("责任单位", lambda r: "、".join(r.units[1:]) if len(r.units) > 1 else "",
               tooltip=lambda r: "、".join(r.units)),
        Column("状态", lambda r: r.status),
        Column("亮灯", lambda r: r.light, sort=lambda r: "红黄灰绿".find(r.light) if r.light else 9),
        Column("完成进度", lambda r: pct_text(r.percent), sort=lambda r: -1.0 if r.percent is None else r.percent,
               align_right=True),
        Column("序时进度", lambda r: pct_text(r.expected), sort=lambda r: -1.0 if r.expected is None else r.expected,
               align_right=True),
    )

    def extra_data(self, record: KeyWorkRow, column: int, role: int):  # noqa: D102
        if role == LightRole:
            return record.light
        if column == self.COL_LIGHT and role == Qt.DecorationRole:
            return light_icon(record.light)
        if column == self.COL_STATUS and role == Qt.ForegroundRole and record.status in STATUS_COLOURS:
            return brush(STATUS_COLOURS[record.status])
        if column == self.COL_LIGHT and role == Qt.ForegroundRole and record.light in LIGHT_COLOURS:
            return brush(LIGHT_COLOURS[record.light])
        return None


class KeyWorkFilterProxy(QSortFilterProxyModel):
    """Instant filter by free text, category, unit and light (the round is the model's)."""

    ALL = ""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""
        self._category = self.ALL
        self._unit = self.ALL
        self._light = self.ALL
        self.setSortRole(SortRole)
        self.setDynamicSortFilter(False)

    def set_text(self, text: str) -> None:
        """Show only rows whose number, title, category, period or units contain every word of ``text``."""
        words = text.strip().lower()
        if words != self._text:
            with rows_filter_change(self):
                self._text = words
                self._words = words.split()

    def set_category(self, category: str) -> None:
        """Show only one 总体任务 ('' for all)."""
        if category != self._category:
            with rows_filter_change(self):
                self._category = category

    def set_unit(self, unit: str) -> None:
        """Show only the key works a unit takes part in ('' for all)."""
        if unit != self._unit:
            with rows_filter_change(self):
                self._unit = unit

    def set_light(self, light: str) -> None:
        """Show only one light ('' for all)."""
        if light != self._light:
            with rows_filter_change(self):
                self._light = light

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: D102, N802
        # Read the record directly: going through data() for every row would cost far more.
        row: KeyWorkRow = self.sourceModel().rows[source_row]
        if self._category and row.category != self._category:
            return False
        if self._light and row.light != self._light:
            return False
        if self._unit and self._unit not in row.units:
            return False
        if self._text:
            hay = row.search_text
            return all(word in hay for word in self._words)
        return True
