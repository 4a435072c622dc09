"""Putting a reviewed task-list draft into the ledger.

:func:`resolve_draft` looks every unit name up in the registry (proposing close names,
never applying them) and finds the plan a re-import would update; :func:`commit_draft`
writes the draft in one transaction. A plan is identified by its document number, else
its title; its key works by their number, so importing the same file twice leaves one
copy and importing an edited file changes exactly the key works that changed.

The draft is duck-typed (see :class:`db.plan_draft.Draft`) so that ``db`` does
not depend on the readers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from db.deadlines import parse_deadline
from db.errors import DubanError
from db.ledger import (
    audit,
    audit_entry,
    delete_audited,
    insert_audited,
    now_iso,
    update_audited,
    write_audit_entries,
)
from db.plan_draft import Draft, DraftKeyWork
from db.tasks import assign, category_id, delete_key_work, update_key_work
from db.text import clean_text, name_key
from db.units import add_alias, add_unit, find_unit, match_unit, probably_same_unit, township_ids

NEW_UNIT_POLICIES = ("create", "refuse", "skip")


def _indicator_values(ind, seq: int, year: int) -> dict:
    """The stored columns of a draft indicator (new or updated), its name and key work aside."""
    return {
        "seq": seq,
        "target_value": float(ind.target),
        "measure_unit": ind.unit,
        "direction": ind.direction,
        "year": year,
        "phrase": ind.phrase,
    }


@dataclass
class CommitResult:
    """What a commit did, by key-work number.

    Attributes:
        plan_id: the plan written.
        created_plan: True for a first import, False when an existing plan was updated.
        added: numbers of key works that are new.
        changed: number → the parts that changed (名称, 落实举措, 责任单位, …).
        removed: numbers deleted because the document no longer has them.
        kept: numbers the document no longer has but that hold progress reports, so were kept.
        unchanged: numbers already in the ledger exactly as in the document.
        units_created: unit names added to the registry.
        aliases_added: "别名 → 单位" entries added on a person's instruction.
        counts: totals written (key works, measures, assignments, milestones, indicators…).
        warnings: anything skipped.
    """

    plan_id: int
    created_plan: bool
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    aliases_added: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return asdict(self)

    def summary_lines(self) -> list[str]:
        """Return the result in a few Chinese lines for the CLI and the wizard."""
        lines = [
            ("已新建" if self.created_plan else "已更新") + f"计划（编号 {self.plan_id}）："
            f"新增 {len(self.added)} 项，修改 {len(self.changed)} 项，删除 {len(self.removed)} 项，"
            f"未变 {len(self.unchanged)} 项。"
        ]
        for number, parts in self.changed.items():
            lines.append(f"  第 {number} 项改动：{'、'.join(parts)}")
        if self.added and not self.created_plan:
            lines.append(f"  新增：第 {'、'.join(self.added)} 项")
        if self.removed:
            lines.append(f"  删除：第 {'、'.join(self.removed)} 项（文件中已没有）")
        if self.kept:
            lines.append(f"  保留：第 {'、'.join(self.kept)} 项文件中已没有，但已有填报记录，未删除，请人工处理。")
        if self.units_created:
            lines.append(f"  新增单位 {len(self.units_created)} 个：{'、'.join(self.units_created)}")
        if self.aliases_added:
            lines.append(f"  新增别名：{'；'.join(self.aliases_added)}")
        lines.extend(f"  注意：{w}" for w in self.warnings)
        return lines


# ------------------------------------------------------------------- resolve
def find_plan(db: sqlite_utils.Database, draft: Draft) -> int | None:
    """Return the id of the plan this draft re-imports (same document number, else same title)."""
    if draft.doc_no:
        row = db.execute("SELECT id FROM plans WHERE doc_no = ? ORDER BY id LIMIT 1", [draft.doc_no]).fetchone()
        if row:
            return row[0]
    key = name_key(draft.title)
    for plan_id, title in db.execute("SELECT id, title FROM plans ORDER BY id"):
        if key and name_key(title) == key:
            return plan_id
    return None


def resolve_draft(db: sqlite_utils.Database, draft: Draft) -> Draft:
    """Fill unit matches and proposals from the registry and preview the changes.

    Nothing is written. Unknown names get the closest registry names as proposals
    (市经信局 / 市经济和信息化局 / 经信局); they are only applied if a person sets
    ``use_unit`` on the draft unit. Two unknown names of the same draft that probably
    mean one unit (市公安 / 市公安局) are proposed to each other and flagged, so that a
    person decides before two units are created for one office.

    Returns:
        The same draft, with ``resolved`` set, ``existing_plan_id`` and ``preview`` filled.
    """
    draft.refresh()
    townships = [db["units"].get(i)["name"] for i in township_ids(db)]
    matches: dict[str, tuple] = {}  # a long document names the same units thousands of times
    for kw in draft.key_works:
        for unit in kw.units:
            unit.proposals = []
            if unit.all_townships:
                unit.township_names = list(townships)
                unit.unit_id = None
                continue
            if unit.name not in matches:
                match = match_unit(db, unit.name)
                matched_name = db["units"].get(match.unit_id)["name"] if match.unit_id else None
                matches[unit.name] = (match.unit_id, match.via_alias, matched_name, tuple(match.proposals))
            unit.unit_id, unit.via_alias, unit.matched_name, proposals = matches[unit.name]
            unit.proposals = list(proposals)
    _pair_new_names(draft)
    draft.existing_plan_id = find_plan(db, draft)
    draft.resolved = True
    draft.preview = _preview(db, draft)
    return draft


def _pair_new_names(draft: Draft) -> None:
    """Propose unknown names of one draft to each other when they probably mean the same unit."""
    new_names: list[str] = []
    for kw in draft.key_works:
        for unit in kw.units:
            unit.similar_new = []
            if unit.all_townships or unit.unit_id is not None or unit.name in new_names:
                continue
            new_names.append(unit.name)
    peers: dict[str, list[str]] = {}
    for i, a in enumerate(new_names):
        for b in new_names[i + 1 :]:
            if probably_same_unit(a, b):
                peers.setdefault(a, []).append(b)
                peers.setdefault(b, []).append(a)
    for kw in draft.key_works:
        for unit in kw.units:
            if unit.name in peers and not unit.all_townships and unit.unit_id is None:
                unit.similar_new = list(peers[unit.name])
                unit.proposals += [p for p in peers[unit.name] if p not in unit.proposals]


def _preview(db: sqlite_utils.Database, draft: Draft) -> dict[str, Any]:
    if draft.existing_plan_id is None:
        return {
            "plan_exists": False,
            "added": [kw.number for kw in draft.key_works],
            "changed": {},
            "removed": [],
            "unchanged": [],
        }
    existing = _existing_key_works(db, draft.existing_plan_id)
    added, changed, unchanged = [], {}, []
    for kw in draft.key_works:
        row = existing.get(kw.number)
        if row is None:
            added.append(kw.number)
            continue
        parts = _differences(db, row, kw, draft, _draft_unit_names(kw))
        if parts:
            changed[kw.number] = parts
        else:
            unchanged.append(kw.number)
    numbers = {kw.number for kw in draft.key_works}
    removed = [n for n in existing if n not in numbers]
    return {
        "plan_exists": True,
        "plan_id": draft.existing_plan_id,
        "added": added,
        "changed": changed,
        "removed": removed,
        "unchanged": unchanged,
    }


def _draft_unit_names(kw: DraftKeyWork) -> dict[str, str]:
    """Return unit name → role as the ledger will hold it (townships expanded)."""
    out: dict[str, str] = {}
    for unit in kw.units:
        if unit.skip:
            continue
        if unit.all_townships:
            for name in unit.township_names:
                out.setdefault(name, unit.role)
            continue
        out.setdefault(unit.use_unit or unit.matched_name or unit.name, unit.role)
    return out


def _existing_key_works(db: sqlite_utils.Database, plan_id: int) -> dict[str, dict]:
    rows = db.query(
        "SELECT k.*, c.title AS category FROM key_works k LEFT JOIN categories c ON c.id = k.category_id "
        "WHERE k.plan_id = ? ORDER BY k.sort_order, k.id",
        [plan_id],
    )
    return {r["number"]: r for r in rows}


def _children(db: sqlite_utils.Database, kw_id: int) -> dict[str, Any]:
    return {
        "targets": [r[0] for r in db.execute("SELECT text FROM targets WHERE key_work_id = ? ORDER BY seq", [kw_id])],
        "measures": [r[0] for r in db.execute("SELECT text FROM measures WHERE key_work_id = ? ORDER BY seq", [kw_id])],
        "milestones": list(db.query("SELECT * FROM milestones WHERE key_work_id = ? ORDER BY seq", [kw_id])),
        "indicators": list(db.query("SELECT * FROM indicators WHERE key_work_id = ? ORDER BY seq", [kw_id])),
        "assignments": list(
            db.query(
                "SELECT a.*, u.name AS unit FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.key_work_id = ?",
                [kw_id],
            )
        ),
    }


def _milestone_key(phrase: str, text: str | None, due: str | None) -> tuple:
    return (phrase, text or "", due)


def _indicator_key(name: str, target: float, unit: str | None, direction: str) -> tuple:
    return (name, float(target), unit or None, direction)


def _differences(
    db: sqlite_utils.Database, row: dict, kw: DraftKeyWork, draft: Draft, unit_roles: dict[str, str]
) -> list[str]:
    """Return the parts of an existing key work that the draft would change."""
    parts = []
    old = _children(db, row["id"])
    if row["title"] != kw.title:
        parts.append("名称")
    if (row["category"] or None) != (kw.category or None):
        parts.append("总体任务")
    if (row["period_phrase"] or None) != (kw.period_phrase or None):
        parts.append("实施阶段")
    if old["targets"] != kw.targets:
        parts.append("目标")
    if old["measures"] != kw.measures:
        parts.append("落实举措")
    wanted = [_milestone_key(m.phrase, m.text, m.due) for m in kw.milestones]
    kept = [
        _milestone_key(m["phrase"], m["text"], m["due_date"])
        for m in old["milestones"]
        if not m["done_date"] or _milestone_key(m["phrase"], m["text"], m["due_date"]) in wanted
    ]
    if kept != wanted:
        parts.append("时间节点")
    wanted_ind = [_indicator_key(i.name, i.target, i.unit, i.direction) for i in kw.indicators]
    # An indicator with reported values stays even when the list no longer names it (see _sync_children).
    kept_ind = [
        _indicator_key(i["name"], i["target_value"], i["measure_unit"], i["direction"])
        for i in old["indicators"]
        if not _has_actuals(db, i["id"])
        or i["name"] in {k[0] for k in wanted_ind}
        or any(
            k[1:] == _indicator_key(i["name"], i["target_value"], i["measure_unit"], i["direction"])[1:]
            for k in wanted_ind
        )
    ]
    if kept_ind != wanted_ind:
        parts.append("指标")
    old_roles = {a["unit"]: a["role"] for a in old["assignments"]}
    if {name_key(k): v for k, v in old_roles.items()} != {name_key(k): v for k, v in unit_roles.items()}:
        parts.append("责任单位")
    lead = next((a for a in old["assignments"] if a["role"] == "牵头"), None)
    if lead is not None and ((lead["leader"] or None), (lead["liaison"] or None)) != (
        kw.leader or None,
        kw.liaison or None,
    ):
        parts.append("分管领导/联络员")
    return parts


# -------------------------------------------------------------------- commit
def commit_draft(
    db: sqlite_utils.Database,
    draft: Draft,
    *,
    new_units: str = "create",
    progress=None,
    allow_unassigned: bool = True,
) -> CommitResult:
    """Write a reviewed draft into the ledger in one transaction.

    Args:
        db: the open ledger.
        draft: the draft (resolved or not; it is resolved again against the current registry).
        new_units: what to do with names not in the registry: ``create`` adds them as new
            units, ``refuse`` stops with a message listing them, ``skip`` leaves them out.
        progress: optional ``progress(done, total, message)``; raising from it cancels and
            rolls everything back.
        allow_unassigned: a person confirmed that key works without any unit may be
            written; when False such a draft is refused and the works are named.

    Returns:
        A :class:`CommitResult` listing added, changed and removed key works by number.

    Raises:
        DubanError: nothing to import, unknown units under ``refuse``, a year missing for
            deadlines, or a correction naming a unit that does not exist. Nothing is written.
    """
    if new_units not in NEW_UNIT_POLICIES:
        raise ValueError(f"new_units must be one of {NEW_UNIT_POLICIES}")
    if not draft.key_works:
        raise DubanError("草稿中没有任何重点工作，未导入。")
    if not (draft.title or "").strip():
        titles = [r[0] for r in db.execute("SELECT title FROM plans ORDER BY id LIMIT 5")]
        hint = f"；要更新台账中已有的计划，请写它的名称（{'、'.join(titles)}）" if titles else ""
        raise DubanError(f"文件里没有找到计划名称，未导入。请先填写计划名称（命令行加 --plan-title 名称）{hint}。")
    if draft.year is None and any(kw.milestones for kw in draft.key_works):
        raise DubanError("未能确定计划年度，时间节点无法换算为日期；请指定年度（如 --year 2024）后再导入。")
    unassigned = [kw.number for kw in draft.key_works if kw.unassigned]
    if unassigned and not allow_unassigned:
        shown = "、".join(unassigned[:10]) + (f" 等 {len(unassigned)} 项" if len(unassigned) > 10 else " 项")
        raise DubanError(
            f"第 {shown}没有读到责任单位，未导入；请补填单位，或确认后再导入（命令行加 --allow-unassigned）。"
        )
    numbers = Counter(kw.number for kw in draft.key_works)
    duplicates = sorted(n for n, count in numbers.items() if count > 1)
    if duplicates:
        raise DubanError(f"草稿中第 {'、'.join(duplicates)} 项的编号重复，请先改正编号。")
    resolve_draft(db, draft)
    _check_corrections(db, draft)
    unknown = sorted(
        {
            u.name
            for kw in draft.key_works
            for u in kw.units
            if not u.skip and not u.all_townships and u.unit_id is None and not u.use_unit
        }
    )
    if unknown and new_units == "refuse":
        raise DubanError(
            f"以下 {len(unknown)} 个单位不在单位名录中：{'、'.join(unknown)}。"
            "请先在单位名录中添加或指定对应的已有单位（别名），再导入。"
        )
    source = f"import:{draft.source_name or '任务清单'}"
    total = len(draft.key_works)
    cleaned = _clean_draft_text(draft)
    with db.atomic():
        result = _write(db, draft, new_units, source, progress, total)
    if cleaned:
        result.warnings.append(
            f"第 {'、'.join(cleaned[:10])}{' 等' if len(cleaned) > 10 else ''} 项的文字中有看不见的控制字符"
            "（如 PDF 转换留下的换页符、Word 的垂直制表符）或文字方向控制符，已删除。"
        )
    return result


def _clean_draft_text(draft: Draft) -> list[str]:
    """Clean every text of the draft on its way into the ledger (db.text.clean_text); return the numbers touched."""
    touched = []
    draft.title = clean_text(draft.title)
    for kw in draft.key_works:
        before = (kw.title, kw.category, kw.period_phrase, kw.leader, kw.liaison, list(kw.targets), list(kw.measures))
        kw.title = clean_text(kw.title) or ""
        kw.category = clean_text(kw.category)
        kw.period_phrase = clean_text(kw.period_phrase)
        kw.leader = clean_text(kw.leader)
        kw.liaison = clean_text(kw.liaison)
        kw.targets = [clean_text(t) for t in kw.targets]
        kw.measures = [clean_text(m) for m in kw.measures]
        for milestone in kw.milestones:
            milestone.phrase = clean_text(milestone.phrase) or ""
            milestone.text = clean_text(milestone.text) or ""
        for indicator in kw.indicators:
            indicator.name = clean_text(indicator.name) or ""
        after = (kw.title, kw.category, kw.period_phrase, kw.leader, kw.liaison, kw.targets, kw.measures)
        if before != after:
            touched.append(kw.number)
    return touched


def _check_corrections(db: sqlite_utils.Database, draft: Draft) -> None:
    for kw in draft.key_works:
        for unit in kw.units:
            if unit.use_unit and not unit.skip:
                _correction_target(db, draft, unit.name, kw.number)


def _correction_target(db: sqlite_utils.Database, draft: Draft, name: str, number: str) -> str:
    """Follow ``use_unit`` from ``name`` to a registry unit or a new unit of the same draft.

    A person may say that 市公安 means 市公安局 when both are new names of this draft:
    then 市公安局 is created (or refused, or skipped, as told) and 市公安 becomes its alias.
    """
    by_name = {u.name: u for kw in draft.key_works for u in kw.units if not u.all_townships and not u.skip}
    seen = [name]
    current = by_name[name].use_unit if name in by_name else None
    while current:
        if current in seen:
            loop = " → ".join([*seen, current])
            raise DubanError(f"第 {number} 项：单位互相指定为对方（{loop}），请只保留一个方向。")
        seen.append(current)
        if find_unit(db, current) is not None:
            return current
        unit = by_name.get(current)
        if unit is None:
            raise DubanError(f"第 {number} 项：指定的单位“{current}”不在单位名录中，也不是本清单中的单位。")
        if not unit.use_unit:
            return current
        current = unit.use_unit
    return name


def _write(db, draft: Draft, new_units: str, source: str, progress, total: int) -> CommitResult:
    plan_fields = {
        "title": draft.title.strip(),
        "doc_no": draft.doc_no,
        "year": draft.year,
        "source_file": draft.source_name,
        "source_sha256": draft.source_sha256,
    }
    if draft.existing_plan_id is None:
        plan_id = insert_audited(db, "plans", {**plan_fields, "imported_at": now_iso()}, source)
        result = CommitResult(plan_id, True)
    else:
        plan_id = draft.existing_plan_id
        update_audited(db, "plans", plan_id, {**plan_fields, "imported_at": now_iso()}, source)
        result = CommitResult(plan_id, False)

    unit_ids = _unit_ids(db, draft, new_units, source, result)
    for seq, title in enumerate(draft.categories, 1):
        cat = category_id(db, plan_id, title, source)
        db.execute("UPDATE categories SET seq = ? WHERE id = ?", [seq, cat])

    existing = _existing_key_works(db, plan_id)
    base_order = db.execute(
        "SELECT COALESCE(MAX(sort_order), 0) FROM key_works WHERE plan_id != ?", [plan_id]
    ).fetchone()[0]
    categories: dict[str, int] = {}
    audit_entries: list[tuple] = []
    for index, kw in enumerate(draft.key_works):
        if progress:
            progress(index, total, f"写入第 {kw.number} 项")
        roles = _roles(kw, unit_ids)
        row = existing.get(kw.number)
        if row is None:
            if kw.category and kw.category not in categories:
                categories[kw.category] = category_id(db, plan_id, kw.category, source)
            _insert_key_work(
                db,
                plan_id,
                kw,
                draft,
                roles,
                categories.get(kw.category) if kw.category else None,
                base_order + index + 1,
                source,
                audit_entries,
            )
            result.added.append(kw.number)
            continue
        names = {db["units"].get(uid)["name"]: role for uid, role in roles.items()}
        parts = _differences(db, row, kw, draft, names)
        _update_key_work(db, row, kw, draft, plan_id, base_order + index + 1, source)
        _sync_children(db, row["id"], kw, draft, roles, source)
        if parts:
            result.changed[kw.number] = parts
        else:
            result.unchanged.append(kw.number)
    write_audit_entries(db, audit_entries)
    numbers = {kw.number for kw in draft.key_works}
    for number, row in existing.items():
        if number in numbers:
            continue
        has_reports = db.execute(
            "SELECT COUNT(*) FROM reports r JOIN assignments a ON a.id = r.assignment_id WHERE a.key_work_id = ?",
            [row["id"]],
        ).fetchone()[0]
        if has_reports:
            result.kept.append(number)
        else:
            delete_key_work(db, row["id"], source)
            result.removed.append(number)
    # Categories the document no longer uses and no key work points to.
    db.execute(
        "DELETE FROM categories WHERE plan_id = ? AND id NOT IN "
        "(SELECT category_id FROM key_works WHERE category_id IS NOT NULL)",
        [plan_id],
    )
    result.counts = _counts(db, plan_id)
    audit(
        db,
        "plans",
        plan_id,
        "import",
        None,
        {"added": result.added, "changed": list(result.changed), "removed": result.removed},
        source,
    )
    if progress:
        progress(total, total, "导入完成")
    return result


def _insert_key_work(
    db,
    plan_id: int,
    kw: DraftKeyWork,
    draft: Draft,
    roles: dict[int, str],
    category: int | None,
    order: int,
    source: str,
    audit_entries: list[tuple],
) -> int:
    """Write a key work new to the ledger with its children, logging every row.

    The rows and log entries are those :func:`db.tasks.add_key_work` and
    :func:`_sync_children` write, written with plain statements: a 200-page document
    has thousands of key works, and per-row helpers made its import take half a minute.
    """
    start = end = None
    if kw.period_phrase and draft.year:
        parsed = parse_deadline(kw.period_phrase, draft.year)
        if parsed.period:
            start, end = (d.isoformat() for d in parsed.period)
    row = {
        "plan_id": plan_id,
        "category_id": category,
        "number": str(kw.number),
        "title": kw.title,
        "period_phrase": kw.period_phrase,
        "start_date": start,
        "end_date": end,
        "sort_order": order,
    }
    note = _unassigned_note(kw, roles)
    if note:
        row["note"] = note
    kw_id = _insert_row(db, "key_works", row, source, audit_entries)
    db.conn.executemany(
        "INSERT INTO targets (key_work_id, seq, text) VALUES (?, ?, ?)",
        [(kw_id, i, t) for i, t in enumerate(kw.targets, 1)],
    )
    db.conn.executemany(
        "INSERT INTO measures (key_work_id, seq, text) VALUES (?, ?, ?)",
        [(kw_id, i, t) for i, t in enumerate(kw.measures, 1)],
    )
    lead_id = next((uid for uid, role in roles.items() if role == "牵头"), None)
    for uid, role in roles.items():
        leader, liaison = (kw.leader, kw.liaison) if uid == lead_id else (None, None)
        assignment = {"key_work_id": kw_id, "unit_id": uid, "role": role, "leader": leader or None}
        assignment["liaison"] = liaison or None
        _insert_row(db, "assignments", assignment, source, audit_entries)
    for seq, m in enumerate(kw.milestones, 1):
        milestone = {
            "key_work_id": kw_id,
            "seq": seq,
            "phrase": m.phrase,
            "text": m.text or None,
            "due_date": m.due,
            "understood": int(bool(m.understood) and m.due is not None),
        }
        _insert_row(db, "milestones", milestone, source, audit_entries)
    for seq, ind in enumerate(kw.indicators, 1):
        indicator = {"key_work_id": kw_id, "name": ind.name, **_indicator_values(ind, seq, draft.year)}
        _insert_row(db, "indicators", indicator, source, audit_entries)
    return kw_id


def _unassigned_note(kw: DraftKeyWork, roles: dict[int, str]) -> str | None:
    """The phrases that named no unit the ledger can assign, kept on the key work as its note.

    A vague group ("有关部门", "爱卫会成员单位") is never a unit; a fan-out ("各县（市、区）")
    the ledger has no units of yet is assigned to nobody. Both stay visible here.
    """
    vague = [u.name for u in kw.units if u.collective]
    fan_outs = [u.name for u in kw.units if u.all_townships and not u.skip and not u.township_names]
    parts = []
    if vague:
        parts.append(f"文件中还写有：{'、'.join(vague)}（泛指，未分配）")
    if fan_outs:
        parts.append(f"文件中还写有：{'、'.join(fan_outs)}（台账中还没有这一类单位，未分配）")
    if not roles and not parts:
        return None
    return "；".join(parts) or None


def _insert_row(db, table: str, row: dict, source: str, audit_entries: list[tuple]) -> int:
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    row_id = db.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())).lastrowid
    audit_entries.append(audit_entry(table, row_id, None, None, row, source))
    return row_id


def _unit_ids(db, draft: Draft, new_units: str, source: str, result: CommitResult) -> dict[tuple[str, bool], list[int]]:
    """Map each draft unit (name, all_townships) to registry ids, creating or aliasing as told."""
    ids: dict[tuple[str, bool], list[int]] = {}
    towns = township_ids(db)
    corrected = []
    for kw in draft.key_works:
        for unit in kw.units:
            key = (unit.name, unit.all_townships)
            if unit.skip or key in ids:
                continue
            if unit.all_townships:
                ids[key] = list(towns)
                if not towns:
                    result.warnings.append(f"台账中还没有乡镇（街道）单位，第 {kw.number} 项的“{unit.name}”未分配。")
                continue
            if unit.use_unit:
                corrected.append((kw, unit))  # after the new units, which a correction may name
                continue
            if unit.unit_id is not None:
                ids[key] = [unit.unit_id]
            elif new_units == "create":
                existing = find_unit(db, unit.name)
                if existing is None:
                    existing = add_unit(db, unit.name, source=source)
                    result.units_created.append(db["units"].get(existing)["name"])
                ids[key] = [existing]
            else:
                ids[key] = []
                result.warnings.append(f"单位“{unit.name}”不在单位名录中，已跳过其分工。")
    for kw, unit in corrected:
        key = (unit.name, False)
        if key in ids:
            continue
        target = find_unit(db, _correction_target(db, draft, unit.name, kw.number))
        if target is None:
            ids[key] = []
            result.warnings.append(f"单位“{unit.name}”指定的单位“{unit.use_unit}”未添加，已跳过其分工。")
            continue
        if unit.make_alias and find_unit(db, unit.name) is None:
            add_alias(db, target, unit.name, source)
            result.aliases_added.append(f"{unit.name} → {db['units'].get(target)['name']}")
        ids[key] = [target]
    created = set(result.units_created)
    for a, b in _undecided_pairs(draft):
        if a in created and b in created:
            result.warnings.append(
                f"“{a}”与“{b}”可能是同一单位，已作为两个单位添加；如是同一单位，请在单位名录中合并。"
            )
    return ids


def _undecided_pairs(draft: Draft) -> list[tuple[str, str]]:
    """Return the pairs of new names proposed to each other on which nobody has decided."""
    decided = {u.name for kw in draft.key_works for u in kw.units if u.use_unit or u.skip}
    pairs: list[tuple[str, str]] = []
    for kw in draft.key_works:
        for unit in kw.units:
            for other in getattr(unit, "similar_new", []):
                pair = tuple(sorted((unit.name, other)))
                if pair not in pairs and not ({unit.name, other} & decided):
                    pairs.append(pair)
    return pairs


def _roles(kw: DraftKeyWork, unit_ids: dict[tuple[str, bool], list[int]]) -> dict[int, str]:
    """Return unit id → role for a key work; a unit named twice keeps its strongest role."""
    rank = {"牵头": 0, "责任": 1, "配合": 2}
    roles: dict[int, str] = {}
    for unit in kw.units:
        if unit.skip:
            continue
        for uid in unit_ids.get((unit.name, unit.all_townships), []):
            if uid not in roles or rank[unit.role] < rank[roles[uid]]:
                roles[uid] = unit.role
    return roles


def _update_key_work(db, row: dict, kw: DraftKeyWork, draft: Draft, plan_id: int, order: int, source: str) -> None:
    cat = category_id(db, plan_id, kw.category, source) if kw.category else None
    start = end = None
    if kw.period_phrase and draft.year:
        parsed = parse_deadline(kw.period_phrase, draft.year)
        if parsed.period:
            start, end = (d.isoformat() for d in parsed.period)
    update_key_work(
        db,
        row["id"],
        {
            "title": kw.title,
            "category_id": cat,
            "period_phrase": kw.period_phrase,
            "start_date": start,
            "end_date": end,
            "sort_order": order,
        },
        source,
    )
    old_targets = [r[0] for r in db.execute("SELECT text FROM targets WHERE key_work_id = ? ORDER BY seq", [row["id"]])]
    if old_targets != kw.targets:
        db.execute("DELETE FROM targets WHERE key_work_id = ?", [row["id"]])
        db["targets"].insert_all({"key_work_id": row["id"], "seq": i, "text": t} for i, t in enumerate(kw.targets, 1))
        audit(db, "key_works", row["id"], "targets", old_targets, kw.targets, source)
    old_measures = [
        r[0] for r in db.execute("SELECT text FROM measures WHERE key_work_id = ? ORDER BY seq", [row["id"]])
    ]
    if old_measures != kw.measures:
        db.execute("DELETE FROM measures WHERE key_work_id = ?", [row["id"]])
        db["measures"].insert_all({"key_work_id": row["id"], "seq": i, "text": t} for i, t in enumerate(kw.measures, 1))
        audit(db, "key_works", row["id"], "measures", old_measures, kw.measures, source)


def _sync_children(db, kw_id: int, kw: DraftKeyWork, draft: Draft, roles: dict[int, str], source: str) -> None:
    """Bring assignments, milestones and indicators in line with the draft, keeping recorded data."""
    old = _children(db, kw_id)
    # Assignments: keep the row (and its reports) for a unit that stays; drop one that left
    # only if nobody has reported on it.
    lead_id = next((uid for uid, role in roles.items() if role == "牵头"), None)
    for uid, role in roles.items():
        leader, liaison = (kw.leader, kw.liaison) if uid == lead_id else (None, None)
        assign(db, kw_id, uid, role, leader or None, liaison or None, source)
    for a in old["assignments"]:
        if a["unit_id"] in roles:
            continue
        reported = db.execute("SELECT COUNT(*) FROM reports WHERE assignment_id = ?", [a["id"]]).fetchone()[0]
        if not reported:
            delete_audited(db, "assignments", a["id"], source)
    # Milestones: matched by phrase and text, so a recorded completion date survives.
    wanted = [(m.phrase, m.text or "", m.due, m.understood) for m in kw.milestones]
    have = {_milestone_key(m["phrase"], m["text"], m["due_date"]): m for m in old["milestones"]}
    keep_ids = set()
    for seq, (phrase, text, due, understood) in enumerate(wanted, 1):
        existing = have.get(_milestone_key(phrase, text, due))
        if existing and existing["id"] not in keep_ids:
            keep_ids.add(existing["id"])
            if existing["seq"] != seq:
                db.execute("UPDATE milestones SET seq = ? WHERE id = ?", [seq, existing["id"]])
            continue
        keep_ids.add(
            insert_audited(
                db,
                "milestones",
                {
                    "key_work_id": kw_id,
                    "seq": seq,
                    "phrase": phrase,
                    "text": text or None,
                    "due_date": due,
                    "understood": int(bool(understood) and due is not None),
                },
                source,
            )
        )
    for m in old["milestones"]:
        # One whose completion was recorded stays, like an indicator with reported values:
        # a list that no longer carries deadlines (an exported ledger) must not erase the record.
        if m["id"] not in keep_ids and not m["done_date"]:
            delete_audited(db, "milestones", m["id"], source)
    # Indicators: matched by name; reported values stay attached.
    have_ind = {i["name"]: i for i in old["indicators"]}
    draft_names = {i.name for i in kw.indicators}
    keep_ind = set()
    for seq, ind in enumerate(kw.indicators, 1):
        values = _indicator_values(ind, seq, draft.year)
        existing = have_ind.get(ind.name)
        if existing is None or existing["id"] in keep_ind:
            existing = _same_target(
                old["indicators"], ind, keep_ind | {i["id"] for i in have_ind.values() if i["name"] in draft_names}
            )
            if existing is not None:
                values["name"] = ind.name
        if existing and existing["id"] not in keep_ind:
            keep_ind.add(existing["id"])
            update_audited(db, "indicators", existing["id"], values, source)
            continue
        keep_ind.add(insert_audited(db, "indicators", {"key_work_id": kw_id, "name": ind.name, **values}, source))
    for i in old["indicators"]:
        if i["id"] in keep_ind:
            continue
        reported = db.execute("SELECT COUNT(*) FROM indicator_actuals WHERE indicator_id = ?", [i["id"]]).fetchone()[0]
        if not reported:
            delete_audited(db, "indicators", i["id"], source)


def _has_actuals(db, indicator_id: int) -> bool:
    return (
        db.execute("SELECT 1 FROM indicator_actuals WHERE indicator_id = ? LIMIT 1", [indicator_id]).fetchone()
        is not None
    )


def _same_target(old: list[dict], ind, taken: set[int]) -> dict | None:
    """Return the one old indicator, named otherwise, with the same target, unit and direction.

    Names are read from the target's wording, which a list exported from the ledger or an
    edited document may phrase a little differently (新增集成服务事项 / 新增“一件事”集成服务事项);
    the same number and unit in the same key work is the same indicator, and its reported
    values must stay with it rather than a twin being added.
    """
    found = [
        i
        for i in old
        if i["id"] not in taken
        and float(i["target_value"]) == float(ind.target)
        and (i["measure_unit"] or None) == (ind.unit or None)
        and i["direction"] == ind.direction
    ]
    return found[0] if len(found) == 1 else None


def _counts(db, plan_id: int) -> dict[str, int]:
    def one(sql: str) -> int:
        return db.execute(sql, [plan_id]).fetchone()[0]

    kw = "SELECT id FROM key_works WHERE plan_id = ?"
    return {
        "categories": one("SELECT COUNT(*) FROM categories WHERE plan_id = ?"),
        "key_works": one("SELECT COUNT(*) FROM key_works WHERE plan_id = ?"),
        "targets": one(f"SELECT COUNT(*) FROM targets WHERE key_work_id IN ({kw})"),
        "measures": one(f"SELECT COUNT(*) FROM measures WHERE key_work_id IN ({kw})"),
        "assignments": one(f"SELECT COUNT(*) FROM assignments WHERE key_work_id IN ({kw})"),
        "units": one(f"SELECT COUNT(DISTINCT unit_id) FROM assignments WHERE key_work_id IN ({kw})"),
        "milestones": one(f"SELECT COUNT(*) FROM milestones WHERE key_work_id IN ({kw})"),
        "indicators": one(f"SELECT COUNT(*) FROM indicators WHERE key_work_id IN ({kw})"),
    }


__all__ = ["CommitResult", "commit_draft", "find_plan", "resolve_draft"]
