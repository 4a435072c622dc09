"""Every family of deadline phrase the office writes, read for plan year 2024 (db.deadlines).

A phrase is read to one due date, a span of years, a recurring set of dates, or "ongoing";
anything else is kept as text and flagged for review — never guessed, and never a crash.
"""

import calendar
from datetime import date

import pytest

from db.deadlines import Deadline, parse_deadline, period_of

YEAR = 2024


def due(phrase, when):
    """A phrase that names one due date."""
    return pytest.param(phrase, Deadline(phrase, due=when, dates=(when,)), id=phrase)


def span(phrase, first, last):
    """A phrase that names a span of whole years."""
    end = date(last, 12, 31)
    return pytest.param(phrase, Deadline(phrase, due=end, period=(date(first, 1, 1), end), dates=(end,)), id=phrase)


def month_ends(*months):
    return tuple(date(YEAR, m, calendar.monthrange(YEAR, m)[1]) for m in months)


def every(phrase, label, dates):
    """A phrase for work due every period."""
    return pytest.param(phrase, Deadline(phrase, recurring=label, dates=dates), id=phrase)


def test_month_ends_helper_knows_february_in_a_leap_year():
    assert month_ends(1, 2, 12) == (date(2024, 1, 31), date(2024, 2, 29), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("phrase", "read"),
    [
        # Absolute dates, with or without the year.
        due("2024年6月30日前", date(2024, 6, 30)),
        due("2025年3月15日", date(2025, 3, 15)),
        due("1999年12月1日", date(1999, 12, 1)),
        due("6月30日", date(YEAR, 6, 30)),
        due("六月三十日前", date(YEAR, 6, 30)),
        due("2月29日", date(YEAR, 2, 29)),
        due("6/30", date(YEAR, 6, 30)),
        due("6.30", date(YEAR, 6, 30)),
        due("6-30", date(YEAR, 6, 30)),
        due("12/1", date(YEAR, 12, 1)),
        # 月底 / 月末 / 月份, at the edges of the year and of February.
        due("1月底前", date(YEAR, 1, 31)),
        due("一月底前", date(YEAR, 1, 31)),
        due("2月底前", date(YEAR, 2, 29)),
        due("6月底前", date(YEAR, 6, 30)),
        due("6月末", date(YEAR, 6, 30)),
        due("6月份", date(YEAR, 6, 30)),
        due("6月份底", date(YEAR, 6, 30)),
        due("6月", date(YEAR, 6, 30)),
        due("12月底前", date(YEAR, 12, 31)),
        due("十二月底前", date(YEAR, 12, 31)),
        due("2025年2月底前", date(2025, 2, 28)),
        # 旬: 上旬 ends on the 10th, 中旬 on the 20th, 下旬 with the month.
        due("6月上旬", date(YEAR, 6, 10)),
        due("6月中旬", date(YEAR, 6, 20)),
        due("6月中旬末", date(YEAR, 6, 20)),
        due("6月下旬", date(YEAR, 6, 30)),
        due("2月下旬", date(YEAR, 2, 29)),
        due("一月上旬", date(YEAR, 1, 10)),
        due("十二月下旬", date(YEAR, 12, 31)),
        # 季度.
        due("一季度", date(YEAR, 3, 31)),
        due("第二季度", date(YEAR, 6, 30)),
        due("三季度末", date(YEAR, 9, 30)),
        due("第4季度底", date(YEAR, 12, 31)),
        # Half years and the year end.
        due("上半年", date(YEAR, 6, 30)),
        due("年中", date(YEAR, 6, 30)),
        due("上半年底", date(YEAR, 6, 30)),
        due("上半年末", date(YEAR, 6, 30)),
        due("2025年上半年", date(2025, 6, 30)),
        due("下半年", date(YEAR, 12, 31)),
        due("下半年底", date(YEAR, 12, 31)),
        due("年底前", date(YEAR, 12, 31)),
        due("年末", date(YEAR, 12, 31)),
        due("年内完成", date(YEAR, 12, 31)),
        due("年内", date(YEAR, 12, 31)),
        due("本年内", date(YEAR, 12, 31)),
        due("今年内", date(YEAR, 12, 31)),
        due("全年", date(YEAR, 12, 31)),
        due("本年度", date(YEAR, 12, 31)),
        due("年度", date(YEAR, 12, 31)),
        due("当年", date(YEAR, 12, 31)),
        due("今年", date(YEAR, 12, 31)),
        due("今年底", date(YEAR, 12, 31)),
        due("2025年底前", date(2025, 12, 31)),
        due("2025年末", date(2025, 12, 31)),
        # The words around the date: 到/至/于/在/截至/截止/力争/确保 … 前/之前/以前/内/完成/止.
        due("到2023年底", date(2023, 12, 31)),
        due("至2027年底", date(2027, 12, 31)),
        due("于6月底前", date(YEAR, 6, 30)),
        due("在年底前", date(YEAR, 12, 31)),
        due("截至6月底", date(YEAR, 6, 30)),
        due("截止9月30日", date(YEAR, 9, 30)),
        due("力争6月底前完成", date(YEAR, 6, 30)),
        due("确保年底前完成", date(YEAR, 12, 31)),
        due("力争年内完成", date(YEAR, 12, 31)),
        due("6月底之前", date(YEAR, 6, 30)),
        due("6月底以前", date(YEAR, 6, 30)),
        due("9月底止", date(YEAR, 9, 30)),
        # What a pasted cell brings along: full-width digits, spaces, line breaks, a full stop.
        due("６月底前", date(YEAR, 6, 30)),
        due("6 月 底 前", date(YEAR, 6, 30)),
        due("6月\n底前", date(YEAR, 6, 30)),
        due("6月底前。", date(YEAR, 6, 30)),
        due("6月底前，", date(YEAR, 6, 30)),
        due("年底前;", date(YEAR, 12, 31)),
        due("年底前；", date(YEAR, 12, 31)),
        due("6/30。", date(YEAR, 6, 30)),
    ],
)
def test_a_phrase_naming_one_date_is_due_on_that_date(phrase, read):
    assert parse_deadline(phrase, YEAR) == read


