"""Read the ledger for a round: every assignment's report and judged status.

A closed round is read from its frozen snapshot, so its figures never move; an open
round is judged live with the rules in :mod:`db.status`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from db.deadlines import period_of
from db.ledger import get_meta
from db.rounds import get_round
from db.status import (
    GREY,
    LIGHTS,
    STATUSES,
    LightThresholds,
    MilestoneFacts,
    ReportFacts,
    StatusResult,
    assignment_status,
    key_work_status,
)


@dataclass
class AssignmentState:
    """One assignment in one round: who, what, what they reported, and the judgement."""

    assignment_id: int
    key_work_id: int
    number: str
    title: str
    category: str | None
    unit_id: int
    unit: str
    unit_kind: str
    role: str
    result: StatusResult
    report: dict | None = None
    indicators: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The judged status (shortcut for ``result.status``)."""
        return self.result.status

    @property
    def light(self) -> str:
        """The judged light (shortcut for ``result.light``)."""
        return self.result.light


@dataclass
class KeyWorkState:
    """A key work's rolled-up status for a round, with its units' states."""

    key_work_id: int
    number: str
    title: str
    category: str | None
    lead_unit: str | None
    result: StatusResult
    parts: list[AssignmentState]


def light_thresholds(db: sqlite_utils.Database) -> LightThresholds:
    """Return the ledger's light thresholds (defaults unless the office changed them)."""
    return LightThresholds.from_dict(get_meta(db, "light_thresholds"))


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def round_states(
    db: sqlite_utils.Database,
    round_id: str,
    *,
    unit_id: int | None = None,
    live: bool = False,
) -> list[AssignmentState]:
    """Return every assignment's state for a round, in ledger order.

    Args:
        db: the ledger.
        round_id: the round.
        unit_id: only this unit's assignments.
        live: judge a closed round again from current data instead of its snapshot
            (only closing a round needs this).
    """
    rnd = get_round(db, round_id)
    cutoff = date.fromisoformat(rnd["cutoff"])
    frozen = rnd["state"] == "closed" and not live
    thresholds = light_thresholds(db)

    params: list = [rnd["id"]]
    if frozen:
        sql = """
            SELECT s.assignment_id, s.key_work_id, s.unit_id, s.role, k.number, k.title,
                   c.title AS category, u.name AS unit, u.kind AS unit_kind,
                   s.status, s.light, s.percent, s.expected, s.behind, s.detail,
                   k.sort_order, u.sort_order AS unit_order, c.seq AS category_seq
            FROM round_snapshots s
            JOIN key_works k ON k.id = s.key_work_id
            LEFT JOIN categories c ON c.id = k.category_id
            JOIN units u ON u.id = s.unit_id
            WHERE s.round_id = ?"""
    else:
        sql = """
            SELECT a.id AS assignment_id, a.key_work_id, a.unit_id, a.role, k.number, k.title,
                   c.title AS category, u.name AS unit, u.kind AS unit_kind,
                   k.period_phrase, k.start_date, k.end_date,
                   k.sort_order, u.sort_order AS unit_order, c.seq AS category_seq
            FROM assignments a
            JOIN key_works k ON k.id = a.key_work_id
            LEFT JOIN categories c ON c.id = k.category_id
            JOIN units u ON u.id = a.unit_id
            WHERE ? IS NOT NULL"""
    if unit_id is not None:
        sql += " AND u.id = ?"
        params.append(unit_id)
    sql += " ORDER BY COALESCE(c.seq, 0), k.sort_order, k.id, CASE role WHEN '牵头' THEN 0 WHEN '责任' THEN 1 ELSE 2 END, u.sort_order, u.id"
    rows = list(db.query(sql, params))

    reports = {r["assignment_id"]: r for r in db.query("SELECT * FROM reports WHERE round_id = ?", [rnd["id"]])}
    actuals: dict[int, list[dict]] = defaultdict(list)
    for r in db.query(
        """SELECT ia.report_id, i.id AS indicator_id, i.name, i.target_value, i.measure_unit,
                  i.direction, ia.value
           FROM indicator_actuals ia JOIN indicators i ON i.id = ia.indicator_id
           JOIN reports r ON r.id = ia.report_id WHERE r.round_id = ?
           ORDER BY i.seq, i.id""",
        [rnd["id"]],
    ):
        actuals[r.pop("report_id")].append(r)

    milestones: dict[int, list[MilestoneFacts]] = defaultdict(list)
    if not frozen:
        for m in db.query("SELECT key_work_id, due_date, done_date, phrase FROM milestones"):
            milestones[m["key_work_id"]].append(
                MilestoneFacts(_d(m["due_date"]), _d(m["done_date"]), m["phrase"] or "")
            )

    states: list[AssignmentState] = []
    for row in rows:
        report = reports.get(row["assignment_id"])
        if frozen:
            detail = json.loads(row["detail"] or "{}")
            result = StatusResult(
                row["status"],
                row["light"],
                row["expected"],
                row["percent"],
                row["behind"],
                tuple(detail.get("overdue", ())),
                tuple(detail.get("due_soon", ())),
            )
        else:
            if row["start_date"] and row["end_date"]:
                period = (date.fromisoformat(row["start_date"]), date.fromisoformat(row["end_date"]))
            else:
                period = period_of(row["period_phrase"], cutoff.year)
            facts = None if report is None else ReportFacts(report["percent"], report["reported_status"])
            result = assignment_status(
                facts,
                period=period,
                cutoff=cutoff,
                milestones=milestones.get(row["key_work_id"], ()),
                thresholds=thresholds,
            )
        states.append(
            AssignmentState(
                assignment_id=row["assignment_id"],
                key_work_id=row["key_work_id"],
                number=row["number"],
                title=row["title"],
                category=row["category"],
                unit_id=row["unit_id"],
                unit=row["unit"],
                unit_kind=row["unit_kind"],
                role=row["role"],
                result=result,
                report=report,
                indicators=actuals.get(report["id"], []) if report else [],
            )
        )
    return states


