"""Files duban writes (issue 15, items 2, 3, 10, 13): hostile text in every workbook, temporary files, atomic lists.

A ledger stuffed with formulas, DDE links, control characters, Excel escapes and bidi
overrides (as text stored before text was cleaned on the way in) goes through every
workbook writer; every cell of every sheet is then inspected.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from reliability_faults import ROOT, duban, fill_disk, one_sentence, print_summary, survived, tiny_disk

from db.ledger import open_ledger
from db.text import clean_text, hidden_characters_note
from reports.exchange.handoff import PRINT_SHEET

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://example.invalid","点这里")',
    "文字\x0b垂直制表\x0c换页",
    "_x000B_字面的转义",
    "\u202e名称反转\u202c",
    "空\x00字符",
    "\t=1+1",
]
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def _poison(path: Path) -> None:
    """Put hostile text everywhere a workbook shows ledger text (as stored before cleaning existed)."""
    db = open_ledger(path)
    try:
        with db.atomic():
            kws = [r[0] for r in db.execute("SELECT id FROM key_works ORDER BY id")]
            for i, kw in enumerate(kws):
                text = HOSTILE[i % len(HOSTILE)]
                db.execute("UPDATE key_works SET title = ? WHERE id = ?", [text, kw])
                db.execute("UPDATE measures SET text = ? WHERE key_work_id = ?", [HOSTILE[(i + 1) % len(HOSTILE)], kw])
                db.execute("UPDATE targets SET text = ? WHERE key_work_id = ?", [HOSTILE[(i + 2) % len(HOSTILE)], kw])
            db.execute(
                "UPDATE reports SET progress_text = ?, problems = ?, next_steps = ?, review_comment = ?",
                [HOSTILE[0] + "\x0b", HOSTILE[5], HOSTILE[6], HOSTILE[3]],
            )
            db.execute("UPDATE units SET contact = ?, phone = ?", ["=1+1", "+86 138\x0b0000"])
            unit = db.execute("SELECT id FROM units WHERE name = '云岭乡'").fetchone()[0]
            db.execute("UPDATE units SET name = ? WHERE id = ?", ["云岭\u202egnix乡", unit])
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('org_name', ?)", ['"=A1&示例县督查室"'])
    finally:
        db.close()


#: The one formula duban writes (reports.cells.put_reference): the handoff's 打印版 showing a
#: cell of its 填报表, optionally after a fixed label — never any text from the ledger.
_REFERENCE = re.compile(r"""=(?:"(?:填报人|联系电话)："&)?IF\(('填报表'![A-Z]{1,3}\d+)="","",\1\)""")


def _inspect_workbook(path: Path) -> int:
    """Assert no cell of ``path`` is a formula, holds an illegal or bidi character, or reads as a formula; return cells seen.

    The only formulas allowed are the 打印版's references to the 填报表's cells (exact shape).
    """
    with zipfile.ZipFile(path) as zf:
        with_formulas = [
            name
            for name in zf.namelist()
            if name.startswith("xl/worksheets/")
            and name.endswith(".xml")
            and (b"<f>" in zf.read(name) or b"<f " in zf.read(name))
        ]
    assert len(with_formulas) <= 1, f"{path.name}: formulas in {with_formulas}"
    wb = openpyxl.load_workbook(path)
    if with_formulas:
        assert PRINT_SHEET in wb.sheetnames, f"{path.name}: {with_formulas} has a formula"
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                seen += 1
                where = f"{path.name}!{ws.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    assert ws.title == PRINT_SHEET and _REFERENCE.fullmatch(value), f"{where}: {value!r}"
                    continue
                if isinstance(value, str):
                    assert not ILLEGAL_CHARACTERS_RE.search(value), where
                    assert not any(ch in BIDI for ch in value), where
                    if value.startswith(("=", "+", "-", "@")):
                        assert cell.quotePrefix, f"{where}: {value!r} would turn into a formula when edited"
                    assert "\x0b" not in value and "\x0c" not in value, where
        for part in (ws.oddHeader.center.text, ws.oddHeader.left.text, ws.oddFooter.center.text):
            assert not part or "=A1&示" not in part, "a lone & in a page header is a format code"
    return seen


def test_every_workbook_writer_survives_hostile_text(demo_path, tmp_path):
    _poison(demo_path)
    outputs: list[Path] = []
    ledger_xlsx = tmp_path / "台账.xlsx"
    done = duban("--db", str(demo_path), "export-ledger", "--out", str(ledger_xlsx))
    assert done.returncode == 0, done.stderr
    outputs.append(ledger_xlsx)
    handoffs = tmp_path / "填报表"
    done = duban("--db", str(demo_path), "export-handoff", "--round", "2024Q3", "--all", "--out", str(handoffs))
    assert done.returncode == 0, done.stderr
    outputs += sorted(handoffs.glob("*.xlsx"))
    assert not any(ch in BIDI for p in outputs for ch in p.name), "a bidi override reached a file name"
    missing = tmp_path / "催报清单.xlsx"
    done = duban("--db", str(demo_path), "missing", "--round", "2024Q3", "--out", str(missing))
    assert done.returncode in (0, 2), done.stderr
    assert "程序内部出错" not in done.stderr
    outputs.append(missing)
    township = tmp_path / "乡镇.db"
    assert duban("--db", str(township), "init", "--mode", "填报端").returncode == 0
    handoff = next(p for p in handoffs.glob("*.xlsx") if "云岭" in p.name)
    opened = duban("--db", str(township), "open-handoff", str(handoff))
    assert opened.returncode == 0, opened.stderr
    returned = tmp_path / "回报.xlsx"
    done = duban("--db", str(township), "export-return", "--out", str(returned))
    assert done.returncode == 0, done.stderr
    outputs.append(returned)
    cells = sum(_inspect_workbook(p) for p in outputs)
    assert cells > 1000
    survived(
        __name__,
        f"hostile text (formulas, DDE, \\x0b, _x000B_, bidi) through {len(outputs)} workbooks",
        f"{cells} cells inspected: no formula, no illegal or bidi character",
    )


def test_the_ledger_export_keeps_the_clerks_text_readable(demo_path, tmp_path):
    db = open_ledger(demo_path)
    try:
        kw = db.execute("SELECT id, number FROM key_works ORDER BY id LIMIT 1").fetchone()
        db.execute("UPDATE key_works SET title = ? WHERE id = ?", ["=cmd|' /C calc'!A0", kw[0]])
        db.execute("UPDATE measures SET text = ? WHERE key_work_id = ?", ["甲\x0b乙 _x000D_ 丙", kw[0]])
        db.conn.commit()
    finally:
        db.close()
    out = tmp_path / "台账.xlsx"
    done = duban("--db", str(demo_path), "export-ledger", "--out", str(out))
    assert done.returncode == 0, done.stderr
    ws = openpyxl.load_workbook(out).worksheets[0]
    titles = [c.value for c in ws["C"] if c.value]
    assert "=cmd|' /C calc'!A0" in titles
    measures = " ".join(str(c.value) for c in ws["E"] if c.value)
    # The vertical tab is gone; a literal _x000D_ is escaped so that Excel shows it as typed.
    assert "甲乙 _x005F_x000D_ 丙" in measures
    from openpyxl.utils.escape import unescape

    assert "甲乙 _x000D_ 丙" in unescape(measures)
    survived(__name__, "a key work titled with a DDE formula", "exported as text, re-imports as the same text")


def test_clean_text_on_the_way_in_removes_and_reports_hidden_characters():
    assert clean_text("进展\x0b情况\x0c\r\n下步\u202e计划\t完") == "进展情况\n下步计划\t完"
    assert clean_text("普通文字") == "普通文字"
    assert clean_text(None) is None
    note = hidden_characters_note("进展情况", "a\x0bb\x0cc")
    assert note == "“进展情况”中 2 个看不见的字符（垂直制表符、换页符）已删除"
    assert hidden_characters_note("进展情况", "一切正常\n第二行\t") is None


def test_a_unit_name_with_a_bidi_override_is_stored_without_it(demo_db):
    from db.units import add_unit

    unit_id = add_unit(demo_db, "城\u202e南\u202c新区\x0b管委会", "部门", source="test")
    name = demo_db.execute("SELECT name FROM units WHERE id = ?", [unit_id]).fetchone()[0]
    assert name == "城南新区管委会"
    survived(__name__, "an RTL override typed into a unit name", "stored without it")


def test_a_task_list_with_form_feeds_and_bidi_marks_is_stored_clean(tmp_path):
    text = (
        "示例县2024年重点工作任务清单\n"
        "1. 推进招商引资\u202e项目落地，全年签约项目30个。(牵头单位:县发改局,责任单位:县商务局)\n"
        "\x0c2. 优化营商环境\x07专项行动，6月底前完成评估。(牵头单位:县营商办)\n"
    )
    source = tmp_path / "任务清单.txt"
    source.write_text(text, encoding="utf-8")
    ledger = tmp_path / "台账.db"
    assert duban("--db", str(ledger), "init").returncode == 0
    done = duban("--db", str(ledger), "import-tasks", str(source), "--year", "2024", "--plan-title", "示例县重点工作")
    assert done.returncode == 0, done.stdout + done.stderr
    db = open_ledger(ledger)
    try:
        texts = [r[0] for r in db.execute("SELECT title FROM key_works UNION ALL SELECT text FROM measures")]
        texts += [r[0] for r in db.execute("SELECT text FROM targets")]
    finally:
        db.close()
    assert texts and not any(clean_text(t) != t for t in texts)
    assert "控制字符" in done.stdout
    survived(__name__, "a task list with a form feed, a bell and an RTL override", "stored clean, the clerk told")


CHILD = """
import sys, time
from pathlib import Path
from reports.files import replaced_atomically
with replaced_atomically(sys.argv[1], opened_in="Excel/WPS") as tmp:
    tmp.write_bytes(b"half a workbook")
    Path(sys.argv[2]).write_text("writing")
    time.sleep(120)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX kill -9")
