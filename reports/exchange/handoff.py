"""The handoff workbook (填报表): one per unit and round, filled in Excel, WPS, LibreOffice or duban.

Layout of the sheet a clerk sees (``填报表``)::

    row 1   title
    row 2   填报人 [____]   联系电话 [____]
    row 3   how to fill in, in one line
    row 4   header: 分工编号 | 任务编号 … 上轮进展（参考） | 上轮完成情况（参考） | 进展情况 | 完成进度(%) |
            推进状态 | 存在问题 | 下步计划 | 指标：… | 督办室意见
    row 5…  one row per assignment of the unit

The white (editable) cells start empty — a clerk who returns the file untouched has reported
nothing — except for a report of this very round (sent back, or re-sent), which is the unit's
own. Last round's report, whatever its review state, sits in the grey reference columns,
labelled with its round and state. 督办室意见 carries, per row, everything the office wants the
clerk to act on: the send-back comment, the fields the last return could not be read, and
warnings not yet cleared.
    row 5…  one row per assignment of the unit

Identity lives in two places that survive a save by Excel, WPS and LibreOffice: the
hidden sheet ``_duban`` and the custom document property ``duban_export_id``. The
returned file is read by :mod:`reports.exchange.returns`; the ledger side is :mod:`reports.exchange.importing`.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import sqlite_utils
from openpyxl.cell.cell import Cell as _SheetCell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import RowDimension

from db.errors import DubanError
from db.exports import SENT, record_export
from db.jobs import Progress
from db.ledger import get_meta, ledger_identity, now_iso
from db.report_fields import ROW_FIELD_KEYS, ROW_FIELDS
from db.rounds import ensure_round_open, previous_round
from db.status import REPORTABLE_STATUSES
from db.text import join_clauses
from db.values import STATUS_SYNONYMS
from reports.cells import cell_text, put_reference, put_text
from reports.files import replaced_atomically

FORMAT_VERSION = 1
MAIN_SHEET = "填报表"
HELP_SHEET = "填写说明"
HIDDEN_SHEET = "_duban"
EXPORT_ID_PROPERTY = "duban_export_id"
STATUS_LIST_NAME = "duban_status_list"

TITLE_ROW = 1
CONTACT_ROW = 2
HINT_ROW = 3
HEADER_ROW = 4
FIRST_DATA_ROW = 5

REPORTER_LABEL = "填报人"
PHONE_LABEL = "联系电话"
ID_HEADER = "分工编号"
#: Locked columns after the assignment id, in order: (key, header, width).
LOCKED_COLUMNS = (
    ("number", "任务编号", 6),
    ("category", "总体任务", 9),
    ("title", "重点工作", 15),
    ("targets", "目标", 18),
    ("measures", "落实举措", 20),
    ("period", "时间节点", 9),
    ("role", "本单位分工", 6),
    ("reference", "上轮进展（参考）", 20),
    ("reference_figures", "上轮完成情况（参考）", 12),
)
#: Editable report columns: (report field, header, width), from :data:`db.report_fields.ROW_FIELDS`.
EDITABLE_COLUMNS = tuple((f.key, f.header, f.width) for f in ROW_FIELDS)
INDICATOR_PREFIX = "指标："
INDICATOR_WIDTH = 10
COMMENT_HEADER = "督办室意见"
COMMENT_WIDTH = 24
#: What each review state is called in a reference cell's label.
REVIEW_LABELS = {"accepted": "已审核", "pending": "待审核", "returned": "退回"}
#: Locked columns a clerk changing them is reported for (the reference and comment may
#: legitimately differ from today's ledger, so they are not compared).
COMPARED_LOCKED = ("number", "category", "title", "targets", "measures", "period", "role")

_FONT = "宋体"
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_EDIT_FILL = PatternFill("solid", fgColor="FFFFFF")
_RETURNED_FILL = PatternFill("solid", fgColor="FCE4D6")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_CENTER_TOP = Alignment(horizontal="center", vertical="top")
_UNLOCKED = Protection(locked=False)
_BASE_FONT = Font(name=_FONT, size=10)
_BOLD_FONT = Font(name=_FONT, size=10, bold=True)
_COMMENT_FONT = Font(name=_FONT, size=10, color="C00000", bold=True)
_HELP_TITLE_FONT = Font(name=_FONT, size=14, bold=True)
_HELP_FONT = Font(name=_FONT, size=11)

_WIDE_CHARS = re.compile("[\u2e80-\U0010ffff]")
_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass
class HandoffIndicator:
    """A quantitative indicator that gets its own editable column."""

    indicator_id: int
    key_work_id: int
    name: str
    target_value: float
    measure_unit: str | None
    direction: str
    header: str = ""


@dataclass
class HandoffMilestone:
    """A deadline (时间节点) of a key work, carried in the hidden sheet for township mode."""

    milestone_id: int
    key_work_id: int
    seq: int
    phrase: str
    text: str | None
    due_date: str | None
    understood: int
    done_date: str | None


@dataclass
class HandoffRow:
    """One assignment as it appears in the workbook."""

    assignment_id: int
    key_work_id: int
    plan_id: int
    number: str
    category: str | None
    title: str
    targets: str
    measures: str
    period: str
    role: str
    start_date: str | None = None
    end_date: str | None = None
    reference: str | None = None
    reference_figures: str | None = None
    comment: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    indicator_values: dict[int, float | None] = field(default_factory=dict)

    def locked_values(self) -> dict[str, str]:
        """Return the locked cells' texts by column key (as written to the sheet)."""
        return {key: clean_text(getattr(self, key) or "") for key, _h, _w in LOCKED_COLUMNS}


@dataclass
class HandoffContent:
    """Everything one handoff workbook holds."""

    export_id: str
    round_id: str
    round_kind: str
    cutoff: str
    due_date: str | None
    unit_id: int
    unit_name: str
    unit_kind: str
    org_name: str | None
    reporter: str | None
    phone: str | None
    exported_at: str
    rows: list[HandoffRow]
    indicators: list[HandoffIndicator]
    milestones: list[HandoffMilestone] = field(default_factory=list)
    #: The issuing office's ledger: its permanent id and name (see db.ledger.ledger_identity).
    office_id: str | None = None
    office_name: str | None = None


@dataclass
class HandoffFile:
    """A handoff workbook written by :func:`export_handoff`."""

    unit_id: int
    unit: str
    round_id: str
    export_id: str
    path: Path
    rows: int


