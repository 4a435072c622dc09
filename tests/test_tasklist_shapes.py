"""Shapes of task lists offices really receive (issue 12): clauses, labels, fan-outs, deadlines,
pasted tables, PDF, Word numbering, column mapping, and the review's evidence.

Each document here is written for duban; the comment names the public document whose
shape it follows.
"""

from __future__ import annotations

import json

import pytest
from tasklist_accuracy import _table_text, _write_docx_numbered, _write_pdf, _write_xlsx

from db.deadlines import parse_deadline
from db.errors import DubanError
from db.ledger import create_ledger, open_ledger
from db.plan_import import commit_draft, resolve_draft
from reports.tasklist import read_task_list, read_task_text
from reports.tasklist.textparse import find_deadlines, read_clause


def _units(units):
    return [(u.name, u.role) for u in units if not u.skip]


# ----------------------------------------------------------------- unit clauses
@pytest.mark.parametrize(
    ("clause", "units"),
    [
        # 国发 分工意见: list + 按职责分工负责, the convention stated inside is not a unit.
        ("财政部、发展改革委按职责分工负责，列第一位者为牵头单位，下同", [("财政部", "牵头"), ("发展改革委", "责任")]),
        ("发展改革委牵头，财政部、商务部配合", [("发展改革委", "牵头"), ("财政部", "配合"), ("商务部", "配合")]),
        ("县教育局、县卫健局牵头负责", [("县教育局", "牵头"), ("县卫健局", "牵头")]),
        ("县安委办会同有关部门负责", [("县安委办", "牵头")]),
        ("由县住建局负责落实", [("县住建局", "牵头")]),
        ("人力资源社会保障部等有关部门和单位", [("人力资源社会保障部", "牵头")]),
        ("全国总工会等和各省级人民政府按职责分工负责", [("全国总工会", "牵头"), ("各省级人民政府", "责任")]),
        # 丽水: 分别牵头 under a 责任单位 label.
        ("责任单位：市人力社保局、市农业农村局分别牵头", [("市人力社保局", "牵头"), ("市农业农村局", "牵头")]),
        # 四川: an explanation after the full stop is not a unit.
        (
            "责任单位：省发展改革委、省商务厅按职责分工负责。具体任务均涉及相关市（州）人民政府，不再做分工，下同。",
            [("省发展改革委", "牵头"), ("省商务厅", "责任")],
        ),
    ],
)
def test_unit_clause_shapes(clause, units):
    read = read_clause(clause)
    assert read is not None
    assert _units(read[0]) == units


@pytest.mark.parametrize("text", ["含2个试点", "以下简称“方案”", "2023年", "列第一位者为牵头单位，下同", "长期坚持"])
def test_brackets_that_name_no_unit_are_not_clauses(text):
    assert read_clause(text) is None


def test_fan_outs_expand_and_vague_names_are_kept_as_notes():
    # 广州/西安/省级 fan-outs are every unit of that kind; 成员单位 and 有关部门 are never units.
    units, _deadlines, _leader, _ongoing, _strong = read_clause(
        "牵头单位：市城管局；责任单位：各区、县级市、各街办（新区）、各县（市、区）、爱卫会成员单位、市直有关部门"
    )
    assert [(u.name, u.all_townships, u.collective) for u in units] == [
        ("市城管局", False, False),
        ("各区、县级市", True, False),
        ("各街办（新区）", True, False),
        ("各县（市、区）", True, False),
        ("爱卫会成员单位", False, True),
        ("市直有关部门", False, True),
    ]
    assert all(u.skip for u in units if u.collective)


def test_deadline_and_leader_inside_a_clause_are_not_units():
    units, deadlines, leader, ongoing, _strong = read_clause(
        "责任领导：王副县长\n牵头单位：县投资促进中心\n责任单位：县经信局\n时间节点：2024年12月底前"
    )
    assert _units(units) == [("县投资促进中心", "牵头"), ("县经信局", "责任")]
    assert (deadlines, leader, ongoing) == (["2024年12月底前"], "王副县长", False)
    units, deadlines, _leader, ongoing, _strong = read_clause("县发改局负责，长期坚持")
    assert _units(units) == [("县发改局", "牵头")] and deadlines == [] and ongoing


