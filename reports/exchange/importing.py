"""Returns in: examine returned handoff workbooks against the ledger, then apply them.

Whose file it is is decided by the ledger's own record of the export id found in the
file (table ``exports``), never by its name or what a cell claims. Each file is applied
in one transaction as an import batch that keeps the original bytes and, for every
report it touched, the row before and after, so that :func:`db.import_batches.undo_import`
restores the ledger exactly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from db import progress as progress_mod
from db.errors import DubanError
from db.jobs import Progress
from db.ledger import audit, backup_ledger, ledger_identity, now_iso
from db.plausibility import approximate_warnings, report_warnings
from db.problems import record_problems
from db.report_fields import FIELD_BY_KEY, ROW_FIELDS
from db.rounds import get_round, previous_round
from db.text import hidden_characters_note, shown_time
from db.units import merged_into
from db.values import (
    ValueProblem,
    approximate_note,
    normalise_number,
)
from reports.exchange.collect import Source, collect_sources
from reports.exchange.handoff import COMPARED_LOCKED, LOCKED_COLUMNS, handoff_rows
from reports.exchange.returns import read_return

OUTCOMES = ("new", "changed", "unchanged", "blank", "rejected")
OUTCOME_LABELS = {"new": "新增", "changed": "修改", "unchanged": "未变", "blank": "空行", "rejected": "拒绝"}


@dataclass
class RowOutcome:
    """What happens (or would happen) to one row of a returned workbook."""

    row_number: int
    assignment_id: int | None
    number: str | None
    title: str | None
    outcome: str
    reason: str | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict, repr=False)
    indicator_values: dict[int, float | None] = field(default_factory=dict, repr=False)
    problems: str | None = field(default=None, repr=False)
    #: Every field of the row that could not be read: field, label, value, reason. The row's
    #: other fields are kept; these keep their previous values and the report is 部分退回.
    rejected_fields: list[dict] = field(default_factory=list)
    #: ``(field key, note)`` for values read from an approximate figure (约55).
    approximate: list[tuple[str, str]] = field(default_factory=list, repr=False)
    #: Plausibility warnings the report will carry (待核实), as sentences.
    warnings: list[str] = field(default_factory=list)


@dataclass
class ReturnPreview:
    """One returned file: whose it is, what each row does, and whether it was applied."""

    path: str
    file_name: str
    sha256: str | None = None
    size: int | None = None
    export_id: str | None = None
    unit_id: int | None = None
    unit: str | None = None
    round_id: str | None = None
    saved_at: str | None = None
    rows: list[RowOutcome] = field(default_factory=list)
    locked_changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejected: str | None = None
    notice: str | None = None
    duplicate: bool = False
    needs_force: bool = False
    batch_id: int | None = None
    applied: bool = False
    problems_added: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Rows by outcome: new, changed, unchanged, blank, rejected."""
        out = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            out[row.outcome] += 1
        return out

    @property
    def to_apply(self) -> list[RowOutcome]:
        """The rows that would change the ledger."""
        return [r for r in self.rows if r.outcome in ("new", "changed")]

    def to_dict(self) -> dict:
        """Return a JSON-friendly summary (for ``--json`` and the GUI)."""
        data = asdict(self)
        for row in data["rows"]:
            row.pop("fields", None)
            row.pop("indicator_values", None)
            row.pop("problems", None)
            row["changes"] = {k: list(v) for k, v in row["changes"].items()}
        data["counts"] = self.counts
        return data


# ---------------------------------------------------------------------------------------------
# Examining one file against the ledger
# ---------------------------------------------------------------------------------------------


def _ledger_rows(db: sqlite_utils.Database, assignment_ids: list[int]) -> dict[int, dict]:
    """Return the locked texts the ledger has today for each assignment (as the workbook shows them).

    Built by the export's own row builder, so that "unchanged" means what a fresh handoff would
    show; one query per table for the whole file rather than four per row.
    """
    rows = handoff_rows(db, assignment_ids=assignment_ids)
    indicators: dict[int, set[int]] = {}
    for ind_id, kw in db.execute(
        "SELECT id, key_work_id FROM indicators WHERE key_work_id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted({r.key_work_id for r in rows}))],
    ):
        indicators.setdefault(kw, set()).add(ind_id)
    out = {}
    for row in rows:
        locked = row.locked_values()
        out[row.assignment_id] = {
            "key_work_id": row.key_work_id,
            **{key: locked[key].strip() for key in COMPARED_LOCKED},
            "indicators": indicators.get(row.key_work_id, set()),
        }
    return out


