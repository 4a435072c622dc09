"""The streaming .xlsx reader gives what openpyxl's read-only mode gives, cell by cell.

Returned handoffs are read with :mod:`reports.xlsx_reader` instead of openpyxl; these tests hold
it to openpyxl's answers (values, number formats of numbers, formula flags, row layout, sheet
names and states, custom properties, saved time) on handoffs exported from the demo ledger, the
same files saved by LibreOffice, hand-built packages shaped like Excel/WPS output (shared and
inline rich text, phonetic runs, escapes, cells and rows without addresses, gaps, dimensions)
and workbooks written by openpyxl. Hostile parts must end in one Chinese message.
"""

from __future__ import annotations

import re
import shutil
import tracemalloc
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.escape import unescape
from openpyxl.worksheet.formula import ArrayFormula
from test_exchange_helpers import ROUND, clerk_values, data_rows, fill, indicator_headers, soffice_convert, unit_id

from db.errors import DubanError
from reports.exchange.handoff import export_handoff
from reports.exchange.returns import read_return
from reports.xlsx_reader import open_workbook

# ---------------------------------------------------------------------------------------------
# The differential check
# ---------------------------------------------------------------------------------------------


def _expected_cell(cell):
    value = cell.value
    if value is None:
        return None
    if isinstance(value, ArrayFormula):
        value = value.text  # the reader gives an array formula's text, openpyxl an object holding it
    numeric = type(value) in (int, float)
    if isinstance(value, str) and cell.data_type == "s":
        # openpyxl leaves Excel's _xHHHH_ escapes in the text; the reader decodes them.
        value = unescape(value)
    return (value, cell.number_format if numeric else None, cell.data_type == "f")


def assert_reads_like_openpyxl(path: Path) -> int:
    """Compare every sheet of ``path`` as both readers see it; return the number of cells compared."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about parts it drops; irrelevant here
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
        cached = openpyxl.load_workbook(path, read_only=True, data_only=True)
    compared = 0
    try:
        with open_workbook(path) as book:
            assert [(ws.title, ws.sheet_state) for ws in wb.worksheets] == [(s.title, s.state) for s in book.sheets]
            assert book.custom_properties == {p.name: p.value for p in wb.custom_doc_props}
            if book.modified is not None:  # openpyxl invents "now" when the file has no saved time
                assert book.modified == wb.properties.modified
            for ws, ws_cached, sheet in zip(wb.worksheets, cached.worksheets, book.sheets, strict=True):
                expected = [[_expected_cell(c) for c in row] for row in ws.iter_rows()]
                got = [list(row) for row in book.rows(sheet)]
                assert len(got) == len(expected), sheet.title
                for number, (want, have) in enumerate(zip(expected, got, strict=True), 1):
                    assert have == want, f"{path.name} {sheet.title} row {number}"
                    compared += len(want)
                assert [list(r) for r in book.values(sheet)] == [
                    [_expected_cell(c)[0] if c.value is not None else None for c in row] for row in ws.iter_rows()
                ]
                assert [list(r) for r in book.values(sheet, data_only=True)] == [
                    [_expected_cell(c)[0] if c.value is not None else None for c in row]
                    for row in ws_cached.iter_rows()
                ]
    finally:
        wb.close()
        cached.close()
    return compared


# ---------------------------------------------------------------------------------------------
# Corpus: demo handoffs, as exported and as a clerk fills them
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handoffs(tmp_path_factory, demo_template):
    """Every demo unit's handoff for the open round; the first few filled in as a clerk would."""
    from db.ledger import open_ledger

    folder = tmp_path_factory.mktemp("handoffs")
    ledger = folder / "office.db"
    shutil.copy2(demo_template, ledger)
    db = open_ledger(ledger)
    try:
        files = [f.path for f in export_handoff(db, ROUND, None, folder / "out")]
    finally:
        db.close()
    for k, path in enumerate(files[:4]):
        headers = indicator_headers(path)
        rows = data_rows(openpyxl.load_workbook(path).worksheets[0])
        fill(path, {aid: clerk_values(aid, k + i, headers[aid]) for i, aid in enumerate(rows)}, "李四", "0123-4567890")
    return files


