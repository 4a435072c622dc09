"""The figures the bulletin and the annual summary print, read from the ledger.

Statuses and lights come from :mod:`db.queries` (a closed round from its frozen
snapshot). What those do not cover — reporting punctuality (``reports.submitted_at``
against ``rounds.due_date``), milestones due by the cut-off, and problems — is counted
here: a milestone is overdue when its due date is before the cut-off and it was not met
by then (as in :func:`db.status.assignment_status`); a problem belongs to a round's
report when it was raised in that round's returns or an earlier round's (see
:func:`db.problems.problem_scope`) — the returns that raise them arrive after the cut-off.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from db.ledger import get_meta
from db.problems import problem_scope, problem_totals, problems_by_key_work, problems_by_unit
from db.queries import AssignmentState, KeyWorkState
from db.status import (
    BEHIND,
    DONE,
    LIGHTS,
    NOT_STARTED,
    NOT_SUBMITTED,
    ON_SCHEDULE,
    OVERDUE,
    RED,
    STATUSES,
    YELLOW,
)

ON_TIME = "按时报送"
LATE = "逾期报送"
PARTIAL = "部分未报送"
NONE = "未报送"

#: The 比晾晒 weights when the ledger sets none: on schedule, on time, problems resolved.
DEFAULT_WEIGHTS = {"progress": 60, "reporting": 20, "problems": 20}
#: The ledger setting that changes them (a JSON object with those three keys).
WEIGHTS_SETTING = "ranking_weights"


@dataclass
class UnitStanding:
    """One unit's line in the 比晾晒 ranking.

    Attributes:
        tasks: assignments the unit holds this round.
        behind: those 进度滞后 or 逾期.
        good: those 已完成 or 序时推进.
        on_time: those reported by the round's due date.
        missing: those not reported at all.
        reporting: 按时报送 only when every item came on time; 逾期报送 when all came and
            some late; 部分未报送 when some are missing; 未报送 when none came.
        days_late: the latest item's days after the due date.
        score: the weighted score the ranking sorts on (see :func:`unit_standings`).
    """

    unit_id: int
    unit: str
    kind: str
    tasks: int
    behind: int
    reporting: str
    days_late: int = 0
    problems_raised: int = 0
    problems_closed: int = 0
    lights: Counter = field(default_factory=Counter)
    rank: int = 0
    good: int = 0
    on_time: int = 0
    missing: int = 0
    score: float = 0.0

    @property
    def behind_share(self) -> float:
        """Share (0–100) of the unit's tasks that are 进度滞后 or 逾期."""
        return round(100.0 * self.behind / self.tasks, 1) if self.tasks else 0.0

    @property
    def good_share(self) -> float:
        """Share (0–100) of the unit's tasks that are 已完成 or 序时推进."""
        return round(100.0 * self.good / self.tasks, 1) if self.tasks else 0.0

    @property
    def on_time_share(self) -> float:
        """Share (0–100) of the unit's tasks reported by the due date."""
        return round(100.0 * self.on_time / self.tasks, 1) if self.tasks else 0.0

    @property
    def closure_rate(self) -> float | None:
        """The unit's 化解率 in percent, None without problems."""
        return round(100.0 * self.problems_closed / self.problems_raised, 1) if self.problems_raised else None


def key_work_counts(kws: list[KeyWorkState]) -> dict:
    """Return key works by status and by light, counted as :func:`db.queries.status_summary` does.

    The reports already hold the round's key work states; counting them here saves
    judging every assignment of the round twice more.
    """
    by_status = Counter(k.result.status for k in kws)
    by_light = Counter(k.result.light for k in kws)
    return {
        "key_works": len(kws),
        "key_works_by_status": {s: by_status.get(s, 0) for s in STATUSES},
        "key_works_by_light": {light: by_light.get(light, 0) for light in LIGHTS},
    }


def assignment_states(kws: list[KeyWorkState]) -> list[AssignmentState]:
    """Return every assignment state of the key works (what :func:`db.queries.round_states` returns)."""
    return [part for k in kws for part in k.parts]


def _on_time(stamp: str | None, due_date: str | None) -> bool:
    return bool(stamp) and (not due_date or stamp[:10] <= due_date)


def reporting_by_unit(states: list[AssignmentState], due_date: str | None) -> dict[int, tuple[str, int]]:
    """Return ``{unit_id: (按时报送/逾期报送/部分未报送/未报送, days late)}`` for the units in a round.

    A unit reported on time only when every one of its items came by the due date; an item
    still missing makes it 部分未报送 (or 未报送 when none came), whatever the others did.
    Days late count from the due date to the latest item.
    """
    stamps: dict[int, list[str | None]] = {}
    for s in states:
        stamps.setdefault(s.unit_id, []).append((s.report or {}).get("submitted_at"))
    out = {}
    for unit_id, unit_stamps in stamps.items():
        sent = [x for x in unit_stamps if x]
        late = max(sent, default=None)
        days = 0
        if late and due_date and late[:10] > due_date:
            days = (date.fromisoformat(late[:10]) - date.fromisoformat(due_date)).days
        if not sent:
            out[unit_id] = (NONE, 0)
        elif len(sent) < len(unit_stamps):
            out[unit_id] = (PARTIAL, days)
        elif days:
            out[unit_id] = (LATE, days)
        else:
            out[unit_id] = (ON_TIME, 0)
    return out


def ranking_weights(db: sqlite_utils.Database) -> dict[str, float]:
    """Return the ledger's 比晾晒 weights (progress, reporting, problems), defaults where unset."""
    saved = get_meta(db, WEIGHTS_SETTING) or {}
    weights = {key: float(saved.get(key, value)) for key, value in DEFAULT_WEIGHTS.items()}
    if sum(weights.values()) <= 0 or min(weights.values()) < 0:
        return {key: float(value) for key, value in DEFAULT_WEIGHTS.items()}
    return weights


