"""Report problems found by reading the printed demo reports and the county-scale benchmark."""

from __future__ import annotations

import re
import subprocess
from itertools import combinations

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.platypus import LongTable, Paragraph, TableStyle

from db.ledger import create_ledger, set_meta
from db.progress import save_report
from db.rounds import open_round
from db.tasks import add_key_work, add_plan, assign
from db.units import add_unit
from reports.kinds import write_annual_summary, write_bulletin
from reports.pdf import document
from reports.pdf.document import ChunkedTable, Typesetter
from reports.pdf.fonts import find_fonts


def _pages(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _luma(color: colors.Color) -> float:
    return 0.299 * color.red + 0.587 * color.green + 0.114 * color.blue


def test_bulletin_counts_the_problems_raised_in_its_own_rounds_returns(demo_db, tmp_path):
    # Returns come in after the cut-off, so the problems they raise are dated after it; the
    # half-year bulletin must still list them (the 季调度进展表 of the same round prints them).
    result = write_bulletin(demo_db, "2024Q2", tmp_path / "b.pdf")
    own = demo_db.execute(
        "SELECT COUNT(*) FROM problems WHERE round_id = '2024Q2' AND raised_at > '2024-06-30'"
    ).fetchone()[0]
    assert own > 0
    in_rounds = demo_db.execute("SELECT COUNT(*) FROM problems WHERE round_id IN ('2024Q1', '2024Q2')").fetchone()[0]
    assert result.figures["problems"]["raised"] == in_rounds
    an_open_one = demo_db.execute(
        "SELECT u.name, p.text FROM problems p JOIN units u ON u.id = p.unit_id "
        "WHERE p.round_id = '2024Q2' AND p.state = 'open' ORDER BY p.id LIMIT 1"
    ).fetchone()
    text = re.sub(r"\s+", "", "".join(_pages(tmp_path / "b.pdf")))
    assert an_open_one[0] in text and an_open_one[1].rstrip("。；;")[:12] in text


def test_lagging_works_print_figures_that_add_up(demo_db, tmp_path):
    write_bulletin(demo_db, "2024Q2", tmp_path / "b.pdf")
    text = re.sub(r"\s+", "", "".join(_pages(tmp_path / "b.pdf")))
    found = re.findall(r"完成进度([\d.]+)%，序时进度([\d.]+)%，滞后([\d.]+)个百分点", text)
    assert len(found) >= 5
    for done, expected, behind in found:
        assert float(expected) - float(done) == pytest.approx(float(behind), abs=0.051), (done, expected, behind)


def test_a_county_with_eighty_units_gets_its_bulletin(tmp_path):
    # The lights-by-unit chart once grew one row per unit into a 1,110 pt drawing: LayoutError.
    db = create_ledger(tmp_path / "county.db")
    set_meta(db, "county", "测试县")
    open_round(db, "2024Q2")
    plan = add_plan(db, "测试计划", 2024)
    for n in range(1, 81):
        unit = add_unit(db, f"测试单位{n:02d}", "部门")
        kw = add_key_work(db, plan, str(n), f"重点工作{n}", category="类别", period_phrase="2024年", plan_year=2024)
        a = assign(db, kw, unit, "牵头")
        save_report(db, a, "2024Q2", {"progress_text": "推进中。", "percent": 40.0, "reported_status": "序时推进"})
    result = write_bulletin(db, "2024Q2", tmp_path / "b.pdf")
    assert len(result.figures["ranking"]) == 80
    text = "".join(_pages(tmp_path / "b.pdf"))
    assert "各单位承担任务亮灯情况（项）（续）" in text


def test_chart_colours_stay_apart_in_grey_print():
    statuses = [c for c in document.STATUS_COLORS.values()]
    for a, b in combinations(statuses, 2):
        assert abs(_luma(a) - _luma(b)) >= 0.1
    lights = [document.LIGHT_COLORS[x] for x in ("红", "黄", "绿")] + [colors.white]
    for a, b in combinations(lights, 2):
        assert abs(_luma(a) - _luma(b)) >= 0.15


def test_annual_summary_never_ends_a_page_with_a_category_heading(demo_db, tmp_path):
    write_annual_summary(demo_db, 2024, tmp_path / "a.pdf")
    for number, page in enumerate(_pages(tmp_path / "a.pdf"), 1):
        lines = [
            line.strip()
            for line in page.splitlines()
            if line.strip() and not re.fullmatch(r"—\s*\d+\s*—", line.strip())
        ]
        assert not re.match(r"（[一二三四五六七八九十]+）", lines[-1]), f"page {number} ends with “{lines[-1]}”"


def test_annual_summary_before_year_end_does_not_claim_year_end(demo_db, tmp_path):
    text = re.sub(r"\s+", "", "".join(_pages(write_annual_summary(demo_db, 2024, tmp_path / "a.pdf").path)))
    assert "2024年第三季度" in text and "2024Q3" not in text
    assert "截至9月底状态" in text and "年末状态" not in text


def test_signature_stands_four_characters_in_with_the_office_over_the_date(demo_db, tmp_path):
    out = tmp_path / "b.pdf"
    write_bulletin(demo_db, "2024Q2", out, org="示例县两个健康办")
    bbox = subprocess.run(["pdftotext", "-bbox-layout", str(out), "-"], capture_output=True, text=True).stdout
    lines = re.findall(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*?)</line>', bbox, re.S)
    spans = [("".join(re.findall(r">([^<]+)</word>", body)), float(x0), float(x1)) for x0, x1, body in lines]
    # The signature: the last office line right above a date line (the 版头 and the 版记 name the office too).
    at = max(
        i
        for i in range(len(spans) - 1)
        if spans[i][0] == "示例县两个健康办" and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", spans[i + 1][0])
    )
    (_org, org_x0, org_x1), (_date, date_x0, date_x1) = spans[at], spans[at + 1]
    right_edge = document.GB_LEFT + document.GB_WIDTH
    assert right_edge - date_x1 == pytest.approx(4 * document.GB_BODY_SIZE, abs=2)
    assert (org_x0 + org_x1) / 2 == pytest.approx((date_x0 + date_x1) / 2, abs=2)


def test_chunked_table_lays_out_pages_like_one_long_table(tmp_path):
    ts = Typesetter(find_fonts())
    cell = ts.style("c", size=9.5, leading=12.5)
    head = [Paragraph("序号", cell), Paragraph("内容", cell), Paragraph("备注", cell)]

    def rows():
        out = []
        for n in range(160):
            if n % 23 == 0:
                out.append([Paragraph(f"类别{n}", cell), "", ""])
            out.append(
                [Paragraph(str(n), cell), Paragraph("进展情况，" * (1 + n * 7 % 40), cell), Paragraph("无", cell)]
            )
        return out

    base = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), ts.font("fangsong"))]
    widths = [40, 300, 100]
    data = rows()
    spans = [i for i, r in enumerate(data) if r[1] == ""]
    whole = LongTable([head, *data], colWidths=widths, repeatRows=1, splitByRow=0, splitInRow=28)
    whole.setStyle(TableStyle(base + [("SPAN", (0, i + 1), (-1, i + 1)) for i in spans]))
    chunked = ChunkedTable(
        head,
        rows(),
        widths,
        base,
        lambda r: [("SPAN", (0, 1), (-1, 1))] if r in spans else [],
        splitByRow=0,
        splitInRow=28,
    )
    made = []

    def lazily():
        for row in rows():
            made.append(row)
            yield row

    # Rows read from an iterator as the pages need them (how the progress report feeds a city's table).
    lazy = ChunkedTable(
        head,
        lazily(),
        widths,
        base,
        lambda r: [("SPAN", (0, 1), (-1, 1))] if r in spans else [],
        chunk=8,
        splitByRow=0,
        splitInRow=28,
    )
    texts = []
    made_by_page: list[int] = []
    for name, table in (("whole", whole), ("chunked", chunked), ("lazy", lazy)):
        doc = document.official_template(tmp_path / f"{name}.pdf", "t", "o")
        if name == "lazy":
            doc.afterPage = lambda: made_by_page.append(len(made))
        document.build_pdf(doc, [table], None, tmp_path / f"{name}.pdf", ts.font("songti"))
        texts.append(_pages(tmp_path / f"{name}.pdf"))
    assert len(texts[0]) > 5
    assert texts[0] == texts[1] == texts[2]
    assert made_by_page[0] < len(made) / 3  # page 1 was laid out before most rows existed
    assert A4  # the official template is A4 portrait
