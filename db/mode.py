"""The ledger's mode: the supervision office's ledger (督办端) or a reporting unit's (填报端).

The mode is kept in the ledger's meta table; it decides which pages the window shows and
which exchange commands a ledger accepts.
"""

from __future__ import annotations

import sqlite_utils

from db.errors import DubanError
from db.ledger import get_meta, set_meta

OFFICE = "office"
TOWNSHIP = "township"
#: Each mode as the clerk knows it.
MODE_LABELS = {OFFICE: "督办端", TOWNSHIP: "填报端"}


def ledger_mode(db: sqlite_utils.Database) -> str:
    """Return the ledger's mode (``office`` when it was never set)."""
    return get_meta(db, "mode", OFFICE) or OFFICE


def set_ledger_mode(db: sqlite_utils.Database, mode: str, source: str) -> None:
    """Set the ledger's mode (``office`` or ``township``), logged."""
    if mode not in MODE_LABELS:
        raise DubanError(f"使用方式只能是 {'、'.join(MODE_LABELS.values())}。")
    set_meta(db, "mode", mode, source)


def mode_of_label(label: str) -> str:
    """Return the mode a label (督办端 / 填报端) names."""
    for mode, text in MODE_LABELS.items():
        if text == label:
            return mode
    raise DubanError(f"使用方式只能是 {'、'.join(MODE_LABELS.values())}，不能是“{label}”。")
