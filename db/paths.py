"""Where duban finds its own resources and keeps the user's data.

Resources (the demo ledger description, icons, fonts lists) ship with the program:
beside the source tree when run from a checkout, under ``sys._MEIPASS`` when frozen by
PyInstaller. The user's ledger, settings and backups live in the user's data folder,
never beside the executable, because office PCs install programs read-only.
"""

from __future__ import annotations

import os
import sys
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
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_ledger_path() -> Path:
    """Return the ledger file used when no ``--db`` is given."""
    return user_data_dir() / "duban.db"
