"""Bugs found by walking the whole cycle as the office clerk and the township clerks do."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import openpyxl
from test_exchange_helpers import ROUND, columns, data_rows, fill, ledger_dump, set_saved_at, unit_id

from db.review import review_unit
from desktop.cli import main
from reports.exchange.handoff import export_handoff
from reports.exchange.importing import import_returns


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def progress_of(db, aid: int) -> str | None:
    row = db.execute("SELECT progress_text FROM reports WHERE assignment_id = ? AND round_id = ?", [aid, ROUND])
    found = row.fetchone()
    return found[0] if found else None


def type_progress(path, saved_at: datetime, text: str, other: dict[str, object] | None = None) -> int:
    """Type into the first row's 进展情况 (and other columns), set the save time; return its assignment id."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    aid, row = next(iter(data_rows(ws).items()))
    col = columns(ws)
    ws.cell(row, col["进展情况"]).value = text
    for header, value in (other or {}).items():
        ws.cell(row, col[header]).value = value
    wb.save(path)
    set_saved_at(path, saved_at)
    return aid


def test_stale_copy_of_the_first_handoff_does_not_overwrite_the_return_of_the_second(demo_db, tmp_path):
    """After a send-back the office exports again; an old draft of the first handoff arrives last."""
    town = unit_id(demo_db, "南湖镇")
    [first] = export_handoff(demo_db, ROUND, [town], tmp_path / "first")
    draft = tmp_path / "first_draft.xlsx"
    shutil.copy(first.path, draft)
    start = datetime(2024, 10, 5, 9, 0)
    aid = type_progress(first.path, start, "第一次报送")
    [res] = import_returns(demo_db, [first.path])
    assert res.applied
    review_unit(demo_db, ROUND, town, "returned", "请补充数据")

    [second] = export_handoff(demo_db, ROUND, [town], tmp_path / "second")
    type_progress(second.path, start + timedelta(days=3), "按退回意见修改后的最新进展")
    [res] = import_returns(demo_db, [second.path])
    assert res.applied
    # A draft of the first handoff saved between the two returns: older than the latest one.
    type_progress(draft, start + timedelta(days=1), "第一份表的旧草稿")

    before = ledger_dump(demo_db)
    [res] = import_returns(demo_db, [draft])
    assert res.needs_force and not res.applied
    assert "可能是旧文件" in res.notice and "--force" in res.notice
    assert ledger_dump(demo_db) == before
    assert progress_of(demo_db, aid) == "按退回意见修改后的最新进展"

    [res] = import_returns(demo_db, [draft], force=True)
    assert res.applied
    assert progress_of(demo_db, aid) == "第一份表的旧草稿"


def test_indicator_changes_and_rejections_name_the_indicator(demo_path, tmp_path, capsys):
    db = str(demo_path)
    code, _out, _err = run(
        capsys, "--db", db, "export-handoff", "--round", ROUND, "--unit", "城东街道", "--out", str(tmp_path)
    )
    assert code == 0
    [path] = tmp_path.glob("*.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = columns(ws)
    rows = data_rows(ws)
    # Key work 7 of 城东街道 has the indicator 新增个转企 (target 480 户).
    row = next(r for r in rows.values() if str(ws.cell(r, col["任务编号"]).value) == "7")
    ws.cell(row, col["指标：新增个转企（目标480户）"]).value = "２８户"
    other = next(r for r in rows.values() if str(ws.cell(r, col["任务编号"]).value) == "2")
    ws.cell(other, col["指标：涉企问题化解率（目标95%）"]).value = "大部分"
    wb.save(path)

    code, out, _err = run(capsys, "--db", db, "import-returns", "--dry-run", str(path))
    assert "指标：新增个转企 （空） → 28" in out
    assert "indicator:" not in out
    assert "“指标：涉企问题化解率”应填数字，收到的是“大部分”" in out
    assert "请把拒绝原因告诉城东街道，改正后重新报送" in out


def test_spaces_typed_inside_the_reporters_name_are_not_a_change(demo_db, tmp_path):
    [handoff] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城东街道")], tmp_path)
    wb = openpyxl.load_workbook(handoff.path)
    ws = wb.worksheets[0]
    assert ws["B2"].value == "朱丹"
    ws["B2"] = "  朱  丹 "
    wb.save(handoff.path)
    before = ledger_dump(demo_db)
    [res] = import_returns(demo_db, [handoff.path])
    assert res.counts["unchanged"] == handoff.rows
    assert ledger_dump(demo_db) == before


def test_dry_run_does_not_promise_to_import_the_same_file_twice(demo_db, tmp_path):
    [handoff] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "南湖镇")], tmp_path / "out")
    type_progress(handoff.path, datetime(2024, 10, 5, 9, 0), "新进展")
    forwarded = tmp_path / "微信" / "2024Q3_南湖镇_填报表(1).xlsx"
    forwarded.parent.mkdir()
    shutil.copy(handoff.path, forwarded)
    results = import_returns(demo_db, [handoff.path, forwarded], dry_run=True)
    assert [r.duplicate for r in results] == [False, True]
    assert "内容完全相同，只会导入一次" in results[1].notice
    applied = import_returns(demo_db, [handoff.path, forwarded])
    assert [r.applied for r in applied] == [True, False]