# ------------------------------------------------------------------- deadlines
@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("力争9月投入使用", ["9月"]),
        ("2026年12月建成开放", ["2026年12月"]),
        ("三季度末完成主体封顶", ["三季度末"]),
        ("上半年上线运行", ["上半年"]),
        # A policy period is not a deadline; nor is the start of 自…起.
        ("2019年1月1日至12月31日，对新招用人员给予补贴", []),
        ("自2024年4月1日起，给予贴息支持", []),
    ],
)
def test_deadline_forms_in_text(text, phrases):
    assert [p for p, _s in find_deadlines(text)] == phrases


def test_new_deadline_phrases_read_as_dates():
    assert parse_deadline("年内", 2024).due.isoformat() == "2024-12-31"
    assert parse_deadline("年内完成", 2024).due.isoformat() == "2024-12-31"
    assert parse_deadline("9月", 2025).due.isoformat() == "2025-09-30"
    assert parse_deadline("持续推进", 2025).ongoing


def test_ongoing_work_is_recorded_as_ongoing_not_as_year_end():
    draft = read_task_text("一、任务\n1.规范中介服务收费。（县发改局负责，长期坚持）\n", year=2024)
    kw = draft.key_works[0]
    assert kw.milestones == [] and parse_deadline(kw.period_phrase, 2024).ongoing


# ------------------------------------------------------------------ documents
LABELLED = """示例区2023年重点工作任务分解
一、主要目标
1.地区生产总值增长6%左右。
牵头单位：区发改局
责任单位：城南经济开发区，各街道
2.推进政务服务一网通办。
牵头单位：区政务服务中心
责任单位：区直各有关部门
完成时限：2023年6月底前
"""


def test_label_lines_under_each_task():
    # 鞍山市立山区 2023 分工方案 shape: 牵头单位：/责任单位： lines under each item.
    draft = read_task_text(LABELLED)
    kw1, kw2 = draft.key_works
    assert _units(kw1.units) == [("区发改局", "牵头"), ("城南经济开发区", "责任"), ("各街道", "责任")]
    assert _units(kw2.units) == [("区政务服务中心", "牵头")]
    assert [f.detail for f in draft.flags() if f.kind == "collective"] == ["区直各有关部门"]
    assert [(m.phrase, m.due) for m in kw2.milestones] == [("2023年6月底前", "2023-06-30")]


def test_principles_attachments_and_end_matter_are_not_tasks():
    text = """示例县2024年工作方案
附件：1.任务清单
2.报表样式
一、基本原则
1.坚持统筹推进。加强顶层设计。
2.坚持问题导向。
二、重点任务
1.建设数字乡村。（县农业农村局负责）
2.推进智慧医疗。（县卫健局负责）
抄送：县委办公室。
示例县人民政府办公室 2024年3月1日印发
"""
    draft = read_task_text(text)
    assert [kw.title for kw in draft.key_works] == ["建设数字乡村", "推进智慧医疗"]


def test_a_number_glued_to_a_figure_is_the_next_item():
    text = "一、人才\n10.实施储备计划。（县委组织部负责）\n11.121人才梯队项目扩容。（县委人才办负责）\n"
    draft = read_task_text(text, year=2024)
    assert [(kw.number, kw.title) for kw in draft.key_works] == [("10", "实施储备计划"), ("11", "121人才梯队项目扩容")]


TABLE = {
    "titles": ["示例县2024年城市建设重点工作任务"],
    "header": ["序号", "工作任务", "牵头单位", "责任单位", "完成时限"],
    "rows": [
        ["1", "完成城区雨污分流改造8公里", "县住建局", "县城管局", "2024年10月底前"],
        ["2", "建成智慧停车平台", "县公安局", "", "2024年12月底前"],
    ],
}


@pytest.mark.parametrize("kind", ["txt_tab", "txt_bar", "txt_box", "txt_cells"])
def test_tables_pasted_as_text(kind):
    draft = read_task_text(_table_text(TABLE, kind))
    assert draft.title == "示例县2024年城市建设重点工作任务" and draft.year == 2024
    got = [
        (kw.title, kw.lead_unit.name, [u.name for u in kw.units], [m.due for m in kw.milestones])
        for kw in draft.key_works
    ]
    assert got == [
        ("完成城区雨污分流改造8公里", "县住建局", ["县住建局", "县城管局"], ["2024-10-31"]),
        ("建成智慧停车平台", "县公安局", ["县公安局"], ["2024-12-31"]),
    ]


