"""The ledger's record of every handoff sent (and, in township mode, received).

A returned workbook is matched to its export by the export id it carries, so the record
is the authority on whose file a return is and what was sent in it.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from db.ledger import audit

#: A handoff the office sent (office ledger).
SENT = "handoff"
#: A handoff a township opened (township ledger).
RECEIVED = "received"


def record_export(db: sqlite_utils.Database, record: dict[str, Any], source: str) -> None:
    """Store an export record (replacing one with the same id) and log it, in the caller's transaction.

    Args:
        db: the ledger.
        record: the ``exports`` row: id, unit_id, round_id, created_at, assignment_ids (JSON),
            file_name, kind (:data:`SENT` or :data:`RECEIVED`) and, for a sent one, locked_cells.
        source: what did it, for the audit log (``export``, ``open-handoff``).
    """
    db["exports"].upsert(record, pk="id")
    audit(db, "exports", record["id"], None, None, record, source)


def export_record(db: sqlite_utils.Database, export_id: str) -> dict | None:
    """Return the record of an export, or None when the ledger never made or received it."""
    rows = list(db.query("SELECT * FROM exports WHERE id = ?", [export_id]))
    return rows[0] if rows else None
