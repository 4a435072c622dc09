"""How the reports write dates, periods, rounds, percentages and numbers in Chinese."""

from __future__ import annotations

from datetime import date

_CN_DIGITS = "〇一二三四五六七八九"
_CN_NUM = "一二三四五六七八九十"


def round_label(round_row: dict) -> str:
    """Return a round as people write it: 2024年第二季度, 2024年上半年, 2024年度."""
    round_id = round_row["id"]
    year = round_id[:4]
    part = round_id[4:]
    if part.startswith("Q"):
        return f"{year}年第{_CN_DIGITS[int(part[1])]}季度"
    if part == "H1":
        return f"{year}年上半年"
    if part == "H2":
        return f"{year}年下半年"
    if part == "Y":
        return f"{year}年度"
    return f"{year}年{round_id[4:]}专项"


def period_title(round_row: dict) -> str:
    """Return the period a bulletin covers: 2024年上半年, 2024年前三季度, 2024年."""
    year, part = round_row["id"][:4], round_row["id"][4:]
    cutoff = date.fromisoformat(round_row["cutoff"])
    if part in ("Q2", "H1"):
        return f"{year}年上半年"
    if part == "Q1":
        return f"{year}年第一季度"
    if part == "Q3":
        return f"{year}年前三季度"
    if part in ("Q4", "H2", "Y"):
        return f"{year}年"
    return f"{year}年1—{cutoff.month}月"


def period_phrase(cutoff: date) -> str:
    """Return 截至…: 6月底 for a month's last day, else 6月15日."""
    nxt = date.fromordinal(cutoff.toordinal() + 1)
    return f"{cutoff.month}月底" if nxt.month != cutoff.month else f"{cutoff.month}月{cutoff.day}日"


def chinese_date(day: date) -> str:
    """Return 2024年7月15日 (公文成文日期 uses Arabic digits since GB/T 9704-2012)."""
    return f"{day.year}年{day.month}月{day.day}日"


def pct(value: float | None, digits: int = 0) -> str:
    """Return 45% / 35.1% / — for None."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}" if digits else f"{round(value):d}"
    return f"{text}%"


def pct_exact(value: float | None) -> str:
    """Return 33.3% / 50% / — : one decimal only where the value has one, so differences add up."""
    if value is None:
        return "—"
    return f"{round(value, 1):g}%"


def area_word(county: str) -> str:
    """Return 全县 / 全市 / 全区 / 全旗 for the county's name."""
    for suffix in ("县", "市", "区", "旗"):
        if county.endswith(suffix):
            return "全" + suffix
    return "全县"


def cn_number(n: int) -> str:
    """Return 1–99 in Chinese numerals as headings count: 一, 十一, 二十."""
    if n <= 10:
        return _CN_NUM[n - 1]
    if n < 20:
        return "十" + _CN_NUM[n - 11]
    tens, ones = divmod(n, 10)
    return _CN_NUM[tens - 1] + "十" + (_CN_NUM[ones - 1] if ones else "")


def plain_number(value: float | None) -> str:
    """Return a measured value without a needless .0: 480, 2.5, — for None."""
    if value is None:
        return "—"
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.0f}"
