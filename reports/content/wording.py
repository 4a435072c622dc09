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


#: Words a title line never breaks inside (公文 titles are made of these).
TITLE_WORDS = (
    "关于",
    "重点",
    "工作",
    "推进",
    "情况",
    "通报",
    "通知",
    "总结",
    "完成",
    "年度",
    "上半年",
    "下半年",
    "季度",
    "前三季度",
    "督查",
    "督办",
    "落实",
    "进展",
    "任务",
    "清单",
    "全年",
    "问题",
    "整改",
    "催报",
    "专项",
    "调度",
    "建设",
    "项目",
    "发展",
    "投资",
    "有效",
    "扩大",
    "营商",
    "环境",
    "两个健康",
    "两个",
    "健康",
    "先行区",
    "进一步",
    "加快",
    "全县",
    "全市",
    "优化",
)
#: Words that lean on what follows: a line does not end with them.
_LEANS_FORWARD = ("关于", "和", "与", "及", "对", "在")


def char_width(ch: str) -> float:
    """Return a character's width in ems: Chinese and full-width forms 1, digits and Latin ½."""
    return 0.5 if ord(ch) < 0x2E80 else 1.0


def text_width(text: str) -> float:
    """Return the width of a line of text in ems (see :func:`char_width`)."""
    return sum(char_width(ch) for ch in text)


def _word_edges(text: str) -> set[int]:
    """Return the positions where a title word starts or ends, after 年 and before 的/和/及/与: good breaks."""
    edges = set()
    for word in TITLE_WORDS:
        start = text.find(word)
        while start >= 0:
            edges.update((start, start + len(word)))
            start = text.find(word, start + 1)
    edges.update(i for i in range(1, len(text)) if text[i - 1] == "年" or text[i] in "的和及与")
    return edges


def _unbreakable(text: str) -> set[int]:
    """Return the positions a line may not break at: inside a title word, a number or 2024年."""
    blocked = set()
    for word in TITLE_WORDS:
        start = text.find(word)
        while start >= 0:
            blocked.update(range(start + 1, start + len(word)))
            start = text.find(word, start + 1)
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if (a.isascii() and a.isalnum() and b.isascii() and b.isalnum()) or (a.isdigit() and b in "年月日号期项"):
            blocked.add(i)
        if b in "，。、；：）》”’" or a in "（《“‘":
            blocked.add(i)
    return blocked


def break_title(title: str, per_line: float = 20) -> list[str]:
    """Break a title into balanced lines at word boundaries.

    Lines are as even as the words allow, never longer than ``per_line`` ems, never a
    single character alone, never broken inside a word such as 通报, 情况, 工作 (see
    :data:`TITLE_WORDS`), and a line does not end with 关于/和/与/及.

    Args:
        title: the title in one piece.
        per_line: the most ems a line holds (20 for 2号 across the 156 mm type area).
    """
    if text_width(title) <= per_line or len(title) < 4:
        return [title]
    blocked = _unbreakable(title)
    edges = _word_edges(title)
    best: tuple[float, list[str]] | None = None

    def search(start: int, lines: list[str]) -> None:
        nonlocal best
        rest = title[start:]
        if text_width(rest) <= per_line:
            if len(rest) < 2 and lines:
                return
            widths = [text_width(line) for line in (*lines, rest)]
            # Fewest lines first, then no break inside an unknown word, then even lines.
            breaks = [sum(len(line) for line in lines[: i + 1]) for i in range(len(lines))]
            penalty = max(widths) - min(widths) + 100 * len(widths) + 4 * sum(b not in edges for b in breaks)
            if best is None or penalty < best[0]:
                best = (penalty, [*lines, rest])
            return
        if len(lines) > 4:
            return
        for end in range(start + 2, len(title) - 1):
            line = title[start:end]
            if text_width(line) > per_line:
                break
            if end in blocked or line.endswith(_LEANS_FORWARD):
                continue
            search(end, [*lines, line])

    search(0, [])
    if best is None:  # no word boundary fits: fall back to even pieces
        count = int(text_width(title) // per_line) + 1
        size = -(-len(title) // count)
        return [title[i : i + size] for i in range(0, len(title), size)]
    return best[1]


def nest_quotes(text: str) -> str:
    """Return text with quotes inside quotes as ‘ ’: “开展‘大走访’活动” (GB/T 15834)."""
    out, depth = [], 0
    for ch in text:
        if ch == "“":
            out.append("“" if depth % 2 == 0 else "‘")
            depth += 1
        elif ch == "”" and depth:
            depth -= 1
            out.append("”" if depth % 2 == 0 else "’")
        else:
            out.append(ch)
    return "".join(out)