def test_batch_and_closed_round_messages_say_what_to_do(demo_path, tmp_path, capsys):
    db = str(demo_path)
    code, out, _err = run(capsys, "--db", db, "import-batches")
    assert code == 0 and "还没有导入过填报表" in out and "duban import-returns" in out
    code, _out, err = run(capsys, "--db", db, "undo-import", "77")
    assert code == 2 and "duban import-batches" in err

    run(capsys, "--db", db, "export-handoff", "--round", ROUND, "--unit", "南湖镇", "--out", str(tmp_path))
    [path] = tmp_path.glob("*.xlsx")
    type_progress(path, datetime(2024, 10, 5, 9, 0), "新进展")
    run(capsys, "--db", db, "import-returns", str(path))
    code, out, _err = run(capsys, "--db", db, "import-batches")
    assert "T" not in out.split("\n")[2]  # the first batch's line: times as 2024-10-05 09:00:00
    code, out, _err = run(capsys, "--db", db, "undo-import", "1")
    assert code == 0
    code, _out, err = run(capsys, "--db", db, "undo-import", "1")
    assert code == 2 and "撤销过，无需再撤销" in err and "T" not in err.split("撤销过")[0].split("已于")[1]

    # Issue 13: closing with reports still 待审核 needs the clerk's --force.
    run(capsys, "--db", db, "round", "close", ROUND, "--force")
    code, out, _err = run(capsys, "--db", db, "import-returns", str(path))
    assert code == 2 and f"duban round reopen {ROUND}" in out


# --------------------------------------------------------------------------- task lists in

PASTED = """示例县2024年优化营商环境重点任务
一、提升政务服务
1. 深化“一网通办”改革，6月底前实现高频事项全程网办。（牵头单位：县发展和改革局，责任单位：县财政局）
2.推进“一件事”集成办理。（县发展和改革局、县市场监督管理局等部门按职责分工负责）
二、降低企业成本
（一）落实减税降费政策，全年为企业减负
5亿元。（县税务局负责）
打印本页 关闭窗口
"""


def test_pasted_item_numbered_unlike_the_others_is_kept_and_flagged():
    from reports.tasklist import read_task_text

    draft = read_task_text(PASTED)
    titles = [kw.title for kw in draft.key_works]
    assert len(titles) == 3
    tax = next(kw for kw in draft.key_works if kw.title.startswith("落实减税降费政策"))
    assert tax.category == "降低企业成本"
    assert [u.name for u in tax.units] == ["县税务局"]
    assert any("编号形式（（一））与其他重点工作（1.）不同" in w for w in draft.warnings)


def test_pasted_text_from_stdin_reaches_the_ledger(demo_path, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(PASTED))
    code, out, _err = run(capsys, "--db", str(demo_path), "import-tasks", "-")
    assert code == 0
    assert "新增 3 项" in out


