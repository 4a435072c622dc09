"""文件 → 恢复备份: the list of automatic backups of the open ledger."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout


def describe_backup(path: Path) -> str:
    """Describe a backup file for a clerk: when, why, how big."""
    from db.ledger import read_backup_file

    backup = read_backup_file(Path(path))
    if backup is None:
        return Path(path).name
    return f"{backup.taken_at:%Y-%m-%d %H:%M:%S}　{backup.label}　{backup.size / 1024:.0f} KB　{backup.path.name}"


def _fill(widget: QListWidget, ledger: Path) -> int:
    """List every backup of ``ledger`` (newest first) in ``widget``; return how many."""
    from db.ledger import backup_catalog

    catalog = backup_catalog(ledger)
    for backup in catalog:
        item = QListWidgetItem(describe_backup(backup.path))
        item.setData(256, str(backup.path))
        widget.addItem(item)
    if catalog:
        widget.setCurrentRow(0)
    return len(catalog)


class RestoreBackupDialog(QDialog):
    """Pick one backup of the ledger to restore."""

    def __init__(self, ledger: Path, parent=None):
        super().__init__(parent)
        self.setWindowTitle("恢复备份")
        self.list = QListWidget()
        backups = _fill(self.list, Path(ledger))
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
        self.resize(640, 360)

    def chosen(self) -> Path | None:
        """The selected backup file."""
        item = self.list.currentItem()
        return Path(item.data(256)) if item else None


class CannotOpenDialog(QDialog):
    """Shown at start when the ledger cannot be opened: say why, and offer its backups."""

    def __init__(self, ledger: Path, message: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("台账打不开")
        layout = QVBoxLayout(self)
        label = QLabel(f"{message}\n\n可以用下面的一个备份恢复（打不开的台账会先另存一份，不会丢）：")
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        count = _fill(self.list, Path(ledger))
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("恢复所选备份")
        buttons.button(QDialogButtonBox.Cancel).setText("退出")
        buttons.button(QDialogButtonBox.Ok).setEnabled(bool(count))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(680, 400)

    def chosen(self) -> Path | None:
        """The selected backup file."""
        item = self.list.currentItem()
        return Path(item.data(256)) if item else None
