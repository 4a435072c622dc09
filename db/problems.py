"""The problem list (问题清单): recording the problems units raise, 交办, 销号, and 化解率.

A problem is raised by a unit's report (its 存在问题 text) on one key work; the same text
from the same unit on the same work is one problem, however often it is reported. The
figures of a round's report count the problems that belong to it (:func:`problem_scope`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit, audit_entry, now_iso, update_audited, write_audit_entries
from db.progress import insert_row
from db.text import remove_spaces, to_halfwidth


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
    return record_problems(db, unit_id, round_id, [(key_work_id, text)], source)[0][0]


def record_problems(
    db: sqlite_utils.Database,
    unit_id: int,
    round_id: str | None,
    items: list[tuple[int, str]],
    source: str = "typed",
) -> list[tuple[int | None, bool]]:
    """Add one unit's problems, ``(key_work_id, text)`` each, skipping texts already on the list.

    Returns:
        For each item, the problem's id (None for blank text) and whether it was added now.
    """
    known: dict[tuple[int, str], int] = {}
    if any(problem_key(text) for _kw, text in items):
        known = {
            (kw, key): pid
            for pid, kw, key in db.execute(
                "SELECT id, key_work_id, text_key FROM problems WHERE unit_id = ?", [unit_id]
            )
        }
    results: list[tuple[int | None, bool]] = []
    with db.atomic():
        stamp = now_iso()
        log = []
        for key_work_id, raw in items:
            text = (raw or "").strip()
            key = problem_key(text)
            if not key or key in ("无", "暂无", "没有", "无问题"):
                results.append((None, False))
                continue
            if (key_work_id, key) in known:
                results.append((known[(key_work_id, key)], False))
                continue
            row = {
                "key_work_id": key_work_id,
                "unit_id": unit_id,
                "round_id": round_id,
                "text": text,
                "text_key": key,
                "raised_at": stamp,
                "state": "open",
            }
            pid = insert_row(db, "problems", row)
            known[(key_work_id, key)] = pid
            log.append(audit_entry("problems", pid, None, None, row, source, stamp))
            results.append((pid, True))
        write_audit_entries(db, log)
    return results


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


def assign_problem(
    db: sqlite_utils.Database, problem_id: int, assignee: str | None, source: str = "manual"
) -> str | None:
    """Hand a problem to someone (交办); return whom it was handed to before (for undo)."""
    with db.atomic():
        current = db["problems"].get(problem_id)
        db["problems"].update(problem_id, {"assignee": assignee})
        audit(db, "problems", problem_id, "assignee", current["assignee"], assignee, source)
    return current["assignee"]


def reopen_problem(db: sqlite_utils.Database, problem_id: int, source: str = "manual") -> None:
    """Undo a 销号: the problem is open again, without its closing date and note (logged)."""
    update_audited(db, "problems", problem_id, {"state": "open", "closed_at": None, "close_note": None}, source)


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


def problem_scope(db: sqlite_utils.Database, rnd: dict, since: str | None = None) -> tuple[str, list, str]:
    """Return the SQL condition, its parameters and the closing date that place problems in a round's report.

    A problem belongs to a round's report when it was raised in that round's returns or an
    earlier round's (returns arrive after the cut-off, so the raising date cannot be the
    test), or, raised outside any round, on or before the cut-off. With ``since`` (a
    cut-off date), rounds and dates up to ``since`` are left out. It counts as closed when
    it was closed by the day the round was closed — a closed round therefore prints the
    same figures every time — or, for an open round, by today.
    """
    later = "AND r.cutoff > ?" if since else ""
    condition = (
        f"(p.round_id IN (SELECT r.id FROM rounds r WHERE r.cutoff <= ? {later}) "
        f"OR (p.round_id IS NULL AND substr(p.raised_at, 1, 10) <= ?"
        f"{' AND substr(p.raised_at, 1, 10) > ?' if since else ''}))"
    )
    params = [rnd["cutoff"], *([since] if since else []), rnd["cutoff"], *([since] if since else [])]
    closed_by = (rnd.get("closed_at") or "")[:10] if rnd.get("state") == "closed" else ""
    return condition, params, closed_by or date.today().isoformat()


def _is_closed(problem: dict, closed_by: str) -> bool:
    return problem["state"] == "closed" and bool(problem["closed_at"]) and problem["closed_at"][:10] <= closed_by


def problems_by_unit(db: sqlite_utils.Database, rnd: dict) -> dict[int, dict]:
    """Return ``{unit_id: {raised, closed, open_items}}`` for a round's report (see :func:`problem_scope`)."""
    condition, params, closed_by = problem_scope(db, rnd)
    out: dict[int, dict] = defaultdict(lambda: {"raised": 0, "closed": 0, "open_items": []})
    for p in db.query(
        "SELECT p.*, k.number, k.title AS key_work FROM problems p JOIN key_works k ON k.id = p.key_work_id "
        f"WHERE {condition} ORDER BY k.sort_order, p.id",
        params,
    ):
        entry = out[p["unit_id"]]
        entry["raised"] += 1
        if _is_closed(p, closed_by):
            entry["closed"] += 1
        else:
            entry["open_items"].append(p)
    return dict(out)