def test_exported_ledger_reimported_keeps_recorded_deadlines_and_indicator_values(demo_db, tmp_path, capsys):
    """Re-importing export-ledger's workbook keeps the milestones marked done and the indicator values recorded."""
    from db.plan_import import commit_draft
    from reports.ledger_export import export_ledger
    from reports.tasklist import read_task_list

    path = tmp_path / "台账.xlsx"
    export_ledger(demo_db, path)
    draft = read_task_list(path)
    # Its title row names the plan, so it lands on the same plan without --plan-title.
    assert (draft.title, draft.year) == ("示例县2024年重点工作任务清单", 2024)

    def recorded():
        done = demo_db.execute("SELECT id, done_date FROM milestones WHERE done_date IS NOT NULL ORDER BY id")
        actuals = demo_db.execute("SELECT report_id, indicator_id, value FROM indicator_actuals ORDER BY 1, 2")
        return done.fetchall(), actuals.fetchall()

    before = recorded()
    assert before[0] and before[1]
    indicators = demo_db.execute("SELECT COUNT(*) FROM indicators").fetchone()[0]
    title = demo_db.execute("SELECT title FROM plans").fetchone()[0]
    draft.title, draft.year = title, 2024
    first = commit_draft(demo_db, draft)
    assert not first.added and not first.removed
    assert recorded() == before
    # Renamed by the list's own wording, not doubled: at most a few new ones where the ledger had none.
    assert demo_db.execute("SELECT COUNT(*) FROM indicators").fetchone()[0] <= indicators + 2
    again = commit_draft(demo_db, read_task_list(path, plan_title=title, year=2024))
    assert not again.changed and len(again.unchanged) == 30


def test_list_without_title_is_refused_with_the_next_step(demo_path, tmp_path, capsys):
    import openpyxl
    import sqlite_utils

    from reports.ledger_export import export_ledger

    path = tmp_path / "台账.xlsx"
    db = sqlite_utils.Database(demo_path)
    export_ledger(db, path)
    db.close()
    # A clerk's own list: the same table with its title row deleted.
    wb = openpyxl.load_workbook(path)
    for merged in list(wb["台账"].merged_cells.ranges):
        wb["台账"].unmerge_cells(merged.coord)
    wb["台账"].delete_rows(1)
    wb.save(path)
    code, _out, err = run(capsys, "--db", str(demo_path), "import-tasks", str(path))
    assert code == 2
    assert "--plan-title" in err and "示例县2024年重点工作任务清单" in err


# --- issue 13: what leaders read must be what units reported ----------------------------------


def _next_round(db) -> str:
    """Close 2024Q3 with its reports still 待审核 (as in the issue) and open 2024Q4."""
    from db.round_closing import close_round, open_business
    from db.rounds import open_round

    assert not open_business(db, ROUND).empty
    close_round(db, ROUND, force=True)
    open_round(db, "2024Q4")
    return "2024Q4"


def _row_of(ws, number: str) -> int:
    col = columns(ws)
    return next(r for r in data_rows(ws).values() if str(ws.cell(r, col["任务编号"]).value) == number)


def test_an_untouched_handoff_reports_nothing_and_the_unit_stays_missing(demo_db, tmp_path):
    from db.board import missing_units

    new_round = _next_round(demo_db)
    town = unit_id(demo_db, "城东街道")
    [handoff] = export_handoff(demo_db, new_round, [town], tmp_path)
    ws = openpyxl.load_workbook(handoff.path).worksheets[0]
    col = columns(ws)
    # Key work 28 in the issue: its reference must be 2024Q3's report (待审核), not 2024Q2's accepted one.
    row = _row_of(ws, "28")
    # White cells start empty; last round's report, whatever its review state, is the reference.
    for header in ("进展情况", "完成进度(%)", "推进状态", "存在问题", "下步计划"):
        assert all(ws.cell(r, col[header]).value in (None, "") for r in data_rows(ws).values()), header
    assert str(ws.cell(row, col["上轮进展（参考）"]).value).startswith(f"【{ROUND}·")
    figures = ws.cell(row, col["上轮完成情况（参考）"]).value
    last = demo_db.execute(
        "SELECT percent, review FROM reports WHERE round_id = ? AND assignment_id = ?",
        [ROUND, next(a for a, r in data_rows(ws).items() if r == row)],
    ).fetchone()
    assert (
        f"完成进度 {last[0]:g}%" in figures
        and {"pending": "待审核", "accepted": "已审核", "returned": "退回"}[last[1]] in figures
    )

    [res] = import_returns(demo_db, [handoff.path])
    assert not res.applied and res.counts["blank"] == handoff.rows
    counted = demo_db.execute(
        "SELECT COUNT(*) FROM reports r JOIN assignments a ON a.id = r.assignment_id WHERE a.unit_id = ? AND r.round_id = ?",
        [town, new_round],
    ).fetchone()[0]
    assert counted == 0
    assert town in {m["unit_id"] for m in missing_units(demo_db, new_round)}


