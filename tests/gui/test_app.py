"""Starting the app: lock, first start, window title, layout memory, backups, workers, reports, import wizard."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.gui.conftest import wait_for_jobs

pytestmark = pytest.mark.gui


def test_second_window_on_the_same_ledger_is_refused(qtbot, window, answers, demo_path):
    from db.errors import LedgerLockedError
    from desktop.app import open_window, run_gui

    with pytest.raises(LedgerLockedError, match="已经在另一个 duban 窗口中打开"):
        open_window(demo_path)
    assert run_gui(demo_path) == 2
    assert "已经在另一个 duban 窗口中打开" in answers.errors[-1]
    window.close()
    again = open_window(demo_path)  # the lock is released with the window
    qtbot.addWidget(again)
    again.close()


def test_title_shows_file_and_mode_and_marks_unsaved_edits(qtbot, window, answers, demo_path):
    assert window.windowTitle() == f"{demo_path.name} — 督办端 — duban 督办"
    answers.fill_next(lambda d: d.set_values({"text": "商务"}))
    page = window.page("单位")
    page.table.selectRow(0)
    page.add_alias()
    assert "*" in window.windowTitle()


def test_first_start_cancelled_creates_nothing(qtbot, answers, tmp_path):
    from desktop.app import run_gui

    answers.fill_next(lambda d: False)
    assert run_gui(tmp_path / "新台账.db") == 0
    assert not (tmp_path / "新台账.db").exists()


def test_first_start_office_mode(qtbot, answers, tmp_path):
    from db.ledger import get_meta, open_ledger
    from desktop.app import first_start

    answers.fill_next(lambda d: d.org.setText("示例县督查室"))
    assert first_start(tmp_path / "督办.db")
    db = open_ledger(tmp_path / "督办.db")
    assert (get_meta(db, "mode"), get_meta(db, "org_name")) == ("office", "示例县督查室")
    db.close()


def test_layout_is_remembered(qtbot, demo_path, answers, data_dir):
    from desktop.app import open_window

    win = open_window(demo_path)
    qtbot.addWidget(win)
    win.show()
    win.go("台账")
    win.page("台账").splitter.setSizes([500, 500])
    win.close()
    assert (data_dir / "duban-gui.ini").is_file()
    again = open_window(demo_path)
    qtbot.addWidget(again)
    again.show()
    again.go("台账")
    left, right = again.page("台账").splitter.sizes()
    assert abs(left - right) <= 2  # half and half, as left, instead of the 2:1 default
    again.close()


def test_backup_and_restore_from_the_file_menu(qtbot, window, answers):
    db = window.session.db
    window.backup_now()
    db.execute("DELETE FROM problems")
    db.conn.commit()
    answers.fill_next(lambda d: d.list.setCurrentRow(0))
    window.restore_backup()
    assert window.session.db.execute("SELECT COUNT(*) FROM problems").fetchone()[0] > 0
    assert "已从备份" in answers.infos[-1]
    assert window.page("问题清单").model.rowCount() > 0 or window._dirty


def test_job_reports_progress_and_cancels(qtbot):
    from desktop.workers import Job

    gate = threading.Event()
    seen = []

    def work(progress):
        for i in range(1000):
            progress(i, 1000, f"第 {i} 步")
            if i == 3:
                gate.wait(5)
        return "不该到这里"

    job = Job(work)
    job.signals.progress.connect(lambda d, t, m: seen.append(m))
    with qtbot.waitSignal(job.signals.cancelled, timeout=5000):
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().start(job)
        qtbot.waitUntil(lambda: len(seen) >= 4)
        job.cancel()
        gate.set()
    assert job.was_cancelled and job.result is None and "第 0 步" in seen


def test_job_generator_and_user_error(qtbot):
    from db.errors import DubanError
    from desktop.workers import Job

    def steps(progress):
        yield 1, 2, "一"
        yield 2, 2, "二"
        return 42

    job = Job(steps)
    with qtbot.waitSignal(job.signals.succeeded, timeout=5000) as blocker:
        job.run()
    assert blocker.args == [42]

    def refuse(progress):
        raise DubanError("文件不是填报表。")

    job = Job(refuse)
    with qtbot.waitSignal(job.signals.failed, timeout=5000) as blocker:
        job.run()
    assert blocker.args == ["文件不是填报表。"]


def test_report_page_makes_a_pdf_in_a_worker(qtbot, window, answers, tmp_path, monkeypatch):
    from desktop.views import reports

    page = window.page("报表")
    if page is None:
        pytest.fail("the report back end is present, so the 报表 page must be in the window")
    opened = []
    monkeypatch.setattr(reports, "open_in_viewer", lambda path: opened.append(path) or True)
    window.go("报表")
    page.kind_box.setCurrentIndex(page.kind_box.findData("progress"))
    page.round_box.setCurrentIndex(page.round_box.findData("2024Q2"))
    answers.save_path = str(tmp_path / "进展")
    page.make()
    wait_for_jobs(qtbot, 60000)
    assert not answers.errors
    assert opened == [tmp_path / "进展.pdf"]
    assert (tmp_path / "进展.pdf").read_bytes().startswith(b"%PDF")
    assert "共" in page.result_view.toPlainText()


def test_task_list_wizard_imports_a_list(qtbot, window, answers, tmp_path):
    from desktop.dialogs.tasklist import TaskListWizard

    source = tmp_path / "清单.txt"
    source.write_text(
        "示例县2024年优化营商环境重点任务清单\n"
        "一、提升审批效率\n"
        "1.推行“容缺受理”。6月底前，出台容缺受理事项清单。（牵头单位：县发展和改革局，责任单位：县司法局、县数字办）\n"
        "2.压缩不动产登记时间。年底前，一般登记3个工作日内办结。（牵头单位：县自然资源和规划局）\n",
        encoding="utf-8",
    )
    wizard = TaskListWizard(window.session, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.pick_page.path_edit.setText(str(source))
    wizard.pick_page.year_box.setValue(2024)
    wizard.pick_page.read()
    wait_for_jobs(qtbot)
    assert wizard.draft is not None and len(wizard.draft.key_works) == 2
    review = wizard.review_page
    assert wizard.currentPage() is review
    assert review.units.rowCount() == 1 and review.units.item(0, 0).text() == "县数字办"
    box = review.unit_boxes["县数字办"]
    box.setCurrentIndex(box.findData("县经济和信息化局"))
    assert not any(f.kind == "unknown_unit" for f in wizard.draft.flags())
    wizard.next()
    assert "新增 2 项" in wizard.commit_page.summary.text()
    wizard.accept()
    wait_for_jobs(qtbot)
    db = window.session.db
    titles = [r[0] for r in db.execute("SELECT title FROM key_works ORDER BY id DESC LIMIT 2")]
    assert any("容缺受理" in t for t in titles)
    alias = db.execute("SELECT u.name FROM unit_aliases a JOIN units u ON u.id = a.unit_id WHERE a.alias = '县数字办'")
    assert alias.fetchone()[0] == "县经济和信息化局"
    assert list((Path(window.session.path).parent / "demo.backups").glob("*before-tasklist*"))


def test_hidden_pages_read_the_ledger_when_first_shown(qtbot, window):
    rounds = window._page("填报轮次")
    assert rounds.rounds_model.rowCount() == 0  # not read at start: a large ledger opens in seconds, not minutes
    window.go("填报轮次")
    assert rounds.rounds_model.rowCount() == 3
    problems = window.page("问题清单")  # asking the window for a page loads it too
    assert problems.model.rowCount() > 0


def test_judged_states_are_shared_but_never_stale(qtbot, window):
    from db.ledger import open_ledger

    session = window.session
    first = session.key_work_states("2024Q3")
    assert session.key_work_states("2024Q3") is first  # the dashboard and the 台账 judge once
    other = open_ledger(session.path)  # a worker writes through its own connection
    try:
        with other.atomic():
            other.execute("UPDATE reports SET percent = 100, reported_status = '已完成' WHERE round_id = '2024Q3'")
    finally:
        other.close()
    again = session.key_work_states("2024Q3")
    assert again is not first
    done = [sum(k.result.status == "已完成" for k in states) for states in (first, again)]
    assert done[1] > done[0]


def test_a_damaged_backup_is_refused_without_claiming_success(qtbot, window, answers):
    target = window.backup_now()
    target.write_bytes(b"not a ledger at all" * 100)  # a backup damaged on disk
    answers.fill_next(lambda d: d.list.setCurrentRow(0))
    window.restore_backup()
    assert answers.errors, "the clerk is told the backup cannot be used"
    assert not any("已从备份" in message for message in answers.infos)
    assert window.session.db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == 30
    window.go("台账")
    assert window.page("台账").proxy.rowCount() == 30
