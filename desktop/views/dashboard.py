"""仪表盘: status counts, lights by unit, a bar chart, and who has not reported."""

from __future__ import annotations

from collections import Counter, defaultdict

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from db.status import STATUSES
from desktop.models.base import LIGHT_COLOURS, STATUS_COLOURS, Column, RecordTableModel, brush, light_icon
from desktop.views.common import heading, hint, make_table, scaled_font


class StatusChart(QWidget):
    """A horizontal bar chart of key works by status, painted with QPainter."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.counts: dict[str, int] = {}
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show these counts (status → number)."""
        self.counts = dict(counts)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: D102, N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        items = [(s, self.counts.get(s, 0)) for s in STATUSES]
        top = max([c for _s, c in items] + [1])
        metrics = painter.fontMetrics()
        label_w = max(metrics.horizontalAdvance(s) for s, _c in items) + 16
        bar_h = max(12.0, (self.height() - 20) / len(items) - 8)
        width = self.width() - label_w - 60
        y = 10.0
        for status, count in items:
            painter.setPen(QPen(QColor("#333333")))
            painter.drawText(QRectF(4, y, label_w - 8, bar_h), Qt.AlignRight | Qt.AlignVCenter, status)
            w = width * count / top
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(STATUS_COLOURS.get(status, "#888888")))
            painter.drawRoundedRect(QRectF(label_w, y, max(w, 2.0), bar_h), 3, 3)
            painter.setPen(QPen(QColor("#333333")))
            painter.drawText(QRectF(label_w + w + 6, y, 50, bar_h), Qt.AlignLeft | Qt.AlignVCenter, str(count))
            y += bar_h + 8
        painter.end()


class LightsByUnitModel(RecordTableModel):
    """Per unit: how many of its assignments show each light in the round."""

    COL_UNIT, COL_RED, COL_YELLOW, COL_GREEN, COL_GREY = range(5)
    columns = (
        Column("单位", lambda r: r["unit"]),
        Column("红灯", lambda r: r["红"] or "", sort=lambda r: r["红"], align_right=True),
        Column("黄灯", lambda r: r["黄"] or "", sort=lambda r: r["黄"], align_right=True),
        Column("绿灯", lambda r: r["绿"] or "", sort=lambda r: r["绿"], align_right=True),
        Column("未报送", lambda r: r["灰"] or "", sort=lambda r: r["灰"], align_right=True),
    )
    _LIGHT_OF = {COL_RED: "红", COL_YELLOW: "黄", COL_GREEN: "绿", COL_GREY: "灰"}

    def record_id(self, record):  # noqa: D102
        return record["unit"]

    def extra_data(self, record, column, role):  # noqa: D102
        light = self._LIGHT_OF.get(column)
        if light and record[light]:
            if role == Qt.DecorationRole:
                return light_icon(light)
            if role == Qt.ForegroundRole:
                return brush(LIGHT_COLOURS[light])
        return None


