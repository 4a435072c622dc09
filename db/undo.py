"""Undo back ends: each edit the window can take back is one function to do it and one to undo it.

A "do" function makes the edit through the audited writes and returns what its undo needs (a
plain record); the matching "undo" function puts the ledger back exactly as it was, with the
same row ids, and logs it with the caller's source. The window's undo stack only keeps these
records and calls the two functions (see ``desktop/undo.py``); the rules stay here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit, delete_audited, insert_audited, update_audited
from db.schema import UNIT_ID_TABLES

# -- key works and everything hanging off them ---------------------------------------------------
_KEY_WORK_TREE = (  # (table, SQL selecting the rows that belong to key work :kw), in insertion order
    ("key_works", "SELECT * FROM key_works WHERE id = :kw"),
    ("targets", "SELECT * FROM targets WHERE key_work_id = :kw"),
    ("measures", "SELECT * FROM measures WHERE key_work_id = :kw"),
    ("assignments", "SELECT * FROM assignments WHERE key_work_id = :kw"),
    ("milestones", "SELECT * FROM milestones WHERE key_work_id = :kw"),
    ("indicators", "SELECT * FROM indicators WHERE key_work_id = :kw"),
    ("reports", "SELECT r.* FROM reports r JOIN assignments a ON a.id = r.assignment_id WHERE a.key_work_id = :kw"),
    (
        "indicator_actuals",
        "SELECT ia.* FROM indicator_actuals ia JOIN indicators i ON i.id = ia.indicator_id WHERE i.key_work_id = :kw",
    ),
    ("problems", "SELECT * FROM problems WHERE key_work_id = :kw"),
)

#: A key work's rows, table by table, in the order they can be inserted again.
KeyWorkSnapshot = list[tuple[str, list[dict]]]


def snapshot_key_work(db: sqlite_utils.Database, key_work_id: int) -> KeyWorkSnapshot:
    """Copy every row of a key work's tree (to undo its deletion or its creation)."""
    return [(table, list(db.query(sql, {"kw": key_work_id}))) for table, sql in _KEY_WORK_TREE]


def restore_key_work(db: sqlite_utils.Database, snapshot: KeyWorkSnapshot, source: str) -> None:
    """Put a key work's tree back exactly as it was, with the same ids, and log it."""
    with db.atomic():
        for table, rows in snapshot:
            if not rows:
                continue
            if table == "key_works":
                insert_audited(db, table, dict(rows[0]), source)
                continue
            db[table].insert_all(rows)
            audit(db, table, f"key_work:{rows[0].get('key_work_id', '')}", None, None, f"恢复 {len(rows)} 行", source)


def delete_key_work(db: sqlite_utils.Database, key_work_id: int, source: str) -> KeyWorkSnapshot:
    """Delete a key work with its tree (refused once a unit reported on it); return its snapshot."""
    from db.tasks import delete_key_work as delete_audited_key_work

    snapshot = snapshot_key_work(db, key_work_id)
    delete_audited_key_work(db, key_work_id, source)
    return snapshot


# -- a key work's targets and measures -------------------------------------------------------------
_TEXT_TABLES = ("targets", "measures")


def key_work_texts(db: sqlite_utils.Database, key_work_id: int) -> dict[str, list[str]]:
    """Return a key work's targets and measures as ``{"targets": [...], "measures": [...]}``."""
    return {
        table: [
            r["text"] for r in db.query(f"SELECT text FROM {table} WHERE key_work_id = ? ORDER BY seq", [key_work_id])
        ]
        for table in _TEXT_TABLES
    }


def set_key_work_texts(db: sqlite_utils.Database, key_work_id: int, texts: dict[str, list[str]], source: str) -> None:
    """Replace a key work's targets and/or measures (lists of sentences); each change is logged.

    Undo is the same call with the texts :func:`key_work_texts` returned before.
    """
    old_texts = key_work_texts(db, key_work_id)
    with db.atomic():
        for table, new in texts.items():
            if table not in _TEXT_TABLES:
                raise ValueError(f"not a key-work text table: {table}")
            old = old_texts[table]
            if old == new:
                continue
            db.execute(f"DELETE FROM {table} WHERE key_work_id = ?", [key_work_id])
            db[table].insert_all({"key_work_id": key_work_id, "seq": i, "text": t} for i, t in enumerate(new, 1))
            audit(db, table, f"key_work:{key_work_id}", "text", old, new, source)


# -- assignments ------------------------------------------------------------------------------------
@dataclass
class RemovedAssignment:
    """What taking a unit off a key work removed: the assignment, its reports and their figures."""

    assignment: dict
    reports: list[dict] = field(default_factory=list)
    actuals: list[dict] = field(default_factory=list)


def remove_assignment(db: sqlite_utils.Database, assignment_id: int, source: str) -> RemovedAssignment:
    """Take a unit off a key work (refused once it reported); return what undo puts back."""
    from db.tasks import remove_assignment as remove_audited_assignment

    reports = list(db.query("SELECT * FROM reports WHERE assignment_id = ?", [assignment_id]))
    actuals = list(
        db.query(
            "SELECT ia.* FROM indicator_actuals ia JOIN reports r ON r.id = ia.report_id WHERE r.assignment_id = ?",
            [assignment_id],
        )
    )
    row = remove_audited_assignment(db, assignment_id, source)
    return RemovedAssignment(row, reports, actuals)


def restore_assignment(db: sqlite_utils.Database, removed: RemovedAssignment, source: str) -> None:
    """Undo :func:`remove_assignment`: the assignment, its reports and figures, same ids."""
    with db.atomic():
        insert_audited(db, "assignments", dict(removed.assignment), source)
        if removed.reports:
            db["reports"].insert_all(removed.reports)
        if removed.actuals:
            db["indicator_actuals"].insert_all(removed.actuals)


