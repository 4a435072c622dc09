"""Import batches: listing them, the original file each kept, and undoing one exactly."""

from __future__ import annotations

import json

import sqlite_utils

from db import progress as progress_mod
from db.errors import DubanError
from db.ledger import audit, now_iso
from db.problems import problem_key
from db.rounds import ensure_round_open, get_round
from db.text import shown_time

_REVIEW_FIELDS = ("review", "review_comment", "reviewed_at")


def _comparable(snapshot: dict | None) -> dict | None:
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in _REVIEW_FIELDS}


def _why_problem_stays(db: sqlite_utils.Database, current: dict, added: dict) -> str | None:
    """Why a problem the batch added must survive its undo (others depend on it), or None.

    Kept: a problem 交办 or 销号 since, edited since, or still stated by another report of
    the same unit and key work (a later round's report says the same thing).
    """
    if current["state"] != "open":
        return "已销号"
    if current.get("assignee") and current.get("assignee") != added.get("assignee"):
        return f"已交办给{current['assignee']}"
    if current.get("text") != added.get("text"):
        return "导入后被修改过"
    for round_id, text in db.execute(
        "SELECT r.round_id, r.problems FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE a.unit_id = ? AND a.key_work_id = ? AND r.problems IS NOT NULL",
        [current["unit_id"], current["key_work_id"]],
    ):
        if problem_key(text) == current["text_key"]:
            return f"{round_id} 的填报仍写着这个问题"
    return None


def undo_import(
    db: sqlite_utils.Database, batch_id: int, source: str = "undo", kept_problems: list[str] | None = None
) -> int:
    """Undo an import batch exactly: every report it touched goes back to what it was.

    Refused when a report was changed again after the batch (by a later batch or by hand),
    because undoing would then lose that later change. A problem the batch added is removed
    only when nothing depends on it; one that was 交办 or 销号 since, edited, or is still
    stated by another report stays (and is named in ``kept_problems``).

    Returns:
        The number of reports restored.
    """
    batch = db.execute(
        "SELECT id, round_id, file_name, undone_at FROM import_batches WHERE id = ?", [batch_id]
    ).fetchone()
    if batch is None:
        raise DubanError(f"没有编号为 {batch_id} 的导入批次。可用 duban import-batches 查看批次编号。")
    _id, round_id, file_name, undone_at = batch
    if undone_at:
        raise DubanError(f"导入批次 {batch_id}（{file_name}）已于 {shown_time(undone_at)} 撤销过，无需再撤销。")
    ensure_round_open(db, round_id)
    changes = list(db.query("SELECT * FROM batch_changes WHERE batch_id = ? ORDER BY id DESC", [batch_id]))
    for change in changes:
        if change["table_name"] != "reports":
            continue
        aid, report_round_id = change["row_key"].split(":", 1)
        current = progress_mod.report_snapshot(db, int(aid), report_round_id)
        if _comparable(current) != _comparable(json.loads(change["after"])):
            number = db.execute(
                "SELECT k.number FROM assignments a JOIN key_works k ON k.id = a.key_work_id WHERE a.id = ?", [int(aid)]
            ).fetchone()
            raise DubanError(
                f"导入批次 {batch_id} 之后，任务 {number[0] if number else aid} 的填报内容又被修改过（较新的导入或手工修改），"
                "无法精确撤销；请先撤销较新的批次。"
            )
    restored = 0
    with db.atomic():
        # Reports first: whether a problem is still stated is judged on the reports as they will be.
        for change in changes:
            if change["table_name"] != "reports":
                continue
            aid, report_round_id = change["row_key"].split(":", 1)
            before = json.loads(change["before"]) if change["before"] else None
            progress_mod.put_report(db, int(aid), report_round_id, before, f"{source}（撤销批次 {batch_id}）")
            restored += 1
        for change in changes:
            if change["table_name"] != "problems":
                continue
            pid = int(change["row_key"])
            current = next(iter(db.query("SELECT * FROM problems WHERE id = ?", [pid])), None)
            if current is None:
                continue
            reason = _why_problem_stays(db, current, json.loads(change["after"]) if change["after"] else {})
            if reason:
                if kept_problems is not None:
                    kept_problems.append(f"“{current['text'][:30]}”（{reason}）")
                continue
            db["problems"].delete(pid)
            audit(db, "problems", pid, None, current, None, f"{source}（撤销批次 {batch_id}）")
        stamp = now_iso()
        db.execute("UPDATE import_batches SET undone_at = ? WHERE id = ?", [stamp, batch_id])
        audit(db, "import_batches", batch_id, "undone_at", None, stamp, source)
    return restored


def list_batches(db: sqlite_utils.Database, round_id: str | None = None) -> list[dict]:
    """Return import batches (newest first) with unit name and counts, without the file bytes."""
    sql = (
        "SELECT b.id, b.export_id, b.unit_id, u.name AS unit, b.round_id, b.file_name, b.sha256, b.size, "
        "b.workbook_saved_at, b.imported_at, b.counts, b.forced, b.undone_at, "
        "(SELECT COUNT(*) FROM batch_changes c WHERE c.batch_id = b.id AND c.table_name = 'reports') AS reports "
        "FROM import_batches b LEFT JOIN units u ON u.id = b.unit_id"
    )
    params: list = []
    if round_id:
        sql += " WHERE b.round_id = ?"
        params.append(get_round(db, round_id)["id"])
    rows = list(db.query(sql + " ORDER BY b.id DESC", params))
    for row in rows:
        row["counts"] = json.loads(row["counts"]) if row["counts"] else {}
    return rows


def batch_original(db: sqlite_utils.Database, batch_id: int) -> tuple[str, bytes]:
    """Return the file name and original bytes kept for an import batch."""
    row = db.execute("SELECT file_name, original FROM import_batches WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        raise DubanError(f"没有编号为 {batch_id} 的导入批次。")
    return row[0], row[1]
