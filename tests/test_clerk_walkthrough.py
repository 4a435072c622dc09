"""Bugs found by walking the whole cycle as the office clerk and the township clerks do."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import openpyxl
from test_exchange_helpers import ROUND, columns, data_rows, ledger_dump, set_saved_at, unit_id

from db.exchange import import_returns, review_unit
from desktop.cli import main
from reports.handoff import export_handoff


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

    run(capsys, "--db", db, "round", "close", ROUND)
    code, out, _err = run(capsys, "--db", db, "import-returns", str(path))
    assert code == 2 and f"duban round reopen {ROUND}" in out
