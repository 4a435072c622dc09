"""The value rules: what a clerk types, and what the ledger stores (db.values).

Each table row is a cell as it arrives — the value, and for Excel cells the number format —
and what is stored, or that it is refused with one Chinese sentence naming the column.
"""

import math
from datetime import datetime

import pytest

from db.values import (
    MAX_CELL_CHARS,
    MAX_INDICATOR_VALUE,
    STATUS_SYNONYMS,
    Cell,
    ValueProblem,
    approximate_note,
    normalise_number,
    normalise_percent,
    normalise_phone,
    normalise_status,
    normalise_text,
    number_text,
    tidy_person_name,
)

BLANKS = [None, "", "   ", "\u3000", "\n"]


# --- 完成进度(%) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number_format", "stored"),
    [
        # Numbers, as typed or as text.
        (50, None, 50.0),
        (0, None, 0.0),
        (100, None, 100.0),
        (50.5, None, 50.5),
        ("50", None, 50.0),
        ("0", None, 0.0),
        ("100", None, 100.0),
        ("+50", None, 50.0),
        ("50.", None, 50.0),
        (".5", None, 0.5),
        ("５０", None, 50.0),
        (" 5 0 ", None, 50.0),
        ("33.333333333", None, 33.333333),
        (100 / 3, None, 33.333333),
        # Percent signs and words.
        ("50%", None, 50.0),
        ("50％", None, 50.0),
        ("百分之50", None, 50.0),
        ("百分之五十", None, 50.0),
        ("五十", None, 50.0),
        ("三十五", None, 35.0),
        ("一百", None, 100.0),
        # 成: tenths.
        ("五成", None, 50.0),
        ("5成", None, 50.0),
        ("八成半", None, 85.0),
        ("零成", None, 0.0),
        ("十成", None, 100.0),
        # Excel keeps a typed "35%" as 0.35 shown with a percent format.
        (0.35, "0%", 35.0),
        (0.355, "0.0%", 35.5),
        (1, "0%", 100.0),
        (0, "0.00%", 0.0),
        (35, "General", 35.0),
        # 约 and 左右: read as the number (approximate_note warns).
        ("约55", None, 55.0),
        ("55左右", None, 55.0),
        ("100左右", None, 100.0),
        ("55%左右", None, 55.0),
        ("55左右%", None, 55.0),
        ("大约60%", None, 60.0),
    ],
)
def test_percent_accepts_what_clerks_type(typed, number_format, stored):
    assert normalise_percent(Cell(typed, number_format)) == stored


@pytest.mark.parametrize(
    ("typed", "number_format", "shown"),
    [
        (-1, None, "-1"),
        ("-5", None, "-5"),
        (100.1, None, "100.1"),
        ("101", None, "101"),
        ("一百零一", None, "101"),
        (1.5, "0%", "150"),
        (1.23456789, "0%", "123.4568"),
        (math.nan, None, "nan"),
    ],
)
def test_percent_outside_0_to_100_is_refused_showing_what_was_read(typed, number_format, shown):
    with pytest.raises(ValueProblem) as refused:
        normalise_percent(Cell(typed, number_format), "完成率")
    message = str(refused.value)
    assert "完成率" in message and "0 到 100" in message
    assert message.endswith(f" {shown}")


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "50X", "5十成", "十一成", "差不多", True, False])
def test_percent_that_is_not_a_number_is_refused_naming_the_column(typed):
    with pytest.raises(ValueProblem) as refused:
        normalise_percent(Cell(typed), "完成率")
    assert "“完成率”" in str(refused.value)
    assert str(typed) in str(refused.value)


def test_percent_column_is_named_by_default():
    with pytest.raises(ValueProblem, match=r"^“完成进度\(%\)”"):
        normalise_percent(Cell("abc"))


@pytest.mark.parametrize("typed", BLANKS)
def test_blank_percent_is_no_value(typed):
    assert normalise_percent(Cell(typed)) is None


# --- 推进状态 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("已完成", "已完成"),
        ("完成", "已完成"),
        ("已经完成", "已完成"),
        ("全部完成", "已完成"),
        ("序时推进", "序时推进"),
        ("序时", "序时推进"),
        ("正常推进", "序时推进"),
        ("按序时推进", "序时推进"),
        ("正常", "序时推进"),
        ("进度滞后", "进度滞后"),
        ("滞后", "进度滞后"),
        ("滞后推进", "进度滞后"),
        ("未启动", "未启动"),
        ("未开始", "未启动"),
        ("尚未启动", "未启动"),
        (" 已 完成\n", "已完成"),
        ("序时\u3000推进", "序时推进"),
    ],
)
def test_status_words_clerks_use_are_read_as_the_office_status(typed, stored):
    assert normalise_status(Cell(typed)) == stored


