"""Small pieces shared by the pages: table views, button rows, HTML escaping."""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)


def esc(value) -> str:
    """HTML-escape anything (None becomes an empty string)."""
    return "" if value is None else html.escape(str(value))


#: Rows measured when fitting columns to their content (a city ledger has 20,000; the first
#: screens are what the clerk sees, and key columns hold few distinct values).
_MEASURED_ROWS = 400
#: Above this many rows a wrapping table keeps fixed row heights (measuring every row's height
#: on each repaint would make scrolling a large ledger stutter).
_WRAPPED_ROWS_LIMIT = 1500
#: Padding of a cell around its text: the style's margins on both sides plus a little air.
_CELL_PADDING = 14
#: The header's sort arrow needs this much beside the header text.
_SORT_ARROW = 10


def make_table(
    model,
    stretch_column: int | None = None,
    widths: dict[int, int] | None = None,
    *,
    name: str | None = None,
    wrap_columns: tuple[int, ...] = (),
    max_chars: int = 24,
) -> QTableView:
    """A sortable, row-selecting table view over ``model`` (usually a proxy).

    Every column is as wide as its header and its content (measured on the first rows each time
    the model is reloaded), so names, statuses and dates are never cut where there is room;
    ``widths`` gives a column's upper limit in Chinese characters instead of ``max_chars``.
    ``stretch_column`` takes the rest of the width; ``wrap_columns`` wrap long text over several
    lines (rows grow to fit) instead of eliding it. With ``name`` the clerk's column widths and
    sort order are remembered per table (QSettings) and win over the fitted widths.
    """
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setWordWrap(bool(wrap_columns))
    view.setTextElideMode(Qt.ElideRight)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    # Fixed row heights: Qt then never measures rows, which matters with 20,000 of them.
    view.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.Interactive)
    header.setHighlightSections(False)
    view.sortByColumn(-1, Qt.AscendingOrder)
    view.sizer = TableSizer(view, stretch_column, widths or {}, name, tuple(wrap_columns), max_chars)
    view.sizer.fit()
    return view


