"""The task table (台账): one row per key work, judged for a chosen round, and its filter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from desktop.models.base import (
    LIGHT_COLOURS,
    STATUS_COLOURS,
    Column,
    LightRole,
    RecordTableModel,
    SortRole,
    SourceSortingProxy,
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
            id=kw_id,
            number=number,
            category=category,
            title=title,
            lead=lead,
            units=names,
            period=period,
            status=result.status if result else None,
            light=result.light if result else None,
            percent=result.percent if result else None,
            expected=result.expected if result else None,
        )
        row.search_text = " ".join([number or "", category or "", title or "", period or "", *names]).lower()
        rows.append(row)
    return rows


class KeyWorkTableModel(RecordTableModel):
    """Key works with their lead unit, status and light for the chosen round."""

    COL_NUMBER, COL_CATEGORY, COL_TITLE, COL_LEAD, COL_UNITS, COL_STATUS, COL_LIGHT, COL_PERCENT, COL_EXPECTED = range(
        9
    )
    columns = (
        Column("编号", lambda r: r.number, sort=lambda r: natural_key(r.number)),
        Column("总体任务", lambda r: r.category),
        Column("重点工作", lambda r: r.title, tooltip=lambda r: r.title),
        Column("牵头单位", lambda r: r.lead),
        Column(
            "责任单位",
            lambda r: "、".join(r.units[1:]) if len(r.units) > 1 else "",
            tooltip=lambda r: "、".join(r.units),
        ),
        Column("状态", lambda r: r.status),
        Column("亮灯", lambda r: r.light, sort=lambda r: "红黄灰绿".find(r.light) if r.light else 9),
        Column(
            "完成进度",
            lambda r: pct_text(r.percent),
            sort=lambda r: -1.0 if r.percent is None else r.percent,
            align_right=True,
        ),
        Column(
            "序时进度",
            lambda r: pct_text(r.expected),
            sort=lambda r: -1.0 if r.expected is None else r.expected,
            align_right=True,
        ),
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


class KeyWorkFilterProxy(SourceSortingProxy):
    """Instant filter by free text, category, unit and light (the round is the model's).

    Qt asks ``filterAcceptsRow`` once per row; on a 20,000-row ledger a Python test per
    call is too slow for typing. So every filter change computes the accepted rows for
    the whole list in one pass, and ``filterAcceptsRow`` only looks the answer up.
    """

    ALL = ""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""
        self._words: list[str] = []
        self._category = self.ALL
        self._unit = self.ALL
        self._light = self.ALL
        self._accepted: list[bool] = []
        self._accepted_for: list | None = None
        self.setSortRole(SortRole)
        self.setDynamicSortFilter(False)

    def set_text(self, text: str) -> None:
        """Show only rows whose number, title, category, period or units contain every word of ``text``."""
        words = text.strip().lower()
        if words != self._text:
            with rows_filter_change(self):
                self._text = words
                self._words = words.split()
                self._accepted_for = None

    def set_category(self, category: str) -> None:
        """Show only one 总体任务 ('' for all)."""
        if category != self._category:
            with rows_filter_change(self):
                self._category = category
                self._accepted_for = None

    def set_unit(self, unit: str) -> None:
        """Show only the key works a unit takes part in ('' for all)."""
        if unit != self._unit:
            with rows_filter_change(self):
                self._unit = unit
                self._accepted_for = None

    def set_light(self, light: str) -> None:
        """Show only one light ('' for all)."""
        if light != self._light:
            with rows_filter_change(self):
                self._light = light
                self._accepted_for = None

    def setSourceModel(self, model: KeyWorkTableModel) -> None:  # noqa: D102, N802
        super().setSourceModel(model)
        self._model = model

    def accepts(self, row: KeyWorkRow) -> bool:
        """Whether one key work passes the current filters."""
        return (
            (not self._category or row.category == self._category)
            and (not self._light or row.light == self._light)
            and (not self._unit or self._unit in row.units)
            and all(word in row.search_text for word in self._words)
        )

    def _recompute(self) -> None:
        rows = self._model.rows
        cat, light, unit, words = self._category, self._light, self._unit, self._words
        if not (cat or light or unit or words):
            accepted = [True] * len(rows)
        else:
            # One comprehension with local names: this runs once per keystroke over every row.
            accepted = [r for r in rows]
            if cat:
                accepted = [r for r in accepted if r.category == cat]
            if light:
                accepted = [r for r in accepted if r.light == light]
            if unit:
                accepted = [r for r in accepted if unit in r.units]
            for word in words:
                accepted = [r for r in accepted if word in r.search_text]
            keep = {id(r) for r in accepted}
            accepted = [id(r) in keep for r in rows]
        self._accepted = accepted
        self._accepted_for = rows

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: D102, N802
        if self._accepted_for is not self._model.rows:
            self._recompute()
        return self._accepted[source_row]
