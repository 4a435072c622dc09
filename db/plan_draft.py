"""The draft a task-list import produces before anything is written to the ledger.

A draft is plain data: the readers fill it, :func:`db.plan_import.resolve_draft` adds
what the unit registry knows, a person (GUI wizard or an edited JSON file) corrects it,
and :func:`db.plan_import.commit_draft` writes it in one transaction. Flags are not
stored but derived from the current content (:meth:`Draft.flags`), so a correction
made in code clears its flag at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from db.deadlines import parse_deadline

ROLE_LEAD, ROLE_RESPONSIBLE, ROLE_SUPPORT = "牵头", "责任", "配合"
ROLE_ORDER = {ROLE_LEAD: 0, ROLE_RESPONSIBLE: 1, ROLE_SUPPORT: 2}


@dataclass
class DraftUnit:
    """A unit named on a key work, with what the registry says about the name.

    Attributes:
        name: the unit name as cleaned from the document (市国资委（国投集团）).
        role: 牵头 / 责任 / 配合.
        all_townships: the document said 各乡镇（街道）: every township unit.
        unit_id: the registry unit the name resolves to (set by ``resolve_draft``).
        matched_name: that unit's registered name.
        via_alias: the name is a registered alias of ``matched_name``.
        proposals: close registry names when the name is unknown (never applied silently).
        use_unit: a person's correction: the existing unit this name means.
        make_alias: with ``use_unit``, remember the name as an alias of that unit.
        skip: a person chose to leave this unit out.
        township_names: for ``all_townships``, the townships it expands to.
        similar_new: other names of this draft, also not in the registry, that probably
            mean the same unit (市公安 / 市公安局); they are in ``proposals`` too.
        collective: the document named a group, not a unit (县直有关部门, 各商业银行);
            read with ``skip`` set, so it is left out unless a person names a unit.
    """

    name: str
    role: str = ROLE_RESPONSIBLE
    all_townships: bool = False
    unit_id: int | None = None
    matched_name: str | None = None
    via_alias: bool = False
    proposals: list[str] = field(default_factory=list)
    use_unit: str | None = None
    make_alias: bool = True
    skip: bool = False
    township_names: list[str] = field(default_factory=list)
    similar_new: list[str] = field(default_factory=list)
    collective: bool = False

    @property
    def known(self) -> bool:
        """True when the name resolves to a registry unit (or townships exist)."""
        if self.all_townships:
            return bool(self.township_names)
        return self.unit_id is not None


@dataclass
class DraftMilestone:
    """A deadline found in the document ("6月底前", "到2023年底")."""

    phrase: str
    text: str = ""
    due: str | None = None
    understood: bool = True


@dataclass
class DraftIndicator:
    """A number target read from the text (新增个转企 480 户; 控制在 35% 以下 is ``at_most``)."""

    name: str
    target: float
    unit: str | None = None
    direction: str = "at_least"
    phrase: str = ""


@dataclass
class DraftKeyWork:
    """One key work (重点工作) with everything hanging off it."""

    number: str
    title: str
    category: str | None = None
    targets: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    period_phrase: str | None = None
    milestones: list[DraftMilestone] = field(default_factory=list)
    indicators: list[DraftIndicator] = field(default_factory=list)
    units: list[DraftUnit] = field(default_factory=list)
    leader: str | None = None
    liaison: str | None = None
    location: str = ""
    source: str = ""

    @property
    def lead_unit(self) -> DraftUnit | None:
        """The unit marked 牵头 (the first one if a document named several)."""
        return next((u for u in self.units if u.role == ROLE_LEAD and not u.skip), None)

    @property
    def unassigned(self) -> bool:
        """True when no unit would receive this key work (none named, or only collectives)."""
        return not any(not u.skip for u in self.units)

    def evidence(self) -> list[tuple[int, int, str]]:
        """Where in :attr:`source` the lead, the units and the deadlines were read.

        Returns:
            (start, end, label) spans, label being 牵头 / 责任 / 配合 / 泛指 / 时限 /
            领导, in text order and not overlapping. Names are looked for as written;
            a name the reader cleaned (brackets folded) may not be found.
        """
        text = self.source or ""
        wanted: list[tuple[str, str]] = []
        for unit in self.units:
            label = "泛指" if unit.collective else unit.role
            wanted.append((unit.name, label))
        for ms in self.milestones:
            wanted.append((ms.phrase, "时限"))
        if self.period_phrase:
            wanted.append((self.period_phrase.split("\n")[0], "时限"))
        if self.leader:
            wanted.append((self.leader, "领导"))
        spans: list[tuple[int, int, str]] = []
        for phrase, label in sorted(wanted, key=lambda w: -len(w[0])):
            if not phrase:
                continue
            start = 0
            while True:
                at = _find_loose(text, phrase, start)
                if at is None:
                    break
                begin, end = at
                if not any(b < end and begin < e for b, e, _l in spans):
                    spans.append((begin, end, label))
                    break
                start = end
        return sorted(spans)

    def annotated_source(self) -> str:
        """The source text with each read field marked: "（[牵头: 县发改局]负责，[时限: 6月底前]）"."""
        text = self.source or ""
        out, pos = [], 0
        for begin, end, label in self.evidence():
            out.append(text[pos:begin])
            out.append(f"[{label}: {text[begin:end]}]")
            pos = end
        out.append(text[pos:])
        return "".join(out)


@dataclass
class Unplaced:
    """Text that could not be attached to any key work (shown for review, never imported)."""

    location: str
    text: str
    reason: str


@dataclass
class Flag:
    """Something a person should look at before committing."""

    kind: str  # unknown_unit, deadline, no_units, no_lead, unplaced, no_year, period
    message: str
    number: str | None = None
    detail: str | None = None


@dataclass
class Draft:
    """Everything read from one task list, ready for review.

    Attributes:
        title: plan title (the document's title or the list's title row).
        doc_no: document number such as 乐政办发〔2023〕43号.
        year: plan year that dates its milestones and indicators.
        year_source: where ``year`` came from (参数 / 文号 / 标题 / 发文日期 / 推断).
        source_name: file name (or 粘贴文本).
        source_kind: xlsx / xls / docx / txt / text.
        source_sha256: digest of the file read, kept with the plan.
        categories: category titles in document order.
        key_works: the key works in document order.
        warnings: notes about the whole document (shown with the summary).
        unplaced: rows or passages that could not be placed.
        existing_plan_id: the ledger plan this draft would update (set by ``resolve_draft``).
        preview: what committing would change (set by ``resolve_draft``).
    """

    title: str = ""
    doc_no: str | None = None
    year: int | None = None
    year_source: str | None = None
    source_name: str = ""
    source_kind: str = ""
    source_sha256: str | None = None
    categories: list[str] = field(default_factory=list)
    key_works: list[DraftKeyWork] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    existing_plan_id: int | None = None
    preview: dict[str, Any] | None = None
    resolved: bool = False

    # ----------------------------------------------------------------- editing
    def key_work(self, number: str) -> DraftKeyWork:
        """Return the key work with this number (KeyError if there is none)."""
        for kw in self.key_works:
            if kw.number == str(number):
                return kw
        raise KeyError(number)

    def set_year(self, year: int, source: str = "参数") -> None:
        """Change the plan year and re-date every milestone."""
        self.year = year
        self.year_source = source
        self.refresh()

    def refresh(self) -> None:
        """Re-date milestones from their phrases and the plan year; keep categories in order.

        Call after editing phrases or the year (commit and resolve call it too).
        """
        seen = list(self.categories)
        for kw in self.key_works:
            if kw.category and kw.category not in seen:
                seen.append(kw.category)
            for ms in kw.milestones:
                if self.year is None:
                    ms.due, ms.understood = None, True
                    continue
                parsed = parse_deadline(ms.phrase, self.year)
                due = parsed.due or (parsed.dates[-1] if parsed.dates else None)
                ms.due = due.isoformat() if isinstance(due, date) else None
                ms.understood = parsed.understood and due is not None
        used = {kw.category for kw in self.key_works if kw.category}
        self.categories = [c for c in seen if c in used]

    # ------------------------------------------------------------------ review
    def flags(self) -> list[Flag]:
        """Return everything uncertain in the draft as it stands now."""
        out: list[Flag] = []
        has_milestones = any(kw.milestones for kw in self.key_works)
        if self.year is None and has_milestones:
            out.append(Flag("no_year", "未能确定计划年度，时间节点无法换算为日期；请指定年度（--year）。"))
        for kw in self.key_works:
            active = [u for u in kw.units if not u.skip]
            if not active:
                out.append(Flag("no_units", f"第 {kw.number} 项“{_short(kw.title)}”没有找到责任单位。", kw.number))
            elif kw.lead_unit is None:
                out.append(Flag("no_lead", f"第 {kw.number} 项没有牵头单位。", kw.number))
            for unit in kw.units:
                if unit.collective and unit.skip:
                    out.append(
                        Flag(
                            "collective",
                            f"第 {kw.number} 项的“{unit.name}”是泛指，不是具体单位，未分配；如需要请指定具体单位。",
                            kw.number,
                            unit.name,
                        )
                    )
            for unit in active:
                if self.resolved and not unit.known and not unit.use_unit:
                    if unit.all_townships:
                        message = f"第 {kw.number} 项写明“{unit.name}”，但台账中还没有乡镇（街道）单位。"
                    else:
                        hint = (
                            f"（是否指：{'、'.join(unit.proposals)}？）" if unit.proposals else "（将作为新单位添加）"
                        )
                        message = f"第 {kw.number} 项的单位“{unit.name}”不在单位名录中{hint}"
                    out.append(Flag("unknown_unit", message, kw.number, unit.name))
            for ms in kw.milestones:
                if self.year is not None and not ms.understood:
                    out.append(
                        Flag(
                            "deadline",
                            f"第 {kw.number} 项的时间“{ms.phrase}”无法识别，请改写为“6月底前”之类。",
                            kw.number,
                            ms.phrase,
                        )
                    )
            if kw.period_phrase and not _period_understood(kw.period_phrase, self.year):
                out.append(
                    Flag(
                        "period",
                        f"第 {kw.number} 项的实施阶段“{kw.period_phrase}”无法识别，将只保存文字。",
                        kw.number,
                        kw.period_phrase,
                    )
                )
        if self.resolved:
            out.extend(self._same_unit_flags())
        for item in self.unplaced:
            out.append(Flag("unplaced", f"{item.location}：{item.reason}（{_short(item.text, 30)}）", None, item.text))
        return out

    def _same_unit_flags(self) -> list[Flag]:
        """Flag each pair of new names that probably mean one unit, until a person decides."""
        decided = {u.name for kw in self.key_works for u in kw.units if u.use_unit or u.skip}
        where: dict[str, list[str]] = {}
        for kw in self.key_works:
            for unit in kw.units:
                if kw.number not in where.setdefault(unit.name, []):
                    where[unit.name].append(kw.number)
        out, seen = [], set()
        for kw in self.key_works:
            for unit in kw.units:
                for other in unit.similar_new:
                    pair = tuple(sorted((unit.name, other)))
                    if pair in seen or {unit.name, other} & decided:
                        continue
                    seen.add(pair)
                    out.append(
                        Flag(
                            "same_unit",
                            f"“{unit.name}”（第 {'、'.join(where.get(unit.name, []))} 项）与“{other}”"
                            f"（第 {'、'.join(where.get(other, []))} 项）可能是同一单位：请指定其中一个为另一个的别名，"
                            "否则将作为两个新单位分别添加。",
                            kw.number,
                            f"{unit.name}|{other}",
                        )
                    )
        return out

    def summary(self) -> dict[str, Any]:
        """Return the counts the CLI and the wizard show above the details."""
        names = {u.name for kw in self.key_works for u in kw.units if not u.skip}
        new = sorted(
            {
                u.name
                for kw in self.key_works
                for u in kw.units
                if not u.skip and not u.known and not u.use_unit and not u.all_townships
            }
        )
        return {
            "plan": self.title,
            "doc_no": self.doc_no,
            "year": self.year,
            "categories": len(self.categories),
            "key_works": len(self.key_works),
            "targets": sum(len(kw.targets) for kw in self.key_works),
            "measures": sum(len(kw.measures) for kw in self.key_works),
            "units": len(names),
            "new_units": new if self.resolved else None,
            "assignments": sum(len([u for u in kw.units if not u.skip]) for kw in self.key_works),
            "milestones": sum(len(kw.milestones) for kw in self.key_works),
            "indicators": sum(len(kw.indicators) for kw in self.key_works),
            "warnings": len(self.warnings) + len(self.flags()),
        }

    # -------------------------------------------------------------------- JSON
    def to_json(self) -> dict[str, Any]:
        """Return the draft as JSON-ready data (what ``duban import-tasks --json`` prints)."""
        key_works = []
        for kw in self.key_works:
            lead = kw.lead_unit
            key_works.append(
                {
                    "number": kw.number,
                    "title": kw.title,
                    "category": kw.category,
                    "lead_unit": lead.name if lead else None,
                    "units": [asdict(u) for u in kw.units],
                    "leader": kw.leader,
                    "liaison": kw.liaison,
                    "targets": kw.targets,
                    "measures": kw.measures,
                    "period": kw.period_phrase,
                    "milestones": [
                        {"date": m.due, "phrase": m.phrase, "text": m.text, "understood": m.understood}
                        for m in kw.milestones
                    ],
                    "indicators": [asdict(i) for i in kw.indicators],
                    "location": kw.location,
                    "source": kw.source,
                }
            )
        return {
            "plan": {
                "title": self.title,
                "doc_no": self.doc_no,
                "year": self.year,
                "year_source": self.year_source,
                "source": self.source_name,
                "kind": self.source_kind,
                "sha256": self.source_sha256,
                "existing_plan_id": self.existing_plan_id,
            },
            "summary": self.summary(),
            "categories": self.categories,
            "key_works": key_works,
            "warnings": self.warnings,
            "flags": [asdict(f) for f in self.flags()],
            "unplaced": [asdict(u) for u in self.unplaced],
            "preview": self.preview,
        }

    def dumps(self) -> str:
        """Return :meth:`to_json` as a UTF-8 JSON string."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Draft:
        """Rebuild a draft from :meth:`to_json` output (for instance after a person edited it)."""
        if isinstance(data, str):
            data = json.loads(data)
        plan = data.get("plan", {})
        draft = cls(
            title=plan.get("title") or "",
            doc_no=plan.get("doc_no"),
            year=plan.get("year"),
            year_source=plan.get("year_source"),
            source_name=plan.get("source") or "",
            source_kind=plan.get("kind") or "",
            source_sha256=plan.get("sha256"),
            categories=list(data.get("categories", [])),
            warnings=list(data.get("warnings", [])),
            unplaced=[Unplaced(**u) for u in data.get("unplaced", [])],
        )
        unit_fields = {f.name for f in fields(DraftUnit)}
        ind_fields = {f.name for f in fields(DraftIndicator)}
        for item in data.get("key_works", []):
            draft.key_works.append(
                DraftKeyWork(
                    number=str(item["number"]),
                    title=item["title"],
                    category=item.get("category"),
                    targets=list(item.get("targets", [])),
                    measures=list(item.get("measures", [])),
                    period_phrase=item.get("period"),
                    milestones=[
                        DraftMilestone(m["phrase"], m.get("text") or "", m.get("date"), m.get("understood", True))
                        for m in item.get("milestones", [])
                    ],
                    indicators=[
                        DraftIndicator(**{k: v for k, v in i.items() if k in ind_fields})
                        for i in item.get("indicators", [])
                    ],
                    units=[
                        DraftUnit(**{k: v for k, v in u.items() if k in unit_fields}) for u in item.get("units", [])
                    ],
                    leader=item.get("leader"),
                    liaison=item.get("liaison"),
                    location=item.get("location") or "",
                    source=item.get("source") or "",
                )
            )
        draft.refresh()
        return draft


def _find_loose(text: str, phrase: str, start: int) -> tuple[int, int] | None:
    """Find ``phrase`` in ``text`` from ``start``, allowing spaces and line breaks between its characters."""
    at = text.find(phrase, start)
    if at >= 0:
        return at, at + len(phrase)
    chars = [re.escape(ch) for ch in phrase if not ch.isspace()]
    if not chars:
        return None
    pattern = r"\s*".join(chars).replace("（", "[（(]").replace("）", "[）)]")
    m = re.compile(pattern).search(text, start)
    return (m.start(), m.end()) if m else None


def _period_understood(phrase: str, year: int | None) -> bool:
    parsed = parse_deadline(phrase, year or date.today().year)
    return parsed.understood


def _short(text: str, limit: int = 20) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
