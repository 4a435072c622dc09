"""Text rules shared by every task-list reader: numbering, unit lists, deadlines, number targets.

All functions are pure and work on one string, so that Excel cells, Word tables and
pasted policy text are read by the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.text import chinese_number
from db.units import clean_unit_name
from db.plan_draft import (
    ROLE_LEAD,
    ROLE_RESPONSIBLE,
    ROLE_SUPPORT,
    DraftIndicator,
    DraftUnit,
)

_CJK = r"\u3400-\u9fff"
_OPEN, _CLOSE = "（(〈《【[", "）)〉》】]"
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\ufeff]")


def tidy(text: str | None, *, keep_newlines: bool = True, join_cjk: bool = True) -> str:
    """Fold full-width digits/letters and odd spaces; drop spaces between Chinese characters.

    Chinese punctuation (（）：，、) is kept as written. Spaces between two Chinese
    characters are always copy-and-paste accidents ("两个健康” 发展先行区").
    """
    if text is None:
        return ""
    text = _ZERO_WIDTH.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A or ch in "．％＋－／＆＝":
            out.append(chr(code - 0xFEE0))
        elif ch in "\u3000\u00a0\t\u2002\u2003\u2009":
            out.append(" ")
        else:
            out.append(ch)
    text = "".join(out)
    text = re.sub(r" {2,}", " ", text)
    if join_cjk:
        text = re.sub(rf"(?<=[{_CJK}“”，。、：；（）]) (?=[{_CJK}“”，。、：；（）])", "", text)
    if not keep_newlines:
        text = text.replace("\n", "")
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


# ------------------------------------------------------------------ numbering
_CN_NUM = "一二三四五六七八九十百零〇两"
_HEADINGS = [
    ("part", re.compile(rf"^第([{_CN_NUM}\d]+)(?:部分|章|篇)\s*")),
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


def sentences(text: str) -> list[str]:
    """Split text into sentences at 。！？；, ignoring marks inside quotes or brackets."""
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
_UNIT_END = set("局委办部院会心司团组道镇乡处室队所站行馆厅社府联区署科台校盟关厂场位长")
_SPLITTERS = "、，,；;/／\n"
_LEVEL_PREFIX = set("市县区省各乡镇团中国人")
_TOWNSHIPS = re.compile(r"^各(?:乡镇|镇|乡|街道)")
_LEAD_NOTE = re.compile(r"[（(]\s*(?:牵头|牵头单位|主责)\s*[)）]$")
_UNIT_TAIL = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位)?|(?:按|根据)(?:各自)?职责(?:分工)?(?:负责|落实)?|分别负责|负责|牵头)$"
)


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
    name or "（牵头）" after it marks the lead.
    """
    text = tidy(text, join_cjk=False).replace("＊", "*")
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
        lead = piece.startswith("*") or piece.endswith("*") or bool(_LEAD_NOTE.search(piece))
        name = _LEAD_NOTE.sub("", piece.strip("*＊ "))
        name = re.sub(r"^(?:由|请)", "", name)
        for _ in range(2):
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
        first = next((u for u in units if not u.collective), None)
        if first is not None:
            first.role = ROLE_LEAD
    return _dedupe_units(units)


_COLLECTIVE = re.compile(
    r"^(?:(?:[市县区]直?|市级|县级|区级)?各?(?:其他|其它|成员)?(?:部门|单位|成员单位|职能部门)"
    r"|(?:[市县区]直?|市级|县级|区级)?各?(?:有关|相关)[\u4e00-\u9fff]{0,8}"
    r"|各[\u4e00-\u9fff]{1,8})$"
)


def is_collective_name(name: str) -> bool:
    """True for a collective such as 县直有关部门, 各相关单位 or 各商业银行: no one unit to assign.

    各乡镇（街道） is not collective here: it means every township unit and is expanded.
    """
    name = re.sub(r"[（(][^（）()]*[)）]$", "", name.strip())
    return not _TOWNSHIPS.match(name) and bool(_COLLECTIVE.match(name))


def _draft_unit(name: str, role: str) -> DraftUnit:
    if is_collective_name(name):
        # Kept in the draft, left out of the ledger until a person names the real units.
        return DraftUnit(name=name, role=role, skip=True, collective=True)
    return DraftUnit(name=name, role=role, all_townships=bool(_TOWNSHIPS.match(name)))


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


_LABEL = re.compile(
    r"(牵头单位|牵头部门|主办单位|主责单位|责任单位|责任部门|实施单位|配合单位|配合部门|协办单位|协同单位|参与单位)\s*[:：]"
)
_LABEL_ROLE = {
    "牵头": ROLE_LEAD,
    "主办": ROLE_LEAD,
    "主责": ROLE_LEAD,
    "责任": ROLE_RESPONSIBLE,
    "实施": ROLE_RESPONSIBLE,
    "配合": ROLE_SUPPORT,
    "协办": ROLE_SUPPORT,
    "协同": ROLE_SUPPORT,
    "参与": ROLE_SUPPORT,
}
_PLAIN_END = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位))?(?:(?:按|根据)(?:各自)?职责(?:分工)?)?(?:分别)?(?:负责|落实)$"
)


