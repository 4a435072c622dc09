"""录入/修改进展: the office types a unit's report taken by phone, or corrects a typo in a return.

The form only collects and shows; what counts as a valid report is decided by
:func:`db.typed_reports.check_typed_report`, and the saving by the page through the undo stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from db.errors import DubanError
from db.report_fields import FIELDS
from db.status import REPORTABLE_STATUSES
from db.typed_reports import REQUIRED_FIELDS, ReportDraft, check_typed_report, parse_indicator_value

#: The spin box's value meaning “not filled in” (shown as its special text).
_UNSET = -1.0


class PercentBox(QDoubleSpinBox):
    """完成进度 0–100, shown as typed (45, 37.5), with a “not filled in” state below 0."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(_UNSET, 100)
        self.setDecimals(1)
        self.setSingleStep(5)
        self.setSpecialValueText("（未填）")
        self.setSuffix(" %")
        self.setValue(_UNSET)

    def textFromValue(self, value: float) -> str:  # noqa: D102, N802 - Qt override
        return f"{value:g}"

    def percent(self) -> float | None:
        """The value, or None when not filled in."""
        return None if self.value() <= _UNSET else self.value()

    def set_percent(self, value: float | None) -> None:
        """Show a value (None: not filled in)."""
        self.setValue(_UNSET if value is None else float(value))


