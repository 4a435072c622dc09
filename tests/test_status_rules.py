"""Every status rule and light threshold at its edges (db.status)."""

from datetime import date, timedelta

import pytest

from db.status import (
    BEHIND,
    DONE,
    GREEN,
    GREY,
    NOT_STARTED,
    NOT_SUBMITTED,
    ON_SCHEDULE,
    OVERDUE,
    RED,
    YELLOW,
    LightThresholds,
    MilestoneFacts,
    ReportFacts,
    assignment_status,
    expected_progress,
    indicator_met,
    indicator_ratio,
    key_work_status,
    light_for_behind,
)

YEAR = (date(2024, 1, 1), date(2024, 12, 31))
Q2 = date(2024, 6, 30)


def judge(percent, status=None, *, cutoff=Q2, period=YEAR, milestones=(), thresholds=LightThresholds()):
    return assignment_status(
        ReportFacts(percent, status), period=period, cutoff=cutoff, milestones=milestones, thresholds=thresholds
    )


def test_expected_progress_is_the_elapsed_share_of_the_period():
    assert expected_progress(*YEAR, date(2023, 12, 31)) == 0
    assert expected_progress(*YEAR, date(2024, 12, 31)) == 100
    assert expected_progress(*YEAR, date(2025, 3, 1)) == 100
    # 182 of 366 days of 2024 have passed at 30 June.
    assert expected_progress(*YEAR, Q2) == pytest.approx(49.7, abs=0.05)
    assert expected_progress(date(2023, 1, 1), date(2027, 12, 31), Q2) == pytest.approx(30.0, abs=0.05)


@pytest.mark.parametrize(
    ("behind", "light"),
    [(None, GREEN), (0, GREEN), (9.9, GREEN), (10, YELLOW), (20, YELLOW), (30, YELLOW), (30.1, RED), (80, RED)],
)
def test_light_thresholds_at_their_edges(behind, light):
    assert light_for_behind(behind, LightThresholds()) == light


def test_thresholds_are_configurable_per_ledger():
    strict = LightThresholds(yellow_behind=5, red_behind=15)
    assert light_for_behind(5, strict) == YELLOW
    assert light_for_behind(15.5, strict) == RED
    assert LightThresholds.from_dict({"red_behind": 40, "unknown": 1}).red_behind == 40


def test_no_report_is_not_submitted_and_not_the_same_as_not_started():
    missing = assignment_status(None, period=YEAR, cutoff=Q2)
    assert (missing.status, missing.light) == (NOT_SUBMITTED, GREY)
    assert judge(0, NOT_STARTED).status == NOT_STARTED


def test_done_by_status_or_by_full_percent():
    assert (judge(80, DONE).status, judge(80, DONE).light) == (DONE, GREEN)
    assert judge(100).status == DONE
    assert judge(100, ON_SCHEDULE).status == DONE


def test_behind_starts_exactly_at_ten_points_below_schedule():
    expected = expected_progress(*YEAR, Q2)
    just_ok = judge(round(expected - 9.9, 1))
    assert (just_ok.status, just_ok.light) == (ON_SCHEDULE, GREEN)
    behind = judge(expected - 10)
    assert (behind.status, behind.light) == (BEHIND, YELLOW)
    assert behind.behind == pytest.approx(10, abs=0.05)


def test_more_than_thirty_points_behind_is_red():
    expected = expected_progress(*YEAR, Q2)
    assert judge(expected - 30).light == YELLOW
    assert judge(expected - 30.5).light == RED
    assert judge(expected - 30.5).status == BEHIND


def test_ahead_of_schedule_is_on_schedule():
    result = judge(90)
    assert (result.status, result.light, result.behind) == (ON_SCHEDULE, GREEN, 0)


def test_a_unit_that_says_it_is_behind_is_behind_even_when_the_figure_looks_fine():
    result = judge(60, BEHIND)
    assert (result.status, result.light) == (BEHIND, YELLOW)


