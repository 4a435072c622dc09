"""The PDF renderer: lays out a report's :class:`~reports.content.model.Document` with reportlab.

``official`` documents get GB/T 9704 pages (:func:`reports.pdf.document.official_template`),
``landscape`` ones the wide-table pages with "第 X 页 共 Y 页". Each content block becomes
the flowables it always was, so the pages come out as they did when every report built
its own story.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from db.jobs import Progress
from reports.content import model
from reports.content.layout import GB_BODY_SIZE, GB_LEADING, GB_WIDTH, LIGHT_SYMBOLS, LIGHT_WORDS, MASTHEAD_RGB
from reports.content.model import Document, ReportResult, step
from reports.content.wording import chinese_date, pct_exact
from reports.pdf.charts import lights_by_unit_chart, status_by_category_chart
from reports.pdf.document import (
    LIGHT_COLORS,
    ChunkedTable,
    Typesetter,
    annex_heading,
    build_official,
    build_pdf,
    heading,
    landscape_template,
    official_styles,
    official_table,
    signature,
    typesetter_for,
)

#: A progress-table row split across pages keeps at least two lines of text on each side.
MIN_SPLIT = 28
_HEADING_STYLES = {1: "h1", 2: "h2", 3: "h3"}
_PARA_STYLES = {
    "body": "body",
    "flush": "body_flush",
    "addressee": "body_flush",
    "warning": "body_flush",
    "annex_more": "annex_more",
    "summary": "summary",
    "note": "note",
}


def render_pdf(doc: Document, out_path: str | Path, db, progress: Progress | None = None) -> ReportResult:
    """Write ``doc`` as a PDF with the ledger's fonts and return what was written.

    Args:
        doc: the report's content.
        out_path: the PDF to write (replaced only when the whole file is ready).
        db: the ledger, for its font settings.
        progress: ``progress(done, total, message)``; it may raise to cancel.
    """
    ts = typesetter_for(db)
    out_path = Path(out_path)
    if doc.layout == "landscape":
        _landscape_styles(ts)
        story = [_flowable(ts, block, progress) for block in doc.blocks]
        pdf, furniture = landscape_template(out_path, doc.title, doc.author, doc.footer, ts, progress)
        pages = build_pdf(pdf, _flat(story), furniture, out_path, ts.font("songti"))
    else:
        official_styles(ts)
        story = [_flowable(ts, block, progress) for block in doc.blocks]
        step(progress, 2, 3, "排版")
        pages = build_official(_flat(story), out_path, doc.title, doc.author, ts, progress)
    step(progress, 3, 3, "完成")
    return ReportResult(out_path, pages, [ts.choice.summary()], doc.warnings + ts.warnings(), doc.figures)


def _flat(story: list) -> list:
    out = []
    for item in story:
        out.extend(item if isinstance(item, list) else [item])
    return out


def _landscape_styles(ts: Typesetter) -> None:
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


def _flowable(ts: Typesetter, block, progress):  # noqa: PLR0911 - one case per block type
    """Return the flowable (or list of flowables) of one content block."""
    if isinstance(block, model.Masthead):
        return _masthead(ts, block)
    if isinstance(block, model.Title):
        return ts.para("\n".join(block.lines) or block.text, "title")
    if isinstance(block, model.Subtitle):
        if "subtitle" not in ts.styles:  # the official layout's subtitle (全年总结's data cut-off)
            ts.style("subtitle", "kaiti", 16, leading=GB_LEADING, alignment=1, spaceAfter=GB_LEADING * 0.5)
        return ts.para(block.text, "subtitle")
    if isinstance(block, model.Heading):
        style = _HEADING_STYLES[block.level]
        if block.keep_lines:
            return heading(ts, block.text, style, block.keep_lines)
        return ts.para(block.text, style, context=block.context)
    if isinstance(block, model.Para):
        style = _PARA_STYLES[block.style]
        if block.lead:
            return ts.markup(
                f'<font name="{ts.font("kaiti")}">{ts.text(block.lead, "kaiti")}</font>{ts.text(block.text)}', style
            )
        return ts.para(block.text, style, context=block.context)
    if isinstance(block, model.Table):
        return official_table(ts, block.header, block.rows, block.widths, center=block.center)
    if isinstance(block, model.EmptyTable):
        empty = Table([[ts.para(block.text, "cell_c")]], colWidths=[GB_WIDTH])
        empty.setStyle(
            TableStyle(
                [("FONTNAME", (0, 0), (-1, -1), ts.font("fangsong")), ("BOX", (0, 0), (-1, -1), 0.5, colors.black)]
            )
        )
        return empty
    if isinstance(block, model.Chart):
        if block.kind == "status_by_category":
            return status_by_category_chart(
                ts.font("heiti"), GB_WIDTH, block.categories, block.series, block.counts, block.title
            )
        return lights_by_unit_chart(
            ts.font("heiti"), GB_WIDTH, block.categories, block.series, block.counts, block.title
        )
    if isinstance(block, model.Space):
        return Spacer(1, block.points)
    if isinstance(block, model.KeepTogether):
        return KeepTogether(_flat([_flowable(ts, b, progress) for b in block.blocks]))
    if isinstance(block, model.Signature):
        return signature(ts, block.org, block.day)
    if isinstance(block, model.Annex):
        return annex_heading(ts, block.title, block.label)
    if isinstance(block, model.Colophon):
        return _colophon(ts, block)
    if isinstance(block, model.PageBreak):
        return PageBreak()
    if isinstance(block, model.ProgressTable):
        return _progress_table(ts, block, progress)
    raise TypeError(f"unknown content block {block!r}")


def _masthead(ts: Typesetter, block: model.Masthead) -> list:
    """Return the red 版头: document name, 第N期, issuer and date, and the red rule."""
    red = colors.Color(*MASTHEAD_RGB)
    ts.style("masthead", "xiaobiaosong", 34, leading=44, alignment=1, textColor=red)
    ts.style("issue", "fangsong", GB_BODY_SIZE, leading=GB_LEADING, alignment=1)
    ts.style("header_l", "fangsong", GB_BODY_SIZE, leading=GB_LEADING)
    ts.style("header_r", "fangsong", GB_BODY_SIZE, leading=GB_LEADING, alignment=2)
    line = Table(
        [[ts.para(block.org, "header_l"), ts.para(chinese_date(block.issued), "header_r")]],
        colWidths=[GB_WIDTH * 0.62, GB_WIDTH * 0.38],
    )
    line.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), ts.font("fangsong")),
                ("LEFTPADDING", (0, 0), (-1, -1), GB_BODY_SIZE),
                ("RIGHTPADDING", (0, 0), (-1, -1), GB_BODY_SIZE),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    out = [Spacer(1, GB_LEADING * 0.5), ts.para(block.name, "masthead"), Spacer(1, GB_LEADING * 0.5)]
    if block.issue_no:
        out.append(ts.para(f"第{block.issue_no}期", "issue"))
    if block.signer:
        number = Table(
            [[ts.para(block.doc_number, "header_l"), ts.para(f"签发人：{block.signer}", "header_r")]],
            colWidths=[GB_WIDTH * 0.6, GB_WIDTH * 0.4],
        )
        number.setStyle(_plain_cells(ts, GB_BODY_SIZE))
        out.append(number)
    elif block.doc_number:
        out.append(ts.para(block.doc_number, "issue"))
    out += [line, HRFlowable(width="100%", thickness=1.2, color=red, spaceBefore=2, spaceAfter=GB_LEADING)]
    return out


def _plain_cells(ts: Typesetter, side_padding: float) -> TableStyle:
    """A borderless table's style: no padding above or below, ``side_padding`` left and right."""
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), ts.font("fangsong")),
            ("LEFTPADDING", (0, 0), (-1, -1), side_padding),
            ("RIGHTPADDING", (0, 0), (-1, -1), side_padding),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )


