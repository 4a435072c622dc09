"""单位, 问题清单, 填报轮次 and 仪表盘 pages driven through their buttons, with undo."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _select(view, column_text: str, column: int = 0) -> None:
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, column).data() == column_text:
            view.selectRow(row)
            view.setCurrentIndex(model.index(row, 0))
            return
    raise AssertionError(f"{column_text} not in the table")


def test_units_alias_and_merge_with_undo(qtbot, window, answers):
    page = window.page("单位")
    window.go("单位")
    db = window.session.db
    _select(page.table, "县商务局")
    answers.fill_next(lambda d: d.set_values({"text": "商务局"}))
    page.add_alias()
    assert (
        "商务局"
        in page.model.rows[
            page.model.row_of_id(db.execute("SELECT id FROM units WHERE name = '县商务局'").fetchone()[0])
        ]["aliases"]
    )

    answers.fill_next(lambda d: d.set_values({"name": "县 商务 局 分局", "kind": "部门"}))
    page.add_unit()
    branch = db.execute("SELECT id FROM units WHERE name = '县商务局分局'").fetchone()[0]
    keep = db.execute("SELECT id FROM units WHERE name = '县商务局'").fetchone()[0]
    answers.fill_next(lambda d: d.set_values({"merge_id": branch, "keep_id": keep}))
    page.merge_units()
    assert db.execute("SELECT COUNT(*) FROM units WHERE id = ?", [branch]).fetchone()[0] == 0
    assert db.execute("SELECT unit_id FROM unit_aliases WHERE alias = '县商务局分局'").fetchone()[0] == keep
    window.session.undo_stack.undo()
    assert db.execute("SELECT name FROM units WHERE id = ?", [branch]).fetchone()[0] == "县商务局分局"
    assert db.execute("SELECT COUNT(*) FROM unit_aliases WHERE alias = '县商务局分局'").fetchone()[0] == 0
    window.session.undo_stack.undo()
    window.session.undo_stack.undo()
    assert db.execute("SELECT COUNT(*) FROM unit_aliases WHERE alias = '商务局'").fetchone()[0] == 0
    assert not answers.errors


def test_alias_of_another_unit_is_refused(qtbot, window, answers):
    page = window.page("单位")
    window.go("单位")
    _select(page.table, "县财政局")
    answers.fill_next(lambda d: d.set_values({"text": "县税务局"}))
    page.add_alias()
    assert answers.errors and "已经指向单位“县税务局”" in answers.errors[0]


def test_problem_assign_and_close_updates_rate_and_undoes(qtbot, window, answers):
    from db.problems import problem_figures

    page = window.page("问题清单")
    window.go("问题清单")
    db = window.session.db
    page.state_box.setCurrentIndex(page.state_box.findData("open"))
    open_before = page.proxy.rowCount()
    page.table.selectRow(0)
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    pid = page.selected()["id"]
    answers.fill_next(lambda d: d.set_values({"text": "县发改局 李科长"}))
    page.assign_problem()
    assert db["problems"].get(pid)["assignee"] == "县发改局 李科长"
    page.table.selectRow(0)
    answers.fill_next(lambda d: d.set_values({"note": "已协调用地指标，项目开工。", "closed_on": "2024-10-08"}))
    page.close_problem()
    row = db["problems"].get(pid)
    assert (row["state"], row["closed_at"]) == ("closed", "2024-10-08")
    assert page.proxy.rowCount() == open_before - 1
    figures = problem_figures(db)
    assert f"化解率 {figures['rate']:g}%" in page.rate_label.text()
    window.session.undo_stack.undo()
    assert db["problems"].get(pid)["state"] == "open"
    assert page.proxy.rowCount() == open_before


def test_round_review_close_and_reopen(qtbot, window, answers):
    page = window.page("填报轮次")
    window.go("填报轮次")
    db = window.session.db
    assert page.selected_round_id() == "2024Q3"
    _select(page.board_table, "县财政局")
    unit = db.execute("SELECT id FROM units WHERE name = '县财政局'").fetchone()[0]
    pending = (
        "SELECT COUNT(*) FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE a.unit_id = ? AND r.round_id = '2024Q3' AND r.review = ?"
    )
    assert db.execute(pending, [unit, "pending"]).fetchone()[0] > 0
    page.accept_unit()
    assert db.execute(pending, [unit, "pending"]).fetchone()[0] == 0
    _select(page.board_table, "县财政局")
    answers.fill_next(lambda d: d.set_values({"text": "请补充资金到位数据。"}))
    page.return_unit()
    assert db.execute(pending, [unit, "returned"]).fetchone()[0] == 7
    assert "已退回" in page.board_summary.text()
    window.session.undo_stack.undo()
    window.session.undo_stack.undo()
    assert db.execute(pending, [unit, "pending"]).fetchone()[0] > 0

    page.close_round()
    assert "未报送" in answers.confirms[-1]
    assert db.execute("SELECT state FROM rounds WHERE id = '2024Q3'").fetchone()[0] == "closed"
    window.session.undo_stack.undo()
    assert db.execute("SELECT state FROM rounds WHERE id = '2024Q3'").fetchone()[0] == "open"

    answers.fill_next(lambda d: d.set_values({"round_id": "2024q4"}))
    page.open_round()
    assert db.execute("SELECT cutoff, state FROM rounds WHERE id = '2024Q4'").fetchone() == ("2024-12-31", "open")
    assert page.selected_round_id() == "2024Q4"
    window.session.undo_stack.undo()
    assert db.execute("SELECT COUNT(*) FROM rounds WHERE id = '2024Q4'").fetchone()[0] == 0
    assert not answers.errors


def test_closed_round_refuses_review_in_plain_chinese(qtbot, window, answers):
    page = window.page("填报轮次")
    window.go("填报轮次")
    _select(page.rounds_table, "2024Q2")
    _select(page.board_table, "县财政局")
    answers.fill_next(lambda d: d.set_values({"text": "补充材料"}))
    page.return_unit()
    assert answers.errors and "已关闭" in answers.errors[0]


def test_dashboard_shows_counts_chart_and_missing_units(qtbot, window):
    from db.queries import status_summary

    page = window.page("仪表盘")
    summary = status_summary(window.session.db, "2024Q3")
    for status, count in summary["key_works_by_status"].items():
        assert page.count_labels[status].text() == str(count)
    assert page.chart.counts.get("已完成", 0) == summary["key_works_by_status"]["已完成"]
    missing = [page.missing_list.item(i).text() for i in range(page.missing_list.count())]
    assert any(text.startswith("云岭乡") for text in missing)
    image = page.chart.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert "#3fa34d" in colours  # the 已完成 bar is painted
    page.round_box.setCurrentIndex(page.round_box.findData("2024Q1"))
    assert page.missing_note.text() != ""
