"""Unit names: normalisation, aliases, proposals, and no silent merging (db.units)."""

import pytest

from db.errors import DubanError
from db.ledger import create_ledger
from db.tasks import add_key_work, add_plan, assign
from db.units import (
    add_alias,
    add_unit,
    clean_unit_name,
    find_unit,
    guess_unit_kind,
    match_unit,
    merge_units,
    probably_same_unit,
    propose_units,
)


@pytest.fixture
def db(tmp_path):
    ledger = create_ledger(tmp_path / "u.db")
    yield ledger
    ledger.close()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (" 市发改局 ", "市发改局"),
        ("市　发改局", "市发改局"),
        ("*市人力社保局", "市人力社保局"),
        ("市国资委(国投集团)", "市国资委（国投集团）"),
        ("市国资委 （国投集团）", "市国资委（国投集团）"),
        ("市纪委〈市监委〉", "市纪委（市监委）"),
        ("ＡＢＣ科技局", "ABC科技局"),
        ("5G 产业办", "5G产业办"),
    ],
)
def test_clean_unit_name(raw, clean):
    assert clean_unit_name(raw) == clean


def test_township_kind_is_guessed_from_the_name():
    assert guess_unit_kind("城东街道") == "乡镇街道"
    assert guess_unit_kind("北山镇") == "乡镇街道"
    assert guess_unit_kind("白石乡") == "乡镇街道"
    assert guess_unit_kind("市发改局") == "部门"


def test_full_width_and_spaces_find_the_same_unit(db):
    unit_id = add_unit(db, "市国资委（国投集团）")
    assert find_unit(db, "市国资委 (国投集团)") == unit_id
    assert find_unit(db, "市国资委（国投集团）\u3000") == unit_id


def test_alias_resolves_once_it_is_declared(db):
    long_id = add_unit(db, "市经济和信息化局")
    assert find_unit(db, "市经信局") is None
    assert "市经济和信息化局" in propose_units(db, "市经信局")
    assert "市经济和信息化局" in propose_units(db, "经信局")
    add_alias(db, long_id, "市经信局")
    match = match_unit(db, "市经信局")
    assert match.unit_id == long_id and match.via_alias


def test_unknown_unit_is_never_matched_silently(db):
    add_unit(db, "市经济和信息化局")
    match = match_unit(db, "市经信局")
    assert match.unit_id is None
    assert match.proposals[0] == "市经济和信息化局"


def test_alias_that_already_names_another_unit_is_refused(db):
    a = add_unit(db, "市发展和改革局")
    add_unit(db, "市发改局")
    with pytest.raises(DubanError, match="合并"):
        add_alias(db, a, "市发改局")


def test_duplicate_unit_is_refused(db):
    add_unit(db, "城东街道")
    with pytest.raises(DubanError, match="已在台账中"):
        add_unit(db, " 城东 街道")


def test_merge_moves_assignments_and_keeps_the_old_name_as_alias(db):
    keep = add_unit(db, "市经济和信息化局")
    gone = add_unit(db, "市经信局")
    plan = add_plan(db, "计划", 2024)
    kw = add_key_work(db, plan, "1", "数字化改造")
    assign(db, kw, gone, "牵头")
    merge_units(db, keep, gone)
    assert find_unit(db, "市经信局") == keep
    assert db.execute("SELECT unit_id FROM assignments").fetchone()[0] == keep
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE field = 'merged_into'").fetchone()[0] == 1


def test_merge_refused_when_both_units_hold_the_same_key_work(db):
    keep = add_unit(db, "市经济和信息化局")
    gone = add_unit(db, "市经信局")
    plan = add_plan(db, "计划", 2024)
    kw = add_key_work(db, plan, "7", "数字化改造")
    assign(db, kw, keep, "牵头")
    assign(db, kw, gone, "责任")
    with pytest.raises(DubanError, match="第 7 项"):
        merge_units(db, keep, gone)
    assert db.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 2


def test_proposals_also_look_at_aliases(db):
    unit_id = add_unit(db, "县发展和改革局")
    add_alias(db, unit_id, "县发改局")
    assert propose_units(db, "县发改委")[0] == "县发展和改革局"


def test_offices_sharing_only_level_and_kind_are_not_proposed(db):
    add_unit(db, "县财政局")
    add_unit(db, "县市场监督管理局")
    add_unit(db, "城东街道")
    assert propose_units(db, "县行政审批局") == ()
    assert propose_units(db, "县市场监管局")[0] == "县市场监督管理局"
    assert propose_units(db, "城东街道办")[0] == "城东街道"


@pytest.mark.parametrize(
    ("name", "other", "same"),
    [
        ("市公安", "市公安局", True),  # the ending left off
        ("市经信局", "市经济和信息化局", True),  # the usual abbreviation
        ("经信局", "市经信局", True),  # the level left off
        ("城东街道办", "城东街道", True),
        ("市财政局", "县财政局", False),  # two levels, two offices
        ("市委", "市委办", False),  # each a whole name
        ("县行政审批局", "县财政局", False),  # only level and kind in common
        ("市财政局", "市财政局", False),  # one name is not two names for one office
    ],
)
def test_one_heuristic_says_when_two_names_probably_mean_one_office(name, other, same):
    assert probably_same_unit(name, other) is same
    assert probably_same_unit(other, name) is same


def test_the_registry_proposals_use_the_same_heuristic(db):
    add_unit(db, "县财政局")
    add_unit(db, "市委")
    assert propose_units(db, "市财政局") == ()
    assert propose_units(db, "市委办") == ()
    assert propose_units(db, "财政局") == ("县财政局",)
