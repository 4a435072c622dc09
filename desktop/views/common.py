"""Small pieces shared by the pages: table views, button rows, HTML escaping."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QWidget


def esc(value) -> str:
    """HTML-escape anything (None becomes an empty string)."""
    return "" if value is None else html.escape(str(value))


def make_table(model, stretch_column: int | None = None, widths: dict[int, int] | None = None) -> QTableView:
    """A sortable, row-selecting table view over ``model`` (usually a proxy).

    Columns are as wide as their header plus two characters unless ``widths`` gives a
    width in Chinese characters; measuring the contents would cost too much on a large ledger.
    """
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    # Fixed row heights: Qt then never measures rows, which matters with 20,000 of them.
    view.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.Interactive)
    header.setHighlightSections(False)
    char = view.fontMetrics().horizontalAdvance("中")
    for col in range(model.columnCount()):
        text = str(model.headerData(col, Qt.Horizontal) or "")
        chars = (widths or {}).get(col, len(text) + 2)
        header.resizeSection(col, char * chars + 16)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.Stretch)
    view.sortByColumn(-1, Qt.AscendingOrder)
    return view


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


def heading(text: str) -> QLabel:
    """A page heading."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.35)
    font.setBold(True)
    label.setFont(font)
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
