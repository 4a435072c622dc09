"""Task lists in: "1+N" Excel lists and policy documents read into a reviewable draft.

Nothing here touches the ledger; :mod:`db.plan_import` resolves a draft against the
unit registry and commits it.
"""

from db.plan_draft import (
    Draft,
    DraftIndicator,
    DraftKeyWork,
    DraftMilestone,
    DraftUnit,
    Flag,
    Unplaced,
)
from reports.tasklist.document import read_task_text
from reports.tasklist.reader import read_task_list

__all__ = [
    "Draft",
    "DraftIndicator",
    "DraftKeyWork",
    "DraftMilestone",
    "DraftUnit",
    "Flag",
    "Unplaced",
    "read_task_list",
    "read_task_text",
]
