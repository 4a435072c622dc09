"""台账: the task table with instant filters, the detail pane, and key-work editing."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from db.errors import DubanError
from db.report_fields import REPORT_FIELD_LABELS
from db.rounds import rounds_newest_first
from db.tasks import (
    assignments_of,
    category_titles,
    key_work_reports,
    latest_indicator_value,
    open_milestones,
    plan_for_new_key_work,
    plan_year,
)
from db.units import units_in_order
from desktop import undo
from desktop.dialogs import common as ask
from desktop.dialogs import forms
from desktop.models.base import LIGHT_COLOURS, RecordRole, pct_text
from desktop.models.tasks import KeyWorkFilterProxy, KeyWorkTableModel, load_key_work_rows
from desktop.views.common import button, button_row, esc, make_table

NO_ROUND = "（不按轮次判断）"


class LedgerPage(QWidget):
    """The ledger: filter, pick a key work, read everything about it, edit it."""

    title = "台账"
    areas = {"tasks", "units", "rounds"}

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.model = KeyWorkTableModel(self)
        self.proxy = KeyWorkFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText("输入编号、工作名称或单位筛选（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self._filter(self.proxy.set_text, text))
        self.category_box = QComboBox()
        self.unit_box = QComboBox()
        self.light_box = QComboBox()
        self.round_box = QComboBox()
        self.light_box.addItem("全部亮灯", "")
        for light in ("红", "黄", "绿", "灰"):
            self.light_box.addItem(f"{light}灯", light)
        self.category_box.currentIndexChanged.connect(
            lambda: self._filter(self.proxy.set_category, self.category_box.currentData() or "")
        )
        self.unit_box.currentIndexChanged.connect(
            lambda: self._filter(self.proxy.set_unit, self.unit_box.currentData() or "")
        )
        self.light_box.currentIndexChanged.connect(
            lambda: self._filter(self.proxy.set_light, self.light_box.currentData() or "")
        )
        self.round_box.currentIndexChanged.connect(self._round_changed)
        # “2024Q3（进行中）” in full: whether the round is still open decides what can be typed.
        self.round_box.setMinimumWidth(self.round_box.fontMetrics().horizontalAdvance("2024Q3（进行中）") + 40)
        self.count_label = QLabel()

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for label, box in (
            ("总体任务", self.category_box),
            ("单位", self.unit_box),
            ("亮灯", self.light_box),
            ("轮次", self.round_box),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(box, 1)
        filters.addWidget(self.count_label)

        m = KeyWorkTableModel
        # Names, status and the two percentages fit their content; the title takes the rest
        # (in full in its tooltip and the detail pane), category and unit lists are capped.
        self.table = make_table(
            self.proxy,
            stretch_column=m.COL_TITLE,
            widths={m.COL_CATEGORY: 6, m.COL_UNITS: 6},
            name="ledger",
        )
        self.table.setObjectName("ledgerTable")
        # The detail pane waits until typing pauses: its queries must not slow each keystroke.
        self.detail_timer = QTimer(self)
        self.detail_timer.setSingleShot(True)
        self.detail_timer.setInterval(150)
        self.detail_timer.timeout.connect(self._detail_if_changed)
        #: The key work the detail pane shows (None: the hint).
        self.shown_id: int | None = None
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(lambda *_: self.edit_key_work())
        self.table.setContextMenuPolicy(Qt.ActionsContextMenu)
        for text, slot in (
            # The shortcut after a tab is only shown: the window's 编辑 menu owns the key itself.
            ("录入/修改进展…\tCtrl+E", lambda: self.enter_report()),
            ("编辑重点工作…\tF2", self.edit_key_work),
            ("分工…", self.assign_unit),
        ):
            action = QAction(text, self.table)
            action.triggered.connect(lambda *_, slot=slot: slot())
            self.table.addAction(action)

        self.add_btn = button("新增重点工作", self.add_key_work, tip="新增一项重点工作")
        self.edit_btn = button("编辑", self.edit_key_work, tip="修改选中的重点工作（F2 或双击）")
        self.delete_btn = button("删除", self.delete_key_work, tip="删除选中的重点工作（Delete）")
        self.assign_btn = button("分工…", self.assign_unit, tip="给选中的工作增加或修改责任单位")
        self.unassign_btn = button("取消分工…", self.remove_assignment)
        self.milestone_btn = button("时间节点…", self.add_milestone)
        self.indicator_btn = button("量化指标…", self.add_indicator)
        self.milestone_done_btn = button("节点已完成…", self.mark_milestone_done)
        self.report_btn = button(
            "录入/修改进展…",
            lambda: self.enter_report(),
            tip="为选中工作的某个单位录入本轮进展（电话报送），或修改已报内容中的笔误（Ctrl+E）",
        )
        actions = button_row(self.add_btn, self.edit_btn, self.delete_btn)
        detail_actions = QWidget()
        grid = QGridLayout(detail_actions)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, btn in enumerate(
            (
                self.report_btn,
                self.assign_btn,
                self.unassign_btn,
                self.milestone_btn,
                self.milestone_done_btn,
                self.indicator_btn,
            )
        ):
            grid.addWidget(btn, i // 3, i % 3)

        self.overview = QTextBrowser()
        self.overview.setOpenLinks(False)
        self.indicator_box = QWidget()
        self.indicator_layout = QVBoxLayout(self.indicator_box)
        self.indicator_layout.setContentsMargins(4, 0, 4, 4)
        overview_page = QWidget()
        ov = QVBoxLayout(overview_page)
        ov.setContentsMargins(0, 0, 0, 0)
        ov.addWidget(self.overview, 1)
        ov.addWidget(self.indicator_box)
        self.reports_view = QTextBrowser()
        self.reports_view.setObjectName("reportsView")
        # Each unit's line in an open round has a 录入/修改 link (report:<assignment>:<round>).
        self.reports_view.setOpenLinks(False)
        self.reports_view.anchorClicked.connect(self._report_link)
        self.history_view = QTextBrowser()
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(overview_page, "概况")
        self.detail_tabs.addTab(self.reports_view, "各轮填报")
        self.detail_tabs.addTab(self.history_view, "修改记录")

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("ledgerSplitter")
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.table, 1)
        lv.addWidget(actions)
        self.splitter.addWidget(left)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.detail_tabs, 1)
        rv.addWidget(detail_actions)
        self.splitter.addWidget(right)
        #: Set once the splitter has its first real size (or the saved layout was restored).
        self.splitter_sized = False
        #: Splitter sizes remembered from the last session (set by the window).
        self.saved_splitter: list[int] | None = None

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.search, self.category_box)
        self.setTabOrder(self.category_box, self.unit_box)
        self.setTabOrder(self.unit_box, self.light_box)
        self.setTabOrder(self.light_box, self.round_box)
        self.setTabOrder(self.round_box, self.table)
        self._loading = False
        # Loaded by the window when first shown (MainWindow.show_page).

    def showEvent(self, event) -> None:  # noqa: D102, N802
        super().showEvent(event)
        if not self.splitter_sized:
            self.splitter_sized = True
            total = sum(self.splitter.sizes())
            # On a laptop the table needs more of the width for the titles to be readable.
            share = 0.72 if total < 1500 else 0.66
            if self.saved_splitter and sum(self.saved_splitter) > 0:
                share = self.saved_splitter[0] / sum(self.saved_splitter)
            self.splitter.setSizes([int(total * share), total - int(total * share)])

    def shutdown(self) -> None:
        """Stop the pending detail refresh (the window is closing)."""
        self.detail_timer.stop()

    # -- loading ----------------------------------------------------------------------------
    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def current_round(self) -> str | None:
        """The round the statuses are judged for ('' means none)."""
        return self.round_box.currentData() or None

    def reload(self, areas: set[str] | None = None) -> None:
        """Re-read the ledger, keeping filters, sort and the selected key work."""
        keep = self.selected_id()
        self._loading = True
        try:
            self._fill_combo(
                self.round_box,
                [
                    (f"{r['id']}（{'进行中' if r['state'] == 'open' else '已关闭'}）", r["id"])
                    for r in rounds_newest_first(self.db)
                ],
                NO_ROUND,
                default=self._default_round(),
            )
            self._fill_combo(self.category_box, [(title, title) for title in category_titles(self.db)], "全部总体任务")
            self._fill_combo(self.unit_box, [(name, name) for name, _unit_id in units_in_order(self.db)], "全部单位")
        finally:
            self._loading = False
        self.model.set_records(self._load_rows())
        self.proxy.set_category(self.category_box.currentData() or "")
        self.proxy.set_unit(self.unit_box.currentData() or "")
        self._update_count()
        if keep is not None:
            self.select_key_work(keep)
        elif self.proxy.rowCount():
            self.table.selectRow(0)
        self.show_detail()

    def _load_rows(self):
        round_id = self.current_round()
        return load_key_work_rows(self.db, round_id, self.session.key_work_states(round_id) if round_id else None)

    def _default_round(self) -> str | None:
        from db.rounds import default_round

        return default_round(self.db)

    @staticmethod
    def _fill_combo(box: QComboBox, items: list[tuple[str, str]], all_label: str, default=None) -> None:
        current = box.currentData() if box.count() else default
        box.blockSignals(True)
        box.clear()
        if all_label != NO_ROUND or not items:
            box.addItem(all_label, "")
        for text, value in items:
            box.addItem(text, value)
        i = box.findData(current)
        box.setCurrentIndex(i if i >= 0 else 0)
        box.blockSignals(False)

    def _round_changed(self) -> None:
        if not self._loading:
            keep = self.selected_id()
            self.model.set_records(self._load_rows())
            self._update_count()
            if keep is not None:
                self.select_key_work(keep)
            self.show_detail()

    def _update_count(self) -> None:
        self.count_label.setText(f"{self.proxy.rowCount()} / {len(self.model.all_rows)} 项")

    def _filter(self, setter, value) -> None:
        """Apply one filter change; the selected key work stays selected while the filters show it."""
        keep = self.selected_id()
        setter(value)
        self._update_count()
        if keep is not None and self.selected_id() != keep:
            source_row = self.model.row_of_id(keep)
            index = self.proxy.mapFromSource(self.model.index(source_row, 0)) if source_row is not None else None
            if index is not None and index.isValid():
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
        self._update_buttons()
        # The detail pane follows after typing pauses (and only if the selection really changed).
        self.detail_timer.start()

    def _selection_changed(self) -> None:
        self._update_buttons()
        self.detail_timer.start()

    def _update_buttons(self) -> None:
        """Buttons that act on the selected key work are usable only while one is selected."""
        selected = self.selected_id() is not None
        for btn in (
            self.report_btn,
            self.edit_btn,
            self.delete_btn,
            self.assign_btn,
            self.unassign_btn,
            self.milestone_btn,
            self.milestone_done_btn,
            self.indicator_btn,
        ):
            btn.setEnabled(selected)

    def _detail_if_changed(self) -> None:
        if self.selected_id() != self.shown_id:
            self.show_detail()

    def focus_search(self) -> None:
        """Put the cursor in the filter box (Ctrl+F)."""
        self.search.setFocus()
        self.search.selectAll()

    # -- selection ---------------------------------------------------------------------------
    def selected_row(self):
        """The selected key work's table record, or None."""
        index = self.table.currentIndex()
        return index.data(RecordRole) if index.isValid() else None

    def selected_id(self) -> int | None:
        """The selected key work's id, or None."""
        row = self.selected_row()
        return row.id if row else None

    def select_key_work(self, key_work_id: int) -> bool:
        """Select a key work in the table (if the filters show it)."""
        source_row = self.model.row_of_id(key_work_id)
        if source_row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        self.detail_timer.stop()
        self.show_detail()
        return True

    # -- detail pane -------------------------------------------------------------------------
    def show_detail(self) -> None:
        """Fill the detail pane for the selected key work."""
        kw_id = self.selected_id()
        self.shown_id = kw_id
        self._update_buttons()
        while self.indicator_layout.count():
            item = self.indicator_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if kw_id is None:
            if not self.model.all_rows:
                self.overview.setHtml(
                    "<p style='color:#666'>台账还是空的。点菜单“文件 → 导入任务清单…”（Ctrl+I）导入政策文件"
                    "或“1+N”任务清单，或点下面的“新增重点工作”逐项录入。</p>"
                )
            elif not self.proxy.rowCount():
                self.overview.setHtml(
                    "<p style='color:#666'>没有符合筛选条件的重点工作。清空上面的筛选框，或把“总体任务”“单位”"
                    "“亮灯”改回“全部”。</p>"
                )
            else:
                self.overview.setHtml(
                    "<p style='color:#666'>在左边的表格里选一项重点工作，这里显示它的目标、举措、"
                    "时间节点、各单位填报和修改记录。</p>"
                )
            self.reports_view.clear()
            self.history_view.clear()
            return
        from db.tasks import history, key_work_detail

        detail = key_work_detail(self.db, kw_id)
        row = self.selected_row()
        self.overview.setHtml(self._overview_html(detail, row))
        self.reports_view.setHtml(self._reports_html(kw_id))
        self.history_view.setHtml(self._history_html(history(self.db, kw_id)))
        self._indicator_bars(detail)

    def _overview_html(self, d: dict, row) -> str:
        parts = [f"<h3>{esc(d['number'])}　{esc(d['title'])}</h3>"]
        meta = []
        if d.get("category"):
            meta.append(f"总体任务：{esc(d['category'])}")
        if d.get("period_phrase"):
            meta.append(f"实施阶段：{esc(d['period_phrase'])}")
        if row and row.status:
            colour = LIGHT_COLOURS.get(row.light, "#666")
            meta.append(
                f"状态：<b style='color:{colour}'>{esc(row.status)}（{esc(row.light)}灯）</b>"
                f" 完成 {pct_text(row.percent) or '—'} / 序时 {pct_text(row.expected) or '—'}"
            )
        parts.append("<p>" + "<br>".join(meta) + "</p>")
        if d.get("note"):
            parts.append(f"<p>备注：{esc(d['note'])}</p>")
        for label, items in (("目标", d["targets"]), ("落实举措", d["measures"])):
            if items:
                parts.append(f"<b>{label}</b><ol>" + "".join(f"<li>{esc(t)}</li>" for t in items) + "</ol>")
        if d["assignments"]:
            parts.append(
                "<b>责任分工</b><ul>"
                + "".join(
                    f"<li>{esc(a['role'])}：{esc(a['unit'])}"
                    + (f"（分管领导 {esc(a['leader'])}）" if a.get("leader") else "")
                    + (f"（联络员 {esc(a['liaison'])}）" if a.get("liaison") else "")
                    + "</li>"
                    for a in d["assignments"]
                )
                + "</ul>"
            )
        if d["milestones"]:
            items = []
            for m in d["milestones"]:
                state = (
                    f"已于 {m['done_date']} 完成"
                    if m["done_date"]
                    else (f"应于 {m['due_date']} 前完成" if m["due_date"] else "")
                )
                flag = "" if m["understood"] else " <span style='color:#c0392b'>（看不懂这个时间写法，请核对）</span>"
                items.append(
                    f"<li>{esc(m['phrase'])}{('：' + esc(m['text'])) if m.get('text') else ''}"
                    f" — {esc(state)}{flag}</li>"
                )
            parts.append("<b>时间节点</b><ul>" + "".join(items) + "</ul>")
        if d["indicators"]:
            parts.append("<b>量化指标</b>（下方进度条为最近一次填报的完成值）")
        return "".join(parts)

    def _indicator_bars(self, d: dict) -> None:
        from db.status import indicator_ratio

        for ind in d["indicators"]:
            latest = latest_indicator_value(self.db, ind["id"])
            bar = QProgressBar()
            bar.setRange(0, 100)
            unit = ind["measure_unit"] or ""
            direction = "不超过" if ind["direction"] == "at_most" else "目标"
            if latest:
                ratio = indicator_ratio(ind["target_value"], latest[0], ind["direction"]) or 0
                bar.setValue(int(min(100, round(ratio * 100))))
                bar.setFormat(f"{ind['name']} {latest[0]:g}/{ind['target_value']:g}{unit}")
                bar.setToolTip(
                    f"{ind['name']}：{latest[1]} 填报 {latest[0]:g}{unit}，{direction} {ind['target_value']:g}{unit}"
                )
            else:
                bar.setValue(0)
                bar.setFormat(f"{ind['name']} 尚无填报")
                bar.setToolTip(f"{direction} {ind['target_value']:g}{unit}")
            bar.setTextVisible(True)
            self.indicator_layout.addWidget(bar)

    def _reports_html(self, kw_id: int) -> str:
        rows = key_work_reports(self.db, kw_id)
        if not rows:
            return "<p style='color:#666'>还没有填报轮次。到“填报轮次”页开启一个轮次。</p>"
        review = {"accepted": "已采纳", "returned": "已退回", "pending": "待审核"}
        out, current = [], None
        for r in rows:
            if r["round_id"] != current:
                current = r["round_id"]
                state = "进行中，可录入或修改" if r["round_state"] == "open" else "已关闭"
                out.append(f"<h4>{esc(current)} <span style='font-weight:normal;color:#666'>（{state}）</span></h4>")
            link = ""
            if r["round_state"] == "open":
                verb = "录入" if r["submitted_at"] is None else "修改"
                link = f" <a href='report:{r['assignment_id']}:{esc(r['round_id'])}'>[{verb}]</a>"
            if r["submitted_at"] is None:
                out.append(
                    f"<p><b>{esc(r['unit'])}</b>（{esc(r['role'])}）<span style='color:#c0392b'>未报送</span>{link}</p>"
                )
                continue
            out.append(
                f"<p><b>{esc(r['unit'])}</b>（{esc(r['role'])}）{link} {esc(r['reported_status'])} "
                f"{pct_text(r['percent'])} · {review.get(r['review'], '')} · {esc((r['submitted_at'] or '')[:10])}"
                # Typed by the office, not sent by the unit: a reader of the ledger should know.
                + (" · 督办室手工录入" if r["source"] == "typed" else "")
                + "<br>"
                + esc(r["progress_text"])
                + (f"<br><span style='color:#b45f06'>存在问题：{esc(r['problems'])}</span>" if r["problems"] else "")
                + (f"<br>下步计划：{esc(r['next_steps'])}" if r["next_steps"] else "")
                + (
                    f"<br><span style='color:#c0392b'>退回意见：{esc(r['review_comment'])}</span>"
                    if r["review"] == "returned"
                    else ""
                )
                + "</p>"
            )
        return "".join(out)

    @staticmethod
    def _history_html(entries: list[dict]) -> str:
        """One line per change: when, whose report (unit and round), what changed from what to what, how."""
        if not entries:
            return "<p style='color:#666'>没有修改记录。</p>"
        names = {
            "key_works": "重点工作",
            "assignments": "分工",
            "reports": "填报",
            "milestones": "时间节点",
            "indicators": "指标",
        }
        lines = []
        for e in entries[:300]:
            owner = " ".join(x for x in (e.get("unit"), e.get("round_id")) if x)
            what = names.get(e["table_name"], e["table_name"])
            field = FIELD_NAMES.get(e["field"], e["field"])
            if field:
                change = f"{esc(field)}：{_value_html(e['old_value'])} → {_value_html(e['new_value'])}"
            elif e["old_value"] is None:
                change = f"新增　{_value_html(e['new_value'])}"
            else:
                change = f"删除　{_value_html(e['old_value'])}"
            lines.append(
                # Date and minute only: the seconds tell the clerk nothing.
                f"<p style='margin:0 0 6px 0'><span style='color:#666;white-space:nowrap'>"
                f"{esc(e['at'][:16].replace('T', ' '))}</span>　"
                + (f"<b style='white-space:nowrap'>{esc(owner)}</b> " if owner else "")
                + f"{esc(what)} · {change} <span style='color:#666;white-space:nowrap'>（{esc(source_name(e['source']))}）</span></p>"
            )
        return "".join(lines)

    # -- typed reports ---------------------------------------------------------------------------
    def _report_link(self, url) -> None:
        kind, _, rest = url.toString().partition(":")
        if kind == "report":
            assignment, _, round_id = rest.partition(":")
            self.enter_report(int(assignment), round_id)

    def report_round(self) -> str | None:
        """The round a typed report goes into: the one the table is judged for, else the open one."""
        return self.current_round() or self._default_round()

    def enter_report(self, assignment_id: int | None = None, round_id: str | None = None) -> None:
        """Type or correct a unit's report for the selected key work (录入/修改进展, Ctrl+E).

        Args:
            assignment_id: the unit to start with (default: the unit filtered on, else the first
                one that has not reported, else the lead unit).
            round_id: the round (default: :meth:`report_round`).
        """
        row = self._need_selection()
        if row is None:
            return
        from db.rounds import default_round, ensure_round_open
        from db.tasks import key_work_detail
        from db.typed_reports import report_draft, reported_assignments

        round_id = round_id or self.report_round()
        if not round_id:
            ask.show_error(self, "还没有填报轮次。请先到“填报轮次”页开启一个轮次，再录入进展。")
            return
        try:
            ensure_round_open(self.db, round_id)
        except DubanError as exc:
            message = str(exc)
            open_round = default_round(self.db, open_only=True)
            if open_round:
                message += f"\n要录入本轮进展，请在上方“轮次”里选进行中的 {open_round}。"
            ask.show_error(self, message, "轮次已关闭")
            return
        detail = key_work_detail(self.db, row.id)
        if not detail["assignments"]:
            ask.show_error(self, "这项工作还没有分工。请先点“分工…”指定责任单位，再录入进展。")
            return
        reported = reported_assignments(self.db, row.id, round_id)
        options = [
            (f"{a['unit']}（{a['role']}）{'· 已报送' if a['id'] in reported else '· 未报送'}", a["id"])
            for a in detail["assignments"]
        ]
        if assignment_id is None:
            filtered = self.unit_box.currentData()
            assignment_id = next(
                (a["id"] for a in detail["assignments"] if filtered and a["unit"] == filtered),
                next(
                    (a["id"] for a in detail["assignments"] if a["id"] not in reported), detail["assignments"][0]["id"]
                ),
            )
        from desktop.dialogs.report_form import ReportFormDialog

        dialog = ReportFormDialog(
            f"第 {detail['number']} 项 {detail['title']} · {round_id} 轮次",
            options,
            lambda aid: report_draft(self.db, aid, round_id),
            assignment_id,
            self,
        )
        if not ask.run_dialog(dialog):
            return
        aid = dialog.assignment_id()
        fields = dialog.fields()
        values, _problems = dialog.indicator_values()
        draft = dialog.draft
        if draft.prefilled_from == "current" and {k: draft.fields.get(k) for k in fields} == fields:
            if all(draft.indicator_values.get(k) == v for k, v in values.items()):
                return  # nothing changed: no empty step on the undo stack
        unit = next(a["unit"] for a in detail["assignments"] if a["id"] == aid)
        if self.session.execute(
            undo.SaveReport(self.session, aid, round_id, fields, values, "typed", f"{unit}（第 {detail['number']} 项）")
        ):
            self.select_key_work(row.id)
            self.detail_tabs.setCurrentWidget(self.reports_view)

    # -- editing -------------------------------------------------------------------------------
    def _need_selection(self):
        row = self.selected_row()
        if row is None:
            ask.show_error(self, "请先在表格里选中一项重点工作。", "未选中")
        return row

    def add_key_work(self) -> None:
        """Ask for a new key work and add it (undoable)."""
        dialog = forms.key_work_form(self, category_titles(self.db))
        if not ask.run_dialog(dialog):
            return
        v = dialog.values()
        plan_id = plan_for_new_key_work(self.db, undo.SOURCE)
        year = plan_year(self.db)

        def create() -> int:
            from db.tasks import add_key_work

            return add_key_work(
                self.db,
                plan_id,
                v["number"],
                v["title"],
                category=v["category"] or None,
                period_phrase=v["period_phrase"] or None,
                targets=v["targets"],
                measures=v["measures"],
                plan_year=year,
                source=undo.SOURCE,
            )

        command = undo.AddKeyWork(self.session, create, v["title"])
        if self.session.execute(command):
            if v["note"]:
                self.session.execute(
                    undo.UpdateRow(self.session, "备注", "key_works", command.key_work_id, {"note": v["note"]})
                )
            self.select_key_work(command.key_work_id)

    def edit_key_work(self) -> None:
        """Edit the selected key work's fields, targets and measures (undoable as one step)."""
        row = self._need_selection()
        if row is None:
            return
        from db.tasks import key_work_changes, key_work_detail

        d = key_work_detail(self.db, row.id)
        dialog = forms.key_work_form(self, category_titles(self.db), d)
        if not ask.run_dialog(dialog):
            return
        v = dialog.values()
        try:
            changes = key_work_changes(
                self.db, row.id, v["number"], v["title"], v["category"], v["period_phrase"], v["note"], undo.SOURCE
            )
        except DubanError as exc:
            ask.show_error(self, str(exc))
            return
        stack = self.session.undo_stack
        stack.beginMacro(f"编辑重点工作“{v['title']}”")
        try:
            self.session.execute(undo.UpdateRow(self.session, "编辑重点工作", "key_works", row.id, changes))
            if v["targets"] != d["targets"] or v["measures"] != d["measures"]:
                self.session.execute(undo.SetKeyWorkTexts(self.session, row.id, v["targets"], v["measures"]))
        finally:
            stack.endMacro()

    def delete_key_work(self) -> None:
        """Delete the selected key work after confirmation (undoable)."""
        row = self._need_selection()
        if row is None:
            return
        if not ask.confirm(
            self,
            f"删除第 {row.number} 项“{row.title}”及其目标、举措、分工？\n可以用 Ctrl+Z 撤销。",
            "删除重点工作",
            "删除",
        ):
            return
        self.session.execute(undo.DeleteKeyWork(self.session, row.id, row.title))

    def assign_unit(self) -> None:
        """Give a unit a role on the selected key work."""
        row = self._need_selection()
        if row is None:
            return
        dialog = forms.assign_form(self, units_in_order(self.db))
        if not ask.run_dialog(dialog):
            return
        v = dialog.values()
        unit = self.db["units"].get(v["unit_id"])["name"]
        self.session.execute(
            undo.Assign(
                self.session,
                row.id,
                v["unit_id"],
                v["role"],
                v["leader"] or None,
                v["liaison"] or None,
                f"{unit} {v['role']}",
            )
        )

    def remove_assignment(self) -> None:
        """Take a unit off the selected key work."""
        row = self._need_selection()
        if row is None:
            return
        options = [(f"{r['name']}（{r['role']}）", r["id"]) for r in assignments_of(self.db, row.id)]
        if not options:
            ask.show_error(self, "这项工作还没有分工。")
            return
        dialog = forms.FormDialog(
            "取消分工", [forms.Field("assignment_id", "单位", "choice", options, required=True)], self
        )
        if not ask.run_dialog(dialog):
            return
        aid = dialog.value("assignment_id")
        label = next(text for text, value in options if value == aid)
        self.session.execute(undo.RemoveAssignment(self.session, aid, label))

    def add_milestone(self) -> None:
        """Add a milestone (时间节点) to the selected key work."""
        row = self._need_selection()
        if row is None:
            return
        dialog = forms.milestone_form(self)
        if not ask.run_dialog(dialog):
            return
        v = dialog.values()
        year = plan_year(self.db)

        def create() -> int:
            from db.tasks import add_milestone

            return add_milestone(self.db, row.id, v["phrase"], year, v["text"] or None, undo.SOURCE)

        self.session.execute(undo.InsertRow(self.session, f"新增时间节点“{v['phrase']}”", "milestones", create))

    def mark_milestone_done(self) -> None:
        """Record that one of the selected key work's milestones was met."""
        row = self._need_selection()
        if row is None:
            return
        options = [
            (f"{m['phrase']}{('：' + m['text']) if m['text'] else ''}", m["id"])
            for m in open_milestones(self.db, row.id)
        ]
        if not options:
            ask.show_error(self, "这项工作没有未完成的时间节点。")
            return
        dialog = forms.FormDialog(
            "时间节点已完成",
            [forms.Field("milestone_id", "时间节点", "choice", options), forms.Field("done", "完成日期", "date")],
            self,
        )
        if not ask.run_dialog(dialog):
            return
        v = dialog.values()
        self.session.execute(
            undo.UpdateRow(self.session, "时间节点已完成", "milestones", v["milestone_id"], {"done_date": v["done"]})
        )

    def add_indicator(self) -> None:
        """Add a quantitative indicator to the selected key work."""
        row = self._need_selection()
        if row is None:
            return
        dialog = forms.indicator_form(self)
        if not ask.run_dialog(dialog):
            return
        v = dialog.values()
        year = plan_year(self.db)

        def create() -> int:
            from db.tasks import add_indicator

            return add_indicator(
                self.db,
                row.id,
                v["name"],
                v["target_value"],
                v["measure_unit"] or None,
                v["direction"],
                year,
                source=undo.SOURCE,
            )

        self.session.execute(undo.InsertRow(self.session, f"新增指标“{v['name']}”", "indicators", create))