def ledger_version(db: sqlite_utils.Database) -> tuple[int, int]:
    """Return a stamp that changes whenever the ledger may have changed (to keep figures cached).

    ``total_changes`` counts this connection's writes, ``PRAGMA data_version`` those another
    connection (a worker's) committed.
    """
    return db.conn.total_changes, db.execute("PRAGMA data_version").fetchone()[0]


def key_work_states(db: sqlite_utils.Database, round_id: str) -> list[KeyWorkState]:
    """Return every key work's rolled-up state for a round (see :func:`db.status.key_work_status`)."""
    grouped: dict[int, list[AssignmentState]] = {}
    for state in round_states(db, round_id):
        grouped.setdefault(state.key_work_id, []).append(state)
    out = []
    for parts in grouped.values():
        result = key_work_status([(p.role, p.result) for p in parts])
        lead = next((p.unit for p in parts if p.role == "牵头"), None)
        first = parts[0]
        out.append(KeyWorkState(first.key_work_id, first.number, first.title, first.category, lead, result, parts))
    return out


def status_summary(db: sqlite_utils.Database, round_id: str) -> dict:
    """Return counts for a round: assignments by status, by light, by unit; key works by status."""
    rnd = get_round(db, round_id)
    states = round_states(db, round_id)
    by_status = Counter(s.status for s in states)
    by_light = Counter(s.light for s in states)
    by_unit: dict[str, Counter] = defaultdict(Counter)
    unit_order = {
        name: i
        for i, (name,) in enumerate(db.execute("SELECT name FROM units ORDER BY kind = '乡镇街道', sort_order, id"))
    }
    for s in states:
        by_unit[s.unit][s.status] += 1
    kws = key_work_states(db, round_id)
    kw_status = Counter(k.result.status for k in kws)
    kw_light = Counter(k.result.light for k in kws)
    return {
        "round": rnd["id"],
        "kind": rnd["kind"],
        "cutoff": rnd["cutoff"],
        "state": rnd["state"],
        "assignments": len(states),
        "by_status": {s: by_status.get(s, 0) for s in STATUSES},
        "by_light": {light: by_light.get(light, 0) for light in LIGHTS},
        "by_unit": {
            unit: {s: counts[s] for s in STATUSES if counts.get(s)}
            for unit, counts in sorted(by_unit.items(), key=lambda kv: unit_order.get(kv[0], 0))
        },
        "key_works": len(kws),
        "key_works_by_status": {s: kw_status.get(s, 0) for s in STATUSES},
        "key_works_by_light": {light: kw_light.get(light, 0) for light in LIGHTS},
    }


def progress_rows(db: sqlite_utils.Database, round_id: str, unit_id: int | None = None) -> list[dict]:
    """Return one flat record per assignment: unit, key work, every report field, status, light."""
    out = []
    for s in round_states(db, round_id, unit_id=unit_id):
        r = s.report or {}
        source = None
        if r:
            source = "录入" if r.get("source") == "typed" else r.get("source")
            if r.get("batch_id"):
                batch = db.execute("SELECT file_name FROM import_batches WHERE id = ?", [r["batch_id"]]).fetchone()
                source = f"导入批次 {r['batch_id']}" + (f"（{batch[0]}）" if batch else "")
        out.append(
            {
                "unit": s.unit,
                "role": s.role,
                "number": s.number,
                "title": s.title,
                "category": s.category,
                "progress_text": r.get("progress_text"),
                "percent": r.get("percent"),
                "reported_status": r.get("reported_status"),
                "problems": r.get("problems"),
                "next_steps": r.get("next_steps"),
                "reporter": r.get("reporter"),
                "phone": r.get("phone"),
                "submitted_at": r.get("submitted_at"),
                "review": r.get("review"),
                "indicators": [
                    {
                        "name": i["name"],
                        "target": i["target_value"],
                        "unit": i["measure_unit"],
                        "direction": i["direction"],
                        "actual": i["value"],
                    }
                    for i in s.indicators
                ],
                "status": s.status,
                "light": s.light,
                "expected": s.result.expected,
                "behind": s.result.behind,
                "source": source,
            }
        )
    return out


__all__ = [
    "AssignmentState",
    "KeyWorkState",
    "GREY",
    "key_work_states",
    "ledger_version",
    "light_thresholds",
    "progress_rows",
    "round_states",
    "status_summary",
]
