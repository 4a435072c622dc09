"""填报轮次: open and close rounds, the return board, review per unit, handoffs and returns."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from db.review import reports_to_review
from db.rounds import rounds_newest_first, suggest_next_round
from desktop import undo
from desktop.dialogs import common as ask
from desktop.dialogs import forms
from desktop.models.base import RecordRole
from desktop.models.rounds import RoundBoardModel, RoundTableModel, load_board_rows
from desktop.views.common import button, button_row, heading, hint, make_table, selected_record


class RoundsPage(QWidget):
    """Rounds on the left, the selected round's board on the right."""

    title = "填报轮次"
    areas = {"rounds", "units", "tasks"}

    def __init__(self, session, window=None, parent=None):
        super().__init__(parent)
        self.session = session
        self.window_ = window
        self.rounds_model = RoundTableModel(self)
        self.rounds_table = make_table(self.rounds_model, name="rounds")
        self.rounds_table.setObjectName("roundsTable")
        # Kind and due date of the selected round stand above the board; the list stays narrow.
        for column in (RoundTableModel.COL_KIND, RoundTableModel.COL_DUE):
            self.rounds_table.setColumnHidden(column, True)
        self.rounds_table.setSortingEnabled(False)
        self.rounds_table.selectionModel().currentRowChanged.connect(lambda *_: self.show_board())
        self.board_model = RoundBoardModel(self)

        from desktop.models.base import SortRole, SourceSortingProxy

        self.board_proxy = SourceSortingProxy(self)
        self.board_proxy.setSourceModel(self.board_model)
        self.board_proxy.setSortRole(SortRole)
        self.board_table = make_table(self.board_proxy, name="board")
        self.board_table.setObjectName("boardTable")
        self.board_table.horizontalHeader().setStretchLastSection(True)
        # 部门 or 乡镇街道 reads from the name and the order (departments first); on a laptop the
        # column would push 返回时间 and 逾期 out of sight. The unit's tooltip says it.
        self.board_table.setColumnHidden(RoundBoardModel.COL_KIND, True)
        self.board_title = QLabel()
        self.board_summary = QLabel()

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(heading("填报轮次"))
        lv.addWidget(self.rounds_table, 1)
        # Two short rows: the round list is only as wide as its columns, the board gets the rest.
        lv.addWidget(button_row(button("开启新轮次…", self.open_round)))
        lv.addWidget(button_row(button("关闭轮次", self.close_round), button("重新打开", self.reopen_round)))
        steps = [
            "① 开启轮次",
            "② 导出填报表发给各单位",
            "③ 把收回的表拖进窗口（或点“导入回收表”）",
            "④ 逐个单位采纳或退回",
            "⑤ 全部采纳后关闭轮次（数据冻结）",
        ]
        lv.addWidget(hint("\n".join(steps)))

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.board_title)
        rv.addWidget(self.board_summary)
        rv.addWidget(self.board_table, 1)
        review = [button("采纳该单位的填报", self.accept_unit), button("退回修改…", self.return_unit)]
        exchange = [
            button("导出填报表…", self.export_handoffs),
            button("导入回收表…", self.import_returns_dialog),
            button("撤销导入批次…", self.undo_batch),
        ]
        rv.addWidget(button_row(*review, *exchange))

        splitter = self.splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        # The board gets the width; the round list keeps what it needs when the window grows.
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self._left = left
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        # Loaded by the window when first shown (MainWindow.show_page).

    def showEvent(self, event) -> None:  # noqa: D102, N802
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            total = sum(self.splitter.sizes())
            left = min(self.rounds_list_width(), total // 2)
            self.splitter.setSizes([left, total - left])

    def rounds_list_width(self) -> int:
        """What the round list needs: every column of the rounds table, or its buttons if wider."""
        table = self.rounds_table
        header = table.horizontalHeader()
        columns = sum(header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c))
        table_width = columns + 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width()
        buttons = max(self._left.layout().itemAt(i).widget().sizeHint().width() for i in (2, 3))
        return max(table_width, buttons)

    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def reload(self, areas: set[str] | None = None) -> None:
        """Re-read rounds and the board, keeping the selected round."""
        keep = self.selected_round_id()
        rounds = rounds_newest_first(self.db)
        self.rounds_model.set_records(rounds)
        row = self.rounds_model.row_of_id(keep) if keep else None
        if row is None and rounds:
            row = next((i for i, r in enumerate(rounds) if r["state"] == "open"), 0)
        if row is not None:
            self.rounds_table.selectRow(row)
        self.show_board()

    def selected_round(self) -> dict | None:
        """The selected round's row."""
        return selected_record(self.rounds_table, RecordRole)

    def selected_round_id(self) -> str | None:
        """The selected round's id."""
        rnd = self.selected_round()
        return rnd["id"] if rnd else None

    def select_round(self, round_id: str) -> None:
        """Select a round in the list."""
        row = self.rounds_model.row_of_id(round_id)
        if row is not None:
            self.rounds_table.selectRow(row)

    def show_board(self) -> None:
        """Fill the board for the selected round."""
        rnd = self.selected_round()
        if rnd is None:
            self.board_model.set_records([])
            self.board_title.setText("还没有填报轮次。点“开启新轮次…”开始第一轮。")
            self.board_summary.clear()
            return
        rows = load_board_rows(self.db, rnd["id"])
        self.board_model.set_records(rows)
        state = "进行中" if rnd["state"] == "open" else "已关闭（数据已冻结）"
        self.board_title.setText(
            f"<b>{rnd['id']}</b>　{rnd['kind']}　截止 {rnd['cutoff']}　报送期限 {rnd['due_date'] or '—'}　{state}"
        )
        done = sum(1 for r in rows if r["missing"] == 0)
        late = sum(1 for r in rows if r["late"])
        returned = sum(1 for r in rows if r["sent_back"])
        pending = sum(1 for r in rows if r["pending"])
        self.board_summary.setText(
            f"{len(rows)} 个单位：已报齐 {done}，未报齐 {len(rows) - done}，逾期 {late}，"
            f"待审核 {pending}，已退回 {returned}"
        )

    def selected_unit(self) -> dict | None:
        """The selected unit row of the board."""
        return selected_record(self.board_table, RecordRole)

    # -- rounds --------------------------------------------------------------------------------
    def open_round(self) -> None:
        """Open a new round."""
        dialog = forms.open_round_form(self, suggest_next_round(self.db))
        if ask.run_dialog(dialog):
            round_id = dialog.value("round_id").upper()
            if self.session.execute(undo.OpenRound(self.session, round_id)):
                self.select_round(round_id)

    def close_round(self) -> None:
        """Close the selected round after confirmation."""
        rnd = self.selected_round()
        if rnd is None or rnd["state"] != "open":
            ask.show_error(self, "请先选中一个进行中的轮次。", "无法关闭")
            return
        missing = sum(r["missing"] for r in self.board_model.rows)
        pending = sum(r["pending"] for r in self.board_model.rows)
        warn = ""
        if missing or pending:
            warn = f"\n注意：还有 {missing} 条分工未报送，{pending} 条填报未审核。"
        if ask.confirm(self, f"关闭轮次 {rnd['id']}？关闭后本轮数据冻结，通报数字不再变化。{warn}", "关闭轮次", "关闭"):
            self.session.execute(undo.CloseRound(self.session, rnd["id"]))

    def reopen_round(self) -> None:
        """Re-open the selected closed round (logged)."""
        rnd = self.selected_round()
        if rnd is None or rnd["state"] != "closed":
            ask.show_error(self, "请先选中一个已关闭的轮次。", "无法重新打开")
            return
        if ask.confirm(self, f"重新打开轮次 {rnd['id']}？冻结的数据将解冻，此操作会记入日志。", "重新打开", "重新打开"):
            self.session.execute(undo.CloseRound(self.session, rnd["id"], reopen=True))

    # -- review ---------------------------------------------------------------------------------
    def accept_unit(self) -> None:
        """Accept every pending report of the selected unit in this round."""
        rnd, unit = self.selected_round(), self.selected_unit()
        if rnd is None or unit is None:
            ask.show_error(self, "请先在右边的表格里选中一个单位。", "未选中")
            return
        ids = reports_to_review(self.db, rnd["id"], unit["id"], "accepted")
        if not ids:
            ask.show_error(self, f"{unit['unit']}在 {rnd['id']} 没有待审核的填报。")
            return
        self.session.execute(undo.ReviewReports(self.session, ids, "accepted", None, unit["unit"]))

    def return_unit(self) -> None:
        """Send the selected unit's reports back (退回) with a comment it will see."""
        rnd, unit = self.selected_round(), self.selected_unit()
        if rnd is None or unit is None:
            ask.show_error(self, "请先在右边的表格里选中一个单位。", "未选中")
            return
        ids = reports_to_review(self.db, rnd["id"], unit["id"], "returned")
        if not ids:
            ask.show_error(self, f"{unit['unit']}在 {rnd['id']} 还没有填报，无需退回；请催报。")
            return
        dialog = forms.text_form(
            self,
            "退回修改",
            "退回意见",
            multiline=True,
            intro=f"把{unit['unit']}在 {rnd['id']} 的 {len(ids)} 条填报退回修改。意见会写进下一次导出的填报表。",
        )
        if ask.run_dialog(dialog):
            self.session.execute(undo.ReviewReports(self.session, ids, "returned", dialog.value("text"), unit["unit"]))

    # -- exchange (issue 4) ----------------------------------------------------------------------
    def export_handoffs(self) -> None:
        """Write handoff workbooks for all or chosen units into a folder."""
        from desktop.dialogs.exchange import choose_units

        rnd = self.selected_round()
        if rnd is None or rnd["state"] != "open":
            ask.show_error(self, "请先选中一个进行中的轮次。", "无法导出")
            return
        unit_ids = choose_units(
            self, self.db, rnd["id"], [r["id"] for r in self.board_model.rows if r["missing"] or r["sent_back"]]
        )
        if not unit_ids:
            return
        folder = ask.choose_folder(self, "把填报表保存到哪个文件夹？", "handoffs")
        if not folder:
            return
        from reports.exchange.handoff import export_handoff

        round_id = rnd["id"]

        def work(db, progress):
            return export_handoff(db, round_id, unit_ids, Path(folder), progress=progress)

        def done(result) -> None:
            self.session.notify("rounds")
            count = len(result) if isinstance(result, list | tuple | dict) else len(unit_ids)
            ask.show_info(self, f"已为 {count} 个单位导出填报表到：\n{folder}\n请把文件发给各单位填写。", "导出完成")

        self.window_.run_job("导出填报表", work, done)

    def import_returns_dialog(self) -> None:
        """Pick returned workbooks (or a .zip) and import them."""
        from reports.filetypes import RETURN_SUFFIXES, dialog_filter

        files = ask.choose_open_files(self, "选择收回的填报表", "returns", dialog_filter("填报表", RETURN_SUFFIXES))
        if files:
            self.import_returns([Path(f) for f in files])

    def import_returns(self, paths: list[Path]) -> None:
        """Preview returned workbooks in a worker, then apply them after the clerk agrees."""
        from desktop.dialogs.exchange import expand_drop

        paths = expand_drop(paths)
        if not paths:
            ask.show_error(self, "没有找到 .xlsx 或 .zip 填报表。请拖入收回的 Excel 文件、含这些文件的文件夹或压缩包。")
            return
        from reports.exchange.importing import preview_returns

        def work(db, progress):
            return preview_returns(db, paths, progress=progress)

        self.window_.run_job("检查回收表", work, lambda preview: self._confirm_import(paths, preview))

    def _confirm_import(self, paths: list[Path], preview) -> None:
        from db.tasks import indicator_names
        from desktop.dialogs.exchange import PreviewDialog

        names = indicator_names(self.db)
        dialog = PreviewDialog(preview, self, indicator_names=names)
        if not ask.run_dialog(dialog):
            return
        force = dialog.force()
        from reports.exchange.importing import import_returns

        # import_returns writes the automatic backup itself, just before its first change.
        ledger = self.session.path

        def work(db, progress):
            return import_returns(db, paths, force=force, ledger_path=ledger, progress=progress)

        def done(result) -> None:
            self.session.undo_stack.clear()
            self.session.notify()
            ask.show_info(self, _import_summary(result), "导入结果")

        self.window_.run_job("导入回收表", work, done)

    def undo_batch(self) -> None:
        """Undo one import batch (its reports go back to what they were)."""
        from db.import_batches import list_batches, undo_import
        from desktop.dialogs.exchange import choose_batch

        batch_id = choose_batch(self, list_batches(self.db))
        if batch_id is None:
            return
        if not ask.confirm(self, "撤销这个导入批次？它写入的填报将恢复为导入前的内容。", "撤销导入批次", "撤销"):
            return
        from db.errors import DubanError
        from db.ledger import backup_before

        try:
            # A refused undo leaves no backup behind (backup_before drops it again).
            with backup_before(self.db, self.session.path, "before-undo-import"):
                undo_import(self.db, batch_id)
        except DubanError as exc:
            ask.show_error(self, str(exc))
            return
        self.session.undo_stack.clear()
        self.session.notify()
        ask.show_info(self, "已撤销该导入批次。", "撤销完成")


def _import_summary(results) -> str:
    """One line per imported file: what was written, or why not."""
    from desktop.dialogs.exchange import file_verdict

    lines = []
    for p in results or []:
        if p.applied:
            counts = p.counts
            lines.append(
                f"{p.file_name}：已导入（批次 {p.batch_id}），新增 {counts['new']} 条，修改 {counts['changed']} 条"
                + (f"，新问题 {p.problems_added} 个" if p.problems_added else "")
            )
        else:
            lines.append(f"{p.file_name}：{file_verdict(p)[0]}")
    return "\n".join(lines[:40]) or "没有可导入的文件。"
