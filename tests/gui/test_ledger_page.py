"""台账 page: filter by typing, edit key works through the dialogs, undo with Ctrl+Z."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _audit_count(db, table: str) -> int:
    return db.execute("SELECT COUNT(*) FROM audit_log WHERE table_name = ?", [table]).fetchone()[0]


def test_typing_in_the_filter_narrows_the_table(qtbot, window):
    page = window.page("台账")
    window.go("台账")
    assert page.proxy.rowCount() == 30
    qtbot.keyClicks(page.search, "13")
    assert [page.proxy.index(i, 0).data() for i in range(page.proxy.rowCount())] == ["13"]
    page.search.clear()
    page.search.insert("营商")  # what an input method commits; QTest cannot type CJK keys
    assert 0 < page.proxy.rowCount() < 30
    assert "/ 30 项" in page.count_label.text()
    page.search.clear()
    page.light_box.setCurrentIndex(page.light_box.findData("红"))
    assert all(page.proxy.index(i, 0).data(Qt.UserRole + 4) == "红" for i in range(page.proxy.rowCount()))


def test_add_edit_delete_key_work_with_undo(qtbot, window, answers):
    page = window.page("台账")
    db = window.session.db
    window.go("台账")
    answers.fill_next(
        lambda d: d.set_values(
            {
                "number": "31",
                "title": "建设智慧停车系统",
                "category": "扩大有效投资",
                "period_phrase": "2024年",
                "targets": ["新增停车位500个"],
                "measures": ["建设停车诱导平台", "开放机关停车场"],
            }
        )
    )
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    row = db.execute("SELECT id, title, end_date FROM key_works WHERE number = '31'").fetchone()
    assert row[1] == "建设智慧停车系统" and row[2] == "2024-12-31"
    assert page.model.rowCount() == 31 and page.selected_id() == row[0]
    assert "建设停车诱导平台" in page.overview.toPlainText()

    answers.fill_next(lambda d: d.set_values({"title": "建设智慧停车平台", "measures": ["建设停车诱导平台"]}))
    qtbot.keyClick(page.table, Qt.Key_F2)
    assert db.execute("SELECT title FROM key_works WHERE id = ?", [row[0]]).fetchone()[0] == "建设智慧停车平台"
    assert [r[0] for r in db.execute("SELECT text FROM measures WHERE key_work_id = ?", [row[0]])] == [
        "建设停车诱导平台"
    ]
    history = page.history_view.toPlainText()
    assert "建设智慧停车系统" in history and "建设智慧停车平台" in history

    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)  # undo the edit (one step: fields and texts)
    assert db.execute("SELECT title FROM key_works WHERE id = ?", [row[0]]).fetchone()[0] == "建设智慧停车系统"
    assert db.execute("SELECT COUNT(*) FROM measures WHERE key_work_id = ?", [row[0]]).fetchone()[0] == 2

    page.select_key_work(row[0])
    page.delete_key_work()
    assert answers.confirms and db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == 30
    window.session.undo_stack.undo()
    assert db.execute("SELECT title FROM key_works WHERE id = ?", [row[0]]).fetchone()[0] == "建设智慧停车系统"
    assert db.execute("SELECT COUNT(*) FROM targets WHERE key_work_id = ?", [row[0]]).fetchone()[0] == 1
    window.session.undo_stack.undo()  # the edit is already undone; this undoes the creation
    assert db.execute("SELECT COUNT(*) FROM key_works WHERE number = '31'").fetchone()[0] == 0
    assert page.model.rowCount() == 30
    window.session.undo_stack.redo()
    assert db.execute("SELECT id FROM key_works WHERE number = '31'").fetchone()[0] == row[0]
    assert _audit_count(db, "key_works") > 30  # every step above was logged


def test_reported_key_work_cannot_be_deleted(qtbot, window, answers):
    page = window.page("台账")
    page.select_key_work(1)
    page.delete_key_work()
    assert answers.errors and "已有填报" in answers.errors[-1]
    assert window.session.db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == 30
    assert window.session.undo_stack.count() == 0


def test_assign_milestone_indicator_and_undo(qtbot, window, answers):
    page = window.page("台账")
    db = window.session.db
    kw = db.execute("SELECT id FROM key_works WHERE number = '3'").fetchone()[0]
    window.go("台账")
    page.select_key_work(kw)
    tax = db.execute("SELECT id FROM units WHERE name = '县税务局'").fetchone()[0]
    answers.fill_next(lambda d: d.set_values({"unit_id": tax, "role": "配合", "liaison": "王五"}))
    page.assign_unit()
    assert db.execute(
        "SELECT role, liaison FROM assignments WHERE key_work_id = ? AND unit_id = ?", [kw, tax]
    ).fetchone() == ("配合", "王五")
    answers.fill_next(lambda d: d.set_values({"phrase": "11月底前", "text": "完成验收"}))
    page.add_milestone()
    assert (
        db.execute("SELECT due_date FROM milestones WHERE key_work_id = ? AND phrase = '11月底前'", [kw]).fetchone()[0]
        == "2024-11-30"
    )
    answers.fill_next(lambda d: d.set_values({"name": "审批时限压缩", "target_value": 50, "measure_unit": "%"}))
    page.add_indicator()
    assert (
        db.execute(
            "SELECT target_value FROM indicators WHERE key_work_id = ? AND name = '审批时限压缩'", [kw]
        ).fetchone()[0]
        == 50
    )
    assert "11月底前" in page.overview.toPlainText()
    from PySide6.QtWidgets import QProgressBar

    bars = [b.format() for b in page.indicator_box.findChildren(QProgressBar)]
    assert any(text.startswith("审批时限压缩 尚无填报") for text in bars)
    stack = window.session.undo_stack
    stack.undo()
    stack.undo()
    stack.undo()
    assert (
        db.execute("SELECT COUNT(*) FROM assignments WHERE key_work_id = ? AND unit_id = ?", [kw, tax]).fetchone()[0]
        == 0
    )
    assert db.execute("SELECT COUNT(*) FROM milestones WHERE key_work_id = ?", [kw]).fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM indicators WHERE name = '审批时限压缩'").fetchone()[0] == 0
    assert not answers.errors


def test_duplicate_number_is_refused_in_plain_chinese(qtbot, window, answers):
    page = window.page("台账")
    answers.fill_next(lambda d: d.set_values({"number": "5", "title": "重复编号的工作"}))
    page.add_key_work()
    assert answers.errors == ["该计划中已有编号为 5 的重点工作。"]
    assert window.session.undo_stack.count() == 0


def test_filtering_keeps_the_selected_key_work_while_it_is_shown(qtbot, window):
    page = window.page("台账")
    window.go("台账")
    kw = window.session.db.execute("SELECT id FROM key_works WHERE number = '13'").fetchone()[0]
    page.select_key_work(kw)
    qtbot.keyClicks(page.search, "1")
    assert page.selected_id() == kw and page.proxy.rowCount() < 30
    assert page.count_label.text() == f"{page.proxy.rowCount()} / 30 项"
    qtbot.keyClicks(page.search, "3")
    assert page.selected_id() == kw and page.proxy.rowCount() == 1
    page.search.clear()
    assert page.selected_id() == kw and page.proxy.rowCount() == 30
    page.search.insert("不存在的工作")
    assert page.proxy.rowCount() == 0 and page.selected_id() is None
    assert not page.edit_btn.isEnabled() and not page.delete_btn.isEnabled() and not page.assign_btn.isEnabled()
    qtbot.waitUntil(lambda: "没有符合筛选条件" in page.overview.toPlainText(), timeout=2000)
    page.search.clear()
    assert page.selected_id() is None and page.proxy.rowCount() == 30
    page.table.selectRow(2)
    assert page.edit_btn.isEnabled() and page.delete_btn.isEnabled()


def test_a_new_office_ledger_says_where_to_start(qtbot, tmp_path, answers):
    from db.ledger import create_ledger, set_meta
    from desktop.app import open_window

    path = tmp_path / "新台账.db"
    db = create_ledger(path)
    set_meta(db, "mode", "office", "test")
    db.close()
    win = open_window(path)
    qtbot.addWidget(win)
    win.show()
    dashboard = win.page("仪表盘")
    assert dashboard.next_step.isVisible() and "导入任务清单" in dashboard.next_step.text()
    win.go("台账")
    ledger = win.page("台账")
    assert "台账还是空的" in ledger.overview.toPlainText()
    assert not ledger.edit_btn.isEnabled() and not ledger.delete_btn.isEnabled()
    assert ledger.add_btn.isEnabled()
    win.close()


def test_the_demo_dashboard_has_no_first_steps_banner(window):
    assert not window.page("仪表盘").next_step.isVisible()
