"""单位: the unit registry — add, edit, aliases, merge."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from db.text import name_key
from desktop import undo
from desktop.dialogs import common as ask
from desktop.dialogs import forms
from desktop.models.base import RecordRole, SortRole, SourceSortingProxy
from desktop.models.units import UnitTableModel, load_unit_rows
from desktop.views.common import button, button_row, heading, hint, make_table, selected_record


class UnitsPage(QWidget):
    """Units with their aliases; merging two names of one office."""

    title = "单位"
    areas = {"units"}

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.model = UnitTableModel(self)
        self.proxy = SourceSortingProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.proxy.setFilterKeyColumn(-1)
        self.search = QLineEdit()
        self.search.setPlaceholderText("按名称、别名或联系人筛选")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = make_table(
            self.proxy,
            stretch_column=UnitTableModel.COL_ALIASES,
            # Full names (县自然资源和规划局) and phone numbers fit their content; aliases wrap.
            wrap_columns=(UnitTableModel.COL_ALIASES,),
            name="units",
        )
        self.table.setObjectName("unitsTable")
        self.table.doubleClicked.connect(lambda *_: self.edit_unit())
        layout = QVBoxLayout(self)
        layout.addWidget(heading("单位"))
        layout.addWidget(
            hint(
                "同一个单位在不同文件里写法不同（如“市经信局”和“市经济和信息化局”）时，给它加别名；"
                "已经被当成两个单位登记的，用“合并单位”。每一步都可以 Ctrl+Z 撤销。"
            )
        )
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(
            button_row(
                button("新增单位", self.add_unit),
                button("编辑", self.edit_unit),
                button("添加别名…", self.add_alias),
                button("合并单位…", self.merge_units),
            )
        )
        # Loaded by the window when first shown (MainWindow.show_page).

    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def reload(self, areas: set[str] | None = None) -> None:
        """Re-read the units."""
        self.model.set_records(load_unit_rows(self.db))

    def selected(self) -> dict | None:
        """The selected unit's record."""
        return selected_record(self.table, RecordRole)

    def add_unit(self) -> None:
        """Register a new unit."""
        dialog = forms.unit_form(self)
        if not ask.run_dialog(dialog):
            return
        v = dialog.values()

        def create() -> int:
            from db.units import add_unit

            return add_unit(self.db, v["name"], v["kind"], v["contact"] or None, v["phone"] or None, undo.SOURCE)

        self.session.execute(undo.InsertRow(self.session, f"新增单位“{v['name']}”", "units", create, areas=("units",)))

    def edit_unit(self) -> None:
        """Change the selected unit's name, kind or contact."""
        rec = self.selected()
        if rec is None:
            ask.show_error(self, "请先选中一个单位。", "未选中")
            return
        dialog = forms.unit_form(self, rec)
        if not ask.run_dialog(dialog):
            return
        from db.units import clean_unit_name, find_unit

        v = dialog.values()
        name = clean_unit_name(v["name"])
        holder = find_unit(self.db, name)
        if holder is not None and holder != rec["id"]:
            ask.show_error(self, f"“{name}”已经是另一个单位（或它的别名），不能重名；如确为同一单位，请用“合并单位”。")
            return
        changes = {
            "name": name,
            "name_key": name_key(name),
            "kind": v["kind"],
            "contact": v["contact"] or None,
            "phone": v["phone"] or None,
        }
        self.session.execute(
            undo.UpdateRow(self.session, f"编辑单位“{name}”", "units", rec["id"], changes, areas=("units", "tasks"))
        )

    def add_alias(self) -> None:
        """Add another name for the selected unit."""
        rec = self.selected()
        if rec is None:
            ask.show_error(self, "请先选中一个单位。", "未选中")
            return
        dialog = forms.text_form(self, "添加别名", "别名", intro=f"“{rec['name']}”在文件里还可能写作：")
        if ask.run_dialog(dialog):
            self.session.execute(undo.AddAlias(self.session, rec["id"], dialog.value("text")))

    def merge_units(self) -> None:
        """Merge one unit into another."""
        from db.units import units_in_order

        units = units_in_order(self.db, townships_last=False)
        dialog = forms.merge_form(self, units)
        rec = self.selected()
        if rec:
            dialog.set_values({"merge_id": rec["id"]})
        if not ask.run_dialog(dialog):
            return
        v = dialog.values()
        if v["keep_id"] == v["merge_id"]:
            ask.show_error(self, "请选择两个不同的单位。")
            return
        self.session.execute(undo.MergeUnits(self.session, v["keep_id"], v["merge_id"]))