def test_excel_headers_offices_use(tmp_path):
    # 兴庆区 民生十件实事 task breakdown: 民生实事 / 牵头责任单位 / "分 管 县领导".
    table = {
        "titles": ["示例县2025年民生实事项目清单"],
        "header": ["序号", "民生实事", "牵头责任单位", "配合单位", "完成时限", "分 管 县领导"],
        "rows": [["1", "新建停车泊位2000个", "县住建局", "县公安局", "2025年10月底前", "张某"]],
    }
    draft = read_task_list(_write_xlsx(tmp_path / "实事.xlsx", table))
    kw = draft.key_works[0]
    assert (kw.title, kw.lead_unit.name, kw.leader, kw.milestones[0].due) == (
        "新建停车泊位2000个",
        "县住建局",
        "张某",
        "2025-10-31",
    )


def test_unknown_header_needs_a_column_mapping(tmp_path):
    table = {
        "titles": ["示例镇2024年重点工作安排"],
        "header": ["项", "内容说明", "负责", "协同", "节点"],
        "rows": [["1", "建成镇级综合文化站", "镇文化站", "镇财政所", "2024年8月底前"]],
    }
    path = _write_xlsx(tmp_path / "安排.xlsx", table)
    with pytest.raises(DubanError, match="--columns"):
        read_task_list(path)
    draft = read_task_list(path, columns="任务=B,牵头单位=C,配合单位=D,完成时限=E")
    kw = draft.key_works[0]
    assert (kw.title, _units(kw.units), kw.milestones[0].due) == (
        "建成镇级综合文化站",
        [("镇文化站", "牵头"), ("镇财政所", "配合")],
        "2024-08-31",
    )
    with pytest.raises(DubanError, match="无法识别"):
        read_task_list(path, columns="题目=B")


def test_word_automatic_numbering_is_kept(tmp_path):
    path = _write_docx_numbered(
        tmp_path / "要点.docx",
        [
            [None, "示例县2024年平安建设工作要点"],
            [0, "提升基层治理能力"],
            [1, "完善网格化管理。（县委政法委牵头，各乡镇（街道）负责）"],
            [1, "推进矛盾纠纷多元化解。（县司法局负责）"],
        ],
    )
    draft = read_task_list(path)
    assert [(kw.number, kw.category, kw.title) for kw in draft.key_works] == [
        ("1", "提升基层治理能力", "完善网格化管理"),
        ("2", "提升基层治理能力", "推进矛盾纠纷多元化解"),
    ]


def test_pdf_with_a_text_layer_and_a_scan(tmp_path):
    text = "示例县2024年重点工作\n一、重点任务\n1.建设数字乡村，年底前完成试点。（县农业农村局负责）\n"
    draft = read_task_list(_write_pdf(tmp_path / "方案.pdf", text))
    assert draft.source_kind == "pdf"
    assert [(kw.title, kw.lead_unit.name, [m.due for m in kw.milestones]) for kw in draft.key_works] == [
        ("建设数字乡村，年底前完成试点", "县农业农村局", ["2024-12-31"])
    ]
    with pytest.raises(DubanError, match="扫描件") as refused:
        read_task_list(_write_pdf(tmp_path / "扫描.pdf", text, scanned=True))
    assert "\n" not in str(refused.value)


# -------------------------------------------------------------------- review
def test_evidence_marks_what_became_lead_units_and_deadline():
    draft = read_task_text("一、任务\n1.推进改造。6月底前完成。（县住建局牵头，县财政局配合）\n", year=2024)
    assert draft.key_works[0].annotated_source() == (
        "推进改造。[时限: 6月底前]完成。（[牵头: 县住建局]牵头，[配合: 县财政局]配合）"
    )


def test_key_works_without_units_need_a_confirmation(tmp_path, capsys):
    from desktop.cli import main

    ledger = tmp_path / "台账.db"
    create_ledger(ledger).close()
    source = tmp_path / "方案.txt"
    source.write_text(
        "示例县2024年工作方案\n一、任务\n1.建设数字乡村。（县农业农村局负责）\n2.加强宣传引导。\n", "utf-8"
    )
    assert main(["--db", str(ledger), "import-tasks", str(source)]) == 2
    captured = capsys.readouterr()
    assert "第 2 项没有读到责任单位" in captured.err and "--allow-unassigned" in captured.err
    assert "原文：加强宣传引导" in captured.out
    assert open_ledger(ledger).execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == 0
    assert main(["--db", str(ledger), "import-tasks", str(source), "--allow-unassigned"]) == 0
    assert open_ledger(ledger).execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == 2


