"""What every report shares: fonts and styles, safe Chinese markup, page furniture, writing.

Two page layouts:

* :func:`official_template` — GB/T 9704-2012 党政机关公文格式: A4 portrait, top margin
  37 mm, left 28 mm, type area 156 × 225 mm with no frame padding, body 3号仿宋 on a grid
  of 22 lines × 28 characters, page numbers "— 1 —" in 4号宋体 7 mm below the type area,
  odd pages right and even pages left, each one character in from the edge.
* :func:`landscape_template` — A4 landscape for wide tables, with "第 X 页 共 Y 页", the
  round and the date generated in the footer.

Both count pages in a first pass of the canvas so that "共 Y 页" is known on page 1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from db.jobs import Progress
from reports.content.layout import (
    GB_BODY_SIZE,
    GB_HEIGHT,
    GB_LEADING,
    GB_LEFT,
    GB_PAGE_NUMBER_GAP,
    GB_PAGE_NUMBER_SIZE,
    GB_TITLE_SIZE,
    GB_TOP,
    GB_WIDTH,
    LANDSCAPE_FOOTER,
    LANDSCAPE_MARGIN,
    LIGHT_RGB,
    MM,
    STATUS_RGB,
)
from reports.content.wording import chinese_date
from reports.files import replaced_atomically
from reports.pdf import linebreak
from reports.pdf.fonts import FontChoice, fonts_for_ledger

# The GB/T 9704 geometry, the landscape margins and the print colours are shared with
# the Word renderer (reports.content.layout); here they become reportlab colours.
LIGHT_COLORS = {light: colors.Color(*rgb) for light, rgb in LIGHT_RGB.items()}
STATUS_COLORS = {status: colors.Color(*rgb) for status, rgb in STATUS_RGB.items()}

_UNKNOWN = object()


class WrapOnceParagraph(Paragraph):
    """A Paragraph that breaks its lines once per width.

    reportlab wraps a table cell three times (measuring the row, splitting the table,
    drawing it); line breaking CJK text is the costly part and its result depends only on
    the width, so the second and third wraps reuse it. Splits (``self.__class__``) stay
    of this class and break their own lines.
    """

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's signature
        """Break the lines (once per width) and return the size."""
        cached = getattr(self, "_duban_wrapped", None)
        if cached is not None and cached[0] == availWidth:
            _width, self.blPara, self._wrapWidths, self.width, self.height = cached
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if getattr(self, "blPara", None) is not None and availWidth == self.width:
            self._duban_wrapped = (availWidth, self.blPara, self._wrapWidths, self.width, self.height)
        return size


class Typesetter:
    """Fonts, styles and glyph-safe markup for one report.

    Every piece of ledger text goes through :meth:`text`, which escapes it for
    reportlab's mini-markup and draws each character the style's font lacks with another
    chosen font that has it; characters no font has are collected in :attr:`missing`.
    """

    def __init__(self, choice: FontChoice):
        linebreak.install()
        self.choice = choice
        self.missing: dict[str, set[str]] = {}
        self.styles: dict[str, ParagraphStyle] = {}
        # The font drawing each character, by role: asked once per character, not per use.
        self._char_fonts: dict[str, dict[str, str | None]] = {}

    def font(self, role: str) -> str:
        """Return the reportlab font name of a role."""
        return self.choice.name(role)

    def style(
        self, name: str, role: str = "fangsong", size: float = 10.5, leading: float | None = None, **kw
    ) -> ParagraphStyle:
        """Create (or return) a named paragraph style with CJK wrapping."""
        if name not in self.styles:
            self.styles[name] = ParagraphStyle(
                name,
                fontName=self.font(role),
                fontSize=size,
                leading=leading or round(size * 1.35, 2),
                wordWrap="CJK",
                alignment=kw.pop("alignment", TA_LEFT),
                **kw,
            )
            self.styles[name].duban_role = role
        return self.styles[name]

    def text(self, value, role: str = "fangsong", context: str = "") -> str:
        """Return ``value`` as safe paragraph markup for a style of ``role``."""
        if value is None:
            return ""
        value = str(value).replace("\r\n", "\n").replace("\r", "\n")
        base = self.font(role)
        out: list[str] = []
        run: list[str] = []
        run_font = base
        char_fonts = self._char_fonts.setdefault(role, {})

        def flush():
            if not run:
                return
            chunk = escape("".join(run)).replace("\n", "<br/>")
            out.append(chunk if run_font == base else f'<font name="{run_font}">{chunk}</font>')
            run.clear()

        for ch in value:
            if ch in "\n ":
                font = run_font
            else:
                font = char_fonts.get(ch, _UNKNOWN)
                if font is _UNKNOWN:
                    font = char_fonts[ch] = self.choice.font_for_char(ch, role)
                if font is None:
                    self.missing.setdefault(ch, set()).add(context or value[:20])
                    font = base
            if font != run_font:
                flush()
                run_font = font
            run.append(ch)
        flush()
        return "".join(out)

    def para(self, value, style: ParagraphStyle | str, context: str = "") -> Paragraph:
        """Return a Paragraph of plain ledger text in a style."""
        st = self.styles[style] if isinstance(style, str) else style
        return WrapOnceParagraph(self.text(value, getattr(st, "duban_role", "fangsong"), context), st)

    def markup(self, markup: str, style: ParagraphStyle | str) -> Paragraph:
        """Return a Paragraph from markup the caller built with :meth:`text` pieces."""
        st = self.styles[style] if isinstance(style, str) else style
        return WrapOnceParagraph(markup, st)

    def width(self, value: str, style: str) -> float:
        """Return the printed width of one line of plain text in a style (fallback fonts included)."""
        st = self.styles[style]
        role = getattr(st, "duban_role", "fangsong")
        return sum(stringWidth(ch, self.choice.font_for_char(ch, role) or self.font(role), st.fontSize) for ch in value)

    def warnings(self) -> list[str]:
        """Return the font warnings plus one line per character no chosen font can draw."""
        out = list(self.choice.warnings)
        for ch, where in sorted(self.missing.items()):
            places = "、".join(sorted(where)[:3])
            out.append(
                f"字符“{ch}”（U+{ord(ch):04X}）在所用字体中都没有字形，打印会显示为方框：见“{places}”。"
                "请安装含该字的字体（如 simsun.ttc、SimSun-ExtB）并在设置中指定。"
            )
        return out


def heading(ts: Typesetter, text: str, style: str = "h1", lines: int = 3) -> list:
    """Return a heading that starts a new page rather than end one with fewer than ``lines`` lines below it.

    (reportlab's keepWithNext would move the whole next paragraph, leaving half a page empty.)
    """
    return [CondPageBreak(GB_LEADING * lines), ts.para(text, style)]


#: Tables longer than this are laid out a page at a time (see :class:`ChunkedTable`).
LONG_TABLE_ROWS = 60


def official_table(
    ts: Typesetter, header: list[str], rows: list[list], widths: list[float], *, center: set[int] = frozenset()
) -> Flowable:
    """Return a ruled table across the type area, header repeated on each page.

    A long table (a county's annex) is a :class:`ChunkedTable`, whose cells are made as the
    pages need them; the pages come out as with one table.

    Args:
        ts: the typesetter (cell styles from :func:`official_styles`).
        header: column titles; a newline breaks a title where it should break.
        rows: cell values (plain text).
        widths: relative column widths, scaled to the type area.
        center: indexes of the columns set centred.
    """
    head = [ts.para(h, "cell_h") for h in header]

    def body():
        for row in rows:
            yield [ts.para(v, "cell_c" if i in center else "cell", context=str(v)) for i, v in enumerate(row)]

    scale = GB_WIDTH / sum(widths)
    col_widths = [w * scale for w in widths]
    commands = [
        # A table sets its cells' font even when every cell is a Paragraph: keep it an embedded one.
        ("FONTNAME", (0, 0), (-1, -1), ts.font("fangsong")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if len(rows) > LONG_TABLE_ROWS:
        return ChunkedTable(head, body(), col_widths, commands)
    table = LongTable([head, *body()], colWidths=col_widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def signature(ts: Typesetter, org: str, day: date) -> list:
    """Return the 发文机关署名 and 成文日期 (GB/T 9704 7.3.5.1).

    The date stands four characters in from the right edge; the issuing office is centred
    over the date (a long name reaches further right, up to the edge).
    """
    size = GB_BODY_SIZE
    ts.style("sign", "fangsong", size, leading=GB_LEADING, alignment=TA_CENTER)
    when = chinese_date(day)
    org_width = ts.width(org, "sign")
    date_width = ts.width(when, "sign")
    column = max(org_width, date_width) + 1
    # Both lines are centred in one column whose centre is the date's centre.
    right_gap = max(0.0, 4 * size - (column - date_width) / 2)
    block = Table(
        [[ts.para(org, "sign")], [ts.para(when, "sign")]],
        colWidths=[column],
        rowHeights=[GB_LEADING, GB_LEADING],
        hAlign="RIGHT",
    )
    block.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), ts.font("fangsong")),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [KeepTogether([Spacer(1, GB_LEADING), _Indented(block, right_gap)])]


class _Indented(Flowable):
    """Draw a right-aligned flowable ``gap`` points in from the frame's right edge."""

    def __init__(self, inner: Flowable, gap: float):
        super().__init__()
        self.inner = inner
        self.gap = gap

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's signature
        """Return the inner size within the width less the gap."""
        w, self.height = self.inner.wrap(availWidth - self.gap, availHeight)
        self.width = availWidth
        self._inner_width = w
        return self.width, self.height

    def draw(self):
        """Draw the inner flowable against the right edge less the gap."""
        self.inner.drawOn(self.canv, self.width - self.gap - self._inner_width, 0)


def annex_heading(ts: Typesetter, title: str, label: str = "附件") -> list:
    """Return the page break, the 附件 label and the annex title."""
    return [PageBreak(), ts.para(label, "annex_label"), Spacer(1, GB_LEADING * 0.5), ts.para(title, "annex_title")]


def official_styles(ts: Typesetter) -> None:
    """Add the GB/T 9704 styles: title, body, the four heading levels, table text."""
    indent = 2 * GB_BODY_SIZE
    ts.style(
        "title",
        "xiaobiaosong",
        GB_TITLE_SIZE,
        leading=GB_LEADING * 1.25,
        alignment=TA_CENTER,
        spaceAfter=GB_LEADING * 0.75,
    )
    ts.style("body", "fangsong", GB_BODY_SIZE, leading=GB_LEADING, firstLineIndent=indent, alignment=TA_JUSTIFY)
    ts.style("body_flush", "fangsong", GB_BODY_SIZE, leading=GB_LEADING)
    # The second item of a 附件说明 stands under the first: after 两字缩进 and "附件：".
    ts.style("annex_more", "fangsong", GB_BODY_SIZE, leading=GB_LEADING, firstLineIndent=5 * GB_BODY_SIZE)
    ts.style("h1", "heiti", GB_BODY_SIZE, leading=GB_LEADING, firstLineIndent=indent)
    ts.style("h2", "kaiti", GB_BODY_SIZE, leading=GB_LEADING, firstLineIndent=indent)
    ts.style("h3", "fangsong", GB_BODY_SIZE, leading=GB_LEADING, firstLineIndent=indent)
    ts.style("annex_label", "heiti", GB_BODY_SIZE, leading=GB_LEADING)
    ts.style("annex_title", "xiaobiaosong", 18, leading=28, alignment=TA_CENTER, spaceAfter=8)
    ts.style("cell", "fangsong", 10.5, leading=14)
    ts.style("cell_c", "fangsong", 10.5, leading=14, alignment=TA_CENTER)
    ts.style("cell_h", "heiti", 10.5, leading=14, alignment=TA_CENTER)
    ts.style("caption", "heiti", 12, leading=18, alignment=TA_CENTER, spaceBefore=4, spaceAfter=4)
    ts.style("note", "fangsong", 10.5, leading=15)


class _PagedCanvas(rl_canvas.Canvas):
    """A canvas that holds pages back until the end, so footers can say 共 Y 页.

    A held page is kept as its drawing operators joined into one string: the canvas
    collects them as a list of short strings, which costs several times the text's size
    in Python objects — at 1,300 pages that list alone was over 100 MB. Each page is let
    go as soon as it is written.
    """

    def __init__(self, *args, furniture=None, pages_out=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._held: list[dict] = []
        self._furniture = furniture
        self._pages_out = pages_out

    def showPage(self):  # noqa: N802 - reportlab's name
        state = dict(self.__dict__)
        del state["_held"]
        state["_code"] = ["\n".join(self._code)]
        self._held.append(state)
        self._startPage()

    def save(self):
        total = len(self._held)
        if self._pages_out is not None:
            self._pages_out.append(total)
        held, self._held = self._held, []
        held.reverse()  # pop from the end: each page is freed once it is written
        while held:
            self.__dict__.update(held.pop())
            if self._furniture:
                self._furniture(self, self._pageNumber, total)
            super().showPage()
        super().save()


def _official_page_number(ts: Typesetter):
    def draw(canv, page: int, _total: int) -> None:
        text = f"— {page} —"
        canv.saveState()
        canv.setFont(ts.font("songti"), GB_PAGE_NUMBER_SIZE)
        # The top of the number sits 7 mm under the type area; the baseline one cap height lower.
        y = A4[1] - GB_TOP - GB_HEIGHT - GB_PAGE_NUMBER_GAP - GB_PAGE_NUMBER_SIZE * 0.8
        if page % 2:
            canv.drawRightString(GB_LEFT + GB_WIDTH - GB_PAGE_NUMBER_SIZE, y, text)
        else:
            canv.drawString(GB_LEFT + GB_PAGE_NUMBER_SIZE, y, text)
        canv.restoreState()

    return draw


class _Doc(BaseDocTemplate):
    """A doc template that reports page progress and lets the callback cancel."""

    def __init__(self, *args, progress: Progress | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._progress = progress

    def afterPage(self):  # noqa: N802 - reportlab's hook
        if self._progress:
            self._progress(2, 3, f"已排版 {self.page} 页")


def official_template(path: Path, title: str, author: str, progress: Progress | None = None) -> _Doc:
    """Return a GB/T 9704 doc template writing to ``path``."""
    doc = _Doc(
        str(path),
        pagesize=A4,
        leftMargin=GB_LEFT,
        rightMargin=A4[0] - GB_LEFT - GB_WIDTH,
        topMargin=GB_TOP,
        bottomMargin=A4[1] - GB_TOP - GB_HEIGHT,
        title=title,
        author=author,
        creator="duban",
        progress=progress,
    )
    frame = Frame(
        GB_LEFT,
        A4[1] - GB_TOP - GB_HEIGHT,
        GB_WIDTH,
        GB_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="type_area",
    )
    doc.addPageTemplates([PageTemplate("official", [frame])])
    return doc


def landscape_template(
    path: Path, title: str, author: str, footer_left: str, ts: Typesetter, progress: Progress | None = None
) -> tuple[_Doc, Callable]:
    """Return an A4 landscape doc template and its page-furniture drawer."""
    size = landscape(A4)
    doc = _Doc(
        str(path),
        pagesize=size,
        leftMargin=LANDSCAPE_MARGIN,
        rightMargin=LANDSCAPE_MARGIN,
        topMargin=LANDSCAPE_MARGIN,
        bottomMargin=LANDSCAPE_MARGIN + LANDSCAPE_FOOTER,
        title=title,
        author=author,
        creator="duban",
        progress=progress,
    )
    frame = Frame(
        LANDSCAPE_MARGIN,
        LANDSCAPE_MARGIN + LANDSCAPE_FOOTER,
        size[0] - 2 * LANDSCAPE_MARGIN,
        size[1] - 2 * LANDSCAPE_MARGIN - LANDSCAPE_FOOTER,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="table_area",
    )
    doc.addPageTemplates([PageTemplate("landscape", [frame])])

    def furniture(canv, page: int, total: int) -> None:
        canv.saveState()
        canv.setFont(ts.font("songti"), 9)
        y = LANDSCAPE_MARGIN + 1 * MM
        canv.setStrokeColor(colors.Color(0.5, 0.5, 0.5))
        canv.setLineWidth(0.4)
        canv.line(LANDSCAPE_MARGIN, y + 11, size[0] - LANDSCAPE_MARGIN, y + 11)
        canv.drawString(LANDSCAPE_MARGIN, y, footer_left)
        canv.drawRightString(size[0] - LANDSCAPE_MARGIN, y, f"第 {page} 页 共 {total} 页")
        canv.restoreState()

    return doc, furniture


def build_pdf(doc: _Doc, story: list, furniture: Callable | None, out_path: Path, font: str | None = None) -> int:
    """Lay out ``story`` into a temporary file beside ``out_path``, then move it in place.

    A cancelled or failed build leaves any existing file at ``out_path`` untouched. ``font``
    becomes the canvas's initial font, so that no page refers to a non-embedded Helvetica.

    Returns:
        The number of pages.
    """
    pages: list[int] = []
    with replaced_atomically(out_path, opened_in="PDF 阅读器") as tmp:
        doc.filename = str(tmp)
        if font:
            doc.initialFontName = font
        doc.build(story, canvasmaker=lambda *a, **k: _PagedCanvas(*a, furniture=furniture, pages_out=pages, **k))
    return pages[0] if pages else 0


class ChunkedTable(Flowable):
    """A long table with a header row repeated on every page, laid out a page at a time.

    reportlab splits a LongTable by building a new table of every remaining row, with
    every remaining style command, on each page — work that grows with the table, so a
    191-page table spends most of its time there. This keeps the rows outside and hands
    reportlab a LongTable of the next ``chunk`` rows only (more than a page can hold);
    what does not fit goes back in front of the rows not yet handed over. Page breaks,
    split rows and drawing are reportlab's own, so the pages come out as with one table.

    The rows may come from an iterator: they are then made only when a page needs them,
    so a city's 1,300-page table never holds more than a few pages of paragraphs.

    Args:
        header: the header row, repeated on every page.
        rows: the body rows, a list or an iterable read as the pages need them.
        col_widths: column widths in points.
        commands: style commands for the whole table (coordinates that do not depend on
            the row count, e.g. ``(0, 0), (-1, -1)``).
        row_commands: ``row_commands(r)`` returns the commands of body row ``r`` (an index
            into ``rows``), written for table row ``1``; they are moved to where the row lands.
        continued: ``continued(r, cells)`` returns the cells of the part of body row ``r``
            that a page break carried over to the next page (reportlab leaves the cells
            that fitted empty there), e.g. to repeat the row's number and title.
        table_kw: further LongTable arguments (``splitByRow``, ``splitInRow``, ``hAlign`` …).
        chunk: rows handed to reportlab at first; doubled while they fit in the frame, so a
            page always ends inside the rows handed over (reportlab then measures every
            row it holds, each time it wraps or splits).
    """

    def __init__(
        self,
        header,
        rows,
        col_widths,
        commands,
        row_commands=None,
        chunk: int = 32,
        continued: Callable[[int, list], list] | None = None,
        **table_kw,
    ):
        super().__init__()
        self.header = header
        if isinstance(rows, list):
            self.rows, self._source = rows, iter(())
        else:
            self.rows, self._source = [], iter(rows)
        self.col_widths = col_widths
        self.commands = commands
        self.row_commands = row_commands or (lambda _r: [])
        self.continued = continued
        self.chunk = chunk
        self.table_kw = table_kw
        self.hAlign = table_kw.get("hAlign", "CENTER")
        self._offset = 0  # index into the original rows of self.rows[0]
        self._exhausted = False
        self._table: LongTable | None = None
        self._size = 0
        self._wrapped_for: tuple | None = None

    def _fill(self, size: int) -> int:
        """Read rows from the source until ``size`` are at hand; return how many are."""
        while len(self.rows) < size and not self._exhausted:
            try:
                self.rows.append(next(self._source))
            except StopIteration:
                self._exhausted = True
        return min(size, len(self.rows))

    def _all_in(self, size: int) -> bool:
        """Whether the first ``size`` rows are all the rows there are."""
        return self._fill(size + 1) <= size

    def _restyled(self, command, at: int):
        """Return a row command written for table row 1 moved to table row ``at``."""
        name, (c0, r0), (c1, r1), *rest = command
        return (name, (c0, r0 - 1 + at), (c1, r1 - 1 + at), *rest)

    def _build(self, size: int) -> LongTable:
        if self._table is None or self._size != size:
            body = self.rows[:size]
            commands = list(self.commands)
            for i in range(len(body)):
                commands += [self._restyled(c, i + 1) for c in self.row_commands(self._offset + i)]
            table = LongTable([self.header, *body], colWidths=self.col_widths, repeatRows=1, **self.table_kw)
            table.setStyle(commands)
            self._table, self._size = table, size
        return self._table

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's signature
        """Measure the next chunk of rows (reportlab stops measuring below the frame)."""
        if self._wrapped_for == (availWidth, availHeight):
            return self.width, self.height
        size = self._fill(self.chunk)
        while True:
            self.width, self.height = self._build(size).wrap(availWidth, availHeight)
            if self.height > availHeight or self._all_in(size):
                self._wrapped_for = (availWidth, availHeight)
                return self.width, self.height
            size = self._fill(2 * size)  # a very tall frame: hand over more rows

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab's signature
        """Return what fits here and a ChunkedTable of the rest (header repeated)."""
        self.wrap(availWidth, availHeight)
        parts = self._table.split(availWidth, availHeight)
        if len(parts) != 2:
            return parts
        first, rest = parts
        left = list(rest._cellvalues[1:])  # without the repeated header
        on_this_page = len(first._cellvalues) - 1
        # A row split inside itself is on both pages: its first part here, the rest in ``left``.
        placed = self._size - len(left)
        if on_this_page > placed and left and self.continued:
            left[0] = self.continued(self._offset + placed, list(left[0]))
        tail = ChunkedTable(
            self.header,
            left + self.rows[self._size :],
            self.col_widths,
            self.commands,
            self.row_commands,
            self.chunk,
            self.continued,
            **self.table_kw,
        )
        tail._source, tail._exhausted = self._source, self._exhausted
        tail._offset = self._offset + placed
        return [first, tail]

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802,N803 - reportlab's signature
        """Draw the table that :meth:`wrap` measured."""
        return self._table.drawOn(canvas, x, y, _sW)


def build_official(
    story: list, out_path: Path, title: str, org: str, ts: Typesetter, progress: Progress | None = None
) -> int:
    """Lay out an official document (GB/T 9704 pages and page numbers) and return its page count."""
    doc = official_template(Path(out_path), title, org, progress)
    return build_pdf(doc, story, official_page_furniture(ts), Path(out_path), ts.font("songti"))


def official_page_furniture(ts: Typesetter) -> Callable:
    """Return the GB/T 9704 page-number drawer."""
    return _official_page_number(ts)


def typesetter_for(db) -> Typesetter:
    """Return a typesetter with the ledger's font settings applied."""
    return Typesetter(fonts_for_ledger(db))


__all__ = [
    "LIGHT_COLORS",
    "STATUS_COLORS",
    "ChunkedTable",
    "Typesetter",
    "WrapOnceParagraph",
    "annex_heading",
    "build_official",
    "build_pdf",
    "heading",
    "landscape_template",
    "official_page_furniture",
    "official_styles",
    "official_table",
    "official_template",
    "signature",
    "typesetter_for",
]