def new_export_id(ledger_id: str | None = None) -> str:
    """Return an unguessable export id (128 random bits), led by the issuing ledger's id when given.

    The ledger's id in every export id tells a township ledger and a return which office's
    ledger the form belongs to, even where two offices number their assignments alike.
    """
    token = secrets.token_hex(16)
    return f"{ledger_id[:12]}-{token}" if ledger_id else token


def clean_text(text: Any) -> str:
    """Return text safe to put in a cell: no XML-illegal control characters, LF line ends."""
    return cell_text(text) or ""


def handoff_file_name(round_id: str, unit_name: str, suffix: str = "填报表") -> str:
    """Return ``2024Q2_城东街道_填报表.xlsx`` made safe for Windows file names."""
    # No control character or bidi override (which would make the name read backwards) in a file name.
    stem = cell_text(f"{round_id}_{unit_name}_{suffix}") or suffix
    stem = _WINDOWS_BAD.sub("_", stem).strip(" .")
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    # Windows paths are limited to 260 characters; keep the name itself short.
    return f"{stem[:120]}.xlsx"


def indicator_header(ind: HandoffIndicator) -> str:
    """Return the header of an indicator column, naming the indicator and its target."""
    sign = "≤" if ind.direction == "at_most" else ""
    return f"{INDICATOR_PREFIX}{ind.name}（目标{sign}{ind.target_value:g}{ind.measure_unit or ''}）"


# ---------------------------------------------------------------------------------------------
# Building the content from the office ledger
# ---------------------------------------------------------------------------------------------


def _joined_by_key_work(db: sqlite_utils.Database, table: str, key_work_ids: list[int]) -> dict[int, str]:
    """Return the texts of ``table`` (targets or measures) of each key work, joined by line breaks."""
    grouped: dict[int, list[str]] = {}
    for kw, text in db.execute(
        f"SELECT key_work_id, text FROM {table} WHERE key_work_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY key_work_id, seq, id",
        [json.dumps(key_work_ids)],
    ):
        grouped.setdefault(kw, []).append(text)
    return {kw: join_clauses(texts, "\n") for kw, texts in grouped.items()}


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def reference_cells(report: dict | None, round_id: str | None, indicators: list[dict], actuals: dict) -> tuple:
    """Return the two reference cells of last round's report: its text and its figures, labelled.

    The label names the round and the report's review state (【2024Q3·待审核】), so that a clerk
    and the office see what the figures are worth; the figures are 完成进度, 推进状态 and each
    indicator's value.
    """
    if not report:
        return None, None
    label = f"【{round_id}·{REVIEW_LABELS.get(report.get('review'), report.get('review') or '')}】"
    text = f"{label}{report.get('progress_text') or '（未填进展）'}"
    figures = []
    if report.get("percent") is not None:
        figures.append(f"完成进度 {_figure(report['percent'])}%")
    if report.get("reported_status"):
        figures.append(report["reported_status"])
    for ind in indicators:
        value = actuals.get(ind["id"])
        if value is not None:
            figures.append(f"{ind['name']} {_figure(value)}{ind['measure_unit'] or ''}")
    return text, "\n".join([label, *figures]) if figures else label


def office_reasons(report: dict | None) -> str | None:
    """Return what the office wants the clerk to act on for a row, from its report of this round.

    The send-back comment, each field the last return could not be read (column, value,
    reason), and each warning the office has not cleared — one line each; None when nothing.
    """
    if not report:
        return None
    lines = []
    if report.get("review") == "returned" and report.get("review_comment"):
        lines.append(f"退回意见：{report['review_comment']}")
    for item in json.loads(report["rejected_fields"]) if report.get("rejected_fields") else []:
        lines.append(f"未导入：{item['reason']}（请改正后重新报送）")
    if report.get("warnings") and not report.get("warnings_checked_at"):
        for warning in json.loads(report["warnings"]):
            lines.append(f"待核实：{warning['message']}")
    return "\n".join(lines) or None


def _actuals_by_report(db: sqlite_utils.Database, report_ids: list[int]) -> dict[int, dict[int, float]]:
    out: dict[int, dict[int, float]] = {}
    for report_id, indicator_id, value in db.execute(
        "SELECT report_id, indicator_id, value FROM indicator_actuals WHERE report_id IN (SELECT value FROM json_each(?))",
        [json.dumps(report_ids)],
    ):
        out.setdefault(report_id, {})[indicator_id] = value
    return out


def handoff_rows(
    db: sqlite_utils.Database, *, unit_id: int | None = None, assignment_ids: list[int] | None = None
) -> list[HandoffRow]:
    """Build the task part of handoff rows (the locked columns), the one builder for every handoff.

    Used by the export (a unit's rows), a township's return (the rows it was sent) and the
    return check (what the ledger says those rows hold), so that all three agree on what a
    row shows. Report values, references and indicators are filled in by the caller.

    Args:
        db: the ledger.
        unit_id: every assignment of this unit, in plan order.
        assignment_ids: these assignments, in this order (unknown ids are left out).
    """
    if unit_id is not None:
        where, params = "a.unit_id = ?", [unit_id]
    else:
        where, params = "a.id IN (SELECT value FROM json_each(?))", [json.dumps(sorted(set(assignment_ids or [])))]
    assignments = list(
        db.query(
            f"""SELECT a.id, a.key_work_id, a.role, k.plan_id, k.number, k.title, k.period_phrase,
                      k.start_date, k.end_date, c.title AS category
               FROM assignments a JOIN key_works k ON k.id = a.key_work_id
               LEFT JOIN categories c ON c.id = k.category_id
               WHERE {where}
               ORDER BY COALESCE(c.seq, 0), k.sort_order, k.id""",
            params,
        )
    )
    if assignment_ids is not None and unit_id is None:
        by_id = {a["id"]: a for a in assignments}
        assignments = [by_id[i] for i in assignment_ids if i in by_id]
    key_work_ids = sorted({a["key_work_id"] for a in assignments})
    targets = _joined_by_key_work(db, "targets", key_work_ids)
    measures = _joined_by_key_work(db, "measures", key_work_ids)
    return [
        HandoffRow(
            assignment_id=a["id"],
            key_work_id=a["key_work_id"],
            plan_id=a["plan_id"],
            number=str(a["number"]),
            category=a["category"],
            title=a["title"],
            targets=targets.get(a["key_work_id"], ""),
            measures=measures.get(a["key_work_id"], ""),
            period=a["period_phrase"] or "",
            role=a["role"],
            start_date=a["start_date"],
            end_date=a["end_date"],
        )
        for a in assignments
    ]


