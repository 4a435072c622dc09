"""The open ledger of a window: its connection, mode, undo stack and change notices."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from db.errors import DubanError
from db.ledger import get_meta, open_ledger

MODE_OFFICE = "office"
MODE_TOWNSHIP = "township"
MODE_LABELS = {MODE_OFFICE: "督办端", MODE_TOWNSHIP: "填报端"}

#: Areas a change can touch; pages reload only what concerns them.
AREAS = ("tasks", "units", "rounds", "problems", "reports")


class LedgerSession(QObject):
    """Everything a page needs about the open ledger.

    Pages never open their own connection in the GUI thread; they use :attr:`db`.
    Workers open their own connection from :attr:`path`.
    """

    #: Emitted with the set of areas that changed after an edit, undo, redo or import.
    changed = Signal(object)
    #: Emitted with a plain Chinese message when an edit (or its undo) was refused.
    error = Signal(str)

    def __init__(self, path: str | Path, db: sqlite_utils.Database | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.db = db if db is not None else open_ledger(self.path)
        self.undo_stack = QUndoStack(self)

    @property
    def mode(self) -> str:
        """'office' (督办端) or 'township' (填报端)."""
        return get_meta(self.db, "mode", MODE_OFFICE) or MODE_OFFICE

    @property
    def mode_label(self) -> str:
        """督办端 or 填报端."""
        return MODE_LABELS.get(self.mode, self.mode)

    @property
    def bound_unit_id(self) -> int | None:
        """The unit a township ledger belongs to."""
        value = get_meta(self.db, "bound_unit_id")
        return int(value) if value not in (None, "") else None

    def execute(self, command: QUndoCommand) -> bool:
        """Apply an edit and put it on the undo stack; on a refused edit emit :attr:`error`.

        Returns:
            True when the edit was applied.
        """
        try:
            command.apply()
        except DubanError as exc:
            self.error.emit(str(exc))
            return False
        self.undo_stack.push(command)
        return True

    def notify(self, *areas: str) -> None:
        """Tell the pages which areas changed."""
        self.changed.emit(set(areas) or set(AREAS))

    def close(self) -> None:
        """Close the connection (the lock is released by the window)."""
        self.undo_stack.clear()
        self.db.close()
