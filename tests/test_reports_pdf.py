"""The PDF reports print the ledger's own figures, stay inside their boxes and survive odd ledgers."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import Paragraph

from db.ledger import create_ledger, set_meta
from db.problems import problem_figures
from db.progress import save_report
from db.queries import key_work_states, status_summary
from db.rounds import get_round, open_round
from db.tasks import add_key_work, add_plan, assign
from db.units import add_unit
from reports.content.model import Cancelled
from reports.content.wording import nest_quotes
from reports.kinds import write_annual_summary, write_bulletin, write_progress_report
from reports.pdf import document
from reports.pdf.linebreak import CANNOT_START

FUZZ = 0.5
OFFICIAL_BOX = (
    document.GB_LEFT,
    A4[1] - document.GB_TOP - document.GB_HEIGHT,
    document.GB_LEFT + document.GB_WIDTH,
    A4[1] - document.GB_TOP,
)
_L = landscape(A4)
LANDSCAPE_BOX = (
    document.LANDSCAPE_MARGIN,
    document.LANDSCAPE_MARGIN + document.LANDSCAPE_FOOTER,
    _L[0] - document.LANDSCAPE_MARGIN,
    _L[1] - document.LANDSCAPE_MARGIN,
)


def pdf_text(path) -> str:
    """All text of a PDF with whitespace removed, so wrapped sentences read whole."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(str(path)).pages))


def _line_text_and_slack(blpara, line) -> tuple[str, float]:
    if blpara.kind == 0:
        extra, words = line
        return "".join(w if isinstance(w, str) else getattr(w, "text", "") for w in words), extra
    return "".join(getattr(w, "text", "") for w in line.words), line.extraSpace


@contextmanager
def layout_probe(monkeypatch):
    """Record every paragraph as it is drawn: page, box, and each line's text and slack."""
    drawn: list[dict] = []
    original = Paragraph.drawOn

    def draw_on(self, canvas, x, y, _sW=0):  # noqa: N803 - reportlab's signature
        lines = [_line_text_and_slack(self.blPara, line) for line in self.blPara.lines]
        # Tables translate the canvas before drawing cells: map the box to page coordinates.
        a, b, c, d, e, f = canvas._currentMatrix
        drawn.append(
            {
                "page": canvas.getPageNumber(),
                "x": a * x + c * y + e,
                "y": b * x + d * y + f,
                "width": self.width,
                "height": self.height,
                "lines": lines,
            }
        )
        return original(self, canvas, x, y, _sW)

    monkeypatch.setattr(Paragraph, "drawOn", draw_on)
    yield drawn


def assert_layout_clean(drawn: list[dict], box: tuple[float, float, float, float]) -> None:
    """No line starts with a forbidden mark, is wider than its box, or leaves the type area."""
    assert drawn, "nothing was drawn"
    left, bottom, right, top = box
    for para in drawn:
        where = f"page {para['page']}: {para['lines'][0][0][:30] if para['lines'] else ''}"
        assert para["x"] >= left - FUZZ and para["x"] + para["width"] <= right + FUZZ, where
        assert para["y"] >= bottom - FUZZ and para["y"] + para["height"] <= top + FUZZ, where
        for i, (text, slack) in enumerate(para["lines"]):
            assert slack >= -FUZZ, f"line wider than its box ({slack:.1f} pt) {where}: {text}"
            if i and text:
                assert text[0] not in CANNOT_START, f"line starts with “{text[0]}” {where}: {text}"


