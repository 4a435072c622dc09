"""Starting the desktop app: Qt application, Chinese font, lock, first start, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from db.errors import DubanError
from db.paths import resource_path, setup_logging

try:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
    from PySide6.QtWidgets import QApplication, QWidget
except ImportError as _qt_missing:  # a system library Qt links against is not installed
    raise DubanError(
        f"图形界面需要的系统库没有装全（{_qt_missing}），窗口无法启动；"
        "请让信息科按 README“安装”一节装好 Qt 需要的库，命令行（duban --help）不受影响。"
    ) from None

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
    from db.ledger import ledger_fault
    from desktop.dialogs import common as ask

    fault = ledger_fault(exc, _open_ledger_path)
    if fault is not None:
        # A disk, file or other-process fault (disk full, read-only, another duban writing):
        # its own sentence, not "internal error".
        ask.show_error(QApplication.activeWindow(), str(fault))
        return
    log_file = setup_logging()
    logging.getLogger("duban").error("未预料的错误\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
    where = f"详细信息已写入 {log_file}，请发给技术支持。" if log_file else "请把刚才的操作步骤告诉技术支持。"
    ask.show_error(QApplication.activeWindow(), f"程序内部出错，刚才的操作可能没有完成。{where}", "程序出错")


#: The ledger the window has open (for naming it in fault messages).
_open_ledger_path: Path | None = None


def _open_or_offer_restore(db_path: Path):
    """Open the window on ``db_path``; when the ledger cannot be opened, offer to restore a backup instead.

    Returns:
        The window, or None when the clerk gave up (the message was shown).
    """
    from db.errors import DamagedLedgerError, LedgerUnavailableError, NotALedgerError
    from db.ledger import backup_catalog, restore_backup
    from desktop.dialogs import common as ask
    from desktop.dialogs.backups import CannotOpenDialog

    while True:
        try:
            window = open_window(db_path)
            for warning in getattr(window.session.db, "warnings", []):
                # Read-only, network share: said once when the ledger opens.
                ask.show_info(None, warning, "注意")
            return window
        except (DamagedLedgerError, NotALedgerError, LedgerUnavailableError) as exc:
            message = str(exc)
            if not backup_catalog(db_path):
                ask.show_error(None, message, "无法打开台账")
                return None
            dialog = CannotOpenDialog(db_path, message)
            if not ask.run_dialog(dialog) or dialog.chosen() is None:
                return None
            try:
                kept = restore_backup(dialog.chosen(), db_path)
            except DubanError as restore_failed:
                ask.show_error(None, str(restore_failed), "无法恢复备份")
                continue
            ask.show_info(None, f"已恢复备份“{dialog.chosen().name}”；打不开的台账另存为“{kept.name}”。", "已恢复")
        except DubanError as exc:
            ask.show_error(None, str(exc), "无法打开台账")
            return None


def run_gui(db_path: str | Path) -> int:
    """Start the desktop app on ``db_path`` and return the exit status.

    A missing ledger starts the first-start dialog (督办端 or 填报端). A ledger open in
    another duban window is refused with a message, and nothing is touched.
    """
    global _open_ledger_path
    from desktop.display import display_problem

    problem = display_problem()
    if problem:
        # Qt would abort the process (exit 134) with an English hint; say it in one sentence.
        raise DubanError(problem)
    setup_logging()
    from db.paths import log_unraisable

    sys.unraisablehook = log_unraisable
    app = ensure_application()
    db_path = Path(db_path)
    if not db_path.exists() and not first_start(db_path):
        return 0
    window = _open_or_offer_restore(db_path)
    if window is None:
        return 2
    _open_ledger_path = db_path
    sys.excepthook = _excepthook
    window.show()
    return app.exec()
