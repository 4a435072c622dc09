"""Status, 序时进度 and traffic-light rules. Pure functions, no database access.

The rules, as the supervision office states them:

* 未报送 — no report for the round (not the same as 未启动).
* 已完成 — reported as done, or 完成进度 100.
* 逾期 — a milestone or the end of the task's period has passed (strictly before the
  round's cut-off date) and the work is not done.
* 未启动 — reported as not started, or no progress at all.
* 序时进度 — expected progress is the elapsed share of the task's period at the cut-off;
  a report is 进度滞后 when it is ``yellow_behind`` points or more below that (or the unit
  says so itself), otherwise 序时推进.
* Lights: green when on schedule or done; yellow when ``yellow_behind`` to ``red_behind``
  points behind, or when a milestone falls due within ``due_soon_days`` after the
  cut-off; red when more than ``red_behind`` points behind or overdue. A missing report
  has no light (灰).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

DONE = "已完成"
ON_SCHEDULE = "序时推进"
BEHIND = "进度滞后"
NOT_STARTED = "未启动"
OVERDUE = "逾期"
NOT_SUBMITTED = "未报送"

#: Statuses in the order reports and tables list them.
STATUSES = (DONE, ON_SCHEDULE, BEHIND, OVERDUE, NOT_STARTED, NOT_SUBMITTED)
#: What a unit may report itself (the 推进状态 dropdown).
REPORTABLE_STATUSES = (DONE, ON_SCHEDULE, BEHIND, NOT_STARTED)

GREEN = "绿"
YELLOW = "黄"
RED = "红"
GREY = "灰"
LIGHTS = (RED, YELLOW, GREEN, GREY)

#: How bad a status is when several units' statuses roll up into one.
_SEVERITY = {DONE: 0, ON_SCHEDULE: 1, NOT_STARTED: 2, NOT_SUBMITTED: 3, BEHIND: 4, OVERDUE: 5}
_LIGHT_SEVERITY = {GREEN: 0, GREY: 1, YELLOW: 2, RED: 3}


@dataclass(frozen=True)
class LightThresholds:
    """Per-ledger light thresholds, in points of 完成进度 below 序时进度."""

    yellow_behind: float = 10.0
    red_behind: float = 30.0
    due_soon_days: int = 15

    @classmethod
    def from_dict(cls, data: dict | None) -> LightThresholds:
        """Build thresholds from a stored setting, ignoring unknown keys."""
        data = data or {}
        known = {k: data[k] for k in ("yellow_behind", "red_behind", "due_soon_days") if k in data}
        return cls(**known)


@dataclass(frozen=True)
class ReportFacts:
    """The parts of a unit's report the rules look at."""

    percent: float | None
    reported_status: str | None


@dataclass(frozen=True)
class MilestoneFacts:
    """A milestone's due date and, when met, the date it was met."""

    due: date | None
    done: date | None = None
    phrase: str = ""


@dataclass(frozen=True)
class StatusResult:
    """The judged status of one assignment (or key work) for one round."""

    status: str
    light: str
    expected: float | None = None
    percent: float | None = None
    behind: float | None = None
    overdue: tuple[str, ...] = field(default_factory=tuple)
    due_soon: tuple[str, ...] = field(default_factory=tuple)


def expected_progress(start: date, end: date, cutoff: date) -> float:
    """Return 序时进度: the share (0–100) of the period ``start``–``end`` elapsed at ``cutoff``.

    Both ends count as whole days, so a period of one calendar year is 100 at 31 December
    and 50 or so at 30 June.
    """
    if cutoff < start:
        return 0.0
    if cutoff >= end:
        return 100.0
    total = (end - start).days + 1
    elapsed = (cutoff - start).days + 1
    return round(100.0 * elapsed / total, 1)


def light_for_behind(behind: float | None, thresholds: LightThresholds) -> str:
    """Return the light for a number of points behind 序时进度."""
    if behind is None or behind < thresholds.yellow_behind:
        return GREEN
    if behind <= thresholds.red_behind:
        return YELLOW
    return RED


def _worse_light(a: str, b: str) -> str:
    return a if _LIGHT_SEVERITY[a] >= _LIGHT_SEVERITY[b] else b


