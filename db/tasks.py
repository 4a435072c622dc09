"""Plans, categories, key works and everything hanging off them, written with audit."""

from __future__ import annotations

from datetime import date

import sqlite_utils

from db.deadlines import parse_deadline
from db.errors import DubanError
from db.ledger import delete_audited, insert_audited, now_iso, update_audited

ROLES = ("牵头", "责任", "配合")


def add_plan(
    db: sqlite_utils.Database,
    title: str,
    year: int | None = None,
    doc_no: str | None = None,
    issuer: str | None = None,
    source_file: str | None = None,
    source: str = "manual",
) -> int:
    """Register a source document (plan) and return its id."""
    return insert_audited(
        db,
        "plans",
        {
            "title": title,
            "year": year,
            "doc_no": doc_no,
            "issuer": issuer,
            "source_file": source_file,
            "imported_at": now_iso(),
        },
        source,
    )


def plan_year(db: sqlite_utils.Database) -> int:
    """Return the year of the newest plan that has one (deadline phrases are read in it), else this year."""
    row = db.execute("SELECT year FROM plans WHERE year IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else date.today().year


def plan_for_new_key_work(db: sqlite_utils.Database, source: str = "manual") -> int:
    """Return the plan a key work typed in by hand joins: the newest plan, else a new "手工录入" plan."""
    row = db.execute("SELECT id FROM plans ORDER BY id DESC LIMIT 1").fetchone()
    if row:
        return row[0]
    return add_plan(db, "手工录入的重点工作", plan_year(db), source=source)


def category_titles(db: sqlite_utils.Database) -> list[str]:
    """Return every category title once, in plan and document order."""
    return [r[0] for r in db.execute("SELECT DISTINCT title FROM categories ORDER BY plan_id, seq")]


def category_id(db: sqlite_utils.Database, plan_id: int, title: str, source: str = "manual") -> int:
    """Return the id of the plan's category ``title``, creating it at the end if needed."""
    row = db.execute("SELECT id FROM categories WHERE plan_id = ? AND title = ?", [plan_id, title]).fetchone()
    if row:
        return row[0]
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM categories WHERE plan_id = ?", [plan_id]).fetchone()[0]
    return insert_audited(db, "categories", {"plan_id": plan_id, "title": title, "seq": seq}, source)


def add_key_work(
    db: sqlite_utils.Database,
    plan_id: int,
    number: str,
    title: str,
    *,
    category: str | None = None,
    period_phrase: str | None = None,
    targets: list[str] = (),
    measures: list[str] = (),
    plan_year: int | None = None,
    source: str = "manual",
) -> int:
    """Add a key work with its targets and measures; the period phrase sets its dates.

    Raises:
        DubanError: the plan already has a key work with this number.
    """
    if db.execute("SELECT 1 FROM key_works WHERE plan_id = ? AND number = ?", [plan_id, number]).fetchone():
        raise DubanError(f"该计划中已有编号为 {number} 的重点工作。")
    with db.atomic():
        cat = category_id(db, plan_id, category, source) if category else None
        start = end = None
        if period_phrase and plan_year:
            parsed = parse_deadline(period_phrase, plan_year)
            if parsed.period:
                start, end = (d.isoformat() for d in parsed.period)
        order = db.execute("SELECT COALESCE(MAX(sort_order), 0) + 1 FROM key_works").fetchone()[0]
        kw_id = insert_audited(
            db,
            "key_works",
            {
                "plan_id": plan_id,
                "category_id": cat,
                "number": str(number),
                "title": title,
                "period_phrase": period_phrase,
                "start_date": start,
                "end_date": end,
                "sort_order": order,
            },
            source,
        )
        db["targets"].insert_all({"key_work_id": kw_id, "seq": i, "text": t} for i, t in enumerate(targets, 1))
        db["measures"].insert_all({"key_work_id": kw_id, "seq": i, "text": m} for i, m in enumerate(measures, 1))
    return kw_id


def update_key_work(db: sqlite_utils.Database, key_work_id: int, changes: dict, source: str = "manual") -> dict:
    """Change a key work's own fields (title, number, period…), logged field by field."""
    allowed = {"number", "title", "category_id", "period_phrase", "start_date", "end_date", "note", "sort_order"}
    bad = set(changes) - allowed
    if bad:
        raise ValueError(f"not editable: {sorted(bad)}")
    return update_audited(db, "key_works", key_work_id, changes, source)


def _refuse_if_reported(db: sqlite_utils.Database, where: str, params: list, what: str) -> None:
    rounds = [
        r[0]
        for r in db.execute(
            f"SELECT DISTINCT r.round_id FROM reports r JOIN assignments a ON a.id = r.assignment_id "
            f"WHERE {where} ORDER BY r.round_id",
            params,
        )
    ]
    if rounds:
        raise DubanError(
            f"{what}在 {'、'.join(rounds)} 轮次已有填报，删除会丢失这些填报并改变已印发的通报，未删除。"
            "如果这项工作不再督办，请在备注中注明。"
        )


def delete_key_work(db: sqlite_utils.Database, key_work_id: int, source: str = "manual") -> dict:
    """Delete a key work with its targets, measures, milestones and assignments, logged.

    Raises:
        DubanError: a unit has already reported on it (its reports would be lost).
    """
    _refuse_if_reported(db, "a.key_work_id = ?", [key_work_id], "这项重点工作")
    return delete_audited(db, "key_works", key_work_id, source)


def remove_assignment(db: sqlite_utils.Database, assignment_id: int, source: str = "manual") -> dict:
    """Take a unit off a key work, logged; refused once the unit has reported on it."""
    _refuse_if_reported(db, "a.id = ?", [assignment_id], "该单位的这项分工")
    return delete_audited(db, "assignments", assignment_id, source)


def assign(
    db: sqlite_utils.Database,
    key_work_id: int,
    unit_id: int,
    role: str,
    leader: str | None = None,
    liaison: str | None = None,
    source: str = "manual",
) -> int:
    """Give a unit a role on a key work (or change the role it has); return the assignment id."""
    if role not in ROLES:
        raise DubanError(f"分工只能是 {'、'.join(ROLES)}。")
    row = db.execute(
        "SELECT id FROM assignments WHERE key_work_id = ? AND unit_id = ?", [key_work_id, unit_id]
    ).fetchone()
    if row:
        update_audited(db, "assignments", row[0], {"role": role, "leader": leader, "liaison": liaison}, source)
        return row[0]
    return insert_audited(
        db,
        "assignments",
        {"key_work_id": key_work_id, "unit_id": unit_id, "role": role, "leader": leader, "liaison": liaison},
        source,
    )


def add_milestone(
    db: sqlite_utils.Database,
    key_work_id: int,
    phrase: str,
    year: int,
    text: str | None = None,
    source: str = "manual",
) -> int:
    """Add a milestone from a deadline phrase; an unreadable phrase is kept and flagged."""
    parsed = parse_deadline(phrase, year)
    seq = db.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM milestones WHERE key_work_id = ?", [key_work_id]
    ).fetchone()[0]
    return insert_audited(
        db,
        "milestones",
        {
            "key_work_id": key_work_id,
            "seq": seq,
            "phrase": phrase,
            "text": text,
            "due_date": parsed.due.isoformat() if parsed.due else None,
            "understood": int(parsed.understood),
        },
        source,
    )


