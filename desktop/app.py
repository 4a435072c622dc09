"""Starting the desktop app: Qt application, Chinese font, lock, first start, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from db.errors import DubanError
from db.paths import resource_path, user_data_dir

log = logging.getLogger("duban.gui")

#: Simplified Chinese UI fonts, best first, as found on Windows, macOS and Linux.
PREFERRED_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "微软雅黑",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "思源黑体",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "文泉驿正黑",
    "SimHei",
    "黑体",
    "DengXian",
    "等线",
    "SimSun",
    "宋体",
    "AR PL UMing CN",
)


def chinese_font_families() -> list[str]:
    """Return the installed font families that declare Simplified Chinese support."""
    return list(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def _load_font_files() -> None:
    """Make bundled or system Chinese font files known to Qt (for machines whose font DB lacks them)."""
    candidates: list[Path] = []
    bundled = resource_path("fonts")
    if bundled.is_dir():
        candidates += sorted(p for p in bundled.iterdir() if p.suffix.lower() in (".ttf", ".ttc", ".otf"))
    try:
        from reports.pdf.fonts import find_fonts

        for face in find_fonts().faces.values():
            if face.path:
                candidates.append(Path(face.path))
    except Exception:  # noqa: BLE001 - the PDF font search is a best-effort extra source here
        log.warning("PDF font search failed while looking for a UI font\n%s", traceback.format_exc())
    for path in candidates:
        if path.is_file():
            QFontDatabase.addApplicationFont(str(path))


def choose_chinese_font() -> str | None:
    """Pick a Simplified Chinese family for the UI; return it, or None if there is none at all."""
    families = chinese_font_families()
    if not families:
        _load_font_files()
        families = chinese_font_families()
    if not families:
        return None
    for name in PREFERRED_FAMILIES:
        if name in families:
            return name
    return families[0]


def ensure_application(argv: list[str] | None = None) -> QApplication:
    """Return the QApplication, creating it (high-DPI aware, Chinese font) if needed."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv or [sys.argv[0] if sys.argv else "duban"])
        app.setApplicationName("duban")
        app.setApplicationDisplayName("duban 督办")
        app.setOrganizationName("duban")
    family = choose_chinese_font()
    if family:
        font = QFont(family)
        font.setPointSizeF(max(app.font().pointSizeF(), 10.0))
        app.setFont(font)
    else:
        log.warning("no Simplified Chinese font found; Chinese text may show as boxes")
    _translate_qt(app)
    return app


def _translate_qt(app: QApplication) -> None:
    """Load Qt's own Chinese translations (standard buttons, file dialogs) when they ship."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    if getattr(app, "_duban_translator", None):
        return
    translator = QTranslator(app)
    if translator.load(
        QLocale(QLocale.Chinese, QLocale.China), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.TranslationsPath)
    ):
        app.installTranslator(translator)
        app._duban_translator = translator


def open_window(db_path: str | Path, *, lock: bool = True, parent_for_errors: QWidget | None = None):
    """Open a ledger in a new main window (taking its lock) and return the window.

    Raises:
        DubanError: the ledger is locked by another window, not a ledger, or newer.
    """
    from db.ledger import open_ledger
    from desktop.lock import LedgerLock
    from desktop.mainwindow import MainWindow
    from desktop.session import LedgerSession

    ensure_application()
    held = None
    if lock:
        held = LedgerLock(db_path)
        held.acquire()
    try:
        db = open_ledger(db_path)
        session = LedgerSession(db_path, db)
        window = MainWindow(session, held)
    except BaseException:
        if held is not None:
            held.release()
        raise
    return window


def first_start(db_path: Path) -> bool:
    """Ask how this PC uses duban and create the ledger; False when the clerk cancelled."""
    from db.ledger import create_ledger, set_meta
    from desktop.dialogs import common as ask
    from desktop.dialogs.firststart import FirstStartDialog

    dialog = FirstStartDialog(db_path)
    if not ask.run_dialog(dialog):
        return False
    v = dialog.values()
    db = create_ledger(db_path)
    try:
        from db.mode import set_ledger_mode

        set_ledger_mode(db, v["mode"], "gui-first-start")
        if v.get("org"):
            set_meta(db, "org_name", v["org"], "gui-first-start")
    finally:
        db.close()
    return True


def _excepthook(exc_type, exc, tb) -> None:
    """Last line of defence: log the traceback, show one Chinese sentence."""
    from desktop.dialogs import common as ask

    if issubclass(exc_type, DubanError):
        ask.show_error(QApplication.activeWindow(), str(exc))
        return
    log_file = user_data_dir() / "duban.log"
    logging.getLogger("duban").error("未预料的错误\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
    ask.show_error(
        QApplication.activeWindow(),
        f"程序内部出错，刚才的操作可能没有完成。详细信息已写入 {log_file}，请发给技术支持。",
        "程序出错",
    )


def run_gui(db_path: str | Path) -> int:
    """Start the desktop app on ``db_path`` and return the exit status.

    A missing ledger starts the first-start dialog (督办端 or 填报端). A ledger open in
    another duban window is refused with a message, and nothing is touched.
    """
    from desktop.dialogs import common as ask

    logging.basicConfig(
        filename=user_data_dir() / "duban.log",
        level=logging.INFO,
        encoding="utf-8",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = ensure_application()
    db_path = Path(db_path)
    if not db_path.exists() and not first_start(db_path):
        return 0
    try:
        window = open_window(db_path)
    except DubanError as exc:
        ask.show_error(None, str(exc), "无法打开台账")
        return 2
    sys.excepthook = _excepthook
    window.show()
    return app.exec()
