"""duban's version number, from the one place it is written: ``pyproject.toml``.

Three ways the program can be running, three places to read the same number:

* from a source checkout: ``pyproject.toml`` beside the packages (so a version bump is
  seen at once, without reinstalling);
* frozen by PyInstaller: ``duban-version.txt`` that ``build.spec`` writes into the bundle
  from ``pyproject.toml`` at build time;
* installed from a wheel: the package metadata (``importlib.metadata``).
"""

from __future__ import annotations

import re
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

#: What is shown when no source of the version is readable (a broken install).
UNKNOWN_VERSION = "0+unknown"
#: The file ``build.spec`` writes at the top of the bundle's data folder.
BUNDLED_VERSION_FILE = "duban-version.txt"

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def version_from_pyproject(pyproject: Path) -> str | None:
    """Return ``[project].version`` from a ``pyproject.toml``, or None if it has none."""
    import tomllib

    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = data.get("project", {}).get("version")
    return str(value) if value else None


@cache
def app_version() -> str:
    """Return duban's version, e.g. ``"0.1.0"``."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        try:
            text = (Path(frozen_root) / BUNDLED_VERSION_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text:
            return text
    else:
        pyproject = _SOURCE_ROOT / "pyproject.toml"
        if pyproject.is_file():
            found = version_from_pyproject(pyproject)
            if found:
                return found
    try:
        return metadata.version("duban")
    except metadata.PackageNotFoundError:
        return UNKNOWN_VERSION


def windows_version_tuple(version: str) -> tuple[int, int, int, int]:
    """Return the four 16-bit numbers a Windows version resource needs, e.g. ``(0, 1, 0, 0)``.

    Pre-release and local parts (``1.2.0rc1``, ``+git``) are dropped: Windows only
    stores numbers, and the full text still goes into the string table.
    """
    release = re.match(r"\d+(?:\.\d+)*", version.strip())
    numbers = [int(n) for n in release.group(0).split(".")[:4]] if release else []
    numbers = [min(n, 0xFFFF) for n in numbers]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


__all__ = ["BUNDLED_VERSION_FILE", "UNKNOWN_VERSION", "app_version", "version_from_pyproject", "windows_version_tuple"]
