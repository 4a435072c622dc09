"""Policy documents as text, .txt files and .docx: structure, units, deadlines, targets."""

from __future__ import annotations

import re

import pytest
from tasklist_fixtures import build_docx_from_text

from db.errors import DubanError
from reports.tasklist import read_task_list, read_task_text

SEED000 = "000_f87e8d34dac23662.txt"
SEED001 = "001_ae7af0a1f4e6655f.txt"


def _seed000_truth(text: str) -> dict[str, tuple[str, list[str]]]:
    """Lead and all units per task, read from the seed by a plain regex (independent of the reader)."""
    truth = {}
    for line in text.splitlines():
        m = re.match(r"^(\d+)\..*\((牵头单位|责任单位):(.*)\)$", line.strip())
        if not m:
            continue
        clause = m.group(2) + ":" + m.group(3)
        # Unit names are stored with one bracket style: 市纪委〈市监委〉 becomes 市纪委（市监委）.
        clause = clause.replace("〈", "（").replace("〉", "）")
        names = [n for n in re.split(r"[,、]|牵头单位:|责任单位:", clause) if n]
        truth[m.group(1)] = (names[0], names)
    return truth


def _check_seed000(draft, text):
    truth = _seed000_truth(text)
    assert len(truth) == 30
    assert len(draft.key_works) == 30
    assert draft.categories == ["推动非公有制经济人士健康成长", "推动非公有制经济健康发展"]
    assert [kw.number for kw in draft.key_works] == [str(n) for n in range(1, 31)]
    for kw in draft.key_works:
        lead, names = truth[kw.number]
        assert kw.lead_unit.name == lead, kw.number
        assert [u.name for u in kw.units] == names, kw.number
        assert [u.role for u in kw.units][1:] == ["责任"] * (len(names) - 1)
        assert kw.category == ("推动非公有制经济人士健康成长" if int(kw.number) <= 8 else "推动非公有制经济健康发展")
        assert kw.measures, kw.number
    assert draft.key_work("1").title == "大力弘扬新时代中国特色社会主义的企业家精神"
    assert draft.key_work("9").units[1].name == "市纪委（市监委）"
    assert draft.title == "温州市创建新时代“两个健康”发展先行区总体方案"


def test_seed000_text_gives_30_tasks_with_their_units(seeds_dir):
    text = (seeds_dir / SEED000).read_text(encoding="utf-8")
    draft = read_task_text(text, source_name=SEED000)
    _check_seed000(draft, text)
    # Web furniture and the 基本原则 list (numbered, but without units) are not tasks.
    assert not any("设为首页" in m for kw in draft.key_works for m in kw.measures)
    assert not any(kw.title.startswith("坚持目标导向") for kw in draft.key_works)


def test_seed000_as_docx_reads_the_same(seeds_dir, tmp_path):
    text = (seeds_dir / SEED000).read_text(encoding="utf-8")
    path = build_docx_from_text(tmp_path / "两个健康方案.docx", text)
    draft = read_task_list(path)
    assert draft.source_kind == "docx"
    _check_seed000(draft, text)


def test_seed000_as_gb18030_txt_with_crlf(seeds_dir, tmp_path):
    text = (seeds_dir / SEED000).read_text(encoding="utf-8")
    path = tmp_path / "方案.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    draft = read_task_list(path, year=2019)
    _check_seed000(draft, text)
    assert draft.year == 2019 and draft.year_source == "参数"


def test_seed001_body_paragraphs_stay_one_key_work_each_with_measures_carrying_their_units(seeds_dir):
    # Issue 12: a paragraph with several unit clauses stays one key work, keeps its title,
    # and each measure keeps the clause naming its own units (this test read one key work
    # per clause before).
    text = (seeds_dir / SEED001).read_text(encoding="utf-8")
    draft = read_task_text(text, source_name=SEED001)
    assert draft.title == "乐清市促进民营经济高质量发展若干举措"
    assert draft.doc_no == "乐政办发〔2023〕43号"
    assert draft.year == 2023
    # The flattened attachment table is not read as text: five paragraphs, five key works.
    assert [(kw.number, kw.title) for kw in draft.key_works] == [
        ("1", "提信心增预期"),
        ("2", "降门槛扩领域"),
        ("3", "真公平破隐性"),
        ("4", "拓市场促升级"),
        ("5", "优氛围增服务"),
    ]
    got = {kw.number: [(u.name, u.role) for u in kw.units] for kw in draft.key_works}
    assert got["1"][:3] == [("市经信局", "牵头"), ("市自然资源和规划局", "责任"), ("市税务局", "责任")]
    assert ("市委组织部", "责任") in got["1"] and ("市人力社保局", "责任") in got["1"]
    assert got["4"][:2] == [("市商务局", "牵头"), ("乐清湾临港经济开发区管委会", "责任")]
    assert got["5"][-2:] == [("市委统战部", "责任"), ("市工商联", "责任")]
    kw1 = draft.key_work("1")
    assert len(kw1.measures) == 4
    assert kw1.measures[1].startswith("深化“税地协作”") and "责任单位:市税务局" in kw1.measures[1]


WEB_COPY = """首页 > 政务公开 > 正文
【字体：大 中 小】 打印本页 关闭窗口
索引号
示例县2024年优化营商环境重点工作任务分工方案
一、提升政务服务效能
（一）深化“一件事”集成改革。6 月底前，完成企业开办“一件事”流程再造，全
县企业开办时间压缩至1个工作日以内（牵头单位：县政务服务中心；责任单位：县市场监管局、县税务局）
（二）推进“综合查一次”。12月底前，跨部门联合双随机监管实施率达30%以上（县司法局、县综合行政执法局等部门按职责分工负责）
二、强化要素保障
（三）保障用地需求。年底前，新增“个转企”480户。（县自然资源和规划局负责）（四）降低企业融资成本。诉前羁押率控制在35%以下，问题化解率达95%以上(牵头单位:县金融服务中心,责任单位:人行示例县支行、各乡镇（街道）)
（五）加强人才支撑。引进高层次人才20名以上。
打印本页
"""


