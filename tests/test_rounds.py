"""Rounds: opening, closing freezes figures, refusing writes, explicit re-opening."""

from datetime import date

import pytest

from db.errors import DubanError, RoundClosedError
from db.progress import save_report
from db.queries import round_states, status_summary
from db.round_closing import close_round, reopen_round
from db.rounds import open_round, parse_round_id
from db.tasks import mark_milestone_done


@pytest.mark.parametrize(
    ("rid", "kind", "cutoff"),
    [
        ("2024Q1", "季度", date(2024, 3, 31)),
        ("2024q2", "季度", date(2024, 6, 30)),
        ("2024H1", "半年", date(2024, 6, 30)),
        ("2024Y", "年度", date(2024, 12, 31)),
        ("2024S1", "专项", None),
    ],
)
def test_round_ids(rid, kind, cutoff):
    assert parse_round_id(rid) == (int(rid[:4]), kind, cutoff)


@pytest.mark.parametrize("rid", ["2024Q5", "24Q1", "2024-Q1", "Q2", ""])
def test_malformed_round_ids_are_refused(rid):
    with pytest.raises(DubanError, match="格式不对"):
        parse_round_id(rid)


def test_special_round_needs_a_cutoff(demo_db):
    with pytest.raises(DubanError, match="截止日期"):
        open_round(demo_db, "2024S1")
    assert open_round(demo_db, "2024S1", date(2024, 8, 31))["kind"] == "专项"


def test_closed_round_status_does_not_change_when_later_data_arrives(demo_db):
    before = status_summary(demo_db, "2024Q2")
    states_before = [(s.assignment_id, s.status, s.light, s.result.percent) for s in round_states(demo_db, "2024Q2")]

    # Later data: a milestone recorded as met, the light thresholds changed, reports for
    # the open round, and a new unit on an old key work.
    milestone = demo_db.execute("SELECT id FROM milestones WHERE done_date IS NULL LIMIT 1").fetchone()[0]
    mark_milestone_done(demo_db, milestone, date(2024, 5, 1))
    from db.ledger import set_meta

    set_meta(demo_db, "light_thresholds", {"yellow_behind": 1, "red_behind": 2})
    for (aid,) in demo_db.execute("SELECT id FROM assignments LIMIT 20").fetchall():
        save_report(demo_db, aid, "2024Q3", {"percent": 100.0, "reported_status": "已完成"})
    demo_db.execute("DELETE FROM assignments WHERE id = (SELECT MAX(id) FROM assignments)")
    demo_db.conn.commit()

    assert status_summary(demo_db, "2024Q2") == before
    assert [
        (s.assignment_id, s.status, s.light, s.result.percent) for s in round_states(demo_db, "2024Q2")
    ] == states_before
    # ...while the open round does move.
    assert status_summary(demo_db, "2024Q3")["by_status"]["已完成"] >= 20


def test_reports_for_a_closed_round_are_refused(demo_db):
    aid = demo_db.execute("SELECT id FROM assignments LIMIT 1").fetchone()[0]
    with pytest.raises(RoundClosedError, match="已关闭"):
        save_report(demo_db, aid, "2024Q1", {"percent": 50.0})


def test_reopening_is_explicit_and_logged(demo_db):
    reopen_round(demo_db, "2024Q2")
    assert demo_db.execute("SELECT state FROM rounds WHERE id = '2024Q2'").fetchone()[0] == "open"
    log = demo_db.execute(
        "SELECT old_value, new_value, source FROM audit_log WHERE table_name = 'rounds' AND row_id = '2024Q2' "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert log[:2] == ("closed", "open") and "重新打开" in log[2]
    assert demo_db.execute("SELECT COUNT(*) FROM round_snapshots WHERE round_id = '2024Q2'").fetchone()[0] == 0
    close_round(demo_db, "2024Q2")
    assert demo_db.execute("SELECT COUNT(*) FROM round_snapshots WHERE round_id = '2024Q2'").fetchone()[0] > 0


def test_closing_twice_is_refused(demo_db):
    with pytest.raises(RoundClosedError):
        close_round(demo_db, "2024Q1")
    with pytest.raises(DubanError, match="已经存在"):
        open_round(demo_db, "2024Q3")


def test_demo_covers_every_status(demo_db):
    summary = status_summary(demo_db, "2024Q3")
    assert summary["state"] == "open"
    assert all(count > 0 for count in summary["by_status"].values()), summary["by_status"]
    assert sum(summary["by_status"].values()) == summary["assignments"]
    assert demo_db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == 30
    assert demo_db.execute("SELECT COUNT(*) FROM units WHERE kind = '乡镇街道'").fetchone()[0] == 8
    problems = demo_db.execute("SELECT SUM(state = 'open'), SUM(state = 'closed') FROM problems").fetchone()
    assert problems[0] > 0 and problems[1] > 0


def test_reported_work_cannot_be_deleted_but_fresh_work_can(demo_db):
    from db.tasks import add_key_work, assign, delete_key_work, remove_assignment

    reported = demo_db.execute("SELECT assignment_id FROM reports LIMIT 1").fetchone()[0]
    kw = demo_db.execute("SELECT key_work_id FROM assignments WHERE id = ?", [reported]).fetchone()[0]
    with pytest.raises(DubanError, match="已有填报"):
        remove_assignment(demo_db, reported)
    with pytest.raises(DubanError, match="已有填报"):
        delete_key_work(demo_db, kw)
    plan = demo_db.execute("SELECT id FROM plans").fetchone()[0]
    fresh = add_key_work(demo_db, plan, "99", "新增工作")
    aid = assign(demo_db, fresh, 1, "牵头")
    remove_assignment(demo_db, aid)
    delete_key_work(demo_db, fresh)
    assert demo_db.execute("SELECT COUNT(*) FROM key_works WHERE id = ?", [fresh]).fetchone()[0] == 0
