"""Closing a round (every assignment's state, light and figures frozen) and re-opening it.

Apart from :mod:`db.rounds` because freezing needs the states :mod:`db.queries` computes,
and :mod:`db.queries` itself builds on :mod:`db.rounds`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit, now_iso
from db.queries import round_states
from db.rounds import ensure_round_open, get_round


@dataclass
class OpenBusiness:
    """What is still open in a round when it is about to be closed: the clerk confirms closing over it."""

    pending: list[dict]
    to_check: list[dict]
    missing: list[dict]

    @property
    def empty(self) -> bool:
        """Whether nothing is left open (closing needs no confirmation)."""
        return not (self.pending or self.to_check or self.missing)

    def lines(self, limit: int = 10) -> list[str]:
        """One Chinese line per kind of open business, naming up to ``limit`` units each."""

        def names(items: list[dict]) -> str:
            units = list(dict.fromkeys(i["unit"] for i in items))
            more = f"等 {len(units)} 个单位" if len(units) > limit else ""
            return "、".join(units[:limit]) + more

        out = []
        if self.pending:
            out.append(f"{len(self.pending)} 条填报待审核（{names(self.pending)}）")
        if self.to_check:
            out.append(f"{len(self.to_check)} 条填报待核实（{names(self.to_check)}）")
        if self.missing:
            out.append(f"{len(self.missing)} 个单位未报送、未报齐或被退回（{names(self.missing)}）")
        return out


def open_business(db: sqlite_utils.Database, round_id: str) -> OpenBusiness:
    """Return the reports still 待审核 or 待核实 and the units still missing in a round."""
    from db.board import missing_units

    rnd = get_round(db, round_id)
    rows = [
        dict(zip(("report_id", "unit", "number", "review", "warnings", "checked"), r, strict=True))
        for r in db.execute(
            "SELECT r.id, u.name, k.number, r.review, r.warnings, r.warnings_checked_at FROM reports r "
            "JOIN assignments a ON a.id = r.assignment_id JOIN units u ON u.id = a.unit_id "
            "JOIN key_works k ON k.id = a.key_work_id WHERE r.round_id = ? ORDER BY u.sort_order, u.id, k.sort_order",
            [rnd["id"]],
        )
    ]
    return OpenBusiness(
        pending=[r for r in rows if r["review"] == "pending"],
        to_check=[r for r in rows if r["warnings"] and not r["checked"]],
        missing=missing_units(db, rnd["id"]),
    )


def close_round(db: sqlite_utils.Database, round_id: str, source: str = "manual", *, force: bool = True) -> int:
    """Close a round and freeze every assignment's status, light and figures.

    A clerk closing a round is asked first: the CLI (``round close R`` without ``--force``) and
    the window pass ``force=False`` until the clerk has seen :func:`open_business` and confirmed.
    Programs that close rounds on purpose (the demo, an undo of a re-open) keep the default.

    Args:
        db: the ledger.
        round_id: an open round.
        source: who closes it, for the audit log.
        force: close even with reports still 待审核 or 待核实 and units missing.

    Returns:
        The number of assignments frozen.

    Raises:
        DubanError: the round is closed, or business is still open and ``force`` is not given.
    """
    row = ensure_round_open(db, round_id)
    if not force:
        business = open_business(db, row["id"])
        if not business.empty:
            raise DubanError(
                f"轮次 {row['id']} 还有：{'；'.join(business.lines())}。关闭后数据冻结，请先处理；确需关闭，请确认后再关"
                f"（命令行加 --force）。"
            )
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