def test_dry_run_without_a_ledger_lists_the_units_it_would_create(tmp_path, capsys):
    from desktop.cli import main

    source = tmp_path / "方案.txt"
    source.write_text("示例县2024年工作方案\n一、任务\n1.建设数字乡村。（县农业农村局牵头，县财政局配合）\n", "utf-8")
    assert main(["--db", str(tmp_path / "无.db"), "import-tasks", str(source), "--dry-run", "--evidence"]) == 0
    out = capsys.readouterr().out
    assert "将新建单位 2 个：县农业农村局、县财政局" in out
    assert "[牵头: 县农业农村局]" in out
    assert not (tmp_path / "无.db").exists()


def test_commit_refuses_unassigned_works_unless_allowed(tmp_path):
    fresh_db = create_ledger(tmp_path / "台账.db")
    draft = read_task_text(
        "一、任务\n1.建设数字乡村。（县农业农村局负责）\n2.加强宣传。\n", year=2024, plan_title="方案"
    )
    resolve_draft(fresh_db, draft)
    with pytest.raises(DubanError, match="第 2 项没有读到责任单位"):
        commit_draft(fresh_db, draft, allow_unassigned=False)
    result = commit_draft(fresh_db, draft, allow_unassigned=True)
    assert json.loads(json.dumps(result.to_json()))


def test_vague_names_and_unknown_fan_outs_stay_as_the_key_works_note(tmp_path):
    db = create_ledger(tmp_path / "台账.db")
    text = "一、任务\n1.开展爱国卫生运动。（牵头单位：市卫健委；责任单位：爱卫会成员单位、各县（市、区））\n"
    draft = resolve_draft(db, read_task_text(text, year=2024, plan_title="方案"))
    assert any(f.kind == "collective" for f in draft.flags())
    commit_draft(db, draft)
    note = db.execute("SELECT note FROM key_works").fetchone()[0]
    assert "爱卫会成员单位" in note and "各县（市、区）" in note
    units = [r[0] for r in db.execute("SELECT u.name FROM assignments a JOIN units u ON u.id = a.unit_id")]
    assert units == ["市卫健委"]


def test_ongoing_stated_alone_is_ongoing_but_a_verb_in_a_sentence_is_not():
    draft = read_task_text(
        "一、任务\n1.规范收费行为（长期坚持）。（县发改局负责）\n2.持续推进改革，完善制度。（县财政局负责）\n",
        year=2024,
    )
    assert [kw.period_phrase for kw in draft.key_works] == ["长期坚持", None]


def test_old_word_documents_are_converted_or_refused_with_one_sentence(tmp_path, monkeypatch):
    import shutil

    from reports.tasklist import reader

    # An OLE file with a WordDocument stream, as Word 97-2003 and WPS write .doc.
    fake = tmp_path / "方案.doc"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 600)
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(DubanError, match="另存为 .docx") as refused:
        reader.read_task_list(fake)
    assert "\n" not in str(refused.value)


def test_word_table_with_an_unknown_header_reads_with_a_column_mapping(tmp_path):
    from tasklist_accuracy import _write_docx_table

    table = {
        "titles": ["示例镇2024年重点工作安排"],
        "header": ["项", "内容说明", "负责", "协同", "节点"],
        "rows": [["1", "推进集镇污水管网改造", "镇建设办", "镇财政所", "2024年12月底前"]],
    }
    path = _write_docx_table(tmp_path / "安排.docx", table)
    with pytest.raises(DubanError, match="--columns"):
        read_task_list(path)
    draft = read_task_list(path, columns="任务=B,牵头单位=C,配合单位=D,完成时限=E")
    kw = draft.key_works[0]
    assert (kw.title, _units(kw.units), kw.milestones[0].due) == (
        "推进集镇污水管网改造",
        [("镇建设办", "牵头"), ("镇财政所", "配合")],
        "2024-12-31",
    )