def test_every_demo_handoff_reads_like_openpyxl(handoffs):
    assert len(handoffs) >= 20
    assert sum(assert_reads_like_openpyxl(path) for path in handoffs) > 10_000


def test_a_typed_percentage_keeps_its_percent_format(demo_db, tmp_path):
    [handoff] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城东街道")], tmp_path)
    wb = openpyxl.load_workbook(handoff.path)
    ws = wb.worksheets[0]
    aid, row = next(iter(data_rows(ws).items()))
    header = {c.value: c.column for c in ws[4] if c.value}
    cell = ws.cell(row, header["完成进度(%)"])
    cell.value, cell.number_format = 0.5, "0%"
    wb.save(handoff.path)
    assert_reads_like_openpyxl(handoff.path)
    [returned] = [r for r in read_return(handoff.path).rows if r.assignment_id == aid]
    assert (returned.values["percent"].value, returned.values["percent"].number_format) == (0.5, "0%")


@pytest.mark.libreoffice
def test_handoffs_saved_by_libreoffice_read_like_openpyxl(handoffs, tmp_path):
    saved = soffice_convert(handoffs[:3], "xlsx", tmp_path / "saved")
    for path in saved:
        # LibreOffice writes shared strings, its own styles and numbering: a different dialect.
        with zipfile.ZipFile(path) as zf:
            assert "xl/sharedStrings.xml" in zf.namelist()
        assert assert_reads_like_openpyxl(path) > 500
        assert read_return(path).export_id == read_return(handoffs[saved.index(path)]).export_id


# ---------------------------------------------------------------------------------------------
# Corpus: workbooks written by openpyxl
# ---------------------------------------------------------------------------------------------


def test_an_openpyxl_workbook_with_every_kind_of_value_reads_like_openpyxl(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "各种值"
    ws["A1"] = "普通文字"
    ws["B1"] = CellRichText("前", TextBlock(InlineFont(b=True), "粗体"), "后")
    ws["C1"], ws["D1"], ws["E1"] = True, False, "#N/A"
    ws["E1"].data_type = "e"
    ws["A2"], ws["B2"], ws["C2"] = datetime(2024, 9, 30), datetime(2024, 9, 30, 8, 30), 0.5
    ws["C2"].number_format = "0%"
    ws["D2"], ws["E2"] = 12.5, 3
    ws["D2"].number_format = "0.00%"
    ws["E2"].number_format = '#,##0"户"'
    ws["A3"] = "=SUM(D2:E2)"
    for row in range(4, 8):  # a shared formula as Excel writes a filled-down column
        ws.cell(row, 1).value = f"=B{row}*2"
        ws.cell(row, 2).value = row
    ws["C4"] = ArrayFormula("C4:C5", "=SUM(B4:B5*2)")
    ws["A9"] = "回车\r换行\n制表\t"
    ws["B9"] = "表情😀𠀋"
    ws["C9"] = "长" * 32_767
    ws["F12"] = "稀疏"  # empty rows and columns in between
    ws["AA3"] = -1.5e-7
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["B2"] = "藏起来的"
    very = wb.create_sheet("深藏")
    very.sheet_state = "veryHidden"
    wb.create_sheet("空表")
    wb.save(tmp_path / "values.xlsx")
    _make_shared_formula(tmp_path / "values.xlsx")
    assert assert_reads_like_openpyxl(tmp_path / "values.xlsx") > 100


def test_text_pasted_into_excel_comes_back_without_its_escapes(demo_db, tmp_path):
    """Excel stores a pasted line's carriage return as _x000D_; the office reads plain line breaks."""
    from reports.exchange.importing import import_returns

    [handoff] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城东街道")], tmp_path)
    aid = next(iter(data_rows(openpyxl.load_workbook(handoff.path).worksheets[0])))
    fill(
        handoff.path,
        {aid: {"progress_text": "完成立项审批。PASTED开工建设。", "percent": 40, "reported_status": "序时推进"}},
    )
    _rewrite(handoff.path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"PASTED", b"_x000D_\n"))
    [result] = import_returns(demo_db, [handoff.path])
    assert result.applied
    text = demo_db.execute(
        "SELECT progress_text FROM reports WHERE assignment_id = ? AND round_id = ?", [aid, ROUND]
    ).fetchone()[0]
    assert text == "完成立项审批。\n开工建设。"


