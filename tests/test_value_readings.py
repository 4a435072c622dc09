"""Issue 13, 读数: real percent formats only, approximate values read with a 约 warning, the
status synonym table, and indicator values that cannot be counts refused — each at its edges."""

from __future__ import annotations

import pytest

from db.status import REPORTABLE_STATUSES
from db.values import (
    COUNT_UNITS,
    MAX_INDICATOR_VALUE,
    STATUS_SYNONYMS,
    Cell,
    ValueProblem,
    approximate_note,
    is_percent_format,
    normalise_number,
    normalise_percent,
    normalise_status,
)


@pytest.mark.parametrize(
    ("number_format", "percent"),
    [
        ("0%", True),
        ("0.0%", True),
        ("0.00%;[Red]-0.00%", True),
        ('0"%"', False),
        ('0"％"', False),
        ("0\\%", False),
        ("General", False),
        (None, False),
        ("[$%-804]0", False),
        ('"完成"0%', True),
    ],
)
def test_only_a_real_percent_format_multiplies(number_format, percent):
    assert is_percent_format(number_format) is percent


def test_a_typed_1_in_a_literal_percent_format_is_one_percent_not_done():
    # The example: 1 in a 0"%" cell became 100 % 已完成.
    assert normalise_percent(Cell(1, '0"%"')) == 1
    assert normalise_percent(Cell(1, '0"％"')) == 1
    assert normalise_percent(Cell(0.55, "0%")) == 55
    assert normalise_number(Cell(0.3, '0"%"'), "指标：化解率", "%") == 0.3
    assert normalise_number(Cell(0.3, "0%"), "指标：化解率", "%") == 30


@pytest.mark.parametrize(
    ("typed", "value"),
    [("约55", 55), ("55左右", 55), ("大约55%", 55), ("55%左右", 55), ("八成五", 85), ("约八成", 80), ("近九成", 90)],
)
def test_approximate_percent_is_read_with_a_warning(typed, value):
    cell = Cell(typed)
    assert normalise_percent(cell) == value
    assert "约数" in approximate_note(cell, "完成进度(%)")


@pytest.mark.parametrize("typed", ["55", "55%", "八成", "八成半", "百分之五十五", 55, 0.55])
def test_exact_percent_has_no_warning(typed):
    assert approximate_note(Cell(typed), "完成进度(%)") is None


@pytest.mark.parametrize("typed", ["约", "左右", "十一成", "八成十", "约-5", "约101"])
def test_approximate_words_around_nothing_or_out_of_range_are_refused(typed):
    with pytest.raises(ValueProblem):
        normalise_percent(Cell(typed))


def test_approximate_count_is_read_with_a_warning():
    for typed in ("约21家", "21家左右", "约21"):
        cell = Cell(typed)
        assert normalise_number(cell, "指标：企业", "家") == 21
        assert approximate_note(cell, "指标：企业")


@pytest.mark.parametrize(
    "word", ["进度正常", "正常推进", "正常", "按计划推进", "已办结", "滞后", "进度落后", "尚未开始"]
)
def test_documented_synonyms_are_read(word):
    assert normalise_status(Cell(word)) == STATUS_SYNONYMS[word]
    assert STATUS_SYNONYMS[word] in REPORTABLE_STATUSES


@pytest.mark.parametrize("word", ["推进中", "良好", "基本完成", "正常吧"])
def test_other_status_words_are_refused_listing_the_allowed_words(word):
    with pytest.raises(ValueProblem) as caught:
        normalise_status(Cell(word))
    message = str(caught.value)
    assert all(status in message for status in REPORTABLE_STATUSES)
    assert "进度正常" in message and word in message


def test_every_synonym_maps_to_a_reportable_status():
    assert set(STATUS_SYNONYMS.values()) == set(REPORTABLE_STATUSES)


@pytest.mark.parametrize("value", [-1, -0.5, "-3", "-3家"])
def test_negative_counts_are_refused(value):
    with pytest.raises(ValueProblem, match="不能为负数"):
        normalise_number(Cell(value), "指标：新增企业", "家")


def test_zero_count_and_negative_non_count_are_kept():
    assert normalise_number(Cell(0), "指标：新增企业", "家") == 0
    assert normalise_number(Cell(-2.5), "指标：能耗增幅", "%") == -2.5
    assert "户" in COUNT_UNITS


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 1e308, MAX_INDICATOR_VALUE * 1.0001])
def test_non_finite_and_absurd_values_are_refused(value):
    with pytest.raises(ValueProblem):
        normalise_number(Cell(value), "指标：新增企业", "家")


def test_largest_accepted_value():
    assert normalise_number(Cell(MAX_INDICATOR_VALUE), "指标：产值", "万元") == MAX_INDICATOR_VALUE
