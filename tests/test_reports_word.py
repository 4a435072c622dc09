"""The Word version of every report: same content as the PDF, GB/T 9704 layout, editable.

Each .docx is converted to PDF by LibreOffice (one soffice call for the module) and read
back: the same text in the same order as duban's own PDF, about the same number of pages,
22 lines on a full body page; the XML has the page number fields and the named styles; and
python-docx reads the 公文 fields back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from pypdf import PdfReader
from test_exchange_helpers import soffice_convert

from db.documents import save_official_defaults
from db.ledger import open_ledger
from reports.content import model
from reports.content.annual import annual_content
from reports.content.bulletin import bulletin_content
from reports.content.notices import notice_content, supervise_content
from reports.content.progress import progress_content
from reports.kinds import write_annual_summary, write_bulletin, write_notice, write_progress_report, write_supervision
from reports.pdf.render import render_pdf
from reports.word.render import render_docx

OFFICIAL = {
    "doc_number": "示督办〔2024〕5号",
    "cc": "县委办公室、县政府办公室",
    "signer": "王建国",
    "issued": "2024-07-12",
    "printed": "2024-07-13",
    "addressees": "各乡镇（街道），县级有关单位",
}


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _squeeze(text: str) -> str:
    """Text without whitespace and page numbers, so line and page breaks do not matter."""
    text = re.sub(r"\s+", "", text)
    return re.sub(r"—\d+—", "", text)


def _texts(blocks) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, model.KeepTogether):
            out += _texts(block.blocks)
        elif isinstance(block, (model.Title, model.Subtitle, model.Heading)):
            out.append(block.text)
        elif isinstance(block, model.Para):
            out.append(block.lead + block.text)
        elif isinstance(block, model.ProgressTable):
            # Wrapped cells interleave in extracted text; category rows span the table on one line.
            out += [row.name for row in block.rows if isinstance(row, model.CategoryRow)]
    return out


def _in_order(texts: list[str], whole: str) -> list[str]:
    """Return the texts not found in ``whole`` after the previous one."""
    missing, at = [], 0
    for text in texts:
        piece = _squeeze(text)
        found = whole.find(piece, at)
        if found < 0:
            missing.append(text)
        else:
            at = found + len(piece)
    return missing


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, demo_template):
    """Every report kind as PDF and .docx from the demo ledger, the .docx converted by LibreOffice."""
    folder = tmp_path_factory.mktemp("word")
    ledger = folder / "demo.db"
    shutil.copy2(demo_template, ledger)
    db = open_ledger(ledger)
    out = {}
    for name, write in (
        ("bulletin", lambda path: write_bulletin(db, "2024Q2", path, **OFFICIAL)),
        ("annual", lambda path: write_annual_summary(db, 2024, path)),
        ("progress", lambda path: write_progress_report(db, "2024Q2", path)),
        ("notice", lambda path: write_notice(db, "2024Q3", path, unit="白石乡", issued="2024-10-12")),
        ("supervise", lambda path: write_supervision(db, "17", path, issued="2024-10-12")),
    ):
        out[name] = {"pdf": write(folder / f"{name}.pdf"), "docx": write(folder / f"{name}.docx")}
    contents = {
        "bulletin": bulletin_content(db, "2024Q2", official=OFFICIAL),
        "annual": annual_content(db, 2024),
        "progress": progress_content(db, "2024Q2"),
        "notice": notice_content(db, "2024Q3", unit="白石乡", official={"issued": "2024-10-12"}),
        "supervise": supervise_content(db, "17", official={"issued": "2024-10-12"}),
    }
    grid = model.Document(
        "grid",
        "official",
        "版心测试",
        "duban",
        [model.Para("督办" * 14 * 5 + "。") for _ in range(40)],
    )
    out["grid"] = {
        "pdf": render_pdf(grid, folder / "grid.pdf", db),
        "docx": render_docx(grid, folder / "grid.docx", db),
    }
    db.close()
    converted = soffice_convert([out[n]["docx"].path for n in out], "pdf", folder / "lo")
    for name, path in zip(out, converted, strict=True):
        out[name]["lo"] = path
        out[name]["content"] = contents.get(name, grid)
    return out


@pytest.mark.parametrize("name", ["bulletin", "annual", "progress", "notice", "supervise"])
def test_word_file_has_the_pdfs_text_in_the_same_order_and_about_its_pages(rendered, name):
    files = rendered[name]
    ours, libre = _squeeze(_pdf_text(files["pdf"].path)), _squeeze(_pdf_text(files["lo"]))
    texts = _texts(files["content"].blocks)
    assert len(texts) >= 4
    assert _in_order(texts, ours) == []
    assert _in_order(texts, libre) == []
    pages = len(PdfReader(str(files["lo"])).pages)
    assert abs(pages - files["pdf"].pages) <= 1, (pages, files["pdf"].pages)


def test_a_full_body_page_has_22_lines_of_28_characters(rendered):
    for key in ("pdf", "lo"):
        path = rendered["grid"]["pdf"].path if key == "pdf" else rendered["grid"]["lo"]
        page = subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        lines = [
            line.strip()
            for line in page.splitlines()
            if line.strip() and not re.fullmatch(r"—\s*\d+\s*—", line.strip())
        ]
        assert len(lines) == 22, (key, lines)
        full = [re.sub(r"\s+", "", line) for line in lines if "。" not in line]
        assert max(len(line) for line in full) == 28, (key, full)


def test_word_file_has_page_number_fields_styles_and_the_gbt_9704_page(rendered):
    document = open_docx(str(rendered["bulletin"]["docx"].path))
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.bottom_margin.mm) == 35
    assert round(section.left_margin.mm) == 28 and round(section.right_margin.mm) == 26
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid is not None and abs(int(grid.get(qn("w:linePitch"))) - 579) <= 1  # 225 mm / 22 lines
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer._element.xml, section.even_page_footer._element.xml
    for xml, side in ((odd, "right"), (even, "left")):
        assert "PAGE" in xml and "— " in xml and f'w:val="{side}"' in xml
    names = {style.name for style in document.styles}
    assert {"公文正文", "公文标题", "一级标题", "二级标题", "三级标题", "页码", "主送机关", "抄送机关"} <= names
    body_styles = {p.style.name for p in document.paragraphs}
    assert {"公文正文", "公文标题", "一级标题", "二级标题"} <= body_styles
    tables = document.tables
    assert tables and all("w:tblHeader" in t.rows[0]._tr.xml for t in tables)
    assert document.inline_shapes and all(shape.width.inches > 5 for shape in document.inline_shapes)


def test_python_docx_reads_back_the_official_fields(rendered):
    document = open_docx(str(rendered["bulletin"]["docx"].path))
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["发文机关标志"] == ["重点工作督查通报"]
    assert by_style["期号"] == ["第1期"]
    assert by_style["发文字号"] == ["示督办〔2024〕5号\t签发人：王建国"]
    assert by_style["主送机关"] == ["各乡镇（街道），县级有关单位："]
    assert by_style["发文机关署名"] == ["示例县重点工作督办办公室"]
    assert by_style["成文日期"] == ["2024年7月12日"]
    assert by_style["抄送机关"] == ["抄送：县委办公室、县政府办公室。"]
    assert by_style["印发机关和印发日期"] == ["示例县重点工作督办办公室\t2024年7月13日印发"]
    assert document.core_properties.title == "关于2024年上半年重点工作推进情况的通报"


def test_official_fields_default_from_the_ledger_and_the_round(demo_db):
    save_official_defaults(demo_db, {"cc": "县委办", "issuer": "示例县督查室"})
    doc = bulletin_content(demo_db, "2024Q2")
    fields = doc.figures["official"]
    assert fields["issuer"] == "示例县督查室" and fields["printer"] == "示例县督查室"
    assert fields["cc"] == "县委办"
    due = demo_db.execute("SELECT due_date FROM rounds WHERE id = '2024Q2'").fetchone()[0]
    assert fields["issued"] == due and fields["printed"] == due
    assert date.fromisoformat(fields["issued"]).year == 2024


def test_issue_numbers_count_per_year_and_stay_with_their_round(demo_db):
    assert bulletin_content(demo_db, "2024Q2").figures["issue_no"] == 1
    assert bulletin_content(demo_db, "2024Q3").figures["issue_no"] == 2
    assert bulletin_content(demo_db, "2024Q2").figures["issue_no"] == 1
    assert bulletin_content(demo_db, "2024Q1", official={"issue_no": 7}).figures["issue_no"] == 7
    assert bulletin_content(demo_db, "2024Q1").figures["issue_no"] == 7


def test_word_xml_keeps_the_schema_order_word_insists_on(rendered):
    """Word refuses (``unreadable content``) properties out of schema order; LibreOffice would not show it."""
    import zipfile

    from lxml import etree

    from reports.word.render import _PPR_ORDER, _RPR_ORDER

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    orders = {
        "pPr": _PPR_ORDER,
        "rPr": _RPR_ORDER,
        "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign".split(),
        "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblW jc tblCellSpacing tblInd tblBorders shd tblLayout "
        "tblCellMar tblLook".split(),
        "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders "
        "lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid".split(),
    }
    for name, files in rendered.items():
        archive = zipfile.ZipFile(files["docx"].path)
        for part in archive.namelist():
            if not part.endswith(".xml"):
                continue
            root = etree.fromstring(archive.read(part))
            for tag, order in orders.items():
                for element in root.iter(w + tag):
                    seen = [order.index(c.tag[len(w) :]) for c in element if c.tag[len(w) :] in order]
                    assert seen == sorted(seen), (name, part, tag, [c.tag[len(w) :] for c in element])
