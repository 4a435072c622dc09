"""Plausibility warnings: what a report says that the office should check (待核实).

Warnings, not rejections: nothing a clerk wrote is lost. Each warning is stored on the report
(``reports.warnings``), shown in the import preview, the review board and ``progress --json``,
and cleared by the office with a note (核实无误), which is audited. Any later change of the
report's values computes its warnings afresh, and a changed set needs checking again.

Every rule and its threshold is one line of :data:`RULES`; :func:`report_warnings` applies them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from db.errors import DubanError
from db.ledger import audit, now_iso
from db.rounds import previous_round


@dataclass(frozen=True)
class Rule:
    """One plausibility rule.

    Attributes:
        code: stored with each warning.
        label: what the review board and the handoff call it.
        threshold: the rule's number (see each rule), None when it has none.
    """

    code: str
    label: str
    threshold: float | None = None


#: The rules and their thresholds, in the order warnings are listed.
RULES: tuple[Rule, ...] = (
    # 已完成 while 完成进度 is below the threshold (100).
    Rule("done_not_full", "已完成但进度不足", 100),
    # 完成进度 at or above the threshold (100) while the status is not 已完成.
    Rule("full_not_done", "进度满但未标已完成", 100),
    # 未启动 while 完成进度 is above the threshold (0).
    Rule("not_started_with_progress", "未启动却有进度", 0),
    # 完成进度 more than the threshold (points) below last round's.
    Rule("percent_fell", "完成进度低于上轮", 0),
    # A cumulative indicator (at least a target, not a %) more than the threshold below last round's.
    Rule("cumulative_fell", "累计指标低于上轮", 0),
    # A field that had a value last round is blank now.
    Rule("field_cleared", "上轮有、本轮空"),
    # 进展情况 identical to last round's.
    Rule("same_as_last", "与上轮相同"),
    # An indicator more than threshold times its target.
    Rule("over_target", "指标远超目标", 10),
    # A value read from an approximate figure (约55, 55左右, 八成五); noted by db.values.approximate_note.
    Rule("approximate", "约数"),
)
RULE_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
#: Fields whose clearing is flagged (存在问题 may rightly become blank once solved).
KEPT_FIELDS = {
    "progress_text": "进展情况",
    "percent": "完成进度",
    "reported_status": "推进状态",
    "next_steps": "下步计划",
}


def _warning(code: str, field: str | None, message: str) -> dict:
    return {"rule": code, "label": RULE_BY_CODE[code].label, "field": field, "message": message}


def _number(value: float) -> str:
    return f"{value:g}"


def report_warnings(
    report: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    indicators: Mapping[int, Mapping[str, Any]],
) -> list[dict]:
    """Return the warnings of a report's values, against last round's report of the same assignment.

    Args:
        report: the report's fields and ``indicators`` ({indicator id (int or text): value}).
        previous: last round's report (the same shape), whatever its review state, or None.
        indicators: the key work's indicators by id (name, target_value, measure_unit, direction).

    Returns:
        ``{"rule", "label", "field", "message"}`` per warning, in :data:`RULES` order.
    """
    out: list[dict] = []
    limit = {r.code: r.threshold for r in RULES}
    pct, status = report.get("percent"), report.get("reported_status")
    if status == "已完成" and pct is not None and pct < limit["done_not_full"]:
        out.append(_warning("done_not_full", "percent", f"推进状态为已完成，完成进度却只有 {_number(pct)}%"))
    if pct is not None and pct >= limit["full_not_done"] and status not in (None, "已完成"):
        out.append(_warning("full_not_done", "reported_status", f"完成进度 {_number(pct)}%，推进状态却是{status}"))
    if status == "未启动" and pct is not None and pct > limit["not_started_with_progress"]:
        out.append(_warning("not_started_with_progress", "percent", f"推进状态为未启动，完成进度却是 {_number(pct)}%"))
    values = {int(k): v for k, v in (report.get("indicators") or {}).items()}
    before = {int(k): v for k, v in ((previous or {}).get("indicators") or {}).items()}
    if previous:
        old_pct = previous.get("percent")
        if pct is not None and old_pct is not None and pct < old_pct - limit["percent_fell"]:
            out.append(_warning("percent_fell", "percent", f"完成进度 {_number(pct)}% 低于上轮的 {_number(old_pct)}%"))
        for ind_id, value in sorted(values.items()):
            ind = indicators.get(ind_id)
            old = before.get(ind_id)
            if ind is None or value is None or old is None or not _cumulative(ind):
                continue
            if value < old - limit["cumulative_fell"]:
                out.append(
                    _warning(
                        "cumulative_fell",
                        f"indicator:{ind_id}",
                        f"指标“{ind['name']}”{_number(value)} 低于上轮的 {_number(old)}（累计数不应减少）",
                    )
                )
        for key, label in KEPT_FIELDS.items():
            if previous.get(key) not in (None, "") and report.get(key) in (None, ""):
                out.append(_warning("field_cleared", key, f"上轮填了“{label}”，本轮为空"))
        for ind_id, old in sorted(before.items()):
            if ind_id in indicators and values.get(ind_id) is None and old is not None:
                out.append(
                    _warning(
                        "field_cleared", f"indicator:{ind_id}", f"上轮填了指标“{indicators[ind_id]['name']}”，本轮为空"
                    )
                )
        text = (report.get("progress_text") or "").strip()
        if text and text == (previous.get("progress_text") or "").strip():
            out.append(_warning("same_as_last", "progress_text", "进展情况与上轮相同"))
    for ind_id, value in sorted(values.items()):
        ind = indicators.get(ind_id)
        if ind is None or value is None or not ind.get("target_value"):
            continue
        if ind.get("direction", "at_least") == "at_least" and value > limit["over_target"] * ind["target_value"]:
            out.append(
                _warning(
                    "over_target",
                    f"indicator:{ind_id}",
                    f"指标“{ind['name']}”{_number(value)} 超过目标 {_number(ind['target_value'])} 的 "
                    f"{_number(limit['over_target'])} 倍",
                )
            )
    return out


def _cumulative(indicator: Mapping[str, Any]) -> bool:
    """Whether an indicator counts up through the year (新增480户): at least a target, not a rate."""
    return indicator.get("direction", "at_least") == "at_least" and (indicator.get("measure_unit") or "") not in (
        "%",
        "％",
    )


def approximate_warnings(notes: Iterable[tuple[str, str]]) -> list[dict]:
    """Return the 约 warnings of ``(field key, note)`` pairs from :func:`db.values.approximate_note`."""
    return [_warning("approximate", key, note) for key, note in notes]


def refresh_warnings(
    db: sqlite_utils.Database,
    round_id: str,
    changed: Mapping[int, tuple[set[str], list[dict]]],
) -> dict[int, list[dict]]:
    """Recompute the stored warnings of reports that were just saved (inside the caller's transaction).

    Args:
        db: the ledger.
        round_id: the reports' round.
        changed: by assignment id, the field keys the save changed and the 约 warnings it read. An
            approximate warning of a field not changed now is kept; one of a changed field is
            replaced by the new reading's.

    Returns:
        The warnings now stored, by assignment id (only reports whose warnings changed).
    """
    if not changed:
        return {}
    ids = json.dumps(sorted(changed))
    reports = _snapshots(db, round_id, ids)
    prev = previous_round(db, round_id)
    previous = _snapshots(db, prev["id"], ids) if prev else {}
    key_works = [r["key_work_id"] for r in reports.values()]
    indicators = _indicators(db, key_works)
    updated: dict[int, list[dict]] = {}
    for aid, report in reports.items():
        keys, approximate = changed[aid]
        old = json.loads(report["warnings"]) if report["warnings"] else []
        kept = [w for w in old if w["rule"] == "approximate" and w["field"] not in keys]
        new = report_warnings(report, previous.get(aid), indicators.get(report["key_work_id"], {}))
        new += kept + approximate
        if [w["message"] for w in new] == [w["message"] for w in old]:
            continue
        stored = json.dumps(new, ensure_ascii=False) if new else None
        # A changed set of warnings needs checking again; a cleared one stays cleared only as it was.
        db.execute(
            "UPDATE reports SET warnings = ?, warnings_checked_at = NULL, warnings_note = NULL WHERE id = ?",
            [stored, report["id"]],
        )
        updated[aid] = new
    return updated


def _snapshots(db: sqlite_utils.Database, round_id: str, ids: str) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for row in db.query(
        "SELECT r.*, a.key_work_id FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE r.round_id = ? AND r.assignment_id IN (SELECT value FROM json_each(?))",
        [round_id, ids],
    ):
        row["indicators"] = {}
        out[row["assignment_id"]] = row
    by_report = {r["id"]: r for r in out.values()}
    if by_report:
        for report_id, indicator_id, value in db.execute(
            "SELECT report_id, indicator_id, value FROM indicator_actuals WHERE report_id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(by_report))],
        ):
            by_report[report_id]["indicators"][indicator_id] = value
    return out


def _indicators(db: sqlite_utils.Database, key_work_ids: Iterable[int]) -> dict[int, dict[int, dict]]:
    out: dict[int, dict[int, dict]] = {}
    for ind in db.query(
        "SELECT * FROM indicators WHERE key_work_id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(set(key_work_ids)))],
    ):
        out.setdefault(ind["key_work_id"], {})[ind["id"]] = ind
    return out


def stored_warnings(report: Mapping[str, Any]) -> list[dict]:
    """Return a report row's stored warnings (empty when none)."""
    return json.loads(report["warnings"]) if report.get("warnings") else []


def needs_checking(report: Mapping[str, Any]) -> bool:
    """Whether a report row is 待核实: it has warnings the office has not cleared."""
    return bool(report.get("warnings")) and not report.get("warnings_checked_at")


def clear_warnings(
    db: sqlite_utils.Database, report_id: int, note: str = "核实无误", source: str = "manual"
) -> list[dict]:
    """Clear a report's warnings after the office checked them (核实无误), with a note; audited.

    Returns:
        The warnings cleared.

    Raises:
        DubanError: no warnings to clear, or an empty note.
    """
    note = (note or "").strip()
    if not note:
        raise DubanError("核实时请写一句说明，例如“核实无误”。")
    with db.atomic():
        row = next(iter(db.query("SELECT * FROM reports WHERE id = ?", [report_id])), None)
        if row is None:
            raise DubanError(f"没有编号为 {report_id} 的填报。")
        if not needs_checking(row):
            raise DubanError("该填报没有待核实的提醒。")
        db.execute(
            "UPDATE reports SET warnings_checked_at = ?, warnings_note = ? WHERE id = ?",
            [now_iso(), note, report_id],
        )
        audit(db, "reports", report_id, "warnings_note", None, note, f"{source}（核实：{row['warnings']}）")
    return stored_warnings(row)


def unit_warnings(db: sqlite_utils.Database, round_id: str, unit_id: int | None = None) -> list[dict]:
    """Return the reports of a round still 待核实 (of one unit, or all), with their warnings.

    Each item: report_id, assignment_id, unit_id, unit, number (任务编号), title, warnings.
    """
    sql = (
        "SELECT r.id, r.assignment_id, a.unit_id, u.name, k.number, k.title, r.warnings FROM reports r "
        "JOIN assignments a ON a.id = r.assignment_id JOIN units u ON u.id = a.unit_id "
        "JOIN key_works k ON k.id = a.key_work_id "
        "WHERE r.round_id = ? AND r.warnings IS NOT NULL AND r.warnings_checked_at IS NULL"
    )
    params: list[Any] = [round_id]
    if unit_id is not None:
        sql += " AND a.unit_id = ?"
        params.append(unit_id)
    sql += " ORDER BY u.sort_order, u.id, k.sort_order, k.id"
    return [
        {
            "report_id": rid,
            "assignment_id": aid,
            "unit_id": uid,
            "unit": name,
            "number": number,
            "title": title,
            "warnings": json.loads(warnings),
        }
        for rid, aid, uid, name, number, title, warnings in db.execute(sql, params)
    ]
