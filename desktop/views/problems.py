"""问题清单: problems raised by units, assigned (交办) and closed (销号), with the closure rate."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop import undo
from desktop.dialogs import common as ask
from desktop.dialogs import forms
from desktop.models.base import RecordRole
from desktop.models.problems import ProblemFilterProxy, ProblemTableModel, load_problem_rows
from desktop.views.common import button, button_row, heading, make_table, selected_record


class ProblemsPage(QWidget):
    """The problem list with filters by unit, state and round."""

    title = "问题清单"
    areas = {"problems", "units", "rounds"}

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.model = ProblemTableModel(self)
        self.proxy = ProblemFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.unit_box = QComboBox()
        self.state_box = QComboBox()
        self.round_box = QComboBox()
        for text, value in (("全部", ""), ("未销号", "open"), ("已销号", "closed")):
            self.state_box.addItem(text, value)
        self.unit_box.currentIndexChanged.connect(lambda: self.proxy.set_filter(unit=self.unit_box.currentData() or ""))
        self.state_box.currentIndexChanged.connect(
            lambda: self.proxy.set_filter(state=self.state_box.currentData() or "")
        )
        self.round_box.currentIndexChanged.connect(
            lambda: self.proxy.set_filter(round_id=self.round_box.currentData() or "")
        )
        self.rate_label = QLabel()
        self.rate_label.setObjectName("closureRate")
        filters = QHBoxLayout()
        for label, box in (("单位", self.unit_box), ("状态", self.state_box), ("轮次", self.round_box)):
            filters.addWidget(QLabel(label))
            filters.addWidget(box)
        filters.addStretch(1)
        filters.addWidget(self.rate_label)
        m = ProblemTableModel
        # The problem takes the rest of the width; it, the key work's title and the note wrap.
        self.table = make_table(
            self.proxy,
            stretch_column=m.COL_TEXT,
            widths={m.COL_KEY_WORK: 9, m.COL_NOTE: 9},
            wrap_columns=(m.COL_TEXT, m.COL_KEY_WORK, m.COL_NOTE),
            name="problems",
        )
        self.table.setObjectName("problemsTable")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("问题清单"))
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(button_row(button("交办…", self.assign_problem), button("销号…", self.close_problem)))
        # Loaded by the window when first shown (MainWindow.show_page).

    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def reload(self, areas: set[str] | None = None) -> None:
        """Re-read the problems and the closure rate."""
        from db.problems import problem_figures, problem_unit_names
        from db.rounds import rounds_newest_first

        for box, values, all_label in (
            (self.unit_box, problem_unit_names(self.db), "全部单位"),
            (self.round_box, [r["id"] for r in rounds_newest_first(self.db)], "全部轮次"),
        ):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(all_label, "")
            for value in values:
                box.addItem(value, value)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)
        self.model.set_records(load_problem_rows(self.db))
        self.proxy.set_filter(unit=self.unit_box.currentData() or "", round_id=self.round_box.currentData() or "")
        f = problem_figures(self.db)
        rate = "—" if f["rate"] is None else f"{f['rate']:g}%"
        self.rate_label.setText(f"共 {f['raised']} 个问题，已销号 {f['closed']} 个，化解率 {rate}")

    def selected(self) -> dict | None:
        """The selected problem."""
        return selected_record(self.table, RecordRole)

    def assign_problem(self) -> None:
        """交办 the selected problem to someone."""
        rec = self.selected()
        if rec is None:
            ask.show_error(self, "请先选中一个问题。", "未选中")
            return
        dialog = forms.text_form(self, "交办", "交办给", intro=rec["text"], default=rec["assignee"] or "")
        if ask.run_dialog(dialog):
            self.session.execute(undo.AssignProblem(self.session, rec["id"], dialog.value("text")))

    def close_problem(self) -> None:
        """销号 the selected problem with a note and a date."""
        rec = self.selected()
        if rec is None:
            ask.show_error(self, "请先选中一个问题。", "未选中")
            return
        if rec["state"] == "closed":
            ask.show_error(self, "该问题已经销号。")
            return
        dialog = forms.close_problem_form(self)
        if ask.run_dialog(dialog):
            v = dialog.values()
            self.session.execute(undo.CloseProblem(self.session, rec["id"], v["note"], v["closed_on"]))
