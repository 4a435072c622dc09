"""The ledger's schema as a list of forward migrations.

``PRAGMA user_version`` holds the number of migrations applied. A migration is a
function of the open ``sqlite_utils.Database`` and only ever moves forward; the
ledger is copied before any of them runs (see ``db.ledger``). Add new migrations at
the end of ``MIGRATIONS`` and never edit one that has shipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlite_utils


def _core(db: sqlite_utils.Database) -> None:
    """Plans, the task tree, units, assignments, rounds, reports, problems, audit log."""
    db.executescript(
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            doc_no TEXT,
            issuer TEXT,
            year INTEGER,
            source_file TEXT,
            source_sha256 TEXT,
            imported_at TEXT
        );
        CREATE TABLE categories (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL DEFAULT 0,
            title TEXT NOT NULL,
            UNIQUE (plan_id, title)
        );
        CREATE TABLE key_works (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
            number TEXT NOT NULL,
            title TEXT NOT NULL,
            period_phrase TEXT,
            start_date TEXT,
            end_date TEXT,
            sort_order INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            UNIQUE (plan_id, number)
        );
        CREATE TABLE targets (
            id INTEGER PRIMARY KEY,
            key_work_id INTEGER NOT NULL REFERENCES key_works(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL
        );
        CREATE TABLE measures (
            id INTEGER PRIMARY KEY,
            key_work_id INTEGER NOT NULL REFERENCES key_works(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL
        );
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            name_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL DEFAULT '部门' CHECK (kind IN ('部门', '乡镇街道', '其他')),
            contact TEXT,
            phone TEXT,
            sort_order INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE unit_aliases (
            alias_key TEXT PRIMARY KEY,
            alias TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE
        );
        CREATE TABLE assignments (
            id INTEGER PRIMARY KEY,
            key_work_id INTEGER NOT NULL REFERENCES key_works(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            role TEXT NOT NULL CHECK (role IN ('牵头', '责任', '配合')),
            leader TEXT,
            liaison TEXT,
            UNIQUE (key_work_id, unit_id)
        );
        CREATE TABLE milestones (
            id INTEGER PRIMARY KEY,
            key_work_id INTEGER NOT NULL REFERENCES key_works(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL DEFAULT 0,
            phrase TEXT NOT NULL,
            text TEXT,
            due_date TEXT,
            understood INTEGER NOT NULL DEFAULT 1,
            done_date TEXT
        );
        CREATE TABLE indicators (
            id INTEGER PRIMARY KEY,
            key_work_id INTEGER NOT NULL REFERENCES key_works(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL DEFAULT 0,
            name TEXT NOT NULL,
            target_value REAL NOT NULL,
            measure_unit TEXT,
            year INTEGER,
            direction TEXT NOT NULL DEFAULT 'at_least'
                CHECK (direction IN ('at_least', 'at_most')),
            phrase TEXT
        );
        CREATE TABLE rounds (
            id TEXT PRIMARY KEY,
            year INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('季度', '半年', '年度', '专项')),
            cutoff TEXT NOT NULL,
            due_date TEXT,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
            opened_at TEXT,
            closed_at TEXT
        );
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
            round_id TEXT NOT NULL REFERENCES rounds(id),
            progress_text TEXT,
            percent REAL CHECK (percent IS NULL OR (percent >= 0 AND percent <= 100)),
            reported_status TEXT
                CHECK (reported_status IS NULL
                       OR reported_status IN ('已完成', '序时推进', '进度滞后', '未启动')),
            problems TEXT,
            next_steps TEXT,
            reporter TEXT,
            phone TEXT,
            submitted_at TEXT,
            updated_at TEXT,
            source TEXT NOT NULL DEFAULT 'typed',
            batch_id INTEGER,
            review TEXT NOT NULL DEFAULT 'pending'
                CHECK (review IN ('pending', 'accepted', 'returned')),
            review_comment TEXT,
            reviewed_at TEXT,
            UNIQUE (assignment_id, round_id)
        );
        CREATE TABLE indicator_actuals (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            indicator_id INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
            value REAL NOT NULL,
            PRIMARY KEY (report_id, indicator_id)
        );
        CREATE TABLE problems (
            id INTEGER PRIMARY KEY,
            key_work_id INTEGER NOT NULL REFERENCES key_works(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            round_id TEXT REFERENCES rounds(id),
            text TEXT NOT NULL,
            text_key TEXT NOT NULL,
            raised_at TEXT,
            assignee TEXT,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
            closed_at TEXT,
            close_note TEXT,
            UNIQUE (key_work_id, unit_id, text_key)
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id TEXT,
            field TEXT,
            old_value TEXT,
            new_value TEXT,
            source TEXT
        );
        CREATE INDEX idx_key_works_category ON key_works(category_id);
        CREATE INDEX idx_assignments_unit ON assignments(unit_id);
        CREATE INDEX idx_reports_round ON reports(round_id);
        CREATE INDEX idx_milestones_kw ON milestones(key_work_id);
        CREATE INDEX idx_indicators_kw ON indicators(key_work_id);
        CREATE INDEX idx_problems_unit ON problems(unit_id);
        CREATE INDEX idx_audit_table_row ON audit_log(table_name, row_id);
        """
    )
    db.execute("INSERT INTO meta (key, value) VALUES ('app', 'duban')")