def _shown_value(value: Any) -> str:
    """A refused cell's value as the clerk will see it quoted back (short)."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _normalise_row(
    row,
    ledger_row: dict,
    indicator_units: dict[int, tuple[str, str | None]],
    preview: ReturnPreview,
    reporter: str | None,
    phone: str | None,
) -> RowOutcome:
    """Read every field of a row: each one that cannot be read is listed, the others are kept."""
    outcome = RowOutcome(row.row_number, row.assignment_id, ledger_row["number"], ledger_row["title"], "new")
    fields: dict[str, Any] = {}
    for report_field in ROW_FIELDS:
        cell = row.values[report_field.key]
        # Cleaned on the way in (db.text.clean_text); the clerk is told what went.
        note = hidden_characters_note(report_field.label, cell.value if isinstance(cell.value, str) else None)
        if note:
            preview.warnings.append(f"第 {row.row_number} 行{note}。")
        try:
            fields[report_field.key] = report_field.parse(cell)
        except ValueProblem as exc:
            outcome.rejected_fields.append(
                {
                    "field": report_field.key,
                    "label": report_field.form_label,
                    "value": _shown_value(cell.value),
                    "reason": str(exc),
                }
            )
            continue
        if report_field.kind == "percent":
            approximate = approximate_note(cell, report_field.form_label)
            if approximate:
                outcome.approximate.append((report_field.key, approximate))
    values: dict[int, float | None] = {}
    for ind_id, cell in row.indicators.items():
        if ind_id in ledger_row["indicators"]:
            name, unit_of_measure = indicator_units.get(ind_id, (None, None))
            column = f"指标：{name or ind_id}"
            try:
                values[ind_id] = normalise_number(cell, column, unit_of_measure)
            except ValueProblem as exc:
                outcome.rejected_fields.append(
                    {
                        "field": f"indicator:{ind_id}",
                        "label": column,
                        "value": _shown_value(cell.value),
                        "reason": str(exc),
                    }
                )
                continue
            approximate = approximate_note(cell, column)
            if approximate:
                outcome.approximate.append((f"indicator:{ind_id}", approximate))
        elif not cell.blank:
            preview.locked_changes.append(f"第 {row.row_number} 行在不属于该任务的指标列填了“{cell.value}”，已忽略。")
    if outcome.rejected_fields:
        outcome.reason = (
            f"第 {row.row_number} 行（任务 {ledger_row['number']}）："
            + "；".join(p["reason"] for p in outcome.rejected_fields)
            + "。"
        )
    if all(v is None for v in fields.values()) and all(v is None for v in values.values()):
        # Nothing readable: an untouched row is blank; one whose only content was refused is
        # rejected (the examiner keeps it when there is an earlier report to mark 部分退回).
        outcome.outcome = "rejected" if outcome.rejected_fields else "blank"
        return outcome
    fields["reporter"] = reporter
    fields["phone"] = phone
    outcome.fields = fields
    outcome.indicator_values = values
    outcome.problems = fields.get("problems")
    return outcome


def _examine(db: sqlite_utils.Database, source: Source, parsed, force: bool) -> ReturnPreview:
    """Judge one parsed file against the ledger as it is now (nothing is written)."""
    preview = ReturnPreview(path=source.display, file_name=source.name)
    if source.rejected:
        preview.rejected = source.rejected
        return preview
    data = source.path.read_bytes() if source.path else b""
    preview.sha256 = hashlib.sha256(data).hexdigest()
    preview.size = len(data)
    if isinstance(parsed, DubanError):
        preview.rejected = str(parsed)
        return preview
    wb = parsed
    preview.saved_at = wb.saved_at
    export = db.execute("SELECT * FROM exports WHERE id = ?", [wb.export_id]).fetchone()
    if export is None:
        claimed_office = str(wb.facts.get("office_id") or "").strip()
        mine = ledger_identity(db)
        if claimed_office and mine["id"] and claimed_office != mine["id"]:
            # One township reports to several offices: say whose form this is.
            office = wb.facts.get("office_name") or wb.facts.get("org_name") or "另一个督办台账"
            preview.rejected = f"“{source.name}”是“{office}”发出的填报表，应报给“{office}”，不是本台账（{mine['name']}）发出的，未导入。"
            return preview
        preview.rejected = (
            f"“{source.name}”的填报表标识在本台账中没有发出记录（可能来自其他县区、其他台账，或标识被改动），未导入。"
        )
        return preview
    cols = [d[0] for d in db.execute("SELECT * FROM exports LIMIT 0").description]
    export = dict(zip(cols, export, strict=True))
    unit = db["units"].get(export["unit_id"])
    preview.export_id, preview.unit_id, preview.unit = export["id"], unit["id"], unit["name"]
    preview.round_id = export["round_id"]
    claimed_round = (wb.facts.get("round_id") or "").strip().upper()
    claimed_unit = (wb.facts.get("unit_id") or "").strip()
    claimed_unit_id = claimed_unit.split(".")[0]
    if claimed_unit_id.isdigit() and merged_into(db, int(claimed_unit_id)) == export["unit_id"]:
        # Exported before the unit was merged into the one that now holds the export.
        claimed_unit_id = str(export["unit_id"])
    if (claimed_round and claimed_round != export["round_id"]) or (
        claimed_unit and claimed_unit_id != str(export["unit_id"])
    ):
        preview.rejected = (
            f"“{source.name}”隐藏页中的轮次或单位（{claimed_round or '—'}）与督办室的发出记录"
            f"（{export['round_id']}，{unit['name']}）不符，疑似被改动，未导入。"
        )
        return preview
    rnd = get_round(db, export["round_id"])
    if rnd["state"] != "open":
        preview.rejected = (
            f"“{source.name}”是 {rnd['id']} 轮次的填报表，该轮次已关闭，数据已冻结，未导入；"
            f"如确需导入，请先重新打开该轮次（duban round reopen {rnd['id']}，会记入日志）。"
        )
        return preview

    # Every return of this unit for this round counts, not only those of this export: after a
    # send-back the office exports again, and a stale copy of the first handoff must not
    # overwrite the newer return made from the second.
    batches = list(
        db.query(
            "SELECT id, sha256, workbook_saved_at, imported_at FROM import_batches "
            "WHERE unit_id = ? AND round_id = ? AND undone_at IS NULL ORDER BY id",
            [export["unit_id"], export["round_id"]],
        )
    )
    same = next((b for b in batches if b["sha256"] == preview.sha256), None)
    if same:
        preview.duplicate = True
        preview.notice = f"该文件已于 {shown_time(same['imported_at'])} 导入过（批次 {same['id']}），本次不做任何改动。"
    else:
        newest = max((b["workbook_saved_at"] for b in batches if b["workbook_saved_at"]), default=None)
        if newest and wb.saved_at and wb.saved_at <= newest:
            preview.needs_force = not force
            preview.notice = (
                f"该文件保存于 {shown_time(wb.saved_at)}（UTC），不晚于已导入的{unit['name']}本轮填报表"
                f"（保存于 {shown_time(newest)}），可能是旧文件"
                + ("；已按 --force 导入。" if force else "，未导入。如确认以此为准，请加 --force 重新导入。")
            )
        elif batches and not wb.saved_at:
            preview.warnings.append("无法读取该文件的保存时间，不能判断新旧，按新文件处理。")

    sent = [int(a) for a in json.loads(export["assignment_ids"])]
    ledger_rows = _ledger_rows(db, sent)
    # Locked cells are compared with what was sent: the office may have edited a task since.
    # Exports made before this was recorded fall back to today's ledger.
    sent_locked = json.loads(export["locked_cells"]) if export.get("locked_cells") else {}
    indicator_rows = {
        r["id"]: r
        for r in db.query("SELECT id, key_work_id, name, target_value, measure_unit, direction FROM indicators")
    }
    indicator_units = {i: (r["name"], r["measure_unit"]) for i, r in indicator_rows.items()}
    indicators_of: dict[int, dict[int, dict]] = {}
    for ind in indicator_rows.values():
        indicators_of.setdefault(ind["key_work_id"], {})[ind["id"]] = ind
    try:
        reporter = FIELD_BY_KEY["reporter"].parse(wb.reporter)
    except ValueProblem as exc:
        preview.rejected = f"“{source.name}”：{exc}，未导入。"
        return preview
    phone = FIELD_BY_KEY["phone"].parse(wb.phone)
    headers = {k: h for k, h, _w in LOCKED_COLUMNS}
    if wb.missing_indicator_columns:
        preview.warnings.append(f"找不到指标列：{'、'.join(wb.missing_indicator_columns)}，这些指标未导入。")
    seen: set[int] = set()
    current_reports = progress_mod.report_snapshots(db, ledger_rows, rnd["id"])
    # Last round's report of each row, whatever its review state: what the warnings compare with.
    prev = previous_round(db, rnd["id"])
    last_reports = progress_mod.report_snapshots(db, ledger_rows, prev["id"]) if prev else {}
    for row in wb.rows:
        aid = row.assignment_id
        if aid is None:
            reason = (
                f"第 {row.row_number} 行没有分工编号，是新增的行，不能导入（如需增加任务请联系督办室）。"
                if not row.assignment_id_text
                else f"第 {row.row_number} 行的分工编号“{row.assignment_id_text}”无效，未导入。"
            )
            preview.rows.append(
                RowOutcome(
                    row.row_number,
                    None,
                    row.locked.get("number") or None,
                    row.locked.get("title") or None,
                    "rejected",
                    reason,
                )
            )
            continue
        if aid not in ledger_rows:
            preview.rows.append(
                RowOutcome(
                    row.row_number,
                    aid,
                    row.locked.get("number") or None,
                    row.locked.get("title") or None,
                    "rejected",
                    f"第 {row.row_number} 行的分工编号 {aid} 不在发给{unit['name']}的填报表中"
                    "（可能是从其他单位的表格复制来的行，或分工编号被改动），未导入。",
                )
            )
            continue
        ledger_row = ledger_rows[aid]
        as_sent = {**ledger_row, **sent_locked.get(str(aid), {})}
        if aid in seen:
            preview.rows.append(
                RowOutcome(
                    row.row_number,
                    aid,
                    ledger_row["number"],
                    ledger_row["title"],
                    "rejected",
                    f"第 {row.row_number} 行的分工编号 {aid} 与前面的行重复，未导入。",
                )
            )
            continue
        if row.locked["number"] != as_sent["number"] and row.locked["title"] != as_sent["title"]:
            preview.rows.append(
                RowOutcome(
                    row.row_number,
                    aid,
                    row.locked["number"] or None,
                    row.locked["title"] or None,
                    "rejected",
                    f"第 {row.row_number} 行的分工编号 {aid} 与该行的任务（{row.locked['number']} "
                    f"{row.locked['title']}）对不上（分工编号可能被改动，或行是复制来的），未导入。",
                )
            )
            continue
        seen.add(aid)
        for key in COMPARED_LOCKED:
            if row.locked[key] != as_sent[key]:
                preview.locked_changes.append(
                    f"第 {row.row_number} 行（任务 {ledger_row['number']}）的“{headers[key]}”被改动，"
                    "已忽略（以督办室台账为准）。"
                )
        outcome = _normalise_row(row, ledger_row, indicator_units, preview, reporter, phone)
        current = current_reports.get(aid)
        if outcome.outcome == "rejected" and current is not None:
            # The earlier report keeps its values and is marked: the unit is 部分退回 until fixed.
            outcome.outcome = "changed"
        if outcome.outcome in ("new", "changed"):
            rejected_now = json.dumps(outcome.rejected_fields, ensure_ascii=False) if outcome.rejected_fields else None
            if current is None:
                outcome.outcome = "new"
                outcome.changes = {k: (None, v) for k, v in outcome.fields.items() if v is not None}
                outcome.changes.update(
                    {f"indicator:{i}": (None, v) for i, v in outcome.indicator_values.items() if v is not None}
                )
            else:
                changes = {k: (current[k], v) for k, v in outcome.fields.items() if current[k] != v}
                for ind_id, value in outcome.indicator_values.items():
                    old = current["indicators"].get(str(ind_id))
                    if old != value:
                        changes[f"indicator:{ind_id}"] = (old, value)
                if current.get("rejected_fields") != rejected_now:
                    changes["rejected_fields"] = (current.get("rejected_fields"), rejected_now)
                outcome.changes = changes
                outcome.outcome = "changed" if changes else "unchanged"
            if outcome.outcome in ("new", "changed"):
                outcome.warnings = _row_warnings(outcome, current, last_reports.get(aid), indicators_of, ledger_row)
        preview.rows.append(outcome)
    missing = [aid for aid in sent if aid not in seen]
    if missing:
        numbers = "、".join(ledger_rows[a]["number"] for a in missing if a in ledger_rows)
        preview.warnings.append(f"文件中缺少 {len(missing)} 项任务（任务编号 {numbers}）的行，这些任务本次未报送。")
    return preview


def _row_warnings(
    outcome: RowOutcome, current: dict | None, last: dict | None, indicators_of: dict, ledger_row: dict
) -> list[str]:
    """Return the plausibility warnings the row's report will carry once applied (db.plausibility)."""
    report = {k: v for k, v in (current or {}).items() if k != "indicators"}
    report.update(outcome.fields)
    values = {int(k): v for k, v in ((current or {}).get("indicators") or {}).items()}
    values.update(outcome.indicator_values)
    report["indicators"] = values
    found = report_warnings(report, last, indicators_of.get(ledger_row["key_work_id"], {}))
    found += approximate_warnings(outcome.approximate)
    return [w["message"] for w in found]