def parse_unit_clause(content: str) -> list[DraftUnit] | None:
    """Read the units out of a parenthesis, or return None if it is not a unit clause.

    Understood forms: ``牵头单位：X，责任单位：Y、Z``, ``责任单位：X、Y``, ``X、Y等部门按职责
    分工负责``, ``X负责``, ``X牵头，Y配合``. Without a 牵头 label the first unit leads.
    """
    text = tidy(content, keep_newlines=False).strip().rstrip("。；;，,")
    if not text or len(text) > 400:
        return None
    labels = list(_LABEL.finditer(text))
    units: list[DraftUnit] = []
    if labels and not text[: labels[0].start()].strip("，,；; "):
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
            role = _LABEL_ROLE[m.group(1)[:2]]
            segment = text[m.end() : end].strip().rstrip("，,；;。")
            units.extend(units_from_list(segment, first_is_lead=False, role=role))
        if not any(u.role == ROLE_LEAD for u in units):
            first = next((u for u in units if u.role == ROLE_RESPONSIBLE), None)
            if first:
                first.role = ROLE_LEAD
    elif "牵头" in text and re.search(r"牵头(?:[，,；;、]|$)", text):
        lead_part, rest = text.split("牵头", 1)
        leads = units_from_list(lead_part, first_is_lead=True)
        rest = rest.strip("，,；;、 ")
        support = re.search(r"(?:配合|参与|协同|协助)$", rest)
        rest = re.sub(r"(?:共同)?(?:配合|参与|协同|协助|负责)$", "", rest)
        others = units_from_list(rest, first_is_lead=False, role=ROLE_SUPPORT if support else ROLE_RESPONSIBLE)
        units = leads + others
    elif _PLAIN_END.search(text):
        units = units_from_list(_PLAIN_END.sub("", text), first_is_lead=True)
    else:
        return None
    if not units or any(len(u.name) > 30 for u in units):
        return None
    return _dedupe_units(units)


def find_unit_clauses(text: str) -> list[tuple[int, int, list[DraftUnit]]]:
    """Return (start, end, units) of every top-level parenthesis that names units."""
    found = []
    depth, start = 0, None
    for i, ch in enumerate(text):
        if ch in "（(":
            if depth == 0:
                start = i
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
            if depth == 0 and start is not None:
                units = parse_unit_clause(text[start + 1 : i])
                if units:
                    found.append((start, i + 1, units))
                start = None
    return found


# ----------------------------------------------------------------- deadlines
_N = r"[0-9一二三四五六七八九十]{1,3}"
_Y = r"(?:19|20)\d{2}\s*年?\s*"
_PRE = r"(?:(?:到|至|于|在|截至|截止)\s*)?"
_BEFORE = r"(?:\s*(?:前|以前|之前))?"
_DEADLINE = re.compile(
    "|".join(
        [
            rf"{_PRE}(?:{_Y})?{_N}\s*月\s*(?:份\s*)?(?:(?:底|末|上旬|中旬|下旬|\d{{1,2}}\s*日){_BEFORE}|前|以前|之前)",
            rf"{_PRE}(?:(?:19|20)\d{{2}}\s*)?年\s*(?:底|末){_BEFORE}",
            rf"{_PRE}(?:{_Y})?(?:上半年|下半年)\s*(?:前|末|底)",
            rf"到\s*(?:{_Y})?(?:上半年|下半年)",
            rf"(?:{_Y})?(?:上半年|下半年)\s*(?:内|完成)",
            rf"{_PRE}(?:{_Y})?第?[一二三四1-4]\s*季度\s*(?:末|底|前)",
            r"(?:到|至|截至|截止)\s*(?:19|20)\d{2}\s*年(?![度份])",
            r"(?:19|20)\d{2}\s*年\s*(?:前|以前|之前)",
            r"年内",
        ]
    )
)


def find_deadlines(text: str) -> list[tuple[str, str]]:
    """Return (phrase, sentence) for each deadline written in the text ("6 月底前，…").

    A date that opens a span ("自2023年1月1日至…") is a start, not a deadline, and is skipped.
    """
    out: list[tuple[str, str]] = []
    seen = set()
    for sentence in sentences(tidy(text)):
        for m in _DEADLINE.finditer(sentence):
            before = sentence[max(0, m.start() - 1) : m.start()]
            if before in ("自", "从"):
                continue
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
