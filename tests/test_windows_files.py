"""What Windows does to files that Linux never does, run with the Windows Python.

On Linux these tests are skipped; ``tests/test_bundle_windows.py`` runs them under Wine with
the Windows CPython (``packaging/windows/run_tests_under_wine.sh``), where files held open by
another program cannot be replaced, the console speaks GBK, drive letters and the 260-character
path limit exist, and ``/:*?"<>|`` cannot be in a file name.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_exchange_helpers import clerk_values, fill, indicator_headers

from desktop.cli import main
from reports.files import FILE_IN_USE

pytestmark = pytest.mark.skipif(
    sys.platform != "win32", reason="Windows file behaviour; run under Wine by tests/test_bundle_windows.py"
)

ROOT = Path(__file__).resolve().parent.parent

# CreateFileW arguments (winnt.h / fileapi.h).
GENERIC_READ = 0x80000000
FILE_SHARE_READ = 0x1
FILE_SHARE_WRITE = 0x2
OPEN_EXISTING = 3
FILE_ATTRIBUTE_NORMAL = 0x80


@contextmanager
def held_open(path: Path, share: int):
    """Hold ``path`` open the way another program does, sharing only what ``share`` allows.

    Excel and WPS open a workbook without FILE_SHARE_DELETE (nobody may replace or delete it
    while it is open); some programs share nothing at all.
    """
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateFileW.restype = wintypes.HANDLE
    kernel32.CreateFileW.argtypes = [
        wintypes.LPCWSTR,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.LPVOID,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.HANDLE,
    ]
    handle = kernel32.CreateFileW(str(path), GENERIC_READ, share, None, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, None)
    if handle in (None, wintypes.HANDLE(-1).value):
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        yield
    finally:
        kernel32.CloseHandle(wintypes.HANDLE(handle))


def _one_chinese_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("错误："), err
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".duban-")]


def _first_unit(demo_path: Path) -> str:
    import sqlite3

    with sqlite3.connect(demo_path) as con:
        return con.execute(
            "SELECT name FROM units WHERE id IN (SELECT unit_id FROM assignments) ORDER BY sort_order, id LIMIT 1"
        ).fetchone()[0]


# ---------------------------------------------------------------------------------------------
# A file open in another program
# ---------------------------------------------------------------------------------------------


def _output_cases(demo_path: Path, out: Path) -> list[tuple[str, Path, list[str]]]:
    from reports.exchange.handoff import handoff_file_name

    unit = _first_unit(demo_path)
    db = ["--db", str(demo_path)]
    return [
        (
            "handoff",
            out / handoff_file_name("2024Q3", unit),
            [*db, "export-handoff", "--round", "2024Q3", "--unit", unit, "--out", str(out)],
        ),
        ("ledger export", out / "台账.xlsx", [*db, "export-ledger", "--out", str(out / "台账.xlsx")]),
        (
            "missing list",
            out / "催报清单.xlsx",
            [*db, "missing", "--round", "2024Q3", "--out", str(out / "催报清单.xlsx")],
        ),
        (
            "progress report",
            out / "进展表.pdf",
            [*db, "report", "progress", "--round", "2024Q2", "--out", str(out / "进展表.pdf")],
        ),
    ]


def test_an_output_file_open_in_excel_is_refused_in_one_sentence_and_left_whole(demo_path, tmp_path, capsys):
    out = tmp_path / "输出"
    out.mkdir()
    for what, target, args in _output_cases(demo_path, out):
        target.write_bytes(b"the copy the clerk has open")
        # Excel/WPS: others may read, nobody may replace or delete it.
        with held_open(target, FILE_SHARE_READ | FILE_SHARE_WRITE):
            status = main(args)
            err = capsys.readouterr().err
        assert status == 2, f"{what}: {err}"
        line = _one_chinese_line(err)
        assert FILE_IN_USE in line and target.name in line, f"{what}: {line}"
        assert target.read_bytes() == b"the copy the clerk has open", f"{what}: the open file was changed"
        assert not _leftovers(out), f"{what}: half-written files left: {_leftovers(out)}"
        # Closed again, the same command writes the file.
        assert main(args) == 0, f"{what}: {capsys.readouterr().err}"
        assert target.read_bytes() != b"the copy the clerk has open"
    capsys.readouterr()


def test_a_return_held_by_another_program_is_refused_in_one_sentence(demo_path, tmp_path, capsys):
    unit = _first_unit(demo_path)
    handoffs = tmp_path / "填报表"
    assert (
        main(["--db", str(demo_path), "export-handoff", "--round", "2024Q3", "--unit", unit, "--out", str(handoffs)])
        == 0
    )
    returned = next(handoffs.glob("*.xlsx"))
    capsys.readouterr()

    # A program that shares nothing (a half-finished copy, some WPS versions): no reading.
    with held_open(returned, 0):
        status = main(["--db", str(demo_path), "import-returns", str(returned), "--dry-run"])
        captured = capsys.readouterr()
    # The file is listed as not imported, with the one sentence that says why.
    assert status == 2, captured
    refused = [line for line in captured.out.splitlines() if FILE_IN_USE in line]
    assert len(refused) == 1 and returned.name in refused[0], captured.out
    assert "Traceback" not in captured.out + captured.err

    # Excel itself lets others read the workbook it has open: importing works meanwhile.
    with held_open(returned, FILE_SHARE_READ | FILE_SHARE_WRITE):
        status = main(["--db", str(demo_path), "import-returns", str(returned), "--dry-run", "--json"])
        captured = capsys.readouterr()
    assert status == 0, captured.err
    json.loads(captured.out)


def test_a_task_list_held_by_another_program_is_refused_in_one_sentence(tmp_path, capsys):
    import openpyxl

    book = tmp_path / "任务清单.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "重点工作", "责任单位"])
    wb.active.append([1, "推进个转企", "县市场监管局"])
    wb.save(book)
    with held_open(book, 0):
        status = main(["--db", str(tmp_path / "x.db"), "import-tasks", str(book), "--dry-run"])
        err = capsys.readouterr().err
    assert status == 2, err
    assert FILE_IN_USE in _one_chinese_line(err)


# ---------------------------------------------------------------------------------------------
# Paths: Chinese user names with spaces, long paths, other drives, forbidden characters
# ---------------------------------------------------------------------------------------------


def _round_trip(db: Path, work: Path, capsys, *, make_demo: bool = True) -> None:
    """Demo ledger, handoffs, a return imported back, a bulletin: every file lands where asked."""
    if make_demo:
        assert main(["--db", str(db), "demo", "--no-gui"]) == 0, capsys.readouterr().err
    handoffs = work / "填报表"
    assert main(["--db", str(db), "export-handoff", "--round", "2024Q3", "--all", "--out", str(handoffs)]) == 0
    files = sorted(handoffs.glob("*.xlsx"))
    assert len(files) >= 20
    # Filled as a clerk would: a handoff's editable cells start empty, and an untouched one imports nothing.
    headers = indicator_headers(files[0])
    fill(files[0], {aid: clerk_values(aid, i, headers[aid]) for i, aid in enumerate(sorted(headers))})
    assert main(["--db", str(db), "import-returns", str(files[0]), "--json"]) == 0, capsys.readouterr().err
    pdf = work / "通报.pdf"
    assert main(["--db", str(db), "report", "bulletin", "--round", "2024Q2", "--out", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    capsys.readouterr()


def test_a_data_folder_under_a_chinese_user_name_with_spaces(tmp_path, monkeypatch, capsys):
    # %LOCALAPPDATA% of a user called “张 三” (Windows allows spaces in user names).
    local = tmp_path / "Users" / "张 三" / "AppData" / "Local"
    local.mkdir(parents=True)
    monkeypatch.delenv("DUBAN_DATA_DIR")
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    # platformdirs asks the shell for the known folder, which belongs to the account running
    # the test; its documented override stands in for logging on as “张 三”.
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", str(local))

    from db.paths import default_ledger_path

    ledger = default_ledger_path()
    assert ledger.parent.is_relative_to(local), ledger
    assert main(["init"]) == 0, capsys.readouterr().err
    assert ledger.is_file()
    capsys.readouterr()
    assert main(["rounds", "--json"]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out) == []
    # A second ledger in the same folder, its backups beside it.
    _round_trip(ledger.parent / "示例 台账.db", tmp_path / "工作 文件夹", capsys)
    assert list(ledger.parent.glob("*.backups")), sorted(p.name for p in ledger.parent.iterdir())


def test_paths_longer_than_260_characters_work_or_are_refused_in_one_sentence(tmp_path, capsys):
    deep = tmp_path
    while len(str(deep)) < 300:
        deep = deep / "二〇二四年第三季度重点工作填报材料汇总"
    assert len(str(deep / "填报表" / "2024Q3_城东街道_填报表.xlsx")) > 260
    db = deep / "台账.db"
    try:
        deep.mkdir(parents=True)
    except OSError:
        pytest.skip("this Windows refuses paths longer than 260 characters (LongPathsEnabled is off)")
    status = main(["--db", str(db), "demo", "--no-gui"])
    captured = capsys.readouterr()
    if status != 0:
        # A Windows without long-path support: one sentence, never a traceback.
        assert status == 2, captured.err
        _one_chinese_line(captured.err)
        return
    _round_trip(db, deep, capsys, make_demo=False)


def test_a_ledger_on_another_drive_letter(tmp_path, capsys):
    drive = os.environ.get("DUBAN_TEST_OTHER_DRIVE")
    if not drive:
        pytest.skip("no second drive letter given (DUBAN_TEST_OTHER_DRIVE, set by run_tests_under_wine.sh)")
    assert Path(tmp_path).drive.upper() != drive.upper()
    folder = Path(f"{drive}\\") / f"台账 {os.getpid()}"
    folder.mkdir()
    db = folder / "office.db"
    # The ledger (and its backups) on one drive, the files exchanged on another.
    _round_trip(db, tmp_path, capsys)
    assert db.is_file() and any(folder.iterdir())


def test_unit_names_with_characters_windows_forbids_in_file_names(demo_db, demo_path, tmp_path, capsys):
    from db.tasks import assign
    from db.units import add_unit

    name = "县“智慧/城市”:办*?|"
    unit_id = add_unit(demo_db, name, kind="部门")
    key_work = demo_db.execute("SELECT id FROM key_works ORDER BY id LIMIT 1").fetchone()[0]
    assign(demo_db, key_work, unit_id, "责任")
    demo_db.close()
    out = tmp_path / "填报表"
    assert main(["--db", str(demo_path), "export-handoff", "--round", "2024Q3", "--all", "--out", str(out)]) == 0
    written = [p.name for p in out.glob("*.xlsx")]
    odd = [n for n in written if "智慧" in n]
    assert len(odd) == 1, written
    assert not re.search(r'[\\/:*?"<>|]', odd[0])
    capsys.readouterr()
    assert main(["--db", str(demo_path), "import-returns", str(out / odd[0]), "--dry-run", "--json"]) == 0


# ---------------------------------------------------------------------------------------------
# Output redirected on a GBK (code page 936) system
# ---------------------------------------------------------------------------------------------


def _windows_code_page() -> int:
    import ctypes

    return ctypes.windll.kernel32.GetACP()


@pytest.mark.parametrize("into", ["pipe", "file"])
def test_output_outside_gbk_is_written_as_utf8_to_a_pipe_or_file(demo_path, tmp_path, into):
    if _windows_code_page() != 936:
        pytest.skip(f"the system code page is {_windows_code_page()}, not GBK (936)")
    from db.ledger import open_ledger
    from db.units import add_unit

    db = open_ledger(demo_path)
    odd = "县数据局😀𠀀组"  # an emoji and a CJK Extension B character: neither is in GBK
    add_unit(db, odd, kind="部门")
    db.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONIO")}
    env.pop("PYTHONUTF8", None)
    command = [sys.executable, "-m", "desktop", "--db", str(demo_path), "units"]
    if into == "pipe":
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
        raw, err = done.stdout, done.stderr
    else:
        target = tmp_path / "单位.txt"
        with target.open("wb") as fh:
            done = subprocess.run(command, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.PIPE, check=False)
        raw, err = target.read_bytes(), done.stderr
    assert done.returncode == 0, err.decode("utf-8", "replace")
    text = raw.decode("utf-8")  # documented by `duban --help`: a file or a pipe gets UTF-8
    assert odd in text and "城东街道" in text
    help_text = subprocess.run(
        [sys.executable, "-m", "desktop", "--help"], cwd=ROOT, env=env, capture_output=True, check=False
    ).stdout.decode("utf-8")
    assert "UTF-8" in help_text
