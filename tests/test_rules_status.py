"""The office's status, 序时进度, light and roll-up rules, each held at its edges (db.status).

Most cases use a task period of exactly 100 days (1 January – 9 April 2024) and a cut-off
on its 50th day, so that 序时进度 is 50.0 and "points behind" reads straight off the
reported 完成进度. Every case checks the whole judged result — status, light, 序时进度,
完成进度, points behind, overdue and due-soon milestones — not only the status word.
"""

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
    StatusResult,
    assignment_status,
    expected_progress,
    indicator_met,
    indicator_ratio,
    key_work_status,
    light_for_behind,
)

START = date(2024, 1, 1)
END = date(2024, 4, 9)  # the 100th day
PERIOD = (START, END)
CUTOFF = date(2024, 2, 19)  # the 50th day: 序时进度 50.0
DAY = timedelta(days=1)

PLAN_YEAR = (date(2024, 1, 1), date(2024, 12, 31))
MID_YEAR = date(2024, 6, 30)


def judge(percent, status=None, *, cutoff=CUTOFF, period=PERIOD, milestones=(), thresholds=LightThresholds()):
    """The rules' verdict on a unit that reported ``percent`` and ``status``."""
    return assignment_status(
        ReportFacts(percent, status), period=period, cutoff=cutoff, milestones=milestones, thresholds=thresholds
    )


def verdict(status, light, percent=None, behind=None, *, expected=50.0, overdue=(), due_soon=()):
    return StatusResult(status, light, expected, percent, behind, tuple(overdue), tuple(due_soon))


def milestone(due, done=None, phrase="节点"):
    return MilestoneFacts(due, done, phrase)


# --- 序时进度 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cutoff", "expected"),
    [
        pytest.param(START - DAY, 0.0, id="before the period: nothing is expected yet"),
        pytest.param(START, 1.0, id="first day counts as a whole day"),
        pytest.param(CUTOFF, 50.0, id="50th of 100 days"),
        pytest.param(END - DAY, 99.0, id="the day before the end"),
        pytest.param(END, 100.0, id="the last day: all of it"),
        pytest.param(END + DAY, 100.0, id="after the end: never more than 100"),
    ],
)
def test_expected_progress_is_the_elapsed_share_of_the_period_counting_whole_days(cutoff, expected):
    assert expected_progress(START, END, cutoff) == expected


@pytest.mark.parametrize(
    ("period", "cutoff", "expected"),
    [
        pytest.param(PLAN_YEAR, MID_YEAR, 49.7, id="30 June of a leap year: 182/366"),
        pytest.param((date(2023, 1, 1), date(2023, 12, 31)), date(2023, 6, 30), 49.6, id="30 June 2023: 181/365"),
        pytest.param((date(2024, 1, 1), date(2024, 1, 3)), date(2024, 1, 1), 33.3, id="one day of three"),
    ],
)
def test_expected_progress_is_rounded_to_one_decimal(period, cutoff, expected):
    assert expected_progress(*period, cutoff) == expected


# --- lights ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behind", "light"),
    [
        (None, GREEN),
        (0, GREEN),
        (9.9, GREEN),
        (10, YELLOW),
        (10.1, YELLOW),
        (29.9, YELLOW),
        (30, YELLOW),
        (30.1, RED),
        (100, RED),
    ],
)
def test_light_is_yellow_from_ten_points_behind_and_red_beyond_thirty(behind, light):
    assert light_for_behind(behind, LightThresholds()) == light


@pytest.mark.parametrize(
    ("stored", "thresholds"),
    [
        (None, LightThresholds(10.0, 30.0, 15)),
        ({}, LightThresholds(10.0, 30.0, 15)),
        ({"yellow_behind": 5}, LightThresholds(5, 30.0, 15)),
        ({"red_behind": 40}, LightThresholds(10.0, 40, 15)),
        ({"due_soon_days": 7}, LightThresholds(10.0, 30.0, 7)),
        ({"yellow_behind": 5, "red_behind": 20, "due_soon_days": 0}, LightThresholds(5, 20, 0)),
        ({"Yellow_Behind": 5, "red": 20, "due_soon": 3}, LightThresholds(10.0, 30.0, 15)),
    ],
)
def test_every_stored_threshold_setting_is_read_by_its_name_and_unknown_names_are_ignored(stored, thresholds):
    assert LightThresholds.from_dict(stored) == thresholds