class ReportFormDialog(QDialog):
    """One unit's report for one round of a key work; 保存 stays disabled while it is invalid."""

    def __init__(
        self,
        heading: str,
        assignments: list[tuple[str, int]],
        load_draft: Callable[[int], ReportDraft],
        assignment_id: int,
        parent: QWidget | None = None,
    ):
        """Build the form.

        Args:
            heading: the key work and the round, shown at the top.
            assignments: (label, assignment id) of every unit on the key work.
            load_draft: reads what to pre-fill for an assignment.
            assignment_id: the unit to start with.
            parent: the parent widget.
        """
        super().__init__(parent)
        self.setWindowTitle("录入/修改进展")
        self.setObjectName("reportForm")
        self.load_draft = load_draft
        self.draft: ReportDraft | None = None
        self._filling = False

        title = QLabel(heading)
        title.setWordWrap(True)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.unit_box = QComboBox()
        for text, value in assignments:
            self.unit_box.addItem(text, value)
        self.origin = QLabel()
        self.origin.setWordWrap(True)
        self.origin.setStyleSheet("color: #555555")

        self.progress_text = QPlainTextEdit()
        self.progress_text.setPlaceholderText("本轮做了什么、完成了多少（照单位报的原话录入）")
        self.percent = PercentBox()
        self.status_box = QComboBox()
        self.status_box.addItem("（请选择）", None)
        for status in REPORTABLE_STATUSES:
            self.status_box.addItem(status, status)
        self.problems = QPlainTextEdit()
        self.problems.setPlaceholderText("填写后列入问题清单；没有问题请留空")
        self.next_steps = QPlainTextEdit()
        for edit in (self.progress_text, self.problems, self.next_steps):
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(64)
            edit.textChanged.connect(self.check)
        self.progress_text.setMinimumHeight(96)
        self.reporter = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("如 0577-61234567")
        self.percent.valueChanged.connect(self.check)
        self.status_box.currentIndexChanged.connect(self.check)
        self.reporter.textChanged.connect(self.check)
        self.phone.textChanged.connect(self.check)

        self.form = QFormLayout()
        self.form.addRow("单位", self.unit_box)
        self.form.addRow("", self.origin)
        widgets = {
            "progress_text": self.progress_text,
            "percent": self.percent,
            "reported_status": self.status_box,
            "problems": self.problems,
            "next_steps": self.next_steps,
            "reporter": self.reporter,
            "phone": self.phone,
        }
        required = {key for key, _label in REQUIRED_FIELDS}
        for report_field in FIELDS:
            if report_field.key == "reporter":
                # The key work's indicators go in rows of their own here (same form, so the labels align).
                self.indicator_row = self.form.rowCount()
                self.indicator_inputs: dict[int, tuple[QLineEdit, dict]] = {}
            label = report_field.form_label + ("（必填）" if report_field.key in required else "")
            self.form.addRow(label, widgets[report_field.key])

        self.problem_label = QLabel()
        self.problem_label.setObjectName("reportProblems")
        self.problem_label.setStyleSheet("color: #c0392b")
        self.problem_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setText("保存")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(self.form, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        i = self.unit_box.findData(assignment_id)
        self.unit_box.setCurrentIndex(max(i, 0))
        self.unit_box.currentIndexChanged.connect(lambda *_: self._load(self.unit_box.currentData()))
        self._load(self.unit_box.currentData())
        # Fits a 1280×800 screen with room to spare; the text boxes share what height there is.
        self.resize(640, min(self.sizeHint().height(), 640))

    # -- filling ------------------------------------------------------------------------------
    def _load(self, assignment_id: int) -> None:
        """Show what to pre-fill for a unit: its report this round, or its last round's."""
        draft = self.load_draft(assignment_id)
        self.draft = draft
        self._filling = True
        try:
            f = draft.fields
            self.progress_text.setPlainText(f.get("progress_text") or "")
            self.percent.set_percent(f.get("percent"))
            i = self.status_box.findData(f.get("reported_status"))
            self.status_box.setCurrentIndex(max(i, 0))
            self.problems.setPlainText(f.get("problems") or "")
            self.next_steps.setPlainText(f.get("next_steps") or "")
            self.reporter.setText(f.get("reporter") or "")
            self.phone.setText(f.get("phone") or "")
            for _ in self.indicator_inputs:
                self.form.removeRow(self.indicator_row)
            self.indicator_inputs = {}
            for offset, ind in enumerate(draft.indicators):
                value = draft.indicator_values.get(ind["id"])
                edit = QLineEdit("" if value is None else f"{value:g}")
                unit = ind["measure_unit"] or ""
                bound = "不超过" if ind["direction"] == "at_most" else "目标"
                edit.setPlaceholderText(f"{bound} {ind['target_value']:g}{unit}")
                edit.textChanged.connect(self.check)
                label = f"{ind['name']}（{unit}）" if unit else ind["name"]
                self.form.insertRow(self.indicator_row + offset, label, edit)
                self.indicator_inputs[ind["id"]] = (edit, ind)
        finally:
            self._filling = False
        self.origin.setText(self._origin_text(draft))
        self.check()

    @staticmethod
    def _origin_text(draft: ReportDraft) -> str:
        if draft.prefilled_from == "current":
            text = f"已显示{draft.unit}本轮（{draft.round_id}）报送的内容，改动后点“保存”。"
            if draft.review == "returned":
                text += f"\n该填报已退回：{draft.review_comment or ''}，保存后重新进入待审核。"
            return text
        if draft.prefilled_from:
            return (
                f"{draft.unit}本轮（{draft.round_id}）还没有报送，已带入上一轮（{draft.prefilled_from}）的内容，"
                "请按本轮情况逐项修改。"
            )
        return f"{draft.unit}本轮（{draft.round_id}）还没有报送，上一轮也没有可参考的内容。"

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill fields as a user would type them (tests use this).

        Keys: ``unit`` (an assignment id), the report fields, and ``indicators`` ({indicator id: text}).
        """
        if "unit" in values:
            self.unit_box.setCurrentIndex(self.unit_box.findData(values["unit"]))
        texts = {"progress_text": self.progress_text, "problems": self.problems, "next_steps": self.next_steps}
        lines = {"reporter": self.reporter, "phone": self.phone}
        for key, value in values.items():
            if key in texts:
                texts[key].setPlainText(value or "")
            elif key in lines:
                lines[key].setText(value or "")
            elif key == "percent":
                self.percent.set_percent(value)
            elif key == "reported_status":
                self.status_box.setCurrentIndex(max(self.status_box.findData(value), 0))
            elif key == "indicators":
                for ind_id, text in value.items():
                    self.indicator_inputs[ind_id][0].setText(text)
        self.check()

    # -- reading and checking --------------------------------------------------------------------
    def assignment_id(self) -> int:
        """The unit's assignment the form is for."""
        return self.unit_box.currentData()

    def fields(self) -> dict[str, Any]:
        """The report fields as typed (blank text is None)."""
        return {
            "progress_text": self.progress_text.toPlainText().strip() or None,
            "percent": self.percent.percent(),
            "reported_status": self.status_box.currentData(),
            "problems": self.problems.toPlainText().strip() or None,
            "next_steps": self.next_steps.toPlainText().strip() or None,
            "reporter": self.reporter.text().strip() or None,
            "phone": self.phone.text().strip() or None,
        }

    def indicator_values(self) -> tuple[dict[int, float | None], list[str]]:
        """Indicator actuals as typed, and what cannot be read as a number."""
        values: dict[int, float | None] = {}
        problems: list[str] = []
        for ind_id, (edit, ind) in self.indicator_inputs.items():
            try:
                values[ind_id] = parse_indicator_value(edit.text(), ind["name"], ind["measure_unit"])
                edit.setStyleSheet("")
            except DubanError as exc:
                problems.append(str(exc))
                edit.setStyleSheet("background: #fdecea")
        return values, problems

    def problems_found(self) -> list[str]:
        """Everything that keeps the form from being saved."""
        _values, problems = self.indicator_values()
        return check_typed_report(self.fields()) + problems

    def check(self) -> None:
        """Validate as the clerk types: 保存 is usable only when the report can be saved."""
        if self._filling:
            return
        problems = self.problems_found()
        self.ok_button.setEnabled(not problems)
        self.problem_label.setText("\n".join(problems))

    def accept(self) -> None:  # noqa: D102
        if not self.problems_found():
            super().accept()