def indicators_by_key_work(db: sqlite_utils.Database, key_work_ids: list[int]) -> dict[int, list[dict]]:
    """Return each key work's indicators, in their order."""
    out: dict[int, list[dict]] = {}
    for ind in db.query(
        "SELECT * FROM indicators WHERE key_work_id IN (SELECT value FROM json_each(?)) ORDER BY key_work_id, seq, id",
        [json.dumps(key_work_ids)],
    ):
        out.setdefault(ind["key_work_id"], []).append(ind)
    return out


def handoff_indicator(ind: dict) -> HandoffIndicator:
    """Return an ``indicators`` row as the column it gets in a handoff."""
    return HandoffIndicator(
        ind["id"], ind["key_work_id"], ind["name"], ind["target_value"], ind["measure_unit"], ind["direction"]
    )


def handoff_content(db: sqlite_utils.Database, round_id: str, unit_id: int, export_id: str) -> HandoffContent:
    """Collect what a unit's handoff workbook for a round shows.

    Editable cells are pre-filled only from the unit's report for this round (it was sent back,
    or is being re-sent); otherwise they start empty, so that a file returned untouched reports
    nothing. Last round's report, whatever its review state, fills the reference columns.
    """
    rnd = ensure_round_open(db, round_id)
    unit = db["units"].get(unit_id)
    prev = previous_round(db, rnd["id"])
    indicators: dict[int, HandoffIndicator] = {}
    last_reporter = None
    # One query per table for the whole unit (not several per row): its assignments, this
    # round's reports, the previous round's texts, the key works' targets, measures, indicators.
    rows = handoff_rows(db, unit_id=unit_id)
    current_reports = {
        r["assignment_id"]: r
        for r in db.query(
            "SELECT * FROM reports WHERE round_id = ? AND assignment_id IN (SELECT id FROM assignments WHERE unit_id = ?)",
            [rnd["id"], unit_id],
        )
    }
    last_reports: dict[int, dict] = {}
    if prev is not None:
        last_reports = {
            r["assignment_id"]: r
            for r in db.query(
                "SELECT * FROM reports WHERE round_id = ? "
                "AND assignment_id IN (SELECT id FROM assignments WHERE unit_id = ?)",
                [prev["id"], unit_id],
            )
        }
    indicators_of = indicators_by_key_work(db, sorted({r.key_work_id for r in rows}))
    actuals_of = _actuals_by_report(db, [r["id"] for r in (*current_reports.values(), *last_reports.values())])
    for row in rows:
        current = current_reports.get(row.assignment_id)
        last = last_reports.get(row.assignment_id)
        row.reference, row.reference_figures = reference_cells(
            last,
            prev["id"] if prev else None,
            indicators_of.get(row.key_work_id, []),
            actuals_of.get(last["id"], {}) if last else {},
        )
        row.comment = office_reasons(current)
        if current:
            row.values = {key: current[key] for key in ROW_FIELD_KEYS}
            actuals = actuals_of.get(current["id"], {})
        else:
            actuals = {}
        # 填报人 and 联系电话 are the unit's contact, not a report: the latest one known is offered.
        for known in (current, last):
            if known and known["reporter"] and not last_reporter:
                last_reporter = (known["reporter"], known["phone"])
        for ind in indicators_of.get(row.key_work_id, []):
            indicators.setdefault(ind["id"], handoff_indicator(ind))
            row.indicator_values[ind["id"]] = actuals.get(ind["id"])
    reporter, phone = unit["contact"], unit["phone"]
    if last_reporter and last_reporter[0]:
        reporter, phone = last_reporter[0], last_reporter[1] or phone
    return HandoffContent(
        export_id=export_id,
        round_id=rnd["id"],
        round_kind=rnd["kind"],
        cutoff=rnd["cutoff"],
        due_date=rnd["due_date"],
        unit_id=unit_id,
        unit_name=unit["name"],
        unit_kind=unit["kind"],
        org_name=get_meta(db, "org_name"),
        reporter=reporter,
        phone=phone,
        exported_at=now_iso(),
        rows=rows,
        indicators=list(indicators.values()),
        milestones=key_work_milestones(db, (r.key_work_id for r in rows)),
        office_id=ledger_identity(db)["id"],
        office_name=ledger_identity(db)["name"],
    )


def sent_locked_cells(rows: Iterable[HandoffRow]) -> dict[str, dict[str, str]]:
    """Return, per assignment id, the compared locked cells as a return will read them back.

    Recorded with the export so that a return is judged against what was sent; the texts are
    trimmed because :mod:`reports.exchange.returns` trims every cell it reads.
    """
    out = {}
    for row in rows:
        locked = row.locked_values()
        out[str(row.assignment_id)] = {key: locked[key].strip() for key in COMPARED_LOCKED}
    return out


def key_work_milestones(db: sqlite_utils.Database, key_work_ids: Iterable[int]) -> list[HandoffMilestone]:
    """Return the milestones of the given key works, in key-work then deadline order."""
    order = list(dict.fromkeys(key_work_ids))
    by_key_work: dict[int, list[HandoffMilestone]] = {}
    for m in db.query(
        "SELECT * FROM milestones WHERE key_work_id IN (SELECT value FROM json_each(?)) ORDER BY key_work_id, seq, id",
        [json.dumps(order)],
    ):
        by_key_work.setdefault(m["key_work_id"], []).append(
            HandoffMilestone(
                m["id"],
                m["key_work_id"],
                m["seq"],
                m["phrase"],
                m["text"],
                m["due_date"],
                m["understood"],
                m["done_date"],
            )
        )
    return [m for kw in order for m in by_key_work.get(kw, [])]


def units_with_assignments(db: sqlite_utils.Database) -> list[int]:
    """Return the ids of every unit that has at least one assignment, in registry order."""
    return [
        r[0]
        for r in db.execute(
            "SELECT u.id FROM units u WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.unit_id = u.id) "
            "ORDER BY u.kind = '乡镇街道', u.sort_order, u.id"
        )
    ]


