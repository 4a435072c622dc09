"""A read-only table model over a list of records, with the roles every page uses."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

#: The record (dataclass or dict) behind a row.
RecordRole = Qt.UserRole + 1
#: The database id of the row's record.
IdRole = Qt.UserRole + 2
#: A value to sort by (numbers as numbers, 第 10 项 after 第 9 项).
SortRole = Qt.UserRole + 3
#: The traffic light (红/黄/绿/灰) of the row, where it has one.
LightRole = Qt.UserRole + 4

LIGHT_COLOURS = {"红": "#d64541", "黄": "#f0ad3c", "绿": "#3fa34d", "灰": "#a0a0a0"}
STATUS_COLOURS = {
    "已完成": "#3fa34d",
    "序时推进": "#6aa84f",
    "进度滞后": "#f0ad3c",
    "逾期": "#d64541",
    "未启动": "#8e7cc3",
    "未报送": "#a0a0a0",
}

_icon_cache: dict[str, QIcon] = {}

_DISPLAY = int(Qt.DisplayRole.value)
_ALIGNMENT = int(Qt.TextAlignmentRole.value)
_UNUSED_ROLES = frozenset(
    int(r.value)
    for r in (
        Qt.FontRole,
        Qt.BackgroundRole,
        Qt.CheckStateRole,
        Qt.SizeHintRole,
        Qt.WhatsThisRole,
        Qt.StatusTipRole,
        Qt.AccessibleTextRole,
        Qt.AccessibleDescriptionRole,
    )
)
#: Roles as plain ints: comparing an int with a PySide6 enum member costs ~10 µs, and
#: painting the table compares roles a few thousand times per repaint.
TOOLTIP_ROLE = int(Qt.ToolTipRole.value)
DECORATION_ROLE = int(Qt.DecorationRole.value)
FOREGROUND_ROLE = int(Qt.ForegroundRole.value)
_LEFT = int((Qt.AlignLeft | Qt.AlignVCenter).value)
_RIGHT = int((Qt.AlignRight | Qt.AlignVCenter).value)


def light_icon(light: str | None) -> QIcon:
    """Return a small round icon in the colour of a light (cached)."""
    if not light or light not in LIGHT_COLOURS:
        return QIcon()
    if light not in _icon_cache:
        pix = QPixmap(14, 14)
        pix.fill(Qt.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setBrush(QColor(LIGHT_COLOURS[light]))
        painter.setPen(QColor("#555555"))
        painter.drawEllipse(1, 1, 12, 12)
        painter.end()
        _icon_cache[light] = QIcon(pix)
    return _icon_cache[light]


def natural_key(text: Any) -> str:
    """Return a string that sorts 2 before 10 (digit runs zero-padded), so Qt can compare it."""
    if text is None:
        return ""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(10), str(text))


@dataclass(frozen=True)
class Column:
    """One column: its header and how to get its text (and sort value) from a record."""

    header: str
    text: Callable[[Any], Any]
    sort: Callable[[Any], Any] | None = None
    align_right: bool = False
    tooltip: Callable[[Any], str | None] | None = None


def pct_text(value: float | None) -> str:
    """Show a percentage the way a clerk writes it (45%, 37.5%)."""
    return "" if value is None else f"{value:g}%"


class RecordTableModel(QAbstractTableModel):
    """Rows are records; subclasses define :attr:`columns` and may colour cells.

    Every subclass exposes ``COL_*`` constants for its columns and answers
    :data:`RecordRole`, :data:`IdRole` and :data:`SortRole`.
    """

    columns: Sequence[Column] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Any] = []
        self._display: dict[int, tuple[str, ...]] = {}

    # -- loading ---------------------------------------------------------------------------
    def set_records(self, records: Sequence[Any]) -> None:
        """Replace every row (a model reset: views keep their column widths)."""
        self.beginResetModel()
        self.rows = list(records)
        self._display = {}
        self.endResetModel()

    def record(self, row: int) -> Any:
        """Return the record shown in ``row``."""
        return self.rows[row]

    def record_id(self, record: Any) -> Any:
        """Return the database id of a record (``id`` attribute or key)."""
        return record["id"] if isinstance(record, dict) else record.id

    def row_of_id(self, record_id: Any) -> int | None:
        """Return the row holding the record with this id, if any."""
        for i, rec in enumerate(self.rows):
            if self.record_id(rec) == record_id:
                return i
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:  # noqa: D102
        # Sorted in Python with one key per row: letting the proxy compare rows would cross
        # into Python twice per comparison, seconds on a large ledger.
        if not (0 <= column < len(self.columns)):
            return
        col = self.columns[column]
        key = col.sort or (lambda rec: natural_key(col.text(rec)))
        self.layoutAboutToBeChanged.emit()
        order_of = sorted(range(len(self.rows)), key=lambda i: key(self.rows[i]), reverse=order == Qt.DescendingOrder)
        new_row_of = {old: new for new, old in enumerate(order_of)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(persistent, [self.index(new_row_of[i.row()], i.column()) for i in persistent])
        self.rows = [self.rows[i] for i in order_of]
        self._display = {}
        self.layoutChanged.emit()

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: D102, B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: D102, B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:  # noqa: D102, N802
        if role != _DISPLAY:
            return None
        if orientation == Qt.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].header
        if orientation == Qt.Vertical:
            return section + 1
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.DisplayRole) -> Any:  # noqa: D102
        # Painting asks ~7 roles per visible cell on every keystroke of the filter, so the
        # common answers are cached per row and roles nobody sets return at once.
        if role in _UNUSED_ROLES:
            return None
        row = index.row()
        if not index.isValid() or row >= len(self.rows):
            return None
        column = index.column()
        if role == _DISPLAY:
            texts = self._display.get(row)
            if texts is None:
                rec = self.rows[row]
                texts = tuple("" if (v := c.text(rec)) is None else str(v) for c in self.columns)
                self._display[row] = texts
            return texts[column]
        if role == _ALIGNMENT:
            return _RIGHT if self.columns[column].align_right else _LEFT
        rec = self.rows[row]
        col = self.columns[column]
        if role == SortRole:
            return col.sort(rec) if col.sort else natural_key(col.text(rec))
        if role == RecordRole:
            return rec
        if role == IdRole:
            return self.record_id(rec)
        if role == TOOLTIP_ROLE:
            if col.tooltip:
                return col.tooltip(rec)
            value = col.text(rec)
            return str(value) if value and len(str(value)) > 20 else None
        return self.extra_data(rec, column, role)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        """Colours and icons; subclasses override."""
        return None


class SourceSortingProxy(QSortFilterProxyModel):
    """A filter proxy that hands sorting to its :class:`RecordTableModel` (fast, in Python)."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:  # noqa: D102
        self.sourceModel().sort(column, order)


@contextmanager
def rows_filter_change(proxy: QSortFilterProxyModel) -> Iterator[None]:
    """Change a proxy's row filter inside this block; rows are re-filtered once, the sort is kept.

    Qt 6.10 replaced ``invalidateRowsFilter`` by ``beginFilterChange``/``endFilterChange``;
    older PySide6 (which duban still supports) has only the former.
    """
    if hasattr(proxy, "beginFilterChange") and hasattr(QSortFilterProxyModel, "Direction"):
        proxy.beginFilterChange()
        try:
            yield
        finally:
            proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
    else:
        yield
        proxy.invalidateRowsFilter()


_brush_cache: dict[str, QBrush] = {}


def brush(colour: str) -> QBrush:
    """Return a brush for a hex colour (cached: painting asks for one per coloured cell, each repaint)."""
    found = _brush_cache.get(colour)
    if found is None:
        found = _brush_cache[colour] = QBrush(QColor(colour))
    return found
