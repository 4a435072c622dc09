"""Policy documents as text (.txt, pasted) and Word (.docx): numbered items with unit clauses.

Structure comes from the numbering marks (一、 / （一） / 1. / （1）): the deepest level
whose items name their units in a trailing parenthesis holds the key works, the level
above names their categories, deeper items become measures. Text copied from web pages
and PDFs is repaired first: page furniture is dropped, sentences broken over lines are
joined, and two items glued on one line are split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from db.errors import DubanError
from db.plan_draft import Draft, DraftKeyWork, DraftMilestone
from reports.tasklist.grid import Grid, find_header, finish_key_works, plan_meta_from_titles, read_grids
from reports.tasklist.textparse import (
    LABEL_LINE,
    Clause,
    Heading,
    _copy_unit,
    _join,
    find_clauses,
    find_indicators,
    find_unit_clauses,
    first_sentence,
    heading_of,
    sentences,
    split_glued,
    tidy,
    units_from_list,
)

_FURNITURE = re.compile(
    r"打印本页|打印此页|关闭窗口|【\s*关\s*闭\s*】|\[\s*关\s*闭\s*\]|返回首页|返回顶部|设为首页|收藏本站|加入收藏|"
    r"字体\s*[:：]?\s*[【\[]?\s*大|您现在的位置|当前位置|阅读次数|浏览次数|访问次数|点击数|扫一扫|分享到|上一篇|下一篇|"
    r"相关链接|附件下载|版权所有|ICP备|网站标识码|联系我们|网站地图|无障碍|^今天是|^首页\s*[>＞]|[>＞]\s*正文|"
    r"^(?:索引号|主题分类|发布机构|发文机关|成文日期|发布日期|有效性|文号|发文字号|信息来源|所属机构|公开方式|主题词)\s*[:：]?\s*$"
)
#: The end matter of an official document: copied-to, issued-by, contacts, page footers.
_END_MATTER = re.compile(
    r"^(?:抄送|抄报|主送|印发|（此件公开发布）|\(此件公开发布\)|联系人|联系电话|附件下载|—\s*\d+\s*—|-\s*\d+\s*-|第\s*\d+\s*页"
    r"|[\u4e00-\u9fff]{2,20}办公室\s*(?:19|20)\d\d年\d{1,2}月\d{1,2}日印发"
    # The signature: the issuing office and the date on lines of their own.
    r"|[\u4e00-\u9fff（）]{2,30}(?:人民政府|人民政府办公室|人民政府办公厅|办公室|办公厅)$"
    r"|(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$"
    r"|[二〇○零一][〇○零一二三四五六七八九]{3}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日$)"
)
_ATTACHMENTS = re.compile(r"^附件\s*[:：]\s*(?:\d+\s*[.、．]|$)")
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[【]\s*((?:19|20)\d\d)\s*[〕\]】]\s*\d+\s*号")
_TITLE_WORDS = re.compile(
    r"方案|举措|措施|意见|通知|计划|清单|要点|办法|规划|任务|细则|纲要|行动|安排|分工|实事|项目|责任|目标|工作"
)


@dataclass
class _Block:
    style: str
    number: int
    lines: list[str]
    line_no: int
    depth: int = 0
    parent: int | None = None
    children: list[int] = field(default_factory=list)

    @cached_property
    def text(self) -> str:
        # Read only once every line of the block is known.
        out = ""
        for line in self.lines:
            if not out:
                out = line
            elif out[-1] in "。！？；;：:）)”" or LABEL_LINE.match(line):
                out += "\n" + line
            else:
                out = _join(out, line)
        return out


def read_task_text(
    text: str,
    *,
    year: int | None = None,
    plan_title: str | None = None,
    source_name: str = "粘贴文本",
    columns: str | None = None,
) -> Draft:
    """Read a policy document given as text (pasted, or the content of a .txt file).

    Args:
        text: the document text.
        year: plan year for dating deadlines; default: the year found in the document.
        plan_title: plan title; default: the document's title.
        source_name: shown as the draft's source.

    Raises:
        DubanError: the text holds no numbered items.
    """
    from reports.tasklist.grid import parse_column_map

    draft = Draft(source_name=source_name, source_kind="text", year=year, year_source="参数" if year else None)
    parse_policy_text(text, draft, column_map=parse_column_map(columns) if columns else None)
    if plan_title:
        draft.title = plan_title.strip()
    draft.refresh()
    return draft


def parse_policy_text(text: str, draft: Draft, progress=None, column_map=None) -> None:
    """Fill ``draft`` from policy text (see the module docstring for the rules).

    A table pasted as text (tab- or bar-separated, box drawing, one cell per line) is read
    as a table when the numbered text around it names no units.
    """
    from reports.tasklist.texttable import text_grid

    body = Draft(source_name=draft.source_name, year=draft.year, year_source=draft.year_source)
    try:
        _parse_numbered_text(text, body, progress)
        body_error = None
    except DubanError as exc:
        body_error = exc
    if body_error is not None or not any(kw.units for kw in body.key_works):
        grid = text_grid(text)
        if grid is not None or column_map:
            from reports.tasklist.grid import Grid

            grids = (
                [grid] if grid is not None else [Grid("粘贴的表格", [line.split("\t") for line in text.split("\n")])]
            )
            if read_grids(grids, draft, progress, column_map=column_map) and draft.key_works:
                draft.source_kind = draft.source_kind or "text"
                if not draft.year and body.year:
                    draft.year, draft.year_source = body.year, body.year_source
                    draft.refresh()
                if body.doc_no and not draft.doc_no:
                    draft.doc_no = body.doc_no
                if body.title and body.title != draft.source_name and not draft.title:
                    draft.title = body.title
                return
            draft.key_works.clear()
    if body_error is not None:
        raise body_error
    for name in ("title", "doc_no", "year", "year_source", "categories", "key_works"):
        setattr(draft, name, getattr(body, name))
    draft.warnings.extend(body.warnings)
    draft.unplaced.extend(body.unplaced)


_HTML_BLOCK = re.compile(r"</?(?:p|br|div|li|tr|h\d|table|tbody|ul|ol)\b[^>]{0,200}>", re.I)
_HTML_INLINE = re.compile(r"</?(?:span|strong|b|i|em|font|a|u|td|th|sup|sub|img)\b[^>]{0,200}>", re.I)


def _strip_html(text: str) -> str:
    """Text copied with its HTML tags ("<p>（一）…</p>"): tags out, entities decoded."""
    import html

    if not _HTML_BLOCK.search(text):
        return text
    text = _HTML_BLOCK.sub("\n", text)
    text = _HTML_INLINE.sub("", text)
    return html.unescape(text)


def _parse_numbered_text(text: str, draft: Draft, progress=None) -> None:
    text = _strip_html(text)
    raw_lines = [re.sub(r"^[•·●◆■□▪\-]\s*", "", line) for line in tidy(text).split("\n")]
    blocks, preamble = _blocks(raw_lines)
    _document_meta(draft, raw_lines, preamble)
    if not blocks:
        # No numbering at all: each paragraph that names its units is a key work.
        paragraphs = [
            (n, line)
            for n, line in enumerate(raw_lines, 1)
            if line and len(line) > 8 and not _FURNITURE.search(line[:60]) and find_clauses(line)
        ]
        blocks = [_Block("para", i, [line], n) for i, (n, line) in enumerate(paragraphs, 1)]
        if blocks:
            draft.warnings.append("文中的条目没有编号，已把每个写明责任单位的段落读作一项重点工作，请核对。")
    if not blocks:
        raise DubanError(f"“{draft.source_name}”中找不到编号条目（如“1.”“（一）”），不像是任务清单或政策文件，未导入。")
    _key_works_from_blocks(draft, blocks, progress)
    _apply_stated_units(draft, raw_lines)
    if not draft.key_works:
        raise DubanError(f"“{draft.source_name}”中找不到任何重点工作（编号条目都没有写明责任单位），未导入。")
    finish_key_works(draft, from_table=False)


def _blocks(lines: list[str]) -> tuple[list[_Block], list[str]]:
    blocks: list[_Block] = []
    preamble: list[str] = []
    expected: dict[str, int] = {}
    stack: list[str] = []
    last_at_depth: dict[int, int] = {}
    in_attachments = False
    for line_no, line in enumerate(lines, 1):
        if not line or (len(line) <= 60 and _FURNITURE.search(line)):
            continue
        if _END_MATTER.match(line):
            continue
        if _ATTACHMENTS.match(line):
            # "附件：1.…" lists the attachments' titles: numbered, but never tasks.
            in_attachments = True
            continue
        if in_attachments:
            head = heading_of(line)
            if (
                head
                and head.style in ("num", "pnum", "numparen")
                and len(line) <= 60
                and "。" not in line
                and not find_unit_clauses(line)
            ):
                continue
            in_attachments = False
        for piece in split_glued(line, expected):
            head = heading_of(piece) or _glued_number(piece, expected)
            if head is None or not head.rest.strip():
                if blocks:
                    blocks[-1].lines.append(piece)
                else:
                    preamble.append(piece)
                continue
            expected[head.style] = head.number + 1
            if head.style in stack:
                del stack[stack.index(head.style) + 1 :]
            else:
                stack.append(head.style)
            depth = stack.index(head.style)
            block = _Block(head.style, head.number, [head.rest.strip()], line_no, depth)
            block.parent = last_at_depth.get(depth - 1) if depth else None
            if block.parent is not None:
                blocks[block.parent].children.append(len(blocks))
            last_at_depth[depth] = len(blocks)
            for deeper in [d for d in last_at_depth if d > depth]:
                del last_at_depth[deeper]
            blocks.append(block)
    return blocks, preamble


def _glued_number(line: str, expected: dict[str, int]) -> Heading | None:
    """An item number glued to a figure: "11.121人才梯队…" after item 10 is item 11."""
    m = re.match(r"^(\d{1,3})[.．](?=\d)", line)
    if m and expected.get("num") == int(m.group(1)) and int(m.group(1)) > 1:
        return Heading("num", int(m.group(1)), line[m.end() :], m.group(0))
    return None


def _document_meta(draft: Draft, lines: list[str], preamble: list[str]) -> None:
    joined = "\n".join(preamble)
    m = re.search(r"印发\s*《([^》]{4,80})》", joined) or re.search(r"关于印发\s*([^《》\n]{4,80}?)\s*的通知", joined)
    if m and not draft.title:
        draft.title = m.group(1)
    if not draft.title:
        for line in preamble:
            if (
                6 <= len(line) <= 60
                and not re.search(r"[。，：:；,]$", line)
                and _TITLE_WORDS.search(line)
                and not _FURNITURE.search(line)
                and "。" not in line
            ):
                draft.title = line
                break
    if not draft.title:
        draft.title = draft.source_name
    for line in preamble:
        for m in _DOC_NO.finditer(line):
            if m.start() and line[m.start() - 1] in "（(《":
                continue
            draft.doc_no = re.sub(r"\s", "", m.group(0))
            if draft.year is None:
                draft.year, draft.year_source = int(m.group(1)), "文号"
            break
        if draft.doc_no:
            break
    if draft.year is None:
        m = re.search(r"((?:19|20)\d\d)\s*年", draft.title)
        if m and "印发" not in draft.title:
            draft.year, draft.year_source = int(m.group(1)), "标题"
    if draft.year is None:
        for line in lines:
            m = re.search(
                r"(?:成文日期|发布日期|编辑日期|发布时间|印发日期|日期)\s*[:：]?\s*((?:19|20)\d\d)\s*[年\-/.]", line
            ) or re.search(r"^.{0,30}?((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:印发)?$", line.strip())
            if m:
                draft.year, draft.year_source = int(m.group(1)), "发文日期"
                break
            # A signature date in Chinese numerals: 二〇二四年三月十日.
            m = re.fullmatch(
                r"([二〇○零一]{2}[〇○零一二三四五六七八九]{2})年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日",
                line.strip(),
            )
            if m:
                digits = "".join(
                    str("〇一二三四五六七八九".index(ch.replace("○", "〇").replace("零", "〇"))) for ch in m.group(1)
                )
                draft.year, draft.year_source = int(digits), "发文日期"
                break


def _lift_closing_clauses(blocks: list[_Block]) -> None:
    """A clause on its own line after an item's sub-items names the item's units, not the last sub-item's.

    "1.完善应急预案体系 / （1）… / （2）… / （责任单位：…）": when none of the sub-items names
    units, the closing clause line moves up to the item.
    """
    for index, block in enumerate(blocks):
        if block.parent is None or len(block.lines) < 2:
            continue
        parent = blocks[block.parent]
        if parent.children[-1] != index or len(parent.children) < 2:
            continue  # only the last of several sub-items can carry a clause that closes the item
        line = block.lines[-1].strip()
        found = find_clauses(line)
        if len(found) != 1 or found[0].start != 0 or line[found[0].end :].strip(" 。；;"):
            continue
        siblings = [blocks[c] for c in parent.children]
        rest = "\n".join(block.lines[:-1])
        if find_clauses(rest) or any(find_clauses(b.text) for b in siblings if b is not block):
            continue
        if find_clauses(parent.text):
            continue
        block.lines.pop()
        parent.lines.append(line)
        for changed in (block, parent):
            changed.__dict__.pop("text", None)


def _key_works_from_blocks(draft: Draft, blocks: list[_Block], progress=None) -> None:
    _lift_closing_clauses(blocks)
    clauses = [find_clauses(b.text) for b in blocks]
    with_units = [i for i, c in enumerate(clauses) if c]
    if with_units:
        depth_by_style: dict[str, list[int]] = {}
        for i in with_units:
            depth_by_style.setdefault(blocks[i].style, []).append(blocks[i].depth)
        kw_style = max(
            depth_by_style, key=lambda s: (sum(depth_by_style[s]) / len(depth_by_style[s]), len(depth_by_style[s]))
        )
    else:
        styles = [b.style for b in blocks]
        kw_style = "num" if "num" in styles else max(styles, key=lambda s: max(b.depth for b in blocks if b.style == s))
        draft.warnings.append("文中没有找到“（牵头单位：…）”“（责任单位：…）”之类的分工，所有条目都需要补填责任单位。")
    parents_with_units = {blocks[i].parent for i in with_units if blocks[i].style == kw_style}
    chosen = [
        i for i, b in enumerate(blocks) if b.style == kw_style and (not with_units or b.parent in parents_with_units)
    ]
    chosen = sorted(chosen + _stray_items(draft, blocks, chosen, with_units, kw_style))
    raw: list[tuple[_Block, DraftKeyWork]] = []
    for n, i in enumerate(chosen):
        if progress:
            progress(n, len(chosen), "读取条目")
        block = blocks[i]
        parent_title = _heading_title(blocks[block.parent]) if block.parent is not None else None
        child_text = [blocks[c].text for c in _descendants(blocks, i)]
        raw.extend((block, kw) for kw in _block_to_key_works(draft, block, clauses[i], parent_title, child_text))
    numbers = [kw.number for _b, kw in raw]
    if len(set(numbers)) != len(numbers):
        # Numbering restarts in every section: prefix the section number.
        for block, kw in raw:
            prefix = blocks[block.parent].number if block.parent is not None else 0
            kw.number = f"{prefix}.{kw.number}"
    seen: set[str] = set()
    for _block, kw in raw:
        number, n = kw.number, 2
        while kw.number in seen:
            kw.number = f"{number}-{n}"
            n += 1
        seen.add(kw.number)
        draft.key_works.append(kw)


#: A convention stated once: "以下各项任务均需各乡镇（街道）配合" gives every later task those units.
_STATED_UNITS = re.compile(
    r"(?:(?:以下|下列)(?:各项|所列|各条)?(?:任务|工作|事项)?|(?:各项|所有)(?:任务|工作))(?:均需|均由|均要|均请|都需|都由)"
    r"([^。；;]{2,60}?)(配合|参与|协助|落实|负责|共同推进|共同负责)"
)


def _apply_stated_units(draft: Draft, lines: list[str]) -> None:
    """Add the units a stated convention names to every key work after it (not vague groups)."""
    for line_no, line in enumerate(lines, 1):
        for m in _STATED_UNITS.finditer(line):
            role = "配合" if m.group(2) in ("配合", "参与", "协助") else "责任"
            units = [u for u in units_from_list(m.group(1), first_is_lead=False, role=role) if not u.collective]
            if not units:
                continue
            for kw in draft.key_works:
                at = re.match(r"第(\d+)行", kw.location or "")
                if not at or int(at.group(1)) <= line_no or not kw.units:
                    continue
                known = {u.name for u in kw.units}
                kw.units.extend(_copy_unit(u) for u in units if u.name not in known)


_MARKS = {
    "part": "第一部分",
    "art": "第一条",
    "cn": "一、",
    "pcn": "（一）",
    "num": "1.",
    "pnum": "（1）",
    "circ": "①",
    "numparen": "1）",
}


def _stray_items(draft: Draft, blocks: list[_Block], chosen: list[int], with_units: list[int], style: str) -> list[int]:
    """Return items that name their units but are numbered unlike the other key works.

    A section may number its tasks （一） where the others use 1.; such an item lies neither
    inside a key work nor above one, and dropping it would lose a task without a word.
    It is taken as a key work and flagged for review.
    """
    inside = {d for i in chosen for d in _descendants(blocks, i)}
    picked = set(chosen)
    stray = []
    for i in with_units:
        if i in picked or i in inside or picked & set(_descendants(blocks, i)):
            continue
        stray.append(i)
        draft.warnings.append(
            f"第{blocks[i].line_no}行“{blocks[i].text[:20]}…”的编号形式（{_MARKS.get(blocks[i].style, '')}）"
            f"与其他重点工作（{_MARKS.get(style, '')}）不同，已作为重点工作读入，请核对。"
        )
    return stray


def _descendants(blocks: list[_Block], index: int) -> list[int]:
    out = []
    for child in blocks[index].children:
        out.append(child)
        out.extend(_descendants(blocks, child))
    return out


def _heading_title(block: _Block) -> str:
    title, rest = first_sentence(block.text, limit=40)
    if not title:
        title = block.text.split("\n")[0][:40]
    return title.strip().rstrip("。")


def _block_to_key_works(
    draft: Draft, block: _Block, clauses, parent_title: str | None, child_text: list[str]
) -> list[DraftKeyWork]:
    text = block.text
    where = f"第{block.line_no}行"
    if len(clauses) >= 2:
        kw = _paragraph_with_clauses(text, clauses, str(block.number), parent_title, where)
    else:
        kw = _item_with_clause(text, clauses, str(block.number), parent_title, where)
    for extra in child_text:
        child_clauses = find_clauses(extra)
        for clause in child_clauses:
            known = {u.name for u in kw.units}
            kw.units.extend(u for u in clause.units if u.name not in known)
        _clause_extras(kw, child_clauses, None)
        stripped = _remove_clauses(extra)
        if stripped:
            kw.measures.append(stripped)
        kw.source += "\n" + extra
    return [kw]


def _paragraph_with_clauses(
    text: str, clauses: list[Clause], number: str, category: str | None, where: str
) -> DraftKeyWork:
    """A paragraph whose sentences name their own units stays one key work.

    Its title is the paragraph's heading sentence ("提信心增预期。"), or else its first
    phrase; each measure keeps its unit clause as written, so the measures carry their own
    units; the key work's units are all of them, led by the first clause's lead.
    """
    heading, rest = first_sentence(text, limit=30)
    title = None
    offset = 0
    if heading and not find_unit_clauses(heading):
        title = heading.rstrip("。")
        offset = text.index(rest) if rest else len(text)
    kw = DraftKeyWork(number=number, title="", category=category, location=where)
    start = offset
    for clause in [c for c in clauses if c.start >= offset] or clauses:
        segment = text[start : clause.end].strip().lstrip("。；;，, \n")
        start = clause.end
        plain = _remove_clauses(segment).strip().rstrip("。；;，,")
        if title is None:
            m = re.match(r"^(.{2,40}?)[，,。；;]", plain)
            title = m.group(1) if m else plain[:40]
        found = find_indicators(plain)
        if found:
            kw.targets.append(plain)
            names = {i.name for i in kw.indicators}
            kw.indicators.extend(i for i in found if i.name not in names)
        if segment:
            kw.measures.append(segment)
        has_lead = kw.lead_unit is not None
        known = {u.name for u in kw.units}
        for unit in clause.units:
            if unit.name in known:
                continue
            if has_lead and unit.role == "牵头":
                unit.role = "责任"
            kw.units.append(unit)
            known.add(unit.name)
    tail = text[start:].strip().lstrip("。；;，,").strip()
    kw.measures.extend(s.strip() for s in sentences(tail) if len(s.strip()) > 1)
    kw.title = (title or text[:40]).strip()
    _clause_extras(kw, clauses, text)
    return kw


def _item_with_clause(text: str, clauses: list[Clause], number: str, category: str | None, where: str) -> DraftKeyWork:
    """An item with one unit clause (or none): its heading is the title, the rest its targets and measures."""
    units = clauses[-1].units if clauses else []
    body = text
    tail = ""
    if clauses:
        # Sentences after the clause still belong to this one task ("…（X负责）。同步完善…").
        tail = text[clauses[-1].end :].strip().lstrip("。；;，,").strip()
        body = text[: clauses[-1].start]
    kw = _key_work_from_segment(number, body, units, category, where, mode="item")
    kw.measures.extend(s.strip() for s in sentences(tail) if len(s.strip()) > 1)
    _clause_extras(kw, clauses[-1:], text)
    return kw


def _clause_extras(kw: DraftKeyWork, clauses: list[Clause], source: str | None) -> None:
    """Give a key work what its unit clauses say besides units: deadlines, leader, ongoing, source text."""
    have = {m.phrase for m in kw.milestones}
    for clause in clauses:
        for phrase in clause.deadlines:
            if phrase not in have:
                kw.milestones.append(DraftMilestone(phrase, clause.text))
                have.add(phrase)
        if clause.leader and not kw.leader:
            kw.leader = clause.leader
        if clause.ongoing and not kw.period_phrase:
            kw.period_phrase = "长期坚持"
    if source is not None:
        kw.source = source


def _remove_clauses(text: str) -> str:
    for start, end, _units in reversed(find_unit_clauses(text)):
        text = text[:start] + text[end:]
    return text.strip().replace("\n", "")


#: "（长期坚持）" or "…，持续推进。" standing alone: the work is ongoing (a verb inside a sentence is not).
_ONGOING_ALONE = re.compile(
    r"[（(【〔]\s*(?:长期坚持|长期实施|持续推进|持续实施|长期|常态化推进)\s*[）)】〕]"
    r"|(?:^|[，。；,;])\s*(?:长期坚持|长期实施|持续推进|持续实施|常态化推进)\s*[。；;]?\s*$"
)


def _key_work_from_segment(number: str, text: str, units, category: str | None, where: str, mode: str) -> DraftKeyWork:
    ongoing = _ONGOING_ALONE.search(text)
    if ongoing:
        text = (text[: ongoing.start()] + text[ongoing.end() :]).strip()
    text = _remove_clauses(text)
    if mode == "segment":
        m = re.match(r"^(.{2,40}?)[，,。；;]", text)
        title = m.group(1) if m else text[:40]
        rest_sentences = sentences(text)
    else:
        title, rest = first_sentence(text, limit=80)
        if not title:
            m = re.match(r"^(.{2,40}?)[，,。；;]", text)
            title = m.group(1) if m else text[:40]
            rest = text if m or len(text) > 40 else ""  # a one-phrase item is its title, not also a measure
        rest_sentences = sentences(rest)
    kw = DraftKeyWork(
        number=number, title=title.strip().rstrip("。"), category=category, units=list(units), location=where
    )
    if ongoing:
        kw.period_phrase = "长期坚持"
    if find_indicators(title):
        kw.targets.append(title)
        kw.indicators.extend(find_indicators(title))
    for sentence in rest_sentences:
        sentence = sentence.strip()
        found = find_indicators(sentence)
        if found:
            kw.targets.append(sentence)
            names = {i.name for i in kw.indicators}
            kw.indicators.extend(i for i in found if i.name not in names)
        else:
            kw.measures.append(sentence)
    return kw


# ---------------------------------------------------------------------- docx
def docx_content(path: Path, warnings: list[str], every_table: bool = False) -> tuple[list[Grid], str]:
    """Return the task-list tables of a .docx as grids, and its paragraphs (numbering restored) as text."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for broken files
        raise DubanError(
            f"文件“{path.name}”无法作为 Word 文档读取（{type(exc).__name__}）。请在 Word/WPS 中另存为 .docx 再试。"
        ) from None
    numbering = _Numbering(document)
    lines: list[str] = []
    grids: list[Grid] = []
    body = document.element.body
    table_no = 0
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            lines.append(numbering.prefix(paragraph) + paragraph.text)
        elif tag == "tbl":
            table_no += 1
            grid = _table_grid(Table(child, document), table_no)
            if every_table or find_header(grid) is not None:
                grid.caption = _caption(lines)
                grids.append(grid)
            else:
                for row in grid.cells:
                    seen = []
                    for value in row:
                        if value and value not in seen:
                            seen.append(value)
                    lines.append("\n".join(seen))
    return grids, "\n".join(lines)