def test_milestone_passed_and_not_done_is_overdue_and_red():
    passed = MilestoneFacts(Q2 - timedelta(days=1), None, "6月29日前")
    result = judge(80, milestones=[passed])
    assert (result.status, result.light) == (OVERDUE, RED)
    assert result.overdue == ("6月29日前",)


def test_milestone_due_on_the_cutoff_day_is_not_yet_overdue_but_due_soon():
    today = MilestoneFacts(Q2, None, "6月底前")
    result = judge(60, milestones=[today])
    assert result.status == ON_SCHEDULE
    assert result.light == YELLOW


def test_milestone_met_on_time_or_before_the_cutoff_is_not_overdue():
    met = MilestoneFacts(date(2024, 5, 31), date(2024, 5, 30), "5月底前")
    assert judge(60, milestones=[met]).status == ON_SCHEDULE
    met_after_cutoff = MilestoneFacts(date(2024, 5, 31), date(2024, 7, 15), "5月底前")
    # Met later than this round's cut-off: at the cut-off it was still overdue.
    assert judge(60, milestones=[met_after_cutoff]).status == OVERDUE


@pytest.mark.parametrize(("days", "light"), [(0, YELLOW), (15, YELLOW), (16, GREEN)])
def test_due_within_fifteen_days_turns_yellow(days, light):
    milestone = MilestoneFacts(Q2 + timedelta(days=days), None, "节点")
    assert judge(60, milestones=[milestone]).light == light


def test_period_ended_before_cutoff_and_not_done_is_overdue():
    first_half = (date(2024, 1, 1), date(2024, 6, 30))
    result = judge(90, period=first_half, cutoff=date(2024, 9, 30))
    assert result.status == OVERDUE
    assert judge(100, period=first_half, cutoff=date(2024, 9, 30)).status == DONE


def test_done_work_is_never_overdue():
    passed = MilestoneFacts(date(2024, 3, 31), None, "3月底前")
    assert judge(100, milestones=[passed]).status == DONE


def test_not_started_against_elapsed_time_gets_a_light_by_points_behind():
    early = judge(0, NOT_STARTED, cutoff=date(2024, 1, 20))
    assert (early.status, early.light) == (NOT_STARTED, GREEN)
    late = judge(0, NOT_STARTED, cutoff=Q2)
    assert (late.status, late.light) == (NOT_STARTED, RED)


def test_report_without_a_figure_trusts_the_units_own_status():
    assert judge(None, ON_SCHEDULE).status == ON_SCHEDULE
    assert judge(None, ON_SCHEDULE).light == GREEN
    assert judge(None, BEHIND).status == BEHIND
    assert judge(None, None).status == NOT_STARTED


def test_key_work_takes_the_lead_units_status():
    lead = judge(90)
    other = judge(5)
    rolled = key_work_status([("牵头", lead), ("责任", other)])
    assert rolled.status == ON_SCHEDULE


def test_key_work_without_lead_is_as_far_along_as_its_worst_unit():
    parts = [("责任", judge(90)), ("责任", assignment_status(None, period=YEAR, cutoff=Q2)), ("责任", judge(10))]
    assert key_work_status(parts).status == BEHIND
    assert key_work_status([]) is None


def test_lead_not_reporting_makes_the_key_work_not_submitted():
    parts = [("牵头", assignment_status(None, period=YEAR, cutoff=Q2)), ("责任", judge(90))]
    assert key_work_status(parts).status == NOT_SUBMITTED


def test_indicator_ratio_respects_direction():
    assert indicator_ratio(480, 240) == 50
    assert indicator_ratio(480, 480) == 100
    assert indicator_ratio(480, None) is None
    # "控制在35%以下": staying under is fully met, going over lowers the ratio.
    assert indicator_ratio(35, 20, "at_most") == 100
    assert indicator_ratio(35, 70, "at_most") == 50
    assert indicator_met(35, 35, "at_most") is True
    assert indicator_met(35, 35.1, "at_most") is False
    assert indicator_met(95, 94.9) is False
    assert indicator_met(95, None) is None