def assignment_of(db: sqlite_utils.Database, key_work_id: int, unit_id: int) -> dict | None:
    """Return the unit's assignment on a key work (the whole row), or None."""
    return next(
        iter(db.query("SELECT * FROM assignments WHERE key_work_id = ? AND unit_id = ?", [key_work_id, unit_id])),
        None,
    )


def undo_assign(db: sqlite_utils.Database, assignment_id: int, before: dict | None, source: str) -> dict | None:
    """Undo :func:`db.tasks.assign`.

    Args:
        assignment_id: the assignment ``assign`` created or changed.
        before: the row :func:`assignment_of` returned before (None: ``assign`` created it).

    Returns:
        The deleted row when the assignment was new (redo inserts it again), else None.
    """
    if before is None:
        return delete_audited(db, "assignments", assignment_id, source)
    update_audited(db, "assignments", assignment_id, {k: before[k] for k in ("role", "leader", "liaison")}, source)
    return None


def put_row_back(db: sqlite_utils.Database, table: str, row: dict, source: str) -> int:
    """Insert a deleted row again with its id, logged (redo of a creation that was undone)."""
    return insert_audited(db, table, dict(row), source)


# -- units ---------------------------------------------------------------------------------------------
def add_alias(db: sqlite_utils.Database, unit_id: int, alias: str, source: str) -> str:
    """Teach the registry another name for a unit; return the alias key undo removes."""
    from db.text import name_key
    from db.units import add_alias as add_unit_alias
    from db.units import clean_unit_name

    add_unit_alias(db, unit_id, alias, source)
    return name_key(clean_unit_name(alias))


def remove_alias(db: sqlite_utils.Database, unit_id: int, alias_key: str, source: str) -> None:
    """Undo :func:`add_alias`: the alias no longer names the unit (logged)."""
    with db.atomic():
        db.execute("DELETE FROM unit_aliases WHERE alias_key = ?", [alias_key])
        audit(db, "unit_aliases", alias_key, "unit_id", unit_id, None, source)


@dataclass
class MergedUnit:
    """What merging a unit away changed: its row and, per table, the rows that held its id."""

    unit: dict
    rowids: dict[str, list[int]]


def merge_units(db: sqlite_utils.Database, keep_id: int, merge_id: int, source: str) -> MergedUnit:
    """Merge unit ``merge_id`` into ``keep_id`` (see :func:`db.units.merge_units`); return what undo needs."""
    from db.units import merge_units as merge_audited

    unit = db["units"].get(merge_id)
    rowids = {
        table: [r[0] for r in db.execute(f"SELECT rowid FROM {table} WHERE unit_id = ?", [merge_id])]
        for table in UNIT_ID_TABLES
    }
    merge_audited(db, keep_id, merge_id, source)
    return MergedUnit(unit, rowids)


def unmerge_units(db: sqlite_utils.Database, merged: MergedUnit, source: str) -> None:
    """Undo :func:`merge_units`: the unit is back with its id, and its rows point at it again."""
    unit_id = merged.unit["id"]
    with db.atomic():
        # The merged unit's name became an alias of the kept unit; it is the unit's own name again.
        db.execute("DELETE FROM unit_aliases WHERE alias_key = ?", [merged.unit["name_key"]])
        insert_audited(db, "units", dict(merged.unit), source)
        for table, rowids in merged.rowids.items():
            for rowid in rowids:
                db.execute(f"UPDATE {table} SET unit_id = ? WHERE rowid = ?", [unit_id, rowid])


# -- rounds, reviews, problems --------------------------------------------------------------------------
def unopen_round(db: sqlite_utils.Database, round_row: dict, source: str) -> None:
    """Undo :func:`db.rounds.open_round` while nobody has reported in the round nor got a handoff.

    Raises:
        DubanError: the round is in use (it can only be closed then).
    """
    round_id = round_row["id"]
    used = db.execute("SELECT COUNT(*) FROM reports WHERE round_id = ?", [round_id]).fetchone()[0]
    used += db.execute("SELECT COUNT(*) FROM exports WHERE round_id = ?", [round_id]).fetchone()[0]
    if used:
        raise DubanError(f"轮次 {round_id} 已有填报或已导出填报表，不能撤销开启；如不再需要，请关闭该轮次。")
    with db.atomic():
        db.execute("DELETE FROM rounds WHERE id = ?", [round_id])
        audit(db, "rounds", round_id, None, round_row, None, source)


_REVIEW_FIELDS = ("review", "review_comment", "reviewed_at")


def review_reports(
    db: sqlite_utils.Database, report_ids: list[int], decision: str, comment: str | None, source: str
) -> dict[int, dict]:
    """Accept reports, or send them back (退回) with a comment; return each one's review before.

    Raises:
        DubanError: no report given, or a report's round is closed.
    """
    from db.progress import review_report

    if not report_ids:
        raise DubanError("没有可审核的填报。")
    before = {
        r["id"]: {k: r[k] for k in _REVIEW_FIELDS}
        for r in db.query(
            f"SELECT id, {', '.join(_REVIEW_FIELDS)} FROM reports WHERE id IN ({','.join('?' * len(report_ids))})",
            list(report_ids),
        )
    }
    with db.atomic():
        for report_id in report_ids:
            review_report(db, report_id, decision, comment, source)
    return before


def restore_reviews(db: sqlite_utils.Database, before: dict[int, dict], source: str) -> None:
    """Undo :func:`review_reports`: each report's review as it was (its round must be open)."""
    from db.rounds import ensure_round_open

    with db.atomic():
        for report_id, values in before.items():
            ensure_round_open(db, db["reports"].get(report_id)["round_id"])
            update_audited(db, "reports", report_id, values, source)
