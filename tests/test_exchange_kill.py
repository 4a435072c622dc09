"""An import killed with SIGKILL in the middle of its transaction leaves the ledger exactly as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from test_exchange_helpers import ROUND, clerk_values, data_rows, fill, indicator_headers, ledger_dump, unit_id

from db.ledger import open_ledger
from reports.exchange.handoff import export_handoff

ROOT = Path(__file__).resolve().parent.parent

# The child imports normally, but stops for good once the file's batch record and reports are
# written, inside the file's transaction (not yet committed), and says so through a marker file
# so that the test can kill it there.
CHILD = """
import sys, time
from pathlib import Path
import db.progress
from reports.exchange.importing import import_returns
from db.ledger import open_ledger

ledger, workbook, marker = sys.argv[1:4]
real_save = db.progress.save_reports

def save_then_hang(*args, **kwargs):
    result = real_save(*args, **kwargs)
    Path(marker).write_text("inside the transaction")
    time.sleep(120)
    return result

db.progress.save_reports = save_then_hang
import_returns(open_ledger(ledger), [workbook], ledger_path=ledger)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX kill -9")
def test_kill_9_in_the_middle_of_an_import_changes_nothing(demo_path, tmp_path):
    db = open_ledger(demo_path)
    [f] = export_handoff(db, ROUND, [unit_id(db, "云岭乡")], tmp_path)
    headers = indicator_headers(f.path)
    fill(f.path, {aid: clerk_values(aid, k, headers[aid]) for k, aid in enumerate(sorted(headers))})
    assert len(data_rows(openpyxl.load_workbook(f.path).worksheets[0])) > 2
    before = ledger_dump(db)
    db.close()

    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(demo_path), str(f.path), str(marker)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), child.stderr.read().decode() if child.poll() is not None else "child never got there"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    db = open_ledger(demo_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert ledger_dump(db) == before
        # The interrupted file imports cleanly afterwards.
        from reports.exchange.importing import import_returns

        [res] = import_returns(db, [f.path])
        assert res.applied and res.counts["new"] + res.counts["changed"] == len(headers)
    finally:
        db.close()