def _colophon(ts: Typesetter, block: model.Colophon) -> list:
    """Return the 版记: 抄送 and 印发 in 4号仿宋 between rules (thick, thin, thick; GB/T 9704 7.4)."""
    size = 14
    ts.style("colophon", "fangsong", size, leading=GB_LEADING * 0.9)
    ts.style("colophon_r", "fangsong", size, leading=GB_LEADING * 0.9, alignment=2)
    rows = []
    if block.cc:
        rows.append([ts.para(f"抄送：{block.cc}。", "colophon"), ""])
    rows.append([ts.para(block.printer, "colophon"), ts.para(f"{chinese_date(block.printed)}印发", "colophon_r")])
    table = Table(rows, colWidths=[GB_WIDTH * 0.6, GB_WIDTH * 0.4])
    style = _plain_cells(ts, size)
    for command in (
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEABOVE", (0, 0), (-1, 0), 1.0, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 1.0, colors.black),
    ):
        style.add(*command)
    if block.cc:
        style.add("SPAN", (0, 0), (1, 0))
        style.add("LINEBELOW", (0, 0), (-1, 0), 0.7, colors.black)
    table.setStyle(style)
    return [KeepTogether([Spacer(1, GB_LEADING), table])]


def _empty(cell) -> bool:
    """Whether a table cell holds nothing (reportlab leaves '' or an empty tuple in a split row's part)."""
    return cell is None or cell == "" or (isinstance(cell, (list, tuple)) and not cell)


