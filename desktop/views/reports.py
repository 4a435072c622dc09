"""报表: pick a report kind, its round and options; the file is made in a worker and opened.

The kinds, their parameters and their file formats come from :data:`reports.kinds.REPORT_KINDS`;
this page only turns each parameter kind into a widget.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from db.documents import DATE_FIELDS, TEXT_FIELDS, official_defaults, save_official_defaults
from db.ledger import get_meta
from db.queries import key_work_states
from db.rounds import rounds_newest_first
from desktop.dialogs import common as ask
from desktop.views.common import button, button_row, esc, heading, hint
from reports.content.bulletin import omitted_names, save_omitted_names
from reports.content.figures import named_items
from reports.kinds import FORMAT_FILTERS, REPORT_KINDS, REPORTS, write_report


def open_in_viewer(path: Path) -> bool:
    """Open a file in the system's viewer (PDF reader, Excel/WPS)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ReportsPage(QWidget):
    """Choose a report and make it."""

    title = "报表"
    areas = {"rounds"}

    def __init__(self, session, window=None, parent=None):
        super().__init__(parent)
        self.session = session
        self.window_ = window
        self.kind_box = QComboBox()
        for kind in REPORT_KINDS:
            formats = "/".join(suffix[1:].upper() for suffix in kind.formats)
            self.kind_box.addItem(f"{kind.label}（{formats}）", kind.name)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.form = QFormLayout()
        self.form.addRow("报表", self.kind_box)
        # The 公文 fields (发文机关, 文号, 主送 …) in a box of their own, under the report's own parameters.
        self.official_form = QFormLayout()
        official_keys = {key for key, *_rest in (*TEXT_FIELDS, *DATE_FIELDS)}
        #: One widget per parameter keyword, shared by the kinds that take it.
        self.fields: dict[str, QWidget] = {}
        for kind in REPORT_KINDS:
            for param in kind.params:
                if param.keyword not in self.fields:
                    self.fields[param.keyword] = self._field(param)
                    form = self.official_form if param.keyword in official_keys else self.form
                    form.addRow(param.label, self.fields[param.keyword])
        self.round_box = self.fields["round_id"]
        self.year_box = self.fields["year"]
        self.issue_box = self.fields["issue_no"]
        self.org_edit = self.fields["issuer"]
        self.save_defaults_btn = button(
            "存为本台账默认",
            self.save_defaults,
            tip="把填写的发文机关、文号、主送、抄送、印发机关、签发人存为以后各期的默认值",
        )
        # Who the 通报 names: preselected by the rule, the office's unticking kept for the round.
        self.names_list = QListWidget()
        self.names_list.setObjectName("bulletinNames")
        self.names_list.setMaximumHeight(150)
        self.names_list.itemChanged.connect(self._names_changed)
        self.names_box = QGroupBox("通报点名（红灯、黄灯事项；取消勾选的本轮通报不点名）")
        QVBoxLayout(self.names_box).addWidget(self.names_list)
        self.round_box.currentIndexChanged.connect(self._fill_names)
        self.official_box = QGroupBox("公文字段（留空则用台账默认值，灰字即默认值）")
        box_layout = QVBoxLayout(self.official_box)
        box_layout.addLayout(self.official_form)
        box_layout.addWidget(button_row(self.save_defaults_btn))
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
        layout.addWidget(self.official_box)
        layout.addWidget(self.names_box)
        layout.addWidget(button_row(self.make_btn))
        layout.addWidget(QLabel("上次生成"))
        layout.addWidget(self.result_view, 1)
        self.reload()
        self._kind_changed()

    @staticmethod
    def _field(param) -> QWidget:
        """Return the widget that asks for one report parameter."""
        if param.kind == "round":
            return QComboBox()
        if param.kind in ("year", "int"):
            box = QSpinBox()
            if param.kind == "year":
                box.setRange(2000, 2100)
            else:
                box.setRange(0, 999)
                box.setSpecialValueText("自动")
            return box
        edit = QLineEdit()
        edit.setPlaceholderText(param.help)
        edit.setToolTip(param.help)
        return edit

    def _value(self, keyword: str):
        """Return a parameter's value as the writer takes it (None for "default")."""
        widget = self.fields[keyword]
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QSpinBox):
            automatic = bool(widget.specialValueText()) and widget.value() == widget.minimum()
            return None if automatic else widget.value()
        return widget.text().strip() or None

    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def reload(self, areas: set[str] | None = None) -> None:
        """Re-read rounds and years."""
        current = self.round_box.currentData()
        self.round_box.clear()
        rows = rounds_newest_first(self.db)
        for r in rows:
            self.round_box.addItem(f"{r['id']}（{'进行中' if r['state'] == 'open' else '已关闭'}）", r["id"])
        self.round_box.setCurrentIndex(max(0, self.round_box.findData(current)))
        year = max((r["year"] for r in rows), default=date.today().year)
        for key, value in official_defaults(self.db).items():
            self.fields[key].setPlaceholderText(value or "（不填）")
        if not self.year_box.value() or self.year_box.value() == 2000:
            self.year_box.setValue(year)

    def _kind_changed(self) -> None:
        kind = REPORTS[self.kind_box.currentData()]
        wanted = {param.keyword for param in kind.params}
        for keyword, widget in self.fields.items():
            # Only the rows this kind asks for are shown (a form of every kind's fields would fill the page).
            form = self.form if self.form.labelForField(widget) else self.official_form
            form.setRowVisible(widget, keyword in wanted)
        self.official_box.setVisible(any(key in wanted for key, *_rest in TEXT_FIELDS))
        self.names_box.setVisible(kind.name == "bulletin")
        self._fill_names()

    def _fill_names(self) -> None:
        """List the round's red and yellow key works, ticked unless the office left them out."""
        if not self.names_box.isVisibleTo(self) or self.kind_box.currentData() != "bulletin":
            return
        round_id = self.round_box.currentData()
        self.names_list.blockSignals(True)
        self.names_list.clear()
        if round_id:
            red, yellow = named_items(key_work_states(self.db, round_id))
            omitted = set(omitted_names(self.db, round_id))
            for light, items in (("红灯", red), ("黄灯", yellow)):
                for k in items:
                    item = QListWidgetItem(
                        f"{light}  第{k.number}项 {k.title}（{k.lead_unit or '无牵头单位'}，{k.result.status}）"
                    )
                    item.setData(Qt.ItemDataRole.UserRole, k.number)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked if k.number in omitted else Qt.CheckState.Checked)
                    self.names_list.addItem(item)
        self.names_list.blockSignals(False)

    def _names_changed(self, _item) -> None:
        """Remember the unticked names for this round's 通报."""
        round_id = self.round_box.currentData()
        if not round_id:
            return
        left_out = [
            self.names_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.names_list.count())
            if self.names_list.item(i).checkState() != Qt.CheckState.Checked
        ]
        save_omitted_names(self.db, round_id, left_out)

    def save_defaults(self) -> None:
        """Store the 公文 text fields typed here as the ledger's defaults."""
        values = {key: self.fields[key].text() for key, *_rest in TEXT_FIELDS if self.fields[key].text().strip()}
        if not values:
            ask.show_info(self, "没有填写要保存的公文字段；灰字是现在的默认值。", "存为默认")
            return
        save_official_defaults(self.db, values, "gui-reports")
        for key in values:
            self.fields[key].clear()
        self.reload()
        ask.show_info(self, "已存为本台账的默认公文字段。", "存为默认")

    def make(self) -> None:
        """Ask where to save, then make the report in a worker."""
        kind = REPORTS[self.kind_box.currentData()]
        params = {param.keyword: self._value(param.keyword) for param in kind.params}
        missing = [param for param in kind.params if param.required and params[param.keyword] in (None, "")]
        if any(param.kind == "round" for param in missing):
            ask.show_error(self, "还没有填报轮次，无法生成该报表。请先到“填报轮次”开启并收回一轮填报。")
            return
        label = f"{params['year']}年" if "year" in params else params.get("round_id") or ""
        org = get_meta(self.db, "org_name") or ""
        suffix = kind.formats[0]
        suggested = f"{org}{label}{kind.file_word}{suffix}"
        filters = ";;".join(FORMAT_FILTERS[s] for s in kind.formats)
        out = ask.choose_save_file(self, "保存到", "reports", suggested, filters)
        if not out:
            return
        out = Path(out)
        if out.suffix.lower() not in kind.formats:
            out = out.with_suffix(suffix)

        def work(db, progress):
            return write_report(db, kind.name, out, progress=progress, **params)

        self.window_.run_job(f"生成{kind.label}", work, lambda result: self._done(out, result))

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
