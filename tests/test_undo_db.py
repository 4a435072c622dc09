"""Undo at the ledger level (db.undo): do an edit, undo it, and the ledger is exactly as before.

The window's undo stack only calls these functions; what a clerk cares about — nothing lost,
nothing left behind, the same ids — is checked here on the demo ledger, table by table.
"""

from __future__ import annotations

import itertools

import pytest

from db import undo
from db.errors import DubanError
from db.problems import assign_problem, close_problem, reopen_problem
from db.rounds import open_round
from db.schema import UNIT_ID_TABLES
from db.tasks import add_indicator, add_key_work, add_milestone, assign, key_work_detail
from db.units import find_unit

SOURCE = "test"


def ledger_rows(db) -> dict[str, list[tuple]]:
    """Every row of every table but the audit log (which records the edit and its undo), in a stable order."""
    out = {}
    for table in db.table_names():
        if table in ("audit_log", "sqlite_sequence"):
            continue
        rows = db.execute(f"SELECT * FROM [{table}]").fetchall()
        out[table] = sorted(rows, key=repr)
    return out


def unit_id(db, name: str) -> int:
    found = find_unit(db, name)
    assert found is not None
    return found


def new_key_work(db) -> int:
    """A key work with everything that hangs off one, but no report yet (deletable)."""
    plan_id = db.execute("SELECT id FROM plans ORDER BY id LIMIT 1").fetchone()[0]
    kw = add_key_work(
        db,
        plan_id,
        "99",
        "新增一项测试工作",
        category="测试类",
        period_phrase="2024年",
        targets=["目标一", "目标二"],
        measures=["举措一"],
        plan_year=2024,
        source=SOURCE,
    )
    assign(db, kw, unit_id(db, "县财政局"), "牵头", "张三", "李四", SOURCE)
    assign(db, kw, unit_id(db, "城东街道"), "责任", source=SOURCE)
    add_milestone(db, kw, "6月底前", 2024, "完成方案", SOURCE)
    add_indicator(db, kw, "新增企业", 10, "家", "at_least", 2024, source=SOURCE)
    return kw


def test_deleting_a_key_work_and_undoing_it_restores_every_row_with_its_ids(demo_db):
    kw = new_key_work(demo_db)
    before = ledger_rows(demo_db)
    snapshot = undo.delete_key_work(demo_db, kw, SOURCE)
    assert demo_db.execute("SELECT COUNT(*) FROM assignments WHERE key_work_id = ?", [kw]).fetchone()[0] == 0
    undo.restore_key_work(demo_db, snapshot, SOURCE)
    assert ledger_rows(demo_db) == before


def test_a_key_work_with_reports_is_not_deleted(demo_db):
    reported = demo_db.execute(
        "SELECT a.key_work_id FROM reports r JOIN assignments a ON a.id = r.assignment_id LIMIT 1"
    ).fetchone()[0]
    before = ledger_rows(demo_db)
    with pytest.raises(DubanError):
        undo.delete_key_work(demo_db, reported, SOURCE)
    assert ledger_rows(demo_db) == before


def test_targets_and_measures_round_trip(demo_db):
    kw = new_key_work(demo_db)
    before = ledger_rows(demo_db)
    old = undo.key_work_texts(demo_db, kw)
    undo.set_key_work_texts(demo_db, kw, {"targets": ["只剩一个目标"], "measures": ["举措一", "举措二"]}, SOURCE)
    detail = key_work_detail(demo_db, kw)
    assert (detail["targets"], detail["measures"]) == (["只剩一个目标"], ["举措一", "举措二"])
    undo.set_key_work_texts(demo_db, kw, old, SOURCE)
    assert ledger_rows(demo_db) == before


def test_removing_an_assignment_and_undoing_it(demo_db):
    kw = new_key_work(demo_db)
    assignment_id = undo.assignment_of(demo_db, kw, unit_id(demo_db, "城东街道"))["id"]
    before = ledger_rows(demo_db)
    removed = undo.remove_assignment(demo_db, assignment_id, SOURCE)
    assert undo.assignment_of(demo_db, kw, unit_id(demo_db, "城东街道")) is None
    undo.restore_assignment(demo_db, removed, SOURCE)
    assert ledger_rows(demo_db) == before


def test_assigning_a_new_unit_and_changing_a_role_both_undo(demo_db):
    kw = new_key_work(demo_db)
    before = ledger_rows(demo_db)
    unit = unit_id(demo_db, "县教育局")
    created = undo.assignment_of(demo_db, kw, unit)
    assignment_id = assign(demo_db, kw, unit, "配合", source=SOURCE)
    deleted = undo.undo_assign(demo_db, assignment_id, created, SOURCE)
    assert ledger_rows(demo_db) == before
    # Redo puts the very same row back.
    undo.put_row_back(demo_db, "assignments", deleted, SOURCE)
    assert undo.assignment_of(demo_db, kw, unit)["id"] == assignment_id

    lead = unit_id(demo_db, "县财政局")
    changed_before = ledger_rows(demo_db)
    row = undo.assignment_of(demo_db, kw, lead)
    assign(demo_db, kw, lead, "责任", None, None, SOURCE)
    assert undo.undo_assign(demo_db, row["id"], row, SOURCE) is None
    assert ledger_rows(demo_db) == changed_before


