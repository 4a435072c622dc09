"""The round trip survives a real spreadsheet program: LibreOffice opens and saves every return."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from test_exchange_helpers import ROUND, columns, data_rows, ledger_dump, soffice_convert
from test_exchange_roundtrip import assert_ledger_holds, fill_all

from db.ledger import open_ledger
from reports.exchange.handoff import export_handoff
from reports.exchange.importing import import_returns

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]


def type_percentages(files, typed) -> int:
    """Where a clerk filled 50, type "50%" instead, as Excel and LibreOffice store it: 0.5 shown as a percentage.

    Indicators measured in % get the same treatment. The ledger must still receive 50.
    Returns the number of cells changed.
    """
    changed = 0
    for f in files:
        wb = openpyxl.load_workbook(f.path)
        ws = wb.worksheets[0]
        col = columns(ws)
        for aid, r in data_rows(ws).items():
            if typed[aid]["percent"] != 50:
                continue
            cells = [(ws.cell(r, col["完成进度(%)"]), 50)]
            cells += [(ws.cell(r, col[h]), v) for h, v in typed[aid]["indicators"].items() if h.endswith("%）")]
            for cell, value in cells:
                cell.value = value / 100
                cell.number_format = "0%" if value == 50 else "0.00%"
                changed += 1
        wb.save(f.path)
    return changed


@pytest.fixture(scope="module")
def filled(tmp_path_factory, demo_template):
    """Every demo unit's handoff, filled by program, then saved by LibreOffice as .xlsx and as .xls."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.fail("LibreOffice (soffice) is not installed; .ci/run installs it")
    folder = tmp_path_factory.mktemp("libreoffice")
    ledger = folder / "office.db"
    shutil.copy2(demo_template, ledger)
    db = open_ledger(ledger)
    files = export_handoff(db, ROUND, None, folder / "filled")
    db.close()
    typed = fill_all(files)
    assert type_percentages(files, typed) > 0
    originals = [f.path for f in files]
    # One soffice call per format: starting LibreOffice is the slow part.
    as_xlsx = soffice_convert(originals, "xlsx", folder / "saved-xlsx")
    as_xls = soffice_convert(originals, "xls", folder / "saved-xls")
    return ledger, typed, as_xlsx, as_xls


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_returns_saved_by_libreoffice_import_field_by_field(filled, tmp_path, fmt):
    template, typed, as_xlsx, as_xls = filled
    ledger = tmp_path / "office.db"
    shutil.copy2(template, ledger)
    db = open_ledger(ledger)
    try:
        files = as_xlsx if fmt == "xlsx" else as_xls
        assert all(p.suffix == f".{fmt}" for p in files)
        results = import_returns(db, files)
        assert [r.rejected for r in results] == [None] * len(files)
        assert all(r.applied for r in results)
        assert sum(r.counts["rejected"] for r in results) == 0
        assert not [m for r in results for m in r.locked_changes]
        assert not [w for r in results for w in r.warnings]
        assert_ledger_holds(db, typed)
        # The same saved files again: nothing changes.
        before = ledger_dump(db)
        assert all(r.duplicate for r in import_returns(db, files))
        assert ledger_dump(db) == before
    finally:
        db.close()


def test_an_untouched_handoff_saved_by_libreoffice_keeps_its_identity_and_changes_nothing(filled, tmp_path):
    template, _typed, _x, _s = filled
    ledger = tmp_path / "office.db"
    shutil.copy2(template, ledger)
    db = open_ledger(ledger)
    try:
        unit = db.execute("SELECT id FROM units WHERE name = '城东街道'").fetchone()[0]
        [f] = export_handoff(db, ROUND, [unit], tmp_path / "out")
        [saved] = soffice_convert([f.path], "xls", tmp_path / "saved")
        before = ledger_dump(db)
        [res] = import_returns(db, [saved])
        assert res.export_id == f.export_id and res.unit == "城东街道"
        assert res.counts["unchanged"] == f.rows and not res.applied and not res.locked_changes
        assert ledger_dump(db) == before
    finally:
        db.close()
