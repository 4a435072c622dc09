"""Plausibility warnings (issue 13): one test per rule at its threshold, storing them on the
report (待核实), clearing them with a note (核实无误, audited), and review following every change."""

from __future__ import annotations

import pytest

from db.errors import DubanError
from db.plausibility import RULES, clear_warnings, needs_checking, report_warnings, stored_warnings, unit_warnings
from db.progress import ReportEntry, report_row, review_report, save_report, save_reports
from db.rounds import previous_round

COUNT = {"name": "新增企业", "target_value": 480, "measure_unit": "户", "direction": "at_least"}
RATE = {"name": "化解率", "target_value": 95, "measure_unit": "%", "direction": "at_least"}
CEILING = {"name": "能耗", "target_value": 10, "measure_unit": "吨", "direction": "at_most"}


def codes(report, previous=None, indicators=None) -> list[str]:
    return [w["rule"] for w in report_warnings(report, previous, indicators or {})]


def test_every_rule_has_a_label_and_codes_are_unique():
    assert len({r.code for r in RULES}) == len(RULES)
    assert all(r.label for r in RULES)


def test_done_with_less_than_100():
    assert codes({"reported_status": "已完成", "percent": 80}) == ["done_not_full"]
    assert codes({"reported_status": "已完成", "percent": 99.9}) == ["done_not_full"]
    assert codes({"reported_status": "已完成", "percent": 100}) == []
    assert codes({"reported_status": "已完成", "percent": None}) == []


def test_100_without_done():
    assert codes({"reported_status": "序时推进", "percent": 100}) == ["full_not_done"]
    assert codes({"reported_status": "序时推进", "percent": 99.99}) == []
    assert codes({"reported_status": None, "percent": 100}) == []


def test_not_started_with_progress():
    assert codes({"reported_status": "未启动", "percent": 40}) == ["not_started_with_progress"]
    assert codes({"reported_status": "未启动", "percent": 0.5}) == ["not_started_with_progress"]
    assert codes({"reported_status": "未启动", "percent": 0}) == []


def test_percent_lower_than_last_round():
    last = {"percent": 55, "progress_text": "上轮"}
    assert codes({"percent": 40, "progress_text": "本轮"}, last) == ["percent_fell"]
    assert codes({"percent": 54.9, "progress_text": "本轮"}, last) == ["percent_fell"]
    assert codes({"percent": 55, "progress_text": "本轮"}, last) == []


def test_cumulative_indicator_lower_than_last_round_but_not_a_rate_or_a_ceiling():
    indicators = {1: COUNT, 2: RATE, 3: CEILING}
    last = {"indicators": {"1": 120, "2": 90, "3": 8}}
    assert codes({"indicators": {1: 119, 2: 80, 3: 5}}, last, indicators) == ["cumulative_fell"]
    assert codes({"indicators": {1: 120, 2: 80, 3: 5}}, last, indicators) == []


def test_field_blank_now_that_had_a_value():
    last = {
        "progress_text": "上轮进展",
        "percent": 30,
        "reported_status": "序时推进",
        "next_steps": "下步",
        "problems": "缺资金",
    }
    found = report_warnings(
        {"progress_text": "本轮", "percent": 40, "reported_status": None, "next_steps": ""}, last, {}
    )
    assert [(w["rule"], w["field"]) for w in found] == [
        ("field_cleared", "reported_status"),
        ("field_cleared", "next_steps"),
    ]
    # 存在问题 may be solved: its blank is no warning.
    assert codes({**last, "progress_text": "本轮", "problems": None}, last) == []
    assert codes({"indicators": {}}, {"indicators": {"1": 5}}, {1: COUNT}) == ["field_cleared"]


def test_text_identical_to_last_round():
    assert codes({"progress_text": " 已完成选址 "}, {"progress_text": "已完成选址"}) == ["same_as_last"]
    assert codes({"progress_text": "已完成选址。"}, {"progress_text": "已完成选址"}) == []
    assert codes({"progress_text": None}, {"progress_text": None}) == []


def test_indicator_more_than_ten_times_its_target():
    assert codes({"indicators": {1: 4801}}, None, {1: COUNT}) == ["over_target"]
    assert codes({"indicators": {1: 4800}}, None, {1: COUNT}) == []
    assert codes({"indicators": {3: 1000}}, None, {3: CEILING}) == []


# --- stored on the report, cleared with a note, review follows changes -------------------------


def first_assignment(db, round_id):
    """An assignment without a report in the round."""
    return db.execute(
        "SELECT a.id FROM assignments a WHERE NOT EXISTS "
        "(SELECT 1 FROM reports r WHERE r.assignment_id = a.id AND r.round_id = ?) ORDER BY a.id LIMIT 1",
        [round_id],
    ).fetchone()[0]


#: Every field whose blank would be flagged, so that only the rule under test speaks.
FULL = {"next_steps": "继续推进", "problems": None}


def rules_of(db, aid, round_id) -> list[str]:
    return [w["rule"] for w in stored_warnings(report_row(db, aid, round_id)) if w["rule"] != "percent_fell"]


