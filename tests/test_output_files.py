"""Files duban writes (handoffs, PDFs, the ledger workbook) appear whole, readable by others, with no leftovers."""

from __future__ import annotations

import os
import stat

import pytest
from test_exchange_helpers import ROUND, unit_id

from reports.exchange.handoff import export_handoff
from reports.kinds import write_bulletin
from reports.ledger_export import export_ledger


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_written_files_are_readable_by_others_and_leave_no_temporary_file(demo_db, tmp_path):
    out = tmp_path / "U盘"
    old = os.umask(0o022)
    try:
        [handoff] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城东街道")], out)
        pdf = out / "通报.pdf"
        write_bulletin(demo_db, "2024Q2", pdf)
        workbook = export_ledger(demo_db, out / "台账.xlsx")
    finally:
        os.umask(old)
    for path in (handoff.path, pdf, workbook):
        # A temporary file is created owner-only; the finished file is copied to shares and USB sticks.
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644, path.name
    assert sorted(p.name for p in out.iterdir()) == sorted([handoff.path.name, "通报.pdf", "台账.xlsx"])


def test_a_failed_write_leaves_the_old_file_as_it_was(tmp_path):
    from reports.files import replaced_atomically

    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"old contents")

    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), replaced_atomically(target, opened_in="Excel/WPS") as tmp:
        tmp.write_bytes(b"half a file")
        raise Interrupted
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"]