def export_handoff(
    db: sqlite_utils.Database,
    round_id: str,
    unit_ids: Iterable[int] | None = None,
    out_dir: str | Path | None = None,
    *,
    progress: Progress | None = None,
) -> list[HandoffFile]:
    """Write one handoff workbook per unit for a round and record each export in the ledger.

    Args:
        db: the office ledger.
        round_id: an open round, e.g. ``2024Q2``.
        unit_ids: the units; None means every unit with assignments.
        out_dir: the folder to write into (created when missing).
        progress: called as ``progress(done, total, message)``; may raise to cancel.

    Returns:
        The written files, in the order of ``unit_ids``.

    Raises:
        DubanError: closed or unknown round, a unit without assignments, an unwritable folder.
    """
    if out_dir is None:
        raise DubanError("请指定填报表的保存文件夹。")
    rnd = ensure_round_open(db, round_id)
    ids = list(unit_ids) if unit_ids is not None else units_with_assignments(db)
    if not ids:
        raise DubanError("台账中没有任何单位承担任务，无需导出填报表。")
    for unit_id in ids:
        count = db.execute("SELECT COUNT(*) FROM assignments WHERE unit_id = ?", [unit_id]).fetchone()[0]
        if count == 0:
            name = db.execute("SELECT name FROM units WHERE id = ?", [unit_id]).fetchone()
            raise DubanError(f"单位“{name[0] if name else unit_id}”没有承担任何任务，无需导出填报表。")
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DubanError(f"无法创建文件夹“{folder}”（{exc.strerror or exc}）。") from None
    written: list[HandoffFile] = []
    for done, unit_id in enumerate(ids):
        content = handoff_content(db, rnd["id"], unit_id, new_export_id(ledger_identity(db)["id"]))
        if progress:
            progress(done, len(ids), f"正在导出 {content.unit_name}")
        path = folder / handoff_file_name(rnd["id"], content.unit_name)
        record = {
            "id": content.export_id,
            "unit_id": unit_id,
            "round_id": rnd["id"],
            "created_at": content.exported_at,
            "assignment_ids": json.dumps([r.assignment_id for r in content.rows]),
            "file_name": path.name,
            "kind": SENT,
            "locked_cells": json.dumps(sent_locked_cells(content.rows), ensure_ascii=False),
        }
        # The record and the file stand or fall together: a failed write rolls the record back,
        # and the workbook is moved to its name only after the record is committed (a failed
        # commit, e.g. on a full disk, leaves no file whose return would be refused as foreign).
        with replaced_atomically(path, opened_in="Excel/WPS") as staged:
            with db.atomic():
                record_export(db, record, "export")
                write_handoff_workbook(content, staged)
        written.append(HandoffFile(unit_id, content.unit_name, rnd["id"], content.export_id, path, len(content.rows)))
    if progress:
        progress(len(ids), len(ids), "导出完成")
    return written


# ---------------------------------------------------------------------------------------------
# Writing the workbook
# ---------------------------------------------------------------------------------------------


def _set_text(cell, text: Any) -> None:
    """Write text that must stay text (never a formula, never a number): :func:`reports.cells.put_text`."""
    put_text(cell, text)


def _display_width(text: str) -> float:
    # In column-width units of a 10-point font: a Chinese character is a little under two.
    # Counted by a regular expression rather than character by character (same sum, exactly).
    return len(text) + 0.75 * len(_WIDE_CHARS.findall(text))


def _lines(text: str, width: float) -> int:
    if not text:
        return 1
    usable = max(width - 1.0, 2.0)
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in text.split("\n"))


def _row_height(texts: list[tuple[str, float]]) -> float:
    lines = max((_lines(t, w) for t, w in texts), default=1)
    return min(409.0, max(30.0, 13.0 * lines + 6))


def _columns(content: HandoffContent) -> list[tuple[str, str, float]]:
    """Return (key, header, width) for every column of the main sheet."""
    cols: list[tuple[str, str, float]] = [("assignment_id", ID_HEADER, 7)]
    cols += [(k, h, w) for k, h, w in LOCKED_COLUMNS]
    cols += [(k, h, w) for k, h, w in EDITABLE_COLUMNS]
    seen: set[str] = set()
    for ind in content.indicators:
        header = indicator_header(ind)
        if header in seen:
            header = f"{header}#{ind.indicator_id}"
        seen.add(header)
        ind.header = header
        cols.append((f"indicator:{ind.indicator_id}", header, INDICATOR_WIDTH))
    cols.append(("comment", COMMENT_HEADER, COMMENT_WIDTH))
    return cols