@pytest.mark.parametrize(
    ("phrase", "read"),
    [
        span("2023-2027年", 2023, 2027),
        span("2023年-2027年", 2023, 2027),
        span("2023－2027年", 2023, 2027),
        span("2023—2027年", 2023, 2027),
        span("2023–2027年", 2023, 2027),
        span("2023～2027年", 2023, 2027),
        span("2023~2027年", 2023, 2027),
        span("2023-\n\n2027年", 2023, 2027),
        span("2023至2027年", 2023, 2027),
        span("2023年至2027年", 2023, 2027),
        span("2023-2027年底", 2023, 2027),
        span("2023-2027", 2023, 2027),
        span("1998-2001年", 1998, 2001),
        span("2024-2024年", 2024, 2024),
        span("2024年", 2024, 2024),
        span("2026年", 2026, 2026),
        span("2023-2027年。", 2023, 2027),
    ],
)
def test_a_phrase_naming_years_is_a_span_due_at_its_last_year_end(phrase, read):
    assert parse_deadline(phrase, YEAR) == read


@pytest.mark.parametrize(
    ("phrase", "read"),
    [
        every("每月", "月度", month_ends(*range(1, 13))),
        every("每个月", "月度", month_ends(*range(1, 13))),
        every("每月度", "月度", month_ends(*range(1, 13))),
        every("每季度", "季度", month_ends(3, 6, 9, 12)),
        every("每季", "季度", month_ends(3, 6, 9, 12)),
        every("每个季度", "季度", month_ends(3, 6, 9, 12)),
        every("每半年", "半年", month_ends(6, 12)),
        every("每年", "年度", month_ends(12)),
        every("每年度", "年度", month_ends(12)),
        every("每季度。", "季度", month_ends(3, 6, 9, 12)),
    ],
)
def test_recurring_work_is_due_at_the_end_of_every_period_of_the_plan_year(phrase, read):
    assert parse_deadline(phrase, YEAR) == read


def test_monthly_work_in_a_common_year_ends_february_on_the_28th():
    assert parse_deadline("每月", 2023).dates[1] == date(2023, 2, 28)


@pytest.mark.parametrize(
    "phrase",
    [
        "长期实施",
        "长期坚持",
        "长期推进",
        "持续推进",
        "长期",
        "常态化",
        "持续实施",
        "常态化开展",
        "长期坚持。",
        " 长期实施",
    ],
)
def test_long_term_work_is_ongoing_with_no_date(phrase):
    assert parse_deadline(phrase, YEAR) == Deadline(phrase, ongoing=True)


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        " ",
        "。",
        "明年春天",
        "视情况而定",
        "完成",
        "之前",
        "力争",
        "年底前X",
        "每逢节假日",
        "2027-2023年",
        "13月底前",
        "0月底前",
        "零月底前",
        "13月中旬",
        "十三月中旬",
        "0月上旬",
        "五季度",
        "第0季度",
        "2月30日前",
        "2023年2月29日",
        "13月1日",
        "0月5日",
        "6月0日",
        "6/31",
        "13/1",
        "0/5",
    ],
)
def test_an_unreadable_or_impossible_phrase_is_kept_and_flagged_never_guessed(phrase):
    assert parse_deadline(phrase, YEAR) == Deadline(phrase, understood=False)


def test_no_phrase_at_all_is_flagged():
    assert parse_deadline(None, YEAR) == Deadline(None, understood=False)


@pytest.mark.parametrize(
    ("phrase", "period"),
    [
        ("2023-2025年", (date(2023, 1, 1), date(2025, 12, 31))),
        ("2024年", (date(2024, 1, 1), date(2024, 12, 31))),
        ("6月底前", (date(2024, 1, 1), date(2024, 6, 30))),
        ("1月10日", (date(2024, 1, 1), date(2024, 1, 10))),
        ("年底前", (date(2024, 1, 1), date(2024, 12, 31))),
        # A due date in another year, recurring work, long-term work, nothing or nonsense: the plan year.
        ("2025年6月底前", (date(2024, 1, 1), date(2024, 12, 31))),
        ("2023年6月底前", (date(2024, 1, 1), date(2024, 12, 31))),
        ("每季度", (date(2024, 1, 1), date(2024, 12, 31))),
        ("长期实施", (date(2024, 1, 1), date(2024, 12, 31))),
        ("明年春天", (date(2024, 1, 1), date(2024, 12, 31))),
        ("", (date(2024, 1, 1), date(2024, 12, 31))),
        (None, (date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_the_period_a_key_work_is_measured_over(phrase, period):
    assert period_of(phrase, YEAR) == period
