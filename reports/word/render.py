"""The Word renderer: a report's :class:`~reports.content.model.Document` as an editable .docx.

An office rewrites a 通报 before it issues it, so the .docx is built to be edited: every
paragraph carries a named style (公文正文, 公文标题, 一级标题 …) that the office can restyle
once, tables are real Word tables whose header row repeats, page numbers are PAGE fields.

``official`` documents follow GB/T 9704-2012 as the PDF does (:mod:`reports.content.layout`):
A4, margins 37/35/28/26 mm, a document grid of 22 lines × 28 characters, body 3号仿宋_GB2312,
title 2号方正小标宋简体, 一、黑体, （一）楷体_GB2312, 1. 仿宋 bold, "— 1 —" in 4号宋体 on the
right of odd and the left of even pages, the red 版头 and rule, the 版记 between rules.
``landscape`` documents (the progress table) get A4 landscape and "第 X 页 共 Y 页".

Tables and runs are written as WordprocessingML directly (python-docx's cell API walks the
whole table for every cell, which a county's annex cannot afford).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor

from db.jobs import Progress
from reports.content import model
from reports.content.layout import (
    A4_HEIGHT,
    A4_WIDTH,
    GB_CHARS_PER_LINE,
    GB_HEIGHT,
    GB_LEADING,
    GB_LEFT,
    GB_PAGE_NUMBER_GAP,
    GB_PAGE_NUMBER_SIZE,
    GB_TOP,
    GB_WIDTH,
    LANDSCAPE_FOOTER,
    LANDSCAPE_MARGIN,
    LIGHT_RGB,
    LIGHT_SYMBOLS,
    LIGHT_WORDS,
    MASTHEAD_RGB,
)
from reports.content.model import Document, ReportResult, step
from reports.content.wording import chinese_date, pct_exact
from reports.files import replaced_atomically

#: The typeface Word is asked for, per role, and the one it should take when that is missing
#: (written to the font table as its alternative name).
FONT_NAMES = {
    "fangsong": ("仿宋_GB2312", "仿宋"),
    "heiti": ("黑体", "SimHei"),
    "kaiti": ("楷体_GB2312", "楷体"),
    "songti": ("宋体", "SimSun"),
    "xiaobiaosong": ("方正小标宋简体", "宋体"),
}

BODY = 16  # 3号
#: Line pitch of the GB/T 9704 grid in twentieths of a point (225 mm / 22 lines).
LINE_TWIPS = int(GB_LEADING * 20)
#: Character spacing of 3号 text in twentieths of a point, so that 28 characters fill 156 mm
#: (16 pt each would need 448 pt of the 442 pt line).
CONDENSE = -round((BODY - GB_WIDTH / GB_CHARS_PER_LINE) * 20 + 0.5)

# (style id, name, role, size, bold, alignment, first-line indent in characters, exact leading)
_J, _C, _L, _R = "both", "center", "left", "right"
_STYLES = (
    ("GongwenBody", "公文正文", "fangsong", BODY, False, _J, 2, GB_LEADING),
    ("GongwenFlush", "公文正文（顶格）", "fangsong", BODY, False, _J, 0, GB_LEADING),
    ("GongwenAddressee", "主送机关", "fangsong", BODY, False, _L, 0, GB_LEADING),
    ("GongwenAnnexMore", "附件说明续行", "fangsong", BODY, False, _L, 5, GB_LEADING),
    ("GongwenWarning", "提示", "heiti", BODY, False, _L, 0, GB_LEADING),
    ("GongwenTitle", "公文标题", "xiaobiaosong", 22, False, _C, 0, GB_LEADING * 1.25),
    ("GongwenSubtitle", "副标题", "kaiti", BODY, False, _C, 0, GB_LEADING),
    ("GongwenHeading1", "一级标题", "heiti", BODY, False, _J, 2, GB_LEADING),
    ("GongwenHeading2", "二级标题", "kaiti", BODY, False, _J, 2, GB_LEADING),
    ("GongwenHeading3", "三级标题", "fangsong", BODY, True, _J, 2, GB_LEADING),
    ("GongwenMasthead", "发文机关标志", "xiaobiaosong", 34, False, _C, 0, 44),
    ("GongwenIssueNo", "期号", "fangsong", BODY, False, _C, 0, GB_LEADING),
    ("GongwenDocNumber", "发文字号", "fangsong", BODY, False, _C, 0, GB_LEADING),
    ("GongwenHeaderLine", "版头署名", "fangsong", BODY, False, _L, 0, GB_LEADING),
    ("GongwenSignOrg", "发文机关署名", "fangsong", BODY, False, _R, 0, GB_LEADING),
    ("GongwenSignDate", "成文日期", "fangsong", BODY, False, _R, 0, GB_LEADING),
    ("GongwenCc", "抄送机关", "fangsong", 14, False, _L, 0, GB_LEADING * 0.9),
    ("GongwenPrinter", "印发机关和印发日期", "fangsong", 14, False, _L, 0, GB_LEADING * 0.9),
    ("GongwenAnnexLabel", "附件标识", "heiti", BODY, False, _L, 0, GB_LEADING),
    ("GongwenAnnexTitle", "附件标题", "xiaobiaosong", 18, False, _C, 0, 28),
    ("GongwenCell", "表格文字", "fangsong", 10.5, False, _L, 0, 14),
    ("GongwenCellCenter", "表格文字居中", "fangsong", 10.5, False, _C, 0, 14),
    ("GongwenCellHead", "表头", "heiti", 10.5, False, _C, 0, 14),
    ("GongwenChart", "图", "fangsong", 10.5, False, _C, 0, None),
    ("GongwenPageNumber", "页码", "songti", 14, False, _R, 0, None),
    ("GongwenNote", "说明文字", "fangsong", 10.5, False, _L, 0, 15),
    ("WideTitle", "表格标题", "xiaobiaosong", 20, False, _C, 0, 28),
    ("WideSubtitle", "表格副标题", "kaiti", 12, False, _C, 0, 18),
    ("WideCell", "进展表文字", "fangsong", 9.5, False, _L, 0, 12.5),
    ("WideCellCenter", "进展表文字居中", "fangsong", 9.5, False, _C, 0, 12.5),
    ("WideHead", "进展表表头", "heiti", 10, False, _C, 0, 13),
    ("WideCategory", "进展表类别", "heiti", 10.5, False, _L, 0, 14),
    ("WideFooter", "页脚", "songti", 9, False, _L, 0, None),
)
_PARA_STYLES = {
    "body": "GongwenBody",
    "flush": "GongwenFlush",
    "addressee": "GongwenAddressee",
    "warning": "GongwenWarning",
    "annex_more": "GongwenAnnexMore",
    "summary": "GongwenNote",
    "note": "GongwenNote",
}
_HEADING_STYLES = {1: "GongwenHeading1", 2: "GongwenHeading2", 3: "GongwenHeading3"}
_CHAR_STYLE = "GongwenRunIn"

_W = nsdecls("w")

#: Schema order of the paragraph and run properties duban sets (Word refuses a file whose
#: properties are out of order; LibreOffice is lenient, so only Word would show it).
_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
_RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
).split()


def _put(parent, xml: str, order: list[str]) -> None:
    """Insert a property element into ``parent`` at its place in the schema order."""
    child = parse_xml(xml)
    name = child.tag.split("}")[1]
    later = {qn(f"w:{tag}") for tag in order[order.index(name) + 1 :]}
    for i, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(i, child)
            return
    parent.append(child)


def _clean(text) -> str:
    """Return text safe inside WordprocessingML (escaped, no control characters)."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 0x20)
    return escape(text)


