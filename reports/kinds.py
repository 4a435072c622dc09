"""The report kinds duban writes, registered once.

Each :class:`ReportKind` names its parameters, the file formats it writes and its writer;
``duban report …`` (:mod:`desktop.commands.reports`), the 报表 page and its file dialog are
all built from :data:`REPORT_KINDS`. A report's content is built once
(:mod:`reports.content`) and handed to the renderer the output name asks for: ``.pdf``
to :mod:`reports.pdf.render`, ``.docx`` to :mod:`reports.word.render`.

This module imports no renderer at load time: the window lists the kinds before its first
paint, and reportlab takes a noticeable moment to load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from db.documents import DATE_FIELDS, TEXT_FIELDS
from db.errors import DubanError
from db.jobs import Progress
from reports.content.model import ReportResult, step

#: What each output format is called in a file dialog.
FORMAT_FILTERS = {
    ".pdf": "PDF 文件 (*.pdf)",
    ".docx": "Word 文档 (*.docx)",
    ".xlsx": "Excel 工作簿 (*.xlsx)",
}


@dataclass(frozen=True)
class Param:
    """One parameter of a report kind.

    Attributes:
        keyword: the writer's keyword argument.
        option: the command-line option.
        label: the label on the 报表 page.
        kind: ``round`` (a round id), ``year``, ``int`` (0 = default) or ``text``.
        help: the command line's help text.
        required: whether the command line insists on it.
    """

    keyword: str
    option: str
    label: str
    kind: str
    help: str
    required: bool = False


@dataclass(frozen=True)
class ReportKind:
    """A report duban can write.

    Attributes:
        name: ``duban report <name>``; the page's key.
        label: the name a clerk sees on the 报表 page.
        help: one line for ``duban report --help``.
        params: the parameters, in the order the form shows them.
        formats: the file suffixes it writes, the first the default.
        file_word: the end of a suggested file name (…通报.pdf).
        write: ``write(db, out_path, *, progress, **keywords)``.
        command: whether ``duban report`` offers it (the ledger workbook has its own command).
    """

    name: str
    label: str
    help: str
    params: tuple[Param, ...]
    formats: tuple[str, ...]
    file_word: str
    write: Callable
    command: bool = True

    def check_out_path(self, out: str | Path) -> Path:
        """Return ``out`` as a path, or raise a user-facing error when its suffix is not a format of this kind."""
        path = Path(out)
        if path.suffix.lower() not in self.formats:
            names = "、".join(self.formats)
            raise DubanError(f"输出文件“{path.name}”应以 {names} 结尾。")
        return path


def _render(doc, out_path: Path, db: sqlite_utils.Database, progress: Progress | None) -> ReportResult:
    """Hand content to the renderer the output name asks for."""
    if Path(out_path).suffix.lower() == ".docx":
        from reports.word.render import render_docx

        return render_docx(doc, out_path, db, progress)
    from reports.pdf.render import render_pdf

    return render_pdf(doc, out_path, db, progress)


def write_progress_report(
    db: sqlite_utils.Database, round_id: str, out_path: str | Path, *, progress: Progress | None = None
) -> ReportResult:
    """Write the 季调度进展表 of a round (A4 landscape table).

    Args:
        db: the ledger.
        round_id: e.g. ``2024Q1``; a closed round is read from its frozen figures.
        out_path: the file to write (replaced only when the whole file is ready).
        progress: ``progress(done, total, message)``; it may raise to cancel.
    """
    from reports.content.progress import progress_content

    out_path = REPORTS["progress"].check_out_path(out_path)
    step(progress, 0, 3, "读取台账")
    doc = progress_content(db, round_id)
    step(progress, 1, 3, "排版")
    return _render(doc, out_path, db, progress)


def write_bulletin(
    db: sqlite_utils.Database,
    round_id: str,
    out_path: str | Path,
    *,
    issue_no: int | None = None,
    org: str | None = None,
    progress: Progress | None = None,
    **official,
) -> ReportResult:
    """Write a round's 通报 as an official document.

    Args:
        db: the ledger.
        round_id: the round whose figures are reported, e.g. ``2024Q2`` for the half year.
        out_path: the file to write (.pdf or .docx).
        issue_no: 第N期; by default the year's next number (a round keeps its number).
        org: the 发文机关; defaults to the ledger's setting.
        progress: ``progress(done, total, message)``; it may raise to cancel.
        **official: further 公文 fields (see :func:`db.documents.official_fields`).
    """
    from reports.content.bulletin import bulletin_content

    out_path = REPORTS["bulletin"].check_out_path(out_path)
    step(progress, 0, 3, "读取台账")
    official = {**official, "issue_no": issue_no, "issuer": official.get("issuer") or org}
    doc = bulletin_content(db, round_id, official=official)
    step(progress, 1, 3, "撰写通报")
    return _render(doc, out_path, db, progress)


def write_annual_summary(
    db: sqlite_utils.Database, year: int, out_path: str | Path, *, progress: Progress | None = None, **official
) -> ReportResult:
    """Write the 全年总结 of a year as an official document.

    Raises:
        DubanError: the ledger has no round in that year.
    """
    from reports.content.annual import annual_content

    out_path = REPORTS["annual"].check_out_path(out_path)
    step(progress, 0, 3, "读取台账")
    doc = annual_content(db, year, official=official, progress=progress)
    step(progress, 1, 3, "撰写总结")
    return _render(doc, out_path, db, progress)


def write_notice(
    db: sqlite_utils.Database,
    round_id: str,
    out_path: str | Path,
    *,
    unit: str | None = None,
    deadline: str | None = None,
    progress: Progress | None = None,
    **official,
) -> ReportResult:
    """Write the 催报通知 of a round (one unit, or every unit that owes something, a page each)."""
    from reports.content.notices import notice_content

    out_path = REPORTS["notice"].check_out_path(out_path)
    step(progress, 0, 3, "读取台账")
    doc = notice_content(db, round_id, unit=unit, deadline=deadline, official=official)
    step(progress, 1, 3, "撰写催报通知")
    return _render(doc, out_path, db, progress)


def write_supervision(
    db: sqlite_utils.Database,
    key_work: str,
    out_path: str | Path,
    *,
    round_id: str | None = None,
    unit: str | None = None,
    deadline: str | None = None,
    progress: Progress | None = None,
    **official,
) -> ReportResult:
    """Write the 督办通知单 of one lagging key work."""
    from reports.content.notices import supervise_content

    out_path = REPORTS["supervise"].check_out_path(out_path)
    step(progress, 0, 3, "读取台账")
    doc = supervise_content(db, key_work, round_id=round_id, unit=unit, deadline=deadline, official=official)
    step(progress, 1, 3, "撰写督办通知单")
    return _render(doc, out_path, db, progress)


def write_problems(
    db: sqlite_utils.Database,
    out_path: str | Path,
    *,
    round_id: str | None = None,
    unit: str | None = None,
    state: str | None = "未销号",
    progress: Progress | None = None,
) -> ReportResult:
    """Write the 问题清单: a workbook for .xlsx, else a document (.pdf or .docx)."""
    out_path = REPORTS["problems"].check_out_path(out_path)
    state = state or "未销号"
    if out_path.suffix.lower() == ".xlsx":
        from reports.problem_list import write_problem_list

        return write_problem_list(db, out_path, round_id=round_id, unit=unit, state=state)
    from reports.content.problems import problems_content

    step(progress, 0, 3, "读取问题清单")
    doc = problems_content(db, round_id=round_id, unit=unit, state=state)
    step(progress, 1, 3, "排版")
    return _render(doc, out_path, db, progress)


def _write_ledger(db, out_path, *, round_id=None, progress=None):
    from reports.ledger_export import export_ledger

    return export_ledger(db, out_path, round_id=round_id, progress=progress)


_ROUND = Param("round_id", "--round", "轮次", "round", "轮次，如 2024Q2", required=True)
#: The 公文 fields a document may override (the ledger's defaults apply otherwise).
_OFFICIAL = tuple(Param(key, option, label, "text", help) for key, label, option, help in TEXT_FIELDS) + tuple(
    Param(key, option, label, "date", help) for key, label, option, help in DATE_FIELDS
)

REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind(
        "progress",
        "进展情况报告（季调度进展表）",
        "季调度进展表（A4 横向表格）",
        (_ROUND,),
        (".pdf", ".docx"),
        "进展情况",
        lambda db, out, *, progress=None, round_id: write_progress_report(db, round_id, out, progress=progress),
    ),
    ReportKind(
        "bulletin",
        "通报（公文格式）",
        "半年通报（公文格式）",
        (
            _ROUND,
            Param("issue_no", "--issue-no", "期号（第N期）", "int", "期号，默认本年下一期（同一轮次重印期号不变）"),
            *_OFFICIAL,
        ),
        (".pdf", ".docx"),
        "通报",
        lambda db, out, *, progress=None, round_id, **official: write_bulletin(
            db, round_id, out, progress=progress, **official
        ),
    ),
    ReportKind(
        "annual",
        "全年总结（公文格式）",
        "全年总结（公文格式）",
        (
            Param("year", "--year", "年度", "year", "年份，如 2024", required=True),
            *(p for p in _OFFICIAL if p.keyword not in ("addressees", "signer")),
        ),
        (".pdf", ".docx"),
        "全年总结",
        lambda db, out, *, progress=None, year, **official: write_annual_summary(
            db, year, out, progress=progress, **official
        ),
    ),
    ReportKind(
        "notice",
        "催报通知（每个单位一页）",
        "催报通知（点名未报送、被退回的事项，公文格式）",
        (
            _ROUND,
            Param("unit", "--unit", "单位", "text", "只给这个单位开（默认每个欠报单位一页）"),
            Param("deadline", "--deadline", "报送期限", "date", "新的报送期限 YYYY-MM-DD，默认成文日期后3天"),
            *(p for p in _OFFICIAL if p.keyword in ("issuer", "issued")),
        ),
        (".pdf", ".docx"),
        "催报通知",
        lambda db, out, *, progress=None, round_id, **kw: write_notice(db, round_id, out, progress=progress, **kw),
    ),
    ReportKind(
        "supervise",
        "督办通知单",
        "督办通知单（一项滞后的重点工作）",
        (
            Param("key_work", "--key-work", "重点工作编号", "text", "重点工作编号（第N项的N）", required=True),
            Param("round_id", "--round", "轮次", "round", "引用哪一轮的进度（默认最近一轮）"),
            Param("unit", "--unit", "单位", "text", "督办对象（默认该项的牵头单位）"),
            Param("deadline", "--deadline", "报送期限", "date", "反馈期限 YYYY-MM-DD，默认成文日期后3天"),
            *(p for p in _OFFICIAL if p.keyword in ("issuer", "issued")),
        ),
        (".pdf", ".docx"),
        "督办通知单",
        lambda db, out, *, progress=None, key_work, **kw: write_supervision(db, key_work, out, progress=progress, **kw),
    ),
    ReportKind(
        "problems",
        "问题清单",
        "问题清单（重点工作、单位、交办、销号）",
        (
            Param("round_id", "--round", "轮次", "round", "只列该轮次报送中提出的问题"),
            Param("unit", "--unit", "单位", "text", "只列该单位的问题"),
            Param("state", "--state", "状态", "text", "未销号（默认）、已销号或全部"),
        ),
        (".xlsx", ".pdf", ".docx"),
        "问题清单",
        lambda db, out, *, progress=None, **kw: write_problems(db, out, progress=progress, **kw),
        command=False,
    ),
    ReportKind(
        "ledger",
        "台账导出（Excel）",
        "把台账导出为 Excel（1+N 格式，含各轮进度）",
        (Param("round_id", "--round", "轮次", "round", "只导出该轮次的进度列（默认全部轮次）"),),
        (".xlsx",),
        "台账",
        _write_ledger,
        command=False,
    ),
)

#: The kinds by name.
REPORTS = {kind.name: kind for kind in REPORT_KINDS}


def write_report(
    db: sqlite_utils.Database, name: str, out_path: str | Path, *, progress: Progress | None = None, **params
):
    """Write the report kind ``name`` to ``out_path`` (its suffix picks the format)."""
    kind = REPORTS[name]
    return kind.write(db, kind.check_out_path(out_path), progress=progress, **params)


__all__ = [
    "FORMAT_FILTERS",
    "REPORTS",
    "REPORT_KINDS",
    "Param",
    "ReportKind",
    "write_annual_summary",
    "write_bulletin",
    "write_notice",
    "write_problems",
    "write_progress_report",
    "write_supervision",
    "write_report",
]
