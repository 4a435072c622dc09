"""Reports typed or corrected by hand (电话报送、明显笔误), and putting them back exactly.

The office often takes a unit's progress over the phone, or corrects an obvious typo in a
return. Such a report is written by the same :func:`db.progress.save_report` the import uses
(source ``typed``), and its 存在问题 goes to the 问题清单 through
:func:`db.problems.record_problems`, as an imported row's does.

Undo must restore the report *exactly* — review state, time stamps, source and import batch
included — because an import batch can only be undone while its reports are as it left them.
So a typed save keeps a full snapshot of the report before and after (:class:`TypedReport`),
and :func:`undo_typed_report` / :func:`redo_typed_report` write those snapshots back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit
from db.problems import record_problems
from db.progress import (
    insert_row,
    put_report,
    report_snapshot,
    report_value_problems,
    save_report,
)
from db.report_fields import FIELD_BY_KEY, REPORT_FIELDS
from db.rounds import ensure_round_open, get_round, previous_round
from db.status import DONE
from db.text import to_halfwidth
from db.values import Cell, ValueProblem, normalise_number

#: Fields the office must fill before a typed report can be saved: (field, label).
REQUIRED_FIELDS = tuple((key, FIELD_BY_KEY[key].label) for key in ("progress_text", "reported_status"))


# ---------------------------------------------------------------------------------------------
# What the form starts with
# ---------------------------------------------------------------------------------------------
@dataclass
class ReportDraft:
    """What the 录入/修改进展 form opens with for one unit on one key work in one round.

    Attributes:
        assignment_id: the unit's assignment.
        round_id: the round being reported.
        unit: the unit's name.
        role: 牵头, 责任 or 配合.
        fields: :data:`db.report_fields.REPORT_FIELDS` values to pre-fill.
        indicator_values: indicator actuals to pre-fill, by indicator id.
        indicators: the key work's indicators (id, name, target_value, measure_unit, direction).
        prefilled_from: ``"current"`` (this round's report), a previous round's id, or None (blank).
        review: the current report's review state (pending/accepted/returned), None without one.
        review_comment: why it was sent back, when it was.
    """

    assignment_id: int
    round_id: str
    unit: str
    role: str
    fields: dict[str, Any]
    indicator_values: dict[int, float | None]
    indicators: list[dict] = field(default_factory=list)
    prefilled_from: str | None = None
    review: str | None = None
    review_comment: str | None = None


def reported_assignments(db: sqlite_utils.Database, key_work_id: int, round_id: str) -> set[int]:
    """Return the assignments of a key work that have a report for the round."""
    return {
        r[0]
        for r in db.execute(
            "SELECT r.assignment_id FROM reports r JOIN assignments a ON a.id = r.assignment_id "
            "WHERE r.round_id = ? AND a.key_work_id = ?",
            [round_id, key_work_id],
        )
    }


def report_draft(db: sqlite_utils.Database, assignment_id: int, round_id: str) -> ReportDraft:
    """Return what to pre-fill: this round's report, or else the previous round's, or blanks.

    Raises:
        DubanError: the assignment or the round does not exist.
    """
    rnd = get_round(db, round_id)
    found = db.execute(
        "SELECT a.key_work_id, a.role, u.name FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.id = ?",
        [assignment_id],
    ).fetchone()
    if found is None:
        raise DubanError("这项分工已不存在（可能刚被取消），请刷新台账后再录入。")
    key_work_id, role, unit = found
    indicators = list(
        db.query(
            "SELECT id, name, target_value, measure_unit, direction FROM indicators WHERE key_work_id = ? ORDER BY seq",
            [key_work_id],
        )
    )
    draft = ReportDraft(assignment_id, rnd["id"], unit, role, dict.fromkeys(REPORT_FIELDS), {}, indicators)
    current = report_snapshot(db, assignment_id, rnd["id"])
    source, origin = current, "current"
    if current is None:
        before = previous_round(db, rnd["id"])
        source = report_snapshot(db, assignment_id, before["id"]) if before else None
        origin = before["id"] if source else None
    if source is not None:
        draft.fields = {k: source.get(k) for k in REPORT_FIELDS}
        known = {ind["id"] for ind in indicators}
        draft.indicator_values = {int(k): v for k, v in source["indicators"].items() if int(k) in known}
        draft.prefilled_from = origin
    if current is not None:
        draft.review, draft.review_comment = current["review"], current["review_comment"]
    return draft


# ---------------------------------------------------------------------------------------------
# Checking what was typed
# ---------------------------------------------------------------------------------------------
def parse_indicator_value(text: str | None, name: str, measure_unit: str | None = None) -> float | None:
    """Read an indicator's actual as a clerk types it (full-width digits, 1,234, a trailing unit).

    Raises:
        DubanError: not a number.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        return normalise_number(Cell(value=text), name, measure_unit)
    except ValueProblem as exc:
        raise DubanError(str(exc)) from None


def check_typed_report(fields: dict[str, Any]) -> list[str]:
    """Return what is wrong with a report as typed (empty when it can be saved), in plain Chinese.

    The rules every stored report is held to (:func:`db.progress.report_value_problems`), plus
    what a form asks of the office: the two fields a typed report must have, a status that agrees
    with 100 %, a phone number made of digits.
    """
    problems = [f"请填写{label}。" for key, label in REQUIRED_FIELDS if fields.get(key) in (None, "")]
    problems += report_value_problems(fields)
    return problems + form_problems(fields)


def form_problems(fields: dict[str, Any]) -> list[str]:
    """Return what a form (the office's or the township's) refuses beyond the stored values' rules.

    A status that disagrees with 100 %, and a phone number that is not made of digits.
    """
    problems = []
    pct = fields.get("percent")
    status = fields.get("reported_status")
    if status == DONE and pct is not None and pct < 100:
        problems.append("推进状态选了“已完成”，完成进度应为 100。")
    if pct == 100 and status not in (None, DONE):
        problems.append("完成进度为 100 时，推进状态应选“已完成”。")
    phone = to_halfwidth(fields.get("phone") or "").strip()
    if phone and not all(ch.isdigit() or ch in "-— ()（）" for ch in phone):
        problems.append("联系电话只能包含数字和“-”。")
    return problems


def parse_typed_percent(text: str | None) -> float | None:
    """Read 完成进度 as a clerk types it into a form (45, 45%, ４５, 八成), by the Excel import's rule.

    Raises:
        DubanError: not a number from 0 to 100.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        return FIELD_BY_KEY["percent"].parse(Cell(value=text))
    except ValueProblem as exc:
        raise DubanError(str(exc)) from None


# ---------------------------------------------------------------------------------------------
# Saving, undoing, redoing
# ---------------------------------------------------------------------------------------------
@dataclass
class TypedReport:
    """One typed save: the report before and after (full snapshots) and the problem it raised."""

    assignment_id: int
    round_id: str
    before: dict | None
    after: dict | None
    changes: dict[str, tuple[Any, Any]]
    problem: dict | None = None


def save_typed_report(
    db: sqlite_utils.Database,
    assignment_id: int,
    round_id: str,
    fields: dict[str, Any],
    indicator_values: dict[int, float | None] | None = None,
    *,
    source: str = "typed",
    raise_problem: bool = True,
) -> TypedReport:
    """Write a report typed in a form, and put its 存在问题 on the problem list.

    Args:
        db: the ledger.
        assignment_id: which unit on which key work.
        round_id: an open round.
        fields: any of :data:`db.report_fields.REPORT_FIELDS`.
        indicator_values: actuals by indicator id (None removes one).
        source: ``typed`` (office) or ``township`` (the township's own form).
        raise_problem: record 存在问题 on the 问题清单 (the office does; a township ledger sends
            its problems to the office in the return instead).

    Returns:
        What is needed to undo and redo the save exactly.

    Raises:
        RoundClosedError: the round is closed (nothing is written).
        DubanError: a value the back end refuses.
    """
    ensure_round_open(db, round_id)
    if isinstance(fields.get("phone"), str):
        # As the import stores it: full-width digits typed with a Chinese input method become plain ones.
        fields = {**fields, "phone": to_halfwidth(fields["phone"]).strip() or None}
    with db.atomic():
        before = report_snapshot(db, assignment_id, round_id)
        changes = save_report(
            db, assignment_id, round_id, fields, indicator_values=indicator_values or {}, source=source
        )
        problem = None
        text = fields.get("problems")
        if raise_problem and text:
            key_work_id, unit_id = db.execute(
                "SELECT key_work_id, unit_id FROM assignments WHERE id = ?", [assignment_id]
            ).fetchone()
            ((problem_id, added),) = record_problems(db, unit_id, round_id, [(key_work_id, text)], source)
            if added:
                problem = next(iter(db.query("SELECT * FROM problems WHERE id = ?", [problem_id])))
        after = report_snapshot(db, assignment_id, round_id)
    return TypedReport(assignment_id, round_id, before, after, changes, problem)


def _label(db: sqlite_utils.Database, assignment_id: int) -> str:
    row = db.execute(
        "SELECT k.number, u.name FROM assignments a JOIN key_works k ON k.id = a.key_work_id "
        "JOIN units u ON u.id = a.unit_id WHERE a.id = ?",
        [assignment_id],
    ).fetchone()
    return f"第 {row[0]} 项 {row[1]}" if row else f"分工 {assignment_id}"


def _same(a: dict | None, b: dict | None) -> bool:
    return (a is None) == (b is None) and (a is None or a == b)


def undo_typed_report(db: sqlite_utils.Database, typed: TypedReport, source: str = "undo") -> None:
    """Put the report back exactly as it was before the typed save; remove the problem it raised.

    The problem stays when it was closed (销号) meanwhile: that closure is later work.

    Raises:
        RoundClosedError: the round was closed since.
        DubanError: the report was changed again since (an import, another correction), so
            undoing would lose that change.
    """
    ensure_round_open(db, typed.round_id)
    current = report_snapshot(db, typed.assignment_id, typed.round_id)
    if not _same(current, typed.after):
        raise DubanError(
            f"{_label(db, typed.assignment_id)} 的填报在这次录入之后又被修改过（导入或再次录入、审核），"
            "无法撤销这次录入；请先撤销之后的修改。"
        )
    with db.atomic():
        put_report(db, typed.assignment_id, typed.round_id, typed.before, source)
        if typed.problem:
            pid = typed.problem["id"]
            row = db.execute("SELECT state FROM problems WHERE id = ?", [pid]).fetchone()
            if row and row[0] == "open":
                db.execute("DELETE FROM problems WHERE id = ?", [pid])
                audit(db, "problems", pid, None, typed.problem, None, source)


def redo_typed_report(db: sqlite_utils.Database, typed: TypedReport, source: str = "redo") -> None:
    """Write the typed save again, exactly as it was first written (same problem id where free).

    Raises:
        RoundClosedError: the round was closed since.
        DubanError: the report was changed since the undo.
    """
    ensure_round_open(db, typed.round_id)
    current = report_snapshot(db, typed.assignment_id, typed.round_id)
    if not _same(current, typed.before):
        raise DubanError(f"{_label(db, typed.assignment_id)} 的填报在撤销之后又被修改过，无法重做这次录入。")
    with db.atomic():
        put_report(db, typed.assignment_id, typed.round_id, typed.after, source)
        if typed.problem:
            problem = dict(typed.problem)
            same_text = db.execute(
                "SELECT 1 FROM problems WHERE key_work_id = ? AND unit_id = ? AND text_key = ?",
                [problem["key_work_id"], problem["unit_id"], problem["text_key"]],
            ).fetchone()
            if same_text:
                # Raised again meanwhile (by an import): that one stays, and is not this save's to undo.
                typed.problem = None
                return
            if db.execute("SELECT 1 FROM problems WHERE id = ?", [problem["id"]]).fetchone():
                problem.pop("id")
            pid = insert_row(db, "problems", problem)
            typed.problem["id"] = pid
            audit(db, "problems", pid, None, None, problem, source)