def problems_by_key_work(db: sqlite_utils.Database, rnd: dict, since: str | None = None) -> dict[int, dict]:
    """Return ``{key_work_id: {raised, closed}}`` for a round's report, leaving out rounds up to ``since``."""
    condition, params, closed_by = problem_scope(db, rnd, since)
    out: dict[int, dict] = defaultdict(lambda: {"raised": 0, "closed": 0})
    for p in db.query(f"SELECT p.key_work_id, p.state, p.closed_at FROM problems p WHERE {condition}", params):
        out[p["key_work_id"]]["raised"] += 1
        out[p["key_work_id"]]["closed"] += _is_closed(p, closed_by)
    return dict(out)


def problem_totals(db: sqlite_utils.Database, rnd: dict, since: str | None = None) -> dict:
    """Return raised, closed, open and 化解率 (percent, one decimal) for a round's report."""
    per_kw = problems_by_key_work(db, rnd, since)
    raised = sum(v["raised"] for v in per_kw.values())
    closed = sum(v["closed"] for v in per_kw.values())
    rate = round(100.0 * closed / raised, 1) if raised else None
    return {"raised": raised, "closed": closed, "open": raised - closed, "rate": rate}


def problem_rows(db: sqlite_utils.Database, today: str | None = None) -> list[dict]:
    """Return every problem with its key work's number and title, its unit's name and its age, open ones first.

    ``age_days`` counts days from the day it was raised to the day it was closed (销号), or to
    ``today`` (ISO date, default the computer's date) while it is open; None without a raised date.
    """
    from datetime import date

    today = today or date.today().isoformat()
    rows = list(
        db.query(
            "SELECT p.*, k.number, k.title AS key_work, u.name AS unit FROM problems p "
            "JOIN key_works k ON k.id = p.key_work_id JOIN units u ON u.id = p.unit_id "
            "ORDER BY p.state = 'closed', p.raised_at, p.id"
        )
    )
    for row in rows:
        row["age_days"] = _days_between(row["raised_at"], row["closed_at"] if row["state"] == "closed" else today)
    return rows


def _days_between(start: str | None, end: str | None) -> int | None:
    from datetime import date

    try:
        return max(0, (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days)
    except (TypeError, ValueError):
        return None


def problem_unit_names(db: sqlite_utils.Database) -> list[str]:
    """Return the names of the units that raised a problem, departments first, in registry order."""
    return [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT u.name FROM problems p JOIN units u ON u.id = p.unit_id "
            "ORDER BY u.kind = '乡镇街道', u.sort_order"
        )
    ]
