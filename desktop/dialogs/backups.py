"""文件 → 恢复备份: the list of automatic backups of the open ledger."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

_REASONS = {
    "before-import": "导入回收表前",
    "before-undo-import": "撤销导入前",
    "before-restore": "恢复备份前",
    "manual": "手动备份",
    "before-tasklist": "导入任务清单前",
}


def describe_backup(path: Path) -> str:
    """Describe a backup file for a clerk: when, why, how big."""
    when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    reason = next((label for key, label in _REASONS.items() if path.stem.endswith(key)), "自动备份")
    if ".v" in path.name and ".bak" in path.name:
        reason = "升级台账结构前"
    size = path.stat().st_size / 1024
    return f"{when}　{reason}　{size:.0f} KB　{path.name}"


class RestoreBackupDialog(QDialog):
    """Pick one backup of the ledger to restore."""

    def __init__(self, ledger: Path, parent=None):
        super().__init__(parent)
        from db.ledger import list_backups

        self.setWindowTitle("恢复备份")
        self.list = QListWidget()
        backups = list_backups(ledger)
        # Copies taken before a schema migration sit beside the ledger, not in the backups folder.
        backups += sorted(
            Path(ledger).parent.glob(f"{Path(ledger).stem}.v*.bak*"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for path in backups:
            item = QListWidgetItem(describe_backup(path))
            item.setData(256, str(path))
            self.list.addItem(item)
        layout = QVBoxLayout(self)
        text = (
            "选择一个备份，用它替换当前台账。当前台账会先另存为备份。"
            if backups
            else "这个台账还没有备份。每次导入之前程序会自动备份；也可以用 文件 → 立即备份台账。"
        )
        label = QLabel(text)
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("恢复所选备份")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.button(QDialogButtonBox.Ok).setEnabled(bool(backups))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if backups:
            self.list.setCurrentRow(0)
        self.resize(640, 360)

    def chosen(self) -> Path | None:
        """The selected backup file."""
        item = self.list.currentItem()
        return Path(item.data(256)) if item else None
