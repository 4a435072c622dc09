"""Writing progress reports (the problem list they raise is kept by :mod:`db.problems`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit, audit_entry, now_iso, write_audit_entries
from db.plausibility import approximate_warnings, refresh_warnings
from db.report_fields import REPORT_FIELD_LABELS, REPORT_FIELDS
from db.rounds import ensure_round_open
from db.status import REPORTABLE_STATUSES
from db.values import MAX_CELL_CHARS


def report_value_problems(fields: dict[str, Any]) -> list[str]:
    """Return what is wrong with a report's values (empty when every value can be stored)."""
    problems = []
    pct = fields.get("percent")
    if pct is not None and not (0 <= pct <= 100):
        problems.append(f"完成进度应在 0 到 100 之间，收到的是 {pct}。")
    status = fields.get("reported_status")
    if status is not None and status not in REPORTABLE_STATUSES:
        problems.append(f"推进状态只能是 {'、'.join(REPORTABLE_STATUSES)}，收到的是“{status}”。")
    for key in ("progress_text", "problems", "next_steps"):
        value = fields.get(key)
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            problems.append(f"{REPORT_FIELD_LABELS[key]}超过 {MAX_CELL_CHARS} 字（Excel 单元格上限），请精简后再填报。")
    return problems


def _check_report_values(fields: dict[str, Any]) -> None:
    problems = report_value_problems(fields)
    if problems:
        raise DubanError(problems[0])


@dataclass(frozen=True)
class ReportEntry:
    """One unit's report for a round, as :func:`save_reports` takes it."""

    assignment_id: int
    fields: dict[str, Any]
    indicator_values: dict[int, float | None] | None = None
    #: ``(field key, note)`` for values read from an approximate figure (db.values.approximate_note).
    approximate: tuple[tuple[str, str], ...] = ()
    #: The fields of this return that could not be read (field, label, value, reason); None leaves
    #: the report's record as it is, [] says every field was read (部分退回 is over).
    rejected: list[dict] | None = None