@pytest.mark.parametrize(("word", "status"), list(STATUS_SYNONYMS.items()))
def test_every_word_in_the_synonym_table_reads_as_one_of_the_four_statuses(word, status):
    assert status in {"已完成", "序时推进", "进度滞后", "未启动"}
    assert normalise_status(Cell(word)) == status


@pytest.mark.parametrize("typed", ["逾期", "未报送", "差不多", "完成了一半", 1])
def test_any_other_status_is_refused_listing_the_four_a_unit_may_report(typed):
    with pytest.raises(ValueProblem) as refused:
        normalise_status(Cell(typed), "状态")
    message = str(refused.value)
    assert "“状态”" in message and "已完成、序时推进、进度滞后、未启动" in message and str(typed) in message


def test_a_refused_status_also_lists_the_other_words_the_office_accepts():
    with pytest.raises(ValueProblem) as refused:
        normalise_status(Cell("推进中"))
    message = str(refused.value)
    # The four words, then some of the synonyms the office also accepts and where the rest are listed.
    assert "已完成、序时推进、进度滞后、未启动（也认 " in message
    also = message.split("（也认 ")[1]
    assert (
        sum(word in also for word in STATUS_SYNONYMS if word not in ("已完成", "序时推进", "进度滞后", "未启动")) >= 3
    )


def test_status_column_is_named_by_default():
    with pytest.raises(ValueProblem, match="^“推进状态”"):
        normalise_status(Cell("差不多"))


@pytest.mark.parametrize("typed", BLANKS)
def test_blank_status_is_no_value(typed):
    assert normalise_status(Cell(typed)) is None


# --- indicator actuals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number_format", "unit", "stored"),
    [
        (480, None, "户", 480.0),
        ("480", None, "户", 480.0),
        ("480户", None, "户", 480.0),
        ("480户", None, None, 480.0),
        ("480 户", None, "户", 480.0),
        ("４８０户", None, "户", 480.0),
        ("1,200", None, "户", 1200.0),
        ("1，200户", None, "户", 1200.0),
        ("3.6亿元", None, "亿元", 3.6),
        ("3.6万元", None, "万元", 3.6),
        ("12公里", None, "公里", 12.0),
        ("１２ｋｍ", None, "ｋｍ", 12.0),
        ("12个", None, None, 12.0),
        ("3项", None, None, 3.0),
        ("5家", None, None, 5.0),
        ("20人", None, None, 20.0),
        ("35%", None, "%", 35.0),
        ("35%", None, None, 35.0),
        # A % indicator typed as 35% in Excel: 0.35 shown as a percent.
        (0.35, "0%", "%", 35.0),
        (0.35, "0.0%", "%", 35.0),
        (0.35, None, "%", 0.35),
        (0.35, "0%", "户", 0.35),
        (35, None, "%", 35.0),
        # Signs, bare decimals, precision.
        ("-5", None, None, -5.0),
        ("-3.2%", None, "%", -3.2),
        (-5, None, "万元", -5.0),
        ("+3", None, None, 3.0),
        (".5", None, None, 0.5),
        ("0", None, None, 0.0),
        (1 / 3, None, None, 0.333333),
        ("0.1234567", None, None, 0.123457),
    ],
)
def test_indicator_actual_accepts_what_clerks_type(typed, number_format, unit, stored):
    assert normalise_number(Cell(typed, number_format), "实际值", unit) == stored


@pytest.mark.parametrize("typed", ["abc", "户", "%", "1.2.3", "480户户", True, False])
def test_indicator_actual_that_is_not_a_number_is_refused_naming_the_column(typed):
    with pytest.raises(ValueProblem) as refused:
        normalise_number(Cell(typed), "新增户数", "户")
    assert "“新增户数”" in str(refused.value) and str(typed) in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "unit", "stored"),
    [
        ("3.6亿元", "万元", 36000.0),
        ("3600万元", "亿元", 0.36),
        ("3.6亿元", "亿元", 3.6),
        ("500万元", "万元", 500.0),
        ("50000元", "万元", 5.0),
        ("1.2万元", "元", 12000.0),
    ],
)
def test_an_amount_in_another_money_unit_is_converted_to_the_indicators(typed, unit, stored):
    assert normalise_number(Cell(typed), "投资额", unit) == stored