def _read(source: Source):
    if source.rejected or source.path is None:
        return None
    try:
        # The office's import has no use for the deadlines table of the hidden sheet.
        return read_return(source.path, milestones=False)
    except DubanError as exc:
        # Keep only the message: the exception's traceback would hold the file open.
        return DubanError(" ".join(str(exc).split()))


# ---------------------------------------------------------------------------------------------
# Preview and apply
# ---------------------------------------------------------------------------------------------


def preview_returns(
    db: sqlite_utils.Database, paths: Iterable[str | Path], *, progress: Progress | None = None
) -> list[ReturnPreview]:
    """Show what importing the given files, folders and .zip archives would do; write nothing.

    Returns:
        One preview per workbook found (or per rejected file or archive).
    """
    return import_returns(db, paths, dry_run=True, progress=progress)


def import_returns(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    *,
    force: bool = False,
    dry_run: bool = False,
    ledger_path: str | Path | None = None,
    progress: Progress | None = None,
) -> list[ReturnPreview]:
    """Import returned handoff workbooks, one transaction (import batch) per file.

    Files are applied oldest-saved first, so that of two returns of the same export the
    newer one wins. A file already imported, or older than one already imported, changes
    nothing (the latter unless ``force``).

    Args:
        db: the office ledger.
        paths: files (.xlsx, .xls), folders and .zip archives.
        force: apply a file even when an equally new or newer return of the same export
            was imported before.
        dry_run: only preview.
        ledger_path: the ledger's file; when given, a backup is written before the first change.
        progress: called as ``progress(done, total, message)``; may raise to cancel. Cancelling
            stops before the next file; files already applied stay applied (each is its own
            batch and can be undone).

    Returns:
        One :class:`ReturnPreview` per file, in the order they were applied.
    """
    with ExitStack() as stack:
        sources = collect_sources(paths, stack)
        total = len(sources)
        parsed = []
        for index, source in enumerate(sources):
            if progress:
                progress(index, total * 2, f"读取 {source.name}")
            parsed.append((source, _read(source)))
        # Oldest first: the newest return of an export is applied last and so wins.
        order = sorted(range(total), key=lambda i: (getattr(parsed[i][1], "saved_at", None) or "", i))
        results: list[ReturnPreview] = []
        previewed: dict[str, str] = {}
        backed_up = False
        for step, i in enumerate(order):
            source, wb = parsed[i]
            if progress:
                progress(total + step, total * 2, f"{'检查' if dry_run else '导入'} {source.name}")
            if dry_run:
                preview = _examine(db, source, wb, force)
                earlier = previewed.get(preview.sha256) if preview.sha256 else None
                if earlier and not (preview.rejected or preview.duplicate):
                    # Applying would import the first copy only; say so instead of promising both.
                    preview.duplicate = True
                    preview.notice = f"与本次的“{earlier}”内容完全相同，只会导入一次。"
                elif preview.sha256 and not preview.rejected:
                    previewed[preview.sha256] = preview.path
                results.append(preview)
                continue
            if ledger_path is not None and not backed_up:
                # The backup is written before the first change, outside any transaction: a file
                # is judged first to know whether anything will change at all.
                preview = _examine(db, source, wb, force)
                if _applicable(preview):
                    backup_ledger(db, ledger_path, "import")
                    backed_up = True
            with db.atomic():
                # Judged inside the transaction that applies it, so that nothing can change in between
                # (and once, not once more before: examining is a fifth of an import's ledger work).
                preview = _examine(db, source, wb, force)
                if _applicable(preview):
                    _apply(db, preview, source, force)
            if not preview.to_apply and not (preview.rejected or preview.duplicate or preview.needs_force):
                preview.notice = preview.notice or "文件内容与台账一致，无需改动。"
            results.append(preview)
        if progress:
            progress(total * 2, total * 2, "完成")
        return results


