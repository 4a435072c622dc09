"""The unit registry table."""

from __future__ import annotations

import sqlite_utils

from desktop.models.base import Column, RecordTableModel


def load_unit_rows(db: sqlite_utils.Database) -> list[dict]:
    """Read every unit with its aliases and how many assignments it holds."""
    return list(
        db.query(
            "SELECT u.id, u.name, u.kind, u.contact, u.phone, "
            "(SELECT group_concat(alias, '、') FROM unit_aliases WHERE unit_id = u.id) AS aliases, "
            "(SELECT COUNT(*) FROM assignments WHERE unit_id = u.id) AS assignments "
            "FROM units u ORDER BY u.kind = '乡镇街道', u.sort_order, u.id"
        )
    )


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
