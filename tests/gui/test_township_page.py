"""填报端 checklist and export: what the checklist says must match the form the clerk sees."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def township(qtbot, demo_db, answers, tmp_path):
    """A township window on 城东街道's ledger, opened from a real handoff of the demo's 2024Q3."""
    from db.units import require_unit
    from desktop.app import open_window
    from reports.exchange.handoff import export_handoff
    from reports.exchange.township import open_handoff

    files = export_handoff(demo_db, "2024Q3", [require_unit(demo_db, "城东街道")], tmp_path / "out")
    ledger = tmp_path / "城东街道.db"
    open_handoff(ledger, files[0].path)
    win = open_window(ledger)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.session.db.conn:
        win.close()


def test_checklist_follows_the_form_as_typed_not_the_last_autosave(township):
    page = township.pages[0]
    assert "7 项都已填完" in page.missing_label.text()
    page.checklist.setCurrentRow(1)
    assert page.progress_text.toPlainText()
    page.progress_text.clear()
    # No waiting for the autosave: the row the clerk just emptied is not "filled in" any more.
    assert page.checklist.item(1).text().startswith("✘")
    assert "缺：进展情况" in page.checklist.item(1).text()
    assert "还有 1 项没有填完" in page.missing_label.text()
    page.progress_text.setPlainText("已完成窗口作风专项整治。")
    assert page.checklist.item(1).text().startswith("✔")


def test_a_form_that_cannot_save_is_never_shown_filled_nor_exported_stale(qtbot, township, answers, tmp_path):
    page = township.pages[0]
    page.checklist.setCurrentRow(1)
    aid = page.current_assignment
    saved = township.session.db.execute("SELECT progress_text FROM reports WHERE assignment_id = ?", [aid]).fetchone()
    page.progress_text.setPlainText("本季度新增整改事项3项，均已办结。")
    page.percent.setText("一百五十")  # refused by validation: the autosave cannot write this form
    qtbot.wait(1200)  # longer than the autosave delay
    assert "0 到 100" in page.problem_label.text()
    assert page.checklist.item(1).text().startswith("✘")
    assert "有错误" in page.checklist.item(1).text()
    assert "7 项都已填完" not in page.missing_label.text()

    answers.save_path = str(tmp_path / "报送.xlsx")
    page.export_return()
    # The export would have carried the old text while the form shows the new one: refused, with what to do.
    assert not Path(answers.save_path).exists()
    assert answers.errors and "改正后再导出" in answers.errors[-1] and "0 到 100" in answers.errors[-1]
    assert (
        township.session.db.execute("SELECT progress_text FROM reports WHERE assignment_id = ?", [aid]).fetchone()
        == saved
    )


def test_export_is_offered_only_once_a_handoff_is_open(qtbot, tmp_path, answers):
    from db.ledger import create_ledger, set_meta
    from desktop.app import open_window

    path = tmp_path / "新填报端.db"
    db = create_ledger(path)
    set_meta(db, "mode", "township", "test")
    db.close()
    win = open_window(path)
    qtbot.addWidget(win)
    win.show()
    page = win.pages[0]
    assert page.open_btn.isEnabled() and not page.export_btn.isEnabled()
    assert "打开收到的填报表" in page.status.text()
    win.close()


def test_export_button_is_usable_with_a_handoff_open(township):
    assert township.pages[0].export_btn.isEnabled()


def test_the_form_reads_percent_and_indicators_as_the_excel_import_does(township):
    # One value parser: what the office accepts in a returned workbook, the township form accepts too.
    page = township.pages[0]
    page.checklist.setCurrentRow(1)
    page.status_box.setCurrentIndex(page.status_box.findData("序时推进"))
    page.percent.setText("八成")
    fields, _values, problems = page.validate()
    assert problems == [] and fields["percent"] == 80
    page.percent.setText("八十五%")
    assert page.validate()[0]["percent"] == 85
    page.percent.setText("大约一半")
    assert page.validate()[2] and "完成进度" in page.problem_label.text()