def open_round(db):
    return db.execute("SELECT id FROM rounds WHERE state = 'open' ORDER BY cutoff DESC LIMIT 1").fetchone()[0]


def test_warnings_are_stored_shown_and_cleared_with_an_audited_note(demo_db):
    round_id = open_round(demo_db)
    aid = first_assignment(demo_db, round_id)
    save_report(demo_db, aid, round_id, {"progress_text": "已完成", "percent": 80, "reported_status": "已完成", **FULL})
    report = report_row(demo_db, aid, round_id)
    assert needs_checking(report)
    assert rules_of(demo_db, aid, round_id) == ["done_not_full"]
    assert any(item["assignment_id"] == aid for item in unit_warnings(demo_db, round_id))

    with pytest.raises(DubanError):
        clear_warnings(demo_db, report["id"], "  ")
    clear_warnings(demo_db, report["id"], "核实无误，尾款未结")
    report = report_row(demo_db, aid, round_id)
    assert not needs_checking(report) and report["warnings_note"] == "核实无误，尾款未结"
    assert demo_db.execute(
        "SELECT 1 FROM audit_log WHERE table_name = 'reports' AND row_id = ? AND field = 'warnings_note'",
        [str(report["id"])],
    ).fetchone()

    # A change that brings a new warning must be checked again; one that removes them all clears them.
    save_report(demo_db, aid, round_id, {"reported_status": "未启动"})
    report = report_row(demo_db, aid, round_id)
    assert needs_checking(report) and rules_of(demo_db, aid, round_id) == ["not_started_with_progress"]
    save_report(demo_db, aid, round_id, {"reported_status": "序时推进", "percent": 100})
    assert rules_of(demo_db, aid, round_id) == ["full_not_done"]
    save_report(demo_db, aid, round_id, {"reported_status": "已完成"})
    assert not needs_checking(report_row(demo_db, aid, round_id))


def test_approximate_value_is_a_warning_until_the_field_changes(demo_db):
    round_id = open_round(demo_db)
    aid = first_assignment(demo_db, round_id)
    note = (("percent", "“完成进度(%)”填的是约数“约55”，已按近似值读入，请核实"),)
    save_reports(
        demo_db,
        round_id,
        [
            ReportEntry(
                aid, {"progress_text": "推进中", "percent": 100, "reported_status": "已完成", **FULL}, approximate=note
            )
        ],
    )
    assert rules_of(demo_db, aid, round_id) == ["approximate"]
    save_report(demo_db, aid, round_id, {"progress_text": "推进中，已签约"})
    assert rules_of(demo_db, aid, round_id) == ["approximate"]
    save_report(demo_db, aid, round_id, {"progress_text": "已全部完成", "percent": 100.0 - 0})
    assert rules_of(demo_db, aid, round_id) == ["approximate"]
    save_report(demo_db, aid, round_id, {"percent": 99.5, "reported_status": "序时推进"})
    assert rules_of(demo_db, aid, round_id) == []


def test_lower_than_last_round_against_the_previous_rounds_report_whatever_its_review(demo_db):
    round_id = open_round(demo_db)
    prev = previous_round(demo_db, round_id)["id"]
    aid, last_percent = demo_db.execute(
        "SELECT r.assignment_id, r.percent FROM reports r WHERE r.round_id = ? AND r.percent > 10 "
        "AND NOT EXISTS (SELECT 1 FROM reports c WHERE c.assignment_id = r.assignment_id AND c.round_id = ?) LIMIT 1",
        [prev, round_id],
    ).fetchone()
    save_report(demo_db, aid, round_id, {"progress_text": "新进展", "percent": last_percent - 5})
    assert "percent_fell" in [w["rule"] for w in stored_warnings(report_row(demo_db, aid, round_id))]


def test_any_change_to_an_accepted_report_sends_it_back_to_review_naming_what_changed(demo_db):
    round_id = open_round(demo_db)
    aid = first_assignment(demo_db, round_id)
    save_report(demo_db, aid, round_id, {"progress_text": "完成三成", "percent": 30, "reported_status": "序时推进"})
    report = report_row(demo_db, aid, round_id)
    review_report(demo_db, report["id"], "accepted")
    save_report(demo_db, aid, round_id, {"percent": 100, "reported_status": "已完成"}, source="import")
    assert report_row(demo_db, aid, round_id)["review"] == "pending"
    source = demo_db.execute(
        "SELECT source FROM audit_log WHERE table_name = 'reports' AND row_id = ? AND field = 'review' "
        "AND old_value = 'accepted' AND new_value = 'pending'",
        [str(report["id"])],
    ).fetchone()[0]
    assert "完成进度" in source and "推进状态" in source
    # Saving the same values again changes nothing and leaves a new acceptance alone.
    review_report(demo_db, report["id"], "accepted")
    save_report(demo_db, aid, round_id, {"percent": 100, "reported_status": "已完成"})
    assert report_row(demo_db, aid, round_id)["review"] == "accepted"
