"""Helpers shared by the exchange tests: ledger dumps, filling a handoff as a clerk would, LibreOffice."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import uuid
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

from db.status import REPORTABLE_STATUSES
from reports.exchange.handoff import (
    EDITABLE_COLUMNS,
    HEADER_ROW,
    ID_HEADER,
    INDICATOR_PREFIX,
    PHONE_LABEL,
    REPORTER_LABEL,
)

ROUND = "2024Q3"


def ledger_dump(db, skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, so that two dumps compare equal only if nothing changed."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {
        t: sorted(db.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr)
        for t in tables
        if t not in skip and not t.startswith("sqlite_")
    }


def unit_id(db, name: str) -> int:
    return db.execute("SELECT id FROM units WHERE name = ?", [name]).fetchone()[0]


def columns(ws) -> dict[str, int]:
    """Header text → column number of the handoff's main sheet."""
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value}


def data_rows(ws) -> dict[int, int]:
    """Assignment id → row number."""
    col = columns(ws)[ID_HEADER]
    return {
        int(ws.cell(r, col).value): r
        for r in range(HEADER_ROW + 1, ws.max_row + 1)
        if isinstance(ws.cell(r, col).value, (int, float))
    }


def put_text(cell, text) -> None:
    """Type text into a cell the way Excel stores it in a text-formatted cell (never a formula)."""
    cell.value = text
    if text is not None:
        cell.data_type = "s"


_clock = itertools.count(1)


def set_saved_at(path: Path, when: datetime) -> None:
    """Set the workbook's last-saved time (docProps/core.xml), as a spreadsheet program does on save."""
    members = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            members[info] = zf.read(info)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members.items():
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data
                )
            zf.writestr(info, data)


def fill(
    path: Path,
    values: dict[int, dict],
    reporter: str | None = None,
    phone: str | None = None,
    saved_at: datetime | None = None,
) -> None:
    """Write report values into the editable cells of a handoff, like a clerk in a spreadsheet.

    ``values[assignment_id]`` holds report fields and ``indicators`` ({indicator header: value}).
    Each fill is saved a few seconds after the previous one (or at ``saved_at``), as a clerk's
    successive saves would be.
    """
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = columns(ws)
    rows = data_rows(ws)
    headers = dict((k, h) for k, h, _w in EDITABLE_COLUMNS)
    for aid, fields in values.items():
        r = rows[aid]
        for key, value in fields.items():
            if key == "indicators":
                for header, number in value.items():
                    ws.cell(r, col[header]).value = number
            elif key == "percent":
                ws.cell(r, col[headers[key]]).value = value
            else:
                put_text(ws.cell(r, col[headers[key]]), value)
    for label, value in ((REPORTER_LABEL, reporter), (PHONE_LABEL, phone)):
        if value is not None:
            for c in ws[2]:
                if c.value == label:
                    put_text(ws.cell(2, c.column + 1), value)
    wb.save(path)
    set_saved_at(path, saved_at or datetime.utcnow().replace(microsecond=0) + timedelta(seconds=5 * next(_clock)))


def indicator_headers(path: Path) -> dict[int, list[str]]:
    """Assignment id → headers of the indicator columns that row may fill (its unlocked cells)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = columns(ws)
    out = {}
    for aid, r in data_rows(ws).items():
        out[aid] = [h for h, c in col.items() if h.startswith(INDICATOR_PREFIX) and not ws.cell(r, c).protection.locked]
    return out


def clerk_values(aid: int, k: int, headers: list[str]) -> dict:
    """Distinct, awkward but valid values a clerk might type for one row."""
    return {
        "progress_text": f"第{k}项：完成子项{aid}个，投资 1.5 亿元\n二、=SUM(A1) 只是文字；+86 电话；@某人；-减少",
        "percent": [0, 12.5, 33, 50, 99.9, 100][k % 6],
        "reported_status": REPORTABLE_STATUSES[k % len(REPORTABLE_STATUSES)],
        "problems": None if k % 3 == 0 else f"问题{aid}：资金缺口 {k * 10} 万元😀",
        "next_steps": f"下步：第{k}步\r\n继续推进",
        "indicators": {h: round(k * 1.25 + i, 2) for i, h in enumerate(headers)},
    }


def expected_fields(values: dict) -> dict:
    """The ledger values a clerk's typed values must come back as."""
    return {
        "progress_text": values["progress_text"],
        "percent": float(values["percent"]),
        "reported_status": values["reported_status"],
        "problems": values["problems"],
        "next_steps": values["next_steps"].replace("\r\n", "\n"),
    }


def soffice_convert(files: list[Path], fmt: str, out_dir: Path) -> list[Path]:
    """Open and save every file with LibreOffice headless in one call; return the converted paths."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice (soffice) is required"
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = Path("/tmp") / f"duban-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                fmt,
                "--outdir",
                str(out_dir),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    suffix = "." + fmt.split(":")[0]
    out = [out_dir / (f.stem + suffix) for f in files]
    missing = [p.name for p in out if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return out


def test_ledger_dump_sees_a_single_changed_value(demo_db):
    before = ledger_dump(demo_db)
    demo_db.execute("UPDATE reports SET next_steps = next_steps || '。' WHERE id = (SELECT MIN(id) FROM reports)")
    assert ledger_dump(demo_db) != before