def assert_text_on_page(path) -> None:
    """Every text run pypdf finds starts inside the page."""
    for number, page in enumerate(PdfReader(str(path)).pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        spots = []

        def visit(text, cm, tm, _font, _size, spots=spots):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                spots.append((x, y, text))

        page.extract_text(visitor_text=visit)
        assert spots, f"page {number} has no text"
        for x, y, text in spots:
            assert 0 <= x <= width and 0 <= y <= height, f"page {number}: “{text}” at {x:.0f},{y:.0f}"


def test_bulletin_prints_the_ledgers_figures_and_stays_in_the_type_area(demo_db, tmp_path, monkeypatch):
    out = tmp_path / "bulletin.pdf"
    with layout_probe(monkeypatch) as drawn:
        result = write_bulletin(demo_db, "2024Q2", out, issue_no=3, org="示例县两个健康办")
    assert_layout_clean(drawn, OFFICIAL_BOX)
    assert_text_on_page(out)
    assert result.pages == len(PdfReader(str(out)).pages) >= 3
    text = pdf_text(out)

    summary = status_summary(demo_db, "2024Q2")
    by_status = summary["key_works_by_status"]
    assert f"全县{summary['key_works']}项重点工作中" in text
    assert f"已完成{by_status['已完成']}项" in text
    assert f"序时推进{by_status['序时推进']}项" in text
    assert f"进度滞后{by_status['进度滞后']}项" in text
    assert "第3期" in text and "示例县两个健康办" in text
    assert "关于2024年上半年重点工作推进情况的通报" in text

    # The problems of the half year: raised in the 2024Q1 and 2024Q2 returns (which arrive after the
    # cut-off), closed by the day the round was closed.
    raised, closed = demo_db.execute(
        "SELECT COUNT(*), SUM(state = 'closed') FROM problems WHERE round_id IN ('2024Q1', '2024Q2')"
    ).fetchone()
    assert f"累计梳理问题{raised}个，已化解（销号）{closed}个" in text
    assert f"化解率{100 * closed / raised:.1f}%" in text

    # Reporting punctuality counted straight from the tables: a unit is on time only when every one of
    # its items came by the due date; one missing item makes it 部分未报送.
    due = get_round(demo_db, "2024Q2")["due_date"]
    stamps: dict[int, list] = {}
    for unit_id, stamp in demo_db.execute(
        "SELECT a.unit_id, r.submitted_at FROM assignments a LEFT JOIN reports r "
        "ON r.assignment_id = a.id AND r.round_id = '2024Q2'"
    ):
        stamps.setdefault(unit_id, []).append(stamp)
    silent = sum(1 for v in stamps.values() if not any(v))
    partial = sum(1 for v in stamps.values() if any(v) and not all(v))
    late = sum(1 for v in stamps.values() if all(v) and max(v)[:10] > due)
    on_time = len(stamps) - silent - partial - late
    assert on_time == sum(1 for v in stamps.values() if all(v) and all(x[:10] <= due for x in v))
    assert (
        f"本轮应报送单位{len(stamps)}个，按时报送{on_time}个，逾期报送{late}个，"
        + (f"部分事项未报送{partial}个，" if partial else "")
        + f"未报送{silent}个"
        in text
    )
    assert "白石乡" in text  # the demo's habitually late township is named

    # Every red and yellow key work is named with its lead unit; quotes inside quotes are ‘ ’.
    states = key_work_states(demo_db, "2024Q2")
    red = [k for k in states if k.result.light == "红" or k.result.status in ("逾期", "未报送")]
    yellow = [k for k in states if k.result.light == "黄" and k not in red]
    lagging = [k for k in states if k.result.status in ("进度滞后", "逾期")]
    assert f"以下{len(red)}项重点工作亮红灯" in text
    assert f"以下{len(yellow)}项重点工作亮黄灯" in text
    running = re.sub(r"—\d+—", "", text)  # a sentence may run across a page number
    for k in red + yellow + lagging:
        assert nest_quotes(f"第{k.number}项“{k.title}”（牵头单位：{k.lead_unit}") in running
    assert "‘大走访’”" in text and "“大走访””" not in text


def test_closed_round_bulletin_keeps_its_figures_when_the_rules_change(demo_db, tmp_path):
    first = write_bulletin(demo_db, "2024Q1", tmp_path / "a.pdf")
    set_meta(demo_db, "light_thresholds", {"yellow_behind": 1, "red_behind": 2})
    second = write_bulletin(demo_db, "2024Q1", tmp_path / "b.pdf")
    assert first.figures == second.figures
    assert pdf_text(tmp_path / "a.pdf") == pdf_text(tmp_path / "b.pdf")


def test_progress_report_matches_the_ledger_and_repeats_its_header(demo_db, tmp_path, monkeypatch):
    out = tmp_path / "progress.pdf"
    with layout_probe(monkeypatch) as drawn:
        result = write_progress_report(demo_db, "2024Q3", out)
    assert_layout_clean(drawn, LANDSCAPE_BOX)
    assert_text_on_page(out)
    summary = status_summary(demo_db, "2024Q3")
    text = pdf_text(out)
    assert f"重点工作共{summary['key_works']}项" in text
    for status, count in summary["key_works_by_status"].items():
        if count:
            assert f"{status}{count}项" in text
    pages = PdfReader(str(out)).pages
    assert result.pages == len(pages) > 1
    for number, page in enumerate(pages, 1):
        page_text = re.sub(r"\s+", "", page.extract_text())
        assert "进展情况（各单位）" in page_text, f"header row missing on page {number}"
        assert f"第{number}页共{len(pages)}页" in page_text
        assert "2024年第三季度" in page_text


def test_annual_summary_reports_year_end_results(demo_db, tmp_path, monkeypatch):
    out = tmp_path / "annual.pdf"
    with layout_probe(monkeypatch) as drawn:
        result = write_annual_summary(demo_db, 2024, out)
    assert_layout_clean(drawn, OFFICIAL_BOX)
    text = pdf_text(out)
    summary = status_summary(demo_db, "2024Q3")
    assert f"全县{summary['key_works']}项重点工作中，已完成{summary['key_works_by_status']['已完成']}项" in text
    problems = problem_figures(demo_db)  # every problem of the demo ledger is of 2024
    assert f"全年各单位梳理问题{problems['raised']}个，已化解{problems['closed']}个" in text
    n_indicators = demo_db.execute("SELECT COUNT(*) FROM indicators").fetchone()[0]
    assert f"量化指标{n_indicators}个" in text
    assert sum(result.figures["indicators"].values()) == n_indicators
    assert "新增“个转企”" in text or "个转企" in text


def _tiny_ledger(path, *, key_works: int = 0, text: str | None = None, unit_name: str = "县发展和改革局"):
    db = create_ledger(path)
    set_meta(db, "county", "测试县")
    open_round(db, "2024Q2")
    if key_works:
        plan = add_plan(db, "测试计划", 2024)
        unit = add_unit(db, unit_name, "部门")
        for n in range(1, key_works + 1):
            kw = add_key_work(
                db,
                plan,
                str(n),
                f"重点工作{n}",
                category=f"类别{n % 5}",
                period_phrase="2024年",
                targets=["完成年度目标"],
                plan_year=2024,
            )
            a = assign(db, kw, unit, "牵头")
            if text is not None:
                save_report(
                    db,
                    a,
                    "2024Q2",
                    {"progress_text": text, "percent": 40.0, "reported_status": "序时推进", "problems": text[:300]},
                )
    return db


@pytest.mark.parametrize("writer", ["progress", "bulletin", "annual"])
def test_an_empty_ledger_still_gives_a_valid_pdf(tmp_path, writer):
    db = _tiny_ledger(tmp_path / "empty.db")
    out = tmp_path / f"{writer}.pdf"
    if writer == "progress":
        write_progress_report(db, "2024Q2", out)
    elif writer == "bulletin":
        write_bulletin(db, "2024Q2", out)
    else:
        write_annual_summary(db, 2024, out)
    text = pdf_text(out)
    assert len(PdfReader(str(out)).pages) >= 1
    assert "没有" in text or "为空" in text


def test_a_round_without_reports_names_every_unit_as_not_reported(demo_db, tmp_path):
    open_round(demo_db, "2024Q4")
    result = write_bulletin(demo_db, "2024Q4", tmp_path / "q4.pdf")
    assert result.figures["reporting"]["按时报送"] == 0
    assert result.figures["reporting"]["未报送"] == len(result.figures["ranking"]) == 25
    assert result.figures["key_works_by_status"]["未报送"] == 30
    write_progress_report(demo_db, "2024Q4", tmp_path / "q4p.pdf")
    assert "未报送" in pdf_text(tmp_path / "q4p.pdf")


def test_a_5000_character_progress_text_splits_across_pages(tmp_path, monkeypatch):
    sentence = "对照年度目标任务，逐项细化推进措施，已完成REITs试点申报和5G基站建设2024年度计划的第一阶段工作；"
    long_text = (sentence * (5000 // len(sentence) + 1))[:5000]
    db = _tiny_ledger(tmp_path / "long.db", key_works=2, text=long_text)
    out = tmp_path / "long.pdf"
    with layout_probe(monkeypatch) as drawn:
        result = write_progress_report(db, "2024Q2", out)
    assert_layout_clean(drawn, LANDSCAPE_BOX)
    assert result.pages >= 4
    text = pdf_text(out)
    assert text.count("REITs试点") >= 2 * (5000 // len(sentence)) - 2  # nothing of the long text was lost


def test_a_row_continued_on_the_next_page_repeats_its_number_and_title(tmp_path, monkeypatch):
    long_text = "按照年度计划推进各项工作，已完成阶段性目标，正在开展下一阶段的督查督办。" * 120
    db = _tiny_ledger(tmp_path / "split.db", key_works=2, text=long_text)
    out = tmp_path / "split.pdf"
    with layout_probe(monkeypatch) as drawn:
        result = write_progress_report(db, "2024Q2", out)
    assert_layout_clean(drawn, LANDSCAPE_BOX)
    pages = [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(str(out)).pages]
    assert result.pages == len(pages) >= 3
    # Key work 1 starts on page 1 and runs on; every later page it reaches says whose text it is.
    starts = [n for n, text in enumerate(pages) if "重点工作2" in text and "重点工作2（续上页）" not in text]
    assert starts and starts[0] >= 1
    for text in pages[1 : starts[0] + 1]:
        assert "1（续）" in text and "重点工作1（续上页）" in text
    for text in pages[starts[0] + 1 :]:
        assert "2（续）" in text and "重点工作2（续上页）" in text
    assert "（续）" not in pages[0]


def test_rare_characters_in_unit_names_are_reported_not_printed_blank(tmp_path):
    # U+30EDD (𰻝, biáng) is in no font installed here; U+4DAE (䶮) is in WenQuanYi and AR PL.
    db = _tiny_ledger(tmp_path / "rare.db", key_works=1, text="进展正常。", unit_name="䶮𰻝县局")
    result = write_progress_report(db, "2024Q2", tmp_path / "rare.pdf")
    missing = [w for w in result.warnings if "U+30EDD" in w]
    assert missing and "䶮𰻝县局" in missing[0]
    assert not any("U+4DAE" in w for w in result.warnings)
    assert "䶮" in pdf_text(tmp_path / "rare.pdf")


def test_a_cancelled_report_leaves_the_old_file_alone(demo_db, tmp_path):
    out = tmp_path / "keep.pdf"
    out.write_bytes(b"%PDF-old")

    def cancel(done, total, message):
        if done >= 2:
            raise Cancelled("已取消")

    with pytest.raises(Cancelled):
        write_bulletin(demo_db, "2024Q2", out, progress=cancel)
    assert out.read_bytes() == b"%PDF-old"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf"] == ["keep.pdf"]


def test_a_progress_report_cancelled_during_layout_leaves_the_old_file_alone(demo_db, tmp_path):
    out = tmp_path / "keep.pdf"
    out.write_bytes(b"%PDF-old")
    seen = []

    def cancel(done, total, message):
        seen.append(message)
        if message.startswith("已排版 3 页"):
            raise Cancelled("已取消")

    with pytest.raises(Cancelled):
        write_progress_report(demo_db, "2024Q3", out, progress=cancel)
    assert out.read_bytes() == b"%PDF-old"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf"] == ["keep.pdf"]
    assert "已排版 2 页" in seen


def test_fonts_are_embedded(demo_db, tmp_path):
    out = tmp_path / "b.pdf"
    result = write_bulletin(demo_db, "2024Q2", out)
    fonts = Counter()
    for page in PdfReader(str(out)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts[embedded] += 1
    assert fonts[True] and not fonts[False]
    # One line names the font of each of the five roles.
    assert len(result.fonts) == 1 and all(
        role in result.fonts[0] for role in ("仿宋", "黑体", "楷体", "宋体", "小标宋")
    )


@pytest.mark.slow
def test_two_thousand_key_works(tmp_path, monkeypatch):
    db = _tiny_ledger(tmp_path / "big.db", key_works=2000, text="按计划推进，完成阶段任务。")
    out = tmp_path / "big.pdf"
    result = write_progress_report(db, "2024Q2", out)
    assert result.pages == len(PdfReader(str(out)).pages) > 50
    assert "重点工作2000" in pdf_text(out)
    bulletin = write_bulletin(db, "2024Q2", tmp_path / "big-b.pdf")
    assert bulletin.figures["key_works"] == 2000
