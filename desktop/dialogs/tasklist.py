"""导入任务清单: a wizard — pick the file, review and correct the draft, commit.

Reading and committing run in workers (each with its own connection); the draft is
plain data from :mod:`reports.tasklist`, corrected here cell by cell, and written by
:func:`db.plan_import.commit_draft` in one transaction after an automatic backup.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from desktop.dialogs import common as ask

FLAGGED = QColor("#fdecea")
NEW_UNIT = "（作为新单位添加）"
SKIP_UNIT = "（不导入该单位）"
#: How the review marks the words each field was read from (lead, units, deadline…).
EVIDENCE_COLORS = {
    "牵头": "#ffd54f",
    "责任": "#aed581",
    "配合": "#b3e5fc",
    "泛指": "#e0e0e0",
    "时限": "#f8bbd0",
    "领导": "#d1c4e9",
}


def _cell(text, editable: bool = False, flagged: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemIsEditable)
    if flagged:
        item.setBackground(FLAGGED)
    return item


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def units_text(kw) -> str:
    """A key work's units as the review shows and edits them: "*县发改局、县财政局（配合）"."""
    parts = []
    for u in kw.units:
        if u.skip:
            continue
        mark = "*" if u.role == "牵头" else ""
        note = "（配合）" if u.role == "配合" else ""
        parts.append(f"{mark}{u.name}{note}")
    return "、".join(parts)


def set_units_from_text(kw, text: str) -> None:
    """Replace a key work's units by a corrected list (* marks the lead, "（配合）" a supporting unit)."""
    from reports.tasklist.textparse import units_from_list

    support = {p.strip("*＊ ").removesuffix("（配合）") for p in re.split(r"[、，,；;]", text) if "（配合）" in p}
    units = units_from_list(text.replace("（配合）", ""), first_is_lead=True)
    for unit in units:
        if unit.name in support and unit.role != "牵头":
            unit.role = "配合"
    kept = [u for u in kw.units if u.skip and u.collective]  # the vague names stay as notes
    kw.units = units + [u for u in kept if u.name not in {x.name for x in units}]


def set_deadlines_from_text(kw, text: str) -> None:
    """Replace a key work's deadlines by corrected phrases ("6月底前；年底前")."""
    from db.plan_draft import DraftMilestone

    phrases = [p.strip() for p in re.split(r"[；;，,\n]", text) if p.strip()]
    old = {m.phrase: m for m in kw.milestones}
    kw.milestones = [old.get(p) or DraftMilestone(p, "核对时改写") for p in phrases]


def evidence_html(kw) -> str:
    """The source text as HTML, each read field highlighted and labelled."""
    source = kw.source or kw.title
    out, pos = [], 0
    for begin, end, label in kw.evidence():
        out.append(html.escape(source[pos:begin]))
        color = EVIDENCE_COLORS.get(label, "#eeeeee")
        out.append(
            f'<span style="background:{color}" title="{label}">{html.escape(source[begin:end])}</span>'
            f"<sub>{label}</sub>"
        )
        pos = end
    out.append(html.escape(source[pos:]))
    head = f"<b>第 {html.escape(kw.number)} 项　{html.escape(kw.title)}</b>"
    if kw.unassigned:
        head += '　<span style="color:#c62828">没有读到责任单位：请在“单位”列填写（*号标牵头）。</span>'
    return head + "<br>" + "".join(out).replace("\n", "<br>")


