"""The first start: is this PC the supervision office (督办端) or a reporting unit (填报端)?"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
)

from db.mode import MODE_LABELS, OFFICE, TOWNSHIP


class FirstStartDialog(QDialog):
    """Choose the mode; the choice is stored in the new ledger."""

    def __init__(self, db_path: Path, parent=None):
        super().__init__(parent)
        self.setWindowTitle("欢迎使用 duban 督办")
        layout = QVBoxLayout(self)
        intro = QLabel(f"这台电脑上还没有台账。将新建台账文件：\n{db_path}\n\n请选择这台电脑的用法：")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.office = QRadioButton(
            f"{MODE_LABELS[OFFICE]} —— 督查室、两个健康办、营商办：管理任务清单，发出和收回填报表，出通报"
        )
        self.township = QRadioButton(
            f"{MODE_LABELS[TOWNSHIP]} —— 乡镇（街道）或部门：打开收到的填报表，逐项填写后导出交回"
        )
        self.office.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.office)
        group.addButton(self.township)
        layout.addWidget(self.office)
        layout.addWidget(self.township)
        form = QFormLayout()
        self.org = QLineEdit()
        self.org.setPlaceholderText("如 示例县重点工作督办办公室（可以以后再填）")
        form.addRow("本单位名称", self.org)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("新建台账")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict:
        """The chosen mode ('office'/'township') and organisation name."""
        return {"mode": TOWNSHIP if self.township.isChecked() else OFFICE, "org": self.org.text().strip()}