def assignment_status(
    report: ReportFacts | None,
    *,
    period: tuple[date, date],
    cutoff: date,
    milestones: Sequence[MilestoneFacts] = (),
    thresholds: LightThresholds = LightThresholds(),
) -> StatusResult:
    """Judge one unit's work on one key work for a round.

    Args:
        report: the unit's report for the round, or None when it sent none.
        period: the task's period (start, end) used for 序时进度.
        cutoff: the round's cut-off date.
        milestones: the key work's milestones.
        thresholds: the ledger's light thresholds.
    """
    expected = expected_progress(period[0], period[1], cutoff)
    if report is None:
        return StatusResult(NOT_SUBMITTED, GREY, expected=expected)

    percent = report.percent
    if report.reported_status == DONE or (percent is not None and percent >= 100):
        return StatusResult(
            DONE, GREEN, expected=expected, percent=percent if percent is not None else 100.0, behind=0.0
        )

    overdue = tuple(
        m.phrase or m.due.isoformat()
        for m in milestones
        if m.due is not None and m.due < cutoff and (m.done is None or m.done > cutoff)
    )
    if period[1] < cutoff and not overdue:
        overdue = (f"{period[1].isoformat()} 到期",)
    due_soon = tuple(
        m.phrase or m.due.isoformat()
        for m in milestones
        if m.due is not None
        and cutoff <= m.due <= cutoff + timedelta(days=thresholds.due_soon_days)
        and (m.done is None or m.done > cutoff)
    )
    behind = None if percent is None else round(max(0.0, expected - percent), 1)
    if percent is None and report.reported_status in (None, NOT_STARTED, ON_SCHEDULE, BEHIND):
        # A report without a figure: trust the unit's own judgement for the light, but a
        # 未启动 against elapsed time is measured as zero progress.
        if report.reported_status in (None, NOT_STARTED):
            behind = round(expected, 1)

    if overdue:
        return StatusResult(OVERDUE, RED, expected, percent, behind, overdue, due_soon)

    light = light_for_behind(behind, thresholds)
    if due_soon:
        light = _worse_light(light, YELLOW)
    if report.reported_status == NOT_STARTED or (not percent and report.reported_status is None):
        return StatusResult(NOT_STARTED, light, expected, percent, behind, overdue, due_soon)
    if report.reported_status == BEHIND or (behind is not None and behind >= thresholds.yellow_behind):
        return StatusResult(BEHIND, _worse_light(light, YELLOW), expected, percent, behind, overdue, due_soon)
    return StatusResult(ON_SCHEDULE, light, expected, percent, behind, overdue, due_soon)


def key_work_status(parts: Sequence[tuple[str, StatusResult]]) -> StatusResult | None:
    """Roll the statuses of a key work's units up into the key work's status.

    Args:
        parts: ``(role, result)`` for every assignment of the key work.

    The lead unit's (牵头) report counts for the task. A task without a lead — typically
    one handed to every township — is as far along as its furthest-behind unit; each
    township still counts separately in the per-unit figures.
    """
    if not parts:
        return None
    leads = [result for role, result in parts if role == "牵头"]
    if leads:
        return max(leads, key=lambda r: _SEVERITY[r.status])
    chosen = max((result for _role, result in parts), key=lambda r: (_SEVERITY[r.status], _LIGHT_SEVERITY[r.light]))
    return chosen


def indicator_ratio(target: float, actual: float | None, direction: str = "at_least") -> float | None:
    """Return how far an indicator is met, as a percentage (100 = met exactly).

    For "at least" targets (新增480户) it is actual / target. For "at most" targets
    (控制在35%以下) it is 100 while the actual stays at or under the target and falls
    in proportion as the actual exceeds it.
    """
    if actual is None:
        return None
    if direction == "at_most":
        if actual <= target:
            return 100.0
        if actual <= 0:
            return 100.0
        return round(100.0 * target / actual, 1)
    if target == 0:
        return 100.0 if actual >= 0 else 0.0
    return round(100.0 * actual / target, 1)


def indicator_met(target: float, actual: float | None, direction: str = "at_least") -> bool | None:
    """Return whether an indicator's target is met (None when no actual was reported)."""
    if actual is None:
        return None
    return actual <= target if direction == "at_most" else actual >= target
