"""Dialogs of the exchange workflow: which units get handoffs, the import preview, batches."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from db.report_fields import REPORT_FIELD_LABELS
from desktop.dialogs import common as ask
from reports.exchange.importing import OUTCOME_LABELS
from reports.filetypes import RETURN_SUFFIXES

OUTCOME_COLOURS = {"new": "#3fa34d", "changed": "#3d85c6", "rejected": "#d64541"}


def expand_drop(paths: list[Path]) -> list[Path]:
    """Keep what the import can read: workbooks, .zip archives and folders (the back end looks inside)."""
    keep = []
    for path in paths:
        path = Path(path)
        if path.is_dir() or (path.is_file() and path.suffix.lower() in RETURN_SUFFIXES):
            keep.append(path)
    return keep


class UnitChoiceDialog(QDialog):
    """Tick the units that get a handoff workbook."""

    def __init__(self, units: list[tuple[int, str, str]], preselected: set[int], parent=None):
        super().__init__(parent)
        self.setWindowTitle("导出填报表")
        layout = QVBoxLayout(self)
        label = QLabel("勾选要发填报表的单位（默认勾选尚未报齐或被退回的单位）：")
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        for unit_id, name, note in units:
            item = QListWidgetItem(f"{name}　{note}".strip())
            item.setData(Qt.UserRole, unit_id)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if unit_id in preselected else Qt.Unchecked)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        all_btn = QPushButton("全选")
        all_btn.clicked.connect(lambda: self.set_all(True))
        none_btn = QPushButton("全不选")
        none_btn.clicked.connect(lambda: self.set_all(False))
        layout.addWidget(all_btn)
        layout.addWidget(none_btn)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("下一步：选择文件夹")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 520)

    def set_all(self, checked: bool) -> None:
        """Tick or untick every unit."""
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(Qt.Checked if checked else Qt.Unchecked)

    def chosen(self) -> list[int]:
        """The ticked units' ids."""
        return [
            self.list.item(i).data(Qt.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.Checked
        ]


def choose_units(parent, db, round_id: str, preselected: list[int]) -> list[int]:
    """Ask which units get a handoff; an empty list means cancelled or none ticked."""
    from db.board import round_board

    units = [(r["unit_id"], r["unit"], r["state"]) for r in round_board(db, round_id)]
    dialog = UnitChoiceDialog(units, set(preselected) or {u[0] for u in units}, parent)
    if not ask.run_dialog(dialog):
        return []
    chosen = dialog.chosen()
    if not chosen:
        ask.show_error(parent, "没有勾选任何单位。")
    return chosen


def _item(text, colour: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
    if colour:
        item.setForeground(QColor(colour))
    return item


def file_verdict(p) -> tuple[str, str]:
    """Return (what will happen to a returned file, colour) for the preview table."""
    if p.rejected:
        return f"不导入：{p.rejected}", "#d64541"
    if p.duplicate:
        return p.notice or "这个文件已经导入过，不再重复导入。", "#999999"
    if p.needs_force:
        return p.notice or "比已导入的同一张表更旧；勾选下方“仍然导入较旧的文件”才会导入。", "#e69138"
    if not p.to_apply:
        return p.notice or "内容与台账一致，无需改动。", "#999999"
    counts = p.counts
    return f"将导入：新增 {counts['new']} 条，修改 {counts['changed']} 条", "#3fa34d"


class PreviewDialog(QDialog):
    """What importing the returned files would do, file by file and row by row."""

    def __init__(self, previews: list, parent=None, indicator_names: dict[int, str] | None = None):
        super().__init__(parent)
        self.previews = previews
        self.indicator_names = indicator_names or {}
        self.setWindowTitle("导入回收表 — 预览")
        layout = QVBoxLayout(self)
        applicable = sum(1 for p in previews if p.to_apply and not (p.rejected or p.duplicate or p.needs_force))
        self.summary = QLabel(
            f"共 {len(previews)} 个文件，其中 {applicable} 个会写入台账。"
            "点选一个文件，下方显示每一行的处理结果和原因。导入前会自动备份台账。"
        )
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.files = QTableWidget(len(previews), 5)
        self.files.setHorizontalHeaderLabels(["文件", "单位", "轮次", "保存时间", "处理结果"])
        self.files.verticalHeader().setVisible(False)
        self.files.setSelectionBehavior(QTableWidget.SelectRows)
        self.files.setSelectionMode(QTableWidget.SingleSelection)
        for i, p in enumerate(previews):
            verdict, colour = file_verdict(p)
            extra = "；".join([*p.warnings, *p.locked_changes])
            for j, value in enumerate(
                (
                    p.file_name,
                    p.unit,
                    p.round_id,
                    (p.saved_at or "")[:16].replace("T", " "),
                    verdict + (f"（{extra}）" if extra else ""),
                )
            ):
                self.files.setItem(i, j, _item(value, colour if j == 4 else None))
        self.files.horizontalHeader().setStretchLastSection(True)
        self.files.resizeColumnsToContents()
        self.rows = QTableWidget(0, 5)
        self.rows.setHorizontalHeaderLabels(["行号", "编号", "重点工作", "结果", "原因 / 改动"])
        self.rows.verticalHeader().setVisible(False)
        self.rows.horizontalHeader().setStretchLastSection(True)
        self.files.currentCellChanged.connect(lambda row, *_: self.show_rows(row))
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.files)
        splitter.addWidget(self.rows)
        layout.addWidget(splitter, 1)
        self.force_box = QCheckBox("仍然导入较旧的文件（会覆盖后来导入的内容）")
        self.force_box.setVisible(any(p.needs_force for p in previews))
        layout.addWidget(self.force_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("导入")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.force_box.toggled.connect(self._update_ok)
        self._update_ok()
        if previews:
            self.files.selectRow(0)
            self.show_rows(0)
        self.resize(980, 620)

    def _update_ok(self) -> None:
        ok = any(
            p.to_apply and not (p.rejected or p.duplicate) and (not p.needs_force or self.force())
            for p in self.previews
        )
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)

    def force(self) -> bool:
        """Whether the clerk asked to import older files too."""
        return self.force_box.isVisible() and self.force_box.isChecked()

    def show_rows(self, index: int) -> None:
        """List the rows of one file with their outcome and reason."""
        if not (0 <= index < len(self.previews)):
            return
        rows = self.previews[index].rows
        self.rows.setRowCount(len(rows))
        for i, r in enumerate(rows):
            reason = r.reason or "；".join(
                f"{field_label(k, self.indicator_names)}：{_short(old)} → {_short(new)}"
                for k, (old, new) in r.changes.items()
            )
            colour = OUTCOME_COLOURS.get(r.outcome)
            for j, value in enumerate(
                (r.row_number, r.number, r.title, OUTCOME_LABELS.get(r.outcome, r.outcome), reason)
            ):
                self.rows.setItem(i, j, _item(value, colour if j in (3, 4) else None))
        self.rows.resizeColumnsToContents()


def field_label(key: str, indicator_names: dict[int, str] | None = None) -> str:
    """Return the column name a clerk knows for a change key (``percent`` → 完成进度, ``indicator:3`` → 指标名)."""
    if key.startswith("indicator:"):
        try:
            name = (indicator_names or {}).get(int(key.split(":", 1)[1]))
        except ValueError:
            name = None
        return f"指标“{name}”" if name else "指标"
    return REPORT_FIELD_LABELS.get(key, key)


def _short(value) -> str:
    if isinstance(value, float):
        value = f"{value:g}"  # 60.0 is typed and read as 60
    text = "（空）" if value in (None, "") else str(value)
    return text if len(text) <= 30 else text[:28] + "…"


class BatchDialog(QDialog):
    """Pick an import batch to undo."""

    def __init__(self, batches: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle("撤销导入批次")
        layout = QVBoxLayout(self)
        live = [b for b in batches if not b["undone_at"]]
        label = QLabel(
            "选择要撤销的导入批次（最新的在最上面）。撤销后，这批写入的填报恢复为导入前的内容。"
            if live
            else "没有可以撤销的导入批次。"
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        for b in live:
            item = QListWidgetItem(
                f"批次 {b['id']}　{(b['imported_at'] or '')[:16].replace('T', ' ')}　"
                f"{b['unit'] or ''}　{b['round_id'] or ''}　{b['file_name']}　{b['reports']} 条填报"
            )
            item.setData(Qt.UserRole, b["id"])
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("撤销所选批次")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.button(QDialogButtonBox.Ok).setEnabled(bool(live))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if live:
            self.list.setCurrentRow(0)
        self.resize(720, 360)

    def chosen(self) -> int | None:
        """The selected batch id."""
        item = self.list.currentItem()
        return item.data(Qt.UserRole) if item else None


def choose_batch(parent, batches: list[dict]) -> int | None:
    """Ask which import batch to undo."""
    dialog = BatchDialog(batches, parent)
    return dialog.chosen() if ask.run_dialog(dialog) else None
