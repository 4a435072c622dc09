"""Every list says what it lists: 问题清单, 修改记录, the round board, and the dashboard's 尚未报齐."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def test_problem_rows_carry_title_unit_round_state_assignee_and_age(demo_db):
    from db.problems import assign_problem, close_problem, problem_rows

    rows = problem_rows(demo_db, today="2024-12-31")
    first = rows[0]
    assert first["key_work"] and first["unit"] and first["round_id"]
    # Open: days from raised to today; closed: days it took to close.
    for row in rows:
        raised = row["raised_at"][:10]
        end = row["closed_at"][:10] if row["state"] == "closed" else "2024-12-31"
        from datetime import date

        assert row["age_days"] == (date.fromisoformat(end) - date.fromisoformat(raised)).days
    open_row = next(r for r in rows if r["state"] == "open")
    assign_problem(demo_db, open_row["id"], "县发展和改革局")
    close_problem(demo_db, open_row["id"], "已解决", open_row["raised_at"][:10])
    again = next(r for r in problem_rows(demo_db, today="2024-12-31") if r["id"] == open_row["id"])
    assert again["assignee"] == "县发展和改革局" and again["age_days"] == 0


def test_problem_list_shows_the_key_work_title_and_who_it_was_given_to(qtbot, window):
    page = window.page("问题清单")
    window.go("问题清单")
    model = page.model
    headers = [model.headerData(c, Qt.Horizontal) for c in range(model.columnCount())]
    for wanted in ("重点工作", "提出单位", "轮次", "状态", "交办给", "天数"):
        assert wanted in headers
    row = next(i for i, r in enumerate(model.rows) if r["number"] == "2")
    assert model.index(row, model.COL_KEY_WORK).data() == "开展涉企问题“大走访”"
    assert model.index(row, model.COL_ASSIGNEE).data() == "未交办"
    assert model.index(row, model.COL_AGE).data().endswith(" 天")


def test_history_names_the_unit_and_round_of_each_changed_report(qtbot, window):
    from db.tasks import history, key_work_id_by_number

    db = window.session.db
    key_work = key_work_id_by_number(db, "9")
    entries = history(db, key_work)
    report_entries = [e for e in entries if e["table_name"] == "reports"]
    assert report_entries and all(e["unit"] and e["round_id"] for e in report_entries)
    page = window.page("台账")
    window.go("台账")
    page.select_key_work(key_work)
    text = page.history_view.toPlainText()
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(entries)  # one line per change
    assert any("县科学技术局 2024Q3" in line for line in lines)
    assert "{" not in text  # a new report reads in words, never as stored JSON


def test_board_says_whether_a_handoff_was_exported(qtbot, window, tmp_path):
    from db.units import require_unit
    from desktop.models.rounds import RoundBoardModel
    from reports.exchange.handoff import export_handoff

    page = window.page("填报轮次")
    window.go("填报轮次")
    model = page.board_model

    def exported(unit: str) -> str:
        row = next(i for i, r in enumerate(model.rows) if r["unit"] == unit)
        return model.index(row, RoundBoardModel.COL_EXPORTED).data()

    # The demo's reports came without a 填报表: the column says so, whatever was reported.
    assert exported("县发展和改革局") == "未导出"
    export_handoff(window.session.db, "2024Q3", [require_unit(window.session.db, "城东街道")], tmp_path)
    window.session.notify("rounds")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", exported("城东街道"))  # the day it was exported
    assert exported("县发展和改革局") == "未导出"


def test_dashboard_figures_are_the_cli_figures(qtbot, demo_path, answers, capsys):
    """尚未报齐 is `duban missing` (sent-back units included); the status boxes are `duban status`."""
    from desktop.app import open_window
    from desktop.cli import main

    db = str(demo_path)
    assert main(["--db", db, "review", "--round", "2024Q3", "--unit", "城西街道", "--send-back", "请补充"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "missing", "--round", "2024Q3", "--json"]) == 0
    missing = json.loads(capsys.readouterr().out)
    assert main(["--db", db, "status", "--round", "2024Q3", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert any(r["unit"] == "城西街道" and r["missing"] == 0 for r in missing)  # fully reported, sent back

    win = open_window(demo_path)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    page = win.page("仪表盘")
    page.round_box.setCurrentIndex(page.round_box.findData("2024Q3"))
    shown = [page.missing_list.item(i).text() for i in range(page.missing_list.count())]
    assert [text.split("：")[0] for text in shown] == [r["unit"] for r in missing]
    assert [text.split("：", 1)[1] for text in shown] == [r["reason"] for r in missing]
    assert page.missing_note.text().startswith(f"{len(missing)} 个单位")
    for label, count in status["key_works_by_status"].items():
        assert page.count_labels[label].text() == str(count)
    lights = {r["unit"]: r for r in page.lights_model.rows}
    for unit, counts in status["by_unit"].items():
        assert sum(lights[unit][k] for k in ("红", "黄", "绿", "灰")) == sum(counts.values())
    win.close()