def save_report(
    db: sqlite_utils.Database,
    assignment_id: int,
    round_id: str,
    fields: dict[str, Any],
    *,
    indicator_values: dict[int, float | None] | None = None,
    source: str = "typed",
    batch_id: int | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Create or update one unit's report for a round, logging each changed field.

    Args:
        db: the ledger.
        assignment_id: which unit on which key work.
        round_id: an open round.
        fields: any of :data:`REPORT_FIELDS`.
        indicator_values: actual values by indicator id (None removes a value).
        source: "typed", "import" or "township".
        batch_id: the import batch, for imports.

    Returns:
        What changed, ``{field: (old, new)}`` (indicator fields as ``indicator:<id>``).

    Raises:
        RoundClosedError: the round is closed.
        DubanError: a value is out of range.
    """
    entry = ReportEntry(assignment_id, fields, indicator_values)
    return save_reports(db, round_id, [entry], source=source, batch_id=batch_id)[0]


def save_reports(
    db: sqlite_utils.Database,
    round_id: str,
    entries: list[ReportEntry],
    *,
    source: str = "typed",
    batch_id: int | None = None,
) -> list[dict[str, tuple[Any, Any]]]:
    """Create or update many reports of one round in one transaction, as :func:`save_report` does each.

    An import writes a whole file's rows at once: the current reports and indicator values are
    read with one query each and the audit log written together, instead of several statements
    per row (which made the ledger's side of an import cost as much as reading the workbooks).

    Returns:
        What changed for each entry, in the order given.
    """
    rnd = ensure_round_open(db, round_id)
    for entry in entries:
        unknown = set(entry.fields) - set(REPORT_FIELDS)
        if unknown:
            raise ValueError(f"unknown report fields: {sorted(unknown)}")
        _check_report_values(entry.fields)
    results: list[dict[str, tuple[Any, Any]]] = []
    with db.atomic():
        ids = json.dumps(sorted({e.assignment_id for e in entries}))
        current = {
            row["assignment_id"]: row
            for row in db.query(
                "SELECT * FROM reports WHERE round_id = ? AND assignment_id IN (SELECT value FROM json_each(?))",
                [rnd["id"], ids],
            )
        }
        actuals: dict[tuple[int, int], float] = {}
        if current:
            for report_id, indicator_id, value in db.execute(
                "SELECT report_id, indicator_id, value FROM indicator_actuals "
                "WHERE report_id IN (SELECT value FROM json_each(?))",
                [json.dumps([r["id"] for r in current.values()])],
            ):
                actuals[(report_id, indicator_id)] = value
        stamp = now_iso()
        log: list[tuple] = []
        checked: dict[int, tuple[set[str], list[dict]]] = {}
        for entry in entries:
            row = current.get(entry.assignment_id)
            if row is None:
                record = {
                    "assignment_id": entry.assignment_id,
                    "round_id": rnd["id"],
                    "submitted_at": stamp,
                    "updated_at": stamp,
                    "source": source,
                    "batch_id": batch_id,
                    **entry.fields,
                }
                report_id = insert_row(db, "reports", record)
                changes = {k: (None, v) for k, v in entry.fields.items() if v not in (None, "")}
                log.append(audit_entry("reports", report_id, None, None, record, source, stamp))
                current[entry.assignment_id] = {"id": report_id, "review": None, **record}
            else:
                report_id = row["id"]
                changes = {k: (row.get(k), v) for k, v in entry.fields.items() if row.get(k) != v}
                if changes:
                    update = {k: v for k, (_o, v) in changes.items()}
                    update.update(updated_at=stamp, source=source, batch_id=batch_id)
                    update_row(db, "reports", report_id, update)
                    row.update(update)
                    log.extend(
                        audit_entry("reports", report_id, k, old, new, source, stamp)
                        for k, (old, new) in changes.items()
                    )
            for indicator_id, value in (entry.indicator_values or {}).items():
                old_value = actuals.get((report_id, indicator_id))
                if old_value == value:
                    continue
                if value is None:
                    db.execute(
                        "DELETE FROM indicator_actuals WHERE report_id = ? AND indicator_id = ?",
                        [report_id, indicator_id],
                    )
                    actuals.pop((report_id, indicator_id), None)
                else:
                    db.execute(
                        "INSERT INTO indicator_actuals (report_id, indicator_id, value) VALUES (?, ?, ?) "
                        "ON CONFLICT(report_id, indicator_id) DO UPDATE SET value = excluded.value",
                        [report_id, indicator_id, value],
                    )
                    actuals[(report_id, indicator_id)] = value
                changes[f"indicator:{indicator_id}"] = (old_value, value)
                log.append(
                    audit_entry(
                        "indicator_actuals", f"{report_id}:{indicator_id}", "value", old_value, value, source, stamp
                    )
                )
            row = current[entry.assignment_id]
            if changes and row.get("review") in ("accepted", "returned"):
                # Review follows every change: a corrected report, and an accepted one changed by a
                # later return or a typed correction, goes back to the office for review.
                db.execute("UPDATE reports SET review = 'pending' WHERE id = ?", [report_id])
                changed_labels = "、".join(_change_label(k) for k in changes)
                log.append(
                    audit_entry(
                        "reports",
                        report_id,
                        "review",
                        row["review"],
                        "pending",
                        f"{source}（改了{changed_labels}）",
                        stamp,
                    )
                )
                row["review"] = "pending"
            if entry.rejected is not None:
                rejected = json.dumps(entry.rejected, ensure_ascii=False) if entry.rejected else None
                if row.get("rejected_fields") != rejected:
                    db.execute("UPDATE reports SET rejected_fields = ? WHERE id = ?", [rejected, report_id])
                    log.append(
                        audit_entry(
                            "reports", report_id, "rejected_fields", row.get("rejected_fields"), rejected, source, stamp
                        )
                    )
                    row["rejected_fields"] = rejected
            if changes or entry.approximate:
                checked[entry.assignment_id] = (set(changes), approximate_warnings(entry.approximate))
            results.append(changes)
        refresh_warnings(db, rnd["id"], checked)
        write_audit_entries(db, log)
    return results


def _change_label(key: str) -> str:
    """Name a changed field for the audit log: 完成进度, or 指标 12."""
    if key.startswith("indicator:"):
        return f"指标 {key.split(':', 1)[1]}"
    return REPORT_FIELD_LABELS.get(key, key)


def insert_row(db: sqlite_utils.Database, table: str, record: dict[str, Any]) -> int:
    """Insert one row and return its id (plain SQL: sqlite-utils' Table.insert looks the columns up every call)."""
    columns = ", ".join(record)
    marks = ", ".join("?" for _ in record)
    return db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(record.values())).lastrowid


def update_row(db: sqlite_utils.Database, table: str, row_id: int, values: dict[str, Any]) -> None:
    """Set some columns of one row (plain SQL, as :func:`insert_row`)."""
    assignments = ", ".join(f"{k} = ?" for k in values)
    db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), row_id])


def report_snapshot(db: sqlite_utils.Database, assignment_id: int, round_id: str) -> dict | None:
    """Return a report's whole row plus ``indicators`` ({indicator id as text: value}), or None."""
    return report_snapshots(db, [assignment_id], round_id).get(assignment_id)