def _applicable(preview: ReturnPreview) -> bool:
    """Whether an examined file would change the ledger."""
    return bool(preview.to_apply) and not (preview.rejected or preview.duplicate or preview.needs_force)


def _apply(db: sqlite_utils.Database, preview: ReturnPreview, source: Source, force: bool) -> None:
    """Write one examined file as an import batch (inside the caller's transaction)."""
    original = source.path.read_bytes()
    counts = preview.counts
    batch = {
        "export_id": preview.export_id,
        "unit_id": preview.unit_id,
        "round_id": preview.round_id,
        "file_name": source.name,
        "sha256": preview.sha256,
        "size": preview.size,
        "workbook_saved_at": preview.saved_at,
        "imported_at": now_iso(),
        "counts": json.dumps(counts, ensure_ascii=False),
        "original": original,
        "forced": int(bool(force)),
    }
    batch_id = db["import_batches"].insert(batch).last_pk
    key_works = {
        r[0]: r[1] for r in db.execute("SELECT id, key_work_id FROM assignments WHERE unit_id = ?", [preview.unit_id])
    }
    rows = preview.to_apply
    # Each assignment appears once among the rows to apply (a repeated one is rejected), so the
    # reports as they were before the first row and after the last are each row's before and after.
    befores = progress_mod.report_snapshots(db, (row.assignment_id for row in rows), preview.round_id)
    progress_mod.save_reports(
        db,
        preview.round_id,
        [
            progress_mod.ReportEntry(
                row.assignment_id,
                row.fields,
                row.indicator_values,
                approximate=tuple(row.approximate),
                rejected=row.rejected_fields,
            )
            for row in rows
        ],
        source="import",
        batch_id=batch_id,
    )
    with_problems = [row for row in rows if row.problems]
    recorded = record_problems(
        db,
        preview.unit_id,
        preview.round_id,
        [(key_works[row.assignment_id], row.problems) for row in with_problems],
        "import",
    )
    added = {row.assignment_id: pid for row, (pid, new) in zip(with_problems, recorded, strict=True) if new}
    preview.problems_added += len(added)
    # A plain query: Table.get asks SQLite for the table's columns every time.
    problems = {
        p["id"]: p
        for p in db.query(
            "SELECT * FROM problems WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(list(added.values()))]
        )
    }
    afters = progress_mod.report_snapshots(db, (row.assignment_id for row in rows), preview.round_id)
    records = []
    for row in rows:
        before = befores.get(row.assignment_id)
        records.append(
            {
                "batch_id": batch_id,
                "table_name": "reports",
                "row_key": f"{row.assignment_id}:{preview.round_id}",
                "before": json.dumps(before, ensure_ascii=False) if before else None,
                "after": json.dumps(afters[row.assignment_id], ensure_ascii=False),
            }
        )
        if row.assignment_id in added:
            pid = added[row.assignment_id]
            records.append(
                {
                    "batch_id": batch_id,
                    "table_name": "problems",
                    "row_key": str(pid),
                    "before": None,
                    "after": json.dumps(problems[pid], ensure_ascii=False),
                }
            )
    # One insert for the batch's changes, in the order they were made (undo replays them backwards).
    db["batch_changes"].insert_all(records)
    audit(db, "import_batches", batch_id, None, None, {k: v for k, v in batch.items() if k != "original"}, "import")
    preview.batch_id = batch_id
    preview.applied = True
