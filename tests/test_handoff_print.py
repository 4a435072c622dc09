"""The 填报表's 打印版: what a clerk prints for the leader who signs, readable on A4 landscape."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from test_exchange_helpers import ROUND, data_rows, fill, soffice_convert, unit_id

from reports.exchange.handoff import (
    MAIN_SHEET,
    PRINT_COLUMNS,
    PRINT_SHEET,
    export_handoff,
)
from reports.exchange.returns import read_return

PARAGRAPH = (
    "本季度完成入户走访和问题台账建立工作，共走访农户三百余户，收集意见建议四十余条，已逐条明确责任人和完成时限。"
)
THREE_PARAGRAPHS = "\n".join(f"{n}是{PARAGRAPH}" for n in "一二三")


@pytest.fixture
def handoff(demo_db, tmp_path):
    """城西街道's handoff, its first row's report of this round holding three paragraphs (sent back)."""
    uid = unit_id(demo_db, "城西街道")
    first = demo_db.execute(
        "SELECT r.id FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE a.unit_id = ? AND r.round_id = ? ORDER BY a.id LIMIT 1",
        [uid, ROUND],
    ).fetchone()[0]
    demo_db.execute("UPDATE reports SET progress_text = ? WHERE id = ?", [THREE_PARAGRAPHS, first])
    [f] = export_handoff(demo_db, ROUND, [uid], tmp_path)
    return f


def test_print_sheet_holds_what_the_signing_leader_reads(handoff):
    wb = openpyxl.load_workbook(handoff.path)
    assert wb.sheetnames[:2] == [MAIN_SHEET, PRINT_SHEET]
    ws = wb[PRINT_SHEET]
    headers = [ws.cell(3, c).value for c in range(1, len(PRINT_COLUMNS) + 1)]
    assert headers == ["编号", "重点工作", "进展情况", "完成进度(%)", "推进状态", "存在问题", "下步计划", "督办室意见"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    # Printed at 100 %, never shrunk to fit: the text on paper is the cells' size.
    assert ws.page_setup.scale == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"
    area = ws.print_area.split("!")[-1].replace("$", "")
    first, last = area.split(":")
    assert first == "A1" and re.match(r"H\d+", last)
    last_row = int(last[1:])
    sizes = {ws.cell(r, c).font.size for r in range(1, last_row + 1) for c in range(1, 9) if ws.cell(r, c).value}
    assert min(sizes) >= 9
    # Each report cell shows the form's cell (what the clerk typed), the task cells their text.
    main = wb[MAIN_SHEET]
    rows = data_rows(main)
    assert ws.max_row >= 3 + len(rows)
    col = {c.value: c.column_letter for c in main[4]}
    assert ws["C4"].value == f"=IF('{MAIN_SHEET}'!{col['进展情况']}5=\"\",\"\",'{MAIN_SHEET}'!{col['进展情况']}5)"
    assert ws["B4"].value == main.cell(5, 4).value  # 重点工作


def test_signature_block_under_the_table(handoff):
    ws = openpyxl.load_workbook(handoff.path)[PRINT_SHEET]
    last_row = int(ws.print_area.split(":")[-1].replace("$", "")[1:])
    texts = " ".join(str(ws.cell(last_row, c).value or "") for c in range(1, 9))
    assert "分管领导审签" in texts and "日期" in texts
    assert ws.cell(last_row, 1).value.startswith('="填报人："&') and f"'{MAIN_SHEET}'!B2" in ws.cell(last_row, 1).value
    assert ws.row_dimensions[last_row].height >= 40  # room to sign


def test_row_heights_follow_the_text(handoff):
    """No fixed heights: rows are Excel's fitted heights, and a three-paragraph report gets room for every line."""
    with zipfile.ZipFile(handoff.path) as z:
        sheets = [z.read(f"xl/worksheets/sheet{i}.xml").decode() for i in (1, 2)]
    # The data rows: from row 5 of the form and row 4 of the 打印版, one per assignment.
    for xml, first in zip(sheets, (5, 4), strict=True):
        rows = {int(m.group(1)): m.group(0) for m in re.finditer(r'<row r="(\d+)"[^>]*>', xml)}
        data = [rows[r] for r in range(first, first + handoff.rows)]
        assert all('ht="' in row and "customHeight" not in row for row in data), data
    ws = openpyxl.load_workbook(handoff.path)[PRINT_SHEET]
    # 进展情况 is 34 wide: each paragraph of 59 characters wraps to 3 lines of 10 pt (13.5 pt each);
    # LibreOffice prints every line of it (test_printed_by_libreoffice…).
    assert ws.row_dimensions[4].height >= 3 * 3 * 13.5


def test_a_return_is_read_from_the_form_not_the_print_sheet(handoff):
    fill(
        handoff.path,
        {
            aid: {"progress_text": f"打印版测试{aid}"}
            for aid in data_rows(openpyxl.load_workbook(handoff.path).worksheets[0])
        },
    )
    returned = read_return(handoff.path)
    assert all(r.values["progress_text"].value.startswith("打印版测试") for r in returned.rows)
    assert len(returned.rows) == handoff.rows


@pytest.mark.libreoffice
@pytest.mark.slow
def test_printed_by_libreoffice_on_a4_with_what_the_clerk_typed(handoff, tmp_path):
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.fail("LibreOffice (soffice) is not installed; .ci/run installs it")
    rows = data_rows(openpyxl.load_workbook(handoff.path).worksheets[0])
    fill(
        handoff.path,
        {
            aid: {"progress_text": f"已完成第{aid}号任务的走访", "reported_status": "正常推进"}
            for aid, r in rows.items()
            if r != min(rows.values())
        },
        reporter="李四",
    )
    [pdf] = soffice_convert([handoff.path], "pdf", tmp_path / "pdf")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    printed = [p for p in pages.split("\f") if "分管领导审签：" in p]
    assert len(printed) == 1
    page = printed[0]
    # Every column on one page's width, the clerk's text and name shown, nothing of the form's other columns.
    for header in ("编号", "重点工作", "进展情况", "推进状态", "存在问题", "下步计划", "督办室意见"):
        assert header in page
    assert "填报人：李四" in page
    first_row = min(rows.values())
    assert all(f"已完成第{aid}号任务的走访" in pages for aid, r in rows.items() if r != first_row)
    # The report sent back with three paragraphs, as the export pre-filled it: every line printed.
    # Read without -layout, so that a cell's wrapped lines are not interleaved with its neighbours'.
    plain = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    split = plain.split("\f")
    start = next(i for i, p in enumerate(split) if "填报单位：" in p)
    end = next(i for i, p in enumerate(split) if "分管领导审签：" in p)
    printout = re.sub(r"\s", "", "".join(split[start : end + 1]))
    assert printout.count("明确责任人和完成时限。") == 3 and "三是" in printout
    assert "落实举措" not in page
    # Text size on paper: pdftotext's word box is 1.3 × the font size for the 宋体 substitute.
    number = 1 + next(i for i, p in enumerate(pages.split("\f")) if "分管领导审签：" in p)
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', bbox)]
    assert heights and min(heights) / 1.3 >= 9