def test_a_ledgers_own_thresholds_move_the_light_edges():
    strict = LightThresholds(yellow_behind=5, red_behind=15, due_soon_days=5)
    assert [light_for_behind(b, strict) for b in (4.9, 5, 15, 15.1)] == [GREEN, YELLOW, YELLOW, RED]
    assert judge(45, thresholds=strict) == verdict(BEHIND, YELLOW, 45, 5.0)
    assert judge(60, milestones=[milestone(CUTOFF + 5 * DAY)], thresholds=strict).light == YELLOW
    assert judge(60, milestones=[milestone(CUTOFF + 6 * DAY)], thresholds=strict).light == GREEN


# --- one unit's status -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "status", "judged"),
    [
        # 已完成: reported as done, or 完成进度 100.
        pytest.param(80, DONE, verdict(DONE, GREEN, 80, 0.0), id="says done at 80: done"),
        pytest.param(None, DONE, verdict(DONE, GREEN, 100.0, 0.0), id="says done without a figure: counts as 100"),
        pytest.param(100, None, verdict(DONE, GREEN, 100, 0.0), id="100 percent: done"),
        pytest.param(100, ON_SCHEDULE, verdict(DONE, GREEN, 100, 0.0), id="100 percent but says on schedule"),
        pytest.param(120, None, verdict(DONE, GREEN, 120, 0.0), id="over 100 percent: done"),
        # 序时推进 / 进度滞后 by points behind 序时进度 (50.0 here).
        pytest.param(60, None, verdict(ON_SCHEDULE, GREEN, 60, 0.0), id="ahead: on schedule, nothing behind"),
        pytest.param(50, None, verdict(ON_SCHEDULE, GREEN, 50, 0.0), id="exactly on 序时进度"),
        pytest.param(40.1, None, verdict(ON_SCHEDULE, GREEN, 40.1, 9.9), id="9.9 behind: on schedule"),
        pytest.param(40, None, verdict(BEHIND, YELLOW, 40, 10.0), id="10 behind: behind, yellow"),
        pytest.param(39.9, None, verdict(BEHIND, YELLOW, 39.9, 10.1), id="10.1 behind: yellow"),
        pytest.param(33.33, None, verdict(BEHIND, YELLOW, 33.33, 16.7), id="points behind rounded to one decimal"),
        pytest.param(20.1, None, verdict(BEHIND, YELLOW, 20.1, 29.9), id="29.9 behind: yellow"),
        pytest.param(20, None, verdict(BEHIND, YELLOW, 20, 30.0), id="30 behind: still yellow"),
        pytest.param(19.9, None, verdict(BEHIND, RED, 19.9, 30.1), id="30.1 behind: red"),
        pytest.param(45, ON_SCHEDULE, verdict(ON_SCHEDULE, GREEN, 45, 5.0), id="says on schedule and is"),
        pytest.param(30, ON_SCHEDULE, verdict(BEHIND, YELLOW, 30, 20.0), id="says on schedule but 20 behind"),
        pytest.param(5, ON_SCHEDULE, verdict(BEHIND, RED, 5, 45.0), id="says on schedule but 45 behind: red"),
        # The unit's own 进度滞后 always stands.
        pytest.param(60, BEHIND, verdict(BEHIND, YELLOW, 60, 0.0), id="says behind although ahead: yellow"),
        pytest.param(10, BEHIND, verdict(BEHIND, RED, 10, 40.0), id="says behind and 40 behind: red"),
        # 未启动: reported as not started, or no progress at all.
        pytest.param(0, None, verdict(NOT_STARTED, RED, 0, 50.0), id="zero percent: not started, red"),
        pytest.param(0, NOT_STARTED, verdict(NOT_STARTED, RED, 0, 50.0), id="says not started at zero"),
        pytest.param(30, NOT_STARTED, verdict(NOT_STARTED, YELLOW, 30, 20.0), id="says not started at 30"),
        pytest.param(0, ON_SCHEDULE, verdict(BEHIND, RED, 0, 50.0), id="says on schedule at zero: behind"),
        # A report without a figure: the unit's own word, 未启动 measured as zero progress.
        pytest.param(None, None, verdict(NOT_STARTED, RED, None, 50.0), id="empty report: not started"),
        pytest.param(None, NOT_STARTED, verdict(NOT_STARTED, RED, None, 50.0), id="says not started, no figure"),
        pytest.param(None, ON_SCHEDULE, verdict(ON_SCHEDULE, GREEN), id="says on schedule, no figure"),
        pytest.param(None, BEHIND, verdict(BEHIND, YELLOW), id="says behind, no figure"),
    ],
)
def test_status_and_light_of_one_units_report(percent, status, judged):
    assert judge(percent, status) == judged