def _light_cell(ts: Typesetter, light: str) -> Paragraph:
    color = LIGHT_COLORS[light].hexval().replace("0x", "#")
    return ts.markup(f'<font color="{color}">{LIGHT_SYMBOLS[light]}</font><br/>{LIGHT_WORDS[light]}', "light")


def _unit_cells(ts: Typesetter, row: model.KeyWorkRow) -> tuple[list[Paragraph], list[Paragraph]]:
    progress_cells, problem_cells = [], []
    for entry in row.entries:
        who = ts.text(entry.unit, context=entry.unit)
        if entry.text is None:
            progress_cells.append(ts.markup(f"<b>{who}</b>{entry.role}：<i>未报送</i>", "unit"))
            continue
        figure = "" if entry.percent is None else f" {pct_exact(entry.percent)}"
        text = ts.text(entry.text, context=f"{entry.unit} 进展情况")
        progress_cells.append(ts.markup(f"【{who}{entry.role}{figure}】{text}", "unit"))
    for unit, problems in row.problems:
        who = ts.text(unit, context=unit)
        problem_cells.append(ts.markup(f"【{who}】{ts.text(problems, context=f'{unit} 存在问题')}", "unit"))
    if row.overdue:
        problem_cells.append(ts.markup(f"<b>逾期节点：</b>{ts.text('、'.join(row.overdue))}", "unit"))
    return progress_cells, problem_cells


def _status_cell(ts: Typesetter, row: model.KeyWorkRow) -> Paragraph:
    lines = [ts.text(row.status)]
    if row.percent is not None:
        lines.append(f"完成 {pct_exact(row.percent)}")
    if row.expected is not None:
        lines.append(f"序时 {pct_exact(row.expected)}")
    return ts.markup("<br/>".join(lines), "cell_c")


def _progress_table(ts: Typesetter, table: model.ProgressTable, progress) -> ChunkedTable:
    """Return the progress table, its rows made as the pages need them (a city's a page at a time)."""
    columns = table.columns
    header = [ts.para(name, "head") for name, _w in columns]
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
    rows = table.rows
    total = max(1, sum(isinstance(r, model.KeyWorkRow) for r in rows))

    def body_rows():
        done = 0
        for row in rows:
            if isinstance(row, model.CategoryRow):
                yield [ts.para(row.name, "category")] + [""] * (len(columns) - 1)
                continue
            progress_cells, problem_cells = _unit_cells(ts, row)
            yield [
                ts.para(row.number, "cell_c"),
                ts.para(row.title, "cell", context=row.title),
                ts.para(row.lead_unit or "（无牵头单位）", "cell_c", context=row.lead_unit),
                _light_cell(ts, row.light),
                _status_cell(ts, row),
                progress_cells or "",
                problem_cells or ts.para("无", "cell"),
            ]
            done += 1
            if done % 50 == 0:
                step(progress, 2, 3, f"排版第 {done}/{total} 项")

    def continued(index: int, cells: list) -> list:
        """Say whose text a row carried over to the next page is: its number and title again."""
        row = rows[index]
        if isinstance(row, model.CategoryRow):
            return cells
        if _empty(cells[0]):
            cells[0] = ts.markup(f"{ts.text(row.number)}<br/>（续）", "continued_c")
        if _empty(cells[1]):
            cells[1] = ts.markup(f"{ts.text(row.title)}（续上页）", "continued")
        return cells

    return ChunkedTable(
        header,
        body_rows(),
        [w for _n, w in columns],
        commands,
        lambda r: category_row if isinstance(rows[r], model.CategoryRow) else [],
        continued=continued,
        chunk=8,
        splitByRow=0,
        splitInRow=MIN_SPLIT,
    )


__all__ = ["render_pdf"]
