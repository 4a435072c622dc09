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


def test_a_ledger_on_a_network_share_opens_with_a_warning(qtbot, answers, demo_path, monkeypatch):
    import db.ledger as ledger_mod
    from desktop.app import _open_or_offer_restore

    folder = str(demo_path.resolve().parent)
    monkeypatch.setattr(ledger_mod, "_mount_table", lambda: f"//server/share {folder} cifs rw 0 0\n")
    window = _open_or_offer_restore(demo_path)
    assert window is not None
    qtbot.addWidget(window)
    assert any("网络共享盘" in info for info in answers.infos)
    window.close()
    FAULTS.append("ledger on an SMB share opened in the window → warned once")


def test_a_ledger_on_a_read_only_disk_opens_in_the_window(qtbot, answers, demo_path, tmp_path):
    import shutil

    from reliability_faults import remount_read_only, tiny_disk

    from desktop.app import _open_or_offer_restore

    with tiny_disk(tmp_path, 2 * 1024 * 1024) as disk:
        ledger = disk / "台账.db"
        shutil.copy2(demo_path, ledger)
        remount_read_only(disk)
        window = _open_or_offer_restore(ledger)
        assert window is not None, answers.errors
        qtbot.addWidget(window)
        assert any("只读" in info for info in answers.infos)
        assert window.session.db.read_only
        window.close()
    FAULTS.append("ledger on a write-protected disk opened in the window → read-only, said once")


def test_summary_of_faults_tried_and_survived(capsys):
    with capsys.disabled():
        print(f"\ntests/gui/test_reliability_window.py: {len(FAULTS)} faults tried and survived")
        for fault in FAULTS:
            print(f"  - {fault}")
