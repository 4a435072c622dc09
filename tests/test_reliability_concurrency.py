"""Two processes on one ledger (issue 15, item 4): one writer at a time, the other waits, then says who.

Real processes throughout: two ``duban import-returns`` at once beside an
``export-handoff --all``, and a command blocked by another duban holding the write lock.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_faults import ROOT, duban, one_sentence, print_summary, survived
from test_exchange_helpers import ROUND, clerk_values, fill, indicator_headers

from db.ledger import LedgerDatabase, open_ledger

pytestmark = pytest.mark.slow


def _returns(demo_path: Path, out: Path) -> list[Path]:
    done = duban("--db", str(demo_path), "export-handoff", "--round", ROUND, "--all", "--out", str(out))
    assert done.returncode == 0, done.stderr
    files = sorted(out.glob("*.xlsx"))
    for k, path in enumerate(files):
        headers = indicator_headers(path)
        fill(path, {aid: clerk_values(aid, k + i, headers[aid]) for i, aid in enumerate(sorted(headers))})
    return files


def test_two_imports_and_an_export_at_once_all_finish(demo_path, tmp_path):
    files = _returns(demo_path, tmp_path / "收回")
    assert len(files) == 25
    half = len(files) // 2 + 1
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    commands = [
        ["import-returns", *map(str, files[:half])],
        ["import-returns", *map(str, files[half:])],
        ["export-handoff", "--round", ROUND, "--all", "--out", str(tmp_path / "再次导出")],
    ]
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "desktop", "--db", str(demo_path), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    outputs = [child.communicate(timeout=600) for child in children]
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err + out
        assert "程序内部出错" not in err and "Traceback" not in err
    db = open_ledger(demo_path)
    try:
        imported = db.execute(
            "SELECT COUNT(DISTINCT file_name) FROM import_batches WHERE undone_at IS NULL"
        ).fetchone()[0]
        assert imported == 25
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    assert len(list((tmp_path / "再次导出").glob("*.xlsx"))) == 25
    survived(__name__, "two import-returns and an export-handoff --all at once", "25/25 files imported, 25 exported")


HOLDER = """
import sys, time
from pathlib import Path
sys.argv = ["duban", "import-returns", "收回"]
from db.ledger import open_ledger
db = open_ledger({ledger!r})
db.conn.execute("BEGIN IMMEDIATE")
db.conn.execute("UPDATE meta SET value = value WHERE key = 'app'")
Path({marker!r}).write_text("holding")
time.sleep(60)
"""


def test_a_writer_blocked_too_long_says_which_duban_holds_the_ledger(demo_path, tmp_path):
    marker = tmp_path / "holding"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(ledger=str(demo_path), marker=str(marker))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            if marker.exists() or holder.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), holder.stderr.read().decode()
        started = time.monotonic()
        done = duban(
            "--db", str(demo_path), "round", "open", "2024Q4", env={"DUBAN_WRITE_WAIT_SECONDS": "1.5"}, timeout=120
        )
        waited = time.monotonic() - started
        # Reading is never blocked by the writer (WAL): the window can show the ledger meanwhile.
        reading = duban("--db", str(demo_path), "rounds", timeout=120)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
        holder.stderr.close()
    assert done.returncode == 2
    sentence = one_sentence(done.stderr)
    assert "另一个 duban" in sentence and "正在写入台账" in sentence
    assert f"duban import-returns（进程 {holder.pid}）" in sentence
    assert "没有做任何改动" in sentence
    assert waited >= 1.5
    assert reading.returncode == 0 and "2024Q3" in reading.stdout
    db = open_ledger(demo_path)
    try:
        assert db.execute("SELECT COUNT(*) FROM rounds WHERE id = '2024Q4'").fetchone()[0] == 0
    finally:
        db.close()
    # Once the other process is gone the same command simply works.
    again = duban("--db", str(demo_path), "round", "open", "2024Q4")
    assert again.returncode == 0, again.stderr
    survived(__name__, "write lock held by another duban past the wait", "one sentence naming it, exit 2, no change")


def test_every_transaction_takes_the_write_lock_when_it_begins(demo_path):
    """A deferred transaction would read first and fail at its first write without waiting."""
    db = open_ledger(demo_path)
    other = sqlite3.connect(demo_path)
    try:
        assert isinstance(db, LedgerDatabase)
        with db.atomic():
            # Another connection cannot start writing while ours is open, even before we wrote.
            other.execute("PRAGMA busy_timeout = 0")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        # Implicit transactions (sqlite-utils' insert/update outside atomic()) begin IMMEDIATE too.
        assert db.conn.isolation_level == "IMMEDIATE"
    finally:
        other.close()
        db.close()
    survived(__name__, "a transaction that reads before it writes", "holds the write lock from BEGIN")


def test_summary_of_faults_tried_and_survived(capsys):
    print_summary(__name__, capsys)
