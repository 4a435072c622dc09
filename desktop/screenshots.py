"""Take the window screenshots the README shows (``resources/screenshots/gui-*.png``).

Run ``python -m desktop.screenshots [OUT_DIR]`` (default: resources/screenshots). Everything
happens offscreen on a fresh demo ledger in a scratch folder, with the Chinese font the
window would use; the user's own settings and ledgers are not touched. ``duban selftest``
takes a quick shot of each page for IT staff; this script sets each view up the way a clerk
would see it in use (a key work selected, the 录入/修改进展 form open, the township form filled).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from db.paths import resource_path

WINDOW_SIZE = (1280, 800)
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


def office_shots(app, ledger: Path, out: Path) -> list[Path]:
    """The office pages, then the 录入/修改进展 form over the 台账."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter

    from desktop.app import open_window
    from desktop.dialogs import common

    window = open_window(ledger)
    saved: list[Path] = []
    try:
        window.resize(*WINDOW_SIZE)
        window.show()
        for title, name in OFFICE_SHOTS:
            page = window.page(title)
            if page is None:
                continue
            window.go(title)
            if title == "台账":
                # A key work that is behind: the detail pane has something to say.
                page.select_key_work(_key_work(window.session.db, "9"))
            _settle(app, window)
            saved.append(_save(window, out / name))

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


def township_shot(app, office_ledger: Path, scratch: Path, out: Path) -> Path:
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
        window.resize(*WINDOW_SIZE)
        window.show()
        page = window.pages[0]
        page.checklist.setCurrentRow(1)
        _settle(app, window)
        return _save(window, out / TOWNSHIP_SHOT)
    finally:
        window.close()
        app.processEvents()


def take_screenshots(out_dir: str | Path | None = None) -> list[Path]:
    """Write every README screenshot into ``out_dir`` and return their paths."""
    out = Path(out_dir) if out_dir else resource_path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if sys.platform not in ("win32", "darwin") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="duban-shots-") as tmp:
        scratch = Path(tmp)
        # Window layout and last folders are remembered per user: use a scratch profile.
        os.environ["DUBAN_DATA_DIR"] = str(scratch / "profile")
        from db.demo import build_demo
        from desktop.app import ensure_application

        app = ensure_application()
        ledger = scratch / "示例县.db"
        build_demo(ledger).close()
        saved = office_shots(app, ledger, out)
        saved.append(township_shot(app, ledger, scratch, out))
    return saved


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m desktop.screenshots [OUT_DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    for path in take_screenshots(args[0] if args else None):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
