"""Questions to the user: messages, confirmations, file pickers, and running a dialog.

Every function here is the single place a page asks something of the user, so a test
answers it by monkeypatching the function (no modal dialog ever blocks a test). File
pickers remember the last folder per purpose in QSettings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from db.paths import user_data_dir


def app_settings() -> QSettings:
    """Return duban's GUI settings, kept as an .ini in the user data folder (tests redirect it)."""
    return QSettings(str(user_data_dir() / "duban-gui.ini"), QSettings.IniFormat)


def last_folder(purpose: str) -> str:
    """Return the folder last used for ``purpose`` (or the home folder)."""
    folder = app_settings().value(f"folders/{purpose}", "")
    return folder if folder and Path(folder).is_dir() else str(Path.home())


def remember_folder(purpose: str, path: str | Path) -> None:
    """Store the folder of ``path`` for ``purpose``."""
    path = Path(path)
    app_settings().setValue(f"folders/{purpose}", str(path if path.is_dir() else path.parent))


def show_error(parent: QWidget | None, message: str, title: str = "无法完成") -> None:
    """Tell the user, in plain Chinese, what went wrong and what to do next."""
    QMessageBox.warning(parent, title, message)


def show_info(parent: QWidget | None, message: str, title: str = "完成") -> None:
    """Tell the user something finished."""
    QMessageBox.information(parent, title, message)


def confirm(parent: QWidget | None, message: str, title: str = "请确认", yes: str = "确定") -> bool:
    """Ask a yes/no question; the safe answer (取消) is the default."""
    box = QMessageBox(QMessageBox.Question, title, message, QMessageBox.NoButton, parent)
    ok = box.addButton(yes, QMessageBox.AcceptRole)
    cancel = box.addButton("取消", QMessageBox.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is ok


def run_dialog(dialog: QDialog) -> bool:
    """Show a dialog modally; return True when the user pressed 确定."""
    return dialog.exec() == QDialog.Accepted


def choose_open_files(parent: QWidget | None, title: str, purpose: str, filters: str) -> list[str]:
    """Pick one or more files to read; remembers the folder."""
    files, _ = QFileDialog.getOpenFileNames(parent, title, last_folder(purpose), filters)
    if files:
        remember_folder(purpose, files[0])
    return files


def choose_open_file(parent: QWidget | None, title: str, purpose: str, filters: str) -> str | None:
    """Pick one file to read; remembers the folder."""
    path, _ = QFileDialog.getOpenFileName(parent, title, last_folder(purpose), filters)
    if path:
        remember_folder(purpose, path)
    return path or None


def choose_save_file(parent: QWidget | None, title: str, purpose: str, suggested: str, filters: str) -> str | None:
    """Pick where to write a file; remembers the folder."""
    start = str(Path(last_folder(purpose)) / suggested)
    path, _ = QFileDialog.getSaveFileName(parent, title, start, filters)
    if path:
        remember_folder(purpose, path)
    return path or None


def choose_folder(parent: QWidget | None, title: str, purpose: str) -> str | None:
    """Pick a folder (for handoffs, a USB stick …); remembers it."""
    path = QFileDialog.getExistingDirectory(parent, title, last_folder(purpose))
    if path:
        remember_folder(purpose, path)
    return path or None
