"""The task-list wizard's review (issue 12): evidence, corrections, column mapping, confirmation."""

from __future__ import annotations

from tests.gui.conftest import wait_for_jobs


def _read(qtbot, window, source, year=2024):
    from desktop.dialogs.tasklist import TaskListWizard

    wizard = TaskListWizard(window.session, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.pick_page.path_edit.setText(str(source))
    wizard.pick_page.year_box.setValue(year)
    wizard.pick_page.read()
    wait_for_jobs(qtbot)
    return wizard


def test_review_shows_evidence_lists_unassigned_first_and_takes_corrections(qtbot, window, answers, tmp_path):
    source = tmp_path / "方案.txt"
    source.write_text(
        "示例县2024年重点工作方案\n一、任务\n"
        "1.推进老旧小区改造，6月底前完成方案。（县住房和城乡建设局牵头，县财政局配合）\n"
        "2.加强宣传引导。\n",
        encoding="utf-8",
    )
    wizard = _read(qtbot, window, source)
    review = wizard.review_page
    assert wizard.currentPage() is review
    # The key work without a unit is listed first, and its source says so.
    assert review.works.item(0, 0).text() == "2"
    review.works.setCurrentCell(1, 2)
    shown = review.evidence.toHtml()
    assert "县住房和城乡建设局" in shown and "牵头" in shown and "6月底前" in shown
    # Correct the title, the units (lead marked *) and the deadline in the table.
    review.works.item(0, 2).setText("加强政策宣传引导")
    review.works.item(0, 4).setText("*县委宣传部、县融媒体中心（配合）")
    row = next(r for r in range(2) if review.works.item(r, 0).text() == "1")
    review.works.item(row, 5).setText("9月底前")
    kw1, kw2 = wizard.draft.key_works
    assert kw2.title == "加强政策宣传引导"
    assert [(u.name, u.role) for u in kw2.units] == [("县委宣传部", "牵头"), ("县融媒体中心", "配合")]
    assert [(m.phrase, m.due) for m in kw1.milestones] == [("9月底前", "2024-09-30")]
    wizard.next()
    wizard.accept()
    wait_for_jobs(qtbot)
    assert not answers.confirms  # every key work has a unit now: nothing to confirm
    db = window.session.db
    title = db.execute("SELECT title FROM key_works ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert title == "加强政策宣传引导"


def test_unassigned_works_need_a_confirmation(qtbot, window, answers, tmp_path):
    source = tmp_path / "方案.txt"
    source.write_text(
        "示例县2024年重点工作方案\n一、任务\n1.建设数字乡村。（县农业农村局负责）\n2.加强宣传。\n", "utf-8"
    )
    wizard = _read(qtbot, window, source)
    before = window.session.db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0]
    wizard.next()
    answers.confirm_answer = False
    wizard.accept()
    wait_for_jobs(qtbot)
    assert answers.confirms and "没有读到责任单位" in answers.confirms[0]
    assert window.session.db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == before
    answers.confirm_answer = True
    wizard.accept()
    wait_for_jobs(qtbot)
    assert window.session.db.execute("SELECT COUNT(*) FROM key_works").fetchone()[0] == before + 2


def test_a_table_with_an_unknown_header_shows_its_first_rows_to_map(qtbot, window, answers, tmp_path):
    from tests.tasklist_accuracy import _write_xlsx

    path = _write_xlsx(
        tmp_path / "安排.xlsx",
        {
            "titles": ["示例镇2024年重点工作安排"],
            "header": ["项", "内容说明", "负责", "协同", "节点"],
            "rows": [["1", "建成镇级综合文化站", "镇文化站", "镇财政所", "2024年8月底前"]],
        },
    )
    wizard = _read(qtbot, window, path)
    page = wizard.pick_page
    assert wizard.draft is None and page.preview.isVisible()
    assert page.preview.horizontalHeaderItem(1).text() == "B"
    assert "列对应" in page.state.text() and not answers.errors
    page.columns_edit.setText("任务=B,牵头单位=C,配合单位=D,完成时限=E")
    page.read()
    wait_for_jobs(qtbot)
    assert wizard.draft is not None and wizard.draft.key_works[0].title == "建成镇级综合文化站"