def _runs(text, rpr: str = "") -> str:
    """Return ``<w:r>`` elements for plain text, line breaks as ``<w:br/>``."""
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    pieces = []
    for i, line in enumerate(_clean(text).split("\n")):
        if i:
            pieces.append(f"<w:r>{props}<w:br/></w:r>")
        if line:
            pieces.append(f'<w:r>{props}<w:t xml:space="preserve">{line}</w:t></w:r>')
    return "".join(pieces)


def _para_xml(style: str, runs: str, ppr: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{runs}</w:p>'


def _twips(points: float) -> int:
    return round(points * 20)


class _Writer:
    """Appends content blocks to a python-docx document."""

    def __init__(self, doc: Document, chart_fonts):
        self.content = doc
        self.docx = new_docx()
        self.body = self.docx.element.body
        self._chart_fonts = chart_fonts
        self._styles()

    # ----- document set-up -------------------------------------------------------------
    def _font_xml(self, role: str) -> str:
        name = FONT_NAMES[role][0]
        return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'

    def _styles(self) -> None:
        styles = self.docx.styles
        normal = styles["Normal"]
        normal.font.size = Pt(BODY)
        normal.element.get_or_add_rPr().insert(0, parse_xml(f"<w:rFonts {_W} " + self._font_xml("fangsong")[9:]))
        # No extra space between Chinese and digits or Latin: the PDF sets none, and 公文 does not either.
        normal_ppr = normal.element.get_or_add_pPr()
        _put(normal_ppr, f'<w:autoSpaceDE {_W} w:val="0"/>', _PPR_ORDER)
        _put(normal_ppr, f'<w:autoSpaceDN {_W} w:val="0"/>', _PPR_ORDER)
        for style_id, name, role, size, bold, align, indent, leading in _STYLES:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.element.set(qn("w:styleId"), style_id)
            style.base_style = normal
            style.quick_style = True
            style.font.size = Pt(size)
            style.font.bold = bold
            rpr = style.element.get_or_add_rPr()
            rpr.insert(0, parse_xml(f"<w:rFonts {_W} " + self._font_xml(role)[9:]))
            if size == BODY:
                _put(rpr, f'<w:spacing {_W} w:val="{CONDENSE}"/>', _RPR_ORDER)
            fmt = style.paragraph_format
            fmt.space_before = Pt(0)
            fmt.space_after = Pt(0)
            fmt.alignment = {
                _J: WD_ALIGN_PARAGRAPH.JUSTIFY,
                _C: WD_ALIGN_PARAGRAPH.CENTER,
                _L: WD_ALIGN_PARAGRAPH.LEFT,
                _R: WD_ALIGN_PARAGRAPH.RIGHT,
            }[align]
            if indent:
                fmt.first_line_indent = Pt(indent * size)
            if leading:
                fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                fmt.line_spacing = Pt(leading)
            if leading != GB_LEADING:
                # Only the 3号 text sits on the 22-line grid; tables, charts and the title keep their own leading.
                _put(style.element.get_or_add_pPr(), f'<w:snapToGrid {_W} w:val="0"/>', _PPR_ORDER)
            if style_id.startswith("GongwenHeading") or style_id in ("GongwenTitle", "GongwenAnnexLabel"):
                fmt.keep_with_next = True
        run_in = styles.add_style("段首标题", WD_STYLE_TYPE.CHARACTER)
        run_in.element.set(qn("w:styleId"), _CHAR_STYLE)
        run_in.element.get_or_add_rPr().insert(0, parse_xml(f"<w:rFonts {_W} " + self._font_xml("kaiti")[9:]))
        masthead = styles["发文机关标志"]
        masthead.font.color.rgb = RGBColor(*(round(c * 255) for c in MASTHEAD_RGB))
        self._font_table()

    def _font_table(self) -> None:
        """Name each Chinese typeface's stand-in (w:altName) in the font table."""
        part = self.docx.part
        for rel in part.rels.values():
            if rel.reltype.endswith("/fontTable"):
                table = parse_xml(rel.target_part.blob)
                for name, alternative in FONT_NAMES.values():
                    table.append(
                        parse_xml(
                            f'<w:font {_W} w:name="{name}"><w:altName w:val="{alternative}"/>'
                            '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
                        )
                    )
                from lxml import etree

                rel.target_part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)

    def official_pages(self) -> None:
        """A4 portrait with GB/T 9704 margins, the 22 × 28 grid, page numbers odd right / even left."""
        section = self.docx.sections[0]
        section.page_width, section.page_height = Pt(A4_WIDTH), Pt(A4_HEIGHT)
        section.top_margin = Pt(GB_TOP)
        section.left_margin = Pt(GB_LEFT)
        section.right_margin = Pt(A4_WIDTH - GB_LEFT - GB_WIDTH)
        section.bottom_margin = Pt(A4_HEIGHT - GB_TOP - GB_HEIGHT)
        section.header_distance = Pt(15 * 72 / 25.4)
        # The number's line (14 pt, exactly one line high) starts 7 mm under the type area.
        section.footer_distance = Pt(A4_HEIGHT - GB_TOP - GB_HEIGHT - GB_PAGE_NUMBER_GAP - GB_PAGE_NUMBER_SIZE * 1.2)
        sect_pr = section._sectPr
        for old in sect_pr.findall(qn("w:docGrid")):
            sect_pr.remove(old)
        # 22 lines of the grid's pitch. The 28 characters come from the body styles' spacing
        # (CONDENSE), not from a character grid: LibreOffice and WPS put a 16 pt character
        # into two cells of a 15.8 pt character grid, which halves the line.
        grid = parse_xml(f'<w:docGrid {_W} w:type="lines" w:linePitch="{LINE_TWIPS}" w:charSpace="0"/>')
        sect_pr.insert_element_before(grid, "w:printerSettings", "w:sectPrChange")
        self.docx.settings.odd_and_even_pages_header_footer = True
        self._page_number(section.footer, odd=True)
        self._page_number(section.even_page_footer, odd=False)

    def _field(self, instruction: str, shown: str, rpr: str = "") -> str:
        props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
        return (
            f'<w:r>{props}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{props}<w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            f'<w:r>{props}<w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r>{props}<w:t>{shown}</w:t></w:r>"
            f'<w:r>{props}<w:fldChar w:fldCharType="end"/></w:r>'
        )

    def _page_number(self, footer, *, odd: bool) -> None:
        footer.is_linked_to_previous = False
        element = footer._element
        for p in element.findall(qn("w:p")):
            element.remove(p)
        one_char = _twips(GB_PAGE_NUMBER_SIZE)
        side = (
            f'<w:ind w:right="{one_char}"/><w:jc w:val="right"/>'
            if odd
            else f'<w:ind w:left="{one_char}"/><w:jc w:val="left"/>'
        )
        runs = _runs("— ") + self._field("PAGE", "1") + _runs(" —")
        element.append(parse_xml(f'<w:p {_W}><w:pPr><w:pStyle w:val="GongwenPageNumber"/>{side}</w:pPr>{runs}</w:p>'))

    def landscape_pages(self) -> None:
        """A4 landscape for the wide table, "第 X 页 共 Y 页" and the footer line."""
        section = self.docx.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Pt(A4_HEIGHT), Pt(A4_WIDTH)
        section.top_margin = section.left_margin = section.right_margin = Pt(LANDSCAPE_MARGIN)
        section.bottom_margin = Pt(LANDSCAPE_MARGIN + LANDSCAPE_FOOTER)
        section.footer_distance = Pt(LANDSCAPE_MARGIN)
        element = section.footer._element
        for p in element.findall(qn("w:p")):
            element.remove(p)
        width = _twips(A4_HEIGHT - 2 * LANDSCAPE_MARGIN)
        runs = (
            _runs(self.content.footer + "\t第 ")
            + self._field("PAGE", "1")
            + _runs(" 页 共 ")
            + self._field("NUMPAGES", "1")
            + _runs(" 页")
        )
        ppr = (
            '<w:pBdr><w:top w:val="single" w:sz="3" w:space="1" w:color="808080"/></w:pBdr>'
            f'<w:tabs><w:tab w:val="right" w:pos="{width}"/></w:tabs>'
        )
        element.append(parse_xml(f'<w:p {_W}><w:pPr><w:pStyle w:val="WideFooter"/>{ppr}</w:pPr>{runs}</w:p>'))

    # ----- blocks ----------------------------------------------------------------------
    def append_xml(self, xml: str) -> None:
        self.body.insert(
            len(self.body) - 1, parse_xml(xml.replace("<w:p>", f"<w:p {_W}>", 1) if xml.startswith("<w:p>") else xml)
        )

    def paragraph(self, style: str, text, ppr: str = "", rpr: str = "") -> None:
        self.append_xml(_para_xml(style, _runs(text, rpr), ppr))

    def block(self, block, keep: bool = False) -> None:  # noqa: PLR0912 - one case per block type
        keep_ppr = "<w:keepNext/><w:keepLines/>" if keep else ""
        wide = self.content.layout == "landscape"
        if isinstance(block, model.Masthead):
            self.masthead(block)
        elif isinstance(block, model.Title):
            title = "\n".join(block.lines) or block.text
            self.paragraph("WideTitle" if wide else "GongwenTitle", title, keep_ppr + self._after(0.75))
        elif isinstance(block, model.Subtitle):
            self.paragraph("WideSubtitle" if wide else "GongwenSubtitle", block.text, keep_ppr + self._after(0.5))
        elif isinstance(block, model.Heading):
            self.paragraph(_HEADING_STYLES[block.level], block.text, keep_ppr)
        elif isinstance(block, model.Para):
            style = _PARA_STYLES[block.style]
            runs = _runs(block.text)
            if block.lead:
                runs = _runs(block.lead, f'<w:rStyle w:val="{_CHAR_STYLE}"/>') + runs
            self.append_xml(_para_xml(style, runs, keep_ppr))
        elif isinstance(block, model.Table):
            self.table(block)
        elif isinstance(block, model.EmptyTable):
            self.table(model.Table([], [[block.text]], [1], frozenset({0})))
        elif isinstance(block, model.Chart):
            self.chart(block)
        elif isinstance(block, model.Space):
            self.append_xml(
                f'<w:p><w:pPr><w:pStyle w:val="GongwenFlush"/>{keep_ppr}'
                f'<w:spacing w:line="{max(20, _twips(block.points))}" w:lineRule="exact"/></w:pPr></w:p>'
            )
        elif isinstance(block, model.KeepTogether):
            for i, inner in enumerate(block.blocks):
                self.block(inner, keep=i < len(block.blocks) - 1)
        elif isinstance(block, model.Signature):
            self.signature(block)
        elif isinstance(block, model.Colophon):
            self.colophon(block)
        elif isinstance(block, model.Annex):
            self.paragraph("GongwenAnnexLabel", block.label, "<w:pageBreakBefore/>")
            self.paragraph("GongwenAnnexTitle", block.title, self._after(0.5, before=0.5))
        elif isinstance(block, model.PageBreak):
            self.append_xml('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
        elif isinstance(block, model.ProgressTable):
            self.progress_table(block)
        else:
            raise TypeError(f"unknown content block {block!r}")

    @staticmethod
    def _after(lines: float, before: float = 0) -> str:
        return f'<w:spacing w:before="{_twips(GB_LEADING * before)}" w:after="{_twips(GB_LEADING * lines)}"/>'

    def masthead(self, block: model.Masthead) -> None:
        red = "".join(f"{round(c * 255):02X}" for c in MASTHEAD_RGB)
        self.paragraph("GongwenMasthead", block.name, self._after(0.5, before=0.5))
        if block.issue_no:
            self.paragraph("GongwenIssueNo", f"第{block.issue_no}期")
        if block.doc_number or block.signer:
            if block.signer:
                tab = f'<w:tabs><w:tab w:val="right" w:pos="{_twips(GB_WIDTH - BODY)}"/></w:tabs>'
                ind = f'<w:ind w:left="{_twips(BODY)}"/><w:jc w:val="left"/>'
                self.paragraph("GongwenDocNumber", f"{block.doc_number}\t签发人：{block.signer}", tab + ind)
            else:
                self.paragraph("GongwenDocNumber", block.doc_number)
        # 发文机关 on the left, the date on the right, the red rule under both.
        ppr = (
            f'<w:pBdr><w:bottom w:val="single" w:sz="10" w:space="4" w:color="{red}"/></w:pBdr>'
            f'<w:tabs><w:tab w:val="right" w:pos="{_twips(GB_WIDTH - BODY)}"/></w:tabs>'
            f'<w:spacing w:after="{_twips(GB_LEADING)}"/><w:ind w:left="{_twips(BODY)}"/>'
        )
        self.paragraph("GongwenHeaderLine", f"{block.org}\t{chinese_date(block.issued)}", ppr)

    @staticmethod
    def _width(text: str) -> float:
        """Return the printed width of one line in 3号, CJK full width, digits and Latin half."""
        return sum(BODY / 2 if ord(ch) < 0x2E80 else BODY for ch in text)

    def signature(self, block: model.Signature) -> None:
        """发文机关署名 centred over 成文日期, the date four characters in from the right edge."""
        when = chinese_date(block.day)
        org_width, date_width = self._width(block.org), self._width(when)
        date_right = 4 * BODY
        org_right = max(0.0, date_right + (date_width - org_width) / 2)
        self.append_xml('<w:p><w:pPr><w:pStyle w:val="GongwenFlush"/><w:keepNext/></w:pPr></w:p>')
        self.paragraph("GongwenSignOrg", block.org, f'<w:keepNext/><w:ind w:right="{_twips(org_right)}"/>')
        self.paragraph("GongwenSignDate", when, f'<w:ind w:right="{_twips(date_right)}"/>')

    def colophon(self, block: model.Colophon) -> None:
        """版记: 抄送 and 印发 between a thick first rule, a thin middle one and a thick last one."""
        thick, thin = 'w:sz="8" w:space="2" w:color="000000"', 'w:sz="4" w:space="2" w:color="000000"'
        ind = f'<w:ind w:left="{_twips(14)}" w:right="{_twips(14)}"/>'
        self.append_xml('<w:p><w:pPr><w:pStyle w:val="GongwenFlush"/><w:keepNext/></w:pPr></w:p>')
        if block.cc:
            self.paragraph(
                "GongwenCc",
                f"抄送：{block.cc}。",
                f'<w:keepNext/><w:pBdr><w:top w:val="single" {thick}/><w:bottom w:val="single" {thin}/></w:pBdr>{ind}',
            )
            top = ""
        else:
            top = f'<w:top w:val="single" {thick}/>'
        tab = f'<w:tabs><w:tab w:val="right" w:pos="{_twips(GB_WIDTH - 14)}"/></w:tabs>'
        self.paragraph(
            "GongwenPrinter",
            f"{block.printer}\t{chinese_date(block.printed)}印发",
            f'<w:pBdr>{top}<w:bottom w:val="single" {thick}/></w:pBdr>{tab}{ind}',
        )

    def table(self, block: model.Table) -> None:
        """A ruled table across the type area, the header row repeated on every page."""
        scale = GB_WIDTH / sum(block.widths)
        widths = [_twips(w * scale) for w in block.widths]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        rows = []
        if block.header:
            cells = "".join(
                f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="E6E6E6"/>'
                f'<w:vAlign w:val="center"/></w:tcPr>{_para_xml("GongwenCellHead", _runs(h))}</w:tc>'
                for h, w in zip(block.header, widths, strict=True)
            )
            rows.append(f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{cells}</w:tr>")
        for row in block.rows:
            cells = "".join(
                f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                f"{_para_xml('GongwenCellCenter' if i in block.center else 'GongwenCell', _runs(value))}</w:tc>"
                for i, (value, w) in enumerate(zip(row, widths, strict=True))
            )
            rows.append(f"<w:tr>{cells}</w:tr>")
        self.append_xml(self._table_xml(sum(widths), grid, "".join(rows)))

    @staticmethod
    def _table_xml(width: int, grid: str, rows: str) -> str:
        border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
        return (
            f'<w:tbl {_W}><w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:jc w:val="center"/>'
            f"<w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/>"
            f"<w:insideH {border}/><w:insideV {border}/></w:tblBorders>"
            '<w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"
        )

    def chart(self, block: model.Chart) -> None:
        """The chart as a picture at print resolution (drawn as the PDF draws it)."""
        from reports.pdf.charts import lights_by_unit_chart, status_by_category_chart
        from reports.word.raster import drawing_png

        font, files = self._chart_fonts()
        if block.kind == "status_by_category":
            drawings = [
                status_by_category_chart(font, GB_WIDTH, block.categories, block.series, block.counts, block.title)
            ]
        else:
            drawings = lights_by_unit_chart(font, GB_WIDTH, block.categories, block.series, block.counts, block.title)
        for drawing in drawings:
            paragraph = self.docx.add_paragraph(style=self.docx.styles["图"])
            paragraph.add_run().add_picture(BytesIO(drawing_png(drawing, files)), width=Pt(drawing.width))

    # ----- the progress table ----------------------------------------------------------
    def progress_table(self, table: model.ProgressTable) -> None:
        widths = [_twips(w) for _name, w in table.columns]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        head = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="E0E0E0"/>'
            f'<w:vAlign w:val="center"/></w:tcPr>{_para_xml("WideHead", _runs(name))}</w:tc>'
            for (name, _w), w in zip(table.columns, widths, strict=True)
        )
        rows = [f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{head}</w:tr>"]
        for row in table.rows:
            if isinstance(row, model.CategoryRow):
                rows.append(
                    f'<w:tr><w:tc><w:tcPr><w:tcW w:w="{sum(widths)}" w:type="dxa"/><w:gridSpan w:val="{len(widths)}"/>'
                    f'<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr>'
                    f"{_para_xml('WideCategory', _runs(row.name))}</w:tc></w:tr>"
                )
                continue
            cells = [
                _para_xml("WideCellCenter", _runs(row.number)),
                _para_xml("WideCell", _runs(row.title)),
                _para_xml("WideCellCenter", _runs(row.lead_unit or "（无牵头单位）")),
                self._light_cell(row.light),
                _para_xml("WideCellCenter", _runs("\n".join(self._status_lines(row)))),
                "".join(self._entry(e) for e in row.entries) or _para_xml("WideCell", ""),
                "".join(self._problems(row)) or _para_xml("WideCell", _runs("无")),
            ]
            rows.append(
                "<w:tr>"
                + "".join(
                    f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{cell}</w:tc>'
                    for cell, w in zip(cells, widths, strict=True)
                )
                + "</w:tr>"
            )
        self.append_xml(self._table_xml(sum(widths), grid, "".join(rows)))

    @staticmethod
    def _status_lines(row: model.KeyWorkRow) -> list[str]:
        lines = [row.status]
        if row.percent is not None:
            lines.append(f"完成 {pct_exact(row.percent)}")
        if row.expected is not None:
            lines.append(f"序时 {pct_exact(row.expected)}")
        return lines

    @staticmethod
    def _light_cell(light: str) -> str:
        color = "".join(f"{round(c * 255):02X}" for c in LIGHT_RGB[light])
        symbol = _runs(LIGHT_SYMBOLS[light], f'<w:color w:val="{color}"/>')
        return _para_xml("WideCellCenter", symbol + "<w:r><w:br/></w:r>" + _runs(LIGHT_WORDS[light]))

    @staticmethod
    def _entry(entry: model.UnitEntry) -> str:
        space = '<w:spacing w:after="40"/>'
        if entry.text is None:
            return _para_xml(
                "WideCell", _runs(entry.unit, "<w:b/>") + _runs(f"{entry.role}：") + _runs("未报送", "<w:i/>"), space
            )
        figure = "" if entry.percent is None else f" {pct_exact(entry.percent)}"
        return _para_xml("WideCell", _runs(f"【{entry.unit}{entry.role}{figure}】{entry.text}"), space)

    @staticmethod
    def _problems(row: model.KeyWorkRow) -> list[str]:
        out = [
            _para_xml("WideCell", _runs(f"【{unit}】{text}"), '<w:spacing w:after="40"/>')
            for unit, text in row.problems
        ]
        if row.overdue:
            out.append(_para_xml("WideCell", _runs("逾期节点：", "<w:b/>") + _runs("、".join(row.overdue))))
        return out

    def save(self, path: Path) -> None:
        props = self.docx.core_properties
        props.title = self.content.title
        props.author = self.content.author
        props.comments = "由 duban 生成"
        self.docx.save(str(path))


def font_lines() -> list[str]:
    """Return one line: the typeface the Word file asks for per role, and the stand-in Word takes."""
    roles = {"fangsong": "正文", "heiti": "一级标题", "kaiti": "二级标题", "songti": "页码", "xiaobiaosong": "标题"}
    parts = [f"{roles[role]}{name}（缺时{alt}）" for role, (name, alt) in FONT_NAMES.items()]
    return ["Word 字体：" + "，".join(parts) + "；字体不嵌入，由打开文件的电脑提供。"]


def render_docx(doc: Document, out_path: str | Path, db, progress: Progress | None = None) -> ReportResult:
    """Write ``doc`` as a Word file and return what was written.

    Args:
        doc: the report's content.
        out_path: the .docx to write (replaced only when the whole file is ready).
        db: the ledger, for the fonts the charts are drawn with.
        progress: ``progress(done, total, message)``; it may raise to cancel.
    """
    chart_font: list = []

    def chart_fonts():
        # The charts are pictures drawn with the PDF's chosen fonts; found once, only when needed.
        if not chart_font:
            from reports.pdf.document import typesetter_for

            choice = typesetter_for(db).choice
            files = {f.font_name: (f.path, f.subfont_index) for f in choice.faces.values() if f.path}
            chart_font.append((choice.name("heiti"), files))
        return chart_font[0]

    writer = _Writer(doc, chart_fonts)
    if doc.layout == "landscape":
        writer.landscape_pages()
    else:
        writer.official_pages()
    step(progress, 2, 3, "写入 Word 文档")
    for block in doc.blocks:
        writer.block(block)
    out_path = Path(out_path)
    with replaced_atomically(out_path, opened_in="Word/WPS") as tmp:
        writer.save(tmp)
    step(progress, 3, 3, "完成")
    return ReportResult(out_path, 0, font_lines(), list(doc.warnings), doc.figures)


__all__ = ["FONT_NAMES", "font_lines", "render_docx"]
