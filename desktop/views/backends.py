"""Which optional back ends are present in this build.

The import, exchange and report back ends arrive separately; a workflow whose back
end is missing is left out of the window entirely rather than shown half-working.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType


@cache
def backend(module: str, *names: str) -> ModuleType | None:
    """Return ``module`` if it imports and has every attribute in ``names``, else None."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    if all(hasattr(mod, n) for n in names):
        return mod
    return None


def has_exchange() -> bool:
    """Handoff export and return import (issue 4)."""
    return (
        backend("reports.handoff", "export_handoff") is not None
        and backend("db.exchange", "preview_returns", "import_returns", "undo_import", "list_batches") is not None
    )


def has_township_exchange() -> bool:
    """Opening a handoff and exporting a return in township mode (issue 4)."""
    return backend("db.exchange", "open_handoff", "export_return") is not None


def has_task_import() -> bool:
    """The task-list import wizard (issue 3)."""
    return (
        backend("reports.tasklist", "read_task_list") is not None
        and backend("db.plan_import", "resolve_draft", "commit_draft") is not None
    )


def report_kinds() -> list[tuple[str, str]]:
    """Return (label, key) of every PDF/Excel report this build can produce (issue 5)."""
    kinds = []
    if backend("reports.pdf.progress_report", "write_progress_report"):
        kinds.append(("进展情况报告（PDF）", "progress"))
    if backend("reports.pdf.bulletin", "write_bulletin"):
        kinds.append(("通报（PDF，公文格式）", "bulletin"))
    if backend("reports.pdf.annual", "write_annual_summary"):
        kinds.append(("全年总结（PDF）", "annual"))
    if backend("reports.ledger_export", "export_ledger"):
        kinds.append(("台账导出（Excel）", "ledger"))
    return kinds