def mark_milestone_done(db: sqlite_utils.Database, milestone_id: int, done_on: date, source: str = "manual") -> None:
    """Record the date a milestone was met."""
    update_audited(db, "milestones", milestone_id, {"done_date": done_on.isoformat()}, source)


def add_indicator(
    db: sqlite_utils.Database,
    key_work_id: int,
    name: str,
    target_value: float,
    measure_unit: str | None = None,
    direction: str = "at_least",
    year: int | None = None,
    phrase: str | None = None,
    source: str = "manual",
) -> int:
    """Add a quantitative indicator (新增个转企 480 户; 控制在 35% 以下 is ``at_most``)."""
    if direction not in ("at_least", "at_most"):
        raise DubanError("指标方向只能是“不少于”或“不超过”。")
    if direction == "at_least" and target_value <= 0:
        raise DubanError("“不少于”类指标的目标值应大于 0。")
    seq = db.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM indicators WHERE key_work_id = ?", [key_work_id]
    ).fetchone()[0]
    return insert_audited(
        db,
        "indicators",
        {
            "key_work_id": key_work_id,
            "seq": seq,
            "name": name,
            "target_value": target_value,
            "measure_unit": measure_unit,
            "direction": direction,
            "year": year,
            "phrase": phrase,
        },
        source,
    )


