"""Committing drafts: one transaction, re-import updates the same plan, unit names never merged silently."""

from __future__ import annotations

import json

import pytest
from tasklist_fixtures import build_per_key_work, expected_seed001, seed001_rows

from db.errors import DubanError
from db.ledger import create_ledger, open_ledger
from db.plan_import import commit_draft, resolve_draft
from reports.tasklist import read_task_list, read_task_text

TABLES = (
    "plans",
    "categories",
    "key_works",
    "targets",
    "measures",
    "units",
    "unit_aliases",
    "assignments",
    "milestones",
    "indicators",
)


def _counts(db) -> dict[str, int]:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def fresh_db(tmp_path):
    db = create_ledger(tmp_path / "ledger.db")
    yield db
    db.close()


@pytest.fixture(scope="module")
def seed_xlsx(tmp_path_factory):
    return build_per_key_work(tmp_path_factory.mktemp("tl") / "任务清单.xlsx")


def test_first_import_writes_the_plan_with_leads(fresh_db, seed_xlsx):
    result = commit_draft(fresh_db, resolve_draft(fresh_db, read_task_list(seed_xlsx)))
    assert result.created_plan and len(result.added) == 32
    assert result.counts["key_works"] == 32 and result.counts["categories"] == 5
    leads = dict(
        fresh_db.execute(
            "SELECT k.number, u.name FROM assignments a JOIN key_works k ON k.id = a.key_work_id "
            "JOIN units u ON u.id = a.unit_id WHERE a.role = '牵头'"
        ).fetchall()
    )
    expected = expected_seed001()
    assert leads == {n: e["lead"] for n, e in expected.items()}
    leader = fresh_db.execute(
        "SELECT a.leader, a.liaison FROM assignments a JOIN key_works k ON k.id = a.key_work_id "
        "WHERE k.number = '1' AND a.role = '牵头'"
    ).fetchone()
    assert leader == ("陈宋淼", "林良卡")
    ind = fresh_db.execute(
        "SELECT target_value, measure_unit, direction, year FROM indicators WHERE name = '诉前羁押率'"
    ).fetchone()
    assert ind == (35.0, "%", "at_most", 2023)
    assert fresh_db.execute("SELECT start_date, end_date FROM key_works WHERE number = '1'").fetchone() == (
        "2023-01-01",
        "2027-12-31",
    )


def test_importing_the_same_file_twice_keeps_one_copy(fresh_db, seed_xlsx):
    commit_draft(fresh_db, read_task_list(seed_xlsx))
    before = _counts(fresh_db)
    draft = resolve_draft(fresh_db, read_task_list(seed_xlsx))
    assert draft.preview["plan_exists"] and len(draft.preview["unchanged"]) == 32
    again = commit_draft(fresh_db, draft)
    assert not again.created_plan
    assert (again.added, again.changed, again.removed, len(again.unchanged)) == ([], {}, [], 32)
    assert _counts(fresh_db) == before


def test_an_edited_version_reports_exactly_what_changed(fresh_db, seed_xlsx, tmp_path):
    commit_draft(fresh_db, read_task_list(seed_xlsx))
    rows = seed001_rows()
    for row in rows:
        if row["number"] == 5:
            row["title"] = "(五)强化金融要素保障"
        if row["number"] == 11:
            row["units"] += "、市审计局"
        if row["number"] == 20 and row["measures"]:
            row["measures"] = row["measures"][:-1]
        if row["number"] == 21:
            row["leader"] = "林新豹"
    rows = [r for r in rows if r["number"] != 32]
    rows.append(
        {
            **rows[-1],
            "number": 33,
            "category": "",
            "title": "(三十三)新增一项工作",
            "targets": ["新增目标"],
            "measures": ["1.新增举措"],
            "units": "市财政局",
        }
    )
    edited = build_per_key_work(tmp_path / "任务清单（修改版）.xlsx", rows=rows)
    result = commit_draft(fresh_db, read_task_list(edited))
    assert result.changed == {"5": ["名称"], "11": ["责任单位"], "20": ["落实举措"], "21": ["分管领导/联络员"]}
    assert result.added == ["33"] and result.removed == ["32"]
    assert len(result.unchanged) == 27
    assert fresh_db.execute("SELECT COUNT(*) FROM plans").fetchone()[0] == 1
    assert fresh_db.execute("SELECT title FROM key_works WHERE number = '5'").fetchone()[0] == "强化金融要素保障"


