"""The round board (who exported, returned, was sent back, accepted) and the 催报 list."""

from __future__ import annotations

import json
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
        "SUM(r.review = 'pending'), MIN(r.submitted_at), MAX(r.updated_at), "
        "SUM(r.rejected_fields IS NOT NULL), SUM(r.warnings IS NOT NULL AND r.warnings_checked_at IS NULL) "
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
        reps = reports.get(unit["id"], (0, None, None, None, None, None, None, None))
        reported, accepted, returned, pending = reps[0], reps[1] or 0, reps[2] or 0, reps[3] or 0
        partly_rejected, to_check = reps[6] or 0, reps[7] or 0
        first_return = batch[1] or reps[4]
        if returned:
            state = "已退回修改"
        elif partly_rejected:
            state = "部分退回"
        elif reported == 0:
            state = "未返回" if exp[0] else "未发出"
        elif reported < unit["assignments"]:
            state = "未报齐"
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
                "partly_rejected": partly_rejected,
                "to_check": to_check,
                "late": late,
                "state": state,
            }
        )
    return out


def missing_units(db: sqlite_utils.Database, round_id: str) -> list[dict]:
    """Return the 催报清单: units that have not returned (fully), were sent back or 部分退回, with contacts.

    Each unit's ``reasons`` lists, per key work, what the office wants fixed: the send-back
    comment and each field its last return could not be read (任务 7：“完成进度”应为 …);
    its ``items`` names each key work it owes (see :func:`owed_items`).
    """
    out = []
    board = [row for row in round_board(db, round_id) if row["missing"] or row["sent_back"] or row["partly_rejected"]]
    reasons = _row_reasons(db, round_id, [row["unit_id"] for row in board])
    owed = owed_items(db, round_id, [row["unit_id"] for row in board])
    for row in board:
        parts = []
        if row["reported"] == 0:
            parts.append("未报送" if row["exported"] else "未报送（尚未导出填报表）")
        elif row["missing"]:
            parts.append(f"缺 {row['missing']} 项未报")
        if row["sent_back"]:
            parts.append(f"{row['sent_back']} 项被退回待修改")
        if row["partly_rejected"]:
            parts.append(f"{row['partly_rejected']} 项部分退回（有栏目未能导入）")
        if row["late"]:
            parts.append("已逾期")
        out.append(
            {
                **row,
                "reason": "；".join(parts),
                "reasons": reasons.get(row["unit_id"], []),
                "items": owed.get(row["unit_id"], []),
            }
        )
    return out


def _row_reasons(db: sqlite_utils.Database, round_id: str, unit_ids: list[int]) -> dict[int, list[str]]:
    """Return, per unit, one line per key work the office wants fixed (send-back comment, refused fields)."""
    out: dict[int, list[str]] = {}
    for unit_id, number, review, comment, rejected in db.execute(
        "SELECT a.unit_id, k.number, r.review, r.review_comment, r.rejected_fields FROM reports r "
        "JOIN assignments a ON a.id = r.assignment_id JOIN key_works k ON k.id = a.key_work_id "
        "WHERE r.round_id = ? AND a.unit_id IN (SELECT value FROM json_each(?)) "
        "AND (r.review = 'returned' OR r.rejected_fields IS NOT NULL) ORDER BY a.unit_id, k.sort_order, k.id",
        [round_id, json.dumps(unit_ids)],
    ):
        parts = []
        if review == "returned" and comment:
            parts.append(f"退回意见：{comment}")
        parts.extend(f"未导入：{item['reason']}" for item in (json.loads(rejected) if rejected else []))
        if parts:
            out.setdefault(unit_id, []).append(f"任务 {number}：" + "；".join(parts))
    return out


def owed_items(db: sqlite_utils.Database, round_id: str, unit_ids: list[int]) -> dict[int, list[dict]]:
    """Return, per unit, each key work it owes this round, in plan order: not reported, sent back, or 部分退回.

    Each item is ``{"number", "title", "state", "detail"}``: state 未报送, 退回修改 or 部分退回;
    detail is the send-back comment or the fields that could not be imported (may be empty).
    """
    out: dict[int, list[dict]] = {}
    for unit_id, number, title, report_id, review, comment, rejected in db.execute(
        "SELECT a.unit_id, k.number, k.title, r.id, r.review, r.review_comment, r.rejected_fields "
        "FROM assignments a JOIN key_works k ON k.id = a.key_work_id "
        "LEFT JOIN categories c ON c.id = k.category_id "
        "LEFT JOIN reports r ON r.assignment_id = a.id AND r.round_id = ? "
        "WHERE a.unit_id IN (SELECT value FROM json_each(?)) "
        "AND (r.id IS NULL OR r.review = 'returned' OR r.rejected_fields IS NOT NULL) "
        "ORDER BY a.unit_id, COALESCE(c.seq, 0), k.sort_order, k.id",
        [round_id, json.dumps(unit_ids)],
    ):
        if report_id is None:
            state, detail = "未报送", ""
        elif review == "returned":
            state, detail = "退回修改", (comment or "").strip()
        else:
            state = "部分退回"
            detail = "；".join(item["reason"] for item in json.loads(rejected))
        out.setdefault(unit_id, []).append({"number": number, "title": title, "state": state, "detail": detail})
    return out
