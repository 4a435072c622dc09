"""The blocks a report is made of, and what writing a report returns.

A report's content is a :class:`Document`: its page layout (``official`` for GB/T 9704
pages, ``landscape`` for the wide progress table), its title and a list of blocks in
reading order. Blocks hold text and numbers only — which font, colour or page size they
get is the renderer's business — so the same content prints as a PDF and as a Word file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from db.errors import DubanError


@dataclass
class Masthead:
    """The red 版头 of an official document: issuer's document name, 期号, 文号, issuer and date, red rule.

    Attributes:
        name: the 发文机关标志 printed in red (重点工作督查通报).
        issue_no: 第N期, None for a document without issues.
        org: the 发文机关 under the 期号.
        issued: the date on the 版头 line.
        doc_number: the 发文字号 (文号), "" when the office gives none.
        signer: the 签发人, "" when not printed.
    """

    name: str
    issue_no: int | None
    org: str
    issued: date
    doc_number: str = ""
    signer: str = ""


@dataclass
class Title:
    """The document's title (公文标题 in 2号小标宋; the landscape table's heading).

    Attributes:
        lines: the title broken into balanced lines (see :func:`reports.content.wording.break_title`);
            empty to let the renderer wrap it.
    """

    text: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Subtitle:
    """A line under the title (data cut-off, round)."""

    text: str


@dataclass
class Heading:
    """A heading: level 1 一、 (黑体), 2 （一） (楷体), 3 1. (仿宋).

    Attributes:
        keep_lines: start a new page rather than leave fewer than this many lines below
            the heading; 0 lays it out like a paragraph (e.g. inside :class:`KeepTogether`).
        context: where the text comes from, named in warnings about missing characters.
    """

    text: str
    level: int = 1
    keep_lines: int = 3
    context: str = ""


@dataclass
class Para:
    """A paragraph of plain text.

    Attributes:
        style: ``body`` (first line indented two characters), ``addressee`` (主送, no indent),
            ``flush`` (no indent), ``warning`` (a note to the office above the title),
            ``annex_more`` (a further line of the 附件说明, under the first),
            ``summary`` (the landscape table's small print), ``note``.
        lead: a run-in heading printed before the text in the 楷体 of a level-2 heading.
    """

    text: str
    style: str = "body"
    lead: str = ""
    context: str = ""


@dataclass
class Table:
    """A ruled table across the type area, its header row repeated on every page.

    Attributes:
        header: column titles; a newline marks where a title should break.
        rows: cell texts.
        widths: relative column widths.
        center: indexes of the columns set centred.
    """

    header: list[str]
    rows: list[list]
    widths: list[float]
    center: frozenset = frozenset()


@dataclass
class EmptyTable:
    """A boxed one-cell table saying there is nothing to list."""

    text: str


@dataclass
class Chart:
    """A stacked bar chart as data.

    Attributes:
        kind: ``status_by_category`` (vertical bars, one per category, segments per status)
            or ``lights_by_unit`` (horizontal bars, one per unit, segments per light).
        title: the chart's caption.
        categories: bar names in reading order.
        series: the segments stacked on each bar, in stacking order.
        counts: ``counts[category][series]``.
    """

    kind: str
    title: str
    categories: list[str]
    series: list[str]
    counts: dict[str, dict[str, int]]


@dataclass
class Space:
    """Vertical space in points."""

    points: float


@dataclass
class KeepTogether:
    """Blocks never split across a page break."""

    blocks: list


@dataclass
class Signature:
    """发文机关署名 and 成文日期 (GB/T 9704 7.3.5.1)."""

    org: str
    day: date


@dataclass
class PageBreak:
    """Start a new page (between the notices of several units in one file)."""


@dataclass
class Colophon:
    """The 版记 between rules at the end: 抄送, 印发机关 and 印发日期 (GB/T 9704 7.4)."""

    cc: str
    printer: str
    printed: date


@dataclass
class Annex:
    """A new page with the 附件 label (附件 or 附件2) and the annex's title."""

    title: str
    label: str = "附件"


@dataclass
class UnitEntry:
    """One unit's report in a row of the progress table; ``text`` None when it did not report."""

    unit: str
    role: str
    percent: float | None = None
    text: str | None = None


@dataclass
class KeyWorkRow:
    """One key work's row in the progress table."""

    number: str
    title: str
    lead_unit: str
    light: str
    status: str
    percent: float | None
    expected: float | None
    entries: list[UnitEntry]
    problems: list[tuple[str, str]]
    overdue: list[str]


@dataclass
class CategoryRow:
    """A category's row spanning the progress table."""

    name: str


@dataclass
class ProgressTable:
    """The landscape table of every key work's progress: ``(title, width in points)`` columns."""

    columns: tuple
    rows: list


@dataclass
class Document:
    """A report's content.

    Attributes:
        kind: the report kind's name (``bulletin`` …).
        layout: ``official`` (GB/T 9704 pages, page numbers "— 1 —") or ``landscape``.
        title: the document title (also the file's title property).
        author: the issuing office.
        blocks: the content in reading order.
        footer: the landscape layout's footer line (page numbers are added by the renderer).
        figures: the numbers printed, for tests and the window's summary line.
        warnings: what the reader of the command line should know (e.g. the year is not over).
    """

    kind: str
    layout: str
    title: str
    author: str
    blocks: list
    footer: str = ""
    figures: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ReportResult:
    """What a report writer produced.

    Attributes:
        path: the file written.
        pages: number of pages (for a Word file: as the PDF of the same content).
        fonts: one line per typeface: role, family and file.
        warnings: fallback fonts, characters no font can draw, empty data.
        figures: the numbers printed, for tests and the GUI's summary line.
    """

    path: Path
    pages: int
    fonts: list[str]
    warnings: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


class Cancelled(DubanError):
    """Raised when the caller's progress callback asks to stop."""


def step(progress, done: int, total: int, message: str) -> None:
    """Report progress when the caller asked for it (the callback may raise to cancel)."""
    if progress:
        progress(done, total, message)