def write_handoff_workbook(content: HandoffContent, path: str | Path) -> Path:
    """Write the handoff workbook for ``content`` to ``path`` (atomically replacing it)."""
    path = Path(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    cols = _columns(content)
    col_of = {key: i + 1 for i, (key, _h, _w) in enumerate(cols)}
    last_col = get_column_letter(len(cols))
    base_font = _BASE_FONT
    editable_keys = {k for k, _h, _w in EDITABLE_COLUMNS}
    styles = _CellStyles(wb)
    column_styles = _data_styles(styles, cols)

    title = f"{content.org_name or ''}重点工作进展填报表（{content.round_id}）— {content.unit_name}".strip()
    put_text(ws.cell(TITLE_ROW, 1), title)
    ws.cell(TITLE_ROW, 1).font = Font(name=_FONT, size=14, bold=True)
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 26

    ws.cell(CONTACT_ROW, 1, REPORTER_LABEL).font = _BOLD_FONT
    reporter = ws.cell(CONTACT_ROW, 2)
    styles.apply(reporter, protection=_UNLOCKED, number_format="@", border=_BORDER, font=base_font)
    _set_text(reporter, content.reporter)
    ws.merge_cells(start_row=CONTACT_ROW, start_column=2, end_row=CONTACT_ROW, end_column=3)
    ws.cell(CONTACT_ROW, 4, PHONE_LABEL).font = _BOLD_FONT
    phone = ws.cell(CONTACT_ROW, 5)
    styles.apply(phone, protection=_UNLOCKED, number_format="@", border=_BORDER, font=base_font)
    _set_text(phone, content.phone)
    due = f"，请于 {content.due_date} 前报送" if content.due_date else ""
    ws.cell(CONTACT_ROW, 6, f"截止日期 {content.cutoff}{due}").font = base_font
    ws.row_dimensions[CONTACT_ROW].height = 20

    hint = (
        "灰色列为任务信息，请勿修改；请在白色列填写本轮进展。推进状态从下拉列表选择，"
        "完成进度填 0–100 的数字。详见“填写说明”工作表。"
    )
    ws.cell(HINT_ROW, 1, hint).font = Font(name=_FONT, size=9, color="C00000")
    ws.merge_cells(f"A{HINT_ROW}:{last_col}{HINT_ROW}")

    for i, (_key, header, width) in enumerate(cols, 1):
        cell = ws.cell(HEADER_ROW, i, header)
        styles.apply(cell, font=_BOLD_FONT, fill=_HEADER_FILL, alignment=_CENTER, border=_BORDER)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[HEADER_ROW].height = max(36.0, _row_height([(h, w) for _k, h, w in cols]))

    for r, row in enumerate(content.rows, FIRST_DATA_ROW):
        returned = 1 if row.comment else 0
        texts: list[tuple[str, float]] = []
        for c, (key, indicator_id, width, style) in enumerate(column_styles, 1):
            cell = ws.cell(r, c)
            if key == "assignment_id":
                cell._style = StyleArray(style[returned])
                cell.value = row.assignment_id
                continue
            if key in editable_keys:
                cell._style = StyleArray(style[returned])
                value = row.values.get(key)
                if key == "percent":
                    cell.value = value
                else:
                    _set_text(cell, value)
                texts.append((clean_text(value), width))
                continue
            if indicator_id is not None:
                if indicator_id in row.indicator_values:
                    cell._style = StyleArray(style[returned])
                    cell.value = row.indicator_values[indicator_id]
                else:
                    cell._style = StyleArray(style[2])
                continue
            cell._style = StyleArray(style[returned])
            text = row.comment if key == "comment" else getattr(row, key)
            _set_text(cell, text)
            if key == "comment" and row.comment:
                note = ws.cell(r, col_of["progress_text"])
                note.comment = Comment(f"督办室意见：{clean_text(row.comment)}", "督办室", width=260, height=110)
            texts.append((clean_text(text), width))
        ws.row_dimensions[r].height = _row_height(texts)

    last_row = FIRST_DATA_ROW + max(len(content.rows), 1) - 1
    _add_validations(ws, col_of, last_row)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, col_of["progress_text"])
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A{TITLE_ROW}:{last_col}{last_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.protection.sheet = True
    # Protection is a guard against slips, not security: let clerks resize and wrap freely.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False

    # Rows follow their text: a clerk's three paragraphs are not cut off on screen or paper.
    fit_row_heights(ws, FIRST_DATA_ROW, last_row)
    write_print_sheet(wb, content, col_of, title)
    _write_help_sheet(wb, content)
    _write_hidden_sheet(wb, content)
    wb.custom_doc_props.append(StringProperty(name=EXPORT_ID_PROPERTY, value=content.export_id))
    wb.properties.creator = "duban"
    wb.properties.title = title
    wb.active = 0

    with replaced_atomically(path, opened_in="Excel/WPS") as tmp:
        wb.save(tmp)
    return path


class _CellStyles:
    """The cell styles of one workbook, each registered once; a cell gets a copy of a ready style array.

    Assigning ``cell.font``, ``cell.border`` … cell by cell makes openpyxl hash the style
    object and look it up in the workbook's style list on every assignment, which was over
    half the time of an export. Styles are told apart by the identity of their (long-lived,
    shared) style objects, which are kept referenced here so that no identity is reused.
    """

    def __init__(self, wb) -> None:
        self._sheet = wb.active
        self._arrays: dict[tuple, tuple[StyleArray, tuple]] = {}

    def array(self, **attributes: Any) -> StyleArray:
        """Return the style array of a cell with these attributes (font=…, fill=…, number_format=…)."""
        key = tuple(
            sorted((name, value if isinstance(value, str) else id(value)) for name, value in attributes.items())
        )
        found = self._arrays.get(key)
        if found is None:
            scratch = _SheetCell(self._sheet)  # never placed on a sheet: it only carries the style
            for name, value in attributes.items():
                setattr(scratch, name, value)
            found = self._arrays[key] = (scratch._style, tuple(attributes.values()))
        return found[0]

    def apply(self, cell, **attributes: Any) -> None:
        """Give ``cell`` this style (before any ``quotePrefix`` is set on it: the array is replaced)."""
        cell._style = StyleArray(self.array(**attributes))


def _data_styles(
    styles: _CellStyles, cols: list[tuple[str, str, float]]
) -> list[tuple[str, int | None, float, tuple[StyleArray, ...]]]:
    """Return, per column: key, indicator id (or None), width and the data cells' styles.

    The styles are (ordinary row, row sent back with a comment) and, for an indicator
    column, a third: the locked cell of a row whose key work lacks that indicator.
    """
    editable_keys = {k for k, _h, _w in EDITABLE_COLUMNS}
    common = {"font": _BASE_FONT, "border": _BORDER, "alignment": _WRAP_TOP}
    locked = styles.array(**common, fill=_LOCKED_FILL)
    out = []
    for key, _header, width in cols:
        indicator_id = int(key.split(":", 1)[1]) if key.startswith("indicator:") else None
        if key == "assignment_id":
            plain = styles.array(**{**common, "alignment": _CENTER_TOP}, number_format="0", fill=_LOCKED_FILL)
            arrays: tuple[StyleArray, ...] = (plain, plain)
        elif key in editable_keys or indicator_id is not None:
            extra: dict[str, Any] = {**common, "protection": _UNLOCKED}
            extra["number_format"] = "General" if key == "percent" or indicator_id is not None else "@"
            if key in ("percent", "reported_status"):
                extra["alignment"] = _CENTER_TOP
            arrays = (styles.array(**extra, fill=_EDIT_FILL), styles.array(**extra, fill=_RETURNED_FILL))
            if indicator_id is not None:
                arrays = (*arrays, locked)
        elif key == "comment":
            arrays = (locked, styles.array(**{**common, "font": _COMMENT_FONT}, fill=_LOCKED_FILL))
        else:
            arrays = (locked, locked)
        out.append((key, indicator_id, width, arrays))
    return out


def _add_validations(ws, col_of: dict[str, int], last_row: int) -> None:
    status_col = get_column_letter(col_of["reported_status"])
    status = DataValidation(
        type="list",
        formula1=STATUS_LIST_NAME,
        allow_blank=True,
        showDropDown=False,
        showErrorMessage=True,
        errorTitle="推进状态",
        error=f"请从下拉列表选择：{'、'.join(REPORTABLE_STATUSES)}。",
        showInputMessage=True,
        promptTitle="推进状态",
        prompt="请从下拉列表选择",
    )
    status.add(f"{status_col}{FIRST_DATA_ROW}:{status_col}{last_row}")
    pct_col = get_column_letter(col_of["percent"])
    percent = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成进度",
        error="完成进度请填 0 到 100 之间的数字（不带 % 号也可以）。",
        showInputMessage=True,
        promptTitle="完成进度",
        prompt="填 0–100 的数字，如 60",
    )
    percent.add(f"{pct_col}{FIRST_DATA_ROW}:{pct_col}{last_row}")
    ws.add_data_validation(status)
    ws.add_data_validation(percent)


