"""Returns in: preview and apply returned handoff workbooks, undo, review, 催报; township mode.

Whose file it is is decided by the ledger's own record of the export id found in the
file (table ``exports``), never by its name or what a cell claims. Each file is applied
in one transaction as an import batch that keeps the original bytes and, for every
report it touched, the row before and after, so that :func:`undo_import` restores the
ledger exactly.

Layering: this module reads workbooks through :mod:`reports.returns` (which never
writes to the ledger) and writes them through :mod:`reports.handoff`; neither imports Qt.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from db import progress as progress_mod
from db.errors import DubanError
from db.ledger import audit, backup_ledger, create_ledger, get_meta, now_iso, open_ledger, set_meta
from db.rounds import ensure_round_open, get_round, open_round
from db.units import add_unit, find_unit

Progress = Callable[[int, int, str], None]

WORKBOOK_SUFFIXES = (".xlsx", ".xls")
MAX_ARCHIVE_MEMBERS = 500
OUTCOMES = ("new", "changed", "unchanged", "blank", "rejected")
OUTCOME_LABELS = {"new": "新增", "changed": "修改", "unchanged": "未变", "blank": "空行", "rejected": "拒绝"}
_REVIEW_FIELDS = ("review", "review_comment", "reviewed_at")


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
# Collecting the files: folders, archives, workbooks
# ---------------------------------------------------------------------------------------------


@dataclass
class _Source:
    display: str
    name: str
    path: Path | None
    rejected: str | None = None


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:
        # Chinese Windows archivers store names in GBK without saying so.
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _expand_archive(path: Path, tmp: Path) -> list[_Source]:
    from reports import safety

    label = f"“{path.name}”"
    try:
        safety.check_size(path)
        zf = zipfile.ZipFile(path)
    except DubanError as exc:
        return [_Source(str(path), path.name, None, str(exc))]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [_Source(str(path), path.name, None, f"压缩包{label}已损坏，无法打开（{exc}）。")]
    out: list[_Source] = []
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            return [_Source(str(path), path.name, None, f"压缩包{label}内有 {len(infos)} 个文件，超过上限，未导入。")]
        total = sum(i.file_size for i in infos)
        if total > safety.MAX_UNPACKED_BYTES:
            return [_Source(str(path), path.name, None, f"压缩包{label}解压后过大（疑似压缩炸弹），未导入。")]
        for index, info in enumerate(infos):
            name = _zip_member_name(info)
            base = name.replace("\\", "/").rsplit("/", 1)[-1]
            if name.startswith("__MACOSX/") or base.startswith(("~$", ".")):
                continue
            if not base.lower().endswith(WORKBOOK_SUFFIXES):
                continue
            display = f"{path.name}/{name}"
            if info.file_size > safety.MAX_FILE_BYTES:
                out.append(_Source(display, base, None, f"压缩包中的“{base}”过大，未导入。"))
                continue
            target = tmp / f"{index:04d}{Path(base).suffix.lower()}"
            try:
                with zf.open(info) as src:
                    data = src.read(safety.MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
                out.append(_Source(display, base, None, f"压缩包中的“{base}”无法解压（{exc}），未导入。"))
                continue
            if len(data) > safety.MAX_FILE_BYTES:
                out.append(_Source(display, base, None, f"压缩包中的“{base}”过大，未导入。"))
                continue
            target.write_bytes(data)
            out.append(_Source(display, base, target))
    if not out:
        return [_Source(str(path), path.name, None, f"压缩包{label}中没有 .xlsx 或 .xls 填报表。")]
    return out


def _collect(paths: Iterable[str | Path], stack: ExitStack) -> list[_Source]:
    from reports import safety

    sources: list[_Source] = []
    tmp: Path | None = None
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not p.name.startswith(("~$", "."))
                and p.suffix.lower() in (*WORKBOOK_SUFFIXES, ".zip")
            )
            if not found:
                sources.append(_Source(str(path), path.name, None, f"文件夹“{path}”中没有 .xlsx、.xls 或 .zip 文件。"))
        else:
            found = [path]
        for item in found:
            is_archive = False
            if item.suffix.lower() == ".zip" and item.is_file():
                try:
                    is_archive = safety.sniff(item).kind == "zip"
                except DubanError:
                    is_archive = False
            if is_archive:
                if tmp is None:
                    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="duban-returns-")))
                folder = tmp / f"zip{len(sources):04d}"
                folder.mkdir()
                sources.extend(_expand_archive(item, folder))
            else:
                sources.append(_Source(str(item), item.name, item))
    return sources


# ---------------------------------------------------------------------------------------------
# Examining one file against the ledger
# ---------------------------------------------------------------------------------------------


def _shown_time(stamp: str | None) -> str:
    """Return an ISO time stamp as a clerk writes it (2024-10-08 09:30:00), never with a "T"."""
    return (stamp or "").replace("T", " ")


def _tidy_person_name(name: str | None) -> str | None:
    """Drop the spaces clerks put inside a Chinese name to line it up ("朱  丹" is 朱丹)."""
    if name is None:
        return None
    return re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", name)


def _texts_by_key_work(db: sqlite_utils.Database, table: str, key_work_ids: str) -> dict[int, str]:
    grouped: dict[int, list[str]] = {}
    for kw, text in db.execute(
        f"SELECT key_work_id, text FROM {table} WHERE key_work_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY key_work_id, seq, id",
        [key_work_ids],
    ):
        grouped.setdefault(kw, []).append(text)
    return {kw: "\n".join(texts) for kw, texts in grouped.items()}


def _ledger_rows(db: sqlite_utils.Database, assignment_ids: list[int]) -> dict[int, dict]:
    """Return the locked texts the ledger has today for each assignment (as the workbook shows them).

    One query per table for the whole file rather than four per row.
    """
    from reports.handoff import clean_text

    found = {
        a["id"]: a
        for a in db.query(
            """SELECT a.id, a.key_work_id, a.role, k.number, k.title, k.period_phrase, c.title AS category
               FROM assignments a JOIN key_works k ON k.id = a.key_work_id
               LEFT JOIN categories c ON c.id = k.category_id WHERE a.id IN (SELECT value FROM json_each(?))""",
            [json.dumps(sorted(set(assignment_ids)))],
        )
    }
    key_works = json.dumps(sorted({a["key_work_id"] for a in found.values()}))
    targets = _texts_by_key_work(db, "targets", key_works)
    measures = _texts_by_key_work(db, "measures", key_works)
    indicators: dict[int, set[int]] = {}
    for ind_id, kw in db.execute(
        "SELECT id, key_work_id FROM indicators WHERE key_work_id IN (SELECT value FROM json_each(?))", [key_works]
    ):
        indicators.setdefault(kw, set()).add(ind_id)
    out = {}
    for aid in assignment_ids:
        a = found.get(aid)
        if a is None:
            continue
        kw = a["key_work_id"]
        out[aid] = {
            "key_work_id": kw,
            "number": clean_text(a["number"]).strip(),
            "category": clean_text(a["category"]).strip(),
            "title": clean_text(a["title"]).strip(),
            "targets": targets.get(kw, "").strip(),
            "measures": measures.get(kw, "").strip(),
            "period": clean_text(a["period_phrase"]).strip(),
            "role": a["role"],
            "indicators": indicators.get(kw, set()),
        }
    return out


def _normalise_row(
    row,
    ledger_row: dict,
    indicator_units: dict[int, tuple[str, str | None]],
    preview: ReturnPreview,
    reporter: str | None,
    phone: str | None,
) -> RowOutcome:
    from reports.handoff import EDITABLE_COLUMNS
    from reports.returns import ValueProblem, normalise_number, normalise_percent, normalise_status, normalise_text

    headers = {k: h for k, h, _w in EDITABLE_COLUMNS}
    outcome = RowOutcome(row.row_number, row.assignment_id, ledger_row["number"], ledger_row["title"], "new")
    try:
        fields = {
            "progress_text": normalise_text(row.values["progress_text"], headers["progress_text"]),
            "percent": normalise_percent(row.values["percent"], headers["percent"]),
            "reported_status": normalise_status(row.values["reported_status"], headers["reported_status"]),
            "problems": normalise_text(row.values["problems"], headers["problems"]),
            "next_steps": normalise_text(row.values["next_steps"], headers["next_steps"]),
        }
        values: dict[int, float | None] = {}
        for ind_id, cell in row.indicators.items():
            if ind_id in ledger_row["indicators"]:
                name, unit_of_measure = indicator_units.get(ind_id, (None, None))
                values[ind_id] = normalise_number(cell, f"指标：{name or ind_id}", unit_of_measure)
            elif not cell.blank:
                preview.locked_changes.append(
                    f"第 {row.row_number} 行在不属于该任务的指标列填了“{cell.value}”，已忽略。"
                )
    except ValueProblem as exc:
        outcome.outcome = "rejected"
        outcome.reason = f"第 {row.row_number} 行（任务 {ledger_row['number']}）：{exc}。"
        return outcome
    if all(v is None for v in fields.values()) and all(v is None for v in values.values()):
        outcome.outcome = "blank"
        return outcome
    fields["reporter"] = reporter
    fields["phone"] = phone
    outcome.fields = fields
    outcome.indicator_values = values
    outcome.problems = fields["problems"]
    return outcome


def _examine(db: sqlite_utils.Database, source: _Source, parsed, force: bool) -> ReturnPreview:
    """Judge one parsed file against the ledger as it is now (nothing is written)."""
    from reports.handoff import COMPARED_LOCKED, LOCKED_COLUMNS
    from reports.returns import ValueProblem, normalise_phone, normalise_text

    preview = ReturnPreview(path=source.display, file_name=source.name)
    if source.rejected:
        preview.rejected = source.rejected
        return preview
    try:
        data = source.path.read_bytes() if source.path else b""
    except PermissionError:
        # Windows: another program holds the file without letting others read it.
        from reports.files import file_in_use_message

        preview.rejected = file_in_use_message(source.path, "读取")
        return preview
    preview.sha256 = hashlib.sha256(data).hexdigest()
    preview.size = len(data)
    if isinstance(parsed, DubanError):
        preview.rejected = str(parsed)
        return preview
    wb = parsed
    preview.saved_at = wb.saved_at
    export = db.execute("SELECT * FROM exports WHERE id = ?", [wb.export_id]).fetchone()
    if export is None:
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
    if (claimed_round and claimed_round != export["round_id"]) or (
        claimed_unit and claimed_unit.split(".")[0] != str(export["unit_id"])
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
        preview.notice = (
            f"该文件已于 {_shown_time(same['imported_at'])} 导入过（批次 {same['id']}），本次不做任何改动。"
        )
    else:
        newest = max((b["workbook_saved_at"] for b in batches if b["workbook_saved_at"]), default=None)
        if newest and wb.saved_at and wb.saved_at <= newest:
            preview.needs_force = not force
            preview.notice = (
                f"该文件保存于 {_shown_time(wb.saved_at)}（UTC），不晚于已导入的{unit['name']}本轮填报表"
                f"（保存于 {_shown_time(newest)}），可能是旧文件"
                + ("；已按 --force 导入。" if force else "，未导入。如确认以此为准，请加 --force 重新导入。")
            )
        elif batches and not wb.saved_at:
            preview.warnings.append("无法读取该文件的保存时间，不能判断新旧，按新文件处理。")

    sent = [int(a) for a in json.loads(export["assignment_ids"])]
    ledger_rows = _ledger_rows(db, sent)
    # Locked cells are compared with what was sent: the office may have edited a task since.
    # Exports made before this was recorded fall back to today's ledger.
    sent_locked = json.loads(export["locked_cells"]) if export.get("locked_cells") else {}
    indicator_units = {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, name, measure_unit FROM indicators")}
    try:
        reporter = _tidy_person_name(normalise_text(wb.reporter, "填报人"))
    except ValueProblem as exc:
        preview.rejected = f"“{source.name}”：{exc}，未导入。"
        return preview
    phone = normalise_phone(wb.phone)
    headers = {k: h for k, h, _w in LOCKED_COLUMNS}
    if wb.missing_indicator_columns:
        preview.warnings.append(f"找不到指标列：{'、'.join(wb.missing_indicator_columns)}，这些指标未导入。")
    seen: set[int] = set()
    current_reports = progress_mod.report_snapshots(db, ledger_rows, rnd["id"])
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
        if outcome.outcome in ("new", "changed"):
            current = current_reports.get(aid)
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
                outcome.changes = changes
                outcome.outcome = "changed" if changes else "unchanged"
        preview.rows.append(outcome)
    missing = [aid for aid in sent if aid not in seen]
    if missing:
        numbers = "、".join(ledger_rows[a]["number"] for a in missing if a in ledger_rows)
        preview.warnings.append(f"文件中缺少 {len(missing)} 项任务（任务编号 {numbers}）的行，这些任务本次未报送。")
    return preview


def _read(source: _Source):
    from reports.returns import read_return

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
        sources = _collect(paths, stack)
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


def _apply(db: sqlite_utils.Database, preview: ReturnPreview, source: _Source, force: bool) -> None:
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
        [progress_mod.ReportEntry(row.assignment_id, row.fields, row.indicator_values) for row in rows],
        source="import",
        batch_id=batch_id,
    )
    with_problems = [row for row in rows if row.problems]
    recorded = progress_mod.record_problems(
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


# ---------------------------------------------------------------------------------------------
# Undo, batches
# ---------------------------------------------------------------------------------------------


def _comparable(snapshot: dict | None) -> dict | None:
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in _REVIEW_FIELDS}


def undo_import(db: sqlite_utils.Database, batch_id: int, source: str = "undo") -> int:
    """Undo an import batch exactly: every report it touched goes back to what it was.

    Refused when a report was changed again after the batch (by a later batch or by hand),
    because undoing would then lose that later change.

    Returns:
        The number of reports restored.
    """
    batch = db.execute(
        "SELECT id, round_id, file_name, undone_at FROM import_batches WHERE id = ?", [batch_id]
    ).fetchone()
    if batch is None:
        raise DubanError(f"没有编号为 {batch_id} 的导入批次。可用 duban import-batches 查看批次编号。")
    _id, round_id, file_name, undone_at = batch
    if undone_at:
        raise DubanError(f"导入批次 {batch_id}（{file_name}）已于 {_shown_time(undone_at)} 撤销过，无需再撤销。")
    ensure_round_open(db, round_id)
    changes = list(db.query("SELECT * FROM batch_changes WHERE batch_id = ? ORDER BY id DESC", [batch_id]))
    for change in changes:
        if change["table_name"] != "reports":
            continue
        aid, rid = change["row_key"].split(":", 1)
        current = progress_mod.report_snapshot(db, int(aid), rid)
        if _comparable(current) != _comparable(json.loads(change["after"])):
            number = db.execute(
                "SELECT k.number FROM assignments a JOIN key_works k ON k.id = a.key_work_id WHERE a.id = ?", [int(aid)]
            ).fetchone()
            raise DubanError(
                f"导入批次 {batch_id} 之后，任务 {number[0] if number else aid} 的填报内容又被修改过（较新的导入或手工修改），"
                "无法精确撤销；请先撤销较新的批次。"
            )
    restored = 0
    with db.atomic():
        for change in changes:
            if change["table_name"] == "problems":
                pid = int(change["row_key"])
                row = db.execute("SELECT state FROM problems WHERE id = ?", [pid]).fetchone()
                if row and row[0] == "open":
                    current = db["problems"].get(pid)
                    db["problems"].delete(pid)
                    audit(db, "problems", pid, None, current, None, f"{source}（撤销批次 {batch_id}）")
                continue
            aid, rid = change["row_key"].split(":", 1)
            before = json.loads(change["before"]) if change["before"] else None
            progress_mod.put_report(db, int(aid), rid, before, f"{source}（撤销批次 {batch_id}）")
            restored += 1
        stamp = now_iso()
        db.execute("UPDATE import_batches SET undone_at = ? WHERE id = ?", [stamp, batch_id])
        audit(db, "import_batches", batch_id, "undone_at", None, stamp, source)
    return restored


def list_batches(db: sqlite_utils.Database, round_id: str | None = None) -> list[dict]:
    """Return import batches (newest first) with unit name and counts, without the file bytes."""
    sql = (
        "SELECT b.id, b.export_id, b.unit_id, u.name AS unit, b.round_id, b.file_name, b.sha256, b.size, "
        "b.workbook_saved_at, b.imported_at, b.counts, b.forced, b.undone_at, "
        "(SELECT COUNT(*) FROM batch_changes c WHERE c.batch_id = b.id AND c.table_name = 'reports') AS reports "
        "FROM import_batches b LEFT JOIN units u ON u.id = b.unit_id"
    )
    params: list = []
    if round_id:
        sql += " WHERE b.round_id = ?"
        params.append(get_round(db, round_id)["id"])
    rows = list(db.query(sql + " ORDER BY b.id DESC", params))
    for row in rows:
        row["counts"] = json.loads(row["counts"]) if row["counts"] else {}
    return rows


def batch_original(db: sqlite_utils.Database, batch_id: int) -> tuple[str, bytes]:
    """Return the file name and original bytes kept for an import batch."""
    row = db.execute("SELECT file_name, original FROM import_batches WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        raise DubanError(f"没有编号为 {batch_id} 的导入批次。")
    return row[0], row[1]


# ---------------------------------------------------------------------------------------------
# Review, the round board, 催报
# ---------------------------------------------------------------------------------------------


def review_unit(
    db: sqlite_utils.Database,
    round_id: str,
    unit_id: int,
    decision: str,
    comment: str | None = None,
    numbers: Iterable[str] | None = None,
    source: str = "manual",
) -> int:
    """Accept a unit's reports for a round, or send them back (退回修改) with a comment.

    Args:
        round_id: an open round.
        unit_id: the unit.
        decision: "accepted" or "returned".
        comment: required when sending back; shown beside the rows in the next handoff.
        numbers: only the key works with these 任务编号 (default: all the unit's reports).

    Returns:
        The number of reports reviewed.
    """
    rnd = ensure_round_open(db, round_id)
    wanted = {str(n).strip() for n in numbers} if numbers else None
    rows = list(
        db.query(
            "SELECT r.id, r.review, k.number FROM reports r JOIN assignments a ON a.id = r.assignment_id "
            "JOIN key_works k ON k.id = a.key_work_id WHERE a.unit_id = ? AND r.round_id = ? ORDER BY k.sort_order",
            [unit_id, rnd["id"]],
        )
    )
    if wanted is not None:
        unknown = wanted - {r["number"] for r in rows}
        if unknown:
            raise DubanError(f"该单位本轮没有任务编号为 {'、'.join(sorted(unknown))} 的填报。")
        rows = [r for r in rows if r["number"] in wanted]
    if not rows:
        raise DubanError("该单位本轮还没有任何填报，无法审核。")
    with db.atomic():
        for r in rows:
            progress_mod.review_report(db, r["id"], decision, comment, source)
    return len(rows)


def _by_unit(db: sqlite_utils.Database, sql: str, round_id: str) -> dict[int, tuple]:
    """Run a query grouped by unit for a round; return the rest of each row by its unit id."""
    return {row[0]: tuple(row[1:]) for row in db.execute(sql, [round_id])}


def round_board(db: sqlite_utils.Database, round_id: str) -> list[dict]:
    """Return, per unit with assignments: exported? returned when? late? sent back? accepted?"""
    rnd = get_round(db, round_id)
    due = rnd["due_date"]
    today = date.today().isoformat()
    # One grouped query per table for the whole round, not three per unit (a city's 1,000 units).
    exports = _by_unit(
        db,
        "SELECT unit_id, COUNT(*), MAX(created_at) FROM exports WHERE round_id = ? AND kind = 'handoff' "
        "GROUP BY unit_id",
        rnd["id"],
    )
    batches = _by_unit(
        db,
        "SELECT unit_id, COUNT(*), MIN(imported_at), MAX(imported_at) FROM import_batches "
        "WHERE round_id = ? AND undone_at IS NULL GROUP BY unit_id",
        rnd["id"],
    )
    reports = _by_unit(
        db,
        "SELECT a.unit_id, COUNT(*), SUM(r.review = 'accepted'), SUM(r.review = 'returned'), "
        "SUM(r.review = 'pending'), MIN(r.submitted_at), MAX(r.updated_at) "
        "FROM reports r JOIN assignments a ON a.id = r.assignment_id WHERE r.round_id = ? GROUP BY a.unit_id",
        rnd["id"],
    )
    out = []
    for unit in db.query(
        "SELECT u.id, u.name, u.kind, u.contact, u.phone, COUNT(a.id) AS assignments FROM units u "
        "JOIN assignments a ON a.unit_id = u.id GROUP BY u.id ORDER BY u.kind = '乡镇街道', u.sort_order, u.id"
    ):
        exp = exports.get(unit["id"], (0, None))
        batch = batches.get(unit["id"], (0, None, None))
        reps = reports.get(unit["id"], (0, None, None, None, None, None))
        reported, accepted, returned, pending = reps[0], reps[1] or 0, reps[2] or 0, reps[3] or 0
        first_return = batch[1] or reps[4]
        if returned:
            state = "已退回修改"
        elif reported == 0:
            state = "未返回" if exp[0] else "未发出"
        elif reported < unit["assignments"]:
            state = "部分返回"
        elif pending:
            state = "待审核"
        else:
            state = "已审核通过"
        late = bool(due) and ((first_return[:10] > due) if first_return else today > due)
        out.append(
            {
                "unit_id": unit["id"],
                "unit": unit["name"],
                "kind": unit["kind"],
                "contact": unit["contact"],
                "phone": unit["phone"],
                "assignments": unit["assignments"],
                "exported": exp[0] > 0,
                "exported_at": exp[1],
                "imports": batch[0],
                "returned_at": first_return,
                "last_import_at": batch[2],
                "reported": reported,
                "missing": unit["assignments"] - reported,
                "accepted": accepted,
                "sent_back": returned,
                "pending": pending,
                "late": late,
                "state": state,
            }
        )
    return out


def missing_units(db: sqlite_utils.Database, round_id: str) -> list[dict]:
    """Return the 催报清单: units that have not returned (fully) or were sent back, with contacts."""
    out = []
    for row in round_board(db, round_id):
        if not row["missing"] and not row["sent_back"]:
            continue
        parts = []
        if row["reported"] == 0:
            parts.append("未报送" if row["exported"] else "未报送（尚未导出填报表）")
        elif row["missing"]:
            parts.append(f"缺 {row['missing']} 项未报")
        if row["sent_back"]:
            parts.append(f"{row['sent_back']} 项被退回待修改")
        if row["late"]:
            parts.append("已逾期")
        out.append({**row, "reason": "；".join(parts)})
    return out


# ---------------------------------------------------------------------------------------------
# Township mode
# ---------------------------------------------------------------------------------------------

TOWNSHIP = "township"
_RECEIVED = "received"


def _split_lines(text: str) -> list[str]:
    return [t for t in (text or "").split("\n") if t.strip()]


def open_handoff(ledger_path: str | Path, file: str | Path) -> dict:
    """Open a handoff workbook into a local township-mode ledger (created when missing).

    The ledger is bound to the handoff's unit; it receives the unit's assignments with the
    office's ids, the round, the export id, and the values the workbook was pre-filled with,
    so that the clerk edits rather than retypes.

    Returns:
        ``{"ledger", "export_id", "round_id", "unit", "rows", "created", "prefilled"}``.

    Raises:
        DubanError: not a handoff workbook, an office ledger, or a ledger bound to another unit.
    """
    from reports.returns import ValueProblem, normalise_phone, normalise_text, read_return

    file = Path(file)
    wb = read_return(file)
    facts = wb.facts
    needed = ("round_id", "round_kind", "cutoff", "unit_id", "unit_name")
    if any(not facts.get(k) for k in needed) or not wb.row_meta:
        raise DubanError(f"“{file.name}”缺少填报表的任务信息（隐藏的工作表不完整），无法在填报端打开。")
    ledger_path = Path(ledger_path)
    created = not ledger_path.exists()
    db = create_ledger(ledger_path) if created else open_ledger(ledger_path)
    try:
        mode = get_meta(db, "mode")
        if mode not in (None, TOWNSHIP):
            raise DubanError(f"“{ledger_path.name}”是督办端台账，不能用来填报；请另选或新建一个填报端台账文件。")
        if mode is None and db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0]:
            raise DubanError(f"“{ledger_path.name}”已有任务数据，不能用来填报；请新建一个填报端台账文件。")
        bound = get_meta(db, "township_unit")
        unit_name = facts["unit_name"]
        if bound and bound.get("name") != unit_name:
            raise DubanError(f"本台账属于“{bound.get('name')}”，而“{file.name}”是发给“{unit_name}”的填报表，未打开。")
        prefilled = 0
        with db.atomic():
            if mode is None:
                set_meta(db, "mode", TOWNSHIP, "open-handoff")
            if not bound:
                set_meta(db, "township_unit", {"name": unit_name, "office_unit_id": facts["unit_id"]}, "open-handoff")
            if facts.get("org_name"):
                set_meta(db, "office_name", facts["org_name"], "open-handoff")
            try:
                reporter = _tidy_person_name(normalise_text(wb.reporter, "填报人"))
            except ValueProblem:
                reporter = None
            phone = normalise_phone(wb.phone)
            set_meta(db, "township_contact", {"reporter": reporter, "phone": phone}, "open-handoff")
            unit_id = find_unit(db, unit_name) or add_unit(
                db, unit_name, facts.get("unit_kind") or "乡镇街道", reporter, phone, "open-handoff"
            )
            round_id = facts["round_id"].upper()
            if not db.execute("SELECT 1 FROM rounds WHERE id = ?", [round_id]).fetchone():
                open_round(
                    db,
                    round_id,
                    date.fromisoformat(facts["cutoff"]),
                    facts["round_kind"],
                    date.fromisoformat(facts["due_date"]) if facts.get("due_date") else None,
                    "open-handoff",
                )
            rows_info = _store_tasks(db, wb, unit_id)
            export_id = wb.export_id
            assignment_ids = [r.assignment_id for r in wb.rows if r.assignment_id in rows_info]
            record = {
                "id": export_id,
                "unit_id": unit_id,
                "round_id": round_id,
                "created_at": facts.get("exported_at") or now_iso(),
                "assignment_ids": json.dumps(assignment_ids),
                "file_name": file.name,
                "kind": _RECEIVED,
            }
            db["exports"].upsert(record, pk="id")
            audit(db, "exports", export_id, None, None, record, "open-handoff")
            extras = {
                str(r.assignment_id): {"reference": r.locked.get("reference") or None, "comment": r.comment}
                for r in wb.rows
                if r.assignment_id
            }
            set_meta(db, f"handoff:{export_id}", {"rows": extras}, "open-handoff")
            set_meta(db, "current_export", export_id, "open-handoff")
            for r in wb.rows:
                if r.assignment_id not in rows_info or progress_mod.report_snapshot(db, r.assignment_id, round_id):
                    continue
                if _prefill(db, r, rows_info[r.assignment_id], round_id, reporter, phone):
                    prefilled += 1
        return {
            "ledger": str(ledger_path),
            "export_id": export_id,
            "round_id": round_id,
            "unit": unit_name,
            "rows": len(assignment_ids),
            "created": created,
            "prefilled": prefilled,
        }
    finally:
        db.close()


def _store_tasks(db: sqlite_utils.Database, wb, unit_id: int) -> dict[int, dict]:
    """Upsert plans, key works, assignments and indicators with the office's ids."""
    from db.tasks import category_id

    meta = {}
    for m in wb.row_meta:
        try:
            meta[int(float(m["assignment_id"]))] = m
        except (KeyError, ValueError):
            continue
    info: dict[int, dict] = {}
    for order, r in enumerate(wb.rows, 1):
        aid = r.assignment_id
        if aid is None or aid not in meta:
            continue
        m = meta[aid]
        kw_id, plan_id = int(float(m["key_work_id"])), int(float(m["plan_id"]))
        if not db.execute("SELECT 1 FROM plans WHERE id = ?", [plan_id]).fetchone():
            db["plans"].insert(
                {
                    "id": plan_id,
                    "title": f"督办室下发任务（计划 {plan_id}）",
                    "imported_at": now_iso(),
                    "source_file": wb.facts.get("exported_at"),
                }
            )
        cat = category_id(db, plan_id, r.locked["category"], "open-handoff") if r.locked.get("category") else None
        kw = {
            "id": kw_id,
            "plan_id": plan_id,
            "category_id": cat,
            "number": r.locked["number"],
            "title": r.locked["title"],
            "period_phrase": r.locked.get("period") or None,
            "start_date": m.get("start_date") or None,
            "end_date": m.get("end_date") or None,
            "sort_order": order,
        }
        db["key_works"].upsert(kw, pk="id")
        db.execute("DELETE FROM targets WHERE key_work_id = ?", [kw_id])
        db.execute("DELETE FROM measures WHERE key_work_id = ?", [kw_id])
        db["targets"].insert_all(
            {"key_work_id": kw_id, "seq": i, "text": t}
            for i, t in enumerate(_split_lines(r.locked.get("targets", "")), 1)
        )
        db["measures"].insert_all(
            {"key_work_id": kw_id, "seq": i, "text": t}
            for i, t in enumerate(_split_lines(r.locked.get("measures", "")), 1)
        )
        role = r.locked.get("role") if r.locked.get("role") in ("牵头", "责任", "配合") else "责任"
        db["assignments"].upsert({"id": aid, "key_work_id": kw_id, "unit_id": unit_id, "role": role}, pk="id")
        audit(db, "key_works", kw_id, None, None, kw, "open-handoff")
        info[aid] = {"key_work_id": kw_id, "indicators": set()}
    for seq, ind in enumerate(wb.indicator_meta, 1):
        try:
            ind_id, kw_id = int(float(ind["indicator_id"])), int(float(ind["key_work_id"]))
            target = float(ind["target_value"])
        except (KeyError, ValueError):
            continue
        if not db.execute("SELECT 1 FROM key_works WHERE id = ?", [kw_id]).fetchone():
            continue
        db["indicators"].upsert(
            {
                "id": ind_id,
                "key_work_id": kw_id,
                "seq": seq,
                "name": ind.get("name") or "",
                "target_value": target,
                "measure_unit": ind.get("measure_unit") or None,
                "direction": ind.get("direction") if ind.get("direction") in ("at_least", "at_most") else "at_least",
            },
            pk="id",
        )
        for entry in info.values():
            if entry["key_work_id"] == kw_id:
                entry["indicators"].add(ind_id)
    if wb.milestone_meta is not None:
        _store_milestones(db, wb.milestone_meta, {entry["key_work_id"] for entry in info.values()})
    return info


def _store_milestones(db: sqlite_utils.Database, meta: list[dict], key_work_ids: set[int]) -> None:
    """Replace the milestones of the handoff's key works by the office's (with the office's ids).

    The office's ledger is the authority on deadlines: a milestone it dropped or moved since
    the last handoff is dropped or moved here too.
    """

    def number(text: str | None) -> int | None:
        try:
            return int(float(text)) if text else None
        except ValueError:
            return None

    for kw_id in key_work_ids:
        db.execute("DELETE FROM milestones WHERE key_work_id = ?", [kw_id])
    for m in meta:
        ms_id, kw_id = number(m.get("milestone_id")), number(m.get("key_work_id"))
        if ms_id is None or kw_id not in key_work_ids or not m.get("phrase"):
            continue
        record = {
            "id": ms_id,
            "key_work_id": kw_id,
            "seq": number(m.get("seq")) or 0,
            "phrase": m["phrase"],
            "text": m.get("text") or None,
            "due_date": _iso_date(m.get("due_date")),
            "understood": 0 if number(m.get("understood")) == 0 else 1,
            "done_date": _iso_date(m.get("done_date")),
        }
        db["milestones"].upsert(record, pk="id")
        audit(db, "milestones", ms_id, None, None, record, "open-handoff")


def _iso_date(text: str | None) -> str | None:
    """Return an ISO date from the hidden sheet, or None (a spreadsheet may have made it a date-time)."""
    text = (text or "").strip()[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _prefill(db: sqlite_utils.Database, row, info: dict, round_id: str, reporter, phone) -> bool:
    """Store the values the handoff was pre-filled with as the local draft report."""
    from reports.returns import ValueProblem, normalise_number, normalise_percent, normalise_status, normalise_text

    try:
        fields = {
            "progress_text": normalise_text(row.values["progress_text"], "进展情况"),
            "percent": normalise_percent(row.values["percent"]),
            "reported_status": normalise_status(row.values["reported_status"]),
            "problems": normalise_text(row.values["problems"], "存在问题"),
            "next_steps": normalise_text(row.values["next_steps"], "下步计划"),
        }
        values = {i: normalise_number(c, "指标") for i, c in row.indicators.items() if i in info["indicators"]}
    except ValueProblem:
        return False
    if all(v is None for v in fields.values()) and all(v is None for v in values.values()):
        return False
    fields.update(reporter=reporter, phone=phone)
    progress_mod.save_report(
        db,
        row.assignment_id,
        round_id,
        fields,
        indicator_values={k: v for k, v in values.items() if v is not None},
        source="township",
    )
    return True


def export_return(db: sqlite_utils.Database, out_path: str | Path, export_id: str | None = None) -> Path:
    """Write the township ledger's filled workbook, in the handoff format with the same export id.

    The office imports it like any return filled in Excel and cannot tell the difference.

    Args:
        db: a township-mode ledger (see :func:`open_handoff`).
        out_path: the .xlsx to write.
        export_id: which received handoff (default: the one opened last).
    """
    from reports.handoff import (
        HandoffContent,
        HandoffIndicator,
        HandoffRow,
        key_work_milestones,
        write_handoff_workbook,
    )

    if get_meta(db, "mode") != TOWNSHIP:
        raise DubanError("只有填报端台账（用 duban open-handoff 打开过填报表）才能导出报送文件。")
    export_id = export_id or get_meta(db, "current_export")
    rows = list(db.query("SELECT * FROM exports WHERE id = ?", [export_id])) if export_id else []
    if not rows:
        raise DubanError("本台账中没有收到的填报表，请先用 duban open-handoff 打开督办室发来的填报表。")
    export = rows[0]
    rnd = get_round(db, export["round_id"])
    unit = db["units"].get(export["unit_id"])
    bound = get_meta(db, "township_unit") or {}
    extras = (get_meta(db, f"handoff:{export_id}") or {}).get("rows", {})
    contact = get_meta(db, "township_contact") or {}
    reporter, phone = contact.get("reporter"), contact.get("phone")
    latest = db.execute(
        "SELECT reporter, phone FROM reports WHERE round_id = ? AND reporter IS NOT NULL "
        "ORDER BY updated_at DESC, id DESC LIMIT 1",
        [rnd["id"]],
    ).fetchone()
    if latest:
        reporter, phone = latest[0], latest[1]
    handoff_rows, indicators = [], {}
    for aid in json.loads(export["assignment_ids"]):
        a = list(
            db.query(
                """SELECT a.id, a.key_work_id, a.role, k.plan_id, k.number, k.title, k.period_phrase, k.start_date,
                      k.end_date, c.title AS category FROM assignments a JOIN key_works k ON k.id = a.key_work_id
               LEFT JOIN categories c ON c.id = k.category_id WHERE a.id = ?""",
                [aid],
            )
        )[0]
        kw = a["key_work_id"]
        row = HandoffRow(
            assignment_id=aid,
            key_work_id=kw,
            plan_id=a["plan_id"],
            number=a["number"],
            category=a["category"],
            title=a["title"],
            targets="\n".join(
                r[0] for r in db.execute("SELECT text FROM targets WHERE key_work_id = ? ORDER BY seq", [kw])
            ),
            measures="\n".join(
                r[0] for r in db.execute("SELECT text FROM measures WHERE key_work_id = ? ORDER BY seq", [kw])
            ),
            period=a["period_phrase"] or "",
            role=a["role"],
            start_date=a["start_date"],
            end_date=a["end_date"],
            reference=extras.get(str(aid), {}).get("reference"),
            comment=extras.get(str(aid), {}).get("comment"),
        )
        report = progress_mod.report_snapshot(db, aid, rnd["id"])
        if report:
            row.values = {
                k: report[k] for k in ("progress_text", "percent", "reported_status", "problems", "next_steps")
            }
        for ind in db.query("SELECT * FROM indicators WHERE key_work_id = ? ORDER BY seq, id", [kw]):
            indicators.setdefault(
                ind["id"],
                HandoffIndicator(
                    ind["id"], kw, ind["name"], ind["target_value"], ind["measure_unit"], ind["direction"]
                ),
            )
            row.indicator_values[ind["id"]] = (report or {}).get("indicators", {}).get(str(ind["id"]))
        handoff_rows.append(row)
    content = HandoffContent(
        export_id=export_id,
        round_id=rnd["id"],
        round_kind=rnd["kind"],
        cutoff=rnd["cutoff"],
        due_date=rnd["due_date"],
        unit_id=int(float(bound.get("office_unit_id") or unit["id"])),
        unit_name=unit["name"],
        unit_kind=unit["kind"],
        org_name=get_meta(db, "office_name"),
        reporter=reporter,
        phone=phone,
        exported_at=export["created_at"],
        rows=handoff_rows,
        indicators=list(indicators.values()),
        milestones=key_work_milestones(db, (r.key_work_id for r in handoff_rows)),
    )
    return write_handoff_workbook(content, out_path)