def test_units_stated_once_for_the_tasks_below_apply_to_each():
    text = (
        "示例县2024年乡村建设方案\n以下各项任务均需各乡镇（街道）配合，不再一一列出。\n"
        "一、任务\n1.建设农村公路。（县交通运输局负责）\n2.改造农村危房。（县住建局负责）\n"
    )
    draft = read_task_text(text)
    assert [_units(kw.units) for kw in draft.key_works] == [
        [("县交通运输局", "牵头"), ("各乡镇（街道）", "配合")],
        [("县住建局", "牵头"), ("各乡镇（街道）", "配合")],
    ]


def test_a_clause_closing_an_items_sub_items_belongs_to_the_item():
    # 运城市 应急体系规划责任分解: （1）（2）（3） under an item, then （责任单位：…） on its own line.
    text = (
        "一、建设任务\n1.完善应急预案体系\n（1）加强预案管理。\n（2）推进预案修订。\n"
        "（责任单位：市应急管理局、各县（市、区）人民政府）\n"
        "2.健全应急管理体制\n（1）推进机构建设。\n（2）落实专职人员。\n（责任单位：市委编办）\n"
    )
    draft = read_task_text(text, year=2017)
    assert [(kw.title, _units(kw.units), len(kw.measures)) for kw in draft.key_works] == [
        ("完善应急预案体系", [("市应急管理局", "牵头"), ("各县（市、区）人民政府", "责任")], 2),
        ("健全应急管理体制", [("市委编办", "牵头")], 2),
    ]


@pytest.mark.parametrize(
    ("signature", "year"),
    [
        ("示例县人民政府办公室\n2023年5月10日", 2023),
        ("二〇二二年五月十日", 2022),
        ("示例县人民政府办公室 2021年3月1日印发", 2021),
    ],
)
def test_signature_dates_give_the_year_and_are_not_part_of_the_last_task(signature, year):
    draft = read_task_text(f"关于做好重点工作的通知\n一、任务\n1.完成方案。6月底前完成（县发改局负责）\n{signature}\n")
    kw = draft.key_works[0]
    assert draft.year == year and [m.due for m in kw.milestones] == [f"{year}-06-30"]
    assert kw.measures == ["6月底前完成"]


def test_paragraphs_without_numbers_that_name_units_are_key_works():
    draft = read_task_text(
        "示例县2024年为民办实事项目\n新建城区停车场3处，年底前投入使用。（县住建局负责）\n"
        "改造农村公路50公里。（县交通运输局牵头，各乡镇配合）\n这是一段说明文字。\n"
    )
    assert [(kw.title, _units(kw.units)) for kw in draft.key_works] == [
        ("新建城区停车场3处，年底前投入使用", [("县住建局", "牵头")]),
        ("改造农村公路50公里", [("县交通运输局", "牵头"), ("各乡镇", "配合")]),
    ]
    assert any("没有编号" in w for w in draft.warnings)


def test_a_table_pasted_one_cell_per_line_with_cells_of_several_lines():
    text = (
        "示例县2024年重点任务清单\n序号\n重点工作\n具体措施\n牵头单位\n责任单位\n完成时限\n"
        "1\n推进老旧小区改造\n1.完成12个小区改造\n2.同步建设养老设施\n县住建局\n县民政局\n2024年11月底前\n"
        "2\n建设智慧停车平台\n1.建成平台\n县公安局\n2024年12月底前\n"
    )
    draft = read_task_text(text)
    got = [(kw.title, kw.measures, _units(kw.units), [m.due for m in kw.milestones]) for kw in draft.key_works]
    assert got == [
        (
            "推进老旧小区改造",
            ["完成12个小区改造", "同步建设养老设施"],
            [("县住建局", "牵头"), ("县民政局", "责任")],
            ["2024-11-30"],
        ),
        ("建设智慧停车平台", ["建成平台"], [("县公安局", "牵头")], ["2024-12-31"]),
    ]


def test_a_pdf_with_an_opening_password_is_refused_saying_so(tmp_path):
    import pypdf

    plain = _write_pdf(tmp_path / "方案.pdf", "一、任务\n1.建设数字乡村。（县农业农村局负责）\n")
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt("secret")
    locked = tmp_path / "加密.pdf"
    writer.write(str(locked))
    with pytest.raises(DubanError, match="密码"):
        read_task_list(locked)
