"""Rounds and the return board of one round (who has reported, who is late, who was sent back)."""

from __future__ import annotations

from datetime import date

import sqlite_utils
from PySide6.QtCore import Qt

from desktop.models.base import Column, RecordTableModel, brush

ROUND_STATE_LABELS = {"open": "进行中", "closed": "已关闭"}

BOARD_NONE = "未报送"
BOARD_PARTIAL = "部分报送"
BOARD_RETURNED = "已退回"
BOARD_PENDING = "待审核"
BOARD_ACCEPTED = "已采纳"
BOARD_COLOURS = {BOARD_NONE: "#d64541", BOARD_PARTIAL: "#e69138", BOARD_RETURNED: "#c27ba0",
                 BOARD_PENDING: "#3d85c6", BOARD_ACCEPTED: "#3fa34d"}


class RoundTableModel(RecordTableModel):
    """Every round: id, kind, cut-off, due date, state."""

    COL_ID, COL_KIND, COL_CUTOFF, COL_DUE, COL_STATE = range(5)
    columns = (
        Column("轮次", lambda r: r["id"]),
        Column("类型", lambda r: r["kind"]),
        Column("截止日期", lambda r: r["cutoff"]),
        Column("报送期限", lambda r: r["due_date"]),
        Column("状态", lambda r: ROUND_STATE_LABELS.get(r["state"], r["state"])),
    )


def load_board_rows(db: sqlite_utils.Database, round_id: str, today: date | None = None) -> list[dict]:
    """Return one row per unit with assignments: counts of reports by review state, and lateness.

    A unit is late when it has not reported everything and the round's due date has
    passed, or when a report arrived after the due date.
    """
    rnd = db.execute("SELECT due_date, state FROM rounds WHERE id = ?", [round_id]).fetchone()
    due = rnd[0] if rnd else None
    today_iso = (today or date.today()).isoformat()
    rows = []
    for r in db.query(
        """
        SELECT u.id, u.name, u.kind,
               COUNT(a.id) AS assigned,
               COUNT(rp.id) AS reported,
               SUM(rp.review = 'accepted') AS accepted,
               SUM(rp.review = 'returned') AS returned,
               SUM(rp.review = 'pending') AS pending,
               MAX(rp.submitted_at) AS last_submitted,
               SUM(CASE WHEN rp.submitted_at > :due_end THEN 1 ELSE 0 END) AS late_reports
        FROM units u
        JOIN assignments a ON a.unit_id = u.id
        LEFT JOIN reports rp ON rp.assignment_id = a.id AND rp.round_id = :round
        GROUP BY u.id ORDER BY u.kind = '乡镇街道', u.sort_order, u.id
        """,
        {"round": round_id, "due_end": (due or "9999-12-31") + "T23:59:59"},
    ):
        r = {k: (v or 0) if k in ("accepted", "returned", "pending", "late_reports") else v for k, v in r.items()}
        missing = r["assigned"] - r["reported"]
        if r["reported"] == 0:
            state = BOARD_NONE
        elif r["returned"]:
            state = BOARD_RETURNED
        elif missing:
            state = BOARD_PARTIAL
        elif r["pending"]:
            state = BOARD_PENDING
        else:
            state = BOARD_ACCEPTED
        r["missing"] = missing
        r["state"] = state
        r["late"] = bool(r["late_reports"]) or bool(missing and due and today_iso > due)
        rows.append(r)
    return rows


class RoundBoardModel(RecordTableModel):
    """The return board of a round, one row per unit."""

    COL_UNIT, COL_KIND, COL_ASSIGNED, COL_REPORTED, COL_MISSING, COL_PENDING, COL_ACCEPTED, COL_RETURNED, \
        COL_LATE, COL_STATE = range(10)
    columns = (
        Column("单位", lambda r: r["name"]),
        Column("类型", lambda r: r["kind"]),
        Column("分工数", lambda r: r["assigned"], sort=lambda r: r["assigned"], align_right=True),
        Column("已报送", lambda r: r["reported"], sort=lambda r: r["reported"], align_right=True),
        Column("未报送", lambda r: r["missing"] or "", sort=lambda r: r["missing"], align_right=True),
        Column("待审核", lambda r: r["pending"] or "", sort=lambda r: r["pending"], align_right=True),
        Column("已采纳", lambda r: r["accepted"] or "", sort=lambda r: r["accepted"], align_right=True),
        Column("已退回", lambda r: r["returned"] or "", sort=lambda r: r["returned"], align_right=True),
        Column("逾期", lambda r: "逾期" if r["late"] else "", sort=lambda r: int(r["late"])),
        Column("状态", lambda r: r["state"]),
    )

    def extra_data(self, record: dict, column: int, role: int):  # noqa: D102
        if role == Qt.ForegroundRole:
            if column == self.COL_STATE:
                return brush(BOARD_COLOURS[record["state"]])
            if column == self.COL_LATE and record["late"]:
                return brush("#d64541")
        return None
