"""The round board (who exported, returned, was sent back, accepted) and the 催报 list."""

from __future__ import annotations

from datetime import date

import sqlite_utils

from db.rounds import get_round


def _by_unit(db: sqlite_utils.Database, sql: str, round_id: str) -> dict[int, tuple]:
    """Run a query grouped by unit for a round; return the rest of each row by its unit id."""
    return {row[0]: tuple(row[1:]) for row in db.execute(sql, [round_id])}


def round_board(db: sqlite_utils.Database, round_id: str) -> list[dict]:
    """Return, per unit with assignments: exported? returned when? late? sent back? accepted?"""
    rnd = get_round(db, round_id)
    due = rnd["due_date"]
    today = date.today().isoformat()
    # One grouped query per table for the whole round, not three per unit (a city's 1,000 units).
    exports = _by_unit(
        db,
        "SELECT unit_id, COUNT(*), MAX(created_at) FROM exports WHERE round_id = ? AND kind = 'handoff' "
        "GROUP BY unit_id",
        rnd["id"],
    )
    batches = _by_unit(
        db,
        "SELECT unit_id, COUNT(*), MIN(imported_at), MAX(imported_at) FROM import_batches "
        "WHERE round_id = ? AND undone_at IS NULL GROUP BY unit_id",
        rnd["id"],
    )
    reports = _by_unit(
        db,
        "SELECT a.unit_id, COUNT(*), SUM(r.review = 'accepted'), SUM(r.review = 'returned'), "
        "SUM(r.review = 'pending'), MIN(r.submitted_at), MAX(r.updated_at) "
        "FROM reports r JOIN assignments a ON a.id = r.assignment_id WHERE r.round_id = ? GROUP BY a.unit_id",
        rnd["id"],
    )
    out = []
    for unit in db.query(
        "SELECT u.id, u.name, u.kind, u.contact, u.phone, COUNT(a.id) AS assignments FROM units u "
        "JOIN assignments a ON a.unit_id = u.id GROUP BY u.id ORDER BY u.kind = '乡镇街道', u.sort_order, u.id"
    ):
        exp = exports.get(unit["id"], (0, None))
        batch = batches.get(unit["id"], (0, None, None))
        reps = reports.get(unit["id"], (0, None, None, None, None, None))
        reported, accepted, returned, pending = reps[0], reps[1] or 0, reps[2] or 0, reps[3] or 0
        first_return = batch[1] or reps[4]
        if returned:
            state = "已退回修改"
        elif reported == 0:
            state = "未返回" if exp[0] else "未发出"
        elif reported < unit["assignments"]:
            state = "部分返回"
        elif pending:
            state = "待审核"
        else:
            state = "已审核通过"
        late = bool(due) and ((first_return[:10] > due) if first_return else today > due)
        out.append(
            {
                "unit_id": unit["id"],
                "unit": unit["name"],
                "kind": unit["kind"],
                "contact": unit["contact"],
                "phone": unit["phone"],
                "assignments": unit["assignments"],
                "exported": exp[0] > 0,
                "exported_at": exp[1],
                "imports": batch[0],
                "returned_at": first_return,
                "last_import_at": batch[2],
                "reported": reported,
                "missing": unit["assignments"] - reported,
                "accepted": accepted,
                "sent_back": returned,
                "pending": pending,
                "late": late,
                "state": state,
            }
        )
    return out


def missing_units(db: sqlite_utils.Database, round_id: str) -> list[dict]:
    """Return the 催报清单: units that have not returned (fully) or were sent back, with contacts."""
    out = []
    for row in round_board(db, round_id):
        if not row["missing"] and not row["sent_back"]:
            continue
        parts = []
        if row["reported"] == 0:
            parts.append("未报送" if row["exported"] else "未报送（尚未导出填报表）")
        elif row["missing"]:
            parts.append(f"缺 {row['missing']} 项未报")
        if row["sent_back"]:
            parts.append(f"{row['sent_back']} 项被退回待修改")
        if row["late"]:
            parts.append("已逾期")
        out.append({**row, "reason": "；".join(parts)})
    return out
