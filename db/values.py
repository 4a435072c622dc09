"""The value rules: how a typed or read cell becomes a stored report value.

One parser for every way a value reaches the ledger: a returned Excel workbook
(:mod:`reports.exchange.returns` hands its cells here), the office's typed form
(:mod:`db.typed_reports`) and the township clerk's form. Each rule accepts what a clerk
writes (full-width digits, "五成", "50%", a trailing unit, 序时 for 序时推进) and refuses the
rest with :class:`ValueProblem`, whose message is one Chinese sentence naming the column.

An approximate value (约55, 55左右, 八成五, 约21家) is read as its number; :func:`approximate_note`
says so, and the import stores that note as a 待核实 warning on the report (:mod:`db.plausibility`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.status import REPORTABLE_STATUSES
from db.text import chinese_number, clean_text, remove_spaces, to_halfwidth

#: Excel's limit for one cell; longer text is refused rather than cut.
MAX_CELL_CHARS = 32767

#: What clerks write for each reportable status (after full-width and spaces are folded).
#: The documented synonym table: a word not listed here is refused, naming the four statuses
#: and these words, so that a clerk's "推进中" is never guessed into a status.
STATUS_SYNONYMS = {
    # 已完成
    "已完成": "已完成",
    "完成": "已完成",
    "已经完成": "已完成",
    "全部完成": "已完成",
    "已办结": "已完成",
    "办结": "已完成",
    "已完结": "已完成",
    # 序时推进
    "序时推进": "序时推进",
    "序时": "序时推进",
    "按序时推进": "序时推进",
    "正常推进": "序时推进",
    "正常": "序时推进",
    "进度正常": "序时推进",
    "按计划推进": "序时推进",
    "按计划": "序时推进",
    "按期推进": "序时推进",
    # 进度滞后
    "进度滞后": "进度滞后",
    "滞后": "进度滞后",
    "滞后推进": "进度滞后",
    "进度落后": "进度滞后",
    "落后": "进度滞后",
    # 未启动
    "未启动": "未启动",
    "未开始": "未启动",
    "尚未启动": "未启动",
    "尚未开始": "未启动",
}
#: Measure units of counts: an indicator in one of these cannot be negative.
COUNT_UNITS = frozenset("个 户 项 家 人 人次 次 件 座 所 名 只 台 套 处 宗 份 批 场 张".split())
#: Largest indicator value accepted: no county indicator reaches a trillion, and a cell holding
#: 1e308 is a slip (or a formula gone wrong), not a figure.
MAX_INDICATOR_VALUE = 1e12
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_CHENG = re.compile(r"^([零〇一二两三四五六七八九十\d]+)成(半|[一二三四五六七八九\d])?$")
#: Words around a number that make it approximate: 约55, 大约55, 55左右, 55上下, 近55, 55余.
_APPROX_PREFIX = ("大约", "约为", "约", "近", "接近")
_APPROX_SUFFIX = ("左右", "上下", "余", "多")
#: A number format's quoted literals ("%") and escaped characters (\%) are shown, not applied.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


class ValueProblem(ValueError):
    """A cell value that cannot be accepted; the message is Chinese and names the column."""


@dataclass
class Cell:
    """A value as a workbook cell holds it (.xlsx or .xls), or as a clerk typed it into a form."""

    value: Any = None
    number_format: str | None = None
    formula: bool = False
    column: int = -1

    @property
    def blank(self) -> bool:
        """Whether the cell holds nothing (or only white space)."""
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


def number_text(value: float | int) -> str:
    """Return a number as a clerk would write it: 12.0 as "12", 12.5 as "12.5"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def is_percent_format(number_format: str | None) -> bool:
    r"""Whether a cell's number format shows the value times 100 (``0%``, ``0.0%``).

    A percent sign in quotes (``0"%"``, ``0"％"``) or escaped (``0\\%``) is only text after
    the number: the cell holds what was typed, so 1 is 1, not 100.
    """
    if not number_format:
        return False
    return "%" in _FORMAT_LITERALS.sub("", number_format)


def _strip_approximate(text: str) -> tuple[str, bool]:
    """Return the text without 约/左右 words, and whether there were any."""
    found = False
    for prefix in _APPROX_PREFIX:
        if text.startswith(prefix) and len(text) > len(prefix):
            text, found = text[len(prefix) :], True
            break
    for suffix in _APPROX_SUFFIX:
        if text.endswith(suffix) and len(text) > len(suffix):
            text, found = text[: -len(suffix)], True
            break
    return text, found


def approximate_note(cell: Cell, column: str) -> str | None:
    """Return a warning when a read value was approximate (约55, 55左右, 八成五), else None.

    The value itself is read by the ``normalise_*`` rule; this only says that the office
    should check it (约 warning), so that an approximate figure is never taken silently.
    """
    if cell.blank or not isinstance(cell.value, str):
        return None
    text = remove_spaces(to_halfwidth(cell.value))
    _rest, approximate = _strip_approximate(text.replace("百分之", "").rstrip("%"))
    if not approximate and not re.search(r"成[一二三四五六七八九\d]$", text):
        return None
    return f"“{column}”填的是约数“{cell.value}”，已按近似值读入，请核实"


