"""报表: pick a report, its round and options; the PDF (or Excel) is made in a worker and opened."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QTextBrowser, QVBoxLayout, QWidget

from db.ledger import get_meta
from desktop.dialogs import common as ask
from desktop.views.common import button, button_row, esc, heading, hint

#: (label, key) of every report the page offers, in the order a supervisor reaches for them.
REPORT_KINDS = (
    ("进展情况报告（PDF）", "progress"),
    ("通报（PDF，公文格式）", "bulletin"),
    ("全年总结（PDF）", "annual"),
    ("台账导出（Excel）", "ledger"),
)
_SUFFIX = {"progress": "进展情况", "bulletin": "通报", "annual": "全年总结", "ledger": "台账"}


def open_in_viewer(path: Path) -> bool:
    """Open a file in the system's viewer (PDF reader, Excel/WPS)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def make_report(
    db, kind: str, out: Path, *, round_id: str | None, year: int, issue_no: int | None, org: str | None, progress
):
    """Call the back end that writes ``kind`` (runs in the worker thread)."""
    if kind == "progress":
        from reports.pdf.progress_report import write_progress_report

        return write_progress_report(db, round_id, out, progress=progress)
    if kind == "bulletin":
        from reports.pdf.bulletin import write_bulletin

        return write_bulletin(db, round_id, out, issue_no=issue_no, org=org, progress=progress)
    if kind == "annual":
        from reports.pdf.annual import write_annual_summary

        return write_annual_summary(db, year, out, progress=progress)
    if kind == "ledger":
        from reports.ledger_export import export_ledger

        return export_ledger(db, out, round_id=round_id, progress=progress)
    raise ValueError(kind)


class ReportsPage(QWidget):
    """Choose a report and make it."""

    title = "报表"
    areas = {"rounds"}

    def __init__(self, session, window=None, parent=None):
        super().__init__(parent)
        self.session = session
        self.window_ = window
        self.kind_box = QComboBox()
        for label, key in REPORT_KINDS:
            self.kind_box.addItem(label, key)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.round_box = QComboBox()
        self.year_box = QSpinBox()
        self.year_box.setRange(2000, 2100)
        self.issue_box = QSpinBox()
        self.issue_box.setRange(0, 999)
        self.issue_box.setSpecialValueText("自动")
        self.org_edit = QLineEdit()
        self.org_edit.setPlaceholderText("默认取台账中的本单位名称")
        self.form = QFormLayout()
        self.form.addRow("报表", self.kind_box)
        self.form.addRow("轮次", self.round_box)
        self.form.addRow("年度", self.year_box)
        self.form.addRow("期号（第N期）", self.issue_box)
        self.form.addRow("发文单位", self.org_edit)
        self.make_btn = button("生成并打开…", self.make, "Ctrl+P", "生成所选报表，完成后用系统程序打开")
        self.result_view = QTextBrowser()
        self.result_view.setObjectName("reportResult")
        self.result_view.setPlaceholderText(
            "这里显示生成的文件位置、页数和所用字体。选好报表和轮次后点“生成并打开…”（Ctrl+P）。"
        )
        self.last_result = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("报表"))
        layout.addWidget(
            hint(
                "选择报表和轮次，点“生成并打开”。生成时可以继续看台账；PDF 完成后会自动用系统的"
                "阅读器打开，也保存在你选的位置。已关闭轮次的数字是冻结的，重印结果不变。"
            )
        )
        layout.addLayout(self.form)
        layout.addWidget(button_row(self.make_btn))
        layout.addWidget(QLabel("上次生成"))
        layout.addWidget(self.result_view, 1)
        self.reload()
        self._kind_changed()

    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def reload(self, areas: set[str] | None = None) -> None:
        """Re-read rounds and years."""
        current = self.round_box.currentData()
        self.round_box.clear()
        rows = list(self.db.query("SELECT id, state FROM rounds ORDER BY cutoff DESC, id DESC"))
        for r in rows:
            self.round_box.addItem(f"{r['id']}（{'进行中' if r['state'] == 'open' else '已关闭'}）", r["id"])
        self.round_box.setCurrentIndex(max(0, self.round_box.findData(current)))
        year = self.db.execute("SELECT MAX(year) FROM rounds").fetchone()[0] or date.today().year
        if not self.year_box.value() or self.year_box.value() == 2000:
            self.year_box.setValue(year)

    def _kind_changed(self) -> None:
        kind = self.kind_box.currentData()
        for widget, kinds in (
            (self.round_box, {"progress", "bulletin", "ledger"}),
            (self.year_box, {"annual"}),
            (self.issue_box, {"bulletin"}),
            (self.org_edit, {"bulletin"}),
        ):
            widget.setEnabled(kind in kinds)
            self.form.labelForField(widget).setEnabled(kind in kinds)

    def make(self) -> None:
        """Ask where to save, then make the report in a worker."""
        kind = self.kind_box.currentData()
        round_id = self.round_box.currentData()
        if kind in ("progress", "bulletin") and not round_id:
            ask.show_error(self, "还没有填报轮次，无法生成该报表。请先到“填报轮次”开启并收回一轮填报。")
            return
        year = self.year_box.value()
        label = round_id if kind != "annual" else f"{year}年"
        org = get_meta(self.db, "org_name") or ""
        suffix = ".xlsx" if kind == "ledger" else ".pdf"
        suggested = f"{org}{label}{_SUFFIX[kind]}{suffix}"
        filters = "Excel 工作簿 (*.xlsx)" if kind == "ledger" else "PDF 文件 (*.pdf)"
        out = ask.choose_save_file(self, "保存到", "reports", suggested, filters)
        if not out:
            return
        out = Path(out)
        if out.suffix.lower() != suffix:
            out = out.with_suffix(suffix)
        issue_no = self.issue_box.value() or None
        org_text = self.org_edit.text().strip() or None

        def work(db, progress):
            return make_report(
                db, kind, out, round_id=round_id, year=year, issue_no=issue_no, org=org_text, progress=progress
            )

        self.window_.run_job(f"生成{self.kind_box.currentText()}", work, lambda result: self._done(out, result))

    def _done(self, out: Path, result) -> None:
        self.last_result = result
        path = Path(getattr(result, "path", None) or out)
        lines = [f"<p><b>已生成：</b>{esc(path)}</p>"]
        pages = getattr(result, "pages", None)
        if pages:
            lines.append(f"<p>共 {pages} 页。</p>")
        fonts = getattr(result, "fonts", None) or []
        if fonts:
            lines.append("<p>字体：" + "；".join(esc(f) for f in fonts) + "</p>")
        warnings = getattr(result, "warnings", None) or []
        if warnings:
            lines.append("<p style='color:#b45f06'>请注意：<br>" + "<br>".join(esc(w) for w in warnings) + "</p>")
        self.result_view.setHtml("".join(lines))
        if not open_in_viewer(path):
            ask.show_info(self, f"已生成：{path}\n这台电脑没有能打开它的程序，请到该文件夹里查看。", "已生成")