def test_no_report_is_not_submitted_grey_and_not_the_same_as_not_started():
    missing = assignment_status(None, period=PERIOD, cutoff=CUTOFF)
    assert missing == verdict(NOT_SUBMITTED, GREY)
    assert judge(None, NOT_STARTED).status == NOT_STARTED


def test_not_started_without_a_figure_halfway_through_the_year_is_red():
    # The unit ticked 未启动 and typed no percentage: measured as zero progress against 序时进度.
    assert judge(None, NOT_STARTED, period=PLAN_YEAR, cutoff=MID_YEAR) == verdict(
        NOT_STARTED, RED, None, 49.7, expected=49.7
    )
    # On the first day of the period the same report is barely behind.
    assert judge(None, NOT_STARTED, cutoff=START) == verdict(NOT_STARTED, GREEN, None, 1.0, expected=1.0)


# --- 逾期 and due soon ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "done", "judged"),
    [
        pytest.param(CUTOFF - DAY, None, verdict(OVERDUE, RED, 60, 0.0, overdue=["节点"]), id="due the day before"),
        pytest.param(CUTOFF, None, verdict(ON_SCHEDULE, YELLOW, 60, 0.0, due_soon=["节点"]), id="due on the cut-off"),
        pytest.param(CUTOFF + DAY, None, verdict(ON_SCHEDULE, YELLOW, 60, 0.0, due_soon=["节点"]), id="due next day"),
        pytest.param(
            CUTOFF + 15 * DAY, None, verdict(ON_SCHEDULE, YELLOW, 60, 0.0, due_soon=["节点"]), id="in 15 days"
        ),
        pytest.param(CUTOFF + 16 * DAY, None, verdict(ON_SCHEDULE, GREEN, 60, 0.0), id="in 16 days: not yet"),
        pytest.param(CUTOFF - 9 * DAY, CUTOFF - DAY, verdict(ON_SCHEDULE, GREEN, 60, 0.0), id="met before"),
        pytest.param(CUTOFF - 9 * DAY, CUTOFF, verdict(ON_SCHEDULE, GREEN, 60, 0.0), id="met on the cut-off"),
        pytest.param(
            CUTOFF - 9 * DAY, CUTOFF + DAY, verdict(OVERDUE, RED, 60, 0.0, overdue=["节点"]), id="met after the cut-off"
        ),
        pytest.param(CUTOFF + 5 * DAY, CUTOFF, verdict(ON_SCHEDULE, GREEN, 60, 0.0), id="upcoming, met on the cut-off"),
        pytest.param(
            CUTOFF + 5 * DAY,
            CUTOFF + DAY,
            verdict(ON_SCHEDULE, YELLOW, 60, 0.0, due_soon=["节点"]),
            id="upcoming, met after the cut-off",
        ),
        pytest.param(None, None, verdict(ON_SCHEDULE, GREEN, 60, 0.0), id="milestone without a date"),
    ],
)
def test_a_milestone_is_overdue_strictly_before_the_cutoff_and_due_soon_within_fifteen_days(due, done, judged):
    assert judge(60, milestones=[milestone(due, done)]) == judged


def test_a_milestone_without_a_phrase_is_named_by_its_date():
    passed = milestone(date(2024, 2, 18), phrase="")
    coming = milestone(date(2024, 2, 25), phrase="")
    assert judge(60, milestones=[passed]).overdue == ("2024-02-18",)
    assert judge(60, milestones=[coming]).due_soon == ("2024-02-25",)


