"""``read_task_list``: sniff a file and hand it to the right reader."""

from __future__ import annotations

import hashlib
from pathlib import Path

from db.errors import DubanError
from reports.safety import expect_kind
from reports.tasklist.document import parse_policy_text, read_docx
from db.plan_draft import Draft
from reports.tasklist.excel import xls_grids, xlsx_grids
from reports.tasklist.grid import read_grids

WHAT = "任务清单"


def read_task_list(path, *, year: int | None = None, plan_title: str | None = None, progress=None) -> Draft:
    """Read a task list or policy document into a draft; nothing is written anywhere.

    The content decides the reader, not the file name: .xlsx (openpyxl, normal mode so
    merged cells are seen), .xls (xlrd), .docx (python-docx: task-list tables, else the
    numbered text) and plain text in UTF-8 or GB18030.

    Args:
        path: the file.
        year: plan year; default: the year the document states.
        plan_title: plan title; default: the document's title.
        progress: optional ``progress(done, total, message)``; it may raise to cancel.

    Raises:
        DubanError: the file is missing, empty, damaged, password protected, of another
            kind, or holds no task list. The message is one Chinese sentence.
    """
    path = Path(path)
    if progress:
        progress(0, 3, f"检查文件“{path.name}”")
    kind = expect_kind(path, ("xlsx", "xls", "docx", "unknown"), WHAT).kind
    data = path.read_bytes()
    draft = Draft(
        source_name=path.name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        year=year,
        year_source="参数" if year else None,
    )
    if progress:
        progress(1, 3, "读取内容")
    if kind in ("xlsx", "xls"):
        draft.source_kind = kind
        grids = xlsx_grids(path, draft.warnings) if kind == "xlsx" else xls_grids(path, draft.warnings)
        if not any(any(v not in (None, "") for row in g.cells for v in row) for g in grids):
            raise DubanError(f"工作簿“{path.name}”里没有任何内容，未导入。")
        if not read_grids(grids, draft, progress):
            raise DubanError(
                f"工作簿“{path.name}”里找不到任务清单的表头（应有“重点工作”“落实举措”“责任单位”等列），"
                "不像是任务清单，未导入。"
            )
    elif kind == "docx":
        draft.source_kind = "docx"
        read_docx(path, draft, progress)
    else:
        draft.source_kind = "txt"
        parse_policy_text(_decode(path, data), draft, progress)
    if not draft.key_works:
        raise DubanError(f"“{path.name}”中没有读到任何重点工作，未导入。")
    if plan_title:
        draft.title = plan_title.strip()
    if not (draft.title or "").strip():
        draft.warnings.append(
            "文件里没有找到计划名称（表格上方没有标题行），导入前请填写计划名称（命令行加 --plan-title）。"
        )
    draft.refresh()
    if progress:
        progress(3, 3, f"读到 {len(draft.key_works)} 项重点工作")
    return draft


def _decode(path: Path, data: bytes) -> str:
    """Decode a text file as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith(b"%PDF"):
        raise DubanError(
            f"“{path.name}”是 PDF 文件，duban 不直接读取 PDF。请在阅读器中全选复制文字后粘贴导入，或另存为 .txt。"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise DubanError(f"“{path.name}”不是任务清单（无法识别的文件格式；可用 .xlsx、.xls、.docx 或 .txt）。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if sum(1 for ch in text[:2000] if "\u4e00" <= ch <= "\u9fff") == 0:
            raise DubanError(f"“{path.name}”里没有中文内容，不像是任务清单，未导入。")
        return text
    raise DubanError(f"“{path.name}”的文字编码无法识别（既不是 UTF-8 也不是 GB18030），请另存为 UTF-8 文本再试。")
