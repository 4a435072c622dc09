"""The ledger file under faults (issue 15, items 7, 8, 9, 14): backups, damage, full disks, read-only, shares, no display.

Fault injection: a tiny tmpfs for a full disk and a read-only mount (root only; skipped
with the reason otherwise), chmod for a read-only file (the child runs without root's
power to ignore permissions), bytes overwritten inside a page for damage.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from reliability_faults import (
    can_obey_permissions,
    duban,
    fill_disk,
    one_sentence,
    print_summary,
    remount_read_only,
    survived,
    tiny_disk,
)
from test_exchange_helpers import clerk_values, fill, indicator_headers

from db.errors import DamagedLedgerError, DubanError
from db.ledger import (
    Backup,
    backup_before,
    backup_catalog,
    backup_ledger,
    backups_dir,
    backups_to_remove,
    network_share,
    open_ledger,
)

FIGURES: dict[str, str] = {}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def damage(path: Path, page: int = 20) -> None:
    """Overwrite one page in the middle of the file, as a bad sector or a torn copy would."""
    with path.open("r+b") as fh:
        fh.seek(4096 * page)
        fh.write(b"\xff" * 4096)


# --- backups: retention, never empty, none for a refused operation (item 7) -------------------------


def _backup(when: datetime, reason: str = "import") -> Backup:
    return Backup(Path(f"x-{when:%Y%m%d-%H%M%S}-{reason}.db"), when, reason, 1000)


def test_retention_keeps_the_last_ten_one_a_day_for_thirty_days_and_one_per_closed_round():
    now = datetime(2024, 12, 31, 18, 0)
    # Five imports a day for 60 days: 300 backups.
    backups = [_backup(now - timedelta(days=d, hours=h)) for d in range(60) for h in range(5)]
    backups.append(_backup(now - timedelta(days=90), "manual"))
    closed = [now - timedelta(days=45, hours=2)]
    removed = backups_to_remove(backups, {"keep_last": 10, "daily_days": 30, "per_closed_round": True}, closed, now)
    kept = [b for b in backups if b not in removed]
    newest = sorted(backups, key=lambda b: b.taken_at, reverse=True)
    assert all(b in kept for b in newest[:10])
    days = {b.taken_at.date() for b in kept if now - b.taken_at <= timedelta(days=30)}
    assert len(days) == 31  # today and each of the 30 days before
    assert any(b.reason == "manual" for b in kept)  # asked for by the clerk: never removed
    # The newest backup taken before the round was closed is kept, the one just after is not needed.
    before_close = max((b for b in backups if b.taken_at <= closed[0]), key=lambda b: b.taken_at)
    assert before_close in kept
    # 10 newest (two days) + 29 more days + the closed round's + the manual one.
    assert len(kept) == 10 + 29 + 1 + 1
    # Edges: nothing kept beyond the rule, nothing removed when the rule keeps all.
    assert backups_to_remove(backups[:3], {"keep_last": 10, "daily_days": 0}, [], now) == []
    only_last = backups_to_remove(backups, {"keep_last": 1, "daily_days": 0, "per_closed_round": False}, [], now)
    assert len(only_last) == len(backups) - 2  # the newest and the manual one stay
    survived(__name__, "300 import backups over 60 days", f"{len(kept)} kept by the retention rule")


def test_a_round_of_imports_keeps_a_bounded_number_of_backups(demo_path):
    db = open_ledger(demo_path)
    try:
        for _ in range(30):
            backup_ledger(db, demo_path, "import")
    finally:
        db.close()
    catalog = backup_catalog(demo_path)
    # 30 backups in one day: the last 10 stay (the day's newest is among them).
    assert len(catalog) == 10
    size = sum(b.size for b in catalog)
    FIGURES["demo ledger"] = f"{demo_path.stat().st_size // 1024} KB"
    FIGURES["backups after 30 imports"] = f"{len(catalog)} files, {size / 1024 / 1024:.1f} MB"
    survived(__name__, "30 imports in one round", f"10 backups kept ({size / 1024 / 1024:.1f} MB), not 30")


def test_retention_rule_is_a_ledger_setting(demo_path):
    from db.ledger import set_meta

    db = open_ledger(demo_path)
    try:
        set_meta(db, "backup_retention", {"keep_last": 3, "daily_days": 0}, "test")
        for _ in range(6):
            backup_ledger(db, demo_path, "import")
    finally:
        db.close()
    assert len(backup_catalog(demo_path)) == 3


def test_a_refused_operation_leaves_no_backup(demo_path):
    db = open_ledger(demo_path)
    try:
        with pytest.raises(DubanError), backup_before(db, demo_path, "undo-import"):
            raise DubanError("这个批次不能撤销")
        assert backup_catalog(demo_path) == []
        # An operation that wrote something before it failed keeps its backup.
        with pytest.raises(RuntimeError), backup_before(db, demo_path, "import"):
            db.execute("UPDATE units SET phone = '1' WHERE id = (SELECT MIN(id) FROM units)")
            db.conn.commit()
            raise RuntimeError("half-way")
        assert len(backup_catalog(demo_path)) == 1
    finally:
        db.close()
    survived(__name__, "an undo refused after its backup was taken", "the backup is removed again")


def test_a_backup_on_a_full_disk_is_refused_whole_and_leaves_no_empty_file(demo_path, tmp_path):
    with tiny_disk(tmp_path, 3 * 1024 * 1024) as disk:
        _backup_on_full_disk(demo_path, disk)


def _backup_on_full_disk(demo_path, disk):
    ledger = disk / "台账.db"
    shutil.copy2(demo_path, ledger)
    db = open_ledger(ledger)
    try:
        backup_ledger(db, ledger, "manual")
        filler = fill_disk(disk, leave=64 * 1024)
        with pytest.raises(DubanError, match="磁盘空间已满"):
            backup_ledger(db, ledger, "import")
        leftovers = [p for p in backups_dir(ledger).iterdir() if p.stat().st_size == 0 or p.suffix == ".partial"]
        assert leftovers == []
        assert len(backup_catalog(ledger)) == 1
        filler.unlink()
    finally:
        db.close()
    survived(__name__, "backup on a full disk", "refused in one sentence, no 0-byte or partial file")


def test_duban_backups_lists_size_and_reason_and_restore_keeps_the_current_ledger(demo_path):
    db = open_ledger(demo_path)
    try:
        backup_ledger(db, demo_path, "import")
        db.execute("DELETE FROM problems")
        db.conn.commit()
    finally:
        db.close()
    listed = duban("--db", str(demo_path), "backups")
    assert listed.returncode == 0, listed.stderr
    assert "导入回收表前" in listed.stdout and "KB" in listed.stdout
    before = digest(demo_path)
    restored = duban("--db", str(demo_path), "restore", "1")
    assert restored.returncode == 0, restored.stderr
    assert "恢复前的台账另存为" in restored.stdout
    kept = [b for b in backup_catalog(demo_path) if b.reason == "before-restore"]
    assert len(kept) == 1 and digest(kept[0].path) == before
    db = open_ledger(demo_path)
    try:
        assert db.execute("SELECT COUNT(*) FROM problems").fetchone()[0] > 0
    finally:
        db.close()
    survived(__name__, "duban restore", "backup put back, the replaced ledger kept aside byte for byte")


def test_restore_is_refused_while_a_window_has_the_ledger_open(demo_path):
    from desktop.lock import LedgerLock

    db = open_ledger(demo_path)
    backup_ledger(db, demo_path, "manual")
    db.close()
    lock = LedgerLock(demo_path)
    lock.acquire()
    try:
        done = duban("--db", str(demo_path), "restore", "latest")
    finally:
        lock.release()
    assert done.returncode == 2
    assert "duban 窗口" in one_sentence(done.stderr)


# --- damage (item 8) ----------------------------------------------------------------------------------


def test_damage_inside_a_page_names_the_newest_good_backup_and_the_restore_command(demo_path):
    db = open_ledger(demo_path)
    good = backup_ledger(db, demo_path, "import")
    db.close()
    damage(demo_path)
    with pytest.raises(DamagedLedgerError) as caught:
        open_ledger(demo_path)
    message = str(caught.value)
    assert good.name in message and "restore" in message and "已损坏" in message
    # The CLI: one sentence, exit 2, never "程序内部出错".
    done = duban("--db", str(demo_path), "tasks")
    assert done.returncode == 2
    assert good.name in one_sentence(done.stderr)
    doctor = duban("--db", str(demo_path), "doctor")
    assert doctor.returncode == 2 and "✘ 完整性检查" in doctor.stdout and good.name in doctor.stdout
    # And the way back works.
    back = duban("--db", str(demo_path), "restore", "latest")
    assert back.returncode == 0, back.stderr
    assert duban("--db", str(demo_path), "doctor").returncode == 0
    survived(__name__, "a page of the ledger overwritten", "refused on open naming the good backup; restored")


def test_a_zeroed_ledger_is_called_damaged_not_foreign(demo_path):
    db = open_ledger(demo_path)
    backup_ledger(db, demo_path, "import")
    db.close()
    demo_path.write_bytes(b"\0" * 8192)
    with pytest.raises(DamagedLedgerError, match="已损坏.*最近一个完好的备份"):
        open_ledger(demo_path)


def test_quick_check_runs_on_open_and_is_timed(demo_path):
    db = open_ledger(demo_path)
    try:
        assert db.quick_check_seconds is not None
        FIGURES["quick_check on the demo ledger"] = f"{db.quick_check_seconds * 1000:.0f} ms"
    finally:
        db.close()
    # Unchanged since the good check: the next open does not pay it again.
    db = open_ledger(demo_path)
    try:
        assert db.quick_check_seconds is None
    finally:
        db.close()


def test_doctor_runs_the_full_integrity_check(demo_path):
    done = duban("--db", str(demo_path), "doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✔ 完整性检查：无误" in done.stdout and "台账完好" in done.stdout


# --- faults each with their own sentence (item 9) -------------------------------------------------------


def test_full_disk_reads_still_work_and_writes_say_the_disk_is_full(demo_path, tmp_path):
    with tiny_disk(tmp_path, 2 * 1024 * 1024) as disk:
        _full_disk_reads_and_writes(demo_path, disk)


def _full_disk_reads_and_writes(demo_path, disk):
    ledger = disk / "台账.db"
    shutil.copy2(demo_path, ledger)
    assert duban("--db", str(ledger), "rounds").returncode == 0
    before = digest(ledger)
    filler = fill_disk(disk)
    reading = duban("--db", str(ledger), "rounds")
    assert reading.returncode == 0 and "2024Q3" in reading.stdout
    writing = duban("--db", str(ledger), "round", "open", "2024Q4")
    assert writing.returncode == 2
    sentence = one_sentence(writing.stderr)
    assert "磁盘空间已满" in sentence and "已损坏" not in sentence and "程序内部出错" not in sentence
    filler.unlink()
    assert digest(ledger) == before
    assert duban("--db", str(ledger), "round", "open", "2024Q4").returncode == 0
    survived(__name__, "disk full (leftover -wal and -shm)", "reads work, a write says 磁盘空间已满, ledger unchanged")


def test_import_on_a_nearly_full_disk_is_refused_before_anything_changes(demo_path, tmp_path):
    out = tmp_path / "填报表"
    exported = duban(
        "--db", str(demo_path), "export-handoff", "--round", "2024Q3", "--unit", "云岭乡", "--out", str(out)
    )
    assert exported.returncode == 0, exported.stderr
    # A filled return (a handoff's editable cells start empty: an untouched one would import nothing).
    for path in out.glob("*.xlsx"):
        headers = indicator_headers(path)
        fill(path, {aid: clerk_values(aid, i, headers[aid]) for i, aid in enumerate(sorted(headers))})
    with tiny_disk(tmp_path, 3 * 1024 * 1024) as disk:
        _import_on_nearly_full_disk(demo_path, disk, out)


def _import_on_nearly_full_disk(demo_path, disk, out):
    ledger = disk / "台账.db"
    shutil.copy2(demo_path, ledger)
    filler = fill_disk(disk, leave=200 * 1024)
    done = duban("--db", str(ledger), "import-returns", *map(str, out.glob("*.xlsx")))
    filler.unlink()
    assert "程序内部出错" not in done.stderr and "Traceback" not in done.stderr
    if done.returncode == 0:
        pytest.fail("the import claimed success on a full disk: " + done.stdout)
    assert "磁盘空间已满" in done.stderr
    assert [p for p in backups_dir(ledger).glob("*") if p.stat().st_size == 0] == []
    db = open_ledger(ledger)
    try:
        assert db.execute("SELECT COUNT(*) FROM import_batches").fetchone()[0] == 0
    finally:
        db.close()
    survived(__name__, "import with 200 KB free", "refused in one sentence before any change, no empty backup")


def test_read_only_folder_opens_read_only_and_reports_still_work(demo_path, tmp_path):
    with tiny_disk(tmp_path, 2 * 1024 * 1024) as disk:
        _read_only_disk(demo_path, disk, tmp_path)


def _read_only_disk(demo_path, disk, tmp_path):
    ledger = disk / "台账.db"
    shutil.copy2(demo_path, ledger)
    remount_read_only(disk)
    report = duban("--db", str(ledger), "report", "progress", "--round", "2024Q2", "--out", str(tmp_path / "进展.pdf"))
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "进展.pdf").stat().st_size > 1000
    assert "只读" in report.stderr  # said once, as a notice
    listing = duban("--db", str(ledger), "export-ledger", "--out", str(tmp_path / "台账.xlsx"))
    assert listing.returncode == 0, listing.stderr
    writing = duban("--db", str(ledger), "round", "open", "2024Q4")
    assert writing.returncode == 2
    sentence = one_sentence(writing.stderr)
    assert "只读" in sentence and "程序内部出错" not in sentence
    survived(__name__, "ledger on a read-only disk", "opened read-only, PDF and ledger export made, a write refused")


@pytest.mark.skipif(not can_obey_permissions(), reason="needs a non-root user or setpriv to drop root's override")
def test_read_only_file_opens_read_only(demo_path, tmp_path):
    demo_path.chmod(0o444)
    try:
        reading = duban("--db", str(demo_path), "tasks", obey_permissions=True)
        assert reading.returncode == 0, reading.stderr
        writing = duban("--db", str(demo_path), "round", "open", "2024Q4", obey_permissions=True)
    finally:
        demo_path.chmod(0o644)
    assert writing.returncode == 2
    sentence = one_sentence(writing.stderr)
    assert "只读" in sentence
    survived(__name__, "chmod 444 ledger", "opened read-only, a write refused with 只读")


@pytest.mark.skipif(not can_obey_permissions(), reason="needs a non-root user or setpriv to drop root's override")
def test_read_only_output_folder_says_so(demo_path, tmp_path):
    out = tmp_path / "只读"
    out.mkdir()
    out.chmod(0o555)
    try:
        done = duban("--db", str(demo_path), "export-ledger", "--out", str(out / "台账.xlsx"), obey_permissions=True)
    finally:
        out.chmod(0o755)
    assert done.returncode == 2
    assert "程序内部出错" not in one_sentence(done.stderr)
    survived(__name__, "output into a read-only folder", "one sentence, exit 2")


def test_network_share_is_detected_and_warned(demo_path, monkeypatch):
    import db.ledger as ledger_mod

    folder = str(demo_path.resolve().parent)
    monkeypatch.setattr(
        ledger_mod, "_mount_table", lambda: f"/dev/vda / ext4 rw 0 0\n//server/督办 {folder} cifs rw 0 0\n"
    )
    assert network_share(demo_path) == "CIFS"
    db = open_ledger(demo_path)
    try:
        assert any("网络共享盘" in w and "本机硬盘" in w for w in db.warnings)
    finally:
        db.close()
    monkeypatch.setattr(ledger_mod, "_mount_table", lambda: f"server:/x {folder} nfs4 rw 0 0\n")
    assert network_share(demo_path) == "NFS4"
    monkeypatch.setattr(ledger_mod, "_mount_table", lambda: "/dev/vda / ext4 rw 0 0\n")
    assert network_share(demo_path) is None
    survived(__name__, "ledger on an SMB/NFS share", "warned: locking unsafe, use a local path")


def test_log_falls_back_to_a_temp_folder_and_never_prints_a_traceback(tmp_path, monkeypatch, capsys):
    import db.paths as paths

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    monkeypatch.setenv("DUBAN_DATA_DIR", str(blocked))
    root = logging.getLogger()
    saved = list(root.handlers)
    for handler in saved:
        if isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
    try:
        log_file = paths.setup_logging()
        assert log_file is not None and not str(log_file).startswith(str(blocked))
        assert logging.raiseExceptions is False
        # A log that fails later (disk full) is silent.
        handler = next(h for h in root.handlers if isinstance(h, logging.FileHandler))

        class FullDisk:
            def write(self, text):
                raise OSError(28, "No space left on device")

            def flush(self):
                pass

            def close(self):
                pass

        handler.stream.close()
        handler.stream = FullDisk()
        logging.getLogger("duban").error("after the disk filled up")
        assert "Traceback" not in capsys.readouterr().err
    finally:
        for handler in list(root.handlers):
            if isinstance(handler, logging.FileHandler) and handler not in saved:
                root.removeHandler(handler)
                handler.close()
        logging.raiseExceptions = True
    survived(__name__, "log folder not writable", "log written to the temp folder, no traceback")


# --- first command without a display (item 14) ------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="Windows always has a display: the window would open")
def test_demo_without_a_display_builds_the_ledger_then_says_so_in_one_sentence(tmp_path):
    env = {"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    done = duban("--db", str(tmp_path / "示例.db"), "demo", env=env)
    assert done.returncode == 2
    sentence = one_sentence(done.stderr)
    assert "没有可用的图形显示" in sentence and "--no-gui" in sentence
    assert (tmp_path / "示例.db").is_file() and "已生成演示台账" in done.stdout
    gone = duban("--db", str(tmp_path / "示例2.db"), "demo", env={**env, "DISPLAY": ":97"})
    assert gone.returncode == 2 and "找不到图形显示 :97" in one_sentence(gone.stderr)
    survived(__name__, "duban demo with no display / a dead X display", "ledger built, one sentence, exit 2")


def test_missing_qt_libraries_are_named_with_their_packages():
    from desktop.display import display_problem

    present = {"libxcb-icccm.so.4": False, "libxcb-keysyms.so.1": False, "libxcb-cursor.so.0": False}
    problem = display_problem({"DISPLAY": "localhost:10"}, "linux", loads=lambda soname: present.get(soname, True))
    assert problem is not None
    assert "libxcb-icccm4" in problem and "libxcb-keysyms1" in problem and "libxcb-cursor0" in problem
    assert "apt install" in problem
    assert display_problem({"DISPLAY": "localhost:10"}, "linux", loads=lambda s: True) is None
    assert display_problem({}, "win32") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None


def test_readme_lists_every_library_qt_needs():
    from desktop.display import QT_XCB_LIBRARIES

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [package for package in QT_XCB_LIBRARIES.values() if package not in readme]
    assert missing == []


def test_summary_of_faults_tried_and_survived(capsys):
    print_summary(__name__, capsys)
    with capsys.disabled():
        for name, figure in FIGURES.items():
            print(f"  {name}: {figure}")