def key_work_detail(db: sqlite_utils.Database, key_work_id: int) -> dict:
    """Return a key work with its category, targets, measures, units, milestones and indicators."""
    kw = db["key_works"].get(key_work_id)
    cat = db.execute("SELECT title FROM categories WHERE id = ?", [kw["category_id"]]).fetchone()
    kw["category"] = cat[0] if cat else None
    kw["targets"] = [
        r["text"] for r in db.query("SELECT text FROM targets WHERE key_work_id = ? ORDER BY seq", [key_work_id])
    ]
    kw["measures"] = [
        r["text"] for r in db.query("SELECT text FROM measures WHERE key_work_id = ? ORDER BY seq", [key_work_id])
    ]
    kw["assignments"] = list(
        db.query(
            "SELECT a.id, a.role, a.leader, a.liaison, u.id AS unit_id, u.name AS unit FROM assignments a "
            "JOIN units u ON u.id = a.unit_id WHERE a.key_work_id = ? "
            "ORDER BY CASE a.role WHEN '牵头' THEN 0 WHEN '责任' THEN 1 ELSE 2 END, u.sort_order",
            [key_work_id],
        )
    )
    kw["milestones"] = list(db.query("SELECT * FROM milestones WHERE key_work_id = ? ORDER BY seq", [key_work_id]))
    kw["indicators"] = list(db.query("SELECT * FROM indicators WHERE key_work_id = ? ORDER BY seq", [key_work_id]))
    return kw


def key_work_changes(
    db: sqlite_utils.Database,
    key_work_id: int,
    number: str,
    title: str,
    category: str | None,
    period_phrase: str | None,
    note: str | None,
    source: str = "manual",
) -> dict:
    """Return the ``key_works`` columns an edit of the key work's fields sets (for an audited update).

    A changed 实施阶段 is read again into start and end dates; a new category is created in the
    key work's plan.

    Raises:
        DubanError: another key work of the same plan has this number.
    """
    current = key_work_detail(db, key_work_id)
    changes = {"number": number, "title": title, "period_phrase": period_phrase or None, "note": note or None}
    if changes["period_phrase"] != current["period_phrase"]:
        parsed = parse_deadline(changes["period_phrase"] or "", plan_year(db))
        start, end = (x.isoformat() for x in parsed.period) if parsed.period else (None, None)
        changes.update(start_date=start, end_date=end)
    clash = db.execute(
        "SELECT 1 FROM key_works WHERE plan_id = ? AND number = ? AND id != ?",
        [current["plan_id"], number, key_work_id],
    ).fetchone()
    if clash:
        raise DubanError(f"该计划中已有编号为 {number} 的重点工作，请换一个编号。")
    if (category or None) != current["category"]:
        changes["category_id"] = category_id(db, current["plan_id"], category, source) if category else None
    return changes


def assignments_of(db: sqlite_utils.Database, key_work_id: int) -> list[dict]:
    """Return a key work's assignments (``id``, ``role``, unit ``name``) in the registry's unit order."""
    return list(
        db.query(
            "SELECT a.id, a.role, u.name FROM assignments a JOIN units u ON u.id = a.unit_id "
            "WHERE a.key_work_id = ? ORDER BY u.sort_order",
            [key_work_id],
        )
    )


def open_milestones(db: sqlite_utils.Database, key_work_id: int) -> list[dict]:
    """Return a key work's milestones not yet met (``id``, ``phrase``, ``text``), in order."""
    return list(
        db.query(
            "SELECT id, phrase, text FROM milestones WHERE key_work_id = ? AND done_date IS NULL ORDER BY seq",
            [key_work_id],
        )
    )