class DashboardPage(QWidget):
    """An overview of one round for the office head."""

    title = "仪表盘"
    areas = {"tasks", "rounds", "units", "problems"}

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.round_box = QComboBox()
        self.round_box.currentIndexChanged.connect(lambda: self.refresh())
        top = QHBoxLayout()
        top.addWidget(heading("仪表盘"))
        top.addStretch(1)
        top.addWidget(QLabel("轮次"))
        top.addWidget(self.round_box)

        self.count_labels: dict[str, QLabel] = {}
        counts = QGridLayout()
        for i, status in enumerate(STATUSES):
            number = QLabel("0")
            number.setAlignment(Qt.AlignCenter)
            scaled_font(number, 2.2, bold=True)
            number.setStyleSheet(f"color: {STATUS_COLOURS[status]}")
            caption = QLabel(status)
            caption.setAlignment(Qt.AlignCenter)
            counts.addWidget(number, 0, i)
            counts.addWidget(caption, 1, i)
            self.count_labels[status] = number
        counts_box = QGroupBox("重点工作按状态")
        counts_box.setLayout(counts)

        self.chart = StatusChart()
        chart_box = QGroupBox("状态分布")
        QVBoxLayout(chart_box).addWidget(self.chart)

        self.lights_model = LightsByUnitModel(self)
        self.lights_table = make_table(self.lights_model, name="lights")
        self.lights_table.setObjectName("lightsTable")
        self.lights_table.setSortingEnabled(False)
        lights_box = QGroupBox("各单位亮灯（按分工计）")
        QVBoxLayout(lights_box).addWidget(self.lights_table)

        self.missing_list = QListWidget()
        self.missing_note = hint("")
        missing_box = QGroupBox("尚未报齐的单位")
        mv = QVBoxLayout(missing_box)
        mv.addWidget(self.missing_note)
        mv.addWidget(self.missing_list)
        self.problems_label = QLabel()
        #: What to do next on a ledger that is not set up yet (hidden once it is).
        self.next_step = QLabel()
        self.next_step.setObjectName("nextStep")
        self.next_step.setWordWrap(True)
        self.next_step.setStyleSheet(
            "QLabel#nextStep { background: #fff8e1; border: 1px solid #f0ad3c; padding: 8px; font-size: 11pt; }"
        )
        self.next_step.hide()

        grid = QGridLayout()
        grid.addWidget(counts_box, 0, 0, 1, 2)
        grid.addWidget(chart_box, 1, 0)
        grid.addWidget(missing_box, 1, 1)
        grid.addWidget(lights_box, 2, 0, 1, 2)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(2, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.next_step)
        layout.addLayout(grid, 1)
        layout.addWidget(self.problems_label)
        # Loaded by the window when first shown (MainWindow.show_page).

    @property
    def db(self):
        """The session's connection."""
        return self.session.db

    def reload(self, areas: set[str] | None = None) -> None:
        """Re-read the round list and refresh the figures."""
        current = self.round_box.currentData()
        self.round_box.blockSignals(True)
        self.round_box.clear()
        from db.rounds import rounds_newest_first

        rows = rounds_newest_first(self.db)
        for r in rows:
            self.round_box.addItem(f"{r['id']}（{'进行中' if r['state'] == 'open' else '已关闭'}）", r["id"])
        default = next((r["id"] for r in rows if r["state"] == "open"), rows[0]["id"] if rows else None)
        i = self.round_box.findData(current if current else default)
        self.round_box.setCurrentIndex(max(i, 0))
        self.round_box.blockSignals(False)
        self._show_next_step(bool(rows))
        self.refresh()

    def _show_next_step(self, has_rounds: bool) -> None:
        """Tell the clerk of a new ledger where to start (import the task list, then open a round)."""
        from db.tasks import has_key_works

        has_work = has_key_works(self.db)
        if not has_work:
            text = (
                "<b>第一步：导入任务清单。</b>点菜单“文件 → 导入任务清单…”（Ctrl+I），选政策文件（Word、文本）"
                "或“1+N”任务清单（Excel）；也可以在“台账”页点“新增重点工作”逐项录入。"
            )
        elif not has_rounds:
            text = (
                "<b>下一步：开启第一个填报轮次。</b>到“填报轮次”页点“开启新轮次…”，然后点“导出填报表…”把表发给各单位。"
            )
        else:
            text = ""
        self.next_step.setText(text)
        self.next_step.setVisible(bool(text))

    def refresh(self) -> None:
        """Compute the figures of the chosen round."""
        from db.board import missing_units
        from db.problems import problem_figures

        round_id = self.round_box.currentData()
        f = problem_figures(self.db)
        rate = "—" if f["rate"] is None else f"{f['rate']:g}%"
        self.problems_label.setText(f"问题清单：共 {f['raised']} 个，已销号 {f['closed']} 个，化解率 {rate}")
        if not round_id:
            for label in self.count_labels.values():
                label.setText("0")
            self.chart.set_counts({})
            self.lights_model.set_records([])
            self.missing_list.clear()
            self.missing_note.setText("还没有填报轮次。")
            return
        states = self.session.key_work_states(round_id)
        kw_counts = Counter(k.result.status for k in states)
        for status, label in self.count_labels.items():
            label.setText(str(kw_counts.get(status, 0)))
        self.chart.set_counts(kw_counts)
        lights: dict[str, Counter] = defaultdict(Counter)
        order: list[str] = []
        # Each key work's parts are its assignments in ledger order: round_states without judging twice.
        for s in (part for k in states for part in k.parts):
            if s.unit not in lights:
                order.append(s.unit)
            lights[s.unit][s.light] += 1
        self.lights_model.set_records(
            [{"unit": u, **{k: lights[u].get(k, 0) for k in ("红", "黄", "绿", "灰")}} for u in order]
        )
        # The 催报清单 itself (duban missing): not reported, partly reported, or sent back.
        missing = missing_units(self.db, round_id)
        self.missing_list.clear()
        for row in missing:
            self.missing_list.addItem(f"{row['unit']}：{row['reason']}")
        self.missing_note.setText(
            f"{len(missing)} 个单位未报齐或被退回，请催报。单位电话报送的，到“台账”选中该项工作，"
            "点“录入/修改进展…”（Ctrl+E）录入。"
            if missing
            else "所有单位都已报齐。"
        )
