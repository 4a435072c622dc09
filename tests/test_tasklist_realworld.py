"""Task lists in shapes the readers were not written against: what a county office really sends."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from tasklist_fixtures import (
    INVESTMENT_NOTICE,
    build_breakdown_table,
    build_per_key_work,
    build_per_measure,
    build_staged_plan,
    build_village_docx,
)

from db.ledger import create_ledger
from db.plan_import import commit_draft
from reports.tasklist import read_task_list, read_task_text


def _units(kw):
    return [(u.name, u.role) for u in kw.units if not u.skip]


def _dates(kw):
    return [(m.phrase, m.due) for m in kw.milestones]


def _check_breakdown(draft):
    assert (draft.title, draft.year) == ("示例县2024年优化营商环境重点任务分解表", 2024)
    assert draft.categories == ["提升政务服务效能", "强化要素保障"]
    # Numbers restart in every section: cited as a person would, section first.
    assert [kw.number for kw in draft.key_works] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]
    assert not draft.warnings and not draft.unplaced
    kw = {k.number: k for k in draft.key_works}
    # “（牵头）” marks the lead inside the 牵头单位 column; the other name there is responsible.
    assert _units(kw["1.1"]) == [
        ("县政务服务中心", "牵头"),
        ("县市场监管局", "责任"),
        ("县人社局", "配合"),
        ("县税务局", "配合"),
    ]
    assert _units(kw["1.3"])[:2] == [("县发改局", "牵头"), ("县财政局", "责任")]
    assert kw["1.3"].units[2].all_townships
    assert len(kw["1.1"].measures) == 2 and _dates(kw["1.1"]) == [("2024年6月底前", "2024-06-30")]
    # A collective is not a unit: kept visible, left out, flagged.
    assert _units(kw["1.2"]) == [("县司法局", "牵头")]
    assert [f.detail for f in draft.flags() if f.kind == "collective"] == ["县直有关部门", "各商业银行"]
    # 牵头单位 and 完成时限 merged down over two tasks belong to both.
    assert _units(kw["2.2"]) == [("县自然资源和规划局", "牵头"), ("县财政局", "配合")]
    assert kw["2.2"].period_phrase == "2024年9月底前"
    assert ("年底前", "2024-12-31") in _dates(kw["2.2"]) and ("2024年第三季度前", "2024-09-30") in _dates(kw["2.2"])
    # Two names in 牵头单位 without a mark lead jointly; the task's two measure rows stay one task.
    assert _units(kw["2.3"]) == [("县金融服务中心", "牵头"), ("人行示例县支行", "牵头")]
    assert kw["2.3"].measures == ["落实普惠小微贷款支持政策。", "开展银企对接活动不少于4场。"]
    # No target column: number targets are read from the measures.
    assert [(i.name, i.target, i.unit) for i in kw["2.3"].indicators] == [("开展银企对接活动", 4, "场")]
    assert [(i.name, i.target, i.direction) for i in kw["1.2"].indicators] == [("跨部门联合检查比例", 30, "at_least")]


def test_breakdown_table_with_sections_restarting_numbers_and_shared_cells(tmp_path):
    _check_breakdown(read_task_list(build_breakdown_table(tmp_path / "任务分解表.xlsx")))


def test_breakdown_commit_leaves_collectives_out_and_reimports_unchanged(tmp_path):
    path = build_breakdown_table(tmp_path / "任务分解表.xlsx")
    db = create_ledger(tmp_path / "台账.db")
    result = commit_draft(db, read_task_list(path))
    assert result.counts["key_works"] == 6
    names = {r[0] for r in db.execute("SELECT name FROM units")}
    assert "县直有关部门" not in names and "各商业银行" not in names and "县市场监管局" in names
    again = commit_draft(db, read_task_list(path))
    assert (again.added, again.changed, again.removed) == ([], {}, [])
    db.close()


def test_notice_with_section_items_and_labelled_unit_clauses():
    draft = read_task_text(INVESTMENT_NOTICE)
    assert (draft.title, draft.doc_no, draft.year) == (
        "示例县2024年推进有效投资重点工作方案",
        "示政办发〔2024〕12号",
        2024,
    )
    assert draft.categories == ["重点任务", "保障措施"]
    kw = {k.number: k for k in draft.key_works}
    assert list(kw) == ["2.1", "2.2", "2.3", "3.1", "3.2"]
    assert kw["2.1"].title == "扩大重大项目投资"
    assert _units(kw["2.1"]) == [("县发改局", "牵头"), ("县交通运输局", "配合"), ("县水利局", "配合")]
    assert _units(kw["2.2"])[:2] == [("县经信局", "牵头"), ("县商务局", "责任")]
    assert kw["2.2"].units[2].all_townships and kw["2.2"].units[2].role == "配合"
    assert _dates(kw["2.1"]) == [("2024年6月底前", "2024-06-30")]
    assert _dates(kw["2.3"]) == [("9月底前", "2024-09-30")]
    assert ("工业投资", 10, "%") in [(i.name, i.target, i.unit) for i in kw["2.2"].indicators]
    # A 保障措施 item without units is kept and flagged, not given someone else's units.
    assert kw["3.1"].units == [] and any(f.kind == "no_units" and f.number == "3.1" for f in draft.flags())
    assert _units(kw["3.2"]) == [("县委县政府督查室", "牵头")]


def test_word_table_with_two_header_rows_section_rows_and_merged_cells(tmp_path):
    draft = read_task_list(build_village_docx(tmp_path / "乡村振兴清单.docx"))
    assert (draft.title, draft.year, draft.year_source) == ("示例县2024年乡村振兴重点任务清单", 2024, "标题")
    assert draft.categories == ["发展乡村产业", "建设宜居乡村"]
    kw = {k.number: k for k in draft.key_works}
    assert list(kw) == ["1", "2", "3", "4"]
    assert kw["1"].measures == ["新建高标准农田5000亩", "建设现代农业园区2个"]
    assert _units(kw["1"]) == [("县农业农村局", "牵头"), ("县财政局", "配合"), ("县自然资源和规划局", "配合")]
    # 牵头单位 merged down from task 1 over task 2.
    assert _units(kw["2"]) == [("县农业农村局", "牵头"), ("县文化广电旅游体育局", "配合")]
    assert _units(kw["3"])[:2] == [("县农业农村局", "牵头"), ("县卫生健康局", "牵头")]
    assert [_dates(kw[n]) for n in ("1", "4")] == [[("2024年10月底前", "2024-10-31")], [("2024年年底前", "2024-12-31")]]
    assert not draft.flags()


def test_deadlines_inside_measures_become_milestones_once(tmp_path):
    draft = read_task_list(build_staged_plan(tmp_path / "城建计划.xlsx"))
    kw1, kw2, kw3 = draft.key_works
    # "6月底前" in 时间节点 and "2024年6月底前" in a measure are one milestone of a 2024 plan.
    assert [m.due for m in kw1.milestones] == ["2024-06-30", "2024-12-31", "2024-09-30"]
    assert kw1.measures[2] == "每季度末报送改造进度。"
    assert [m.due for m in kw2.milestones] == ["2024-06-30", "2024-10-31"]
    assert _dates(kw3) == [("2024年第三季度前", "2024-09-30"), ("2024年11月20日前", "2024-11-20")]
    assert not [f for f in draft.flags() if f.kind == "deadline"]


def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice not installed")
def test_xls_saved_by_libreoffice_keeps_merged_cells_and_hidden_columns(tmp_path):
    from test_tasklist_excel import _assert_seed001

    sources = [
        build_breakdown_table(tmp_path / "任务分解表.xlsx"),
        build_per_measure(tmp_path / "每条举措一行.xlsx"),
        build_per_key_work(tmp_path / "隐藏列.xlsx", hidden_column=True),
    ]
    out = tmp_path / "xls"
    subprocess.run(
        [_soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls"]
        + ["--outdir", str(out)]
        + [str(p) for p in sources],
        check=True,
        capture_output=True,
        timeout=240,
    )
    breakdown, per_measure, hidden = (read_task_list(out / (p.stem + ".xls")) for p in sources)
    assert breakdown.source_kind == "xls"
    # Without merges 2.2 would have no lead and no deadline; without hidden columns the wrong units would be read.
    _check_breakdown(breakdown)
    _assert_seed001(per_measure)
    _assert_seed001(hidden)
