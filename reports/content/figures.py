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

from db.problems import problem_scope, problem_totals, problems_by_key_work, problems_by_unit
from db.queries import AssignmentState, KeyWorkState
from db.status import BEHIND, LIGHTS, OVERDUE, STATUSES

ON_TIME = "按时报送"
LATE = "逾期报送"
NONE = "未报送"


@dataclass
class UnitStanding:
    """One unit's line in the 比晾晒 ranking."""

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

    @property
    def behind_share(self) -> float:
        """Share (0–100) of the unit's tasks that are 进度滞后 or 逾期."""
        return round(100.0 * self.behind / self.tasks, 1) if self.tasks else 0.0

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


def reporting_by_unit(states: list[AssignmentState], due_date: str | None) -> dict[int, tuple[str, int]]:
    """Return ``{unit_id: (按时报送/逾期报送/未报送, days late)}`` for the units in a round.

    A unit's return counts as in when its last report arrived; it is late when that day is
    after the round's due date.
    """
    latest: dict[int, str | None] = {}
    for s in states:
        stamp = (s.report or {}).get("submitted_at")
        current = latest.get(s.unit_id)
        latest[s.unit_id] = max(filter(None, (current, stamp)), default=None)
    out = {}
    for unit_id, stamp in latest.items():
        if not stamp:
            out[unit_id] = (NONE, 0)
        elif due_date and stamp[:10] > due_date:
            out[unit_id] = (LATE, (date.fromisoformat(stamp[:10]) - date.fromisoformat(due_date)).days)
        else:
            out[unit_id] = (ON_TIME, 0)
    return out


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


def unit_standings(db: sqlite_utils.Database, states: list[AssignmentState], rnd: dict) -> list[UnitStanding]:
    """Return the 比晾晒 ranking: on-time reporting first, then fewest tasks behind, then most problems closed."""
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
        standing.lights[s.light] += 1
    order = {ON_TIME: 0, LATE: 1, NONE: 2}
    ranked = sorted(
        by_unit.values(),
        key=lambda u: (
            order[u.reporting],
            u.days_late,
            u.behind_share,
            -(u.closure_rate or 0),
            -u.problems_closed,
            u.unit,
        ),
    )
    for i, u in enumerate(ranked, 1):
        u.rank = i
    return ranked


__all__ = [
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