def indicator_names(db: sqlite_utils.Database) -> dict[int, str]:
    """Return every indicator's name by its id."""
    return dict(db.execute("SELECT id, name FROM indicators").fetchall())


def latest_indicator_value(db: sqlite_utils.Database, indicator_id: int) -> tuple[float, str] | None:
    """Return an indicator's value in the latest round that reported it, with that round's id."""
    row = db.execute(
        "SELECT ia.value, r.round_id FROM indicator_actuals ia JOIN reports r ON r.id = ia.report_id "
        "JOIN rounds rd ON rd.id = r.round_id WHERE ia.indicator_id = ? ORDER BY rd.cutoff DESC LIMIT 1",
        [indicator_id],
    ).fetchone()
    return (row[0], row[1]) if row else None


def key_work_reports(db: sqlite_utils.Database, key_work_id: int) -> list[dict]:
    """Return one row per round and assigned unit of a key work: the unit's report, if any.

    Newest round first; within a round the lead unit, then responsible, then supporting units.
    A unit that has not reported has ``submitted_at`` None.
    """
    return list(
        db.query(
            "SELECT rd.id AS round_id, rd.state AS round_state, a.id AS assignment_id, u.name AS unit, a.role, "
            "r.percent, r.reported_status, r.progress_text, "
            "r.problems, r.next_steps, r.review, r.review_comment, r.submitted_at, r.source "
            "FROM rounds rd JOIN assignments a ON a.key_work_id = ? JOIN units u ON u.id = a.unit_id "
            "LEFT JOIN reports r ON r.assignment_id = a.id AND r.round_id = rd.id "
            "ORDER BY rd.cutoff DESC, CASE a.role WHEN '牵头' THEN 0 WHEN '责任' THEN 1 ELSE 2 END, u.sort_order",
            [key_work_id],
        )
    )


def key_work_id_by_number(db: sqlite_utils.Database, number: str) -> int | None:
    """Return the id of the key work with this 任务编号 (the first one, if plans share numbers)."""
    row = db.execute("SELECT id FROM key_works WHERE number = ? ORDER BY id", [number]).fetchone()
    return row[0] if row else None


def history(db: sqlite_utils.Database, key_work_id: int) -> list[dict]:
    """Return the audit entries that touch a key work or its assignments and reports, newest first.

    Each entry carries ``unit`` (the unit of the changed report or assignment) and ``round_id``
    (the round of the changed report), None where the entry is about the key work itself or the
    row no longer exists.
    """
    return list(
        db.query(
            """
        SELECT audit_log.*,
          CASE table_name
            WHEN 'reports' THEN (SELECT u.name FROM reports r JOIN assignments a ON a.id = r.assignment_id
                                 JOIN units u ON u.id = a.unit_id WHERE r.id = CAST(audit_log.row_id AS INTEGER))
            WHEN 'assignments' THEN (SELECT u.name FROM assignments a JOIN units u ON u.id = a.unit_id
                                     WHERE a.id = CAST(audit_log.row_id AS INTEGER))
          END AS unit,
          CASE table_name WHEN 'reports' THEN
            (SELECT r.round_id FROM reports r WHERE r.id = CAST(audit_log.row_id AS INTEGER))
          END AS round_id
        FROM audit_log WHERE
          (table_name = 'key_works' AND row_id = :kw)
          OR (table_name = 'assignments' AND row_id IN
                (SELECT CAST(id AS TEXT) FROM assignments WHERE key_work_id = :kw))
          OR (table_name = 'reports' AND row_id IN
                (SELECT CAST(r.id AS TEXT) FROM reports r JOIN assignments a ON a.id = r.assignment_id
                 WHERE a.key_work_id = :kw))
          OR (table_name = 'milestones' AND row_id IN
                (SELECT CAST(id AS TEXT) FROM milestones WHERE key_work_id = :kw))
          OR (table_name = 'indicators' AND row_id IN
                (SELECT CAST(id AS TEXT) FROM indicators WHERE key_work_id = :kw))
        ORDER BY id DESC
        """,
            {"kw": str(key_work_id)},
        )
    )


