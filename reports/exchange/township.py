"""Township mode (填报端): open a received handoff into a local ledger, export the filled return.

A township clerk's ledger holds the unit's assignments with the office's ids, so that the
return it writes (:func:`export_return`) is, to the office, a handoff filled in Excel.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import sqlite_utils

from db import progress as progress_mod
from db.errors import DubanError
from db.exports import RECEIVED, export_record, record_export
from db.ledger import audit, create_ledger, get_meta, now_iso, open_ledger, set_meta
from db.mode import TOWNSHIP
from db.report_fields import FIELD_BY_KEY, ROW_FIELD_KEYS, parse_row_fields
from db.rounds import get_round, open_round
from db.units import add_unit, find_unit
from db.values import (
    ValueProblem,
    normalise_number,
)
from reports.exchange.handoff import (
    HandoffContent,
    HandoffIndicator,
    handoff_indicator,
    handoff_rows,
    indicators_by_key_work,
    key_work_milestones,
    write_handoff_workbook,
)
from reports.exchange.returns import read_return


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
                reporter = FIELD_BY_KEY["reporter"].parse(wb.reporter)
            except ValueProblem:
                reporter = None
            phone = FIELD_BY_KEY["phone"].parse(wb.phone)
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
            office_key, office = _office_slot(db, facts, bound)
            offset = office["slot"] * OFFICE_ID_SPAN
            rows_info = _store_tasks(db, wb, unit_id, offset, office["name"])
            export_id = wb.export_id
            assignment_ids = [
                r.assignment_id + offset
                for r in wb.rows
                if r.assignment_id is not None and r.assignment_id + offset in rows_info
            ]
            record = {
                "id": export_id,
                "unit_id": unit_id,
                "round_id": round_id,
                "created_at": facts.get("exported_at") or now_iso(),
                "assignment_ids": json.dumps(assignment_ids),
                "file_name": file.name,
                "kind": RECEIVED,
            }
            record_export(db, record, "open-handoff")
            extras = {
                str(r.assignment_id + offset): {"reference": r.locked.get("reference") or None, "comment": r.comment}
                for r in wb.rows
                if r.assignment_id
            }
            set_meta(db, f"handoff:{export_id}", {"rows": extras, "office": office_key}, "open-handoff")
            set_meta(db, "current_export", export_id, "open-handoff")
            for r in wb.rows:
                local = (r.assignment_id or 0) + offset
                if local not in rows_info or progress_mod.report_snapshot(db, local, round_id):
                    continue
                if _prefill(db, r, rows_info[local], round_id, reporter, phone, offset):
                    prefilled += 1
        return {
            "ledger": str(ledger_path),
            "export_id": export_id,
            "round_id": round_id,
            "unit": unit_name,
            "office": office["name"],
            "rows": len(assignment_ids),
            "created": created,
            "prefilled": prefilled,
        }
    finally:
        db.close()


#: Each office a township reports to gets its own span of local ids: its ids plus slot × span.
#: The first office's ids are kept as they are (slot 0), so a ledger from before is unchanged.
OFFICE_ID_SPAN = 1_000_000_000


def _office_slot(db: sqlite_utils.Database, facts: dict, bound: dict | None) -> tuple[str, dict]:
    """The office a handoff comes from, and its slot in this township ledger (assigned on first sight).

    One township reports to several offices (督查室, 两个健康办, 营商办), each numbering its key
    works and assignments from 1; the slot keeps their forms apart.
    """
    office_id = str(facts.get("office_id") or "").strip()
    name = str(facts.get("office_name") or facts.get("org_name") or "督办室").strip()
    key = office_id or f"name:{name}"
    offices = get_meta(db, "offices") or {}
    entry = offices.get(key)
    if entry is None:
        earlier_name = get_meta(db, "office_name") or ""
        if not offices and db.execute("SELECT 1 FROM key_works LIMIT 1").fetchone() and earlier_name != name:
            # Handoffs opened before offices were told apart hold slot 0 for the office they named.
            offices[f"name:{earlier_name}"] = {
                "slot": 0,
                "name": earlier_name or "督办室",
                "id": None,
                "unit_id": (bound or {}).get("office_unit_id"),
            }
        slot = max((int(e["slot"]) for e in offices.values()), default=-1) + 1
        entry = {"slot": slot, "name": name, "id": office_id or None}
        offices[key] = entry
    entry.update(name=name, unit_id=facts.get("unit_id"))
    set_meta(db, "offices", offices, "open-handoff")
    return key, entry


def office_of_export(db: sqlite_utils.Database, export_id: str | None) -> str | None:
    """The name of the office a received handoff came from (None when unknown)."""
    if not export_id:
        return None
    received = get_meta(db, f"handoff:{export_id}") or {}
    office = (get_meta(db, "offices") or {}).get(received.get("office") or "", {})
    return office.get("name") or get_meta(db, "office_name")


def _to_office_ids(content: HandoffContent, offset: int) -> None:
    """Give a return the office's own ids back (this ledger keeps them moved into the office's span)."""
    for row in content.rows:
        row.assignment_id -= offset
        row.key_work_id -= offset
        row.plan_id -= offset
        row.indicator_values = {i - offset: v for i, v in row.indicator_values.items()}
    for ind in content.indicators:
        ind.indicator_id -= offset
        ind.key_work_id -= offset
    for m in content.milestones:
        m.milestone_id -= offset
        m.key_work_id -= offset


def _store_tasks(
    db: sqlite_utils.Database, wb, unit_id: int, offset: int = 0, office_name: str | None = None
) -> dict[int, dict]:
    """Upsert plans, key works, assignments and indicators with the office's ids (plus the office's offset)."""
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
        kw_id, plan_id = int(float(m["key_work_id"])) + offset, int(float(m["plan_id"])) + offset
        aid += offset
        if not db.execute("SELECT 1 FROM plans WHERE id = ?", [plan_id]).fetchone():
            db["plans"].insert(
                {
                    "id": plan_id,
                    "title": f"{office_name or '督办室'}下发任务（计划 {plan_id - offset}）",
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
            ind_id, kw_id = int(float(ind["indicator_id"])) + offset, int(float(ind["key_work_id"])) + offset
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
        _store_milestones(db, wb.milestone_meta, {entry["key_work_id"] for entry in info.values()}, offset)
    return info


def _store_milestones(db: sqlite_utils.Database, meta: list[dict], key_work_ids: set[int], offset: int = 0) -> None:
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
        if ms_id is None or kw_id is None:
            continue
        ms_id, kw_id = ms_id + offset, kw_id + offset
        if kw_id not in key_work_ids or not m.get("phrase"):
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


def _prefill(db: sqlite_utils.Database, row, info: dict, round_id: str, reporter, phone, offset: int = 0) -> bool:
    """Store the values the handoff was pre-filled with as the local draft report."""
    try:
        fields = parse_row_fields(row.values)
        values = {
            i + offset: normalise_number(c, "指标")
            for i, c in row.indicators.items()
            if i + offset in info["indicators"]
        }
    except ValueProblem:
        return False
    if all(v is None for v in fields.values()) and all(v is None for v in values.values()):
        return False
    fields.update(reporter=reporter, phone=phone)
    progress_mod.save_report(
        db,
        row.assignment_id + offset,
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
    if get_meta(db, "mode") != TOWNSHIP:
        raise DubanError("只有填报端台账（用 duban open-handoff 打开过填报表）才能导出报送文件。")
    export_id = export_id or get_meta(db, "current_export")
    export = export_record(db, export_id) if export_id else None
    if export is None:
        raise DubanError("本台账中没有收到的填报表，请先用 duban open-handoff 打开督办室发来的填报表。")
    rnd = get_round(db, export["round_id"])
    unit = db["units"].get(export["unit_id"])
    bound = get_meta(db, "township_unit") or {}
    received = get_meta(db, f"handoff:{export_id}") or {}
    extras = received.get("rows", {})
    # The office this form came from (a township may report to several): its ids, unit and name.
    office = (get_meta(db, "offices") or {}).get(received.get("office") or "", {})
    offset = int(office.get("slot") or 0) * OFFICE_ID_SPAN
    contact = get_meta(db, "township_contact") or {}
    reporter, phone = contact.get("reporter"), contact.get("phone")
    latest = db.execute(
        "SELECT reporter, phone FROM reports WHERE round_id = ? AND reporter IS NOT NULL "
        "ORDER BY updated_at DESC, id DESC LIMIT 1",
        [rnd["id"]],
    ).fetchone()
    if latest:
        reporter, phone = latest[0], latest[1]
    indicators: dict[int, HandoffIndicator] = {}
    rows = handoff_rows(db, assignment_ids=json.loads(export["assignment_ids"]))
    indicators_of = indicators_by_key_work(db, sorted({r.key_work_id for r in rows}))
    for row in rows:
        extra = extras.get(str(row.assignment_id), {})
        row.reference, row.comment = extra.get("reference"), extra.get("comment")
        report = progress_mod.report_snapshot(db, row.assignment_id, rnd["id"])
        if report:
            row.values = {key: report[key] for key in ROW_FIELD_KEYS}
        for ind in indicators_of.get(row.key_work_id, []):
            indicators.setdefault(ind["id"], handoff_indicator(ind))
            row.indicator_values[ind["id"]] = (report or {}).get("indicators", {}).get(str(ind["id"]))
    content = HandoffContent(
        export_id=export_id,
        round_id=rnd["id"],
        round_kind=rnd["kind"],
        cutoff=rnd["cutoff"],
        due_date=rnd["due_date"],
        unit_id=int(float(office.get("unit_id") or bound.get("office_unit_id") or unit["id"])),
        unit_name=unit["name"],
        unit_kind=unit["kind"],
        org_name=office.get("name") or get_meta(db, "office_name"),
        reporter=reporter,
        phone=phone,
        exported_at=export["created_at"],
        rows=rows,
        indicators=list(indicators.values()),
        milestones=key_work_milestones(db, (r.key_work_id for r in rows)),
        office_id=office.get("id"),
        office_name=office.get("name"),
    )
    if offset:
        _to_office_ids(content, offset)
    return write_handoff_workbook(content, out_path)
