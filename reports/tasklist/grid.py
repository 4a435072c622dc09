"""Reading a "1+N 任务清单" table (from Excel or a Word table) into draft key works.

The table is given as a grid of cell texts with merged cells already filled in. The
header row is found by its text, columns may come in any order and under any of the
usual names, and unknown columns (such as the ledger export's "2024Q3 完成进度") are
ignored. Both common layouts are read: one row per measure with the parent columns
merged (or left blank, meaning "same as above"), and one row per key work with
numbered lines inside a cell; rows repeated where the table broke across pages are
folded into the key work they continue.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from db.deadlines import parse_deadline
from db.plan_draft import Draft, DraftKeyWork, DraftMilestone, Unplaced
from reports.tasklist.textparse import (
    _dedupe_units,
    find_deadlines,
    find_indicators,
    heading_of,
    split_items,
    strip_numbering,
    tidy,
    units_from_list,
)

#: Header names by column role; matched after removing spaces and a trailing note in brackets.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "序", "任务编号", "项目编号", "工作编号"),
    "category": (
        "总体任务",
        "任务类别",
        "类别",
        "分类",
        "领域",
        "板块",
        "重点领域",
        "一级任务",
        "任务大类",
        "大类",
        "工作类别",
        "专项",
    ),
    "title": (
        "重点工作",
        "工作任务",
        "主要任务",
        "重点任务",
        "任务名称",
        "工作事项",
        "任务",
        "项目名称",
        "具体任务",
        "二级任务",
        "重点工作任务",
        "工作名称",
        "事项",
        "民生实事",
        "实事项目",
        "目标与任务",
        "任务事项",
        "工作要点",
        "重点事项",
        "改革事项",
        "项目内容",
        "改革任务",
        "重点项目",
        "项目",
        "主要工作",
        "工作内容及目标",
    ),
    "targets": (
        "全市目标",
        "全县目标",
        "全区目标",
        "目标任务",
        "工作目标",
        "目标",
        "年度目标",
        "预期目标",
        "任务目标",
        "目标要求",
        "具体目标",
        "主要目标",
        "年度工作目标",
    ),
    "measures": (
        "落实举措",
        "具体举措",
        "工作措施",
        "主要举措",
        "具体措施",
        "工作举措",
        "推进举措",
        "主要措施",
        "措施",
        "举措",
        "落实措施",
        "工作内容",
        "主要内容",
        "具体内容",
        "任务内容",
        "具体工作",
        "建设内容",
        "建设内容及规模",
        "实施内容",
        "改革举措",
        "主要措施及目标",
    ),
    "period": (
        "实施阶段",
        "完成时限",
        "时间节点",
        "完成时间",
        "时限",
        "时间安排",
        "进度安排",
        "完成期限",
        "实施期限",
        "时间",
        "时限要求",
        "实施时间",
        "时间进度",
        "完成节点",
        "计划完成时间",
        "完成时间节点",
        "时间进度安排",
        "完成时限要求",
    ),
    "units": (
        "责任单位",
        "责任部门",
        "实施单位",
        "承办单位",
        "责任主体",
        "牵头单位及责任单位",
        "牵头单位/责任单位",
        "牵头及责任单位",
        "责任科室",
        "责任主体单位",
        "落实单位",
    ),
    "lead": ("牵头单位", "牵头部门", "主责单位", "主办单位", "牵头责任单位", "牵头责任部门", "主责部门", "牵头"),
    "support": ("配合单位", "配合部门", "协办单位", "协同单位", "参与单位", "协助单位"),
    "leader": ("分管领导", "责任领导", "牵头领导", "市领导", "县领导", "区领导", "联系领导", "领导"),
    "liaison": ("联络员", "联系人", "具体联系人", "经办人", "责任人"),
}
_EXACT = {name: role for role, names in HEADER_NAMES.items() for name in names}


def classify_header(text: str | None) -> str | None:
    """Return the column role of a header cell, or None for a column duban does not read."""
    key = re.sub(r"\s", "", tidy(text or "")).strip("*＊:：")
    if not key or len(key) > 24:
        return None
    key = re.sub(r"[（(][^（）()]*[)）]$", "", key) or key
    if ("领导" in key) and ("联络员" in key or "联系人" in key):
        return "leader_liaison"
    if re.search(r"(进度|进展|情况|问题|计划|备注|说明|填报|完成率|成效)$", key):
        return None
    if re.match(r"^(?:19|20)\d\d", key):
        # "2022年预期目标" names the target column; "2024Q3 完成进度" is a report column.
        rest = re.sub(r"^(?:19|20)\d\d\s*年?度?", "", key)
        role = _EXACT.get(rest)
        return role if role in ("targets", "title", "measures") else None
    if key in _EXACT:
        return _EXACT[key]
    for role, names in HEADER_NAMES.items():
        for name in names:
            if len(name) >= 3 and key.startswith(name):
                return role
    if key.endswith("领导") and len(key) <= 8:
        return "leader"  # 分管县领导, 包抓市领导
    return None


@dataclass
class Grid:
    """One table: cell texts (merged cells filled), with where it came from.

    Attributes:
        name: sheet or table name, for messages.
        cells: rows of cell texts (None or "" for empty).
        hidden_cols: indexes of hidden columns.
        row_spans: for each row index, the horizontal merged spans (first, last) in it.
        label: how a row is named in messages, formatted with the 1-based row number.
        caption: lines printed just above the table (a Word table's title paragraphs).
    """

    name: str
    cells: list[list[str | None]]
    hidden_cols: set[int] = field(default_factory=set)
    row_spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    label: str = "第{row}行"
    caption: list[str] = field(default_factory=list)


def find_header(grid: Grid, scan_rows: int = 30) -> tuple[int, dict[str, list[int]], int] | None:
    """Find the header row; return (row index, role → columns, first data row) or None."""
    for r, row in enumerate(grid.cells[:scan_rows]):
        roles: dict[str, list[int]] = {}
        for c, value in enumerate(row):
            role = classify_header(value)
            if role:
                roles.setdefault(role, []).append(c)
        if not ({"title", "measures"} & roles.keys()) and "targets" in roles:
            # A list whose task column is headed 目标任务 / 预期目标: the targets are the tasks.
            roles["title"] = roles.pop("targets")
        if not ({"title", "measures"} & roles.keys()):
            continue
        if len(roles.keys() - {"leader", "liaison"}) < 3 and not ({"units", "lead"} & roles.keys()):
            continue
        data_start = r + 1
        # A second header row under merged parents ("责任单位" over 牵头单位 | 配合单位).
        if r + 1 < len(grid.cells):
            below = grid.cells[r + 1]
            sub = {c: classify_header(v) for c, v in enumerate(below) if classify_header(v)}
            filled = [c for c in range(len(below)) if below[c] not in (None, "")]
            if (
                sub
                and len(sub) == len(filled)
                and all(
                    c < len(row)
                    and (
                        row[c] in (None, "")
                        or classify_header(row[c]) in (sub[c], "units", "leader_liaison")
                        or row[c] == (row[c - 1] if c else None)
                        or row[c] == (row[c + 1] if c + 1 < len(row) else None)
                    )
                    for c in sub
                )
            ):
                for role_cols in roles.values():
                    for c in list(role_cols):
                        if c in sub:
                            role_cols.remove(c)
                for c, role in sub.items():
                    roles.setdefault(role, []).append(c)
                roles = {k: sorted(v) for k, v in roles.items() if v}
                data_start = r + 2
        roles = _settle_columns(grid, row, roles)
        return r, roles, data_start
    return None


def _settle_columns(grid: Grid, header: list, roles: dict[str, list[int]]) -> dict[str, list[int]]:
    """Drop hidden duplicates and split a two-column 分管领导/联络员 header."""
    settled: dict[str, list[int]] = {}
    for role, cols in roles.items():
        visible = [c for c in cols if c not in grid.hidden_cols]
        settled[role] = visible or cols
    if "leader_liaison" in settled:
        cols = settled["leader_liaison"]
        nxt = cols[-1] + 1
        if (
            len(cols) == 1
            and nxt < len(header)
            and header[nxt] in (None, "")
            and not any(nxt in v for v in settled.values())
        ):
            cols = [cols[0], nxt]  # .xls: the merged header only fills its first cell
        if len(cols) >= 2:
            settled.pop("leader_liaison")
            settled.setdefault("leader", []).append(cols[0])
            settled.setdefault("liaison", []).append(cols[1])
    # A 时间节点 column beside another period column (实施阶段) lists the milestones one a
    # line, as duban's own ledger export writes them; alone it is the period column.
    period = settled.get("period", [])
    listed = [c for c in period if _header_key(header[c]) == "时间节点"]
    if listed and len(listed) < len(period):
        settled["period"] = [c for c in period if c not in listed]
        settled["milestones"] = listed
    return settled


def _header_key(value) -> str:
    return re.sub(r"\s", "", tidy(value or "")).strip("*＊:：")


def _cell(row: list, cols: list[int] | None) -> str:
    if not cols:
        return ""
    parts = []
    for c in cols:
        if c < len(row) and row[c] not in (None, ""):
            text = str(row[c])
            if text not in parts:
                parts.append(text)
    return "\n".join(parts)


def _number_text(value: str) -> str:
    text = tidy(value, keep_newlines=False)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    head = heading_of(text)
    if head and not head.rest.strip():
        return str(head.number)
    return text.rstrip("、.．")


class _Builder:
    """Accumulates key works row by row (one grid or several)."""

    def __init__(self, draft: Draft):
        self.draft = draft
        self.current: DraftKeyWork | None = None
        self.category: str | None = None
        self.units_seen: dict[str, set[str]] = {}
        self.period_kind: dict[str, str] = {}
        #: Key works (by id) read from a table with its own 时间节点 column: their milestones are listed, not guessed.
        self.milestones_listed: set[int] = set()
        self.auto_number = 0
        self.current_raw: str | None = None
        self.section_no = 0
        self.section_numbers: dict[str, int] = {}
        #: (key work, number as written, section number) for renumbering when numbers restart per section.
        self.entries: list[tuple[DraftKeyWork, str, int]] = []

    def read(self, grid: Grid, header_row: int, roles: dict[str, list[int]], data_start: int, progress=None) -> int:
        header = grid.cells[header_row]
        header_roles = {classify_header(v) for v in header if classify_header(v)}
        count = 0
        self.current, self.current_raw, self.category = None, None, None
        total = len(grid.cells)
        for r in range(data_start, total):
            row = grid.cells[r]
            where = grid.label.format(row=r + 1)
            if progress and r % 20 == 0:
                progress(r, total, f"读取{grid.name}")
            texts = [tidy(v) for v in row]
            if not any(texts):
                continue
            row_roles = {classify_header(v) for v in row if v}
            if len(row_roles & header_roles) >= 3:
                continue  # the header repeated at the top of a printed page
            if self._section_row(grid, r, texts, roles, where):
                continue
            self._data_row(row, roles, where)
            if self.current is not None:
                self._remember_source(self.current, header, row)
            count += 1
        return count

    @staticmethod
    def _remember_source(kw: DraftKeyWork, header: list, row: list) -> None:
        """Keep the row as "列名：值" lines, the text the review shows the fields were read from."""
        lines = []
        for c, value in enumerate(row):
            text = tidy(value)
            if not text:
                continue
            name = re.sub(r"\s", "", tidy(header[c])) if c < len(header) and header[c] else f"第{c + 1}列"
            line = f"{name}：{text}"
            if line not in kw.source:
                lines.append(line)
        if lines:
            kw.source = (kw.source + "\n" if kw.source else "") + "\n".join(lines)

    def _section_row(self, grid: Grid, r: int, texts: list[str], roles: dict[str, list[int]], where: str) -> bool:
        """Handle a row that is one merged cell: a category heading or a note."""
        filled = [c for c, t in enumerate(texts) if t]
        role_cols = {c for cols in roles.values() for c in cols}
        spans = grid.row_spans.get(r, [])
        wide = any(last - first >= 2 and len(role_cols & set(range(first, last + 1))) >= 3 for first, last in spans)
        distinct = {texts[c] for c in filled}
        if not wide:
            loose = (set(filled) & role_cols) - {0} - set(roles.get("number", [])) - set(roles.get("category", []))
            text = texts[filled[0]]
            heading = heading_of(text)
            is_heading = heading is not None and heading.style in ("cn", "part") and len(text) <= 40
            if len(distinct) != 1 or loose or not (is_heading or re.match(r"^(注|说明|备注|填表说明)", text)):
                return False
            if "category" in roles and set(filled) <= set(roles["category"]):
                return False
        text = next(iter(distinct)) if len(distinct) == 1 else " ".join(texts[c] for c in filled)
        head = heading_of(text)
        if head and head.style in ("cn", "part") and len(text) <= 40:
            self._set_category(strip_numbering(text).rstrip("。"), head.number)
            return True
        if re.match(r"^(注|说明|备注|填表说明)", text):
            return True
        self.draft.unplaced.append(Unplaced(where, text, "这一行横跨整张表，既不是总体任务也不是重点工作，未导入"))
        return True

    def _data_row(self, row: list, roles: dict[str, list[int]], where: str) -> None:
        number = _number_text(_cell(row, roles.get("number")))
        title = strip_numbering(tidy(_cell(row, roles.get("title")), keep_newlines=False)).rstrip("。")
        category_text = tidy(_cell(row, roles.get("category")), keep_newlines=False)
        category = strip_numbering(category_text).rstrip("。")
        if category:
            head = heading_of(category_text)
            self._set_category(category, head.number if head and head.style in ("cn", "part") else None)
        targets = split_items(_cell(row, roles.get("targets")))
        measures = split_items(_cell(row, roles.get("measures")))
        if not title and "title" not in roles:
            title = (targets or measures or [""])[0][:40]
        cur = self.current
        starts_new = False
        if number:
            starts_new = cur is None or number != self.current_raw
            if not starts_new and title and _key(title) != _key(cur.title):
                self.draft.warnings.append(
                    f"{where}：序号 {number} 重复出现但重点工作不同（“{title}”），已并入第 {number} 项，请核对。"
                )
        elif title and (cur is None or _key(title) != _key(cur.title)):
            starts_new = True
            number = self._next_number()
            if "number" in roles:
                self.draft.warnings.append(f"{where}：没有序号，已按顺序编为第 {number} 项。")
        elif cur is None:
            content = " ".join(targets + measures) or tidy(_cell(row, [c for cols in roles.values() for c in cols]))
            self.draft.unplaced.append(Unplaced(where, content, "这一行在任何重点工作之前，无法归属"))
            return
        if starts_new:
            if not title:
                self.draft.unplaced.append(
                    Unplaced(where, " ".join(targets + measures), f"序号 {number} 没有重点工作名称")
                )
                title = (targets or measures or [f"第{number}项"])[0][:40]
            raw = number
            number = self._unique(number)
            cur = DraftKeyWork(number=number, title=title, category=self.category, location=where)
            self.draft.key_works.append(cur)
            self.entries.append((cur, raw, self.section_no))
            self.current, self.current_raw = cur, raw
            self._remember_number(raw)
        for item in targets:
            if item not in cur.targets:
                cur.targets.append(item)
        for item in measures:
            if item not in cur.measures:
                cur.measures.append(item)
        period = tidy(_cell(row, roles.get("period")))
        if period:
            period = re.sub(r"-\s*\n\s*", "-", period)
            if not cur.period_phrase:
                cur.period_phrase = period
            elif period not in cur.period_phrase:
                cur.period_phrase += "\n" + period
        if "milestones" in roles:
            self._listed_milestones(cur, _cell(row, roles["milestones"]))
        self._units(cur, row, roles)
        self._people(cur, row, roles)

    def _listed_milestones(self, kw: DraftKeyWork, text: str) -> None:
        """Read a 时间节点 cell: one deadline a line ("6月底前"), or sentences holding them."""
        self.milestones_listed.add(id(kw))
        have = {m.phrase for m in kw.milestones}
        for line in tidy(text).split("\n"):
            line = re.sub(r"\s", "", line)
            if not line:
                continue
            found = [(line, "")] if parse_deadline(line, 2000).understood else find_deadlines(line) or [(line, "")]
            for phrase, sentence in found:
                if phrase not in have:
                    kw.milestones.append(DraftMilestone(phrase, sentence))
                    have.add(phrase)

    def _units(self, kw: DraftKeyWork, row: list, roles: dict[str, list[int]]) -> None:
        seen = self.units_seen.setdefault(kw.number, set())
        new = []
        for role_key, role, first_is_lead in (
            ("lead", "牵头", False),
            ("units", "责任", "lead" not in roles),
            ("support", "配合", False),
        ):
            text = _cell(row, roles.get(role_key))
            if not text or text in seen:
                continue
            seen.add(text)
            units = units_from_list(text, first_is_lead=first_is_lead, role="责任" if role == "牵头" else role)
            if role == "牵头" and not any(u.role == "牵头" for u in units):
                # Several names in the 牵头单位 column lead jointly, unless one is marked
                # (“县发改局（牵头）、县财政局”): then the others are responsible units.
                for u in units:
                    u.role = "牵头"
            new.extend(units)
        if new:
            kw.units = _dedupe_units(kw.units + new)
            leads = [u for u in kw.units if u.role == "牵头"]
            for extra in leads[1:]:
                if "lead" not in roles:
                    extra.role = "责任"

    def _people(self, kw: DraftKeyWork, row: list, roles: dict[str, list[int]]) -> None:
        if "leader_liaison" in roles:
            raw = _cell(row, roles["leader_liaison"])
            lines = [tidy(x, keep_newlines=False) for x in re.split(r"[\n/／、]", raw or "")]
            while len(lines) > 2 and not lines[-1]:
                lines.pop()
            names = [x for x in lines if x]
            if len(names) >= 2:
                leader, liaison = names[0], names[1]
            elif len(lines) >= 2 and not lines[0] and names:
                leader, liaison = None, names[0]
            else:
                leader, liaison = (names[0] if names else None), None
        else:
            leader = tidy(_cell(row, roles.get("leader")), keep_newlines=False) or None
            liaison = tidy(_cell(row, roles.get("liaison")), keep_newlines=False) or None
        kw.leader = kw.leader or leader
        kw.liaison = kw.liaison or liaison

    def _set_category(self, title: str, heading_number: int | None) -> None:
        if title != self.category:
            if title not in self.section_numbers:
                self.section_numbers[title] = heading_number or len(self.section_numbers) + 1
            self.section_no = self.section_numbers[title]
        self.category = title

    def finish(self) -> None:
        """Settle numbers repeated in the table.

        Numbers that restart in every section (一、… 1 2 3, 二、… 1 2) are prefixed with the
        section number (2.1), as a person would cite them; other repeats keep the "-2"
        numbers given while reading, with a warning.
        """
        raws = [raw for _kw, raw, _section in self.entries]
        repeated = {raw for raw in raws if raws.count(raw) > 1}
        if not repeated:
            return
        pairs = [(section, raw) for _kw, raw, section in self.entries]
        if all(section for section, _raw in pairs) and len(set(pairs)) == len(pairs):
            for kw, raw, section in self.entries:
                kw.number = f"{section}.{raw}"
            return
        for kw, raw, _section in self.entries:
            if kw.number != raw:
                self.draft.warnings.append(f"序号 {raw} 在不同位置重复出现，后一处编为 {kw.number}。")

    def _next_number(self) -> str:
        return str(self.auto_number + 1)

    def _remember_number(self, number: str) -> None:
        if number.isdigit():
            self.auto_number = max(self.auto_number, int(number))

    def _unique(self, number: str) -> str:
        existing = {kw.number for kw in self.draft.key_works}
        if number not in existing:
            return number
        n = 2
        while f"{number}-{n}" in existing:
            n += 1
        return f"{number}-{n}"  # warned about in finish(), unless sections explain the repeat


def _key(text: str) -> str:
    return re.sub(r"[\s。，,：:“”\"]", "", text or "")


#: Names a person may use in a column mapping (``任务=C,牵头单位=D``), by column role.
MAPPING_NAMES = {
    "title": ("任务", "重点工作", "工作任务", "事项", "标题"),
    "measures": ("举措", "措施", "落实举措", "具体措施", "内容", "工作内容"),
    "targets": ("目标", "目标任务"),
    "lead": ("牵头单位", "牵头", "牵头部门"),
    "units": ("责任单位", "单位", "责任部门"),
    "support": ("配合单位", "配合", "协办单位"),
    "period": ("完成时限", "时限", "时间", "时间节点", "完成时间", "期限"),
    "leader": ("分管领导", "领导", "责任领导"),
    "liaison": ("联络员", "联系人"),
    "number": ("序号", "编号"),
    "category": ("类别", "总体任务", "分类"),
}


def parse_column_map(text: str) -> dict[str, list[int]]:
    """Read a column mapping "任务=C,牵头单位=D,责任单位=E,完成时限=F" into role → 0-based columns.

    Columns are letters (C) or 1-based numbers (3).

    Raises:
        DubanError: a name or a column that cannot be read.
    """
    from db.errors import DubanError

    roles: dict[str, list[int]] = {}
    for part in re.split(r"[,，;；]", text or ""):
        if not part.strip():
            continue
        name, sep, column = part.partition("=")
        if not sep:
            name, sep, column = part.partition("＝")
        name, column = re.sub(r"\s", "", name), column.strip().upper()
        role = next((r for r, names in MAPPING_NAMES.items() if name in names), None)
        if role is None:
            known = "、".join(names[0] for names in MAPPING_NAMES.values())
            raise DubanError(f"列对应“{part.strip()}”中的“{name}”无法识别（可用：{known}）。")
        if re.fullmatch(r"[A-Z]{1,2}", column):
            index = 0
            for ch in column:
                index = index * 26 + ord(ch) - 64
        elif column.isdigit() and int(column) > 0:
            index = int(column)
        else:
            raise DubanError(f"列对应“{part.strip()}”中的列“{column}”应写成字母（如 C）或列号（如 3）。")
        roles.setdefault(role, []).append(index - 1)
    if "title" not in roles and "measures" not in roles:
        raise DubanError("列对应中至少要指明任务所在的列（如 任务=C）。")
    return roles


def _mapped_header(grid: Grid, roles: dict[str, list[int]]) -> tuple[int, dict[str, list[int]], int] | None:
    """Where the data starts in a grid read with a person's column mapping.

    Title rows above the table fill one cell; the first row that fills several cells is
    the header, unless it already reads as data (a deadline in the period column).
    """
    period_cols = roles.get("period", [])
    for r, row in enumerate(grid.cells):
        filled = {tidy(v) for v in row if tidy(v)}
        if len(filled) < 3:  # a title merged across the table fills every cell with one text
            continue
        period = re.sub(r"\s", "", tidy(_cell(row, period_cols)))
        if period and parse_deadline(period, 2000).understood:
            return max(0, r - 1), roles, r
        return r, roles, r + 1
    return None


def preview_rows(grids: list[Grid], limit: int = 6) -> list[list[str]]:
    """Return the first non-empty rows of the first grid with content, for a person to map columns."""
    for grid in grids:
        rows = [[tidy(v, keep_newlines=False) for v in row] for row in grid.cells]
        rows = [row for row in rows if any(row)]
        if rows:
            return rows[:limit]
    return []


def read_grids(grids: list[Grid], draft: Draft, progress=None, column_map: dict[str, list[int]] | None = None) -> bool:
    """Read every grid that has a task-list header into ``draft``; return False if none has.

    Args:
        grids: the tables.
        draft: filled in place.
        progress: optional progress callback.
        column_map: role → columns chosen by a person (``parse_column_map``); used where
            no header is recognised.
    """
    builder = _Builder(draft)
    found = False
    has_targets = False
    title_lines: list[str] = []
    for grid in grids:
        header = find_header(grid)
        if header is None and column_map:
            header = _mapped_header(grid, column_map)
        if header is None:
            continue
        found = True
        header_row, roles, data_start = header
        has_targets = has_targets or "targets" in roles
        for row in grid.cells[:header_row]:
            for value in row:
                text = tidy(value, keep_newlines=False)
                if text and text not in title_lines:
                    title_lines.append(text)
        builder.read(grid, header_row, roles, data_start, progress)
    if not found:
        return False
    builder.finish()
    plan_meta_from_titles(draft, title_lines)
    # A 任务分解表 without a target column writes its numbers in the measures ("不少于4场").
    finish_key_works(
        draft,
        from_table=True,
        indicators_from_measures=not has_targets,
        milestones_listed=builder.milestones_listed,
    )
    return True


def plan_meta_from_titles(draft: Draft, lines: list[str]) -> None:
    """Take the plan title, document number and year from title lines above a table."""
    candidates = [t for t in lines if not re.fullmatch(r"附件\s*\d*[:：]?", t) and len(t) >= 4]
    if candidates and not draft.title:
        draft.title = max(candidates, key=len)[:120]
    for text in lines:
        m = re.search(r"[\u4e00-\u9fff]{1,12}[〔\[【(（]((?:19|20)\d\d)[〕\]】)）]\s*\d+\s*号", text)
        if m and not draft.doc_no:
            draft.doc_no = m.group(0)
    if draft.year is None:
        m = re.search(r"((?:19|20)\d\d)\s*年", draft.title or "")
        if m:
            draft.year, draft.year_source = int(m.group(1)), "标题"


class _DeadlineSet:
    """Deadline phrases of one key work, compared as dates are meant: 到2024年6月底前 = 6月底前 in a 2024 plan."""

    def __init__(self, year: int | None, phrases=()):
        self.year = year
        self.keys = {self._key(p) for p in phrases}

    def _key(self, phrase: str) -> str:
        key = re.sub(r"^(?:到|至|截至|截止|于|在)", "", re.sub(r"\s", "", phrase))
        if self.year:
            key = re.sub(rf"^{self.year}年(?=\d|[一二三四五六七八九十上下第])", "", key)
        return re.sub(r"(?:以前|之前)$", "前", key)

    def __contains__(self, phrase: str) -> bool:
        return self._key(phrase) in self.keys

    def add(self, phrase: str) -> None:
        self.keys.add(self._key(phrase))


def finish_key_works(
    draft: Draft,
    *,
    from_table: bool,
    indicators_from_measures: bool = False,
    milestones_listed: set[int] = frozenset(),
) -> None:
    """Derive milestones and indicators, guess the year if still unknown, and re-date.

    Args:
        draft: the draft read so far.
        from_table: the key works come from a table (indicators are read from targets).
        indicators_from_measures: the table has no target column, so read indicators
            from the measures instead.
        milestones_listed: ids of key works whose milestones a 时间节点 column lists; none
            are derived from their period, targets or measures.
    """
    if draft.year is None:
        years = Counter()
        for kw in draft.key_works:
            for text in kw.targets + ([kw.title] if not from_table else []) + [m.phrase for m in kw.milestones]:
                for y in re.findall(r"((?:19|20)\d\d)\s*年", text):
                    years[int(y)] += 1
        if years:
            year = years.most_common(1)[0][0]
            draft.year, draft.year_source = year, "推断"
            draft.warnings.append(f"文件中没有写明计划年度，按目标中最常出现的年份定为 {year} 年；如不对请指定年度。")
    for kw in draft.key_works:
        phrases = _DeadlineSet(draft.year, (m.phrase for m in kw.milestones))
        if kw.period_phrase and id(kw) not in milestones_listed:
            parsed = parse_deadline(kw.period_phrase, draft.year or 2000)
            if not parsed.understood:
                inner = find_deadlines(kw.period_phrase)
                for phrase, sentence in inner:
                    if phrase not in phrases:
                        kw.milestones.append(DraftMilestone(phrase, sentence))
                        phrases.add(phrase)
                if inner:
                    kw.period_phrase = None
            elif parsed.due and not parsed.period and not parsed.recurring and not parsed.ongoing:
                phrase = re.sub(r"\s", "", kw.period_phrase)
                if phrase not in phrases:
                    kw.milestones.append(DraftMilestone(phrase, "完成时限"))
                    phrases.add(phrase)
        texts = ([] if from_table else [kw.title]) + kw.targets + kw.measures
        for text in [] if id(kw) in milestones_listed else texts:
            for phrase, sentence in find_deadlines(text):
                if phrase not in phrases:
                    kw.milestones.append(DraftMilestone(phrase, sentence))
                    phrases.add(phrase)
        if from_table:
            names = set()
            for text in kw.measures if indicators_from_measures else kw.targets:
                for ind in find_indicators(text):
                    if ind.name not in names:
                        kw.indicators.append(ind)
                        names.add(ind.name)
    draft.refresh()
