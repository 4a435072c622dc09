"""The task table (台账): one row per key work, judged for a chosen round, and its filter."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlite_utils
from PySide6.QtCore import Qt

from desktop.models.base import (
    DECORATION_ROLE,
    FOREGROUND_ROLE,
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


def load_key_work_rows(db: sqlite_utils.Database, round_id: str | None, states=None) -> list[KeyWorkRow]:
    """Read every key work with its units, and its rolled-up status when a round is given.

    Args:
        db: the ledger.
        round_id: the round to judge for, or None.
        states: that round's :func:`db.queries.key_work_states`, when the caller already has them.
    """
    from db.tasks import key_work_list, units_by_key_work

    units = units_by_key_work(db)
    judged = {}
    if round_id:
        if states is None:
            from db.queries import key_work_states

            states = key_work_states(db, round_id)
        judged = {k.key_work_id: k.result for k in states}
    rows = []
    for kw_id, number, category, title, period in key_work_list(db):
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


@dataclass
class KeyWorkFilter:
    """What the 台账 filters ask for; empty means no restriction."""

    words: tuple[str, ...] = ()
    category: str = ""
    unit: str = ""
    light: str = ""

    def accepts(self, row: KeyWorkRow) -> bool:
        """Whether one key work passes (every word must appear in one of its fields)."""
        return (
            (not self.category or row.category == self.category)
            and (not self.light or row.light == self.light)
            and (not self.unit or self.unit in row.units)
            and all(word in row.search_text for word in self.words)
        )

    def apply(self, rows: list[KeyWorkRow]) -> list[KeyWorkRow]:
        """Return the rows that pass, in their order (one pass per condition, with local names)."""
        kept = rows
        if self.category:
            cat = self.category
            kept = [r for r in kept if r.category == cat]
        if self.light:
            light = self.light
            kept = [r for r in kept if r.light == light]
        if self.unit:
            unit = self.unit
            kept = [r for r in kept if unit in r.units]
        for word in self.words:
            kept = [r for r in kept if word in r.search_text]
        return kept if kept is not rows else list(rows)


class KeyWorkTableModel(RecordTableModel):
    """Key works with their lead unit, status and light for the chosen round.

    The model filters itself: :attr:`rows` are the key works that pass :attr:`filter`,
    :attr:`all_rows` every one. A filter change is one pass over plain Python lists and
    one model reset. Filtering in ``QSortFilterProxyModel.filterAcceptsRow`` instead
    crossed from C++ into Python once per row and made Qt announce every removed range
    separately: 60–250 ms per keystroke on a 20,000-row ledger.
    """

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

    def __init__(self, parent=None):
        super().__init__(parent)
        self.all_rows: list[KeyWorkRow] = []
        self.filter = KeyWorkFilter()

    def set_records(self, records) -> None:
        """Replace every key work (the filter is kept)."""
        self.all_rows = list(records)
        self.beginResetModel()
        self.rows = self.filter.apply(self.all_rows)
        self._display = {}
        self.endResetModel()

    def set_filter(self, **changes) -> bool:
        """Change some filter fields (words, category, unit, light); return whether the rows shown changed."""
        wanted = replace(self.filter, **changes)
        if wanted == self.filter:
            return False
        self.filter = wanted
        rows = self.filter.apply(self.all_rows)
        if len(rows) == len(self.rows) and all(a is b for a, b in zip(rows, self.rows, strict=True)):
            return False
        self.beginResetModel()
        self.rows = rows
        self._display = {}
        self.endResetModel()
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:  # noqa: D102
        if not (0 <= column < len(self.columns)):
            return
        col = self.columns[column]
        key = col.sort or (lambda rec: natural_key(col.text(rec)))
        # A stable sort of the shown rows equals the shown part of the sorted whole list.
        self.all_rows.sort(key=key, reverse=order == Qt.DescendingOrder)
        self.layoutAboutToBeChanged.emit()
        old = self.rows
        self.rows = sorted(old, key=key, reverse=order == Qt.DescendingOrder)
        new_row_of = {id(rec): i for i, rec in enumerate(self.rows)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent, [self.index(new_row_of[id(old[i.row()])], i.column()) for i in persistent]
        )
        self._display = {}
        self.layoutChanged.emit()

    def extra_data(self, record: KeyWorkRow, column: int, role: int):  # noqa: D102
        if role == LightRole:
            return record.light
        if column == self.COL_LIGHT and role == DECORATION_ROLE:
            return light_icon(record.light)
        if column == self.COL_STATUS and role == FOREGROUND_ROLE and record.status in STATUS_COLOURS:
            return brush(STATUS_COLOURS[record.status])
        if column == self.COL_LIGHT and role == FOREGROUND_ROLE and record.light in LIGHT_COLOURS:
            return brush(LIGHT_COLOURS[record.light])
        return None


class KeyWorkFilterProxy(SourceSortingProxy):
    """The 台账 table's proxy: instant filter by free text, category, unit and light; sorting.

    The filters are handed to the :class:`KeyWorkTableModel` underneath, which filters
    its own rows in one pass; the proxy itself never tests rows one by one.
    """

    ALL = ""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SortRole)
        self.setDynamicSortFilter(False)

    def _set(self, **changes) -> None:
        model = self.sourceModel()
        if model is not None:
            model.set_filter(**changes)

    def set_text(self, text: str) -> None:
        """Show only rows whose number, title, category, period or units contain every word of ``text``."""
        self._set(words=tuple(text.strip().lower().split()))

    def set_category(self, category: str) -> None:
        """Show only one 总体任务 ('' for all)."""
        self._set(category=category or "")

    def set_unit(self, unit: str) -> None:
        """Show only the key works a unit takes part in ('' for all)."""
        self._set(unit=unit or "")

    def set_light(self, light: str) -> None:
        """Show only one light ('' for all)."""
        self._set(light=light or "")

    def accepts(self, row: KeyWorkRow) -> bool:
        """Whether one key work passes the current filters."""
        model = self.sourceModel()
        return model is None or model.filter.accepts(row)
