"""季调度进展表: one landscape table of every key work's progress for a round.

Grouped by category (总体任务); per key work the lead unit, the light (colour plus a
symbol and a word, so black-and-white print still reads), the judged status against
序时进度, each unit's 进展情况 and 存在问题. The header row repeats on every page and long
cells split across pages rather than overflow.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlite_utils
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.platypus import Paragraph, Spacer

from db.ledger import get_meta
from db.queries import key_work_states, light_thresholds
from db.rounds import get_round
from db.status import LIGHTS, STATUSES
from reports.pdf.document import (
    LIGHT_COLORS,
    LIGHT_SYMBOLS,
    LIGHT_WORDS,
    ChunkedTable,
    Progress,
    ReportResult,
    Typesetter,
    build_pdf,
    chinese_date,
    landscape_template,
    pct_exact,
    round_label,
    step,
    typesetter_for,
)
from reports.pdf.figures import key_work_counts

#: A row split across pages keeps at least two lines of text on each side.
MIN_SPLIT = 28
#: Column widths in points; they add up to the landscape frame width (A4 minus 2 × 14 mm).
COLUMNS = (
    ("序号", 30),
    ("重点工作", 118),
    ("牵头单位", 62),
    ("亮灯", 40),
    ("推进状态", 62),
    ("进展情况（各单位）", 287),
    ("存在问题", 162),
)


def _styles(ts: Typesetter) -> None:
    ts.style("title", "xiaobiaosong", 20, leading=28, alignment=TA_CENTER)
    ts.style("subtitle", "kaiti", 12, leading=18, alignment=TA_CENTER, spaceAfter=4)
    ts.style("summary", "fangsong", 10.5, leading=15)
    ts.style("head", "heiti", 10, leading=13, alignment=TA_CENTER)
    ts.style("category", "heiti", 10.5, leading=14)
    ts.style("cell", "fangsong", 9.5, leading=12.5)
    ts.style("cell_c", "fangsong", 9.5, leading=12.5, alignment=TA_CENTER)
    ts.style("unit", "fangsong", 9.5, leading=12.5, spaceAfter=2)
    ts.style("light", "heiti", 9.5, leading=12.5, alignment=TA_CENTER)
    # A row's part carried over to the next page repeats its number and title, smaller and grey.
    grey = colors.Color(0.3, 0.3, 0.3)
    ts.style("continued", "fangsong", 8.5, leading=11, textColor=grey)
    ts.style("continued_c", "fangsong", 7.5, leading=11, alignment=TA_CENTER, textColor=grey)


def _empty(cell) -> bool:
    """Whether a table cell holds nothing (reportlab leaves '' or an empty tuple in a split row's part)."""
    return cell is None or cell == "" or (isinstance(cell, (list, tuple)) and not cell)


def _light_cell(ts: Typesetter, light: str) -> Paragraph:
    color = LIGHT_COLORS[light].hexval().replace("0x", "#")
    return ts.markup(f'<font color="{color}">{LIGHT_SYMBOLS[light]}</font><br/>{LIGHT_WORDS[light]}', "light")


def _unit_progress(ts: Typesetter, kw) -> tuple[list[Paragraph], list[Paragraph]]:
    progress_cells, problem_cells = [], []
    for part in kw.parts:
        report = part.report or {}
        who = ts.text(part.unit, context=part.unit)
        role = "" if part.role == "责任" else f"（{part.role}）"
        if not report:
            progress_cells.append(ts.markup(f"<b>{who}</b>{role}：<i>未报送</i>", "unit"))
            continue
        figure = "" if report.get("percent") is None else f" {pct_exact(report['percent'])}"
        text = ts.text(report.get("progress_text") or "（未填写进展）", context=f"{part.unit} 进展情况")
        progress_cells.append(ts.markup(f"【{who}{role}{figure}】{text}", "unit"))
        if (report.get("problems") or "").strip():
            problem_cells.append(
                ts.markup(f"【{who}】{ts.text(report['problems'], context=f'{part.unit} 存在问题')}", "unit")
            )
    if kw.result.overdue:
        problem_cells.append(ts.markup(f"<b>逾期节点：</b>{ts.text('、'.join(kw.result.overdue))}", "unit"))
    return progress_cells, problem_cells


def _status_cell(ts: Typesetter, kw) -> Paragraph:
    r = kw.result
    lines = [ts.text(r.status)]
    if r.percent is not None:
        lines.append(f"完成 {pct_exact(r.percent)}")
    if r.expected is not None:
        lines.append(f"序时 {pct_exact(r.expected)}")
    return ts.markup("<br/>".join(lines), "cell_c")


def write_progress_report(
    db: sqlite_utils.Database,
    round_id: str,
    out_path: str | Path,
    *,
    progress: Progress = None,
) -> ReportResult:
    """Write the 季调度进展表 of a round as a landscape A4 PDF.

    Args:
        db: the ledger.
        round_id: e.g. ``2024Q1``; a closed round is read from its frozen figures.
        out_path: the PDF to write (replaced only when the whole file is ready).
        progress: ``progress(done, total, message)``; it may raise to cancel.

    Returns:
        The result with page count, fonts used and warnings.
    """
    step(progress, 0, 3, "读取台账")
    rnd = get_round(db, round_id)
    kws = key_work_states(db, rnd["id"])
    summary = key_work_counts(kws)
    thresholds = light_thresholds(db)
    org = get_meta(db, "org_name") or "重点工作督办办公室"
    county = get_meta(db, "county") or ""
    ts = typesetter_for(db)
    _styles(ts)

    step(progress, 1, 3, "排版")
    label = round_label(rnd)
    state = "已关闭，数据已冻结" if rnd["state"] == "closed" else "进行中"
    title = f"{county}重点工作季调度进展表"
    story: list = [
        ts.para(title, "title"),
        ts.para(f"（{label} · 截至{chinese_date(date.fromisoformat(rnd['cutoff']))} · {state}）", "subtitle"),
    ]
    by_status = summary["key_works_by_status"]
    by_light = summary["key_works_by_light"]
    status_text = "，".join(f"{s}{by_status[s]}项" for s in STATUSES if by_status[s])
    light_text = "，".join(f"{LIGHT_WORDS[light]}{by_light[light]}项" for light in LIGHTS if by_light[light])
    if kws:
        story.append(ts.para(f"重点工作共{summary['key_works']}项：{status_text}。亮灯：{light_text}。", "summary"))
    else:
        story.append(ts.para("本轮次台账中没有重点工作，表格为空。", "summary"))
    story.append(
        ts.para(
            f"亮灯说明：{LIGHT_SYMBOLS['红']}红灯 逾期或落后序时进度{thresholds.red_behind:g}个百分点以上；"
            f"{LIGHT_SYMBOLS['黄']}黄灯 落后{thresholds.yellow_behind:g}～{thresholds.red_behind:g}个百分点或"
            f"{thresholds.due_soon_days}天内有节点到期；{LIGHT_SYMBOLS['绿']}绿灯 序时推进或已完成；"
            f"{LIGHT_SYMBOLS['灰']}未报送。“序时”为按实施阶段已过时间应达到的进度。",
            "summary",
        )
    )
    story.append(Spacer(1, 6))

    header = [ts.para(name, "head") for name, _w in COLUMNS]
    commands: list = [
        ("FONTNAME", (0, 0), (-1, -1), ts.font("fangsong")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    category_row = [("SPAN", (0, 1), (-1, 1)), ("BACKGROUND", (0, 1), (-1, 1), colors.Color(0.95, 0.95, 0.95))]
    # What each body row is, filled in as the rows are made: None for a category row, else the key work.
    row_works: list = []

    def body_rows():
        """Yield the table's rows as the pages need them (a city's rows are made a page at a time)."""
        current_category = object()
        total = max(1, len(kws))
        for index, kw in enumerate(kws, 1):
            if kw.category != current_category:
                current_category = kw.category
                row_works.append(None)
                yield [ts.para(kw.category or "未分类", "category")] + [""] * (len(COLUMNS) - 1)
            progress_cells, problem_cells = _unit_progress(ts, kw)
            row_works.append(kw)
            yield [
                ts.para(kw.number, "cell_c"),
                ts.para(kw.title, "cell", context=kw.title),
                ts.para(kw.lead_unit or "（无牵头单位）", "cell_c", context=kw.lead_unit or ""),
                _light_cell(ts, kw.result.light),
                _status_cell(ts, kw),
                progress_cells or "",
                problem_cells or ts.para("无", "cell"),
            ]
            if index % 50 == 0:
                step(progress, 2, 3, f"排版第 {index}/{total} 项")

    def continued(row: int, cells: list) -> list:
        """Say whose text a row carried over to the next page is: its number and title again."""
        kw = row_works[row]
        if kw is None:
            return cells
        if _empty(cells[0]):
            cells[0] = ts.markup(f"{ts.text(kw.number)}<br/>（续）", "continued_c")
        if _empty(cells[1]):
            cells[1] = ts.markup(f"{ts.text(kw.title)}（续上页）", "continued")
        return cells

    story.append(
        ChunkedTable(
            header,
            body_rows(),
            [w for _n, w in COLUMNS],
            commands,
            lambda r: category_row if row_works[r] is None else [],
            continued=continued,
            chunk=8,
            splitByRow=0,
            splitInRow=MIN_SPLIT,
        )
    )

    footer = f"{org} · {label}季调度进展表 · 生成于 {chinese_date(date.today())}"
    doc, furniture = landscape_template(Path(out_path), title, org, footer, ts, progress)
    pages = build_pdf(doc, story, furniture, Path(out_path), ts.font("songti"))
    step(progress, 3, 3, "完成")
    figures = {
        "round": rnd["id"],
        "key_works": summary["key_works"],
        "key_works_by_status": by_status,
        "key_works_by_light": by_light,
    }
    return ReportResult(Path(out_path), pages, ts.choice.used(), ts.warnings(), figures)


__all__ = ["write_progress_report"]
