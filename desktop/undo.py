"""Undoable edits: each QUndoCommand calls one db function to do the edit and one to undo it.

The rules and the SQL of every undo live in :mod:`db.undo` (and the db modules it builds on);
a command here only keeps the record the "do" function returned for its "undo" function.

The first application happens in :meth:`LedgerCommand.apply` (so a refused edit raises
:class:`DubanError` before anything reaches the undo stack); the stack's first ``redo``
is then a no-op. Undo and later redo also go through audited writes, so the audit log
shows the edit, its undo and its redo as separate entries with source ``gui-撤销``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from db import undo as ledger_undo
from db.errors import DubanError
from db.ledger import delete_audited, update_audited

if TYPE_CHECKING:
    from desktop.session import LedgerSession

SOURCE = "gui"
UNDO_SOURCE = "gui-撤销"


class LedgerCommand(QUndoCommand):
    """Base of every undoable edit."""

    areas: tuple[str, ...] = ("tasks",)

    def __init__(self, session: LedgerSession, text: str):
        super().__init__(text)
        self.session = session
        self._applied_once = False

    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def apply(self) -> None:
        """Do the edit for the first time; raises DubanError when refused."""
        with self.db.atomic():
            self.forward(first=True)
        self._applied_once = True
        self.session.notify(*self.areas)

    def forward(self, first: bool) -> None:
        """Do (or redo) the edit."""
        raise NotImplementedError

    def backward(self) -> None:
        """Undo the edit."""
        raise NotImplementedError

    def redo(self) -> None:  # noqa: D102 - QUndoCommand hook
        if self._applied_once:
            self._applied_once = False
            return
        self._guarded(lambda: self.forward(first=False), "重做")

    def undo(self) -> None:  # noqa: D102 - QUndoCommand hook
        self._guarded(self.backward, "撤销")

    def _guarded(self, action: Callable[[], None], verb: str) -> None:
        try:
            with self.db.atomic():
                action()
        except DubanError as exc:
            self.setObsolete(True)
            self.session.error.emit(f"无法{verb}“{self.text()}”：{exc}")
        self.session.notify(*self.areas)


# -- generic row commands -----------------------------------------------------------------
class InsertRow(LedgerCommand):
    """A row created by a db function; undo deletes it, redo puts the same row back."""

    def __init__(self, session, text: str, table: str, create: Callable[[], int], areas=("tasks",)):
        super().__init__(session, text)
        self.table = table
        self.create = create
        self.areas = areas
        self.row_id: int | None = None
        self.row: dict | None = None

    def forward(self, first: bool) -> None:  # noqa: D102
        if first:
            self.row_id = self.create()
        else:
            ledger_undo.put_row_back(self.db, self.table, self.row, UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        self.row = delete_audited(self.db, self.table, self.row_id, UNDO_SOURCE)


class UpdateRow(LedgerCommand):
    """Change fields of one row; undo writes the old values back."""

    def __init__(
        self,
        session,
        text: str,
        table: str,
        row_id: Any,
        changes: dict,
        areas=("tasks",),
        writer: Callable[[dict, str], Any] | None = None,
    ):
        super().__init__(session, text)
        self.table = table
        self.row_id = row_id
        self.changes = dict(changes)
        self.areas = areas
        self.writer = writer or (lambda values, source: update_audited(self.db, table, row_id, values, source))
        current = session.db[table].get(row_id)
        self.old = {k: current.get(k) for k in changes}

    def forward(self, first: bool) -> None:  # noqa: D102
        self.writer(self.changes, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        self.writer(self.old, UNDO_SOURCE)


# -- key works and everything hanging off them ---------------------------------------------------
class AddKeyWork(LedgerCommand):
    """Create a key work; undo deletes its whole tree, redo restores it with the same id."""

    def __init__(self, session, create: Callable[[], int], title: str):
        super().__init__(session, f"新增重点工作“{title}”")
        self.create = create
        self.key_work_id: int | None = None
        self.snapshot = None

    def forward(self, first: bool) -> None:  # noqa: D102
        if first:
            self.key_work_id = self.create()
        else:
            ledger_undo.restore_key_work(self.db, self.snapshot, UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        self.snapshot = ledger_undo.delete_key_work(self.db, self.key_work_id, UNDO_SOURCE)


class DeleteKeyWork(LedgerCommand):
    """Delete a key work with its reports; undo puts all of it back."""

    areas = ("tasks", "problems", "rounds")

    def __init__(self, session, key_work_id: int, title: str):
        super().__init__(session, f"删除重点工作“{title}”")
        self.key_work_id = key_work_id

    def forward(self, first: bool) -> None:  # noqa: D102
        self.snapshot = ledger_undo.delete_key_work(self.db, self.key_work_id, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        ledger_undo.restore_key_work(self.db, self.snapshot, UNDO_SOURCE)


class SetKeyWorkTexts(LedgerCommand):
    """Replace a key work's targets and measures (lists of sentences)."""

    def __init__(self, session, key_work_id: int, targets: list[str], measures: list[str]):
        super().__init__(session, "修改目标与举措")
        self.key_work_id = key_work_id
        self.new = {"targets": list(targets), "measures": list(measures)}
        self.old = ledger_undo.key_work_texts(session.db, key_work_id)

    def forward(self, first: bool) -> None:  # noqa: D102
        ledger_undo.set_key_work_texts(self.db, self.key_work_id, self.new, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        ledger_undo.set_key_work_texts(self.db, self.key_work_id, self.old, UNDO_SOURCE)


class RemoveAssignment(LedgerCommand):
    """Take a unit off a key work (its reports for this work go too); undo restores them."""

    areas = ("tasks", "units", "rounds")

    def __init__(self, session, assignment_id: int, label: str):
        super().__init__(session, f"取消分工“{label}”")
        self.assignment_id = assignment_id

    def forward(self, first: bool) -> None:  # noqa: D102
        self.removed = ledger_undo.remove_assignment(self.db, self.assignment_id, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        ledger_undo.restore_assignment(self.db, self.removed, UNDO_SOURCE)


class Assign(LedgerCommand):
    """Give a unit a role on a key work (or change it)."""

    areas = ("tasks", "units", "rounds")

    def __init__(
        self, session, key_work_id: int, unit_id: int, role: str, leader: str | None, liaison: str | None, label: str
    ):
        super().__init__(session, f"分工“{label}”")
        self.args = (key_work_id, unit_id, role, leader, liaison)
        self.before = ledger_undo.assignment_of(session.db, key_work_id, unit_id)
        self.assignment_id = self.before["id"] if self.before else None
        self.created_row: dict | None = None

    def forward(self, first: bool) -> None:  # noqa: D102
        from db.tasks import assign

        if self.created_row is not None:
            ledger_undo.put_row_back(self.db, "assignments", self.created_row, UNDO_SOURCE)
            return
        self.assignment_id = assign(self.db, *self.args, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        self.created_row = ledger_undo.undo_assign(self.db, self.assignment_id, self.before, UNDO_SOURCE)


# -- units ----------------------------------------------------------------------------------------
class AddAlias(LedgerCommand):
    """Teach the registry another name for a unit."""

    areas = ("units",)

    def __init__(self, session, unit_id: int, alias: str):
        super().__init__(session, f"添加别名“{alias}”")
        self.unit_id = unit_id
        self.alias = alias

    def forward(self, first: bool) -> None:  # noqa: D102
        self.key = ledger_undo.add_alias(self.db, self.unit_id, self.alias, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        ledger_undo.remove_alias(self.db, self.unit_id, self.key, UNDO_SOURCE)


class MergeUnits(LedgerCommand):
    """Merge one unit into another; undo gives the merged unit back its rows."""

    areas = ("units", "tasks", "problems", "rounds")

    def __init__(self, session, keep_id: int, merge_id: int):
        keep = session.db["units"].get(keep_id)["name"]
        gone = session.db["units"].get(merge_id)["name"]
        super().__init__(session, f"把“{gone}”并入“{keep}”")
        self.keep_id, self.merge_id = keep_id, merge_id

    def forward(self, first: bool) -> None:  # noqa: D102
        self.merged = ledger_undo.merge_units(self.db, self.keep_id, self.merge_id, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        ledger_undo.unmerge_units(self.db, self.merged, UNDO_SOURCE)


# -- rounds, reviews, problems --------------------------------------------------------------------------
class OpenRound(LedgerCommand):
    """Open a reporting round; undo removes it again while nobody has reported in it."""

    areas = ("rounds", "tasks")

    def __init__(self, session, round_id: str, cutoff=None, due=None, kind=None):
        super().__init__(session, f"开启轮次 {round_id}")
        self.args = (round_id, cutoff, kind, due)

    def forward(self, first: bool) -> None:  # noqa: D102
        from db.rounds import open_round

        round_id, cutoff, kind, due = self.args
        self.row = open_round(self.db, round_id, cutoff, kind, due, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        ledger_undo.unopen_round(self.db, self.row, UNDO_SOURCE)


class CloseRound(LedgerCommand):
    """Close (freeze) a round; undo re-opens it (logged)."""

    areas = ("rounds", "tasks")

    def __init__(self, session, round_id: str, reopen: bool = False):
        super().__init__(session, f"{'重新打开' if reopen else '关闭'}轮次 {round_id}")
        self.round_id = round_id
        self.reopen = reopen

    def _set(self, closed: bool, source: str) -> None:
        from db.round_closing import close_round, reopen_round

        if closed:
            close_round(self.db, self.round_id, source)
        else:
            reopen_round(self.db, self.round_id, source)

    def forward(self, first: bool) -> None:  # noqa: D102
        self._set(not self.reopen, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        self._set(self.reopen, UNDO_SOURCE)


class ReviewReports(LedgerCommand):
    """Accept reports, or send them back (退回) with a comment; undo restores each one's review."""

    areas = ("rounds", "tasks")

    def __init__(self, session, report_ids: list[int], decision: str, comment: str | None, label: str):
        verb = "采纳" if decision == "accepted" else "退回"
        super().__init__(session, f"{verb}{label}的填报")
        self.report_ids = list(report_ids)
        self.decision = decision
        self.comment = comment
        self.before: dict[int, dict] = {}

    def forward(self, first: bool) -> None:  # noqa: D102
        self.before = ledger_undo.review_reports(
            self.db, self.report_ids, self.decision, self.comment, SOURCE if first else UNDO_SOURCE
        )

    def backward(self) -> None:  # noqa: D102
        ledger_undo.restore_reviews(self.db, self.before, UNDO_SOURCE)


class AssignProblem(LedgerCommand):
    """Hand a problem to someone (交办)."""

    areas = ("problems",)

    def __init__(self, session, problem_id: int, assignee: str):
        super().__init__(session, f"交办问题给“{assignee}”")
        self.problem_id = problem_id
        self.assignee = assignee

    def forward(self, first: bool) -> None:  # noqa: D102
        from db.problems import assign_problem

        self.old = assign_problem(self.db, self.problem_id, self.assignee, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        from db.problems import assign_problem

        assign_problem(self.db, self.problem_id, self.old, UNDO_SOURCE)


class CloseProblem(LedgerCommand):
    """Close (销号) a problem; undo opens it again."""

    areas = ("problems",)

    def __init__(self, session, problem_id: int, note: str, closed_on: str | None):
        super().__init__(session, "问题销号")
        self.problem_id = problem_id
        self.note = note
        self.closed_on = closed_on

    def forward(self, first: bool) -> None:  # noqa: D102
        from db.problems import close_problem

        close_problem(self.db, self.problem_id, self.note, self.closed_on, SOURCE if first else UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        from db.problems import reopen_problem

        reopen_problem(self.db, self.problem_id, UNDO_SOURCE)


class SaveReport(LedgerCommand):
    """Type or correct one unit's report for a round (office form or township form).

    Undo and redo put the report back exactly as it was (review state and time stamps too,
    see :mod:`db.typed_reports`), and take back the problem its 存在问题 raised.
    """

    areas = ("tasks", "rounds", "problems")

    def __init__(
        self,
        session,
        assignment_id: int,
        round_id: str,
        fields: dict,
        indicator_values: dict[int, float | None] | None = None,
        source: str = "typed",
        label: str = "",
    ):
        super().__init__(session, f"录入{label}的进展" if label else "填报进展")
        self.assignment_id, self.round_id = assignment_id, round_id
        self.fields, self.values, self.source = dict(fields), dict(indicator_values or {}), source
        self.typed = None

    def forward(self, first: bool) -> None:  # noqa: D102
        from db.typed_reports import redo_typed_report, save_typed_report

        if first:
            self.typed = save_typed_report(
                self.db,
                self.assignment_id,
                self.round_id,
                self.fields,
                self.values,
                source=self.source,
                # The township's problems reach the office's list when the return is imported.
                raise_problem=self.source == "typed",
            )
        else:
            redo_typed_report(self.db, self.typed, UNDO_SOURCE)

    def backward(self) -> None:  # noqa: D102
        from db.typed_reports import undo_typed_report

        undo_typed_report(self.db, self.typed, UNDO_SOURCE)
