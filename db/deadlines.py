"""Deadline phrases (时间节点 / 实施阶段) turned into dates for a plan year.

Phrases that are not understood are kept as text with ``understood=False`` so the
import review can flag them; nothing is ever guessed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from db.text import chinese_number, remove_spaces, to_halfwidth

_NUM = r"[0-9零〇○一二两三四五六七八九十]+"


@dataclass(frozen=True)
class Deadline:
    """What a deadline phrase means.

    Attributes:
        phrase: the original text.
        due: the single date by which the work is due, if the phrase names one.
        period: (start, end) when the phrase names a span such as "2023-2027年".
        recurring: "季度" / "月度" / "半年" for work due every period.
        ongoing: True for "长期实施", "长期坚持" and the like (no end date).
        understood: False when the phrase could not be read; it must be reviewed.
        dates: every due date the phrase implies within the plan year (four for 每季度).
    """

    phrase: str
    due: date | None = None
    period: tuple[date, date] | None = None
    recurring: str | None = None
    ongoing: bool = False
    understood: bool = True
    dates: tuple[date, ...] = field(default_factory=tuple)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year_of(text: str, default: int) -> int:
    m = re.search(r"((?:19|20)\d\d)年", text)
    return int(m.group(1)) if m else default


_ONGOING = ("长期实施", "长期坚持", "长期推进", "持续推进", "长期", "常态化", "持续实施")
_QUARTER_END = {1: 3, 2: 6, 3: 9, 4: 12}


def parse_deadline(phrase: str, year: int) -> Deadline:
    r"""Read a deadline phrase for plan year ``year``.

    Understood forms include "6月底前", "6 月底前", "十二月底前", "年底前", "上半年",
    "三季度末", "2024年6月30日前", "到2023年底", "每季度", "长期实施", "2023-2027年",
    "2023-\\n2025年", "6月中旬".

    Args:
        phrase: the text as written in the document.
        year: the plan year, used where the phrase names no year.

    Returns:
        A :class:`Deadline`; ``understood`` is False for anything else.
    """
    original = phrase
    text = remove_spaces(to_halfwidth(phrase or ""))
    text = text.replace("－", "-").replace("—", "-").replace("–", "-").replace("～", "-").replace("~", "-")
    # 至 is a range dash between two years ("2023至2027年") but means 到 at the start ("至2027年底").
    text = re.sub(r"(?<=\d)(?:年)?至(?=\d)", "-", text)
    text = text.rstrip("。，,;；")
    if not text:
        return Deadline(original, understood=False)

    if any(text.startswith(word) for word in _ONGOING):
        return Deadline(original, ongoing=True)

    m = re.fullmatch(r"((?:19|20)\d\d)年?-((?:19|20)\d\d)年?(?:底)?", text)
    if m:
        start, end = int(m.group(1)), int(m.group(2))
        if start <= end:
            return Deadline(
                original,
                period=(date(start, 1, 1), date(end, 12, 31)),
                due=date(end, 12, 31),
                dates=(date(end, 12, 31),),
            )
        return Deadline(original, understood=False)

    if text.startswith("每"):
        rest = text[1:]
        if rest in ("季度", "季", "个季度"):
            dates = tuple(_month_end(year, m) for m in (3, 6, 9, 12))
            return Deadline(original, recurring="季度", dates=dates)
        if rest in ("月", "个月", "月度"):
            dates = tuple(_month_end(year, m) for m in range(1, 13))
            return Deadline(original, recurring="月度", dates=dates)
        if rest in ("半年",):
            dates = (_month_end(year, 6), _month_end(year, 12))
            return Deadline(original, recurring="半年", dates=dates)
        if rest in ("年", "年度"):
            return Deadline(original, recurring="年度", dates=(date(year, 12, 31),))
        return Deadline(original, understood=False)

    if text in ("年内", "年内完成", "本年内", "今年内"):
        # "年内" would lose its 内 below and read as a bare "年".
        return Deadline(original, due=date(year, 12, 31), dates=(date(year, 12, 31),))
    core = re.sub(r"^(到|至|于|在|截至|截止|力争|确保)", "", text)
    core = re.sub(r"(之前|以前|前|内|完成|止)$", "", core)
    core = re.sub(r"(之前|以前|前)$", "", core)
    y = _year_of(core, year)
    core_no_year = re.sub(r"^(?:19|20)\d\d年", "", core)

    due = _single_date(core_no_year, y)
    if due is None and core_no_year == "" and re.fullmatch(r"(?:19|20)\d\d年", core):
        # "2024年" alone: the whole year.
        return Deadline(
            original, period=(date(y, 1, 1), date(y, 12, 31)), due=date(y, 12, 31), dates=(date(y, 12, 31),)
        )
    if due is None:
        return Deadline(original, understood=False)
    return Deadline(original, due=due, dates=(due,))


def _single_date(text: str, year: int) -> date | None:
    if text in ("底", "末", "年底", "年末", "年内", "全年", "本年度", "年度", "当年", "今年", "今年底"):
        return date(year, 12, 31)
    if text in ("上半年", "年中", "上半年底", "上半年末"):
        return date(year, 6, 30)
    if text in ("下半年", "下半年底"):
        return date(year, 12, 31)
    m = re.fullmatch(rf"(?:第)?({_NUM})季度(?:末|底)?", text)
    if m:
        q = chinese_number(m.group(1))
        if q in _QUARTER_END:
            return _month_end(year, _QUARTER_END[q])
        return None
    m = re.fullmatch(rf"({_NUM})月(?:份)?(?:底|末|份底)?", text)
    if m:
        month = chinese_number(m.group(1))
        return _month_end(year, month) if month and 1 <= month <= 12 else None
    m = re.fullmatch(rf"({_NUM})月(上旬|中旬|下旬)(?:末)?", text)
    if m:
        month = chinese_number(m.group(1))
        if not month or not 1 <= month <= 12:
            return None
        day = {"上旬": 10, "中旬": 20}.get(m.group(2))
        return date(year, month, day) if day else _month_end(year, month)
    m = re.fullmatch(rf"({_NUM})月({_NUM})日", text)
    if m:
        month, day = chinese_number(m.group(1)), chinese_number(m.group(2))
        try:
            return date(year, month, day) if month and day else None
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})", text)
    if m:
        try:
            return date(year, int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None
    return None


def period_of(phrase: str | None, year: int) -> tuple[date, date]:
    """Return the span a key work's 实施阶段 covers, for 序时进度.

    A phrase naming a span ("2023-2025年") gives that span; a due date gives the plan
    year's start to that date; anything else (长期实施, blank, unknown) gives the plan year.
    """
    year_span = (date(year, 1, 1), date(year, 12, 31))
    if not phrase:
        return year_span
    parsed = parse_deadline(phrase, year)
    if parsed.period:
        return parsed.period
    if parsed.due and parsed.due.year == year:
        return (date(year, 1, 1), parsed.due)
    return year_span