def test_a_removed_key_work_with_reports_is_kept(demo_db):
    text = "一、甲类\n1.任务一（县发展和改革局负责）\n2.任务二（县财政局负责）\n"
    draft = read_task_text(text, year=2024, plan_title="测试计划")
    commit_draft(demo_db, draft)
    assignment = demo_db.execute(
        "SELECT a.id FROM assignments a JOIN key_works k ON k.id = a.key_work_id JOIN plans p ON p.id = k.plan_id "
        "WHERE p.title = '测试计划' AND k.number = '2'"
    ).fetchone()[0]
    round_id = demo_db.execute("SELECT id FROM rounds WHERE state = 'open'").fetchone()[0]
    demo_db["reports"].insert({"assignment_id": assignment, "round_id": round_id, "progress_text": "已推进"})
    result = commit_draft(
        demo_db, read_task_text("一、甲类\n1.任务一（县发展和改革局负责）\n", year=2024, plan_title="测试计划")
    )
    assert result.kept == ["2"] and result.removed == []
    assert demo_db.execute("SELECT COUNT(*) FROM reports WHERE assignment_id = ?", [assignment]).fetchone()[0] == 1


def test_unknown_units_get_proposals_and_a_correction_becomes_an_alias(demo_db):
    text = "一、营商\n1.企业开办提速。6月底前完成（牵头单位：县市监局；责任单位：县卫生局、县经信局、各乡镇（街道））\n"
    draft = resolve_draft(demo_db, read_task_text(text, year=2024, plan_title="营商环境清单"))
    units = {u.name: u for u in draft.key_works[0].units}
    assert units["县市监局"].unit_id is None
    assert units["县市监局"].proposals[0] == "县市场监督管理局"
    assert units["县卫生局"].proposals[0] == "县卫生健康局"
    assert units["县经信局"].matched_name == "县经济和信息化局" and units["县经信局"].via_alias
    assert len(units["各乡镇（街道）"].township_names) == 8
    flagged = {f.detail for f in draft.flags() if f.kind == "unknown_unit"}
    assert flagged == {"县市监局", "县卫生局"}
    # Nothing is merged silently: without a correction, 'refuse' stops and writes nothing.
    before = _counts(demo_db)
    with pytest.raises(DubanError, match="县卫生局、县市监局"):
        commit_draft(demo_db, draft, new_units="refuse")
    assert _counts(demo_db) == before
    units["县市监局"].use_unit = "县市场监督管理局"
    units["县卫生局"].use_unit = "县卫生健康局"
    result = commit_draft(demo_db, draft, new_units="refuse")
    assert result.units_created == []
    assert sorted(result.aliases_added) == ["县卫生局 → 县卫生健康局", "县市监局 → 县市场监督管理局"]
    roles = demo_db.execute(
        "SELECT u.name, a.role FROM assignments a JOIN units u ON u.id = a.unit_id JOIN key_works k "
        "ON k.id = a.key_work_id JOIN plans p ON p.id = k.plan_id WHERE p.title = '营商环境清单'"
    ).fetchall()
    assert ("县市场监督管理局", "牵头") in roles and ("县卫生健康局", "责任") in roles
    assert len([r for r in roles if r[0].endswith(("镇", "乡", "街道"))]) == 8
    # The next import of the same wording resolves through the new aliases.
    again = resolve_draft(demo_db, read_task_text(text, year=2024, plan_title="营商环境清单"))
    assert [f for f in again.flags() if f.kind == "unknown_unit"] == []


def test_cancelling_from_progress_rolls_everything_back(fresh_db, seed_xlsx):
    before = _counts(fresh_db)

    def cancel(done, total, message):
        if done == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        commit_draft(fresh_db, read_task_list(seed_xlsx), progress=cancel)
    assert _counts(fresh_db) == before


def test_missing_year_blocks_commit_of_deadlines(fresh_db):
    draft = read_task_text("一、重点\n1.完成方案。6月底前完成（县发改局负责）\n")
    with pytest.raises(DubanError, match="--year"):
        commit_draft(fresh_db, draft)
    assert _counts(fresh_db)["plans"] == 0