def key_works_with_lead(db: sqlite_utils.Database) -> list[dict]:
    """Return every key work's number, title, category and lead unit (牵头), in document order."""
    return list(
        db.query(
            "SELECT k.number, k.title, c.title AS category, "
            "(SELECT u.name FROM assignments a JOIN units u ON u.id = a.unit_id "
            " WHERE a.key_work_id = k.id AND a.role = '牵头') AS lead FROM key_works k "
            "LEFT JOIN categories c ON c.id = k.category_id ORDER BY c.seq, k.sort_order"
        )
    )


def ledger_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Return how many key works, units, assignments and rounds the ledger holds."""
    row = db.execute(
        "SELECT (SELECT COUNT(*) FROM key_works), (SELECT COUNT(*) FROM units), "
        "(SELECT COUNT(*) FROM assignments), (SELECT COUNT(*) FROM rounds)"
    ).fetchone()
    return dict(zip(("key_works", "units", "assignments", "rounds"), row, strict=True))


def has_key_works(db: sqlite_utils.Database) -> bool:
    """Return whether the ledger holds any key work yet."""
    return db.execute("SELECT 1 FROM key_works LIMIT 1").fetchone() is not None


def units_by_key_work(db: sqlite_utils.Database) -> dict[int, list[tuple[str, str]]]:
    """Return each key work's ``(role, unit name)`` pairs: lead unit first, then responsible, then supporting."""
    units: dict[int, list[tuple[str, str]]] = {}
    for key_work_id, role, name in db.execute(
        "SELECT a.key_work_id, a.role, u.name FROM assignments a JOIN units u ON u.id = a.unit_id "
        "ORDER BY CASE a.role WHEN '牵头' THEN 0 WHEN '责任' THEN 1 ELSE 2 END, u.sort_order, u.id"
    ):
        units.setdefault(key_work_id, []).append((role, name))
    return units


def key_work_list(db: sqlite_utils.Database) -> list[tuple[int, str, str | None, str, str | None]]:
    """Return ``(id, number, category title, title, 实施阶段)`` of every key work, in document order."""
    return db.execute(
        "SELECT k.id, k.number, c.title, k.title, k.period_phrase FROM key_works k "
        "LEFT JOIN categories c ON c.id = k.category_id ORDER BY COALESCE(c.seq, 0), k.sort_order, k.id"
    ).fetchall()


def indicator_name(db: sqlite_utils.Database, indicator_id: int) -> str | None:
    """Return an indicator's name, or None when there is no such indicator."""
    row = db.execute("SELECT name FROM indicators WHERE id = ?", [indicator_id]).fetchone()
    return row[0] if row else None


def assignments_with_key_works(db: sqlite_utils.Database) -> list[dict]:
    """Return every assignment with its key work's id, number, title and 实施阶段, in document order.

    In a township ledger these are the unit's own tasks.
    """
    return list(
        db.query(
            "SELECT a.id, a.role, k.id AS key_work_id, k.number, k.title, k.period_phrase FROM assignments a "
            "JOIN key_works k ON k.id = a.key_work_id ORDER BY k.sort_order, k.id"
        )
    )


__all__ = [
    "ROLES",
    "add_indicator",
    "add_key_work",
    "add_milestone",
    "add_plan",
    "assign",
    "assignments_of",
    "assignments_with_key_works",
    "category_id",
    "category_titles",
    "delete_key_work",
    "has_key_works",
    "history",
    "indicator_name",
    "indicator_names",
    "key_work_changes",
    "key_work_detail",
    "key_work_id_by_number",
    "key_work_list",
    "key_work_reports",
    "key_works_with_lead",
    "latest_indicator_value",
    "ledger_counts",
    "mark_milestone_done",
    "open_milestones",
    "plan_for_new_key_work",
    "plan_year",
    "remove_assignment",
    "units_by_key_work",
    "update_key_work",
]
