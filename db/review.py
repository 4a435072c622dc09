"""Reviewing a unit's reports for a round: accept them, or send them back (退回修改).

One rule for the window and the CLI: accepting covers the reports awaiting review
(pending), sending back covers those not already sent back (pending or accepted). A
report sent back waits for the unit's corrected return, which makes it pending again; to
accept one anyway, name its 任务编号 (the CLI's ``--task``).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from db import progress as progress_mod
from db.errors import DubanError
from db.rounds import ensure_round_open

#: Which reports each decision covers when the clerk does not name them.
REVIEWED_BY_DEFAULT = {"accepted": ("pending",), "returned": ("pending", "accepted")}


def reports_to_review(
    db: sqlite_utils.Database,
    round_id: str,
    unit_id: int,
    decision: str,
    numbers: Iterable[str] | None = None,
) -> list[int]:
    """Return the ids of the unit's reports a decision covers (see the module's rule), in task order.

    Args:
        db: the ledger.
        round_id: the round.
        unit_id: the unit.
        decision: "accepted" or "returned".
        numbers: the 任务编号 the clerk named; those reports are covered whatever their state.

    Raises:
        DubanError: a named 任务编号 the unit has no report for.
    """
    if decision not in REVIEWED_BY_DEFAULT:
        raise ValueError(decision)
    rows = db.execute(
        "SELECT r.id, r.review, k.number FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "JOIN key_works k ON k.id = a.key_work_id WHERE a.unit_id = ? AND r.round_id = ? "
        "ORDER BY k.sort_order, r.id",
        [unit_id, round_id],
    ).fetchall()
    if numbers:
        wanted = {str(n).strip() for n in numbers}
        unknown = wanted - {number for _id, _review, number in rows}
        if unknown:
            raise DubanError(f"该单位本轮没有任务编号为 {'、'.join(sorted(unknown))} 的填报。")
        return [report_id for report_id, _review, number in rows if number in wanted]
    return [report_id for report_id, review, _number in rows if review in REVIEWED_BY_DEFAULT[decision]]


def review_unit(
    db: sqlite_utils.Database,
    round_id: str,
    unit_id: int,
    decision: str,
    comment: str | None = None,
    numbers: Iterable[str] | None = None,
    source: str = "manual",
) -> int:
    """Accept a unit's reports for a round, or send them back (退回修改) with a comment.

    Args:
        db: the ledger.
        round_id: an open round.
        unit_id: the unit.
        decision: "accepted" or "returned".
        comment: required when sending back; shown beside the rows in the next handoff.
        numbers: only the key works with these 任务编号 (default: :func:`reports_to_review`'s rule).
        source: who did it, for the audit log.

    Returns:
        The number of reports reviewed.

    Raises:
        DubanError: a closed round, or nothing to review.
    """
    rnd = ensure_round_open(db, round_id)
    report_ids = reports_to_review(db, rnd["id"], unit_id, decision, numbers)
    if not report_ids:
        has_reports = db.execute(
            "SELECT 1 FROM reports r JOIN assignments a ON a.id = r.assignment_id WHERE a.unit_id = ? AND r.round_id = ?",
            [unit_id, rnd["id"]],
        ).fetchone()
        if not has_reports:
            raise DubanError("该单位本轮还没有任何填报，无法审核。")
        if decision == "accepted":
            raise DubanError("该单位本轮没有待审核的填报（退回修改的须等单位重新报送，或用 --task 指定任务编号）。")
        raise DubanError("该单位本轮的填报都已退回修改，无需再退回。")
    with db.atomic():
        for report_id in report_ids:
            progress_mod.review_report(db, report_id, decision, comment, source)
    return len(report_ids)