def test_cli_dry_run_json_then_import(tmp_path, seed_xlsx, capsys):
    from desktop.cli import main

    ledger = tmp_path / "县台账.db"
    create_ledger(ledger).close()
    assert main(["--db", str(ledger), "import-tasks", str(seed_xlsx), "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["key_works"] == 32 and data["summary"]["categories"] == 5
    kw2 = data["key_works"][1]
    assert kw2["number"] == "2" and kw2["lead_unit"] == "市财政局"
    assert {"date", "phrase"} <= set(data["key_works"][5]["milestones"][0])
    assert open_ledger(ledger).execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == 0
    assert main(["--db", str(ledger), "import-tasks", str(seed_xlsx), "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert "重点工作 32 项" in out and "已新建计划" in out
    assert main(["--db", str(ledger), "import-tasks", str(seed_xlsx)]) == 0
    assert "未变 32 项" in capsys.readouterr().out


def test_cli_refuses_a_bad_file_with_one_chinese_line(tmp_path, capsys):
    from desktop.cli import main

    ledger = tmp_path / "县台账.db"
    create_ledger(ledger).close()
    bad = tmp_path / "清单.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["--db", str(ledger), "import-tasks", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "\n" not in err
    assert open_ledger(ledger).execute("SELECT COUNT(*) FROM plans").fetchone()[0] == 0


SAME_OFFICE_TWICE = (
    "一、平安建设\n"
    "1.整治电信诈骗。（牵头单位：市公安；责任单位：市财政局）\n"
    "2.守护校园安全。（牵头单位：市公安局；责任单位：县财政局）\n"
    "二、产业升级\n"
    "3.培育专精特新企业。（市经信局负责）\n"
    "4.推进数字化改造。（市经济和信息化局、市公安局负责）\n"
)


def test_two_new_names_for_one_office_are_proposed_to_each_other_never_merged(fresh_db):
    draft = resolve_draft(fresh_db, read_task_text(SAME_OFFICE_TWICE, year=2024, plan_title="平安与产业清单"))
    units = {u.name: u for kw in draft.key_works for u in kw.units}
    assert units["市公安"].proposals == ["市公安局"] and units["市公安局"].proposals == ["市公安"]
    assert units["市经信局"].similar_new == ["市经济和信息化局"]
    assert units["市经济和信息化局"].similar_new == ["市经信局"]
    # Two levels are two offices.
    assert units["市财政局"].similar_new == [] and units["县财政局"].similar_new == []
    same = [f for f in draft.flags() if f.kind == "same_unit"]
    assert [f.detail for f in same] == ["市公安|市公安局", "市经信局|市经济和信息化局"]
    assert "第 1 项" in same[0].message and "第 2、4 项" in same[0].message

    before = _counts(fresh_db)
    with pytest.raises(DubanError, match="市公安、市公安局"):
        commit_draft(fresh_db, draft, new_units="refuse")
    # Pointing each name at the other is refused, not resolved by guessing.
    units["市公安"].use_unit, units["市公安局"].use_unit = "市公安局", "市公安"
    with pytest.raises(DubanError, match="互相指定"):
        commit_draft(fresh_db, draft)
    assert _counts(fresh_db) == before

    # The person decides: 市公安 is 市公安局 (itself new); 市经信局 and 市经济和信息化局 are left undecided.
    units["市公安局"].use_unit = None
    assert [f.detail for f in draft.flags() if f.kind == "same_unit"] == ["市经信局|市经济和信息化局"]
    result = commit_draft(fresh_db, draft)
    assert "市公安" not in result.units_created and "市公安局" in result.units_created
    assert result.aliases_added == ["市公安 → 市公安局"]
    assert any("“市经信局”与“市经济和信息化局”可能是同一单位" in w for w in result.warnings)
    leads = fresh_db.execute(
        "SELECT k.number, u.name FROM assignments a JOIN key_works k ON k.id = a.key_work_id "
        "JOIN units u ON u.id = a.unit_id WHERE a.role = '牵头' ORDER BY k.number"
    ).fetchall()
    assert leads == [("1", "市公安局"), ("2", "市公安局"), ("3", "市经信局"), ("4", "市经济和信息化局")]
    assert fresh_db.execute("SELECT COUNT(*) FROM units WHERE name IN ('市公安', '市公安局')").fetchone()[0] == 1