class TableSizer(QObject):
    """Keeps a table's columns fitted to their content and remembers what the clerk changed."""

    def __init__(self, view, stretch_column, limits, name, wrap_columns, max_chars):
        super().__init__(view)
        self.view = view
        self.stretch_column = stretch_column
        self.limits = limits
        self.name = name
        self.wrap_columns = wrap_columns
        self.max_chars = max_chars
        #: Column -> width in Chinese characters, set by the clerk dragging a column edge.
        self.saved: dict[int, float] = {}
        self._fitting = False
        header = view.horizontalHeader()
        if stretch_column is not None:
            header.setSectionResizeMode(stretch_column, QHeaderView.Stretch)
        if name:
            self._restore()
            header.sectionResized.connect(self._resized)
            header.sortIndicatorChanged.connect(self._sorted)
        model = view.model()
        model.modelReset.connect(self._resort)
        model.modelReset.connect(self.fit)
        model.layoutChanged.connect(self._rows_changed)
        model.rowsInserted.connect(self._rows_changed)
        model.rowsRemoved.connect(self._rows_changed)

    # -- fitting --------------------------------------------------------------------------------
    def char_width(self) -> int:
        """Width of one Chinese character in the table's font."""
        return self.view.fontMetrics().horizontalAdvance("中")

    def content_width(self, column: int) -> int:
        """Pixels the header and the measured rows of ``column`` need to show in full."""
        model = self.view.model()
        metrics = self.view.fontMetrics()
        header_text = str(model.headerData(column, Qt.Horizontal) or "")
        width = self.view.horizontalHeader().fontMetrics().horizontalAdvance(header_text)
        if self.view.isSortingEnabled():
            width += _SORT_ARROW
        icon = self.view.iconSize().width() if self.view.iconSize().isValid() else 16
        for row in range(min(model.rowCount(), _MEASURED_ROWS)):
            index = model.index(row, column)
            text = index.data()
            if text in (None, ""):
                continue
            extra = icon + 6 if index.data(Qt.DecorationRole) else 0
            width = max(width, max(metrics.horizontalAdvance(line) for line in str(text).split("\n")) + extra)
        return width + _CELL_PADDING

    def fit(self) -> None:
        """Size every column to its content (limits and the clerk's own widths win)."""
        model = self.view.model()
        header = self.view.horizontalHeader()
        char = self.char_width()
        self._fitting = True
        try:
            for column in range(model.columnCount()):
                if column == self.stretch_column:
                    continue
                if column in self.saved:
                    header.resizeSection(column, max(int(self.saved[column] * char), char * 2))
                    continue
                limit = self.limits.get(column, self.max_chars) * char + _CELL_PADDING
                header.resizeSection(column, min(self.content_width(column), limit))
        finally:
            self._fitting = False
        self._rows_changed()

    def _resort(self) -> None:
        """Sort reloaded rows the way the header shows (the clerk's order, also the remembered one)."""
        header = self.view.horizontalHeader()
        column = header.sortIndicatorSection()
        if self.view.isSortingEnabled() and 0 <= column < self.view.model().columnCount():
            self.view.model().sort(column, header.sortIndicatorOrder())

    def _rows_changed(self, *_args) -> None:
        if not self.wrap_columns:
            return
        # Wrapped text needs rows as high as their text; past the limit rows keep one height.
        many = self.view.model().rowCount() > _WRAPPED_ROWS_LIMIT
        wanted = QHeaderView.Fixed if many else QHeaderView.ResizeToContents
        if getattr(self, "_row_mode", None) != wanted:
            self._row_mode = wanted
            vertical = self.view.verticalHeader()
            # One-line rows as airy as in the other tables; wrapped ones as high as their text.
            vertical.setMinimumSectionSize(self.view.fontMetrics().height() + 10)
            vertical.setSectionResizeMode(wanted)

    # -- remembering ---------------------------------------------------------------------------
    def _key(self, what: str) -> str:
        return f"tables/{self.name}/{what}"

    def _restore(self) -> None:
        from desktop.dialogs.common import app_settings

        settings = app_settings()
        widths = settings.value(self._key("widths"))
        if isinstance(widths, str) and widths:
            for part in widths.split(","):
                column, _, chars = part.partition(":")
                try:
                    self.saved[int(column)] = float(chars)
                except ValueError:
                    continue
        sort = settings.value(self._key("sort"))
        if isinstance(sort, str) and ":" in sort:
            column, _, order = sort.partition(":")
            try:
                column_no = int(column)
            except ValueError:
                return
            if 0 <= column_no < self.view.model().columnCount():
                self.view.sortByColumn(column_no, Qt.DescendingOrder if order == "desc" else Qt.AscendingOrder)

    def _resized(self, column: int, _old: int, new: int) -> None:
        if self._fitting or column == self.stretch_column or not self.view.isVisible():
            return
        # Kept in characters, so a width chosen at 字号 标准 still fits its text at 大.
        self.saved[column] = round(new / self.char_width(), 2)
        from desktop.dialogs.common import app_settings

        app_settings().setValue(self._key("widths"), ",".join(f"{c}:{w}" for c, w in sorted(self.saved.items())))

    def _sorted(self, column: int, order) -> None:
        if column < 0:
            return
        from desktop.dialogs.common import app_settings

        app_settings().setValue(self._key("sort"), f"{column}:{'desc' if order == Qt.DescendingOrder else 'asc'}")


def button(text: str, slot, shortcut: str | None = None, tip: str = "") -> QPushButton:
    """A push button with an optional shortcut (shown in its tooltip)."""
    btn = QPushButton(text)
    btn.clicked.connect(slot)
    if shortcut:
        btn.setShortcut(QKeySequence(shortcut))
        tip = (
            f"{tip}（{QKeySequence(shortcut).toString(QKeySequence.NativeText)}）"
            if tip
            else QKeySequence(shortcut).toString(QKeySequence.NativeText)
        )
    if tip:
        btn.setToolTip(tip)
    return btn


def button_row(*widgets, stretch: bool = True) -> QWidget:
    """Lay buttons (or labels) out left to right."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    if stretch:
        layout.addStretch(1)
    return row


def scaled_font(widget, factor: float, bold: bool = False) -> None:
    """Give ``widget`` a font ``factor`` times the window's, kept so when the 字号 changes."""
    widget.setProperty("fontScale", factor)
    widget.setProperty("fontBold", bold)
    font = QApplication.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)


def refresh_scaled_fonts(root) -> None:
    """Re-apply :func:`scaled_font` under ``root`` after the application font changed."""
    for widget in root.findChildren(QWidget):
        factor = widget.property("fontScale")
        if factor:
            scaled_font(widget, float(factor), bool(widget.property("fontBold")))


def heading(text: str) -> QLabel:
    """A page heading."""
    label = QLabel(text)
    scaled_font(label, 1.35, bold=True)
    return label


def hint(text: str) -> QLabel:
    """A grey line that tells the clerk what the next step is."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555")
    return label


def selected_record(view: QTableView, role):
    """Return the record behind the current row of a view (through its proxy), or None."""
    index = view.currentIndex()
    if not index.isValid() or not view.selectionModel().isSelected(index):
        rows = view.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0]
    return index.data(role)