def _write_help_sheet(wb, content: HandoffContent) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    styles = _CellStyles(wb)
    lines = [
        f"{content.unit_name} {content.round_id} 重点工作进展填报说明",
        "",
        "1. 在“填报表”工作表中，灰色列（分工编号、任务编号、总体任务、重点工作、目标、落实举措、时间节点、"
        "本单位分工、上轮进展）是督办室下发的任务信息，请勿修改；改了也不会被导入。",
        "2. 请在白色列填写本轮情况：进展情况、完成进度(%)、推进状态、存在问题、下步计划；"
        "有“指标：”列的，请填写截至本轮的实际完成数（只填数字）。",
        f"3. 推进状态请从下拉列表中选择：{'、'.join(REPORTABLE_STATUSES)}。手工填写时也认这些说法："
        + "；".join(
            f"{status}（{'、'.join(w for w, s in STATUS_SYNONYMS.items() if s == status and w != status)}）"
            for status in REPORTABLE_STATUSES
        )
        + "，其他说法不能导入。",
        "4. 完成进度填 0 到 100 之间的数字，例如 60 表示完成六成。",
        "5. 白色列一开始是空的，请填写本轮的实际情况；灰色的“上轮进展（参考）”“上轮完成情况（参考）”是上一轮的填报"
        "（注明轮次和审核状态，含完成进度和指标数），供对照更新。原样照抄上轮进展会被标为“与上轮相同”待核实。",
        "6. 标为浅红色的行有督办室意见（退回意见、上次未能导入的栏目、待核实的提醒），见最右侧“督办室意见”列，"
        "请按意见修改后重新报送。",
        "7. 请在表格上方填写填报人和联系电话。",
        "8. 请不要删除、增加或调换行，不要修改分工编号，不要删除隐藏的工作表；"
        "可以用 Excel、WPS 或 LibreOffice 填写，保存为 .xlsx（或 .xls）后原文件报送即可，文件名可以修改。",
        "9. 存在问题一栏填写的内容会进入督办室的问题清单，没有问题请留空或填“无”。",
    ]
    if content.due_date:
        lines.append(f"10. 请于 {content.due_date} 前报送。")
    lines.append(
        f"打印：填好后请打印“{PRINT_SHEET}”工作表（A4 横向，含签字栏）交分管领导审签，它显示“填报表”中填写的内容。"
    )
    commented = [row for row in content.rows if row.comment]
    if commented:
        lines.append("")
        lines.append(f"督办室对本表 {len(commented)} 项任务的意见（也写在“填报表”最右侧“督办室意见”列）：")
        lines.extend(f"任务 {row.number} {row.title}：{row.comment.replace(chr(10), '；')}" for row in commented)
    for i, text in enumerate(lines, 1):
        cell = ws.cell(i, 1)
        put_text(cell, text)
        styles.apply(cell, font=_HELP_TITLE_FONT if i == 1 else _HELP_FONT, alignment=_WRAP_TOP)
        if i > 2:
            ws.row_dimensions[i].height = 15 * max(1, math.ceil(_display_width(text) / 110)) + 4
    ws.column_dimensions["A"].width = 110
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.protection.sheet = True


def _write_hidden_sheet(wb, content: HandoffContent) -> None:
    """Write the identity, the dropdown list and the row/indicator metadata (hidden sheet)."""
    ws = wb.create_sheet(HIDDEN_SHEET)
    ws.sheet_state = "hidden"
    facts = [
        ("duban", "填报表标识，请勿修改或删除"),
        ("export_id", content.export_id),
        ("format_version", FORMAT_VERSION),
        ("round_id", content.round_id),
        ("round_kind", content.round_kind),
        ("cutoff", content.cutoff),
        ("due_date", content.due_date),
        ("unit_id", content.unit_id),
        ("unit_name", content.unit_name),
        ("unit_kind", content.unit_kind),
        ("org_name", content.org_name),
        ("exported_at", content.exported_at),
        ("office_id", content.office_id),
        ("office_name", content.office_name),
    ]
    for i, (key, value) in enumerate(facts, 1):
        ws.cell(i, 1, key)
        if isinstance(value, str):
            _set_text(ws.cell(i, 2), value)
        else:
            ws.cell(i, 2, value)
    # The dropdown's list lives here (inline lists over 255 characters are cut by LibreOffice).
    for i, status in enumerate(REPORTABLE_STATUSES, 1):
        ws.cell(i, 8, status)
    ref = f"'{HIDDEN_SHEET}'!$H$1:$H${len(REPORTABLE_STATUSES)}"
    wb.defined_names[STATUS_LIST_NAME] = DefinedName(STATUS_LIST_NAME, attr_text=ref)

    start = len(facts) + 2
    ws.cell(start, 1, "rows")
    headers = ["assignment_id", "key_work_id", "plan_id", "start_date", "end_date"]
    for j, h in enumerate(headers, 1):
        ws.cell(start + 1, j, h)
    for i, row in enumerate(content.rows, start + 2):
        for j, value in enumerate([row.assignment_id, row.key_work_id, row.plan_id, row.start_date, row.end_date], 1):
            ws.cell(i, j, value)
    start = start + 2 + len(content.rows) + 1
    ws.cell(start, 1, "indicators")
    headers = ["indicator_id", "key_work_id", "name", "target_value", "measure_unit", "direction", "header"]
    for j, h in enumerate(headers, 1):
        ws.cell(start + 1, j, h)
    for i, ind in enumerate(content.indicators, start + 2):
        values = [
            ind.indicator_id,
            ind.key_work_id,
            ind.name,
            ind.target_value,
            ind.measure_unit,
            ind.direction,
            ind.header,
        ]
        _write_meta_row(ws, i, values)
    # Milestones let township mode show the deadlines; the office ignores this section.
    start = start + 2 + len(content.indicators) + 1
    ws.cell(start, 1, "milestones")
    headers = ["milestone_id", "key_work_id", "seq", "phrase", "text", "due_date", "understood", "done_date"]
    for j, h in enumerate(headers, 1):
        ws.cell(start + 1, j, h)
    for i, m in enumerate(content.milestones, start + 2):
        values = [m.milestone_id, m.key_work_id, m.seq, m.phrase, m.text, m.due_date, m.understood, m.done_date]
        _write_meta_row(ws, i, values)
    ws.protection.sheet = True