def ranking_method(weights: dict[str, float]) -> str:
    """Return the one sentence printed under the ranking that says how it was made."""
    total = sum(weights.values())
    share = {key: f"{100 * value / total:g}%" for key, value in weights.items()}
    return (
        f"排名方法：综合得分＝已完成或序时推进的任务占比×{share['progress']}＋按时报送的任务占比×{share['reporting']}"
        f"＋问题化解率×{share['problems']}（未提出问题的单位按前两项折算），按得分从高到低排列；"
        "得分相同的，红灯少的在前，再按单位名称排列。"
    )


def milestone_figures(
    db: sqlite_utils.Database, key_work_ids: list[int], cutoff: str, since: str | None = None
) -> dict:
    """Return milestones due by ``cutoff`` (and after ``since``): due, met, overdue and the overdue ones."""
    if not key_work_ids:
        return {"due": 0, "met": 0, "overdue": 0, "pending": 0, "overdue_items": []}
    marks = ",".join("?" * len(key_work_ids))
    params: list = [*key_work_ids, cutoff]
    sql = (
        f"SELECT m.*, k.number, k.title FROM milestones m JOIN key_works k ON k.id = m.key_work_id "
        f"WHERE m.key_work_id IN ({marks}) AND m.due_date IS NOT NULL AND m.due_date <= ?"
    )
    if since:
        sql += " AND m.due_date > ?"
        params.append(since)
    rows = list(db.query(sql + " ORDER BY k.sort_order, m.seq", params))
    met = [m for m in rows if m["done_date"] and m["done_date"] <= cutoff]
    overdue = [m for m in rows if m["due_date"] < cutoff and not (m["done_date"] and m["done_date"] <= cutoff)]
    return {
        "due": len(rows),
        "met": len(met),
        "overdue": len(overdue),
        "pending": len(rows) - len(met) - len(overdue),
        "overdue_items": overdue,
    }


def unit_standings(
    db: sqlite_utils.Database, states: list[AssignmentState], rnd: dict, weights: dict | None = None
) -> list[UnitStanding]:
    """Return the 比晾晒 ranking by weighted score (see :func:`ranking_method`).

    The score is the weighted mean of the unit's share of tasks done or on schedule, its
    share of tasks reported by the due date and its 化解率; a unit that raised no problems
    is scored on the first two alone. Ties: fewer red lights first, then the unit's name.
    """
    weights = weights or ranking_weights(db)
    reporting = reporting_by_unit(states, rnd["due_date"])
    problems = problems_by_unit(db, rnd)
    by_unit: dict[int, UnitStanding] = {}
    for s in states:
        standing = by_unit.get(s.unit_id)
        if standing is None:
            how, late = reporting[s.unit_id]
            p = problems.get(s.unit_id, {"raised": 0, "closed": 0})
            standing = by_unit[s.unit_id] = UnitStanding(
                s.unit_id, s.unit, s.unit_kind, 0, 0, how, late, p["raised"], p["closed"]
            )
        standing.tasks += 1
        standing.behind += s.status in (BEHIND, OVERDUE)
        standing.good += s.status in (DONE, ON_SCHEDULE)
        standing.on_time += _on_time((s.report or {}).get("submitted_at"), rnd["due_date"])
        standing.missing += not (s.report or {}).get("submitted_at")
        standing.lights[s.light] += 1
    for u in by_unit.values():
        parts = [(weights["progress"], u.good_share), (weights["reporting"], u.on_time_share)]
        if u.closure_rate is not None:
            parts.append((weights["problems"], u.closure_rate))
        total = sum(w for w, _v in parts)
        u.score = round(sum(w * v for w, v in parts) / total, 1) if total else 0.0
    ranked = sorted(by_unit.values(), key=lambda u: (-u.score, u.lights.get(RED, 0), u.unit))
    for i, u in enumerate(ranked, 1):
        u.rank = i
    return ranked


def praised_units(standings: list[UnitStanding]) -> list[UnitStanding]:
    """Return the units to praise: every task done or on schedule, every item reported on time."""
    return [u for u in standings if u.tasks and u.good == u.tasks and u.reporting == ON_TIME]


def named_items(kws: list[KeyWorkState]) -> tuple[list[KeyWorkState], list[KeyWorkState]]:
    """Return the key works a 通报 names: red ones and yellow ones.

    Red: a red light (逾期, or behind by more than the red threshold), 未启动 after its
    start, or a lead unit that did not report. Yellow: a yellow light otherwise (behind by
    the yellow threshold, or a milestone due soon).
    """
    red, yellow = [], []
    for k in kws:
        r = k.result
        if (
            r.light == RED
            or r.status == OVERDUE
            or r.status == NOT_SUBMITTED
            or (r.status == NOT_STARTED and (r.expected or 0) > 0)
        ):
            red.append(k)
        elif r.light == YELLOW:
            yellow.append(k)
    return red, yellow


__all__ = [
    "DEFAULT_WEIGHTS",
    "PARTIAL",
    "named_items",
    "praised_units",
    "ranking_method",
    "ranking_weights",
    "assignment_states",
    "key_work_counts",
    "LATE",
    "NONE",
    "ON_TIME",
    "UnitStanding",
    "milestone_figures",
    "problem_scope",
    "problem_totals",
    "problems_by_key_work",
    "problems_by_unit",
    "reporting_by_unit",
    "unit_standings",
]
