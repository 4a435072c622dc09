"""The exchange round trip through the windows: handoffs out, a township fills one in, the return is dropped back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from tests.gui.conftest import wait_for_jobs

pytestmark = pytest.mark.gui


def _drop(window, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPointF(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    window.dropEvent(QDropEvent(QPointF(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))


def test_handoff_township_form_and_dropped_return(qtbot, window, answers, tmp_path):
    from desktop.app import first_start, open_window

    db = window.session.db
    unit = db.execute("SELECT id FROM units WHERE name = '云岭乡'").fetchone()[0]
    rounds = window.page("填报轮次")
    window.go("填报轮次")

    def tick_only_yunling(dialog):
        dialog.set_all(False)
        for i in range(dialog.list.count()):
            item = dialog.list.item(i)
            if item.data(Qt.UserRole) == unit:
                item.setCheckState(Qt.Checked)

    answers.fill_next(tick_only_yunling)
    answers.folder = str(tmp_path / "out")
    Path(answers.folder).mkdir()
    rounds.export_handoffs()
    wait_for_jobs(qtbot)
    handoffs = list(Path(answers.folder).glob("*.xlsx"))
    assert len(handoffs) == 1 and "云岭乡" in handoffs[0].name
    assert "已为 1 个单位导出" in answers.infos[-1]

    # The township clerk: first start in 填报端 mode, then open the workbook received.
    township_ledger = tmp_path / "云岭乡.db"
    answers.fill_next(lambda d: d.township.setChecked(True))
    assert first_start(township_ledger)
    town = open_window(township_ledger)
    qtbot.addWidget(town)
    town.show()
    assert "填报端" in town.windowTitle()
    page = town.pages[0]
    _drop(town, handoffs)
    wait_for_jobs(qtbot)
    assert page.checklist.count() == 7
    # The handoff carried last round's figures in, so every row starts filled.
    assert "带入" in answers.infos[-1]
    assert "7 项都已填完" in page.missing_label.text()

    page.checklist.setCurrentRow(0)
    first = page.assignments()[0]["id"]
    page.progress_text.clear()
    qtbot.waitUntil(lambda: page.checklist.item(0).text().startswith("✘"), timeout=5000)
    assert "缺：进展情况" in page.checklist.item(0).text()
    assert "还有 1 项没有填完" in page.missing_label.text()
    page.percent.clear()
    qtbot.keyClicks(page.percent, "120")
    assert "0 到 100" in page.problem_label.text()  # validation as you type
    page.percent.clear()
    qtbot.keyClicks(page.percent, "60")
    page.status_box.setCurrentIndex(page.status_box.findData("序时推进"))
    page.progress_text.setPlainText("已完成村级摸排，召开推进会2次。")
    qtbot.waitUntil(lambda: page.saved_label.text().startswith("已自动保存"), timeout=5000)
    local = town.session.db.execute(
        "SELECT percent, progress_text FROM reports WHERE assignment_id = ?", [first]
    ).fetchone()
    assert local == (60.0, "已完成村级摸排，召开推进会2次。")
    assert page.checklist.item(0).text().startswith("✔")
    town.session.undo_stack.undo()  # Ctrl+Z in the form takes the last autosave back
    assert (
        town.session.db.execute("SELECT progress_text FROM reports WHERE assignment_id = ?", [first]).fetchone()[0]
        != "已完成村级摸排，召开推进会2次。"
    )
    town.session.undo_stack.redo()
    assert page.progress_text.toPlainText() == "已完成村级摸排，召开推进会2次。"

    answers.save_path = str(tmp_path / "usb" / "云岭乡报送.xlsx")
    Path(answers.save_path).parent.mkdir()
    page.export_return()
    wait_for_jobs(qtbot)
    returned = Path(answers.save_path)
    assert returned.is_file()
    town.close()

    # Back at the office: drop the return on the window, check the preview, import.
    before = db.execute(
        "SELECT COUNT(*) FROM reports WHERE assignment_id = ? AND round_id = '2024Q3'", [first]
    ).fetchone()[0]
    previews = []

    def accept_preview(dialog):
        previews.append(dialog)
        assert dialog.files.rowCount() == 1
        assert "将导入" in dialog.files.item(0, 4).text()
        return True

    answers.fill_next(accept_preview)
    _drop(window, [returned])
    wait_for_jobs(qtbot)
    wait_for_jobs(qtbot)
    report = db.execute(
        "SELECT percent, progress_text, source FROM reports WHERE assignment_id = ? AND round_id = '2024Q3'", [first]
    ).fetchone()
    assert report[:2] == (60.0, "已完成村级摸排，召开推进会2次。")
    assert "已导入" in answers.infos[-1]
    backups = list((tmp_path / "demo.backups").glob("*.db"))
    assert backups, "an automatic backup is written before the import"

    batch = db.execute("SELECT MAX(id) FROM import_batches").fetchone()[0]
    answers.fill_next(lambda d: d.list.setCurrentRow(0))
    rounds.undo_batch()
    assert (
        db.execute("SELECT COUNT(*) FROM reports WHERE assignment_id = ? AND round_id = '2024Q3'", [first]).fetchone()[
            0
        ]
        == before
    )
    assert db.execute("SELECT undone_at FROM import_batches WHERE id = ?", [batch]).fetchone()[0]
    assert not answers.errors


def test_dropping_something_else_says_what_to_drop(qtbot, window, answers, tmp_path):
    note = tmp_path / "说明.txt"
    note.write_text("不是填报表", encoding="utf-8")
    _drop(window, [note])
    assert answers.errors and ".xlsx" in answers.errors[0]


def test_preview_names_the_columns_the_clerk_filled_in(qtbot, window, answers, tmp_path):
    import openpyxl

    from reports.exchange.handoff import export_handoff

    db = window.session.db
    unit = db.execute("SELECT id FROM units WHERE name = '县商务局'").fetchone()[0]
    handoff = export_handoff(db, "2024Q3", [unit], tmp_path)[0].path
    wb = openpyxl.load_workbook(handoff)
    ws = wb.worksheets[0]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=12) if any(c.value == "进展情况" for c in r))
    cols = {c.value: c.column for c in header}
    ws.cell(header[0].row + 1, cols["进展情况"]).value = "新增限上商贸企业12家。"
    ws.cell(header[0].row + 1, cols["完成进度(%)"]).value = 60
    ws.cell(header[0].row + 1, cols["推进状态"]).value = "序时推进"
    wb.save(handoff)
    reasons = []

    def look(dialog):
        reasons.extend(dialog.rows.item(i, 4).text() for i in range(dialog.rows.rowCount()))
        return False

    answers.fill_next(look)
    window.page("填报轮次").import_returns([handoff])
    wait_for_jobs(qtbot)
    changed = next(r for r in reasons if "新增限上商贸企业12家" in r)
    assert "进展情况：" in changed and "完成进度：100 → 60" in changed and "推进状态：" in changed
    assert not any(name in changed for name in ("progress_text", "percent", "reported_status", "60.0"))