def _write_meta_row(ws, row: int, values: list[Any]) -> None:
    for j, value in enumerate(values, 1):
        if isinstance(value, str):
            _set_text(ws.cell(row, j), value)
        else:
            ws.cell(row, j, value)


# ---------------------------------------------------------------------------------------------
# 打印版: what a clerk prints for the leader who signs
# ---------------------------------------------------------------------------------------------

PRINT_SHEET = "打印版"
#: The printed columns: (source, header, width). A source is a report field shown live from
#: the form (a reference to the 填报表 cell, so that what the clerk types is what prints) or a
#: fixed text of the row. Widths add up to what fits A4 landscape at 100 %.
PRINT_COLUMNS = (
    ("number", "编号", 5),
    ("title", "重点工作", 12),
    ("progress_text", "进展情况", 34),
    ("percent", "完成进度(%)", 6),
    ("reported_status", "推进状态", 7),
    ("problems", "存在问题", 15),
    ("next_steps", "下步计划", 15),
    ("comment", COMMENT_HEADER, 13),
)
#: Shown under the printed area of the 打印版 (not printed).
PRINT_FIT_HINT = (
    "提示：本表显示“填报表”中填写的内容，无需在此填写。打印前如有文字显示不全，请全选本表（Ctrl+A），"
    "双击任意两行行号之间的分隔线，行高即随文字调整。"
)
#: Printed text size; the page is printed at 100 %, so this is the size on paper.
PRINT_FONT_SIZE = 10
_PRINT_FONT = Font(name=_FONT, size=PRINT_FONT_SIZE)
_PRINT_BOLD = Font(name=_FONT, size=PRINT_FONT_SIZE, bold=True)
#: Height (points) of one printed line of 10-point text, and the blank around a cell's text.
_PRINT_LINE = 13.5
_PRINT_PADDING = 6.0


class _FittedRow(RowDimension):
    """A row whose height is Excel's own fit, not a fixed one: it grows when a cell's text grows.

    openpyxl marks every row with a height as a fixed height (``customHeight``), which Excel,
    WPS and LibreOffice never change — a three-paragraph 进展情况 typed later would be cut off
    on paper. A fitted row keeps the height estimated at export for the first display.
    """

    @property
    def customHeight(self) -> bool:  # noqa: N802 - openpyxl's attribute name
        return False


def fit_row_heights(ws, first_row: int, last_row: int) -> None:
    """Make the heights of rows ``first_row``..``last_row`` follow their text (see :class:`_FittedRow`)."""
    for r in range(first_row, last_row + 1):
        height = ws.row_dimensions[r].height if r in ws.row_dimensions else None
        ws.row_dimensions[r] = _FittedRow(ws, index=r, ht=height)


def _print_height(texts: list[tuple[str, float]]) -> float:
    """Height of a printed row holding these (text, column width) cells, wrapped."""
    lines = max((_lines(text, width * 10 / PRINT_FONT_SIZE) for text, width in texts), default=1)
    # Room for a few lines even where nothing is typed yet: the rows do not all need refitting.
    return min(409.0, max(4 * _PRINT_LINE, _PRINT_LINE * lines) + _PRINT_PADDING)


def write_print_sheet(wb, content: HandoffContent, col_of: dict[str, int], title: str) -> None:
    """Add the 打印版 sheet: the columns a clerk and the signing leader read, on A4 landscape, and a signature block.

    The report cells refer to the 填报表's cells, so the sheet always prints what was typed
    there; the return reader never reads it (it has no 分工编号 column, and the 填报表 comes
    first). Rows follow their text; printed at 100 % the text is :data:`PRINT_FONT_SIZE` points.

    Args:
        wb: the handoff workbook, its 填报表 written.
        content: the handoff's content.
        col_of: the 填报表's column number of each column key.
        title: the 填报表's title.
    """
    ws = wb.create_sheet(PRINT_SHEET, index=wb.sheetnames.index(MAIN_SHEET) + 1)
    styles = _CellStyles(wb)
    last_col = get_column_letter(len(PRINT_COLUMNS))
    live_keys = {k for k, _h, _w in EDITABLE_COLUMNS}
    cell_style = {"font": _PRINT_FONT, "border": _BORDER, "alignment": _WRAP_TOP}

    # Styled before the text is put: a style replaces the cell's quote prefix (see _CellStyles.apply).
    styles.apply(ws.cell(1, 1), font=Font(name=_FONT, size=16, bold=True), alignment=_CENTER)
    put_text(ws.cell(1, 1), title)
    ws.merge_cells(f"A1:{last_col}1")
    ws.row_dimensions[1].height = 30
    due = f"　报送期限：{content.due_date}" if content.due_date else ""
    styles.apply(ws.cell(2, 1), font=_PRINT_FONT)
    put_text(ws.cell(2, 1), f"填报单位：{content.unit_name}　截止日期：{content.cutoff}{due}")
    ws.merge_cells(f"A2:{last_col}2")
    header_row = 3
    for c, (_key, header, width) in enumerate(PRINT_COLUMNS, 1):
        cell = ws.cell(header_row, c)
        styles.apply(cell, font=_PRINT_BOLD, fill=_HEADER_FILL, alignment=_CENTER, border=_BORDER)
        put_text(cell, header)
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.row_dimensions[header_row].height = 2 * _PRINT_LINE + _PRINT_PADDING

    for r, row in enumerate(content.rows, header_row + 1):
        main_row = FIRST_DATA_ROW + r - header_row - 1
        texts = []
        for c, (key, _header, width) in enumerate(PRINT_COLUMNS, 1):
            cell = ws.cell(r, c)
            centred = key in ("number", "percent", "reported_status")
            styles.apply(cell, **{**cell_style, "alignment": _CENTER_TOP if centred else _WRAP_TOP})
            if key in live_keys:
                put_reference(cell, MAIN_SHEET, f"{get_column_letter(col_of[key])}{main_row}")
                text = row.values.get(key)
            else:
                text = getattr(row, key)
                put_text(cell, text)
            texts.append((clean_text(text), width))
        ws.row_dimensions[r].height = _print_height(texts)
    last_row = header_row + max(len(content.rows), 1)
    fit_row_heights(ws, header_row + 1, last_row)

    # The signature block: who filled it in and the leader who signs it off, with the date.
    sign_row = last_row + 2
    blocks = (
        ("A", "B", lambda cell: put_reference(cell, MAIN_SHEET, f"B{CONTACT_ROW}", label=f"{REPORTER_LABEL}：")),
        ("C", "C", lambda cell: put_text(cell, "分管领导审签：")),
        ("D", "F", lambda cell: put_text(cell, "日期：　　　　年　　月　　日")),
        ("G", "H", lambda cell: put_reference(cell, MAIN_SHEET, f"E{CONTACT_ROW}", label=f"{PHONE_LABEL}：")),
    )
    for first, last, write in blocks:
        cell = ws[f"{first}{sign_row}"]
        styles.apply(cell, font=_PRINT_BOLD, alignment=Alignment(vertical="center"))
        write(cell)
        if first != last:
            ws.merge_cells(f"{first}{sign_row}:{last}{sign_row}")
    ws.row_dimensions[sign_row].height = 48
    # Excel, WPS and LibreOffice fit a row to what is typed into it, not to a formula's result:
    # the clerk is told (on screen only, below the printed area) how to fit the rows here.
    note = ws.cell(sign_row + 2, 1)
    styles.apply(note, font=Font(name=_FONT, size=10, color="C00000"))
    put_text(note, PRINT_FIT_HINT)

    ws.print_area = f"A1:{last_col}{sign_row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    # Printed at 100 %: the columns are chosen to fit the width, so the text is never shrunk.
    ws.page_setup.scale = 100
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.protection.sheet = True
    # Nothing to type here (the 填报表 is the form), but rows and columns may be resized before printing.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