def report_snapshots(db: sqlite_utils.Database, assignment_ids: Iterable[int], round_id: str) -> dict[int, dict]:
    """Return :func:`report_snapshot` of many assignments at once (two queries), by assignment id."""
    ids = json.dumps(sorted(set(assignment_ids)))
    out: dict[int, dict] = {}
    by_report: dict[int, dict] = {}
    for row in db.query(
        "SELECT * FROM reports WHERE round_id = ? AND assignment_id IN (SELECT value FROM json_each(?))",
        [round_id, ids],
    ):
        row["indicators"] = {}
        out[row["assignment_id"]] = by_report[row["id"]] = row
    if by_report:
        for report_id, indicator_id, value in db.execute(
            "SELECT report_id, indicator_id, value FROM indicator_actuals "
            "WHERE report_id IN (SELECT value FROM json_each(?)) ORDER BY report_id, indicator_id",
            [json.dumps(list(by_report))],
        ):
            by_report[report_id]["indicators"][str(indicator_id)] = value
    return out


def put_report(db: sqlite_utils.Database, assignment_id: int, round_id: str, target: dict | None, source: str) -> None:
    """Make a report exactly a :func:`report_snapshot` (None: no report), logging every field that changes.

    Undoing an import batch or a typed save writes the snapshot taken before it back this way.

    ``target["id"]`` is set to the report's id as it now is (a new one when the report comes back
    and its old id was taken meanwhile), so that the snapshot can be compared with the ledger later.
    """
    current = report_snapshot(db, assignment_id, round_id)
    if target is None:
        if current is not None:
            db.execute("DELETE FROM indicator_actuals WHERE report_id = ?", [current["id"]])
            db.execute("DELETE FROM reports WHERE id = ?", [current["id"]])
            audit(
                db,
                "reports",
                current["id"],
                None,
                {k: v for k, v in current.items() if k != "indicators"},
                None,
                source,
            )
        return
    row = {k: v for k, v in target.items() if k != "indicators"}
    if current is None:
        if db.execute("SELECT 1 FROM reports WHERE id = ?", [row["id"]]).fetchone():
            row.pop("id")  # another report got this id meanwhile: the report comes back under a new one
        report_id = target["id"] = insert_row(db, "reports", row)
        audit(db, "reports", report_id, None, None, row, source)
        old_values: dict[str, float] = {}
    else:
        report_id = row["id"] = target["id"] = current["id"]
        changed = {k: v for k, v in row.items() if current.get(k) != v}
        if changed:
            update_row(db, "reports", report_id, changed)
            for k, v in changed.items():
                audit(db, "reports", report_id, k, current.get(k), v, source)
        old_values = current["indicators"]
    new_values = target["indicators"]
    for ind in sorted(set(old_values) | set(new_values), key=int):
        old, new = old_values.get(ind), new_values.get(ind)
        if old == new:
            continue
        if new is None:
            db.execute("DELETE FROM indicator_actuals WHERE report_id = ? AND indicator_id = ?", [report_id, int(ind)])
        else:
            db.execute(
                "INSERT INTO indicator_actuals (report_id, indicator_id, value) VALUES (?, ?, ?) "
                "ON CONFLICT(report_id, indicator_id) DO UPDATE SET value = excluded.value",
                [report_id, int(ind), new],
            )
        audit(db, "indicator_actuals", f"{report_id}:{ind}", "value", old, new, source)


def review_report(
    db: sqlite_utils.Database,
    report_id: int,
    decision: str,
    comment: str | None = None,
    source: str = "manual",
) -> None:
    """Accept a report or send it back (退回修改) with a comment for the unit."""
    if decision not in ("accepted", "returned"):
        raise ValueError(decision)
    if decision == "returned" and not (comment or "").strip():
        raise DubanError("退回修改时请写明原因，单位会在下一次的填报表里看到它。")
    with db.atomic():
        report = db["reports"].get(report_id)
        ensure_round_open(db, report["round_id"])
        db["reports"].update(report_id, {"review": decision, "review_comment": comment, "reviewed_at": now_iso()})
        audit(db, "reports", report_id, "review", report["review"], decision, source)
        if comment != report["review_comment"]:
            audit(db, "reports", report_id, "review_comment", report["review_comment"], comment, source)


def report_row(db: sqlite_utils.Database, assignment_id: int, round_id: str) -> dict | None:
    """Return a unit's report on one assignment in a round (the stored row), or None."""
    found = list(db.query("SELECT * FROM reports WHERE assignment_id = ? AND round_id = ?", [assignment_id, round_id]))
    return found[0] if found else None


def indicator_values(db: sqlite_utils.Database, report_id: int) -> dict[int, float | None]:
    """Return the indicator values a report gave, by indicator id."""
    return dict(db.execute("SELECT indicator_id, value FROM indicator_actuals WHERE report_id = ?", [report_id]))
