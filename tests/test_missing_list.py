"""The 催报清单 (duban missing --out): names every item a unit owes and prints readably on A4."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from test_exchange_helpers import ROUND, soffice_convert, unit_id

from db.board import missing_units, owed_items
from db.review import review_unit
from reports.exchange.handoff import MISSING_COLUMNS, write_missing_list

ITEMS_HEADER = "未报及退回的重点工作"


def _unreported(db, unit: int) -> list[tuple[str, str]]:
    return [
        (str(number), title)
        for number, title in db.execute(
            "SELECT k.number, k.title FROM assignments a JOIN key_works k ON k.id = a.key_work_id "
            "WHERE a.unit_id = ? AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.assignment_id = a.id "
            "AND r.round_id = ?)",
            [unit, ROUND],
        )
    ]


@pytest.fixture
def listed(demo_db, tmp_path):
    """The demo's 催报清单 after 城西街道 was sent back: (ledger, workbook path, rows)."""
    review_unit(demo_db, ROUND, unit_id(demo_db, "城西街道"), "returned", "请补充完成数量")
    rows = missing_units(demo_db, ROUND)
    path = write_missing_list(rows, ROUND, tmp_path / "催报清单.xlsx", "示例县督办室")
    return demo_db, path, rows


def _items_by_unit(path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path).active
    col = 1 + [h for h, _w in MISSING_COLUMNS].index(ITEMS_HEADER)
    return {ws.cell(r, 2).value: ws.cell(r, col).value for r in range(3, ws.max_row + 1)}


def test_each_missing_or_sent_back_item_is_named_with_its_number_and_title(listed):
    db, path, rows = listed
    items = _items_by_unit(path)
    assert set(items) == {r["unit"] for r in rows}
    for row in rows:
        lines = items[row["unit"]].split("\n")
        # One line per item owed: as many as the counts say, never a bare "缺 1 项未报".
        assert len(lines) == row["missing"] + row["sent_back"] + row["partly_rejected"] or row["partly_rejected"]
        assert not any(re.fullmatch(r"缺 \d+ 项未报", line) for line in lines)
        for number, title in _unreported(db, row["unit_id"]):
            assert f"第{number}项 {title}：未报送" in lines
    sent_back = items["城西街道"].split("\n")
    assert sent_back and all(re.match(r"第\d+项 .+：退回修改（请补充完成数量）$", line) for line in sent_back)


def test_owed_items_name_partly_rejected_fields(demo_db):
    uid = unit_id(demo_db, "城西街道")
    report_id = demo_db.execute(
        "SELECT r.id FROM reports r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE a.unit_id = ? AND r.round_id = ? ORDER BY a.id LIMIT 1",
        [uid, ROUND],
    ).fetchone()[0]
    reason = "“完成进度(%)”应为 0 到 100 的数字，填的是“过半”"
    demo_db.execute(
        "UPDATE reports SET rejected_fields = ? WHERE id = ?", [json.dumps([{"reason": reason}]), report_id]
    )
    [item] = owed_items(demo_db, ROUND, [uid])[uid]
    assert item["state"] == "部分退回" and item["detail"] == reason and item["title"]


def test_printed_on_a4_landscape_at_11_pt_with_wrapping_rows(listed):
    _db, path, rows = listed
    ws = openpyxl.load_workbook(path).active
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.scale == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$2"
    cells = [c for row in ws.iter_rows(min_row=2, max_row=len(rows) + 2) for c in row if c.value is not None]
    assert min(c.font.size for c in cells) >= 10
    items_col = 1 + [h for h, _w in MISSING_COLUMNS].index(ITEMS_HEADER)
    assert all(ws.cell(r, items_col).alignment.wrap_text for r in range(3, len(rows) + 3))
    assert ws.column_dimensions["B"].width >= 12 and ws.column_dimensions["D"].width >= 13  # 单位, 联系电话
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    data = [m.group(0) for m in re.finditer(r'<row r="(\d+)"[^>]*>', xml) if int(m.group(1)) >= 3]
    assert data and all("customHeight" not in row for row in data)
    # 城西街道's seven sent-back items, each over one line of 35: room for every line.
    row_of = {ws.cell(r, 2).value: r for r in range(3, ws.max_row + 1)}
    assert ws.row_dimensions[row_of["城西街道"]].height >= 7 * 15


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_prints_every_item_at_10_pt_or_more(listed, tmp_path):
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.fail("LibreOffice (soffice) is not installed; .ci/run installs it")
    _db, path, rows = listed
    [pdf] = soffice_convert([path], "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s", "", text)
    for line in _items_by_unit(path).values():
        for item in line.split("\n"):
            # Number, title and state (the reason's wrapped lines may be interleaved with 说明's).
            named = re.sub(r"\s", "", item.split("（")[0])
            assert named in flat, item
    for header, _w in MISSING_COLUMNS:
        assert header.replace("\n", "") in flat
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', bbox)]
    # pdftotext's word box is 1.3 × the font size for the 宋体 substitute.
    assert heights and min(heights) / 1.3 >= 10