def test_temporary_files_of_a_killed_export_are_removed_by_the_next_run(demo_path, tmp_path):
    out = tmp_path / "输出"
    out.mkdir()
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(out / "台账.xlsx"), str(marker)], cwd=ROOT)
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    leftovers = list(out.glob(".duban-*"))
    assert len(leftovers) == 1 and not (out / "台账.xlsx").exists()
    done = duban("--db", str(demo_path), "export-ledger", "--out", str(out / "台账.xlsx"))
    assert done.returncode == 0, done.stderr
    assert list(out.glob(".duban-*")) == []
    survived(__name__, "kill -9 while writing an export", "temporary file removed by the next run")


def test_missing_list_replaces_the_old_one_atomically(demo_path, tmp_path):
    target = tmp_path / "催报清单.xlsx"
    first = duban("--db", str(demo_path), "missing", "--round", "2024Q3", "--out", str(target))
    assert first.returncode in (0, 2) and target.exists(), first.stderr
    before = target.read_bytes()
    # A failed write (the disk filled up) must leave the previous list whole.
    import reports.files as files

    real = files.tempfile.mkstemp

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    files.tempfile.mkstemp = fail
    try:
        from desktop.cli import main

        status = main(["--db", str(demo_path), "missing", "--round", "2024Q3", "--out", str(target)])
    finally:
        files.tempfile.mkstemp = real
    assert status == 2
    assert target.read_bytes() == before
    survived(__name__, "disk full while rewriting the 催报清单", "the previous list kept whole")


def test_an_export_on_a_full_disk_keeps_the_old_file(demo_path, tmp_path):
    with tiny_disk(tmp_path, 400 * 1024) as disk:
        target = disk / "台账.xlsx"
        target.write_bytes(b"the previous export")
        fill_disk(disk)
        done = duban("--db", str(demo_path), "export-ledger", "--out", str(target))
        assert done.returncode == 2
        assert "磁盘空间已满" in one_sentence(done.stderr)
        assert target.read_bytes() == b"the previous export"
        assert list(disk.glob(".duban-*")) == []
    survived(__name__, "ledger export onto a full disk", "one sentence, the previous file untouched")


def test_summary_of_faults_tried_and_survived(capsys):
    print_summary(__name__, capsys)