def _make_shared_formula(path: Path) -> None:
    """Rewrite A4:A7 of the first sheet as one shared formula (openpyxl writes them separately)."""
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: (
            xml.replace(b"<f>B4*2</f>", b'<f t="shared" ref="A4:A7" si="0">B4*2</f>')
            .replace(b"<f>B5*2</f>", b'<f t="shared" si="0"/>')
            .replace(b"<f>B6*2</f>", b'<f t="shared" si="0"/>')
            .replace(b"<f>B7*2</f>", b'<f t="shared" si="0"/>')
        ),
    )
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/worksheets/sheet1.xml").count(b'si="0"') == 4


def _rewrite(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    members[member] = change(members[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_TEXT, min_size=1, max_size=6))
def test_any_cell_text_reads_like_openpyxl(tmp_path, texts):
    wb = openpyxl.Workbook()
    for i, text in enumerate(texts, 1):
        # openpyxl refuses control characters it cannot store; a clerk's file cannot hold them either.
        try:
            wb.active.cell(i, 1 + i % 3).value = text
        except openpyxl.utils.exceptions.IllegalCharacterError:
            continue
    wb.save(tmp_path / "texts.xlsx")
    assert_reads_like_openpyxl(tmp_path / "texts.xlsx")


# ---------------------------------------------------------------------------------------------
# Corpus: hand-built packages shaped like Excel / WPS output
# ---------------------------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _package(
    path: Path,
    *,
    date1904: str | None = None,
    styles: bool = True,
    extra: dict | None = None,
    escaped_underscore: bool = False,
) -> Path:
    """Build a package shaped like Excel/WPS output.

    ``escaped_underscore`` adds Excel's escape of a literal "_x000D_" (``_x005F_x000D_``), which
    openpyxl reads as if it were a carriage return's escape: a case the differential check
    cannot compare, so only the explicit test uses it.
    """
    sheet_type = f"{REL}/worksheet"
    escaped = "_x005F_x000D_" if escaped_underscore else "_x000D_"
    parts = {
        "[Content_Types].xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet3.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>
</Types>""",
        "_rels/.rels": """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>""",
        "xl/workbook.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr{f' date1904="{date1904}"' if date1904 is not None else ""}/>
<sheets><sheet name="填报表" sheetId="1" r:id="rId1"/><sheet name="说明" sheetId="2" state="hidden" r:id="rId2"/>
<sheet name="_duban" sheetId="3" state="veryHidden" r:id="rId3"/><sheet name="缺失" sheetId="4" r:id="rId9"/>
<sheet name="图表" sheetId="5" r:id="rId6"/></sheets>
</workbook>""",
        # Relative, absolute and ./-style targets, as Excel, openpyxl and WPS write them.
        "xl/_rels/workbook.xml.rels": f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{sheet_type}" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{sheet_type}" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="{sheet_type}" Target="./worksheets/../worksheets/sheet3.xml"/>
<Relationship Id="rId9" Type="{sheet_type}" Target="worksheets/sheet9.xml"/>
<Relationship Id="rId4" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId5" Type="{REL}/styles" Target="styles.xml"/>
<Relationship Id="rId6" Type="{REL}/chartsheet" Target="chartsheets/sheet1.xml"/>
</Relationships>""",
        # A chartsheet is not a worksheet: left out, as from openpyxl's wb.worksheets.
        "xl/chartsheets/sheet1.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<chartsheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>""",
        "xl/chartsheets/_rels/sheet1.xml.rels": """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>""",
        "xl/sharedStrings.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="{MAIN}" count="9" uniqueCount="9">
<si><t>编号</t></si>
<si><r><rPr><b/><sz val="11"/></rPr><t>进展</t></r><r><t xml:space="preserve"> 情况 </t></r></si>
<si><t>东</t><rPh sb="0" eb="1"><t>ドン</t></rPh><phoneticPr fontId="1"/></si>
<si><t>甲_x000D_乙{escaped}丙_x000a_</t></si>
<si><t xml:space="preserve">  前后空格  </t></si>
<si><t/></si>
<si><t>表情😀</t></si>
<si><t>先</t><t>后</t></si>
<si><t>A&amp;B &lt;C&gt; &#x4E2D;</t></si>
</sst>""",
        "xl/worksheets/sheet1.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:H9"/><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>
<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="s"><v>6</v></c>
<c r="H1" t="s"><v>7</v></c></row>
<row><c t="inlineStr"><is><r><t>行内</t></r><r><rPr><i/></rPr><t>富文本</t></r></is></c><c t="b"><v>1</v></c>
<c t="b"><v>0</v></c><c t="e"><v>#DIV/0!</v></c><c t="str"><f>"文"&amp;"字"</f><v>文字</v></c>
<c t="inlineStr"><is><t>纯行内</t></is></c><c t="inlineStr"/><c t="s"><v>8</v></c></row>
<row r="4"><c r="A4" s="1"><v>0.5</v></c><c r="B4" s="2"><v>0.125</v></c><c r="C4" s="3"><v>45565</v></c>
<c r="D4" s="4"><v>45565.5</v></c><c r="E4" s="5"><v>1.25</v></c><c r="F4" s="6"><v>7</v></c>
<c r="G4" s="7"><v>0.3</v></c><c r="H4" t="d"><v>2024-09-30T08:30:00</v></c></row>
<row r="5"><c r="A5"><v>3</v></c><c r="B5"><v>-2.5</v></c><c r="C5"><v>1E3</v></c><c r="D5"><v>12345678901234</v></c>
<c r="E5" s="3"><v>0.75</v></c><c r="F5" s="3"><v>30</v></c><c r="G5"/><c r="H5" s="1"/></row>
<row r="6"><c r="A6"><f t="shared" ref="A6:A8" si="0">B6*2</f><v>8</v></c><c r="B6"><v>4</v></c>
<c r="C6"><f t="array" ref="C6:C7">SUM(B6:B7*2)</f><v>18</v></c><c r="D6"><f>B6+1</f></c></row>
<row r="7"><c r="A7"><f t="shared" si="0"/><v>10</v></c><c r="B7"><v>5</v></c></row>
<row r="8"><c r="A8"><f t="shared" si="0"/><v>12</v></c><c r="B8"><v>6</v></c>
<c r="E8" t="str"><f>A8&amp;""</f><v>12</v></c></row>
<row r="9"><c r="C9" t="inlineStr"><is><t>中间</t></is></c><c r="A9"><v>1</v></c></row>
</sheetData></worksheet>""",
        # No dimension: rows as wide as their last cell; gaps; an empty row element; cells out of order.
        "xl/worksheets/sheet2.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData>
<row r="2" spans="1:4"><c r="D2" t="s"><v>0</v></c></row>
<row r="3"/>
<row r="6"><c r="C6"><v>6</v></c><c r="A6"><v>1</v></c></row>
<row><c r="B7" t="inlineStr"><is><t>七</t></is></c><c t="inlineStr"><is><t>顺延</t></is></c></row>
</sheetData></worksheet>""",
        # A dimension smaller than the data: rows and columns beyond it are cut, as openpyxl does;
        # a row number that goes back is dropped.
        "xl/worksheets/sheet3.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><dimension ref="A1:C4"/><sheetData>
<row r="2"><c r="A2" t="inlineStr"><is><t>duban</t></is></c><c r="E2"><v>5</v></c></row>
<row r="2"><c r="B2"><v>2</v></c></row>
<row r="3"><c r="C3"><v>3.0</v></c></row>
<row r="6"><c r="A6"><v>6</v></c></row>
</sheetData></worksheet>""",
        "xl/styles.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="{MAIN}"><numFmts count="4"><numFmt numFmtId="164" formatCode="0.0%"/>
<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/><numFmt numFmtId="166" formatCode="[h]:mm:ss"/>
<numFmt numFmtId="170" formatCode="0%"/></numFmts>
<cellXfs count="8"><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="164"/><xf numFmtId="14"/>
<xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="170"/><xf numFmtId="49"/></cellXfs></styleSheet>""",
        "docProps/core.xml": """<?xml version="1.0" encoding="UTF-8"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dcterms:modified xsi:type="dcterms:W3CDTF">2024-10-03T08:30:00Z</dcterms:modified></cp:coreProperties>""",
        "docProps/custom.xml": """<?xml version="1.0" encoding="UTF-8"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="duban_export_id"><vt:lpwstr>abc123</vt:lpwstr></property>
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="份数"><vt:i4>7</vt:i4></property>
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="4" name="比例"><vt:r8>0.25</vt:r8></property>
</Properties>""",
    }
    if not styles:
        del parts["xl/styles.xml"]
        parts["xl/worksheets/sheet1.xml"] = re.sub(r' s="\d+"', "", parts["xl/worksheets/sheet1.xml"])
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    "variant",
    [{}, {"date1904": "1"}, {"date1904": "true"}, {"date1904": "false"}, {"date1904": ""}, {"styles": False}],
    ids=["plain", "date1904", "date1904 true", "date1904 false", "date1904 empty", "no stylesheet"],
)
def test_a_package_shaped_like_excel_and_wps_output_reads_like_openpyxl(tmp_path, variant):
    path = _package(tmp_path / "excel.xlsx", **variant)
    assert assert_reads_like_openpyxl(path) > 60


def test_what_the_reader_makes_of_an_excel_shaped_package(tmp_path):
    """The cases that matter to an import, spelled out (not only "same as openpyxl")."""
    with open_workbook(_package(tmp_path / "excel.xlsx", escaped_underscore=True)) as book:
        assert [(s.title, s.hidden) for s in book.sheets] == [("填报表", False), ("说明", True), ("_duban", True)]
        assert book.custom_properties["duban_export_id"] == "abc123"
        assert book.modified == datetime(2024, 10, 3, 8, 30)
        rows = [list(r) for r in book.rows(book.sheets[0])]
        first, second, _empty, fourth, fifth, sixth = rows[:6]
        assert [c[0] for c in first] == [
            "编号",
            "进展 情况 ",
            "东",
            "甲\r乙_x000D_丙\n",  # Excel's escapes decoded; _x005F_ is an escaped underscore
            "  前后空格  ",
            "",
            "表情😀",
            "后",
        ]
        assert [c and c[0] for c in second] == [
            "行内富文本",
            True,
            False,
            "#DIV/0!",
            '="文"&"字"',
            "纯行内",
            None,
            "A&B <C> 中",
        ]
        assert second[4][2] is True  # a formula is flagged as one
        assert fourth[0] == (0.5, "0%", False) and fourth[5] == (7, "0%", False) and fourth[6] == (0.3, "@", False)
        assert fourth[2][0] == datetime(2024, 9, 30) and fourth[3][0] == datetime(2024, 9, 30, 12, 0)
        assert fifth[0] == (3, "General", False) and fifth[2] == (1000.0, "General", False)
        assert [c[0] for c in sixth[:4]] == ["=B6*2", 4, "=SUM(B6:B7*2)", "=B6+1"]
        assert rows[6][0] == ("=B7*2", None, True) and rows[7][0] == ("=B8*2", None, True)
        cached = [list(r) for r in book.values(book.sheets[0], data_only=True)]
        assert cached[5][:4] == [8, 4, 18, None] and cached[7][4] == "12"


# ---------------------------------------------------------------------------------------------
# Bounded memory and hostile parts
# ---------------------------------------------------------------------------------------------


def test_a_large_sheet_is_read_a_row_at_a_time(tmp_path):
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>第{r}行的文字说明</t></is></c></row>'
        for r in range(1, 30_001)
    )
    sheet = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    assert len(sheet) > 3 * 1024 * 1024
    path = _package(tmp_path / "big.xlsx", extra={"xl/worksheets/sheet2.xml": sheet})
    del rows, sheet
    with open_workbook(path) as book:
        tracemalloc.start()
        try:
            count = sum(1 for _ in book.values(book.sheets[1]))
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert count == 30_000
    # Less than half the sheet's XML (a tree of it would be several times its size): only a
    # chunk of XML and that chunk's rows are held at a time.
    assert peak < 1.5 * 1024 * 1024


_DOCTYPE = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'


HOSTILE = {
    # A DTD hidden behind a long comment, past the package pre-check's window, in each kind of part.
    "entity in shared strings": (
        "xl/sharedStrings.xml",
        lambda xml: b'<?xml version="1.0"?><!--' + b" " * 6000 + b"-->" + _DOCTYPE + xml.split(b"?>", 1)[1],
        "XML",
    ),
    "entity in the hidden sheet": (
        "xl/worksheets/sheet3.xml",
        lambda xml: b'<?xml version="1.0"?><!--' + b" " * 6000 + b"-->" + _DOCTYPE + xml.split(b"?>", 1)[1],
        "XML",
    ),
    "entity in styles": (
        "xl/styles.xml",
        lambda xml: b'<?xml version="1.0"?><!--' + b" " * 6000 + b"-->" + _DOCTYPE + xml.split(b"?>", 1)[1],
        "XML",
    ),
    "broken sheet XML": ("xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</sheetData>", b"</sheetDat>"), "损坏"),
    "undefined entity": ("xl/worksheets/sheet3.xml", lambda xml: xml.replace(b"duban", b"&xxe;"), "损坏"),
    "shared string out of range": (
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<v>0</v>", b"<v>99</v>"),
        "损坏",
    ),
    "number that is not one": (
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<v>3</v>", "<v>三</v>".encode()),
        "损坏",
    ),
    "bad cell address": ("xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'r="A5"', b'r="5A"'), "损坏"),
    "missing workbook relationships": ("xl/_rels/workbook.xml.rels", lambda xml: None, "损坏"),
    "bad modified time": (
        "docProps/core.xml",
        lambda xml: xml.replace(b"2024-10-03T08:30:00Z", b"yesterday"),
        "损坏",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_or_broken_part_ends_in_one_chinese_message(tmp_path, case):
    member, change, expected = HOSTILE[case]
    path = _package(tmp_path / "return.xlsx")
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    data = change(members[member])
    if data is None:
        del members[member]
    else:
        members[member] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    with pytest.raises(DubanError) as caught:
        read_return(path)
    message = str(caught.value)
    assert expected in message and "return.xlsx" in message and "\n" not in message


def test_a_return_without_a_saved_time_says_so(demo_db, tmp_path):
    # openpyxl gave the time of reading for a file without dcterms:modified, which made any such
    # file look like the newest return; the import warns instead when the time is unknown.
    [handoff] = export_handoff(demo_db, ROUND, [unit_id(demo_db, "城东街道")], tmp_path)
    _rewrite(
        handoff.path, "docProps/core.xml", lambda xml: re.sub(rb"<dcterms:modified.*?</dcterms:modified>", b"", xml)
    )
    assert read_return(handoff.path).saved_at is None
    assert_reads_like_openpyxl(handoff.path)
