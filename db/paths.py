"""Where duban finds its own resources and keeps the user's data.

Resources (the demo ledger description, icons, fonts lists) ship with the program:
beside the source tree when run from a checkout, under ``sys._MEIPASS`` when frozen by
PyInstaller. The user's ledger, settings and backups live in the user's data folder,
never beside the executable, because office PCs install programs read-only.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "duban"
APP_AUTHOR = "duban"


def resource_root() -> Path:
    """Return the folder that holds duban's bundled ``resources/``."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Return the path of a bundled resource, e.g. ``resource_path("demo", "x.json")``."""
    return resource_root().joinpath(*parts)


def user_data_dir() -> Path:
    """Return (and create) the user's duban data folder.

    ``DUBAN_DATA_DIR`` overrides it, so tests and portable installs can redirect it.
    """
    override = os.environ.get("DUBAN_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        # A read-only profile: whatever is written there later says so in its own sentence.
        pass
    return path


def default_ledger_path() -> Path:
    """Return the ledger file used when no ``--db`` is given."""
    return user_data_dir() / "duban.db"


def _log_candidates() -> list[Path]:
    return [user_data_dir() / "duban.log", Path(tempfile.gettempdir()) / f"duban-{getpass_user()}" / "duban.log"]


def getpass_user() -> str:
    """The login name, for a per-user folder under the temporary folder ("user" when unknown)."""
    import getpass

    try:
        return "".join(ch for ch in getpass.getuser() if ch.isalnum() or ch in "-_") or "user"
    except (OSError, KeyError, ImportError):
        return "user"


def setup_logging() -> Path | None:
    """Send duban's log to ``duban.log`` in the user's data folder, or a temporary folder when that is not writable.

    A log that cannot be written never interrupts the program or prints a traceback
    (``logging.raiseExceptions`` is turned off: a full disk must not turn into a stack dump).

    Returns:
        The log file in use, or None when no folder could take it.
    """
    logging.raiseExceptions = False
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    for candidate in _log_candidates():
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(candidate, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        return candidate
    return None


def log_unraisable(unraisable) -> None:
    """``sys.unraisablehook`` for duban: an error in a finaliser (a half-written file's ``__del__`` on a full disk) goes to the log, never to the screen."""
    try:
        if setup_logging() is not None:
            logging.getLogger("duban").warning(
                "ignored in %r: %s",
                unraisable.object,
                unraisable.exc_value,
                exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback),
            )
    except Exception:  # noqa: BLE001 - the hook itself must never raise
        pass
