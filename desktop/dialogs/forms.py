"""A form dialog built from a list of fields, and the forms the pages use.

Tab order follows the order of the fields; 确定 stays disabled until every required
field has a value, and the reason is shown in the dialog itself (no second pop-up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
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


@dataclass
class Field:
    """One input of a form.

    ``kind`` is ``text``, ``lines`` (one item per line), ``multiline``, ``choice``
    (options only), ``editable`` (options or typed), ``number`` or ``date``.
    """

    key: str
    label: str
    kind: str = "text"
    options: list[tuple[str, Any]] = field(default_factory=list)
    default: Any = None
    required: bool = False
    hint: str = ""


class FormDialog(QDialog):
    """A dialog with one row per :class:`Field`; :meth:`values` returns what was entered."""

    def __init__(self, title: str, fields: list[Field], parent: QWidget | None = None, intro: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields = fields
        self.inputs: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        form = QFormLayout()
        layout.addLayout(form)
        for f in fields:
            widget = self._make_input(f)
            self.inputs[f.key] = widget
            label = f.label + ("（必填）" if f.required else "")
            form.addRow(label, widget)
            if f.hint:
                widget.setToolTip(f.hint)
                if isinstance(widget, QLineEdit):
                    widget.setPlaceholderText(f.hint)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())
        self._check()

    def _make_input(self, f: Field) -> QWidget:
        if f.kind in ("choice", "editable"):
            box = QComboBox()
            box.setEditable(f.kind == "editable")
            for text, value in f.options:
                box.addItem(text, value)
            if f.default is not None:
                i = box.findData(f.default)
                if i < 0:
                    i = box.findText(str(f.default))
                if i >= 0:
                    box.setCurrentIndex(i)
                elif f.kind == "editable":
                    box.setEditText(str(f.default))
            box.currentTextChanged.connect(self._check)
            return box
        if f.kind in ("multiline", "lines"):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(70)
            if f.default:
                edit.setPlainText("\n".join(f.default) if isinstance(f.default, list | tuple) else str(f.default))
            edit.textChanged.connect(self._check)
            return edit
        if f.kind == "number":
            spin = QDoubleSpinBox()
            spin.setRange(-1e12, 1e12)
            spin.setDecimals(2)
            spin.setValue(float(f.default or 0))
            return spin
        if f.kind == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            d = f.default or date.today()
            edit.setDate(
                QDate(d.year, d.month, d.day) if isinstance(d, date) else QDate.fromString(str(d), "yyyy-MM-dd")
            )
            return edit
        line = QLineEdit("" if f.default is None else str(f.default))
        line.textChanged.connect(self._check)
        return line

    def value(self, key: str) -> Any:
        """Return one field's value (stripped text, list of lines, number or ISO date)."""
        f = next(f for f in self.fields if f.key == key)
        widget = self.inputs[key]
        if isinstance(widget, QComboBox):
            text = widget.currentText().strip()
            if f.kind == "editable":
                i = widget.findText(text)
                return widget.itemData(i) if i >= 0 and widget.itemData(i) is not None else text
            return widget.currentData() if widget.currentData() is not None else text
        if isinstance(widget, QPlainTextEdit):
            text = widget.toPlainText()
            if f.kind == "lines":
                return [line.strip() for line in text.splitlines() if line.strip()]
            return text.strip()
        if isinstance(widget, QDoubleSpinBox):
            return widget.value()
        if isinstance(widget, QDateEdit):
            return widget.date().toString("yyyy-MM-dd")
        return widget.text().strip()

    def values(self) -> dict[str, Any]:
        """Return every field's value by key."""
        return {f.key: self.value(f.key) for f in self.fields}

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill fields as a user would type them (used by tests and by 编辑 forms)."""
        for key, value in values.items():
            widget = self.inputs[key]
            if isinstance(widget, QComboBox):
                i = widget.findData(value)
                if i < 0:
                    i = widget.findText(str(value))
                if i >= 0:
                    widget.setCurrentIndex(i)
                else:
                    widget.setEditText(str(value))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText("\n".join(value) if isinstance(value, list | tuple) else str(value))
            elif isinstance(widget, QDoubleSpinBox):
                widget.setValue(float(value))
            elif isinstance(widget, QDateEdit):
                widget.setDate(QDate.fromString(str(value), "yyyy-MM-dd"))
            else:
                widget.setText(str(value))
        self._check()

    def missing(self) -> list[str]:
        """Return the labels of required fields that are still empty."""
        return [f.label for f in self.fields if f.required and self.value(f.key) in ("", None, [])]

    def _check(self) -> None:
        missing = self.missing()
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not missing)
        self.problem.setText(f"请填写：{'、'.join(missing)}" if missing else "")

    def accept(self) -> None:  # noqa: D102
        if not self.missing():
            super().accept()


def key_work_form(parent, categories: list[str], current: dict | None = None) -> FormDialog:
    """The form for a new or edited key work."""
    cur = current or {}
    return FormDialog(
        "编辑重点工作" if current else "新增重点工作",
        [
            Field("number", "编号", required=True, default=cur.get("number"), hint="如 12 或 3-2"),
            Field("category", "总体任务", "editable", [(c, c) for c in categories], default=cur.get("category")),
            Field("title", "重点工作", required=True, default=cur.get("title")),
            Field(
                "period_phrase",
                "实施阶段 / 时间节点",
                default=cur.get("period_phrase"),
                hint="如 2024年、2023-2027年、6月底前、长期实施",
            ),
            Field("targets", "目标（每行一条）", "lines", default=cur.get("targets")),
            Field("measures", "落实举措（每行一条）", "lines", default=cur.get("measures")),
            Field("note", "备注", default=cur.get("note")),
        ],
        parent,
    )


def assign_form(parent, units: list[tuple[str, int]], current: dict | None = None) -> FormDialog:
    """The form that gives a unit a role on a key work."""
    cur = current or {}
    return FormDialog(
        "分工",
        [
            Field("unit_id", "单位", "choice", units, default=cur.get("unit_id"), required=True),
            Field(
                "role",
                "分工",
                "choice",
                [("牵头", "牵头"), ("责任", "责任"), ("配合", "配合")],
                default=cur.get("role", "责任"),
            ),
            Field("leader", "分管领导", default=cur.get("leader")),
            Field("liaison", "联络员", default=cur.get("liaison")),
        ],
        parent,
    )


def milestone_form(parent) -> FormDialog:
    """The form for a new milestone (时间节点)."""
    return FormDialog(
        "新增时间节点",
        [
            Field("phrase", "时间节点", required=True, hint="如 6月底前、2024年9月30日前、年底前"),
            Field("text", "要完成的事项"),
        ],
        parent,
        intro="写法同文件原文即可，程序会换算成日期；看不懂的写法会标出来，请在台账里核对。",
    )


def indicator_form(parent) -> FormDialog:
    """The form for a new quantitative indicator."""
    return FormDialog(
        "新增量化指标",
        [
            Field("name", "指标名称", required=True, hint="如 新增个转企"),
            Field("target_value", "目标值", "number"),
            Field("measure_unit", "计量单位", hint="如 户、%、亿元"),
            Field(
                "direction", "方向", "choice", [("不少于（越多越好）", "at_least"), ("不超过（越少越好）", "at_most")]
            ),
        ],
        parent,
    )


def unit_form(parent, current: dict | None = None) -> FormDialog:
    """The form for a new or edited unit."""
    cur = current or {}
    return FormDialog(
        "编辑单位" if current else "新增单位",
        [
            Field("name", "单位名称", required=True, default=cur.get("name")),
            Field(
                "kind",
                "类型",
                "choice",
                [("部门", "部门"), ("乡镇街道", "乡镇街道"), ("其他", "其他")],
                default=cur.get("kind", "部门"),
            ),
            Field("contact", "联系人", default=cur.get("contact")),
            Field("phone", "电话", default=cur.get("phone")),
        ],
        parent,
    )


def text_form(
    parent, title: str, label: str, intro: str = "", default: str = "", multiline: bool = False
) -> FormDialog:
    """A one-question form (an alias, a comment, a name)."""
    return FormDialog(
        title,
        [Field("text", label, "multiline" if multiline else "text", default=default, required=True)],
        parent,
        intro=intro,
    )


def close_problem_form(parent) -> FormDialog:
    """The form to close (销号) a problem."""
    return FormDialog(
        "问题销号",
        [Field("note", "办结说明", "multiline", required=True), Field("closed_on", "销号日期", "date")],
        parent,
    )


def open_round_form(parent, suggested: str) -> FormDialog:
    """The form to open a reporting round."""
    return FormDialog(
        "开启新轮次",
        [
            Field(
                "round_id",
                "轮次编号",
                required=True,
                default=suggested,
                hint="2024Q3＝季度，2024H1＝半年，2024Y＝年度，2024S1＝专项",
            )
        ],
        parent,
        intro="截止日期默认是季末（或半年末、年末），报送期限默认是截止日后 10 天。",
    )


def merge_form(parent, units: list[tuple[str, int]]) -> FormDialog:
    """Choose which unit to keep and which one to merge into it."""
    return FormDialog(
        "合并单位",
        [
            Field("merge_id", "并入（将被合并）", "choice", units, required=True),
            Field("keep_id", "保留的单位", "choice", units, required=True),
        ],
        parent,
        intro="被合并单位的分工、问题和名称都会转到保留的单位，原名称作为别名保留。可以用 Ctrl+Z 撤销。",
    )
