"""The unit registry table."""

from __future__ import annotations

import sqlite_utils

from db.units import unit_registry_rows
from desktop.models.base import Column, RecordTableModel


def load_unit_rows(db: sqlite_utils.Database) -> list[dict]:
    """Read every unit with its aliases and how many assignments it holds."""
    return unit_registry_rows(db)


class UnitTableModel(RecordTableModel):
    """Units: name, kind, aliases, contact and number of assignments."""

    COL_NAME, COL_KIND, COL_ALIASES, COL_CONTACT, COL_PHONE, COL_ASSIGNMENTS = range(6)
    columns = (
        Column("单位名称", lambda r: r["name"]),
        Column("类型", lambda r: r["kind"]),
        Column("别名", lambda r: r["aliases"]),
        Column("联系人", lambda r: r["contact"]),
        Column("电话", lambda r: r["phone"]),
        Column("承担分工", lambda r: r["assignments"], sort=lambda r: r["assignments"], align_right=True),
    )
