"""The problem list (问题清单) table and its filter by unit, state and round."""

from __future__ import annotations

import sqlite_utils
from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from db.problems import problem_rows
from desktop.models.base import (
    FOREGROUND_ROLE,
    Column,
    RecordTableModel,
    SortRole,
    SourceSortingProxy,
    brush,
    natural_key,
    rows_filter_change,
)

STATE_LABELS = {"open": "未销号", "closed": "已销号"}


def load_problem_rows(db: sqlite_utils.Database) -> list[dict]:
    """Read every problem with its key work and unit names."""
    return problem_rows(db)


class ProblemTableModel(RecordTableModel):
    """Problems raised by units, open ones first: which key work, who raised it when, where it stands."""

    (
        COL_NUMBER,
        COL_KEY_WORK,
        COL_UNIT,
        COL_ROUND,
        COL_TEXT,
        COL_STATE,
        COL_ASSIGNEE,
        COL_AGE,
        COL_RAISED,
        COL_CLOSED,
        COL_NOTE,
    ) = range(11)
    columns = (
        Column("编号", lambda r: r["number"], sort=lambda r: natural_key(r["number"]), align_right=True),
        Column("重点工作", lambda r: r["key_work"], tooltip=lambda r: r["key_work"]),
        Column("提出单位", lambda r: r["unit"]),
        Column("轮次", lambda r: r["round_id"]),
        Column("问题", lambda r: r["text"], tooltip=lambda r: r["text"]),
        Column("状态", lambda r: STATE_LABELS.get(r["state"], r["state"])),
        Column("交办给", lambda r: r["assignee"] or ("未交办" if r["state"] == "open" else "")),
        # Open: days since it was raised; closed: days it took to close.
        Column(
            "天数",
            lambda r: "" if r["age_days"] is None else f"{r['age_days']} 天",
            sort=lambda r: -1 if r["age_days"] is None else r["age_days"],
            align_right=True,
            tooltip=lambda r: "从提出到销号的天数" if r["state"] == "closed" else "提出至今的天数",
        ),
        Column("提出日期", lambda r: (r["raised_at"] or "")[:10]),
        Column("销号日期", lambda r: (r["closed_at"] or "")[:10]),
        Column("办结说明", lambda r: r["close_note"]),
    )

    def extra_data(self, record: dict, column: int, role: int):  # noqa: D102
        if role == FOREGROUND_ROLE:
            if column == self.COL_STATE:
                return brush("#3fa34d" if record["state"] == "closed" else "#d64541")
            if column == self.COL_ASSIGNEE and not record["assignee"]:
                return brush("#999999")
        return None


class ProblemFilterProxy(SourceSortingProxy):
    """Filter problems by unit name, state ('open'/'closed') and round ('' = all)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.unit = ""
        self.state = ""
        self.round_id = ""
        self.setSortRole(SortRole)

    def set_filter(self, *, unit: str | None = None, state: str | None = None, round_id: str | None = None) -> None:
        """Change any of the three filters and refilter once."""
        with rows_filter_change(self):
            if unit is not None:
                self.unit = unit
            if state is not None:
                self.state = state
            if round_id is not None:
                self.round_id = round_id

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: D102, N802
        rec = self.sourceModel().rows[source_row]
        return (
            (not self.unit or rec["unit"] == self.unit)
            and (not self.state or rec["state"] == self.state)
            and (not self.round_id or rec["round_id"] == self.round_id)
        )
