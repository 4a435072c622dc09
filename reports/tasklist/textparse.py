"""Text rules shared by every task-list reader: numbering, unit lists, deadlines, number targets.

All functions are pure and work on one string, so that Excel cells, Word tables and
pasted policy text are read by the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from db.plan_draft import (
    ROLE_LEAD,
    ROLE_RESPONSIBLE,
    ROLE_SUPPORT,
    DraftIndicator,
    DraftUnit,
)
from db.text import chinese_number
from db.units import clean_unit_name

_CJK = r"\u3400-\u9fff"
_OPEN, _CLOSE = "（(〈《【[〔［", "）)〉》】]〕］"
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\ufeff]")


_FOLD = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FOLD.update({ord(ch): ord(ch) - 0xFEE0 for ch in "．％＋－／＆＝"})
_FOLD.update({ord(ch): " " for ch in "\u3000\u00a0\t\u2002\u2003\u2009"})
_FOLD.update({ord(ch): None for ch in "\u200b\u200c\u200d\ufeff"})
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}“”，。、：；（）]) (?=[{_CJK}“”，。、：；（）])")
_SPACE_RUN = re.compile(r" {2,}")
_LINE_EDGES = re.compile(r" *\n *")


def tidy(text: str | None, *, keep_newlines: bool = True, join_cjk: bool = True) -> str:
    """Fold full-width digits/letters and odd spaces; drop spaces between Chinese characters.

    Chinese punctuation (（）：，、) is kept as written. Spaces between two Chinese
    characters are always copy-and-paste accidents ("两个健康” 发展先行区").
    """
    if text is None:
        return ""
    text = str(text).translate(_FOLD)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if join_cjk and " " in text:
        text = _CJK_SPACE.sub("", text)
    if not keep_newlines:
        text = text.replace("\n", "")
    if "\n" in text:
        text = _LINE_EDGES.sub("\n", text)
    return text.strip()


# ------------------------------------------------------------------ numbering
_CN_NUM = "一二三四五六七八九十百零〇两"
_HEADINGS = [
    ("part", re.compile(rf"^第([{_CN_NUM}\d]+)(?:部分|章|篇)\s*")),
    ("art", re.compile(rf"^第([{_CN_NUM}\d]+)条\s*")),
    ("cn", re.compile(rf"^([{_CN_NUM}]{{1,4}})\s*[、．.]\s*")),
    ("pcn", re.compile(rf"^[（(]\s*([{_CN_NUM}]{{1,4}})\s*[）)]\s*[、．.]?\s*")),
    ("num", re.compile(r"^(\d{1,3})\s*(?:[、．.](?!\d)|[．.](?=(?:19|20)\d\d(?!\d))|、)\s*")),
    ("pnum", re.compile(r"^[（(]\s*(\d{1,3})\s*[）)]\s*[、．.]?\s*")),
    ("circ", re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*")),
    ("numparen", re.compile(r"^(\d{1,3})\s*[）)]\s*")),
]
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class Heading:
    """A numbering mark at the start of a line: its style, number and the text after it."""

    style: str
    number: int
    rest: str
    mark: str


def heading_of(line: str) -> Heading | None:
    """Return the numbering mark a line starts with ("一、", "（二）", "3.", "（4）", "⑤"), if any."""
    for style, pattern in _HEADINGS:
        m = pattern.match(line)
        if not m:
            continue
        raw = m.group(1)
        number = _CIRCLED.index(raw) + 1 if style == "circ" else chinese_number(raw)
        if not number:
            continue
        rest = line[m.end() :]
        if style == "num" and re.match(r"^\d", rest) and not re.match(r"^(?:19|20)\d\d", rest):
            continue
        return Heading(style, number, rest, line[: m.end()])
    return None


def strip_numbering(text: str) -> str:
    """Remove a leading numbering mark ("（一）强化…" → "强化…")."""
    text = (text or "").strip()
    head = heading_of(text)
    return head.rest.strip() if head else text


_GLUE_BEFORE = "。；;）)!！?？"


def split_glued(line: str, expected: dict[str, int]) -> list[str]:
    """Split "…负责）5.推进…" into two lines when 5 is the next number of its style.

    Args:
        line: one line of text.
        expected: the next number expected for each numbering style (updated by the caller).
    """
    pieces = []
    start = 0
    pos = 1
    opening = heading_of(line)
    if opening:
        expected[opening.style] = opening.number + 1
    while pos < len(line):
        if line[pos - 1] in _GLUE_BEFORE:
            head = heading_of(line[pos:])
            if head and head.style in ("num", "pcn", "cn", "pnum") and expected.get(head.style) == head.number:
                pieces.append(line[start:pos])
                start = pos
                expected[head.style] = head.number + 1
        pos += 1
    pieces.append(line[start:])
    return [p for p in (piece.strip() for piece in pieces) if p]


def split_items(cell: str) -> list[str]:
    r"""Split a cell holding numbered lines ("1.…\n2.…") into items, numbers removed.

    Lines without a number continue the item above; a cell without any numbered line
    gives one item per non-empty line. Two items glued on one line are split when
    the second number is the next one.
    """
    text = tidy(cell)
    if not text:
        return []
    lines = [line for line in text.split("\n") if line.strip()]
    numbered = [heading_of(line) for line in lines]
    if not any(h and h.style in ("num", "pnum", "circ", "numparen", "pcn") for h in numbered):
        return [_join_spaces(line) for line in lines]
    items: list[str] = []
    expected: dict[str, int] = {}
    for line in lines:
        for piece in split_glued(line, expected):
            head = heading_of(piece)
            if head and head.style in ("num", "pnum", "circ", "numparen", "pcn"):
                expected[head.style] = head.number + 1
                items.append(head.rest.strip())
            elif items:
                items[-1] = _join(items[-1], piece)
            else:
                items.append(piece)
    return [item for item in items if item]


def _join_spaces(text: str) -> str:
    return text.strip()


def _join(left: str, right: str) -> str:
    """Join two pieces of one sentence broken by a line end (PDF/web copy)."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