def test_township_mode_counts_a_row_filled_only_when_this_rounds_values_are_entered(demo_db, tmp_path):
    from db.ledger import open_ledger
    from reports.exchange.township import open_handoff

    new_round = _next_round(demo_db)
    [handoff] = export_handoff(demo_db, new_round, [unit_id(demo_db, "南湖镇")], tmp_path)
    opened = open_handoff(tmp_path / "township.duban", handoff.path)
    assert opened["prefilled"] == 0
    township = open_ledger(tmp_path / "township.duban")
    assert township.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 0


def test_a_lazy_return_copied_from_last_round_is_flagged(demo_db, tmp_path, capsys):
    new_round = _next_round(demo_db)
    town = unit_id(demo_db, "北山镇")
    [handoff] = export_handoff(demo_db, new_round, [town], tmp_path)
    ws = openpyxl.load_workbook(handoff.path).worksheets[0]
    aid = next(iter(data_rows(ws)))
    last = demo_db.execute(
        "SELECT progress_text, percent, reported_status FROM reports WHERE round_id = ? AND assignment_id = ?",
        [ROUND, aid],
    ).fetchone()
    fill(handoff.path, {aid: {"progress_text": last[0], "percent": last[1], "reported_status": last[2]}})
    [res] = import_returns(demo_db, [handoff.path], dry_run=True)
    [row] = [r for r in res.rows if r.assignment_id == aid]
    assert "进展情况与上轮相同" in row.warnings
    [res] = import_returns(demo_db, [handoff.path])
    assert res.applied
    code, out, _err = run(capsys, "--db", demo_db_path(demo_db), "progress", "--round", new_round, "--json")
    assert code == 0
    [item] = [r for r in __import__("json").loads(out) if r["progress_text"] == last[0] and r["to_check"]]
    assert "进展情况与上轮相同" in item["warnings"]


def demo_db_path(db) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2]


def test_a_sloppy_return_lists_every_problem_keeps_the_valid_fields_and_the_reasons_reach_the_clerk(
    demo_db, tmp_path, capsys
):
    from db.board import missing_units
    from reports.exchange.township import open_handoff

    new_round = _next_round(demo_db)
    town = unit_id(demo_db, "城东街道")
    [handoff] = export_handoff(demo_db, new_round, [town], tmp_path / "first")
    ws = openpyxl.load_workbook(handoff.path).worksheets[0]
    aid = next(a for a, r in data_rows(ws).items() if r == _row_of(ws, "7"))
    other = next(a for a in data_rows(ws) if a != aid)
    # Row 7: 约55 and 约21家 and 正常 are read (约 warned); 大概吧, 推进中 and 推进中 are not.
    fill(
        handoff.path,
        {
            aid: {
                "progress_text": "完成走访企业，签约21家",
                "percent": "约55",
                "reported_status": "正常",
                "indicators": {"指标：新增个转企（目标480户）": "约21家"},
            },
            other: {
                "progress_text": "有效进展",
                "percent": "大概吧",
                "reported_status": "推进中",
                "next_steps": "继续",
            },
        },
    )
    code, out, _err = run(capsys, "--db", demo_db_path(demo_db), "import-returns", "--dry-run", str(handoff.path))
    assert "约数“约55”" in out and "约数“约21家”" in out
    # Every problem of the row at once, with the column and the value.
    [line] = [x for x in out.splitlines() if "部分退回" in x and "大概吧" in x]
    assert "“完成进度(%)”" in line and "“推进状态”" in line and "推进中" in line

    [res] = import_returns(demo_db, [handoff.path])
    assert res.applied
    kept = demo_db.execute(
        "SELECT progress_text, percent, reported_status, next_steps, rejected_fields FROM reports "
        "WHERE round_id = ? AND assignment_id = ?",
        [new_round, other],
    ).fetchone()
    assert kept[:4] == ("有效进展", None, None, "继续") and "大概吧" in kept[4]
    row7 = demo_db.execute(
        "SELECT percent, reported_status, warnings FROM reports WHERE round_id = ? AND assignment_id = ?",
        [new_round, aid],
    ).fetchone()
    assert row7[:2] == (55, "序时推进") and "约55" in row7[2] and "约21家" in row7[2]
    [missing] = [m for m in missing_units(demo_db, new_round) if m["unit_id"] == town]
    assert "部分退回" in missing["reason"] and any("大概吧" in r for r in missing["reasons"])

    # The reasons reach the clerk: the next handoff's 督办室意见 and 填写说明, and township mode.
    [again] = export_handoff(demo_db, new_round, [town], tmp_path / "second")
    wb = openpyxl.load_workbook(again.path)
    ws = wb.worksheets[0]
    col = columns(ws)
    comment = ws.cell(data_rows(ws)[other], col["督办室意见"]).value
    assert "“完成进度(%)”" in comment and "大概吧" in comment and "推进中" in comment
    assert "约55" in ws.cell(data_rows(ws)[aid], col["督办室意见"]).value
    help_text = "\n".join(str(c.value) for c in wb["填写说明"]["A"] if c.value)
    assert "大概吧" in help_text
    opened = open_handoff(tmp_path / "township.duban", again.path)
    from db.ledger import get_meta, open_ledger

    township = open_ledger(tmp_path / "township.duban")
    extras = get_meta(township, f"handoff:{opened['export_id']}")["rows"]
    assert any("大概吧" in (row.get("comment") or "") for row in extras.values())