#: Column names in the audit log, as the clerk knows them.
FIELD_NAMES = {
    "number": "编号",
    "title": "名称",
    "category_id": "总体任务",
    "period_phrase": "实施阶段",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "note": "备注",
    **REPORT_FIELD_LABELS,
    "review": "审核",
    "review_comment": "退回意见",
    "role": "分工",
    "leader": "分管领导",
    "liaison": "联络员",
    "done_date": "完成日期",
    "due_date": "应完成日期",
    "phrase": "时间节点",
    "target_value": "目标值",
}
#: Where an audit-log entry came from, as the clerk knows it (unknown ones are shown as stored).
SOURCE_NAMES = {
    "typed": "手工录入",
    "gui": "界面修改",
    "gui-撤销": "撤销/重做",
    "import": "导入回收表",
    "township": "填报端",
    "open-handoff": "打开填报表",
    "manual": "手工修改",
    "cli": "命令行",
    "demo": "示例数据",
    "undo": "撤销",
}


def source_name(source: str | None) -> str:
    """The audit log's source in words (``undo（撤销批次 3）`` keeps its note)."""
    text = source or ""
    for key, name in SOURCE_NAMES.items():
        if text == key:
            return name
        if text.startswith(key + "（"):
            return name + text[len(key) :]
    return text


def _value_html(value) -> str:
    """A changed value as HTML: short ones (a phone number, a date) never break inside."""
    text = _short(value)
    if not text:
        return "<span style='color:#999'>（空）</span>"
    return f"<span style='white-space:nowrap'>{esc(text)}</span>" if len(text) <= 20 else esc(text)


def _short(value) -> str:
    text = "" if value is None else str(value)
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]  # 完成进度 35, not 35.0
    if text.startswith("{"):
        # A whole row (created or deleted): its filled-in fields in words, not the stored JSON.
        try:
            row = json.loads(text)
        except ValueError:
            row = None
        if isinstance(row, dict):
            text = "；".join(
                f"{FIELD_NAMES[k]}：{v:g}" if isinstance(v, float) else f"{FIELD_NAMES[k]}：{v}"
                for k, v in row.items()
                if k in FIELD_NAMES and v not in (None, "")
            )
    return text if len(text) <= 60 else text[:57] + "…"