def test_web_copy_is_repaired_and_every_clause_form_is_read():
    draft = read_task_text(WEB_COPY)
    assert draft.title == "示例县2024年优化营商环境重点工作任务分工方案"
    assert draft.year == 2024 and draft.year_source == "标题"
    assert [kw.number for kw in draft.key_works] == ["1", "2", "3", "4", "5"]
    assert draft.categories == ["提升政务服务效能", "强化要素保障"]
    kw1, kw2, kw3, kw4, kw5 = draft.key_works
    # A sentence broken over two lines is joined; the labelled clause gives lead and responsible units.
    assert kw1.targets == ["6 月底前，完成企业开办“一件事”流程再造，全县企业开办时间压缩至1个工作日以内"]
    assert [(i.name, i.target, i.unit, i.direction) for i in kw1.indicators] == [
        ("全县企业开办时间压缩", 1, "个工作日", "at_most")
    ]
    assert [(u.name, u.role) for u in kw1.units] == [
        ("县政务服务中心", "牵头"),
        ("县市场监管局", "责任"),
        ("县税务局", "责任"),
    ]
    assert [(m.phrase, m.due) for m in kw1.milestones] == [("6月底前", "2024-06-30")]
    assert [(u.name, u.role) for u in kw2.units] == [("县司法局", "牵头"), ("县综合行政执法局", "责任")]
    assert [(m.phrase, m.due) for m in kw2.milestones] == [("12月底前", "2024-12-31")]
    # "…负责）（四）…" glued on one line is split into two key works.
    assert [(u.name, u.role) for u in kw3.units] == [("县自然资源和规划局", "牵头")]
    assert kw4.title == "降低企业融资成本"
    assert [(u.name, u.all_townships) for u in kw4.units] == [
        ("县金融服务中心", False),
        ("人行示例县支行", False),
        ("各乡镇（街道）", True),
    ]
    assert [(i.name, i.target, i.unit, i.direction) for i in kw3.indicators] == [
        ("新增“个转企”", 480, "户", "at_least")
    ]
    assert [(i.name, i.target, i.unit, i.direction) for i in kw4.indicators] == [
        ("诉前羁押率", 35, "%", "at_most"),
        ("问题化解率", 95, "%", "at_least"),
    ]
    # An item without units among items with units is kept and flagged, not dropped.
    assert kw5.units == []
    assert any(f.kind == "no_units" and f.number == "5" for f in draft.flags())


def test_deadline_without_a_year_is_flagged_and_fixed_by_setting_the_year():
    draft = read_task_text(
        "一、重点任务\n1.完成方案制定。6月底前完成（县发改局负责）\n2.全面推开。年底前完成（县财政局负责）\n"
    )
    assert draft.year is None
    assert [f.kind for f in draft.flags()] == ["no_year"]
    draft.set_year(2025)
    assert [m.due for kw in draft.key_works for m in kw.milestones] == ["2025-06-30", "2025-12-31"]
    assert draft.flags() == []


def test_numbering_restarting_in_each_section_gets_section_prefixes():
    text = "一、甲类\n1.任务甲一（县发改局负责）\n2.任务甲二（县财政局负责）\n二、乙类\n1.任务乙一（县教育局负责）\n"
    draft = read_task_text(text, year=2024)
    assert [kw.number for kw in draft.key_works] == ["1.1", "1.2", "2.1"]
    assert [kw.category for kw in draft.key_works] == ["甲类", "甲类", "乙类"]


def test_text_without_any_numbered_item_is_refused():
    with pytest.raises(DubanError, match="找不到编号条目"):
        read_task_text("这是一段普通的新闻报道，没有任何编号条目。")


def test_json_round_trip_keeps_corrections():
    from reports.tasklist import Draft

    draft = read_task_text(WEB_COPY)
    draft.key_work("1").units[1].use_unit = "县市场监督管理局"
    draft.key_work("1").milestones[0].phrase = "9月底前"
    again = Draft.from_json(draft.dumps())
    assert again.key_work("1").units[1].use_unit == "县市场监督管理局"
    assert again.key_work("1").milestones[0].due == "2024-09-30"
    assert again.to_json()["key_works"][0]["lead_unit"] == "县政务服务中心"


def test_docx_with_the_attachment_table_reads_the_table(seeds_dir, tmp_path):
    from tasklist_fixtures import build_docx_table, expected_seed001, seed001_rows

    body = (seeds_dir / SEED001).read_text(encoding="utf-8").split("附件:")[0]
    rows = [r for r in seed001_rows() if r["number"] <= 6]
    draft = read_task_list(build_docx_table(tmp_path / "乐政办发〔2023〕43号.docx", rows=rows, body=body))
    expected = expected_seed001()
    assert (draft.title, draft.doc_no, draft.year, draft.year_source) == (
        "乐清市促进民营经济高质量发展若干举措",
        "乐政办发〔2023〕43号",
        2023,
        "文号",
    )
    assert [kw.number for kw in draft.key_works] == ["1", "2", "3", "4", "5", "6"]
    for kw in draft.key_works:
        want = expected[kw.number]
        assert (kw.lead_unit.name, [u.name for u in kw.units]) == (want["lead"], want["units"])
        assert (kw.leader, kw.liaison) == (want["leader"], want["liaison"])
    assert len(draft.key_work("3").measures) == 16
    assert any("正文中另有 16 处分工" in w for w in draft.warnings)
