"""Writing progress reports and the problem list (问题清单)."""

from __future__ import annotations

import re
from typing import Any

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit, now_iso
from db.rounds import ensure_round_open
from db.status import REPORTABLE_STATUSES
from db.text import remove_spaces, to_halfwidth

REPORT_FIELDS = ("progress_text", "percent", "reported_status", "problems", "next_steps", "reporter", "phone")
#: Excel's limit for one cell; longer text is refused rather than cut.
MAX_CELL_CHARS = 32767


def _check_report_values(fields: dict[str, Any]) -> None:
    pct = fields.get("percent")
    if pct is not None and not (0 <= pct <= 100):
        raise DubanError(f"完成进度应在 0 到 100 之间，收到的是 {pct}。")
    status = fields.get("reported_status")
    if status is not None and status not in REPORTABLE_STATUSES:
        raise DubanError(f"推进状态只能是 {'、'.join(REPORTABLE_STATUSES)}，收到的是“{status}”。")
    for key in ("progress_text", "problems", "next_steps"):
        value = fields.get(key)
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise DubanError(f"文字超过 {MAX_CELL_CHARS} 字（Excel 单元格上限），请精简后再填报。")


def save_report(
    db: sqlite_utils.Database,
    assignment_id: int,
    round_id: str,
    fields: dict[str, Any],
    *,
    indicator_values: dict[int, float | None] | None = None,
    source: str = "typed",
    batch_id: int | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Create or update one unit's report for a round, logging each changed field.

    Args:
        db: the ledger.
        assignment_id: which unit on which key work.
        round_id: an open round.
        fields: any of :data:`REPORT_FIELDS`.
        indicator_values: actual values by indicator id (None removes a value).
        source: "typed", "import" or "township".
        batch_id: the import batch, for imports.

    Returns:
        What changed, ``{field: (old, new)}`` (indicator fields as ``indicator:<id>``).

    Raises:
        RoundClosedError: the round is closed.
        DubanError: a value is out of range.
    """
    rnd = ensure_round_open(db, round_id)
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown report fields: {sorted(unknown)}")
    _check_report_values(fields)
    changes: dict[str, tuple[Any, Any]] = {}
    with db.atomic():
        row = db.execute(
            "SELECT * FROM reports WHERE assignment_id = ? AND round_id = ?", [assignment_id, rnd["id"]]
        ).fetchone()
        stamp = now_iso()
        if row is None:
            record = {
                "assignment_id": assignment_id,
                "round_id": rnd["id"],
                "submitted_at": stamp,
                "updated_at": stamp,
                "source": source,
                "batch_id": batch_id,
                **fields,
            }
            report_id = db["reports"].insert(record).last_pk
            changes = {k: (None, v) for k, v in fields.items() if v not in (None, "")}
            audit(db, "reports", report_id, None, None, record, source)
        else:
            cols = [d[0] for d in db.execute("SELECT * FROM reports LIMIT 0").description]
            current = dict(zip(cols, row, strict=True))
            report_id = current["id"]
            changes = {k: (current[k], v) for k, v in fields.items() if current[k] != v}
            if changes:
                update = {k: v for k, (_o, v) in changes.items()}
                update.update(updated_at=stamp, source=source, batch_id=batch_id)
                if current["review"] == "returned":
                    # A corrected report goes back to the office for review.
                    update["review"] = "pending"
                db["reports"].update(report_id, update)
                for k, (old, new) in changes.items():
                    audit(db, "reports", report_id, k, old, new, source)
        for indicator_id, value in (indicator_values or {}).items():
            old = db.execute(
                "SELECT value FROM indicator_actuals WHERE report_id = ? AND indicator_id = ?",
                [report_id, indicator_id],
            ).fetchone()
            old_value = old[0] if old else None
            if old_value == value:
                continue
            if value is None:
                db.execute(
                    "DELETE FROM indicator_actuals WHERE report_id = ? AND indicator_id = ?", [report_id, indicator_id]
                )
            else:
                db.execute(
                    "INSERT INTO indicator_actuals (report_id, indicator_id, value) VALUES (?, ?, ?) "
                    "ON CONFLICT(report_id, indicator_id) DO UPDATE SET value = excluded.value",
                    [report_id, indicator_id, value],
                )
            changes[f"indicator:{indicator_id}"] = (old_value, value)
            audit(db, "indicator_actuals", f"{report_id}:{indicator_id}", "value", old_value, value, source)
    return changes


def review_report(
    db: sqlite_utils.Database,
    report_id: int,
    decision: str,
    comment: str | None = None,
    source: str = "manual",
) -> None:
    """Accept a report or send it back (退回修改) with a comment for the unit."""
    if decision not in ("accepted", "returned"):
        raise ValueError(decision)
    if decision == "returned" and not (comment or "").strip():
        raise DubanError("退回修改时请写明原因，单位会在下一次的填报表里看到它。")
    with db.atomic():
        report = db["reports"].get(report_id)
        ensure_round_open(db, report["round_id"])
        db["reports"].update(report_id, {"review": decision, "review_comment": comment, "reviewed_at": now_iso()})
        audit(db, "reports", report_id, "review", report["review"], decision, source)
        if comment != report["review_comment"]:
            audit(db, "reports", report_id, "review_comment", report["review_comment"], comment, source)


def problem_key(text: str) -> str:
    """Return the key under which two problem texts count as the same problem."""
    key = remove_spaces(to_halfwidth(text or ""))
    return re.sub(r"[。.；;，,、!！?？]+$", "", key)


def record_problem(
    db: sqlite_utils.Database,
    key_work_id: int,
    unit_id: int,
    round_id: str | None,
    text: str,
    source: str = "typed",
) -> int | None:
    """Add a problem to the 问题清单 unless the same text is already there; return its id.

    Returns None for blank text.
    """
    text = (text or "").strip()
    key = problem_key(text)
    if not key or key in ("无", "暂无", "没有", "无问题"):
        return None
    existing = db.execute(
        "SELECT id FROM problems WHERE key_work_id = ? AND unit_id = ? AND text_key = ?",
        [key_work_id, unit_id, key],
    ).fetchone()
    if existing:
        return existing[0]
    row = {
        "key_work_id": key_work_id,
        "unit_id": unit_id,
        "round_id": round_id,
        "text": text,
        "text_key": key,
        "raised_at": now_iso(),
        "state": "open",
    }
    with db.atomic():
        pid = db["problems"].insert(row).last_pk
        audit(db, "problems", pid, None, None, row, source)
    return pid


def close_problem(
    db: sqlite_utils.Database,
    problem_id: int,
    note: str,
    closed_on: str | None = None,
    source: str = "manual",
) -> None:
    """Close (销号) a problem with a note and a date."""
    if not (note or "").strip():
        raise DubanError("销号时请填写办结说明。")
    with db.atomic():
        current = db["problems"].get(problem_id)
        if current["state"] == "closed":
            raise DubanError("该问题已经销号。")
        update = {"state": "closed", "closed_at": closed_on or now_iso()[:10], "close_note": note.strip()}
        db["problems"].update(problem_id, update)
        for k, v in update.items():
            audit(db, "problems", problem_id, k, current[k], v, source)


def assign_problem(db: sqlite_utils.Database, problem_id: int, assignee: str, source: str = "manual") -> None:
    """Hand a problem to someone (交办)."""
    with db.atomic():
        current = db["problems"].get(problem_id)
        db["problems"].update(problem_id, {"assignee": assignee})
        audit(db, "problems", problem_id, "assignee", current["assignee"], assignee, source)


def problem_figures(db: sqlite_utils.Database, until: str | None = None) -> dict:
    """Return raised, closed and the closure rate (化解率, percent) of the problem list.

    Args:
        until: an ISO date; count only problems raised by then, closed by then.
    """
    if until:
        raised = db.execute("SELECT COUNT(*) FROM problems WHERE substr(raised_at, 1, 10) <= ?", [until]).fetchone()[0]
        closed = db.execute(
            "SELECT COUNT(*) FROM problems WHERE state = 'closed' AND substr(raised_at, 1, 10) <= ? AND substr(closed_at, 1, 10) <= ?",
            [until, until],
        ).fetchone()[0]
    else:
        raised = db.execute("SELECT COUNT(*) FROM problems").fetchone()[0]
        closed = db.execute("SELECT COUNT(*) FROM problems WHERE state = 'closed'").fetchone()[0]
    rate = round(100.0 * closed / raised, 1) if raised else None
    return {"raised": raised, "closed": closed, "open": raised - closed, "rate": rate}