def test_a_count_cannot_be_negative_but_an_amount_can():
    with pytest.raises(ValueProblem, match="^“新增户数”.* -5$"):
        normalise_number(Cell("-5"), "新增户数", "户")
    assert normalise_number(Cell("-5"), "投资增量", "万元") == -5.0


@pytest.mark.parametrize("typed", [MAX_INDICATOR_VALUE * 10, math.inf, math.nan, "1e999"])
def test_an_actual_that_is_no_real_figure_is_refused_naming_the_column(typed):
    with pytest.raises(ValueProblem, match="^“新增户数”"):
        normalise_number(Cell(typed), "新增户数", "户")


@pytest.mark.parametrize("typed", BLANKS)
def test_blank_actual_is_no_value(typed):
    assert normalise_number(Cell(typed), "实际值", "户") is None


# --- phone, name, text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (13800000000, "13800000000"),
        (13800000000.0, "13800000000"),
        ("13800000000", "13800000000"),
        ("１３８００００００００", "13800000000"),
        (" 0577-88886666 ", "0577-88886666"),
        ("138 0000 0000", "138 0000 0000"),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_phone_is_kept_as_the_digits_typed(typed, stored):
    assert normalise_phone(Cell(typed)) == stored


@pytest.mark.parametrize(
    ("typed", "tidied"),
    [
        ("朱  丹", "朱丹"),
        ("朱\u3000丹", "朱丹"),
        ("欧阳 小 明", "欧阳小明"),
        ("Li Lei", "Li Lei"),
        ("朱丹", "朱丹"),
        (None, None),
    ],
)
def test_spaces_lining_up_a_chinese_name_are_dropped(typed, tidied):
    assert tidy_person_name(typed) == tidied


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  已完成3项  ", "已完成3项"),
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("a\x0bb", "ab"),
        (12.0, "12"),
        (12.5, "12.5"),
        (7, "7"),
        (True, "是"),
        (False, "否"),
        (datetime(2024, 6, 30), "2024-06-30"),
        (datetime(2024, 6, 30, 8, 30), "2024-06-30 08:30:00"),
        (None, None),
        ("", None),
        (" \r\n ", None),
        ("x" * MAX_CELL_CHARS, "x" * MAX_CELL_CHARS),
    ],
)
def test_text_is_trimmed_with_plain_line_breaks_and_numbers_as_typed(typed, stored):
    assert normalise_text(Cell(typed), "进展情况") == stored


def test_text_longer_than_an_excel_cell_is_refused_not_cut():
    with pytest.raises(ValueProblem) as refused:
        normalise_text(Cell("x" * (MAX_CELL_CHARS + 1)), "进展情况")
    assert str(refused.value).startswith("“进展情况”有 32,768 字，超过 Excel 单元格上限 32,767 字")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (12.0, "12"),
        (12.5, "12.5"),
        (-3.0, "-3"),
        (5, "5"),
        (999_999_999_999_999.0, "999999999999999"),
        (1e15, "1000000000000000.0"),
        (-1e15, "-1000000000000000.0"),
    ],
)
def test_a_number_is_written_as_a_clerk_would(number, text):
    assert number_text(number) == text


@pytest.mark.parametrize(
    ("value", "blank"), [(None, True), ("", True), (" \n\u3000", True), (0, False), ("0", False), (False, False)]
)
def test_a_cell_is_blank_only_when_it_holds_nothing_but_white_space(value, blank):
    assert Cell(value).blank is blank


@pytest.mark.parametrize(
    ("typed", "approximate"),
    [
        ("约55", True),
        ("55左右", True),
        ("55左右%", True),
        ("百分之约55", True),
        ("八成五", True),
        ("约21家", True),
        ("55", False),
        ("55%", False),
        ("八成", False),
        ("约", False),
        ("左右", False),
        (55, False),
        (None, False),
    ],
)
def test_an_approximate_value_is_read_with_a_note_for_the_office_to_check(typed, approximate):
    note = approximate_note(Cell(typed), "完成进度(%)")
    if approximate:
        assert note.startswith("“完成进度(%)”") and f"“{typed}”" in note
    else:
        assert note is None