def _caption(lines: list[str]) -> list[str]:
    """Return the short title paragraphs right above a table ("附件", "示例县…任务清单")."""
    caption: list[str] = []
    for line in reversed(lines):
        text = tidy(line, keep_newlines=False)
        if not text:
            continue
        if len(text) > 60 or re.search(r"[。；;：:]$", text) or len(caption) == 3:
            break
        caption.insert(0, text)
    return caption


def _table_grid(table, table_no: int) -> Grid:
    cells: list[list[str | None]] = []
    spans: dict[int, list[tuple[int, int]]] = {}
    for r, row in enumerate(table.rows):
        row_cells = row.cells
        values = [cell.text for cell in row_cells]
        cells.append(values)
        c = 0
        while c < len(row_cells):
            end = c
            while end + 1 < len(row_cells) and row_cells[end + 1]._tc is row_cells[c]._tc:
                end += 1
            if end > c:
                spans.setdefault(r, []).append((c, end))
            c = end + 1
    return Grid(f"表格{table_no}", cells, row_spans=spans, label=f"第{table_no}个表格第{{row}}行")


class _Numbering:
    """Restores Word's automatic list numbers ("1." "（一）"), which python-docx leaves out of text."""

    _FORMATS = {
        "decimal",
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "taiwaneseCounting",
        "decimalEnclosedCircleChinese",
        "decimalEnclosedCircle",
        "ideographDigital",
        "japaneseCounting",
        "decimalFullWidth",
    }

    def __init__(self, document):
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        abstract = {}
        for node in root.iter(f"{ns}abstractNum"):
            levels = {}
            for lvl in node.iter(f"{ns}lvl"):
                fmt = lvl.find(f"{ns}numFmt")
                text = lvl.find(f"{ns}lvlText")
                start = lvl.find(f"{ns}start")
                levels[lvl.get(f"{ns}ilvl")] = (
                    fmt.get(f"{ns}val") if fmt is not None else "decimal",
                    text.get(f"{ns}val") if text is not None else "%1.",
                    int(start.get(f"{ns}val")) if start is not None else 1,
                )
            abstract[node.get(f"{ns}abstractNumId")] = levels
        for num in root.iter(f"{ns}num"):
            ref = num.find(f"{ns}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{ns}val"), {}).items():
                self.levels[(num.get(f"{ns}numId"), ilvl)] = spec
        self.ns = ns

    def prefix(self, paragraph) -> str:
        """Return the list number Word would show before this paragraph ("" if none)."""
        if not self.levels:
            return ""
        ppr = paragraph._p.pPr
        num_pr = ppr.find(f"{self.ns}numPr") if ppr is not None else None
        if num_pr is None:
            return ""
        ilvl_el, num_el = num_pr.find(f"{self.ns}ilvl"), num_pr.find(f"{self.ns}numId")
        if num_el is None:
            return ""
        num_id = num_el.get(f"{self.ns}val")
        ilvl = ilvl_el.get(f"{self.ns}val") if ilvl_el is not None else "0"
        spec = self.levels.get((num_id, ilvl))
        if spec is None or spec[0] not in self._FORMATS:
            return ""
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, spec[2] - 1) + 1
        for other in list(self.counters):
            if other[0] == num_id and int(other[1]) > int(ilvl):
                del self.counters[other]
        value = self.counters[key]
        shown = str(value) if spec[0].startswith("decimal") else _chinese(value)
        return re.sub(r"%\d", shown, spec[1])


