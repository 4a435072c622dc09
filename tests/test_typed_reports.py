"""Reports the office types or corrects by hand: saved like an import, undone exactly."""

from __future__ import annotations

import pytest

from db.errors import DubanError, RoundClosedError
from db.typed_reports import (
    check_typed_report,
    parse_indicator_value,
    redo_typed_report,
    report_draft,
    report_snapshot,
    save_typed_report,
    undo_typed_report,
)


def _assignment(db, number: str, unit: str) -> int:
    return db.execute(
        "SELECT a.id FROM assignments a JOIN key_works k ON k.id = a.key_work_id JOIN units u ON u.id = a.unit_id "
        "WHERE k.number = ? AND u.name = ?",
        [number, unit],
    ).fetchone()[0]


def _problems(db, assignment_id: int) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT p.text FROM problems p JOIN assignments a ON a.key_work_id = p.key_work_id AND a.unit_id = p.unit_id "
            "WHERE a.id = ? ORDER BY p.id",
            [assignment_id],
        )
    ]


def test_draft_prefills_this_rounds_report_or_else_the_previous_rounds(demo_db):
    missing = _assignment(demo_db, "18", "县经济和信息化局")  # no 2024Q3 report in the demo
    draft = report_draft(demo_db, missing, "2024Q3")
    q2 = report_snapshot(demo_db, missing, "2024Q2")
    assert draft.prefilled_from == "2024Q2"
    assert draft.fields["progress_text"] == q2["progress_text"] and draft.fields["percent"] == q2["percent"]
    assert [i["name"] for i in draft.indicators] == ["制造业投资增速"]

    reported = _assignment(demo_db, "18", "县发展和改革局")
    current = report_draft(demo_db, reported, "2024Q3")
    assert current.prefilled_from == "current"
    assert current.fields["progress_text"] == report_snapshot(demo_db, reported, "2024Q3")["progress_text"]


def test_typed_report_is_recorded_like_an_import_and_undone_exactly(demo_db):
    aid = _assignment(demo_db, "18", "县经济和信息化局")
    problems_before = _problems(demo_db, aid)
    indicator = report_draft(demo_db, aid, "2024Q3").indicators[0]["id"]
    typed = save_typed_report(
        demo_db,
        aid,
        "2024Q3",
        {
            "progress_text": "电话报送：技改项目完成8个",
            "percent": 70,
            "reported_status": "序时推进",
            "problems": "部分企业融资困难",
            "reporter": "李四",
            "phone": "０５７７-1234567",
        },
        {indicator: 6.5},
    )
    after = report_snapshot(demo_db, aid, "2024Q3")
    assert typed.before is None and after["source"] == "typed" and after["indicators"] == {str(indicator): 6.5}
    assert after["phone"] == "0577-1234567"
    assert _problems(demo_db, aid) == [*problems_before, "部分企业融资困难"]
    logged = demo_db.execute(
        "SELECT COUNT(*) FROM audit_log WHERE table_name = 'reports' AND row_id = ? AND source = 'typed'",
        [str(after["id"])],
    ).fetchone()[0]
    assert logged == 1

    undo_typed_report(demo_db, typed, "gui-撤销")
    assert report_snapshot(demo_db, aid, "2024Q3") is None
    assert _problems(demo_db, aid) == problems_before
    redo_typed_report(demo_db, typed, "gui-撤销")
    assert report_snapshot(demo_db, aid, "2024Q3") == after
    assert _problems(demo_db, aid) == [*problems_before, "部分企业融资困难"]


def test_correcting_a_returned_report_sends_it_back_for_review_and_undo_restores_the_return(demo_db):
    from db.progress import review_report

    aid = _assignment(demo_db, "9", "县财政局")
    report_id = report_snapshot(demo_db, aid, "2024Q3")["id"]
    review_report(demo_db, report_id, "returned", "进度与上季度矛盾，请核实")
    before = report_snapshot(demo_db, aid, "2024Q3")
    typed = save_typed_report(demo_db, aid, "2024Q3", {"percent": 38.5, "progress_text": "更正：已完成38.5%"})
    corrected = report_snapshot(demo_db, aid, "2024Q3")
    assert corrected["review"] == "pending" and corrected["percent"] == 38.5
    assert corrected["reported_status"] == before["reported_status"]  # fields not typed stay as they were

    undo_typed_report(demo_db, typed, "gui-撤销")
    assert report_snapshot(demo_db, aid, "2024Q3") == before  # review, comment, time stamps and source too


def test_undo_refused_when_the_report_changed_again_since(demo_db):
    aid = _assignment(demo_db, "9", "县财政局")
    typed = save_typed_report(demo_db, aid, "2024Q3", {"percent": 30})
    save_typed_report(demo_db, aid, "2024Q3", {"percent": 31})
    with pytest.raises(DubanError, match="又被修改过"):
        undo_typed_report(demo_db, typed, "gui-撤销")
    assert report_snapshot(demo_db, aid, "2024Q3")["percent"] == 31


def test_closed_round_refused_and_nothing_written(demo_db):
    aid = _assignment(demo_db, "18", "县经济和信息化局")
    entries = demo_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    before = report_snapshot(demo_db, aid, "2024Q2")
    with pytest.raises(RoundClosedError, match="已关闭"):
        save_typed_report(demo_db, aid, "2024Q2", {"percent": 99, "problems": "新问题"})
    assert report_snapshot(demo_db, aid, "2024Q2") == before
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == entries


def test_form_rules_as_typed():
    ok = {"progress_text": "已完成招标", "reported_status": "序时推进", "percent": 45}
    assert check_typed_report(ok) == []
    assert check_typed_report({**ok, "progress_text": None}) == ["请填写进展情况。"]
    assert check_typed_report({**ok, "reported_status": "已完成"}) == ["推进状态选了“已完成”，完成进度应为 100。"]
    assert check_typed_report({**ok, "percent": 100}) == ["完成进度为 100 时，推进状态应选“已完成”。"]
    assert check_typed_report({**ok, "phone": "找老王"}) == ["联系电话只能包含数字和“-”。"]
    assert parse_indicator_value("１,２３４户", "新增个转企", "户") == 1234
    assert parse_indicator_value("  ", "新增个转企") is None
    with pytest.raises(DubanError, match="新增个转企"):
        parse_indicator_value("约五百", "新增个转企")