def test_overdue_lists_every_missed_milestone_and_still_shows_what_falls_due_soon():
    milestones = [milestone(CUTOFF - 30 * DAY, phrase="1月底前"), milestone(CUTOFF - DAY, phrase="2月18日")]
    milestones.append(milestone(CUTOFF + 10 * DAY, phrase="2月底前"))
    assert judge(30, milestones=milestones) == verdict(
        OVERDUE, RED, 30, 20.0, overdue=["1月底前", "2月18日"], due_soon=["2月底前"]
    )


@pytest.mark.parametrize(
    ("period_end", "judged"),
    [
        pytest.param(
            CUTOFF - DAY,
            verdict(OVERDUE, RED, 90, 10.0, expected=100.0, overdue=["2024-02-18 到期"]),
            id="ended the day before the cut-off: overdue",
        ),
        pytest.param(CUTOFF, verdict(BEHIND, YELLOW, 90, 10.0, expected=100.0), id="ends on the cut-off: not overdue"),
        pytest.param(CUTOFF + DAY, verdict(ON_SCHEDULE, GREEN, 90, 8.0, expected=98.0), id="ends the day after"),
    ],
)
def test_a_task_whose_period_ended_strictly_before_the_cutoff_is_overdue(period_end, judged):
    assert judge(90, period=(START, period_end)) == judged


def test_a_missed_milestone_names_the_overdue_work_instead_of_the_period_end():
    ended = (START, CUTOFF - DAY)
    result = judge(60, period=ended, milestones=[milestone(CUTOFF - 5 * DAY, phrase="2月中旬")])
    assert result.overdue == ("2月中旬",)


@pytest.mark.parametrize(
    ("percent", "status"),
    [(100, None), (80, DONE), (None, DONE)],
)
def test_done_work_is_never_overdue_nor_due_soon(percent, status):
    milestones = [milestone(CUTOFF - DAY), milestone(CUTOFF + DAY)]
    result = judge(percent, status, period=(START, CUTOFF - DAY), milestones=milestones)
    assert (result.status, result.light, result.overdue, result.due_soon) == (DONE, GREEN, (), ())


def test_due_soon_turns_any_lighter_light_yellow_and_never_lightens_a_red_one():
    soon = [milestone(CUTOFF + 3 * DAY)]
    assert judge(None, NOT_STARTED, cutoff=START, milestones=[milestone(START + 3 * DAY)]) == verdict(
        NOT_STARTED, YELLOW, None, 1.0, expected=1.0, due_soon=["节点"]
    )
    assert judge(None, ON_SCHEDULE, milestones=soon) == verdict(ON_SCHEDULE, YELLOW, due_soon=["节点"])
    assert judge(40, milestones=soon) == verdict(BEHIND, YELLOW, 40, 10.0, due_soon=["节点"])
    assert judge(10, milestones=soon) == verdict(BEHIND, RED, 10, 40.0, due_soon=["节点"])
    assert judge(0, milestones=soon) == verdict(NOT_STARTED, RED, 0, 50.0, due_soon=["节点"])


# --- a key work's roll-up ----------------------------------------------------------------

#: One unit's report in each state, by name (judged inside each test, so that the rule is measured there).
UNITS = {
    "overdue": lambda: judge(60, milestones=[milestone(CUTOFF - DAY)]),
    "behind, red": lambda: judge(10),
    "behind": lambda: judge(30),
    "not submitted": lambda: assignment_status(None, period=PERIOD, cutoff=CUTOFF),
    "not started": lambda: judge(None, NOT_STARTED),
    "on schedule, due soon": lambda: judge(60, milestones=[milestone(CUTOFF + DAY)]),
    "on schedule": lambda: judge(60),
    "done": lambda: judge(100),
}
#: Most serious first: 逾期 > 进度滞后 > 未报送 > 未启动 > 序时推进 > 已完成; the worse light breaks a tie.
SEVERITY = list(UNITS)