def _chinese(value: int) -> str:
    digits = "零一二三四五六七八九"
    if value < 10:
        return digits[value]
    if value < 20:
        return "十" + (digits[value % 10] if value % 10 else "")
    if value < 100:
        return digits[value // 10] + "十" + (digits[value % 10] if value % 10 else "")
    return str(value)


def read_docx(path: Path, draft: Draft, progress=None, column_map=None) -> None:
    """Fill ``draft`` from a .docx: its task-list tables if it has any, else its numbered text.

    With a person's ``column_map``, every table is read with it (its header was not recognised).
    """
    grids, text = docx_content(path, draft.warnings, every_table=bool(column_map))
    if column_map and grids:
        plan_meta_from_titles(draft, grids[0].caption)
        read_grids(grids, draft, progress, column_map=column_map)
        if draft.key_works:
            return
        draft.key_works.clear()
        grids, text = docx_content(path, draft.warnings)
    if grids:
        body = Draft(source_name=draft.source_name)
        try:
            parse_policy_text(text, body)
            body_meta = (body.title, body.doc_no, body.year, body.year_source)
        except DubanError:
            body_meta = None
        if body_meta and draft.year is None and body_meta[2]:
            draft.year, draft.year_source = body_meta[2], body_meta[3]
        if not body_meta or body_meta[0] in (None, "", draft.source_name):
            # No document title in the text: the table's own title paragraphs name the plan.
            plan_meta_from_titles(draft, grids[0].caption)
        read_grids(grids, draft, progress)
        if body_meta:
            if body_meta[0] and body_meta[0] != draft.source_name and not draft.title.startswith(body_meta[0]):
                draft.title = draft.title or body_meta[0]
            draft.doc_no = draft.doc_no or body_meta[1]
            if draft.year is None and body_meta[2]:
                draft.year, draft.year_source = body_meta[2], body_meta[3]
                draft.refresh()
        if body_meta and body.key_works:
            clauses = sum(len(find_clauses(line)) for line in text.split("\n"))
            draft.warnings.append(f"文档中有任务清单表格，已按表格导入；正文中另有 {clauses} 处分工未重复导入。")
        return
    try:
        parse_policy_text(text, draft, progress)
    except DubanError:
        tables, _text = docx_content(path, [], every_table=True)
        if not tables:
            raise
        raise DubanError(
            f"“{draft.source_name}”中的表格没有可识别的表头，请指明各列"
            "（命令行加 --columns 任务=B,牵头单位=C,责任单位=D,完成时限=E）。"
        ) from None


__all__ = ["parse_policy_text", "read_docx", "read_task_text"]