# ---------------------------------------------------------------------------------------------
# 催报清单
# ---------------------------------------------------------------------------------------------


#: The 催报清单's columns: (header, width). Widths add up to what fits A4 landscape at 100 %.
MISSING_COLUMNS = (
    ("序号", 4),
    ("单位", 13),
    ("联系人", 7),
    ("联系电话", 14),
    ("应报\n项数", 5),
    ("未报\n项数", 5),
    ("退回\n项数", 5),
    ("最近导出", 10),
    ("未报及退回的重点工作", 35),
    ("说明", 10),
)
#: The 催报清单's text size on paper (printed at 100 %).
MISSING_FONT_SIZE = 11


def owed_item_line(item: dict) -> str:
    """One line of the 催报清单 naming an item a unit owes: 第3项 深化“一件事”改革：退回修改（请补充数据）."""
    reason = (item.get("detail") or "").strip().rstrip("。")
    detail = f"（{reason}）" if reason else ""
    return f"第{item['number']}项 {item['title']}：{item['state']}{detail}"


def write_missing_list(rows: list[dict], round_id: str, path: str | Path, org_name: str | None = None) -> Path:
    """Write the 催报清单 (units that have not reported or were sent back) as a workbook printable on A4.

    Each unit's row names every key work it owes (number, title, and whether it is not
    reported, sent back or 部分退回, with the office's reason), printed landscape at 100 %
    in :data:`MISSING_FONT_SIZE`-point text, rows as tall as their text.

    Args:
        rows: from :func:`db.board.missing_units`.
        round_id: the round, for the title.
        path: the .xlsx to write.
        org_name: the office's name for the title.
    """
    path = Path(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "催报清单"
    styles = _CellStyles(wb)
    font = Font(name=_FONT, size=MISSING_FONT_SIZE)
    bold = Font(name=_FONT, size=MISSING_FONT_SIZE, bold=True)
    last_col = get_column_letter(len(MISSING_COLUMNS))
    # Styled before the text is put: a style replaces the cell's quote prefix (see _CellStyles.apply).
    styles.apply(ws.cell(1, 1), font=Font(name=_FONT, size=16, bold=True), alignment=_CENTER)
    put_text(ws.cell(1, 1), f"{org_name or ''} {round_id} 催报清单".strip())
    ws.merge_cells(f"A1:{last_col}1")
    ws.row_dimensions[1].height = 30
    for j, (header, width) in enumerate(MISSING_COLUMNS, 1):
        cell = ws.cell(2, j)
        styles.apply(cell, font=bold, fill=_HEADER_FILL, border=_BORDER, alignment=_CENTER)
        put_text(cell, header)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[2].height = 2 * 15 + 6
    scale = 10 / MISSING_FONT_SIZE  # widths are counted in 10-point characters
    for i, r in enumerate(rows, 1):
        items = [owed_item_line(item) for item in r.get("items", [])]
        values = [
            i,
            r["unit"],
            r["contact"],
            r["phone"],
            r["assignments"],
            r["missing"],
            r["sent_back"],
            (r["exported_at"] or "")[:10] or "未导出",
            "\n".join(items) or r["reason"],
            "已逾期" if r.get("late") else None,
        ]
        texts = []
        for j, value in enumerate(values, 1):
            cell = ws.cell(i + 2, j)
            numeric = isinstance(value, int)
            styles.apply(
                cell,
                font=font,
                border=_BORDER,
                alignment=_CENTER_TOP if numeric or j == 1 else _WRAP_TOP,
                number_format="General" if numeric else "@",
            )
            if numeric:
                cell.value = value
            else:
                put_text(cell, value)
            texts.append((clean_text(value), MISSING_COLUMNS[j - 1][1] * scale))
        lines = max(_lines(text, width) for text, width in texts)
        ws.row_dimensions[i + 2].height = min(409.0, 15.0 * lines + 6)
    fit_row_heights(ws, 3, len(rows) + 2)
    ws.print_title_rows = "2:2"
    ws.print_area = f"A1:{last_col}{max(len(rows), 1) + 2}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    # Printed at 100 %: the columns fit the width, so the text is never shrunk below its size.
    ws.page_setup.scale = 100
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    # Like every output: a failed write (disk full, the list open in Excel) leaves the previous list whole.
    with replaced_atomically(path, opened_in="Excel/WPS") as tmp:
        wb.save(tmp)
    return path
