"""Rounds and the return board of one round (who has reported, who is late, who was sent back)."""

from __future__ import annotations

import sqlite_utils

from desktop.models.base import FOREGROUND_ROLE, Column, RecordTableModel, brush

ROUND_STATE_LABELS = {"open": "进行中", "closed": "已关闭"}

BOARD_COLOURS = {
    "未发出": "#999999",
    "未返回": "#d64541",
    "未报齐": "#e69138",
    "已退回修改": "#c27ba0",
    "部分退回": "#c27ba0",
    "待审核": "#3d85c6",
    "已审核通过": "#3fa34d",
}


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


def load_board_rows(db: sqlite_utils.Database, round_id: str) -> list[dict]:
    """Return the round's board (one row per unit; see :func:`db.board.round_board`)."""
    from db.board import round_board
    from db.plausibility import unit_warnings

    # Each unit's 待核实 warnings, for the board's tooltip (任务 7：完成进度 40% 低于上轮的 55%).
    warnings: dict[int, list[str]] = {}
    for item in unit_warnings(db, round_id):
        warnings.setdefault(item["unit_id"], []).extend(
            f"任务 {item['number']}：{w['message']}" for w in item["warnings"]
        )
    return [
        {**row, "id": row["unit_id"], "warnings": warnings.get(row["unit_id"], [])} for row in round_board(db, round_id)
    ]


class RoundBoardModel(RecordTableModel):
    """The return board of a round, one row per unit."""

    # 状态 next to the unit: it is what the clerk looks for, and must not scroll out of sight.
    (
        COL_UNIT,
        COL_STATE,
        COL_KIND,
        COL_ASSIGNED,
        COL_EXPORTED,
        COL_REPORTED,
        COL_MISSING,
        COL_PENDING,
        COL_ACCEPTED,
        COL_SENT_BACK,
        COL_TO_CHECK,
        COL_PARTLY,
        COL_RETURNED_AT,
        COL_LATE,
    ) = range(14)
    columns = (
        Column("单位", lambda r: r["unit"], tooltip=lambda r: f"{r['unit']}（{r['kind']}）"),
        Column("状态", lambda r: r["state"]),
        Column("类型", lambda r: r["kind"]),
        Column("分工数", lambda r: r["assignments"], sort=lambda r: r["assignments"], align_right=True),
        # What happened, not what should have: a unit whose reports came another way (typed,
        # imported from an older form) still shows that no 填报表 of this round was exported.
        Column("填报表", lambda r: (r["exported_at"] or "")[:10] if r["exported"] else "未导出"),
        Column("已报送", lambda r: r["reported"], sort=lambda r: r["reported"], align_right=True),
        Column("未报送", lambda r: r["missing"] or "", sort=lambda r: r["missing"], align_right=True),
        Column("待审核", lambda r: r["pending"] or "", sort=lambda r: r["pending"], align_right=True),
        Column("已采纳", lambda r: r["accepted"] or "", sort=lambda r: r["accepted"], align_right=True),
        Column("已退回", lambda r: r["sent_back"] or "", sort=lambda r: r["sent_back"], align_right=True),
        # Plausibility warnings not yet cleared (issue 13); the tooltip lists them.
        Column(
            "待核实",
            lambda r: r["to_check"] or "",
            sort=lambda r: r["to_check"],
            align_right=True,
            tooltip=lambda r: "\n".join(r.get("warnings") or []) or None,
        ),
        Column("部分退回", lambda r: r["partly_rejected"] or "", sort=lambda r: r["partly_rejected"], align_right=True),
        Column("返回时间", lambda r: (r["returned_at"] or "")[:16].replace("T", " ")),
        Column("逾期", lambda r: "逾期" if r["late"] else "", sort=lambda r: int(r["late"])),
    )

    def extra_data(self, record: dict, column: int, role: int):  # noqa: D102
        if role == FOREGROUND_ROLE:
            if column == self.COL_STATE:
                return brush(BOARD_COLOURS.get(record["state"], "#333333"))
            if column == self.COL_LATE and record["late"]:
                return brush("#d64541")
            if column in (self.COL_TO_CHECK, self.COL_PARTLY) and (record["to_check"] or record["partly_rejected"]):
                return brush("#d64541")
        return None