def _round_snapshots(db: sqlite_utils.Database) -> None:
    """Frozen figures of closed rounds, so a closed round's bulletin never changes."""
    db.executescript(
        """
        CREATE TABLE round_snapshots (
            round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
            assignment_id INTEGER NOT NULL,
            key_work_id INTEGER NOT NULL,
            unit_id INTEGER NOT NULL,
            role TEXT NOT NULL,
            status TEXT NOT NULL,
            light TEXT NOT NULL,
            percent REAL,
            expected REAL,
            behind REAL,
            detail TEXT,
            PRIMARY KEY (round_id, assignment_id)
        );
        """
    )


def _exchange(db: sqlite_utils.Database) -> None:
    """Handoff exports and the import batches of returned workbooks."""
    db.executescript(
        """
        CREATE TABLE exports (
            id TEXT PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            round_id TEXT NOT NULL REFERENCES rounds(id),
            created_at TEXT NOT NULL,
            assignment_ids TEXT NOT NULL,
            file_name TEXT,
            kind TEXT NOT NULL DEFAULT 'handoff'
        );
        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            export_id TEXT REFERENCES exports(id),
            unit_id INTEGER REFERENCES units(id),
            round_id TEXT REFERENCES rounds(id),
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            workbook_saved_at TEXT,
            imported_at TEXT NOT NULL,
            counts TEXT,
            original BLOB,
            forced INTEGER NOT NULL DEFAULT 0,
            undone_at TEXT
        );
        CREATE TABLE batch_changes (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
            table_name TEXT NOT NULL,
            row_key TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        CREATE INDEX idx_batches_export ON import_batches(export_id);
        CREATE INDEX idx_batch_changes_batch ON batch_changes(batch_id);
        """
    )


def _lookup_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the per-key-work and per-unit lookups of export, import and reports.

    Without them every handoff row scans the whole targets and measures tables: at city
    scale (12,000 measures) that made exporting all handoffs minutes instead of seconds.
    """
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_targets_kw ON targets(key_work_id, seq);
        CREATE INDEX IF NOT EXISTS idx_measures_kw ON measures(key_work_id, seq);
        CREATE INDEX IF NOT EXISTS idx_exports_unit_round ON exports(unit_id, round_id);
        CREATE INDEX IF NOT EXISTS idx_batches_unit_round ON import_batches(unit_id, round_id);
        """
    )


def _export_locked_cells(db: sqlite_utils.Database) -> None:
    """What each handoff's locked cells said when it was exported.

    A return is compared with what was sent, not with today's ledger: the office may edit a
    task after exporting, and the clerk's unchanged cells must not then look tampered with.
    Older exports keep NULL and are compared with the ledger as before.
    """
    db.execute("ALTER TABLE exports ADD COLUMN locked_cells TEXT")


def _ledger_identity(db: sqlite_utils.Database) -> None:
    """A permanent id for the ledger, so that its handoffs and returns name the office they belong to.

    One township often reports to several offices (督查室, 两个健康办, 营商办), each numbering
    its key works and assignments from 1: the id keeps their forms apart. A copy of the file
    (a backup, a restore) keeps the id; a new ledger gets a new one.
    """
    import secrets

    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('ledger_id', ?)", [json.dumps(secrets.token_hex(16))])


def _report_checks(db: sqlite_utils.Database) -> None:
    """What the office must still check on a report, kept on the report itself.

    ``warnings``: the plausibility warnings (:mod:`db.plausibility`, JSON list) — the report is
    待核实 until the office clears them with a note (``warnings_note``, ``warnings_checked_at``:
    核实无误). ``rejected_fields``: the fields of the unit's last return that could not be read
    (JSON list of field, value, reason); the report kept their previous values and the unit is
    部分退回 until a return fixes them.
    """
    for column in ("warnings", "warnings_checked_at", "warnings_note", "rejected_fields"):
        db.execute(f"ALTER TABLE reports ADD COLUMN {column} TEXT")


Migration = Callable[[sqlite_utils.Database], None]

#: Applied in order; ``PRAGMA user_version`` counts how many have run.
MIGRATIONS: list[tuple[str, Migration]] = [
    ("core", _core),
    ("round_snapshots", _round_snapshots),
    ("exchange", _exchange),
    ("lookup_indexes", _lookup_indexes),
    ("export_locked_cells", _export_locked_cells),
    ("ledger_identity", _ledger_identity),
    ("report_checks", _report_checks),
]

LATEST_VERSION = len(MIGRATIONS)

#: Every table that holds a unit's id in its ``unit_id`` column (besides ``units`` itself):
#: merging two units moves these rows, and undoing the merge moves them back. A test checks
#: this list against the schema, so a new table with a ``unit_id`` must be added here.
UNIT_ID_TABLES = ("unit_aliases", "assignments", "problems", "round_snapshots", "exports", "import_batches")
