"""The main window: navigation, menus and shortcuts, drag-and-drop of returns, settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from db.mode import TOWNSHIP
from db.paths import resource_path
from desktop.dialogs import common as ask
from desktop.session import LedgerSession

#: Below this available screen size the window starts maximised (a 1366×768 laptop, 150 % scaling).
MAXIMISE_BELOW = QSize(1400, 850)
#: The size the window would like on a large screen.
PREFERRED_SIZE = QSize(1440, 900)
#: 字号 (查看 menu): factor on the system's interface font.
FONT_SIZES = {"标准": 1.0, "大": 1.15, "特大": 1.3}


def first_geometry(available: QRect) -> tuple[QRect, bool]:
    """The window's first geometry on a screen whose free area is ``available``, and whether to maximise.

    Never larger than the free area; centred in it; maximised when the screen is small.
    """
    maximise = available.width() < MAXIMISE_BELOW.width() or available.height() < MAXIMISE_BELOW.height()
    size = PREFERRED_SIZE.boundedTo(available.size())
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(available.center())
    return rect, maximise


def clamped_geometry(saved: QRect, available: QRect) -> QRect:
    """``saved`` made to fit ``available`` (a laptop that was docked to a large monitor last time)."""
    size = saved.size().boundedTo(available.size())
    rect = QRect(saved.topLeft(), size)
    rect.moveLeft(min(max(rect.left(), available.left()), available.right() - size.width() + 1))
    rect.moveTop(min(max(rect.top(), available.top()), available.bottom() - size.height() + 1))
    return rect


def app_icon() -> QIcon:
    """Return the duban icon (resources/icons)."""
    icon = QIcon()
    for name in ("duban.png", "duban.ico"):
        path = resource_path("icons", name)
        if path.exists():
            icon.addFile(str(path))
    return icon


class MainWindow(QMainWindow):
    """One window per ledger; its pages depend on the mode (督办端 or 填报端)."""

    def __init__(self, session: LedgerSession, lock=None):
        super().__init__()
        self.session = session
        self.lock = lock
        self.setObjectName("dubanMainWindow")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.pages = self._make_pages()
        # Every page reads the ledger the first time it is shown, not at start: on a city-size
        # ledger each page's figures take seconds, and the clerk looks at one page at a time.
        self._dirty: set[int] = set(range(len(self.pages)))

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(16, 16))
        self.nav.setFixedWidth(self.fontMetrics().horizontalAdvance("填报轮次") * 2)
        self.nav.setSpacing(4)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.nav.addItem(QListWidgetItem(page.title))
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self.show_page)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        # 填报端 has one page: a list with one entry would only take width from the form.
        self.nav.setVisible(len(self.pages) > 1)
        self.setCentralWidget(central)

        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self._make_menus()
        session.changed.connect(self.on_changed)
        session.error.connect(lambda message: ask.show_error(self, message))
        session.undo_stack.indexChanged.connect(lambda *_: self._update_title())
        self._update_title()
        self.apply_font_size(self.font_size, refit=False)
        self.fit_to_screen()
        self.restore_layout()
        self.nav.setCurrentRow(0)
        self.show_page(0)  # in case the list had already made row 0 current (no change signal then)

    # -- construction ---------------------------------------------------------------------------
    def _make_pages(self) -> list:
        from desktop.views.dashboard import DashboardPage
        from desktop.views.ledger import LedgerPage
        from desktop.views.problems import ProblemsPage
        from desktop.views.rounds import RoundsPage
        from desktop.views.units import UnitsPage

        if self.session.mode == TOWNSHIP:
            from desktop.views.township import TownshipPage

            return [TownshipPage(self.session, self)]
        pages = [
            DashboardPage(self.session),
            LedgerPage(self.session),
            RoundsPage(self.session, self),
            UnitsPage(self.session),
            ProblemsPage(self.session),
        ]
        from desktop.views.reports import ReportsPage

        pages.append(ReportsPage(self.session, self))
        return pages

    def page(self, title: str):
        """Return the page called ``title`` (台账, 填报轮次 …), loaded from the ledger, or None."""
        page = self._page(title)
        if page is not None:
            self.ensure_loaded(self.pages.index(page))
        return page

    def _page(self, title: str):
        """The page called ``title`` as it is (maybe not loaded yet)."""
        return next((p for p in self.pages if p.title == title), None)

    def ensure_loaded(self, index: int) -> None:
        """Read the page at ``index`` from the ledger if it is new or the ledger changed since."""
        if index in self._dirty:
            self._dirty.discard(index)
            self.pages[index].reload()

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        self._action(file_menu, "立即备份台账", self.backup_now, "Ctrl+B")
        self._action(file_menu, "恢复备份…", self.restore_backup)
        file_menu.addSeparator()
        if self.session.mode != TOWNSHIP:
            self._action(file_menu, "导入任务清单…", self.import_task_list, "Ctrl+I")
            self._action(file_menu, "导入回收表…", lambda: self.page("填报轮次").import_returns_dialog(), "Ctrl+R")
        file_menu.addSeparator()
        self._action(file_menu, "退出", self.close, QKeySequence.Quit)

        edit_menu = bar.addMenu("编辑(&E)")
        undo_action = self.session.undo_stack.createUndoAction(self, "撤销")
        undo_action.setShortcut(QKeySequence.Undo)
        redo_action = self.session.undo_stack.createRedoAction(self, "重做")
        # Every platform binding of 重做 plus Ctrl+Y and Ctrl+Shift+Z, each once: a key bound twice
        # to one action is "ambiguous" to Qt and then does nothing at all.
        redo_keys: list[QKeySequence] = []
        for key in [*QKeySequence.keyBindings(QKeySequence.Redo), QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")]:
            if key not in redo_keys:
                redo_keys.append(key)
        redo_action.setShortcuts(redo_keys)
        edit_menu.addAction(undo_action)
        edit_menu.addAction(redo_action)
        self.undo_action, self.redo_action = undo_action, redo_action
        if self._page("台账"):
            edit_menu.addSeparator()
            ledger = self._page("台账")
            self._action(edit_menu, "新增重点工作", lambda: (self.go("台账"), ledger.add_key_work()), QKeySequence.New)
            self._action(edit_menu, "查找", lambda: (self.go("台账"), ledger.focus_search()), QKeySequence.Find)
            # Only on the ledger page: Delete on another page must never delete a key work.
            self._action(edit_menu, "编辑所选重点工作", lambda: self._on_ledger(ledger.edit_key_work), "F2")
            self._action(edit_menu, "录入/修改所选工作的进展…", lambda: self._on_ledger(ledger.enter_report), "Ctrl+E")
            self._action(
                edit_menu, "删除所选重点工作", lambda: self._on_ledger(ledger.delete_key_work), QKeySequence.Delete
            )

        view_menu = bar.addMenu("查看(&V)")
        for i, page in enumerate(self.pages):
            self._action(view_menu, page.title, lambda i=i: self.nav.setCurrentRow(i), f"Ctrl+{i + 1}")
        self._action(view_menu, "刷新", lambda: self.session.notify(), QKeySequence.Refresh)
        view_menu.addSeparator()
        size_menu = view_menu.addMenu("字号")
        group = QActionGroup(self)
        self.font_size_actions: dict[str, QAction] = {}
        for label in FONT_SIZES:
            action = QAction(label, self, checkable=True)
            action.setChecked(label == self.font_size)
            action.triggered.connect(lambda *_, label=label: self.apply_font_size(label))
            group.addAction(action)
            size_menu.addAction(action)
            self.font_size_actions[label] = action

        help_menu = bar.addMenu("帮助(&H)")
        self._action(help_menu, "关于 duban", self.about)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda *_: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        menu.addAction(action)
        return action

    def _on_ledger(self, action) -> None:
        if self.stack.currentWidget() is self._page("台账"):
            action()

    # -- navigation and refresh ---------------------------------------------------------------------
    def go(self, title: str) -> None:
        """Show the page called ``title``."""
        for i, page in enumerate(self.pages):
            if page.title == title:
                self.nav.setCurrentRow(i)

    def show_page(self, index: int) -> None:
        """Switch page, reloading it first if the ledger changed while it was hidden."""
        if index < 0:
            return
        self.ensure_loaded(index)
        self.stack.setCurrentIndex(index)

    def on_changed(self, areas: set[str]) -> None:
        """Reload the visible page now and mark the hidden ones for reloading when shown."""
        current = self.stack.currentIndex()
        for i, page in enumerate(self.pages):
            if not (page.areas & areas):
                continue
            if i == current and i not in self._dirty:
                page.reload(areas)
            else:
                self._dirty.add(i)
        self._update_title()

    def _update_title(self) -> None:
        modified = "" if self.session.undo_stack.isClean() else " *"
        self.setWindowTitle(f"{self.session.path.name}{modified} — {self.session.mode_label} — duban 督办")
        self.status_label.setText(f"台账：{self.session.path}")

    # -- long work --------------------------------------------------------------------------------------
    def run_job(self, title: str, work, on_success, on_cancel=None):
        """Run ``work(db, progress)`` in a worker with a progress dialog and 取消."""
        from desktop.workers import start_job

        def cancelled() -> None:
            self.statusBar().showMessage(f"已取消：{title}", 5000)
            if on_cancel:
                on_cancel()

        return start_job(
            self,
            title,
            work,
            db_path=self.session.path,
            on_success=on_success,
            on_failure=lambda message: ask.show_error(self, message),
            on_cancel=cancelled,
        )

    # -- file menu ----------------------------------------------------------------------------------------
    def backup_now(self) -> Path:
        """Write a backup copy of the ledger now."""
        from db.ledger import backup_ledger

        target = backup_ledger(self.session.db, self.session.path, "manual")
        self.statusBar().showMessage(f"已备份到 {target}", 8000)
        return target

    def restore_backup(self) -> None:
        """List the automatic backups and put one back (the current file is kept as a backup too)."""
        from desktop.dialogs.backups import RestoreBackupDialog

        dialog = RestoreBackupDialog(self.session.path, self)
        if not ask.run_dialog(dialog):
            return
        chosen = dialog.chosen()
        if chosen is None:
            return
        if not ask.confirm(
            self,
            f"用备份“{chosen.name}”替换当前台账？\n当前台账会先另存为一份备份，可以再恢复回来。",
            "恢复备份",
            "恢复",
        ):
            return
        from db.errors import DubanError
        from db.ledger import open_ledger, restore_backup

        self.session.db.close()
        try:
            restore_backup(chosen, self.session.path)
        except DubanError as exc:
            # The ledger was left as it was: reopen it, keep the undo history, and say only that.
            self.session.reopen(open_ledger(self.session.path), keep_undo=True)
            ask.show_error(self, str(exc))
            return
        self.session.reopen(open_ledger(self.session.path))
        self.session.notify()
        ask.show_info(self, f"已从备份“{chosen.name}”恢复。", "恢复完成")

    def import_task_list(self) -> None:
        """Start the task-list import wizard."""
        from desktop.dialogs.tasklist import TaskListWizard

        wizard = TaskListWizard(self.session, self)
        if ask.run_dialog(wizard):
            self.session.undo_stack.clear()
            self.session.notify()
            self.go("台账")

    def about(self) -> None:
        """Show the version and the font in use."""
        from desktop.version import app_version

        ask.show_info(
            self,
            f"duban 督办 {app_version()}\n县域重点任务督办台账、离线填报与通报。\n"
            f"界面字体：{self.font().family()}\n台账：{self.session.path}",
            "关于 duban",
        )

    # -- drag and drop of returned workbooks ------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: D102, N802
        if event.mimeData().hasUrls() and self._drop_target() is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: D102, N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        target = self._drop_target()
        if paths and target is not None:
            event.acceptProposedAction()
            target(paths)

    def _drop_target(self):
        if self.session.mode == TOWNSHIP:
            return self.pages[0].open_handoff_files
        rounds = self._page("填报轮次")  # loaded by go() when something is dropped
        return lambda paths: (self.go("填报轮次"), rounds.import_returns(paths))

    # -- screen and font size ----------------------------------------------------------------------------
    def available_geometry(self) -> QRect:
        """The free area of the screen the window is on (without task bar)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def fit_to_screen(self) -> None:
        """First size from the screen: never larger than it, maximised on a small one."""
        rect, maximise = first_geometry(self.available_geometry())
        self.setGeometry(rect)
        if maximise:
            self.setWindowState(self.windowState() | Qt.WindowMaximized)

    @property
    def font_size(self) -> str:
        """The 字号 chosen in 查看 (标准, 大 or 特大), remembered per user."""
        value = ask.app_settings().value("view/font_size", "标准")
        return value if value in FONT_SIZES else "标准"

    def apply_font_size(self, label: str, refit: bool = True) -> None:
        """Scale the whole window's font by the 字号 ``label`` and fit the tables again."""
        app = QApplication.instance()
        base = app.property("dubanBaseFont")
        if base is None:
            # The font the application started with (the Chinese font chosen at start-up).
            base = app.font()
            app.setProperty("dubanBaseFont", base)
        font = type(base)(base)
        font.setPointSizeF(base.pointSizeF() * FONT_SIZES.get(label, 1.0))
        app.setFont(font)
        self.setFont(font)
        if label != self.font_size:
            ask.app_settings().setValue("view/font_size", label)
        action = getattr(self, "font_size_actions", {}).get(label)
        if action is not None:
            action.setChecked(True)
        from desktop.views.common import refresh_scaled_fonts

        refresh_scaled_fonts(self)
        self.nav.setFixedWidth(self.fontMetrics().horizontalAdvance("填报轮次") * 2)
        if refit:
            from PySide6.QtWidgets import QTableView

            for table in self.findChildren(QTableView):
                sizer = getattr(table, "sizer", None)
                if sizer is not None:
                    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
                    sizer.fit()

    # -- settings ------------------------------------------------------------------------------------------
    def restore_layout(self) -> None:
        """Put the window back where the clerk left it, on the screen it is on now."""
        settings = ask.app_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)
            available = self.available_geometry()
            if not self.isMaximized():
                self.setGeometry(clamped_geometry(self.geometry(), available))
        state = settings.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)
        ledger = self._page("台账")
        sizes = settings.value("splitters/ledger")
        if ledger is not None and isinstance(sizes, list) and len(sizes) == 2:
            # Applied when the page is first shown, scaled to the width the window has then.
            ledger.saved_splitter = [int(x) for x in sizes]

    def save_layout(self) -> None:
        """Remember window geometry and splitter positions."""
        settings = ask.app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        ledger = self._page("台账")
        if ledger is not None and ledger.splitter_sized:
            settings.setValue("splitters/ledger", [str(x) for x in ledger.splitter.sizes()])
        settings.sync()

    def closeEvent(self, event) -> None:  # noqa: D102, N802
        self.save_layout()
        for page in self.pages:
            # Pending autosaves are written and timers stopped before the connection closes.
            shutdown = getattr(page, "shutdown", None)
            if shutdown:
                shutdown()
        from desktop.workers import _RUNNING

        for job in list(_RUNNING):
            job.cancel()
        for job in list(_RUNNING):
            job.done_event.wait(10)
        self.session.close()
        if self.lock is not None:
            self.lock.release()
        super().closeEvent(event)
