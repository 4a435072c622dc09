"""Take the window screenshots the README shows, at the screen sizes clerks have.

Run ``python -m desktop.screenshots [OUT_DIR]`` (default: resources/screenshots). Every page is
taken on a 1366×768 laptop screen (the README's ``gui-*.png``), on a 1920×1080 screen
(``1920x1080/``) and on a 1920×1080 screen at 150 % display scaling (``150/``, 1280×720 of
layout), each time with the window as it opens there: its size comes from the screen. Everything
happens offscreen, one process per screen (the scale factor is fixed when Qt starts), on a fresh
demo ledger in a scratch folder, with the Chinese font the window would use; the user's own
settings and ledgers are not touched. ``duban selftest`` takes a quick shot of each page for IT
staff; this script sets each view up the way a clerk would see it in use (a key work selected,
the 录入/修改进展 form open, the township form filled).

:func:`layout_problems` is the check the tests run on every page: nothing outside the window,
no label or button cut, and names, statuses, 序时进度 and 返回时间 never elided.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from db.paths import resource_path

#: Screen name -> (width, height, scale factor) and the sub-folder its shots go to.
SCREENS = {
    "1366x768": (1366, 768, 1.0, ""),
    "1920x1080": (1920, 1080, 1.0, "1920x1080"),
    "150": (1920, 1080, 1.5, "150"),
}
#: Columns whose text must be shown in full (the clerk reads them to know who and where).
KEY_COLUMNS = frozenset({"单位", "单位名称", "提出单位", "牵头单位", "状态", "序时进度", "完成进度", "返回时间"})
OFFICE_SHOTS = (
    ("仪表盘", "gui-1-dashboard.png"),
    ("台账", "gui-2-ledger.png"),
    ("填报轮次", "gui-3-rounds.png"),
    ("单位", "gui-4-units.png"),
    ("问题清单", "gui-5-problems.png"),
    ("报表", "gui-6-reports.png"),
)
TOWNSHIP_SHOT = "gui-7-township.png"
REPORT_FORM_SHOT = "gui-8-report-form.png"


def layout_problems(window) -> list[str]:
    """What a clerk would see cut off on the window's current page, one line each (empty: nothing).

    Checks every visible widget outside scrolled content: inside the window, a one-line label or a
    button at least as wide as its text; and every visible table's key columns (:data:`KEY_COLUMNS`)
    wide enough for each measured row's text (``QFontMetrics`` against the column width).
    """
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QStyle, QTableView, QWidget

    problems: list[str] = []
    bounds = QRect(QPoint(0, 0), window.size())

    def scrolled(widget) -> bool:
        parent = widget.parentWidget()
        while parent is not None and parent is not window:
            grand = parent.parentWidget()
            if isinstance(grand, QAbstractScrollArea) and grand.viewport() is parent:
                return True
            parent = grand
        return False

    def name(widget) -> str:
        text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
        return f"{type(widget).__name__} {widget.objectName() or ''} “{str(text)[:20]}”".strip()

    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow() or scrolled(widget):
            continue
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not bounds.contains(rect):
            problems.append(f"{name(widget)} 超出窗口：{rect.getRect()} 不在 {bounds.getRect()} 内")
        if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text() and not widget.pixmap():
            if widget.textFormat() != Qt.RichText and "<" not in widget.text():
                needed = widget.fontMetrics().horizontalAdvance(widget.text().split("\n")[0])
                if needed > widget.contentsRect().width() + 1:
                    problems.append(f"{name(widget)} 文字被截断：需要 {needed}，只有 {widget.contentsRect().width()}")
        if isinstance(widget, QAbstractButton) and widget.text():
            if widget.width() < widget.minimumSizeHint().width():
                problems.append(f"{name(widget)} 按钮文字被截断")
    for table in window.findChildren(QTableView):
        if not table.isVisible():
            continue
        model = table.model()
        metrics = table.fontMetrics()
        margin = 2 * (table.style().pixelMetric(QStyle.PM_FocusFrameHMargin, None, table) + 1)
        icon = table.iconSize().width() if table.iconSize().isValid() else 16
        for column in range(model.columnCount()):
            header = str(model.headerData(column, Qt.Horizontal) or "")
            if header not in KEY_COLUMNS or table.isColumnHidden(column):
                continue
            width = table.columnWidth(column)
            left = table.columnViewportPosition(column)
            if left < 0 or left + width > table.viewport().width() + 1:
                problems.append(f"{table.objectName() or '表格'}“{header}”列要横向滚动才看得到")
            for row in range(min(model.rowCount(), 400)):
                index = model.index(row, column)
                text = str(index.data() or "")
                needed = metrics.horizontalAdvance(text) + margin + (icon + 4 if index.data(Qt.DecorationRole) else 0)
                if text and needed > width:
                    problems.append(f"{table.objectName() or '表格'}“{header}”列第 {row + 1} 行“{text}”被截断")
                    break
    return problems


def _settle(app, window) -> None:
    for _ in range(3):
        app.processEvents()
    # The 台账 detail pane follows the selection after a short pause; show it now.
    ledger = getattr(window, "_page", lambda _t: None)("台账")
    if ledger is not None and ledger.detail_timer.isActive():
        ledger.detail_timer.stop()
        ledger.show_detail()
        app.processEvents()


def _save(widget, target: Path) -> Path:
    if not widget.grab().save(str(target)):
        raise OSError(f"无法保存截图 {target}")
    return target


def _key_work(db, number: str) -> int:
    from db.tasks import key_work_id_by_number

    return key_work_id_by_number(db, number)


def office_shots(app, ledger: Path, out: Path, problems: list[str] | None = None) -> list[Path]:
    """The office pages, then the 录入/修改进展 form over the 台账 (layout problems go into ``problems``)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter

    from desktop.app import open_window
    from desktop.dialogs import common

    window = open_window(ledger)
    saved: list[Path] = []
    try:
        window.show()
        for title, name in OFFICE_SHOTS:
            page = window.page(title)
            if page is None:
                continue
            window.go(title)
            if title == "台账":
                # A key work that is behind: the detail pane has something to say.
                page.select_key_work(_key_work(window.session.db, "9"))
            if title == "报表":
                # The 通报: its names to untick and the 公文 fields box are what the page is for.
                page.kind_box.setCurrentIndex(page.kind_box.findData("bulletin"))
            _settle(app, window)
            saved.append(_save(window, out / name))
            if problems is not None:
                problems.extend(f"{name}：{p}" for p in layout_problems(window))

        page = window.page("台账")
        window.go("台账")
        page.select_key_work(_key_work(window.session.db, "18"))
        page.detail_tabs.setCurrentWidget(page.reports_view)
        _settle(app, window)
        background = window.grab()

        def grab_form(dialog) -> bool:
            dialog.show()
            _settle(app, window)
            form = dialog.grab()
            painter = QPainter(background)
            top_left = QPoint(
                max(0, (background.width() - form.width()) // 2), max(0, (background.height() - form.height()) // 2)
            )
            painter.drawPixmap(top_left, form)
            # Offscreen windows have no frame: a thin one keeps the form apart from the page behind.
            painter.setPen(QColor("#606060"))
            painter.drawRect(top_left.x() - 1, top_left.y() - 1, form.width() + 1, form.height() + 1)
            painter.end()
            dialog.close()
            return False

        real_run_dialog = common.run_dialog
        common.run_dialog = grab_form
        try:
            page.enter_report()
        finally:
            common.run_dialog = real_run_dialog
        target = out / REPORT_FORM_SHOT
        if not background.save(str(target)):
            raise OSError(f"无法保存截图 {target}")
        saved.append(target)
    finally:
        window.close()
        app.processEvents()
    return saved


def township_shot(app, office_ledger: Path, scratch: Path, out: Path, problems: list[str] | None = None) -> Path:
    """The 填报端 window of 城东街道, opened from a real handoff of the demo's open round."""
    from db.ledger import open_ledger
    from db.units import require_unit
    from desktop.app import open_window
    from reports.exchange.handoff import export_handoff
    from reports.exchange.township import open_handoff

    db = open_ledger(office_ledger)
    try:
        files = export_handoff(db, "2024Q3", [require_unit(db, "城东街道")], scratch / "handoffs")
    finally:
        db.close()
    ledger = scratch / "城东街道.db"
    open_handoff(ledger, files[0].path)
    window = open_window(ledger)
    try:
        window.show()
        page = window.pages[0]
        page.checklist.setCurrentRow(1)
        _settle(app, window)
        if problems is not None:
            problems.extend(f"{TOWNSHIP_SHOT}：{p}" for p in layout_problems(window))
        return _save(window, out / TOWNSHIP_SHOT)
    finally:
        window.close()
        app.processEvents()


def screen_environment(screen: str, scratch: Path) -> dict[str, str]:
    """The environment of a process whose Qt runs offscreen on ``screen`` (a :data:`SCREENS` name)."""
    width, height, scale, _folder = SCREENS[screen]
    config = scratch / f"screen-{screen}.json"
    # The offscreen platform's screens are physical pixels; the scale factor makes the layout smaller.
    config.write_text(
        json.dumps({"screens": [{"name": screen, "x": 0, "y": 0, "width": width, "height": height, "dpr": 1}]}),
        encoding="utf-8",
    )
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    env["QT_SCALE_FACTOR"] = f"{scale:g}"
    env.pop("QT_SCREEN_SCALE_FACTORS", None)
    env.pop("QT_AUTO_SCREEN_SCALE_FACTOR", None)
    return env


def shots_on_this_screen(out: Path, problems: list[str]) -> list[Path]:
    """Every shot, in this process, on the screen Qt was started with."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="duban-shots-") as tmp:
        scratch = Path(tmp)
        # Window layout and last folders are remembered per user: use a scratch profile.
        os.environ["DUBAN_DATA_DIR"] = str(scratch / "profile")
        from db.demo import build_demo
        from desktop.app import ensure_application

        app = ensure_application()
        ledger = scratch / "示例县.db"
        build_demo(ledger).close()
        saved = office_shots(app, ledger, out, problems)
        saved.append(township_shot(app, ledger, scratch, out, problems))
    return saved


def take_screenshots(out_dir: str | Path | None = None, screens=tuple(SCREENS)) -> tuple[list[Path], list[str]]:
    """Write the screenshots of every screen in ``screens`` under ``out_dir``; return paths and layout problems.

    Each screen runs in its own process: Qt's scale factor and screen are fixed when it starts.
    """
    out = Path(out_dir) if out_dir else resource_path("screenshots")
    saved: list[Path] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="duban-screens-") as tmp:
        for screen in screens:
            target = out / SCREENS[screen][3]
            result = subprocess.run(
                [sys.executable, "-m", "desktop.screenshots", str(target), "--screen", screen],
                env=screen_environment(screen, Path(tmp)),
                capture_output=True,
                text=True,
                encoding="utf-8",
                check=False,
            )
            if result.returncode != 0:
                raise OSError(f"{screen} 截图失败：{(result.stderr or result.stdout).strip()[-500:]}")
            for line in result.stdout.splitlines():
                if line.startswith("! "):
                    problems.append(f"{screen} {line[2:]}")
                elif line.strip():
                    saved.append(Path(line.strip()))
    return saved, problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m desktop.screenshots [OUT_DIR] [--screen 1366x768|1920x1080|150]``.

    Exit status 1 when a page has something cut off (each one is listed).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    screen = None
    if "--screen" in args:
        at = args.index("--screen")
        screen = args[at + 1]
        del args[at : at + 2]
    out = Path(args[0]) if args else None
    if screen is not None:
        # One screen, in this process (started by take_screenshots with the screen's environment).
        problems: list[str] = []
        for path in shots_on_this_screen(out or resource_path("screenshots"), problems):
            print(path)
        for problem in problems:
            print(f"! {problem}")
        return 0
    saved, problems = take_screenshots(out)
    for path in saved:
        print(path)
    for problem in problems:
        print(f"界面问题：{problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