def test_review_follows_a_later_return_and_send_back_per_key_work(demo_db, tmp_path, capsys):
    town = unit_id(demo_db, "南湖镇")
    review_unit(demo_db, ROUND, town, "accepted")
    [handoff] = export_handoff(demo_db, ROUND, [town], tmp_path)
    aid = type_progress(
        handoff.path, datetime(2024, 10, 20, 9, 0), "全部完成", {"完成进度(%)": 100, "推进状态": "已完成"}
    )
    [res] = import_returns(demo_db, [handoff.path])
    assert res.applied
    assert (
        demo_db.execute("SELECT review FROM reports WHERE round_id = ? AND assignment_id = ?", [ROUND, aid]).fetchone()[
            0
        ]
        == "pending"
    )
    number = demo_db.execute(
        "SELECT k.number FROM assignments a JOIN key_works k ON k.id = a.key_work_id WHERE a.id = ?", [aid]
    ).fetchone()[0]
    code, _out, _err = run(
        capsys,
        "--db",
        demo_db_path(demo_db),
        "review",
        "--round",
        ROUND,
        "--unit",
        "南湖镇",
        "--send-back",
        "请附验收材料",
        "--key-work",
        str(number),
    )
    assert code == 0
    returned = demo_db.execute(
        "SELECT r.assignment_id FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE a.unit_id = ? AND r.round_id = ? AND r.review = 'returned'",
        [town, ROUND],
    ).fetchall()
    assert returned == [(aid,)]


def test_closing_a_round_with_open_business_needs_force(demo_path, capsys):
    code, _out, err = run(capsys, "--db", str(demo_path), "round", "close", ROUND)
    assert code != 0 and "待审核" in err and "--force" in err
    code, out, _err = run(capsys, "--db", str(demo_path), "round", "close", ROUND, "--force")
    assert code == 0 and "已关闭" in out


def test_the_office_clears_warnings_with_a_note_from_the_command_line(demo_path, capsys):
    from db.ledger import open_ledger
    from db.plausibility import unit_warnings

    db = open_ledger(demo_path)
    town = unit_id(db, "城西街道")
    [first, *_rest] = unit_warnings(db, ROUND, town)
    db.close()
    code, out, _err = run(
        capsys,
        "--db",
        str(demo_path),
        "review",
        "--round",
        ROUND,
        "--unit",
        "城西街道",
        "--checked",
        "核实无误，电话确认",
        "--key-work",
        str(first["number"]),
    )
    assert code == 0 and "1 条" in out
    db = open_ledger(demo_path)
    assert first["report_id"] not in {i["report_id"] for i in unit_warnings(db, ROUND, town)}
    note = db.execute(
        "SELECT new_value FROM audit_log WHERE table_name = 'reports' AND row_id = ? AND field = 'warnings_note'",
        [str(first["report_id"])],
    ).fetchone()
    assert note == ("核实无误，电话确认",)
