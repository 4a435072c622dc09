"""填报端: open the handoff received, fill one form per key work (autosaved), export the return."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from db.errors import DubanError
from db.ledger import get_meta
from db.progress import indicator_values
from db.report_fields import FIELD_BY_KEY
from db.status import REPORTABLE_STATUSES
from db.text import to_halfwidth
from db.typed_reports import form_problems, parse_indicator_value, parse_typed_percent
from desktop import undo
from desktop.dialogs import common as ask
from desktop.views.common import button, button_row, esc, heading, hint
from reports.filetypes import HANDOFF_SUFFIXES, dialog_filter

#: What a form must have before the row counts as filled in.
REQUIRED = tuple((key, FIELD_BY_KEY[key].label) for key in ("progress_text", "percent", "reported_status"))
#: The order of the form's fields.
FORM_ORDER = ("percent", "reported_status", "progress_text", "problems", "next_steps", "reporter", "phone")
AUTOSAVE_MS = 800


def parse_percent(text: str) -> tuple[float | None, str | None]:
    """Read 完成进度 as typed, by the rule the Excel import uses; return (value, problem)."""
    try:
        return parse_typed_percent(text), None
    except DubanError as exc:
        return None, str(exc)


def parse_number(text: str, name: str, measure_unit: str | None = None) -> tuple[float | None, str | None]:
    """Read an indicator value as typed, by the rule the Excel import uses; return (value, problem)."""
    try:
        return parse_indicator_value(text, name, measure_unit), None
    except DubanError as exc:
        return None, str(exc)


class TownshipPage(QWidget):
    """The township clerk's one screen: checklist on the left, the form on the right."""

    title = "填报"
    areas = {"tasks", "rounds", "reports"}

    def __init__(self, session, window=None, parent=None):
        super().__init__(parent)
        self.session = session
        self.window_ = window
        self.current_assignment: int | None = None
        self._filling = False
        self._saving = False
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.save_now)

        self.header = heading("填报")
        self.status = hint("")
        self.open_btn = button("打开收到的填报表…", self.open_handoff_dialog, "Ctrl+O")
        self.export_btn = button("导出报送文件…", self.export_return, "Ctrl+E")
        actions = [self.open_btn, self.export_btn]
        self.checklist = QListWidget()
        self.checklist.setObjectName("checklist")
        self.checklist.currentRowChanged.connect(self._row_changed)
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)

        self.task_view = QTextBrowser()
        self.task_view.setMaximumHeight(170)
        self.last_round = QTextBrowser()
        self.last_round.setObjectName("lastRound")
        self.percent = QLineEdit()
        self.percent.setPlaceholderText("0–100，如 45")
        self.status_box = QComboBox()
        self.status_box.addItem("（请选择）", None)
        for s in REPORTABLE_STATUSES:
            self.status_box.addItem(s, s)
        self.progress_text = QPlainTextEdit()
        self.problems = QPlainTextEdit()
        self.next_steps = QPlainTextEdit()
        for edit in (self.progress_text, self.problems, self.next_steps):
            edit.setTabChangesFocus(True)
        self.reporter = QLineEdit()
        self.phone = QLineEdit()
        self.indicator_inputs: dict[int, tuple[QLineEdit, str, str | None]] = {}
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet("color: #c0392b")
        self.problem_label.setWordWrap(True)
        self.saved_label = hint("")

        form = QFormLayout()
        widgets = {
            "percent": self.percent,
            "reported_status": self.status_box,
            "progress_text": self.progress_text,
            "problems": self.problems,
            "next_steps": self.next_steps,
            "reporter": self.reporter,
            "phone": self.phone,
        }
        # The figures first (a clerk updates them every round), then the texts, then who reported.
        for key in FORM_ORDER:
            if key == "reporter":
                # Indicator rows are inserted here, in the same form, so their labels line up with the others.
                self.indicator_form = form
                self.indicator_row = form.rowCount()
            if FIELD_BY_KEY[key].township_editable:
                form.addRow(FIELD_BY_KEY[key].form_label, widgets[key])
        form_box = QGroupBox("本轮填报（自动保存）")
        fb = QVBoxLayout(form_box)
        fb.addLayout(form)
        fb.addWidget(self.problem_label)
        fb.addWidget(self.saved_label)
        last_box = QGroupBox("上轮进展（参考）与退回意见")
        QVBoxLayout(last_box).addWidget(self.last_round)

        for widget in (self.percent, self.reporter, self.phone):
            widget.textChanged.connect(self._edited)
        for widget in (self.progress_text, self.problems, self.next_steps):
            widget.textChanged.connect(self._edited)
        self.status_box.currentIndexChanged.connect(self._edited)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("本单位承担的工作（✔ 已填完，✘ 还缺内容）"))
        lv.addWidget(self.checklist, 1)
        lv.addWidget(self.missing_label)
        middle = QWidget()
        mv = QVBoxLayout(middle)
        mv.setContentsMargins(0, 0, 0, 0)
        mv.addWidget(self.task_view)
        mv.addWidget(form_box, 1)
        # On a 1366×768 laptop (or at 150 %) the form scrolls instead of losing its last fields.
        form_scroll = QScrollArea()
        form_scroll.setObjectName("formScroll")
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.NoFrame)
        form_scroll.setWidget(middle)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(form_scroll)
        splitter.addWidget(last_box)
        splitter.setChildrenCollapsible(False)
        # The form gets the width the window gains; the list and last round's text keep theirs.
        for index, stretch in enumerate((1, 3, 1)):
            splitter.setStretchFactor(index, stretch)
        splitter.setSizes([300, 600, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.status)
        if actions:
            layout.addWidget(button_row(*actions))
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.percent, self.status_box)
        self.setTabOrder(self.status_box, self.progress_text)
        self.setTabOrder(self.progress_text, self.problems)
        self.setTabOrder(self.problems, self.next_steps)
        # Loaded by the window when first shown (MainWindow.show_page).

    def shutdown(self) -> None:
        """Write a pending autosave now (the window is closing)."""
        if self.autosave.isActive():
            self.save_now()
        self.autosave.stop()

    # -- what is in the ledger ---------------------------------------------------------------------
    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def round_id(self) -> str | None:
        """The round of the handoff opened last (or the newest open round)."""
        export_id = get_meta(self.db, "current_export")
        if export_id:
            from db.exports import export_record

            record = export_record(self.db, export_id)
            if record:
                return record["round_id"]
        from db.rounds import default_round

        return default_round(self.db, open_only=True)

    def unit_name(self) -> str | None:
        """The unit this ledger reports for."""
        bound = get_meta(self.db, "township_unit") or {}
        return bound.get("name")

    def assignments(self) -> list[dict]:
        """The unit's assignments in the current handoff, in the workbook's order."""
        export_id = get_meta(self.db, "current_export")
        from db.tasks import assignments_with_key_works

        rows = assignments_with_key_works(self.db)
        if export_id:
            import json

            from db.exports import export_record

            record = export_record(self.db, export_id)
            wanted = json.loads(record["assignment_ids"]) if record and record["assignment_ids"] else None
            if wanted:
                order = {aid: i for i, aid in enumerate(wanted)}
                rows = sorted((r for r in rows if r["id"] in order), key=lambda r: order[r["id"]])
        return rows

    def report(self, assignment_id: int) -> dict | None:
        """The local report of an assignment for the current round."""
        round_id = self.round_id()
        if not round_id:
            return None
        from db.progress import report_row

        return report_row(self.db, assignment_id, round_id)

    def missing_fields(self, assignment_id: int) -> list[str]:
        """The required fields still empty for an assignment.

        The row on screen is judged by the form as typed, not by the last autosave: a field
        the clerk has just emptied (or a form whose errors keep it from saving) must never
        be shown as filled in.
        """
        if assignment_id == self.current_assignment and self.percent.isEnabled():
            typed = {
                "progress_text": self.progress_text.toPlainText().strip(),
                "percent": self.percent.text().strip(),
                "reported_status": self.status_box.currentData(),
            }
            return [label for key, label in REQUIRED if typed[key] in (None, "")]
        rep = self.report(assignment_id) or {}
        return [label for key, label in REQUIRED if rep.get(key) in (None, "")]

    def unsaved_problems(self) -> list[str]:
        """What keeps the form on screen from being saved (empty when it can be saved)."""
        if self.current_assignment is None or not self.percent.isEnabled():
            return []
        return self.validate()[2]

    # -- refresh -------------------------------------------------------------------------------------
    def reload(self, areas: set[str] | None = None) -> None:
        """Rebuild the checklist and the form (not while our own autosave is writing)."""
        if self._saving:
            self._refresh_checklist_marks()
            return
        unit, rid = self.unit_name(), self.round_id()
        if unit and rid:
            from db.rounds import get_round
            from reports.exchange.township import office_of_export

            # A township may report to several offices: say whose form this is.
            office = office_of_export(self.db, get_meta(self.db, "current_export")) or "督办室"
            self.header.setText(f"{unit} · {rid} 填报（{office}）")
            due = get_round(self.db, rid)["due_date"]
            self.status.setText(
                f"逐项填写右边的表格，内容自动保存在本机。全部填完后点“导出报送文件”，把文件交回{office}"
                f"（报送期限 {due or '见通知'}）。"
            )
        else:
            self.header.setText("填报")
            self.status.setText("还没有打开填报表。点“打开收到的填报表…”，或把督办室发来的 Excel 文件拖进这个窗口。")
        keep = self.current_assignment
        self.checklist.blockSignals(True)
        self.checklist.clear()
        for a in self.assignments():
            item = QListWidgetItem()
            item.setData(Qt.UserRole, a["id"])
            self.checklist.addItem(item)
        self.checklist.blockSignals(False)
        self._refresh_checklist_marks()
        rows = [self.checklist.item(i).data(Qt.UserRole) for i in range(self.checklist.count())]
        if rows:
            self.checklist.setCurrentRow(rows.index(keep) if keep in rows else 0)
            self._row_changed(self.checklist.currentRow())
        else:
            self.current_assignment = None
            self._set_form_enabled(False)
        if hasattr(self, "export_btn"):
            # Nothing to export before a handoff is opened; the status line says what to do.
            self.export_btn.setEnabled(bool(rows))

    def _refresh_checklist_marks(self) -> None:
        by_id = {a["id"]: a for a in self.assignments()}
        missing_total = 0
        for i in range(self.checklist.count()):
            item = self.checklist.item(i)
            a = by_id.get(item.data(Qt.UserRole))
            if a is None:
                continue
            missing = self.missing_fields(a["id"])
            wrong = a["id"] == self.current_assignment and bool(self.unsaved_problems())
            comment = self._extras(a["id"]).get("comment")
            mark = "✘" if missing or wrong else "✔"
            text = f"{mark} {a['number']} {a['title']}"
            if missing:
                text += f"\n　缺：{'、'.join(missing)}"
            if wrong:
                text += "\n　有错误，未保存"
            if missing or wrong:
                missing_total += 1
            if comment:
                text += "\n　有退回意见"
            item.setText(text)
            item.setForeground(QColor("#c0392b" if missing or wrong else "#2e7d32"))
        count = self.checklist.count()
        self.missing_label.setText(
            f"还有 {missing_total} 项没有填完。"
            if missing_total
            else (f"{count} 项都已填完，可以导出报送文件。" if count else "")
        )

    def _extras(self, assignment_id: int) -> dict:
        export_id = get_meta(self.db, "current_export")
        data = get_meta(self.db, f"handoff:{export_id}") if export_id else None
        return ((data or {}).get("rows") or {}).get(str(assignment_id)) or {}

    def _set_form_enabled(self, enabled: bool) -> None:
        for w in (
            self.percent,
            self.status_box,
            self.progress_text,
            self.problems,
            self.next_steps,
            self.reporter,
            self.phone,
        ):
            w.setEnabled(enabled)

    def _row_changed(self, row: int) -> None:
        if self.autosave.isActive():
            self.autosave.stop()
            self.save_now()
        item = self.checklist.item(row) if row >= 0 else None
        if item is None:
            return
        self.current_assignment = item.data(Qt.UserRole)
        self._fill_form(self.current_assignment)

    def _fill_form(self, assignment_id: int) -> None:
        from db.tasks import key_work_detail
        from db.text import join_clauses

        a = next(x for x in self.assignments() if x["id"] == assignment_id)
        d = key_work_detail(self.db, a["key_work_id"])
        parts = [f"<b>{esc(a['number'])}　{esc(a['title'])}</b>（{esc(a['role'])}单位）"]
        if d.get("period_phrase"):
            parts.append(f"<br>实施阶段：{esc(d['period_phrase'])}")
        if d["targets"]:
            parts.append("<br><b>目标：</b>" + esc(join_clauses(d["targets"], end="。")))
        if d["measures"]:
            parts.append("<br><b>举措：</b>" + esc(join_clauses(d["measures"], end="。")))
        self.task_view.setHtml("".join(parts))
        extras = self._extras(assignment_id)
        last = [f"<p><b>上轮进展：</b><br>{esc(extras.get('reference')) or '（无）'}</p>"]
        if extras.get("comment"):
            last.append(f"<p style='color:#c0392b'><b>督办室退回意见：</b><br>{esc(extras['comment'])}</p>")
        self.last_round.setHtml("".join(last))
        rep = self.report(assignment_id) or {}
        contact = get_meta(self.db, "township_contact") or {}
        self._filling = True
        try:
            self._set_form_enabled(True)
            self.percent.setText("" if rep.get("percent") is None else f"{rep['percent']:g}")
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(rep.get("reported_status"))))
            self.progress_text.setPlainText(rep.get("progress_text") or "")
            self.problems.setPlainText(rep.get("problems") or "")
            self.next_steps.setPlainText(rep.get("next_steps") or "")
            self.reporter.setText(rep.get("reporter") or contact.get("reporter") or "")
            self.phone.setText(rep.get("phone") or contact.get("phone") or "")
            for _ in self.indicator_inputs:
                self.indicator_form.removeRow(self.indicator_row)
            self.indicator_inputs = {}
            actual = {}
            if rep.get("id"):
                actual = indicator_values(self.db, rep["id"])
            for offset, ind in enumerate(d["indicators"]):
                edit = QLineEdit("" if actual.get(ind["id"]) is None else f"{actual[ind['id']]:g}")
                unit = ind["measure_unit"] or ""
                edit.setPlaceholderText(f"目标 {ind['target_value']:g}{unit}")
                edit.textChanged.connect(self._edited)
                label = f"{ind['name']}（{unit}）" if unit else ind["name"]
                self.indicator_form.insertRow(self.indicator_row + offset, label, edit)
                self.indicator_inputs[ind["id"]] = (edit, ind["name"], ind["measure_unit"])
        finally:
            self._filling = False
        self.problem_label.setText("")
        self.saved_label.setText("")
        self.validate()
        self._refresh_checklist_marks()

    # -- validation and autosave ------------------------------------------------------------------------
    def validate(self) -> tuple[dict | None, dict | None, list[str]]:
        """Check the form as typed; return (fields, indicator values, problems)."""
        problems: list[str] = []
        percent, bad = parse_percent(self.percent.text())
        if bad:
            problems.append(bad)
        status = self.status_box.currentData()
        phone = to_halfwidth(self.phone.text()).strip()
        problems += form_problems({"percent": percent, "reported_status": status, "phone": phone})
        values: dict[int, float | None] = {}
        for ind_id, (edit, name, measure_unit) in self.indicator_inputs.items():
            value, bad = parse_number(edit.text(), name, measure_unit)
            edit.setStyleSheet("background: #fdecea" if bad else "")
            if bad:
                problems.append(bad)
            values[ind_id] = value
        self.percent.setStyleSheet("background: #fdecea" if parse_percent(self.percent.text())[1] else "")
        self.problem_label.setText("\n".join(problems))
        if problems:
            return None, None, problems
        fields = {
            "percent": percent,
            "reported_status": status,
            "progress_text": self.progress_text.toPlainText().strip() or None,
            "problems": self.problems.toPlainText().strip() or None,
            "next_steps": self.next_steps.toPlainText().strip() or None,
            "reporter": self.reporter.text().strip() or None,
            "phone": phone or None,
        }
        return fields, values, []

    def _edited(self, *_args) -> None:
        if self._filling or self.current_assignment is None:
            return
        fields, _values, problems = self.validate()
        self.saved_label.setText("有错误，改正后自动保存。" if problems else "正在编辑……")
        if not problems:
            self.autosave.start()
        # The checklist follows the form as typed, not the autosave 0.8 s later.
        self._refresh_checklist_marks()

    def save_now(self) -> bool:
        """Write the form to the local ledger (what the autosave timer calls)."""
        self.autosave.stop()
        if self.current_assignment is None:
            return False
        fields, values, problems = self.validate()
        if problems:
            return False
        rep = self.report(self.current_assignment) or {}
        old_values = {}
        if rep.get("id"):
            old_values = indicator_values(self.db, rep["id"])
        changed = {k: v for k, v in fields.items() if rep.get(k) != v}
        changed_values = {k: v for k, v in values.items() if old_values.get(k) != v}
        if not changed and not changed_values:
            self.saved_label.setText("已保存。")
            return True
        if not rep and all(v is None for v in fields.values()) and all(v is None for v in values.values()):
            return True
        self._saving = True
        try:
            ok = self.session.execute(
                undo.SaveReport(
                    self.session, self.current_assignment, self.round_id(), fields, changed_values, source="township"
                )
            )
        finally:
            self._saving = False
        self._refresh_checklist_marks()
        self.saved_label.setText("已自动保存到本机台账。" if ok else "未保存，请看上面的提示。")
        return ok

    # -- files -----------------------------------------------------------------------------------------
    def open_handoff_dialog(self) -> None:
        """Pick the handoff workbook received from the office."""
        path = ask.choose_open_file(self, "打开收到的填报表", "handoff-in", dialog_filter("填报表", HANDOFF_SUFFIXES))
        if path:
            self.open_handoff_files([Path(path)])

    def open_handoff_files(self, paths: list[Path]) -> None:
        """Load a received handoff into this ledger (also what dropping a file does)."""
        from reports.exchange.township import open_handoff

        files = [p for p in paths if p.is_file() and p.suffix.lower() in HANDOFF_SUFFIXES]
        if not files:
            ask.show_error(self, "请拖入或选择督办室发来的填报表（.xlsx 文件）。")
            return
        self.save_now()
        ledger = self.session.path

        def work(progress):
            progress(0, 1, f"打开 {files[0].name}")
            return open_handoff(ledger, files[0])

        def done(result) -> None:
            self.session.undo_stack.clear()
            self.current_assignment = None
            self.session.notify()
            ask.show_info(
                self,
                f"已打开“{files[0].name}”：{result['unit']} {result['round_id']}，共 {result['rows']} 项工作"
                + (f"，其中 {result['prefilled']} 项已带入表中填好的内容" if result.get("prefilled") else "")
                + "。",
                "已打开填报表",
            )

        from desktop.workers import start_job

        start_job(self, "打开填报表", work, on_success=done, on_failure=lambda m: ask.show_error(self, m))

    def export_return(self) -> None:
        """Write the filled workbook to a folder or USB stick."""
        self.save_now()
        rid, unit = self.round_id(), self.unit_name()
        if not rid or not unit:
            ask.show_error(self, "还没有打开填报表，没有可导出的内容。请先点“打开收到的填报表…”。")
            return
        problems = self.unsaved_problems()
        if problems:
            # Exporting now would send the last saved version, not what the clerk sees.
            item = self.checklist.currentItem()
            name = item.text().split("\n")[0][2:] if item else "当前这一项"
            ask.show_error(
                self,
                f"“{name}”有错误，还没有保存：\n" + "\n".join(problems) + "\n请改正后再导出报送文件。",
            )
            return
        missing = [
            self.checklist.item(i).text().split("\n")[0][2:]
            for i in range(self.checklist.count())
            if self.missing_fields(self.checklist.item(i).data(Qt.UserRole))
        ]
        if missing and not ask.confirm(
            self,
            f"还有 {len(missing)} 项没有填完：\n" + "\n".join(missing[:10]) + "\n仍然导出吗？",
            "还有空项",
            "仍然导出",
        ):
            return
        out = ask.choose_save_file(
            self, "保存报送文件（可以直接存到U盘）", "return-out", f"{rid}_{unit}_报送.xlsx", "Excel 工作簿 (*.xlsx)"
        )
        if not out:
            return
        from reports.exchange.township import export_return

        def work(db, progress):
            progress(0, 1, "写入报送文件")
            return export_return(db, Path(out))

        def done(path) -> None:
            ask.show_info(
                self, f"已导出：{path}\n请把这个文件交回督办室（U盘、邮件均可），不要改文件里的隐藏表。", "导出完成"
            )

        from desktop.workers import start_job

        start_job(
            self,
            "导出报送文件",
            work,
            db_path=self.session.path,
            on_success=done,
            on_failure=lambda m: ask.show_error(self, m),
        )

    def keyPressEvent(self, event) -> None:  # noqa: D102, N802
        # Ctrl+S saves at once, for clerks who do not trust autosave.
        if event.matches(QKeySequence.Save):
            self.save_now()
            return
        super().keyPressEvent(event)