def test_an_alias_added_and_taken_back(demo_db):
    unit = unit_id(demo_db, "县财政局")
    before = ledger_rows(demo_db)
    key = undo.add_alias(demo_db, unit, "县财政", SOURCE)
    assert find_unit(demo_db, "县财政") == unit
    undo.remove_alias(demo_db, unit, key, SOURCE)
    assert find_unit(demo_db, "县财政") is None
    assert ledger_rows(demo_db) == before


def test_merging_units_and_undoing_it_gives_every_row_back(demo_db):
    # 城东街道 holds assignments, reports, problems and frozen snapshots of closed rounds.
    keep, gone = unit_id(demo_db, "县商务局"), unit_id(demo_db, "城东街道")
    undo.add_alias(demo_db, gone, "城东办", SOURCE)
    held = {
        table: demo_db.execute(f"SELECT COUNT(*) FROM {table} WHERE unit_id = ?", [gone]).fetchone()[0]
        for table in UNIT_ID_TABLES
    }
    assert held["assignments"] and held["round_snapshots"] and held["unit_aliases"]
    before = ledger_rows(demo_db)
    merged = undo.merge_units(demo_db, keep, gone, SOURCE)
    assert find_unit(demo_db, "城东街道") == keep
    assert all(
        demo_db.execute(f"SELECT COUNT(*) FROM {table} WHERE unit_id = ?", [gone]).fetchone()[0] == 0
        for table in UNIT_ID_TABLES
    )
    undo.unmerge_units(demo_db, merged, SOURCE)
    assert ledger_rows(demo_db) == before
    assert find_unit(demo_db, "城东办") == gone


def test_every_table_holding_a_unit_id_is_declared(demo_db):
    with_unit_id = {
        table
        for table in demo_db.table_names()
        if table != "units" and "unit_id" in {c.name for c in demo_db[table].columns}
    }
    assert with_unit_id == set(UNIT_ID_TABLES)


def test_opening_a_round_is_undone_only_while_unused(demo_db):
    before = ledger_rows(demo_db)
    row = open_round(demo_db, "2024Q4", source=SOURCE)
    undo.unopen_round(demo_db, row, SOURCE)
    assert ledger_rows(demo_db) == before

    used = dict(next(iter(demo_db.query("SELECT * FROM rounds WHERE id = '2024Q3'"))))
    with pytest.raises(DubanError, match="不能撤销开启"):
        undo.unopen_round(demo_db, used, SOURCE)
    assert ledger_rows(demo_db) == before


def test_reviews_round_trip(demo_db):
    ids = [r[0] for r in demo_db.execute("SELECT id FROM reports WHERE round_id = '2024Q3' ORDER BY id LIMIT 3")]
    before = ledger_rows(demo_db)
    reviews_before = undo.review_reports(demo_db, ids, "returned", "请补充数据", SOURCE)
    assert {r[0] for r in demo_db.execute("SELECT review FROM reports WHERE id IN (?, ?, ?)", ids)} == {"returned"}
    undo.restore_reviews(demo_db, reviews_before, SOURCE)
    assert ledger_rows(demo_db) == before
    with pytest.raises(DubanError):
        undo.review_reports(demo_db, [], "accepted", None, SOURCE)


def test_a_problem_handed_over_and_closed_comes_back_as_it_was(demo_db):
    problem_id = demo_db.execute("SELECT id FROM problems WHERE state = 'open' LIMIT 1").fetchone()[0]
    before = ledger_rows(demo_db)
    old = assign_problem(demo_db, problem_id, "县发改局 王五", SOURCE)
    close_problem(demo_db, problem_id, "已协调解决", "2024-10-08", SOURCE)
    reopen_problem(demo_db, problem_id, SOURCE)
    assign_problem(demo_db, problem_id, old, SOURCE)
    assert ledger_rows(demo_db) == before


def test_each_undo_is_logged_with_its_source(demo_db):
    kw = new_key_work(demo_db)
    start = demo_db.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]
    snapshot = undo.delete_key_work(demo_db, kw, "gui")
    undo.restore_key_work(demo_db, snapshot, "gui-撤销")
    sources = [r[0] for r in demo_db.execute("SELECT source FROM audit_log WHERE id > ? ORDER BY id", [start])]
    assert [k for k, _ in itertools.groupby(sources)] == ["gui", "gui-撤销"]
