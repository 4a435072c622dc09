"""The open ledger of a window: its connection, mode, undo stack and change notices."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from db.errors import DubanError
from db.ledger import get_meta, open_ledger
from db.mode import MODE_LABELS, ledger_mode

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
        self._states_cache: tuple[tuple, list] | None = None

    @property
    def mode(self) -> str:
        """'office' (督办端) or 'township' (填报端)."""
        return ledger_mode(self.db)

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

    def key_work_states(self, round_id: str) -> list:
        """Every key work's judged state for a round (:func:`db.queries.key_work_states`), shared by the pages.

        Judging a large ledger takes seconds; the dashboard and the 台账 both need it for the
        same round. The answer is kept until the ledger file changes: ``total_changes`` counts
        this connection's writes, ``PRAGMA data_version`` those committed by a worker's own
        connection, so nothing stale is ever served.
        """
        from db.queries import key_work_states, ledger_version

        version = (round_id, *ledger_version(self.db))
        if self._states_cache is None or self._states_cache[0] != version:
            self._states_cache = (version, key_work_states(self.db, round_id))
        return self._states_cache[1]

    def reopen(self, db: sqlite_utils.Database, keep_undo: bool = False) -> None:
        """Use a new connection (after the file was replaced, e.g. by 恢复备份)."""
        self.db = db
        # A new connection counts its changes from zero: the cached figures cannot be trusted.
        self._states_cache = None
        if not keep_undo:
            self.undo_stack.clear()

    def notify(self, *areas: str) -> None:
        """Tell the pages which areas changed."""
        self.changed.emit(set(areas) or set(AREAS))

    def close(self) -> None:
        """Close the connection (the lock is released by the window)."""
        self.undo_stack.clear()
        self._states_cache = None
        self.db.close()