_NESTING = "“「『" + _OPEN + "”」』" + _CLOSE
_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])|\n")


def sentences(text: str) -> list[str]:
    """Split text into sentences at 。！？；, ignoring marks inside quotes or brackets."""
    if not any(ch in text for ch in _NESTING):
        # Nothing nests: a plain split does the same as the walk below, much faster.
        return [p.strip() for p in _SENTENCE_END.split(text) if p.strip().strip("。；; ")]
    out, depth, current = [], 0, []
    for ch in text:
        current.append(ch)
        if ch in "“「『" + _OPEN:
            depth += 1
        elif ch in "”」』" + _CLOSE:
            depth = max(0, depth - 1)
        elif ch in "。！？；;!?\n" and depth == 0:
            piece = "".join(current).strip().rstrip("\n")
            if piece.strip("。；; "):
                out.append(piece)
            current = []
    piece = "".join(current).strip()
    if piece.strip("。；; "):
        out.append(piece)
    return out


def first_sentence(text: str, limit: int = 60) -> tuple[str, str]:
    """Return (heading sentence, rest) of a block: up to the first 。 or ：."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "“「" + _OPEN:
            depth += 1
        elif ch in "”」" + _CLOSE:
            depth = max(0, depth - 1)
        elif ch in "。：:；;\n" and depth == 0:
            if i <= limit:
                return text[:i].strip(), text[i + 1 :].strip()
            break
    return "", text.strip()


# --------------------------------------------------------------------- units
_UNIT_END = set("局委办部院会心司团组道镇乡处室队所站行馆厅社府联区署科台校盟关厂场位长协村")
_SPLITTERS = "、，,；;/／\n"
_LEVEL_PREFIX = set("市县区省各乡镇团中国人")
_LEAD_NOTE = re.compile(r"[（(]\s*(?:牵头|牵头单位|主责)\s*[)）]$")
_UNIT_TAIL = re.compile(
    r"(?:等(?:[省市县区]直?|市级|县级|区级|省级)?(?:有关|相关|其他)?(?:部门|单位|部门和单位|单位和部门|部门单位)?"
    r"|(?:按|根据)(?:各自)?职责(?:分工)?(?:负责|落实)?|分别负责|负责落实|具体负责|负责|牵头|配合)$"
)
#: Words a fan-out ("各乡镇（街道）", "各区、县级市", "各县（市、区）") is made of, after 各.
_AREA_WORDS = (
    "乡镇街道|乡镇|镇街|街镇|镇|乡|街道|街办|社区|村|县市区|县区|区县|县级市|市县|市州|地市|省区市|省级|"
    "地级以上市|地级市|设区的市|设区市|省|自治区|直辖市|州|盟|旗|区|县|市|开发区|园区|功能区|新区|管理区|片区|镇区"
)
_FANOUT_CORE = re.compile(rf"^(?:{_AREA_WORDS})+$")
_FANOUT_SUFFIX = re.compile(r"(?:人民政府|政府|党委和政府|党委政府|管委会|办事处|党工委|管理委员会)$")
#: A fan-out written with 、 inside ("各区、县级市", "各省、自治区、直辖市") is one name.
_FANOUT_LIST = re.compile(rf"各(?:{_AREA_WORDS})(?:[、，,](?:{_AREA_WORDS}))+(?:{_FANOUT_SUFFIX.pattern[3:-2]})?")
_PROTECT = "\ue000"


def is_fanout_name(name: str) -> bool:
    """True for "各乡镇（街道）", "各区、县级市", "各县（市、区）", "各省级人民政府": every unit of that kind."""
    name = (name or "").strip()
    if not name.startswith("各"):
        return False
    core = re.sub(r"[（()）、，,\s" + _PROTECT + "]", "", name[1:])
    core = _FANOUT_SUFFIX.sub("", core)
    return bool(core) and bool(_FANOUT_CORE.match(core))


def _split_depth0(text: str, separators: str) -> list[tuple[str, str]]:
    """Split at separators outside brackets; return (piece, separator-before-it) pairs."""
    out, depth, current, sep = [], 0, [], ""
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            out.append(("".join(current), sep))
            current, sep = [], ch
            continue
        current.append(ch)
    out.append(("".join(current), sep))
    return out


def split_unit_names(text: str) -> list[tuple[str, bool]]:
    r"""Split a unit list into (name, marked_as_lead) pairs.

    Separators are 、 ， , ； ; / and line breaks (spaces too, between whole names). A
    name broken over two lines ("市自然资源\n和规划局") is joined again. ``*`` before a
    name or "（牵头）" after it marks the lead. A fan-out written with 、 ("各区、县级市")
    stays one name, and "X等和各省级人民政府" gives X and the fan-out.
    """
    text = tidy(text, join_cjk=False).replace("＊", "*")
    text = _FANOUT_LIST.sub(lambda m: re.sub(r"[、，,]", _PROTECT, m.group(0)), text)
    # "全国总工会等和各省级人民政府", "X及各乡镇": the 和/及 before a fan-out separates two names.
    text = re.sub(r"(?:等)?(?:和|及|以及|与)(?=各)", "、", text)
    text = re.sub(r"等(?=[、，,；;])", "", text)
    raw_pieces: list[tuple[str, str]] = []
    for piece, sep in _split_depth0(text, _SPLITTERS):
        # Spaces separate names only where both sides look like whole names.
        sub = _split_depth0(piece.strip(), " ")
        for j, (part, _sub_sep) in enumerate(sub):
            raw_pieces.append((part.strip(), sep if j == 0 else " "))
    merged: list[str] = []
    for piece, sep in raw_pieces:
        if not piece:
            continue
        if (
            merged
            and sep in ("\n", " ")
            and not _looks_complete(merged[-1])
            and _looks_complete(merged[-1] + piece)
            and not (_looks_complete(piece) and piece.lstrip("*＊")[:1] in _LEVEL_PREFIX)
        ):
            merged[-1] = merged[-1] + piece
            continue
        merged.append(piece)
    out = []
    for piece in merged:
        piece = piece.replace(_PROTECT, "、")
        lead = piece.startswith("*") or piece.endswith("*") or bool(_LEAD_NOTE.search(piece))
        name = _LEAD_NOTE.sub("", piece.strip("*＊ "))
        name = re.sub(r"^(?:由|请|并由|各自由)", "", name)
        for _ in range(3):
            name = _UNIT_TAIL.sub("", name).strip()
        name = clean_unit_name(name)
        if name and re.search(f"[{_CJK}]", name):
            out.append((name, lead))
    return out


def _looks_complete(name: str) -> bool:
    name = name.strip("*＊ ")
    if not name:
        return False
    if name[-1] in "）)〉":
        return True
    return name[-1] in _UNIT_END or name.endswith(("管委会", "办事处", "中心", "集团", "公司"))


def units_from_list(text: str, *, first_is_lead: bool = True, role: str = ROLE_RESPONSIBLE) -> list[DraftUnit]:
    """Turn a unit list into draft units; the ``*``-marked (else the first) unit leads."""
    pairs = split_unit_names(text)
    units = [_draft_unit(name, role) for name, _lead in pairs]
    marked = [i for i, (_name, lead) in enumerate(pairs) if lead]
    if marked:
        units[marked[0]].role = ROLE_LEAD
    elif first_is_lead and role == ROLE_RESPONSIBLE:
        first = next((u for u in units if not u.collective and not u.all_townships), None)
        if first is not None:
            first.role = ROLE_LEAD
    return _dedupe_units(units)


_COLLECTIVE = re.compile(
    r"^(?:(?:[市县区省]直?|市级|县级|区级|省级)?各?(?:级)?各?(?:其他|其它|成员)?(?:部门|单位|成员单位|职能部门|部门和单位)"
    r"|(?:[市县区省]直?|市级|县级|区级|省级|国务院)?各?(?:有关|相关)[\u4e00-\u9fff]{0,8}"
    r"|[\u4e00-\u9fff]{0,16}成员单位"
    r"|各[\u4e00-\u9fff]{1,8})$"
)


def is_collective_name(name: str) -> bool:
    """True for a collective such as 县直有关部门, 各相关单位 or 各商业银行: no one unit to assign.

    A fan-out (各乡镇（街道）, 各县（市、区）) is not collective here: it means every unit of
    that kind and is expanded.
    """
    if is_fanout_name(name):
        return False
    name = re.sub(r"[（(][^（）()]*[)）]", "", name.strip())
    if re.match(r"^(?:[市县区省]直|市级|县级|区级|省级)?各(?!乡|镇|街|县|区|市|省)", name) and not is_fanout_name(name):
        return True  # 市直各窗口单位, 各成员单位
    return bool(_COLLECTIVE.match(name))


def _draft_unit(name: str, role: str) -> DraftUnit:
    if is_collective_name(name):
        # Kept in the draft, left out of the ledger until a person names the real units.
        return DraftUnit(name=name, role=role, skip=True, collective=True)
    return DraftUnit(name=name, role=role, all_townships=is_fanout_name(name))


def _dedupe_units(units: list[DraftUnit]) -> list[DraftUnit]:
    """Keep each unit once, with its strongest role (牵头 over 责任 over 配合)."""
    order = {ROLE_LEAD: 0, ROLE_RESPONSIBLE: 1, ROLE_SUPPORT: 2}
    seen: dict[str, DraftUnit] = {}
    for unit in units:
        key = re.sub(r"\s", "", unit.name)
        if key in seen:
            if order[unit.role] < order[seen[key].role]:
                seen[key].role = unit.role
            continue
        seen[key] = unit
    return list(seen.values())


#: Labels that introduce units, a leader or a deadline ("牵头单位：", "完成时限：").
_LABEL_ROLE = {
    "牵头责任单位": ROLE_LEAD,
    "牵头单位": ROLE_LEAD,
    "牵头部门": ROLE_LEAD,
    "主办单位": ROLE_LEAD,
    "主责单位": ROLE_LEAD,
    "主责部门": ROLE_LEAD,
    "牵头": ROLE_LEAD,
    "责任单位": ROLE_RESPONSIBLE,
    "责任部门": ROLE_RESPONSIBLE,
    "实施单位": ROLE_RESPONSIBLE,
    "承办单位": ROLE_RESPONSIBLE,
    "责任主体": ROLE_RESPONSIBLE,
    "落实单位": ROLE_RESPONSIBLE,
    "配合单位": ROLE_SUPPORT,
    "配合部门": ROLE_SUPPORT,
    "协办单位": ROLE_SUPPORT,
    "协同单位": ROLE_SUPPORT,
    "参与单位": ROLE_SUPPORT,
    "协助单位": ROLE_SUPPORT,
    "支持单位": ROLE_SUPPORT,
    "配合": ROLE_SUPPORT,
}
_LEADER_LABELS = ("责任领导", "分管领导", "牵头领导", "联系领导", "包抓领导", "责任县领导", "分管县领导", "分管市领导")
_DEADLINE_LABELS = ("完成时限", "完成时间", "时间节点", "时限要求", "完成期限", "时间要求", "时限", "进度安排")
_ALL_LABELS = sorted(list(_LABEL_ROLE) + list(_LEADER_LABELS) + list(_DEADLINE_LABELS), key=len, reverse=True)
_LABEL = re.compile(r"(" + "|".join(_ALL_LABELS) + r")\s*[:：]")
#: A label at the start of a line or after a sentence end: a clause that needs no bracket.
LABEL_LINE = re.compile(
    r"(?:^|(?<=[\n。；;]))[ \t]*(?:[【\[［〔]\s*)?(?:" + "|".join(_ALL_LABELS) + r")\s*(?:[】\]］〕]\s*[:：]?|[:：])"
)
_BRACKET_LABEL = re.compile(r"[【\[［〔]\s*(" + "|".join(_ALL_LABELS) + r")\s*[】\]］〕]\s*[:：]?")
#: The convention stated in a clause ("列第一位者为牵头单位，下同"): not a unit.
_CONVENTION = re.compile(
    r"(?:[，,；;]\s*)?(?:(?:单位|部门)?(?:列|排|排在|位列)(?:在)?(?:第一|首)位(?:的|者)?(?:单位|部门)?"
    r"(?:为|是)(?:牵头|主责|汇总)(?:单位|部门)(?:或汇总单位)?|下同|以下同|后同)"
)
_CONVENTION_NOTE = re.compile(
    r"[（(〔【][^（）()〔〕【】]*?(?:下同|第一位|汇总单位|不再做分工|不再分工|即为牵头)[^（）()〔〕【】]*?[）)〕】]"
)
_STATED_CONVENTION = re.compile(
    r"(?:列|排|排在|位列)(?:在)?(?:第一|首)位(?:的|者)?(?:责任)?(?:单位|部门)?(?:为|是)牵头"
)
_SUPPORT_VERB = re.compile(r"(?:共同|积极|协同)?(?:配合|参与|协同|协助|协办|支持|指导|督导|协调)(?:落实|推进|实施)?$")
_RESP_VERB = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位|部门和单位)?)?(?:(?:按|根据)(?:各自)?职责(?:分工)?)?"
    r"(?:分别|具体|共同|负责)?(?:负责|落实|实施|推进|组织实施)(?:落实)?$"
)
_LEAD_VERB = re.compile(r"(?:分别|共同)?牵头(?:负责|抓总|落实|推进)?$")
_ONGOING_WORDS = re.compile(r"^(?:长期坚持|长期实施|长期推进|持续推进|持续实施|常态化推进|长期|持续开展|常态化)$")


@dataclass
class Clause:
    """A unit clause found in a text: where it is, and the units, deadlines and leader it names.

    Attributes:
        start: where the clause starts in the text (its bracket or its first label).
        end: where it ends.
        units: the units, the lead first marked 牵头.
        deadlines: deadline phrases written inside the clause ("6月底前完成").
        leader: a 责任领导/分管领导 named in it.
        text: the clause as written, for the review.
        ongoing: the clause says the work is ongoing ("长期坚持").
    """

    start: int
    end: int
    units: list[DraftUnit]
    deadlines: list[str]
    leader: str | None
    text: str
    ongoing: bool = False


def read_clause(content: str) -> tuple[list[DraftUnit], list[str], str | None, bool, bool] | None:
    """Read units, deadlines and a leader out of a clause, or return None if it names no unit.

    Understood forms: labels (``牵头单位：X，责任单位：Y、Z；完成时限：6月底前``), verbs
    (``X牵头，Y配合``, ``X、Y牵头负责``, ``X会同有关部门负责``, ``由X负责落实``,
    ``X、Y等部门按职责分工负责``), plain unit lists, and conventions stated inside
    ("列第一位者为牵头单位，下同"), which are not units. Without a lead, the first unit leads.

    Returns:
        (units, deadline phrases, leader, ongoing, strong) where strong says a label or a
        verb was seen (a bare list of names is weak: it counts only at the end of a task).
    """
    text = tidy(content, keep_newlines=True).strip().rstrip("。；;，,")
    text = _BRACKET_LABEL.sub(lambda m: m.group(1) + "：", text)
    # A note in brackets stating the convention ("除标注…外，列第一位为牵头或汇总单位，下同").
    text = _CONVENTION_NOTE.sub("", text)
    text = _CONVENTION.sub("", text).strip("，,；; \n")
    text = _cut_explanation(text)
    if not text or len(text) > 400:
        return None
    units: list[DraftUnit] = []
    deadlines: list[str] = []
    leader: str | None = None
    ongoing = False
    strong = False
    labels = list(_LABEL.finditer(text))
    pieces: list[tuple[str | None, str]] = []
    if labels:
        head = text[: labels[0].start()].strip("，,；;\n ")
        if head:
            pieces.append((None, head))
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
            pieces.append((m.group(1), text[m.end() : end].strip().strip("，,；;。\n ")))
        strong = True
    else:
        pieces.append((None, text))
    for label, value in pieces:
        if label in _LEADER_LABELS:
            leader = tidy(value, keep_newlines=False) or leader
            continue
        if label in _DEADLINE_LABELS:
            phrase = re.sub(r"\s", "", value)
            if _ONGOING_WORDS.match(phrase):
                ongoing = True
            elif phrase:
                found = find_deadlines(phrase)
                deadlines.extend(p for p, _s in found) if found else deadlines.append(phrase)
            continue
        if label is not None:
            role = _LABEL_ROLE[label]
            segment_units, segment_deadlines, segment_ongoing = _read_segments(value, role)
            if role == ROLE_LEAD:
                for unit in segment_units:
                    if unit.role == ROLE_RESPONSIBLE:
                        unit.role = ROLE_LEAD
            units.extend(segment_units)
            deadlines.extend(segment_deadlines)
            ongoing = ongoing or segment_ongoing
            continue
        segment_units, segment_deadlines, segment_ongoing, verb = _read_verbs(value)
        if segment_units is None:
            if strong:
                continue
            return None
        strong = strong or verb
        units.extend(segment_units)
        deadlines.extend(segment_deadlines)
        ongoing = ongoing or segment_ongoing
    if not units or any(len(u.name) > 30 for u in units):
        return None
    if not any(u.role == ROLE_LEAD for u in units):
        first = next(
            (u for u in units if u.role == ROLE_RESPONSIBLE and not u.collective and not u.all_townships), None
        ) or next((u for u in units if u.role == ROLE_RESPONSIBLE and not u.collective), None)
        if first:
            first.role = ROLE_LEAD
    return _dedupe_units(units), deadlines, leader, ongoing, strong


def _cut_explanation(text: str) -> str:
    """Drop the sentences after the first full stop of a clause unless they carry a label.

    "…按职责分工负责。具体任务均涉及相关市（州）人民政府，不再做分工，下同。" keeps its first sentence.
    """
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == "。" and depth == 0:
            rest = text[i + 1 :]
            if _LABEL.search(rest):
                return text[:i] + "；" + _cut_explanation(rest)
            return text[:i]
    return text


def _read_segments(value: str, role: str) -> tuple[list[DraftUnit], list[str], bool]:
    """A labelled value: unit names, perhaps with a deadline after a comma."""
    units: list[DraftUnit] = []
    deadlines: list[str] = []
    ongoing = False
    names: list[str] = []
    leads: list[str] = []
    for piece, _sep in _split_depth0(value, "，,；;\n"):
        piece = piece.strip()
        if not piece:
            continue
        kind, found = _deadline_piece(piece)
        if kind == "ongoing":
            ongoing = True
        elif kind == "deadline":
            deadlines.extend(found)
        elif _LEAD_VERB.search(piece):
            leads.append(_LEAD_VERB.sub("", piece))  # "X、Y分别牵头" under 责任单位：
        else:
            names.append(_RESP_VERB.sub("", piece) or piece)
    if leads:
        units = units_from_list("、".join(leads), first_is_lead=False, role=role)
        for unit in units:
            if not unit.collective:
                unit.role = ROLE_LEAD
    if names:
        units += units_from_list("、".join(names), first_is_lead=False, role=role)
    return units, deadlines, ongoing


def _deadline_piece(piece: str) -> tuple[str | None, list[str]]:
    """Classify a comma piece of a clause: ("ongoing"|"deadline"|None, phrases)."""
    compact = re.sub(r"\s", "", piece)
    if _ONGOING_WORDS.match(compact):
        return "ongoing", []
    found = find_deadlines(compact)
    if found:
        covered = sum(len(p) for p, _s in found)
        rest = re.sub(r"(?:完成|前|以前|之前|内|落实到位|到位|见效)", "", compact)
        if covered >= len(rest) * 0.5 or not _looks_complete(compact):
            return "deadline", [p for p, _s in found]
    return None, []


def _read_verbs(text: str) -> tuple[list[DraftUnit] | None, list[str], bool, bool]:
    """Read "X牵头，Y配合", "X会同Y负责", "由X负责落实" or a plain list; None if it is not one.

    Returns (units, deadlines, ongoing, a verb was seen).
    """
    units: list[DraftUnit] = []
    deadlines: list[str] = []
    ongoing = False
    saw_verb = False
    for piece, _sep in _split_depth0(text, "，,；;\n"):
        piece = piece.strip().strip("。")
        if not piece:
            continue
        kind, found = _deadline_piece(piece)
        if kind == "ongoing":
            ongoing = True
            continue
        if kind == "deadline":
            deadlines.extend(found)
            continue
        piece = re.sub(r"^(?:并|均|其中|另|同时)?(?:由|请)", "", piece)
        role = ROLE_RESPONSIBLE
        lead_names = None
        if "会同" in piece:
            first, _, rest = piece.partition("会同")
            lead_names = units_from_list(_RESP_VERB.sub("", first), first_is_lead=False)
            for unit in lead_names:
                unit.role = ROLE_LEAD
            piece = rest
            saw_verb = True
        if _LEAD_VERB.search(piece):
            role = ROLE_LEAD
            piece = _LEAD_VERB.sub("", piece)
            saw_verb = True
        elif _SUPPORT_VERB.search(piece):
            role = ROLE_SUPPORT
            piece = _SUPPORT_VERB.sub("", piece)
            saw_verb = True
        elif _RESP_VERB.search(piece):
            piece = _RESP_VERB.sub("", piece)
            saw_verb = True
        found_units = units_from_list(piece, first_is_lead=False, role=ROLE_RESPONSIBLE) if piece else []
        if role == ROLE_LEAD:
            for unit in found_units:
                if not unit.collective:
                    unit.role = ROLE_LEAD
        elif role == ROLE_SUPPORT:
            for unit in found_units:
                unit.role = ROLE_SUPPORT
        if lead_names is not None:
            found_units = lead_names + found_units
        if not found_units:
            if saw_verb and lead_names is not None:
                continue
            if units or deadlines:
                continue
            return None, [], False, False
        if not saw_verb and not all(_looks_complete(u.name) or u.collective or u.all_townships for u in found_units):
            # A sentence in brackets, not a list of units ("含2个试点", "以下简称…").
            if units:
                continue
            return None, [], False, False
        units.extend(found_units)
    if not units:
        return None, [], False, False
    return units, deadlines, ongoing, saw_verb


def parse_unit_clause(content: str) -> list[DraftUnit] | None:
    """Read the units out of a clause, or return None if it is not a unit clause (see :func:`read_clause`)."""
    read = read_clause(content)
    return read[0] if read else None


_CLAUSE_OPEN, _CLAUSE_CLOSE = "（(〔【[［", "）)〕】]］"


def find_clauses(text: str) -> list[Clause]:
    """Return every unit clause in the text (see :func:`_find_clauses`); each call gets its own copies."""
    if not any(ch in text for ch in _CLAUSE_OPEN) and "：" not in text and ":" not in text:
        return []
    return [
        Clause(c.start, c.end, [_copy_unit(u) for u in c.units], list(c.deadlines), c.leader, c.text, c.ongoing)
        for c in _find_clauses_cached(text)
    ]


def _copy_unit(unit: DraftUnit) -> DraftUnit:
    return replace(
        unit,
        proposals=list(unit.proposals),
        township_names=list(unit.township_names),
        similar_new=list(unit.similar_new),
    )


@lru_cache(maxsize=4096)
def _find_clauses_cached(text: str) -> tuple[Clause, ...]:
    # A key work's text is searched several times while it is read (its own clauses, its
    # parent's, the measures with clauses removed); the result is the same each time.
    return tuple(_find_clauses(text))


def _find_clauses(text: str) -> list[Clause]:
    """Return every unit clause in the text: top-level brackets that name units, and label lines.

    A label line ("牵头单位：…" at the start of a line or after a sentence end) runs to the
    end of the text when every later line is a label line too (the layout of a task with
    its 牵头单位/责任单位/完成时限 lines under it), else to the end of its line. Brackets
    inside a label run belong to the names there (各乡镇（街道）).
    """
    spans: list[tuple[int, int]] = []
    depth, start = 0, None
    for i, ch in enumerate(text):
        if ch in _CLAUSE_OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch in _CLAUSE_CLOSE and depth:
            depth -= 1
            if depth == 0 and start is not None:
                spans.append((start, i + 1))
                start = None
    found: list[Clause] = []
    runs: list[tuple[int, int]] = []
    for m in LABEL_LINE.finditer(text):
        if any(s < m.start() < e for s, e in runs) or any(s <= m.start() < e and e > m.end() for s, e in spans):
            continue  # a label inside a bracket clause is read with that clause
        begin = m.start() + (len(m.group(0)) - len(m.group(0).lstrip(" \t")))
        end = _label_run_end(text, begin)
        read = read_clause(text[begin:end])
        if read:
            found.append(Clause(begin, end, read[0], read[1], read[2], text[begin:end], read[3]))
            runs.append((begin, end))
    for begin, end in spans:
        if any(s <= begin < e for s, e in runs):
            continue
        if _BRACKET_LABEL.fullmatch(text[begin:end] + "："):
            continue
        read = read_clause(text[begin + 1 : end - 1])
        if read and not read[4] and not _trailing(text, end):
            read = None  # "由市委办公室（市考绩办）会同…": a name's note, not a clause
        if read:
            found.append(Clause(begin, end, read[0], read[1], read[2], text[begin:end], read[3]))
    found.sort(key=lambda c: c.start)
    return found


def _trailing(text: str, end: int) -> bool:
    """True when only punctuation follows ``end`` up to the line end."""
    line_end = text.find("\n", end)
    rest = text[end : line_end if line_end >= 0 else len(text)]
    return not rest.strip(" 。；;，,.")


def _label_run_end(text: str, begin: int) -> int:
    """Where a run of label lines starting at ``begin`` ends."""
    pos = begin
    while True:
        newline = text.find("\n", pos)
        if newline < 0:
            return len(text)
        line_end = newline
        nxt = text[newline + 1 :]
        if nxt.strip() and not LABEL_LINE.match(nxt):
            # Inline label in a sentence: stop at the sentence end inside this line if any.
            return line_end
        pos = newline + 1


def find_unit_clauses(text: str) -> list[tuple[int, int, list[DraftUnit]]]:
    """Return (start, end, units) of every unit clause (see :func:`find_clauses`)."""
    return [(c.start, c.end, c.units) for c in find_clauses(text)]


def states_first_is_lead(text: str) -> bool:
    """True when the text states the convention "列第一位者为牵头单位"."""
    return bool(_STATED_CONVENTION.search(text or ""))


# ----------------------------------------------------------------- deadlines
_N = r"[0-9一二三四五六七八九十]{1,3}"
_Y = r"(?:19|20)\d{2}\s*年?\s*"
_PRE = r"(?:(?:到|至|于|在|截至|截止)\s*)?"
_BEFORE = r"(?:\s*(?:前|以前|之前))?"
_DEADLINE = re.compile(
    "|".join(
        [
            rf"{_PRE}(?:{_Y})?{_N}\s*月\s*(?:份\s*)?(?:(?:底|末|上旬|中旬|下旬|\d{{1,2}}\s*日){_BEFORE}|前|以前|之前)",
            rf"{_PRE}(?:(?:19|20)\d{{2}}\s*年?\s*)?年\s*(?:底|末){_BEFORE}",
            rf"{_PRE}(?:{_Y})?(?:上半年|下半年)\s*(?:前|末|底)",
            rf"到\s*(?:{_Y})?(?:上半年|下半年)",
            rf"(?:{_Y})?(?:上半年|下半年)\s*(?:内|完成|(?=(?:全面|基本|正式)?(?:建成|投入|投用|实现|上线|出台|印发|启动|运行|开工|竣工|交付|开放)))",
            rf"{_PRE}(?:{_Y})?第?[一二三四1-4]\s*季度\s*(?:末|底|前)",
            r"(?:到|至|截至|截止)\s*(?:19|20)\d{2}\s*年(?![度份])",
            r"(?:19|20)\d{2}\s*年\s*(?:前|以前|之前)",
            r"年内",
            # "2026年12月", "到2025年9月": a month with its year is a deadline wherever it stands.
            rf"{_PRE}(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月(?![\d份底末上中下])",
            # "9月投入使用", "10月完成": a month right before the verb that completes the work.
            rf"{_PRE}{_N}\s*月(?:份)?(?=(?:全面|基本|正式|如期|前)?(?:完成|建成|投入|投用|实现|开工|竣工|上线|出台|印发|启动|开展|召开|举办|落实|交付|运行|通车|开放|开业|验收))",
            rf"{_PRE}(?:{_Y})?第?[一二三四1-4]\s*季度(?=内|完成)",
        ]
    )
)


_DEADLINE_HINT = re.compile(r"[月年季]")


def find_deadlines(text: str) -> list[tuple[str, str]]:
    """Return (phrase, sentence) for each deadline written in the text ("6 月底前，…").

    A date that opens a span ("自2023年1月1日至…") is a start, not a deadline, and is skipped.
    """
    out: list[tuple[str, str]] = []
    seen = set()
    if not _DEADLINE_HINT.search(text or ""):
        return out
    for sentence in sentences(tidy(text)):
        for m in _DEADLINE.finditer(sentence):
            before = sentence[max(0, m.start() - 1) : m.start()]
            after = sentence[m.end() : m.end() + 1]
            if before in ("自", "从") or after in ("至", "到", "-", "—", "－", "~", "～", "起"):
                continue
            if m.group(0)[:1] in "至到-" and re.search(r"(?:日|月)\s*$", sentence[: m.start()]):
                continue  # the end of a policy period ("1月1日至12月31日，对…补贴"), not a deadline
            # "至2027年底" means "到2027年底"; 至 alone reads as a span dash to parse_deadline.
            phrase = re.sub(r"^(?:至|截至|截止)", "到", re.sub(r"\s+", "", m.group(0)))
            if phrase in seen:
                continue
            seen.add(phrase)
            out.append((phrase, sentence.strip()))
    return out


# ---------------------------------------------------------------- indicators
_MEASURE_UNITS = (
    "个工作日|工作日|万人次|人次|场次|万千瓦|千瓦|平方公里|平方米|万美元|美元|亿元|万元|元|万户|户|万家|家|万个|个|"
    "万人|人|名|场|项|件|次|所|座|公里|万吨|吨|万亩|亩|倍|天|批|台|套|辆|条|份|篇|期|栋|例|笔|张|处|班|%|‰"
)
_VERBS = (
    "达到|达|超过|超|不低于|不少于|不少|不超过|不高于|低于|高于|保持在|控制在|提高到|提高至|提升到|提升至|"
    "增长|突破|压减|降至|降到|减少|至|为"
)
_INDICATOR = re.compile(
    rf"^(?P<name>.+?)(?P<verb>{_VERBS})?(?P<num>\d+(?:\.\d+)?)\s*(?P<mult>[千万亿]?)(?P<unit>{_MEASURE_UNITS})"
    r"\s*(?P<tail>以上|及以上|以下|以内|左右|)$"
)
_LEAD_NOISE = re.compile(
    rf"^(?:(?:力争|确保|争取|全力|到|至|截至|在)\s*)*(?:{_Y}(?:度|底|末|前|内)?\s*)?(?:(?:力争|确保|争取|全年|当年)\s*)*"
)


def find_indicators(text: str) -> list[DraftIndicator]:
    """Read number targets where they are unambiguous.

    A clause (between commas) must end in one number with a measure unit, optionally
    followed by 以上/以下/左右: "新增“个转企”480户", "问题化解率达95%以上",
    "诉前羁押率控制在35%以下". A clause with more numbers, or with words after the
    number, is left alone.
    """
    out: list[DraftIndicator] = []
    for sentence in sentences(tidy(text, keep_newlines=False)):
        body = strip_numbering(sentence)
        for clause in re.split(r"[，,；;。：:]", body):
            clause = clause.strip()
            if not clause or len(re.findall(r"\d+(?:\.\d+)?", clause)) - len(re.findall(_Y, clause)) != 1:
                continue
            core = _LEAD_NOISE.sub("", clause)
            for deadline in _DEADLINE.finditer(core):
                if deadline.start() == 0:
                    core = core[deadline.end() :].lstrip("，, ")
            m = _INDICATOR.match(core)
            if not m:
                continue
            name = m.group("name").strip("，,、 的")
            if len(name) < 2 or not re.search(f"[{_CJK}]", name) or re.search(r"\d", name[-1]):
                continue
            value = float(m.group("num"))
            unit = m.group("unit")
            mult = m.group("mult")
            if mult == "千":
                value *= 1000
            elif mult:
                unit = mult + unit
            verb, tail = m.group("verb") or "", m.group("tail")
            at_most = verb in ("不超过", "不高于", "低于", "控制在", "降至", "降到", "压减") or tail in ("以下", "以内")
            if verb == "压减" and tail == "以上":
                at_most = False
            out.append(
                DraftIndicator(
                    name=name, target=value, unit=unit, direction="at_most" if at_most else "at_least", phrase=clause
                )
            )
    return out
