"""Closing a round (every assignment's state, light and figures frozen) and re-opening it.

Apart from :mod:`db.rounds` because freezing needs the states :mod:`db.queries` computes,
and :mod:`db.queries` itself builds on :mod:`db.rounds`.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit, now_iso
from db.queries import round_states
from db.rounds import ensure_round_open, get_round


def close_round(db: sqlite_utils.Database, round_id: str, source: str = "manual") -> int:
    """Close a round and freeze every assignment's status, light and figures.

    Returns:
        The number of assignments frozen.
    """
    row = ensure_round_open(db, round_id)
    states = round_states(db, row["id"])
    with db.atomic():
        db.execute("DELETE FROM round_snapshots WHERE round_id = ?", [row["id"]])
        db["round_snapshots"].insert_all(
            {
                "round_id": row["id"],
                "assignment_id": s.assignment_id,
                "key_work_id": s.key_work_id,
                "unit_id": s.unit_id,
                "role": s.role,
                "status": s.result.status,
                "light": s.result.light,
                "percent": s.result.percent,
                "expected": s.result.expected,
                "behind": s.result.behind,
                "detail": json.dumps(
                    {k: v for k, v in asdict(s.result).items() if k in ("overdue", "due_soon")},
                    ensure_ascii=False,
                ),
            }
            for s in states
        )
        closed_at = now_iso()
        db.execute("UPDATE rounds SET state = 'closed', closed_at = ? WHERE id = ?", [closed_at, row["id"]])
        audit(db, "rounds", row["id"], "state", "open", "closed", source)
    return len(states)


def reopen_round(db: sqlite_utils.Database, round_id: str, source: str = "manual") -> None:
    """Re-open a closed round; its frozen figures are dropped and the change is logged."""
    row = get_round(db, round_id)
    if row["state"] == "open":
        raise DubanError(f"轮次“{row['id']}”本来就是进行中。")
    with db.atomic():
        frozen = db.execute("SELECT COUNT(*) FROM round_snapshots WHERE round_id = ?", [row["id"]]).fetchone()[0]
        db.execute("DELETE FROM round_snapshots WHERE round_id = ?", [row["id"]])
        db.execute("UPDATE rounds SET state = 'open', closed_at = NULL WHERE id = ?", [row["id"]])
        audit(db, "rounds", row["id"], "state", "closed", "open", f"{source}（重新打开，解冻 {frozen} 条）")
