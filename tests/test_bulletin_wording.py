"""What the 通报 says: wording that never contradicts its figures, the named items, the ranking, titles, quotes."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest

from db.ledger import set_meta
from db.queries import key_work_states
from db.rounds import get_round
from db.status import BEHIND, DONE, NOT_STARTED, NOT_SUBMITTED, ON_SCHEDULE, OVERDUE
from reports.content import model
from reports.content.bulletin import bulletin_content, opening, save_omitted_names
from reports.content.figures import (
    LATE,
    NONE,
    ON_TIME,
    PARTIAL,
    assignment_states,
    named_items,
    ranking_method,
    ranking_weights,
    reporting_by_unit,
    unit_standings,
)
from reports.content.wording import break_title, nest_quotes, text_width

CUTOFF = date(2024, 6, 30)
STATUS_ORDER = (DONE, ON_SCHEDULE, BEHIND, OVERDUE, NOT_STARTED, NOT_SUBMITTED)


@pytest.mark.parametrize("counts", list(itertools.product((0, 1, 4), repeat=6)), ids=lambda c: "-".join(map(str, c)))
def test_the_opening_never_contradicts_its_figures(counts):
    by_status = dict(zip(STATUS_ORDER, counts, strict=True))
    total = sum(counts)
    text = opening("全县", CUTOFF, by_status, total)
    done, on, behind, overdue, idle, silent = counts
    assert text.startswith("截至6月底，")
    if total == 0:
        assert "尚未登记" in text
        return
    assert f"{total}项重点工作" in text
    assert ("均未报送" in text) == (silent == total)
    assert ("全部完成" in text) == (done == total)
    if silent == total or done == total:
        assert "滞后" not in text and "偏慢" not in text and "顺利" not in text
        return
    # Every count that is not zero is stated with its own number; zero counts are not.
    for count, word in zip(counts, ("已完成", "序时推进", "进度滞后", "逾期未完成", "尚未启动"), strict=False):
        assert (f"{word}{count}项" in text) == bool(count)
    share = 100.0 * (done + on) / total
    assert f"占{share:.1f}%" in text
    verdicts = [v for v in ("总体进展顺利", "总体平稳有序", "总体进度偏慢") if v in text]
    assert verdicts == ["总体进展顺利" if share >= 80 else "总体平稳有序" if share >= 60 else "总体进度偏慢"]
    # "但仍有" follows only a good verdict; what lags is counted right; a slow verdict names a cause.
    assert ("但仍有" in text) == (share >= 60 and behind + overdue > 0)
    if behind + overdue:
        assert f"{behind + overdue}项工作进度滞后或逾期" in text
    else:
        assert "滞后或逾期" not in text
    if share < 60:
        assert "需加力推进" in text or "主要是" in text
    assert text.count("。") == 2 and "，。" not in text and "，，" not in text


def test_red_items_are_named_every_one_and_yellow_ones_in_a_shorter_list(demo_db):
    doc = bulletin_content(demo_db, "2024Q2")
    kws = key_work_states(demo_db, "2024Q2")
    red, yellow = named_items(kws)
    assert doc.figures["red"] == [k.number for k in red] and doc.figures["yellow"] == [k.number for k in yellow]
    # 未启动 after its start is red (the two demo items), behind beyond the red threshold too.
    assert {k.number for k in kws if k.result.status == NOT_STARTED and k.result.expected} <= set(doc.figures["red"])
    texts = [b.text for b in doc.blocks if isinstance(b, model.Para)]
    red_paras = [t for t in texts if re.match(r"\d+\. (第\d+项“|以下\d+项牵头单位未报送)", t)]
    unreported = [k for k in red if k.result.status == NOT_SUBMITTED]
    assert len(red_paras) == len(red) - len(unreported) + bool(unreported)
    for k in red:
        assert any(f"第{k.number}项“" in t for t in red_paras)
    yellow_para = next(t for t in texts if t.startswith(f"以下{len(yellow)}项重点工作亮黄灯"))
    for k in yellow:
        assert f"第{k.number}项" in yellow_para
    # The yellow list is the short one: no unit-by-unit detail.
    assert "滞后或未报送的责任单位" not in yellow_para


def test_a_lead_unit_that_did_not_report_is_a_red_item(demo_db):
    demo_db.execute(
        "DELETE FROM reports WHERE round_id = '2024Q3' AND assignment_id IN "
        "(SELECT a.id FROM assignments a JOIN key_works k ON k.id = a.key_work_id WHERE k.number = '1' AND a.role = '牵头')"
    )
    demo_db.conn.commit()
    doc = bulletin_content(demo_db, "2024Q3")
    assert "1" in doc.figures["red"]
    assert any("第1项" in b.text and "牵头单位未报送进展" in b.text for b in doc.blocks if isinstance(b, model.Para))


def test_the_office_can_leave_a_name_out_and_the_choice_is_kept_for_the_round(demo_db):
    first = bulletin_content(demo_db, "2024Q2").figures["red"]
    save_omitted_names(demo_db, "2024Q2", [first[0]])
    assert bulletin_content(demo_db, "2024Q2").figures["red"] == first[1:]
    save_omitted_names(demo_db, "2024Q2", [])
    assert bulletin_content(demo_db, "2024Q2").figures["red"] == first


def test_on_time_only_when_every_item_came_on_time(demo_db):
    round_row = get_round(demo_db, "2024Q2")
    states = assignment_states(key_work_states(demo_db, "2024Q2"))
    unit = next(s.unit_id for s in states if s.report)
    mine = [s for s in states if s.unit_id == unit]
    assert reporting_by_unit(mine, round_row["due_date"])[unit][0] in (ON_TIME, LATE)
    mine[0].report = None  # one item never came
    assert reporting_by_unit(mine, round_row["due_date"])[unit][0] == (PARTIAL if len(mine) > 1 else NONE)
    for s in mine:
        s.report = None
    assert reporting_by_unit(mine, round_row["due_date"])[unit][0] == NONE


def test_ranking_is_a_weighted_score_with_a_stated_method_and_tie_rule(demo_db):
    round_row = get_round(demo_db, "2024Q2")
    states = assignment_states(key_work_states(demo_db, "2024Q2"))
    standings = unit_standings(demo_db, states, round_row)
    scores = [u.score for u in standings]
    assert scores == sorted(scores, reverse=True)
    for a, b in itertools.pairwise(standings):
        if a.score == b.score:
            assert (a.lights.get("红", 0), a.unit) <= (b.lights.get("红", 0), b.unit)
    # A unit with nothing behind that reported late is not ranked below one with most of its work behind.
    for u in standings:
        for v in standings:
            if u.good == u.tasks and u.reporting == LATE and v.good_share < 50 and v.reporting == ON_TIME:
                assert u.rank < v.rank, (u.unit, v.unit)
    doc = bulletin_content(demo_db, "2024Q2")
    method = ranking_method({"progress": 60, "reporting": 20, "problems": 20})
    assert any(isinstance(b, model.Para) and b.text == method for b in doc.blocks)
    # Weights are the ledger's: with progress alone the ranking follows the on-schedule share.
    set_meta(demo_db, "ranking_weights", {"progress": 1, "reporting": 0, "problems": 0})
    alone = unit_standings(demo_db, states, round_row)
    shares = [u.good_share for u in alone]
    assert shares == sorted(shares, reverse=True)
    stated = ranking_method(ranking_weights(demo_db))
    assert "×100%" in stated
    assert any(isinstance(b, model.Para) and b.text == stated for b in bulletin_content(demo_db, "2024Q2").blocks)


def test_praise_names_the_units_with_everything_on_schedule_and_on_time(demo_db):
    doc = bulletin_content(demo_db, "2024Q2")
    praise = next(b.text for b in doc.blocks if isinstance(b, model.Para) and "予以表扬" in b.text)
    for unit in doc.figures["praised"]:
        assert unit in praise
    assert f"{len(doc.figures['praised'])}个单位" in praise


def test_problems_give_counts_per_unit_the_top_open_ones_and_the_full_list_in_an_annex(demo_db):
    set_meta(demo_db, "bulletin_top_problems", 3)
    doc = bulletin_content(demo_db, "2024Q2")
    heading = next(i for i, b in enumerate(doc.blocks) if isinstance(b, model.Heading) and b.text == "四、问题化解情况")
    section = doc.blocks[heading : heading + 12]
    holding = next(b.text for b in section if isinstance(b, model.Para) and b.text.startswith("未化解问题较多的单位"))
    assert re.search(r"（\d+个）", holding)
    top = [b for b in section if isinstance(b, model.Para) and re.match(r"（\d+）第", b.text)]
    assert len(top) == 3
    assert any(
        isinstance(b, model.Para) and f"共{doc.figures['problems']['open']}个，全部见附件2" in b.text for b in section
    )
    annexes = [b for b in doc.blocks if isinstance(b, model.Annex)]
    assert [a.label for a in annexes] == ["附件1", "附件2"]
    listed = doc.blocks[doc.blocks.index(annexes[1]) + 1 :]
    units = [b for b in listed if isinstance(b, model.Heading)]
    items = [b for b in listed if isinstance(b, model.Para) and re.match(r"\d+\. 第[\d、]+项：", b.text)]
    # A problem raised on several key works is one line naming them all: the key works add up.
    mentioned = sum(len(re.match(r"\d+\. 第([\d、]+)项", b.text).group(1).split("、")) for b in items)
    assert mentioned == doc.figures["problems"]["open"]
    assert sum(int(re.search(r"（(\d+)个）$", u.text).group(1)) for u in units) == mentioned


TITLES = {
    "季度": "关于2024年第一季度重点工作推进情况的通报",
    "半年": "关于2024年上半年重点工作推进情况的通报",
    "前三季度": "关于2024年前三季度重点工作推进情况的通报",
    "全年": "关于2024年度重点工作完成情况的总结",
    "40字": "关于示例县2024年优化营商环境和“两个健康”先行区建设重点工作推进情况的专项督查通报",
    "长": "关于进一步加快推进全县重点项目建设和扩大有效投资工作推进情况的通报",
}


@pytest.mark.parametrize("name", list(TITLES))
def test_titles_break_into_balanced_lines_at_word_boundaries(name):
    title = TITLES[name]
    lines = break_title(title)
    assert "".join(lines) == title
    assert all(text_width(line) <= 20 for line in lines)
    assert all(len(line) >= 2 for line in lines)
    for a, b in itertools.pairwise(lines):
        assert not re.search(r"\d$", a) or not re.match(r"[\d年]", b)
        assert not a.endswith(("关于", "和", "与", "及"))
    if len(lines) > 1:
        widths = [text_width(line) for line in lines]
        assert max(widths) - min(widths) <= 6
    if len(title) <= 19:
        assert lines == [title]


def test_a_word_is_never_split_across_title_lines():
    for title in TITLES.values():
        lines = break_title(title)
        breaks = list(itertools.accumulate(len(line) for line in lines[:-1]))
        for word in ("通报", "情况", "工作", "重点", "推进", "关于", "总结", "季度", "上半年", "两个健康", "2024年"):
            start = title.find(word)
            while start >= 0:
                assert not any(start < b < start + len(word) for b in breaks), (title, word, lines)
                start = title.find(word, start + 1)


def test_quotes_inside_quotes_become_single_quotes():
    assert nest_quotes("第2项“开展涉企问题“大走访””（牵头）") == "第2项“开展涉企问题‘大走访’”（牵头）"
    assert nest_quotes("实施“个转企”“小升规”") == "实施“个转企”“小升规”"
    assert nest_quotes("第7项“实施“个转企”“小升规”培育行动”") == "第7项“实施‘个转企’‘小升规’培育行动”"


def test_annual_summary_has_problems_and_plans_and_warns_while_the_year_is_open(demo_db):
    from reports.content.annual import annual_content

    doc = annual_content(demo_db, 2024)
    headings = [b.text for b in doc.blocks if isinstance(b, model.Heading) and b.level == 1]
    assert headings == ["一、总体完成情况", "二、各项重点工作完成情况", "三、存在问题", "四、下步打算"]
    # The demo's last round (2024Q3) is open: the first line of the document and the command line say so.
    assert isinstance(doc.blocks[0], model.Para) and "尚未关闭" in doc.blocks[0].text
    assert doc.warnings and "尚未关闭" in doc.warnings[0]
    problems = doc.blocks[doc.blocks.index(next(b for b in doc.blocks if getattr(b, "text", "") == "三、存在问题")) :]
    undone = [k for k in key_work_states(demo_db, "2024Q3") if k.result.status not in (DONE, ON_SCHEDULE)]
    assert any(f"等{len(undone)}项" in getattr(b, "text", "") for b in problems)
    assert any(f"{doc.figures['problems']['open']}个未化解" in getattr(b, "text", "") for b in problems)


def test_annual_summary_of_a_closed_year_has_no_warning(demo_db):
    from db.round_closing import close_round
    from reports.content.annual import annual_content

    close_round(demo_db, "2024Q3")
    doc = annual_content(demo_db, 2024)
    assert not doc.warnings and not any(getattr(b, "style", "") == "warning" for b in doc.blocks)


def test_the_command_line_warns_when_the_years_last_round_is_open(demo_path, tmp_path, capsys):
    from desktop.cli import main

    assert main(["--db", str(demo_path), "report", "annual", "--year", "2024", "--out", str(tmp_path / "a.pdf")]) == 0
    out = capsys.readouterr().out
    assert "注意：2024年最后一轮（2024年第三季度）尚未关闭" in out
