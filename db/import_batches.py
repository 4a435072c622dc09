"""Import batches: listing them, the original file each kept, and undoing one exactly."""

from __future__ import annotations

import json

import sqlite_utils

from db import progress as progress_mod
from db.errors import DubanError
from db.ledger import audit, now_iso
from db.rounds import ensure_round_open, get_round
from db.text import shown_time

_REVIEW_FIELDS = ("review", "review_comment", "reviewed_at")


def _comparable(snapshot: dict | None) -> dict | None:
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in _REVIEW_FIELDS}


def undo_import(db: sqlite_utils.Database, batch_id: int, source: str = "undo") -> int:
    """Undo an import batch exactly: every report it touched goes back to what it was.

    Refused when a report was changed again after the batch (by a later batch or by hand),
    because undoing would then lose that later change.

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
        for change in changes:
            if change["table_name"] == "problems":
                pid = int(change["row_key"])
                row = db.execute("SELECT state FROM problems WHERE id = ?", [pid]).fetchone()
                if row and row[0] == "open":
                    current = db["problems"].get(pid)
                    db["problems"].delete(pid)
                    audit(db, "problems", pid, None, current, None, f"{source}（撤销批次 {batch_id}）")
                continue
            aid, report_round_id = change["row_key"].split(":", 1)
            before = json.loads(change["before"]) if change["before"] else None
            progress_mod.put_report(db, int(aid), report_round_id, before, f"{source}（撤销批次 {batch_id}）")
            restored += 1
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
