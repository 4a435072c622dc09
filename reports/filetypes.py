"""The file types each exchange direction accepts, declared once.

They drive the CLI's help, the window's file dialogs and drop targets, and the dispatch
that decides what to do with a file. Each is a tuple of lower-case suffixes.
"""

from __future__ import annotations

#: Workbooks a unit may send back (Excel, WPS and LibreOffice all save one of these).
RETURN_WORKBOOK_SUFFIXES = (".xlsx", ".xls")
#: Archives a folder of returns may come in.
RETURN_ARCHIVE_SUFFIXES = (".zip",)
#: Everything 导入回收表 accepts besides folders.
RETURN_SUFFIXES = RETURN_WORKBOOK_SUFFIXES + RETURN_ARCHIVE_SUFFIXES
#: A handoff a township opens (the office sends .xlsx; a clerk may have re-saved it as .xls).
HANDOFF_SUFFIXES = (".xlsx", ".xls")


def suffix_list(suffixes: tuple[str, ...]) -> str:
    """Return suffixes as help text writes them: ``.xlsx/.xls/.zip``."""
    return "/".join(suffixes)


def dialog_filter(label: str, suffixes: tuple[str, ...]) -> str:
    """Return a file dialog's filter: ``填报表 (*.xlsx *.xls);;所有文件 (*)``."""
    patterns = " ".join(f"*{s}" for s in suffixes)
    return f"{label} ({patterns});;所有文件 (*)"
