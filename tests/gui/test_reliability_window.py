"""The window when its ledger cannot be opened (issue 15, item 8): the start screen offers the backups."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui

FAULTS: list[str] = []


def _damage(path) -> None:
    with path.open("r+b") as fh:
        fh.seek(4096 * 20)
        fh.write(b"\xff" * 4096)


def test_a_damaged_ledger_offers_its_backups_and_opens_after_restoring(qtbot, answers, demo_path):
    from db.ledger import backup_catalog, backup_ledger, open_ledger
    from desktop.app import _open_or_offer_restore

    db = open_ledger(demo_path)
    good = backup_ledger(db, demo_path, "import")
    db.close()
    _damage(demo_path)
    seen = {}

    def choose_first(dialog):
        seen["title"] = dialog.windowTitle()
        seen["rows"] = dialog.list.count()
        dialog.list.setCurrentRow(0)

    answers.fill_next(choose_first)
    window = _open_or_offer_restore(demo_path)
    assert window is not None
    qtbot.addWidget(window)
    assert seen == {"title": "台账打不开", "rows": 1}
    assert good.name in answers.infos[-1] and "另存为" in answers.infos[-1]
    assert any(b.reason == "before-restore" for b in backup_catalog(demo_path))
    window.close()
    FAULTS.append("damaged ledger at start → backups offered, restored, window opened")


def test_giving_up_leaves_the_damaged_file_alone(qtbot, answers, demo_path):
    from db.ledger import backup_ledger, open_ledger
    from desktop.app import _open_or_offer_restore

    db = open_ledger(demo_path)
    backup_ledger(db, demo_path, "import")
    db.close()
    _damage(demo_path)
    damaged = demo_path.read_bytes()
    answers.fill_next(lambda dialog: False)
    assert _open_or_offer_restore(demo_path) is None
    assert demo_path.read_bytes() == damaged
    FAULTS.append("damaged ledger, clerk chose 退出 → file untouched")


def test_a_damaged_ledger_without_backups_says_so(qtbot, answers, demo_path):
    from desktop.app import _open_or_offer_restore

    _damage(demo_path)
    assert _open_or_offer_restore(demo_path) is None
    assert "已损坏" in answers.errors[-1] and "没有找到完好的备份" in answers.errors[-1]
    FAULTS.append("damaged ledger without backups → one sentence")


def test_summary_of_faults_tried_and_survived(capsys):
    with capsys.disabled():
        print(f"\ntests/gui/test_reliability_window.py: {len(FAULTS)} faults tried and survived")
        for fault in FAULTS:
            print(f"  - {fault}")