def test_a_key_work_with_a_lead_unit_takes_the_leads_status():
    lead = UNITS["on schedule"]()
    assert key_work_status([("责任", UNITS["behind, red"]()), ("牵头", lead), ("配合", UNITS["overdue"]())]) is lead
    silent = UNITS["not submitted"]()
    assert key_work_status([("牵头", silent), ("责任", UNITS["done"]())]) is silent
    assert key_work_status([]) is None


@pytest.mark.parametrize(
    ("first", "second", "rolled"),
    [
        ("on schedule", "behind", "behind"),
        ("behind", "on schedule", "behind"),
        ("overdue", "behind", "overdue"),
        ("behind", "overdue", "overdue"),
        ("done", "not started", "not started"),
    ],
)
def test_a_key_work_with_two_lead_units_is_as_far_along_as_the_worse_lead(first, second, rolled):
    # "X、Y牵头负责": both are leads; the other units do not count.
    leads = {first: UNITS[first](), second: UNITS[second]()}
    parts = [("牵头", leads[first]), ("牵头", leads[second]), ("责任", UNITS["not submitted"]())]
    assert key_work_status(parts) is leads[rolled]


@pytest.mark.parametrize(
    ("worse", "better"),
    [(SEVERITY[i], SEVERITY[j]) for i in range(len(SEVERITY)) for j in range(i + 1, len(SEVERITY))],
)
def test_a_key_work_without_a_lead_is_as_far_along_as_its_furthest_behind_unit(worse, better):
    worse_unit, better_unit = UNITS[worse](), UNITS[better]()
    assert key_work_status([("责任", better_unit), ("责任", worse_unit)]) is worse_unit
    assert key_work_status([("责任", worse_unit), ("责任", better_unit)]) is worse_unit


def test_one_township_overdue_and_another_behind_roll_up_as_overdue():
    townships = [("责任", UNITS["behind"]()), ("责任", UNITS["overdue"]()), ("责任", UNITS["on schedule"]())]
    assert key_work_status(townships).status == OVERDUE


# --- indicators --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "direction", "ratio", "met"),
    [
        # "新增480户": at least the target.
        pytest.param(480, 480, "at_least", 100.0, True, id="exactly on target"),
        pytest.param(480, 479, "at_least", 99.8, False, id="one short"),
        pytest.param(480, 240, "at_least", 50.0, False, id="half"),
        pytest.param(480, 500, "at_least", 104.2, True, id="over target"),
        pytest.param(3, 1, "at_least", 33.3, False, id="ratio rounded to one decimal"),
        pytest.param(1, 0, "at_least", 0.0, False, id="target 1, nothing done"),
        pytest.param(0, 0, "at_least", 100.0, True, id="target 0 and 0 done"),
        pytest.param(0, 0.5, "at_least", 100.0, True, id="target 0, something done"),
        pytest.param(0, -1, "at_least", 0.0, False, id="target 0, went backwards"),
        pytest.param(480, None, "at_least", None, None, id="no actual reported"),
        # "控制在35%以下": at most the target.
        pytest.param(35, 35, "at_most", 100.0, True, id="at most: exactly on target"),
        pytest.param(35, 20, "at_most", 100.0, True, id="at most: well under"),
        pytest.param(35, 36, "at_most", 97.2, False, id="at most: just over"),
        pytest.param(35, 70, "at_most", 50.0, False, id="at most: twice the limit"),
        pytest.param(0.5, 0.8, "at_most", 62.5, False, id="at most: small figures"),
        pytest.param(0, 2, "at_most", 0.0, False, id="at most zero, some"),
        pytest.param(35, None, "at_most", None, None, id="at most: no actual"),
    ],
)
def test_indicator_ratio_and_whether_it_is_met(target, actual, direction, ratio, met):
    assert indicator_ratio(target, actual, direction) == ratio
    assert indicator_met(target, actual, direction) is met


def test_indicator_direction_defaults_to_at_least():
    assert (indicator_ratio(480, 240), indicator_met(480, 240)) == (50.0, False)
    assert (indicator_ratio(480, 480), indicator_met(480, 480)) == (100.0, True)


def test_indicator_with_a_negative_at_most_target_never_divides_by_zero():
    ratio = indicator_ratio(-5, 0, "at_most")
    assert 0 <= ratio <= 100
    assert indicator_met(-5, 0, "at_most") is False