class PickFilePage(QWizardPage):
    """Step 1: the file, the plan year and title; 读取 reads it in a worker."""

    def __init__(self, wizard: TaskListWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("第 1 步：选择任务清单文件")
        self.setSubTitle("支持 Excel（.xlsx/.xls）、Word（.docx/.doc）、PDF 和文本文件。读取时不会改动台账。")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("任务清单文件")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.year_box = QSpinBox()
        self.year_box.setRange(0, 2100)
        self.year_box.setSpecialValueText("按文件判断")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("默认取文件标题")
        self.columns_edit = QLineEdit()
        self.columns_edit.setPlaceholderText("表头无法识别时填写，如 任务=C,牵头单位=D,责任单位=E,完成时限=F")
        self.read_btn = QPushButton("读取")
        self.read_btn.clicked.connect(self.read)
        self.state = QLabel()
        self.state.setWordWrap(True)
        # The first rows of a table whose header was not recognised, lettered as in Excel.
        self.preview = QTableWidget(0, 0)
        self.preview.setVisible(False)
        form = QFormLayout(self)
        form.addRow("文件", row)
        form.addRow("计划年度", self.year_box)
        form.addRow("计划名称", self.title_edit)
        form.addRow("列对应", self.columns_edit)
        form.addRow("", self.read_btn)
        form.addRow(self.state)
        form.addRow(self.preview)
        self.path_edit.textChanged.connect(lambda: self.completeChanged.emit())

    def browse(self) -> None:
        """Pick the file."""
        path = ask.choose_open_file(
            self, "选择任务清单", "tasklist", "任务清单 (*.xlsx *.xls *.docx *.doc *.wps *.pdf *.txt);;所有文件 (*)"
        )
        if path:
            self.path_edit.setText(path)

    def read(self) -> None:
        """Read and resolve the file in a worker."""
        path = Path(self.path_edit.text().strip())
        if not path.is_file():
            ask.show_error(self, f"找不到文件“{path}”。请点“浏览…”选择。")
            return
        year = self.year_box.value() or None
        title = self.title_edit.text().strip() or None
        columns = self.columns_edit.text().strip() or None
        self.preview.setVisible(False)

        def work(db, progress):
            from db.plan_import import resolve_draft
            from reports.tasklist import read_task_list

            draft = read_task_list(path, year=year, plan_title=title, progress=progress, columns=columns)
            return resolve_draft(db, draft)

        self.state.setText("正在读取……")
        from desktop.workers import start_job

        start_job(
            self.wizard_,
            "读取任务清单",
            work,
            db_path=self.wizard_.session.path,
            on_success=self.loaded,
            on_failure=self.failed,
        )

    def failed(self, message: str) -> None:
        """Say why the file could not be read; for an unknown header, show the first rows to map."""
        self.state.setText(message)
        if "--columns" in message:
            self.show_first_rows(Path(self.path_edit.text().strip()))
            self.state.setText(
                "表头无法识别。请对照下面的前几行，在“列对应”中写明各列（如 任务=C,牵头单位=D,完成时限=F），再点“读取”。"
            )
            return
        ask.show_error(self, message)

    def show_first_rows(self, path: Path) -> None:
        """Show the table's first rows with column letters, for the clerk to map the columns."""
        from reports.tasklist.reader import first_rows

        try:
            rows = first_rows(path)
        except Exception:  # noqa: BLE001 - the preview is a help; the read error is already shown
            rows = []
        width = max((len(r) for r in rows), default=0)
        self.preview.setColumnCount(width)
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels([_column_letter(c) for c in range(width)])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.preview.setItem(r, c, _cell(value))
        self.preview.setVisible(bool(rows))

    def loaded(self, draft) -> None:
        """Keep the draft and move on to the review page."""
        self.wizard_.draft = draft
        s = draft.summary()
        self.state.setText(
            f"读到“{s['plan']}”：{s['key_works']} 项重点工作，{s['units']} 个单位，"
            f"{s['milestones']} 个时间节点；需要核对 {len(draft.flags())} 处。点“下一步”核对。"
        )
        self.completeChanged.emit()
        self.wizard_.next()

    def isComplete(self) -> bool:  # noqa: D102, N802
        return self.wizard_.draft is not None


class ReviewPage(QWizardPage):
    """Step 2: the draft, flagged rows highlighted; units, phrases and titles editable."""

    def __init__(self, wizard: TaskListWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("第 2 步：核对草稿")
        self.setSubTitle(
            "标红的行需要核对，没有单位的排在最前。可以直接改编号、名称、单位（*号标牵头，顿号分隔）、"
            "实施阶段和时限；下方显示原文，读作牵头、单位、时限的文字用颜色标出。"
        )
        self.flags_label = QLabel()
        self.flags_label.setWordWrap(True)
        self.plan_title = QLineEdit()
        self.year_box = QSpinBox()
        self.year_box.setRange(0, 2100)
        self.year_box.setSpecialValueText("未确定")
        head = QFormLayout()
        head.addRow("计划名称", self.plan_title)
        head.addRow("计划年度", self.year_box)
        self.works = QTableWidget(0, 7)
        self.works.setHorizontalHeaderLabels(["编号", "总体任务", "重点工作", "实施阶段", "单位", "时限", "需核对"])
        self.evidence = QTextBrowser()
        self.evidence.setPlaceholderText("选中一项重点工作，这里显示它的原文。")
        self.order: list[int] = []
        self.units = QTableWidget(0, 3)
        self.units.setHorizontalHeaderLabels(["文件中的单位名称", "出现在", "对应台账中的单位"])
        self.milestones = QTableWidget(0, 4)
        self.milestones.setHorizontalHeaderLabels(["编号", "时间节点（可改写）", "事项", "换算日期"])
        for table in (self.works, self.units, self.milestones):
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setStretchLastSection(True)
        tabs = QTabWidget()
        works_pane = QSplitter(Qt.Vertical)
        works_pane.addWidget(self.works)
        works_pane.addWidget(self.evidence)
        works_pane.setStretchFactor(0, 3)
        works_pane.setStretchFactor(1, 1)
        tabs.addTab(works_pane, "重点工作")
        tabs.addTab(self.units, "单位")
        tabs.addTab(self.milestones, "时间节点")
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.flags_label)
        layout.addWidget(tabs, 1)
        self.works.itemChanged.connect(self._work_edited)
        self.works.currentCellChanged.connect(lambda row, _c, _r, _pc: self.show_evidence(row))
        self.milestones.itemChanged.connect(self._milestone_edited)
        self.year_box.valueChanged.connect(self._year_edited)
        self.plan_title.textChanged.connect(lambda text: setattr(self.wizard_.draft, "title", text.strip()))
        self._filling = False

    def initializePage(self) -> None:  # noqa: D102, N802
        self.fill()

    def fill(self) -> None:
        """Show the draft as it stands."""
        draft = self.wizard_.draft
        self._filling = True
        try:
            self.plan_title.setText(draft.title)
            self.year_box.setValue(draft.year or 0)
            all_flags = draft.flags()
            flagged = {f.number for f in all_flags if f.number}
            # What most needs a person first: no unit at all, then anything flagged.
            self.order = sorted(
                range(len(draft.key_works)),
                key=lambda i: (
                    not draft.key_works[i].unassigned,
                    draft.key_works[i].number not in flagged,
                    i,
                ),
            )
            self.works.setRowCount(len(draft.key_works))
            for i, index in enumerate(self.order):
                kw = draft.key_works[index]
                flags = "；".join(f.message for f in all_flags if f.number == kw.number)
                bad = kw.number in flagged
                values = [
                    (kw.number, True),
                    (kw.category, False),
                    (kw.title, True),
                    (kw.period_phrase, True),
                    (units_text(kw), True),
                    ("；".join(m.phrase for m in kw.milestones), True),
                    (flags, False),
                ]
                for j, (value, editable) in enumerate(values):
                    self.works.setItem(i, j, _cell(value, editable, bad))
            self._fill_units(draft)
            rows = [(kw, ms) for kw in draft.key_works for ms in kw.milestones]
            self.milestones.setRowCount(len(rows))
            for i, (kw, ms) in enumerate(rows):
                bad = not ms.understood
                self.milestones.setItem(i, 0, _cell(kw.number, False, bad))
                self.milestones.setItem(i, 1, _cell(ms.phrase, True, bad))
                self.milestones.setItem(i, 2, _cell(ms.text, False, bad))
                self.milestones.setItem(i, 3, _cell(ms.due or "无法识别", False, bad))
            self.works.resizeColumnsToContents()
            self.works.setColumnWidth(2, min(self.works.columnWidth(2), 360))
            self._update_flags()
        finally:
            self._filling = False

    def _fill_units(self, draft) -> None:
        names: dict[str, list] = {}
        for kw in draft.key_works:
            for u in kw.units:
                if not u.all_townships and not u.known:
                    names.setdefault(u.name, []).append((kw, u))
        from db.units import units_in_order

        registry = [name for name, _unit_id in units_in_order(self.wizard_.session.db)]
        self.units.setRowCount(len(names))
        self.unit_boxes = {}
        for i, (name, uses) in enumerate(sorted(names.items())):
            self.units.setItem(i, 0, _cell(name, flagged=True))
            self.units.setItem(i, 1, _cell("、".join(f"第{kw.number}项" for kw, _u in uses)))
            box = QComboBox()
            proposals = list(uses[0][1].proposals)
            box.addItem(NEW_UNIT, None)
            box.addItem(SKIP_UNIT, SKIP_UNIT)
            for p in proposals:
                box.addItem(f"{p}（建议）", p)
            for other in registry:
                if other not in proposals:
                    box.addItem(other, other)
            current = uses[0][1].use_unit or (SKIP_UNIT if uses[0][1].skip else None)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.currentIndexChanged.connect(lambda _i, n=name, b=box: self.set_unit_choice(n, b.currentData()))
            self.units.setCellWidget(i, 2, box)
            self.unit_boxes[name] = box

    def set_unit_choice(self, name: str, choice: str | None) -> None:
        """Say what an unknown unit name means: an existing unit, a new unit, or left out."""
        for kw in self.wizard_.draft.key_works:
            for u in kw.units:
                if u.name == name and not u.all_townships:
                    u.skip = choice == SKIP_UNIT
                    u.use_unit = None if choice in (None, SKIP_UNIT) else choice
        self._update_flags()

    def _update_flags(self) -> None:
        draft = self.wizard_.draft
        flags = draft.flags()
        open_units = [f for f in flags if f.kind == "unknown_unit"]
        others = [f for f in flags if f.kind != "unknown_unit"]
        text = [f"还有 {len(flags)} 处需要核对。" if flags else "没有需要核对的地方，可以导入。"]
        if open_units:
            text.append(
                f"{len(open_units)} 个单位名称不在单位名录中：到“单位”页指定对应的单位，不指定则作为新单位添加。"
            )
        text += [f.message for f in others[:6]]
        self.flags_label.setText("\n".join(text))

    def show_evidence(self, row: int) -> None:
        """Show the selected key work's source text, the words read as its fields highlighted."""
        if row < 0 or row >= len(self.order):
            self.evidence.clear()
            return
        kw = self.wizard_.draft.key_works[self.order[row]]
        self.evidence.setHtml(evidence_html(kw))

    def _work_edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        kw = self.wizard_.draft.key_works[self.order[item.row()]]
        text = item.text().strip()
        refill = False
        if item.column() == 0:
            kw.number = text
        elif item.column() == 2:
            kw.title = text
        elif item.column() == 3:
            kw.period_phrase = text or None
        elif item.column() == 4:
            set_units_from_text(kw, text)
            refill = True
        elif item.column() == 5:
            set_deadlines_from_text(kw, text)
            refill = True
        self.wizard_.draft.refresh()
        if refill:
            from db.plan_import import resolve_draft

            resolve_draft(self.wizard_.session.db, self.wizard_.draft)
            self.fill()
        self._update_flags()

    def _milestone_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 1:
            return
        rows = [ms for kw in self.wizard_.draft.key_works for ms in kw.milestones]
        rows[item.row()].phrase = item.text().strip()
        self.wizard_.draft.refresh()
        self.fill()

    def _year_edited(self, value: int) -> None:
        if not self._filling and value:
            self.wizard_.draft.set_year(value, "参数")
            self.fill()


class CommitPage(QWizardPage):
    """Step 3: what will change; 导入 writes it (after a backup)."""

    def __init__(self, wizard: TaskListWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("第 3 步：导入")
        self.setSubTitle("点“导入”写入台账。导入前会自动备份台账，之后可以用 文件 → 恢复备份 回到导入前。")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.policy = QComboBox()
        self.policy.addItem("不在名录中的单位：作为新单位添加", "create")
        self.policy.addItem("不在名录中的单位：不导入这些分工", "skip")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.policy)
        layout.addStretch(1)
        self.setFinalPage(True)

    def initializePage(self) -> None:  # noqa: D102, N802
        from db.plan_import import resolve_draft

        draft = resolve_draft(self.wizard_.session.db, self.wizard_.draft)
        p = draft.preview or {}
        s = draft.summary()
        lines = [
            f"计划：{draft.title}（{draft.year or '年度未定'}）",
            "将更新台账中已有的同名计划。" if p.get("plan_exists") else "将作为新计划加入台账。",
            f"新增 {len(p.get('added', []))} 项，修改 {len(p.get('changed', {}))} 项，"
            f"不变 {len(p.get('unchanged', []))} 项，台账中有而文件中没有 {len(p.get('removed', []))} 项（保留不删）。",
            f"新单位：{'、'.join(s['new_units']) if s.get('new_units') else '无'}",
        ]
        self.summary.setText("\n".join(lines))


class TaskListWizard(QWizard):
    """The three-step task-list import."""

    def __init__(self, session, window):
        super().__init__(window)
        self.session = session
        self.window_ = window
        self.draft = None
        self.result = None
        self._committing = False
        self.setWindowTitle("导入任务清单")
        self.setButtonText(QWizard.NextButton, "下一步 >")
        self.setButtonText(QWizard.BackButton, "< 上一步")
        self.setButtonText(QWizard.FinishButton, "导入")
        self.setButtonText(QWizard.CancelButton, "取消")
        self.pick_page = PickFilePage(self)
        self.review_page = ReviewPage(self)
        self.commit_page = CommitPage(self)
        for page in (self.pick_page, self.review_page, self.commit_page):
            self.addPage(page)
        self.resize(1000, 680)

    def accept(self) -> None:  # noqa: D102
        if self.result is not None:
            super().accept()
            return
        if self._committing:
            return
        unassigned = [kw.number for kw in self.draft.key_works if kw.unassigned]
        if unassigned and not ask.confirm(
            self,
            f"第 {'、'.join(unassigned[:10])}{' 等' if len(unassigned) > 10 else ''} 项（共 {len(unassigned)} 项）"
            "没有读到责任单位，导入后不会分配给任何单位。仍要导入吗？",
            "有重点工作没有单位",
            "仍然导入",
        ):
            return
        from db.ledger import backup_ledger

        backup_ledger(self.session.db, self.session.path, "before-tasklist")
        draft = self.draft
        policy = self.commit_page.policy.currentData()
        self._committing = True

        def work(db, progress):
            from db.plan_import import commit_draft

            return commit_draft(db, draft, new_units=policy, progress=progress, allow_unassigned=True)

        def done(result) -> None:
            self._committing = False
            self.result = result
            ask.show_info(
                self,
                f"已导入：新增 {len(result.added)} 项，修改 {len(result.changed)} 项，"
                f"新单位 {len(result.units_created)} 个。",
                "导入完成",
            )
            super(TaskListWizard, self).accept()

        def failed(message: str) -> None:
            self._committing = False
            ask.show_error(self, message)

        from desktop.workers import start_job

        start_job(
            self,
            "导入任务清单",
            work,
            db_path=self.session.path,
            on_success=done,
            on_failure=failed,
            on_cancel=lambda: setattr(self, "_committing", False),
        )
