"""问题清单: the problem list as a document — every problem with its key work, unit, 交办 and 销号.

Filtered by round (the returns that raised it), unit and state; open problems first, the
oldest at the top. The same rows go to a workbook (:mod:`reports.problem_list`).
"""

from __future__ import annotations

from datetime import date

import sqlite_utils

from db.errors import DubanError
from db.ledger import get_meta
from db.problems import problem_rows
from db.rounds import get_round
from db.units import require_unit
from reports.content.bulletin import with_nested_quotes
from reports.content.model import Document, Para, Subtitle, Table, Title
from reports.content.wording import chinese_date, pct

#: What ``--state`` accepts, and the problems each keeps.
STATES = {"未销号": "open", "已销号": "closed", "全部": None}
#: The list's columns: title and relative width.
COLUMNS = (
    ("序号", 22),
    ("重点工作", 90),
    ("单位", 62),
    ("存在问题", 114),
    ("提出日期", 60),
    ("交办", 34),
    ("状态", 44),
    ("销号日期", 60),
)


def _day(stamp: str | None) -> str:
    """Return a date short enough for a list's column: 2024.4.4."""
    if not stamp:
        return ""
    day = date.fromisoformat(stamp[:10])
    return f"{day.year}.{day.month}.{day.day}"


def problem_list(
    db: sqlite_utils.Database, *, round_id: str | None = None, unit: str | None = None, state: str | None = "未销号"
) -> tuple[list[dict], str]:
    """Return the problems a list shows and a phrase saying which (e.g. 2024Q2 · 白石乡 · 未销号).

    Raises:
        DubanError: an unknown round, unit or state.
    """
    if state not in STATES:
        raise DubanError(f"状态“{state}”不认识，请写 {'、'.join(STATES)} 之一。")
    rows = problem_rows(db)
    which = []
    if round_id:
        round_id = get_round(db, round_id)["id"]
        rows = [r for r in rows if r["round_id"] == round_id]
        which.append(round_id)
    if unit:
        unit_id = require_unit(db, unit)
        rows = [r for r in rows if r["unit_id"] == unit_id]
        which.append(unit)
    if STATES[state]:
        rows = [r for r in rows if r["state"] == STATES[state]]
    which.append(state or "全部")
    return rows, " · ".join(which)


def list_rows(rows: list[dict]) -> list[list]:
    """Return the table rows of the list (one per problem), in the order of :data:`COLUMNS`."""
    return [
        [
            n,
            f"{r['number']}. {r['key_work']}",
            r["unit"],
            r["text"],
            _day(r["raised_at"]),
            r["assignee"] or "",
            "已销号" if r["state"] == "closed" else "未销号",
            _day(r["closed_at"]) if r["state"] == "closed" else "",
        ]
        for n, r in enumerate(rows, 1)
    ]


def problems_content(
    db: sqlite_utils.Database, *, round_id: str | None = None, unit: str | None = None, state: str | None = "未销号"
) -> Document:
    """Return the 问题清单 as content (see :func:`problem_list` for the filters)."""
    rows, which = problem_list(db, round_id=round_id, unit=unit, state=state)
    org = get_meta(db, "org_name") or "重点工作督办办公室"
    everything = problem_rows(db)
    closed = sum(1 for r in everything if r["state"] == "closed")
    title = "问题清单"
    blocks: list = [
        Title(title),
        Subtitle(f"（{which} · 截至{chinese_date(date.today())}）"),
        Para(
            f"本清单列出问题{len(rows)}个。台账中累计登记问题{len(everything)}个，已销号{closed}个，"
            f"化解率{pct(100.0 * closed / len(everything), 1) if everything else '—'}。",
            "flush",
        ),
    ]
    if rows:
        blocks.append(
            Table([c for c, _w in COLUMNS], list_rows(rows), [w for _c, w in COLUMNS], frozenset({0, 4, 6, 7}))
        )
    else:
        blocks.append(Para("没有符合条件的问题。", "flush"))
    figures = {"problems": len(rows), "which": which}
    return Document("problems", "official", title, org, with_nested_quotes(blocks), figures=figures)


__all__ = ["COLUMNS", "STATES", "list_rows", "problem_list", "problems_content"]