def normalise_text(cell: Cell, column: str) -> str | None:
    """Return a text field: trimmed, LF line ends, numbers as typed; None when blank.

    Raises:
        ValueProblem: longer than Excel's 32,767-character cell limit.
    """
    value = cell.value
    if value is None:
        return None
    if isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, (int, float)):
        text = number_text(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    else:
        text = str(value)
    # Control characters (a vertical tab pasted from Word, a form feed from pdftotext) and bidi
    # overrides are removed on the way in (db.text.clean_text); the import says so per row.
    text = clean_text(text).strip()
    if not text:
        return None
    if len(text) > MAX_CELL_CHARS:
        raise ValueProblem(
            f"“{column}”有 {len(text):,} 字，超过 Excel 单元格上限 {MAX_CELL_CHARS:,} 字，请精简后重新报送"
        )
    return text


def normalise_percent(cell: Cell, column: str = "完成进度(%)") -> float | None:
    """Return 完成进度 as 0–100, accepting 50, "50", "５０", "50%", "50％", "五成", 0.5 in a % cell.

    Raises:
        ValueProblem: not a number, or outside 0–100.
    """
    value = cell.value
    if cell.blank:
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"“{column}”应为 0–100 的数字，收到的是“{value}”")
    if isinstance(value, (int, float)):
        number = float(value)
        if is_percent_format(cell.number_format):
            # Excel turns a typed "50%" into 0.5 shown with a percent format.
            number *= 100
    else:
        text = remove_spaces(to_halfwidth(str(value)))
        text, _approximate = _strip_approximate(text.replace("百分之", "").rstrip("%"))
        text = text.rstrip("%")
        m = _CHENG.match(text)
        if m:
            tenths = chinese_number(m.group(1))
            if tenths is None or tenths > 10:
                raise ValueProblem(f"“{column}”无法识别“{value}”，请填 0–100 的数字")
            extra = m.group(2)
            # 八成半 is 85, 八成五 is 85 too (the digit after 成 counts hundredths of ten).
            ones = 5 if extra == "半" else (chinese_number(extra) if extra else 0)
            number = tenths * 10 + (ones or 0)
        elif _NUMBER.match(text):
            number = float(text)
        else:
            parsed = chinese_number(text)
            if parsed is None:
                raise ValueProblem(f"“{column}”应为 0–100 的数字，收到的是“{value}”")
            number = float(parsed)
    if math.isnan(number) or not 0 <= number <= 100:
        shown = number_text(round(number, 4)) if not math.isnan(number) else str(value)
        raise ValueProblem(f"“{column}”应在 0 到 100 之间，收到的是 {shown}")
    return round(number, 6)


def normalise_status(cell: Cell, column: str = "推进状态") -> str | None:
    """Return one of :data:`db.status.REPORTABLE_STATUSES` (or None when blank).

    Raises:
        ValueProblem: any other value.
    """
    if cell.blank:
        return None
    text = remove_spaces(to_halfwidth(str(cell.value)))
    status = STATUS_SYNONYMS.get(text)
    if status is None:
        # The four statuses and a few synonyms: the whole table is on the handoff's 填写说明 sheet.
        raise ValueProblem(
            f"“{column}”只能是 {'、'.join(REPORTABLE_STATUSES)}（也认 进度正常、按计划推进、已办结、进度落后 等，"
            f"见填写说明），收到的是“{cell.value}”"
        )
    return status


#: Money units a clerk may type, in 元: 3.6亿元 in a 万元 indicator is 36000 (万元), not 3.6.
MONEY_UNITS = {"元": 1.0, "万元": 1e4, "亿元": 1e8}


def _money_scale(typed_unit: str, measure_unit: str) -> float:
    """Return the factor that turns an amount in ``typed_unit`` into the indicator's ``measure_unit``."""
    if typed_unit in MONEY_UNITS and measure_unit in MONEY_UNITS:
        return MONEY_UNITS[typed_unit] / MONEY_UNITS[measure_unit]
    return 1.0


def normalise_number(cell: Cell, column: str, measure_unit: str | None = None) -> float | None:
    """Return an indicator's actual value, accepting full-width digits, a trailing unit and 约.

    Raises:
        ValueProblem: not a number; not finite or beyond :data:`MAX_INDICATOR_VALUE`; negative
            for a count (:data:`COUNT_UNITS`).
    """
    value = cell.value
    if cell.blank:
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"“{column}”应填数字，收到的是“{value}”")
    if isinstance(value, (int, float)):
        number = float(value)
        if is_percent_format(cell.number_format) and measure_unit == "%":
            number *= 100
    else:
        text = remove_spaces(to_halfwidth(str(value))).replace(",", "")
        text, _approximate = _strip_approximate(text)
        scale = 1.0
        for suffix in filter(
            None, ["万元", "亿元", to_halfwidth(measure_unit or ""), "%", "个", "户", "项", "家", "人", "元"]
        ):
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                scale = _money_scale(suffix, to_halfwidth(measure_unit or ""))
                break
        text, _approximate = _strip_approximate(text)  # 21家左右 as well as 约21家
        if not _NUMBER.match(text):
            raise ValueProblem(f"“{column}”应填数字，收到的是“{value}”")
        number = float(text) * scale
    if not math.isfinite(number) or abs(number) > MAX_INDICATOR_VALUE:
        raise ValueProblem(f"“{column}”的数值“{value}”不是一个实际的完成数，请填写实际数字")
    if number < 0 and to_halfwidth(measure_unit or "") in COUNT_UNITS:
        raise ValueProblem(f"“{column}”是数量（{measure_unit}），不能为负数，收到的是 {number_text(number)}")
    return round(number, 6)


def normalise_phone(cell: Cell) -> str | None:
    """Return a phone number as text (a number cell loses no digits, "138…" stays as typed)."""
    if cell.blank:
        return None
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return to_halfwidth(str(value)).strip()


def tidy_person_name(name: str | None) -> str | None:
    """Drop the spaces clerks put inside a Chinese name to line it up ("朱  丹" is 朱丹)."""
    if name is None:
        return None
    return re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", name)
