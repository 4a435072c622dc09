"""台账 → 录入/修改进展: the office types a report taken by phone, or corrects a return; Ctrl+Z undoes it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _assignment(db, number: str, unit: str) -> tuple[int, int]:
    return db.execute(
        "SELECT a.id, k.id FROM assignments a JOIN key_works k ON k.id = a.key_work_id "
        "JOIN units u ON u.id = a.unit_id WHERE k.number = ? AND u.name = ?",
        [number, unit],
    ).fetchone()


def _shown(page, key_work_id: int):
    """What the 台账 table shows for a key work (status, light, percent)."""
    row = page.model.record(page.model.row_of_id(key_work_id))
    return row.status, row.light, row.percent


def _report(db, assignment_id: int, round_id: str = "2024Q3"):
    from db.typed_reports import report_snapshot

    return report_snapshot(db, assignment_id, round_id)


def test_office_types_a_report_taken_by_phone(qtbot, window, answers):
    db = window.session.db
    page = window.page("台账")
    window.go("台账")
    aid, kw = _assignment(db, "18", "县经济和信息化局")  # the one unit that has not reported in 2024Q3
    page.select_key_work(kw)
    before = _shown(page, kw)
    assert before[0] == "未报送"
    seen = {}

    def fill(dialog):
        seen["unit"] = dialog.assignment_id()
        seen["origin"] = dialog.origin.text()
        seen["prefilled"] = dialog.progress_text.toPlainText()
        # As typed: 已完成 with 60 % is refused, the reason shown and 保存 disabled.
        dialog.set_values({"progress_text": "电话报送：技改项目开工12个", "percent": 60, "reported_status": "已完成"})
        seen["refused"] = (dialog.ok_button.isEnabled(), dialog.problem_label.text())
        indicator = next(iter(dialog.indicator_inputs))
        dialog.set_values({"indicators": {indicator: "abc"}})
        seen["bad_number"] = (dialog.ok_button.isEnabled(), dialog.problem_label.text())
        dialog.set_values(
            {
                "reported_status": "序时推进",
                "indicators": {indicator: "８.５"},
                "problems": "部分技改项目设备进口延迟",
                "reporter": "张三",
                "phone": "0577-6123456",
            }
        )
        seen["ok"] = dialog.ok_button.isEnabled()

    answers.fill_next(fill)
    qtbot.keyClick(window, Qt.Key_E, Qt.ControlModifier)
    assert seen["unit"] == aid and "上一轮（2024Q2）" in seen["origin"] and seen["prefilled"]
    assert seen["refused"][0] is False and "完成进度应为 100" in seen["refused"][1]
    assert seen["bad_number"][0] is False and "制造业投资增速" in seen["bad_number"][1]
    assert seen["ok"] is True and not answers.errors

    report = _report(db, aid)
    assert (report["progress_text"], report["percent"], report["reported_status"], report["source"]) == (
        "电话报送：技改项目开工12个",
        60,
        "序时推进",
        "typed",
    )
    assert list(report["indicators"].values()) == [8.5]
    status, light, _pct = _shown(page, kw)
    assert status != "未报送" and light != before[1]  # the table judged the new report at once
    assert "电话报送：技改项目开工12个" in page.reports_view.toPlainText()
    assert "手工录入" in page.history_view.toPlainText()  # the audit history names the source in words
    problems = window.page("问题清单")
    texts = [problems.model.record(i)["text"] for i in range(problems.model.rowCount())]
    assert "部分技改项目设备进口延迟" in texts

    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert _report(db, aid) is None
    assert _shown(page, kw)[0] == "未报送"
    assert not db.execute("SELECT 1 FROM problems WHERE text = '部分技改项目设备进口延迟'").fetchone()


def test_correcting_a_return_and_ctrl_z_restores_it_exactly(qtbot, window, answers):
    db = window.session.db
    page = window.page("台账")
    window.go("台账")
    aid, kw = _assignment(db, "9", "县财政局")
    original = _report(db, aid)
    page.select_key_work(kw)
    page.detail_tabs.setCurrentWidget(page.reports_view)
    html = page.reports_view.toHtml()
    assert f"report:{aid}:2024Q3" in html  # each unit of the open round has its 修改 link

    def fill(dialog):
        assert dialog.assignment_id() == aid
        assert dialog.progress_text.toPlainText() == original["progress_text"]
        assert dialog.percent.percent() == original["percent"]
        dialog.set_values({"percent": 38, "progress_text": original["progress_text"] + "（已更正）"})

    answers.fill_next(fill)
    from PySide6.QtCore import QUrl

    page.reports_view.anchorClicked.emit(QUrl(f"report:{aid}:2024Q3"))
    corrected = _report(db, aid)
    assert corrected["percent"] == 38 and corrected["progress_text"].endswith("（已更正）")
    assert corrected["source"] == "typed"
    assert "（已更正）" in page.history_view.toPlainText()

    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert _report(db, aid) == original
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # 重做
    assert _report(db, aid) == corrected
    assert not answers.errors


def test_closed_round_is_refused_with_the_back_ends_message(qtbot, window, answers):
    db = window.session.db
    page = window.page("台账")
    window.go("台账")
    _aid, kw = _assignment(db, "9", "县财政局")
    page.round_box.setCurrentIndex(page.round_box.findData("2024Q2"))
    page.select_key_work(kw)
    reports = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    qtbot.keyClick(window, Qt.Key_E, Qt.ControlModifier)
    assert answers.errors and "2024Q2" in answers.errors[-1] and "已关闭" in answers.errors[-1]
    assert "选进行中的 2024Q3" in answers.errors[-1]  # and where to type instead
    assert not answers.dialogs  # no form to type into for nothing
    assert "report:" not in page.reports_view.toHtml().split("2024Q2")[-1]  # no links under a closed round
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == reports
    assert window.session.undo_stack.count() == 0


def test_form_starts_with_the_filtered_unit_and_reloads_when_the_unit_changes(qtbot, window, answers):
    db = window.session.db
    page = window.page("台账")
    window.go("台账")
    lead, kw = _assignment(db, "18", "县经济和信息化局")
    other, _kw = _assignment(db, "18", "县发展和改革局")
    page.unit_box.setCurrentIndex(page.unit_box.findData("县发展和改革局"))
    page.select_key_work(kw)
    seen = []

    def fill(dialog):
        seen.append((dialog.assignment_id(), dialog.origin.text(), dialog.progress_text.toPlainText()))
        dialog.unit_box.setCurrentIndex(dialog.unit_box.findData(lead))
        seen.append((dialog.assignment_id(), dialog.origin.text(), dialog.progress_text.toPlainText()))
        return False  # 取消: nothing is written

    answers.fill_next(fill)
    qtbot.mouseClick(page.report_btn, Qt.LeftButton)
    assert seen[0][0] == other and "本轮（2024Q3）报送的内容" in seen[0][1]
    assert seen[0][2] == _report(db, other)["progress_text"]
    assert seen[1][0] == lead and "上一轮（2024Q2）" in seen[1][1]
    assert seen[1][2] == _report(db, lead, "2024Q2")["progress_text"]
    assert _report(db, lead) is None and window.session.undo_stack.count() == 0
